/**
 * Where `import` and `copy` put entries: a bulk ingest when the target is an empty store whose
 * backend supports it (all or nothing, Badger's StreamWriter), else ordinary atomic batches with
 * one write in flight while the next batch is read.
 */
import type { Backend, RawEntry, RawIngest } from '../backend/backend.js';

/** A target for batches of entries. */
export interface Sink {
  /** True for a bulk ingest: nothing is visible (or kept) until `end` has returned. */
  readonly bulk: boolean;
  /** Why the bulk path was not taken (for --json and the summary), when it was asked for. */
  readonly fallback?: string;
  /** Set when the target's last bulk ingest was interrupted and its data dropped at open (stats). */
  readonly rolledBack?: string;
  /** Queues one batch; resolves once the batch before it is written. */
  put(entries: RawEntry[]): Promise<void>;
  /** Waits for every write and makes them durable. */
  end(): Promise<void>;
  /** After a failure: a bulk ingest drops what it loaded (the target is empty again). */
  fail(): Promise<void>;
}

/** Opens the fastest safe sink on `target`; `bulk: false` forces ordinary batches. */
export async function openSink(target: Backend, bulk: boolean): Promise<Sink> {
  const rolledBack = target.supports.bulkIngest ? (await target.stats()).rolledBackIngest : undefined;
  const note = typeof rolledBack === 'string' && rolledBack !== '' ? { rolledBack } : {};
  if (!bulk) return { ...batchSink(target), ...note };
  if (!target.supports.bulkIngest || target.ingest === undefined) return batchSink(target, `the ${target.name} backend has no bulk ingest`);
  const start = await target.ingest();
  return { ...(start.ingest ? ingestSink(start.ingest) : batchSink(target, start.reason)), ...note };
}

/** Tells the user (stderr) that the target's previous bulk ingest was interrupted and dropped. */
export function reportRollBack(sink: Sink, what: string): void {
  if (sink.rolledBack) process.stderr.write(`note: ${what}: ${sink.rolledBack}\n`);
}

function ingestSink(ingest: RawIngest): Sink {
  // One add in flight while the next batch is read: Go loads it on another thread meanwhile.
  let inflight: Promise<void> = Promise.resolve();
  return {
    bulk: true,
    async put(entries) {
      await inflight;
      inflight = ingest.add(entries);
      inflight.catch(() => {}); // awaited by the next put or end
    },
    end: async () => {
      await inflight;
      await ingest.finish();
    },
    fail: async () => {
      await inflight.catch(() => {});
      await ingest.abort();
    },
  };
}

function batchSink(target: Backend, fallback?: string): Sink {
  let inflight: Promise<void> = Promise.resolve();
  return {
    bulk: false,
    fallback,
    async put(entries) {
      await inflight;
      inflight = target.write(entries.map((e) => ({ type: 'put', key: e.key, value: e.value })));
      inflight.catch(() => {}); // awaited by the next put or end; this only keeps Node from calling it unhandled meanwhile
    },
    async end() {
      await inflight;
      await target.sync();
    },
    async fail() {
      await inflight.catch(() => {});
    },
  };
}
