/**
 * Encoders and decoders for the request and response buffers of libskyshelve (docs/ABI.md).
 * Requests go into a caller-supplied buffer so the hot path reuses one allocation.
 */
import type { RawCheck, RawEntry, RawOp, RawRange, WriteRecords } from './backend.js';

const OP_PUT = 1;
const OP_DEL = 2;
const OP_CHECK_EQUAL = 3;
const OP_CHECK_ABSENT = 4;
const NO_CHECKS: readonly RawCheck[] = [];

/** One atomic batch: ops, or ops the store already encoded (WriteRecords). */
export type WriteUnit = readonly RawOp[] | WriteRecords;

export function isRecords(unit: WriteUnit): unit is WriteRecords {
  return !Array.isArray(unit);
}

/** Bytes needed to encode a write request. */
export function writeRequestSize(ops: readonly RawOp[], checks: readonly RawCheck[] = NO_CHECKS): number {
  return unitsRequestSize([ops], checks);
}

/** Bytes needed to encode a write request of several units (and checks). */
export function unitsRequestSize(units: readonly WriteUnit[], checks: readonly RawCheck[] = NO_CHECKS): number {
  let size = 4;
  for (const unit of units) {
    if (isRecords(unit)) size += unit.bytes.length;
    else for (const op of unit) size += 9 + op.key.length + (op.type === 'put' ? op.value!.length : 0);
  }
  for (const c of checks) size += 9 + c.key.length + (c.value?.length ?? 0);
  return size;
}

/**
 * Encodes `[u32 count]` then `[u8 op][u32 keyLen][key][u32 valLen][val]` per op, then one such record
 * per check (op 3 = value equals, 4 = absent); returns the length. `buf` must hold writeRequestSize bytes.
 */
export function encodeWrite(ops: readonly RawOp[], buf: Buffer, checks: readonly RawCheck[] = NO_CHECKS): number {
  return encodeUnits([ops], buf, checks);
}

/** encodeWrite of several units in order, as one request; records are copied as they are. */
export function encodeUnits(units: readonly WriteUnit[], buf: Buffer, checks: readonly RawCheck[] = NO_CHECKS): number {
  let count = checks.length;
  let pos = 4;
  for (const unit of units) {
    if (isRecords(unit)) {
      buf.set(unit.bytes, pos);
      pos += unit.bytes.length;
      count += unit.count;
      continue;
    }
    const ops = unit;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const value = op.type === 'put' ? op.value! : undefined;
      buf[pos] = value ? OP_PUT : OP_DEL;
      pos = putBytes(buf, pos + 1, op.key);
      pos = putBytes(buf, pos, value);
    }
    count += ops.length;
  }
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i]!;
    buf[pos] = check.value ? OP_CHECK_EQUAL : OP_CHECK_ABSENT;
    pos = putBytes(buf, pos + 1, check.key);
    pos = putBytes(buf, pos, check.value);
  }
  putU32(buf, 0, count);
  return pos;
}

/** Bytes needed to encode entries as a request of puts (encodePuts). */
export function putsRequestSize(entries: readonly RawEntry[]): number {
  let size = 4;
  for (const e of entries) size += 9 + e.key.length + e.value.length;
  return size;
}

/** Encodes entries as a write request of puts only (the layout of encodeWrite); returns the length. */
export function encodePuts(entries: readonly RawEntry[], buf: Buffer): number {
  let pos = putU32(buf, 0, entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    buf[pos] = OP_PUT;
    pos = putBytes(buf, pos + 1, e.key);
    pos = putBytes(buf, pos, e.value);
  }
  return pos;
}

/** Bytes needed to encode a get_many request. */
export function keysRequestSize(keys: readonly Uint8Array[]): number {
  let size = 4;
  for (const key of keys) size += 4 + key.length;
  return size;
}

/** Encodes `[u32 count]` then `[u32 keyLen][key]` per key; returns the length. */
export function encodeKeys(keys: readonly Uint8Array[], buf: Buffer): number {
  let pos = buf.writeUInt32LE(keys.length, 0);
  for (const key of keys) pos = putBytes(buf, pos, key);
  return pos;
}

/** Encodes `[u8 flags][u32 gteLen][gte][u32 ltLen][lt]`. */
export function encodeRange(range: RawRange): Buffer {
  const buf = Buffer.allocUnsafe(rangeSize(range));
  putRange(buf, 0, range);
  return buf;
}

/** Bytes needed to encode an index scan request. */
export function indexScanRequestSize(range: RawRange, recordPrefix: Uint8Array): number {
  return 4 + recordPrefix.length + rangeSize(range);
}

/** Encodes `[u32 prefixLen][record prefix]` then the range as encodeRange does; returns the length. */
export function encodeIndexScan(range: RawRange, recordPrefix: Uint8Array, buf: Buffer): number {
  return putRange(buf, putBytes(buf, 0, recordPrefix), range);
}

function rangeSize(range: RawRange): number {
  return 9 + (range.gte?.length ?? 0) + (range.lt?.length ?? 0);
}

function putRange(buf: Uint8Array, pos: number, range: RawRange): number {
  buf[pos] = range.reverse ? 1 : 0;
  return putBytes(buf, putBytes(buf, pos + 1, range.gte), range.lt);
}

/** Writes `[u32 len][bytes]` at pos (callers sized buf, so no bounds checks); returns the end. A plain
 * byte loop for short keys measured slower than TypedArray.set at every size (bench/RESULTS.md). */
function putBytes(buf: Uint8Array, pos: number, bytes: Uint8Array | undefined): number {
  const len = bytes === undefined ? 0 : bytes.length;
  pos = putU32(buf, pos, len);
  if (len !== 0) buf.set(bytes!, pos);
  return pos + len;
}

/** A little-endian u32 by plain byte stores (Buffer.writeUInt32LE checks its arguments on every call). */
function putU32(buf: Uint8Array, pos: number, v: number): number {
  buf[pos] = v;
  buf[pos + 1] = v >>> 8;
  buf[pos + 2] = v >>> 16;
  buf[pos + 3] = v >>> 24;
  return pos + 4;
}

/**
 * Decodes the `[i32 len][bytes]` records of a get_many response into `into`. Like decodeEntries,
 * the response is copied out of the scratch once and each value is a view into the copy.
 */
export function decodeValues(buf: Buffer, count: number, into: (Uint8Array | undefined)[]): void {
  let end = 0;
  for (let i = 0; i < count; i++) {
    const len = buf.readInt32LE(end);
    end += len < 0 ? 4 : 4 + len;
  }
  const copy = new Uint8Array(end);
  copy.set(buf.subarray(0, end));
  const ab = copy.buffer;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const len = buf.readInt32LE(pos);
    pos += 4;
    if (len < 0) {
      into.push(undefined);
    } else {
      into.push(new Uint8Array(ab, pos, len));
      pos += len;
    }
  }
}

/**
 * Decodes `count` `[u32 keyLen][key][u32 valLen][val]` entries of an iterator chunk. The chunk is
 * copied out of the scratch once and every key and value is a view into that copy: two views per
 * entry instead of two pooled copies (the copy is freed when no entry of the chunk is referenced).
 */
export function decodeEntries(buf: Buffer, count: number): RawEntry[] {
  const entries: RawEntry[] = new Array(count);
  let end = 0;
  for (let i = 0; i < count; i++) {
    end += 4 + u32(buf, end);
    end += 4 + u32(buf, end);
  }
  const chunk = new Uint8Array(end);
  chunk.set(buf.subarray(0, end));
  const ab = chunk.buffer;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const keyLen = u32(chunk, pos);
    const key = new Uint8Array(ab, pos + 4, keyLen);
    pos += 4 + keyLen;
    const valLen = u32(chunk, pos);
    const value = new Uint8Array(ab, pos + 4, valLen);
    pos += 4 + valLen;
    entries[i] = { key, value };
  }
  return entries;
}

/** A little-endian u32 without Buffer's argument checks (Go wrote the lengths; pos is in bounds). */
function u32(b: Uint8Array, pos: number): number {
  return (b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16)) + b[pos + 3]! * 0x1000000;
}
