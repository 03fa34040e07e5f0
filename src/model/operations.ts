/** The model operations behind the static and instance methods; each resolves the class on use. */
import { RECORD_ATTEMPTS, retryOnConflict } from '../backend/conditional.js';
import type { Backend } from '../backend/backend.js';
import { isSkyshelveError } from '../errors.js';
import { contextOf, readyContext } from './context.js';
import type { ModelSchema } from './schema.js';
import { isSlotted } from './slots.js';
import { checkKeyArg, writeLockKeys } from './keys.js';
import { recordKey } from './layout.js';
import { loadOne, notFound } from './read.js';
import { prepare, stageRemove, stageSave, stageSaveNow, uniqueSlots, type Prepared, type Storable } from './write.js';
import { WriteSet, answersNow } from './write-set.js';

/** Saves an instance: validate, encode, then one conditional write of the record and its index diff (retried on CONFLICT). */
export async function saveObject(obj: Storable): Promise<void> {
  const { schema, binding } = readyContext(obj.constructor) ?? (await contextOf(obj.constructor));
  const prepared = prepare(schema, obj);
  const p = prepared instanceof Promise ? await prepared : prepared;
  const keys = writeLockKeys(schema, p.pk);
  // On a synchronous backend the first attempt runs without a promise turn; a CONFLICT (or a busy
  // lock) leaves it to the retry loop below, which goes on as if that attempt had been its first.
  const done = binding.writeNow(keys, (backend) => saveNow(schema, backend, p));
  if (done === true) return;
  await binding.write(keys, (backend) =>
    retryOnConflict(
      async (n) => {
        if (n === 0 && done === undefined && guessInsert(schema) && (await insertBlind(schema, backend, p))) return;
        const ws = new WriteSet(backend);
        await stageSave(schema, ws, p);
        await ws.commit();
      },
      RECORD_ATTEMPTS,
      done === false ? 1 : 0,
    ),
  );
}

/**
 * The first attempt of a save on a synchronous backend (answersNow): true when saved, false after a
 * CONFLICT (nothing written), undefined when the backend or namespace needs the async path.
 */
function saveNow(schema: ModelSchema, backend: Backend, p: Prepared): boolean | undefined {
  if (!answersNow(backend) || (schema.hasUnique && !isSlotted(backend, schema.namespace))) return undefined;
  if (guessInsert(schema)) {
    try {
      blindInsert(schema, backend, p).commitNow();
      return true;
    } catch (err) {
      if (!missedInsert(schema, err)) throw err;
    }
  }
  const ws = new WriteSet(backend);
  stageSaveNow(schema, ws, p);
  try {
    ws.commitNow();
    return true;
  } catch (err) {
    if (isSkyshelveError(err, 'CONFLICT')) return false;
    throw err;
  }
}

/** How many saves of a model read first after a blind insert met an existing record. */
export const READ_FIRST_AFTER_MISS = 32;
const readFirst = new WeakMap<ModelSchema, number>();

/**
 * True when the next save of the model should try a blind insert: always, except for the
 * READ_FIRST_AFTER_MISS saves after one that found its record (a model whose saves mostly replace
 * records then pays one failed commit in 33; tracking loaded instances instead would cost every read).
 */
function guessInsert(schema: ModelSchema): boolean {
  const left = readFirst.get(schema) ?? 0;
  if (left === 0) return true;
  readFirst.set(schema, left - 1);
  return false;
}

/**
 * Saves usually insert new records: commit one as an insert without reading, checking that the
 * record and its unique slots are still absent. That is the batch stageSave builds after reading
 * them absent, so the result is the same; false (nothing written) when the guess was wrong, and the
 * caller reads and saves as usual. Namespaces without complete slots always read (write.ts).
 */
async function insertBlind(schema: ModelSchema, backend: Backend, p: Prepared): Promise<boolean> {
  if (schema.hasUnique && !isSlotted(backend, schema.namespace)) return false;
  try {
    await blindInsert(schema, backend, p).commit();
    return true;
  } catch (err) {
    if (!missedInsert(schema, err)) throw err;
    return false;
  }
}

/** The write set of a blind insert: the record and its unique slots taken as absent, so staging reads nothing. */
function blindInsert(schema: ModelSchema, backend: Backend, p: Prepared): WriteSet {
  const ws = new WriteSet(backend);
  ws.assumeAbsent(recordKey(schema.namespace, p.pk));
  for (const slot of uniqueSlots(schema, p.entries)) ws.assumeAbsent(slot);
  stageSaveNow(schema, ws, p);
  return ws;
}

/** True (and the next saves read first) when a blind insert's commit failed because the guess was wrong. */
function missedInsert(schema: ModelSchema, err: unknown): boolean {
  if (!isSkyshelveError(err, 'CONFLICT')) return false;
  readFirst.set(schema, READ_FIRST_AFTER_MISS);
  return true;
}

/** Loads by key; with a fallback argument, returns it instead of rejecting with NOT_FOUND. */
export async function loadObject(cls: Function, key: unknown, fallback: { value: unknown } | undefined): Promise<unknown> {
  const { schema, binding, make } = readyContext(cls) ?? (await contextOf(cls));
  const pk = checkKeyArg(schema, key);
  const obj = await binding.read((backend) => loadOne(schema, backend, pk, make));
  if (obj !== undefined) return obj;
  if (fallback) return fallback.value;
  throw notFound(schema, pk);
}

/** True when a record exists at `key`. */
export async function existsObject(cls: Function, key: unknown): Promise<boolean> {
  const { schema, binding } = readyContext(cls) ?? (await contextOf(cls));
  const pk = checkKeyArg(schema, key);
  return binding.read((backend) => backend.has(recordKey(schema.namespace, pk)));
}

/** Deletes the record and its index entries atomically; false when it did not exist (true for exactly one of racing deletes). */
export async function deleteObject(cls: Function, key: unknown): Promise<boolean> {
  const { schema, binding } = readyContext(cls) ?? (await contextOf(cls));
  const pk = checkKeyArg(schema, key);
  return binding.write(writeLockKeys(schema, pk), (backend) =>
    retryOnConflict(async () => {
      const ws = new WriteSet(backend);
      if (!(await stageRemove(schema, ws, pk))) return false;
      await ws.commit();
      return true;
    }),
  );
}
