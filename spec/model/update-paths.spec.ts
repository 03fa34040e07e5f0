/**
 * Model.update's first attempt without promise turns (src/model/update.ts): a CONFLICT there goes
 * on to the retry loop, and an attempt that turns async still keeps this process's other writes of
 * the record waiting. Each case runs with the synchronous path and with it hidden.
 */
import { expect } from 'chai';
import path from 'node:path';
import { SkyShelve } from '../../src/index.js';
import type { Backend } from '../../src/backend/backend.js';
import { recordKey } from '../../src/model/layout.js';
import { WriteSet } from '../../src/model/write-set.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { makeCounterClass } from './fixtures/counter-class.js';

function defineCounter(store: SkyShelve) {
  const Counter = makeCounterClass();
  Counter.configureStorage({ store, namespace: 'up-counter' });
  return Counter;
}

for (const sync of [true, false]) {
  describe(`Model.update ${sync ? 'with' : 'without'} the synchronous first attempt`, () => {
    let store: SkyShelve;
    let backend: Backend;
    let Counter: ReturnType<typeof defineCounter>;

    beforeEach(async () => {
      store = await SkyShelve.open(path.join(tmpDir('sky-up-'), 'db'));
      backend = await store.backend();
      // Hiding the sync capability sends the model layer down its async path.
      if (!sync) Object.defineProperty(backend, 'supports', { value: { ...backend.supports, sync: false }, configurable: true });
      expect(new WriteSet(backend).now).to.equal(sync);
      Counter = defineCounter(store);
    });

    afterEach(async () => {
      await store.close();
      cleanupTmp();
    });

    it('runs the mutator again on the new state when another writer changed the record during the first attempt', async () => {
      const rk = recordKey('up-counter', 'k');
      await new Counter('k', 100).save();
      const hundred = await backend.get(rk);
      await new Counter('k', 1).save();
      const seen: number[] = [];
      const result = await Counter.update('k', {
        mutator: (c) => {
          seen.push(c.value);
          // Another writer, between this attempt's read and its commit.
          if (seen.length === 1) backend.writeSync!([{ type: 'put', key: rk, value: hundred! }]);
          c.value++;
        },
      });
      expect(seen).to.deep.equal([1, 100]);
      expect(result.value).to.equal(101);
      expect((await Counter.load('k')).value).to.equal(101);
    });

    it('keeps a second update of the record waiting while the first awaits its async mutator (no CONFLICT, no extra run)', async () => {
      await new Counter('k', 0).save();
      let runs = 0;
      const mutator = async (c: InstanceType<typeof Counter>) => {
        runs++;
        await new Promise((r) => setTimeout(r, 5));
        c.value++;
      };
      const [a, b] = await Promise.all([Counter.update('k', { mutator }), Counter.update('k', { mutator })]);
      expect([a.value, b.value].sort()).to.deep.equal([1, 2]);
      expect(runs).to.equal(2);
      expect((await Counter.load('k')).value).to.equal(2);
    });
  });
}
