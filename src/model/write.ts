/**
 * The one write pipeline: validate, to plain, encode (prepare), then stage the record and its index
 * diff into a WriteSet (stageSave / stageRemove) and commit it as one conditional batch. The checks
 * on the stored envelope and on unique slots make each save, update and delete atomic across
 * processes; a CONFLICT means someone else changed a key in between, and the caller runs again.
 */
import { prefixUpperBound, type KeyPart } from '../codec/keys.js';
import { decodeValue, encodeValue } from '../codec/values.js';
import { SkyshelveError, describeKey } from '../errors.js';
import { entriesOf, entryId, type IndexEntry, type IndexValue } from './index-values.js';
import { EMPTY, decodeEnvelope, encodeEnvelope, entryKey, entryPrefix, parseEntryKey, recordKey, slotKey, type Envelope } from './layout.js';
import { primaryKeyOf, samePk } from './keys.js';
import type { ModelSchema } from './schema.js';
import type { WriteSet } from './write-set.js';
import { isSlotted } from './slots.js';

/** What the pipeline needs from an instance (PersistentObject provides all of it). */
export interface Storable {
  toRecord(): unknown;
  validate(): Promise<unknown[]>;
}

/** A record ready to commit: everything that can fail without the store has already run. */
export interface Prepared {
  readonly pk: KeyPart;
  readonly value: Uint8Array;
  readonly entries: IndexEntry[];
}

/** Validates and encodes an instance; throws VALIDATION, INDEX or TypeError and writes nothing. */
export async function prepare(schema: ModelSchema, obj: Storable): Promise<Prepared> {
  const pk = primaryKeyOf(schema, obj);
  const errors = await obj.validate();
  if (errors.length > 0) throw validationError(schema, errors);
  const entries = entriesOf(schema, obj);
  const value = encodeEnvelope(obj.toRecord(), entries);
  return { pk, value, entries };
}

/** Reads the envelope of `pk` through the write set (so the commit checks it), or undefined. */
export async function readEnvelope(schema: ModelSchema, ws: WriteSet, pk: KeyPart): Promise<Envelope | undefined> {
  const bytes = await ws.get(recordKey(schema.namespace, pk));
  return bytes === undefined ? undefined : decodeEnvelope(schema.name, pk, bytes);
}

/** Stages a prepared record over what is stored: the record, the index diff and the unique slots. */
export async function stageSave(schema: ModelSchema, ws: WriteSet, p: Prepared): Promise<void> {
  const ns = schema.namespace;
  // A first write of a record (a save, not an update) usually reads it and the slots of its unique
  // values: one getMany instead of a get each.
  const rk = recordKey(ns, p.pk);
  if (schema.hasUnique && !ws.seen(rk)) await ws.prefetch([rk, ...uniqueSlots(schema, p.entries)]);
  const old = await readEnvelope(schema, ws, p.pk);
  const { added, removed } = entryDiff(old?.entries ?? [], p.entries);
  if (schema.hasUnique) await stageUnique(schema, ws, p.pk, added, removed);
  ws.put(rk, p.value);
  for (const e of removed) ws.del(entryKey(ns, e[0], e[1], p.pk));
  for (const e of added) ws.put(entryKey(ns, e[0], e[1], p.pk), EMPTY);
}

/** The entries only in `after` (to add) and only in `before` (to remove). */
function entryDiff(before: readonly IndexEntry[], after: readonly IndexEntry[]): { added: IndexEntry[]; removed: IndexEntry[] } {
  const beforeIds = before.map(entryId);
  const afterIds = after.map(entryId);
  const had = new Set(beforeIds);
  const has = new Set(afterIds);
  return { added: after.filter((_, i) => !had.has(afterIds[i]!)), removed: before.filter((_, i) => !has.has(beforeIds[i]!)) };
}

/** Stages the removal of a record and every entry it lists; false when it does not exist. */
export async function stageRemove(schema: ModelSchema, ws: WriteSet, pk: KeyPart): Promise<boolean> {
  const ns = schema.namespace;
  const old = await readEnvelope(schema, ws, pk);
  if (!old) return false;
  if (schema.hasUnique) await stageUnique(schema, ws, pk, [], old.entries);
  ws.del(recordKey(ns, pk));
  for (const e of old.entries) ws.del(entryKey(ns, e[0], e[1], pk));
  return true;
}

/** The slot keys of the unique values among `entries`. */
export function uniqueSlots(schema: ModelSchema, entries: readonly IndexEntry[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [name, value] of entries) if (schema.byName.get(name)?.unique) out.push(slotKey(schema.namespace, name, value));
  return out;
}

/**
 * Claims the slot of each added unique value (its current owner is read, so the commit checks it)
 * and frees the slots of removed ones that this record owns. The entry scan also catches owners
 * written before slots existed.
 */
async function stageUnique(schema: ModelSchema, ws: WriteSet, pk: KeyPart, added: readonly IndexEntry[], removed: readonly IndexEntry[]): Promise<void> {
  const ns = schema.namespace;
  const mine = encodeValue(pk);
  // With complete slots, the slot of a value this record lists is this record's: free it unread.
  const slotted = isSlotted(ws.backend, ns);
  for (const [name, value] of removed) {
    if (!schema.byName.get(name)?.unique) continue;
    const slot = slotKey(ns, name, value);
    if (slotted) {
      ws.del(slot);
      continue;
    }
    const owner = await ws.get(slot);
    if (owner !== undefined && Buffer.compare(owner, mine) === 0) ws.del(slot);
  }
  for (const [name, value] of added) {
    if (!schema.byName.get(name)?.unique) continue;
    const slot = slotKey(ns, name, value);
    const owner = await ws.get(slot);
    if (owner !== undefined && Buffer.compare(owner, mine) !== 0) throw uniqueError(schema, name, value, decodeValue(owner) as KeyPart);
    if (!slotted) await checkLegacyOwner(schema, ws, pk, name, value);
    ws.put(slot, mine);
  }
}

async function checkLegacyOwner(schema: ModelSchema, ws: WriteSet, pk: KeyPart, name: string, value: IndexValue): Promise<void> {
  const gte = entryPrefix(schema.namespace, name, value);
  const cursor = ws.backend.iterate({ gte, lt: prefixUpperBound(gte) });
  try {
    for (const { key } of await cursor.next(4)) {
      const owner = parseEntryKey(key)[2];
      // An entry this unit already deletes (a record removed or changed in the same transaction) does not count.
      if (!samePk(owner, pk) && ws.written(key) !== 'del') throw uniqueError(schema, name, value, owner);
    }
  } finally {
    await cursor.close();
  }
}

function uniqueError(schema: ModelSchema, name: string, value: IndexValue, owner: KeyPart): SkyshelveError {
  return new SkyshelveError(
    'UNIQUE',
    `${schema.name}: ${describeKey(value)} is already used as '${name}' by ${describeKey(owner)}; index '${name}' is unique`,
    {
      details: { model: schema.name, index: name, value, owner },
    },
  );
}

function validationError(schema: ModelSchema, errors: unknown[]): SkyshelveError {
  const lines = errors.flatMap((e) => describeIssue(e));
  return new SkyshelveError('VALIDATION', `${schema.name} is invalid: ${lines.join('; ') || 'validation failed'}`, {
    details: { model: schema.name, errors },
  });
}

/** Flattens a class-validator ValidationError (with children) into readable lines. */
function describeIssue(e: unknown, prefix = ''): string[] {
  if (e === null || typeof e !== 'object') return [String(e)];
  const { property, constraints, children } = e as { property?: string; constraints?: Record<string, string>; children?: unknown[] };
  const here = constraints ? Object.values(constraints) : [];
  const path = prefix ? `${prefix}.${property}` : (property ?? '');
  const nested = (children ?? []).flatMap((c) => describeIssue(c, path));
  return [...here.map((m) => (prefix ? `${prefix}: ${m}` : m)), ...nested];
}
