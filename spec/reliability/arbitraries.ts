/** fast-check generators for keys, values and operations, and the reference order of keys. */
import fc from 'fast-check';
import type { Key, KeyPart } from '../../src/index.js';

/** A key element: a number (no NaN), a non-empty string of any code points, or non-empty bytes. */
export const keyPart: fc.Arbitrary<KeyPart> = fc.oneof(
  fc.double({ noNaN: true }),
  fc.integer(),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', '\u00ff', '\u{1f600}'), minLength: 1, maxLength: 6 }),
  fc.uint8Array({ minLength: 1, maxLength: 10 }),
  fc.uint8Array({ minLength: 1, maxLength: 4, min: 0, max: 1 }).map((b) => b.map((x) => (x ? 0xff : 0))),
);

/** A whole key: a scalar or a flat tuple of 1-4 elements. */
export const key: fc.Arbitrary<Key> = fc.oneof(keyPart, fc.array(keyPart, { minLength: 1, maxLength: 4 }));

/** docs/FORMAT.md: Dates keep millisecond precision within about ±139,000 years of 1970. */
const DATE_RANGE_MS = 130_000 * 365.25 * 86_400_000;

/**
 * Values the CBOR profile must round-trip: plain data, Date, Map, Set, BigInt, bytes, nesting.
 * Within the documented profile: -0 is stored as 0, and Dates stay inside the precise range.
 */
export const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.double().map((x) => (x === 0 ? 0 : x)),
    fc.integer(),
    fc.bigInt({ min: -(1n << 200n), max: 1n << 200n }),
    fc.boolean(),
    fc.constant(null),
    fc.date({ noInvalidDate: true, min: new Date(-DATE_RANGE_MS), max: new Date(DATE_RANGE_MS) }),
    fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b)),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(
      fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__'),
      tie('node'),
      { maxKeys: 5 },
    ),
    fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), tie('node')), { maxLength: 4 }).map((pairs) => new Map(pairs)),
    fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 5 }).map((items) => new Set(items)),
  ),
})).node;

import { compareKey } from '../codec/arbitraries.js';
export { normalizeKey } from '../codec/arbitraries.js';

/** The documented key order (shared with the codec's own property tests), as -1, 0 or 1. */
export function compareKeys(a: Key, b: Key): number {
  return Math.sign(compareKey(a, b));
}

/** One step of a random workload over a small key space, so keys collide. */
export type Op =
  | { type: 'set'; key: Key; value: unknown }
  | { type: 'del'; key: Key }
  | { type: 'batch'; ops: Array<{ type: 'put'; key: Key; value: unknown } | { type: 'del'; key: Key }> };

const smallKey: fc.Arbitrary<Key> = fc.constantFrom<Key>(
  'a',
  'b',
  'user:1',
  'user:2',
  -1.5,
  0,
  7,
  ['t', 1],
  ['t', 2],
  ['t', 1, 'x'],
  Buffer.from([0, 255]),
  Buffer.from('zz'),
);
const smallValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b)),
);

/** A random operation: set, delete, or an atomic batch of puts and deletes. */
export const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant('set' as const), key: smallKey, value: smallValue }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('del' as const), key: smallKey }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('batch' as const),
      ops: fc.array(
        fc.oneof(
          fc.record({ type: fc.constant('put' as const), key: smallKey, value: smallValue }),
          fc.record({ type: fc.constant('del' as const), key: smallKey }),
        ),
        { minLength: 1, maxLength: 5 },
      ),
    }),
  },
);

/** A JSON-shaped image of a value that keeps every distinction the codec must keep (-0, NaN, types). */
export function canon(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v === undefined) return { undefined: true };
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return { bigint: v.toString() };
  if (v instanceof Date) return { date: v.getTime() };
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return v.map(canon);
  if (v instanceof Map) return { map: [...v].map(([k, x]) => [canon(k), canon(x)]) };
  if (v instanceof Set) return { set: [...v].map(canon) };
  if (typeof v === 'object') return { object: Object.keys(v).map((k) => [k, canon((v as Record<string, unknown>)[k])]) };
  return { other: typeof v };
}
