import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { metadataVersion, ownRecord, type Extractor, type IndexDeclaration, type PersistentOptions } from '../decorators/metadata.js';
import { SkyshelveError } from '../errors.js';
import { closest } from '../options.js';
import type { SkyShelve } from '../store.js';
import { blankInstance } from './construct.js';

/** Static marker a model base class sets: 'model' classes keep their key in a field. */
export const MODEL_KIND = Symbol.for('skyshelve.modelKind');

/** One index, ready to use. */
export interface ResolvedIndex {
  readonly name: string;
  readonly unique: boolean;
  readonly field?: string;
  /** The properties of a compound index, in tuple order. */
  readonly fields?: readonly string[];
  readonly extract: Extractor;
  /** Changes when the definition changes; stored to detect definitions that moved on. */
  readonly fingerprint: string;
  /** What kind of index value the property's declared type gives ('number' for numbers, Dates, booleans). */
  readonly valueKind?: ValueKind;
}

/** Where a model's store is and how it is shared. */
export interface StorageConfig {
  readonly path?: string;
  readonly store?: SkyShelve<any>;
  readonly inMemory: boolean;
  readonly onWarning?: (message: string) => void;
}

/** The checked, inheritance-resolved metadata of one model class. */
export interface ModelSchema {
  readonly cls: Function;
  readonly name: string;
  readonly namespace: string;
  /** The primary key field ('model' classes only). */
  readonly keyField?: string;
  /** The key field's declared type (design:type), when it is one a key can have. */
  readonly keyType?: ValueKind;
  readonly indexes: readonly ResolvedIndex[];
  readonly byName: ReadonlyMap<string, ResolvedIndex>;
  readonly hasUnique: boolean;
  readonly storage: StorageConfig;
  readonly version: number;
}

const OPTION_NAMES = ['path', 'store', 'namespace', 'inMemory', 'onWarning'];
/** Options of the old proper-lockfile multi-process mode: a clear error, never silently ignored. */
const REMOVED_OPTIONS = ['multiProcess', 'lockPath', 'lockTimeoutMs', 'lockTenureMs', 'staleMs'];
const cache = new WeakMap<Function, ModelSchema>();

/** The schema of `cls`, built and checked on first use; every problem is reported in one METADATA error. */
export function schemaOf(cls: Function): ModelSchema {
  const cached = cache.get(cls);
  if (cached && cached.version === metadataVersion()) return cached;
  const schema = resolve(cls);
  cache.set(cls, schema);
  return schema;
}

function resolve(cls: Function): ModelSchema {
  const problems: string[] = [];
  const chain = ancestry(cls);
  const owner = chain.find((c) => ownRecord(c)?.persistent !== undefined);
  const options = owner && ownRecord(owner)!.persistent;
  const badArgument = owner && ownRecord(owner)!.persistentProblem;
  if (badArgument) problems.push(`${owner!.name}: ${badArgument}`);
  if (!options) problems.push(`${cls.name} has no storage configuration: decorate it with @Persistent(...) or call ${cls.name}.configureStorage(...)`);
  const storage = resolveStorage(cls, options ?? {}, problems);
  const keyField = resolveKey(cls, chain, problems);
  const keyType = keyField === undefined ? undefined : declaredKind(cls, keyField);
  const indexes = resolveIndexes(cls, chain, problems);
  const namespace = options?.namespace ?? cls.name;
  if (typeof namespace !== 'string' || namespace.length === 0) problems.push(`${cls.name}: namespace must be a non-empty string`);
  if (problems.length > 0) {
    throw new SkyshelveError('METADATA', `Invalid model metadata:\n- ${problems.join('\n- ')}`, { details: { problems, model: cls.name } });
  }
  return {
    cls,
    name: cls.name,
    namespace,
    keyField,
    keyType,
    indexes,
    storage,
    byName: new Map(indexes.map((i) => [i.name, i])),
    hasUnique: indexes.some((i) => i.unique),
    version: metadataVersion(),
  };
}

/** `cls` and its ancestors, nearest first. */
function ancestry(cls: Function): Function[] {
  const out: Function[] = [];
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) out.push(c as Function);
  return out;
}

function resolveStorage(cls: Function, o: PersistentOptions, problems: string[]): StorageConfig {
  for (const name of Object.keys(o)) {
    if (OPTION_NAMES.includes(name)) continue;
    if (REMOVED_OPTIONS.includes(name)) {
      problems.push(
        `${cls.name}: storage option '${name}' was removed: several processes share a Badger directory by default now (README, "Several processes"); delete the option`,
      );
      continue;
    }
    const hint = closest(name, OPTION_NAMES);
    problems.push(`${cls.name}: unknown storage option '${name}'${hint ? `; did you mean '${hint}'?` : ''}`);
  }
  if (o.path !== undefined && (typeof o.path !== 'string' || o.path.length === 0)) problems.push(`${cls.name}: path must be a non-empty string`);
  if (o.store !== undefined && (o.path !== undefined || o.inMemory)) {
    problems.push(`${cls.name}: 'store' binds an open store; it cannot be combined with path or inMemory`);
  }
  if (o.onWarning !== undefined && typeof o.onWarning !== 'function') problems.push(`${cls.name}: onWarning must be a function`);
  const path = o.store ? undefined : (o.path ?? `./data/${cls.name.toLowerCase()}`);
  return { path, store: o.store, inMemory: o.inMemory === true, onWarning: o.onWarning };
}

function resolveKey(cls: Function, chain: Function[], problems: string[]): string | undefined {
  const isModel = (cls as unknown as Record<symbol, unknown>)[MODEL_KIND] === 'model';
  const owner = chain.find((c) => (ownRecord(c)?.keys.length ?? 0) > 0);
  const keys = owner ? ownRecord(owner)!.keys : [];
  if (!isModel) {
    if (keys.length > 0) problems.push(`${cls.name}: @Key is for PersistentBaseModel classes; a PersistentObject gets its key from its constructor`);
    return undefined;
  }
  if (keys.length > 1) problems.push(`${owner!.name} has ${keys.length} @Key fields (${keys.join(', ')}); only one is allowed`);
  if (keys.length > 0) return keys[0];
  if (hasIdField(cls)) return 'id';
  problems.push(`${cls.name} has no @Key and no 'id' field`);
  return undefined;
}

/** True when some metadata or an initializer shows that the class has an 'id' field. */
function hasIdField(cls: Function): boolean {
  if (Reflect.getMetadata('design:type', cls.prototype, 'id') !== undefined) return true;
  const validated = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  if (validated.some((m) => m.propertyName === 'id')) return true;
  const blank = blankInstance(cls);
  return blank !== undefined && Object.hasOwn(blank, 'id');
}

function resolveIndexes(cls: Function, chain: Function[], problems: string[]): ResolvedIndex[] {
  const out: ResolvedIndex[] = [];
  const seen = new Map<string, IndexDeclaration>();
  // Ancestors first, so inherited indexes keep their declaration order.
  for (const c of [...chain].reverse()) {
    for (const decl of ownRecord(c)?.indexes ?? []) {
      if (typeof decl.name !== 'string' || decl.name.length === 0) {
        problems.push(`${c.name}: a class-level @Index needs a name and an extractor, as in @Index('tag', (u) => u.tags)`);
        continue;
      }
      if (seen.has(decl.name)) {
        problems.push(`${c.name}: index '${decl.name}' declared twice`);
        continue;
      }
      seen.set(decl.name, decl);
      const index = toIndex(cls, c, decl, problems);
      if (index) out.push(index);
    }
  }
  return out;
}

function toIndex(cls: Function, c: Function, decl: IndexDeclaration, problems: string[]): ResolvedIndex | undefined {
  if (decl.extractor !== undefined && typeof decl.extractor !== 'function') {
    problems.push(`${c.name}: the extractor of index '${decl.name}' must be a function`);
    return undefined;
  }
  const field = decl.field;
  const fields = decl.fields;
  if (fields !== undefined && (fields.length < 2 || !fields.every((f) => typeof f === 'string' && f.length > 0))) {
    problems.push(`${c.name}: compound index '${decl.name}' needs two or more property names, as in @Index('${decl.name}', ['a', 'b'])`);
    return undefined;
  }
  const extract: Extractor | undefined =
    fields !== undefined
      ? (o) => [fields.map((f) => (o as Record<string, unknown>)[f])]
      : (decl.extractor ?? (field !== undefined ? (o) => (o as Record<string, unknown>)[field] : undefined));
  if (!extract) {
    problems.push(`${c.name}: index '${decl.name}' has no extractor; pass one, as in @Index('${decl.name}', (o) => o.field)`);
    return undefined;
  }
  const fingerprint = `${decl.name}|${decl.unique ? 'unique' : ''}|${field ?? fields?.join(',') ?? ''}|${decl.extractor ? String(decl.extractor) : ''}`;
  const valueKind = field !== undefined && decl.extractor === undefined ? declaredKind(cls, field) : undefined;
  return { name: decl.name, unique: decl.unique, field, fields, extract, fingerprint, valueKind };
}

/** The kinds of key and index values: how a declared property type is stored and compared. */
export type ValueKind = 'string' | 'number' | 'bytes';

/**
 * The kind of value a property holds, from TypeScript's emitted design:type; undefined when the
 * type says nothing useful (a union, an array, any, no emitDecoratorMetadata).
 */
function declaredKind(cls: Function, field: string): ValueKind | undefined {
  const t: unknown = Reflect.getMetadata('design:type', cls.prototype, field);
  if (t === String) return 'string';
  if (t === Number || t === Date || t === Boolean) return 'number';
  if (typeof t === 'function' && (t === Uint8Array || t.prototype instanceof Uint8Array)) return 'bytes';
  return undefined;
}

/** The kind of a key or index value, as the codec stores it. */
export function kindOf(v: unknown): ValueKind | undefined {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v instanceof Date) return 'number';
  if (v instanceof Uint8Array) return 'bytes';
  return undefined;
}
