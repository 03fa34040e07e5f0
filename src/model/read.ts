/** The read side: load, scans and index queries; every record goes through the class's fromRecord. */
import type { Backend, RawEntry, RawRange } from '../backend/backend.js';
import { maxBytes, minBytes } from '../codec/bytes.js';
import { prefixUpperBound, type KeyPart } from '../codec/keys.js';
import { SkyshelveError, describeKey } from '../errors.js';
import { checkOptions, closest } from '../options.js';
import { queryValue } from './query-values.js';
import { entryPrefix, parseEntryKey, pkOfRecordKey, recordKey, recordRange } from './layout.js';
import { pkId } from './keys.js';
import { loadIndexRange } from './index-records.js';
import { instantiate } from './instantiate.js';
import type { ModelSchema } from './schema.js';
import type { Binding } from './binding.js';

/** Builds an instance from a stored record; the model class's static fromRecord. */
export type Instantiate = (pk: KeyPart, record: unknown) => object;

/** Bounds of `scanIndexRange`, compared in index order (numbers numerically). */
export interface IndexRange {
  gt?: unknown;
  gte?: unknown;
  lt?: unknown;
  lte?: unknown;
  reverse?: boolean;
  limit?: number;
}

const RANGE_OPTIONS = ['gt', 'gte', 'lt', 'lte', 'reverse', 'limit'];
const CHUNK = 256;

/** Loads the record at `pk`, or undefined. */
export async function loadOne(schema: ModelSchema, backend: Backend, pk: KeyPart, make: Instantiate): Promise<object | undefined> {
  const bytes = await backend.get(recordKey(schema.namespace, pk));
  return bytes === undefined ? undefined : instantiate(schema, make, pk, bytes);
}

/** The records at `pks`, in order, skipping missing ones; one snapshot read per chunk. */
export async function loadMany(schema: ModelSchema, backend: Backend, pks: readonly KeyPart[], make: Instantiate): Promise<object[]> {
  const out: object[] = [];
  for (let i = 0; i < pks.length; i += CHUNK) {
    const part = pks.slice(i, i + CHUNK);
    const values = await backend.getMany(part.map((pk) => recordKey(schema.namespace, pk)));
    values.forEach((bytes, j) => {
      if (bytes !== undefined) out.push(instantiate(schema, make, part[j]!, bytes));
    });
  }
  return out;
}

/** Every record of the model whose key passes `predicate`, in key order, read in bounded chunks. */
export function scanRecords(schema: ModelSchema, binding: Binding, make: Instantiate, predicate?: (key: KeyPart) => boolean): Promise<object[]> {
  if (predicate !== undefined && typeof predicate !== 'function') throw new TypeError(`predicate must be a function, got ${typeof predicate}`);
  return binding.read(async (backend) => {
    const out: object[] = [];
    await eachEntry(backend, recordRange(schema.namespace), Infinity, ({ key, value }) => {
      const pk = pkOfRecordKey(key);
      if (!predicate || predicate(pk)) out.push(instantiate(schema, make, pk, value));
    });
    return out;
  });
}

/** Records whose index `name` holds exactly `value`. */
export function scanIndexEqual(schema: ModelSchema, binding: Binding, make: Instantiate, name: unknown, value: unknown): Promise<object[]> {
  const index = checkIndexName(schema, name);
  const v = queryValue(schema, index, value, 'value');
  const gte = entryPrefix(schema.namespace, index, v);
  return binding.read(async (backend) => {
    if (backend.supports.indexScan) return loadIndexRange(schema, backend, { gte, lt: prefixUpperBound(gte) }, make, { dedup: false, shared: gte });
    const pks: KeyPart[] = [];
    await eachEntry(backend, { gte, lt: prefixUpperBound(gte) }, Infinity, ({ key }) => {
      pks.push(parseEntryKey(key)[2]);
    });
    return loadMany(schema, backend, pks, make);
  });
}

/** Records whose index `name` lies in a range; a record with many values in range appears once. */
export function scanIndexBetween(schema: ModelSchema, binding: Binding, make: Instantiate, name: unknown, range: IndexRange = {}): Promise<object[]> {
  const index = checkIndexName(schema, name);
  checkOptions(range, RANGE_OPTIONS, 'range');
  const limit = range.limit ?? Infinity;
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0)))
    throw new TypeError(`range.limit must be a whole number >= 0, got ${String(range.limit)}`);
  const raw = indexRange(schema, index, range);
  return binding.read(async (backend) => {
    if (backend.supports.indexScan) return loadIndexRange(schema, backend, raw, make, { dedup: true, limit });
    const pks: KeyPart[] = [];
    const seen = new Set<string>();
    await eachEntry(backend, raw, Infinity, ({ key }) => {
      if (pks.length >= limit) return false;
      const pk = parseEntryKey(key)[2];
      const id = pkId(pk);
      if (!seen.has(id)) {
        seen.add(id);
        pks.push(pk);
      }
      return pks.length < limit;
    });
    return loadMany(schema, backend, pks, make);
  });
}

/** The byte range of an index between bounds; a tuple bound covers every tuple that starts with it. */
export function indexRange(schema: ModelSchema, index: string, r: Pick<IndexRange, 'gt' | 'gte' | 'lt' | 'lte' | 'reverse'>): RawRange {
  const ns = schema.namespace;
  const at = (v: unknown, bound: string): Uint8Array => entryPrefix(ns, index, queryValue(schema, index, v, `range.${bound}`, true));
  const whole = entryPrefix(ns, index);
  let gte = whole;
  let lt = prefixUpperBound(whole)!;
  if (r.gte !== undefined) gte = maxBytes(gte, at(r.gte, 'gte'));
  if (r.gt !== undefined) gte = maxBytes(gte, prefixUpperBound(at(r.gt, 'gt'))!);
  if (r.lt !== undefined) lt = minBytes(lt, at(r.lt, 'lt'));
  if (r.lte !== undefined) lt = minBytes(lt, prefixUpperBound(at(r.lte, 'lte'))!);
  return { gte, lt, reverse: r.reverse === true };
}

/** Calls `fn` for each entry of a range, one bounded chunk at a time; `fn` returning false stops. */
export async function eachEntry(backend: Backend, range: RawRange, max: number, fn: (e: RawEntry) => boolean | void): Promise<void> {
  if (Buffer.compare(range.gte!, range.lt!) >= 0) return;
  const cursor = backend.iterate(range);
  let seen = 0;
  try {
    for (;;) {
      const chunk = await cursor.next(Math.min(CHUNK, max - seen));
      if (chunk.length === 0) return;
      for (const e of chunk) {
        seen++;
        if (fn(e) === false || seen >= max) return;
      }
    }
  } finally {
    await cursor.close();
  }
}

/** The index name, checked against the model's indexes (a TypeError naming the right spelling). */
export function checkIndexName(schema: ModelSchema, name: unknown): string {
  if (typeof name === 'string' && schema.byName.has(name)) return name;
  const names = [...schema.byName.keys()];
  const hint = typeof name === 'string' ? closest(name, names) : undefined;
  throw new TypeError(
    `index must name an index of ${schema.name} (${names.map((n) => `'${n}'`).join(', ') || 'it has none'}); got ${typeof name === 'string' ? `'${name}'` : typeof name}${hint ? `; did you mean '${hint}'?` : ''}`,
  );
}

/** NOT_FOUND for a missing record; the message says how `op` avoids it. */
export function notFound(schema: ModelSchema, pk: KeyPart, op: 'load' | 'update' = 'load'): SkyshelveError {
  const how =
    op === 'load'
      ? `pass a fallback to get it instead of this error, as in ${schema.name}.load(key, undefined)`
      : `give options.defaultFactory to create the record when it is missing`;
  return new SkyshelveError('NOT_FOUND', `No ${schema.name} record has the key ${describeKey(pk)}; ${how}.`, { details: { model: schema.name, key: pk } });
}
