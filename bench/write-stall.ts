/**
 * Write-stall probe (issue 12 item 24): sustained unsynced writes that fill memtables and L0,
 * from `writers` concurrent async loops, while a timer measures event-loop delay.
 * `node dist/bench/write-stall.js [records] [valueBytes] [writers]` (defaults 300,000 × 1,024 B, 32 writers).
 * Each writer yields to the event loop after each set, as request handlers would.
 * Prints set latency percentiles and perf_hooks.monitorEventLoopDelay percentiles, in ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { SkyShelve } from '../src/index.js';

const records = Number(process.argv[2] ?? 300_000);
const size = Number(process.argv[3] ?? 1024);
const writers = Number(process.argv[4] ?? 32);
const value = randomBytes(size);

const ms = (ns: number) => (ns / 1e6).toFixed(2);
const line = (label: string, h: { percentile(p: number): number; max: number; mean: number }) =>
  console.log(`${label.padEnd(16)} p50 ${ms(h.percentile(50))}  p99 ${ms(h.percentile(99))}  p99.9 ${ms(h.percentile(99.9))}  max ${ms(h.max)} ms`);

const dir = mkdtempSync(join(tmpdir(), 'write-stall-'));
try {
  const db = await SkyShelve.open<Buffer>(dir);
  const setLatency = createHistogram();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  let next = 0;
  loop.enable();
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < records; i = next++) {
        const t = process.hrtime.bigint();
        await db.set(`user:${String((i * 7919) % records).padStart(11, '0')}`, value);
        setLatency.record(Math.max(1, Number(process.hrtime.bigint() - t)));
        // Like a server handling one request per task: give the event loop a turn between sets.
        await new Promise(setImmediate);
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  loop.disable();
  console.log(
    `${records} sets of ${size} B from ${writers} writers: ${(records / secs).toFixed(0)} sets/s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
  line('set latency', setLatency);
  line('event-loop delay', loop);
  await db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
