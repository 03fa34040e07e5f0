/**
 * A client's read cache (docs/MULTIPROCESS.md, "Reads from clients"): repeated reads of a client are
 * answered in the client, and every write that returned, in any process, is seen by the next read.
 */
import { expect } from 'chai';
import path from 'node:path';
import { SkyShelve } from '../../src/index.js';
import { lastJson, startFixture, type Proc } from '../support/procs.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  shared: boolean;
}

async function cacheOf(store: SkyShelve): Promise<CacheStats> {
  const s = await store.stats();
  expect(s.role).to.equal('client');
  return s.readCache as CacheStats;
}

describe('the read cache of a client of another process', function () {
  this.timeout(120_000);
  const kids: Proc[] = [];
  afterEach(() => {
    for (const k of kids.splice(0)) k.child.kill('SIGKILL');
  });
  after(cleanupTmp);

  async function ownerOf(dir: string): Promise<Proc> {
    const p = startFixture('owner', [dir]);
    kids.push(p);
    await p.line((l) => l === 'ready');
    return p;
  }

  it("answers repeated reads itself, and sees the owner's and other clients' writes at once", async () => {
    const dir = path.join(tmpDir('sky-mp-cache-'), 'db');
    const owner = await ownerOf(dir);
    const store = await SkyShelve.open<unknown>(dir);
    try {
      await store.set('k', 1);
      for (let i = 0; i < 5; i++) expect(store.getSync('k')).to.equal(1);
      const warm = await cacheOf(store);
      expect(warm.shared, 'the owner shares its stamp table').to.equal(true);
      expect(warm.hits).to.be.at.least(4);
      for (let v = 2; v <= 20; v++) {
        owner.send(`set k ${v}`);
        await owner.line((l) => l === `set k ${v}`);
        expect(store.getSync('k'), `after the owner's write of ${v}`).to.equal(v);
        expect(store.getSync('k')).to.equal(v);
      }
      expect(store.getSync('absent')).to.equal(undefined);
      owner.send('set absent "here"');
      await owner.line((l) => l === 'set absent "here"');
      expect(store.getSync('absent'), 'a cached absence outlived a write').to.equal('here');
      // Another client process writes keys this one has just read (and cached) as absent.
      for (let i = 0; i < 20; i++) expect(store.getSync(`other:${i}`)).to.equal(undefined);
      const w = startFixture('kv-writer', [dir, 'other', '20']);
      kids.push(w);
      expect(await w.exited, w.stderr()).to.equal(0);
      expect(lastJson(w)).to.deep.include({ readBack: 20 });
      const before = await cacheOf(store);
      expect(before.hits).to.be.above(warm.hits);
      const written = await store.scan('other:');
      expect(written).to.have.length(20);
      for (const [k, v] of written) expect(store.getSync(k), String(k)).to.deep.equal(v);
    } finally {
      await store.close();
    }
  });

  it("reads back its own writes without asking the owner, and still sees the owner's next write", async () => {
    const dir = path.join(tmpDir('sky-mp-cache-own-'), 'db');
    const owner = await ownerOf(dir);
    const store = await SkyShelve.open<unknown>(dir);
    try {
      await store.set('mine', 1);
      const before = await cacheOf(store);
      for (let v = 2; v <= 50; v++) {
        await store.set('mine', v);
        expect(store.getSync('mine')).to.equal(v);
        expect(await store.get('mine')).to.equal(v);
      }
      await store.delete('mine');
      expect(store.getSync('mine'), 'its own delete').to.equal(undefined);
      const after = await cacheOf(store);
      expect(after.misses - before.misses, 'reads of its own writes that asked the owner').to.equal(0);
      expect(after.hits - before.hits).to.be.at.least(99);
      owner.send('set mine "theirs"');
      await owner.line((l) => l === 'set mine "theirs"');
      expect(store.getSync('mine'), "the owner's write after the client's").to.equal('theirs');
    } finally {
      await store.close();
    }
  });

  it('never goes backwards in other processes while one process counts up, and ends on the last value', async () => {
    const dir = path.join(tmpDir('sky-mp-cache-race-'), 'db');
    await ownerOf(dir);
    const readers = [0, 1].map(() => startFixture('cache-reader', [dir]));
    kids.push(...readers);
    await Promise.all(readers.map((r) => r.line((l) => l === 'ready')));
    const store = await SkyShelve.open<number>(dir);
    try {
      for (let v = 1; v <= 1500; v++) await store.set('n', v);
    } finally {
      await store.close();
    }
    for (const r of readers) r.send('stop');
    const codes = await Promise.all(readers.map((r) => r.exited));
    expect(codes, readers.map((r) => r.stderr()).join('\n')).to.deep.equal([0, 0]);
    for (const r of readers) {
      const got = lastJson<{ reads: number; backwards: number; last: number; hits: number }>(r);
      expect(got.backwards, JSON.stringify(got)).to.equal(0);
      expect(got.last, 'a read after the last write returned').to.equal(1500);
      expect(got.reads).to.be.above(100);
      expect(got.hits, 'the cache answered some reads (else this proves nothing about it)').to.be.above(0);
    }
  });

  /** Caches k = 'old' from an owner process, lets that owner `leave`, then has a new owner process write k. */
  async function changeOwner(tag: string, leave: (first: Proc) => Promise<void>): Promise<void> {
    const dir = path.join(tmpDir(`sky-mp-cache-${tag}-`), 'db');
    const first = await ownerOf(dir);
    const store = await SkyShelve.open<unknown>(dir);
    try {
      await store.set('k', 'old');
      expect(store.getSync('k')).to.equal('old');
      expect(store.getSync('k')).to.equal('old');
      await leave(first);
      // This process or a new one becomes the owner; either way its write must be seen.
      const second = await ownerOf(dir);
      second.send('set k "new"');
      await second.line((l) => l === 'set k "new"');
      expect(store.getSync('k'), "the new owner's write").to.equal('new');
      expect(await store.get('k')).to.equal('new');
    } finally {
      await store.close();
    }
  }

  it('serves no cached value after its owner was SIGKILLed and a new owner wrote', async () => {
    // A new owner with no client yet marks nothing: only the owner id in the table protects.
    await changeOwner('kill', async (first) => {
      first.child.kill('SIGKILL');
      await first.exited;
    });
  });

  it("serves no cached value across a graceful change of owner: the new owner's writes are seen", async () => {
    await changeOwner('exit', async (first) => {
      first.send('exit');
      await first.exited;
    });
  });
});
