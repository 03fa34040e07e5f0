/**
 * The only file that imports koffi: finds, loads and wraps libskyshelve (docs/ABI.md).
 * Nothing here runs at import time; the Go library loads on first Badger use, once per thread.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Koffi from 'koffi';
import { Errors, SkyshelveError, type ErrorCode } from '../errors.js';
import { guardSignalStacks } from './signals.js';

/** A native function taking numbers and buffers, returning the int32 status. */
type NativeFn = ((...args: unknown[]) => number) & { async: (...args: unknown[]) => void };

/** The loaded library: one koffi function per export of the ABI. */
export interface NativeLib {
  readonly path: string;
  readonly noop: NativeFn;
  readonly open: NativeFn;
  readonly close: NativeFn;
  readonly get: NativeFn;
  readonly has: NativeFn;
  /** get, has, write and writeBegin with both buffers given by address (scratchAt): koffi takes a
   * number ~90 ns faster than a Buffer (bench/RESULTS.md, "Point reads: buffers by address"). */
  readonly getAt: NativeFn;
  readonly hasAt: NativeFn;
  readonly writeAt: NativeFn;
  readonly writeBeginAt: NativeFn;
  readonly getMany: NativeFn;
  readonly write: NativeFn;
  readonly writeBegin: NativeFn;
  readonly writePoll: NativeFn;
  readonly writeWait: NativeFn;
  readonly iterOpen: NativeFn;
  readonly iterNext: NativeFn;
  readonly iterClose: NativeFn;
  /** Index entries and their records in one call (docs/ABI.md, "Index scans"). */
  readonly indexScan: NativeFn;
  readonly sync: NativeFn;
  readonly stats: NativeFn;
  /** Diagnostics for leak tests: a full Go collection, then the Go heap figures as JSON. */
  readonly gc: NativeFn;
  /** Bulk ingest into an empty store (docs/ABI.md, "Bulk ingest"). */
  readonly ingestBegin: NativeFn;
  readonly ingestAdd: NativeFn;
  readonly ingestFinish: NativeFn;
  readonly ingestAbort: NativeFn;
  /** Adds SA_ONSTACK to signal handlers installed since the library loaded (signals.ts). */
  readonly fixSignals: NativeFn;
}

const SIGNATURES: Record<Exclude<keyof NativeLib, 'path'>, string> = {
  noop: 'int32_t sky_noop(int32_t x)',
  open: 'int32_t sky_open(const uint8_t *cfg, int32_t cfgLen, uint8_t *out, int32_t outCap)',
  close: 'int32_t sky_close(int32_t h, uint8_t *out, int32_t outCap)',
  get: 'int32_t sky_get(int32_t h, const uint8_t *key, int32_t keyLen, uint8_t *out, int32_t outCap)',
  has: 'int32_t sky_has(int32_t h, const uint8_t *key, int32_t keyLen, uint8_t *out, int32_t outCap)',
  // The same symbols again, with the buffers as addresses: same C ABI (a pointer is a uintptr_t).
  getAt: 'int32_t sky_get(int32_t h, uintptr_t key, int32_t keyLen, uintptr_t out, int32_t outCap)',
  hasAt: 'int32_t sky_has(int32_t h, uintptr_t key, int32_t keyLen, uintptr_t out, int32_t outCap)',
  writeAt: 'int32_t sky_write(int32_t h, uintptr_t req, int32_t reqLen, uintptr_t out, int32_t outCap)',
  writeBeginAt: 'int32_t sky_write_begin(int32_t h, uintptr_t req, int32_t reqLen, uintptr_t out, int32_t outCap)',
  getMany: 'int32_t sky_get_many(int32_t h, const uint8_t *req, int32_t reqLen, int32_t start, uint8_t *out, int32_t outCap)',
  write: 'int32_t sky_write(int32_t h, const uint8_t *req, int32_t reqLen, uint8_t *out, int32_t outCap)',
  writeBegin: 'int32_t sky_write_begin(int32_t h, const uint8_t *req, int32_t reqLen, uint8_t *out, int32_t outCap)',
  writePoll: 'int32_t sky_write_poll(int32_t ticket, uint8_t *out, int32_t outCap)',
  writeWait: 'int32_t sky_write_wait(int32_t ticket, uint8_t *out, int32_t outCap)',
  iterOpen: 'int32_t sky_iter_open(int32_t h, const uint8_t *spec, int32_t specLen, uint8_t *out, int32_t outCap)',
  iterNext: 'int32_t sky_iter_next(int32_t it, int32_t max, uint8_t *out, int32_t outCap)',
  iterClose: 'int32_t sky_iter_close(int32_t it, uint8_t *out, int32_t outCap)',
  indexScan: 'int32_t sky_index_scan(int32_t h, const uint8_t *req, int32_t reqLen, int32_t max, uint8_t *out, int32_t outCap)',
  sync: 'int32_t sky_sync(int32_t h, uint8_t *out, int32_t outCap)',
  stats: 'int32_t sky_stats(int32_t h, uint8_t *out, int32_t outCap)',
  gc: 'int32_t sky_gc(uint8_t *out, int32_t outCap)',
  ingestBegin: 'int32_t sky_ingest_begin(int32_t h, uint8_t *out, int32_t outCap)',
  ingestAdd: 'int32_t sky_ingest_add(int32_t ingest, const uint8_t *req, int32_t reqLen, uint8_t *out, int32_t outCap)',
  ingestFinish: 'int32_t sky_ingest_finish(int32_t ingest, uint8_t *out, int32_t outCap)',
  ingestAbort: 'int32_t sky_ingest_abort(int32_t ingest, uint8_t *out, int32_t outCap)',
  fixSignals: 'int32_t sky_fix_signals()',
};

/** ABI status codes (docs/ABI.md), by number. */
export const Status = {
  INTERNAL: 1,
  TOO_SMALL: 2,
  NOT_FOUND: 3,
  CLOSED: 4,
  LOCKED: 5,
  KEY_TOO_LARGE: 6,
  VALUE_TOO_LARGE: 7,
  TXN_TOO_BIG: 8,
  INVALID: 9,
  IO: 10,
  CONFLICT: 11,
  TIMEOUT: 12,
  PERMISSION: 13,
  UNAVAILABLE: 14,
  BUSY: 15,
} as const;

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  1: 'INTERNAL',
  3: 'NOT_FOUND',
  4: 'CLOSED',
  5: 'LOCKED',
  6: 'KEY_TOO_LARGE',
  7: 'VALUE_TOO_LARGE',
  8: 'TXN_TOO_BIG',
  10: 'IO',
  11: 'CONFLICT',
  12: 'TIMEOUT',
  13: 'PERMISSION',
  14: 'UNAVAILABLE',
  15: 'BUSY',
};

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), findUp());
let koffiModule: typeof Koffi | undefined;
let loaded: NativeLib | undefined;

/** The package root relative to this file: src/backend in the sources, dist/src/backend when built. */
function findUp(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    if (fs.existsSync(path.join(here, up, 'package.json'))) return up;
  }
  return '../..';
}

function koffi(): typeof Koffi {
  koffiModule ??= createRequire(import.meta.url)('koffi') as typeof Koffi;
  return koffiModule;
}

/** Loads libskyshelve once per thread: explicit libPath, SKYSHELVE_LIB, the prebuilt, then native/build. */
export function loadNative(options: { libPath?: string } = {}): NativeLib {
  const explicit = options.libPath ?? process.env.SKYSHELVE_LIB;
  const source = options.libPath !== undefined ? 'libPath option' : 'SKYSHELVE_LIB';
  if (loaded && (explicit === undefined || path.resolve(explicit) === loaded.path)) return loaded;
  const candidates = explicit !== undefined ? [{ file: path.resolve(explicit), why: source }] : defaultCandidates();
  const failures: string[] = [];
  for (const { file, why } of candidates) {
    if (!fs.existsSync(file)) {
      failures.push(`  ${file} (${why}): does not exist`);
      continue;
    }
    if (loaded) {
      // A second copy would start a second Go runtime in this process.
      failures.push(`  ${file} (${why}): another copy is already loaded from ${loaded.path}`);
      continue;
    }
    try {
      loaded = bind(file);
      return loaded;
    } catch (err) {
      failures.push(`  ${file} (${why}): ${(err as Error).message}`);
    }
  }
  throw new SkyshelveError('NATIVE_LOAD', loadFailureMessage(failures));
}

/**
 * The prebuilt, then the local build; a local build newer than the prebuilt goes first,
 * so a developer who just ran `npm run build:native` never tests a stale prebuilt.
 */
function defaultCandidates(): { file: string; why: string }[] {
  const file = libraryFile(process.platform);
  const prebuilt = { file: path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, file), why: 'prebuilt' };
  const local = { file: path.join(packageRoot, 'native', 'build', file), why: 'local build' };
  const mtime = (file: string) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);
  return mtime(local.file) > mtime(prebuilt.file) ? [local, prebuilt] : [prebuilt, local];
}

/** The Go library's file name on a platform (scripts/prebuilds/targets.mjs builds the same names). */
export function libraryFile(platform: NodeJS.Platform | string): string {
  if (platform === 'darwin') return 'libskyshelve.dylib';
  if (platform === 'win32') return 'skyshelve.dll';
  return 'libskyshelve.so';
}

function loadFailureMessage(failures: string[]): string {
  const lines = ['Cannot load the Badger native library (libskyshelve). Tried:', ...failures];
  const platform = `${process.platform}-${process.arch}`;
  if (process.platform === 'linux' && !glibcVersion()) {
    // Neither engine ships a musl library (@slatedb/uniffi 0.12.1 has none either), so only glibc helps.
    lines.push(
      `This is ${platform} with musl (such as Alpine): Go c-shared libraries cannot be loaded there, and SlateDB has no musl build either. Use a glibc-based image such as node:20-bookworm-slim.`,
    );
    return lines.join('\n');
  }
  if (!fs.existsSync(path.join(packageRoot, 'prebuilds', platform))) {
    lines.push(
      `There is no prebuilt library for ${platform}: build one from source (below), or use the SlateDB backend (new SkyShelve('slatedb://<dir>')), which needs no Go library.`,
    );
  }
  lines.push(
    'Build it with `npx skyshelve build-native` (in the skyshelve repository: `npm run build:native`); ' +
      "this needs Go >= 1.24 (https://go.dev/dl). Or set SKYSHELVE_LIB to the library's path.",
  );
  return lines.join('\n');
}

function glibcVersion(): string | undefined {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime;
}

function bind(file: string): NativeLib {
  const lib = koffi().load(file);
  const fns: Record<string, unknown> = { path: file };
  for (const [name, signature] of Object.entries(SIGNATURES)) fns[name] = lib.func(signature);
  const bound = fns as unknown as NativeLib;
  scratchAt.key = addressOf(keyScratch);
  out.addr = addressOf(out.buf);
  req.addr = addressOf(req.buf);
  guardSignalStacks(() => bound.fixSignals());
  return bound;
}

/** Loads another shared library exposing `int32_t sky_noop(int32_t)`; only for the boundary benchmark. */
export function loadRawLibrary(file: string): { noop: NativeFn } {
  return { noop: koffi().load(file).func(SIGNATURES.noop) as unknown as NativeFn };
}

/**
 * A reusable output buffer (lmdb-js style): allocated once, outside the pool, and grown when Go
 * answers TOO_SMALL or a chunked read filled it, so a read allocates nothing but the returned copy.
 */
export class Scratch {
  buf: Buffer;
  /** The address of buf's memory, for the *At functions; 0 until the library is loaded. */
  addr = 0;

  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(size);
    if (koffiModule) this.addr = addressOf(this.buf);
  }

  /** Grows to at least `need` bytes (the u32 Go wrote into the buffer when it was too small). */
  grow(need = this.buf.readUInt32LE(0)): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    this.buf = Buffer.allocUnsafeSlow(size);
    this.addr = addressOf(this.buf);
  }
}

/**
 * The address of an off-heap buffer's memory as a number (user-space addresses fit in 2^53). Only
 * for buffers from Buffer.allocUnsafeSlow that this module keeps referenced for as long as Go may
 * use the address: V8 never moves such memory, while a small or pooled typed array may move or be
 * shared. koffi keeps nothing alive for a number, so nothing else may be passed this way.
 */
function addressOf(buf: Buffer): number {
  return Number(koffi().address(buf));
}

/**
 * Turns a negative status into a SkyshelveError; `what` names the database or operation.
 * INVALID (a request Go rejected) becomes `invalidCode`: CONFIG for open, INTERNAL elsewhere,
 * since the store validates keys and values before they reach a backend.
 */
export function nativeError(rc: number, out: Buffer, what: string, invalidCode: ErrorCode = 'INTERNAL'): SkyshelveError {
  const status = -rc;
  if (status === Status.TOO_SMALL) return new SkyshelveError('INTERNAL', `${what}: unexpected TOO_SMALL from libskyshelve`);
  if (status === Status.NOT_FOUND) return new SkyshelveError('NOT_FOUND', `${what}: not found`);
  if (status === Status.CLOSED) return Errors.closed(what);
  if (status === Status.BUSY) return Errors.busy(what); // BUSY carries no message (native/db.go withDB)
  let message = 'no message';
  if (out.length >= 4) {
    const len = Math.min(out.readUInt32LE(0), out.length - 4);
    message = out.toString('utf8', 4, 4 + len);
  }
  const code = CODE_OF_STATUS[status] ?? 'INTERNAL';
  const details: Record<string, unknown> = { status, engine: 'badger' };
  // Go's CONFLICT message starts with "check <index>" (native/checks.go).
  if (status === Status.CONFLICT) details.index = Number(/^check (\d+)/.exec(message)?.[1] ?? -1);
  if (status === Status.INVALID) return new SkyshelveError(invalidCode, `${what}: ${message}`, { details });
  return new SkyshelveError(code, `${what}: ${message}`, { details });
}

/** Buffers above this size are used once and dropped instead of growing the shared scratch. */
const KEEP_LIMIT = 1 << 20;

/** This thread's output scratch. Every call using it is synchronous, so no two calls share it at once. */
export const out = new Scratch();
/** This thread's request scratch (write and get_many requests). */
export const req = new Scratch();
/** This thread's key scratch for point reads: koffi passes off-heap memory as is, while a small
 * on-heap Uint8Array is moved off the JS heap on every call (bench/RESULTS.md: +33% on getSync). */
export const keyScratch = Buffer.allocUnsafeSlow(65_536);
/** Addresses of the scratches, set when the library loads (bind). */
export const scratchAt = { key: 0 };

/** The key in off-heap memory for one synchronous call: the scratch, or the key itself when it is too long. */
export function keyArg(key: Uint8Array): Uint8Array {
  if (key.length > keyScratch.length) return key;
  keyScratch.set(key);
  return keyScratch;
}

/** An output buffer of at least `need` bytes: the shared scratch, or a one-off when huge. */
export function outFor(need: number): Buffer {
  if (need <= out.buf.length) return out.buf;
  if (need > KEEP_LIMIT) return Buffer.allocUnsafeSlow(need);
  out.grow(need);
  return out.buf;
}

/** Doubles the shared output scratch up to KEEP_LIMIT (for callers that filled it); returns it. */
export function growScratch(): Buffer {
  if (out.buf.length < KEEP_LIMIT) out.grow(out.buf.length * 2);
  return out.buf;
}

/** A request buffer of at least `size` bytes, chosen like outFor. */
export function reqFor(size: number): Buffer {
  if (size <= req.buf.length) return req.buf;
  if (size > KEEP_LIMIT) return Buffer.allocUnsafeSlow(size);
  req.grow(size);
  return req.buf;
}
