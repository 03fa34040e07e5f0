/**
 * Helpers shared by the key and value codecs: output allocation, strict UTF-8 decoding with a fast
 * path for ASCII. Type names for messages are options.ts's describeType.
 */
import { SkyshelveError } from '../errors.js';

// fatal: invalid UTF-8 is corruption, not something to paper over with U+FFFD.
// ignoreBOM: a key or value that starts with U+FEFF must come back with it.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Builds the DECODE error every codec throws for bad bytes (the store adds the key). */
export function decodeError(message: string, cause?: unknown): SkyshelveError {
  return new SkyshelveError('DECODE', `Cannot decode stored bytes: ${message}.`, cause === undefined ? {} : { cause });
}

// Buffer's latin1Slice is undocumented but has existed in every Node release; it is about twice as
// fast as TextDecoder for short ASCII, which is what most keys are. Without it, TextDecoder is used.
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string }).latin1Slice;

// Slices for allocBytes, handed out like Node's Buffer pool (a slab lives while any slice of it
// does) but as plain Uint8Array views: constructing Node's Buffer subclass costs about twice as much
// (put-batch, bench/RESULTS.md). Zero-filled, unlike the pool.
const SLAB_SIZE = 8192;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabPos = 0;

/** A new byte array of `size` bytes whose contents the caller overwrites entirely. */
export function allocBytes(size: number): Uint8Array {
  // V8 keeps typed arrays of up to 64 bytes on the JS heap (cheap); larger ones need their own
  // ArrayBuffer (~300 ns), so mid-sized ones are slices of a shared slab.
  if (size <= 64) return new Uint8Array(size);
  if (size > SLAB_SIZE >>> 1) return Buffer.allocUnsafe(size);
  if (slabPos + size > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabPos = 0;
  }
  const out = new Uint8Array(slab, slabPos, size);
  slabPos = (slabPos + size + 7) & ~7; // 8-byte aligned, as the pool does
  return out;
}

// Up to this many ASCII bytes, one fromCharCode over an array of codes beats latin1Slice's native
// call (~30 ns against ~70 for a key element like a 9-character id).
const SHORT_ASCII = 32;

/** Decodes bytes[start, end) as strict UTF-8; `ascii` says the caller already saw only bytes < 0x80. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number, ascii: boolean): string {
  if (ascii && end - start <= SHORT_ASCII) return shortAscii(bytes, start, end);
  if (ascii && latin1Slice !== undefined) return latin1Slice.call(bytes, start, end); // ASCII is a subset of Latin-1
  try {
    return strictDecoder.decode(bytes.subarray(start, end));
  } catch (err) {
    throw decodeError('text is not valid UTF-8', err);
  }
}

function shortAscii(bytes: Uint8Array, start: number, end: number): string {
  const codes = new Array<number>(end - start);
  for (let i = start; i < end; i++) codes[i - start] = bytes[i]!;
  return String.fromCharCode.apply(null, codes);
}

/**
 * Copies `text` into `out` from `at`, one byte per UTF-16 unit, while every unit is in [min, 0x80);
 * false at the first that is not (`out` then holds a partial copy). The ASCII fast path of the key
 * and value encoders, also when a batch is encoded in one pass (records.ts).
 */
export function copyAscii(text: string, out: Uint8Array, at: number, min: number): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < min || c >= 0x80) return false;
    out[at + i] = c;
  }
  return true;
}

/** True when the string has no lone UTF-16 surrogate, so it has an exact UTF-8 form. */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Index of the first lone surrogate in `text`, or -1. */
export function loneSurrogateIndex(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) return i;
    i++;
  }
  return -1;
}
