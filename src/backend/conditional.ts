/**
 * Conditional writes for callers above the backend (store.delete, the model layer): one entry
 * point whatever the engine, and the retry loop every optimistic caller shares.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Errors, SkyshelveError, isSkyshelveError } from '../errors.js';
import type { Backend, RawCheck, RawOp } from './backend.js';

/** True when `backend` can run `writeChecked` (natively, or synchronously within this thread). */
export function canWriteChecked(backend: Backend): boolean {
  return backend.supports.conditionalWrites || (backend.getSync !== undefined && backend.writeSync !== undefined);
}

/**
 * Applies `ops` only if every check holds; rejects CONFLICT otherwise (nothing written). A backend
 * without native conditional writes but with synchronous reads and writes gets the checks evaluated
 * and the batch written in one synchronous step: atomic against everything in this thread.
 */
export async function writeChecked(backend: Backend, ops: readonly RawOp[], checks: readonly RawCheck[]): Promise<void> {
  if (checks.length === 0 || backend.supports.conditionalWrites) return backend.write(ops, checks);
  if (backend.getSync === undefined || backend.writeSync === undefined) {
    throw new SkyshelveError('NOT_SUPPORTED', `Conditional writes are not supported by the ${backend.name} backend.`);
  }
  for (let i = 0; i < checks.length; i++) {
    const current = backend.getSync(checks[i]!.key);
    const want = checks[i]!.value;
    const ok = want === undefined ? current === undefined : current !== undefined && Buffer.compare(current, want) === 0;
    if (!ok) throw Errors.conflict(i);
  }
  if (ops.length === 0) return;
  // A buffered write is queued synchronously (it commits with the turn's other writes, and every
  // later read commits it first), so nothing in this thread can come between the checks and it.
  // A durable write commits off-thread, so it is written synchronously instead.
  if (backend.supports.durableWrites) backend.writeSync(ops);
  else await backend.write(ops);
}

/** How often an optimistic step runs before its CONFLICT is passed on (first run included). */
export const DEFAULT_ATTEMPTS = 12;

/**
 * The same for one-record steps (save, update, delete, index maintenance): high, because a hot key
 * is normal. With 4 processes incrementing one counter under load an update needed up to 15
 * attempts (bench/multiprocess.ts, load average 17); the back-off bounds the worst case near
 * 1000 × 32 ms on average.
 */
export const RECORD_ATTEMPTS = 1000;

/**
 * Runs `attempt` until it does not reject with CONFLICT, at most `attempts` times. Between runs it
 * waits a random time under a doubling cap (1, 2, 4 … 64 ms), so contending processes spread out
 * instead of colliding again in lock step. `tried` (less than `attempts`) counts runs the caller
 * already made, each ended by a CONFLICT: the loop goes on as if they had been its own.
 */
export async function retryOnConflict<T>(attempt: (n: number) => Promise<T>, attempts = RECORD_ATTEMPTS, tried = 0): Promise<T> {
  for (let n = tried; ; n++) {
    if (n > 0) await sleep(Math.random() * 2 ** Math.min(6, n - 1));
    try {
      return await attempt(n);
    } catch (err) {
      if (!isSkyshelveError(err, 'CONFLICT') || n + 1 >= attempts) throw err;
    }
  }
}

/** Deletes `key` if present; true for exactly one of several concurrent deletes (a checked delete, retried). */
export async function deleteOnce(backend: Backend, key: Uint8Array): Promise<boolean> {
  if (!backend.supports.conditionalWrites && backend.hasSync !== undefined && backend.writeSync !== undefined) {
    // Synchronous check and write: nothing in this thread runs between them.
    if (!backend.hasSync(key)) return false;
    backend.writeSync([{ type: 'del', key }]);
    return true;
  }
  const attempt = async (): Promise<boolean> => {
    const value = await backend.get(key);
    if (value === undefined) return false;
    await writeChecked(backend, [{ type: 'del', key }], [{ key, value }]);
    return true;
  };
  if (backend.getSync === undefined || backend.writeSync === undefined || backend.supports.durableWrites) return retryOnConflict(attempt);
  // Cheap synchronous calls: the first try deletes within this call, so the delete keeps its place
  // among writes issued around it without awaiting. Only a CONFLICT (another thread or process
  // changed the key in between) goes on in the loop.
  try {
    const value = backend.getSync(key);
    if (value === undefined) return false;
    backend.writeSync([{ type: 'del', key }], [{ key, value }]);
    return true;
  } catch (err) {
    if (!isSkyshelveError(err, 'CONFLICT')) throw err;
    return retryOnConflict(attempt, RECORD_ATTEMPTS, 1);
  }
}
