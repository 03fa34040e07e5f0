import { SkyshelveError } from '../errors.js';
import type { ModelSchema, ResolvedIndex } from './schema.js';

/** One scalar an index can hold: the key codec's scalar parts. */
export type IndexScalar = string | number | Uint8Array;

/** A value an index can hold: a scalar, or a tuple of scalars (compound indexes), compared element by element. */
export type IndexValue = IndexScalar | readonly IndexScalar[];

/** One index entry of a record: [index name, value]. */
export type IndexEntry = readonly [string, IndexValue];

/**
 * Turns what an extractor returned into index values. Strings, finite numbers and bytes are kept;
 * booleans become 0/1 and Dates their epoch milliseconds (so they sort); null and undefined give
 * no entry; an array gives one entry per element, and an array inside it is one tuple value (a
 * compound index; a tuple with a null or undefined element gives no entry). Anything else is an INDEX error.
 */
export function toIndexValues(model: string, index: string, raw: unknown): IndexValue[] {
  if (raw === undefined || raw === null) return [];
  const items = Array.isArray(raw) ? raw : [raw];
  const out: IndexValue[] = [];
  const seen = new Set<unknown>();
  for (const item of items) {
    if (item === undefined || item === null) continue;
    const v = Array.isArray(item) ? toTuple(model, index, item) : toIndexValue(model, index, item);
    if (v === undefined) continue;
    const id = valueId(v);
    if (!seen.has(id)) {
      seen.add(id);
      out.push(v);
    }
  }
  return out;
}

/** A tuple element list as a value: scalars only; a missing element gives no entry; one element is a scalar. */
function toTuple(model: string, index: string, items: readonly unknown[]): IndexValue | undefined {
  if (items.length === 0 || items.some((x) => x === undefined || x === null)) return undefined;
  const parts = items.map((x) => toIndexValue(model, index, x));
  return parts.length === 1 ? parts[0] : parts;
}

/** One scalar as an index value; also used for query arguments so that `true` finds 1. */
export function toIndexValue(model: string, index: string, v: unknown): IndexScalar {
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
  const what =
    v === null
      ? 'null'
      : Array.isArray(v)
        ? 'a nested array'
        : v instanceof Date
          ? 'an invalid Date'
          : typeof v === 'number'
            ? String(v)
            : typeof v === 'object'
              ? ((v as object).constructor?.name ?? 'object')
              : typeof v;
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
  return `${e[0]}\u0000${valueId(e[1])}`;
}

/** A string id of an index value (tuples element by element). */
export function valueId(v: IndexValue): string {
  if (Array.isArray(v)) return `t${v.map(scalarId).join('\u0001')}`;
  return scalarId(v as IndexScalar);
}

function scalarId(v: IndexScalar): string {
  return v instanceof Uint8Array ? 'b' + Buffer.from(v).toString('hex') : typeof v === 'number' ? 'n' + v : 's' + v;
}
