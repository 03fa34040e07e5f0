/**
 * When a failed open may be tried again: the first retry after RETRY_FIRST_MS, each further
 * failure doubling the wait up to RETRY_MAX_MS, and a success resetting it. In between, callers
 * get the same error at once, so a loop of calls cannot turn into a loop of opens.
 */
export const RETRY_FIRST_MS = 100;
export const RETRY_MAX_MS = 5_000;

/** The back-off state of one store's open. */
export class Backoff {
  #delay = 0;
  #at = 0;

  /** Records a failure now; the next try is due after the (grown) delay. */
  failed(now = Date.now()): void {
    this.#delay = Math.min(RETRY_MAX_MS, this.#delay === 0 ? RETRY_FIRST_MS : this.#delay * 2);
    this.#at = now + this.#delay;
  }

  /** Records a success: the next failure starts from the first delay again. */
  succeeded(): void {
    this.#delay = 0;
    this.#at = 0;
  }

  /** A try is running: nothing else is due until it ends. */
  hold(): void {
    this.#at = Infinity;
  }

  /** True when another try may start. */
  due(now = Date.now()): boolean {
    return now >= this.#at;
  }
}
