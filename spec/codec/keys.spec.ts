import { expect } from 'chai';
import fc from 'fast-check';
import { decodeInternalKey, decodeKey, encodeKey, internalKey, internalPrefix, MAX_KEY_BYTES, USER_RANGE, type Key } from '../../src/codec/keys.js';
import { isSkyshelveError, SkyshelveError } from '../../src/errors.js';
import { key, normalizeKey, startsWith } from './arbitraries.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => new Uint8Array(Buffer.from(text.replace(/ /g, ''), 'hex'));

function expectDecodeError(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(isSkyshelveError(err, 'DECODE'), String(err)).to.equal(true);
    return;
  }
  expect.fail('expected a DECODE error');
}

describe('codec/keys: encoding', () => {
  it('writes the byte layouts documented in FORMAT.md', () => {
    expect(hex(encodeKey('user:1'))).to.equal('20757365723a3100');
    expect(hex(encodeKey('a\u0000b\u0001'))).to.equal('20610101620102' + '00');
    expect(hex(encodeKey(1))).to.equal('10bff0000000000000');
    expect(hex(encodeKey(-1))).to.equal('10400fffffffffffff');
    expect(hex(encodeKey(0))).to.equal('108000000000000000');
    expect(hex(encodeKey(Buffer.from([0x00, 0x01, 0xff])))).to.equal('3001010102ff00');
    expect(hex(encodeKey(['ns', 7]))).to.equal('40206e730010c01c00000000000000');
    expect(hex(encodeKey('é'))).to.equal('20c3a900');
  });

  it('gives back each kind of key as the same kind, telling a scalar from a 1-tuple', () => {
    expect(decodeKey(encodeKey('a'))).to.equal('a');
    expect(decodeKey(encodeKey(['a']))).to.deep.equal(['a']);
    expect(decodeKey(encodeKey(42))).to.equal(42);
    expect(decodeKey(encodeKey([42]))).to.deep.equal([42]);
    const bytes = decodeKey(encodeKey(Uint8Array.of(1, 2)));
    expect(Buffer.isBuffer(bytes)).to.equal(true);
    expect(bytes).to.deep.equal(Buffer.from([1, 2]));
    expect(hex(encodeKey('a'))).to.not.equal(hex(encodeKey(['a'])));
  });

  it('round-trips any key, with -0 coming back as 0', () => {
    fc.assert(
      fc.property(key, (k) => {
        expect(decodeKey(encodeKey(k))).to.deep.equal(normalizeKey(k));
      }),
      { numRuns: 2000 },
    );
    expect(Object.is(decodeKey(encodeKey(-0)), 0)).to.equal(true);
    expect(hex(encodeKey(-0))).to.equal(hex(encodeKey(0)));
  });

  it('keeps strings with NUL, a leading BOM and astral characters exact', () => {
    for (const s of ['\u0000', '\u0001', '\u0000\u0001\u0002x', '\ufeffbom', '😀\u0000😀', 'x'.repeat(100), 'é'.repeat(40)]) {
      expect(decodeKey(encodeKey(s))).to.equal(s);
      expect(decodeKey(encodeKey([s, s]))).to.deep.equal([s, s]);
    }
  });

  it('allows empty strings and bytes inside a tuple', () => {
    expect(decodeKey(encodeKey(['', 'x']))).to.deep.equal(['', 'x']);
    expect(decodeKey(encodeKey([Buffer.alloc(0)]))).to.deep.equal([Buffer.alloc(0)]);
  });

  it('returns a fresh array each time, not a view of a shared buffer', () => {
    const a = encodeKey('first');
    const b = encodeKey('second-key-longer-than-sixty-four-bytes-'.repeat(3));
    expect(decodeKey(a)).to.equal('first');
    expect(a.buffer).to.not.equal(b.buffer);
  });
});

describe('codec/keys: rejected keys', () => {
  it('rejects empty keys with a TypeError naming the argument', () => {
    expect(() => encodeKey('')).to.throw(TypeError, /^key must not be an empty string/);
    expect(() => encodeKey(Buffer.alloc(0))).to.throw(TypeError, /^key must not be an empty Buffer/);
    expect(() => encodeKey([])).to.throw(TypeError, /^key must not be an empty array/);
    expect(() => encodeKey('', 'keys[3]')).to.throw(TypeError, /^keys\[3\] must not be an empty string/);
  });

  it('rejects other types with a TypeError naming the type', () => {
    const cases: [unknown, RegExp][] = [
      [true, /got boolean/],
      [{}, /got object/],
      [new Date(), /got Date/],
      [10n, /got bigint/],
      [undefined, /got undefined/],
      [null, /got null/],
      [Symbol('s'), /got symbol/],
      [new Float64Array(1), /got Float64Array/],
    ];
    for (const [bad, message] of cases) {
      expect(() => encodeKey(bad as Key), String(message)).to.throw(TypeError, message);
      expect(() => encodeKey(['ok', bad] as unknown as Key)).to.throw(TypeError, /^key\[1\] must be/);
    }
  });

  it('rejects nested arrays', () => {
    expect(() => encodeKey(['a', ['b']] as unknown as Key)).to.throw(TypeError, /key\[1\].*tuples cannot nest\); got an array/);
  });

  it('rejects NaN alone and inside a tuple', () => {
    expect(() => encodeKey(NaN)).to.throw(TypeError, /^key must not be NaN/);
    expect(() => encodeKey(['a', NaN])).to.throw(TypeError, /^key\[1\] must not be NaN/);
  });

  it('rejects strings with a lone surrogate but accepts proper pairs', () => {
    expect(() => encodeKey('a\ud800')).to.throw(TypeError, /lone surrogate \(U\+D800\) at index 1/);
    expect(() => encodeKey('\udc00b')).to.throw(TypeError, /lone surrogate \(U\+DC00\) at index 0/);
    expect(() => encodeKey(['x', '\ud83dx'])).to.throw(TypeError, /^key\[1\] contains a lone surrogate/);
    expect(decodeKey(encodeKey('\ud83d\ude00'))).to.equal('😀');
  });

  it('accepts a key of exactly 65,000 bytes and rejects one byte more with KEY_TOO_LARGE', () => {
    expect(encodeKey('x'.repeat(MAX_KEY_BYTES - 2)).length).to.equal(MAX_KEY_BYTES);
    const err = catchError(() => encodeKey('x'.repeat(MAX_KEY_BYTES - 1)));
    expect(err.code).to.equal('KEY_TOO_LARGE');
    expect(err.message).to.contain('65,001 bytes').and.contain('65,000');
    expect(err.details).to.deep.equal({ size: 65001, limit: 65000 });
  });

  it('counts escapes, multi-byte characters and tuple markers towards the limit', () => {
    expect(catchError(() => encodeKey(Buffer.alloc(40000))).details?.size).to.equal(80002);
    expect(catchError(() => encodeKey('é'.repeat(40000))).details?.size).to.equal(80002);
    expect(catchError(() => encodeKey(['x'.repeat(40000), 'y'.repeat(40000)])).details?.size).to.equal(80006);
    expect(catchError(() => encodeKey(new Array(8000).fill(1))).details?.size).to.equal(72002);
  });
});

describe('codec/keys: internal area', () => {
  it('keeps every user key inside USER_RANGE and every internal key outside it', () => {
    fc.assert(
      fc.property(key, (k) => {
        const enc = Buffer.from(encodeKey(k));
        expect(enc[0]).to.be.below(0xf0);
        expect(Buffer.compare(enc, USER_RANGE.gte)).to.be.at.least(0);
        expect(Buffer.compare(enc, USER_RANGE.lt)).to.equal(-1);
        const internal = Buffer.from(internalKey(Array.isArray(k) ? k : [k as string]));
        expect(internal[0]).to.equal(0xfe);
        expect(Buffer.compare(internal, USER_RANGE.lt)).to.equal(1);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips internal keys, including empty strings as index values', () => {
    const parts = ['i', 'User', 'email', '', 7];
    expect(hex(internalKey(['m', 'A', 1]))).to.equal('fe206d00204100' + '10bff0000000000000' + '00');
    expect(decodeInternalKey(internalKey(parts))).to.deep.equal(parts);
  });

  it('makes internal prefixes that match exactly the tuples starting with their parts', () => {
    const prefix = internalPrefix(['i', 'User', 'email']);
    expect(startsWith(internalKey(['i', 'User', 'email', 'a@b', 1]), prefix)).to.equal(true);
    expect(startsWith(internalKey(['i', 'User', 'emailx', 'a@b', 1]), prefix)).to.equal(false);
    expect(startsWith(internalKey(['i', 'Users', 'email', 'a@b', 1]), prefix)).to.equal(false);
    expect(hex(internalPrefix([]))).to.equal('fe');
  });

  it('rejects an empty internal key and keeps the two areas apart when decoding', () => {
    expect(() => internalKey([])).to.throw(TypeError);
    expectDecodeError(() => decodeKey(internalKey(['m', 'x'])));
    expectDecodeError(() => decodeInternalKey(encodeKey(['m', 'x'])));
  });
});

describe('codec/keys: decoding bad bytes', () => {
  it('throws DECODE for each kind of corruption', () => {
    const bad = [
      '', // empty
      '10bff00000', // truncated number
      '20616263', // string without terminator
      '2061006200', // trailing bytes after a scalar
      '50', // unknown tag
      '4020610000ff', // trailing bytes after a tuple
      '40206100', // tuple without end marker
      '4000', // empty tuple
      '2000', // empty scalar string
      '20ff00', // invalid UTF-8
      '20610103', // 0x01 escape followed by a byte other than 0x01 or 0x02
      '206101', // escape cut short
      '20eda08000', // UTF-8 encoded surrogate
      '10fff8000000000000', // NaN bits
      '107fffffffffffffff', // -0 bits
      'f0', // internal area
    ];
    for (const text of bad) expectDecodeError(() => decodeKey(fromHex(text)));
  });

  it('either decodes random bytes to the key that encodes back to them, or throws DECODE', () => {
    const arb = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 30 }).map((b) => Uint8Array.of(0x40, 0x20, ...b)),
      fc.uint8Array({ maxLength: 12, max: 3 }).map((b) => Uint8Array.of(0x20, ...b)),
    );
    fc.assert(
      fc.property(arb, (bytes) => {
        let decoded: Key;
        try {
          decoded = decodeKey(bytes);
        } catch (err) {
          expect(isSkyshelveError(err, 'DECODE'), String(err)).to.equal(true);
          return;
        }
        expect(hex(encodeKey(decoded))).to.equal(hex(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('rejects a non-Uint8Array with a TypeError', () => {
    expect(() => decodeKey('abc' as unknown as Uint8Array)).to.throw(TypeError);
  });
});

function catchError(fn: () => unknown): SkyshelveError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SkyshelveError) return err;
    throw err;
  }
  throw new Error('expected an error');
}
