/**
 * A fast path for `plainToInstance(cls, record)` (class-transformer 0.5.1) that gives the very same
 * instance where the work is trivial: the class has no class-transformer metadata that could change
 * the result (@Expose, @Exclude, @Type, @Transform, class strategies) and every value of the record is
 * a primitive. Then class-transformer builds `new cls()` and assigns each own key of the record in
 * order, skipping keys that name a getter without a setter on the class prototype or a function on
 * the instance (TransformOperationExecutor.transform). That costs ~3 µs per record through the
 * general machinery, a quarter of a load (bench/model-read.ts). Anything else (nested objects,
 * arrays, Dates, Buffers, any metadata) goes through plainToInstance itself.
 *
 * The write side mirrors it: `instanceToPlain(obj)` of such an instance, whose own enumerable
 * values are all primitives, is a plain object with those keys in order (values as they are,
 * undefined included, since exposeUnsetFields defaults to true), which `toPlain` builds directly.
 */
import { createRequire } from 'node:module';
import { instanceToPlain, plainToInstance, type ClassConstructor } from 'class-transformer';

/** The parts of class-transformer's metadata storage this file reads. */
interface MetadataStorage {
  getStrategy(target: Function): string;
  getExposedMetadatas(target: Function): unknown[];
  getExcludedMetadatas(target: Function): unknown[];
  findTypeMetadata(target: Function, property: string): unknown;
  findTransformMetadatas(target: Function, property: string, type: number): unknown[];
}

// The singleton that class-transformer's decorators fill (the same module instance plainToInstance uses).
const storage = (createRequire(import.meta.url)('class-transformer/cjs/storage.js') as { defaultMetadataStorage: MetadataStorage }).defaultMetadataStorage;
const PLAIN_TO_CLASS = 0; // TransformationType.PLAIN_TO_CLASS
const CLASS_TO_PLAIN = 1; // TransformationType.CLASS_TO_PLAIN

/** What one class allows: whether its key set is the record's own keys, and which keys copy as is (each way). */
interface Plan {
  readonly plainKeys: boolean;
  readonly keyIsPlain: Map<string, boolean>;
  readonly keyIsPlainOut: Map<string, boolean>;
  /** The keys of the last record found plain, in order: records of one class mostly repeat them. */
  lastKeys: readonly string[];
}

const plans = new WeakMap<Function, Plan>();

function planFor(cls: Function): Plan {
  let plan = plans.get(cls);
  if (!plan) {
    const plainKeys = storage.getStrategy(cls) === 'none' && storage.getExposedMetadatas(cls).length === 0 && storage.getExcludedMetadatas(cls).length === 0;
    plan = { plainKeys, keyIsPlain: new Map(), keyIsPlainOut: new Map(), lastKeys: [] };
    plans.set(cls, plan);
  }
  return plan;
}

function keyIsPlain(cls: Function, plan: Plan, key: string): boolean {
  let ok = plan.keyIsPlain.get(key);
  if (ok === undefined) {
    ok = key !== '__proto__' && storage.findTypeMetadata(cls, key) === undefined && storage.findTransformMetadatas(cls, key, PLAIN_TO_CLASS).length === 0;
    plan.keyIsPlain.set(key, ok);
  }
  return ok;
}

function keyIsPlainOut(cls: Function, plan: Plan, key: string): boolean {
  let ok = plan.keyIsPlainOut.get(key);
  if (ok === undefined) {
    ok =
      key !== '__proto__' &&
      key !== 'constructor' &&
      storage.findTypeMetadata(cls, key) === undefined &&
      storage.findTransformMetadatas(cls, key, CLASS_TO_PLAIN).length === 0;
    plan.keyIsPlainOut.set(key, ok);
  }
  return ok;
}

function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === 'string' || t === 'number' || t === 'boolean' || t === 'undefined' || t === 'bigint';
}

/** True when `record` of `cls` can take the fast path (exported for the equivalence spec). */
export function canCopyPlainly(cls: Function, record: Record<string, unknown>): boolean {
  return copiesPlainly(cls, record, Object.keys(record));
}

function copiesPlainly(cls: Function, record: Record<string, unknown>, keys: readonly string[]): boolean {
  const plan = planFor(cls);
  if (!plan.plainKeys) return false;
  for (let i = 0; i < keys.length; i++) if (!isPrimitive(record[keys[i]!])) return false;
  if (sameKeys(keys, plan.lastKeys)) return true;
  for (let i = 0; i < keys.length; i++) if (!keyIsPlain(cls, plan, keys[i]!)) return false;
  plan.lastKeys = keys;
  return true;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Exactly `plainToInstance(cls, record)`, faster for flat records of metadata-free classes. */
export function toInstance<T extends object>(cls: ClassConstructor<T>, record: Record<string, unknown>): T {
  const keys = Object.keys(record);
  if (!copiesPlainly(cls, record, keys)) return plainToInstance(cls, record);
  const obj = new cls() as Record<string, unknown>;
  const proto = (obj.constructor as Function | undefined)?.prototype as object | undefined;
  for (let i = 0; i < keys.length; i++) assign(obj, proto, keys[i]!, record[keys[i]!]);
  return obj as T;
}

/**
 * toInstance of the record whose fields are `[key, value, ...]` (distinct keys, in the record's key
 * order: record-decode.ts decodeEnvelopeFields), without building that record; undefined, before any
 * constructor runs, when it must take plainToInstance.
 */
export function fieldsToInstance<T extends object>(cls: ClassConstructor<T>, fields: readonly unknown[]): T | undefined {
  const plan = planFor(cls);
  if (!plan.plainKeys) return undefined;
  for (let i = 1; i < fields.length; i += 2) if (!isPrimitive(fields[i])) return undefined;
  if (!sameFieldKeys(fields, plan.lastKeys)) {
    const keys = new Array<string>(fields.length >> 1);
    for (let i = 0; i < keys.length; i++) {
      keys[i] = fields[2 * i] as string;
      if (!keyIsPlain(cls, plan, keys[i]!)) return undefined;
    }
    plan.lastKeys = keys;
  }
  const obj = new cls() as Record<string, unknown>;
  const proto = (obj.constructor as Function | undefined)?.prototype as object | undefined;
  for (let i = 0; i < fields.length; i += 2) assign(obj, proto, fields[i] as string, fields[i + 1]);
  return obj as T;
}

function sameFieldKeys(fields: readonly unknown[], keys: readonly string[]): boolean {
  if (fields.length !== keys.length * 2) return false;
  for (let i = 0; i < keys.length; i++) if (fields[2 * i] !== keys[i]) return false;
  return true;
}

/** One field as class-transformer copies it: not over a getter without setter, nor over a method. */
function assign(obj: Record<string, unknown>, proto: object | undefined, key: string, value: unknown): void {
  if (proto) {
    const desc = Object.getOwnPropertyDescriptor(proto, key);
    if ((desc && !desc.set) || obj[key] instanceof Function) return;
  }
  obj[key] = value;
}

/** True when `obj` can take the write fast path (exported for the equivalence spec). */
export function canPlainOut(obj: object): boolean {
  const cls = obj.constructor;
  // class-transformer treats a thenable as a promise, and a plain object has no class metadata to honour.
  if (typeof cls !== 'function' || cls === Object || typeof (obj as { then?: unknown }).then === 'function') return false;
  const plan = planFor(cls);
  if (!plan.plainKeys) return false;
  const fields = obj as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!isPrimitive(fields[key]) || !keyIsPlainOut(cls, plan, key)) return false;
  }
  return true;
}

/** Exactly `instanceToPlain(obj)`, faster for model instances with only primitive fields and no metadata. */
export function toPlain(obj: object): Record<string, unknown> {
  if (!canPlainOut(obj)) return instanceToPlain(obj) as Record<string, unknown>;
  const fields = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) out[key] = fields[key];
  return out;
}
