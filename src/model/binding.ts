/**
 * How a model reaches its store. Single-process: a shared store and a per-store keyed mutex.
 * Multi-process (lockPath): the same mutex, then an inter-process lock around the section.
 */
import path from 'node:path';
import type { Backend } from '../backend/backend.js';
import { SkyShelve } from '../store.js';
import { InterProcessLock } from './interprocess.js';
import { KeyedMutex } from './mutex.js';
import type { ModelSchema } from './schema.js';

/** Runs model operations against the right store with the right exclusion. */
export interface Binding {
  /** Runs `fn` while holding `keys` (record and unique-value locks) in this process, and the inter-process lock if any. */
  write<R>(keys: readonly string[], fn: (backend: Backend) => Promise<R>): Promise<R>;
  /** Runs `fn` with the backend; under the inter-process lock in multi-process mode. */
  read<R>(fn: (backend: Backend) => Promise<R>): Promise<R>;
  /** Identifies the store, so that per-store state (like the definitions check) is kept once per store. */
  readonly id: string;
}

const mutexes = new WeakMap<object, KeyedMutex>();
const locks = new Map<string, { lock: InterProcessLock<SkyShelve<any>>; mutex: KeyedMutex }>();
const memoryStores = new Map<string, SkyShelve<any>>();
const sharedStores = new Set<SkyShelve<any>>();
const bindings = new WeakMap<ModelSchema, Binding>();

/** The binding of a model, made once per schema. */
export function bindingFor(schema: ModelSchema): Binding {
  let b = bindings.get(schema);
  if (!b) bindings.set(schema, (b = schema.storage.lockPath ? multiProcess(schema) : singleProcess(schema)));
  return b;
}

function mutexOf(owner: object): KeyedMutex {
  let m = mutexes.get(owner);
  if (!m) mutexes.set(owner, (m = new KeyedMutex()));
  return m;
}

function singleProcess(schema: ModelSchema): Binding {
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
      return mutexOf(s).run(keys, async () => fn(await s.backend()));
    },
    read: async (fn) => fn(await current().backend()),
  };
}

function multiProcess(schema: ModelSchema): Binding {
  const cfg = schema.storage;
  const lockPath = path.resolve(cfg.lockPath!);
  // Looked up per call, so that closeModelStores() followed by more work starts a fresh lock.
  const entry = () => {
    let e = locks.get(lockPath);
    if (!e) {
      const lock = new InterProcessLock<SkyShelve<any>>({
        lockPath,
        open: () => SkyShelve.open(cfg.path!),
        close: (s) => s.close(),
        staleMs: cfg.staleMs,
        timeoutMs: cfg.lockTimeoutMs,
        maxTenureMs: cfg.lockTenureMs,
      });
      locks.set(lockPath, (e = { lock, mutex: new KeyedMutex() }));
    }
    return e;
  };
  return {
    id: `lock:${lockPath}`,
    // Record locks first, the inter-process lock inside: a section never waits for a record lock while holding it.
    write: (keys, fn) => {
      const { lock, mutex } = entry();
      return mutex.run(keys, () => lock.run(async (s) => fn(await s.backend())));
    },
    read: (fn) => entry().lock.run(async (s) => fn(await s.backend())),
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

/** Closes every store and lock the model layer opened itself (stores you passed stay open). */
export async function closeModelStores(): Promise<void> {
  const all = [...locks.values()].map((e) => e.lock.close());
  locks.clear();
  for (const s of [...sharedStores, ...memoryStores.values()]) all.push(s.close());
  sharedStores.clear();
  memoryStores.clear();
  await Promise.all(all);
}
