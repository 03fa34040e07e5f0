/** decodeInternalKeyTail (an index entry's elements after a shared prefix) agrees with decodeInternalKey. */
import { expect } from 'chai';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { isSkyshelveError } from '../../src/errors.js';
import { decodeInternalKey, decodeInternalKeyTail, internalKey, internalPrefix, type KeyPart } from '../../src/codec/keys.js';
import { keyPart } from './arbitraries.js';

/** The decoded elements, or the error code. */
function attempt(fn: () => KeyPart[]): { parts?: KeyPart[]; code?: string } {
  try {
    return { parts: fn() };
  } catch (err) {
    if (!isSkyshelveError(err)) throw err;
    return { code: err.code };
  }
}

/** The tail from `start` decoded on its own, against the whole key decoded then sliced. */
function expectAgree(bytes: Uint8Array, start: number, skip: number): void {
  const want = attempt(() => decodeInternalKey(bytes).slice(skip));
  const got = attempt(() => decodeInternalKeyTail(bytes, start));
  const what = `${Buffer.from(bytes).toString('hex')} from ${start}`;
  expect(got.code, what).to.equal(want.code);
  expect(isDeepStrictEqual(got.parts, want.parts), what).to.equal(true);
}

const asciiPk = fc.string({ unit: fc.constantFrom('a', 'z', '0', '9', '@', '.', '~'), maxLength: 12 });

describe('decodeInternalKeyTail', () => {
  it('gives the elements decodeInternalKey gives after the prefix, one ASCII string or anything else', () => {
    const prefix = ['i', 'member', 'team'];
    fc.assert(
      fc.property(fc.array(keyPart, { maxLength: 2 }), fc.oneof(asciiPk, keyPart), (value, pk) => {
        const head = [...prefix, ...value];
        expectAgree(internalKey([...head, pk]), internalPrefix(head).length, head.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on truncated and mutated tails, DECODE errors included', () => {
    const head = ['i', 'member', 'team', 'team5'];
    const start = internalPrefix(head).length;
    for (const pk of ['m00000005', '', 'a.b@c', 'é', '\u0001x']) {
      const whole = internalKey([...head, pk]);
      for (let end = start; end <= whole.length; end++) expectAgree(whole.subarray(0, end), start, head.length);
    }
    const base = internalKey([...head, 'm00000005']);
    const mutated = fc
      .array(fc.tuple(fc.integer({ min: start, max: base.length - 1 }), fc.constantFrom(0x00, 0x01, 0x02, 0x10, 0x20, 0x30, 0x61, 0x7f, 0x80, 0xff)), {
        minLength: 1,
        maxLength: 3,
      })
      .map((edits) => {
        const copy = Uint8Array.from(base);
        for (const [at, byte] of edits) copy[at] = byte;
        return copy;
      });
    fc.assert(
      fc.property(mutated, (bytes) => expectAgree(bytes, start, head.length)),
      { numRuns: 5000 },
    );
  });
});
