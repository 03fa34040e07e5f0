/**
 * The multi-process section of `npm run bench` (issue 11), standalone: `node dist/bench/multiprocess.js`.
 * 4 processes on one store, the same work for skyshelve (Badger, no option), lmdb-js (noSync) and
 * better-sqlite3 (WAL, synchronous=NORMAL): updates of one shared counter (lost updates counted),
 * writes of distinct keys, random reads of 10,000 records. For skyshelve also the round trip of one
 * client get (p50/p99) and the longest stall of a client while its owner is SIGKILLed.
 * Env: BENCH_MP_UPDATES, BENCH_MP_WRITES, BENCH_MP_READS (ops per process), BENCH_MP_SYSTEMS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'mp-worker.js');
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PROCS = 4;
export const MP_SYSTEMS = ['skyshelve', 'lmdb-js', 'better-sqlite3'];
const SECTION = '## Several processes on one store';
/** How many SIGKILL take-overs are timed (the median and the worst are reported). */
const TAKEOVERS = 5;

/** One measured multi-process operation. */
export interface MpRow {
  system: string;
  op: string;
  opsPerSec: number | null;
  /** CPU µs per operation, the CPU time of all the processes summed (less disturbed by a busy box than ops/s). */
  cpuUs?: number;
  lost?: number;
  note?: string;
}
/** What the section reports. */
export interface MpResults {
  date: string;
  loadavg: number[];
  perProcess: Record<string, number>;
  rows: MpRow[];
  rttUs?: { p50: number; p99: number };
  /** The same sequential gets answered by the client's read cache. */
  hitUs?: { p50: number; p99: number };
  cpuUs?: CpuPerOp;
  takeoverMs?: number[];
  note?: string;
}

interface Running {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function start(system: string, task: string, dir: string, id: number, n: number): Running {
  const child = spawn(process.execPath, [WORKER, system, task, dir, String(id), String(n)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => out + err, exit };
}

/** The most telling line of a failed worker's output. */
function why(r: Running): string {
  const lines = r.out().trim().split('\n');
  return lines.find((l) => /Error|LOCKED|CONFLICT|TIMEOUT|UNAVAILABLE/.test(l)) ?? lines.slice(-3).join(' ');
}

async function ready(r: Running): Promise<void> {
  while (!r.out().includes('ready\n')) {
    // A worker killed by a signal keeps exitCode null: without the second check this waited forever.
    if (r.child.exitCode !== null || r.child.signalCode !== null) throw new Error(`${why(r)} (exit ${r.child.exitCode ?? r.child.signalCode})`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

/** The JSON report of a finished worker. */
async function report(r: Running): Promise<Record<string, any>> {
  const code = await r.exit;
  const line = r
    .out()
    .split('\n')
    .find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`worker failed (${code}): ${why(r)}`);
  return JSON.parse(line) as Record<string, any>;
}

/** Runs `procs` workers of one task together; returns the aggregate ops/s and the reports. */
async function together(
  system: string,
  task: string,
  dir: string,
  n: number,
  procs = PROCS,
): Promise<{ rate: number; cpuUs: number; reports: Record<string, any>[] }> {
  const kids = Array.from({ length: procs }, (_, i) => start(system, task, dir, i, n));
  try {
    await Promise.all(kids.map(ready));
  } catch (err) {
    for (const k of kids) k.child.kill('SIGKILL');
    throw err;
  }
  for (const k of kids) k.child.stdin!.write('go\n');
  const reports = await Promise.all(kids.map(report));
  const t0 = Math.min(...reports.map((r) => Number(BigInt(r.startNs) / 1000n)));
  const t1 = Math.max(...reports.map((r) => Number(BigInt(r.endNs) / 1000n)));
  const cpu = reports.reduce((sum, r) => sum + (r.cpuUs as number), 0);
  return { rate: (n * procs) / ((t1 - t0) / 1e6), cpuUs: cpu / (n * procs), reports };
}

async function measure(system: string, op: string, fn: () => Promise<Omit<MpRow, 'system' | 'op'>>): Promise<MpRow> {
  try {
    return { system, op, ...(await fn()) };
  } catch (err) {
    return { system, op, opsPerSec: null, note: (err as Error).message.slice(0, 160) };
  }
}

/** Every multi-process measurement of one system, on a fresh directory. */
async function benchSystem(system: string, per: Record<string, number>): Promise<MpRow[]> {
  const dir = mkdtempSync(join(tmpdir(), `bench-mp-${system}-`));
  try {
    const rows: MpRow[] = [];
    rows.push(
      await measure(system, 'update one shared counter', async () => {
        const { rate, cpuUs } = await together(system, 'counter', dir, per.updates!);
        const [{ value }] = (await together(system, 'count', dir, 0, 1)).reports as [{ value: number }];
        return { opsPerSec: rate, cpuUs, lost: PROCS * per.updates! - value };
      }),
    );
    rows.push(
      await measure(system, 'write distinct keys', async () => {
        const { rate, cpuUs } = await together(system, 'write', dir, per.writes!);
        return { opsPerSec: rate, cpuUs };
      }),
    );
    rows.push(
      await measure(system, 'random read of 10,000 records', async () => {
        await together(system, 'load', dir, 0, 1);
        const { rate, cpuUs } = await together(system, 'read', dir, per.reads!);
        return { opsPerSec: rate, cpuUs };
      }),
    );
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** skyshelve only: a holder process owns the store; one client measures get round trips. */
export async function roundTrip(task: 'rtt' | 'rtt-hit' = 'rtt'): Promise<{ p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mp-rtt-'));
  const holder = start('skyshelve', 'hold', dir, 0, 0);
  try {
    await ready(holder);
    await together('skyshelve', 'load', dir, 0, 1);
    const [r] = (await together('skyshelve', task, dir, 20_000, 1)).reports;
    return { p50: r!.p50us, p99: r!.p99us };
  } finally {
    holder.child.kill('SIGKILL');
    await holder.exit;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU µs per client request, in the client and in its owner (skyshelve only). */
export interface CpuPerOp {
  getClient: number;
  getOwner: number;
  /** getSync answered by the client's read cache (the owner does nothing). */
  hitClient: number;
  setClient: number;
  setOwner: number;
}

/** CPU ns a process has used so far, all its live threads summed (/proc/<pid>/task/<tid>/schedstat). */
function cpuNs(pid: number): number {
  let sum = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      sum += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread exited meanwhile
    }
  }
  return sum;
}

/** skyshelve only: one client runs n sequential getSync, then n awaited sets, against a holder process. */
export async function cpuPerOp(n = 30_000): Promise<CpuPerOp> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mp-cpu-'));
  const holder = start('skyshelve', 'hold', dir, 0, 0);
  try {
    await ready(holder);
    await together('skyshelve', 'load', dir, 0, 1);
    const one = async (task: string): Promise<[number, number]> => {
      const kid = start('skyshelve', task, dir, 1, n);
      await ready(kid);
      const before = cpuNs(holder.child.pid!);
      kid.child.stdin!.write('go\n');
      const r = await report(kid);
      return [(r.cpuUs as number) / n, (cpuNs(holder.child.pid!) - before) / 1000 / n];
    };
    const [getClient, getOwner] = await one('gets');
    const [hitClient] = await one('gets-hit');
    const [setClient, setOwner] = await one('sets');
    return { getClient, getOwner, hitClient, setClient, setOwner };
  } finally {
    holder.child.kill('SIGKILL');
    await holder.exit;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** skyshelve only: the longest stall of a reading client across a SIGKILL of its owner. */
export async function takeover(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mp-take-'));
  const holder = start('skyshelve', 'hold', dir, 0, 0);
  try {
    await ready(holder);
    holder.child.stdin!.write('go\n');
    await together('skyshelve', 'load', dir, 0, 1);
    const watcher = start('skyshelve', 'watch', dir, 1, 0);
    await ready(watcher);
    watcher.child.stdin!.write('go\n');
    await new Promise((r) => setTimeout(r, 500));
    holder.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    watcher.child.stdin!.write('stop\n');
    return (await report(watcher)).maxGapMs as number;
  } finally {
    holder.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every system and the skyshelve-only figures. */
export async function runMultiProcess(): Promise<MpResults> {
  const per = {
    updates: Number(process.env.BENCH_MP_UPDATES ?? 10_000),
    writes: Number(process.env.BENCH_MP_WRITES ?? 20_000),
    reads: Number(process.env.BENCH_MP_READS ?? 100_000),
  };
  const systems = process.env.BENCH_MP_SYSTEMS?.split(',') ?? MP_SYSTEMS;
  const res: MpResults = { date: new Date().toISOString(), loadavg: loadavg().map((l) => Math.round(l * 100) / 100), perProcess: per, rows: [] };
  for (const s of systems) {
    console.error(`multi-process: ${s}`);
    res.rows.push(...(await benchSystem(s, per)));
  }
  if (systems.includes('skyshelve')) {
    try {
      res.rttUs = await roundTrip();
      res.hitUs = await roundTrip('rtt-hit');
      res.cpuUs = await cpuPerOp();
      res.takeoverMs = [];
      for (let i = 0; i < TAKEOVERS; i++) res.takeoverMs.push(await takeover());
    } catch (err) {
      res.note = `round trip / take-over not measured: ${(err as Error).message.slice(0, 160)}`;
    }
  }
  return res;
}

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : Math.round(v).toLocaleString('en-US'));

/** The markdown of the section. */
export function mpSection(res: MpResults): string {
  const out = [
    SECTION,
    '',
    `Run ${res.date} · ${PROCS} processes on one store, started together · load average at the start ${res.loadavg.join(' / ')} · ops per process: updates ${res.perProcess.updates}, writes ${res.perProcess.writes}, reads ${res.perProcess.reads}.`,
    'skyshelve: `new SkyShelve(dir)` / `configureStorage(dir)` with no option (the first process owns Badger, the others are its clients); `Counter.update` of a PersistentObject; `await set`; `getSync`. lmdb-js: `noSync`, `transactionSync(get + putSync)`, `putSync`, `getBinary`. better-sqlite3: WAL, `synchronous=NORMAL`, an IMMEDIATE transaction (SELECT + INSERT OR REPLACE), autocommit `run`, `get`. Each process first runs a few hundred operations of the same kind on other keys (warm-up), then the timed ones. Aggregate ops/s from the first start to the last finish.',
    '',
    '| work (4 processes) | skyshelve | lmdb-js | better-sqlite3 | skyshelve / lmdb-js | skyshelve / better-sqlite3 | lost updates (sky / lmdb / sqlite) |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  const ops = [...new Set(res.rows.map((r) => r.op))];
  for (const op of ops) {
    const by = (s: string): MpRow | undefined => res.rows.find((r) => r.system === s && r.op === op);
    const [sky, lmdb, sql] = MP_SYSTEMS.map(by);
    const ratio = (p?: MpRow): string => (sky?.opsPerSec && p?.opsPerSec ? (sky.opsPerSec / p.opsPerSec).toFixed(2) : 'n/a');
    const cell = (r?: MpRow): string => (r?.opsPerSec ? fmt(r.opsPerSec) : `n/a${r?.note ? ` (${r.note})` : ''}`);
    const lost = op.startsWith('update') ? [sky, lmdb, sql].map((r) => r?.lost ?? 'n/a').join(' / ') : '';
    out.push(`| ${op} | ${cell(sky)} | ${cell(lmdb)} | ${cell(sql)} | ${ratio(lmdb)} | ${ratio(sql)} | ${lost} |`);
  }
  out.push(
    '',
    'CPU µs per operation, the CPU time of the 4 processes summed (`process.cpuUsage()` of each worker; it includes the owner serving its clients), which a busy box disturbs less than ops/s:',
    '',
    '| work (4 processes) | skyshelve | lmdb-js | better-sqlite3 |',
    '|---|---:|---:|---:|',
  );
  for (const op of ops) {
    const cpu = (s: string): string => {
      const v = res.rows.find((r) => r.system === s && r.op === op)?.cpuUs;
      return v === undefined ? 'n/a' : v.toFixed(1);
    };
    out.push(`| ${op} | ${MP_SYSTEMS.map(cpu).join(' | ')} |`);
  }
  out.push('');
  if (res.rttUs)
    out.push(
      `One client round trip (\`getSync\` of a 100-byte value from a client of another process with \`readCacheSize: 0\`, 20,000 sequential): p50 ${res.rttUs.p50.toFixed(1)} µs, p99 ${res.rttUs.p99.toFixed(1)} µs.` +
        (res.hitUs ? ` The same read answered by the client's read cache: p50 ${res.hitUs.p50.toFixed(1)} µs, p99 ${res.hitUs.p99.toFixed(1)} µs.` : ''),
    );
  if (res.cpuUs) {
    const c = res.cpuUs;
    out.push(
      `CPU per client request (30,000 sequential, one client, its owner idle otherwise; \`/proc\` CPU time of both processes): \`getSync\` ${c.getClient.toFixed(1)} µs in the client + ${c.getOwner.toFixed(1)} µs in the owner without a read cache, ${c.hitClient.toFixed(1)} µs + 0 from the read cache; \`await set\` ${c.setClient.toFixed(1)} µs + ${c.setOwner.toFixed(1)} µs.`,
    );
  }
  if (res.takeoverMs?.length) {
    const t = [...res.takeoverMs].sort((a, b) => a - b);
    out.push(
      `Take-over after SIGKILL of the owner (${t.length} times): the reading client's longest stall was ${t[Math.floor(t.length / 2)]!.toFixed(1)} ms (median), ${t.at(-1)!.toFixed(1)} ms (worst).`,
    );
  }
  if (res.note) out.push(res.note);
  return out.join('\n') + '\n';
}

/** Replaces (or adds) the section in bench/RESULTS.md. */
export function writeMpSection(file: string, res: MpResults): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf(SECTION);
  const mine = mpSection(res);
  if (start < 0) {
    writeFileSync(file, text.trimEnd() + '\n\n' + mine);
    return;
  }
  const after = text.indexOf('\n## ', start + SECTION.length);
  writeFileSync(file, text.slice(0, start) + mine + (after < 0 ? '' : '\n' + text.slice(after + 1)));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'cpu') {
  console.log(await cpuPerOp(Number(process.argv[3] ?? 30_000)), await roundTrip(), loadavg());
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const res = await runMultiProcess();
  console.table(res.rows);
  writeMpSection(join(ROOT, 'bench/RESULTS.md'), res);
  console.error(mpSection(res));
}
