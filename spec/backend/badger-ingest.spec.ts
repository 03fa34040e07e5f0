import { expect } from 'chai';
import { BadgerBackend } from '../../src/backend/badger.js';
import type { RawEntry } from '../../src/backend/backend.js';
import { rejectsWith } from '../support/rejects.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

const b = (s: string) => Buffer.from(s);

/** Every raw entry of a backend, as [key, value] strings in key order. */
async function entries(db: BadgerBackend): Promise<Array<[string, string]>> {
  const cursor = db.iterate({});
  const all: Array<[string, string]> = [];
  for (let chunk = await cursor.next(1000); chunk.length; chunk = await cursor.next(1000)) {
    for (const e of chunk) all.push([Buffer.from(e.key).toString('hex'), Buffer.from(e.value).toString('hex')]);
  }
  await cursor.close();
  return all;
}

function puts(from: number, to: number, tag = 'v'): RawEntry[] {
  return Array.from({ length: to - from }, (_, i) => ({ key: b(`k${String(from + i).padStart(6, '0')}`), value: b(`${tag}${from + i}`) }));
}

describe('Badger bulk ingest (backend)', () => {
  after(cleanupTmp);

  it('declares the capability', () => {
    const db = BadgerBackend.openSync({ inMemory: true });
    expect(db.supports.bulkIngest).to.equal(true);
    db.closeSync();
  });

  it('loads the same entries as ordinary writes, sorted or not, and a later put of a key wins', async () => {
    const batches = [puts(0, 500), puts(500, 1000), puts(200, 300, 'again'), puts(1000, 1200)];
    const slow = BadgerBackend.openSync({ path: tmpDir('sky-ingest-') });
    for (const batch of batches) await slow.write(batch.map((e) => ({ type: 'put' as const, ...e })));
    const fast = BadgerBackend.openSync({ path: tmpDir('sky-ingest-') });
    const start = await fast.ingest();
    expect(start.ingest, 'an empty store qualifies').to.not.equal(undefined);
    for (const batch of batches) await start.ingest!.add(batch);
    await start.ingest!.finish();
    expect(await entries(fast)).to.deep.equal(await entries(slow));
    expect(Buffer.from((await fast.get(b('k000250')))!).toString()).to.equal('again250');
    slow.closeSync();
    fast.closeSync();
  });

  it('does not start on a store with entries, and changes nothing there', async () => {
    const db = BadgerBackend.openSync({ path: tmpDir('sky-ingest-') });
    await db.write([{ type: 'put', key: b('a'), value: b('1') }]);
    const start = await db.ingest();
    expect(start.ingest).to.equal(undefined);
    expect(start).to.have.property('reason').that.contains('not empty');
    expect(await entries(db)).to.deep.equal([[b('a').toString('hex'), b('1').toString('hex')]]);
    db.closeSync();
  });

  it('owns the store while it runs: other handles get BUSY, and abort leaves the store empty', async () => {
    const dir = tmpDir('sky-ingest-');
    const db = BadgerBackend.openSync({ path: dir });
    const other = BadgerBackend.openSync({ path: dir });
    const { ingest } = await db.ingest();
    await ingest!.add(puts(0, 100));
    await rejectsWith(() => other.write([{ type: 'put', key: b('x'), value: b('1') }]), 'BUSY');
    await rejectsWith(() => other.get(b('k000001')), 'BUSY');
    await rejectsWith(() => other.ingest(), 'BUSY');
    await ingest!.abort();
    expect(await entries(other)).to.deep.equal([]);
    await other.write([{ type: 'put', key: b('x'), value: b('1') }]);
    await rejectsWith(() => ingest!.add(puts(0, 1)), 'CLOSED');
    other.closeSync();
    db.closeSync();
  });

  it('refuses the reserved native prefix FF "skyshelve" 00, like an ordinary write', async () => {
    const db = BadgerBackend.openSync({ path: tmpDir('sky-ingest-') });
    const reserved = Buffer.concat([Buffer.from([0xff]), b('skyshelve'), Buffer.from([0]), b('applied')]);
    let refused: unknown;
    await db.write([{ type: 'put', key: reserved, value: b('1') }]).catch((err: unknown) => (refused = err));
    expect(String(refused)).to.match(/reserved prefix/);
    const { ingest } = await db.ingest();
    let refusedToo: unknown;
    await ingest!.add([{ key: reserved, value: b('1') }]).catch((err: unknown) => (refusedToo = err));
    expect(String(refusedToo)).to.match(/reserved prefix/);
    await ingest!.abort();
    expect(await entries(db)).to.deep.equal([]);
    db.closeSync();
  });
});
