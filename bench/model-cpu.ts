/**
 * Model pipeline probe (issue 13 §2): wall and CPU µs per op (process.resourceUsage, user+system, which
 * includes the native threads, and the main thread's own CPU from /proc/self/task/<pid>/schedstat) for the ops of bench/orm.ts, skyshelve only, so runs on a shared box
 * compare. `node dist/bench/model-cpu.js [N] [rounds]`; with MODEL_CPU_PROF=dir, one CPU profile per op
 * (dir/<op>.cpuprofile, last round).
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Session } from 'node:inspector/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkyShelve } from '../src/index.js';
import { defineMember } from './member.js';

const n = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 1);
const PER_TEAM = 10;
const profDir = process.env.MODEL_CPU_PROF;
const session = profDir ? new Session() : undefined;
session?.connect();
/** CPU ns of this (the main) thread so far, from /proc (Linux); 0 elsewhere. */
function mainThreadNs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}
const id = (i: number) => `m${String(i).padStart(8, '0')}`;

async function run(round: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'model-cpu-'));
  const store = await SkyShelve.open(dir);
  try {
    const Member = defineMember(store);
    const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const teams = n / PER_TEAM;
    const time = async (label: string, count: number, fn: (j: number) => Promise<unknown>) => {
      if (session) {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 50 });
        await session.post('Profiler.start');
      }
      const cpu0 = process.resourceUsage();
      const main0 = mainThreadNs();
      const t0 = process.hrtime.bigint();
      for (let j = 0; j < count; j++) await fn(j);
      const wall = Number(process.hrtime.bigint() - t0) / 1000 / count;
      const cpu1 = process.resourceUsage();
      const main = (mainThreadNs() - main0) / 1000 / count;
      if (session) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(join(profDir!, `${label}.cpuprofile`), JSON.stringify(profile));
      }
      const cpu = (cpu1.userCPUTime - cpu0.userCPUTime + cpu1.systemCPUTime - cpu0.systemCPUTime) / count;
      console.log(
        `round ${round} ${label.padEnd(14)} wall ${wall.toFixed(1).padStart(6)} µs  cpu ${cpu.toFixed(1).padStart(6)} µs  main thread ${main.toFixed(1).padStart(6)} µs`,
      );
    };
    await time('save', n, (i) => new Member({ id: id(i), email: `u${i}@example.com`, team: `team${Math.floor(i / PER_TEAM)}`, age: i % 90 }).save());
    await time('load', n, (j) => Member.load(id(order[j]!)));
    await time('update', n, (j) =>
      Member.update(id(order[j]!), {
        mutator: (m) => {
          m.age += 1;
        },
      }),
    );
    // MODEL_CPU_PAUSE=ms: let Badger's background work after the writes settle before the reads.
    if (process.env.MODEL_CPU_PAUSE) await new Promise((r) => setTimeout(r, Number(process.env.MODEL_CPU_PAUSE)));
    await time('find-by-index', teams, async (j) => {
      const found = await Member.scanIndex('team', `team${order[j]! % teams}`);
      if (found.length !== PER_TEAM) throw new Error(`found ${found.length}`);
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (let r = 1; r <= rounds; r++) await run(r);
