/**
 * Encodes a whole batch straight into write records (docs/ABI.md, `sky_write`): the bytes
 * encodeKey and encodeValue would give, laid out as a write request's records, with no key array,
 * value array or op object in between. Two allocations and two copies fewer per op made `batch`
 * faster (bench/RESULTS.md, "Batch encoding in one pass").
 */
import type { WriteRecords } from '../backend/backend.js';
import { copyAscii } from './helpers.js';
import { FIRST_PLAIN_STRING_BYTE, KeyTag } from './key-format.js';
import { encodeKey } from './keys.js';
import { encodeValue, ValueTag } from './values.js';

const OP_PUT = 1;
const OP_DEL = 2;
const FIRST_SIZE = 64 * 1024;
// A batch larger than this gets a buffer of its own, so one huge batch does not pin its memory.
const KEEP_SIZE = 4 * 1024 * 1024;

let buf = Buffer.allocUnsafeSlow(FIRST_SIZE);

/** A batch op as the store receives it; anything else makes packRecords give up. */
interface LooseOp {
  readonly type?: unknown;
  readonly key?: unknown;
  readonly value?: unknown;
}

/**
 * The records of `ops`, or undefined when an op needs the checked path (not an object, unknown
 * type, or a key or value the encoders reject): the caller then encodes op by op, which throws the
 * error that names the op. The bytes are a view of a shared buffer that the next call overwrites.
 */
export function packRecords(ops: readonly unknown[], autoSerialize: boolean): WriteRecords | undefined {
  if (buf.length > KEEP_SIZE) buf = Buffer.allocUnsafeSlow(FIRST_SIZE);
  let pos = 0;
  try {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as LooseOp | null;
      if (op === null || typeof op !== 'object') return undefined;
      const type = op.type;
      if (type !== 'put' && type !== 'del') return undefined;
      reserve(pos, 1);
      buf[pos] = type === 'put' ? OP_PUT : OP_DEL;
      pos = putKey(op.key, pos + 1);
      pos = type === 'put' ? putValue(op.value, autoSerialize, pos) : putEmpty(pos);
    }
  } catch {
    return undefined;
  }
  return { count: ops.length, bytes: buf.subarray(0, pos) };
}

/** Makes room for `need` more bytes after `pos`, keeping what is written. */
function reserve(pos: number, need: number): void {
  if (pos + need <= buf.length) return;
  const next = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, pos + need));
  buf.copy(next, 0, 0, pos);
  buf = next;
}

/** Writes the key's `[u32 len][bytes]`; short ASCII strings (encodeKey's fast path) are written in place. */
function putKey(key: unknown, pos: number): number {
  if (typeof key === 'string' && key.length > 0 && key.length <= 62) {
    const n = key.length;
    reserve(pos, n + 6);
    if (copyAscii(key, buf, pos + 5, FIRST_PLAIN_STRING_BYTE)) {
      putU32(n + 2, pos);
      buf[pos + 4] = KeyTag.STRING;
      buf[pos + 5 + n] = 0;
      return pos + 6 + n;
    }
  }
  return putBytes(encodeKey(key as Parameters<typeof encodeKey>[0]), pos);
}

/** Writes a value's `[u32 len][tag][payload]`; bytes and short ASCII strings are copied in place. */
function putValue(value: unknown, autoSerialize: boolean, pos: number): number {
  if (value instanceof Uint8Array) {
    const n = value.length;
    reserve(pos, n + 5);
    putU32(n + 1, pos);
    buf[pos + 4] = ValueTag.BYTES;
    buf.set(value, pos + 5);
    return pos + 5 + n;
  }
  if (typeof value === 'string' && value.length <= 64) {
    const n = value.length;
    reserve(pos, n + 5);
    if (copyAscii(value, buf, pos + 5, 0)) {
      putU32(n + 1, pos);
      buf[pos + 4] = ValueTag.STRING;
      return pos + 5 + n;
    }
  }
  return putBytes(encodeValue(value, { autoSerialize }), pos);
}

/** A delete's empty value. */
function putEmpty(pos: number): number {
  reserve(pos, 4);
  putU32(0, pos);
  return pos + 4;
}

/** Writes `[u32 len][bytes]`. */
function putBytes(bytes: Uint8Array, pos: number): number {
  reserve(pos, 4 + bytes.length);
  putU32(bytes.length, pos);
  buf.set(bytes, pos + 4);
  return pos + 4 + bytes.length;
}

/** A little-endian u32 by byte stores (Buffer.writeUInt32LE checks its arguments on every call). */
function putU32(v: number, pos: number): void {
  buf[pos] = v;
  buf[pos + 1] = v >>> 8;
  buf[pos + 2] = v >>> 16;
  buf[pos + 3] = v >>> 24;
}
