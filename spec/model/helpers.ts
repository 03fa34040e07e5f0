/** Helpers of the model specs: raw looks at the internal key area, and error assertions. */
import type { SkyShelve } from '../../src/index.js';
import { decodeInternalKey, internalPrefix, prefixUpperBound, type KeyPart } from '../../src/codec/keys.js';

/** Every internal key (decoded) starting with `parts`, e.g. ['i', 'User'] for User's index entries. */
export async function internalKeys(store: SkyShelve<any>, parts: KeyPart[]): Promise<KeyPart[][]> {
  const gte = internalPrefix(parts);
  const cursor = (await store.backend()).iterate({ gte, lt: prefixUpperBound(gte) });
  const out: KeyPart[][] = [];
  try {
    for (let chunk = await cursor.next(100); chunk.length > 0; chunk = await cursor.next(100)) {
      for (const e of chunk) out.push(decodeInternalKey(e.key));
    }
  } finally {
    await cursor.close();
  }
  return out;
}

export { rejectsWith as rejects } from '../support/rejects.js';
