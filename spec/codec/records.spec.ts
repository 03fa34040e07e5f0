import { expect } from 'chai';
import fc from 'fast-check';
import type { RawOp } from '../../src/backend/backend.js';
import { encodeWrite, writeRequestSize } from '../../src/backend/badger-codec.js';
import { isWellFormed } from '../../src/codec/helpers.js';
import { encodeKey } from '../../src/codec/keys.js';
import { packRecords } from '../../src/codec/records.js';
import { encodeValue } from '../../src/codec/values.js';
import { key } from './arbitraries.js';

type Op = { type: 'put'; key: unknown; value: unknown } | { type: 'del'; key: unknown };

/** What the op-by-op path sends: encodeKey and encodeValue, then encodeWrite, without the count. */
function reference(ops: readonly Op[], autoSerialize = true): { count: number; bytes: Buffer } {
  const raw: RawOp[] = ops.map((op) =>
    op.type === 'put'
      ? { type: 'put', key: encodeKey(op.key as never), value: encodeValue(op.value, { autoSerialize }) }
      : { type: 'del', key: encodeKey(op.key as never) },
  );
  const buf = Buffer.alloc(writeRequestSize(raw));
  const len = encodeWrite(raw, buf);
  return { count: raw.length, bytes: buf.subarray(4, len) };
}

function packed(ops: readonly unknown[], autoSerialize = true): { count: number; bytes: Buffer } | undefined {
  const records = packRecords(ops, autoSerialize);
  return records === undefined ? undefined : { count: records.count, bytes: Buffer.from(records.bytes) };
}

const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }).filter(isWellFormed),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ maxLength: 40 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(
    fc.string({ maxLength: 5 }).filter((k) => k !== '__proto__'),
    fc.integer(),
    { maxKeys: 3 },
  ),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
);

const asciiKey = fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 70 });

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key: fc.oneof(key, asciiKey), value }),
  fc.record({ type: fc.constant('del' as const), key: fc.oneof(key, asciiKey) }),
);

describe('packRecords (a batch encoded in one pass)', () => {
  it('gives exactly the bytes of the op-by-op encoding', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), (ops) => {
        expect(packed(ops)).to.deep.equal(reference(ops));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same bytes with autoSerialize off, for strings and bytes', () => {
    const ops: Op[] = [
      { type: 'put', key: 'a', value: 'text' },
      { type: 'put', key: 'b', value: Buffer.from([0, 1, 2]) },
      { type: 'put', key: 'c', value: 'é'.repeat(100) },
      { type: 'del', key: 'd' },
    ];
    expect(packed(ops, false)).to.deep.equal(reference(ops, false));
  });

  const refused: Array<[string, unknown[], boolean?]> = [
    ['an op that is not an object', [{ type: 'put', key: 'a', value: 1 }, 7]],
    ['a null op', [null]],
    ['an unknown type', [{ type: 'x', key: 'a' }]],
    ['an empty key', [{ type: 'put', key: '', value: 1 }]],
    ['a key of the wrong type', [{ type: 'del', key: { a: 1 } }]],
    ['an undefined value', [{ type: 'put', key: 'a', value: undefined }]],
    ['a function value', [{ type: 'put', key: 'a', value: () => 1 }]],
    ['a string with a lone surrogate', [{ type: 'put', key: 'a', value: 'x\ud800' }]],
    ['an object while autoSerialize is off', [{ type: 'put', key: 'a', value: { n: 1 } }], false],
  ];
  for (const [what, ops, autoSerialize] of refused) {
    it(`leaves ${what} to the checked path (undefined)`, () => {
      expect(packRecords(ops, autoSerialize ?? true)).to.equal(undefined);
    });
  }

  it('grows past its first buffer and past the size it keeps, and stays right afterwards', () => {
    for (const size of [70_000, 5 * 1024 * 1024, 10]) {
      const ops: Op[] = [
        { type: 'put', key: 'big', value: Buffer.alloc(size, 7) },
        { type: 'put', key: ['t', 1], value: { n: size } },
      ];
      expect(packed(ops)).to.deep.equal(reference(ops));
    }
  });

  it('gives no records for an empty batch', () => {
    expect(packed([])).to.deep.equal({ count: 0, bytes: Buffer.alloc(0) });
  });
});
