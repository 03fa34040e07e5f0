/**
 * `skyshelve import` of a file into a bulk ingest, with the parsing spread over worker threads:
 * JSON.parse, tag resolution and value encoding were ~85% of an import's main thread. The main
 * thread reads the file in chunks of whole lines, hands each to a worker (transferred, not copied),
 * and takes the answers back in file order: it checks the lines' order (header, entries, trailer)
 * exactly as the one-thread path does and passes the entries to the ingest. A bad line is parsed
 * again here under its real line number, so every error reads as it does without workers.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { RawEntry } from '../backend/backend.js';
import { SkyshelveError } from '../errors.js';
import { LineKind, type ChunkJob, type ChunkResult } from './import-worker.js';
import { parseLine } from './jsonl.js';
import { LineOrder, NOTHING_KEPT } from './line-order.js';
import type { Progress } from './progress.js';
import type { Sink } from './sink.js';

/** When a batch goes to the sink: at this many entries or bytes, as in import.ts. */
export interface BatchLimits {
  readonly entries: number;
  readonly bytes: number;
}

/** Chunks each worker may hold at once (parsing one, the next queued). */
const PER_WORKER = 2;

/** Bytes per chunk: enough chunks to keep every worker busy, each between 64 KiB and 4 MiB. */
function chunkSize(fileSize: number, threads: number): number {
  return Math.min(4 << 20, Math.max(64 << 10, Math.ceil(fileSize / (8 * threads))));
}

/** Loads `file` into a bulk sink with `threads` workers; returns the entry count (the same checks as import.ts's load). */
export async function loadParallel(sink: Sink, file: string, size: number, threads: number, batch: BatchLimits, bar: Progress): Promise<number> {
  const pool = new Pool(threads);
  const fd = await fs.promises.open(file, 'r');
  const order = new ChunkOrder();
  let failed = false;
  try {
    const pending: Promise<ChunkResult>[] = [];
    const take = async () => {
      const result = await pending.shift()!;
      await order.apply(result, sink, batch);
    };
    for await (const job of chunks(fd, chunkSize(size, threads), bar)) {
      const answer = pool.run(job);
      answer.catch(() => {}); // awaited in order below; a worker's failure must not go unhandled meanwhile
      pending.push(answer);
      if (pending.length >= threads * PER_WORKER) await take();
    }
    while (pending.length) await take();
    return order.finish(NOTHING_KEPT);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    await fd.close();
    await pool.close(failed);
  }
}

/** Reads `fd` in buffers of `size` bytes or more, each cut after its last line break (the last one at the end of the file). */
async function* chunks(fd: fs.promises.FileHandle, size: number, bar: Progress): AsyncGenerator<ChunkJob> {
  let carry = Buffer.alloc(0);
  let seq = 0;
  for (;;) {
    // A buffer of its own (not from Node's pool), so that it can be transferred to a worker. A line
    // longer than a chunk is carried whole, so the next buffer is twice its size.
    const buf = Buffer.allocUnsafeSlow(Math.max(size, 2 * carry.length));
    carry.copy(buf);
    let len = carry.length;
    let eof = false;
    while (len < buf.length && !eof) {
      const { bytesRead } = await fd.read(buf, len, buf.length - len, null);
      bar.add(bytesRead);
      eof = bytesRead === 0;
      len += bytesRead;
    }
    const cut = eof ? len : buf.lastIndexOf(0x0a, len - 1) + 1;
    carry = Buffer.from(buf.subarray(cut, len));
    if (cut > 0) yield { seq: seq++, bytes: buf.buffer as ArrayBuffer, length: cut };
    if (eof) return;
  }
}

/** The line-order checks (line-order.ts) applied to the workers' answers in file order. */
class ChunkOrder extends LineOrder {
  async apply(r: ChunkResult, sink: Sink, batch: BatchLimits): Promise<void> {
    let trailers = 0;
    for (let i = 0; i < r.kinds.length; i++) {
      this.advance();
      const kind = r.kinds[i]!;
      if (kind === LineKind.BLANK) continue;
      if (kind === LineKind.TRAILER) this.check('trailer', r.trailers[trailers++]);
      else this.check(kind === LineKind.HEADER ? 'header' : 'entry');
    }
    if (r.bad) {
      const lineNo = this.advance();
      parseLine(r.bad.text, lineNo); // throws the error the one-thread path gives
      throw new SkyshelveError('INTERNAL', `line ${lineNo} failed to parse in a worker but not on the main thread`);
    }
    await putEntries(sink, r, batch);
  }
}

/** Passes a chunk's entries to the sink in batches, as views of the buffer the worker filled. */
async function putEntries(sink: Sink, r: ChunkResult, limits: BatchLimits): Promise<void> {
  const bytes = new Uint8Array(r.entries, 0, r.entriesLength);
  const view = new DataView(r.entries);
  let batch: RawEntry[] = [];
  let batchStart = 0;
  for (let pos = 0; pos < r.entriesLength; ) {
    const keyLen = view.getUint32(pos, true);
    const key = bytes.subarray(pos + 4, pos + 4 + keyLen);
    pos += 4 + keyLen;
    const valueLen = view.getUint32(pos, true);
    const value = bytes.subarray(pos + 4, pos + 4 + valueLen);
    pos += 4 + valueLen;
    batch.push({ key, value });
    if (batch.length >= limits.entries || pos - batchStart >= limits.bytes) {
      await sink.put(batch);
      batch = [];
      batchStart = pos;
    }
  }
  if (batch.length) await sink.put(batch);
}

/** Worker threads taking chunks in turn; a worker that dies fails every chunk in flight and every later one. */
class Pool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (r: ChunkResult) => void; reject: (e: unknown) => void }>();
  private next = 0;
  private dead: unknown;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(new URL('./import-worker.js', import.meta.url));
      w.on('message', (r: ChunkResult) => {
        const p = this.waiting.get(r.seq);
        this.waiting.delete(r.seq);
        p?.resolve(r);
      });
      w.on('error', (err) => this.failAll(err));
      w.on('exit', (code) => {
        if (code !== 0) this.failAll(new SkyshelveError('INTERNAL', `an import worker exited with code ${code}`));
      });
      this.workers.push(w);
    }
  }

  run(job: ChunkJob): Promise<ChunkResult> {
    // A chunk given to a dead worker would never be answered.
    if (this.dead !== undefined) return Promise.reject(this.dead);
    const w = this.workers[this.next++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(job.seq, { resolve, reject });
      w.postMessage(job, [job.bytes]);
    });
  }

  private failAll(err: unknown): void {
    this.dead ??= err;
    for (const p of this.waiting.values()) p.reject(err);
    this.waiting.clear();
  }

  async close(failed: boolean): Promise<void> {
    // After a failure, answers still in flight are dropped: nothing awaits them any more.
    if (failed) this.waiting.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
