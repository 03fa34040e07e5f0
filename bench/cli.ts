// Throughput of `skyshelve export`, `import` and `copy` on 200,000 records, through the real binary.
// Run: npx tsc -p tsconfig.json && node dist/bench/cli.js [records]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillDocuments } from './documents.js';

const N = Number(process.argv[2] ?? 200_000);
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'skyshelve.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-bench-cli-'));

const fill = (location: string): Promise<void> => fillDocuments(location, N);

/** Runs the CLI and returns the elapsed seconds (process start included). */
function time(label: string, args: string[]): void {
  const started = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args, '--no-progress'], { encoding: 'utf8' });
  const s = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr}`);
  console.log(
    `${label.padEnd(34)} ${s.toFixed(2).padStart(6)} s  ${Math.round(N / s)
      .toLocaleString('en-US')
      .padStart(9)} records/s`,
  );
}

try {
  const badger = path.join(dir, 'badger');
  await fill(badger);
  console.log(`${N.toLocaleString('en-US')} records; ${os.cpus().length} cores; node ${process.version}`);
  const file = path.join(dir, 'export.jsonl');
  const rawFile = path.join(dir, 'raw.jsonl');
  time('export (decoded) from Badger', ['export', badger, file]);
  console.log(`  file size ${(fs.statSync(file).size / 1048576).toFixed(1)} MiB`);
  time('export --raw from Badger', ['export', badger, rawFile, '--raw']);
  time('import into Badger', ['import', path.join(dir, 'imported'), file]);
  time('import into SlateDB (local)', ['import', `slatedb://${path.join(dir, 'imported-lake')}`, file]);
  time('copy Badger -> Badger', ['copy', badger, path.join(dir, 'copy')]);
  time('copy Badger -> SlateDB (local)', ['copy', badger, `slatedb://${path.join(dir, 'lake')}`]);
  time('copy SlateDB (local) -> Badger', ['copy', `slatedb://${path.join(dir, 'lake')}`, path.join(dir, 'back')]);
  time('export (decoded) from SlateDB', ['export', `slatedb://${path.join(dir, 'lake')}`, path.join(dir, 'lake.jsonl')]);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
