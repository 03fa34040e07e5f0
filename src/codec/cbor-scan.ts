/**
 * Decode-side gate in front of cbor-x: one linear pass that accepts only a single, complete CBOR
 * item inside skyshelve's profile (docs/FORMAT.md, "CBOR profile"). cbor-x also understands record
 * structures, shared references, packed values and typed arrays; refusing those tags here keeps
 * decoding data-only, and checking every length against the bytes left keeps garbage from hanging.
 */
import { MAX_BIGINT_BYTES, MAX_DEPTH } from './cbor-check.js';
import { decodeError } from './helpers.js';

/** The CBOR tags a stored value may contain, and the major type each tag's content must have. */
export const ALLOWED_TAGS: ReadonlyMap<number, readonly number[]> = new Map([
  [0, [3]], // date/time string -> Date (read only; skyshelve writes tag 1)
  [1, [0, 1, 7]], // epoch seconds -> Date
  [2, [2]], // unsigned bignum -> BigInt
  [3, [2]], // negative bignum -> BigInt
  [258, [4]], // array -> Set
  [259, [5]], // map -> Map
]);

let src: Uint8Array = new Uint8Array(0);
let pos = 0;
let arg = 0; // the argument of the last header read
let info = 0; // the additional information of the last header read

/** Throws SkyshelveError('DECODE') unless bytes[start..] is exactly one CBOR item within the profile. */
export function checkCborProfile(bytes: Uint8Array, start: number): void {
  src = bytes;
  pos = start;
  try {
    item(0);
    if (pos !== bytes.length) throw decodeError('trailing bytes after the CBOR value');
  } finally {
    src = new Uint8Array(0); // do not keep the caller's bytes alive
  }
}

/** Reads one item header into `arg` and `info` and returns its major type. */
function header(): number {
  if (pos >= src.length) throw decodeError('the CBOR value is truncated');
  const initial = src[pos++];
  const major = initial >> 5;
  info = initial & 0x1f;
  if (info < 24) arg = info;
  else if (info <= 27) {
    const size = 1 << (info - 24);
    if (pos + size > src.length) throw decodeError('the CBOR value is truncated');
    arg = 0;
    for (let i = 0; i < size; i++) arg = arg * 256 + src[pos + i]; // exact below 2^53; beyond, lengths fail anyway
    pos += size;
  } else if (info !== 31) {
    throw decodeError(`reserved CBOR additional information ${info}`);
  }
  return major;
}

function item(depth: number): number {
  if (depth > MAX_DEPTH) throw decodeError(`the CBOR value is nested more than ${MAX_DEPTH} levels deep`);
  const major = header();
  if (info === 31) return indefinite(major, depth);
  switch (major) {
    case 0:
    case 1:
      return major;
    case 2:
    case 3:
      if (arg > src.length - pos) throw decodeError('a CBOR string is longer than the bytes left');
      pos += arg;
      return major;
    case 4:
      // every element takes at least one byte, so a count beyond the bytes left is corrupt
      if (arg > src.length - pos) throw decodeError('a CBOR array is longer than the bytes left');
      for (let n = arg; n > 0; n--) item(depth + 1);
      return major;
    case 5:
      if (arg > (src.length - pos) / 2) throw decodeError('a CBOR map is longer than the bytes left');
      for (let n = arg; n > 0; n--) {
        item(depth + 1);
        item(depth + 1);
      }
      return major;
    case 6:
      return tagged(depth);
    default:
      if (info >= 20 && info <= 23) return major; // false, true, null, undefined
      if (info >= 25 && info <= 27) return major; // half, single, double floats
      throw decodeError(`CBOR simple value ${info === 24 ? arg : info} is not part of the profile`);
  }
}

function indefinite(major: number, depth: number): number {
  if (major !== 4 && major !== 5) throw decodeError(`indefinite-length CBOR major type ${major} is not part of the profile`);
  for (;;) {
    if (pos >= src.length) throw decodeError('an indefinite-length CBOR item has no break');
    if (src[pos] === 0xff) break;
    item(depth + 1);
    if (major === 5) item(depth + 1);
  }
  pos++;
  return major;
}

function tagged(depth: number): number {
  const tag = arg;
  const allowed = ALLOWED_TAGS.get(tag);
  if (allowed === undefined) throw decodeError(`CBOR tag ${tag} is not part of the profile`);
  if (pos >= src.length) throw decodeError('the CBOR value is truncated');
  // Check the content's kind before reading it: no allowed tag holds a tag, so tags cannot chain,
  // and a tag with its content counts as one level of nesting, as the encoder counts it.
  const major = src[pos] >> 5;
  const contentInfo = src[pos] & 0x1f;
  // Dates need a number that fits a double: not true/false/null, not a 64-bit integer (read as BigInt).
  const badDate = tag === 1 && (major === 7 ? contentInfo < 25 || contentInfo > 27 : contentInfo === 27);
  if (!allowed.includes(major) || badDate) throw decodeError(`CBOR tag ${tag} holds the wrong kind of content`);
  item(depth);
  if ((tag === 2 || tag === 3) && arg > MAX_BIGINT_BYTES) throw decodeError(`a bignum is larger than ${MAX_BIGINT_BYTES} bytes`);
  return 6;
}
