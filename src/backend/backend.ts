/**
 * The byte-level contract every engine implements. The store (src/store.ts) does all the checking,
 * encoding and open/closed bookkeeping once; a backend only moves bytes. Keys and values here are
 * already encoded (see docs/FORMAT.md).
 */

/** What a backend can do. Code and tests branch on this, never on the class. */
export interface Capabilities {
  /** getSync / writeSync / hasSync exist and are cheap. */
  readonly sync: boolean;
  /** The store was opened as a read-only replica: writes reject with READ_ONLY. */
  readonly readOnly: boolean;
  /** Several processes may open the same location at once (SlateDB readers; on-disk Badger, whose
   *  first process serves the others: docs/MULTIPROCESS.md). */
  readonly multiProcess: boolean;
  /** Data lives only in memory and is gone after close. */
  readonly inMemory: boolean;
  /** Each write waits until it is durable. */
  readonly durableWrites: boolean;
  /** `write` / `writeSync` accept checks, verified atomically with the commit (RawCheck). */
  readonly conditionalWrites: boolean;
  /** `ingest` exists: a bulk load into an empty store (Badger's StreamWriter, src/backend/badger-ingest.ts). */
  readonly bulkIngest: boolean;
  /** `indexScan` exists: index entries and the records they name in one call, from one snapshot. */
  readonly indexScan: boolean;
}

/** One write in an atomic batch. `value` is absent for deletes. */
export interface RawOp {
  readonly type: 'put' | 'del';
  readonly key: Uint8Array;
  readonly value?: Uint8Array;
}

/**
 * Puts and deletes already encoded as the records of a write request (docs/ABI.md, `sky_write`):
 * `count` times `[u8 op][u32 keyLen][key][u32 valueLen][value]`, op 1 = put, 2 = delete (no
 * value). The store builds them in one pass (src/codec/records.ts).
 */
export interface WriteRecords {
  readonly count: number;
  readonly bytes: Uint8Array;
}

/** A condition checked atomically with a write: the key's current value is byte-equal to `value`,
 *  or the key is absent when `value` is undefined. */
export interface RawCheck {
  readonly key: Uint8Array;
  readonly value?: Uint8Array;
}

/** A key range in encoded bytes: `gte` inclusive, `lt` exclusive; either may be absent. */
export interface RawRange {
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
  readonly reverse?: boolean;
}

/** A key and its value, both encoded. */
export interface RawEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** A cursor over a snapshot of a range; `next` returns up to `max` entries, an empty array at the end. */
export interface RawCursor {
  next(max: number): Promise<RawEntry[]>;
  close(): Promise<void>;
}

/** One entry of Backend.indexScan: the entry key, and the record it names (absent when missing). */
export interface RawIndexHit {
  readonly key: Uint8Array;
  readonly record?: Uint8Array;
  /** The entry key is not tuple-shaped (docs/FORMAT.md), so no record key could be derived from it. */
  readonly malformed?: boolean;
}

/** A chunk of Backend.indexScan; `done` when the range holds nothing after its last entry. */
export interface RawIndexChunk {
  readonly hits: RawIndexHit[];
  readonly done: boolean;
}

/**
 * A bulk load into an empty store (Backend.ingest): puts only, all or nothing. Until `finish` or
 * `abort`, every other call on the store, from any handle or process, rejects with BUSY.
 */
export interface RawIngest {
  /** Loads puts. Keys in ascending order are fastest; from the first key out of order on, the rest
   *  is loaded with ordinary batched commits (a later put of a key still wins). Await each add before
   *  the next (the entries may be read until it settles). */
  add(entries: readonly RawEntry[]): Promise<void>;
  /** Makes everything durable and hands the store back. On failure the store is left empty. */
  finish(): Promise<void>;
  /** Drops everything loaded: the store is empty again. */
  abort(): Promise<void>;
}

/** What `Backend.ingest` gives: an ingest, or why the store does not qualify (use `write` then). */
export type IngestStart = { ingest: RawIngest } | { ingest?: undefined; reason: string };

/** The hooks one engine implements. Every method receives validated, encoded bytes. */
export interface Backend {
  /** A short engine name for messages and stats, such as 'badger' or 'slatedb'. */
  readonly name: string;
  readonly supports: Capabilities;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  has(key: Uint8Array): Promise<boolean>;
  /**
   * Applies every op atomically: all or nothing. With `checks` (only when `supports.conditionalWrites`),
   * every check must hold against the latest committed state when the batch commits; otherwise it
   * rejects with CONFLICT (`details.index`: the first failed check) and writes nothing.
   */
  write(ops: readonly RawOp[], checks?: readonly RawCheck[]): Promise<void>;
  /** `write` of ops the store encoded as records (may be absent). `records.bytes` belongs to the
   *  caller again once this returns its promise: a backend that needs them later keeps a copy. */
  writeRecords?(records: WriteRecords): Promise<void>;
  iterate(range: RawRange): RawCursor;
  /** Makes every acknowledged write durable. */
  sync(): Promise<void>;
  /** Releases the engine; the store calls it once. */
  close(): Promise<void>;
  /** Engine facts for `stats` (sizes, options); never secrets. */
  stats(): Promise<Record<string, unknown>>;
  /** Starts a bulk load (when `supports.bulkIngest`); nothing changes when the store does not qualify:
   *  it is not empty, or this process is a client of the store's owning process. */
  ingest?(): Promise<IngestStart>;
  /**
   * (when `supports.indexScan`) Up to `max` (>= 1) entries of `range` with, for each, the value at
   * `recordPrefix` + the entry key's last element + the end marker 0x00, all from one snapshot
   * (docs/ABI.md, "Index scans").
   */
  indexScan?(range: RawRange, recordPrefix: Uint8Array, max: number): Promise<RawIndexChunk>;
  getSync?(key: Uint8Array): Uint8Array | undefined;
  /** getSync for a caller that decodes the bytes at once: they may be a view of memory that the
   *  backend's next call on this thread overwrites, so nothing may keep them. */
  getSyncView?(key: Uint8Array): Uint8Array | undefined;
  /** getMany without a promise (one snapshot); may be absent. */
  getManySync?(keys: readonly Uint8Array[]): (Uint8Array | undefined)[];
  hasSync?(key: Uint8Array): boolean;
  writeSync?(ops: readonly RawOp[], checks?: readonly RawCheck[]): void;
  /** Closes without waiting, for process exit; may be absent. */
  closeSync?(): void;
}
