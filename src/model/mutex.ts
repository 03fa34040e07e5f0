/** Serializes async sections per string key, in arrival order; used per store for record keys. */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Waits for every key (in sorted order, so two callers never deadlock) and returns the release. */
  async lock(keys: readonly string[]): Promise<() => void> {
    const sorted = [...new Set(keys)].sort();
    const releases: Array<() => void> = [];
    for (const k of sorted) releases.push(await this.#lockOne(k));
    return () => {
      for (const r of releases) r();
    };
  }

  /** Runs `fn` while holding `keys`. */
  async run<R>(keys: readonly string[], fn: () => Promise<R>): Promise<R> {
    const release = this.#tryLock(keys) ?? (await this.lock(keys));
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Runs `fn` at once when no key is held or awaited, and returns its result; undefined (without
   * running it) otherwise. Its synchronous part takes no lock, since nothing can interleave it; a
   * promise it returns holds the keys until it settles.
   */
  runNow<R>(keys: readonly string[], fn: () => R): R | undefined {
    for (const k of keys) if (this.#tails.has(k)) return undefined;
    const result = fn();
    if (result instanceof Promise) {
      // Taken after the fact: nothing of this process ran between fn's start and here, except fn.
      const release = this.#tryLock(keys);
      if (release) result.then(release, release);
    }
    return result;
  }

  /** Takes every key at once when none is held or awaited (the usual case), without a promise turn. */
  #tryLock(keys: readonly string[]): (() => void) | undefined {
    for (const k of keys) if (this.#tails.has(k)) return undefined;
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    for (const k of keys) this.#tails.set(k, done);
    return () => {
      release();
      for (const k of keys) if (this.#tails.get(k) === done) this.#tails.delete(k);
    };
  }

  async #lockOne(key: string): Promise<() => void> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const tail = previous ? previous.then(() => done) : done;
    this.#tails.set(key, tail);
    if (previous) await previous;
    return () => {
      release();
      // Forget the key once nobody queued behind us, so the map does not grow without bound.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
  }
}
