#!/usr/bin/env node
// Measures, from Node, what a client of another process pays to write a key and read it back: a
// getSync + writeSync loop on one key, and a Model.update loop on one counter, against an owner
// process that only serves. Prints wall time and CPU (client and owner) per iteration, and the
// client's read-cache counts (its reads of its own writes should all be hits).
// Usage: npm run build && node scripts/mp-own-writes.mjs [iterations=20000]
// (SKYSHELVE_LIB=<path> picks another libskyshelve for both processes, to compare builds.)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const { BadgerBackend } = await import(new URL('../dist/src/backend/badger.js', import.meta.url).href);
const { SkyShelve, closeModelStores } = await import(new URL('../dist/src/index.js', import.meta.url).href);
const n = Number(process.argv[2] ?? 20000);

if (process.argv[2] === 'owner') {
  const store = await SkyShelve.open(process.argv[3]);
  console.log('ready');
  setInterval(() => store, 1000);
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-own-writes-'));
  const owner = spawn(process.execPath, [new URL(import.meta.url).pathname, 'owner', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => owner.stdout.on('data', (d) => String(d).includes('ready') && resolve()));
  const ownerCpuUs = () => {
    const f = fs.readFileSync(`/proc/${owner.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // utime + stime, in clock ticks of 10 ms
  };
  const time = async (what, body) => {
    await body(Math.max(1, n >> 3)); // warm-up
    const o0 = ownerCpuUs();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await body(n);
    const wall = Number(process.hrtime.bigint() - t0) / 1e3 / n;
    const c = process.cpuUsage(c0);
    console.log(`${what}: ${wall.toFixed(1)} µs, client CPU ${((c.user + c.system) / n).toFixed(1)} µs, owner CPU ${((ownerCpuUs() - o0) / n).toFixed(1)} µs`);
  };
  try {
    const db = BadgerBackend.openSync({ path: dir });
    const key = Buffer.from('k');
    db.writeSync([{ type: 'put', key, value: Buffer.from('0') }]);
    await time('getSync + writeSync of one key', (count) => {
      for (let i = 0; i < count; i++) {
        const v = Number(String(db.getSync(key)));
        db.writeSync([{ type: 'put', key, value: Buffer.from(String(v + 1)) }]);
      }
    });
    const stats = await db.stats();
    console.log(`  role ${stats.role}, read cache ${JSON.stringify(stats.readCache)}`);
    const { Counter } = await import('./mp-counter.mjs');
    Counter.configureStorage(dir);
    const mutator = (c) => {
      c.value++;
    };
    await time('Model.update of one counter', async (count) => {
      for (let i = 0; i < count; i++) await Counter.update('c', { defaultFactory: () => new Counter('c'), mutator });
    });
    const after = await db.stats();
    console.log(`  read cache ${JSON.stringify(after.readCache)}`);
    db.closeSync();
    await closeModelStores();
  } finally {
    owner.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
