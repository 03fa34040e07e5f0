/**
 * Where model data lives in the store's internal key area (docs/MODELS.md, "Layout"):
 *   record:      internal ['m', namespace, primaryKey]                 -> CBOR { r: record, i: [[index, value], ...] }
 *   index entry: internal ['i', namespace, index, value, primaryKey]   -> empty (a tuple value: its elements in place of value)
 *   unique slot: internal ['u', namespace, index, value]               -> CBOR primary key (owner of a unique value)
 *   definitions: internal ['meta', namespace, 'indexes']              -> CBOR { indexes: [fingerprint, ...] }
 * Keeping each record's own entry list beside it makes every index diff exact, even after the
 * index definitions changed, and lets delete work without running extractors.
 */
import { decodeInternalKey, internalKey, internalPrefix, prefixUpperBound, type KeyPart } from '../codec/keys.js';
import { decodeValue, encodeValue } from '../codec/values.js';
import type { IndexEntry, IndexScalar, IndexValue } from './index-values.js';
import { ModelErrors } from './model-errors.js';
import { MISS, decodeEnvelopeRecord, decodeRecordValue } from './record-decode.js';

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

/** The key of one index entry; a tuple value is written element by element, so its prefixes sort together. */
export function entryKey(ns: string, index: string, value: IndexValue, pk: KeyPart): Uint8Array {
  return Array.isArray(value) ? internalKey(['i', ns, index, ...value, pk]) : internalKey(['i', ns, index, value as IndexScalar, pk]);
}

/** The prefix of the entries of a namespace, an index, or one value (or a leading part of a tuple) of an index. */
export function entryPrefix(ns: string, index?: string, value?: IndexValue): Uint8Array {
  const parts: KeyPart[] = ['i', ns];
  if (index !== undefined) parts.push(index);
  if (Array.isArray(value)) parts.push(...value);
  else if (value !== undefined) parts.push(value as IndexScalar);
  return internalPrefix(parts);
}

/** [index, value, primary key] of an index entry key; the primary key is always the last element. */
export function parseEntryKey(key: Uint8Array): [string, IndexValue, KeyPart] {
  const parts = decodeInternalKey(key);
  const n = parts.length;
  return [parts[2] as string, n === 5 ? parts[3]! : parts.slice(3, n - 1), parts[n - 1]!];
}

/** The key that names the owner of one value of a unique index (checked atomically on save). */
export function slotKey(ns: string, index: string, value: IndexValue): Uint8Array {
  return Array.isArray(value) ? internalKey(['u', ns, index, ...value]) : internalKey(['u', ns, index, value as IndexScalar]);
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
export function decodeEnvelope(model: string, pk: KeyPart, bytes: Uint8Array, fast = true): Envelope {
  // Most records take the fast subset decoder; the rest (and every malformed value) the general one.
  // `fast` false: the caller already knows the fast decoder misses (instantiate.ts).
  let v = fast ? decodeRecordValue(bytes) : MISS;
  try {
    if (v === MISS) v = decodeValue(bytes);
  } catch (err) {
    throw ModelErrors.badRecord(model, pk, 'cannot be decoded', err);
  }
  const o = v as { r?: unknown; i?: unknown };
  if (o === null || typeof o !== 'object' || !('r' in o) || !Array.isArray(o.i) || !o.i.every(isEntry)) {
    throw ModelErrors.badRecord(model, pk, 'is not a model record');
  }
  return { record: o.r, entries: o.i as IndexEntry[] };
}

/** The record of a stored value: decodeEnvelope(...).record, the same value and errors, without building the entry list. */
export function decodeRecord(model: string, pk: KeyPart, bytes: Uint8Array): unknown {
  const record = decodeEnvelopeRecord(bytes);
  return record !== MISS ? record : decodeEnvelope(model, pk, bytes).record;
}

function isEntry(e: unknown): boolean {
  return Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && (isScalar(e[1]) || (Array.isArray(e[1]) && e[1].length > 1 && e[1].every(isScalar)));
}

function isScalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || v instanceof Uint8Array;
}
