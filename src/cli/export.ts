/** `skyshelve export <store> <file.jsonl>`: writes the whole store in the lossless JSON-lines format. */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { Backend } from '../backend/backend.js';
import { out, withStore } from './common.js';
import { examples, STORE_ARG } from './help.js';
import { entryLine, headerLine, trailerLine } from './jsonl.js';
import { progress } from './progress.js';
import { chunks, countEntries } from './walk.js';

/** Options of `export`. */
interface ExportOptions {
  raw?: boolean;
  json?: boolean;
  progress: boolean;
}

/** Adds the `export` command. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .summary('write the whole store to a JSON-lines file')
    .description('Write every entry of the store (user keys and the internal model area) to a JSON-lines file (format: docs/CLI.md)')
    .argument('<store>', STORE_ARG)
    .argument('<file>', 'the .jsonl file to write, or - for stdout')
    .option('--raw', 'write keys and values as base64 bytes instead of decoded tagged JSON (faster, not readable)')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'never show a progress bar')
    .addHelpText(
      'after',
      examples([
        'skyshelve export ./data backup.jsonl',
        'skyshelve export slatedb://./lake - | gzip > lake.jsonl.gz',
        'skyshelve export ./data backup.jsonl --raw --json',
      ]),
    )
    .action(async (location: string, file: string, opts: ExportOptions) => {
      const count = await withStore(location, 'read', async (store) => {
        const backend = await store.backend();
        return file === '-' ? writeTo(process.stdout, backend, opts) : exportFile(file, backend, opts);
      });
      const summary = { exported: count, file };
      if (file === '-') process.stderr.write(`exported ${count} entries\n`);
      else await out(opts.json ? JSON.stringify(summary) : `exported ${count} entries to ${file}`);
    });
}

/** Writes to `<file>.partial` first, so an interrupted export never leaves a file at `file`. */
async function exportFile(file: string, backend: Backend, opts: ExportOptions): Promise<number> {
  const partial = `${file}.partial`;
  const stream = fs.createWriteStream(partial);
  try {
    const n = await writeTo(stream, backend, opts);
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    fs.renameSync(partial, file);
    return n;
  } catch (err) {
    stream.destroy();
    fs.rmSync(partial, { force: true });
    throw err;
  }
}

async function writeTo(stream: NodeJS.WritableStream, backend: Backend, opts: ExportOptions): Promise<number> {
  const bar = progress('export', opts.progress);
  if (opts.progress && process.stderr.isTTY) bar.total(await countEntries(backend));
  let count = 0;
  try {
    await write(stream, headerLine(backend.name) + '\n');
    for await (const chunk of chunks(backend)) {
      let text = '';
      for (const entry of chunk) text += entryLine(entry, !!opts.raw) + '\n';
      await write(stream, text);
      count += chunk.length;
      bar.add(chunk.length);
    }
    await write(stream, trailerLine(count) + '\n');
  } finally {
    bar.stop();
  }
  return count;
}

/** Writes and waits for 'drain' when the stream's buffer is full, so memory stays bounded. */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    stream.once('error', onError);
    const ok = stream.write(text, () => undefined);
    const done = () => {
      stream.removeListener('error', onError);
      resolve();
    };
    if (ok) done();
    else stream.once('drain', done);
  });
}
