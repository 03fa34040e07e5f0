import type { KeyPart } from '../codec/keys.js';
import { describeKey } from '../errors.js';
import { ModelErrors } from './model-errors.js';
import { describeType } from '../options.js';
import { recordKey } from './layout.js';
import { kindOf, type ModelSchema } from './schema.js';

/** Hidden slot where a PersistentObject keeps the key given to its constructor. */
export const OBJECT_KEY = Symbol.for('skyshelve.objectKey');

/** True for a usable primary key: a non-empty string, a finite number, or non-empty bytes. */
export function isPrimaryKey(v: unknown): v is KeyPart {
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return Number.isFinite(v);
  return v instanceof Uint8Array && v.length > 0;
}

/**
 * Checks a key argument; a wrong one is a TypeError naming the argument. When the @Key field has a
 * declared type, a key of another type (say '11' for a number key, as from a URL) is one too.
 */
export function checkKeyArg(schema: ModelSchema, key: unknown, argName = 'key'): KeyPart {
  if (!isPrimaryKey(key)) {
    throw new TypeError(`${argName} of ${schema.name} must be a non-empty string, a finite number or non-empty bytes; got ${describeType(key)}`);
  }
  if (schema.keyType !== undefined && kindOf(key) !== schema.keyType) {
    throw new TypeError(
      `${argName} of ${schema.name} must be ${KIND_NAMES[schema.keyType]} (${schema.name}.${schema.keyField} is declared so); got ${describeType(key)} ${describeKey(key)}`,
    );
  }
  return key === 0 ? 0 : key;
}

const KIND_NAMES = { string: 'a string', number: 'a number', bytes: 'bytes' } as const;

/** The primary key of an instance; a missing or wrong one is a VALIDATION error (nothing is written). */
export function primaryKeyOf(schema: ModelSchema, obj: object): KeyPart {
  const v = schema.keyField !== undefined ? (obj as Record<string, unknown>)[schema.keyField] : (obj as Record<symbol, unknown>)[OBJECT_KEY];
  const field = schema.keyField ?? 'key';
  if (isPrimaryKey(v) && schema.keyType !== undefined && kindOf(v) !== schema.keyType) {
    const want = KIND_NAMES[schema.keyType];
    throw ModelErrors.badPrimaryKey(schema.name, field, `is declared as ${want}; got ${describeType(v)} ${describeKey(v)}`, 'keyType', `must be ${want}`);
  }
  if (isPrimaryKey(v)) return v === 0 ? 0 : v;
  throw ModelErrors.badPrimaryKey(
    schema.name,
    field,
    `must be a non-empty string, a finite number or non-empty bytes; got ${describeType(v)}`,
    'isPrimaryKey',
    'must be a valid primary key',
  );
}

// Buffer's undocumented latin1Slice (as in codec/helpers.ts): no Buffer view to build per call.
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string }).latin1Slice;

/** A string with one character per byte of `bytes`, for maps and sets keyed by byte strings. */
export function bytesId(bytes: Uint8Array): string {
  if (latin1Slice !== undefined) return latin1Slice.call(bytes, 0, bytes.length);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** A string that identifies a primary key (its type and value), for sets and maps of keys. */
export function pkId(pk: KeyPart): string {
  return pk instanceof Uint8Array ? `b${Buffer.from(pk).toString('hex')}` : `${typeof pk}${pk}`;
}

/** True when two primary keys are the same value. */
export function samePk(a: KeyPart, b: KeyPart): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  }
  return a === b;
}

/**
 * In-process lock names of a write of `pks`: the records, plus the namespace's unique lock when it
 * has unique indexes. The one builder of lock names (save, update, delete, verifyIndexes' repair).
 * The locks only spare writers of this process needless CONFLICT retries; atomicity comes from the
 * checks of the conditional commit (write.ts).
 */
export function writeLockKeys(schema: ModelSchema, ...pks: KeyPart[]): string[] {
  const keys = pks.map((pk) => bytesId(recordKey(schema.namespace, pk)));
  if (schema.hasUnique) keys.push(`unique:${schema.namespace}`);
  return keys;
}
