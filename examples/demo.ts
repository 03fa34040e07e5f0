// The main example: fill a store in ./data, read it back, then a small concurrent benchmark.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkyShelve } from '../src/index.js';

const store = await SkyShelve.open('data/demo');

await store.set('username', 'alice');
await store.set('profile', { plan: 'pro', since: new Date('2024-01-01'), tags: new Set(['beta']) });
await store.set('avatar', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
console.log('username:', await store.get('username'));
console.log('profile: ', await store.get('profile'));
console.log('avatar:  ', await store.get('avatar'));

for (let i = 0; i < 5; i++) await store.set(['order', i], { total: i * 10 });
console.log('orders:  ', await store.scan(['order']));

await store.sync();
await store.close();
console.log('synced and closed ./data/demo');

// The benchmark writes 32,000 throw-away keys, so it runs in a temporary store, removed afterwards.
const benchDir = mkdtempSync(join(tmpdir(), 'skyshelve-demo-bench-'));
const bench = await SkyShelve.open(benchDir);
const writers = 16;
const perWriter = 2000;
const started = performance.now();
await Promise.all(
  Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; i < perWriter; i++) {
      const key = `bench:${w}:${i}`;
      await bench.set(key, randomBytes(64));
      await bench.get(key);
    }
  }),
);
const ms = performance.now() - started;
const ops = writers * perWriter * 2;
console.log(`${writers} concurrent writers: ${ops} ops (set + get) in ${ms.toFixed(0)} ms = ${Math.round(ops / (ms / 1000)).toLocaleString('en-US')} ops/s`);

await bench.close();
rmSync(benchDir, { recursive: true, force: true });
