/**
 * `npm run bench`: runs every system on the shared workload, each in its own child process (so peak
 * RSS is per system), then prints a table and writes bench/results.json, bench/RESULTS.md and bench/results.svg.
 * Env: BENCH_N (default 200000), BENCH_SLATEDB_N (default 20000), BENCH_SYSTEMS (comma list).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, freemem, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { renderChart } from './chart.js';
import { benchPeer, PEERS } from './peers.js';
import { writeResultsMarkdown } from './report.js';
import { benchSkyshelve, SKYSHELVE_SYSTEMS } from './skyshelve.js';
import { makeWorkload, type Row } from './workload.js';

/** Everything one run measured; the shape of bench/results.json. */
export interface Results {
  machine: { cpus: number; cpuModel: string; memory: number; node: string; platform: string; date: string };
  n: number;
  /** SlateDB runs on fewer records (it is slow per op); its rows carry their own `n`. */
  slatedbN: number;
  rows: Row[];
  /** Peak resident set size of each system's child process, in bytes. */
  rss: Record<string, number>;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SYSTEMS = [...SKYSHELVE_SYSTEMS, ...PEERS];
const ALL_OPS = ['put-single', 'put-batch', 'get-random', 'get-batch', 'scan', 'model-save', 'scan-index'];

/** Child mode: runs one system and prints `{ rows, rss }` as JSON on stdout. */
async function child(system: string, n: number): Promise<void> {
  const w = makeWorkload(n);
  const rows = system.startsWith('skyshelve') ? await benchSkyshelve(system, w) : await benchPeer(system, w);
  process.stdout.write(JSON.stringify({ rows, rss: process.resourceUsage().maxRSS * 1024 }) + '\n');
}

/** Runs one system in a child process; a crash becomes n/a rows with the exit reason. */
function runSystem(system: string, n: number): { rows: Row[]; rss?: number } {
  console.error(`${system} (n=${n})`);
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', system, String(n)], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20, timeout: 30 * 60_000,
  });
  const last = r.stdout?.trim().split('\n').pop();
  if (r.status === 0 && last) return JSON.parse(last) as { rows: Row[]; rss: number };
  const why = r.error ? r.error.message : `child exited with ${r.signal ?? 'code ' + r.status}`;
  return { rows: ALL_OPS.map((op) => ({ system, op, opsPerSec: null, n, note: why })) };
}

/** better-sqlite3 has no prebuild for every setup and npm may skip its install script: build it once here. */
function ensurePeerBuilds(): void {
  const require = createRequire(join(ROOT, 'package.json'));
  const loads = (): boolean => {
    try {
      const Database = require('better-sqlite3');
      new Database(':memory:').close();
      return true;
    } catch {
      return false;
    }
  };
  if (loads()) return;
  console.error('better-sqlite3 does not load; running `npm rebuild better-sqlite3` (about a minute)...');
  spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: ROOT, stdio: 'inherit' });
}

function machine(): Results['machine'] {
  const c = cpus();
  return { cpus: c.length, cpuModel: c[0]?.model ?? 'unknown', memory: totalmem(), node: process.version, platform: `${process.platform}-${process.arch}`, date: new Date().toISOString() };
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 200_000);
  const slatedbN = Math.min(n, Number(process.env.BENCH_SLATEDB_N ?? 20_000));
  const only = process.env.BENCH_SYSTEMS?.split(',').map((s) => s.trim());
  const systems = only ? SYSTEMS.filter((s) => only.includes(s)) : SYSTEMS;
  if (systems.some((s) => (PEERS as readonly string[]).includes(s))) ensurePeerBuilds();
  console.error(`N=${n} (SlateDB ${slatedbN}), 16-byte keys, 100-byte values, node ${process.version}, ${cpus().length} cpus, ${Math.round(freemem() / 2 ** 20)} MiB free`);
  const results: Results = { machine: machine(), n, slatedbN, rows: [], rss: {} };
  for (const system of systems) {
    const r = runSystem(system, system === 'skyshelve-slatedb' ? slatedbN : n);
    results.rows.push(...r.rows);
    if (r.rss !== undefined) results.rss[system] = r.rss;
  }
  console.table(results.rows.map((r) => ({ system: r.system, op: r.op, variant: r.variant ?? '', api: r.api ?? '', 'ops/s': r.opsPerSec ?? `n/a: ${r.note}`, n: r.n })));
  console.table(Object.entries(results.rss).map(([system, b]) => ({ system, 'peak RSS MiB': Math.round(b / 2 ** 20) })));
  writeFileSync(join(ROOT, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
  writeResultsMarkdown(join(ROOT, 'bench/RESULTS.md'), results);
  writeFileSync(join(ROOT, 'bench/results.svg'), renderChart(results));
  console.error('wrote bench/results.json, bench/RESULTS.md, bench/results.svg');
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) await child(process.argv[childAt + 1]!, Number(process.argv[childAt + 2]));
else await main();
