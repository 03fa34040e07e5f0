/** Issue 12 item 22: the compliance workload's randomness is seeded and can be replayed. */
import { expect } from 'chai';
import { prng, seedFromEnv } from './random.js';

describe('seeded spec randomness', function () {
  it('replays the same sequence for the same seed, and SKYSHELVE_SEED chooses it', () => {
    const take = (r: () => number) => Array.from({ length: 5 }, r);
    expect(take(prng(seedFromEnv({ SKYSHELVE_SEED: '42' })))).to.deep.equal(take(prng(42)));
    expect(take(prng(42))).to.not.deep.equal(take(prng(43)));
    expect(take(prng(7)).every((x) => x >= 0 && x < 1)).to.equal(true);
  });

  it('rejects a seed that is not a 32-bit whole number', () => {
    expect(() => seedFromEnv({ SKYSHELVE_SEED: 'abc' })).to.throw(TypeError, /SKYSHELVE_SEED/);
    expect(() => seedFromEnv({ SKYSHELVE_SEED: '-1' })).to.throw(TypeError);
  });
});
