/**
 * Model.update: an atomic read-modify-write of one record; the mutator runs again on the new state
 * when another writer got there first (a CONFLICT of the conditional commit, write.ts).
 *
 * On a backend that reads and commits synchronously (WriteSet.now) the first attempt runs without
 * a promise turn, up to the first step that returns a promise (an async defaultFactory, mutator or
 * validate). Each step is the same function on either path, so the results are the same; a
 * CONFLICT passes on to the retry loop as if that attempt had been its first.
 */
import { RECORD_ATTEMPTS, retryOnConflict } from '../backend/conditional.js';
import type { KeyPart } from '../codec/keys.js';
import { isSkyshelveError } from '../errors.js';
import { checkOptions, describeType } from '../options.js';
import { contextOf, readyContext } from './context.js';
import { checkKeyArg, samePk, writeLockKeys } from './keys.js';
import type { Envelope } from './layout.js';
import { ModelErrors } from './model-errors.js';
import { notFound, type Instantiate } from './read.js';
import type { ModelSchema } from './schema.js';
import type { UpdateOptions } from './types.js';
import { prepare, readEnvelope, readEnvelopeNow, stageSave, type Storable } from './write.js';
import { WriteSet, answersNow } from './write-set.js';

const NOT_NOW = Symbol('not now');

/** Atomic read-modify-write of one record: the mutator runs again on the new state when another writer got there first. */
export async function updateObject<T>(cls: Function, key: unknown, options: UpdateOptions<T>): Promise<T> {
  const { schema, binding, make } = readyContext(cls) ?? (await contextOf(cls));
  const pk = checkKeyArg(schema, key);
  checkOptions(options, ['defaultFactory', 'mutator'], 'options');
  if (typeof options?.mutator !== 'function') throw new TypeError(`options.mutator must be a function, got ${describeType(options?.mutator)}`);
  if (options.defaultFactory !== undefined && typeof options.defaultFactory !== 'function') {
    throw new TypeError(`options.defaultFactory must be a function, got ${describeType(options.defaultFactory)}`);
  }
  const keys = writeLockKeys(schema, pk);
  let tried = 0;
  try {
    const first = binding.writeNow(keys, (backend) => (answersNow(backend) ? updateAttempt(schema, make, new WriteSet(backend), pk, options) : NOT_NOW));
    if (first !== undefined && first !== NOT_NOW) return first instanceof Promise ? await first : first;
  } catch (err) {
    if (!isSkyshelveError(err, 'CONFLICT')) throw err;
    tried = 1;
  }
  return binding.write(keys, (backend) => retryOnConflict(async () => updateAttempt(schema, make, new WriteSet(backend), pk, options), RECORD_ATTEMPTS, tried));
}

/** One run of an update: read, mutate, validate, stage and commit; a value when no step returned a promise. */
function updateAttempt<T>(schema: ModelSchema, make: Instantiate, ws: WriteSet, pk: KeyPart, options: UpdateOptions<T>): T | Promise<T> {
  if (!ws.now) return readEnvelope(schema, ws, pk).then((old) => mutate(schema, make, ws, pk, options, old));
  return mutate(schema, make, ws, pk, options, readEnvelopeNow(schema, ws, pk));
}

/** Builds the instance (stored, or from defaultFactory) and runs the mutator on it. */
function mutate<T>(schema: ModelSchema, make: Instantiate, ws: WriteSet, pk: KeyPart, options: UpdateOptions<T>, old: Envelope | null): T | Promise<T> {
  let start: T | PromiseLike<T>;
  if (old) start = make(pk, old.record) as T;
  else if (options.defaultFactory) start = options.defaultFactory();
  else throw notFound(schema, pk, 'update');
  return then(start, (obj) => then(options.mutator(obj), (replaced) => store(schema, ws, pk, replaced === undefined ? obj : (replaced as T), old)));
}

/** Validates the mutated instance and commits it over the envelope read (decoded once). */
function store<T>(schema: ModelSchema, ws: WriteSet, pk: KeyPart, obj: T, old: Envelope | null): T | Promise<T> {
  if (obj === null || typeof obj !== 'object')
    throw new TypeError(`the mutator of ${schema.name}.update must return an instance or nothing, got ${describeType(obj)}`);
  return then(prepare(schema, obj as unknown as Storable), (p) => {
    if (!samePk(p.pk, pk)) throw ModelErrors.keyChanged(schema.name, pk, p.pk);
    return then(stageSave(schema, ws, p, old), () => {
      if (!ws.now) return ws.commit().then(() => obj);
      ws.commitNow();
      return obj;
    });
  });
}

/** `f(v)` at once for a plain value, after it settles for a thenable (what `await v` would give `f`). */
function then<A, B>(v: A | PromiseLike<A>, f: (a: A) => B | Promise<B>): B | Promise<B> {
  return isThenable(v) ? Promise.resolve(v).then(f) : f(v);
}

function isThenable<A>(v: A | PromiseLike<A>): v is PromiseLike<A> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}
