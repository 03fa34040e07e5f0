/** Raw snapshots of a store, to prove that a failed call wrote nothing. */
import type { SkyShelve } from '../../src/index.js';

/** Every raw entry of the store, internal keys included, as "keyhex=valuehex" lines in key order. */
export async function rawSnapshot(store: SkyShelve<any>): Promise<string[]> {
  const cursor = (await store.backend()).iterate({});
  const out: string[] = [];
  try {
    for (;;) {
      const chunk = await cursor.next(512);
      if (chunk.length === 0) return out;
      for (const { key, value } of chunk) out.push(`${Buffer.from(key).toString('hex')}=${Buffer.from(value).toString('hex')}`);
    }
  } finally {
    await cursor.close();
  }
}

/** Runs `fn` and returns what it threw or rejected with, and whether it threw synchronously. */
export async function caught(fn: () => unknown): Promise<{ err: unknown; threwSync: boolean }> {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    return { err, threwSync: true };
  }
  try {
    await result;
  } catch (err) {
    return { err, threwSync: false };
  }
  return { err: undefined, threwSync: false };
}
