/**
 * Where model data lives in the store's internal key area (docs/MODELS.md, "Layout"):
 *   record:      internal ['m', namespace, primaryKey]                 -> CBOR { r: record, i: [[index, value], ...] }
 *   index entry: internal ['i', namespace, index, value, primaryKey]   -> empty
 *   definitions: internal ['meta', namespace, 'indexes']              -> CBOR { indexes: [fingerprint, ...] }
 * Keeping each record's own entry list beside it makes every index diff exact, even after the
 * index definitions changed, and lets delete work without running extractors.
 */
import { decodeInternalKey, internalKey, internalPrefix, prefixUpperBound, type KeyPart } from '../codec/keys.js';
import { decodeValue, encodeValue } from '../codec/values.js';
import { ModelErrors } from './model-errors.js';
import type { IndexEntry, IndexValue } from './index-values.js';

/** An empty value for index entries. */
export const EMPTY = new Uint8Array(0);

/** The key of one record. */
export function recordKey(ns: string, pk: KeyPart): Uint8Array {
  return internalKey(['m', ns, pk]);
}

/** The byte range of every record of a namespace. */
export function recordRange(ns: string): { gte: Uint8Array; lt: Uint8Array } {
  const gte = internalPrefix(['m', ns]);
  return { gte, lt: prefixUpperBound(gte)! };
}

/** The primary key inside a record key. */
export function pkOfRecordKey(key: Uint8Array): KeyPart {
  return decodeInternalKey(key)[2]!;
}

/** The key of one index entry. */
export function entryKey(ns: string, index: string, value: IndexValue, pk: KeyPart): Uint8Array {
  return internalKey(['i', ns, index, value, pk]);
}

/** The prefix of the entries of a namespace, an index, or one value of an index. */
export function entryPrefix(ns: string, index?: string, value?: IndexValue): Uint8Array {
  const parts: KeyPart[] = ['i', ns];
  if (index !== undefined) parts.push(index);
  if (value !== undefined) parts.push(value);
  return internalPrefix(parts);
}

/** [index, value, primary key] of an index entry key. */
export function parseEntryKey(key: Uint8Array): [string, IndexValue, KeyPart] {
  const parts = decodeInternalKey(key);
  return [parts[2] as string, parts[3]!, parts[4]!];
}

/** The key of a namespace's stored index definitions. */
export function metaKey(ns: string): Uint8Array {
  return internalKey(['meta', ns, 'indexes']);
}

/** What a record key holds. */
export interface Envelope {
  readonly record: unknown;
  readonly entries: IndexEntry[];
}

/** Encodes a record with its index entries. */
export function encodeEnvelope(record: unknown, entries: readonly IndexEntry[]): Uint8Array {
  return encodeValue({ r: record, i: entries.map((e) => [e[0], e[1]]) });
}

/** Decodes a record value; anything malformed is a DECODE error naming the model and key. */
export function decodeEnvelope(model: string, pk: KeyPart, bytes: Uint8Array): Envelope {
  let v: unknown;
  try {
    v = decodeValue(bytes);
  } catch (err) {
    throw ModelErrors.badRecord(model, pk, 'cannot be decoded', err);
  }
  const o = v as { r?: unknown; i?: unknown };
  if (o === null || typeof o !== 'object' || !('r' in o) || !Array.isArray(o.i) || !o.i.every(isEntry)) {
    throw ModelErrors.badRecord(model, pk, 'is not a model record');
  }
  return { record: o.r, entries: o.i as IndexEntry[] };
}

function isEntry(e: unknown): boolean {
  return Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && (typeof e[1] === 'string' || typeof e[1] === 'number' || e[1] instanceof Uint8Array);
}
