/**
 * Order-preserving key encoding (see docs/FORMAT.md, "Keys"). Byte order of encodings equals the
 * logical order of keys, so range scans over the engine's sorted keys are range scans over keys.
 */
import { SkyshelveError } from '../errors.js';
import { FIRST_PLAIN_STRING_BYTE, INTERNAL_AREA_START, KeyTag, MAX_KEY_BYTES, type Key, type KeyPart } from './key-format.js';
import { allocBytes, copyAscii, loneSurrogateIndex } from './helpers.js';
import { describeType } from '../options.js';

export { INTERNAL_AREA_START, KeyTag, MAX_KEY_BYTES, type Key, type KeyPart } from './key-format.js';
export { decodeKey, decodeInternalKey, decodeInternalKeyTail } from './key-decode.js';

/** The byte range holding all user keys (and none of the internal area). */
export const USER_RANGE: { readonly gte: Uint8Array; readonly lt: Uint8Array } = Object.freeze({
  gte: Uint8Array.of(0x00),
  lt: Uint8Array.of(INTERNAL_AREA_START),
});

// One scratch buffer for the life of the process: each call copies out only its own bytes. The
// slack past MAX_KEY_BYTES lets writers check the limit once per element instead of per byte.
const scratch = new Uint8Array(MAX_KEY_BYTES + 64);
const scratchView = new DataView(scratch.buffer);
let pos = 0;

/** Thrown inside the writers when the key outgrows MAX_KEY_BYTES; the caller measures the whole key. */
const OVERFLOW = Symbol('overflow');

/** Encodes a user key; throws TypeError for bad input and KEY_TOO_LARGE past 65,000 bytes. */
export function encodeKey(key: Key, argName = 'key'): Uint8Array {
  if (typeof key === 'string' && key.length > 0 && key.length <= 62) {
    const fast = shortAsciiKey(key);
    if (fast !== undefined) return fast;
  }
  pos = 0;
  try {
    if (Array.isArray(key)) {
      if (key.length === 0) throw new TypeError(`${argName} must not be an empty array`);
      scratch[pos++] = KeyTag.TUPLE;
      writeParts(key, argName);
      scratch[pos++] = KeyTag.END;
    } else {
      if ((typeof key === 'string' || key instanceof Uint8Array) && key.length === 0) {
        throw new TypeError(`${argName} must not be an empty ${typeof key === 'string' ? 'string' : 'Buffer'}`);
      }
      writePart(key as KeyPart, argName, -1, true);
    }
  } catch (err) {
    throw err === OVERFLOW ? tooLarge(key, argName) : err;
  }
  return finish(key, argName);
}

/** The hot path: a short string key of ASCII without NUL is written straight into its output. */
function shortAsciiKey(key: string): Uint8Array | undefined {
  const out = new Uint8Array(key.length + 2); // at most 64 bytes: on the JS heap, cheap
  out[0] = KeyTag.STRING;
  return copyAscii(key, out, 1, FIRST_PLAIN_STRING_BYTE) ? out : undefined; // the terminator is the array's initial zero
}

/** Bytes every key "starting with" `prefix` starts with: strings and bytes match by byte prefix, numbers exactly, tuples element by element. */
export function encodeKeyPrefix(prefix: Key, argName = 'prefix'): Uint8Array {
  pos = 0;
  try {
    if (Array.isArray(prefix)) {
      scratch[pos++] = KeyTag.TUPLE;
      writeParts(prefix, argName);
    } else {
      writePart(prefix as KeyPart, argName, -1, false);
    }
  } catch (err) {
    throw err === OVERFLOW ? tooLarge(prefix, argName, false) : err;
  }
  return finish(prefix, argName, false);
}

/** A key in the reserved internal area (model records, indexes, metadata): 0xFE, the elements, 0x00. */
export function internalKey(parts: readonly KeyPart[]): Uint8Array {
  if (!Array.isArray(parts) || parts.length === 0) throw new TypeError('internal key parts must be a non-empty array');
  return writeInternal(parts, 'internal key', true);
}

/** The prefix shared by every internal key whose first elements are exactly `parts` ([] gives the whole area). */
export function internalPrefix(parts: readonly KeyPart[]): Uint8Array {
  if (!Array.isArray(parts)) throw new TypeError('internal prefix parts must be an array');
  return writeInternal(parts, 'internal prefix', false);
}

function writeInternal(parts: readonly KeyPart[], name: string, whole: boolean): Uint8Array {
  pos = 0;
  try {
    scratch[pos++] = KeyTag.INTERNAL;
    writeParts(parts, name);
    if (whole) scratch[pos++] = KeyTag.END;
  } catch (err) {
    throw err === OVERFLOW ? tooLarge(parts, name, whole) : err;
  }
  return finish(parts, name, whole);
}

/** The smallest byte string greater than every string that starts with `prefix`; undefined when none exists. */
export function prefixUpperBound(prefix: Uint8Array): Uint8Array | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const bound = prefix.slice(0, end);
  bound[end - 1]++;
  return bound;
}

/** Copies out what the writers put in the scratch buffer, enforcing the size limit. */
function finish(key: Key, argName: string, whole = true): Uint8Array {
  if (pos > MAX_KEY_BYTES) throw tooLarge(key, argName, whole);
  if (pos <= 64) return scratch.slice(0, pos); // small typed arrays live on the JS heap: cheap
  const out = allocBytes(pos);
  out.set(scratch.subarray(0, pos));
  return out;
}

function writeParts(parts: readonly KeyPart[], argName: string): void {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (Array.isArray(part)) throw new TypeError(`${argName}[${i}] must be a string, number or Buffer/Uint8Array (tuples cannot nest); got an array`);
    writePart(part, argName, i, true);
  }
}

/** The name of an element in messages: 'key', or 'key[2]' inside a tuple (built only on error). */
function partName(argName: string, index: number): string {
  return index < 0 ? argName : `${argName}[${index}]`;
}

/** Writes one tagged element; `whole` false leaves strings and bytes open (no terminator) for prefixes. */
function writePart(part: KeyPart, argName: string, index: number, whole: boolean): void {
  if (typeof part === 'string') writeString(part, argName, index, whole);
  else if (typeof part === 'number') writeNumber(part, argName, index);
  else if (part instanceof Uint8Array) writeBytes(part, whole);
  else throw new TypeError(`${partName(argName, index)} must be a string, number, Buffer/Uint8Array or a flat array of those; got ${describeType(part)}`);
}

/** IEEE-754 big-endian with the sign bit flipped (positives) or all bits flipped (negatives): sorts numerically. */
function writeNumber(n: number, argName: string, index: number): void {
  if (Number.isNaN(n)) throw new TypeError(`${partName(argName, index)} must not be NaN`);
  if (pos + 9 > MAX_KEY_BYTES) throw OVERFLOW;
  scratch[pos] = KeyTag.NUMBER;
  scratchView.setFloat64(pos + 1, n === 0 ? 0 : n); // -0 normalises to 0
  if (scratch[pos + 1] & 0x80) for (let i = pos + 1; i < pos + 9; i++) scratch[i] ^= 0xff;
  else scratch[pos + 1] ^= 0x80;
  pos += 9;
}

/**
 * UTF-8 with 0x00 and 0x01 escaped as 0x01 0x01 and 0x01 0x02, then a 0x00 terminator (omitted for
 * prefixes). The escape never contains 0x00, so a prefix that ends in a terminator matches only
 * that exact element; FoundationDB's 0x00 0xFF escape would let ['a'] match ['a\0'] as a prefix.
 */
function writeString(s: string, argName: string, index: number, whole: boolean): void {
  const n = s.length;
  // 3 bytes per UTF-16 unit is the worst case; only measure exactly when that might not fit.
  if (pos + 3 * n + 2 > MAX_KEY_BYTES && pos + partSize(s) > MAX_KEY_BYTES) throw OVERFLOW;
  const out = scratch;
  let p = pos;
  out[p++] = KeyTag.STRING;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x01 && c < 0x80) {
      out[p++] = c;
    } else if (c <= 0x01) {
      out[p++] = 0x01;
      out[p++] = c + 1;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) throw loneSurrogate(partName(argName, index), s);
      const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      out[p++] = 0xf0 | (cp >> 18);
      out[p++] = 0x80 | ((cp >> 12) & 0x3f);
      out[p++] = 0x80 | ((cp >> 6) & 0x3f);
      out[p++] = 0x80 | (cp & 0x3f);
      i++;
    }
  }
  if (whole) out[p++] = KeyTag.END;
  pos = p;
}

/** Raw bytes with the same escaping and terminator as strings. */
function writeBytes(bytes: Uint8Array, whole: boolean): void {
  const n = bytes.length;
  if (pos + 2 * n + 2 > MAX_KEY_BYTES && pos + partSize(bytes) > MAX_KEY_BYTES) throw OVERFLOW;
  let p = pos;
  scratch[p++] = KeyTag.BYTES;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b > 0x01) {
      scratch[p++] = b;
    } else {
      scratch[p++] = 0x01;
      scratch[p++] = b + 1;
    }
  }
  if (whole) scratch[p++] = KeyTag.END;
  pos = p;
}

function loneSurrogate(name: string, s: string): TypeError {
  const at = loneSurrogateIndex(s);
  const unit = s.charCodeAt(at).toString(16).toUpperCase();
  return new TypeError(`${name} contains a lone surrogate (U+${unit}) at index ${at}; such strings have no UTF-8 form and cannot be keys`);
}

/** `whole` false means a prefix: it lacks the final terminator or end marker (a lone number has none to lack). */
function tooLarge(key: Key, argName: string, whole = true): SkyshelveError {
  const parts = Array.isArray(key) ? key : [key as KeyPart];
  let size = Array.isArray(key) ? 2 : 0;
  for (const part of parts) size += partSize(part);
  if (!whole && (Array.isArray(key) || typeof key !== 'number')) size -= 1;
  return new SkyshelveError(
    'KEY_TOO_LARGE',
    `${argName} is ${size.toLocaleString('en-US')} bytes when encoded; the limit is 65,000 bytes (Badger's maximum key size).`,
    { details: { size, limit: MAX_KEY_BYTES } },
  );
}

/** The exact encoded size of one element, for error messages. */
function partSize(part: KeyPart): number {
  if (typeof part === 'number') return 9;
  if (typeof part === 'string') return 2 + utf8Length(part) + countChar(part, 0) + countChar(part, 1);
  if (part instanceof Uint8Array) return 2 + part.length + countByte(part, 0) + countByte(part, 1);
  return 0; // not a valid part: a TypeError would follow, but the size error came first
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function countChar(s: string, code: number): number {
  const ch = String.fromCharCode(code);
  let count = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) count++;
  return count;
}

function countByte(bytes: Uint8Array, value: number): number {
  let count = 0;
  for (let i = bytes.indexOf(value); i !== -1; i = bytes.indexOf(value, i + 1)) count++;
  return count;
}
