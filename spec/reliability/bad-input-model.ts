/** The model half of the bad-input table: wrong inputs to models, each with the error it must give. */
import 'reflect-metadata';
import { IsEmail, IsInt, IsOptional, IsString } from 'class-validator';
import { Index, Key, PersistentBaseModel, type SkyShelve } from '../../src/index.js';
import { internalKey } from '../../src/codec/keys.js';
import type { BadCase } from './bad-input-kv.js';

/** A model whose computed indexes misbehave on demand. */
@Index('boom', (p: Profile) => (p.explode ? explode() : []))
@Index('odd', (p: Profile) => p.odd)
class Profile extends PersistentBaseModel {
  @Key() @IsString() username!: string;
  @Index() @IsEmail() email!: string;
  @Index({ unique: true }) @IsOptional() @IsString() handle?: string;
  @IsOptional() @IsInt() age?: number;
  explode = false;
  odd: unknown = null;
}

function explode(): never {
  throw new Error('extractor failed on purpose');
}

/** No @Persistent and no configureStorage: an error on first use, never at import. */
class Unconfigured extends PersistentBaseModel {
  @Key() @IsString() id!: string;
}

/** Two @Key fields: reported as metadata. */
class TwoKeys extends PersistentBaseModel {
  @Key() @IsString() a!: string;
  @Key() @IsString() b!: string;
}

/** Binds the models to the spec's store and stores two valid profiles. */
export async function seedModels(store: SkyShelve<any>): Promise<void> {
  Profile.configureStorage({ store, namespace: 'Profile' });
  TwoKeys.configureStorage({ store, namespace: 'TwoKeys' });
  await new Profile({ username: 'alice', email: 'alice@example.com', handle: 'al' }).save();
  await new Profile({ username: 'bob', email: 'bob@example.com', handle: 'bo' }).save();
}

const alice = (over: Partial<Profile> = {}): Profile => new Profile({ username: 'alice', email: 'alice@example.com', handle: 'al', ...over });
const carol = (over: Partial<Profile> = {}): Profile => new Profile({ username: 'carol', email: 'carol@example.com', ...over });

/** Wrong inputs to the model API. */
export const modelCases: BadCase[] = [
  { name: 'model: save with an invalid email', code: 'VALIDATION', mentions: /email/, run: () => carol({ email: 'not-an-email' }).save() },
  { name: 'model: save with a string where an int is declared', code: 'VALIDATION', mentions: /age/, run: () => carol({ age: 'ten' as any }).save() },
  { name: 'model: save with an empty primary key', code: 'VALIDATION', mentions: /username/, run: () => carol({ username: '' }).save() },
  {
    name: 'model: update that makes a record invalid',
    code: 'VALIDATION',
    mentions: /email/,
    run: () =>
      Profile.update('alice', {
        mutator: (p) => {
          p.email = 'nope';
        },
      }),
  },
  { name: 'model: save a duplicate of a unique value', code: 'UNIQUE', mentions: /al/, run: () => carol({ handle: 'al' }).save() },
  {
    name: "model: update that takes another record's unique value",
    code: 'UNIQUE',
    mentions: /bo/,
    run: () =>
      Profile.update('alice', {
        mutator: (p) => {
          p.handle = 'bo';
        },
      }),
  },
  { name: 'model: index extractor that throws', code: 'INDEX', mentions: /boom/, run: () => carol({ explode: true }).save() },
  { name: 'model: index extractor that returns an object', code: 'INDEX', mentions: /odd/, run: () => carol({ odd: { nested: 1 } }).save() },
  { name: 'model: index extractor that returns NaN', code: 'INDEX', mentions: /odd/, run: () => alice({ odd: NaN }).save() },
  { name: 'model: index extractor that returns an array inside a tuple', code: 'INDEX', mentions: /odd/, run: () => carol({ odd: [['x', ['y']]] }).save() },
  { name: 'model: load with a NaN key', code: 'TypeError', mentions: /key/, run: () => Profile.load(NaN) },
  { name: 'model: load with an object key', code: 'TypeError', mentions: /key/, run: () => Profile.load({ id: 1 } as any) },
  { name: 'model: load of a missing record', code: 'NOT_FOUND', mentions: /nobody/, run: () => Profile.load('nobody') },
  { name: 'model: delete with an empty key', code: 'TypeError', mentions: /key/, run: () => Profile.delete('') },
  {
    name: 'model: update of a missing record without defaultFactory',
    code: 'NOT_FOUND',
    mentions: /nobody/,
    run: () => Profile.update('nobody', { mutator: () => {} }),
  },
  {
    name: 'model: update with a mutator that is not a function',
    code: 'TypeError',
    mentions: /mutator/,
    run: () => Profile.update('alice', { mutator: 'x' as any }),
  },
  { name: 'model: update with a misspelled option', code: 'TypeError', mentions: /mutator/, run: () => Profile.update('alice', { mutate: () => {} } as any) },
  {
    name: 'model: update whose mutator returns a number',
    code: 'TypeError',
    mentions: /mutator/,
    run: () => Profile.update('alice', { mutator: () => 42 as any }),
  },
  { name: 'model: scanIndex of an unknown index', code: 'TypeError', mentions: /email/, run: () => Profile.scanIndex('emial' as any, 'x') },
  {
    name: 'model: scanIndexRange with a misspelled range option',
    code: 'TypeError',
    mentions: /gte/,
    run: () => Profile.scanIndexRange('email', { gtee: 'a' } as any),
  },
  { name: 'model: a class with no storage configuration', code: 'METADATA', mentions: /Unconfigured/, run: () => Unconfigured.load('x') },
  { name: 'model: a class with two @Key fields', code: 'METADATA', mentions: /TwoKeys/, run: () => TwoKeys.load('x') },
  {
    name: 'model: a corrupt stored record',
    code: 'DECODE',
    mentions: /mallory/,
    setup: async ({ store }) => {
      await (await store.backend()).write([{ type: 'put', key: internalKey(['m', 'Profile', 'mallory']), value: Uint8Array.of(0x03, 0xbf, 0x61) }]);
    },
    run: () => Profile.load('mallory'),
  },
];
