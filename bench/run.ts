/**
 * `npm run bench`: runs every system on the shared workload, each in its own child process (so peak
 * RSS is per system), then prints a table and writes bench/results.json, bench/RESULTS.md and bench/results.svg.
 * Env: BENCH_N (default 200000), BENCH_SLATEDB_N (default 20000), BENCH_SYSTEMS (comma list),
 * BENCH_ROUNDS (default 1): on a shared, noisy machine, run every system that many times, round-robin,
 * and keep each op's best rate (contention only ever slows a run down). BENCH_ORM=0 skips the
 * models-vs-ORMs section (bench/orm.ts, BENCH_ORM_N records); BENCH_MIX_N sets the rmw/mixed op count.
 * Then the multi-process section (bench/multiprocess.ts; BENCH_MP=0 skips it).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { renderChart } from './chart.js';
import { ORM_SECTION, replaceSection, runOrmBench } from './orm.js';
import { benchPeer, PEERS } from './peers.js';
import { writeResultsMarkdown } from './report.js';
import { runMultiProcess, writeMpSection } from './multiprocess.js';
import { benchSkyshelve, SKYSHELVE_SYSTEMS } from './skyshelve.js';
import { collectGarbage, makeWorkload, peakRss, type Row } from './workload.js';

/** Everything one run measured; the shape of bench/results.json. */
export interface Results {
  machine: { cpus: number; cpuModel: string; memory: number; node: string; platform: string; date: string; loadavg: number[] };
  n: number;
  /** How many times each system ran; each row is the best of these rounds. */
  rounds: number;
  /** SlateDB runs on fewer records (it is slow per op); its rows carry their own `n`. */
  slatedbN: number;
  rows: Row[];
  /** Peak resident set size of each system's child process, in bytes. */
  rss: Record<string, number>;
  /** Peak RSS of each child right after building the workload, before any store opened. */
  rssBase: Record<string, number>;
  /** skyshelve only: peak RSS after the key-value ops, before the model ops (comparable with the peers). */
  rssKv: Record<string, number>;
}

/** What one child process reports. */
interface ChildResult {
  rows: Row[];
  rss?: number;
  rssBase?: number;
  rssKv?: number;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SYSTEMS = [...SKYSHELVE_SYSTEMS, ...PEERS];
const ALL_OPS = ['put-single', 'put-batch', 'get-random', 'get-batch', 'scan', 'rmw', 'mixed', 'model-save', 'scan-index'];

/** Child mode: runs one system and prints `{ rows, rss }` as JSON on stdout. */
async function child(system: string, n: number): Promise<void> {
  const w = makeWorkload(n);
  collectGarbage();
  const rssBase = peakRss();
  const rec = system.startsWith('skyshelve') ? await benchSkyshelve(system, w) : await benchPeer(system, w);
  const out: ChildResult = { rows: rec.rows, rss: peakRss(), rssBase, rssKv: rec.kvPeakRss };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** Runs one system in a child process; a crash becomes n/a rows with the exit reason. */
function runSystem(system: string, n: number): ChildResult {
  console.error(`${system} (n=${n})`);
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', system, String(n)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 30 * 60_000,
  });
  const last = r.stdout?.trim().split('\n').pop();
  if (r.status === 0 && last) return JSON.parse(last) as ChildResult;
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

/** Merges a round's rows into the kept ones: per system/op/variant, the higher rate (a measured one beats n/a). */
function keepBest(kept: Row[], fresh: Row[]): Row[] {
  const id = (r: Row): string => `${r.system}|${r.op}|${r.variant ?? ''}`;
  const out = [...kept];
  for (const r of fresh) {
    const i = out.findIndex((k) => id(k) === id(r));
    if (i < 0) out.push(r);
    else if ((r.opsPerSec ?? -1) > (out[i]!.opsPerSec ?? -1)) out[i] = r;
  }
  return out;
}

function machine(): Results['machine'] {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memory: totalmem(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 200_000);
  const slatedbN = Math.min(n, Number(process.env.BENCH_SLATEDB_N ?? 20_000));
  const only = process.env.BENCH_SYSTEMS?.split(',').map((s) => s.trim());
  const systems = only ? SYSTEMS.filter((s) => only.includes(s)) : SYSTEMS;
  if (systems.some((s) => (PEERS as readonly string[]).includes(s))) ensurePeerBuilds();
  console.error(
    `N=${n} (SlateDB ${slatedbN}), 16-byte keys, 100-byte values, node ${process.version}, ${cpus().length} cpus, ${Math.round(freemem() / 2 ** 20)} MiB free`,
  );
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
  const results: Results = { machine: machine(), n, rounds, slatedbN, rows: [], rss: {}, rssBase: {}, rssKv: {} };
  for (let round = 1; round <= rounds; round++) {
    for (const system of systems) {
      if (rounds > 1) console.error(`round ${round}/${rounds}, load ${loadavg()[0]!.toFixed(1)}`);
      const r = runSystem(system, system === 'skyshelve-slatedb' ? slatedbN : n);
      results.rows = keepBest(results.rows, r.rows);
      if (r.rss !== undefined) results.rss[system] = Math.max(results.rss[system] ?? 0, r.rss);
      if (r.rssBase !== undefined) results.rssBase[system] = Math.max(results.rssBase[system] ?? 0, r.rssBase);
      if (r.rssKv !== undefined) results.rssKv[system] = Math.max(results.rssKv[system] ?? 0, r.rssKv);
    }
  }
  console.table(
    results.rows.map((r) => ({ system: r.system, op: r.op, variant: r.variant ?? '', api: r.api ?? '', 'ops/s': r.opsPerSec ?? `n/a: ${r.note}`, n: r.n })),
  );
  const mib = (b?: number): number | string => (b === undefined ? '' : Math.round(b / 2 ** 20));
  console.table(
    Object.entries(results.rss).map(([system, b]) => ({
      system,
      'peak RSS MiB': mib(b),
      'workload alone': mib(results.rssBase[system]),
      'after key-value ops': mib(results.rssKv[system] ?? b),
    })),
  );
  writeFileSync(join(ROOT, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
  writeResultsMarkdown(join(ROOT, 'bench/RESULTS.md'), results);
  writeFileSync(join(ROOT, 'bench/results.svg'), renderChart(results));
  if (process.env.BENCH_ORM !== '0') replaceSection(join(ROOT, 'bench/RESULTS.md'), ORM_SECTION, runOrmBench());
  console.error('wrote bench/results.json, bench/RESULTS.md, bench/results.svg');
  // Several processes on one store (issue 11); BENCH_MP=0 skips it.
  if (process.env.BENCH_MP !== '0') writeMpSection(join(ROOT, 'bench/RESULTS.md'), await runMultiProcess());
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) await child(process.argv[childAt + 1]!, Number(process.argv[childAt + 2]));
else await main();
