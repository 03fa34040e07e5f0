/** `skyshelve copy <from> <to>`: streams every raw entry into another store, in bounded, resumable batches. */
import type { Command } from 'commander';
import type { Backend, RawEntry, RawOp } from '../backend/backend.js';
import type { SkyShelve } from '../store.js';
import { openStore, out, UsageError, wholeNumber } from './common.js';
import { defaultCheckpointPath, readCheckpoint, removeCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';
import { examples, STORE_ARG } from './help.js';
import { progress } from './progress.js';
import { openSink, reportRollBack, type Sink } from './sink.js';
import { chunks, countEntries, localDir, successor } from './walk.js';

/** Options of `copy`. */
interface CopyOptions {
  batchSize?: string;
  bulk: boolean;
  checkpoint?: string;
  restart?: boolean;
  maxBatches?: string;
  checkpointEvery?: string;
  json?: boolean;
  progress: boolean;
}

/** Entries per atomic write to the target, unless --batch-size says otherwise. */
const BATCH = 1000;
/** A write is also cut once its keys and values reach this many bytes (Badger caps a transaction's size). */
const BATCH_BYTES = 4 << 20;
/** How often (ms) the target is synced and the checkpoint advanced. */
const CHECKPOINT_EVERY_MS = 1000;

/** Adds the `copy` command. */
export function registerCopy(program: Command): void {
  program
    .command('copy')
    .summary('copy a store into another, resumably')
    .description(
      'Copy every entry (user keys and the internal model area) into another store, in bounded batches. ' +
        'Progress is checkpointed, so running the same command again after an interruption resumes where it stopped. ' +
        'Keys already in the target are overwritten; others are kept. ' +
        'Into an empty Badger store the copy is a bulk ingest instead: several times faster, all or nothing, ' +
        'and an interrupted one leaves the target empty (README, "Bulk ingest").',
    )
    .argument('<from>', `the source: ${STORE_ARG}`)
    .argument('<to>', 'the target, of either kind')
    .option('--batch-size <n>', `entries per atomic write (default ${BATCH})`)
    .option('--checkpoint <file>', 'where to keep the resume point (default: <target dir>.skyshelve-copy.json)')
    .option('--restart', 'ignore an existing checkpoint and copy from the start')
    .option('--max-batches <n>', 'stop (resumably) after n batches; for copying in slices, and for tests')
    .option('--checkpoint-every <ms>', `sync the target and advance the checkpoint at most this often (default ${CHECKPOINT_EVERY_MS}; 0 = after every batch)`)
    .option('--no-bulk', 'never use the bulk path (into an empty Badger store); copy in resumable batches')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'never show a progress bar')
    .addHelpText(
      'after',
      examples([
        'skyshelve copy ./data slatedb://./lake',
        'skyshelve copy ./data \'slatedb:{"path":"prod","store":{"provider":"aws","aws":{"bucket":"b","region":"eu-west-1"}}}\' --checkpoint copy.ckpt',
        'skyshelve copy slatedb://./lake ./restored --batch-size 5000 --json',
      ]),
    )
    .action(async (from: string, to: string, opts: CopyOptions) => {
      const batch = wholeNumber(opts.batchSize, '--batch-size', 1) ?? BATCH;
      const maxBatches = wholeNumber(opts.maxBatches, '--max-batches', 1);
      const every = wholeNumber(opts.checkpointEvery, '--checkpoint-every') ?? CHECKPOINT_EVERY_MS;
      const ids = { from: identity(from), to: identity(to) };
      if (ids.from === ids.to) throw new UsageError('the source and the target are the same store');
      const file = opts.checkpoint ?? defaultCheckpointPath(to);
      const resume = opts.restart ? undefined : readCheckpoint(file, ids.from, ids.to);
      const stop = stopOnInterrupt();
      // A resumed or sliced copy targets a store that already has entries, or will: batches then.
      const bulk = opts.bulk && !resume && maxBatches === undefined;
      const result = await withBoth(from, to, async (src, dst) => {
        const sink = bulk ? await openSink(dst, true) : undefined;
        if (sink) reportRollBack(sink, to);
        const job: CopyJob = { src, dst, ...ids, file, resume, batch, maxBatches, every, showProgress: opts.progress, stop };
        if (sink?.bulk) return { ...(await bulkCopy(job, sink)), bulk: true };
        return { ...(await copy(job)), bulk: false };
      }).finally(() => stop.dispose());
      if (stop.requested && result.bulk) throw new Error('interrupted; the bulk copy was dropped and the target is empty; run the same command again');
      if (stop.requested) throw new Error(`interrupted after ${result.copied} entries; run the same command again to resume (checkpoint ${file})`);
      const summary = { ...result, checkpoint: result.done ? undefined : file };
      if (opts.json) await out(JSON.stringify(summary));
      else if (result.done) await out(`copied ${result.copied} entries${resume ? ` (resumed after ${resume.copied})` : ''}${result.bulk ? ' (bulk)' : ''}`);
      else await out(`stopped after ${result.copied} entries; run the same command again to resume (checkpoint ${file})`);
    });
}

/** A location as the checkpoint records it: local directories made absolute, so `./db` and `/abs/db` match. */
function identity(location: string): string {
  const dir = localDir(location);
  if (!dir || location.startsWith('slatedb:{')) return location;
  return location.startsWith('slatedb:') ? `slatedb://${dir}` : dir;
}

/** Ctrl-C (or SIGTERM) asks the loop to stop at the next batch, save the checkpoint and close both stores. */
function stopOnInterrupt(): { requested: boolean; dispose(): void } {
  const state = {
    requested: false,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
  const onSignal = () => {
    // A second signal ends the process at once; the last checkpoint still holds.
    if (state.requested) process.exit(130);
    state.requested = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return state;
}

async function withBoth<T>(from: string, to: string, fn: (src: Backend, dst: Backend) => Promise<T>): Promise<T> {
  const stores: SkyShelve<unknown>[] = [];
  try {
    stores.push(await openStore(from, 'read'));
    stores.push(await openStore(to, 'write'));
    return await fn(await stores[0]!.backend(), await stores[1]!.backend());
  } finally {
    for (const s of stores.reverse()) await s.close().catch(() => {});
  }
}

interface CopyJob {
  src: Backend;
  dst: Backend;
  from: string;
  to: string;
  file: string;
  resume?: Checkpoint;
  batch: number;
  maxBatches?: number;
  every: number;
  showProgress: boolean;
  stop: { readonly requested: boolean };
}

/**
 * The copy loop. One write is in flight while the next chunk is read, so reading and writing
 * overlap; `copied` and `last` move only when a write has completed, and the checkpoint only
 * after the target has been synced past them.
 */
async function copy(job: CopyJob): Promise<{ copied: number; done: boolean }> {
  const range = job.resume ? { gte: successor(Buffer.from(job.resume.lastKey, 'base64')) } : {};
  const bar = progress('copy', job.showProgress);
  if (job.showProgress && process.stderr.isTTY) bar.total(await countEntries(job.src, range));
  let copied = job.resume?.copied ?? 0;
  let batches = 0;
  let last: Uint8Array | undefined;
  let saved = Date.now();
  let inflight: Promise<void> = Promise.resolve();
  const issue = (group: RawEntry[]) => {
    const write = job.dst.write(group.map((e): RawOp => ({ type: 'put', key: e.key, value: e.value }))).then(() => {
      copied += group.length;
      last = group[group.length - 1]!.key;
      bar.add(group.length);
    });
    write.catch(() => {}); // awaited before the next write; this only keeps Node from calling it unhandled meanwhile
    return write;
  };
  const save = async () => {
    await inflight;
    if (!last) return;
    await job.dst.sync(); // the checkpoint may only pass keys that are durable in the target
    writeCheckpoint(job.file, { from: job.from, to: job.to, lastKey: Buffer.from(last).toString('base64'), copied });
    saved = Date.now();
  };
  try {
    for await (const chunk of chunks(job.src, range, job.batch)) {
      for (const group of byBytes(chunk)) {
        await inflight;
        inflight = issue(group);
        if (job.stop.requested || (job.maxBatches !== undefined && ++batches >= job.maxBatches)) {
          await save();
          return { copied, done: false };
        }
      }
      if (Date.now() - saved >= job.every) await save();
    }
    await inflight;
    await job.dst.sync();
    removeCheckpoint(job.file);
    return { copied, done: true };
  } finally {
    await inflight.catch(() => {});
    bar.stop();
  }
}

/**
 * The copy as one bulk ingest into the empty target: no checkpoint, since an interrupted ingest is
 * dropped (the target is empty again) and the next run starts over.
 */
async function bulkCopy(job: CopyJob, sink: Sink): Promise<{ copied: number; done: boolean }> {
  const bar = progress('copy', job.showProgress);
  if (job.showProgress && process.stderr.isTTY) bar.total(await countEntries(job.src, {}));
  let copied = 0;
  let ok = false;
  try {
    for await (const chunk of chunks(job.src, {}, job.batch)) {
      if (job.stop.requested) return { copied: 0, done: false };
      await sink.put(chunk);
      copied += chunk.length;
      bar.add(chunk.length);
    }
    await sink.end();
    ok = true;
    removeCheckpoint(job.file); // one left by an earlier copy into this (now complete) target
    return { copied, done: true };
  } finally {
    if (!ok) await sink.fail().catch(() => {});
    bar.stop();
  }
}

/** Splits a chunk into runs of at most BATCH_BYTES (a single larger entry goes alone). */
function byBytes(chunk: RawEntry[]): RawEntry[][] {
  const groups: RawEntry[][] = [];
  let group: RawEntry[] = [];
  let bytes = 0;
  for (const e of chunk) {
    const n = e.key.length + e.value.length;
    if (group.length && bytes + n > BATCH_BYTES) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(e);
    bytes += n;
  }
  if (group.length) groups.push(group);
  return groups;
}
