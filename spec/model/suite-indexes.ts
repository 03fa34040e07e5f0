/** Index behaviour of the model suite: diffs, uniqueness, ranges, reindex and verification. */
import { expect } from 'chai';
import { IsString } from 'class-validator';
import { Index, Key, Persistent, PersistentBaseModel } from '../../src/index.js';
import { entryKey } from '../../src/model/layout.js';
import { internalKeys, rejects } from './helpers.js';
import type { SuiteContext } from './suite.js';

/** Index tests; registered inside modelSuite's describe. */
export function indexSuite(ctx: SuiteContext): void {
  it('leaves no stale entry when an indexed field changes', async () => {
    const { User } = ctx.m;
    const u = await new User({ username: 'alice', email: 'old@example.com', tags: ['a', 'b'] }).save();
    u.email = 'new@example.com';
    u.tags = ['b', 'c'];
    await u.save();
    expect(await User.scanIndex('email', 'old@example.com')).to.deep.equal([]);
    expect((await User.scanIndex('email', 'new@example.com')).map((x) => x.username)).to.deep.equal(['alice']);
    expect(await User.children('tag', 'a')).to.deep.equal([]);
    expect((await User.children('tag', 'c')).length).to.equal(1);
    const entries = await internalKeys(ctx.store, ['i', 'User']);
    expect(entries.map((e) => `${e[2]}=${e[3]}`).sort()).to.deep.equal(['email=new@example.com', 'joined=0', 'tag=b', 'tag=c']);
    expect(await User.verifyIndexes()).to.deep.equal({ checked: 1, missing: 0, stale: 0 });
  });

  it('rejects a duplicate unique value with UNIQUE and writes nothing', async () => {
    const { User } = ctx.m;
    await new User({ username: 'alice', email: 'a@example.com', handle: 'ace' }).save();
    const err = await rejects(() => new User({ username: 'bob', email: 'b@example.com', handle: 'ace' }).save(), 'UNIQUE');
    expect(err.details).to.include({ index: 'handle', value: 'ace', owner: 'alice' });
    expect(await User.exists('bob')).to.equal(false);
    expect(await User.scanIndex('email', 'b@example.com')).to.deep.equal([]);
    // The owner may save again, and the value is free once the owner lets it go.
    await (await User.load('alice')).save();
    await User.update('alice', {
      mutator: (u) => {
        u.handle = 'king';
      },
    });
    await new User({ username: 'bob', email: 'b@example.com', handle: 'ace' }).save();
    expect((await User.scanIndex('handle', 'ace')).map((u) => u.username)).to.deep.equal(['bob']);
  });

  it('lets only one of many concurrent saves claim a unique value', async () => {
    const { User } = ctx.m;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => new User({ username: `u${i}`, email: `u${i}@example.com`, handle: 'same' }).save()),
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).to.equal(1);
    expect((await User.scanIndex('handle', 'same')).length).to.equal(1);
  });

  it('answers range queries over negative and fractional numbers in numeric order', async () => {
    const { Score } = ctx.m;
    const points = [3.75, -10.5, 100, 0, -0.25, 2, 0.5, -1];
    for (const [i, p] of points.entries()) await new Score({ id: `s${i}`, points: p }).save();
    const q = async (r: object) => (await Score.scanIndexRange('points', r)).map((s) => s.points);
    expect(await q({})).to.deep.equal([-10.5, -1, -0.25, 0, 0.5, 2, 3.75, 100]);
    expect(await q({ gte: -1, lt: 2 })).to.deep.equal([-1, -0.25, 0, 0.5]);
    expect(await q({ gt: -1, lte: 2 })).to.deep.equal([-0.25, 0, 0.5, 2]);
    expect(await q({ lt: 0 })).to.deep.equal([-10.5, -1, -0.25]);
    expect(await q({ gt: 0.4999, reverse: true })).to.deep.equal([100, 3.75, 2, 0.5]);
    expect(await q({ gte: -0.25, limit: 2 })).to.deep.equal([-0.25, 0]);
    expect(await q({ gt: 5, lt: 1 })).to.deep.equal([]);
  });

  it('indexes Dates as epoch milliseconds, so they range in time order', async () => {
    const { User } = ctx.m;
    for (const [n, t] of [
      ['a', 3000],
      ['b', 1000],
      ['c', 2000],
    ] as const)
      await new User({ username: `u${n}`, email: `${n}@x.io`, joined: new Date(t) }).save();
    const found = await User.scanIndexRange('joined', { gte: new Date(1500), lte: new Date(3000) });
    expect(found.map((u) => u.username)).to.deep.equal(['uc', 'ua']);
    expect((await User.scanIndex('joined', new Date(1000))).map((u) => u.username)).to.deep.equal(['ub']);
  });

  it('names the right index when a query misspells one', async () => {
    const { User } = ctx.m;
    const err = await rejects(() => User.scanIndex('emial' as 'email', 'x'), 'TypeError');
    expect((err as Error).message).to.contain("did you mean 'email'");
    await rejects(() => User.scanIndexRange('email', { gtt: 1 } as object), 'TypeError');
  });

  it('rejects an extractor that throws or returns an unsupported type with INDEX, writing nothing', async () => {
    const { store } = ctx;
    @Persistent({ store })
    @Index('bad', (t: Thing) => {
      if (t.mode === 'throw') throw new Error('no');
      return t.mode === 'object' ? { a: 1 } : t.mode;
    })
    class Thing extends PersistentBaseModel {
      @Key() @IsString() name!: string;
      mode = 'ok';
    }
    await new Thing({ name: 'fine' }).save();
    const thrown = await rejects(() => new Thing({ name: 'x', mode: 'throw' }).save(), 'INDEX');
    expect(thrown.message).to.contain("'bad'");
    await rejects(() => new Thing({ name: 'y', mode: 'object' }).save(), 'INDEX');
    await rejects(
      () =>
        Thing.update('fine', {
          mutator: (t) => {
            t.mode = 'throw';
          },
        }),
      'INDEX',
    );
    expect((await Thing.scan()).map((t) => `${t.name}:${t.mode}`)).to.deep.equal(['fine:ok']);
    expect((await internalKeys(store, ['i', 'Thing'])).length).to.equal(1);
  });

  it('rebuilds entries with reindex after an index is added, and warns until then', async () => {
    const { store } = ctx;
    @Persistent({ store, namespace: 'Item' })
    class ItemV1 extends PersistentBaseModel {
      @Key() sku!: string;
      color = '';
    }
    for (const [sku, color] of [
      ['a', 'red'],
      ['b', 'blue'],
      ['c', 'red'],
    ])
      await new ItemV1({ sku, color }).save();
    const warnings: string[] = [];
    @Persistent({
      store,
      namespace: 'Item',
      onWarning: (m) => {
        warnings.push(m);
      },
    })
    class ItemV2 extends PersistentBaseModel<'color'> {
      @Key() sku!: string;
      @Index() color = '';
    }
    expect(await ItemV2.scanIndex('color', 'red')).to.deep.equal([]);
    expect(warnings.length).to.equal(1);
    expect(warnings[0]).to.contain("added 'color'").and.to.contain('reindex');
    expect(await ItemV2.verifyIndexes()).to.deep.equal({ checked: 3, missing: 3, stale: 0 });
    const progress: string[] = [];
    const result = await ItemV2.reindex({
      onProgress: (p) => {
        progress.push(`${p.phase}:${p.done}`);
      },
    });
    expect(result).to.deep.equal({ checked: 3, missing: 3, stale: 0 });
    expect(progress).to.include('records:3');
    expect((await ItemV2.scanIndex('color', 'red')).map((i) => i.sku)).to.deep.equal(['a', 'c']);
    expect(await ItemV2.verifyIndexes()).to.deep.equal({ checked: 3, missing: 0, stale: 0 });
    // The entry list kept beside each record was rewritten, so later changes diff correctly.
    await ItemV2.update('a', {
      mutator: (i) => {
        i.color = 'green';
      },
    });
    expect((await ItemV2.scanIndex('color', 'red')).map((i) => i.sku)).to.deep.equal(['c']);
  });

  it('detects and repairs a damaged index with verifyIndexes', async () => {
    const { User } = ctx.m;
    for (const n of ['alice', 'bob']) await new User({ username: n, email: `${n}@example.com`, tags: ['t'] }).save();
    const backend = await ctx.store.backend();
    await backend.write([
      { type: 'del', key: entryKey('User', 'email', 'alice@example.com', 'alice') },
      { type: 'put', key: entryKey('User', 'email', 'ghost@example.com', 'bob'), value: new Uint8Array(0) },
      { type: 'put', key: entryKey('User', 'tag', 't', 'nobody'), value: new Uint8Array(0) },
    ]);
    expect(await User.verifyIndexes()).to.deep.equal({ checked: 2, missing: 1, stale: 2 });
    expect(await User.verifyIndexes({ repair: true })).to.deep.equal({ checked: 2, missing: 1, stale: 2 });
    expect(await User.verifyIndexes()).to.deep.equal({ checked: 2, missing: 0, stale: 0 });
    expect((await User.scanIndex('email', 'alice@example.com')).length).to.equal(1);
    expect(await User.scanIndex('email', 'ghost@example.com')).to.deep.equal([]);
  });

  it('gives DECODE, naming the key, for a corrupt record', async () => {
    const { Counter } = ctx.m;
    await new Counter('c', 1).save();
    const { recordKey } = await import('../../src/model/layout.js');
    await (await ctx.store.backend()).write([{ type: 'put', key: recordKey('Counter', 'c'), value: Uint8Array.of(0x03, 0xff, 0x00) }]);
    const err = await rejects(() => Counter.load('c'), 'DECODE');
    expect(err.details).to.include({ key: 'c' });
  });
}
