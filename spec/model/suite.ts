/** The model contract, run once per backend with a store factory (see badger.spec.ts). */
import { expect } from 'chai';
import type { SkyShelve } from '../../src/index.js';
import { Address, defineModels, type Models } from './models.js';
import { internalKeys, rejects } from './helpers.js';
import { indexSuite } from './suite-indexes.js';
import { querySuite } from './suite-queries.js';
import { transactionSuite } from './suite-transactions.js';

/** What each test gets: a fresh store, its models and the warnings they emitted. */
export interface SuiteContext {
  store: SkyShelve<any>;
  m: Models;
  warnings: string[];
}

/** Runs every model test against stores made by `makeStore` (a fresh, empty store per test). */
export function modelSuite(name: string, makeStore: () => Promise<SkyShelve<any>>): void {
  describe(`models on ${name}`, function () {
    const ctx = {} as SuiteContext;
    beforeEach(async () => {
      ctx.store = await makeStore();
      ctx.warnings = [];
      ctx.m = defineModels(ctx.store, ctx.warnings);
    });
    afterEach(async () => {
      await ctx.store.close();
    });

    basicTests(ctx);
    updateTests(ctx);
    indexSuite(ctx);
    querySuite(ctx);
    transactionSuite(ctx);
  });
}

function basicTests(ctx: SuiteContext): void {
  it('lets passed fields override initializers while omitted ones keep their defaults', () => {
    const { User } = ctx.m;
    const alice = new User({ username: 'alice', email: 'alice@example.com' });
    expect(alice.tags).to.deep.equal([]);
    expect(alice.joined.getTime()).to.equal(0);
    const bob = new User({ username: 'bob', email: 'b@example.com', tags: ['admin'], joined: new Date(5) });
    expect(bob.tags).to.deep.equal(['admin']);
    expect(bob.joined.getTime()).to.equal(5);
    bob.tags = ['x']; // after construction, fields are plain fields again
    expect(bob.tags).to.deep.equal(['x']);
    expect(alice.key).to.equal('alice');
    expect(new User({ username: 'u', email: 'e@x.io' })).to.be.instanceOf(User);
  });

  it('saves and loads an instance of the class, with nested types and Dates restored', async () => {
    const { User } = ctx.m;
    const address = Object.assign(new Address(), { street: 'Main', since: new Date(1234) });
    await new User({ username: 'alice', email: 'alice@example.com', tags: ['a'], joined: new Date(99), address }).save();
    const u = await User.load('alice');
    expect(u).to.be.instanceOf(User);
    expect(u.key).to.equal('alice');
    expect(u.tags).to.deep.equal(['a']);
    expect(u.joined).to.be.instanceOf(Date);
    expect(u.joined.getTime()).to.equal(99);
    expect(u.address).to.be.instanceOf(Address);
    expect(u.address!.since).to.be.instanceOf(Date);
    expect(u.address!.since.getTime()).to.equal(1234);
  });

  it('uses the id field as the key when no @Key is declared, and numbers as keys', async () => {
    const { Score, ToDo } = ctx.m;
    await new Score({ id: 's1', points: 3 }).save();
    expect((await Score.load('s1')).points).to.equal(3);
    await new ToDo({ id: 7, owner: 'alice', title: 't' }).save();
    expect((await ToDo.load(7)).title).to.equal('t');
    // The key is declared a number: the string '7' (say, from a URL) is a mistake, not another key.
    await rejects(() => ToDo.exists('7' as any), 'TypeError');
  });

  it('rejects a missing record with NOT_FOUND unless a fallback is given', async () => {
    const { User } = ctx.m;
    const err = await rejects(() => User.load('nobody'), 'NOT_FOUND');
    expect(err.details).to.include({ key: 'nobody', model: 'User' });
    expect(await User.load('nobody', null)).to.equal(null);
    expect(await User.load('nobody', undefined)).to.equal(undefined);
  });

  it('reports existence and deletes the record with all its index entries', async () => {
    const { User } = ctx.m;
    await new User({ username: 'alice', email: 'a@example.com', handle: 'al', tags: ['x', 'y'] }).save();
    expect(await User.exists('alice')).to.equal(true);
    expect((await internalKeys(ctx.store, ['i', 'User'])).length).to.equal(5); // email, handle, joined, 2 tags
    expect(await User.delete('alice')).to.equal(true);
    expect(await User.delete('alice')).to.equal(false);
    expect(await User.exists('alice')).to.equal(false);
    expect(await internalKeys(ctx.store, ['i', 'User'])).to.deep.equal([]);
    expect(await internalKeys(ctx.store, ['m', 'User'])).to.deep.equal([]);
  });

  it('deletes through the instance method too', async () => {
    const { User } = ctx.m;
    const u = await new User({ username: 'alice', email: 'a@example.com' }).save();
    expect(await u.delete()).to.equal(true);
    expect(await User.exists('alice')).to.equal(false);
  });

  it('scans only its own model, in key order, with an optional key predicate', async () => {
    const { User, Score } = ctx.m;
    for (const n of ['carol', 'alice', 'bob', 'anna']) await new User({ username: n, email: `${n}@example.com` }).save();
    await new Score({ id: 'alice', points: 1 }).save();
    await ctx.store.set('alice', 'a plain key-value entry');
    expect((await User.scan()).map((u) => u.username)).to.deep.equal(['alice', 'anna', 'bob', 'carol']);
    expect((await User.scan((key) => key.startsWith('a'))).map((u) => u.username)).to.deep.equal(['alice', 'anna']);
    expect((await Score.scan()).map((s) => s.id)).to.deep.equal(['alice']);
    // Model data lives in the internal area: a plain scan sees only the plain entry.
    expect(await ctx.store.scan()).to.deep.equal([['alice', 'a plain key-value entry']]);
  });

  it('scans more records than one chunk', async () => {
    const { Score } = ctx.m;
    for (let i = 0; i < 600; i++) await new Score({ id: `s${String(i).padStart(4, '0')}`, points: i % 7 }).save();
    const all = await Score.scan();
    expect(all.length).to.equal(600);
    expect(all[599]!.id).to.equal('s0599');
    expect((await Score.scanIndex('points', 3)).length).to.equal(Math.ceil((600 - 3) / 7));
  });

  it('rejects a validation failure with VALIDATION and leaves no trace', async () => {
    const { User } = ctx.m;
    const err = await rejects(() => new User({ username: 'alice', email: 'not-an-email', tags: ['t'] }).save(), 'VALIDATION');
    const errors = err.details!.errors as Array<{ property: string }>;
    expect(errors.map((e) => e.property)).to.deep.equal(['email']);
    expect(await User.exists('alice')).to.equal(false);
    expect(await internalKeys(ctx.store, ['m', 'User'])).to.deep.equal([]);
    expect(await internalKeys(ctx.store, ['i', 'User'])).to.deep.equal([]);
    expect(await User.scanIndex('tag', 't')).to.deep.equal([]);
  });

  it('checks nested objects and reports a missing key as VALIDATION', async () => {
    const { User } = ctx.m;
    const address = Object.assign(new Address(), { street: 42 as unknown as string, since: new Date() });
    await rejects(() => new User({ username: 'alice', email: 'a@example.com', address }).save(), 'VALIDATION');
    await rejects(() => new User({ email: 'a@example.com' }).save(), 'VALIDATION');
    expect(await internalKeys(ctx.store, ['m', 'User'])).to.deep.equal([]);
  });

  it('rejects bad key arguments with a TypeError naming the argument', async () => {
    const { User } = ctx.m;
    for (const bad of [undefined, '', NaN, {}, [1]]) {
      const err = await rejects(() => User.load(bad as never), 'TypeError');
      expect((err as Error).message).to.match(/^key of User/);
    }
  });
}

function updateTests(ctx: SuiteContext): void {
  it('updates atomically: mutate in place, or return a replacement', async () => {
    const { User } = ctx.m;
    await new User({ username: 'alice', email: 'a@example.com' }).save();
    const u = await User.update('alice', {
      mutator: (x) => {
        x.tags.push('admin');
      },
    });
    expect(u.tags).to.deep.equal(['admin']);
    expect((await User.load('alice')).tags).to.deep.equal(['admin']);
    await User.update('alice', { mutator: (x) => new User({ username: x.username, email: 'new@example.com' }) });
    const loaded = await User.load('alice');
    expect(loaded.email).to.equal('new@example.com');
    expect(loaded.tags).to.deep.equal([]);
    expect((await User.children('tag', 'admin')).length).to.equal(0);
  });

  it('builds a missing record with defaultFactory, and rejects NOT_FOUND without one', async () => {
    const { User, Counter } = ctx.m;
    await rejects(() => User.update('alice', { mutator: () => {} }), 'NOT_FOUND');
    const u = await User.update('alice', {
      defaultFactory: () => new User({ username: 'alice', email: 'a@b.co' }),
      mutator: (x) => {
        x.tags.push('admin');
      },
    });
    expect(u.tags).to.deep.equal(['admin']);
    const c = await Counter.update('global', {
      defaultFactory: () => new Counter('global'),
      mutator: (x) => {
        x.value++;
      },
    });
    expect(c.value).to.equal(1);
    expect((await Counter.load('global')).value).to.equal(1);
  });

  it('loses no update when many async callers update one key at once', async () => {
    const { Counter } = ctx.m;
    await Promise.all(
      Array.from({ length: 100 }, () =>
        Counter.update('global', {
          defaultFactory: () => new Counter('global'),
          mutator: async (c) => {
            const v = c.value;
            await Promise.resolve();
            c.value = v + 1;
          },
        }),
      ),
    );
    expect((await Counter.load('global')).value).to.equal(100);
    expect((await Counter.scanIndex('value', 100)).length).to.equal(1);
    expect((await internalKeys(ctx.store, ['i', 'Counter', 'value'])).length).to.equal(1);
  });

  it('keeps the old record when an update fails validation or changes the key', async () => {
    const { User } = ctx.m;
    await new User({ username: 'alice', email: 'a@example.com', tags: ['keep'] }).save();
    await rejects(
      () =>
        User.update('alice', {
          mutator: (x) => {
            x.email = 'broken';
            x.tags = ['lost'];
          },
        }),
      'VALIDATION',
    );
    await rejects(
      () =>
        User.update('alice', {
          mutator: (x) => {
            x.username = 'bob';
          },
        }),
      'KEY_CHANGED',
    );
    const u = await User.load('alice');
    expect(u.email).to.equal('a@example.com');
    expect(u.tags).to.deep.equal(['keep']);
    expect(await User.exists('bob')).to.equal(false);
    expect((await User.children('tag', 'lost')).length).to.equal(0);
  });

  it('rejects a mutator that throws, writing nothing', async () => {
    const { Counter } = ctx.m;
    await new Counter('c', 5).save();
    let threw: unknown;
    try {
      await Counter.update('c', {
        mutator: (c) => {
          c.value = 6;
          throw new Error('boom');
        },
      });
    } catch (err) {
      threw = err;
    }
    expect((threw as Error).message).to.equal('boom');
    expect((await Counter.load('c')).value).to.equal(5);
  });

  it('stores plain PersistentObjects through toRecord and fromRecord, with boolean index values as 0/1', async () => {
    const { Counter } = ctx.m;
    for (let i = 1; i <= 4; i++) await new Counter(`c${i}`, i).save();
    const c = await Counter.load('c3');
    expect(c).to.be.instanceOf(Counter);
    expect(c.key).to.equal('c3');
    expect((await Counter.scanIndex('even', true)).map((x) => x.key)).to.deep.equal(['c2', 'c4']);
    expect((await Counter.scanIndex('even', 0)).map((x) => x.key)).to.deep.equal(['c1', 'c3']);
  });
}
