/**
 * Write coalescing for the Badger backend (lmdb-js style): every `write()` made in one event-loop
 * turn is committed by one native call, in one Badger transaction, at the end of the turn. Each
 * commit costs ~40 µs of thread hand-offs whatever its size (bench/RESULTS.md), so N concurrent
 * `set`s cost about one commit instead of N.
 *
 * Semantics are those of separate writes: each promise resolves only after the commit that holds
 * its ops returned (applied, in the write-ahead log); ops apply in call order; every read, sync
 * write, iterator and close of the backend flushes what is pending first, so a read always sees
 * every write started before it. One transaction is all-or-nothing, so when a combined commit
 * fails, the batches are committed again one by one and only the failing batch rejects.
 *
 * A commit may outlive a short wait (Badger stalls writes while it flushes memtables or compacts
 * L0): `start` then returns a promise and the event loop stays free. Until that commit settles,
 * later writes wait here (back-pressure; one commit in flight keeps the call order), and a
 * synchronous flush blocks on `waitSync` before it commits the rest.
 */
import type { RawOp } from './backend.js';
import { isRecords, type WriteUnit } from './badger-codec.js';

/** A combined commit stops growing at this many ops or request bytes (well under Badger's txn limit). */
const MAX_OPS = 1000;
const MAX_BYTES = 256 * 1024;

interface Waiter {
  unit: WriteUnit;
  /** The group it was taken into for a commit; undefined while it waits. */
  group?: Waiter[];
  readonly ops: number;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** How the coalescer commits: `start` may finish later (a promise); the others block. */
export interface CommitHooks {
  start(units: readonly WriteUnit[]): void | Promise<void>;
  commitSync(units: readonly WriteUnit[]): void;
  /** Blocks until the commit `start` left in flight has been applied. */
  waitSync(): void;
}

/** Collects the writes of one turn and commits them together. */
export class WriteCoalescer {
  #waiting: Waiter[] = [];
  #ops = 0;
  #bytes = 0;
  #scheduled = false;
  #inflight: Promise<void> | undefined;
  #inflightGroup: Waiter[] = [];
  #inflightApplied = false;
  readonly #hooks: CommitHooks;

  /** `commit` blocks until done, or give hooks whose `start` may finish in the background. */
  constructor(commit: ((units: readonly WriteUnit[]) => void) | CommitHooks) {
    this.#hooks = typeof commit === 'function' ? { start: commit, commitSync: commit, waitSync: () => {} } : commit;
  }

  /** True when writes wait for the end of the turn, or a commit is still running. */
  get pending(): boolean {
    return this.#waiting.length > 0 || (this.#inflight !== undefined && !this.#inflightApplied);
  }

  /**
   * Queues one atomic batch; settles after the commit that holds it. `keep` is called when the
   * unit is still needed after this call returns (it waits, or may be committed again on its own):
   * records in a buffer the caller reuses are copied then, and not when they commit at once.
   */
  add(unit: WriteUnit, keep?: (unit: WriteUnit) => WriteUnit): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const bytes = isRecords(unit) ? unit.bytes.length : opBytes(unit);
      const w: Waiter = { unit, ops: isRecords(unit) ? unit.count : unit.length, bytes, resolve, reject };
      this.#waiting.push(w);
      this.#ops += w.ops;
      this.#bytes += bytes;
      if (this.#ops >= MAX_OPS || this.#bytes >= MAX_BYTES) this.#kick();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        queueMicrotask(() => {
          this.#scheduled = false;
          this.#kick();
        });
      }
      if (keep !== undefined && this.#holds(w)) w.unit = keep(w.unit);
    });
  }

  /** True when w waits, or is in a background commit with others (a failure commits it again alone). */
  #holds(w: Waiter): boolean {
    return w.group === undefined || (w.group === this.#inflightGroup && w.group.length > 1);
  }

  /** Commits everything pending now, blocking; never throws (errors go to the waiting promises). */
  flush(): void {
    if (this.#inflight !== undefined && !this.#inflightApplied) {
      this.#hooks.waitSync();
      this.#inflightApplied = true;
    }
    while (this.#waiting.length > 0) this.#commitNow(this.#take(), (ops) => this.#hooks.commitSync(ops));
  }

  /** Starts commits of what is waiting, one bounded group at a time, until one stays in flight. */
  #kick(): void {
    while (this.#inflight === undefined && this.#waiting.length > 0) {
      const waiting = this.#take();
      let started: void | Promise<void>;
      try {
        started = this.#hooks.start(waiting.map((w) => w.unit));
      } catch {
        this.#commitEach(waiting, (u) => this.#hooks.commitSync(u));
        continue;
      }
      if (started === undefined) {
        for (const w of waiting) w.resolve();
        continue;
      }
      this.#inflightApplied = false;
      this.#inflightGroup = waiting;
      this.#inflight = started
        .then(
          () => {
            for (const w of waiting) w.resolve();
          },
          (err) => {
            if (waiting.length === 1) waiting[0]!.reject(err);
            else this.#commitEach(waiting, (u) => this.#hooks.commitSync(u));
          },
        )
        .then(() => {
          this.#inflight = undefined;
          this.#inflightGroup = [];
          this.#kick();
        });
    }
  }

  /** The next group of waiters, in order, up to MAX_OPS ops or MAX_BYTES bytes (at least one), so
   * a backlog that built up behind a stalled commit never becomes one oversized transaction. */
  #take(): Waiter[] {
    let n = 0;
    let ops = 0;
    let bytes = 0;
    while (n < this.#waiting.length && (n === 0 || (ops < MAX_OPS && bytes < MAX_BYTES))) {
      const w = this.#waiting[n]!;
      if (n > 0 && (ops + w.ops > MAX_OPS || bytes + w.bytes > MAX_BYTES)) break;
      ops += w.ops;
      bytes += w.bytes;
      n++;
    }
    const group = this.#waiting.splice(0, n);
    for (const w of group) w.group = group;
    this.#ops -= ops;
    this.#bytes -= bytes;
    return group;
  }

  #commitNow(waiting: Waiter[], commit: (units: readonly WriteUnit[]) => void): void {
    if (
      waiting.length > 1 &&
      tryCommit(
        commit,
        waiting.map((w) => w.unit),
      ) === undefined
    ) {
      for (const w of waiting) w.resolve();
      return;
    }
    this.#commitEach(waiting, commit);
  }

  #commitEach(waiting: Waiter[], commit: (units: readonly WriteUnit[]) => void): void {
    for (const w of waiting) {
      const err = tryCommit(commit, [w.unit]);
      if (err === undefined) w.resolve();
      else w.reject(err);
    }
  }
}

function opBytes(ops: readonly RawOp[]): number {
  let bytes = 0;
  for (const op of ops) bytes += op.key.length + (op.value?.length ?? 0);
  return bytes;
}

function tryCommit(commit: (units: readonly WriteUnit[]) => void, units: readonly WriteUnit[]): unknown {
  try {
    commit(units);
    return undefined;
  } catch (err) {
    return err ?? new Error('commit failed');
  }
}
