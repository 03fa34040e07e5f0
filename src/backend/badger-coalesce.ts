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
 */
import type { RawOp } from './backend.js';

/** A combined commit stops growing at this many ops or request bytes (well under Badger's txn limit). */
const MAX_OPS = 1000;
const MAX_BYTES = 256 * 1024;

interface Waiter {
  readonly ops: readonly RawOp[];
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** Collects the writes of one turn and commits them together through `commit`. */
export class WriteCoalescer {
  #waiting: Waiter[] = [];
  #ops = 0;
  #bytes = 0;
  #scheduled = false;

  constructor(private readonly commit: (ops: readonly RawOp[]) => void) {}

  /** True when writes wait for the end of the turn. */
  get pending(): boolean {
    return this.#waiting.length > 0;
  }

  /** Queues one atomic batch; settles after the commit that holds it. */
  add(ops: readonly RawOp[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ ops, resolve, reject });
      this.#ops += ops.length;
      for (const op of ops) this.#bytes += op.key.length + (op.value?.length ?? 0);
      if (this.#ops >= MAX_OPS || this.#bytes >= MAX_BYTES) this.flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        queueMicrotask(() => {
          this.#scheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Commits everything pending now; never throws (errors go to the waiting promises). */
  flush(): void {
    const waiting = this.#waiting;
    if (waiting.length === 0) return;
    this.#waiting = [];
    this.#ops = 0;
    this.#bytes = 0;
    if (waiting.length > 1 && this.#tryCommit(waiting.flatMap((w) => w.ops)) === undefined) {
      for (const w of waiting) w.resolve();
      return;
    }
    for (const w of waiting) {
      const err = this.#tryCommit(w.ops);
      if (err === undefined) w.resolve();
      else w.reject(err);
    }
  }

  #tryCommit(ops: readonly RawOp[]): unknown {
    try {
      this.commit(ops);
      return undefined;
    } catch (err) {
      return err ?? new Error('commit failed');
    }
  }
}
