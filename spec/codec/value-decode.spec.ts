import { expect } from 'chai';
import fc from 'fast-check';
import { decodeValue, encodeValue } from '../../src/codec/values.js';
import { isSkyshelveError } from '../../src/errors.js';

const fromHex = (text: string) => new Uint8Array(Buffer.from(text.replace(/ /g, ''), 'hex'));

function expectDecodeError(bytes: Uint8Array, label = Buffer.from(bytes).toString('hex')): void {
  try {
    decodeValue(bytes);
  } catch (err) {
    expect(isSkyshelveError(err, 'DECODE'), `${label}: ${String(err)}`).to.equal(true);
    return;
  }
  expect.fail(`${label}: expected a DECODE error`);
}

/** Either a value or DECODE: anything else (RangeError, TypeError, a hang) fails the property. */
function decodesOrRejects(bytes: Uint8Array): void {
  try {
    decodeValue(bytes);
  } catch (err) {
    expect(isSkyshelveError(err, 'DECODE'), String(err)).to.equal(true);
  }
}

describe('codec/values: decoding bad bytes', () => {
  it('throws DECODE for an empty value, an unknown tag and invalid UTF-8', () => {
    for (const text of ['', '00', '04', 'ff', '01ff', '01c3', '01eda080']) expectDecodeError(fromHex(text));
  });

  it('throws DECODE for every truncation of a CBOR value', () => {
    const full = encodeValue({ a: [1, 'two', 2n ** 70n], d: new Date(1.5), m: new Map([[1, new Set([2])]]), b: Buffer.from([1]) });
    for (let n = 1; n < full.length; n++) expectDecodeError(full.subarray(0, n), `first ${n} of ${full.length} bytes`);
  });

  it('refuses cbor-x extensions outside the profile: records, shared references, typed arrays, objects', () => {
    const bad = [
      '03 d81b 82 654572726f72 6178', // tag 27: constructs an Error
      '03 d81c a0', // tag 28: shareable
      '03 d81d 00', // tag 29: shared reference
      '03 d840 4100', // tag 64: typed array
      '03 d833 84 80 80 80 00', // tag 51: packed values
      '03 d869 83 19e000 81 6161 01', // tag 105: legacy record definition
      '03 d9dfff 83 19e000 81 6161 01', // inline record definition
      '03 d9e000 01', // record reference
      '03 c6 01', // unassigned tag
    ];
    for (const text of bad) expectDecodeError(fromHex(text));
  });

  it('refuses profile tags around the wrong content', () => {
    const bad = [
      '03 d90102 a0', // Set around a map
      '03 d90103 80', // Map around an array
      '03 c1 60', // epoch date around text
      '03 c1 f5', // epoch date around true
      '03 c1 1b0000000000000001', // epoch date around a 64-bit integer
      '03 c0 01', // date string around an integer
      '03 c2 01', // bignum around an integer
      '03 c2 5f 4101 ff', // indefinite bignum
    ];
    for (const text of bad) expectDecodeError(fromHex(text));
    expectDecodeError(new Uint8Array([0x03, 0xc2, 0x59, 0x04, 0x01, ...new Uint8Array(1025)]), 'bignum of 1025 bytes');
  });

  it('refuses malformed CBOR: trailing bytes, reserved values, lying lengths, stray breaks', () => {
    const bad = [
      '03 01 01', // trailing item
      '03 1c', // reserved additional information
      '03 9b ffffffffffffffff', // array claiming 2^64-1 items
      '03 5a ffffffff 00', // byte string longer than the bytes left
      '03 bb 00000000ffffffff', // map claiming 4 billion entries
      '03 5f 4100 ff', // indefinite byte string
      '03 ff', // break outside a container
      '03 9f 01', // indefinite array without break
      '03 f0', // unassigned simple value
      '03 f8 20', // one-byte simple value
    ];
    for (const text of bad) expectDecodeError(fromHex(text));
  });

  it('throws DECODE, not a stack overflow, for absurdly deep nesting', () => {
    const deep = new Uint8Array(200002).fill(0x81);
    deep[0] = 0x03;
    deep[deep.length - 1] = 0x01;
    expectDecodeError(deep, '200,000 nested arrays');
    const chained = new Uint8Array(300001);
    chained[0] = 0x03;
    for (let i = 1; i < chained.length; i += 3) chained.set([0xd9, 0x01, 0x02], i); // Set tag around Set tag around...
    expectDecodeError(chained, '100,000 chained tags');
  });

  it('accepts standard CBOR another writer may produce', () => {
    expect(decodeValue(fromHex('03 9f 01 02 ff'))).to.deep.equal([1, 2]);
    expect(decodeValue(fromHex('03 bf 6161 01 ff'))).to.deep.equal({ a: 1 });
    expect(decodeValue(fromHex('03 f9 3c00'))).to.equal(1);
    expect(decodeValue(fromHex('03 a1 01 02'))).to.deep.equal({ 1: 2 });
    const date = decodeValue(new Uint8Array([0x03, 0xc0, 0x74, ...Buffer.from('2013-03-21T20:04:00Z')]));
    expect(date).to.deep.equal(new Date('2013-03-21T20:04:00Z'));
  });

  it('either decodes random bytes or throws DECODE, with no other failure', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), decodesOrRejects), { numRuns: 5000 });
    const cbor = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Uint8Array.of(0x03, ...b));
    fc.assert(fc.property(cbor, decodesOrRejects), { numRuns: 20000 });
  });

  it('either decodes mutated valid values or throws DECODE', () => {
    const base = encodeValue({ s: 'text', n: [1, -2, 3.5], m: new Map([['k', new Set([1n << 80n])]]), d: new Date(0) });
    const mutated = fc.array(fc.tuple(fc.nat(base.length - 2), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }).map((edits) => {
      const copy = Uint8Array.from(base);
      for (const [at, byte] of edits) copy[at + 1] = byte;
      return copy;
    });
    fc.assert(fc.property(mutated, decodesOrRejects), { numRuns: 5000 });
  });

  it('decodes correctly after failures (no decoder state leaks between calls)', () => {
    for (const text of ['03 d90103 01', '03 d90103 a1 01', '03 d90103', '03 a1 61']) expectDecodeError(fromHex(text));
    const value = { plain: { a: 1 }, map: new Map([['b', { c: 2 }]]) };
    const back = decodeValue(encodeValue(value)) as typeof value;
    expect(back).to.deep.equal(value);
    expect(back.plain).to.not.be.instanceOf(Map);
  });
});
