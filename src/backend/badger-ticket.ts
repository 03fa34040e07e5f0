/**
 * How the Badger backend waits for a commit that finished in the background (a ticket from
 * sky_write_begin, native/pending.go). On the main thread on Linux, sky_ticket_wait runs on koffi's
 * pool (a koffi .async call): plain C that sleeps in a futex until the committer marks the ticket done,
 * never entering Go (native/ticketwait.go), so the write settles when its commit is done instead of
 * at the next 1 ms timer poll. Workers keep the timer: a koffi .async call still in flight when a
 * Worker is torn down aborts the process. Other platforms have no futex and keep the timer too.
 */
import { isMainThread } from 'node:worker_threads';
import type { NativeLib } from './native.js';

const CAN_WAIT = process.platform === 'linux' && isMainThread;
/** One wait sleeps at most this long: process.exit() joins the pool, so it never waits longer on one. */
const WAIT_MICROS = 20_000;
/** Waits that may hold pool threads at once (libuv has 4 by default, shared with fs and fsyncs);
 * tickets beyond this, from several stores committing at once, use the timer. */
const MAX_WAITS = 2;
let waits = 0;

/**
 * Calls `then(done)` once the ticket may be done: `done` is true when sky_ticket_wait said so.
 * `woken` says the last wait said done while the poll still said running; the timer is used then,
 * so a wrong wake can never make the caller spin.
 */
export function whenTicketDone(lib: NativeLib, ticket: number, woken: boolean, then: (done: boolean) => void): void {
  if (!CAN_WAIT || woken || waits >= MAX_WAITS) {
    setTimeout(then, 1, false);
    return;
  }
  waits++;
  try {
    lib.ticketWait.async(ticket, WAIT_MICROS, (err: unknown, rc: number) => {
      waits--;
      then(!err && rc === 0);
    });
  } catch {
    // koffi refuses a call when too many .async calls run (256 by default).
    waits--;
    setTimeout(then, 1, false);
  }
}
