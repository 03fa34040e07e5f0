/** Byte-string order helpers shared by range building in the store, the model layer and the CLI. */

/** The smallest byte string after `bytes`: `bytes` followed by a zero byte. */
export function successor(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** The larger of two byte strings in byte order. */
export function maxBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  return Buffer.compare(a, b) >= 0 ? a : b;
}

/** The smaller of two byte strings in byte order. */
export function minBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  return Buffer.compare(a, b) <= 0 ? a : b;
}
