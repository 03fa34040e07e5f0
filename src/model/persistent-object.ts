import type { Extractor } from '../decorators/metadata.js';
import { recordFor } from '../decorators/metadata.js';
import { describeType } from '../options.js';
import { contextOf, readyContext } from './context.js';
import { OBJECT_KEY } from './keys.js';
import { verifyIndexes, type VerifyOptions, type VerifyResult } from './maintenance.js';
import { deleteObject, existsObject, loadObject, saveObject } from './operations.js';
import { updateObject } from './update.js';
import { scanIndexBetween, scanIndexEqual, scanRecords, type IndexRange } from './read.js';
import { MODEL_KIND } from './schema.js';
import { answerValidateWith } from './validation.js';
import { countQuery, iterateQuery, pageQuery, type Page, type PageOptions, type Query } from './query.js';
import { findRecords } from './find.js';
import { runTransaction, type Transaction, type TransactionOptions } from './transaction.js';
import type { IndexNames, ModelClass, ModelKey, StorageOptions, UpdateOptions } from './types.js';

/** Equality conditions of `find`: index names or indexed fields, each with the value to match. */
export type Conditions<T> = { readonly [K in IndexNames<T> | (keyof T & string)]?: unknown };

/** Phantom slot carrying a model's index names, for typed `scanIndex` (see IndexNames); never set. */
export const indexNames: unique symbol = Symbol('skyshelve.indexNames');

/**
 * A stored object with a key given to its constructor and a plain record from `toRecord`
 * (rebuilt by the static `fromRecord`). Configure it with `configureStorage` or `@Persistent`.
 */
export class PersistentObject<I extends string = string> {
  /** Carries the index names for typed queries; never set at run time. */
  declare readonly [indexNames]?: I;

  constructor(key?: ModelKey) {
    // Hidden, so that the default toRecord (own enumerable fields) leaves it out.
    if (key !== undefined) Object.defineProperty(this, OBJECT_KEY, { value: key, writable: true, configurable: true, enumerable: false });
  }

  /** The primary key of this instance. */
  get key(): ModelKey {
    return (this as unknown as Record<symbol, ModelKey>)[OBJECT_KEY];
  }

  /** The plain data to store; by default the own enumerable fields. */
  toRecord(): unknown {
    return { ...this };
  }

  /** Problems that stop a save; none by default (PersistentBaseModel runs class-validator). */
  async validate(): Promise<unknown[]> {
    return [];
  }

  /** Validates and stores this instance with its index entries, atomically. */
  async save(): Promise<this> {
    await saveObject(this);
    return this;
  }

  /** Deletes this instance's record and index entries; false when it was not stored. */
  delete(): Promise<boolean> {
    return deleteObject(this.constructor, this.key);
  }

  /** Rebuilds an instance from its key and stored record; override it for custom classes. */
  static fromRecord(key: any, record: any): PersistentObject {
    const obj = Object.create(this.prototype) as PersistentObject;
    Object.assign(obj, record);
    Object.defineProperty(obj, OBJECT_KEY, { value: key, writable: true, configurable: true, enumerable: false });
    return obj;
  }

  /**
   * Sets where the records live (`path` or options) and, optionally, named indexes. With two
   * objects, both are used; an option given in both is a TypeError.
   */
  static configureStorage<T>(this: ModelClass<T>, pathOrOptions: string | StorageOptions<T>, options: StorageOptions<T> = {}): void {
    if (typeof pathOrOptions !== 'string' && (pathOrOptions === null || typeof pathOrOptions !== 'object' || Array.isArray(pathOrOptions))) {
      throw new TypeError(`path must be a string or an options object, got ${describeType(pathOrOptions)}`);
    }
    if (options === null || typeof options !== 'object' || Array.isArray(options))
      throw new TypeError(`options must be an object, got ${describeType(options)}`);
    const first = typeof pathOrOptions === 'string' ? { path: pathOrOptions } : pathOrOptions;
    const twice = Object.keys(first).filter((k) => Object.hasOwn(options, k));
    if (twice.length > 0) throw new TypeError(`configureStorage got '${twice.join("', '")}' in both arguments; give each option once`);
    const all = { ...first, ...options };
    const { secondaryIndexes = {}, uniqueIndexes = {}, ...storage } = all;
    const rec = recordFor(this);
    rec.persistent = storage;
    // Calling it again replaces what the previous call declared.
    for (let i = rec.indexes.length - 1; i >= 0; i--) if (rec.indexes[i]!.origin === 'configureStorage') rec.indexes.splice(i, 1);
    for (const [name, extractor] of Object.entries(secondaryIndexes)) rec.indexes.push({ name, extractor, unique: false, origin: 'configureStorage' });
    for (const [name, extractor] of Object.entries(uniqueIndexes)) rec.indexes.push({ name, extractor, unique: true, origin: 'configureStorage' });
  }

  /** Adds (or replaces) a computed index; run `reindex()` if records were stored before. */
  static registerIndex<T>(this: ModelClass<T>, name: string, extractor: Extractor<T>, options: { unique?: boolean } = {}): void {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError(`name must be a non-empty string, got ${describeType(name)}`);
    if (typeof extractor !== 'function') throw new TypeError(`extractor must be a function, got ${describeType(extractor)}`);
    const rec = recordFor(this);
    const at = rec.indexes.findIndex((d) => d.name === name && d.origin === 'registerIndex');
    if (at >= 0) rec.indexes.splice(at, 1);
    rec.indexes.push({ name, extractor, unique: options.unique === true, origin: 'registerIndex' });
  }

  /** The record at `key`; rejects with NOT_FOUND, or returns `fallback` when one is given. */
  static load<T>(this: ModelClass<T>, key: ModelKey): Promise<T>;
  static load<T, F>(this: ModelClass<T>, key: ModelKey, fallback: F): Promise<T | F>;
  static load(this: Function, key: ModelKey, ...fallback: unknown[]): Promise<unknown> {
    return loadObject(this, key, fallback.length > 0 ? { value: fallback[0] } : undefined);
  }

  /** True when a record exists at `key`. */
  static exists<T>(this: ModelClass<T>, key: ModelKey): Promise<boolean> {
    return existsObject(this, key);
  }

  /** Removes the record at `key` and all its index entries atomically; false when missing. */
  static delete<T>(this: ModelClass<T>, key: ModelKey): Promise<boolean> {
    return deleteObject(this, key);
  }

  /** Every record of this model (optionally those whose key passes `predicate`), in key order. */
  static async scan<T, K extends ModelKey = string>(this: ModelClass<T>, predicate?: (key: K) => boolean): Promise<T[]> {
    const { schema, binding, make } = readyContext(this) ?? (await contextOf(this));
    return (await scanRecords(schema, binding, make, predicate as ((key: ModelKey) => boolean) | undefined)) as T[];
  }

  /** Records whose index `index` holds `value`. */
  static async scanIndex<T>(this: ModelClass<T>, index: IndexNames<T>, value: unknown): Promise<T[]> {
    const { schema, binding, make } = readyContext(this) ?? (await contextOf(this));
    return (await scanIndexEqual(schema, binding, make, index, value)) as T[];
  }

  /** Alias of scanIndex, for parent/child use: `User.children('tag', 'admin')`. */
  static children<T>(this: ModelClass<T>, index: IndexNames<T>, value: unknown): Promise<T[]> {
    return (PersistentObject.scanIndex as (this: Function, i: unknown, v: unknown) => Promise<T[]>).call(this, index, value);
  }

  /** Records whose index value lies in a range: `{ gt, gte, lt, lte, reverse, limit }`. */
  static async scanIndexRange<T>(this: ModelClass<T>, index: IndexNames<T>, range: IndexRange = {}): Promise<T[]> {
    const { schema, binding, make } = readyContext(this) ?? (await contextOf(this));
    return (await scanIndexBetween(schema, binding, make, index, range)) as T[];
  }

  /** Atomic read-modify-write: loads (or builds with defaultFactory), runs the mutator, validates and saves. */
  static update<T>(this: ModelClass<T>, key: ModelKey, options: UpdateOptions<T>): Promise<T> {
    return updateObject(this, key, options);
  }

  /** The number of records; with an index, of its entries; with a value too, of that value's entries. Reads keys only. */
  static count<T>(this: ModelClass<T>): Promise<number>;
  static count<T>(this: ModelClass<T>, index: IndexNames<T>, value?: unknown): Promise<number>;
  static async count(this: Function, ...args: unknown[]): Promise<number> {
    const { schema, binding } = await contextOf(this);
    return countQuery(schema, binding, args[0], args[1], args.length > 1);
  }

  /** One page of a query (`{}`, `{ index, value }` or `{ index, range }`); pass `next` back as `cursor` for the next page. */
  static async page<T>(this: ModelClass<T>, query: Query<IndexNames<T>>, options: PageOptions): Promise<Page<T>> {
    const { schema, binding, make } = readyContext(this) ?? (await contextOf(this));
    return (await pageQuery(schema, binding, make, query as Query, options)) as Page<T>;
  }

  /** Streams every record of a query (default: all, in key order), one bounded page at a time. */
  static async *iterate<T>(this: ModelClass<T>, query: Query<IndexNames<T>> = {}, options: { reverse?: boolean } = {}): AsyncGenerator<T> {
    const { schema, binding, make } = readyContext(this) ?? (await contextOf(this));
    yield* iterateQuery(schema, binding, make, query as Query, options.reverse === true) as AsyncGenerator<T>;
  }

  /** The records matching every equality condition, using indexes only (a field without an index is an INDEX error). */
  static async find<T>(this: ModelClass<T>, conditions: Conditions<T>): Promise<T[]> {
    const { schema, binding, make } = readyContext(this) ?? (await contextOf(this));
    return (await findRecords(schema, binding, make, conditions)) as T[];
  }

  /** Runs `body` as one optimistic, serializable transaction on this model's store (retried on conflict, then CONFLICT). */
  static transaction<T, R>(this: ModelClass<T>, body: (tx: Transaction) => Promise<R> | R, options?: TransactionOptions): Promise<R> {
    return runTransaction(this, body, options);
  }

  /** Checks every index entry against the records; `{ repair: true }` fixes what it finds. */
  static async verifyIndexes<T>(this: ModelClass<T>, options: VerifyOptions = {}): Promise<VerifyResult> {
    const { schema, binding, make } = readyContext(this) ?? (await contextOf(this));
    return verifyIndexes(schema, binding, make, options);
  }

  /** Rebuilds every index entry (needed after adding an index to a model with data), and records the definitions. */
  static async reindex<T>(this: ModelClass<T>, options: Pick<VerifyOptions, 'onProgress'> = {}): Promise<VerifyResult> {
    const { schema, binding, make } = readyContext(this) ?? (await contextOf(this));
    return verifyIndexes(schema, binding, make, { ...options, repair: true });
  }
}

Object.defineProperty(PersistentObject, MODEL_KIND, { value: 'object', writable: false });
// The default validate() finds nothing; a save need not wait for its promise (write.ts prepare).
answerValidateWith(PersistentObject.prototype.validate, () => []);
