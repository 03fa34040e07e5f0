import { expect } from 'chai';
import fc from 'fast-check';
import type { RawCheck, RawEntry, RawOp } from '../../src/backend/backend.js';
import { encodePuts, encodeWrite, putsRequestSize, writeRequestSize } from '../../src/backend/badger-codec.js';

// The encoder as it was before the byte-store rewrite (Buffer.writeUInt32LE / writeUInt8 / set per
// field), kept as the reference: the new one must produce the same bytes for every input.
function refPutBytes(buf: Buffer, pos: number, bytes: Uint8Array | undefined): number {
  const len = bytes?.length ?? 0;
  pos = buf.writeUInt32LE(len, pos);
  if (len) buf.set(bytes!, pos);
  return pos + len;
}

function refEncodeWrite(ops: readonly RawOp[], buf: Buffer, checks: readonly RawCheck[] = []): number {
  let pos = buf.writeUInt32LE(ops.length + checks.length, 0);
  for (const op of ops) {
    const value = op.type === 'put' ? op.value! : undefined;
    pos = buf.writeUInt8(value ? 1 : 2, pos);
    pos = refPutBytes(buf, pos, op.key);
    pos = refPutBytes(buf, pos, value);
  }
  for (const check of checks) {
    pos = buf.writeUInt8(check.value ? 3 : 4, pos);
    pos = refPutBytes(buf, pos, check.key);
    pos = refPutBytes(buf, pos, check.value);
  }
  return pos;
}

function refEncodePuts(entries: readonly RawEntry[], buf: Buffer): number {
  let pos = buf.writeUInt32LE(entries.length, 0);
  for (const e of entries) {
    pos = buf.writeUInt8(1, pos);
    pos = refPutBytes(buf, pos, e.key);
    pos = refPutBytes(buf, pos, e.value);
  }
  return pos;
}

/** Byte strings around the short-copy threshold, empty ones, and now and then a big one. */
const bytes = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 1, arbitrary: fc.integer({ min: 1 << 16, max: 1 << 18 }).map((n) => new Uint8Array(n).fill(n & 0xff)) },
);
// Keys and values as views at an offset into a bigger buffer too, as Buffer slices from the pool are.
const view = bytes.chain((b) =>
  fc.nat(7).map((off) => {
    const host = new Uint8Array(b.length + off).fill(0xee);
    host.set(b, off);
    return off % 2 ? host.subarray(off) : b;
  }),
);
const op: fc.Arbitrary<RawOp> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key: view, value: view }),
  fc.record({ type: fc.constant('del' as const), key: view }),
);
const check: fc.Arbitrary<RawCheck> = fc.oneof(fc.record({ key: view, value: view }), fc.record({ key: view }));

/** Encodes into a buffer of exactly the computed size, pre-filled so stale bytes would show. */
function encoded(size: number, fill: number, encode: (buf: Buffer) => number): Buffer {
  const buf = Buffer.alloc(size, fill);
  expect(encode(buf)).to.equal(size);
  return buf;
}

describe('backend/badger-codec: write request encoder', () => {
  it('encodes ops and checks byte for byte like the reference encoder', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(check, { maxLength: 6 }), (ops, checks) => {
        const size = writeRequestSize(ops, checks);
        const got = encoded(size, 0xa5, (buf) => encodeWrite(ops, buf, checks));
        const want = encoded(size, 0x5a, (buf) => refEncodeWrite(ops, buf, checks));
        expect(got.equals(want)).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it('encodes put entries byte for byte like the reference encoder', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ key: view, value: view }), { maxLength: 40 }), (entries) => {
        const size = putsRequestSize(entries);
        const got = encoded(size, 0xa5, (buf) => encodePuts(entries, buf));
        const want = encoded(size, 0x5a, (buf) => refEncodePuts(entries, buf));
        expect(got.equals(want)).to.equal(true);
      }),
      { numRuns: 200 },
    );
  });

  it('writes the documented layout for a put, a delete and both kinds of check', () => {
    const k = Uint8Array.of(0x6b);
    const ops: RawOp[] = [
      { type: 'put', key: k, value: Uint8Array.of(7, 8) },
      { type: 'del', key: k },
    ];
    const checks: RawCheck[] = [{ key: k, value: new Uint8Array(0) }, { key: k }];
    const buf = Buffer.alloc(writeRequestSize(ops, checks));
    encodeWrite(ops, buf, checks);
    expect(buf.toString('hex')).to.equal(
      '04000000' +
        '01' +
        '01000000' +
        '6b' +
        '02000000' +
        '0708' +
        '02' +
        '01000000' +
        '6b' +
        '00000000' +
        '03' +
        '01000000' +
        '6b' +
        '00000000' +
        '04' +
        '01000000' +
        '6b' +
        '00000000',
    );
  });

  it('writes lengths of 2^24 and more in all four bytes', () => {
    for (const v of [new Uint8Array(0x020304), new Uint8Array(0x1000001)]) {
      const ops: RawOp[] = [{ type: 'put', key: Uint8Array.of(1), value: v }];
      const buf = Buffer.alloc(writeRequestSize(ops));
      encodeWrite(ops, buf);
      expect(buf.readUInt32LE(10)).to.equal(v.length);
    }
  });
});
