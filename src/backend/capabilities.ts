/**
 * The one place that says what each engine can do. The backends report these, and the store
 * reports them before an open has finished, so the two can never disagree.
 */
import type { Capabilities } from './backend.js';

/**
 * Badger: sync calls, conditional writes and index scans; an on-disk store is shared by every process that opens
 * it (the first owns it and serves the others) unless it was opened `exclusive`.
 */
export function badgerCapabilities(options: { inMemory?: boolean; syncWrites?: boolean; exclusive?: boolean }): Capabilities {
  return {
    sync: true,
    readOnly: false,
    multiProcess: options.inMemory !== true && options.exclusive !== true,
    inMemory: options.inMemory === true,
    durableWrites: options.syncWrites === true,
    conditionalWrites: true,
    bulkIngest: true,
    indexScan: true,
  };
}

/** SlateDB: async only, a writer and any number of readers; a reader never writes, so it is never durable, and has no snapshot for index scans. */
export function slateCapabilities(options: { readOnly: boolean; durable: boolean }): Capabilities {
  return {
    sync: false,
    readOnly: options.readOnly,
    multiProcess: true,
    inMemory: false,
    durableWrites: options.durable && !options.readOnly,
    conditionalWrites: !options.readOnly,
    bulkIngest: false,
    // A writer joins the scan and the gets in one Db.snapshot; a DbReader has none (the model layer
    // then scans, then calls getMany).
    indexScan: !options.readOnly,
  };
}
