/**
 * Multi-process access to one Badger directory (docs/MODELS.md, "Several processes").
 * Badger lets one process open a directory at a time. Every critical section runs under an
 * inter-process lock (proper-lockfile: an atomic mkdir, refreshed while held, taken over when
 * stale), with the store opened inside it. A process that wants the lock announces itself with a
 * file in `<lockPath>.waiters/`; the holder keeps the lock and the open store for as long as
 * nobody waits (so a lone process pays nothing), and closes and releases them when someone does.
 * Badger's own directory lock stays the last line of defence: if two processes ever believed they
 * held the lock, the second open fails with LOCKED and that process backs off and retries.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import lockfile from 'proper-lockfile';
import { SkyshelveError, isSkyshelveError } from '../errors.js';

/** How to open and close the store the lock protects, and the lock's timings. */
export interface InterProcessOptions<S> {
  readonly lockPath: string;
  open(): Promise<S>;
  close(store: S): Promise<void>;
  /** A lock not refreshed for this long is stale and may be taken over (min 2000 ms). */
  readonly staleMs: number;
  /** How long a section waits for the lock before rejecting with TIMEOUT. */
  readonly timeoutMs: number;
  /** How long a holder keeps running its own queue while others wait (default 100 ms). */
  readonly maxTenureMs?: number;
}

interface Task<S> {
  fn(store: S): Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

// Lock directories are created 0700 so that other users cannot write them.
const lockFs = { ...fs, mkdir: (p: string, cb: (err: NodeJS.ErrnoException | null) => void) => fs.mkdir(p, { mode: 0o700 }, cb) };

/** Runs sections one at a time across every process that uses the same lock path. */
export class InterProcessLock<S> {
  readonly #o: InterProcessOptions<S>;
  readonly #waiters: string;
  readonly #queue: Task<S>[] = [];
  #busy = false;
  #idle: Promise<void> = Promise.resolve();
  #store?: S;
  #release?: () => Promise<void>;
  #compromised = false;
  #closed = false;
  #seq = 0;
  #idleWatch?: { watcher?: fs.FSWatcher; timer: NodeJS.Timeout };
  #parentWatch?: fs.FSWatcher;
  #signals: Array<() => void> = [];

  constructor(options: InterProcessOptions<S>) {
    this.#o = { maxTenureMs: 100, ...options, lockPath: path.resolve(options.lockPath) };
    this.#waiters = `${this.#o.lockPath}.waiters`;
  }

  /** True while this process holds the lock (and the store is open). */
  get held(): boolean {
    return this.#store !== undefined;
  }

  /** Runs `fn` with the open store while holding the lock. */
  run<R>(fn: (store: S) => Promise<R>): Promise<R> {
    if (this.#closed) return Promise.reject(new SkyshelveError('CLOSED', `The lock ${this.#o.lockPath} was closed`));
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.#kick();
    });
  }

  /** Waits for queued sections, then closes the store and releases the lock. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#idle;
    this.#busy = true;
    try {
      await this.#giveUp();
    } finally {
      this.#busy = false;
      this.#parentWatch?.close();
      this.#parentWatch = undefined;
    }
  }

  #kick(): void {
    if (this.#busy) return;
    this.#busy = true;
    this.#stopIdleWatch();
    this.#idle = this.#pump().finally(() => {
      this.#busy = false;
      if (this.#queue.length > 0) this.#kick();
      else if (this.#store !== undefined && !this.#closed) this.#startIdleWatch();
    });
  }

  async #pump(): Promise<void> {
    while (this.#queue.length > 0) {
      try {
        await this.#acquire();
      } catch (err) {
        for (const t of this.#queue.splice(0)) t.reject(err);
        return;
      }
      const started = performance.now();
      for (let task = this.#queue.shift(); task; task = this.#queue.shift()) {
        await task.fn(this.#store as S).then(task.resolve, task.reject);
        // Let the caller's next request arrive before deciding to hand over.
        if (this.#queue.length === 0) await nextTurn();
        if (this.#compromised) break;
        if (performance.now() - started >= this.#o.maxTenureMs! && this.#othersWaiting()) break;
      }
      if (this.#compromised || this.#othersWaiting()) {
        await this.#giveUp();
        // Give a waiter the chance to take the lock before we compete for it again.
        if (this.#queue.length > 0) await this.#until(() => fs.existsSync(this.#o.lockPath), 20);
      }
    }
  }

  async #acquire(): Promise<void> {
    if (this.#store !== undefined) return;
    fs.mkdirSync(this.#waiters, { recursive: true, mode: 0o700 });
    const me = path.join(this.#waiters, `${process.pid}-${threadId}-${++this.#seq}`);
    fs.writeFileSync(me, '', { mode: 0o600 });
    const deadline = Date.now() + this.#o.timeoutMs;
    let delay = 2;
    try {
      for (;;) {
        const release = await this.#tryLock();
        if (release) {
          try {
            this.#store = await this.#o.open();
            this.#release = release;
            this.#compromised = false;
            return;
          } catch (err) {
            await release().catch(() => {});
            if (!isSkyshelveError(err, 'LOCKED')) throw err;
          }
        }
        if (Date.now() >= deadline) {
          throw new SkyshelveError('TIMEOUT', `Timed out after ${this.#o.timeoutMs} ms waiting for the lock ${this.#o.lockPath} held by another process`, {
            details: { lockPath: this.#o.lockPath },
          });
        }
        await this.#until(() => !fs.existsSync(this.#o.lockPath), delay);
        delay = Math.min(delay * 2, 50);
      }
    } finally {
      fs.rmSync(me, { force: true });
    }
  }

  /** One attempt at the lock: its release function, or undefined when someone else holds it. */
  async #tryLock(): Promise<(() => Promise<void>) | undefined> {
    try {
      return await lockfile.lock(this.#o.lockPath, {
        lockfilePath: this.#o.lockPath,
        realpath: false,
        retries: 0,
        stale: this.#o.staleMs,
        fs: lockFs,
        onCompromised: () => this.#onCompromised(),
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
      throw new SkyshelveError('IO', `Cannot take the lock ${this.#o.lockPath}: ${(err as Error).message}`, { cause: err });
    }
  }

  #onCompromised(): void {
    // Another process took over the lock (we stalled past staleMs). Badger's own lock still
    // protects the data; drop the store as soon as we are not inside a section.
    this.#compromised = true;
    this.#release = undefined;
    if (!this.#busy) this.#kickRelease();
  }

  /** True when a live process has announced that it waits for the lock. */
  #othersWaiting(): boolean {
    let names: string[];
    try {
      names = fs.readdirSync(this.#waiters);
    } catch {
      return false;
    }
    for (const name of names) {
      const [pid, thread] = name.split('-').map(Number);
      if (pid === process.pid && thread === threadId) continue; // our own announcement
      if (pid === process.pid) return true; // another thread of this process
      if (alive(pid!)) return true;
      fs.rmSync(path.join(this.#waiters, name), { force: true }); // left behind by a killed waiter
    }
    return false;
  }

  async #giveUp(): Promise<void> {
    this.#stopIdleWatch();
    const store = this.#store;
    const release = this.#release;
    this.#store = undefined;
    this.#release = undefined;
    try {
      if (store !== undefined) await this.#o.close(store);
    } finally {
      if (release) await release().catch(() => {});
    }
  }

  #kickRelease(): void {
    this.#busy = true;
    this.#stopIdleWatch();
    this.#idle = this.#giveUp()
      .catch(() => {})
      .finally(() => {
        this.#busy = false;
        if (this.#queue.length > 0) this.#kick();
      });
  }

  /** While idle with the lock, hand it over as soon as a waiter appears. */
  #startIdleWatch(): void {
    const check = (): void => {
      if (!this.#busy && this.#store !== undefined && (this.#compromised || this.#othersWaiting())) this.#kickRelease();
    };
    let watcher: fs.FSWatcher | undefined;
    try {
      watcher = fs.watch(this.#waiters, { persistent: false }, check);
      watcher.on('error', () => {});
    } catch {
      // Polling alone still works.
    }
    const timer = setInterval(check, 100);
    timer.unref();
    this.#idleWatch = { watcher, timer };
    check();
  }

  #stopIdleWatch(): void {
    if (!this.#idleWatch) return;
    this.#idleWatch.watcher?.close();
    clearInterval(this.#idleWatch.timer);
    this.#idleWatch = undefined;
  }

  /** Resolves when `done()` holds, re-checked on changes in the lock's directory, or after `ms`. */
  async #until(done: () => boolean, ms: number): Promise<void> {
    this.#watchParent();
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const finish = (): void => {
          clearTimeout(timer);
          const at = this.#signals.indexOf(finish);
          if (at >= 0) this.#signals.splice(at, 1);
          resolve();
        };
        const timer = setTimeout(finish, Math.max(1, deadline - Date.now()));
        this.#signals.push(finish);
      });
    }
  }

  #watchParent(): void {
    if (this.#parentWatch) return;
    try {
      this.#parentWatch = fs.watch(path.dirname(this.#o.lockPath), { persistent: false }, () => {
        for (const s of [...this.#signals]) s();
      });
      this.#parentWatch.on('error', () => {});
    } catch {
      // Timers alone still work.
    }
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
