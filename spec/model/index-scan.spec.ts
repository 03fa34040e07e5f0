/**
 * The index-scan fast path (Backend.indexScan, docs/ABI.md "Index scans"): scanIndex, children,
 * scanIndexRange, find and page give the same results with it as with the scan-then-getMany path,
 * on a local Badger store and on a client of another process.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { Type } from 'class-transformer';
import { IsString, ValidateNested } from 'class-validator';
import path from 'node:path';
import type { Backend } from '../../src/backend/backend.js';
import { Index, Key, Persistent, PersistentBaseModel, SkyShelve } from '../../src/index.js';
import { recordKey } from '../../src/model/layout.js';
import { startFixture, type Proc } from '../support/procs.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

class Address {
  @IsString() street!: string;
  @Type(() => Date) since!: Date;
}

function defineMember(store: SkyShelve<any>) {
  @Persistent({ store })
  @Index('teamAge', ['team', 'age'])
  @Index('tag', (m: Member) => m.tags)
  class Member extends PersistentBaseModel<'team' | 'teamAge' | 'tag'> {
    @Key() id!: string;
    @Index() team!: string;
    age = 0;
    tags: string[] = [];
    @Type(() => Date) joined = new Date(0);
    @ValidateNested() @Type(() => Address) address?: Address;
  }
  return Member;
}

type MemberClass = ReturnType<typeof defineMember>;

/** Every query the fast path serves, as plain data (class names and Dates made visible). */
async function queries(Member: MemberClass): Promise<unknown[]> {
  const show = (ms: InstanceType<MemberClass>[]) =>
    ms.map((m) => ({
      cls: m.constructor.name,
      id: m.id,
      age: m.age,
      tags: m.tags,
      joined: m.joined instanceof Date ? m.joined.toISOString() : 'not a Date',
      address: m.address ? { nested: m.address instanceof Address, since: m.address.since instanceof Date && m.address.since.toISOString() } : null,
    }));
  const out: unknown[] = [];
  out.push(show(await Member.scanIndex('team', 'red')));
  out.push(show(await Member.children('team', 'blue')));
  out.push(show(await Member.scanIndex('team', 'nobody')));
  out.push(show(await Member.scanIndex('teamAge', ['red'])));
  out.push(show(await Member.scanIndexRange('teamAge', { gte: ['red', 20], lt: ['red', 50] })));
  out.push(show(await Member.scanIndexRange('teamAge', { gt: ['blue'], reverse: true, limit: 3 })));
  out.push(show(await Member.scanIndexRange('tag', { gte: 'a', limit: 4 })));
  out.push(show(await Member.scanIndexRange('tag', { limit: 0 })));
  out.push(show(await Member.find({ team: 'red' })));
  out.push(show(await Member.find({ tag: 'x' })));
  out.push(show(await Member.find({ team: 'red', tag: 'x' })));
  for (const reverse of [false, true]) {
    let cursor: string | undefined;
    do {
      const page = await Member.page({ index: 'team', value: 'red' }, { limit: 3, cursor, reverse });
      out.push(show(page.items), page.next !== undefined);
      cursor = page.next;
    } while (cursor !== undefined);
    const range = await Member.page({ index: 'teamAge', range: { gte: ['blue', 30] } }, { limit: 4, reverse });
    out.push(show(range.items), range.next !== undefined);
  }
  return out;
}

/** Saves 30 members (two teams, tags, nested addresses with Dates), then deletes 3 records behind their index entries. */
async function seed(store: SkyShelve<any>, Member: MemberClass): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const m = new Member();
    Object.assign(m, { id: `m${String(i).padStart(2, '0')}`, team: i % 3 === 0 ? 'blue' : 'red', age: 10 + ((i * 7) % 60), tags: i % 2 ? ['x', 'a'] : ['b'] });
    m.joined = new Date(Date.UTC(2020, 0, 1 + i));
    if (i % 4 === 0) m.address = Object.assign(new Address(), { street: `s${i}`, since: new Date(Date.UTC(2019, 5, i + 1)) });
    await m.save();
  }
  // Index entries whose record is gone: every query skips them (as verifyIndexes would report them missing).
  const backend = await store.backend();
  await backend.write(['m04', 'm05', 'm09'].map((id) => ({ type: 'del' as const, key: recordKey('Member', id) })));
}

/** Runs every query with the fast path and without it; counts the fast path's calls. */
async function bothWays(store: SkyShelve<any>, Member: MemberClass): Promise<{ fast: unknown[]; slow: unknown[]; calls: number }> {
  const backend = (await store.backend()) as Backend & { supports: Backend['supports'] };
  expect(backend.supports.indexScan).to.equal(true);
  let calls = 0;
  const real = backend.indexScan!.bind(backend);
  backend.indexScan = (...args) => {
    calls++;
    return real(...args);
  };
  const fast = await queries(Member);
  const supports = backend.supports;
  backend.supports = { ...supports, indexScan: false };
  try {
    const before = calls;
    const slow = await queries(Member);
    expect(calls, 'the fallback made index scans').to.equal(before);
    return { fast, slow, calls };
  } finally {
    backend.supports = supports;
  }
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
    const { fast, slow, calls } = await bothWays(store, Member);
    expect(fast).to.deep.equal(slow);
    expect(calls).to.be.greaterThan(10);
    // The data the comparison rests on: missing records skipped, nested classes and Dates restored.
    const red = fast[0] as { id: string; address: unknown; joined: string }[];
    expect(red.map((m) => m.id)).to.not.include('m04');
    expect(red.map((m) => m.id)).to.have.length(20 - 2);
    expect(red.find((m) => m.id === 'm08')).to.deep.include({ joined: '2020-01-09T00:00:00.000Z', address: { nested: true, since: '2019-06-09T00:00:00.000Z' } });
  });

  it('on a client of another process (the owner answers the new request)', async () => {
    const dir = path.join(tmpDir('sky-iscan-mp-'), 'db');
    holder = startFixture('owner', [dir]);
    await holder.line((l) => l === 'ready');
    store = await SkyShelve.open(dir);
    expect((await (await store.backend()).stats()).role).to.equal('client');
    const Member = defineMember(store);
    await seed(store, Member);
    const { fast, slow, calls } = await bothWays(store, Member);
    expect(fast).to.deep.equal(slow);
    expect(calls).to.be.greaterThan(10);
    expect((fast[1] as unknown[]).length).to.equal(10 - 1);
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
});
