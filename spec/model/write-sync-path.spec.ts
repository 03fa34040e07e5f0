/**
 * The synchronous write path (WriteSet.now: save's first attempt and update's reads and commit
 * without promise turns on Badger) gives exactly what the async path gives: one script of saves,
 * updates, transactions and failures runs on Badger with it, on Badger with it turned off (sync
 * capability hidden), on a local SlateDB store (always async) and on Badger as a client of another
 * process; the results, the errors (codes and messages), the stored bytes and verifyIndexes agree.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import path from 'node:path';
import { Type } from 'class-transformer';
import { IsEmail, IsInt, MinLength, ValidateNested } from 'class-validator';
import { Index, Key, Persistent, PersistentBaseModel, PersistentObject, SkyShelve, isSkyshelveError } from '../../src/index.js';
import type { Backend } from '../../src/backend/backend.js';
import { WriteSet } from '../../src/model/write-set.js';
import { startFixture, type Proc } from '../support/procs.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { makeCounterClass } from './fixtures/counter-class.js';

class Place {
  @MinLength(2) city!: string;
  @Type(() => Date) since!: Date;
  get label(): string {
    return `in ${this.city}`;
  }
}

function defineModels(store: SkyShelve) {
  @Persistent({ store, namespace: 'sp-member' })
  class Member extends PersistentBaseModel<'email' | 'team'> {
    @Key() id!: string;
    @Index({ unique: true }) @IsEmail() email!: string;
    @Index() team!: string;
    @IsInt() age = 0;
    @Type(() => Date) joined = new Date(0);
    @ValidateNested() @Type(() => Place) place?: Place;
  }

  // No validation metadata: validate() is answered without running class-validator.
  @Persistent({ store, namespace: 'sp-plain' })
  class Plain extends PersistentBaseModel<'tag'> {
    @Key() id!: string;
    @Index() tag = 'x';
    n = 0;
  }

  const Counter = makeCounterClass();
  Counter.configureStorage({ store, namespace: 'sp-counter', secondaryIndexes: { value: (c: InstanceType<typeof Counter>) => c.value } });

  // A validate() of its own: it must run (and its promise be awaited), never be skipped.
  class Checked extends PersistentObject {
    constructor(
      key: string,
      public value = 0,
    ) {
      super(key);
    }
    override async validate(): Promise<unknown[]> {
      await new Promise((r) => setImmediate(r));
      return this.value < 0 ? ['value must not be negative'] : [];
    }
  }
  Checked.configureStorage({ store, namespace: 'sp-checked' });
  return { Member, Plain, Counter, Checked };
}

/** A comparable picture of a result: class names, nested instances and Dates included. */
function picture(v: unknown): unknown {
  if (v instanceof Date) return { date: v.getTime() };
  if (Array.isArray(v)) return v.map(picture);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = { class: v.constructor?.name };
  for (const [k, x] of Object.entries(v)) out[k] = picture(x);
  if (v instanceof Place) out.label = v.label;
  return out;
}

/** The script: every step's result or error, in order. */
async function script(store: SkyShelve): Promise<unknown[]> {
  const { Member, Plain, Counter, Checked } = defineModels(store);
  const log: unknown[] = [];
  const step = async (name: string, fn: () => Promise<unknown>) => {
    try {
      log.push([name, picture(await fn())]);
    } catch (err) {
      log.push([name, isSkyshelveError(err) ? { code: err.code, message: err.message } : { error: String(err) }]);
    }
  };
  const member = (id: string, email: string, team: string, age = 1) =>
    new Member({ id, email, team, age, joined: new Date(1000 * age), place: Object.assign(new Place(), { city: `c-${id}`, since: new Date(7) }) });
  await step('insert a', () => member('a', 'a@x.io', 't1').save());
  await step('insert b', () => member('b', 'b@x.io', 't1', 2).save());
  await step('insert c', () => member('c', 'c@x.io', 't2', 3).save());
  await step('save over a (new email, team)', () => member('a', 'a2@x.io', 't2', 4).save());
  await step('insert with a used email', () => member('d', 'b@x.io', 't1').save());
  await step('insert invalid', () =>
    new Member({ id: 'e', email: 'nope', team: 't1', age: 1.5, place: Object.assign(new Place(), { city: 'x', since: new Date(1) }) }).save(),
  );
  await step('insert the old email of a', () => member('f', 'a@x.io', 't3').save());
  await step('update b, age only', () => Member.update('b', { mutator: (m) => void (m.age += 10) }));
  await step('update b, team and email', () =>
    Member.update('b', {
      mutator: (m) => {
        m.team = 't3';
        m.email = 'b2@x.io';
      },
    }),
  );
  await step('update c to a used email', () => Member.update('c', { mutator: (m) => void (m.email = 'f@x.io' === m.email ? '' : 'a2@x.io') }));
  await step('update c to an invalid age', () => Member.update('c', { mutator: (m) => void (m.age = 0.5) }));
  await step('update c, async mutator', () =>
    Member.update('c', {
      mutator: async (m) => {
        await new Promise((r) => setImmediate(r));
        m.place!.city = 'Bergen';
      },
    }),
  );
  await step('update c, replacement instance', () => Member.update('c', { mutator: (m) => member('c', m.email, 't4', 30) }));
  await step('update c, key changed', () => Member.update('c', { mutator: (m) => void (m.id = 'cc') }));
  await step('update missing', () => Member.update('zz', { mutator: () => undefined }));
  await step('update missing, async defaultFactory', () =>
    Member.update('z', { defaultFactory: async () => member('z', 'z@x.io', 't1'), mutator: (m) => void (m.age = 9) }),
  );
  await step('delete a', () => Member.delete('a'));
  await step('insert with the email a had', () => member('g', 'a2@x.io', 't1').save());
  await step('transaction', () =>
    Member.transaction(async (tx) => {
      await tx.save(member('h', 'h@x.io', 't5'));
      const b = await tx.load(Member, 'b');
      b.email = 'h2@x.io';
      await tx.save(b);
      return tx.delete(Member, 'g');
    }),
  );
  for (let i = 0; i < 3; i++) await step(`plain ${i}`, () => new Plain({ id: `p${i}`, tag: `t${i % 2}`, n: i }).save());
  await step('plain update', () => Plain.update('p1', { mutator: (p) => void (p.tag = 't0') }));
  for (let i = 0; i < 5; i++) await step(`counter ${i}`, () => Counter.update('k', { defaultFactory: () => new Counter('k'), mutator: (c) => void c.value++ }));
  await step('checked valid', () => new Checked('q', 1).save());
  await step('checked invalid', () => new Checked('q', -1).save());
  await step('checked update invalid', () => Checked.update('q', { mutator: (c) => void (c.value = -2) }));
  await step('load all', () => Member.scan());
  await step('team t1', () => Member.scanIndex('team', 't1'));
  await step('plain t0', () => Plain.scanIndex('tag', 't0'));
  await step('counter', () => Counter.load('k'));
  await step('verify', async () => [await Member.verifyIndexes(), await Plain.verifyIndexes(), await Counter.verifyIndexes()]);
  return log;
}

/** Every model entry of the store, as hex pairs (other keys, such as a holder's, left out). */
async function modelEntries(backend: Backend): Promise<string[]> {
  const out: string[] = [];
  const cursor = backend.iterate({});
  try {
    for (let batch = await cursor.next(500); batch.length > 0; batch = await cursor.next(500)) {
      for (const { key, value } of batch) {
        const k = Buffer.from(key).toString('hex');
        if (Buffer.from(key).includes(Buffer.from('sp-'))) out.push(`${k}=${Buffer.from(value).toString('hex')}`);
      }
    }
  } finally {
    await cursor.close();
  }
  return out;
}

/** Hides the synchronous calls of an open backend, so the model layer takes its async path. */
function hideSync(backend: Backend): void {
  Object.defineProperty(backend, 'supports', { value: { ...backend.supports, sync: false }, configurable: true });
}

describe('model writes: the synchronous path and the async path agree', function () {
  this.timeout(60_000);
  let reference: { log: unknown[]; entries: string[] };
  let holder: Proc | undefined;

  before(async () => {
    const store = await SkyShelve.open(path.join(tmpDir('sky-sp-'), 'db'));
    const backend = await store.backend();
    expect(new WriteSet(backend).now).to.equal(true);
    let syncCommits = 0;
    const writeSync = backend.writeSync!.bind(backend);
    backend.writeSync = (ops, checks) => {
      syncCommits++;
      writeSync(ops, checks);
    };
    reference = { log: await script(store), entries: await modelEntries(backend) };
    if (process.env.SP_PRINT) console.log(JSON.stringify(reference, null, 1));
    await store.close();
    // The script ran through the synchronous path.
    expect(syncCommits).to.be.greaterThan(20);
  });

  /** Runs the script on store and compares its log and stored bytes with the reference run's. */
  async function expectSameAsReference(store: SkyShelve, backend: Backend): Promise<void> {
    const log = await script(store);
    const entries = await modelEntries(backend);
    await store.close();
    expect(log).to.deep.equal(reference.log);
    expect(entries).to.deep.equal(reference.entries);
  }

  after(async () => {
    holder?.child.kill('SIGKILL');
    if (holder) await holder.exited;
    cleanupTmp();
  });

  it('the reference run saved what the script says, with the errors users see', () => {
    const byName = new Map(reference.log.map((e) => e as [string, { code?: string; message?: string }]));
    expect(byName.get('insert with a used email')).to.deep.include({ code: 'UNIQUE' });
    expect(byName.get('insert invalid')).to.deep.include({ code: 'VALIDATION' });
    expect(byName.get('insert invalid')!.message).to.match(/email/).and.match(/age/).and.match(/city/);
    expect(byName.get('update c to a used email')).to.deep.include({ code: 'UNIQUE' });
    expect(byName.get('update c to an invalid age')).to.deep.include({ code: 'VALIDATION' });
    expect(byName.get('update missing')).to.deep.include({ code: 'NOT_FOUND' });
    expect(byName.get('checked invalid')).to.deep.include({ code: 'VALIDATION' });
    expect(byName.get('checked update invalid')).to.deep.include({ code: 'VALIDATION' });
    expect(byName.get('insert the old email of a')).to.not.have.property('code');
    expect(byName.get('counter')).to.deep.include({ value: 5 });
    const verify = byName.get('verify') as unknown as Array<Record<string, number>>;
    for (const v of verify) expect(v).to.deep.include({ missing: 0, stale: 0 });
  });

  it('Badger with the synchronous path hidden gives the same results and the same bytes', async () => {
    const store = await SkyShelve.open(path.join(tmpDir('sky-sp-'), 'db'));
    const backend = await store.backend();
    hideSync(backend);
    expect(new WriteSet(backend).now).to.equal(false);
    await expectSameAsReference(store, backend);
  });

  it('a local SlateDB store (async only) gives the same results and the same bytes', async () => {
    const store = await SkyShelve.open(`slatedb://${tmpDir('sky-sp-slate-')}`);
    const backend = await store.backend();
    expect(new WriteSet(backend).now).to.equal(false);
    await expectSameAsReference(store, backend);
  });

  it('Badger as a client of another process gives the same results and the same bytes', async () => {
    const dir = path.join(tmpDir('sky-sp-client-'), 'db');
    holder = startFixture('hold-store', [dir]);
    await holder.line((l) => l === 'ready');
    const store = await SkyShelve.open(dir);
    const backend = await store.backend();
    expect(new WriteSet(backend).now).to.equal(true);
    await expectSameAsReference(store, backend);
  });
});
