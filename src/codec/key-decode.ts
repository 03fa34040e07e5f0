/**
 * Decoding of the key format written by keys.ts. Strict: it accepts only bytes the encoder could
 * have written, so decodeKey(b) succeeding means encodeKey(decodeKey(b)) equals b.
 */
import { INTERNAL_AREA_START, KeyTag, type Key, type KeyPart } from './key-format.js';
import { decodeError, decodeUtf8 } from './helpers.js';

// Numbers are read through this 8-byte scratch so no DataView is built over the caller's bytes.
const numberBytes = new Uint8Array(8);
const numberView = new DataView(numberBytes.buffer);
let src: Uint8Array = numberBytes;
let pos = 0;

/** Decodes a user key written by encodeKey; throws SkyshelveError('DECODE') on anything else. */
export function decodeKey(bytes: Uint8Array): Key {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 0) throw decodeError('the key is empty');
  const tag = bytes[0];
  if (tag >= INTERNAL_AREA_START) throw decodeError('the key lies in the internal area');
  src = bytes;
  pos = 0;
  if (tag === KeyTag.TUPLE) {
    pos = 1;
    return readParts('tuple');
  }
  const part = readPart();
  if (typeof part !== 'number' && part.length === 0) throw decodeError('an empty string or bytes key is never written');
  if (pos !== bytes.length) throw decodeError('trailing bytes after the key');
  return part;
}

/** Decodes a key written by internalKey back to its elements. */
export function decodeInternalKey(bytes: Uint8Array): KeyPart[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 0 || bytes[0] !== KeyTag.INTERNAL) throw decodeError('not an internal key');
  src = bytes;
  pos = 1;
  return readParts('internal key');
}

/**
 * The elements of an internal key from `start` on, where an element begins after leading elements the
 * caller wrote itself (a scan of one prefix): those are not decoded again; the rest is, as strictly.
 */
export function decodeInternalKeyTail(bytes: Uint8Array, start: number): KeyPart[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 0 || bytes[0] !== KeyTag.INTERNAL || !(start >= 1)) throw decodeError('not an internal key');
  const one = oneAsciiString(bytes, start);
  if (one !== undefined) return [one];
  src = bytes;
  pos = start;
  return readParts('internal key');
}

/**
 * The tail from `start` when it is exactly one string element of ASCII bytes without escapes and the
 * end marker (an index entry's usual primary key), else undefined: what readParts gives for those
 * bytes, without its general loop. Anything else takes readParts, errors included.
 */
function oneAsciiString(bytes: Uint8Array, start: number): string | undefined {
  if (bytes[start] !== KeyTag.STRING) return undefined;
  const last = bytes.length - 1;
  for (let i = start + 1; i < last; i++) {
    const b = bytes[i]!;
    if (b === 0) return i === last - 1 && bytes[last] === KeyTag.END ? decodeUtf8(bytes, start + 1, i, true) : undefined;
    if (b === 1 || b >= 0x80) return undefined;
  }
  return undefined;
}

/** Reads elements up to the END marker, which must be the last byte. */
function readParts(what: string): KeyPart[] {
  const parts: KeyPart[] = [];
  for (;;) {
    if (pos >= src.length) throw decodeError(`the ${what} has no end marker`);
    if (src[pos] === KeyTag.END) break;
    parts.push(readPart());
  }
  pos++;
  if (parts.length === 0) throw decodeError(`an empty ${what} is never written`);
  if (pos !== src.length) throw decodeError(`trailing bytes after the ${what}`);
  return parts;
}

function readPart(): KeyPart {
  const tag = src[pos++];
  if (tag === KeyTag.STRING) return readString();
  if (tag === KeyTag.NUMBER) return readNumber();
  if (tag === KeyTag.BYTES) return readBytes();
  throw decodeError(`unknown key element tag 0x${tag.toString(16).padStart(2, '0')}`);
}

function readNumber(): number {
  if (pos + 8 > src.length) throw decodeError('a number is truncated');
  const flip = src[pos] & 0x80 ? 0x80 : 0xff; // the inverse of the encoder's sign trick
  numberBytes[0] = src[pos] ^ flip;
  for (let i = 1; i < 8; i++) numberBytes[i] = flip === 0x80 ? src[pos + i] : src[pos + i] ^ 0xff;
  pos += 8;
  const n = numberView.getFloat64(0);
  if (Number.isNaN(n)) throw decodeError('a number is NaN, which is never written');
  if (n === 0 && numberBytes[0] === 0x80) throw decodeError('a number is -0, which is never written');
  return n;
}

/** Finds the terminator; returns its index and reports escapes and non-ASCII through module state. */
let sawEscape = false;
let sawHigh = false;
function findEnd(): number {
  sawEscape = false;
  sawHigh = false;
  for (let i = pos; i < src.length; i++) {
    const b = src[i];
    if (b === 0) return i;
    if (b === 1) {
      const next = src[i + 1];
      if (next !== 1 && next !== 2) throw decodeError('a bad escape in a string or bytes element');
      sawEscape = true;
      i++;
    } else if (b >= 0x80) {
      sawHigh = true;
    }
  }
  throw decodeError('a string or bytes element has no terminator');
}

function readString(): string {
  const end = findEnd();
  const start = pos;
  pos = end + 1;
  if (!sawEscape) return decodeUtf8(src, start, end, !sawHigh);
  const raw = unescapeSpan(start, end);
  return decodeUtf8(raw, 0, raw.length, false);
}

function readBytes(): Buffer {
  const end = findEnd();
  const start = pos;
  pos = end + 1;
  const raw = sawEscape ? unescapeSpan(start, end) : src.subarray(start, end);
  const out = Buffer.allocUnsafe(raw.length); // pooled: much cheaper than a fresh ArrayBuffer for small keys
  out.set(raw);
  return out;
}

function unescapeSpan(start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    if (src[i] === 1)
      out[n++] = src[++i] - 1; // 0x01 0x01 -> 0x00, 0x01 0x02 -> 0x01
    else out[n++] = src[i];
  }
  return out.subarray(0, n);
}
