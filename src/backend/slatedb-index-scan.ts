/**
 * Backend.indexScan for a SlateDB writer: the entries of a range and the records they name, read
 * from one snapshot (Db.snapshot), so they agree with each other even while writes go on. A reader
 * (DbReader) has no snapshot, so it does not declare supports.indexScan.
 */
import type { Db } from '@slatedb/uniffi';
import type { RawIndexChunk, RawIndexHit, RawRange } from './backend.js';
import { recordKeyOf } from './index-scan.js';
import { SlateCursor, type CursorHost } from './slatedb-cursor.js';

/** Up to `max` entries of `range` with their records; see Backend.indexScan. */
export async function slateIndexScan(host: CursorHost, db: Db, range: RawRange, recordPrefix: Uint8Array, max: number): Promise<RawIndexChunk> {
  max = Math.floor(max);
  if (!(max >= 1)) throw new RangeError(`indexScan: max must be at least 1, got ${max}`);
  const snapshot = await host.run('indexScan', () => db.snapshot());
  try {
    const cursor = new SlateCursor(host, snapshot, range);
    // One more entry than asked tells whether the range holds more.
    const entries = await cursor.next(max + 1).finally(() => cursor.close());
    const done = entries.length <= max;
    if (!done) entries.length = max;
    const hits = await Promise.all(
      entries.map(async ({ key }): Promise<RawIndexHit> => {
        const recordKey = recordKeyOf(recordPrefix, key);
        if (recordKey === undefined) return { key, malformed: true };
        const record = await host.run('indexScan', () => snapshot.get(recordKey));
        return record === undefined ? { key } : { key, record };
      }),
    );
    return { hits, done };
  } finally {
    snapshot.dispose();
  }
}
