/**
 * One optimistic unit of work: the values it read (first read of each key) and the writes it
 * buffered. Reads see the unit's own writes. Its commit is one conditional batch whose checks say
 * "every key read still holds the value read", so a unit commits only if it saw the latest state:
 * a save, an update, a delete and a whole transaction are each one such unit.
 */
import type { Backend, RawCheck, RawOp } from '../backend/backend.js';
import { writeChecked } from '../backend/conditional.js';
import { bytesId } from './keys.js';

/** Reads tracked for conflicts and writes buffered until commit. */
export class WriteSet {
  readonly #reads = new Map<string, RawCheck>();
  readonly #writes = new Map<string, RawOp>();
  // Values read ahead in one snapshot (prefetch); each becomes a check only when `get` uses it.
  readonly #ahead = new Map<string, Uint8Array | undefined>();

  constructor(readonly backend: Backend) {}

  /** The value at `key` as this unit sees it; the first read from the store becomes a check. */
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const id = idOf(key);
    const w = this.#writes.get(id);
    if (w !== undefined) return w.value;
    const r = this.#reads.get(id);
    if (r !== undefined) return r.value;
    const value = this.#ahead.has(id) ? this.#ahead.get(id) : await this.backend.get(key);
    this.#reads.set(id, { key, value });
    return value;
  }

  /**
   * Reads the keys this unit has not seen yet in one getMany (one native call, one snapshot), for
   * the `get`s that follow. A value read ahead but never used is not checked at commit.
   */
  async prefetch(keys: readonly Uint8Array[]): Promise<void> {
    const todo: Uint8Array[] = [];
    const ids: string[] = [];
    for (const k of keys) {
      const id = idOf(k);
      if (this.#writes.has(id) || this.#reads.has(id) || this.#ahead.has(id)) continue;
      todo.push(k);
      ids.push(id);
    }
    if (todo.length === 0) return;
    const values = await this.backend.getMany(todo);
    for (let i = 0; i < ids.length; i++) this.#ahead.set(ids[i]!, values[i]);
  }

  /**
   * Takes `key` as absent without reading it: the commit checks that it still is, so a wrong guess
   * costs a CONFLICT, never a wrong write.
   */
  assumeAbsent(key: Uint8Array): void {
    const id = idOf(key);
    if (!this.#writes.has(id) && !this.#reads.has(id)) this.#reads.set(id, { key, value: undefined });
  }

  /** True when this unit has read, read ahead or written `key`. */
  seen(key: Uint8Array): boolean {
    const id = idOf(key);
    return this.#writes.has(id) || this.#reads.has(id) || this.#ahead.has(id);
  }

  /** The buffered write of `key`: 'put', 'del', or undefined when this unit did not write it. */
  written(key: Uint8Array): RawOp['type'] | undefined {
    return this.#writes.get(idOf(key))?.type;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.#writes.set(idOf(key), { type: 'put', key, value });
  }

  del(key: Uint8Array): void {
    this.#writes.set(idOf(key), { type: 'del', key });
  }

  /** True when nothing was written. */
  get empty(): boolean {
    return this.#writes.size === 0;
  }

  /** Writes everything atomically if every read still holds; rejects CONFLICT (writing nothing) otherwise. */
  commit(): Promise<void> {
    if (this.#writes.size === 0 && this.#reads.size === 0) return Promise.resolve();
    return writeChecked(this.backend, [...this.#writes.values()], [...this.#reads.values()]);
  }

  /** True when some value read has changed since (so an error the body raised may come from a stale view). */
  async stale(): Promise<boolean> {
    const reads = [...this.#reads.values()];
    if (reads.length === 0) return false;
    const now = await this.backend.getMany(reads.map((r) => r.key));
    return reads.some((r, i) => !sameBytes(r.value, now[i]));
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.compare(a, b) === 0;
}

const idOf = bytesId;
