// Bulk ingest: `skyshelve import` and `copy` into an empty Badger store, the bulk path against the
// ordinary batched writes (`--no-bulk`), through the real binary, runs interleaved A/B. With
// SKYSHELVE_BEFORE_BIN=<other checkout>/bin/skyshelve.js, that binary runs the same commands too.
// Run: npx tsc -p tsconfig.json && node dist/bench/ingest.js [records] [runs]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillDocuments } from './documents.js';

const N = Number(process.argv[2] ?? 500_000);
const RUNS = Number(process.argv[3] ?? 2);
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'skyshelve.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-bench-ingest-'));

const fill = (location: string): Promise<void> => fillDocuments(location, N);

const BEFORE = process.env.SKYSHELVE_BEFORE_BIN;

/** Runs the CLI under /usr/bin/time; returns wall seconds and the child's CPU seconds (all threads). */
function run(args: string[], bin = BIN): { wall: number; cpu: number } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', process.execPath, bin, ...args, '--no-progress'], { encoding: 'utf8' });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]) };
}

const rows: Record<string, { wall: number[]; cpu: number[] }> = {};
function record(label: string, t: { wall: number; cpu: number }): void {
  const row = (rows[label] ??= { wall: [], cpu: [] });
  row.wall.push(t.wall);
  row.cpu.push(t.cpu);
}

try {
  const source = path.join(dir, 'source');
  await fill(source);
  const file = path.join(dir, 'export.jsonl');
  const raw = path.join(dir, 'raw.jsonl');
  run(['export', source, file]);
  run(['export', source, raw, '--raw']);
  console.log(
    `${N.toLocaleString('en-US')} records (${(fs.statSync(file).size / 1048576).toFixed(0)} MiB export); ${os.cpus().length} cores; node ${process.version}; load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const modes = [...(BEFORE ? ['before'] : []), 'no-bulk', 'bulk'];
  let k = 0;
  for (let r = 0; r < RUNS; r++) {
    for (const mode of r % 2 ? [...modes].reverse() : modes) {
      const flag = mode === 'no-bulk' ? ['--no-bulk'] : [];
      const bin = mode === 'before' ? BEFORE : BIN;
      record(`import (${mode})`, run(['import', path.join(dir, `i${k++}`), file, ...flag], bin));
      record(`import --raw file (${mode})`, run(['import', path.join(dir, `i${k++}`), raw, ...flag], bin));
      record(`copy Badger -> Badger (${mode})`, run(['copy', source, path.join(dir, `c${k++}`), ...flag], bin));
    }
    for (const d of fs.readdirSync(dir)) if (/^[ic]\d/.test(d)) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
  }
  console.log(`${'op'.padEnd(36)} ${'best s'.padStart(7)} ${'records/s'.padStart(10)} ${'CPU s'.padStart(6)} ${'records/CPU s'.padStart(13)}`);
  for (const [label, row] of Object.entries(rows).sort()) {
    const wall = Math.min(...row.wall);
    const cpu = Math.min(...row.cpu);
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(`${label.padEnd(36)} ${wall.toFixed(2).padStart(7)} ${fmt(N / wall).padStart(10)} ${cpu.toFixed(2).padStart(6)} ${fmt(N / cpu).padStart(13)}`);
  }
  console.log(
    `load after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
