/**
 * A worker of `skyshelve import` (import-parallel.ts): parses whole lines of an export file, a
 * chunk at a time, and sends back what each line is and its entries' bytes, packed in one buffer
 * that is transferred, not copied. Line numbers here are the chunk's own: on a bad line the worker
 * only says which one, and the main thread parses it again under its real number for the error.
 */
import { parentPort } from 'node:worker_threads';
import { type ParsedLine, parseLine } from './jsonl.js';
import { splitLines } from './lines.js';

/** A chunk to parse: whole lines (the last may lack its break only at the end of the file). */
export interface ChunkJob {
  readonly seq: number;
  readonly bytes: ArrayBuffer;
  readonly length: number;
}

/** What a line is, per line of the chunk. */
export const LineKind = { BLANK: 0, HEADER: 1, TRAILER: 2, ENTRY: 3 } as const;

/** The answer for one chunk. */
export interface ChunkResult {
  readonly seq: number;
  /** One LineKind per line, up to the bad line if any. */
  readonly kinds: Uint8Array;
  /** The counts of the trailer lines, in order. */
  readonly trailers: number[];
  /** `[u32 keyLen][key][u32 valueLen][value]` per entry line, in order. */
  readonly entries: ArrayBuffer;
  readonly entriesLength: number;
  /** The first line that did not parse: its index in the chunk and its text. */
  readonly bad?: { readonly index: number; readonly text: string };
}

/** Parses one chunk (exported for the spec, which runs it without a thread). */
export function parseChunk(job: ChunkJob): ChunkResult {
  const lines = splitLines(Buffer.from(job.bytes, 0, job.length).toString('utf8'));
  const kinds = new Uint8Array(lines.length);
  const trailers: number[] = [];
  let out = Buffer.allocUnsafeSlow(Math.max(1024, job.length));
  let pos = 0;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '') continue;
    let line: ParsedLine;
    try {
      line = parseLine(text, i + 1);
    } catch {
      return { seq: job.seq, kinds: kinds.subarray(0, i), trailers, entries: out.buffer, entriesLength: pos, bad: { index: i, text } };
    }
    if (line.kind === 'header') kinds[i] = LineKind.HEADER;
    else if (line.kind === 'trailer') {
      kinds[i] = LineKind.TRAILER;
      trailers.push(line.count);
    } else {
      kinds[i] = LineKind.ENTRY;
      const { key, value } = line.entry;
      const need = pos + 8 + key.length + value.length;
      if (need > out.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(need, 2 * out.length));
        out.copy(grown, 0, 0, pos);
        out = grown;
      }
      pos = out.writeUInt32LE(key.length, pos);
      out.set(key, pos);
      pos = out.writeUInt32LE(value.length, pos + key.length);
      out.set(value, pos);
      pos += value.length;
    }
  }
  return { seq: job.seq, kinds, trailers, entries: out.buffer, entriesLength: pos };
}

parentPort?.on('message', (job: ChunkJob) => {
  const result = parseChunk(job);
  parentPort!.postMessage(result, [result.entries, result.kinds.buffer as ArrayBuffer]);
});
