/** Unique slots (docs/FORMAT.md): stores written before slots existed stay protected, and reindex adds the slots. */
import path from 'node:path';
import { expect } from 'chai';
import { Index, Key, Persistent, PersistentBaseModel, SkyShelve } from '../../src/index.js';
import { encodeValue } from '../../src/codec/values.js';
import { metaKey, slotKey } from '../../src/model/layout.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { internalKeys, rejects } from './helpers.js';

function member(store: SkyShelve<any>) {
  @Persistent({ store, namespace: 'Member', onWarning: () => {} })
  class Member extends PersistentBaseModel<'handle'> {
    @Key() id!: string;
    @Index({ unique: true }) handle!: string;
  }
  return Member;
}

describe('unique slots on Badger', () => {
  after(cleanupTmp);

  it('keeps a store written without slots unique (entry scan), and reindex writes the missing slots', async () => {
    const where = path.join(tmpDir('sky-slots-'), 'db');
    let store = await SkyShelve.open(where);
    const M1 = member(store);
    await new M1({ id: 'a', handle: 'h' }).save();
    expect(await internalKeys(store, ['u', 'Member'])).to.deep.equal([['u', 'Member', 'handle', 'h']]);
    // Make it look like a store of the version before slots: no slot, definitions without the flag.
    const backend = await store.backend();
    const meta = await backend.get(metaKey('Member'));
    const { decodeValue } = await import('../../src/codec/values.js');
    const { indexes } = decodeValue(meta!) as { indexes: string[] };
    await backend.write([
      { type: 'del', key: slotKey('Member', 'handle', 'h') },
      { type: 'put', key: metaKey('Member'), value: encodeValue({ indexes }) },
    ]);
    await store.close();

    store = await SkyShelve.open(where);
    try {
      const M2 = member(store);
      await rejects(() => new M2({ id: 'b', handle: 'h' }).save(), 'UNIQUE');
      expect(await M2.verifyIndexes()).to.deep.equal({ checked: 1, missing: 1, stale: 0 });
      await M2.reindex();
      expect(await internalKeys(store, ['u', 'Member'])).to.deep.equal([['u', 'Member', 'handle', 'h']]);
      expect(await M2.verifyIndexes()).to.deep.equal({ checked: 1, missing: 0, stale: 0 });
      await rejects(() => new M2({ id: 'b', handle: 'h' }).save(), 'UNIQUE');
      // Moving the value frees its slot.
      await new M2({ id: 'a', handle: 'h2' }).save();
      await new M2({ id: 'b', handle: 'h' }).save();
      expect(await internalKeys(store, ['u', 'Member'])).to.deep.equal([
        ['u', 'Member', 'handle', 'h'],
        ['u', 'Member', 'handle', 'h2'],
      ]);
      expect(await M2.delete('a')).to.equal(true);
      expect(await internalKeys(store, ['u', 'Member'])).to.deep.equal([['u', 'Member', 'handle', 'h']]);
      // Stale slots: one whose owner lacks the value, one whose owner is gone. They block the value until repaired.
      await (await store.backend()).write([
        { type: 'put', key: slotKey('Member', 'handle', 'zzz'), value: encodeValue('b') },
        { type: 'put', key: slotKey('Member', 'handle', 'ghost'), value: encodeValue('nobody') },
      ]);
      await rejects(() => new M2({ id: 'c', handle: 'ghost' }).save(), 'UNIQUE');
      expect(await M2.verifyIndexes()).to.deep.equal({ checked: 1, missing: 0, stale: 2 });
      expect((await M2.reindex()).stale).to.equal(2);
      expect(await internalKeys(store, ['u', 'Member'])).to.deep.equal([['u', 'Member', 'handle', 'h']]);
      await new M2({ id: 'c', handle: 'ghost' }).save();
    } finally {
      await store.close();
    }
  });
});
