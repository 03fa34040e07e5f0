/**
 * The shared workload of ../shared/bench/peers.mjs and the timing helpers every system uses:
 * 16-byte keys ('user:' + 11 digits), 100-byte random values, a shuffled read order, batches of 1000.
 */
import { randomBytes } from 'node:crypto';

/** Records per atomic write batch and keys per getMany call. */
export const BATCH = 1000;

/** One measured operation of one system. `opsPerSec` is null when the op could not run (see `note`). */
export interface Row {
  system: string;
  op: string;
  /** 'sync' for a blocking call, 'await' for one awaited promise per call. */
  variant?: 'sync' | 'await';
  /** The call that was measured, e.g. 'putSync' or 'getMany(1000)'. */
  api?: string;
  opsPerSec: number | null;
  n: number;
  note?: string;
}

/** The data every system writes and reads. */
export interface Workload {
  n: number;
  keys: string[];
  vals: Buffer[];
  /** A random permutation of 0..n-1: the order of random reads. */
  order: number[];
}

/** Builds the workload: keys in order, random values, and a Fisher-Yates shuffled read order. */
export function makeWorkload(n: number): Workload {
  const keys = Array.from({ length: n }, (_, i) => 'user:' + String(i).padStart(11, '0'));
  // One random block sliced into 100-byte Buffers: 200k separate randomBytes(100) calls would each
  // allocate their own backing store and add ~150 MiB of RSS to every system's measurement.
  const block = randomBytes(100 * n);
  const vals = Array.from({ length: n }, (_, i) => block.subarray(i * 100, i * 100 + 100));
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return { n, keys, vals, order };
}

/** Ops of the interleaved phases (read-modify-write, mixed 50/50 get/put): a quarter of N keeps
 * `npm run bench` short on 2 cores; BENCH_MIX_N overrides. */
export function mixCount(w: Workload): number {
  return Math.min(w.n, Number(process.env.BENCH_MIX_N ?? Math.ceil(w.n / 4)));
}

/** The value written back by read-modify-write: the read value with its first byte bumped. */
export function modified(v: Uint8Array): Buffer {
  const next = Buffer.from(v);
  next[0] = (next[0]! + 1) & 0xff;
  return next;
}

/** The keys of read batch `b` (starting at position b of the shuffled order). */
export function batchKeys(w: Workload, b: number): string[] {
  const out: string[] = [];
  for (let i = b; i < Math.min(w.n, b + BATCH); i++) out.push(w.keys[w.order[i]!]!);
  return out;
}

/** Collects rows for one system; each `op` call is isolated, so one failure never stops the others. */
export class Recorder {
  readonly rows: Row[] = [];
  /** Peak RSS after the key-value ops, before the model ops (skyshelve only). */
  kvPeakRss?: number;
  constructor(readonly system: string) {}

  /** Times `fn`, which performs `n` operations, and records ops/s; records the error as a note when it throws. */
  async op(op: string, variant: Row['variant'], api: string, n: number, fn: () => unknown): Promise<boolean> {
    collectGarbage();
    const t = performance.now();
    try {
      await fn();
    } catch (err) {
      this.rows.push({ system: this.system, op, variant, api, opsPerSec: null, n, note: reason(err) });
      console.error(`  ${this.system} ${op} ${variant ?? ''}: n/a (${reason(err)})`);
      return false;
    }
    const ms = performance.now() - t;
    const row: Row = { system: this.system, op, variant, api, opsPerSec: Math.round(n / (ms / 1000)), n };
    this.rows.push(row);
    console.error(`  ${this.system} ${op} ${variant ?? ''} ${api}: ${row.opsPerSec!.toLocaleString('en-US')} ops/s`);
    return true;
  }

  /** Records an op that cannot run at all on this system, with the reason. */
  skip(op: string, variant: Row['variant'], api: string, n: number, why: string): void {
    this.rows.push({ system: this.system, op, variant, api, opsPerSec: null, n, note: why });
    console.error(`  ${this.system} ${op} ${variant ?? ''}: n/a (${why})`);
  }
}

/** A short one-line reason for an error, for "n/a" cells. */
export function reason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  return (code + msg.replace(/\s*\n\s*/g, ' ')).slice(0, 240);
}

/** Throws when a read missed, so a broken store never reports a fast rate. */
export function must(ok: unknown, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`);
}

/** The process's peak resident set size so far, in bytes (all threads: V8, Go, native engines). */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Runs a full GC when node was started with --expose-gc (the bench children are). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}
