/** The RawCursor of the Badger backend: one Go iterator over one snapshot, read in bounded chunks. */
import type { RawCursor, RawEntry, RawRange } from './backend.js';
import type { SkyshelveError } from '../errors.js';
import { growScratch, nativeError, out, outFor, Status, type NativeLib } from './native.js';
import { decodeEntries, encodeRange } from './badger-codec.js';

// Iterators the program dropped without closing: release their snapshots when collected.
const cursorFinalizer = new FinalizationRegistry<{ lib: NativeLib; id: number }>(({ lib, id }) => {
  lib.iterClose(id, out.buf, out.buf.length);
});

/** A cursor over one Badger snapshot, read in chunks that fit the scratch buffer. */
export class BadgerCursor implements RawCursor {
  private id = 0;
  private error: SkyshelveError | undefined;

  constructor(
    private readonly lib: NativeLib,
    handle: number,
    range: RawRange,
    private readonly what: string,
  ) {
    const spec = encodeRange(range);
    const rc = lib.iterOpen(handle, spec, spec.length, out.buf, out.buf.length);
    if (rc < 0) this.error = nativeError(rc, out.buf, what);
    else {
      this.id = rc;
      cursorFinalizer.register(this, { lib, id: rc }, this);
    }
  }

  async next(max: number): Promise<RawEntry[]> {
    if (this.error) throw this.error;
    if (this.id === 0 || max <= 0) return [];
    max = Math.min(Math.floor(max), 0x7fffffff);
    let buf = out.buf;
    let rc = this.lib.iterNext(this.id, max, buf, buf.length);
    while (rc === -Status.TOO_SMALL) {
      buf = outFor(buf.readUInt32LE(0));
      rc = this.lib.iterNext(this.id, max, buf, buf.length);
    }
    if (rc < 0) throw nativeError(rc, buf, this.what);
    // Release the snapshot as soon as the range is exhausted.
    if (rc === 0) await this.close();
    const entries = decodeEntries(buf, rc);
    // A short chunk usually means the scratch was full: grow it (up to 1 MiB) so the next call
    // returns the whole chunk asked for.
    if (rc > 0 && rc < max && buf === out.buf) growScratch();
    return entries;
  }

  async close(): Promise<void> {
    if (this.id === 0) return;
    const id = this.id;
    this.id = 0;
    cursorFinalizer.unregister(this);
    this.lib.iterClose(id, out.buf, out.buf.length);
  }
}
