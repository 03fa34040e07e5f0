/**
 * Cost of one call across the Node → Go boundary, in ns/call: sync on the main thread, sync in a
 * worker_threads Worker, koffi `.async`, and a plain C function as the floor.
 * Run: `npx tsc -p tsconfig.json && node dist/bench/ffi-boundary.js [--calls 1000000] [--lib path]`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadNative, loadRawLibrary } from '../src/backend/native.js';

type Noop = (x: number) => number;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** ns per call of `calls` back-to-back sync calls, after a warm-up. */
function timeSync(noop: Noop, calls: number): number {
  let x = 0;
  for (let i = 0; i < 10_000; i++) x = noop(x);
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) x = noop(x);
  return Number(process.hrtime.bigint() - start) / calls;
}

/** ns per call of koffi `.async` with `inFlight` calls outstanding at a time. */
async function timeAsync(fn: { async: (...a: unknown[]) => void }, calls: number, inFlight: number): Promise<number> {
  const one = () => new Promise<void>((resolve, reject) => fn.async(1, (err: unknown) => (err ? reject(err) : resolve())));
  const start = process.hrtime.bigint();
  let issued = 0;
  const lane = async () => {
    while (issued < calls) {
      issued++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return Number(process.hrtime.bigint() - start) / calls;
}

function buildFloor(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-floor-'));
  const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/floor.c');
  const lib = path.join(dir, 'libfloor.so');
  execFileSync('gcc', ['-O2', '-shared', '-fPIC', '-o', lib, src]);
  return lib;
}

function inWorker(calls: number, libPath: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { calls, libPath } });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

async function main(): Promise<void> {
  const calls = Number(arg('--calls') ?? 1_000_000);
  const libPath = arg('--lib');
  const lib = loadNative({ libPath });
  const floorLib = buildFloor();
  const rows: [string, number][] = [];
  const floor = loadRawLibrary(floorLib).noop;
  rows.push(['C floor, sync, main thread', timeSync(floor as Noop, calls)]);
  rows.push(['Go sky_noop, sync, main thread', timeSync(lib.noop as Noop, calls)]);
  rows.push(['Go sky_noop, sync, worker thread', await inWorker(calls, libPath)]);
  const asyncCalls = Math.min(calls, 100_000);
  rows.push(['C floor, koffi .async, 1 in flight', await timeAsync(floor, asyncCalls, 1)]);
  rows.push(['Go sky_noop, koffi .async, 1 in flight', await timeAsync(lib.noop, asyncCalls, 1)]);
  rows.push(['Go sky_noop, koffi .async, 64 in flight', await timeAsync(lib.noop, asyncCalls, 64)]);
  fs.rmSync(path.dirname(floorLib), { recursive: true, force: true });
  console.log(`FFI boundary (${lib.path}; ${calls} sync calls, ${asyncCalls} async calls)`);
  for (const [name, ns] of rows) console.log(`${name.padEnd(44)} ${ns.toFixed(1).padStart(10)} ns/call`);
}

if (isMainThread) {
  await main();
} else {
  const { calls, libPath } = workerData as { calls: number; libPath?: string };
  parentPort!.postMessage(timeSync(loadNative({ libPath }).noop as Noop, calls));
}
