/**
 * Keeps signal handlers on the alternate signal stack (native/sigstack_linux.go). Node installs
 * handlers after libskyshelve has loaded, without SA_ONSTACK: libuv's SIGCHLD handler on each
 * child_process spawn, and one per signal for `process.on('SIGTERM')` and the like. Such a handler
 * that runs while a thread is on a goroutine's small stack writes its frame past the stack and
 * corrupts Go's memory, which crashed a process with a fatal Go error when a child exited during a
 * call into the library. The native side adds the flag back; this file calls it as soon as Node
 * has installed a handler, keeps libuv's SIGCHLD handler installed for good, and checks every
 * quarter second for handlers that others install.
 */
import diagnostics from 'node:diagnostics_channel';
import { isMainThread } from 'node:worker_threads';

/** How often handlers are checked besides the moments below (one check: ~64 system calls, ~10 µs). */
const RECHECK_MS = 250;

let guarded = false;

/** The SIGCHLD listener: child_process does its own work on SIGCHLD; this one only keeps the handler. */
function ignoreSignal(): void {}

/** Starts keeping handlers on the signal stack in this thread; `fix` is sky_fix_signals. */
export function guardSignalStacks(fix: () => number): void {
  // The native fix-up exists on these only (elsewhere sky_fix_signals changes nothing).
  if (guarded || process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) return;
  guarded = true;
  // No call here: sky_open runs the fix-up itself, and the Go runtime fixed the handlers present at load.
  // Node's own 'newListener' listener (registered at bootstrap, so before this one) installs the
  // handler of a signal's first listener: by the time this one runs, it is there to fix.
  process.on('newListener', (event: string | symbol) => {
    if (typeof event === 'string' && event.startsWith('SIG')) fix();
  });
  // libuv installs its SIGCHLD handler when a process goes from no child to one, and removes it
  // when the last one exits. Listening for SIGCHLD keeps one handler installed (fixed above) for
  // the life of the process, so a spawn never installs a new one. Signals reach the main thread's
  // listeners only; in a Worker, the fix follows the spawn that installed a handler.
  if (isMainThread) process.on('SIGCHLD', ignoreSignal);
  else diagnostics.subscribe('child_process', () => process.nextTick(fix));
  setInterval(fix, RECHECK_MS).unref();
}
