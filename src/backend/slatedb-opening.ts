/**
 * Opening SlateDB with a time limit. An open that cannot reach its store is retried forever inside
 * SlateDB, and @slatedb/uniffi 0.12.1 cannot cancel it; so on timeout the open is abandoned in a way
 * that leaves nothing of it holding Node's event loop.
 */
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { SkyshelveError } from '../errors.js';

const DEFAULT_OPEN_TIMEOUT_MS = 60_000;

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
    // A settled open's context may linger in code that ran inside it; it has nothing left to track.
    if (attempt === undefined || !liveOpens.has(attempt)) return;
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

/**
 * Races an open against a timer. On timeout the open is abandoned: it may retry forever underneath,
 * but nothing of it keeps the process alive, and a late success is shut down rather than leaked.
 */
export async function withTimeout<T>(start: () => Promise<T>, ms: number | undefined, discard: (value: T) => Promise<unknown>): Promise<T> {
  const limit = ms ?? DEFAULT_OPEN_TIMEOUT_MS;
  const tracked = trackOpen(start);
  const opening = tracked.promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SkyshelveError('TIMEOUT', `Opening SlateDB did not finish within ${limit} ms; check the endpoint, bucket and credentials.`)),
      limit,
    );
  });
  try {
    return await Promise.race([opening, timeout]);
  } catch (err) {
    tracked.abandon();
    opening
      .then(
        (v) => discard(v),
        () => {},
      )
      .catch(() => {});
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
