/** fast-check generators and reference comparisons shared by the codec specs. */
import fc from 'fast-check';
import type { Key, KeyPart } from '../../src/codec/keys.js';

/** Any key element: full-range doubles (no NaN), any well-formed string (including NUL), any bytes. */
export const keyPart: fc.Arbitrary<KeyPart> = fc.oneof(
  fc.double({ noNaN: true }),
  fc.integer({ min: -1000, max: 1000 }), // small integers make equal and adjacent values likely
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', '\u0001', '\u00ff', '\uffff', '\u{10000}'), maxLength: 4 }),
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ maxLength: 4, max: 2 }).map((b) => Buffer.from(b)), // zeros and ones: escapes, prefixes
);

/** A valid user key: a non-empty scalar or a non-empty flat tuple. */
export const key: fc.Arbitrary<Key> = fc.oneof(
  keyPart.filter((p) => typeof p === 'number' || p.length > 0),
  fc.array(keyPart, { minLength: 1, maxLength: 4 }),
);

/** -0 is stored as 0; everything else must come back as it went in. */
export function normalizeKey(k: Key): Key {
  const one = (p: KeyPart): KeyPart => (typeof p === 'number' ? (p === 0 ? 0 : p) : typeof p === 'string' ? p : Buffer.from(p));
  return Array.isArray(k) ? k.map(one) : one(k as KeyPart);
}

function rank(p: KeyPart): number {
  return typeof p === 'number' ? 0 : typeof p === 'string' ? 1 : 2;
}

/** The documented logical order of elements: numbers < strings < bytes; numerically, by UTF-8, bytewise. */
export function comparePart(a: KeyPart, b: KeyPart): number {
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const ba = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a as Uint8Array);
  const bb = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b as Uint8Array);
  return Buffer.compare(ba, bb);
}

/** The documented logical order of keys: every scalar sorts before every tuple; tuples element by element. */
export function compareKey(a: Key, b: Key): number {
  const ta = Array.isArray(a);
  const tb = Array.isArray(b);
  if (ta !== tb) return ta ? 1 : -1;
  if (!ta) return comparePart(a as KeyPart, b as KeyPart);
  const xa = a as readonly KeyPart[];
  const xb = b as readonly KeyPart[];
  for (let i = 0; i < Math.min(xa.length, xb.length); i++) {
    const c = comparePart(xa[i], xb[i]);
    if (c !== 0) return c;
  }
  return xa.length - xb.length;
}

/** True when `bytes` starts with `prefix`. */
export function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && Buffer.compare(bytes.subarray(0, prefix.length), prefix) === 0;
}
