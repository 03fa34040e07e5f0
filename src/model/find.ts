/**
 * `find({ author: 'alice', tag: 'news' })`: the records matching every equality condition. It
 * finds the smallest condition with bounded counts (read in lock step), walks it, and checks every
 * other condition by looking up the exact index entry key, so records it drops are never loaded.
 */
import { getMetadataStorage } from 'class-validator';
import type { Backend } from '../backend/backend.js';
import { prefixUpperBound, type KeyPart } from '../codec/keys.js';
import { SkyshelveError } from '../errors.js';
import { closest } from '../options.js';
import type { Binding } from './binding.js';
import { blankInstance } from './construct.js';
import type { IndexValue } from './index-values.js';
import { checkKeyArg } from './keys.js';
import { entryKey, entryPrefix, parseEntryKey, recordKey } from './layout.js';
import { eachEntry, loadMany, type Instantiate } from './read.js';
import { loadIndexRange } from './index-records.js';
import { queryValue } from './query-values.js';
import type { ModelSchema } from './schema.js';

/** Each condition's size is counted up to this many entries to choose where to start. */
const ESTIMATE_CAP = 1024;
const STEP = 64;
const CHUNK = 256;

interface Condition {
  readonly index: string;
  readonly value: IndexValue;
}

/** The records whose indexes hold every given value, in the order of the condition walked. */
export async function findRecords(schema: ModelSchema, binding: Binding, make: Instantiate, where: unknown): Promise<object[]> {
  if (where === null || typeof where !== 'object' || Array.isArray(where))
    throw new TypeError(`conditions must be an object of field: value, got ${where === null ? 'null' : typeof where}`);
  const entries = Object.entries(where as Record<string, unknown>);
  if (entries.length === 0) throw new TypeError('conditions must name at least one indexed field');
  let pk: KeyPart | undefined;
  const conditions: Condition[] = [];
  for (const [field, value] of entries) {
    if (field === schema.keyField) pk = checkKeyArg(schema, value, `conditions.${field}`);
    else {
      const index = indexFor(schema, field);
      conditions.push({ index, value: queryValue(schema, index, value) });
    }
  }
  return binding.read(async (backend) => {
    // One condition: its entries and their records in one call per chunk (walkSmallest's result, then loadMany).
    if (pk === undefined && conditions.length === 1 && backend.supports.indexScan) {
      const range = rangeOf(schema, conditions[0]!);
      return loadIndexRange(schema, backend, range, make, { dedup: true, shared: range.gte });
    }
    const pks = pk !== undefined ? await keep(schema, backend, [pk], conditions) : await walkSmallest(schema, backend, conditions);
    return loadMany(schema, backend, pks, make);
  });
}

/** The index a condition field uses: an index of that name, or the property index on that field. */
function indexFor(schema: ModelSchema, field: string): string {
  if (schema.byName.has(field)) return field;
  const onField = schema.indexes.find((i) => i.field === field);
  if (onField) return onField.name;
  if (!knownFields(schema).includes(field)) {
    const hint = closest(field, [...schema.byName.keys(), ...knownFields(schema)]);
    throw new TypeError(`conditions.${field}: ${schema.name} has no field or index '${field}'${hint ? `; did you mean '${hint}'?` : ''}`);
  }
  throw new SkyshelveError(
    'INDEX',
    `${schema.name}.find: '${field}' has no index, and find never scans every record; add @Index() on ${schema.name}.${field} (then run ${schema.name}.reindex() if records exist)`,
    {
      details: { model: schema.name, field },
    },
  );
}

/** Fields the model is known to have: initialized ones, validated ones, and the key. */
function knownFields(schema: ModelSchema): string[] {
  const blank = blankInstance(schema.cls);
  const own = blank ? Object.keys(blank) : [];
  const validated = getMetadataStorage()
    .getTargetValidationMetadatas(schema.cls, '', true, false)
    .map((m) => m.propertyName);
  return [...new Set([...own, ...validated, ...(schema.keyField ? [schema.keyField] : [])])];
}

async function walkSmallest(schema: ModelSchema, backend: Backend, conditions: readonly Condition[]): Promise<KeyPart[]> {
  const start =
    conditions.length === 1
      ? 0
      : await smallest(
          backend,
          conditions.map((c) => rangeOf(schema, c)),
        );
  const rest = conditions.filter((_, i) => i !== start);
  const candidates: KeyPart[] = [];
  const seen = new Set<string>();
  await eachEntry(backend, rangeOf(schema, conditions[start]!), Infinity, (e) => {
    const pk = parseEntryKey(e.key)[2];
    if (!seen.has(pkId(pk))) {
      seen.add(pkId(pk));
      candidates.push(pk);
    }
  });
  const out: KeyPart[] = [];
  for (let i = 0; i < candidates.length; i += CHUNK) out.push(...(await keep(schema, backend, candidates.slice(i, i + CHUNK), rest)));
  return out;
}

/**
 * The index of the smallest range: all ranges are read in lock step, STEP keys at a time, and the
 * first to run out is the smallest; so this costs about (ranges × smallest size) key reads, at most
 * ESTIMATE_CAP each. When none runs out by then, the first condition is as good as any.
 */
async function smallest(backend: Backend, ranges: ReadonlyArray<{ gte: Uint8Array; lt: Uint8Array }>): Promise<number> {
  const cursors = ranges.map((r) => backend.iterate(r));
  try {
    for (let seen = 0; seen < ESTIMATE_CAP; seen += STEP) {
      for (let i = 0; i < cursors.length; i++) {
        if ((await cursors[i]!.next(STEP)).length < STEP) return i;
      }
    }
    return 0;
  } finally {
    await Promise.all(cursors.map((c) => c.close()));
  }
}

function rangeOf(schema: ModelSchema, c: Condition): { gte: Uint8Array; lt: Uint8Array } {
  const gte = entryPrefix(schema.namespace, c.index, c.value);
  return { gte, lt: prefixUpperBound(gte)! };
}

function pkId(pk: KeyPart): string {
  return pk instanceof Uint8Array ? `b${Buffer.from(pk).toString('hex')}` : `${typeof pk}${pk}`;
}

/** The keys among `pks` whose record has an entry for every condition (and, with no condition, that exist). */
async function keep(schema: ModelSchema, backend: Backend, pks: readonly KeyPart[], conditions: readonly Condition[]): Promise<KeyPart[]> {
  let alive = [...pks];
  for (const c of conditions) {
    if (alive.length === 0) break;
    if (!isExact(schema, c)) {
      // A leading part of a tuple has no exact entry key: collect the keys under its prefix.
      const under = new Set<string>();
      await eachEntry(backend, rangeOf(schema, c), Infinity, (e) => {
        under.add(pkId(parseEntryKey(e.key)[2]));
      });
      alive = alive.filter((pk) => under.has(pkId(pk)));
      continue;
    }
    const found = await backend.getMany(alive.map((pk) => entryKey(schema.namespace, c.index, c.value, pk)));
    alive = alive.filter((_, i) => found[i] !== undefined);
  }
  if (conditions.length === 0 && alive.length > 0) {
    const found = await backend.getMany(alive.map((pk) => recordKey(schema.namespace, pk)));
    alive = alive.filter((_, i) => found[i] !== undefined);
  }
  return alive;
}

/** True when the condition names whole index values, so each candidate is one exact key lookup. */
function isExact(schema: ModelSchema, c: Condition): boolean {
  const fields = schema.byName.get(c.index)?.fields;
  if (fields === undefined) return !Array.isArray(c.value);
  return Array.isArray(c.value) && c.value.length === fields.length;
}
