import { SkyshelveError } from '../errors.js';
import { describeType } from '../options.js';
import { kindOf, type ModelSchema, type ResolvedIndex } from './schema.js';

/** A value an index can hold: the key codec's scalar parts. */
export type IndexValue = string | number | Uint8Array;

/** One index entry of a record: [index name, value]. */
export type IndexEntry = readonly [string, IndexValue];

/**
 * Turns what an extractor returned into index values. Strings, finite numbers and bytes are kept;
 * booleans become 0/1 and Dates their epoch milliseconds (so they sort); null and undefined give
 * no entry; an array gives one entry per element. Anything else is an INDEX error.
 */
export function toIndexValues(model: string, index: string, raw: unknown): IndexValue[] {
  if (raw === undefined || raw === null) return [];
  const items = Array.isArray(raw) ? raw : [raw];
  const out: IndexValue[] = [];
  const seen = new Set<unknown>();
  for (const item of items) {
    if (item === undefined || item === null) continue;
    const v = toIndexValue(model, index, item);
    const id = v instanceof Uint8Array ? `b:${Buffer.from(v).toString('hex')}` : `${typeof v}:${String(v)}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(v);
    }
  }
  return out;
}

/**
 * A query value (scanIndex's value, a scanIndexRange bound) as an index value. On a property index
 * whose declared type fixes the kind of its values, a value of another kind could never match (a
 * string bound on a number index would silently give []), so it is a TypeError naming the argument.
 */
export function queryValue(schema: ModelSchema, index: string, v: unknown, argName: string): IndexValue {
  const want = schema.byName.get(index)?.valueKind;
  const got = kindOf(v);
  if (want !== undefined && got !== undefined && got !== want) {
    const field = schema.byName.get(index)!.field;
    throw new TypeError(`${argName} of ${schema.name}'s index '${index}' must be ${want === 'number' ? 'a number, Date or boolean' : want === 'string' ? 'a string' : 'bytes'} (${schema.name}.${field} is declared so); got ${describeType(v)}`);
  }
  return toIndexValue(schema.name, index, v);
}

/** One scalar as an index value; also used for query arguments so that `true` finds 1. */
export function toIndexValue(model: string, index: string, v: unknown): IndexValue {
  if (typeof v === 'string' || v instanceof Uint8Array) return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw unsupported(model, index, v);
    return v === 0 ? 0 : v; // -0 and 0 are one value
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) throw unsupported(model, index, v);
    return ms;
  }
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  throw unsupported(model, index, v);
}

function unsupported(model: string, index: string, v: unknown): SkyshelveError {
  const what = v === null ? 'null' : Array.isArray(v) ? 'a nested array' : v instanceof Date ? 'an invalid Date' : typeof v === 'number' ? String(v) : typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
  return new SkyshelveError(
    'INDEX',
    `${model}: index '${index}' got ${what}; index values must be strings, finite numbers, bytes, booleans or Dates (or arrays of them)`,
    { details: { model, index } },
  );
}

/** Every index entry of `obj`, in index order; an extractor that throws gives an INDEX error. */
export function entriesOf(schema: ModelSchema, obj: object): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const index of schema.indexes) {
    for (const v of extract(schema, index, obj)) out.push([index.name, v]);
  }
  return out;
}

function extract(schema: ModelSchema, index: ResolvedIndex, obj: object): IndexValue[] {
  let raw: unknown;
  try {
    raw = index.extract(obj);
  } catch (err) {
    throw new SkyshelveError('INDEX', `${schema.name}: the extractor of index '${index.name}' threw: ${(err as Error)?.message ?? String(err)}`, {
      cause: err,
      details: { model: schema.name, index: index.name },
    });
  }
  return toIndexValues(schema.name, index.name, raw);
}

/** A string id of an entry, for set differences. */
export function entryId(e: IndexEntry): string {
  const v = e[1];
  return `${e[0]}\u0000${v instanceof Uint8Array ? 'b' + Buffer.from(v).toString('hex') : typeof v === 'number' ? 'n' + v : 's' + v}`;
}
