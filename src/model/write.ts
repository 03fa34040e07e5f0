/** The one write pipeline: validate, to plain, encode, then one atomic write of record and index diff. */
import type { Backend, RawOp } from '../backend/backend.js';
import { prefixUpperBound, type KeyPart } from '../codec/keys.js';
import { SkyshelveError, describeKey } from '../errors.js';
import { entriesOf, entryId, type IndexEntry } from './index-values.js';
import { EMPTY, decodeEnvelope, encodeEnvelope, entryKey, entryPrefix, parseEntryKey, recordKey, type Envelope } from './layout.js';
import { primaryKeyOf, samePk } from './keys.js';
import type { ModelSchema } from './schema.js';

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

/** Reads the stored envelope of `pk`, or undefined. */
export async function readEnvelope(schema: ModelSchema, backend: Backend, pk: KeyPart): Promise<Envelope | undefined> {
  const bytes = await backend.get(recordKey(schema.namespace, pk));
  return bytes === undefined ? undefined : decodeEnvelope(schema.name, pk, bytes);
}

/** Writes a prepared record over `old` in one atomic batch; call only while holding the record's lock. */
export async function commit(schema: ModelSchema, backend: Backend, p: Prepared, old: Envelope | undefined): Promise<void> {
  const ns = schema.namespace;
  const oldIds = new Set((old?.entries ?? []).map(entryId));
  const newIds = new Set(p.entries.map(entryId));
  const added = p.entries.filter((e) => !oldIds.has(entryId(e)));
  await checkUnique(schema, backend, p.pk, added);
  const ops: RawOp[] = [{ type: 'put', key: recordKey(ns, p.pk), value: p.value }];
  for (const e of old?.entries ?? []) {
    if (!newIds.has(entryId(e))) ops.push({ type: 'del', key: entryKey(ns, e[0], e[1], p.pk) });
  }
  for (const e of added) ops.push({ type: 'put', key: entryKey(ns, e[0], e[1], p.pk), value: EMPTY });
  await backend.write(ops);
}

/** Removes a record and every entry it lists, atomically; false when it did not exist. */
export async function remove(schema: ModelSchema, backend: Backend, pk: KeyPart): Promise<boolean> {
  const ns = schema.namespace;
  const old = await readEnvelope(schema, backend, pk);
  if (!old) return false;
  const ops: RawOp[] = [{ type: 'del', key: recordKey(ns, pk) }];
  for (const e of old.entries) ops.push({ type: 'del', key: entryKey(ns, e[0], e[1], pk) });
  await backend.write(ops);
  return true;
}

async function checkUnique(schema: ModelSchema, backend: Backend, pk: KeyPart, added: readonly IndexEntry[]): Promise<void> {
  for (const [name, value] of added) {
    if (!schema.byName.get(name)?.unique) continue;
    const gte = entryPrefix(schema.namespace, name, value);
    const cursor = backend.iterate({ gte, lt: prefixUpperBound(gte) });
    try {
      for (const { key } of await cursor.next(2)) {
        const owner = parseEntryKey(key)[2];
        if (!samePk(owner, pk)) {
          throw new SkyshelveError('UNIQUE', `${schema.name}: ${describeKey(value)} is already used as '${name}' by ${describeKey(owner)}; index '${name}' is unique`, {
            details: { model: schema.name, index: name, value, owner },
          });
        }
      }
    } finally {
      await cursor.close();
    }
  }
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
  const path = prefix ? `${prefix}.${property}` : property ?? '';
  const nested = (children ?? []).flatMap((c) => describeIssue(c, path));
  return [...here.map((m) => (prefix ? `${prefix}: ${m}` : m)), ...nested];
}
