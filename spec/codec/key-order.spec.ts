import { expect } from 'chai';
import fc from 'fast-check';
import { encodeKey, encodeKeyPrefix, internalKey, internalPrefix, MAX_KEY_BYTES, prefixUpperBound, type Key } from '../../src/codec/keys.js';
import { compareKey, comparePart, key, keyPart, startsWith } from './arbitraries.js';

const sign = (n: number) => Math.sign(n);
const hex = (bytes: Uint8Array | undefined) => (bytes === undefined ? 'none' : Buffer.from(bytes).toString('hex'));

describe('codec/keys: order', () => {
  it('sorts encodings exactly as the keys sort, over any mix of keys', () => {
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(sign(Buffer.compare(encodeKey(a), encodeKey(b)))).to.equal(sign(compareKey(a, b)));
      }),
      { numRuns: 5000 },
    );
  });

  it('sorts tuples that share leading elements by the first element that differs', () => {
    const tuple = fc.array(keyPart, { minLength: 0, maxLength: 3 });
    fc.assert(
      fc.property(tuple, keyPart, keyPart, tuple, tuple, (head, x, y, restA, restB) => {
        const a = [...head, x, ...restA];
        const b = [...head, y, ...restB];
        const expected = comparePart(x, y) !== 0 ? comparePart(x, y) : compareKey(a, b);
        expect(sign(Buffer.compare(encodeKey(a), encodeKey(b)))).to.equal(sign(expected));
      }),
      { numRuns: 3000 },
    );
  });

  it('sorts numbers numerically across the whole double range', () => {
    const numbers = [-Infinity, -Number.MAX_VALUE, -1e6, -1, -0.5, -Number.MIN_VALUE, 0, Number.MIN_VALUE, 0.5, 1, 2 ** 53, 1e300, Infinity];
    const encoded = numbers.map((n) => Buffer.from(encodeKey(n)));
    const sorted = [...encoded].sort(Buffer.compare);
    expect(sorted.map(hex)).to.deep.equal(encoded.map(hex));
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
        expect(sign(Buffer.compare(encodeKey(a), encodeKey(b)))).to.equal(sign(a < b ? -1 : a > b ? 1 : 0));
      }),
      { numRuns: 3000 },
    );
  });

  it('puts a string before every longer string it starts, alone and inside tuples', () => {
    expect(Buffer.compare(encodeKey('ab'), encodeKey('ab\u0000'))).to.equal(-1);
    expect(Buffer.compare(encodeKey(['ab', 'z']), encodeKey(['ab\u0000']))).to.equal(-1);
    expect(Buffer.compare(encodeKey(['a']), encodeKey(['a', 1]))).to.equal(-1);
    expect(Buffer.compare(encodeKey(Buffer.from([1])), encodeKey(Buffer.from([1, 0])))).to.equal(-1);
  });

  it('orders kinds as numbers < strings < bytes < tuples', () => {
    const ordered: Key[] = [Infinity, 'a', 'zzz', Buffer.from([0]), Buffer.from([0xff]), [-Infinity]];
    const encoded = ordered.map((k) => Buffer.from(encodeKey(k)));
    for (let i = 1; i < encoded.length; i++) expect(Buffer.compare(encoded[i - 1], encoded[i])).to.equal(-1);
  });
});

describe('codec/keys: prefixes', () => {
  it('matches a string prefix against exactly the string keys starting with it', () => {
    const p = encodeKeyPrefix('user:');
    for (const k of ['user:', 'user:1', 'user:\u0000', 'user:😀']) expect(startsWith(encodeKey(k), p), k).to.equal(true);
    for (const k of ['user', 'usex:', 'USER:1', ['user:1']] as Key[]) expect(startsWith(encodeKey(k), p), String(k)).to.equal(false);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), fc.string({ unit: 'binary', maxLength: 3 }), (s, p2) => {
        expect(startsWith(encodeKey(s), encodeKeyPrefix(p2))).to.equal(s.startsWith(p2));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches a bytes prefix by byte prefix and a number prefix exactly', () => {
    const p = encodeKeyPrefix(Buffer.from([1, 0]));
    expect(startsWith(encodeKey(Buffer.from([1, 0])), p)).to.equal(true);
    expect(startsWith(encodeKey(Buffer.from([1, 0, 0, 9])), p)).to.equal(true);
    expect(startsWith(encodeKey(Buffer.from([1, 1])), p)).to.equal(false);
    expect(startsWith(encodeKey(Buffer.from([1])), p)).to.equal(false);
    expect(hex(encodeKeyPrefix(5))).to.equal(hex(encodeKey(5)));
    expect(startsWith(encodeKey(5.5), encodeKeyPrefix(5))).to.equal(false);
  });

  it('matches a tuple prefix against tuples whose first elements are exactly its elements', () => {
    const p = encodeKeyPrefix(['ns', 'idx']);
    expect(hex(p)).to.equal('40206e73002069647800');
    for (const k of [
      ['ns', 'idx'],
      ['ns', 'idx', 1],
      ['ns', 'idx', ''],
    ] as Key[])
      expect(startsWith(encodeKey(k), p)).to.equal(true);
    for (const k of [['ns', 'idxx'], ['ns'], ['ns', 'id'], 'ns', ['ns\u0000', 'idx']] as Key[]) expect(startsWith(encodeKey(k), p)).to.equal(false);
    fc.assert(
      fc.property(fc.array(keyPart, { minLength: 1, maxLength: 4 }), fc.array(keyPart, { maxLength: 2 }), (t, q) => {
        const matches = q.length <= t.length && q.every((part, i) => comparePart(part, t[i]) === 0);
        expect(startsWith(encodeKey(t), encodeKeyPrefix(q))).to.equal(matches);
      }),
      { numRuns: 2000 },
    );
  });

  it('never lets a whole element in a tuple prefix match a longer element starting with NUL', () => {
    // Regression: with FoundationDB's 0x00 0xFF escape, ['a'] was a byte prefix of ['a\0'].
    expect(startsWith(encodeKey(['a\u0000']), encodeKeyPrefix(['a']))).to.equal(false);
    expect(startsWith(encodeKey(['a\u0001', 1]), encodeKeyPrefix(['a']))).to.equal(false);
    expect(startsWith(encodeKey([Buffer.from([0]), 0]), encodeKeyPrefix([Buffer.alloc(0)]))).to.equal(false);
    expect(startsWith(internalKey(['i', 'U', 'e', 'a\u0000x', 1]), internalPrefix(['i', 'U', 'e', 'a']))).to.equal(false);
    expect(startsWith(internalKey(['i', 'U', 'e', 'a', 1]), internalPrefix(['i', 'U', 'e', 'a']))).to.equal(true);
  });

  it('accepts empty prefixes, each matching every key of its kind', () => {
    expect(hex(encodeKeyPrefix(''))).to.equal('20');
    expect(hex(encodeKeyPrefix(Buffer.alloc(0)))).to.equal('30');
    expect(hex(encodeKeyPrefix([]))).to.equal('40');
  });

  it('checks prefix arguments like keys, naming "prefix"', () => {
    expect(() => encodeKeyPrefix(true as unknown as Key)).to.throw(TypeError, /^prefix must be/);
    expect(() => encodeKeyPrefix(['a', NaN])).to.throw(TypeError, /^prefix\[1\] must not be NaN/);
    expect(() => encodeKeyPrefix('x'.repeat(MAX_KEY_BYTES))).to.throw(/65,001 bytes/);
  });
});

describe('codec/keys: prefixUpperBound', () => {
  it('increments the last byte that is not 0xFF', () => {
    expect(hex(prefixUpperBound(Uint8Array.of(0x20, 0x61)))).to.equal('2062');
    expect(hex(prefixUpperBound(Uint8Array.of(0x20, 0xff, 0xff)))).to.equal('21');
    expect(hex(prefixUpperBound(Uint8Array.of(0xff, 0xff)))).to.equal('none');
    expect(hex(prefixUpperBound(new Uint8Array(0)))).to.equal('none');
  });

  it('does not modify its argument', () => {
    const p = Uint8Array.of(1, 2);
    prefixUpperBound(p);
    expect(hex(p)).to.equal('0102');
  });

  it('bounds exactly the keys with the prefix: [prefix, bound) selects the same keys as startsWith', () => {
    const part = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', '\u0001', 'ÿ'), maxLength: 3 }), fc.integer({ min: 0, max: 2 }));
    fc.assert(
      fc.property(fc.array(fc.array(part, { minLength: 1, maxLength: 3 }), { maxLength: 30 }), fc.array(part, { maxLength: 2 }), (keys, q) => {
        const lower = encodeKeyPrefix(q);
        const upper = prefixUpperBound(lower);
        for (const k of keys) {
          const enc = encodeKey(k);
          const inRange = Buffer.compare(enc, lower) >= 0 && (upper === undefined || Buffer.compare(enc, upper) < 0);
          expect(inRange).to.equal(startsWith(enc, lower));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
