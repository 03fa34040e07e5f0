#!/usr/bin/env node
// Measures a graceful hand-over from a client's side: an owner process with 50,000 puts closes
// while a client process writes in a loop for a second; prints the client's longest `await set`
// (the stall while it elects itself and opens Badger) and the owner's close time. Three rounds.
// Usage: npm run build && node scripts/mp-handover.mjs
// (SKYSHELVE_LIB=<path> picks another libskyshelve for both processes, to compare builds.)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const role = process.argv[2];

if (role === 'owner' || role === 'client') {
  const { SkyShelve } = await import(new URL('../dist/src/index.js', import.meta.url).href);
  const store = await SkyShelve.open(process.argv[3]);
  const value = Buffer.alloc(100, 1);
  if (role === 'owner') {
    for (let i = 0; i < 50_000; i++) store.setSync(`a${i % 5000}`, value);
    process.stdout.write('ready\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const t = process.hrtime.bigint();
    await store.close();
    console.log(`owner: close took ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(1)} ms`);
  } else {
    const end = Date.now() + 1000;
    let longest = 0;
    let n = 0;
    let prev = process.hrtime.bigint();
    while (Date.now() < end) {
      await store.set(`b${n++ % 1000}`, value);
      const t = process.hrtime.bigint();
      longest = Math.max(longest, Number(t - prev) / 1e6);
      prev = t;
    }
    console.log(`client: ${n} writes, longest ${longest.toFixed(1)} ms, role now ${(await store.stats()).role}`);
    await store.close();
  }
  process.exit(0);
}

for (let round = 0; round < 3; round++) {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mp-handover-')), 'db');
  const owner = spawn(process.execPath, [self, 'owner', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => owner.stdout.once('data', resolve));
  owner.stdout.pipe(process.stdout);
  const client = spawn(process.execPath, [self, 'client', dir], { stdio: 'inherit' });
  await Promise.all([new Promise((resolve) => owner.on('close', resolve)), new Promise((resolve) => client.on('close', resolve))]);
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
}
