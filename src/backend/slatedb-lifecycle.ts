/**
 * Process-level lifecycle for SlateDB handles: keeping Node's event loop alive while native calls
 * are pending, and flushing stores that are still open when the process is about to exit normally.
 */

let inFlight = 0;
let keepAlive: NodeJS.Timeout | undefined;

/**
 * Runs `fn` while holding the event loop open. A pending @slatedb/uniffi call is completed by a
 * native thread, which Node does not count as pending work. The 0.12.1 binding holds a timer only
 * while one poll of a Rust future is outstanding; this covers the whole operation (several polls,
 * several native calls, the flush after a durable write). One shared timer is ref'd while any
 * operation is in flight and unref'd when the count drops to zero.
 */
export async function holdLoop<T>(fn: () => Promise<T>): Promise<T> {
  if (inFlight++ === 0) {
    keepAlive ??= setInterval(() => {}, 1 << 30);
    keepAlive.ref();
  }
  try {
    return await fn();
  } finally {
    if (--inFlight === 0) keepAlive!.unref();
  }
}

/** Something that can be closed when the process is about to exit. */
export interface ExitClosable {
  close(): Promise<void>;
}

const openHandles = new Set<ExitClosable>();

/** On normal exit (the loop ran dry), close every store still open, so buffered writes are flushed. */
function onBeforeExit(): void {
  const handles = [...openHandles];
  openHandles.clear();
  process.off('beforeExit', onBeforeExit);
  // close() flushes; it is native async work, which keeps the loop alive until it finishes.
  for (const h of handles) {
    h.close().catch((err: unknown) => {
      process.emitWarning(`skyshelve: closing a SlateDB store at exit failed: ${(err as Error)?.message ?? String(err)}`);
    });
  }
}

/** Registers an open store for the beforeExit flush. */
export function registerForExit(handle: ExitClosable): void {
  if (openHandles.size === 0) process.on('beforeExit', onBeforeExit);
  openHandles.add(handle);
}

/** Removes a store from the beforeExit flush (it was closed). */
export function unregisterForExit(handle: ExitClosable): void {
  if (!openHandles.delete(handle)) return;
  if (openHandles.size === 0) process.off('beforeExit', onBeforeExit);
}

/** How many stores are registered for the exit flush (for tests). */
export function openForExitCount(): number {
  return openHandles.size;
}
