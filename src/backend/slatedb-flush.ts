/**
 * Group commit for durable writes. Each durable write is applied without waiting, then waits for a
 * flush that started after it was applied. Writers that arrive while a flush runs share the next
 * one, so N concurrent durable writes cost about two flushes, not N flush intervals.
 */
export class FlushGroup {
  #flush: () => Promise<void>;
  #current: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  constructor(flush: () => Promise<void>) {
    this.#flush = flush;
  }

  /** Resolves once a flush that started after this call has finished. */
  request(): Promise<void> {
    if (this.#current === undefined) return this.#launch();
    // A flush is running, but it may have started before our write: wait for the one after it.
    this.#next ??= this.#current.then(noop, noop).then(() => {
      this.#next = undefined;
      return this.#launch();
    });
    return this.#next;
  }

  #launch(): Promise<void> {
    const p: Promise<void> = this.#flush().finally(() => {
      if (this.#current === p) this.#current = undefined;
    });
    this.#current = p;
    return p;
  }
}

function noop(): void {}
