/**
 * A RawCursor over a SlateDB scan. The native iterator is opened at once (so the cursor sees the
 * data as of `iterate()`), read one entry per native call, and released at the end or on close.
 * SlateDB scans natively in both directions, so reverse needs no buffering here.
 */
import type { DbIterator, KeyRange, ScanOptions } from '@slatedb/uniffi';
import type { RawCursor, RawEntry, RawRange } from './backend.js';

/** Something that can open a scan: a Db or a DbReader. */
export interface Scannable {
  scan_with_options(range: KeyRange, options: ScanOptions): Promise<DbIterator>;
}

/** How a cursor reaches the backend: run a call (loop hold + error mapping) and learn of closing. */
export interface CursorHost {
  run<T>(op: string, fn: () => Promise<T>): Promise<T>;
  forget(cursor: SlateCursor): void;
}

/** A cursor over one scan; `next` calls run one at a time. */
export class SlateCursor implements RawCursor {
  #host: CursorHost;
  #iter: Promise<DbIterator | undefined>;
  #queue: Promise<unknown> = Promise.resolve();
  #done = false;

  constructor(host: CursorHost, source: Scannable, range: RawRange) {
    this.#host = host;
    const keyRange = toKeyRange(range);
    this.#iter =
      keyRange === undefined ? Promise.resolve(undefined) : host.run('scan', () => source.scan_with_options(keyRange, scanOptions(range.reverse === true)));
    // The error, if any, is reported by the first next(); do not let it go unhandled meanwhile.
    this.#iter.catch(() => {});
  }

  /** Up to `max` entries; an empty array once the range is exhausted. */
  next(max: number): Promise<RawEntry[]> {
    const run = this.#queue.then(() => this.#read(Math.max(1, Math.floor(max) || 1)));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Releases the native iterator; later `next` calls return []. */
  close(): Promise<void> {
    const run = this.#queue.then(() => this.#finish());
    this.#queue = run.catch(() => {});
    return run;
  }

  async #read(max: number): Promise<RawEntry[]> {
    if (this.#done) return [];
    const out: RawEntry[] = [];
    try {
      const iter = await this.#iter;
      if (iter === undefined) {
        await this.#finish();
        return [];
      }
      while (out.length < max) {
        const kv = await this.#host.run('scan', () => iter.next());
        if (kv === undefined) {
          await this.#finish();
          break;
        }
        out.push({ key: kv.key, value: kv.value });
      }
    } catch (err) {
      await this.#finish();
      throw err;
    }
    return out;
  }

  async #finish(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#host.forget(this);
    const iter = await this.#iter.catch(() => undefined);
    iter?.dispose();
  }
}

/** gte inclusive, lt exclusive; undefined when the range is empty (SlateDB rejects empty ranges). */
export function toKeyRange(range: RawRange): KeyRange | undefined {
  const start = range.gte !== undefined && range.gte.length > 0 ? range.gte : undefined;
  const end = range.lt;
  if (end !== undefined && (end.length === 0 || (start !== undefined && Buffer.compare(start, end) >= 0))) return undefined;
  return { start, start_inclusive: true, end, end_inclusive: false };
}

function scanOptions(reverse: boolean): ScanOptions {
  // SlateDB's own defaults, except that fetched blocks are cached (scans are usually re-read).
  return {
    durability_filter: 'Memory',
    dirty: false,
    read_ahead_bytes: 1,
    cache_blocks: true,
    max_fetch_tasks: 1,
    order: reverse ? 'Descending' : 'Ascending',
  };
}
