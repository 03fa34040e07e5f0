/**
 * The one place that says what each engine can do. The backends report these, and the store
 * reports them before an open has finished, so the two can never disagree.
 */
import type { Capabilities } from './backend.js';

/** Badger: sync calls, one process per directory; durable when every write is fsynced. */
export function badgerCapabilities(options: { inMemory?: boolean; syncWrites?: boolean }): Capabilities {
  return { sync: true, readOnly: false, multiProcess: false, inMemory: options.inMemory === true, durableWrites: options.syncWrites === true };
}

/** SlateDB: async only, a writer and any number of readers; a reader never writes, so it is never durable. */
export function slateCapabilities(options: { readOnly: boolean; durable: boolean }): Capabilities {
  return { sync: false, readOnly: options.readOnly, multiProcess: true, inMemory: false, durableWrites: options.durable && !options.readOnly };
}
