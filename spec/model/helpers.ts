/** Helpers of the model specs: raw looks at the internal key area, and error assertions. */
import { expect } from 'chai';
import { SkyshelveError, type SkyShelve } from '../../src/index.js';
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

/** Asserts that `fn` rejects with a SkyshelveError of `code` (or a TypeError for 'TypeError'); returns the error. */
export async function rejects(fn: () => unknown, code: string): Promise<SkyshelveError> {
  try {
    await fn();
  } catch (err) {
    if (code === 'TypeError') expect(err, String(err)).to.be.instanceOf(TypeError);
    else {
      expect(err, String(err)).to.be.instanceOf(SkyshelveError);
      expect((err as SkyshelveError).code, String(err)).to.equal(code);
    }
    return err as SkyshelveError;
  }
  throw new Error(`expected a ${code} error, but nothing was thrown`);
}
