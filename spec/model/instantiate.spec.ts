/**
 * Reads build instances straight from a flat record's stored fields (src/model/instantiate.ts,
 * PersistentBaseModel's fields form of fromRecord): the very instance that fromRecord of the
 * decoded record builds, with the same constructor calls, setter calls and errors.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Exclude, Expose, Transform, Type } from 'class-transformer';
import { encodeValue } from '../../src/codec/values.js';
import { isSkyshelveError } from '../../src/errors.js';
import { Key, Persistent, PersistentBaseModel, SkyShelve } from '../../src/index.js';
import { contextOf } from '../../src/model/context.js';
import { instantiate } from '../../src/model/instantiate.js';
import { decodeEnvelope, encodeEnvelope } from '../../src/model/layout.js';
import { fieldsToInstance } from '../../src/model/plain-copy.js';
import { MISS, NOT_FIELDS, decodeEnvelopeFields } from '../../src/model/record-decode.js';

let built = 0;

class Address {
  city!: string;
}

/** A CBOR text string (ASCII). */
const text = (s: string) => [0x60 + s.length, ...Buffer.from(s)];
/** An envelope whose record map is written pair by pair, as another writer might (keys in any order, repeated). */
function rawEnvelope(pairs: Array<[string, number]>): Uint8Array {
  const body = pairs.flatMap(([k, v]) => [...text(k), v]);
  return Uint8Array.of(0x03, 0xa2, ...text('r'), 0xa0 + pairs.length, ...body, ...text('i'), 0x80);
}

/** What fromRecord of the decoded record gives (or the error code), with the constructor calls it made. */
function viaRecord(cls: { fromRecord(k: unknown, r: unknown): unknown }, pk: string, bytes: Uint8Array) {
  return attempt(() => cls.fromRecord(pk, decodeEnvelope('M', pk, bytes).record));
}

function attempt(fn: () => unknown): { value?: unknown; code?: string; built: number } {
  const before = built;
  try {
    return { value: fn(), built: built - before };
  } catch (err) {
    // A getter without setter on an ancestor's prototype is assigned, and throws, in class-transformer too.
    return { code: isSkyshelveError(err) ? err.code : `${(err as Error).name}: ${(err as Error).message}`, built: built - before };
  }
}

function expectSameInstance(got: ReturnType<typeof attempt>, want: ReturnType<typeof attempt>, what: string): void {
  expect(got.code, what).to.equal(want.code);
  expect(got.built, `${what}: constructor calls`).to.equal(want.built);
  if (want.code !== undefined) return;
  const [a, b] = [got.value as object, want.value as object];
  expect(Object.getPrototypeOf(a), what).to.equal(Object.getPrototypeOf(b));
  expect(Object.keys(a), what).to.deep.equal(Object.keys(b));
  expect(Object.getOwnPropertyDescriptors(a), what).to.deep.equal(Object.getOwnPropertyDescriptors(b));
}

describe('instances built from stored fields (instantiate)', () => {
  let dir: string;
  let store: SkyShelve;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyshelve-instantiate-'));
    store = await SkyShelve.open(dir);
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives what fromRecord of the decoded record gives, for flat, nested, annotated and custom classes', async () => {
    @Persistent({ store, namespace: 'inst-flat' })
    class Flat extends PersistentBaseModel {
      @Key() id!: string;
      name = 'nobody';
      age?: number;
      seen?: string;
      constructor(init?: object) {
        super(init as never);
        built++;
      }
      get title(): string {
        return `${this.name} (${this.age})`;
      }
      greet(): string {
        return `hi ${this.name}`;
      }
      get log(): string {
        return this.seen ?? '';
      }
      set log(v: string) {
        this.seen = `${this.seen ?? ''}${v}`;
      }
    }
    class SubFlat extends Flat {
      extra?: string;
    }
    Persistent({ store, namespace: 'inst-sub' })(SubFlat);
    @Persistent({ store, namespace: 'inst-nested' })
    class Trip extends PersistentBaseModel {
      @Key() id!: string;
      @Type(() => Address) to!: Address;
      @Type(() => Date) when!: Date;
    }
    @Persistent({ store, namespace: 'inst-hidden' })
    class Hidden extends PersistentBaseModel {
      @Key() id!: string;
      @Exclude() secret?: string;
    }
    @Exclude()
    @Persistent({ store, namespace: 'inst-expose' })
    class ExposeOnly extends PersistentBaseModel {
      @Expose() @Key() id!: string;
      other?: string;
    }
    @Persistent({ store, namespace: 'inst-transform' })
    class Shout extends PersistentBaseModel {
      @Key() id!: string;
      @Transform(({ value }) => String(value).toUpperCase()) word!: string;
    }
    @Persistent({ store, namespace: 'inst-custom' })
    class Custom extends PersistentBaseModel {
      @Key() id!: string;
      static override fromRecord(key: unknown, record: unknown) {
        const obj = super.fromRecord(key, record) as unknown as Record<string, unknown>;
        obj.custom = true;
        return obj as never;
      }
    }
    const flat = [
      { id: 'a', name: 'Ann', age: 3 },
      { name: 'no id: the key fills it', ok: true, none: null, gone: undefined },
      { id: 'b', title: 'a getter without setter is skipped', greet: 'a method is skipped', log: 'x', extra: 'e' },
      { id: 'c', tags: ['an array: plainToInstance'] },
      { id: 'd', when: new Date(5) },
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, i])), // more fields than the fields form takes
      { id: 'e', big: 2n ** 70n },
    ];
    const raw = [
      rawEnvelope([
        ['log', 0x01],
        ['log', 0x02],
      ]), // a repeated key: the setter runs once, with the last value
      rawEnvelope([
        ['b', 0x01],
        ['1', 0x02],
        ['0', 0x03],
      ]), // index-like keys come first in an object
      rawEnvelope([['__proto__', 0x01]]),
      encodeValue({ r: 5, i: [] }),
      encodeValue({ r: [1], i: [] }),
      encodeValue({ r: { id: 'x' }, i: [['team']] }),
    ];
    const records = [
      ...flat.map((r) => encodeEnvelope(r, [['name', 'Ann']])),
      ...raw,
      encodeEnvelope({ id: 't', to: { city: 'Oslo' }, when: new Date(1000) }, []),
      encodeEnvelope({ id: 'h', secret: 's' }, []),
      encodeEnvelope({ id: 'x', other: 'o' }, []),
      encodeEnvelope({ id: 'w', word: 'hey' }, []),
    ];
    let fast = 0;
    for (const cls of [Flat, SubFlat, Trip, Hidden, ExposeOnly, Shout, Custom]) {
      const { schema, make } = await contextOf(cls);
      for (const [i, bytes] of records.entries()) {
        const got = attempt(() => instantiate(schema, make, 'pk', bytes));
        expectSameInstance(got, viaRecord(cls, 'pk', bytes), `${cls.name} record ${i}`);
        const fields = decodeEnvelopeFields(bytes);
        if (cls === Flat && Array.isArray(fields) && fieldsToInstance(cls as never, fields) !== undefined) fast++;
      }
    }
    // Each way through instantiate is taken: fields, another shape of a fast record, the general decoder.
    expect(decodeEnvelopeFields(raw[0]!)).to.equal(NOT_FIELDS);
    expect(decodeEnvelopeFields(raw[1]!)).to.equal(NOT_FIELDS);
    expect(decodeEnvelopeFields(records[5]!)).to.equal(NOT_FIELDS); // 20 fields
    expect(decodeEnvelopeFields(raw[3]!)).to.equal(NOT_FIELDS); // not a map
    expect(decodeEnvelopeFields(records[6]!)).to.equal(MISS); // a bigint
    expect(decodeEnvelopeFields(raw[5]!)).to.equal(MISS); // a bad entry list
    // Not vacuous: the fields form built Flat's six flat records itself (the others are MISS or not flat).
    expect(fast).to.equal(6);
    const { schema, make } = await contextOf(Flat);
    const viaFields = instantiate(schema, make, 'pk', records[2]!) as Flat;
    expect(viaFields.seen).to.equal('x');
    expect(viaFields.greet).to.equal(Flat.prototype.greet);
    expect(((await contextOf(Custom)).make('k', { id: 'k' }) as unknown as { custom: boolean }).custom).to.equal(true);
  });

  it('loads, scans and finds through the store with the same instances', async () => {
    @Persistent({ store, namespace: 'inst-store' })
    class Member extends PersistentBaseModel<'team'> {
      @Key() id!: string;
      team!: string;
      age = 0;
      get label(): string {
        return `${this.id}@${this.team}`;
      }
    }
    (Member as unknown as { registerIndex(n: string, f: (m: Member) => string): void }).registerIndex('team', (m) => m.team);
    for (let i = 0; i < 12; i++) await new Member({ id: `m${i}`, team: `t${i % 3}`, age: i }).save();
    const { schema } = await contextOf(Member);
    const check = (m: Member) => {
      expect(m).to.be.instanceOf(Member);
      expect(Object.keys(m)).to.deep.equal(['age', 'id', 'team']);
      expect(m.label).to.equal(`${m.id}@${m.team}`);
    };
    check(await Member.load('m4'));
    const found = await Member.scanIndex('team', 't1');
    expect(found.map((m) => m.id)).to.deep.equal(['m1', 'm10', 'm4', 'm7']);
    found.forEach(check);
    (await Member.find({ team: 't2' })).forEach(check);
    (await Member.scan()).forEach(check);
    expect(schema.name).to.equal('Member');
  });
});
