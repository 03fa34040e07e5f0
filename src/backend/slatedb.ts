/**
 * The SlateDB backend over @slatedb/uniffi 0.12.1: a writer (Db) or a read replica (DbReader) on a
 * local directory or an S3 bucket. Writes are buffered by default (SlateDB flushes its WAL every
 * ~100 ms); `durable` makes each write wait until it is in the object store, sharing flushes.
 */
import { Db, DbBuilder, DbReader, DbReaderBuilder, Ttl, WriteBatch, type ObjectStore, type PutOptions, type WriteOptions } from '@slatedb/uniffi';
import { Errors, SkyshelveError } from '../errors.js';
import type { Backend, Capabilities, RawCheck, RawCursor, RawIndexChunk, RawOp, RawRange } from './backend.js';
import { slateCapabilities } from './capabilities.js';
import { buildSettings, resolveStore, secretsOf, type ResolvedStore } from './slatedb-config.js';
import { SlateCursor, type CursorHost } from './slatedb-cursor.js';
import { slateIndexScan } from './slatedb-index-scan.js';
import { fencedError, PendingAcks } from './slatedb-acks.js';
import { toSkyError } from './slatedb-errors.js';
import { preflight } from './slatedb-preflight.js';
import { FlushGroup } from './slatedb-flush.js';
import { WriteGate } from './slatedb-gate.js';
import { holdLoop, registerForExit, unregisterForExit } from './slatedb-lifecycle.js';
import { withTimeout } from './slatedb-opening.js';
import { durableOf, type SlateConfig } from './slatedb-uri.js';

/** Options of SlateBackend.open; each overrides the config where both say something. */
export interface SlateOpenOptions {
  /** Open a DbReader: a read replica that may run beside the writer, in any process. */
  readOnly?: boolean;
  /** Each write waits until it is durable in the object store (default: config.durable, else false). */
  durable?: boolean;
  /** Readers: how often to look for the writer's new data, in ms (default 200). */
  pollIntervalMs?: number;
  /** Give up opening after this many ms (default 60 000); SlateDB retries a bad endpoint forever. */
  openTimeoutMs?: number;
}

/** A reader sees a writer's synced data within about this many milliseconds, by default. */
export const DEFAULT_POLL_INTERVAL_MS = 200;
const BUFFERED: WriteOptions = { await_durable: false };
const PUT: PutOptions = { ttl: Ttl.Default() };

/** SlateDB behind the byte-level Backend contract. */
export class SlateBackend implements Backend, CursorHost {
  readonly name = 'slatedb';
  readonly supports: Capabilities;
  readonly #config: SlateConfig;
  readonly #secrets: string[];
  readonly #store: ObjectStore;
  readonly #db: Db | undefined;
  readonly #reader: DbReader | undefined;
  readonly #flushes: FlushGroup;
  readonly #gate = new WriteGate();
  /** The sequence number of the newest write acknowledged by this handle; sync() waits for it. */
  #lastSeq = 0n;
  readonly #cursors = new Set<SlateCursor>();
  readonly #pollIntervalMs: number | undefined;
  #closing: Promise<void> | undefined;
  /** Set when a call on this handle first meets FENCED; from then on every call rejects FENCED. */
  #fenced = false;
  /** Buffered writes acknowledged but not yet seen durable; on a fence, these are the ones lost. */
  readonly #pending = new PendingAcks();
  /** How many acknowledged writes the fence dropped (writers; set when the fence is first seen). */
  #lost: number | undefined;

  private constructor(config: SlateConfig, store: ObjectStore, handle: { db?: Db; reader?: DbReader }, durable: boolean, pollIntervalMs?: number) {
    this.#config = config;
    this.#secrets = secretsOf(config);
    this.#store = store;
    this.#db = handle.db;
    this.#reader = handle.reader;
    this.#pollIntervalMs = pollIntervalMs;
    this.supports = slateCapabilities({ readOnly: handle.reader !== undefined, durable });
    this.#flushes = new FlushGroup(() => this.run('flush', () => this.#db!.flush()));
    registerForExit(this);
  }

  /** Opens (creating if needed) a writer, or a reader with `readOnly`. */
  static async open(config: SlateConfig, options: SlateOpenOptions = {}): Promise<SlateBackend> {
    const readOnly = options.readOnly === true;
    const durable = durableOf(config, options);
    const ctx = { op: readOnly ? 'open (reader)' : 'open', secrets: secretsOf(config), opening: true };
    const poll = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    if (!Number.isFinite(poll) || poll < 1) throw new TypeError(`pollIntervalMs must be a positive number, got ${String(options.pollIntervalMs)}`);
    if (config.store.provider === 'aws') await preflight(config.store.aws, config.path.replace(/^\/+/, ''), ctx.secrets, options.openTimeoutMs);
    let resolved: ResolvedStore;
    try {
      resolved = resolveStore(config, { create: !readOnly });
    } catch (err) {
      throw toSkyError(err, ctx);
    }
    try {
      const handle = readOnly
        ? {
            reader: await withTimeout(
              () => openReader(resolved, poll),
              options.openTimeoutMs,
              (r) => r.shutdown(),
            ),
          }
        : {
            db: await withTimeout(
              () => openWriter(resolved, config),
              options.openTimeoutMs,
              (d) => d.shutdown(),
            ),
          };
      return new SlateBackend(config, resolved.store, handle, durable, readOnly ? poll : undefined);
    } catch (err) {
      resolved.store.dispose();
      throw toSkyError(err, ctx);
    }
  }

  /** Runs one native call: holds the event loop open and maps errors; refuses once fenced. */
  async run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.#fenced) throw fencedError(op, this.#lost);
    return this.#call(op, fn);
  }

  /**
   * SlateDB rejects the flush that meets the fence before the Db records its close reason, and in
   * that window a read still answers from the memtable, including the write that just failed
   * (about 1 run in 3 on a local S3 server). So the first FENCED seen here is remembered, and
   * every later call on this handle rejects FENCED without reaching SlateDB.
   */
  async #call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await holdLoop(fn);
    } catch (err) {
      const mapped = toSkyError(err, { op, secrets: this.#secrets });
      if (mapped.code === 'FENCED') throw this.#fence(op);
      throw mapped;
    }
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const source = this.#source();
    return this.run('get', () => source.get(key));
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const source = this.#source();
    // Promise.all keeps the input order whatever order the native calls finish in.
    return this.run('getMany', () => Promise.all(keys.map((k) => source.get(k))));
  }

  async has(key: Uint8Array): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /** One atomic SlateDB write per call, after its checks (slatedb-gate.ts); with `durable`, waits until a shared flush covers it. */
  async write(ops: readonly RawOp[], checks?: readonly RawCheck[]): Promise<void> {
    const db = this.#writer('write');
    const apply = (): Promise<bigint> => (ops.length === 0 ? Promise.resolve(this.#lastSeq) : this.run('write', () => applyOps(db, ops)));
    const seq =
      checks !== undefined && checks.length > 0
        ? await this.#gate.checked((key) => this.run('write', () => db.get(key)), checks, apply)
        : ops.length === 0
          ? undefined
          : await this.#gate.plain(apply);
    if (seq === undefined) return;
    if (seq > this.#lastSeq) this.#lastSeq = seq;
    if (this.supports.durableWrites) await this.#awaitDurable(db, seq);
    else this.#pending.add(seq, () => BigInt(db.status().durable_seq));
  }

  /** Marks the handle fenced; the first time, counts the acknowledged writes the fence dropped. */
  #fence(op: string): SkyshelveError {
    if (!this.#fenced && this.#db !== undefined) this.#lost = this.#pending.newerThan(BigInt(this.#db.status().durable_seq));
    this.#fenced = true;
    return fencedError(op, this.#lost);
  }

  /**
   * A flush that returns is not proof enough: a background flush may hold the write and fail
   * (a fenced writer), so the write counts as durable only once the handle's durable sequence
   * number reaches it.
   */
  async #awaitDurable(db: Db, seq: bigint, op = 'write'): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      await this.#flushes.request();
      const status = db.status();
      if (status.close_reason === 'Fenced') throw this.#fence(op);
      if (status.close_reason !== undefined) {
        throw new SkyshelveError('CLOSED', `SlateDB write failed (CLOSED): the database closed (${String(status.close_reason)}) before the write was durable.`);
      }
      this.#pending.settle(BigInt(status.durable_seq));
      if (BigInt(status.durable_seq) >= seq) return;
    }
    throw new SkyshelveError('IO', 'SlateDB write failed (IO): 100 flushes did not make the write durable.');
  }

  iterate(range: RawRange): RawCursor {
    const cursor = new SlateCursor(this, this.#source(), range);
    this.#cursors.add(cursor);
    return cursor;
  }

  /** Index entries and their records from one snapshot (slatedb-index-scan.ts); a writer only (supports.indexScan). */
  async indexScan(range: RawRange, recordPrefix: Uint8Array, max: number): Promise<RawIndexChunk> {
    return slateIndexScan(this, this.#writer('indexScan'), range, recordPrefix, max);
  }

  /** Called by a cursor when it is done, so close() does not wait for it. */
  forget(cursor: SlateCursor): void {
    this.#cursors.delete(cursor);
  }

  /** Flushes every acknowledged write to the object store (a no-op for readers). */
  async sync(): Promise<void> {
    this.#source();
    if (this.#db !== undefined) await this.#awaitDurable(this.#db, this.#lastSeq, 'sync');
  }

  /** Flushes, closes and releases the native handles; safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async stats(): Promise<Record<string, unknown>> {
    this.#source();
    const store = this.#config.store;
    // The origin only: an endpoint URL could carry user:password.
    const where =
      store.provider === 'aws'
        ? { bucket: store.aws.bucket, region: store.aws.region, endpoint: store.aws.endpoint && new URL(store.aws.endpoint).origin }
        : {};
    const status = (this.#db ?? this.#reader)!.status();
    return {
      backend: this.name,
      path: this.#config.path,
      provider: store.provider,
      ...where,
      durable: this.supports.durableWrites,
      readOnly: this.supports.readOnly,
      ...(this.#pollIntervalMs !== undefined ? { pollIntervalMs: this.#pollIntervalMs } : {}),
      durableSeq: Number(status.durable_seq),
    };
  }

  async #shutdown(): Promise<void> {
    unregisterForExit(this);
    await Promise.all([...this.#cursors].map((c) => c.close().catch(() => {})));
    const handle = this.#db ?? this.#reader!;
    try {
      // shutdown() flushes the writer's WAL and memtable before closing.
      await this.#call('close', () => handle.shutdown());
    } finally {
      handle.dispose();
      this.#store.dispose();
    }
  }

  /** The handle to read from; throws CLOSED after close(). */
  #source(): Db | DbReader {
    if (this.#closing !== undefined) throw Errors.closed();
    return (this.#db ?? this.#reader)!;
  }

  #writer(op: string): Db {
    if (this.#closing !== undefined) throw Errors.closed();
    if (this.#db === undefined) throw Errors.readOnly(op);
    return this.#db;
  }
}

/** Applies ops as one atomic write; returns the write's sequence number. */
async function applyOps(db: Db, ops: readonly RawOp[]): Promise<bigint> {
  if (ops.length === 1) {
    // A single op is atomic anyway; skipping the batch object saves three native calls.
    const op = ops[0]!;
    const handle =
      op.type === 'put' ? await db.put_with_options(op.key, op.value ?? new Uint8Array(0), PUT, BUFFERED) : await db.delete_with_options(op.key, BUFFERED);
    return BigInt(handle.seqnum);
  }
  const batch = new WriteBatch();
  try {
    for (const op of ops) {
      if (op.type === 'put') batch.put(op.key, op.value ?? new Uint8Array(0));
      else batch.delete(op.key);
    }
    return BigInt((await db.write_with_options(batch, BUFFERED)).seqnum);
  } finally {
    batch.dispose();
  }
}

async function openWriter(resolved: ResolvedStore, config: SlateConfig): Promise<Db> {
  const builder = new DbBuilder(resolved.dbPath, resolved.store);
  try {
    const settings = buildSettings(config);
    try {
      builder.with_settings(settings);
    } finally {
      settings.dispose();
    }
    // No holdLoop here: withTimeout's timer holds the loop while the open runs, and lets go on timeout.
    return await builder.build();
  } finally {
    builder.dispose();
  }
}

async function openReader(resolved: ResolvedStore, pollIntervalMs: number): Promise<DbReader> {
  const builder = new DbReaderBuilder(resolved.dbPath, resolved.store);
  try {
    // The other fields are SlateDB's defaults (10 min checkpoint lifetime, 64 MiB replay memtable).
    builder.with_options({
      manifest_poll_interval_ms: Math.ceil(pollIntervalMs),
      checkpoint_lifetime_ms: 600_000,
      max_memtable_bytes: 64 * 1024 * 1024,
      skip_wal_replay: false,
    });
    return await builder.build();
  } finally {
    builder.dispose();
  }
}
