/**
 * Bulk ingest into an empty Badger store (native/ingest.go, docs/ABI.md "Bulk ingest"): Badger's
 * StreamWriter builds the LSM tables directly. Every call runs on koffi's thread pool: an add there
 * overlaps with the caller preparing the next batch (an import parsing its next lines), and
 * `finish` and `abort` sync or drop files.
 */
import type { IngestStart, RawEntry, RawIngest } from './backend.js';
import { encodePuts, putsRequestSize } from './badger-codec.js';
import { nativeError, out, type NativeLib } from './native.js';
import { SkyshelveError } from '../errors.js';

/** Asks Go to start an ingest on handle `h`: an ingest, or why the store does not qualify. */
export function beginIngest(lib: NativeLib, h: number, what: string): IngestStart {
  const rc = lib.ingestBegin(h, out.buf, out.buf.length);
  if (rc < 0) throw nativeError(rc, out.buf, what);
  if (rc === 0) return { reason: out.buf.toString('utf8', 4, 4 + Math.min(out.buf.readUInt32LE(0), out.buf.length - 4)) };
  return { ingest: new BadgerIngest(lib, rc, what) };
}

class BadgerIngest implements RawIngest {
  private ended = false;
  // Two request buffers, used in turn: one may be in flight on the pool while the next is filled
  // (callers await each add before the next). A fresh multi-MiB buffer per add made V8 collect often.
  private readonly bufs: Buffer[] = [Buffer.alloc(0), Buffer.alloc(0)];
  private turn = 0;

  constructor(
    private readonly lib: NativeLib,
    private readonly id: number,
    private readonly what: string,
  ) {}

  async add(entries: readonly RawEntry[]): Promise<void> {
    if (this.ended) throw new SkyshelveError('CLOSED', `${this.what}: this bulk ingest has ended`);
    if (entries.length === 0) return;
    // Not the thread-shared request scratch: this one stays in use across an await.
    const size = putsRequestSize(entries);
    this.turn ^= 1;
    if (this.bufs[this.turn]!.length < size) this.bufs[this.turn] = Buffer.allocUnsafeSlow(Math.max(size, 1 << 20));
    const buf = this.bufs[this.turn]!;
    const len = encodePuts(entries, buf);
    await this.call(this.lib.ingestAdd, [this.id, buf, len]);
  }

  finish(): Promise<void> {
    return this.end(this.lib.ingestFinish);
  }

  abort(): Promise<void> {
    return this.end(this.lib.ingestAbort);
  }

  private async end(fn: NativeLib['ingestFinish']): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.call(fn, [this.id]);
  }

  private call(fn: NativeLib['ingestFinish'], args: unknown[]): Promise<void> {
    const errBuf = Buffer.alloc(4096); // the shared scratch is not for calls on another thread
    return new Promise((resolve, reject) => {
      fn.async(...args, errBuf, errBuf.length, (err: unknown, rc: number) => {
        if (err) reject(new SkyshelveError('INTERNAL', `${this.what}: native call failed`, { cause: err }));
        else if (rc < 0) reject(nativeError(rc, errBuf, this.what));
        else resolve();
      });
    });
  }
}
