import { expect } from 'chai';
import type { SkyShelve } from '../../src/index.js';
import { randomBytesFrom, seeded } from '../support/random.js';
import type { StoreFactory } from './factory.js';

/** Concurrency workloads of the compliance suite, checked again after a reopen. */
export function workloadTests(factory: StoreFactory, get: () => SkyShelve<any>, set: (s: SkyShelve<any>) => void, loc: () => string): void {
  it('keeps every write of 16 concurrent writers x 200 keys, after sync, close and reopen', async function () {
    this.timeout(180000);
    const store = get();
    const { seed, random } = seeded('writers');
    const expected = new Map<string, Buffer>();
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 200; i++) {
          const key = `w${w}:${i}`;
          const value = randomBytesFrom(random, 64);
          expected.set(key, value);
          await store.set(key, value);
          const back = await store.get(key);
          expect(Buffer.from(back).equals(value), `${key} (seed ${seed})`).to.equal(true);
        }
      }),
    );
    await store.sync();
    await store.close();
    const reopened = await factory.open(loc());
    set(reopened);
    let n = 0;
    for await (const [k, v] of reopened.entries()) {
      expect(Buffer.from(v).equals(expected.get(k as string)!), `${String(k)} (seed ${seed})`).to.equal(true);
      n++;
    }
    expect(n).to.equal(16 * 200);
  });

  it('matches a Map model under 8 workers x 500 mixed ops over 64 keys', async function () {
    this.timeout(180000);
    const store = get();
    const { seed, random } = seeded('mixed ops');
    const model = new Map<number, number>();
    let seq = 0;
    // Each op applies to the model after the store acknowledges it; keys are owned per worker so
    // the final state is deterministic although the workers interleave.
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 500; i++) {
          const key = w * 8 + Math.floor(random() * 8);
          const r = random();
          if (r < 0.5) {
            const v = ++seq;
            await store.set(key, v);
            model.set(key, v);
          } else if (r < 0.8) {
            expect(await store.get(key), `get ${key} (seed ${seed})`).to.equal(model.get(key));
          } else {
            expect(await store.delete(key), `delete ${key} (seed ${seed})`).to.equal(model.has(key));
            model.delete(key);
          }
        }
      }),
    );
    const final = new Map((await store.scan()).map(([k, v]) => [k as number, v as number]));
    expect(final, `seed ${seed}`).to.deep.equal(model);
  });
}
