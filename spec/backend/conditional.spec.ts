/** Conditional writes on Badger (the shared contract of issues 11 and 14): checks verified atomically with the commit. */
import { expect } from 'chai';
import path from 'node:path';
import type { Backend } from '../../src/backend/backend.js';
import { SkyShelve } from '../../src/index.js';
import { rejectsWith } from '../support/rejects.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

const b = (s: string): Uint8Array => Buffer.from(s);
const text = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : Buffer.from(v).toString());

for (const where of ['on disk', 'in memory'] as const) {
  describe(`Badger conditional writes (${where})`, () => {
    let store: SkyShelve;
    let db: Backend;
    beforeEach(async () => {
      store = where === 'in memory' ? new SkyShelve(null, { inMemory: true }) : new SkyShelve(path.join(tmpDir('sky-cond-'), 'db'));
      db = await store.backend();
      await db.write([{ type: 'put', key: b('k'), value: b('v1') }]);
    });
    afterEach(() => store.close());
    after(cleanupTmp);

    it('declares conditionalWrites', () => {
      expect(db.supports.conditionalWrites).to.equal(true);
    });

    it('applies the batch when every check holds (equal and absent)', async () => {
      await db.write([{ type: 'put', key: b('k'), value: b('v2') }, { type: 'put', key: b('new'), value: b('n') }], [{ key: b('k'), value: b('v1') }, { key: b('new') }]);
      expect(text(await db.get(b('k')))).to.equal('v2');
      expect(text(await db.get(b('new')))).to.equal('n');
    });

    it('rejects with CONFLICT naming the first failed check, and writes nothing', async () => {
      const err = await rejectsWith(() => db.write([{ type: 'put', key: b('k'), value: b('v3') }, { type: 'del', key: b('k') }, { type: 'put', key: b('other'), value: b('o') }], [{ key: b('k'), value: b('v1') }, { key: b('k') }]), 'CONFLICT');
      expect(err.details?.index).to.equal(1);
      expect(text(await db.get(b('k')))).to.equal('v1');
      expect(await db.get(b('other'))).to.equal(undefined);
      const stale = await rejectsWith(() => db.write([{ type: 'put', key: b('k'), value: b('v3') }], [{ key: b('k'), value: b('v0') }]), 'CONFLICT');
      expect(stale.details?.index).to.equal(0);
      await rejectsWith(() => Promise.resolve().then(() => db.writeSync!([{ type: 'put', key: b('k'), value: b('x') }], [{ key: b('missing'), value: b('x') }])), 'CONFLICT');
      expect(text(await db.get(b('k')))).to.equal('v1');
    });

    it('sees the unsynced writes queued before it in the same turn', async () => {
      const first = db.write([{ type: 'put', key: b('k'), value: b('queued') }]);
      const second = db.write([{ type: 'put', key: b('k'), value: b('after') }], [{ key: b('k'), value: b('queued') }]);
      await Promise.all([first, second]);
      expect(text(await db.get(b('k')))).to.equal('after');
    });

    it('compares values byte for byte (a prefix or a longer value is a conflict)', async () => {
      await rejectsWith(() => db.write([{ type: 'del', key: b('k') }], [{ key: b('k'), value: b('v') }]), 'CONFLICT');
      await rejectsWith(() => db.write([{ type: 'del', key: b('k') }], [{ key: b('k'), value: b('v10') }]), 'CONFLICT');
      await rejectsWith(() => db.write([{ type: 'del', key: b('k') }], [{ key: b('k'), value: new Uint8Array(0) }]), 'CONFLICT');
      expect(text(await db.get(b('k')))).to.equal('v1');
    });
  });
}
