/**
 * Process-level lifecycle for SlateDB handles: keeping Node's event loop alive while native calls
 * are pending, and flushing stores that are still open when the process is about to exit normally.
 */
import { AsyncLocalStorage, createHook } from 'node:async_hooks';

let inFlight = 0;
let keepAlive: NodeJS.Timeout | undefined;

/**
 * Runs `fn` while holding the event loop open. A pending @slatedb/uniffi call is completed by a
 * native thread, which Node does not count as pending work. The 0.12.1 binding holds a timer only
 * while one poll of a Rust future is outstanding; this covers the whole operation (several polls,
 * several native calls, the flush after a durable write). One shared timer is ref'd while any
 * operation is in flight and unref'd when the count drops to zero.
 */
export async function holdLoop<T>(fn: () => Promise<T>): Promise<T> {
  if (inFlight++ === 0) {
    keepAlive ??= setInterval(() => {}, 1 << 30);
    keepAlive.ref();
  }
  try {
    return await fn();
  } finally {
    if (--inFlight === 0) keepAlive!.unref();
  }
}

/** Something that can be closed when the process is about to exit. */
export interface ExitClosable {
  close(): Promise<void>;
}

const openHandles = new Set<ExitClosable>();

/** On normal exit (the loop ran dry), close every store still open, so buffered writes are flushed. */
function onBeforeExit(): void {
  const handles = [...openHandles];
  openHandles.clear();
  process.off('beforeExit', onBeforeExit);
  // close() flushes; it is native async work, which keeps the loop alive until it finishes.
  for (const h of handles) {
    h.close().catch((err: unknown) => {
      process.emitWarning(`skyshelve: closing a SlateDB store at exit failed: ${(err as Error)?.message ?? String(err)}`);
    });
  }
}

/** Registers an open store for the beforeExit flush. */
export function registerForExit(handle: ExitClosable): void {
  if (openHandles.size === 0) process.on('beforeExit', onBeforeExit);
  openHandles.add(handle);
}

/** Removes a store from the beforeExit flush (it was closed). */
export function unregisterForExit(handle: ExitClosable): void {
  if (!openHandles.delete(handle)) return;
  if (openHandles.size === 0) process.off('beforeExit', onBeforeExit);
}

/** How many stores are registered for the exit flush (for tests). */
export function openForExitCount(): number {
  return openHandles.size;
}

/** One SlateDB open in progress: the timers it created, and whether it was given up. */
interface OpenAttempt {
  timers: NodeJS.Timeout[];
  abandoned: boolean;
}

const openContext = new AsyncLocalStorage<OpenAttempt>();
const liveOpens = new Set<OpenAttempt>();
// The 0.12.1 binding arms a ref'd timer for every poll of a Rust future, and an open that cannot
// reach its store is polled forever (SlateDB retries underneath; the binding offers no cancel). So
// while an open is live, every timer created in its async context is recorded, and once the open is
// abandoned those timers, and all it creates later, are unref'd. The hook runs only while an open is
// pending or abandoned-but-still-retrying, never in a process whose opens all settled.
const timerHook = createHook({
  init(_id, type, _trigger, resource) {
    if (type !== 'Timeout') return;
    const attempt = openContext.getStore();
    if (attempt === undefined) return;
    const timer = resource as NodeJS.Timeout;
    if (attempt.abandoned) timer.unref();
    else attempt.timers.push(timer);
  },
});

/** An open started by trackOpen: its result, and a way to give up on it. */
export interface TrackedOpen<T> {
  promise: Promise<T>;
  /** Lets the process exit while the open goes on underneath (its late result is the caller's to discard). */
  abandon(): void;
}

/** Starts an open so that, once abandoned, nothing it started keeps Node's event loop alive. */
export function trackOpen<T>(start: () => Promise<T>): TrackedOpen<T> {
  const attempt: OpenAttempt = { timers: [], abandoned: false };
  if (liveOpens.size === 0) timerHook.enable();
  liveOpens.add(attempt);
  const settled = (): void => {
    liveOpens.delete(attempt);
    attempt.timers = [];
    if (liveOpens.size === 0) timerHook.disable();
  };
  const promise = openContext.run(attempt, start);
  promise.then(settled, settled);
  return {
    promise,
    abandon() {
      attempt.abandoned = true;
      for (const t of attempt.timers) t.unref();
      attempt.timers = [];
    },
  };
}
