/**
 * Backend.indexScan for Badger: one sky_index_scan call reads a chunk of index entries and the
 * records they name from one snapshot (docs/ABI.md, "Index scans"), where a scan and a get_many
 * took five calls.
 */
import { allocBytes } from '../codec/helpers.js';
import type { RawIndexChunk, RawIndexHit, RawRange } from './backend.js';
import { encodeIndexScan, indexScanRequestSize } from './badger-codec.js';
import { growScratch, nativeError, out, outFor, reqFor, Status, type NativeLib } from './native.js';

/** The value length of an entry whose key is not tuple-shaped (-1: no record at the derived key). */
const BAD_ENTRY = -2;

/** Reads up to `max` entries of `range` with their records; see Backend.indexScan. */
export function indexScanSync(lib: NativeLib, h: number, range: RawRange, recordPrefix: Uint8Array, max: number, what: string): RawIndexChunk {
  max = Math.min(Math.floor(max), 0x7fffffff);
  if (!(max >= 1)) throw new RangeError(`indexScan: max must be at least 1, got ${max}`);
  const request = reqFor(indexScanRequestSize(range, recordPrefix));
  const len = encodeIndexScan(range, recordPrefix, request);
  let buf = out.buf;
  let rc = lib.indexScan(h, request, len, max, buf, buf.length);
  while (rc === -Status.TOO_SMALL) {
    buf = outFor(buf.readUInt32LE(0));
    rc = lib.indexScan(h, request, len, max, buf, buf.length);
  }
  if (rc < 0) throw nativeError(rc, buf, what);
  const done = (buf[0]! & 1) !== 0;
  const hits = decodeHits(buf, rc);
  // A short chunk that is not the end means the scratch was full: grow it for the next call.
  if (!done && rc < max && buf === out.buf) growScratch();
  return { hits, done };
}

/** Decodes `[u8 flags]` then `count` × `[u32 keyLen][key][i32 valLen][record]`, copied out of the scratch once. */
function decodeHits(buf: Buffer, count: number): RawIndexHit[] {
  let end = 1;
  for (let i = 0; i < count; i++) {
    end += 4 + buf.readUInt32LE(end);
    end += 4 + Math.max(buf.readInt32LE(end), 0);
  }
  if (count === 0) return [];
  // A slice of a shared slab (allocBytes): a chunk of its own ArrayBuffer cost ~300 ns per call.
  const chunk = allocBytes(end);
  chunk.set(buf.subarray(0, end));
  const ab = chunk.buffer;
  const base = chunk.byteOffset;
  const hits: RawIndexHit[] = new Array(count);
  let pos = 1;
  for (let i = 0; i < count; i++) {
    const keyLen = buf.readUInt32LE(pos);
    const key = new Uint8Array(ab, base + pos + 4, keyLen);
    pos += 4 + keyLen;
    const valLen = buf.readInt32LE(pos);
    pos += 4;
    if (valLen < BAD_ENTRY) throw new RangeError(`indexScan: unknown value length ${valLen}`);
    if (valLen >= 0) {
      hits[i] = { key, record: new Uint8Array(ab, base + pos, valLen) };
      pos += valLen;
    } else hits[i] = valLen === BAD_ENTRY ? { key, malformed: true } : { key };
  }
  return hits;
}
