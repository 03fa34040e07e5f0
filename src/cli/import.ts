/** `skyshelve import <store> <file.jsonl>`: loads an export file into a store, in bounded batches. */
import fs from 'node:fs';
import readline from 'node:readline';
import type { Command } from 'commander';
import type { Backend, RawOp } from '../backend/backend.js';
import { Errors, SkyshelveError } from '../errors.js';
import { out, wholeNumber, withStore } from './common.js';
import { examples, STORE_ARG } from './help.js';
import { parseLine } from './jsonl.js';
import { progress, type Progress } from './progress.js';

/** Options of `import`. */
interface ImportOptions {
  batchSize?: string;
  json?: boolean;
  progress: boolean;
}

/** Entries per atomic write, unless --batch-size says otherwise. */
const BATCH = 1000;
/** A batch is also written once its keys and values reach this many bytes. */
const BATCH_BYTES = 4 << 20;

/** Adds the `import` command. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .summary('load a JSON-lines export into a store')
    .description('Load a file written by `export` into a store. Entries are put (existing keys are overwritten, others kept)')
    .argument('<store>', STORE_ARG)
    .argument('<file>', 'the .jsonl file to read, or - for stdin')
    .option('--batch-size <n>', `entries per atomic write (default ${BATCH})`)
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'never show a progress bar')
    .addHelpText('after', examples(['skyshelve import ./restored backup.jsonl', 'gunzip -c lake.jsonl.gz | skyshelve import slatedb://./lake2 -']))
    .action(async (location: string, file: string, opts: ImportOptions) => {
      const batch = wholeNumber(opts.batchSize, '--batch-size', 1) ?? BATCH;
      const input = openInput(file);
      const count = await withStore(location, 'write', async (store) => load(await store.backend(), input, batch, opts.progress));
      await out(opts.json ? JSON.stringify({ imported: count, file }) : `imported ${count} entries from ${file}`);
    });
}

function openInput(file: string): { stream: NodeJS.ReadableStream; size: number } {
  if (file === '-') return { stream: process.stdin, size: 0 };
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (err) {
    throw Errors.cannotRead(file, err);
  }
  return { stream: fs.createReadStream(file), size };
}

/** Reads every line, writes batches, and checks the header and the trailer's count. */
async function load(backend: Backend, input: { stream: NodeJS.ReadableStream; size: number }, batchSize: number, showProgress: boolean): Promise<number> {
  const bar: Progress = progress('import (bytes)', showProgress);
  bar.total(input.size);
  let ops: RawOp[] = [];
  let bytes = 0;
  let count = 0;
  let lineNo = 0;
  let trailer: number | undefined;
  // One write is in flight while the next batch is parsed, so parsing and writing overlap.
  let inflight: Promise<void> = Promise.resolve();
  const flush = async () => {
    await inflight;
    if (ops.length) {
      inflight = backend.write(ops);
      inflight.catch(() => {}); // awaited by the next flush; this only keeps Node from calling it unhandled meanwhile
    }
    ops = [];
    bytes = 0;
  };
  try {
    for await (const text of readline.createInterface({ input: input.stream, crlfDelay: Infinity })) {
      lineNo++;
      bar.add(Buffer.byteLength(text) + 1);
      if (text.trim() === '') continue;
      const line = parseLine(text, lineNo);
      if (lineNo === 1 && line.kind !== 'header') throw bad(`line 1 is not a skyshelve export header`);
      if (trailer !== undefined) throw bad(`line ${lineNo} comes after the trailer line`);
      if (line.kind === 'trailer') trailer = line.count;
      else if (line.kind === 'entry') {
        ops.push({ type: 'put', key: line.entry.key, value: line.entry.value });
        bytes += line.entry.key.length + line.entry.value.length;
        count++;
        if (ops.length >= batchSize || bytes >= BATCH_BYTES) await flush();
      } else if (lineNo !== 1) throw bad(`line ${lineNo} is a second header`);
    }
    await flush();
    await inflight;
    await backend.sync();
  } finally {
    await inflight.catch(() => {});
    bar.stop();
  }
  if (lineNo === 0) throw bad('the file is empty');
  if (trailer === undefined) throw bad(`the file has no trailer line, so it is truncated; ${count} entries were imported`);
  if (trailer !== count) throw bad(`the trailer says ${trailer} entries but the file holds ${count}; all ${count} were imported`);
  return count;
}

function bad(message: string): SkyshelveError {
  return new SkyshelveError('DECODE', message);
}
