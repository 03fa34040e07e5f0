import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const badgerModule = new URL('../../src/backend/badger.js', import.meta.url).href;

// Each thread writes its own key (sync and async writes in turn), reads it straight back, then
// publishes the value it wrote in shared memory. A read of another thread's key that starts after
// that thread published i (its write of i had returned) must see at least i.
const hammer = `
  const { workerData, parentPort } = require('node:worker_threads');
  import(workerData.module).then(async ({ BadgerBackend }) => {
    const { dir, id, threads, rounds, shared } = workerData;
    const published = new Int32Array(shared);
    const db = BadgerBackend.openSync({ path: dir });
    const key = (t) => Buffer.from('thread:' + t);
    const num = (v) => (v === undefined ? -1 : Number(Buffer.from(v).toString()));
    const failures = [];
    for (let i = 0; i < rounds && failures.length < 5; i++) {
      const ops = [{ type: 'put', key: key(id), value: Buffer.from(String(i)) }];
      if (i % 2 === 0) db.writeSync(ops); else await db.write(ops);
      const own = i % 3 === 0 ? num(await db.get(key(id))) : num(db.getSync(key(id)));
      if (own !== i) failures.push('thread ' + id + ' wrote ' + i + ' and read back ' + own);
      Atomics.store(published, id, i);
      const other = (id + 1 + (i % (threads - 1))) % threads;
      const floor = Atomics.load(published, other);
      const seen = num(db.getManySync([key(other)])[0]);
      if (seen < floor) failures.push('thread ' + id + ' read ' + seen + ' of thread ' + other + ' after it published ' + floor);
    }
    db.closeSync();
    parentPort.postMessage(failures);
  });`;

describe('Badger read-your-writes across Workers', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyshelve-ryw-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a read that starts after a write returned sees it, on every thread', async () => {
    const threads = 4;
    const shared = new SharedArrayBuffer(4 * threads);
    new Int32Array(shared).fill(-1);
    const results = await Promise.all(
      Array.from(
        { length: threads },
        (_, id) =>
          new Promise<string[]>((resolve, reject) => {
            const worker = new Worker(hammer, { eval: true, workerData: { module: badgerModule, dir, id, threads, rounds: 1500, shared } });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    );
    expect(results.flat()).to.deep.equal([]);
    const { BadgerBackend } = await import('../../src/backend/badger.js');
    const db = BadgerBackend.openSync({ path: dir });
    try {
      for (let id = 0; id < threads; id++) {
        expect(Buffer.from(db.getSync(Buffer.from('thread:' + id))!).toString()).to.equal('1499');
      }
    } finally {
      db.closeSync();
    }
  });
});
