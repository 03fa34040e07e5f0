/**
 * A fast path for decoding stored model records: `decodeValue` (src/codec/values.ts) runs the
 * profile scan (cbor-scan.ts) and then cbor-x over every record, ~1 µs for a small record, as much
 * as reading it from Badger (a find of 10 records spent a quarter of its time here). Most records
 * are maps of ASCII strings, small integers, doubles, booleans, null, arrays and Dates; this
 * decoder reads exactly that subset in one pass and gives what cbor-x gives. On anything else (a
 * byte string, a non-ASCII string, another tag, a half or single float, a 64-bit integer, an
 * indefinite length, '__proto__' as a key, trailing or missing bytes) it returns MISS and the caller
 * takes the general path, which also raises every DECODE error. The subset lies inside the profile.
 */
import { MAX_DEPTH } from '../codec/cbor-check.js';
import { ValueTag } from '../codec/values.js';

/** Returned when the bytes are outside the subset: decode them with decodeValue instead. */
export const MISS: unique symbol = Symbol('skyshelve.miss');

// Doubles are read through this pair (DataView per call costs more than the record).
const f64 = new Float64Array(1);
const f64bytes = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Far below cbor-x's own limits, so that a length it would reject never gets here.
const MAX_COUNT = 0xffff;

// Put back after each call so that the caller's bytes are not kept alive (one shared empty array: a
// new one per call cost as much as decoding a small record's strings).
const NOTHING = new Uint8Array(0);
let src: Uint8Array = NOTHING;
let pos = 0;
let arg = 0;

/** The value encodeValue wrote as CBOR, or MISS when it is outside the fast subset. */
export function decodeRecordValue(bytes: Uint8Array): unknown {
  if (bytes.length < 2 || bytes[0] !== ValueTag.CBOR) return MISS;
  src = bytes;
  pos = 1;
  try {
    const v = item(0);
    return pos === bytes.length ? v : MISS;
  } finally {
    src = NOTHING;
  }
}

// What encodeEnvelope writes first: the CBOR tag, a map of two, and its first key 'r'.
const ENVELOPE_HEAD = [ValueTag.CBOR, 0xa2, 0x61, 0x72];
const ENTRIES_KEY = [0x61, 0x69]; // 'i'

/**
 * The record of a model envelope `{ r: record, i: entries }` (src/model/layout.ts), or MISS. The
 * entry list is checked but not built: it must hold exactly what decodeRecordValue would read and
 * decodeEnvelope accept (pairs of an ASCII index name and an ASCII string, a number or a tuple of
 * them); anything else is MISS, so decodeEnvelope decides as before, DECODE errors included.
 */
export function decodeEnvelopeRecord(bytes: Uint8Array): unknown {
  if (bytes.length < 6) return MISS;
  for (let i = 0; i < 4; i++) if (bytes[i] !== ENVELOPE_HEAD[i]) return MISS;
  src = bytes;
  pos = 4;
  try {
    const record = item(1);
    if (record === MISS || pos + 2 > bytes.length || bytes[pos] !== ENTRIES_KEY[0] || bytes[pos + 1] !== ENTRIES_KEY[1]) return MISS;
    pos += 2;
    return entriesOk() && pos === bytes.length ? record : MISS;
  } finally {
    src = NOTHING;
  }
}

// Records with more fields take decodeEnvelopeRecord (the duplicate check below is quadratic).
const MAX_FIELDS = 16;

/** Returned by decodeEnvelopeFields for a record the fast subset reads but not as fields: use decodeEnvelopeRecord. */
export const NOT_FIELDS: unique symbol = Symbol('skyshelve.not-fields');

/**
 * The fields of an envelope's record as `[key, value, key, value, ...]`: the record must be a map
 * whose keys are distinct and not array indexes, so that the list is in the key order of the object
 * decodeEnvelopeRecord builds (which it then need not build); values as decodeRecordValue reads
 * them; the entry list checked as decodeEnvelopeRecord checks it. NOT_FIELDS for another record
 * shape (not a map, more than MAX_FIELDS, such keys); MISS only where decodeEnvelopeRecord would MISS too.
 */
export function decodeEnvelopeFields(bytes: Uint8Array): unknown[] | typeof MISS | typeof NOT_FIELDS {
  if (bytes.length < 6) return MISS;
  for (let i = 0; i < 4; i++) if (bytes[i] !== ENVELOPE_HEAD[i]) return MISS;
  if (bytes[4]! >> 5 !== 5) return NOT_FIELDS;
  src = bytes;
  pos = 5;
  try {
    if (!argument(bytes[4]! & 0x1f)) return MISS;
    if (arg > MAX_FIELDS) return NOT_FIELDS;
    const fields = new Array<unknown>(arg * 2);
    for (let i = 0; i < fields.length; i += 2) {
      const k = key(2);
      if (k === MISS || k === '__proto__') return MISS;
      if (!plainName(k as string)) return NOT_FIELDS;
      for (let j = 0; j < i; j += 2) if (fields[j] === k) return NOT_FIELDS;
      const v = item(2);
      if (v === MISS) return MISS;
      fields[i] = k;
      fields[i + 1] = v;
    }
    if (pos + 2 > bytes.length || bytes[pos] !== ENTRIES_KEY[0] || bytes[pos + 1] !== ENTRIES_KEY[1]) return MISS;
    pos += 2;
    return entriesOk() && pos === bytes.length ? fields : MISS;
  } finally {
    src = NOTHING;
  }
}

/** False for a key that might be an array index (an object lists those first, whatever the insertion order). */
function plainName(k: string): boolean {
  const c = k.charCodeAt(0);
  return !(c >= 0x30 && c <= 0x39);
}

/** Skips an entry list: an array of [name, value] pairs that decodeEnvelope's entry check accepts. */
function entriesOk(): boolean {
  if (pos >= src.length || src[pos]! >> 5 !== 4 || !argument(src[pos++]! & 0x1f)) return false;
  const n = arg;
  if (n > MAX_COUNT || n > src.length - pos) return false;
  for (let i = 0; i < n; i++) {
    if (pos >= src.length || src[pos++] !== 0x82 || !skipText() || !skipScalar(true)) return false;
  }
  return true;
}

/** Skips an index value: an ASCII string, an integer below 2^32, a double, or (`tuple`) an array of 2+ of them. */
function skipScalar(tuple: boolean): boolean {
  if (pos >= src.length) return false;
  const initial = src[pos]!;
  const major = initial >> 5;
  if (major === 3) return skipText();
  if (initial === 0xfb) {
    if (!littleEndian || pos + 9 > src.length) return false; // decodeRecordValue reads doubles on little-endian hosts only
    pos += 9;
    return true;
  }
  if (major !== 0 && major !== 1 && !(tuple && major === 4)) return false;
  pos++;
  if (!argument(initial & 0x1f)) return false;
  if (major !== 4) return true;
  const n = arg;
  if (n < 2 || n > MAX_COUNT || n > src.length - pos) return false;
  for (let i = 0; i < n; i++) if (!skipScalar(false)) return false;
  return true;
}

/** Skips an ASCII text string. */
function skipText(): boolean {
  if (pos >= src.length || src[pos]! >> 5 !== 3 || !argument(src[pos++]! & 0x1f)) return false;
  const end = pos + arg;
  if (end > src.length) return false;
  for (let i = pos; i < end; i++) if (src[i]! >= 0x80) return false;
  pos = end;
  return true;
}

/** Reads a header's argument into `arg` (info < 27 only); false when it is not one. */
function argument(info: number): boolean {
  if (info < 24) arg = info;
  else if (info === 24 && pos + 1 <= src.length) arg = src[pos++]!;
  else if (info === 25 && pos + 2 <= src.length) {
    arg = src[pos]! * 0x100 + src[pos + 1]!;
    pos += 2;
  } else if (info === 26 && pos + 4 <= src.length) {
    arg = src[pos]! * 0x1000000 + src[pos + 1]! * 0x10000 + src[pos + 2]! * 0x100 + src[pos + 3]!;
    pos += 4;
  } else return false;
  return true;
}

function item(depth: number): unknown {
  if (pos >= src.length || depth > MAX_DEPTH) return MISS;
  const initial = src[pos++]!;
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (major === 7) return simple(info);
  if (!argument(info)) return MISS;
  switch (major) {
    case 0:
      return arg;
    case 1:
      return -1 - arg;
    case 3:
      return text(arg);
    case 4:
      return array(arg, depth);
    case 5:
      return map(arg, depth);
    case 6:
      return arg === 1 ? date() : MISS;
    default:
      return MISS;
  }
}

function simple(info: number): unknown {
  switch (info) {
    case 20:
      return false;
    case 21:
      return true;
    case 22:
      return null;
    case 23:
      return undefined;
    case 27: {
      if (!littleEndian || pos + 8 > src.length) return MISS;
      for (let i = 0; i < 8; i++) f64bytes[7 - i] = src[pos + i]!; // big-endian in, little-endian host
      pos += 8;
      return f64[0];
    }
    default:
      return MISS;
  }
}

// apply() passes every code as an argument on the stack: about 100k of them overflow it (RangeError).
const APPLY_MAX = 4096;

/** An ASCII text string of n bytes (an array of codes and one fromCharCode: faster than latin1Slice here). */
function text(n: number): unknown {
  const end = pos + n;
  if (end > src.length) return MISS;
  if (n > APPLY_MAX) return longText(end);
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const c = src[pos + i]!;
    if (c >= 0x80) return MISS;
    codes[i] = c;
  }
  pos = end;
  return String.fromCharCode.apply(null, codes);
}

/** A long ASCII text string, ending at `end`: checked, then read as latin1 (the same characters for ASCII). */
function longText(end: number): unknown {
  for (let i = pos; i < end; i++) if (src[i]! >= 0x80) return MISS;
  const s = Buffer.from(src.buffer, src.byteOffset + pos, end - pos).toString('latin1');
  pos = end;
  return s;
}

// Map keys repeat from record to record: short ones are kept by length and end bytes.
const keyCache: Array<{ readonly bytes: Uint8Array; readonly key: string } | undefined> = new Array(256);

/** A map key: an ASCII text string, from the cache when its bytes were seen last time in its slot. */
function key(depth: number): unknown {
  if (pos >= src.length || src[pos]! >> 5 !== 3 || depth > MAX_DEPTH) return MISS;
  const info = src[pos++]! & 0x1f;
  if (!argument(info)) return MISS;
  const n = arg;
  const end = pos + n;
  if (n === 0 || n > 16 || end > src.length) return text(n);
  const slot = (n * 31 + src[pos]! * 7 + src[end - 1]!) & 255;
  const hit = keyCache[slot];
  if (hit !== undefined && sameBytes(hit.bytes, pos, n)) {
    pos = end;
    return hit.key;
  }
  const start = pos;
  const k = text(n);
  if (k !== MISS) keyCache[slot] = { bytes: src.slice(start, end), key: k as string };
  return k;
}

function sameBytes(bytes: Uint8Array, at: number, n: number): boolean {
  if (bytes.length !== n) return false;
  for (let i = 0; i < n; i++) if (bytes[i] !== src[at + i]) return false;
  return true;
}

function array(n: number, depth: number): unknown {
  if (n > MAX_COUNT || n > src.length - pos) return MISS;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const v = item(depth + 1);
    if (v === MISS) return MISS;
    out[i] = v;
  }
  return out;
}

function map(n: number, depth: number): unknown {
  if (n > MAX_COUNT || n > (src.length - pos) / 2) return MISS;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    // Keys: ASCII text only (cbor-x turns other keys into strings and renames '__proto__').
    const k = key(depth + 1);
    if (k === MISS || k === '__proto__') return MISS;
    const v = item(depth + 1);
    if (v === MISS) return MISS;
    out[k as string] = v;
  }
  return out;
}

/** Tag 1 (epoch seconds) over an integer or a double, as cbor-x reads it. */
function date(): unknown {
  if (pos >= src.length) return MISS;
  const initial = src[pos]!;
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (!(major === 0 || major === 1 || (major === 7 && info === 27))) return MISS;
  const secs = item(MAX_DEPTH);
  if (typeof secs !== 'number') return MISS;
  return new Date(Math.round(secs * 1000));
}
