import { expect } from 'chai';
import path from 'node:path';
import { SkyShelve, SkyshelveError } from '../../src/index.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { kvCases, type BadCase, type BadInputContext } from './bad-input-kv.js';
import { modelCases, seedModels } from './bad-input-model.js';
import { figure } from './figures.js';
import { caught, rawSnapshot } from './snapshot.js';

/** Checks that `err` is what the case expects: the code, or a TypeError naming the argument. */
function expectHandled(c: BadCase, err: unknown): void {
  expect(err, 'nothing was thrown').to.not.equal(undefined);
  const message = String((err as Error).message);
  if (c.code === 'TypeError') {
    expect(err, message).to.be.instanceOf(TypeError);
  } else {
    expect(err, message).to.be.instanceOf(SkyshelveError);
    expect((err as SkyshelveError).code, message).to.equal(c.code);
  }
  if (c.mentions) expect(message).to.match(c.mentions);
}

describe('bad input: each wrong input gets a specific error and leaves the store unchanged', function () {
  const cases = [...kvCases, ...modelCases];
  const ctx = {} as BadInputContext;
  let tried = 0;
  let handled = 0;

  before(async () => {
    ctx.dir = tmpDir('sky-bad-');
    ctx.store = await SkyShelve.open(path.join(ctx.dir, 'db'));
    await ctx.store.batch([
      { type: 'put', key: 'a', value: 1 },
      { type: 'put', key: ['t', 2], value: { x: [1, 2] } },
    ]);
    await seedModels(ctx.store);
    ctx.closed = await SkyShelve.open(null, { inMemory: true });
    await ctx.closed.close();
  });

  after(async () => {
    figure('bad-input', `tried=${tried} handled=${handled} (each with its specific code or a TypeError naming the argument, store unchanged)`);
    await ctx.store?.close();
    cleanupTmp();
  });

  it('has at least 30 cases across the key-value and model APIs', () => {
    expect(cases.length).to.be.at.least(30);
    expect(modelCases.length).to.be.at.least(8);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.code}`, async () => {
      tried++;
      await c.setup?.(ctx);
      const before = await rawSnapshot(ctx.store);
      const { err, threwSync } = await caught(() => c.run(ctx));
      expectHandled(c, err);
      expect(threwSync, c.sync ? 'a synchronous API must throw' : 'an async API must reject, not throw').to.equal(!!c.sync);
      expect(await rawSnapshot(ctx.store), 'the store changed').to.deep.equal(before);
      await ctx.store.set('probe', c.name); // the store stays usable
      expect(await ctx.store.get('probe')).to.equal(c.name);
      await ctx.store.delete('probe');
      handled++;
    });
  }
});
