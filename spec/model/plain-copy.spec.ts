/** The fast path of fromRecord (src/model/plain-copy.ts) gives exactly what plainToInstance gives. */
import 'reflect-metadata';
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Exclude, Expose, Transform, Type, plainToInstance } from 'class-transformer';
import { canCopyPlainly, toInstance } from '../../src/model/plain-copy.js';
import { Key, Persistent, PersistentBaseModel, SkyShelve } from '../../src/index.js';

class Flat {
  id = 'default-id';
  name?: string;
  tags: string[] = [];
  get full(): string {
    return `${this.id}:${this.name}`;
  }
  greet(): string {
    return `hi ${this.name}`;
  }
  set writable(v: string) {
    this.name = v;
  }
}

class Address {
  city!: string;
  get label(): string {
    return `in ${this.city}`;
  }
}

class Nested {
  id!: string;
  @Type(() => Address) address!: Address;
  @Type(() => Date) born!: Date;
}

class SubOfNested extends Nested {
  nickname!: string;
}

class Hidden {
  id!: string;
  @Exclude() secret?: string;
}

@Exclude()
class ExposeOnly {
  @Expose() id!: string;
  other?: string;
}

class Transformed {
  id!: string;
  @Transform(({ value }) => String(value).toUpperCase()) shout!: string;
}

/** Same prototype, same own keys in the same order, deeply equal values. */
function expectSame(cls: new () => object, record: Record<string, unknown>): void {
  const fast = toInstance(cls, structuredClone(record));
  const slow = plainToInstance(cls, structuredClone(record));
  expect(Object.getPrototypeOf(fast)).to.equal(Object.getPrototypeOf(slow));
  expect(Object.keys(fast)).to.deep.equal(Object.keys(slow));
  expect(fast).to.deep.equal(slow);
}

describe('fromRecord fast path (plain copy instead of class-transformer)', () => {
  const flat = { id: 'a', name: 'Ann', age: 3, ok: true, none: null, gone: undefined, big: 12n, full: 'ignored', greet: 'ignored', writable: 'W', extra: 'x' };

  it('takes the fast path for flat records of metadata-free classes, and matches plainToInstance', () => {
    expect(canCopyPlainly(Flat, flat)).to.equal(true);
    expectSame(Flat, flat);
    const obj = toInstance(Flat, { ...flat }) as Flat & Record<string, unknown>;
    expect(obj).to.be.instanceOf(Flat);
    expect(obj.full).to.equal('a:W'); // the getter survived, the setter ran
    expect(obj.greet()).to.equal('hi W'); // the method was not overwritten
    expect(obj.tags).to.deep.equal([]); // initializers ran
    expectSame(Flat, {}); // nothing stored: initializers only
  });

  it('falls back for nested objects, arrays and Dates, with the same results', () => {
    const rec = { id: 'n', address: { city: 'Oslo' }, born: new Date(86_400_000), list: [1, { a: 2 }] };
    expect(canCopyPlainly(Nested, rec)).to.equal(false);
    expectSame(Nested, rec);
    const obj = toInstance(Nested, structuredClone(rec));
    expect(obj.address).to.be.instanceOf(Address);
    expect(obj.born).to.be.instanceOf(Date);
    expect(canCopyPlainly(Flat, { id: 'x', when: new Date(0) })).to.equal(false);
    expectSame(Flat, { id: 'x', when: new Date(0), bytes: Buffer.from('hi'), arr: ['a'] });
  });

  it('falls back whenever class-transformer metadata could change the result', () => {
    expect(canCopyPlainly(Hidden, { id: 'h', secret: 's' })).to.equal(false);
    expectSame(Hidden, { id: 'h', secret: 's' });
    expect(canCopyPlainly(ExposeOnly, { id: 'e', other: 'o' })).to.equal(false);
    expectSame(ExposeOnly, { id: 'e', other: 'o' });
    expect(canCopyPlainly(Transformed, { id: 't', shout: 'hey' })).to.equal(false);
    expectSame(Transformed, { id: 't', shout: 'hey' });
    // Metadata of an ancestor counts too: `born` is typed on Nested.
    expect(canCopyPlainly(SubOfNested, { id: 's', born: 0, nickname: 'n' })).to.equal(false);
    expectSame(SubOfNested, { id: 's', born: 0, nickname: 'n' });
    expect(canCopyPlainly(SubOfNested, { id: 's', nickname: 'n' })).to.equal(true);
    expectSame(SubOfNested, { id: 's', nickname: 'n' });
  });

  it('loads models through the store with the same instances, nested types and Dates', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyshelve-plaincopy-'));
    const store = await SkyShelve.open(dir);
    try {
      @Persistent({ store, namespace: 'pc-flat' })
      class Person extends PersistentBaseModel {
        @Key() id!: string;
        name = 'nobody';
        age?: number;
        get title(): string {
          return `${this.name} (${this.age})`;
        }
      }
      @Persistent({ store, namespace: 'pc-nested' })
      class Trip extends PersistentBaseModel {
        @Key() id!: string;
        @Type(() => Address) to!: Address;
        @Type(() => Date) when!: Date;
      }
      await new Person({ id: 'p1', name: 'Ann', age: 41 }).save();
      await new Trip({ id: 't1', to: Object.assign(new Address(), { city: 'Oslo' }), when: new Date('2026-01-02T03:04:05Z') }).save();
      const p = await Person.load('p1');
      expect(p).to.be.instanceOf(Person);
      expect(p.title).to.equal('Ann (41)');
      const record = (p as PersistentBaseModel).toRecord() as Record<string, unknown>;
      expect(toInstance(Person, { ...record })).to.deep.equal(plainToInstance(Person, { ...record }));
      const t = await Trip.load('t1');
      expect(t.to).to.be.instanceOf(Address);
      expect(t.to.label).to.equal('in Oslo');
      expect(t.when).to.be.instanceOf(Date);
      expect(t.when.toISOString()).to.equal('2026-01-02T03:04:05.000Z');
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
