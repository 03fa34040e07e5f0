/** Conditional writes (the shared contract) and the atomic delete, on every backend of the compliance suite. */
import { expect } from 'chai';
import type { SkyShelve } from '../../src/index.js';
import { encodeKey } from '../../src/codec/keys.js';
import { decodeValue, encodeValue } from '../../src/codec/values.js';
import { retryOnConflict, writeChecked } from '../../src/backend/conditional.js';
import { rejectsWith } from '../support/rejects.js';

/** Registers the tests; `store()` is the suite's fresh store of the current test. */
export function conditionalTests(store: () => SkyShelve<any>): void {
  it('store.delete returns true exactly once when many deletes of one key race', async () => {
    for (let round = 0; round < 5; round++) {
      await store().set('gone', round);
      const results = await Promise.all(Array.from({ length: 8 }, () => store().delete('gone')));
      expect(results.filter((r) => r).length, `round ${round}`).to.equal(1);
      expect(await store().has('gone')).to.equal(false);
    }
  });

  it('conditional write: applies when checks hold, rejects CONFLICT naming the first failed check and writes nothing', async () => {
    const b = await store().backend();
    const k = (s: string): Uint8Array => encodeKey(s);
    await store().set('a', 1);
    await writeChecked(b, [{ type: 'put', key: k('b'), value: encodeValue(2) }], [{ key: k('a'), value: encodeValue(1) }, { key: k('b') }]);
    expect(await store().get('b')).to.equal(2);
    const err = await rejectsWith(
      () =>
        writeChecked(
          b,
          [
            { type: 'put', key: k('c'), value: encodeValue(3) },
            { type: 'del', key: k('a') },
          ],
          [{ key: k('a'), value: encodeValue(1) }, { key: k('b') }],
        ),
      'CONFLICT',
    );
    expect(err.details).to.include({ index: 1 });
    await rejectsWith(() => writeChecked(b, [{ type: 'del', key: k('a') }], [{ key: k('a'), value: encodeValue(9) }]), 'CONFLICT');
    await rejectsWith(() => writeChecked(b, [{ type: 'del', key: k('a') }], [{ key: k('missing'), value: encodeValue(1) }]), 'CONFLICT');
    expect(await store().has('c')).to.equal(false);
    expect(await store().get('a')).to.equal(1);
    if (b.supports.conditionalWrites) {
      await rejectsWith(() => b.write([{ type: 'put', key: k('c'), value: encodeValue(3) }], [{ key: k('a') }]), 'CONFLICT');
      expect(await store().has('c')).to.equal(false);
    }
  });

  it('conditional write: checks see writes started before them, and writes started after them land after', async () => {
    const b = await store().backend();
    const key = encodeKey('order');
    const put = (v: number): Promise<void> => b.write([{ type: 'put', key, value: encodeValue(v) }]);
    for (let round = 0; round < 20; round++) {
      const before = put(round * 10 + 1); // not awaited: still in flight when the checked write starts
      const checked = writeChecked(b, [{ type: 'put', key, value: encodeValue(round * 10 + 2) }], [{ key, value: encodeValue(round * 10 + 1) }]);
      const after = put(round * 10 + 3);
      await Promise.all([before, checked, after]);
      expect(await store().get('order'), `round ${round}`).to.equal(round * 10 + 3);
    }
  });

  it('conditional write: 40 concurrent read-modify-write increments with retry lose none', async () => {
    const b = await store().backend();
    const key = encodeKey('counter');
    await store().set('counter', 0);
    await Promise.all(
      Array.from({ length: 40 }, () =>
        retryOnConflict(async () => {
          const current = await b.get(key);
          const next = encodeValue((decodeValue(current!) as number) + 1);
          await writeChecked(b, [{ type: 'put', key, value: next }], [{ key, value: current }]);
        }, 1000),
      ),
    );
    expect(await store().get('counter')).to.equal(40);
  });
}
