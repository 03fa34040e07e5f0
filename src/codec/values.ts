/**
 * Value encoding (see docs/FORMAT.md, "Values"): one tag byte, then the payload. Strings and bytes
 * are stored as they are; everything else is CBOR (RFC 8949) in a data-only profile.
 */
import { Decoder, Encoder } from 'cbor-x';
import { prepareValue } from './cbor-check.js';
import { checkCborProfile } from './cbor-scan.js';
import { allocBytes, copyAscii, decodeError, decodeUtf8, isWellFormed } from './helpers.js';
import { describeType } from '../options.js';

/** The first byte of every stored value; any other first byte is DECODE. */
export const ValueTag = { STRING: 0x01, BYTES: 0x02, CBOR: 0x03 } as const;

/** Options of encodeValue. */
export interface EncodeValueOptions {
  /** When false, only strings and bytes are accepted (default true: anything CBOR can hold). */
  autoSerialize?: boolean;
  /** The argument name used in TypeError messages (default 'value'). */
  argName?: string;
}

// The options turn off every cbor-x extension that is not plain data: records and shared
// structures (need out-of-band state), structured clone (reference tags), bundled strings and
// packing, and the tag 64 wrapper on Uint8Array (bytes stay a plain CBOR byte string).
const encoder = new Encoder({
  useRecords: false,
  structuredClone: false,
  pack: false,
  bundleStrings: false,
  tagUint8Array: false,
  variableMapSize: true, // preferred (shortest) map headers; iterates own enumerable keys only
  mapsAsObjects: true, // a JS Map is written as tag 259 so it comes back as a Map
  useTag259ForMaps: true,
  largeBigIntToFloat: false,
  useToJSON: false,
} as ConstructorParameters<typeof Encoder>[0]);
// copyBuffers: decoded byte strings must not alias the caller's (possibly reused) buffer.
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true, copyBuffers: true } as ConstructorParameters<typeof Decoder>[0]);

/** Encodes a value as tag + payload; throws TypeError for values that cannot be stored. */
export function encodeValue(value: unknown, options?: EncodeValueOptions): Uint8Array {
  if (typeof value === 'string') return encodeString(value, options?.argName);
  if (value instanceof Uint8Array) {
    const out = allocBytes(value.length + 1);
    out[0] = ValueTag.BYTES;
    out.set(value, 1);
    return out;
  }
  const argName = options?.argName ?? 'value';
  if (value === undefined) throw new TypeError(`${argName} is undefined; to remove a key use delete`);
  if (options?.autoSerialize === false) {
    throw new TypeError(`${argName} must be a string or Buffer/Uint8Array when autoSerialize is false; got ${describeType(value)}`);
  }
  const body = encoder.encode(prepareValue(value, argName));
  const out = allocBytes(body.length + 1);
  out[0] = ValueTag.CBOR;
  out.set(body, 1);
  return out;
}

/** Decodes bytes written by encodeValue; throws SkyshelveError('DECODE') on anything else. */
export function decodeValue(bytes: Uint8Array): unknown {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 0) throw decodeError('the value is empty (no tag byte)');
  switch (bytes[0]) {
    case ValueTag.STRING:
      return decodeUtf8(bytes, 1, bytes.length, false);
    case ValueTag.BYTES: {
      const out = Buffer.allocUnsafe(bytes.length - 1); // a copy: the caller's buffer may be reused
      out.set(bytes.subarray(1));
      return out;
    }
    case ValueTag.CBOR:
      return decodeCbor(bytes);
    default:
      throw decodeError(`unknown value tag 0x${bytes[0].toString(16).padStart(2, '0')}`);
  }
}

function decodeCbor(bytes: Uint8Array): unknown {
  checkCborProfile(bytes, 1);
  try {
    // A Buffer view (not a copy) so that cbor-x's copied byte strings come back as Buffers.
    return decoder.decode(Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.length - 1));
  } catch (err) {
    throw decodeError('the CBOR value is malformed', err);
  }
}

/** UTF-8 after the tag; short ASCII is written by hand because Buffer.write costs more than the copy. */
function encodeString(text: string, argName = 'value'): Uint8Array {
  if (text.length <= 64) {
    const out = allocBytes(text.length + 1);
    out[0] = ValueTag.STRING;
    if (copyAscii(text, out, 1, 0)) return out;
  }
  if (!isWellFormed(text)) throw new TypeError(`${argName} is a string with a lone surrogate; it has no UTF-8 form and cannot be stored`);
  const size = Buffer.byteLength(text, 'utf8');
  const out = Buffer.allocUnsafe(size + 1);
  out[0] = ValueTag.STRING;
  out.write(text, 1, 'utf8');
  return out;
}
