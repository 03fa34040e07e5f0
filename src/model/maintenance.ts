/** Index upkeep: the stored definitions check, verifyIndexes and reindex. */
import type { Backend, RawCheck, RawEntry, RawOp, RawRange } from '../backend/backend.js';
import { retryOnConflict, writeChecked } from '../backend/conditional.js';
import { decodeInternalKey, internalPrefix, prefixUpperBound, type KeyPart } from '../codec/keys.js';
import { decodeValue, encodeValue } from '../codec/values.js';
import type { Binding } from './binding.js';
import { pkId } from './keys.js';
import { entriesOf, entryId, type IndexEntry } from './index-values.js';
import {
  EMPTY,
  decodeEnvelope,
  encodeEnvelope,
  entryKey,
  entryPrefix,
  metaKey,
  parseEntryKey,
  pkOfRecordKey,
  recordKey,
  recordRange,
  slotKey,
} from './layout.js';
import { writeLockKeys } from './keys.js';
import { markSlotted } from './slots.js';
import type { Instantiate } from './read.js';
import type { ModelSchema } from './schema.js';
import { eachEntry } from './read.js';

/** What verifyIndexes found: records checked, entries missing, entries that point nowhere or at the wrong value. */
export interface VerifyResult {
  checked: number;
  missing: number;
  stale: number;
}

/** Options of verifyIndexes and reindex. */
export interface VerifyOptions {
  /** Add missing entries and delete stale ones (default false). */
  repair?: boolean;
  /** Called after each chunk with how far the pass got. */
  onProgress?: (progress: { phase: 'records' | 'entries'; done: number }) => void;
}

const CHUNK = 256;
const checked = new Map<string, Promise<void>>();
const checkedSchemas = new WeakMap<ModelSchema, Promise<void>>();

/** Compares the stored index definitions with the model's, once per model and store; warns when they differ. */
export function checkDefinitions(schema: ModelSchema, binding: Binding): Promise<void> {
  let done = checkedSchemas.get(schema);
  if (!done) {
    const id = `${binding.id}\u0000${schema.namespace}\u0000${fingerprints(schema).join('\u0001')}`;
    done = checked.get(id);
    if (!done) {
      done = compareDefinitions(schema, binding).catch((err) => {
        // A failed check (a closed store, say) is tried again on the next use.
        checked.delete(id);
        checkedSchemas.delete(schema);
        throw err;
      });
      checked.set(id, done);
    }
    checkedSchemas.set(schema, done);
  }
  return done;
}

async function compareDefinitions(schema: ModelSchema, binding: Binding): Promise<void> {
  const message = await binding.read(async (backend) => {
    const stored = await backend.get(metaKey(schema.namespace));
    const current = fingerprints(schema);
    if (stored === undefined) {
      const empty = await isEmpty(backend, recordRange(schema.namespace));
      if (empty || current.length === 0) await writeDefinitions(schema, backend);
      return empty || current.length === 0 ? undefined : `${schema.name}: its records were written before index definitions were recorded`;
    }
    const decoded = decodeValue(stored) as { indexes?: string[]; slots?: boolean };
    const before = (decoded.indexes ?? []).slice().sort();
    if (before.join('\u0001') === current.join('\u0001')) {
      if (decoded.slots === true) markSlotted(backend, schema.namespace);
      else if (await isEmpty(backend, recordRange(schema.namespace))) await writeDefinitions(schema, backend);
      return undefined;
    }
    if (await isEmpty(backend, recordRange(schema.namespace))) {
      await writeDefinitions(schema, backend);
      return undefined;
    }
    const names = (list: string[]) => new Set(list.map((f) => f.split('|')[0]!));
    const was = names(before);
    const now = names(current);
    const changed = [...now].filter((n) => was.has(n) && !before.includes(current.find((f) => f.startsWith(`${n}|`))!));
    const parts = [
      [...now].filter((n) => !was.has(n)).map((n) => `added '${n}'`),
      [...was].filter((n) => !now.has(n)).map((n) => `removed '${n}'`),
      changed.map((n) => `changed '${n}'`),
    ].flat();
    return `${schema.name}: index definitions changed since the data was written (${parts.join(', ')})`;
  });
  if (message) (schema.storage.onWarning ?? console.warn)(`${message}; run ${schema.name}.reindex() to rebuild the index entries.`);
}

function fingerprints(schema: ModelSchema): string[] {
  return schema.indexes.map((i) => i.fingerprint).sort();
}

/**
 * Records the current definitions, with `slots: true`: it is written only for an empty namespace,
 * one without indexes, or after a repair pass, and in each case every unique value has its slot.
 */
async function writeDefinitions(schema: ModelSchema, backend: Backend): Promise<void> {
  await backend.write([{ type: 'put', key: metaKey(schema.namespace), value: encodeValue({ indexes: fingerprints(schema), slots: true }) }]);
  markSlotted(backend, schema.namespace);
}

async function isEmpty(backend: Backend, range: RawRange): Promise<boolean> {
  let empty = true;
  await eachEntry(backend, range, 1, () => {
    empty = false;
  });
  return empty;
}

/** Checks every record against its index entries and every entry against its record; repairs on request. */
export async function verifyIndexes(schema: ModelSchema, binding: Binding, make: Instantiate, options: VerifyOptions = {}): Promise<VerifyResult> {
  const result: VerifyResult = { checked: 0, missing: 0, stale: 0 };
  const repair = options.repair === true;
  for await (const chunk of chunks(binding, recordRange(schema.namespace))) {
    const pks = chunk.map((e) => pkOfRecordKey(e.key));
    await binding.write(writeLockKeys(schema, ...pks), (backend) => retryOnConflict(() => checkRecords(schema, backend, make, pks, repair, result)));
    options.onProgress?.({ phase: 'records', done: result.checked });
  }
  let done = 0;
  const whole = entryPrefix(schema.namespace);
  for await (const chunk of chunks(binding, { gte: whole, lt: prefixUpperBound(whole)! })) {
    const entries = chunk.map((e) => parseEntryKey(e.key));
    await binding.write(writeLockKeys(schema, ...entries.map((e) => e[2])), (backend) =>
      retryOnConflict(() => checkEntries(schema, backend, make, entries, repair, result)),
    );
    done += chunk.length;
    options.onProgress?.({ phase: 'entries', done });
  }
  for await (const chunk of chunks(binding, slotRange(schema.namespace))) {
    await binding.write(writeLockKeys(schema, ...chunk.map((e) => decodeValue(e.value) as KeyPart)), (backend) =>
      retryOnConflict(() => checkSlots(schema, backend, make, chunk, repair, result)),
    );
    done += chunk.length;
    options.onProgress?.({ phase: 'entries', done });
  }
  if (repair) await binding.read((backend) => writeDefinitions(schema, backend));
  return result;
}

/**
 * Counts (and with repair adds) the entries and unique slots each record should have; rewrites its
 * entry list if it moved on. Repairs are checked against the records as read (a CONFLICT runs the
 * chunk again), and the counts are added only when the chunk is done.
 */
async function checkRecords(schema: ModelSchema, backend: Backend, make: Instantiate, pks: KeyPart[], repair: boolean, result: VerifyResult): Promise<void> {
  const ns = schema.namespace;
  const values = await backend.getMany(pks.map((pk) => recordKey(ns, pk)));
  const ops: RawOp[] = [];
  const checks: RawCheck[] = [];
  let checkedHere = 0;
  let missing = 0;
  for (let i = 0; i < pks.length; i++) {
    const bytes = values[i];
    if (bytes === undefined) continue; // deleted since the chunk was read
    const pk = pks[i]!;
    const env = decodeEnvelope(schema.name, pk, bytes);
    const expected = entriesOf(schema, make(pk, env.record));
    const keys = expected.map((e) => entryKey(ns, e[0], e[1], pk));
    const unique = expected.filter((e) => schema.byName.get(e[0])?.unique);
    const slots = unique.map((e) => slotKey(ns, e[0], e[1]));
    const present = await backend.getMany([...keys, ...slots]);
    checkedHere++;
    const before = ops.length;
    present.forEach((v, j) => {
      if (v !== undefined) return;
      missing++;
      if (repair) ops.push({ type: 'put', key: j < keys.length ? keys[j]! : slots[j - keys.length]!, value: j < keys.length ? EMPTY : encodeValue(pk) });
    });
    if (repair && !sameEntries(env.entries, expected)) ops.push({ type: 'put', key: recordKey(ns, pk), value: encodeEnvelope(env.record, expected) });
    if (ops.length > before)
      checks.push({ key: recordKey(ns, pk), value: bytes }, ...slots.map((key) => ({ key, value: present[keys.length + slots.indexOf(key)] })));
  }
  if (ops.length > 0) await writeChecked(backend, ops, checks);
  result.checked += checkedHere;
  result.missing += missing;
}

/** Counts (and with repair deletes) entries whose record is gone or no longer produces them. */
async function checkEntries(
  schema: ModelSchema,
  backend: Backend,
  make: Instantiate,
  entries: Array<[string, IndexEntry[1], KeyPart]>,
  repair: boolean,
  result: VerifyResult,
): Promise<void> {
  const ns = schema.namespace;
  const expectedOf = new Map<string, Set<string>>();
  const ops: RawOp[] = [];
  const checks = new Map<string, RawCheck>();
  let stale = 0;
  for (const [name, value, pk] of entries) {
    const id = pkId(pk);
    let expected = expectedOf.get(id);
    if (!expected) {
      const key = recordKey(ns, pk);
      const bytes = await backend.get(key);
      checks.set(id, { key, value: bytes });
      expected = new Set(bytes === undefined ? [] : entriesOf(schema, make(pk, decodeEnvelope(schema.name, pk, bytes).record)).map(entryId));
      expectedOf.set(id, expected);
    }
    if (expected.has(entryId([name, value]))) continue;
    stale++;
    if (repair) ops.push({ type: 'del', key: entryKey(ns, name, value, pk) });
  }
  // Deleting an entry is right only while its record still is as read: checked in the same commit.
  if (ops.length > 0) await writeChecked(backend, ops, [...checks.values()]);
  result.stale += stale;
}

/** Counts (and with repair deletes) unique slots whose owner is gone or no longer has that value. */
async function checkSlots(schema: ModelSchema, backend: Backend, make: Instantiate, slots: RawEntry[], repair: boolean, result: VerifyResult): Promise<void> {
  const ns = schema.namespace;
  const ops: RawOp[] = [];
  const checks: RawCheck[] = [];
  let stale = 0;
  for (const { key, value } of slots) {
    const parts = decodeInternalKey(key);
    const name = parts[2] as string;
    const indexed = parts.length === 4 ? parts[3]! : parts.slice(3);
    const owner = decodeValue(value) as KeyPart;
    const bytes = await backend.get(recordKey(ns, owner));
    const has =
      bytes !== undefined &&
      entriesOf(schema, make(owner, decodeEnvelope(schema.name, owner, bytes).record)).some((e) => entryId(e) === entryId([name, indexed]));
    if (has) continue;
    stale++;
    if (repair) {
      ops.push({ type: 'del', key });
      checks.push({ key, value }, { key: recordKey(ns, owner), value: bytes });
    }
  }
  if (ops.length > 0) await writeChecked(backend, ops, checks);
  result.stale += stale;
}

/** The byte range of a namespace's unique slots. */
function slotRange(ns: string): { gte: Uint8Array; lt: Uint8Array } {
  const gte = internalPrefix(['u', ns]);
  return { gte, lt: prefixUpperBound(gte)! };
}

/** Reads a range in chunks, one short section each, so that other writers and processes interleave. */
async function* chunks(binding: Binding, range: { gte: Uint8Array; lt: Uint8Array }): AsyncGenerator<RawEntry[]> {
  let gte = range.gte;
  for (;;) {
    const from = gte;
    const batch = await binding.read(async (backend) => {
      const out: RawEntry[] = [];
      await eachEntry(backend, { gte: from, lt: range.lt }, CHUNK, (e) => {
        out.push(e);
      });
      return out;
    });
    if (batch.length === 0) return;
    yield batch;
    const last = batch[batch.length - 1]!.key;
    gte = new Uint8Array(last.length + 1);
    gte.set(last); // the next key after `last` in byte order
  }
}

function sameEntries(a: readonly IndexEntry[], b: readonly IndexEntry[]): boolean {
  if (a.length !== b.length) return false;
  const ids = new Set(a.map(entryId));
  return b.every((e) => ids.has(entryId(e)));
}
