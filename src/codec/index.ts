/** The on-disk encoding of keys and values (docs/FORMAT.md): the only code that knows the byte layout. */
export {
  decodeInternalKey,
  decodeKey,
  encodeKey,
  encodeKeyPrefix,
  internalKey,
  internalPrefix,
  INTERNAL_AREA_START,
  KeyTag,
  MAX_KEY_BYTES,
  prefixUpperBound,
  USER_RANGE,
  type Key,
  type KeyPart,
} from './keys.js';
export { decodeValue, encodeValue, ValueTag, type EncodeValueOptions } from './values.js';
export { MAX_BIGINT_BYTES, MAX_DEPTH } from './cbor-check.js';
export { ALLOWED_TAGS } from './cbor-scan.js';
