#!/usr/bin/env node
// How 4 processes share one hot key: each runs Counter.update on one counter n times (after 500
// on a key of its own) and records when every 1,000th update finished, its longest single update
// and the CONFLICTs it saw. Prints one line per process (times from the first start, in ms).
// Usage: npm run build && node scripts/mp-hot-key.mjs [n=10000]
// (SKYSHELVE_LIB=<path> picks another libskyshelve for every process, to compare builds.)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === 'worker') {
  const [dir, id, n] = process.argv.slice(3);
  const { closeModelStores } = await import(new URL('../dist/src/index.js', import.meta.url).href);
  const { Counter } = await import('./mp-counter.mjs');
  Counter.configureStorage(path.join(dir, 'counter'));
  let conflicts = 0;
  const mutator = (c) => {
    c.value++;
  };
  const update = async (key) => {
    // The mutator runs once per attempt: every run after the first followed a CONFLICT.
    let runs = 0;
    await Counter.update(key, { defaultFactory: () => new Counter(key), mutator: (c) => (runs++, mutator(c)) });
    conflicts += runs - 1;
    return runs - 1;
  };
  for (let i = 0; i < 500; i++) await update(`own${id}`);
  conflicts = 0;
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  process.stdout.write('ready\n');
  await lines.next();
  const t0 = process.hrtime.bigint();
  const marks = [];
  let longest = 0;
  let longestAt = 0;
  let longestConflicts = 0;
  let prev = t0;
  for (let i = 1; i <= Number(n); i++) {
    const c = await update('c');
    const t = process.hrtime.bigint();
    const gap = Number(t - prev) / 1e6;
    if (gap > longest) [longest, longestAt, longestConflicts] = [gap, Number(t - t0) / 1e6, c];
    prev = t;
    if (i % 1000 === 0) marks.push(Number(t - t0) / 1e6);
  }
  process.stdout.write(`${JSON.stringify({ id, t0: String(t0), marks, longest, longestAt, longestConflicts, conflicts })}\n`);
  await closeModelStores();
  process.exit(0);
}

const n = process.argv[2] ?? '10000';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-hot-key-'));
const kids = [0, 1, 2, 3].map((i) => {
  const child = spawn(process.execPath, [self, 'worker', dir, String(i), n], { stdio: ['pipe', 'pipe', 'inherit'] });
  const kid = { child, out: '' };
  child.stdout.on('data', (d) => (kid.out += d));
  return kid;
});
await Promise.all(
  kids.map(
    (k) =>
      new Promise((resolve) => {
        const poll = () => (k.out.includes('ready') ? resolve() : setTimeout(poll, 5));
        poll();
      }),
  ),
);
for (const k of kids) k.child.stdin.write('go\n');
await Promise.all(kids.map((k) => new Promise((resolve) => k.child.on('close', resolve))));
const reports = kids.map((k) => JSON.parse(k.out.split('\n').find((l) => l.startsWith('{'))));
const base = reports.map((r) => BigInt(r.t0)).reduce((a, b) => (a < b ? a : b));
for (const r of reports) {
  const off = Number(BigInt(r.t0) - base) / 1e6;
  const at = (ms) => Math.round(ms + off);
  console.log(
    `p${r.id}: every 1,000 done at ${r.marks.map(at).join(' ')} ms; longest update ${r.longest.toFixed(1)} ms at ${at(r.longestAt)} ms after ${r.longestConflicts} CONFLICTs; ${r.conflicts} CONFLICTs in all`,
  );
}
fs.rmSync(dir, { recursive: true, force: true });
