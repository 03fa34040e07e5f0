/**
 * The write side's fast paths give exactly what class-transformer and class-validator give:
 * toPlain (src/model/plain-copy.ts) against instanceToPlain, validateModel (src/model/validation.ts)
 * against validate, and WriteSet.prefetch against plain reads.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Exclude, Expose, Transform, Type, instanceToPlain } from 'class-transformer';
import { IsInt, IsString, Min, MinLength, ValidateNested, validate } from 'class-validator';
import { canPlainOut, toPlain } from '../../src/model/plain-copy.js';
import { hasNoValidation, validateModel } from '../../src/model/validation.js';
import { WriteSet } from '../../src/model/write-set.js';
import { READ_FIRST_AFTER_MISS } from '../../src/model/operations.js';
import { decodeValue } from '../../src/codec/values.js';
import { Index, Key, Persistent, PersistentBaseModel, SkyShelve } from '../../src/index.js';
import { recordKey } from '../../src/model/layout.js';

class Flat {
  id = 'f';
  name?: string = 'Ann';
  age = 3;
  ok = true;
  none = null;
  gone = undefined;
  big = 12n;
  get full(): string {
    return `${this.id}:${this.name}`;
  }
  greet(): string {
    return 'hi';
  }
}

class Address {
  city = 'Oslo';
  get label(): string {
    return `in ${this.city}`;
  }
}

class WithNested {
  id = 'n';
  @Type(() => Address) address = new Address();
  when = new Date(86_400_000);
}

class Hidden {
  id = 'h';
  @Exclude() secret = 's';
}

@Exclude()
class ExposeOnly {
  @Expose({ name: 'ident' }) id = 'e';
  other = 'o';
}

class Shouting {
  id = 't';
  @Transform(({ value }) => String(value).toUpperCase(), { toPlainOnly: true }) shout = 'hey';
}

class SubOfShouting extends Shouting {
  extra = 'x';
}

class Thenable {
  id = 'p';
  // biome-ignore lint/suspicious/noThenProperty: a thenable model is exactly the case under test
  then(): void {}
}

/** Same own keys in the same order, deeply equal values, both plain objects. */
function expectSame(obj: object): void {
  const fast = toPlain(obj);
  const slow = instanceToPlain(obj);
  expect(Object.getPrototypeOf(fast)).to.equal(Object.prototype);
  expect(Object.keys(fast)).to.deep.equal(Object.keys(slow));
  expect(fast).to.deep.equal(slow);
}

describe('toRecord fast path (plain copy instead of instanceToPlain)', () => {
  it('copies flat instances of metadata-free classes, the same as instanceToPlain (undefined, null, bigint kept; getters and methods left out)', () => {
    const f = new Flat();
    expect(canPlainOut(f)).to.equal(true);
    expectSame(f);
    expect(toPlain(f)).to.have.property('gone');
    expect(toPlain(f)).to.not.have.property('full');
    const late = Object.assign(new Flat(), { added: 'later', id: 'changed' });
    expectSame(late);
  });

  it('falls back for nested objects, Dates, arrays and bytes, with the same results', () => {
    const n = new WithNested();
    expect(canPlainOut(n)).to.equal(false);
    expectSame(n);
    expect(toPlain(n).when).to.be.instanceOf(Date);
    for (const extra of [{ list: ['a', { b: 1 }] }, { bytes: Buffer.from('hi') }, { when: new Date(5) }, { inner: { a: 1 } }]) {
      const f = Object.assign(new Flat(), extra);
      expect(canPlainOut(f)).to.equal(false);
      expectSame(f);
    }
  });

  it('falls back whenever class-transformer metadata could change the result, on the class or an ancestor', () => {
    for (const obj of [new Hidden(), new ExposeOnly(), new Shouting(), new SubOfShouting()]) {
      expect(canPlainOut(obj), obj.constructor.name).to.equal(false);
      expectSame(obj);
    }
    expect(toPlain(new Hidden())).to.deep.equal({ id: 'h' });
    expect(toPlain(new ExposeOnly())).to.deep.equal({ ident: 'e' });
    expect(toPlain(new SubOfShouting())).to.deep.equal({ id: 't', shout: 'HEY', extra: 'x' });
  });

  it('leaves plain objects and thenables to class-transformer', () => {
    expect(canPlainOut({ a: 1 })).to.equal(false);
    expectSame({ a: 1, b: 'x' });
    // class-transformer takes an object with a then method for a promise.
    expect(canPlainOut(new Thenable())).to.equal(false);
    expect(toPlain(new Thenable())).to.be.instanceOf(Promise);
    expect(instanceToPlain(new Thenable())).to.be.instanceOf(Promise);
  });
});

class Unchecked {
  id = 'u';
  name = '';
}

class Checked {
  @IsString() @MinLength(3) name: unknown = 'ab';
  @IsInt() @Min(0) age: unknown = -1;
}

class SubOfChecked extends Checked {
  extra = 1;
}

class Inner {
  @IsString() city: unknown = 5;
}

class Outer {
  @ValidateNested() @Type(() => Inner) inner = new Inner();
}

describe('validation fast path (class-validator skipped for classes it has nothing to check on)', () => {
  const OPTIONS = { forbidUnknownValues: false, validationError: { target: false } };

  it('skips only classes without validation metadata on them or an ancestor', async () => {
    expect(hasNoValidation(Unchecked)).to.equal(true);
    expect(hasNoValidation(Checked)).to.equal(false);
    expect(hasNoValidation(SubOfChecked)).to.equal(false);
    expect(hasNoValidation(Outer)).to.equal(false);
    expect(await validateModel(new Unchecked())).to.deep.equal(await validate(new Unchecked(), OPTIONS));
  });

  it('gives the same errors as validate, with the same constraint codes, nested ones included', async () => {
    for (const obj of [new Checked(), new SubOfChecked(), new Outer(), Object.assign(new Checked(), { name: 'abcd', age: 2 })]) {
      const fast = JSON.parse(JSON.stringify(await validateModel(obj)));
      const slow = JSON.parse(JSON.stringify(await validate(obj, OPTIONS)));
      expect(fast).to.deep.equal(slow);
    }
    const errors = await validateModel(new Checked());
    expect(errors.map((e) => Object.keys(e.constraints ?? {}).sort())).to.deep.equal([['minLength'], ['min']]);
    const wrongTypes = await validateModel(Object.assign(new Checked(), { name: 5, age: 'x' }));
    expect(wrongTypes.map((e) => Object.keys(e.constraints ?? {}).sort())).to.deep.equal([
      ['isString', 'minLength'],
      ['isInt', 'min'],
    ]);
  });

  it('validates a class that gains validation metadata after it was seen without any', async () => {
    class Late {
      name: unknown = 7;
    }
    expect(hasNoValidation(Late)).to.equal(true);
    expect(await validateModel(new Late())).to.deep.equal([]);
    IsString()(Late.prototype, 'name');
    expect(hasNoValidation(Late)).to.equal(false);
    const errors = await validateModel(new Late());
    expect(errors.map((e) => Object.keys(e.constraints ?? {}))).to.deep.equal([['isString']]);
  });
});

describe('saving through the fast paths', () => {
  let dir: string;
  let store: SkyShelve<any>;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyshelve-fastpaths-'));
    store = await SkyShelve.open(dir);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores the record instanceToPlain gives, for flat and nested models, and rejects invalid ones with VALIDATION', async () => {
    @Persistent({ store, namespace: 'fp-flat' })
    class Person extends PersistentBaseModel {
      @Key() id!: string;
      @Index({ unique: true }) email!: string;
      age?: number;
      nick?: string | null = null;
    }
    @Persistent({ store, namespace: 'fp-nested' })
    class Trip extends PersistentBaseModel {
      @Key() id!: string;
      @Type(() => Address) to!: Address;
      @Type(() => Date) when!: Date;
      @IsInt() seats: unknown = 2;
    }
    const p = new Person({ id: 'p1', email: 'a@example.com', age: 41 });
    await p.save();
    const t = new Trip({ id: 't1', to: new Address(), when: new Date('2026-01-02T03:04:05Z') });
    await t.save();
    const be = await store.backend();
    const stored = (key: Uint8Array) => (decodeValue(be.getSync!(key)!) as { r: unknown }).r;
    expect(stored(recordKey('fp-flat', 'p1'))).to.deep.equal(instanceToPlain(p));
    expect(stored(recordKey('fp-nested', 't1'))).to.deep.equal(instanceToPlain(t));
    const back = await Trip.load('t1');
    expect(back.to).to.be.instanceOf(Address);
    expect(back.when.toISOString()).to.equal('2026-01-02T03:04:05.000Z');
    const err = await new Trip({ id: 't2', to: new Address(), when: new Date(0), seats: 'many' }).save().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.have.property('code', 'VALIDATION');
    expect(await Trip.load('t2', undefined)).to.equal(undefined);
  });

  it('saves as a blind insert; a save over an existing record or a used unique value gets the same result as a read-first save', async () => {
    @Persistent({ store, namespace: 'fp-blind' })
    class Member extends PersistentBaseModel {
      @Key() id!: string;
      @Index({ unique: true }) email!: string;
      @Index() team!: string;
      age = 0;
    }
    expect(await Member.exists('none')).to.equal(false); // first use: the index definitions are written
    const be = await store.backend();
    const calls: string[] = [];
    const write = be.write.bind(be);
    be.write = (ops, checks) => {
      calls.push(`${ops.length} ops, ${checks?.length ?? 0} checks`);
      return write(ops, checks);
    };
    const getMany = be.getMany.bind(be);
    be.getMany = (keys) => {
      calls.push(`getMany ${keys.length}`);
      return getMany(keys);
    };
    // The synchronous path (WriteSet.now) makes the same calls without promises.
    const writeSync = be.writeSync!.bind(be);
    be.writeSync = (ops, checks) => {
      calls.push(`${ops.length} ops, ${checks?.length ?? 0} checks`);
      writeSync(ops, checks);
    };
    const getManySync = be.getManySync!.bind(be);
    be.getManySync = (keys) => {
      calls.push(`getMany ${keys.length}`);
      return getManySync(keys);
    };
    const saveCalls = async (m: Member) => {
      calls.length = 0;
      await m.save();
      return [...calls];
    };
    try {
      // Record, 2 entries and the slot written; the record and the slot checked absent; nothing read.
      expect(await saveCalls(new Member({ id: 'a', email: 'a@x', team: 't1', age: 1 }))).to.deep.equal(['4 ops, 2 checks']);
      // Over an existing record: the blind insert conflicts, then the read-first save replaces it.
      expect(await saveCalls(new Member({ id: 'a', email: 'a2@x', team: 't2', age: 2 }))).to.deep.equal(['4 ops, 2 checks', 'getMany 2', '7 ops, 2 checks']);
      const a = await Member.load('a');
      expect(a).to.deep.include({ email: 'a2@x', team: 't2', age: 2 });
      expect((await Member.scanIndex('team', 't1')).length).to.equal(0);
      expect((await Member.scanIndex('email', 'a@x')).length).to.equal(0);
      // After that miss, the next saves of the model read first.
      expect((await saveCalls(new Member({ id: 'b', email: 'a@x', team: 't1' })))[0]).to.equal('getMany 2');
      const err = await new Member({ id: 'c', email: 'a2@x', team: 't1' }).save().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.have.property('code', 'UNIQUE');
      expect(await Member.load('c', undefined)).to.equal(undefined);
      a.team = 't3';
      expect(await saveCalls(a)).to.deep.equal(['getMany 2', '3 ops, 1 checks']);
      // 3 of the READ_FIRST_AFTER_MISS saves are used; after the rest, saves insert blind again.
      for (let i = 3; i < READ_FIRST_AFTER_MISS; i++)
        expect((await saveCalls(new Member({ id: `n${i}`, email: `n${i}@x`, team: 't' })))[0]).to.equal('getMany 2');
      expect(await saveCalls(new Member({ id: 'z', email: 'z@x', team: 't' }))).to.deep.equal(['4 ops, 2 checks']);
      expect(await Member.verifyIndexes()).to.deep.include({ missing: 0, stale: 0 });
    } finally {
      be.write = write;
      be.getMany = getMany;
      be.writeSync = writeSync;
      be.getManySync = getManySync;
    }
  });

  it('openBackend gives the open backend without a promise turn, and nothing once the store closes', async () => {
    expect(store.openBackend()).to.equal(await store.backend());
    const other = new SkyShelve(path.join(dir, 'other'));
    const closing = other.close();
    expect(other.openBackend()).to.equal(undefined);
    await closing;
    expect(other.openBackend()).to.equal(undefined);
  });

  it('prefetch reads ahead without checking what the unit never uses', async () => {
    const be = await store.backend();
    const a = Buffer.from('a');
    const b = Buffer.from('b');
    await be.write([{ type: 'put', key: a, value: Buffer.from('1') }]);
    const ws = new WriteSet(be);
    await ws.prefetch([a, b]);
    expect(ws.seen(a)).to.equal(true);
    expect(Buffer.from((await ws.get(a))!).toString()).to.equal('1');
    // b was read ahead but not used: a change to it is no conflict.
    await be.write([{ type: 'put', key: b, value: Buffer.from('2') }]);
    ws.put(Buffer.from('c'), Buffer.from('3'));
    await ws.commit();
    // a was used: a change to it is.
    const ws2 = new WriteSet(be);
    await ws2.prefetch([a]);
    await ws2.get(a);
    await be.write([{ type: 'put', key: a, value: Buffer.from('9') }]);
    ws2.put(Buffer.from('d'), Buffer.from('4'));
    const err = await ws2.commit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.have.property('code', 'CONFLICT');
    expect(await be.get(Buffer.from('d'))).to.equal(undefined);
  });
});
