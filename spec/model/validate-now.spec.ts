/**
 * validateModelNow (src/model/validation.ts) runs class-validator's own executor and answers
 * without a promise when no constraint is async: its errors are exactly validate()'s, for flat,
 * inherited, nested, array, conditional and custom constraints; with an async constraint it gives
 * validate()'s promise instead; and a save of such a model fails with the same VALIDATION error.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import path from 'node:path';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  Min,
  MinLength,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  validate,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { Key, Persistent, PersistentBaseModel, SkyShelve } from '../../src/index.js';
import { validateModelNow } from '../../src/model/validation.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

const OPTIONS = { forbidUnknownValues: false, validationError: { target: false } };

@ValidatorConstraint({ name: 'even' })
class Even implements ValidatorConstraintInterface {
  validate(v: unknown): boolean {
    return typeof v === 'number' && v % 2 === 0;
  }
}

let asyncCalls = 0;
@ValidatorConstraint({ name: 'takenLater', async: true })
class TakenLater implements ValidatorConstraintInterface {
  async validate(v: unknown): Promise<boolean> {
    asyncCalls++;
    await new Promise((r) => setImmediate(r));
    return v !== 'taken';
  }
}

class Leg {
  @IsString() @MinLength(2) to: unknown = 'x';
}

class Trip {
  @IsEmail() who: unknown = 'nobody';
  @IsInt() @Min(1) @Validate(Even) days: unknown = 3;
  @IsOptional() @IsString() note?: unknown;
  @ValidateIf((t: Trip) => t.days === 0) @IsString() why: unknown = 5;
  @ValidateNested() @Type(() => Leg) first = new Leg();
  @ValidateNested({ each: true }) @Type(() => Leg) legs: Leg[] = [new Leg(), Object.assign(new Leg(), { to: 'Oslo' })];
}

class LongTrip extends Trip {
  @Min(10) extra: unknown = 1;
}

class Named {
  @Validate(TakenLater) @MinLength(3) name: unknown = 'taken';
}

const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('validateModelNow: class-validator answered without a promise when no constraint is async', () => {
  after(cleanupTmp);

  it('gives exactly the errors validate() gives, synchronously', async () => {
    const cases = [
      new Trip(),
      new LongTrip(),
      Object.assign(new Trip(), { who: 'a@b.io', days: 2, why: 'x', note: 7 }),
      Object.assign(new Trip(), { days: 0, legs: [Object.assign(new Leg(), { to: 9 })] }),
      Object.assign(new Trip(), { who: 'a@b.io', days: 4, first: Object.assign(new Leg(), { to: 'Rome' }), legs: [] }),
    ];
    for (const obj of cases) {
      const now = validateModelNow(obj);
      expect(now).to.be.an('array');
      expect(plain(now)).to.deep.equal(plain(await validate(obj, OPTIONS)));
    }
    // The valid one has none; the others name their constraints.
    expect(validateModelNow(cases[4]!)).to.deep.equal([]);
    expect((validateModelNow(cases[0]!) as { property: string }[]).map((e) => e.property)).to.deep.equal(['who', 'days', 'first', 'legs']);
  });

  it('with an async constraint, gives the promise of validate()’s errors (the constraint runs once)', async () => {
    asyncCalls = 0;
    const now = validateModelNow(new Named());
    expect(now).to.be.instanceOf(Promise);
    expect(plain(await now)).to.deep.equal(plain(await validate(new Named(), OPTIONS)));
    expect(asyncCalls).to.equal(2);
    expect(plain(await validateModelNow(Object.assign(new Named(), { name: 'free' })))).to.deep.equal([]);
  });

  // The message once had an empty line ('; ;') for a custom constraint without a defaultMessage.
  it('a save fails with the same VALIDATION error whichever way the errors came, naming a custom constraint without a message', async () => {
    const store = await SkyShelve.open(path.join(tmpDir('sky-vn-'), 'db'));
    try {
      @Persistent({ store, namespace: 'vn-trip' })
      class Stored extends PersistentBaseModel {
        @Key() id!: string;
        @IsEmail() who: unknown = 'nobody';
        @Validate(TakenLater) name: unknown = 'taken';
        @ValidateNested() @Type(() => Leg) first = new Leg();
      }
      const err = await new Stored({ id: 'a' }).save().then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err).to.include({ code: 'VALIDATION' });
      expect(err!.message).to.equal('Stored is invalid: who must be an email; name fails takenLater; first: to must be longer than or equal to 2 characters');
      expect(await Stored.load('a', undefined)).to.equal(undefined);
      const ok = await new Stored({ id: 'b', who: 'a@b.io', name: 'free', first: Object.assign(new Leg(), { to: 'Rome' }) }).save();
      expect((await Stored.load('b')).first)
        .to.be.instanceOf(Leg)
        .and.deep.include({ to: 'Rome' });
      expect(ok.id).to.equal('b');
    } finally {
      await store.close();
    }
  });
});
