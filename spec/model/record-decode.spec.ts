/** The fast record decoder (src/model/record-decode.ts) gives exactly what decodeValue gives, or steps aside. */
import { expect } from 'chai';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { decodeValue, encodeValue } from '../../src/codec/values.js';
import { MISS, decodeRecordValue } from '../../src/model/record-decode.js';
import { decodeEnvelope, encodeEnvelope } from '../../src/model/layout.js';

/** Same value, same prototypes, -0 apart from 0 (isDeepStrictEqual), and the same key order. */
// isDeepStrictEqual compares Dates by getTime(), and NaN !== NaN, so two Invalid Dates never match:
// give every Invalid Date on both sides one odd valid time first (the values are the test's own).
const INVALID_DATE_MARK = -8_639_999_999_999_993;
function markInvalidDates(v: unknown, seen = new Set<unknown>()): void {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) v.setTime(INVALID_DATE_MARK);
    return;
  }
  if (v instanceof Map) {
    for (const [k, x] of v) {
      markInvalidDates(k, seen);
      markInvalidDates(x, seen);
    }
    return;
  }
  if (v instanceof Set) {
    for (const x of v) markInvalidDates(x, seen);
    return;
  }
  if (ArrayBuffer.isView(v)) return;
  for (const x of Object.values(v)) markInvalidDates(x, seen);
}

function expectSame(fast: unknown, slow: unknown): void {
  markInvalidDates(fast);
  markInvalidDates(slow);
  expect(isDeepStrictEqual(fast, slow), `${String(fast)} vs ${String(slow)}`).to.equal(true);
  expect(JSON.stringify(fast, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).to.equal(
    JSON.stringify(slow, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)),
  );
}

const edgeInts = [
  0,
  1,
  23,
  24,
  255,
  256,
  65535,
  65536,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  -1,
  -24,
  -25,
  -256,
  -257,
  -65536,
  -65537,
  -(2 ** 32),
  -(2 ** 32) - 1,
];
const scalar = fc.oneof(
  fc.constantFrom(...edgeInts, 0.5, -0, NaN, Infinity, -Infinity, 1e300, true, false, null, '', '__proto__', 'constructor', 'é', '\u0000'),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ minLength: 30, maxLength: 80 }),
  fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
  fc.date({ noInvalidDate: false }),
  fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b)),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, tie('arr'), tie('obj'), tie('map')),
  arr: fc.array(tie('v'), { maxLength: 5 }),
  obj: fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'a', '1', 'é')), tie('v'), { maxKeys: 5 }),
  map: fc.array(fc.tuple(fc.string({ maxLength: 3 }), tie('v')), { maxLength: 3 }).map((e) => new Map(e)),
})).v;

describe('fast record decoder', () => {
  it('decodes what decodeValue decodes, identically, or returns MISS', () => {
    let fast = 0;
    let runs = 0;
    fc.assert(
      fc.property(value, (v) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeValue({ r: v, i: [] });
        } catch {
          return; // a value the encoder refuses (say an own '__proto__' key) is never stored
        }
        runs++;
        const got = decodeRecordValue(bytes);
        if (got === MISS) return;
        fast++;
        expectSame(got, decodeValue(bytes));
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: plenty of values take the fast path.
    expect(fast).to.be.greaterThan(runs / 5);
  });

  it('decodes the usual record shapes itself: ASCII strings, integers, doubles, booleans, null, arrays, Dates', () => {
    const rec = {
      id: 'm00000001',
      email: 'u1@example.com',
      team: 'team0',
      age: 41,
      score: -2.5,
      big: 2 ** 40,
      ok: true,
      none: null,
      tags: ['a', 'b'],
      when: new Date(1_767_323_045_123),
      long: 'x'.repeat(100),
    };
    const bytes = encodeEnvelope(rec, [
      ['email', 'u1@example.com'],
      ['team', 'team0'],
    ]);
    const got = decodeRecordValue(bytes);
    expect(got).to.not.equal(MISS);
    expectSame(got, decodeValue(bytes));
    expectSame(decodeEnvelope('M', 'k', bytes).record, rec);
  });

  it('treats Invalid Dates on both sides as the same value (isDeepStrictEqual alone does not)', () => {
    for (const v of [new Date(Number.NaN), [new Date(Number.NaN)], { a: new Date(Number.NaN) }]) {
      const bytes = encodeValue({ r: v, i: [] });
      const got = decodeRecordValue(bytes);
      expect(got).to.not.equal(MISS);
      expectSame(got, decodeValue(bytes));
    }
    expect(() => expectSame({ d: new Date(Number.NaN) }, { d: new Date(0) })).to.throw();
  });

  it('decodes long ASCII strings (300,000 characters overflowed the stack with a RangeError), and steps aside for a long non-ASCII one', () => {
    for (const n of [4096, 4097, 300_000]) {
      const rec = { note: 'ab'.repeat(n / 2) + (n % 2 ? 'c' : ''), tail: 1 };
      const bytes = encodeEnvelope(rec, []);
      const got = decodeRecordValue(bytes);
      expect(got).to.not.equal(MISS);
      expectSame(got, decodeValue(bytes));
    }
    const wide = encodeEnvelope({ note: `${'x'.repeat(10_000)}\u00e9` }, []);
    expect(decodeRecordValue(wide)).to.equal(MISS);
    expect((decodeEnvelope('M', 'k', wide).record as { note: string }).note.length).to.equal(10_001);
  });

  it('keeps map keys apart that share a cache slot (same length and end bytes)', () => {
    const records = [{ axb: 1, ayb: 2 }, { ayb: 3, axb: 4, azb: 5 }, { axb: 6 }, { 'a\u00e9b': 7 }, { axb: 8 }];
    for (const r of records) {
      const bytes = encodeEnvelope(r, []);
      const got = decodeRecordValue(bytes);
      if (got !== MISS) expectSame(got, decodeValue(bytes));
      expectSame(decodeEnvelope('M', 'k', bytes).record, r);
    }
  });

  it('steps aside for bytes, non-ASCII text, Maps, Sets, bigints and the __proto__ key, and decodeEnvelope still decodes them', () => {
    for (const r of [{ b: Buffer.from('hi') }, { s: 'ünï' }, { m: new Map([['a', 1]]) }, { s: new Set([1]) }, { n: 1n << 70n }, { n: 5n }]) {
      const bytes = encodeEnvelope(r, []);
      expect(decodeRecordValue(bytes), JSON.stringify(Object.keys(r))).to.equal(MISS);
      expectSame(decodeEnvelope('M', 'k', bytes).record, (decodeValue(bytes) as { r: unknown }).r);
    }
    // Another writer's map with a '__proto__' key: cbor-x renames it, so the fast path leaves it alone.
    const proto = Uint8Array.of(0x03, 0xa1, 0x69, ...Buffer.from('__proto__'), 0x01);
    expect(decodeRecordValue(proto)).to.equal(MISS);
    expect(decodeValue(proto)).to.deep.equal({ __proto_: 1 });
  });

  it('never accepts bytes that decodeValue rejects: random, truncated and mutated values', () => {
    const agree = (bytes: Uint8Array) => {
      const got = decodeRecordValue(bytes);
      if (got === MISS) return;
      expectSame(got, decodeValue(bytes)); // would throw DECODE if the fast path accepted a bad value
    };
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 48 }).map((b) => Uint8Array.of(0x03, ...b)),
        agree,
      ),
      { numRuns: 20000 },
    );
    const base = encodeEnvelope({ id: 'a', n: 300, f: 1.5, t: true, l: ['x', null], d: new Date(0) }, [['team', 't']]);
    for (let end = 0; end < base.length; end++) expect(decodeRecordValue(base.subarray(0, end))).to.equal(MISS);
    const mutated = fc.array(fc.tuple(fc.nat(base.length - 2), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }).map((edits) => {
      const copy = Uint8Array.from(base);
      for (const [at, byte] of edits) copy[at + 1] = byte;
      return copy;
    });
    fc.assert(fc.property(mutated, agree), { numRuns: 5000 });
    expect(decodeRecordValue(Uint8Array.of(0x01, 0x61))).to.equal(MISS); // a string value is not CBOR
  });
});
