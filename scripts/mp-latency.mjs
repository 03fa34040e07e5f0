#!/usr/bin/env node
// Measures, from Node, a client handle's round trip to the owning process (getSync of a 100-byte
// value, no read cache, p50/p99) and how long a client takes to become the owner after the owner is SIGKILLed.
// Usage: npm run build && node scripts/mp-latency.mjs [gets=20000] [rounds=5]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const mod = new URL('../dist/src/backend/badger.js', import.meta.url).href;
const { BadgerBackend } = await import(mod);
const gets = Number(process.argv[2] ?? 20000);
const rounds = Number(process.argv[3] ?? 5);
const key = Buffer.from('k');

function startOwner(dir) {
  const script = `import(${JSON.stringify(mod)}).then(async ({ BadgerBackend }) => {
    const db = BadgerBackend.openSync({ path: ${JSON.stringify(dir)} });
    await db.write([{ type: 'put', key: Buffer.from('k'), value: Buffer.alloc(100, 7) }]);
    console.log('ready'); setInterval(() => db, 1000);
  });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout.on('data', (d) => String(d).includes('ready') && resolve(child)));
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
function timeGets(db) {
  for (let i = 0; i < 1000; i++) db.getSync(key);
  const t = [];
  for (let i = 0; i < gets; i++) {
    const s = process.hrtime.bigint();
    db.getSync(key);
    t.push(Number(process.hrtime.bigint() - s) / 1000);
  }
  t.sort((a, b) => a - b);
  return `p50 ${pct(t, 0.5).toFixed(1)} µs, p99 ${pct(t, 0.99).toFixed(1)} µs`;
}

const local = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-lat-'));
const ldb = BadgerBackend.openSync({ path: local });
await ldb.write([{ type: 'put', key, value: Buffer.alloc(100, 7) }]);
console.log(`local handle getSync (${gets}): ${timeGets(ldb)}`);
ldb.closeSync();

const takeovers = [];
for (let r = 0; r < rounds; r++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-lat-'));
  const owner = await startOwner(dir);
  // No read cache: every getSync is a round trip, and the one after the SIGKILL finds the owner gone.
  const db = BadgerBackend.openSync({ path: dir, badger: { readCacheSize: 0 } });
  if ((await db.stats()).role !== 'client') throw new Error('not a client');
  if (r === 0) console.log(`client handle getSync (${gets}): ${timeGets(db)}`);
  const s = process.hrtime.bigint();
  owner.kill('SIGKILL');
  db.getSync(key); // blocks while the client elects itself
  takeovers.push(Number(process.hrtime.bigint() - s) / 1e6);
  if ((await db.stats()).role !== 'owner') throw new Error('did not take over');
  db.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
}
takeovers.sort((a, b) => a - b);
console.log(`take-over after SIGKILL (${rounds} rounds): ${takeovers.map((t) => t.toFixed(1)).join(', ')} ms`);
fs.rmSync(local, { recursive: true, force: true });
