/** The models and queries of index-scan.spec.ts, shared with its Worker fixture. */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsString, ValidateNested } from 'class-validator';
import type { Backend } from '../../src/backend/backend.js';
// indexNames is imported so that the declaration of defineMember's return type can name it.
import { Index, Key, Persistent, PersistentBaseModel, type SkyShelve, type indexNames } from '../../src/index.js';
import { recordKey } from '../../src/model/layout.js';

export class Address {
  @IsString() street!: string;
  @Type(() => Date) since!: Date;
}

export function defineMember(store: SkyShelve<any>) {
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

export type MemberClass = ReturnType<typeof defineMember>;

/** Every query the fast path serves, as plain data (class names and Dates made visible). */
export async function queries(Member: MemberClass): Promise<unknown[]> {
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
export async function seed(store: SkyShelve<any>, Member: MemberClass): Promise<void> {
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

/** What bothWays saw: the query results each way and the index scan calls each made. */
export interface BothWays {
  supported: boolean;
  fast: unknown[];
  slow: unknown[];
  fastCalls: number;
  slowCalls: number;
}

/** Runs every query with the fast path, then with supports.indexScan turned off; counts the index scans. */
export async function bothWays(store: SkyShelve<any>, Member: MemberClass): Promise<BothWays> {
  const backend = (await store.backend()) as Backend & { supports: Backend['supports'] };
  const supported = backend.supports.indexScan;
  let calls = 0;
  const real = backend.indexScan?.bind(backend);
  if (real) {
    backend.indexScan = (...args) => {
      calls++;
      return real(...args);
    };
  }
  const fast = await queries(Member);
  const fastCalls = calls;
  const supports = backend.supports;
  backend.supports = { ...supports, indexScan: false };
  try {
    const slow = await queries(Member);
    return { supported, fast, slow, fastCalls, slowCalls: calls - fastCalls };
  } finally {
    backend.supports = supports;
    if (real) backend.indexScan = real;
  }
}
