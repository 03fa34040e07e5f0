import { expect } from 'chai';
import { rejectsWith } from '../support/rejects.js';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BadgerBackend } from '../../src/backend/badger.js';
import type { RawEntry } from '../../src/backend/backend.js';
import { isSkyshelveError } from '../../src/errors.js';

const badgerModule = new URL('../../src/backend/badger.js', import.meta.url).href;
const b = (s: string) => Buffer.from(s);
const text = (v: Uint8Array | undefined) => (v === undefined ? undefined : Buffer.from(v).toString());

async function drain(cursor: { next(max: number): Promise<RawEntry[]> }, max: number, sizes: number[] = []): Promise<string[]> {
  const keys: string[] = [];
  for (;;) {
    const chunk = await cursor.next(max);
    if (chunk.length === 0) return keys;
    sizes.push(chunk.length);
    for (const e of chunk) keys.push(Buffer.from(e.key).toString());
  }
}

describe('Badger native backend', () => {
  let dir: string;
  let db: BadgerBackend;
  const opened: BadgerBackend[] = [];
  const open = (options: Parameters<typeof BadgerBackend.openSync>[0]) => {
    const backend = BadgerBackend.openSync(options);
    opened.push(backend);
    return backend;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-'));
    db = open({ path: dir });
  });
  afterEach(() => {
    for (const o of opened.splice(0)) o.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('puts, gets, deletes and answers has', async () => {
    await db.write([
      { type: 'put', key: b('a'), value: b('1') },
      { type: 'put', key: b('b'), value: b('2') },
    ]);
    expect(text(await db.get(b('a')))).to.equal('1');
    expect(text(db.getSync(b('b')))).to.equal('2');
    expect(await db.get(b('missing'))).to.equal(undefined);
    await db.write([{ type: 'del', key: b('a') }]);
    expect(await db.has(b('a'))).to.equal(false);
    expect(db.hasSync(b('b'))).to.equal(true);
  });

  it('returns values that later reads do not overwrite', async () => {
    db.writeSync([
      { type: 'put', key: b('x'), value: b('first') },
      { type: 'put', key: b('y'), value: b('second') },
    ]);
    const x = db.getSync(b('x'))!;
    db.getSync(b('y'));
    expect(text(x)).to.equal('first');
  });

  it('getMany keeps order, marks missing keys and resumes past a full buffer', async () => {
    const ops = Array.from({ length: 300 }, (_, i) => ({ type: 'put' as const, key: b(`k${i}`), value: Buffer.alloc(1000, i % 256) }));
    await db.write(ops);
    const keys = [b('nope'), ...ops.map((o) => o.key), b('nope2')];
    const values = await db.getMany(keys); // ~300 KB: more than one 64 KiB scratch
    expect(values.length).to.equal(302);
    expect(values[0]).to.equal(undefined);
    expect(values[301]).to.equal(undefined);
    for (let i = 0; i < 300; i++) expect(Buffer.from(values[i + 1]!).equals(ops[i].value)).to.equal(true);
    expect(await db.getMany([])).to.deep.equal([]);
  });

  it('iterates in bounded chunks, forward and reverse, within ranges', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    await db.write(names.map((n) => ({ type: 'put', key: b(n), value: b(n) })));
    const sizes: number[] = [];
    expect(await drain(db.iterate({}), 7, sizes)).to.deep.equal(names);
    expect(Math.max(...sizes)).to.equal(7);
    expect(await drain(db.iterate({ reverse: true }), 10)).to.deep.equal([...names].reverse());
    expect(await drain(db.iterate({ gte: b('k10'), lt: b('k13') }), 2)).to.deep.equal(['k10', 'k11', 'k12']);
    expect(await drain(db.iterate({ gte: b('k10'), lt: b('k13'), reverse: true }), 2)).to.deep.equal(['k12', 'k11', 'k10']);
    expect(await drain(db.iterate({ gte: b('z') }), 5)).to.deep.equal([]);
  });

  it('iterates values larger than the scratch buffer', async () => {
    await db.write([
      { type: 'put', key: b('a'), value: Buffer.alloc(200_000, 1) },
      { type: 'put', key: b('b'), value: Buffer.alloc(3_000_000, 2) },
    ]);
    const cursor = db.iterate({});
    const first = await cursor.next(10);
    const second = await cursor.next(10);
    expect([...first, ...second].map((e) => e.value.length)).to.deep.equal([200_000, 3_000_000]);
    await cursor.close();
  });

  it('round-trips a 10 MB value through the disk', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    await db.write([{ type: 'put', key: b('big'), value: big }]);
    db.closeSync();
    const again = open({ path: dir });
    expect(Buffer.from((await again.get(b('big')))!).equals(big)).to.equal(true);
  });

  it('rejects a 70,000-byte key with KEY_TOO_LARGE and stays usable', async () => {
    await rejectsWith(() => db.write([{ type: 'put', key: Buffer.alloc(70_000, 1), value: b('v') }]), 'KEY_TOO_LARGE');
    await rejectsWith(() => db.get(Buffer.alloc(70_000, 1)), 'KEY_TOO_LARGE');
    await db.write([{ type: 'put', key: b('after'), value: b('ok') }]);
    expect(text(await db.get(b('after')))).to.equal('ok');
  });

  it('rejects oversized values and batches with their codes', async () => {
    const mem = open({ inMemory: true });
    await rejectsWith(() => mem.write([{ type: 'put', key: b('v'), value: Buffer.alloc(2 * 1024 * 1024) }]), 'VALUE_TOO_LARGE');
    const many = Array.from({ length: 40_000 }, (_, i) => ({ type: 'put' as const, key: b(`key-${i}`), value: Buffer.alloc(100) }));
    await rejectsWith(() => db.write(many), 'TXN_TOO_BIG');
    expect(await db.has(b('key-0'))).to.equal(false);
  });

  it('writes durably through the async path when syncWrites is on', async () => {
    const durable = open({ inMemory: true, syncWrites: true });
    expect(durable.supports.durableWrites).to.equal(true);
    await durable.write([{ type: 'put', key: b('d'), value: b('1') }]);
    expect(text(await durable.get(b('d')))).to.equal('1');
    await rejectsWith(() => durable.write([{ type: 'put', key: Buffer.alloc(70_000), value: b('v') }]), 'KEY_TOO_LARGE');
    await durable.sync();
  });

  it('throws CLOSED after close, for every method and open cursors', async () => {
    await db.write([{ type: 'put', key: b('a'), value: b('1') }]);
    const cursor = db.iterate({});
    await db.close();
    await db.close(); // closing twice is harmless
    await rejectsWith(() => db.get(b('a')), 'CLOSED');
    await rejectsWith(() => db.write([{ type: 'put', key: b('a'), value: b('1') }]), 'CLOSED');
    await rejectsWith(() => db.stats(), 'CLOSED');
    await rejectsWith(() => db.sync(), 'CLOSED');
    await rejectsWith(() => db.iterate({}), 'CLOSED');
    await rejectsWith(() => cursor.next(5), 'CLOSED');
    expect(() => db.getSync(b('a')))
      .to.throw()
      .with.property('code', 'CLOSED');
  });

  it('shares one database between two opens of the same path', async () => {
    const second = open({ path: path.join(dir, '.') });
    await db.write([{ type: 'put', key: b('shared'), value: b('yes') }]);
    expect(text(await second.get(b('shared')))).to.equal('yes');
    db.closeSync();
    expect(text(await second.get(b('shared')))).to.equal('yes');
  });

  it('serves a second process as a client of this one', async () => {
    await db.write([{ type: 'put', key: b('from-owner'), value: b('o') }]);
    const script = `import(${JSON.stringify(badgerModule)}).then(async ({ BadgerBackend }) => {
      try {
        const c = BadgerBackend.openSync({ path: ${JSON.stringify(dir)} });
        const seen = Buffer.from(await c.get(Buffer.from('from-owner'))).toString();
        await c.write([{ type: 'put', key: Buffer.from('from-client'), value: Buffer.from('c') }]);
        console.log(seen + ' ' + (await c.stats()).role);
        c.closeSync();
      } catch (e) { console.log(e.code + ' ' + e.message); }
    });`;
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    expect(output.trim()).to.equal('o client');
    expect(text(await db.get(b('from-client')))).to.equal('c');
    expect((await db.stats()).role).to.equal('owner');
  });

  it('gives LOCKED to an exclusive open by a second process', async () => {
    await db.write([{ type: 'put', key: b('from-first'), value: b('1') }]);
    const script = (exclusive: boolean) => `import(${JSON.stringify(badgerModule)}).then(({ BadgerBackend }) => {
      try { const h = BadgerBackend.openSync({ path: ${JSON.stringify(dir)}, exclusive: ${exclusive} }); console.log('OPENED ' + Buffer.from(h.getSync(Buffer.from('from-first')) ?? []).toString()); h.closeSync(); }
      catch (e) { console.log(e.code + ' ' + e.message); }
    });`;
    const run = (exclusive: boolean) =>
      new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['-e', script(exclusive)], { timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
    expect(await run(false)).to.equal('OPENED 1\n');
    const output = await run(true);
    expect(output).to.match(/^LOCKED /);
    expect(output).to.contain(dir);
    expect(output).to.contain('another process');
  });

  it('shares the path with worker_threads', async () => {
    await db.write([{ type: 'put', key: b('from-main'), value: b('m') }]);
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.module).then(async ({ BadgerBackend }) => {
        const w = BadgerBackend.openSync({ path: workerData.dir });
        const seen = Buffer.from(await w.get(Buffer.from('from-main'))).toString();
        await w.write([{ type: 'put', key: Buffer.from('from-worker'), value: Buffer.from('w') }]);
        await w.close();
        parentPort.postMessage(seen);
      });`;
    const seen = await new Promise((resolve, reject) => {
      const worker = new Worker(code, { eval: true, workerData: { module: badgerModule, dir } });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(seen).to.equal('m');
    expect(text(await db.get(b('from-worker')))).to.equal('w');
  });

  it('answers large getMany calls from several Workers and the main thread at once, in key order', async () => {
    // From 128 keys on, Go may split a getMany with a helper goroutine (native/getmany_split.go);
    // concurrent callers share a bounded number of helpers. Every answer must stay exact.
    const ops = Array.from({ length: 2000 }, (_, i) => ({ type: 'put' as const, key: b(`w${i}`), value: b(`value-${i}`.repeat(1 + (i % 7))) }));
    await db.write(ops);
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.module).then(async ({ BadgerBackend }) => {
        const w = BadgerBackend.openSync({ path: workerData.dir });
        let wrong = 0;
        for (let round = 0; round < 30; round++) {
          const ids = Array.from({ length: 1000 }, (_, j) => (j * 7919 + round * 131) % 2100); // 2000..2099 missing
          const values = w.getManySync(ids.map((i) => Buffer.from('w' + i)));
          ids.forEach((i, j) => {
            const want = i < 2000 ? ('value-' + i).repeat(1 + (i % 7)) : undefined;
            const got = values[j] === undefined ? undefined : Buffer.from(values[j]).toString();
            if (got !== want) wrong++;
          });
        }
        await w.close();
        parentPort.postMessage(wrong);
      });`;
    const workers = Array.from(
      { length: 3 },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(code, { eval: true, workerData: { module: badgerModule, dir } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    );
    const keys = ops.map((o) => o.key).reverse();
    for (let round = 0; round < 30; round++) {
      const values = db.getManySync(keys);
      for (let j = 0; j < keys.length; j++) expect(Buffer.from(values[j]!).equals(ops[1999 - j].value)).to.equal(true);
    }
    expect(await Promise.all(workers)).to.deep.equal([0, 0, 0]);
  });

  it('lists the paths it tried when the library cannot be loaded', () => {
    const bad = path.join(dir, 'no-such-lib.so');
    try {
      BadgerBackend.openSync({ path: dir, libPath: bad });
      expect.fail('opened with a missing library');
    } catch (err) {
      expect(isSkyshelveError(err, 'NATIVE_LOAD')).to.equal(true);
      expect((err as Error).message)
        .to.contain(bad)
        .and.to.contain('does not exist')
        .and.to.contain('npm run build:native');
    }
  });

  it('rejects bad options: TypeError for types, CONFIG for values', () => {
    expect(() => BadgerBackend.openSync({ path: 42 as unknown as string })).to.throw(TypeError, /options\.path/);
    expect(() => BadgerBackend.openSync({}))
      .to.throw()
      .with.property('code', 'CONFIG');
    const misspelled = { memTabelSize: 1 } as unknown as Parameters<typeof BadgerBackend.openSync>[0]['badger'];
    expect(() => BadgerBackend.openSync({ inMemory: true, badger: misspelled }))
      .to.throw(/memTabelSize/)
      .with.property('code', 'CONFIG');
  });

  it('reports stats with the effective options', async () => {
    const stats = await db.stats();
    expect(stats.engine).to.equal('badger');
    expect(stats.path).to.equal(fs.realpathSync(dir));
    expect((stats.options as Record<string, unknown>).memTableSize).to.equal(16 * 1024 * 1024);
  });
});
