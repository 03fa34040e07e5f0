/** `skyshelve import <store> <file.jsonl>`: loads an export file into a store, in bounded batches. */
import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import type { RawEntry } from '../backend/backend.js';
import { Errors } from '../errors.js';
import { out, wholeNumber, withStore } from './common.js';
import { examples, STORE_ARG } from './help.js';
import { loadParallel } from './import-parallel.js';
import { parseLine } from './jsonl.js';
import { LineOrder, NOTHING_KEPT } from './line-order.js';
import { lineBatches } from './lines.js';
import { progress, type Progress } from './progress.js';
import { openSink, reportRollBack, type Sink } from './sink.js';

/** Options of `import`. */
interface ImportOptions {
  batchSize?: string;
  threads?: string;
  bulk: boolean;
  json?: boolean;
  progress: boolean;
}

/** Entries per atomic write (or per call of a bulk ingest), unless --batch-size says otherwise. Larger
 * bulk calls measured no faster: 10,000 entries held per batch made V8's scavenges costlier. */
const BATCH = 1000;
/** A batch is also written once its keys and values reach this many bytes. */
const BATCH_BYTES = 4 << 20;
/** Below this size a file is parsed on the main thread by default: starting workers costs ~0.1 s. */
const PARALLEL_MIN_BYTES = 8 << 20;

/** Adds the `import` command. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .summary('load a JSON-lines export into a store')
    .description(
      'Load a file written by `export` into a store. Entries are put (existing keys are overwritten, others kept). ' +
        'Into an empty Badger store the load is a bulk ingest: several times faster, and all or nothing (README, "Bulk ingest").',
    )
    .argument('<store>', STORE_ARG)
    .argument('<file>', 'the .jsonl file to read, or - for stdin')
    .option('--batch-size <n>', `entries per atomic write (default ${BATCH})`)
    .option('--no-bulk', 'never use the bulk path (into an empty Badger store); write ordinary batches')
    .option('--threads <n>', 'worker threads that parse a file for a bulk import (default: one per core, up to 4, for files of 8 MiB or more; 1: none)')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'never show a progress bar')
    .addHelpText('after', examples(['skyshelve import ./restored backup.jsonl', 'gunzip -c lake.jsonl.gz | skyshelve import slatedb://./lake2 -']))
    .action(async (location: string, file: string, opts: ImportOptions) => {
      const batch = wholeNumber(opts.batchSize, '--batch-size', 1) ?? BATCH;
      const input = openInput(file);
      const threads = wholeNumber(opts.threads, '--threads', 1) ?? (input.size >= PARALLEL_MIN_BYTES ? Math.min(4, os.availableParallelism()) : 1);
      const { count, bulk } = await withStore(location, 'write', async (store) => {
        const sink = await openSink(await store.backend(), opts.bulk);
        reportRollBack(sink, location);
        // Workers only for a file into a bulk ingest: it is all or nothing, so where a batch ends cannot
        // change what a failed import leaves (the ordinary batches of one thread keep what they wrote).
        if (file !== '-' && sink.bulk && threads > 1) {
          return { count: await loadInParallel(sink, file, input.size, threads, batch, opts.progress), bulk: true };
        }
        return { count: await load(sink, input, batch, opts.progress), bulk: sink.bulk };
      });
      await out(opts.json ? JSON.stringify({ imported: count, file, bulk }) : `imported ${count} entries from ${file}${bulk ? ' (bulk)' : ''}`);
    });
}

/** The input's size (0 for stdin) and a way to stream it; the file is checked now, opened later. */
interface Input {
  size: number;
  stream(): NodeJS.ReadableStream;
}

function openInput(file: string): Input {
  if (file === '-') return { size: 0, stream: () => process.stdin };
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (err) {
    throw Errors.cannotRead(file, err);
  }
  return { size, stream: () => fs.createReadStream(file) };
}

/** Reads every line, writes batches, and checks the header and the trailer's count. */
function load(sink: Sink, input: Input, batchSize: number, showProgress: boolean): Promise<number> {
  return withProgress(sink, input.size, showProgress, async (bar) => {
    let batch: RawEntry[] = [];
    let bytes = 0;
    const order = new LineOrder();
    // With ordinary batches, one write is in flight while the next batch is parsed (sink.ts).
    const flush = async () => {
      if (batch.length) await sink.put(batch);
      batch = [];
      bytes = 0;
    };
    for await (const { lines, bytes: read } of lineBatches(input.stream())) {
      bar.add(read);
      for (const text of lines) {
        const lineNo = order.advance();
        if (text.trim() === '') continue;
        const line = parseLine(text, lineNo);
        order.check(line.kind, line.kind === 'trailer' ? line.count : undefined);
        if (line.kind === 'entry') {
          batch.push(line.entry);
          bytes += line.entry.key.length + line.entry.value.length;
          if (batch.length >= batchSize || bytes >= BATCH_BYTES) await flush();
        }
      }
    }
    await flush();
    // Ordinary batches are kept even when the trailer is wrong (as they always were); a bulk
    // ingest is all or nothing, so it completes only for a whole file.
    if (!sink.bulk) await sink.end();
    const count = order.finish(sink.bulk ? NOTHING_KEPT : `${order.count} entries were imported`);
    if (sink.bulk) await sink.end();
    return count;
  });
}

/** loadParallel, with the progress bar and the sink's failure handling of load. */
function loadInParallel(sink: Sink, file: string, size: number, threads: number, batchSize: number, showProgress: boolean): Promise<number> {
  return withProgress(sink, size, showProgress, async (bar) => {
    const count = await loadParallel(sink, file, size, threads, { entries: batchSize, bytes: BATCH_BYTES }, bar);
    await sink.end();
    return count;
  });
}

/** Runs `fill` with a progress bar over `size` bytes; if it fails, the sink's writes are abandoned. */
async function withProgress(sink: Sink, size: number, showProgress: boolean, fill: (bar: Progress) => Promise<number>): Promise<number> {
  const bar: Progress = progress('import (bytes)', showProgress);
  bar.total(size);
  let ok = false;
  try {
    const count = await fill(bar);
    ok = true;
    return count;
  } finally {
    if (!ok) await sink.fail().catch(() => {});
    bar.stop();
  }
}
