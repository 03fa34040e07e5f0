/**
 * `Model.transaction(async (tx) => ...)`: an optimistic transaction on the store of Model. The body
 * reads through `tx` (each first read of a key is remembered with its value) and writes into a
 * buffer; the commit is one conditional batch whose checks say that every value read is still
 * the same. So transactions are serializable: if another writer changed anything the body read,
 * the commit rejects CONFLICT, nothing is written, and the body runs again on the new state.
 */
import type { Backend } from '../backend/backend.js';
import { retryOnConflict, DEFAULT_ATTEMPTS } from '../backend/conditional.js';
import { encodeKey, type Key } from '../codec/keys.js';
import { decodeValue, encodeValue } from '../codec/values.js';
import { SkyshelveError, isSkyshelveError } from '../errors.js';
import { describeType } from '../options.js';
import { contextOf, type ModelContext } from './context.js';
import { checkKeyArg } from './keys.js';
import { recordKey } from './layout.js';
import { instantiate } from './instantiate.js';
import { notFound } from './read.js';
import type { ModelClass, ModelKey } from './types.js';
import { prepare, stageRemove, stageSave, type Storable } from './write.js';
import { WriteSet } from './write-set.js';

/** Options of `Model.transaction`. */
export interface TransactionOptions {
  /** How many times the body may run in all before the transaction rejects with CONFLICT (default 12). */
  attempts?: number;
}

/** What a transaction body works with: model records and raw keys of one store. */
export class Transaction {
  readonly #ws: WriteSet;
  readonly #storeId: string;
  /** Contexts of the classes this transaction used, so each is resolved and checked once. */
  readonly #contexts = new Map<Function, ModelContext>();
  #done = false;

  /** @internal */
  constructor(ws: WriteSet, storeId: string) {
    this.#ws = ws;
    this.#storeId = storeId;
  }

  /** The record of `cls` at `key` as this transaction sees it; NOT_FOUND, or `fallback` when given. */
  load<T>(cls: ModelClass<T>, key: ModelKey): Promise<T>;
  load<T, F>(cls: ModelClass<T>, key: ModelKey, fallback: F): Promise<T | F>;
  async load(cls: Function, key: ModelKey, ...fallback: unknown[]): Promise<unknown> {
    const { schema, make } = await this.#context(cls, 'cls');
    const pk = checkKeyArg(schema, key);
    const bytes = await this.#ws.get(recordKey(schema.namespace, pk));
    if (bytes !== undefined) return instantiate(schema, make, pk, bytes);
    if (fallback.length > 0) return fallback[0];
    throw notFound(schema, pk);
  }

  /** True when a record of `cls` exists at `key` (a tracked read). */
  async exists<T>(cls: ModelClass<T>, key: ModelKey): Promise<boolean> {
    const { schema } = await this.#context(cls, 'cls');
    return (await this.#ws.get(recordKey(schema.namespace, checkKeyArg(schema, key)))) !== undefined;
  }

  /** Validates `obj` and stages it with its index diff and unique checks, as `save()` does. */
  async save<T extends object>(obj: T): Promise<T> {
    if (obj === null || typeof obj !== 'object') throw new TypeError(`obj must be a model instance, got ${describeType(obj)}`);
    const { schema } = await this.#context(obj.constructor, 'obj');
    const p = await prepare(schema, obj as unknown as Storable);
    await stageSave(schema, this.#ws, p);
    return obj;
  }

  /** Stages the deletion of the record of `cls` at `key`; false when there is none. */
  async delete<T>(cls: ModelClass<T>, key: ModelKey): Promise<boolean> {
    const { schema } = await this.#context(cls, 'cls');
    return stageRemove(schema, this.#ws, checkKeyArg(schema, key));
  }

  /** The value at a raw key of the store, seeing this transaction's own writes. */
  async get(key: Key): Promise<unknown> {
    this.#live();
    const bytes = await this.#ws.get(encodeKey(key));
    return bytes === undefined ? undefined : decodeValue(bytes);
  }

  /** Stages a raw key's value. */
  async set(key: Key, value: unknown): Promise<void> {
    this.#live();
    this.#ws.put(encodeKey(key), encodeValue(value));
  }

  /** Stages the removal of a raw key. */
  async del(key: Key): Promise<void> {
    this.#live();
    this.#ws.del(encodeKey(key));
  }

  /** @internal Ends the transaction: later calls are a programming error. */
  end(): void {
    this.#done = true;
  }

  #live(): void {
    if (this.#done) throw new SkyshelveError('CLOSED', 'This transaction has ended; use the tx only inside its body (and await every call).');
  }

  async #context(cls: Function, arg: string): Promise<ModelContext> {
    this.#live();
    const known = this.#contexts.get(cls);
    if (known !== undefined) return known;
    if (typeof cls !== 'function') throw new TypeError(`${arg} must be a model class, got ${describeType(cls)}`);
    const ctx = await contextOf(cls);
    if (ctx.binding.id !== this.#storeId) {
      throw new TypeError(
        `${arg}: ${ctx.schema.name} lives in another store than this transaction; a transaction covers the store of the model it was started on`,
      );
    }
    this.#contexts.set(cls, ctx);
    return ctx;
  }
}

/** Runs `body` as an optimistic transaction on the store of `cls`; see the file comment. */
export async function runTransaction<R>(cls: Function, body: (tx: Transaction) => Promise<R> | R, options: TransactionOptions = {}): Promise<R> {
  if (typeof body !== 'function') throw new TypeError(`body must be a function, got ${describeType(body)}`);
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  if (!Number.isInteger(attempts) || attempts < 1) throw new TypeError(`options.attempts must be a whole number >= 1, got ${String(options.attempts)}`);
  const { schema, binding } = await contextOf(cls);
  try {
    return await binding.read((backend) => retryOnConflict(() => attempt(backend, binding.id, body), attempts));
  } catch (err) {
    if (!isSkyshelveError(err, 'CONFLICT')) throw err;
    throw new SkyshelveError(
      'CONFLICT',
      `${schema.name}.transaction: other writers changed what the body read, ${attempts} times in a row; nothing was written`,
      {
        cause: err,
        details: { model: schema.name, attempts },
      },
    );
  }
}

/** One run of the body and, if it returns, one conditional commit of everything it staged. */
async function attempt<R>(backend: Backend, storeId: string, body: (tx: Transaction) => Promise<R> | R): Promise<R> {
  const ws = new WriteSet(backend);
  const tx = new Transaction(ws, storeId);
  let result: R;
  try {
    result = await body(tx);
  } catch (err) {
    // The body may have failed only because it saw a mix of old and new values: run it again then.
    if (!isSkyshelveError(err, 'CONFLICT') && (await ws.stale()))
      throw new SkyshelveError('CONFLICT', 'the transaction body failed on values that changed meanwhile', { cause: err });
    throw err;
  } finally {
    tx.end();
  }
  await ws.commit();
  return result;
}
