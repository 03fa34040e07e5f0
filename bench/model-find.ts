/**
 * Steady-state find probe (issue 13 §2): the bench's find-by-index (`Member.scanIndex('team', ...)`,
 * 10 records) in consecutive blocks on one store, so warm-up and steady state show apart. Per block:
 * CPU µs per find of the main thread (/proc/self/task/<pid>/schedstat, Linux) and of the whole process
 * (process.resourceUsage: V8's compiler and GC threads too), and finds/s; then load by key.
 * `node dist/bench/model-find.js [N records, default 20,000] [blocks, default 6]`.
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkyShelve } from '../src/index.js';
import { defineMember } from './member.js';

const n = Number(process.argv[2] ?? 20_000);
const blocks = Number(process.argv[3] ?? 6);
const PER_TEAM = 10;

/** CPU ns of the main thread so far (0 where /proc is missing). */
function mainThreadNs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}
function processUs(): number {
  const r = process.resourceUsage();
  return r.userCPUTime + r.systemCPUTime;
}

/** Runs `count` calls of `fn`; returns "main/all µs per call, calls/s". */
async function block(count: number, fn: (j: number) => Promise<unknown>): Promise<string> {
  const main0 = mainThreadNs();
  const all0 = processUs();
  const t0 = process.hrtime.bigint();
  for (let j = 0; j < count; j++) await fn(j);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const main = (mainThreadNs() - main0) / 1000 / count;
  const all = (processUs() - all0) / count;
  return `${main.toFixed(1)}/${all.toFixed(1)} µs ${Math.round(count / secs)}/s`;
}

const dir = mkdtempSync(join(tmpdir(), 'model-find-'));
try {
  const store = await SkyShelve.open(dir);
  const Member = defineMember(store);
  const id = (i: number) => `m${String(i).padStart(8, '0')}`;
  for (let i = 0; i < n; i++) await new Member({ id: id(i), email: `u${i}@example.com`, team: `team${Math.floor(i / PER_TEAM)}`, age: i % 90 }).save();
  const teams = n / PER_TEAM;
  const find = async (j: number) => {
    const found = await Member.scanIndex('team', `team${(j * 7919) % teams}`);
    if (found.length !== PER_TEAM) throw new Error(`found ${found.length}`);
  };
  const out: string[] = [];
  for (let b = 0; b < blocks; b++) out.push(await block(teams, find));
  const load = await block(n, (j) => Member.load(id((j * 7919) % n)));
  console.log(
    `load avg ${loadavg()[0].toFixed(2)}; find (main/all thread CPU per find, finds/s) per block of ${teams}: ${out.join(' | ')}; load by key: ${load}`,
  );
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
