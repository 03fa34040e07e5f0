/**
 * Index entries read together with the records they name, when the backend can (supports.indexScan):
 * one call per chunk, from one snapshot, where a scan and then a getMany took several (docs/ABI.md,
 * "Index scans"). Callers keep their scan-then-load path for backends that cannot.
 */
import type { Backend, RawRange } from '../backend/backend.js';
import { decodeInternalKeyTail, type KeyPart } from '../codec/keys.js';
import { parseEntryKey, recordKey, recordRange } from './layout.js';
import { instantiate } from './instantiate.js';
import { pkId } from './keys.js';
import type { ModelSchema } from './schema.js';

/** Builds an instance from a stored record (read.ts's Instantiate). */
type Make = (pk: KeyPart, record: unknown) => object;

/** One index entry and its record's stored bytes (undefined when the record is missing). */
export interface IndexRecord {
  readonly pk: KeyPart;
  readonly key: Uint8Array;
  readonly bytes?: Uint8Array;
}

const CHUNK = 256;

/**
 * Calls `fn` for each entry of an index range with its record, a chunk of at most `take()` entries
 * per backend call (0 stops); `fn` returning false stops. Returns true when entries may remain
 * after the last one passed to `fn` (false once the range is known to be exhausted). `shared`: an
 * entry prefix (whole elements) that every key of the range starts with, so only the rest is decoded.
 */
export async function eachIndexRecord(
  schema: ModelSchema,
  backend: Backend,
  range: RawRange,
  take: () => number,
  fn: (r: IndexRecord) => boolean | void,
  shared?: Uint8Array,
): Promise<boolean> {
  const prefix = recordPrefixOf(schema);
  const pkOf = shared === undefined ? (key: Uint8Array) => parseEntryKey(key)[2] : (key: Uint8Array) => decodeInternalKeyTail(key, shared.length).pop()!;
  let r = range;
  if (Buffer.compare(r.gte!, r.lt!) >= 0) return false;
  for (;;) {
    const n = Math.min(take(), CHUNK);
    if (n <= 0) return true;
    const chunk = await backend.indexScan!(r, prefix, n);
    for (const hit of chunk.hits) {
      const pk = pkOf(hit.key);
      // An entry key the engine could not read a record key from, but this layer can: ask for the record itself.
      const bytes = hit.malformed ? await backend.get(recordKey(schema.namespace, pk)) : hit.record;
      if (fn({ pk, key: hit.key, bytes }) === false) return true;
    }
    if (chunk.done || chunk.hits.length === 0) return !chunk.done;
    r = after(r, chunk.hits[chunk.hits.length - 1]!.key);
  }
}

const recordPrefixes = new WeakMap<ModelSchema, Uint8Array>();

/** The key prefix of the model's records, encoded once per schema (never written to). */
function recordPrefixOf(schema: ModelSchema): Uint8Array {
  let prefix = recordPrefixes.get(schema);
  if (prefix === undefined) recordPrefixes.set(schema, (prefix = recordRange(schema.namespace).gte));
  return prefix;
}

/** The part of `r` after `last` in its direction. */
function after(r: RawRange, last: Uint8Array): RawRange {
  if (r.reverse) return { ...r, lt: last };
  const gte = new Uint8Array(last.length + 1);
  gte.set(last); // the smallest key greater than `last`
  return { ...r, gte };
}

/**
 * The records of an index range in entry order, skipping missing ones. With `dedup`, a record with
 * several entries in the range appears once (at its first) and `limit` counts distinct keys,
 * missing records included; otherwise `limit` counts entries.
 */
export async function loadIndexRange(
  schema: ModelSchema,
  backend: Backend,
  range: RawRange,
  make: Make,
  options: { dedup: boolean; limit?: number; shared?: Uint8Array },
): Promise<object[]> {
  const limit = options.limit ?? Infinity;
  const out: object[] = [];
  const seen = options.dedup ? new Set<string>() : undefined;
  let count = 0;
  await eachIndexRecord(
    schema,
    backend,
    range,
    () => Math.min(CHUNK, limit - count),
    ({ pk, bytes }) => {
      if (seen !== undefined) {
        const id = pkId(pk);
        if (seen.has(id)) return;
        seen.add(id);
      }
      count++;
      if (bytes !== undefined) out.push(instantiate(schema, make, pk, bytes));
      return count < limit;
    },
    options.shared,
  );
  return out;
}
