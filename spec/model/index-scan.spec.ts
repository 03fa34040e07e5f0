/**
 * The index-scan fast path (Backend.indexScan, docs/ABI.md "Index scans"): scanIndex, children,
 * scanIndexRange, find and page give the same results with it as with the scan-then-getMany path,
 * on a local Badger store (main thread and a Worker), on a client of another process, and on a
 * SlateDB writer.
 */
import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeInternalKey, decodeInternalKeyTail, internalKey, internalPrefix } from '../../src/codec/keys.js';
import { recordKeyOf } from '../../src/backend/index-scan.js';
import { SkyShelve } from '../../src/index.js';
import { entryKey, recordKey, recordRange } from '../../src/model/layout.js';
import { startFixture, type Proc } from '../support/procs.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { Address, bothWays, defineMember, seed, type BothWays } from './index-scan-cases.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The fast path was taken, the fallback never called it, and both gave the same results. */
function expectSame(r: BothWays): void {
  expect(r.supported).to.equal(true);
  expect(r.fastCalls).to.be.greaterThan(10);
  expect(r.slowCalls, 'the fallback made index scans').to.equal(0);
  expect(r.fast).to.deep.equal(r.slow);
}

describe('Index scans (Backend.indexScan): the same results as scan then getMany', function () {
  this.timeout(60_000);
  let holder: Proc | undefined;
  let store: SkyShelve<any> | undefined;
  // Closed even when a test fails: an open store closing at exit after cleanupTmp removed its directory retries forever.
  afterEach(async () => {
    await store?.close();
    store = undefined;
    holder?.child.kill('SIGKILL');
    holder = undefined;
  });
  after(cleanupTmp);

  it('on a local Badger store', async () => {
    store = await SkyShelve.open(path.join(tmpDir('sky-iscan-'), 'db'));
    const Member = defineMember(store);
    await seed(store, Member);
    const r = await bothWays(store, Member);
    expectSame(r);
    const fast = r.fast;
    // The data the comparison rests on: missing records skipped, nested classes and Dates restored.
    const red = fast[0] as { id: string; address: unknown; joined: string }[];
    expect(red.map((m) => m.id)).to.not.include('m04');
    expect(red.map((m) => m.id)).to.have.length(20 - 2);
    expect(red.find((m) => m.id === 'm08')).to.deep.include({
      joined: '2020-01-09T00:00:00.000Z',
      address: { nested: true, since: '2019-06-09T00:00:00.000Z' },
    });
  });

  it('in a Worker sharing the store with the main thread', async () => {
    const dir = path.join(tmpDir('sky-iscan-w-'), 'db');
    store = await SkyShelve.open(dir);
    await seed(store, defineMember(store));
    const worker = new Worker(path.join(fixtures, 'index-scan-worker.js'), { workerData: { path: dir } });
    const r = await new Promise<BothWays>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expectSame(r);
    expect((r.fast[0] as unknown[]).length).to.equal(18);
  });

  it('on a client of another process (the owner answers the new request)', async () => {
    const dir = path.join(tmpDir('sky-iscan-mp-'), 'db');
    holder = startFixture('owner', [dir]);
    await holder.line((l) => l === 'ready');
    store = await SkyShelve.open(dir);
    expect((await (await store.backend()).stats()).role).to.equal('client');
    const Member = defineMember(store);
    await seed(store, Member);
    const r = await bothWays(store, Member);
    expectSame(r);
    expect((r.fast[1] as unknown[]).length).to.equal(10 - 1);
  });

  /** Repeated finds of one value (answered from the owner's scan cache, native/scancache.go) see every kind of write. */
  async function repeatedFindsSeeEveryWrite(s: SkyShelve<any>): Promise<void> {
    const Member = defineMember(s);
    const make = (id: string, team: string, age: number) => Object.assign(new Member(), { id, team, age });
    for (let i = 0; i < 5; i++) await make(`c${i}`, 'cyan', i).save();
    const find = async (team: string) => (await Member.scanIndex('team', team)).map((m) => `${m.id}:${m.age}`).sort();
    const hits = async () => ((await s.stats()) as { scanCache: { hits: number } }).scanCache.hits;
    for (let i = 0; i < 3; i++) expect(await find('cyan')).to.deep.equal(['c0:0', 'c1:1', 'c2:2', 'c3:3', 'c4:4']);
    const before = await hits();
    expect(before, 'the repeated find was answered from the scan cache').to.be.greaterThan(0);
    await make('c5', 'cyan', 5).save();
    await Member.update('c0', { mutator: (m) => void (m.team = 'teal') });
    await (await Member.load('c1')).delete();
    await Member.update('c2', { mutator: (m) => void (m.age = 20) });
    for (let i = 0; i < 3; i++) {
      expect(await find('cyan')).to.deep.equal(['c2:20', 'c3:3', 'c4:4', 'c5:5']);
      expect(await find('teal')).to.deep.equal(['c0:0']);
    }
    expect(await hits()).to.be.greaterThan(before);
  }

  it('repeated finds answered from the scan cache see every write, on a local store and on a client', async () => {
    store = await SkyShelve.open(path.join(tmpDir('sky-iscan-cache-'), 'db'));
    await repeatedFindsSeeEveryWrite(store);
    await store.close();
    const dir = path.join(tmpDir('sky-iscan-cache-mp-'), 'db');
    holder = startFixture('owner', [dir]);
    await holder.line((l) => l === 'ready');
    store = await SkyShelve.open(dir);
    expect((await (await store.backend()).stats()).role).to.equal('client');
    await repeatedFindsSeeEveryWrite(store);
  });

  it('on a SlateDB writer (scan and gets from one Db.snapshot)', async () => {
    store = await SkyShelve.open('slatedb://' + tmpDir('sky-iscan-slate-'));
    const Member = defineMember(store);
    await seed(store, Member);
    const r = await bothWays(store, Member);
    expectSame(r);
    expect((r.fast[0] as unknown[]).length).to.equal(18);
  });

  it('decodes only the elements after a shared prefix, as strictly as the whole key', () => {
    const key = internalKey(['i', 'Member', 'teamAge', 'red', 30, 'm01']);
    const shared = internalPrefix(['i', 'Member', 'teamAge', 'red']);
    expect(decodeInternalKeyTail(key, shared.length)).to.deep.equal(decodeInternalKey(key).slice(4));
    const bad = Uint8Array.from([...shared, 0x20, 0xff, 0x00, 0x00]); // invalid UTF-8 in the tail
    expect(() => decodeInternalKeyTail(bad, shared.length))
      .to.throw()
      .with.property('code', 'DECODE');
    expect(() => decodeInternalKeyTail(Uint8Array.from([...shared, 0x00]), shared.length))
      .to.throw()
      .with.property('code', 'DECODE');
  });

  it('derives the record key from an entry key in TypeScript as the Go side does', () => {
    const prefix = recordRange('Member').gte;
    for (const pk of ['m01', 7, -2.5, Uint8Array.from([0, 1, 255]), 'a\u0000b']) {
      for (const value of ['red', 3, ['red', 30]] as const) {
        expect(recordKeyOf(prefix, entryKey('Member', 'team', value as never, pk))).to.deep.equal(recordKey('Member', pk));
      }
    }
    for (const bad of [[], [0xfe], [0xfe, 0x00], [0xfe, 0x20, 0x61], [0xfe, 0x10, 1, 0], [0xfe, 0x77, 0x00], [0xfe, 0x20, 0, 0, 0]]) {
      expect(recordKeyOf(prefix, Uint8Array.from(bad)), JSON.stringify(bad)).to.equal(undefined);
    }
  });

  it('reads a long index range in chunks, resuming after each chunk', async () => {
    store = await SkyShelve.open(path.join(tmpDir('sky-iscan-long-'), 'db'));
    const Member = defineMember(store);
    const many = Array.from({ length: 600 }, (_, i) => Object.assign(new Member(), { id: `k${String(i).padStart(4, '0')}`, team: 'big', age: i }));
    for (const m of many) await m.save();
    const ids = (ms: { id: string }[]) => ms.map((m) => m.id);
    expect(ids(await Member.scanIndex('team', 'big'))).to.deep.equal(ids(many));
    expect(ids(await Member.scanIndexRange('teamAge', { gte: ['big', 100], reverse: true, limit: 300 }))).to.deep.equal(ids(many).reverse().slice(0, 300));
    let n = 0;
    for await (const m of Member.iterate({ index: 'team', value: 'big' }, { reverse: true })) expect(m.id).to.equal(many[599 - n++]!.id);
    expect(n).to.equal(600);
  });

  it('returns records larger than the output scratch (the call retries with a buffer of the size Go asks)', async () => {
    store = await SkyShelve.open(path.join(tmpDir('sky-iscan-big-'), 'db'));
    const Member = defineMember(store);
    const big = Array.from({ length: 4 }, (_, i) => {
      const address = Object.assign(new Address(), { street: 'x'.repeat(300_000 + i), since: new Date(i) });
      return Object.assign(new Member(), { id: `b${i}`, team: 'huge', address });
    });
    for (const m of big) await m.save();
    const found = await Member.scanIndex('team', 'huge');
    expect(found.map((m) => [m.id, m.address!.street.length])).to.deep.equal(big.map((m, i) => [m.id, 300_000 + i]));
  });
});
