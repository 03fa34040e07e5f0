/**
 * Conditional writes for SlateDB (the shared contract in src/backend/backend.ts): a write batch may
 * carry checks on current values. SlateDB has one writer per database (others are fenced), so the
 * checks are evaluated here, in that writer, with every other write of the handle held back until
 * the checked batch has been applied: nothing can change a checked key between check and commit.
 */
import { Errors } from '../errors.js';
import type { RawCheck } from './backend.js';

/** Reads the current value of a key (the writer's own latest state, unflushed writes included). */
export type ReadCurrent = (key: Uint8Array) => Promise<Uint8Array | undefined>;

/** Serializes checked writes against all writes of one SlateDB writer. */
export class WriteGate {
  readonly #inflight = new Set<Promise<unknown>>();
  #barrier: Promise<void> | undefined;

  /** Runs an unconditional write; it waits only while a checked write is in progress. */
  async plain<T>(write: () => Promise<T>): Promise<T> {
    while (this.#barrier !== undefined) await this.#barrier;
    const p = write();
    this.#inflight.add(p);
    try {
      return await p;
    } finally {
      this.#inflight.delete(p);
    }
  }

  /** Waits for writes in flight, evaluates `checks`, and applies `write` only if every check holds. */
  async checked<T>(read: ReadCurrent, checks: readonly RawCheck[], write: () => Promise<T>): Promise<T> {
    while (this.#barrier !== undefined) await this.#barrier;
    let release!: () => void;
    this.#barrier = new Promise<void>((r) => (release = r));
    try {
      if (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
      const current = await Promise.all(checks.map((c) => read(c.key)));
      const failed = checks.findIndex((c, i) => !holds(c, current[i]));
      if (failed >= 0) throw Errors.conflict(failed);
      return await write();
    } finally {
      this.#barrier = undefined;
      release();
    }
  }
}

function holds(check: RawCheck, current: Uint8Array | undefined): boolean {
  if (check.value === undefined) return current === undefined;
  return current !== undefined && Buffer.compare(current, check.value) === 0;
}
