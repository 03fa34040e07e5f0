import type { RawRange } from './backend/backend.js';
import { maxBytes, minBytes, successor } from './codec/bytes.js';
import { encodeKey, encodeKeyPrefix, prefixUpperBound, USER_RANGE, type Key } from './codec/keys.js';
import { checkOptions } from './options.js';

/** Bounds and direction for `entries`, `keys` and friends. Keys compare in encoded (logical) order. */
export interface RangeOptions {
  prefix?: Key;
  gt?: Key;
  gte?: Key;
  lt?: Key;
  lte?: Key;
  reverse?: boolean;
  /** The most entries to return; absent or -1 means no limit. */
  limit?: number;
}

const RANGE_KEYS = ['prefix', 'gt', 'gte', 'lt', 'lte', 'reverse', 'limit'];

/** Checks range options and turns them into one byte range inside the user key area. */
export function toRawRange(options: RangeOptions = {}): RawRange {
  checkOptions(options, RANGE_KEYS, 'range options');
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= -1)) {
    throw new TypeError(`range options.limit must be a whole number >= 0 (or -1 for no limit), got ${String(options.limit)}`);
  }
  let lower: Uint8Array = USER_RANGE.gte;
  let upper: Uint8Array = USER_RANGE.lt;
  if (options.prefix !== undefined) {
    const p = encodeKeyPrefix(options.prefix);
    lower = maxBytes(lower, p);
    const up = prefixUpperBound(p);
    if (up) upper = minBytes(upper, up);
  }
  if (options.gte !== undefined) lower = maxBytes(lower, encodeKey(options.gte, 'range options.gte'));
  // The byte string right after k is k + 0x00, so "> k" is ">= k + 0x00" and "<= k" is "< k + 0x00".
  if (options.gt !== undefined) lower = maxBytes(lower, successor(encodeKey(options.gt, 'range options.gt')));
  if (options.lt !== undefined) upper = minBytes(upper, encodeKey(options.lt, 'range options.lt'));
  if (options.lte !== undefined) upper = minBytes(upper, successor(encodeKey(options.lte, 'range options.lte')));
  return { gte: lower, lt: upper, reverse: options.reverse === true };
}

/** True when the range cannot hold any key. */
export function isEmptyRange(range: RawRange): boolean {
  return range.gte !== undefined && range.lt !== undefined && Buffer.compare(range.gte, range.lt) >= 0;
}
