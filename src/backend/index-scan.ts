/** The engine-neutral rule of Backend.indexScan (docs/ABI.md, "Index scans"), for backends written in TypeScript. */

/**
 * The record key an index entry key names: `recordPrefix`, then the entry key's last element and the
 * end marker 0x00; undefined when the entry key is not tuple-shaped (a marker byte, self-delimiting
 * elements, the end marker as the last byte). The same rule as recordKeyOf in native/indexscan.go.
 */
export function recordKeyOf(recordPrefix: Uint8Array, entry: Uint8Array): Uint8Array | undefined {
  let last = -1;
  for (let pos = 1; pos < entry.length; ) {
    const tag = entry[pos]!;
    if (tag === 0x00) {
      if (pos !== entry.length - 1 || last < 0) return undefined;
      const key = new Uint8Array(recordPrefix.length + entry.length - last);
      key.set(recordPrefix);
      key.set(entry.subarray(last), recordPrefix.length);
      return key;
    }
    last = pos;
    if (tag === 0x10) pos += 9;
    else if (tag === 0x20 || tag === 0x30) {
      const end = entry.indexOf(0, pos + 1);
      if (end < 0) return undefined;
      pos = end + 1;
    } else return undefined;
  }
  return undefined;
}
