import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BadgerBackend } from '../../src/backend/badger.js';

const badgerModule = new URL('../../src/backend/badger.js', import.meta.url).href;

// The row cache (native/rowcache.go) with several Workers: each owns KEYS keys and writes one of
// them per round (sync and async writes in turn), so every key is read many times between its
// writes and reads are mostly served by the cache. Each thread checks that it reads back every
// value it wrote (getSync, get, getManySync, hasSync), and that a read of another thread's key
// that starts after that thread published round i sees at least i.
const KEYS = 8;
const hammer = `
  const { workerData, parentPort } = require('node:worker_threads');
  import(workerData.module).then(async ({ BadgerBackend }) => {
    const { dir, id, threads, rounds, shared, keys } = workerData;
    const published = new Int32Array(shared);
    const db = BadgerBackend.openSync({ path: dir, badger: { rowCacheSize: 1 << 20 } });
    const key = (t, j) => Buffer.from('t' + t + ':' + j);
    const num = (v) => (v === undefined ? -1 : Number(Buffer.from(v).toString()));
    const mine = new Array(keys).fill(-1); // the last value written to each own key
    const failures = [];
    for (let i = 0; i < rounds && failures.length < 5; i++) {
      const j = i % keys;
      Atomics.store(published, threads + id, i); // started round i
      const ops = i % 7 === 6 ? [{ type: 'del', key: key(id, j) }] : [{ type: 'put', key: key(id, j), value: Buffer.from(String(i)) }];
      if (i % 2 === 0) db.writeSync(ops); else await db.write(ops);
      mine[j] = ops[0].type === 'del' ? -1 : i;
      for (let r = 0; r < 3; r++) {
        const k = (j + r) % keys;
        const got = [num(db.getSync(key(id, k))), num(await db.get(key(id, k))), num(db.getManySync([key(id, k)])[0])];
        if (got.some((v) => v !== mine[k])) failures.push('thread ' + id + ' wrote ' + mine[k] + ' to ' + k + ' and read back ' + got);
        if (db.hasSync(key(id, k)) !== (mine[k] >= 0)) failures.push('thread ' + id + ' has(' + k + ') is wrong after ' + mine[k]);
      }
      Atomics.store(published, id, i);
      const other = (id + 1 + (i % (threads - 1))) % threads;
      const floor = Atomics.load(published, other);
      if (floor >= 0) {
        // Rounds floor.. of the other thread may have written this key: a value from one of them, or
        // nothing if one of them was a delete of it (rounds in flight count: started is read last).
        const k = floor % keys;
        const seen = num(db.getManySync([key(other, k)])[0]);
        const top = Atomics.load(published, threads + other);
        let ok = seen >= floor && seen <= top;
        for (let d = floor; d <= top && !ok && seen === -1; d += keys) ok = d % 7 === 6;
        if (!ok) failures.push('thread ' + id + ' read ' + seen + ' of thread ' + other + ' key ' + k + ' after it published ' + floor + ' (started ' + top + ')');
      }
    }
    db.closeSync();
    parentPort.postMessage(failures);
  });`;

describe('Badger row cache', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyshelve-rowcache-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads your writes from several Workers while the cache serves reads', async () => {
    const threads = 4;
    const shared = new SharedArrayBuffer(8 * threads); // published rounds, then started rounds
    new Int32Array(shared).fill(-1);
    // Held open by the main thread too, so the store (and its cache's counters) outlive the Workers.
    const db = BadgerBackend.openSync({ path: dir, badger: { rowCacheSize: 1 << 20 } });
    try {
      const results = await Promise.all(
        Array.from(
          { length: threads },
          (_, id) =>
            new Promise<string[]>((resolve, reject) => {
              const worker = new Worker(hammer, { eval: true, workerData: { module: badgerModule, dir, id, threads, rounds: 600, shared, keys: KEYS } });
              worker.once('message', resolve);
              worker.once('error', reject);
            }),
        ),
      );
      expect(results.flat()).to.deep.equal([]);
      const cache = (await db.stats()).rowCache as { hits: number; rows: number };
      expect(cache.hits, 'the cache never answered a read: the test proved nothing').to.be.greaterThan(1000);
      for (let id = 0; id < threads; id++) {
        for (let j = 0; j < KEYS; j++) {
          const last = 600 - KEYS + j; // the last round that wrote key j
          const want = last % 7 === 6 ? undefined : String(last);
          const got = db.getSync(Buffer.from(`t${id}:${j}`));
          expect(got === undefined ? undefined : Buffer.from(got).toString(), `t${id}:${j}`).to.equal(want);
        }
      }
    } finally {
      db.closeSync();
    }
  });

  it('is on by default and off with rowCacheSize 0', async () => {
    for (const [badger, on] of [
      [{}, true],
      [{ rowCacheSize: 0 }, false],
    ] as const) {
      const db = BadgerBackend.openSync({ inMemory: true, badger });
      try {
        db.writeSync([{ type: 'put', key: Buffer.from('k'), value: Buffer.from('v') }]);
        for (let i = 0; i < 3; i++) expect(Buffer.from(db.getSync(Buffer.from('k'))!).toString()).to.equal('v');
        const stats = await db.stats();
        expect((stats.rowCache as { hits: number }).hits > 0, JSON.stringify(badger)).to.equal(on);
        expect((stats.options as { rowCacheSize: number }).rowCacheSize).to.equal(on ? 8 << 20 : 0);
      } finally {
        db.closeSync();
      }
    }
  });

  it('rejects a negative rowCacheSize with CONFIG', () => {
    expect(() => BadgerBackend.openSync({ inMemory: true, badger: { rowCacheSize: -1 } }))
      .to.throw(/rowCacheSize|cache sizes/)
      .with.property('code', 'CONFIG');
  });
});
