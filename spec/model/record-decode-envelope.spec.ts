/**
 * Reads that only need the record (load, scans, find) decode it with decodeRecord, which checks the
 * envelope's entry list without building it (decodeEnvelopeRecord): the same record and the same
 * DECODE errors as decodeEnvelope(...).record.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { encodeValue } from '../../src/codec/values.js';
import { isSkyshelveError } from '../../src/errors.js';
import { decodeEnvelope, decodeRecord, encodeEnvelope } from '../../src/model/layout.js';
import { MISS, decodeEnvelopeRecord } from '../../src/model/record-decode.js';

/** decodeEnvelope(...).record, or the error code it throws. */
function viaEnvelope(bytes: Uint8Array): { value?: unknown; code?: string } {
  try {
    return { value: decodeEnvelope('M', 'k', bytes).record };
  } catch (err) {
    if (!isSkyshelveError(err)) throw err;
    return { code: err.code };
  }
}

function viaRecord(bytes: Uint8Array): { value?: unknown; code?: string } {
  try {
    return { value: decodeRecord('M', 'k', bytes) };
  } catch (err) {
    if (!isSkyshelveError(err)) throw err;
    return { code: err.code };
  }
}

function expectAgree(bytes: Uint8Array): void {
  const want = viaEnvelope(bytes);
  const got = viaRecord(bytes);
  expect(got.code, Buffer.from(bytes).toString('hex')).to.equal(want.code);
  expect(isDeepStrictEqual(got.value, want.value), Buffer.from(bytes).toString('hex')).to.equal(true);
  const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
  expect(json(got.value)).to.equal(json(want.value));
}

const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(2 ** 32, -(2 ** 32) - 1, 2 ** 53 - 1, 'é', ''),
  fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b)),
);
const indexValue = fc.oneof(scalar, fc.array(scalar, { minLength: 2, maxLength: 3 }));
const entries = fc.array(fc.tuple(fc.string({ maxLength: 8 }), indexValue), { maxLength: 4 });
const record = fc.dictionary(
  fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__'),
  fc.oneof(scalar, fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true }), fc.array(scalar, { maxLength: 3 })),
  { maxKeys: 5 },
);

describe('decodeRecord (the record without its entry list)', () => {
  it('gives decodeEnvelope(...).record for stored envelopes, mostly without building the list', () => {
    let fast = 0;
    let runs = 0;
    fc.assert(
      fc.property(record, entries, (r, e) => {
        const bytes = encodeEnvelope(r, e);
        runs++;
        if (decodeEnvelopeRecord(bytes) !== MISS) fast++;
        expectAgree(bytes);
      }),
      { numRuns: 3000 },
    );
    expect(fast).to.be.greaterThan(runs / 5);
  });

  it('reads the usual record itself (the fast path is taken)', () => {
    const r = { id: 'm00000001', email: 'u1@example.com', team: 'team0', age: 41, at: new Date(5000), tags: ['a', 1.5] };
    const bytes = encodeEnvelope(r, [
      ['email', r.email],
      ['team', r.team],
      ['pair', ['team0', 41]],
      ['score', -2.5],
      ['big', 2 ** 31],
    ]);
    const got = decodeEnvelopeRecord(bytes);
    expect(got).to.not.equal(MISS);
    expect(got).to.deep.equal(r);
  });

  it('gives DECODE for every entry list decodeEnvelope rejects, however the record decodes', () => {
    const bad: unknown[] = [
      'x',
      null,
      [['team']],
      [['team', 't', 'u']],
      [[1, 't']],
      [['team', true]],
      [['team', null]],
      [['team', ['only']]],
      [['team', ['a', ['b', 'c']]]],
      [['team', { a: 1 }]],
      [['team', new Date(0)]],
      [['team', 't'], 'x'],
      [['team', 't'], ['team']],
    ];
    for (const i of bad) {
      const bytes = encodeValue({ r: { id: 'a' }, i });
      expect(decodeEnvelopeRecord(bytes), JSON.stringify(i)).to.equal(MISS);
      expect(viaRecord(bytes).code, JSON.stringify(i)).to.equal('DECODE');
      expectAgree(bytes);
    }
    // Other envelope shapes: keys in another order, a missing list, a third key, no record.
    for (const v of [{ i: [], r: { id: 'a' } }, { r: { id: 'a' } }, { r: { id: 'a' }, i: [], x: 1 }, { i: [] }]) {
      const bytes = encodeValue(v);
      expect(decodeEnvelopeRecord(bytes)).to.equal(MISS);
      expectAgree(bytes);
    }
  });

  it('agrees with decodeEnvelope on truncated and mutated envelopes', () => {
    const base = encodeEnvelope({ id: 'a', n: 300, f: 1.5, t: true, d: new Date(0) }, [
      ['team', 't'],
      ['pair', ['x', 7]],
      ['score', 2.5],
    ]);
    for (let end = 0; end < base.length; end++) expectAgree(base.subarray(0, end));
    const mutated = fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }).map((edits) => {
      const copy = Uint8Array.from(base);
      for (const [at, byte] of edits) copy[at] = byte;
      return copy;
    });
    fc.assert(fc.property(mutated, expectAgree), { numRuns: 5000 });
  });
});
