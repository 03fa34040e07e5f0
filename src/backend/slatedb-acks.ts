/**
 * Which buffered writes a SlateDB handle acknowledged but has not yet seen become durable. A fenced
 * writer loses exactly those, so its FENCED error can say how many acknowledged writes were dropped.
 */
import { SkyshelveError } from '../errors.js';

/** Past this many pending sequence numbers, the list is trimmed against the durable sequence number. */
const TRIM_AT = 4096;

/** The sequence numbers of acknowledged, not-yet-durable writes, in ascending order. */
export class PendingAcks {
  #seqs: bigint[] = [];

  /** Records an acknowledged buffered write; `durableSeq` is asked only now and then, to trim. */
  add(seq: bigint, durableSeq: () => bigint): void {
    this.#seqs.push(seq);
    if (this.#seqs.length >= TRIM_AT) this.settle(durableSeq());
  }

  /** Forgets every write up to `durable`: it is in the object store. */
  settle(durable: bigint): void {
    const keep = this.#seqs.findIndex((s) => s > durable);
    this.#seqs = keep < 0 ? [] : this.#seqs.slice(keep);
  }

  /** How many acknowledged writes are newer than `durable` (dropped, when the handle is fenced). */
  newerThan(durable: bigint): number {
    return this.#seqs.filter((s) => s > durable).length;
  }
}

/** The error of every call on a handle after it has been fenced; `lost` is known for writers. */
export function fencedError(op: string, lost: number | undefined): SkyshelveError {
  const dropped =
    lost === undefined
      ? 'writes it had not made durable are not in the store'
      : `${lost} acknowledged write${lost === 1 ? '' : 's'} of this handle had not been made durable (no successful sync() covered ${lost === 1 ? 'it' : 'them'}) and ${lost === 1 ? 'is' : 'are'} not in the store`;
  return new SkyshelveError(
    'FENCED',
    `SlateDB ${op} failed (FENCED): another writer opened this database, so this handle no longer reads or writes; ${dropped}. Reopen to continue.`,
    lost === undefined ? {} : { details: { lostWrites: lost } },
  );
}
