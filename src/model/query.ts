/**
 * count, page, iterate and find (docs/FORMAT.md, "Cursors"). Every query reads keys: the records of
 * a namespace in key order, or the entries of one index in index order; records are loaded only
 * for the items returned. A page's cursor is the last key it returned, so the next page starts
 * right after it whatever was inserted or deleted in between.
 */
import { createHash } from 'node:crypto';
import type { Backend, RawRange } from '../backend/backend.js';
import { prefixUpperBound, type KeyPart } from '../codec/keys.js';
import { checkOptions } from '../options.js';
import type { Binding } from './binding.js';
import { entryPrefix, parseEntryKey, pkOfRecordKey, recordRange } from './layout.js';
import { instantiate } from './instantiate.js';
import { eachIndexRecord } from './index-records.js';
import { checkIndexName, eachEntry, indexRange, loadMany, type IndexRange, type Instantiate } from './read.js';
import { queryValue } from './query-values.js';
import type { ModelSchema } from './schema.js';

/** What a page or an iteration walks: every record, one value (or tuple prefix) of an index, or a range of it. */
export type Query<I extends string = string> =
  | { readonly index?: undefined }
  | { readonly index: I; readonly value: unknown }
  | { readonly index: I; readonly range: Pick<IndexRange, 'gt' | 'gte' | 'lt' | 'lte'> };

/** Options of `page`. */
export interface PageOptions {
  /** The most items in the page (1 or more). */
  limit: number;
  /** Where to continue: the `next` of the previous page of the same query. */
  cursor?: string;
  /** Walk backwards (highest index value, or key, first). */
  reverse?: boolean;
}

/** One page of a query. */
export interface Page<T> {
  readonly items: T[];
  /** An opaque cursor for the next page, or undefined when this page reached the end. */
  readonly next?: string;
}

/** A query resolved to a byte range and how to read a primary key from each key of it. */
interface Plan {
  readonly range: RawRange & { gte: Uint8Array; lt: Uint8Array };
  readonly pkOf: (key: Uint8Array) => KeyPart;
  /** Identifies the query (model, index, bounds, direction) inside its cursors. */
  readonly id: string;
  /** True for an index query (its keys are index entries). */
  readonly index?: boolean;
  /** For a query of one value: the entry prefix (whole elements) every key of the query starts with. */
  readonly shared?: Uint8Array;
}

const QUERY_KEYS = ['index', 'value', 'range'];
const RANGE_KEYS = ['gt', 'gte', 'lt', 'lte'];
const CHUNK = 256;

/** Resolves a query; an unknown index is a TypeError naming the right spelling. */
export function planQuery(schema: ModelSchema, q: Query | undefined, reverse: boolean): Plan {
  if (q === undefined || q === null || typeof q !== 'object')
    throw new TypeError(`query must be an object such as {} or { index, value }, got ${q === null ? 'null' : typeof q}`);
  checkOptions(q, QUERY_KEYS, 'query');
  const desc = [schema.namespace, reverse ? 'r' : 'f'];
  if (q.index === undefined) {
    const r = recordRange(schema.namespace);
    return { range: { ...r, reverse }, pkOf: pkOfRecordKey, id: digest([...desc, 'records']) };
  }
  const index = checkIndexName(schema, q.index);
  const pkOf = (key: Uint8Array): KeyPart => parseEntryKey(key)[2];
  if ('range' in q && q.range !== undefined) {
    checkOptions(q.range, RANGE_KEYS, 'query.range');
    const r = indexRange(schema, index, q.range);
    return { range: { gte: r.gte!, lt: r.lt!, reverse }, pkOf, index: true, id: digest([...desc, index, 'range', r.gte!, r.lt!]) };
  }
  if (!('value' in q)) throw new TypeError(`query for index '${index}' needs a value or a range`);
  const gte = entryPrefix(schema.namespace, index, queryValue(schema, index, (q as { value: unknown }).value));
  return { range: { gte, lt: prefixUpperBound(gte)!, reverse }, pkOf, index: true, shared: gte, id: digest([...desc, index, 'value', gte]) };
}

function digest(parts: ReadonlyArray<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? `s${p.length}:${p}` : Buffer.concat([Buffer.from(`b${p.length}:`), p]));
  return h.digest('base64url').slice(0, 16);
}

/** The number of keys in a range, reading keys only (no value is decoded). */
export async function countRange(backend: Backend, range: RawRange, max = Infinity): Promise<number> {
  let n = 0;
  await eachEntry(backend, range, max, () => {
    n++;
  });
  return n;
}

/** `count()`: records; `count(index)`: entries of the index; `count(index, value)`: entries of one value. */
export function countQuery(schema: ModelSchema, binding: Binding, index?: unknown, value?: unknown, withValue = false): Promise<number> {
  let range: RawRange;
  if (index === undefined) range = recordRange(schema.namespace);
  else {
    const name = checkIndexName(schema, index);
    const gte = withValue ? entryPrefix(schema.namespace, name, queryValue(schema, name, value)) : entryPrefix(schema.namespace, name);
    range = { gte, lt: prefixUpperBound(gte) };
  }
  return binding.read((backend) => countRange(backend, range));
}

/** One page of a query: up to `limit` items after the cursor, and the cursor of the next page. */
export async function pageQuery(schema: ModelSchema, binding: Binding, make: Instantiate, q: Query, options: PageOptions): Promise<Page<object>> {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`options must be an object with a limit, got ${options === null ? 'null' : typeof options}`);
  checkOptions(options, ['limit', 'cursor', 'reverse'], 'options');
  const { limit } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`options.limit must be a whole number >= 1, got ${String(limit)}`);
  const plan = planQuery(schema, q, options.reverse === true);
  const range = resume(plan, options.cursor);
  return binding.read(async (backend) => {
    if (plan.index && backend.supports.indexScan) return pageIndex(schema, backend, make, plan, range, limit);
    const keys: Uint8Array[] = [];
    // One more than asked: it tells whether a next page exists.
    await eachEntry(backend, range, limit + 1, (e) => {
      keys.push(e.key);
    });
    const more = keys.length > limit;
    if (more) keys.length = limit;
    const items = await loadMany(schema, backend, keys.map(plan.pkOf), make);
    return { items, next: more ? cursorOf(plan, keys[keys.length - 1]!) : undefined };
  });
}

/** A page of an index query, entries and records together; `next` when the range holds more. */
async function pageIndex(schema: ModelSchema, backend: Backend, make: Instantiate, plan: Plan, range: RawRange, limit: number): Promise<Page<object>> {
  const items: object[] = [];
  let last: Uint8Array | undefined;
  let seen = 0;
  const more = await eachIndexRecord(
    schema,
    backend,
    range,
    () => limit - seen,
    ({ pk, key, bytes }) => {
      seen++;
      last = key;
      if (bytes !== undefined) items.push(instantiate(schema, make, pk, bytes));
    },
    plan.shared,
  );
  return { items, next: more && last !== undefined ? cursorOf(plan, last) : undefined };
}

/** Every item of a query, read one page of CHUNK at a time (bounded memory). */
export async function* iterateQuery(schema: ModelSchema, binding: Binding, make: Instantiate, q: Query, reverse = false): AsyncGenerator<object> {
  let cursor: string | undefined;
  do {
    const page = await pageQuery(schema, binding, make, q, { limit: CHUNK, cursor, reverse });
    yield* page.items;
    cursor = page.next;
  } while (cursor !== undefined);
}

function cursorOf(plan: Plan, lastKey: Uint8Array): string {
  return `${plan.id}.${Buffer.from(lastKey).toString('base64url')}`;
}

/** The plan's range after the cursor's key; a cursor of another query (or garbage) is a TypeError. */
function resume(plan: Plan, cursor: string | undefined): RawRange & { gte: Uint8Array; lt: Uint8Array } {
  if (cursor === undefined) return plan.range;
  const dot = typeof cursor === 'string' ? cursor.indexOf('.') : -1;
  if (dot < 0 || cursor.slice(0, dot) !== plan.id) {
    throw new TypeError('options.cursor does not belong to this query: pass the `next` of a page of the same model, query and direction');
  }
  const last = Buffer.from(cursor.slice(dot + 1), 'base64url');
  const { gte, lt } = plan.range;
  if (Buffer.compare(last, gte) < 0 || Buffer.compare(last, lt) >= 0) throw new TypeError('options.cursor is not a position inside this query');
  if (plan.range.reverse) return { ...plan.range, lt: last };
  const after = new Uint8Array(last.length + 1);
  after.set(last); // the smallest key greater than `last`
  return { ...plan.range, gte: after };
}
