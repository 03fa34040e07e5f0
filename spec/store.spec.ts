import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { BadgerDict, SkyShelve, SkyshelveError } from '../src/index.js';
import { rejectsWith } from './support/rejects.js';
import { cleanupTmp, tmpDir } from './support/tmp.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('SkyShelve on Badger: opening, sharing and locking', () => {
  after(cleanupTmp);

  it('keeps an in-memory store apart from every other', async () => {
    const a = new SkyShelve(null, { inMemory: true });
    const b = new SkyShelve(null, { inMemory: true });
    await a.set('k', 'a');
    expect(await b.get('k')).to.equal(undefined);
    expect(a.supports.inMemory).to.equal(true);
    await a.close();
    await b.close();
  });

  it('creates the directory of a new store and is aliased as BadgerDict', async () => {
    const dir = path.join(tmpDir(), 'nested', 'db');
    const store = new BadgerDict(dir);
    await store.set('a', 1);
    expect(await store.get('a')).to.equal(1);
    expect(store.location).to.equal(path.resolve(dir));
    await store.close();
  });

  it('shares one database when a path is opened twice, and closing one leaves the other working', async () => {
    const dir = tmpDir();
    const a = await SkyShelve.open(dir);
    const b = await SkyShelve.open(dir);
    await a.set('shared', 1);
    expect(await b.get('shared')).to.equal(1);
    await a.close();
    await b.set('still', 2);
    expect(await b.get('still')).to.equal(2);
    await b.close();
  });

  it('shares the database with worker threads that open the same path', async function () {
    this.timeout(60000);
    const dir = tmpDir();
    const store = await SkyShelve.open(dir);
    await store.set('from-main', 'hello');
    const runs = [1, 2].map(
      (id) =>
        new Promise<any>((resolve, reject) => {
          const w = new Worker(path.join(here, 'fixtures', 'worker-store.js'), { workerData: { path: dir, id } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    );
    const results = await Promise.all(runs);
    expect(results.map((r) => r.seen)).to.deep.equal(['hello', 'hello']);
    expect((await store.scan(['worker'])).length).to.equal(100);
    await store.close();
  });

  it('opens a store another process holds as its client, and takes over when that process is killed', async function () {
    this.timeout(60000);
    const dir = tmpDir();
    const child = spawn(process.execPath, [path.join(here, 'fixtures', 'hold-store.js'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let store: SkyShelve | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          if (String(d).includes('ready')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
      });
      store = await SkyShelve.open(dir);
      expect(await store.get('held-by')).to.equal(child.pid);
      expect(store.getSync('held-by')).to.equal(child.pid);
      await store.set('from-client', 1);
      child.kill('SIGKILL');
      await store.set('after-kill', 2);
      expect(await store.get('from-client')).to.equal(1);
      expect(await store.get('after-kill')).to.equal(2);
    } finally {
      child.kill('SIGKILL');
      await store?.close();
    }
  });

  it('fails at once with LOCKED naming the path when another process holds it with exclusive: true', async function () {
    this.timeout(60000);
    const dir = tmpDir();
    const child = spawn(process.execPath, [path.join(here, 'fixtures', 'hold-store.js'), dir, 'exclusive'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          if (String(d).includes('ready')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
      });
      const started = Date.now();
      const err = await rejectsWith(() => SkyShelve.open(dir), 'LOCKED');
      expect((err as Error).message).to.contain(dir);
      expect((err as Error).message).to.match(/exclusive: true/);
      expect((err as Error).message).to.match(/another process/i);
      expect((err as Error).message.split(dir).length - 1, 'the path is named once').to.equal(1);
      expect((err as Error).message, 'LOCKED says what to do').to.match(/Stop that process, or give this one its own directory/);
      expect(Date.now() - started, 'LOCKED must not wait for the lock').to.be.below(10000);
      const lazy = new SkyShelve(dir);
      await rejectsWith(() => lazy.get('held-by'), 'LOCKED');
      expect(() => lazy.getSync('x'))
        .to.throw(SkyshelveError)
        .with.property('code', 'LOCKED');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('rejects a bad location or options with a TypeError', () => {
    expect(() => new SkyShelve(null)).to.throw(TypeError, /inMemory/);
    expect(() => new SkyShelve('', {})).to.throw(TypeError);
    expect(() => new SkyShelve(42 as any)).to.throw(TypeError);
    expect(() => new SkyShelve('x', { syncWrites: 'yes' } as any)).to.throw(TypeError, /syncWrites/);
    expect(() => new SkyShelve('x', { inMemroy: true } as any)).to.throw(TypeError, /inMemory/);
  });

  it('surfaces a loader failure as NATIVE_LOAD listing the path it tried', async function () {
    this.timeout(30000);
    // A fresh process: once a library is loaded, a process keeps it (one Go runtime per process).
    const index = path.join(here, '..', 'src', 'index.js');
    const script = `const { SkyShelve } = await import(${JSON.stringify(index)});
      try { await SkyShelve.open(${JSON.stringify(tmpDir())}, { libPath: '/nonexistent/libskyshelve.so' }); console.log('opened'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    const out = await new Promise<string>((resolve) => {
      let text = '';
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout!.on('data', (d) => {
        text += d;
      });
      child.once('exit', () => resolve(text));
    });
    const result = JSON.parse(out.trim().split('\n').pop()!);
    expect(result.code).to.equal('NATIVE_LOAD');
    expect(result.message).to.contain('/nonexistent/libskyshelve.so');
    expect(result.message).to.contain('npm run build:native');
  });
});

describe('SkyShelve on Badger: values read without a copy', () => {
  after(cleanupTmp);

  // get and getSync decode straight from the backend's reused scratch (getSyncView): every value
  // they return must own its memory, or the next read would rewrite it.
  it('returns values that later reads leave intact, for every kind of value and a value larger than the scratch', async () => {
    const store = await SkyShelve.open<unknown>(tmpDir('sky-view-'));
    const big = Buffer.alloc(3 << 20, 7); // past the largest scratch (1 MiB): a one-off buffer
    const values: Record<string, unknown> = {
      bytes: Buffer.from('bytes-value'),
      text: 'a string value',
      nested: { name: 'n', blob: Buffer.from('inner-bytes'), list: [1, 'two'] },
      big,
    };
    try {
      for (const [k, v] of Object.entries(values)) await store.set(k, v);
      await store.set('other', Buffer.alloc(200, 0xee));
      for (const read of [(k: string) => store.getSync(k), (k: string) => store.get(k)]) {
        const got: Record<string, unknown> = {};
        for (const k of Object.keys(values)) got[k] = await read(k);
        for (let i = 0; i < 3; i++) await read('other');
        expect(got).to.deep.equal(values);
      }
    } finally {
      await store.close();
    }
  });
});

describe('SkyShelve on Badger: a store whose directory is removed while open', () => {
  const fixture = path.join(here, 'fixtures', 'dir-removed.js');
  const run = (how: 'close' | 'exit') => {
    const dir = tmpDir('sky-gone-');
    const started = Date.now();
    const r = spawnSync(process.execPath, [fixture, dir, how], { encoding: 'utf8', timeout: 30_000 });
    return { ...r, ms: Date.now() - started };
  };
  after(cleanupTmp);

  // Badger retries a failed memtable flush every second, forever, and its Close waits for it.
  it('fails close() with IO after a few failed flushes instead of hanging', function () {
    this.timeout(60_000);
    const r = run('close');
    expect(r.signal, 'the child hung and was killed').to.equal(null);
    expect(r.status).to.equal(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { code: string; message: string };
    expect(result.code).to.equal('IO');
    expect(result.message).to.match(/flush its memtable/);
  });

  it('lets process.exit() finish while the store is open', function () {
    this.timeout(60_000);
    const r = run('exit');
    expect(r.signal, 'the child hung and was killed').to.equal(null);
    expect(r.status).to.equal(0);
  });
});

describe('SkyShelve on Badger: free disk space', () => {
  after(cleanupTmp);

  it('refuses writes with IO below badger.minFreeDiskBytes, leaving the store readable and unchanged', async () => {
    const dir = tmpDir('sky-space-');
    const seed = await SkyShelve.open<string>(dir);
    await seed.set('kept', 'v');
    await seed.close();
    // More than any disk here has free: every write is below the reserve.
    const store = await SkyShelve.open<string>(dir, { badger: { minFreeDiskBytes: 2 ** 52 } });
    try {
      const err = await rejectsWith(() => store.set('new', 'x'), 'IO');
      expect((err as Error).message).to.match(/not enough free disk space/);
      expect((err as Error).message).to.contain('minFreeDiskBytes');
      expect(() => store.setSync('new', 'x'))
        .to.throw(SkyshelveError)
        .with.property('code', 'IO');
      await rejectsWith(() => store.batch([{ type: 'put', key: 'a', value: '1' }]), 'IO');
      expect(await store.get('kept')).to.equal('v');
      expect(await store.get('new')).to.equal(undefined);
      const keys = [];
      for await (const k of store.keys()) keys.push(k);
      expect(keys).to.deep.equal(['kept']);
    } finally {
      await store.close();
    }
  });

  it('rejects a negative minFreeDiskBytes with CONFIG', async () => {
    await rejectsWith(() => SkyShelve.open(tmpDir('sky-space-bad-'), { badger: { minFreeDiskBytes: -1 } }), 'CONFIG');
  });
});
