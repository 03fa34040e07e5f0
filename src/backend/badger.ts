/**
 * The Badger backend: byte-level hooks over libskyshelve (our Go c-shared library).
 * Calls are synchronous FFI calls (~0.2 µs of boundary, see bench/RESULTS.md); the async
 * methods return settled promises, except fsyncs (on koffi's thread pool) and commits that Badger
 * stalls for more than commitWaitMicros (memtable flush, L0 compaction), which are polled from a timer.
 */
import path from 'node:path';
import type { Backend, Capabilities, IngestStart, RawCheck, RawCursor, RawEntry, RawIndexChunk, RawOp, RawRange, WriteRecords } from './backend.js';
import { SkyshelveError, Errors } from '../errors.js';
import { growScratch, keyArg, keyScratch, loadNative, nativeError, out, outFor, req, reqFor, scratchAt, Status, type NativeLib } from './native.js';
import { BadgerCursor } from './badger-cursor.js';
import { indexScanSync } from './badger-index-scan.js';
import { beginIngest } from './badger-ingest.js';
import { badgerCapabilities } from './capabilities.js';
import { WriteCoalescer } from './badger-coalesce.js';
import { decodeValues, encodeKeys, encodeUnits, isRecords, keysRequestSize, unitsRequestSize, type WriteUnit } from './badger-codec.js';

/** Badger tuning passed to Go as-is; defaults and meanings are documented in native/options.go. */
export interface BadgerTuning {
  memTableSize?: number;
  numMemtables?: number;
  /** 0 turns the block cache off (only with compression 'none'). */
  blockCacheSize?: number;
  /** 0 keeps every table index in memory (Badger's own meaning of 0). */
  indexCacheSize?: number;
  /** Bytes of the row cache of point reads (key -> value, filled on read; default 8 MiB, 0 turns it
   * off; not part of memoryLimit), plus up to a quarter as much for the entry keys of repeated
   * index scans. See native/rowcache.go and native/scancache.go. */
  rowCacheSize?: number;
  numCompactors?: number;
  valueLogFileSize?: number;
  /** How long (µs, 1..1,000,000; default 2,000) an unsynced commit may block the event loop before it
   * finishes in the background and the write's promise settles later. */
  commitWaitMicros?: number;
  /** One budget for memtables and caches; also raises the Go soft memory limit (256 MiB by default,
   * GOGC 50; the GOGC / GOMEMLIMIT environment variables override both, see native/gclimits.go). */
  memoryLimit?: number;
  compression?: 'none' | 'snappy' | 'zstd';
  /** Bytes of values (default 16 MiB; 0 turns it off) that a client of another process keeps to
   * answer repeated reads itself; each is checked against the owner's stamp table on every read,
   * so a write that returned in any process is always seen (docs/MULTIPROCESS.md). */
  readCacheSize?: number;
  /** Writes fail with IO while the store's filesystem has less free space than this (default
   * 8 × memTableSize + 2 × valueLogFileSize = 256 MiB; 0 turns the check off): Badger writes through
   * mmapped files, and a write into a full disk would crash the process (native/diskspace.go). */
  minFreeDiskBytes?: number;
  logLevel?: 'none' | 'error' | 'warning' | 'info';
}

/** Options of BadgerBackend.openSync: exactly one of `path` and `inMemory`. */
export interface BadgerOptions {
  path?: string;
  inMemory?: boolean;
  /** Wait for fsync on every write (slower, durable). */
  syncWrites?: boolean;
  /** Refuse to share the directory with other processes: another process holding it gives LOCKED,
   * and while this handle holds it, other processes get LOCKED (docs/MULTIPROCESS.md). */
  exclusive?: boolean;
  /** Several processes: how long an open may take to reach or elect the owning process (ms). */
  openTimeoutMs?: number;
  /** Several processes: how long a client waits for the owning process to answer one request (ms). */
  requestTimeoutMs?: number;
  /** An explicit libskyshelve.so to load. */
  libPath?: string;
  badger?: BadgerTuning;
}

const ERR_BUF_SIZE = 4096;

// Handles still open on this thread, closed at exit (Badger flushes its memtable on close).
const openHandles = new Map<number, NativeLib>();
const finalizer = new FinalizationRegistry<number>((h) => closeQuietly(h));
let exitHookInstalled = false;

function closeQuietly(h: number): void {
  const lib = openHandles.get(h);
  if (!lib) return;
  openHandles.delete(h);
  lib.close(h, out.buf, out.buf.length);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const h of [...openHandles.keys()]) closeQuietly(h);
  });
}

/** A copy of records that must outlive the call that lent them (WriteCoalescer.add). */
function keepRecords(unit: WriteUnit): WriteUnit {
  // new Uint8Array(view) copies; Buffer's slice() would return a view of the same memory.
  return isRecords(unit) ? { count: unit.count, bytes: new Uint8Array(unit.bytes) } : unit;
}

/** A BadgerDB database opened through libskyshelve. */
export class BadgerBackend implements Backend {
  readonly name = 'badger';
  readonly supports: Capabilities;
  private handle: number;
  private readonly lib: NativeLib;
  private readonly what: string;
  // Unsynced writes of one event-loop turn share one commit (badger-coalesce.ts); a commit that
  // Badger stalls finishes in the background (sky_write_begin returns a ticket, polled from a timer).
  private readonly writes = new WriteCoalescer({
    start: (units) => this.commitStart(units),
    commitSync: (units) => this.commitSync(units),
    waitSync: () => this.waitPending(),
  });
  private pendingTicket = 0;

  private constructor(lib: NativeLib, handle: number, options: BadgerOptions, what: string) {
    this.lib = lib;
    this.handle = handle;
    this.what = what;
    this.supports = badgerCapabilities(options);
  }

  /** Opens (or joins, within this process or as a client of the process that holds it) the database;
   * LOCKED only with `exclusive`, or when a program that is not skyshelve holds the directory. */
  static openSync(options: BadgerOptions): BadgerBackend {
    checkOptions(options);
    const lib = loadNative({ libPath: options.libPath });
    const where = options.inMemory ? undefined : path.resolve(options.path!);
    const what = where ? `Badger database at ${where}` : 'in-memory Badger database';
    const cfg = Buffer.from(
      JSON.stringify({
        ...options.badger,
        path: where ?? '',
        inMemory: options.inMemory === true,
        syncWrites: options.syncWrites === true,
        ...(options.exclusive === true ? { exclusive: true } : {}),
        ...(options.openTimeoutMs !== undefined ? { openTimeoutMs: Math.ceil(options.openTimeoutMs) } : {}),
        ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: Math.ceil(options.requestTimeoutMs) } : {}),
      }),
    );
    const rc = lib.open(cfg, cfg.length, out.buf, out.buf.length);
    if (rc === -Status.LOCKED) throw lockedError(where!, nativeError(rc, out.buf, what));
    if (rc < 0) throw nativeError(rc, out.buf, `Cannot open the ${what}`, 'CONFIG');
    const backend = new BadgerBackend(lib, rc, options, what);
    openHandles.set(rc, lib);
    finalizer.register(backend, rc, backend);
    installExitHook();
    return backend;
  }

  private live(): number {
    if (this.handle === 0) throw Errors.closed(this.what);
    return this.handle;
  }

  /** Commits the writes still waiting for the end of the turn, so what follows sees them. */
  private settle(): void {
    if (this.writes.pending) this.writes.flush();
  }

  private fail(rc: number, buf: Buffer): never {
    throw nativeError(rc, buf, this.what);
  }

  /** Reads one value into the scratch (or a one-off buffer) and copies it out. */
  getSync(key: Uint8Array): Uint8Array | undefined {
    const bytes = this.getSyncView(key);
    // A one-off buffer already belongs to this value; only the shared scratch needs a copy.
    return bytes !== undefined && bytes.buffer === out.buf.buffer ? Buffer.from(bytes) : bytes;
  }

  /** getSync without the copy: a view of the scratch, overwritten by the next call. */
  getSyncView(key: Uint8Array): Uint8Array | undefined {
    this.settle();
    const h = this.live();
    const k = keyArg(key);
    let buf = out.buf;
    let rc = k === keyScratch ? this.lib.getAt(h, scratchAt.key, key.length, out.addr, buf.length) : this.lib.get(h, k, key.length, buf, buf.length);
    while (rc === -Status.TOO_SMALL) {
      buf = outFor(buf.readUInt32LE(0));
      rc = this.lib.get(h, k, key.length, buf, buf.length);
    }
    if (rc === -Status.NOT_FOUND) return undefined;
    if (rc < 0) this.fail(rc, buf);
    return buf.subarray(0, rc);
  }

  hasSync(key: Uint8Array): boolean {
    this.settle();
    const h = this.live();
    const k = keyArg(key);
    const rc =
      k === keyScratch ? this.lib.hasAt(h, scratchAt.key, key.length, out.addr, out.buf.length) : this.lib.has(h, k, key.length, out.buf, out.buf.length);
    if (rc < 0) this.fail(rc, out.buf);
    return rc === 1;
  }

  writeSync(ops: readonly RawOp[], checks?: readonly RawCheck[]): void {
    this.settle();
    if (ops.length === 0 && !checks?.length) {
      this.live();
      return;
    }
    this.commitSync([ops], checks);
  }

  private commitSync(units: readonly WriteUnit[], checks?: readonly RawCheck[]): void {
    const h = this.live();
    const buf = reqFor(unitsRequestSize(units, checks));
    const len = encodeUnits(units, buf, checks);
    const rc = buf === req.buf ? this.lib.writeAt(h, req.addr, len, out.addr, out.buf.length) : this.lib.write(h, buf, len, out.buf, out.buf.length);
    if (rc < 0) this.fail(rc, out.buf);
  }

  /** Commits ops unless Badger stalls them past commitWaitMicros; then settles once the commit is done. */
  private commitStart(units: readonly WriteUnit[]): void | Promise<void> {
    const h = this.live();
    const buf = reqFor(unitsRequestSize(units));
    const len = encodeUnits(units, buf);
    const rc = buf === req.buf ? this.lib.writeBeginAt(h, req.addr, len, out.addr, out.buf.length) : this.lib.writeBegin(h, buf, len, out.buf, out.buf.length);
    if (rc < 0) this.fail(rc, out.buf);
    if (rc === 0) return;
    this.pendingTicket = rc;
    return new Promise((resolve, reject) => this.pollCommit(rc, resolve, reject));
  }

  /** Polls a commit left in the background from a timer: no thread is kept busy, and nothing calls
   * back into a Worker that is being torn down (a koffi .async call would abort the process then). */
  private pollCommit(ticket: number, resolve: () => void, reject: (err: unknown) => void): void {
    const rc = this.lib.writePoll(ticket, out.buf, out.buf.length);
    if (rc === 1) {
      setTimeout(() => this.pollCommit(ticket, resolve, reject), 1);
      return;
    }
    if (this.pendingTicket === ticket) this.pendingTicket = 0;
    if (rc < 0) reject(nativeError(rc, out.buf, this.what));
    else resolve();
  }

  /** Blocks until the commit left in flight by commitStart has been applied. */
  private waitPending(): void {
    if (this.pendingTicket !== 0) this.lib.writeWait(this.pendingTicket, out.buf, out.buf.length);
  }

  /** Starts a bulk load into this store when it is empty (src/backend/badger-ingest.ts). */
  async ingest(): Promise<IngestStart> {
    this.settle();
    this.waitPending();
    return beginIngest(this.lib, this.live(), this.what);
  }

  /** Reads every key from one snapshot, resuming at `start` whenever the output buffer fills. */
  getManySync(keys: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    this.settle();
    const h = this.live();
    const values: (Uint8Array | undefined)[] = [];
    if (keys.length === 0) return values;
    const request = reqFor(keysRequestSize(keys));
    const reqLen = encodeKeys(keys, request);
    let buf = out.buf;
    for (let start = 0; start < keys.length; ) {
      const rc = this.lib.getMany(h, request, reqLen, start, buf, buf.length);
      if (rc === -Status.TOO_SMALL) {
        buf = outFor(buf.readUInt32LE(0));
        continue;
      }
      if (rc < 0) this.fail(rc, buf);
      decodeValues(buf, rc - start, values);
      // A full scratch means another round trip (each re-reads the request): grow it for next time.
      if (rc < keys.length && buf === out.buf) buf = growScratch();
      start = rc;
    }
    return values;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.getSync(key);
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.getManySync(keys);
  }

  async has(key: Uint8Array): Promise<boolean> {
    return this.hasSync(key);
  }

  /** With durable writes the commit waits for fsync, so it runs off the event loop. */
  async write(ops: readonly RawOp[], checks?: readonly RawCheck[]): Promise<void> {
    const checked = checks !== undefined && checks.length > 0;
    if (!this.supports.durableWrites) {
      this.live();
      // A checked batch commits alone, after the pending ones, so its checks see them and its
      // CONFLICT fails only this batch.
      if (checked) return this.writeSync(ops, checks);
      if (ops.length === 0) return;
      return this.writes.add(ops);
    }
    this.live();
    if (ops.length === 0 && !checked) return;
    return this.commitAsync([ops], checks);
  }

  /** `write` of records the store encoded in one pass; they are copied only when they must wait. */
  async writeRecords(records: WriteRecords): Promise<void> {
    this.live();
    if (records.count === 0) return;
    return this.supports.durableWrites ? this.commitAsync([records]) : this.writes.add(records, keepRecords);
  }

  /** A durable commit on koffi's pool, from a request of its own (the scratch is this thread's). */
  private async commitAsync(units: readonly WriteUnit[], checks?: readonly RawCheck[]): Promise<void> {
    const h = this.live();
    const buf = Buffer.allocUnsafe(unitsRequestSize(units, checks));
    const len = encodeUnits(units, buf, checks);
    await this.callAsync(this.lib.write, [h, buf, len]);
  }

  iterate(range: RawRange): RawCursor {
    this.settle();
    return new BadgerCursor(this.lib, this.live(), range, this.what);
  }

  /** Index entries and their records from one snapshot, in one native call (badger-index-scan.ts). */
  async indexScan(range: RawRange, recordPrefix: Uint8Array, max: number): Promise<RawIndexChunk> {
    this.settle();
    return indexScanSync(this.lib, this.live(), range, recordPrefix, max, this.what);
  }

  async sync(): Promise<void> {
    this.settle();
    await this.callAsync(this.lib.sync, [this.live()]);
  }

  async stats(): Promise<Record<string, unknown>> {
    this.settle();
    const h = this.live();
    let buf = out.buf;
    let rc = this.lib.stats(h, buf, buf.length);
    while (rc === -Status.TOO_SMALL) {
      buf = outFor(buf.readUInt32LE(0));
      rc = this.lib.stats(h, buf, buf.length);
    }
    if (rc < 0) this.fail(rc, buf);
    return { engine: 'badger', ...JSON.parse(buf.toString('utf8', 0, rc)) };
  }

  /** Runs an export on koffi's thread pool with private buffers (the scratch is not thread-safe). */
  private callAsync(fn: NativeLib['write'], args: unknown[]): Promise<number> {
    const errBuf = Buffer.alloc(ERR_BUF_SIZE);
    return new Promise((resolve, reject) => {
      fn.async(...args, errBuf, errBuf.length, (err: unknown, rc: number) => {
        if (err) reject(new SkyshelveError('INTERNAL', `${this.what}: native call failed`, { cause: err }));
        else if (rc < 0) reject(nativeError(rc, errBuf, this.what));
        else resolve(rc);
      });
    });
  }

  async close(): Promise<void> {
    this.closeSync();
  }

  /** Closes this handle; the database closes with its last handle in the process. Idempotent. */
  closeSync(): void {
    const h = this.handle;
    if (h === 0) return;
    this.settle();
    this.handle = 0;
    openHandles.delete(h);
    finalizer.unregister(this);
    const rc = this.lib.close(h, out.buf, out.buf.length);
    if (rc < 0 && rc !== -Status.CLOSED) this.fail(rc, out.buf);
  }
}

/**
 * LOCKED, naming the path once and saying what to do. Go says why (an owner opened with
 * `exclusive: true`, or a program that is not skyshelve holds the lock); its text names the path
 * too, so that part is cut and the rest kept. Go's error stays the cause.
 */
function lockedError(where: string, cause: SkyshelveError): SkyshelveError {
  const goText = cause.message.slice(cause.message.indexOf(': ') + 2);
  const why = goText
    .split(where)
    .join('it')
    .replace(/^the database at it is locked:?\s*/, '');
  return new SkyshelveError(
    'LOCKED',
    `Cannot open the Badger database at ${where}: another process holds it open and does not share it (${why}). Stop that process, or give this one its own directory; a store that failed this way tries again by itself on a later call.`,
    { cause, details: cause.details },
  );
}

function checkOptions(options: BadgerOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('BadgerBackend.openSync: options must be an object');
  const { path: p, inMemory, syncWrites, libPath, badger, exclusive } = options;
  if (p !== undefined && typeof p !== 'string') throw new TypeError('BadgerBackend.openSync: options.path must be a string');
  if (inMemory !== undefined && typeof inMemory !== 'boolean') throw new TypeError('BadgerBackend.openSync: options.inMemory must be a boolean');
  if (syncWrites !== undefined && typeof syncWrites !== 'boolean') throw new TypeError('BadgerBackend.openSync: options.syncWrites must be a boolean');
  if (exclusive !== undefined && typeof exclusive !== 'boolean') throw new TypeError('BadgerBackend.openSync: options.exclusive must be a boolean');
  if (exclusive === true && inMemory === true)
    throw Errors.config('BadgerBackend.openSync: options.exclusive is for directories; an in-memory database is never shared');
  if (libPath !== undefined && typeof libPath !== 'string') throw new TypeError('BadgerBackend.openSync: options.libPath must be a string');
  if (badger !== undefined && (badger === null || typeof badger !== 'object')) throw new TypeError('BadgerBackend.openSync: options.badger must be an object');
  if ((inMemory === true) === (typeof p === 'string' && p !== '')) {
    throw Errors.config('BadgerBackend.openSync: give exactly one of options.path and options.inMemory: true');
  }
}
