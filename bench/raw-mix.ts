/**
 * Read-after-write probe (issue 13): µs per iteration of interleaved reads and writes on one store.
 * `node dist/bench/raw-mix.js [N]` (default 20,000 records); prints one line per pattern.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SkyShelve } from '../src/index.js';

const n = Number(process.argv[2] ?? process.env.BENCH_N ?? 20_000);
const keys = Array.from({ length: n }, (_, i) => `user:${String(i).padStart(11, '0')}`);
const value = randomBytes(100);

async function time(label: string, fn: (i: number) => Promise<void> | void): Promise<void> {
  const before = process.resourceUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  const us = Number(process.hrtime.bigint() - start) / 1000 / n;
  const after = process.resourceUsage();
  // CPU time and context switches per iteration: on a loaded machine they vary far less than wall time.
  const cpu = (after.userCPUTime + after.systemCPUTime - before.userCPUTime - before.systemCPUTime) / n;
  const switches = (after.voluntaryContextSwitches - before.voluntaryContextSwitches) / n;
  console.log(`${label.padEnd(34)} ${us.toFixed(1).padStart(7)} µs  cpu ${cpu.toFixed(1).padStart(6)} µs  ctxsw ${switches.toFixed(2)}`);
}

const dir = mkdtempSync(join(tmpdir(), 'raw-mix-'));
try {
  const db = await SkyShelve.open<Buffer>(dir);
  for (let i = 0; i < n; i += 1000) await db.batch(keys.slice(i, i + 1000).map((key) => ({ type: 'put' as const, key, value })));
  const other = (i: number) => keys[(i * 7919) % n];
  await time('await get', async (i) => {
    await db.get(other(i));
  });
  await time('await set', async (i) => {
    await db.set(keys[i], value);
  });
  await time('await get, await set', async (i) => {
    await db.get(other(i));
    await db.set(keys[i], value);
  });
  await time('await set, await get (other key)', async (i) => {
    await db.set(keys[i], value);
    await db.get(other(i));
  });
  await time('getSync, setSync', (i) => {
    db.getSync(other(i));
    db.setSync(keys[i], value);
  });
  await time('await batch 3 puts', async (i) => {
    await db.batch([0, 1, 2].map((j) => ({ type: 'put' as const, key: keys[(i + j) % n], value })));
  });
  await time('await get, await batch 3 puts', async (i) => {
    await db.get(other(i));
    await db.batch([0, 1, 2].map((j) => ({ type: 'put' as const, key: keys[(i + j) % n], value })));
  });
  await db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
