/**
 * The first saves of a process (issue 13, "Models vs ORMs: save timed after a warm-up"): Member
 * saves into a new store, each timed, and the native `writeSync` inside each save timed apart.
 * `node dist/bench/model-cold.js [saves, default 4,000]`; try `node --single-threaded` beside it.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkyShelve } from '../src/index.js';
import type { RawCheck, RawOp } from '../src/backend/backend.js';
import { defineMember } from './member.js';

const n = Number(process.argv[2] ?? 4_000);
const dir = mkdtempSync(join(tmpdir(), 'model-cold-'));
try {
  const store = await SkyShelve.open(dir);
  const Member = defineMember(store);
  const backend = store.openBackend() as unknown as { writeSync(ops: RawOp[], checks?: RawCheck[]): void };
  const writeSync = backend.writeSync.bind(backend);
  const inside: number[] = [];
  backend.writeSync = (ops, checks) => {
    const t = process.hrtime.bigint();
    try {
      writeSync(ops, checks);
    } finally {
      inside.push(Number(process.hrtime.bigint() - t) / 1e3);
    }
  };
  const saves: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await new Member({ id: `m${i}`, email: `u${i}@example.com`, team: `team${Math.floor(i / 10)}`, age: i % 90 }).save();
    saves.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  const mean = (xs: number[], a: number, b: number) => (xs.slice(a, b).reduce((s, x) => s + x, 0) / Math.max(1, Math.min(b, xs.length) - a)).toFixed(1);
  const spans: [number, number][] = [
    [0, 1],
    [1, 100],
    [100, 400],
    [400, 2000],
    [2000, n],
  ];
  for (const [a, b] of spans.filter(([a]) => a < n)) {
    console.log(`saves ${a + 1}–${Math.min(b, n)}: ${mean(saves, a, b)} µs per save, ${mean(inside, a, b)} µs in writeSync`);
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
