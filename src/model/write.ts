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
import { validateNow } from './validation.js';

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

/**
 * Validates and encodes an instance; throws VALIDATION, INDEX or TypeError and writes nothing.
 * Without a promise when validation.ts can answer `validate()` synchronously (no constraint is async).
 */
export function prepare(schema: ModelSchema, obj: Storable): Prepared | Promise<Prepared> {
  const pk = primaryKeyOf(schema, obj);
  const errors = validateNow(obj);
  if (errors === undefined) return prepareLater(schema, obj, pk);
  if (errors instanceof Promise) return errors.then((e) => encodePrepared(schema, obj, pk, e));
  return encodePrepared(schema, obj, pk, errors);
}

async function prepareLater(schema: ModelSchema, obj: Storable, pk: KeyPart): Promise<Prepared> {
  return encodePrepared(schema, obj, pk, await obj.validate());
}

function encodePrepared(schema: ModelSchema, obj: Storable, pk: KeyPart, errors: unknown[]): Prepared {
  if (errors.length > 0) throw validationError(schema, errors);
  const entries = entriesOf(schema, obj);
  const value = encodeEnvelope(obj.toRecord(), entries);
  return { pk, value, entries };
}

/** Reads the envelope of `pk` through the write set (so the commit checks it); null when absent. */
export async function readEnvelope(schema: ModelSchema, ws: WriteSet, pk: KeyPart): Promise<Envelope | null> {
  const rk = recordKey(schema.namespace, pk);
  const bytes = ws.now ? ws.getNow(rk) : await ws.get(rk);
  return bytes === undefined ? null : decodeEnvelope(schema.name, pk, bytes);
}

/** readEnvelope without a promise, of a `now` write set or a key it knows (fetched); null when absent. */
export function readEnvelopeNow(schema: ModelSchema, ws: WriteSet, pk: KeyPart, rk = recordKey(schema.namespace, pk)): Envelope | null {
  const bytes = ws.getNow(rk);
  return bytes === undefined ? null : decodeEnvelope(schema.name, pk, bytes);
}

/**
 * stageSave where it cannot wait: on a `now` write set, or when every key it reads is known (a
 * blind insert). Throws INTERNAL rather than leave work behind if it would wait.
 */
export function stageSaveNow(schema: ModelSchema, ws: WriteSet, p: Prepared, old?: Envelope | null): void {
  const pending = stageSave(schema, ws, p, old);
  if (pending === undefined) return;
  pending.catch(() => undefined);
  throw new SkyshelveError('INTERNAL', `${schema.name}: a synchronous save step had to wait for a read`);
}

/**
 * Stages a prepared record over what is stored: the record, the index diff and the unique slots.
 * `old` is the stored envelope when the caller has read it already (null: absent). The reads it
 * needs are taken in at most two fetches (the record with the slots of its unique values, then
 * the slots of values the diff adds), so on a synchronous backend, or when everything is known
 * (a blind insert), it runs without a promise.
 */
export function stageSave(schema: ModelSchema, ws: WriteSet, p: Prepared, old?: Envelope | null): void | Promise<void> {
  if (schema.hasUnique && !isSlotted(ws.backend, schema.namespace)) return stageSaveUnslotted(schema, ws, p, old);
  const rk = recordKey(schema.namespace, p.pk);
  if (old !== undefined) return stageOver(schema, ws, p, rk, old);
  // A first write of a record (a save, not an update) usually reads it and the slots of its unique
  // values: one getMany instead of a get each.
  const ahead = ws.fetch(schema.hasUnique && !ws.seen(rk) ? [rk, ...uniqueSlots(schema, p.entries)] : [rk]);
  if (ahead !== undefined) return ahead.then(() => stageOver(schema, ws, p, rk, readEnvelopeNow(schema, ws, p.pk, rk)));
  return stageOver(schema, ws, p, rk, readEnvelopeNow(schema, ws, p.pk, rk));
}

/** stageSave once the old envelope is known, in a namespace with complete slots (or no unique index). */
function stageOver(schema: ModelSchema, ws: WriteSet, p: Prepared, rk: Uint8Array, old: Envelope | null): void | Promise<void> {
  const { added, removed } = entryDiff(old?.entries ?? [], p.entries);
  if (!schema.hasUnique) return stageRecord(schema, ws, p, rk, added, removed);
  const ahead = ws.fetch(uniqueSlots(schema, added));
  if (ahead !== undefined) return ahead.then(() => stageSlotted(schema, ws, p, rk, added, removed));
  stageSlotted(schema, ws, p, rk, added, removed);
}

/**
 * Claims the slot of each added unique value (its owner was fetched, so the commit checks it) and
 * frees the slots of removed ones unread: with complete slots, the slot of a value this record
 * lists is this record's.
 */
function stageSlotted(schema: ModelSchema, ws: WriteSet, p: Prepared, rk: Uint8Array, added: IndexEntry[], removed: IndexEntry[]): void {
  const ns = schema.namespace;
  let mine: Uint8Array | undefined;
  for (const [name, value] of removed) if (schema.byName.get(name)?.unique) ws.del(slotKey(ns, name, value));
  for (const [name, value] of added) {
    if (!schema.byName.get(name)?.unique) continue;
    const slot = slotKey(ns, name, value);
    mine ??= encodeValue(p.pk);
    const owner = ws.getNow(slot);
    if (owner !== undefined && Buffer.compare(owner, mine) !== 0) throw uniqueError(schema, name, value, decodeValue(owner) as KeyPart);
    ws.put(slot, mine);
  }
  stageRecord(schema, ws, p, rk, added, removed);
}

/** Stages the record and its index entry diff. */
function stageRecord(schema: ModelSchema, ws: WriteSet, p: Prepared, rk: Uint8Array, added: IndexEntry[], removed: IndexEntry[]): void {
  const ns = schema.namespace;
  ws.put(rk, p.value);
  for (const e of removed) ws.del(entryKey(ns, e[0], e[1], p.pk));
  for (const e of added) ws.put(entryKey(ns, e[0], e[1], p.pk), EMPTY);
}

/** stageSave in a namespace whose slots may be incomplete (written before slots existed): every owner is read. */
async function stageSaveUnslotted(schema: ModelSchema, ws: WriteSet, p: Prepared, old?: Envelope | null): Promise<void> {
  const rk = recordKey(schema.namespace, p.pk);
  if (old === undefined) {
    if (!ws.seen(rk)) await ws.prefetch([rk, ...uniqueSlots(schema, p.entries)]);
    old = await readEnvelope(schema, ws, p.pk);
  }
  const { added, removed } = entryDiff(old?.entries ?? [], p.entries);
  await stageUnique(schema, ws, p.pk, added, removed);
  stageRecord(schema, ws, p, rk, added, removed);
}

/** The entries only in `after` (to add) and only in `before` (to remove). */
function entryDiff(before: readonly IndexEntry[], after: readonly IndexEntry[]): { added: IndexEntry[]; removed: IndexEntry[] } {
  // Most updates leave every index value as it was: no ids to build then.
  if (sameEntries(before, after)) return { added: [], removed: [] };
  const beforeIds = before.map(entryId);
  const afterIds = after.map(entryId);
  const had = new Set(beforeIds);
  const has = new Set(afterIds);
  return { added: after.filter((_, i) => !had.has(afterIds[i]!)), removed: before.filter((_, i) => !has.has(beforeIds[i]!)) };
}

/** True when both lists hold the same entries in the same order (scalar values only; tuples and bytes take the id path). */
function sameEntries(a: readonly IndexEntry[], b: readonly IndexEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x[0] !== y[0] || typeof x[1] !== typeof y[1] || typeof x[1] === 'object' || !Object.is(x[1], y[1])) return false;
  }
  return true;
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
  // A custom constraint without a defaultMessage has an empty message: name the constraint then.
  const here = constraints ? Object.entries(constraints).map(([name, m]) => m || `${property} fails ${name}`) : [];
  const path = prefix ? `${prefix}.${property}` : (property ?? '');
  const nested = (children ?? []).flatMap((c) => describeIssue(c, path));
  return [...here.map((m) => (prefix ? `${prefix}: ${m}` : m)), ...nested];
}
