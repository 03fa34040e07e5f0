import type { KeyPart } from '../codec/keys.js';
import { SkyshelveError } from '../errors.js';
import { describeType } from '../options.js';
import { recordKey } from './layout.js';
import type { ModelSchema } from './schema.js';

/** Hidden slot where a PersistentObject keeps the key given to its constructor. */
export const OBJECT_KEY = Symbol.for('skyshelve.objectKey');

/** True for a usable primary key: a non-empty string, a finite number, or non-empty bytes. */
export function isPrimaryKey(v: unknown): v is KeyPart {
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return Number.isFinite(v);
  return v instanceof Uint8Array && v.length > 0;
}

/** Checks a key argument; a wrong one is a TypeError naming the argument. */
export function checkKeyArg(schema: ModelSchema, key: unknown, argName = 'key'): KeyPart {
  if (isPrimaryKey(key)) return key === 0 ? 0 : key;
  throw new TypeError(`${argName} of ${schema.name} must be a non-empty string, a finite number or non-empty bytes; got ${describeType(key)}`);
}

/** The primary key of an instance; a missing or wrong one is a VALIDATION error (nothing is written). */
export function primaryKeyOf(schema: ModelSchema, obj: object): KeyPart {
  const v = schema.keyField !== undefined ? (obj as Record<string, unknown>)[schema.keyField] : (obj as Record<symbol, unknown>)[OBJECT_KEY];
  if (isPrimaryKey(v)) return v === 0 ? 0 : v;
  const field = schema.keyField ?? 'key';
  throw new SkyshelveError('VALIDATION', `${schema.name}.${field} (the primary key) must be a non-empty string, a finite number or non-empty bytes; got ${describeType(v)}`, {
    details: { model: schema.name, errors: [{ property: field, constraints: { isPrimaryKey: `${field} must be a valid primary key` } }] },
  });
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
  const keys = pks.map((pk) => Buffer.from(recordKey(schema.namespace, pk)).toString('latin1'));
  if (schema.hasUnique) keys.push(`unique:${schema.namespace}`);
  return keys;
}
