/**
 * How a model reaches its store: a shared store and a per-store keyed mutex. Other processes
 * (and worker threads) reach the same Badger directory through the native owner/client layer.
 */
import path from 'node:path';
import type { Backend } from '../backend/backend.js';
import { SkyShelve } from '../store.js';
import { KeyedMutex } from './mutex.js';
import type { ModelSchema } from './schema.js';

/** Runs model operations against the right store with the right exclusion. */
export interface Binding {
  /** Runs `fn` while holding `keys` (record and unique-value locks) in this process. */
  write<R>(keys: readonly string[], fn: (backend: Backend) => Promise<R>): Promise<R>;
  /**
   * Runs `fn` at once, without a promise turn, while no other write of this process holds `keys` and
   * the store is open (a promise it returns holds `keys` until it settles); its result, or undefined
   * when the caller must take `write` instead.
   */
  writeNow<R>(keys: readonly string[], fn: (backend: Backend) => R): R | undefined;
  /** Runs `fn` with the backend. */
  read<R>(fn: (backend: Backend) => Promise<R>): Promise<R>;
  /** Identifies the store, so that per-store state (like the definitions check) is kept once per store. */
  readonly id: string;
}

const mutexes = new WeakMap<object, KeyedMutex>();
const memoryStores = new Map<string, SkyShelve<any>>();
const sharedStores = new Set<SkyShelve<any>>();
const bindings = new WeakMap<ModelSchema, Binding>();

/** The binding of a model, made once per schema. */
export function bindingFor(schema: ModelSchema): Binding {
  let b = bindings.get(schema);
  if (!b) bindings.set(schema, (b = storeBinding(schema)));
  return b;
}

function mutexOf(owner: object): KeyedMutex {
  let m = mutexes.get(owner);
  if (!m) mutexes.set(owner, (m = new KeyedMutex()));
  return m;
}

function storeBinding(schema: ModelSchema): Binding {
  const cfg = schema.storage;
  let store: SkyShelve<any> | undefined;
  // Re-resolved when closed, so a test (or user) that closes shared stores gets a fresh one.
  const current = (): SkyShelve<any> => {
    if (cfg.store) return cfg.store;
    if (!store || store.closed) store = cfg.inMemory ? memoryStore(cfg.path!) : sharedStore(cfg.path!);
    return store;
  };
  const id = cfg.store ? `store:${storeId(cfg.store)}` : cfg.inMemory ? `memory:${cfg.path}` : `path:${path.resolve(cfg.path!)}`;
  return {
    id,
    write: (keys, fn) => {
      const s = current();
      return mutexOf(s).run(keys, async () => fn(s.openBackend() ?? (await s.backend())));
    },
    writeNow: (keys, fn) => {
      const s = current();
      const b = s.openBackend();
      return b === undefined ? undefined : mutexOf(s).runNow(keys, () => fn(b));
    },
    read: async (fn) => {
      const s = current();
      return fn(s.openBackend() ?? (await s.backend()));
    },
  };
}

function sharedStore(p: string): SkyShelve<any> {
  const s = SkyShelve.shared(p);
  sharedStores.add(s);
  return s;
}

function memoryStore(p: string): SkyShelve<any> {
  let s = memoryStores.get(p);
  if (!s || s.closed) memoryStores.set(p, (s = new SkyShelve(null, { inMemory: true })));
  return s;
}

const storeIds = new WeakMap<object, number>();
let nextStoreId = 0;
function storeId(s: object): number {
  let id = storeIds.get(s);
  if (id === undefined) storeIds.set(s, (id = ++nextStoreId));
  return id;
}

/** Closes every store the model layer opened itself (stores you passed stay open). */
export async function closeModelStores(): Promise<void> {
  const all: Promise<void>[] = [];
  for (const s of [...sharedStores, ...memoryStores.values()]) all.push(s.close());
  sharedStores.clear();
  memoryStores.clear();
  await Promise.all(all);
}
