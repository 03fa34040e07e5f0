/**
 * One optimistic unit of work: the values it read (first read of each key) and the writes it
 * buffered. Reads see the unit's own writes. Its commit is one conditional batch whose checks say
 * "every key read still holds the value read", so a unit commits only if it saw the latest state:
 * a save, an update, a delete and a whole transaction are each one such unit.
 */
import type { Backend, RawCheck, RawOp } from '../backend/backend.js';
import { writeChecked } from '../backend/conditional.js';
import { SkyshelveError } from '../errors.js';
import { bytesId } from './keys.js';

/** True when `backend` reads and commits checked batches synchronously, exactly as its async calls would. */
export function answersNow(backend: Backend): boolean {
  // A durable write waits for fsync off the event loop; a sync one would block it.
  const s = backend.supports;
  return s.sync && s.conditionalWrites && !s.durableWrites && backend.getSync !== undefined && backend.writeSync !== undefined;
}

const UNKNOWN = Symbol('unknown');

/** Reads tracked for conflicts and writes buffered until commit. */
export class WriteSet {
  readonly #reads = new Map<string, RawCheck>();
  readonly #writes = new Map<string, RawOp>();
  // Values read ahead in one snapshot (prefetch); each becomes a check only when `get` uses it.
  readonly #ahead = new Map<string, Uint8Array | undefined>();

  /** True when reads and the commit run synchronously (answersNow): no promise turn per step. */
  readonly now: boolean;

  constructor(readonly backend: Backend) {
    this.now = answersNow(backend);
  }

  /** The value at `key` as this unit sees it; the first read from the store becomes a check. */
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const id = idOf(key);
    const known = this.#lookup(id, key);
    if (known !== UNKNOWN) return known;
    const value = await this.backend.get(key);
    this.#reads.set(id, { key, value });
    return value;
  }

  /**
   * `get` without a promise: the value when this unit knows it (written, read, read ahead by
   * `fetch`), else read with getSync (a `now` unit). Callers fetch first on other backends.
   */
  getNow(key: Uint8Array): Uint8Array | undefined {
    const id = idOf(key);
    const known = this.#lookup(id, key);
    if (known !== UNKNOWN) return known;
    if (!this.now) throw new SkyshelveError('INTERNAL', 'WriteSet.getNow: a key was read that was not fetched first');
    const value = this.backend.getSync!(key);
    this.#reads.set(id, { key, value });
    return value;
  }

  /** What this unit already knows of `key` (moving a value read ahead into the checked reads), or UNKNOWN. */
  #lookup(id: string, key: Uint8Array): Uint8Array | undefined | typeof UNKNOWN {
    const w = this.#writes.get(id);
    if (w !== undefined) return w.value;
    const r = this.#reads.get(id);
    if (r !== undefined) return r.value;
    if (!this.#ahead.has(id)) return UNKNOWN;
    const value = this.#ahead.get(id);
    this.#reads.set(id, { key, value });
    return value;
  }

  /**
   * Reads ahead the keys this unit has not seen, so `getNow` knows them: synchronously (one
   * getManySync, or getSync each) on a `now` unit, else through `prefetch`; undefined when done.
   */
  fetch(keys: readonly Uint8Array[]): Promise<void> | undefined {
    let todo: Uint8Array[] | undefined;
    for (const k of keys) if (!this.seen(k)) (todo ??= []).push(k);
    if (todo === undefined) return undefined;
    if (!this.now) return this.prefetch(todo);
    const many = this.backend.getManySync;
    const values = many !== undefined && todo.length > 1 ? many.call(this.backend, todo) : todo.map((k) => this.backend.getSync!(k));
    for (let i = 0; i < todo.length; i++) this.#ahead.set(idOf(todo[i]!), values[i]);
    return undefined;
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

  /** `commit` of a `now` unit, without a promise: throws CONFLICT (writing nothing) when a read changed. */
  commitNow(): void {
    if (this.#writes.size === 0 && this.#reads.size === 0) return;
    if (!this.now) throw new SkyshelveError('INTERNAL', 'WriteSet.commitNow: the backend does not commit synchronously');
    // What Backend.write does with checks on such a backend (badger.ts): one synchronous checked commit.
    this.backend.writeSync!([...this.#writes.values()], [...this.#reads.values()]);
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
