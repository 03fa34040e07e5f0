/**
 * Model figures, standalone: `node dist/bench/models-contention.js [n]`.
 *   - saves/s of a PersistentBaseModel with 2 indexes (one unique), one process, one save at a time;
 *   - scanIndex queries/s, each returning 10 records;
 *   - the aggregate Counter.update rate of 4 processes contending on one Badger directory (no option)
 *     (one shared counter, then 50 random counters), checked for lost updates.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Index, Key, Persistent, PersistentBaseModel, SkyShelve, closeModelStores } from '../src/index.js';
import { Counter, configureCounter } from '../spec/model/fixtures/counter.js';

const n = Number(process.argv[2] ?? 5000);
const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '../spec/model/fixtures/counter-worker.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-bench-models-'));

async function singleProcess(): Promise<void> {
  const store = await SkyShelve.open(path.join(tmp, 'single'));
  @Persistent({ store })
  class Member extends PersistentBaseModel<'email' | 'team'> {
    @Key() id!: string;
    @Index({ unique: true }) email!: string;
    @Index() team!: string;
    age = 0;
  }
  let t = performance.now();
  for (let i = 0; i < n; i++) await new Member({ id: `m${i}`, email: `m${i}@example.com`, team: `team${Math.floor(i / 10)}`, age: i % 90 }).save();
  report('save, 2 indexes (1 unique)', n, performance.now() - t);
  const queries = Math.floor(n / 10);
  t = performance.now();
  for (let q = 0; q < queries; q++) {
    const found = await Member.scanIndex('team', `team${(q * 7919) % queries}`);
    if (found.length !== 10) throw new Error(`scanIndex returned ${found.length}`);
  }
  report('scanIndex, 10 records each', queries, performance.now() - t);
  await store.close();
}

/** Starts `procs` workers, releases them together, and reports the aggregate rate. */
async function contention(procs: number, each: number, keys: number): Promise<void> {
  const dir = path.join(tmp, `mp-${keys}`);
  fs.mkdirSync(dir);
  const kids = Array.from({ length: procs }, () => {
    const child = spawn(process.execPath, [worker, dir, String(each), String(keys)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    let exited = false;
    const exit = new Promise<number | null>((r) =>
      child.on('exit', (code) => {
        exited = true;
        r(code);
      }),
    );
    return { child, exit, out: () => out, exited: () => exited };
  });
  while (!kids.every((k) => k.out().includes('ready'))) {
    if (kids.some((k) => k.exited())) {
      for (const k of kids) k.child.kill();
      throw new Error('a worker exited before it was ready');
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const t = performance.now();
  for (const k of kids) k.child.stdin.write('go\n');
  await Promise.all(kids.map((k) => k.exit));
  const ms = performance.now() - t;
  configureCounter(dir);
  const counters = await Counter.scan();
  const total = counters.reduce((sum, c) => sum + c.value, 0);
  const verify = await Counter.verifyIndexes();
  await closeModelStores();
  report(
    `update, ${procs} processes, ${keys === 1 ? '1 counter' : `${keys} counters`} (total ${total} of ${procs * each}; index missing ${verify.missing}, stale ${verify.stale})`,
    procs * each,
    ms,
  );
}

function report(what: string, ops: number, ms: number): void {
  console.log(`${what.padEnd(90)} ${String(Math.round((ops / ms) * 1000)).padStart(8)} ops/s  (${ops} in ${(ms / 1000).toFixed(2)} s)`);
}

try {
  await singleProcess();
  await contention(4, 1000, 1);
  await contention(4, 1000, 50);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
