/** Model.transaction per backend (run by suite.ts): atomicity, retries, CONFLICT, aborts, isolation. */
import { expect } from 'chai';
import { IsInt, Min } from 'class-validator';
import { Key, Persistent, PersistentBaseModel, SkyShelve } from '../../src/index.js';
import { rejects, internalKeys } from './helpers.js';
import type { SuiteContext } from './suite.js';
import { blogModels } from './suite-queries.js';

function accountModel(store: SkyShelve<any>) {
  @Persistent({ store, onWarning: () => {} })
  class Account extends PersistentBaseModel {
    @Key() id!: string;
    @IsInt() @Min(0) balance = 0;
  }
  return Account;
}

export function transactionSuite(ctx: SuiteContext): void {
  describe('transactions', () => {
    it('commits model saves, deletes and raw keys as one batch, and reads see the own writes', async () => {
      const { Author, Post } = blogModels(ctx.store);
      await new Author({ handle: 'alice' }).save();
      await new Post({ id: 'p1', author: 'alice' }).save();
      const out = await Post.transaction(async (tx) => {
        const a = await tx.load(Author, 'alice');
        a.postCount += 1;
        await tx.save(a);
        await tx.save(new Post({ id: 'p9', author: 'alice', tags: ['news'] }));
        expect(await tx.delete(Post, 'p1')).to.equal(true);
        await tx.set('stats:posts', 42);
        expect(await tx.get('stats:posts')).to.equal(42);
        expect((await tx.load(Post, 'p9')).tags).to.deep.equal(['news']);
        expect(await tx.load(Post, 'p1', null)).to.equal(null);
        expect(await Post.exists('p9')).to.equal(false); // not before the commit
        return 'done';
      });
      expect(out).to.equal('done');
      expect((await Author.load('alice')).postCount).to.equal(1);
      expect(await Post.exists('p1')).to.equal(false);
      expect((await Post.scanIndex('tag', 'news')).map((p) => p.id)).to.deep.equal(['p9']);
      expect(await ctx.store.get('stats:posts')).to.equal(42);
    });

    it('retries a transaction whose read changed before its commit, and then succeeds', async () => {
      const Account = accountModel(ctx.store);
      await new Account({ id: 'a', balance: 10 }).save();
      let runs = 0;
      await Account.transaction(async (tx) => {
        runs++;
        const a = await tx.load(Account, 'a');
        // Another writer changes the record after this body read it (first run only).
        if (runs === 1)
          await Account.update('a', {
            mutator: (x) => {
              x.balance += 5;
            },
          });
        a.balance += 1;
        await tx.save(a);
      });
      expect(runs).to.equal(2);
      expect((await Account.load('a')).balance).to.equal(16);
    });

    it("runs update's mutator again when another writer changed the record after it was read", async () => {
      const Account = accountModel(ctx.store);
      await new Account({ id: 'a', balance: 10 }).save();
      let runs = 0;
      await Account.update('a', {
        mutator: async (a) => {
          runs++;
          // A transaction does not wait for update's in-process lock: a writer the lock cannot stop.
          if (runs === 1)
            await Account.transaction(async (tx) => {
              const x = await tx.load(Account, 'a');
              x.balance += 100;
              await tx.save(x);
            });
          a.balance += 1;
        },
      });
      expect(runs).to.equal(2);
      expect((await Account.load('a')).balance).to.equal(111);
    });

    it('rejects with CONFLICT after exhausting its attempts, writing nothing', async () => {
      const Account = accountModel(ctx.store);
      await new Account({ id: 'a', balance: 10 }).save();
      let runs = 0;
      const err = await rejects(
        () =>
          Account.transaction(
            async (tx) => {
              runs++;
              const a = await tx.load(Account, 'a');
              await Account.update('a', {
                mutator: (x) => {
                  x.balance += 1;
                },
              });
              await tx.save(new Account({ id: 'b', balance: a.balance }));
            },
            { attempts: 3 },
          ),
        'CONFLICT',
      );
      expect(runs).to.equal(3);
      expect(err.details).to.include({ attempts: 3 });
      expect(await Account.exists('b')).to.equal(false);
      expect((await Account.load('a')).balance).to.equal(13);
    });

    it('leaves no trace when the body throws or a save fails validation', async () => {
      const Account = accountModel(ctx.store);
      const { Post } = blogModels(ctx.store);
      await new Account({ id: 'a', balance: 10 }).save();
      await Post.count(); // first use records Post's index definitions
      const before = await internalKeys(ctx.store, []);
      const boom = new Error('boom');
      let caught: unknown;
      try {
        await Account.transaction(async (tx) => {
          await tx.save(new Account({ id: 'b', balance: 1 }));
          await tx.set('raw', 1);
          throw boom;
        });
      } catch (err) {
        caught = err;
      }
      expect(caught).to.equal(boom);
      await rejects(
        () =>
          Account.transaction(async (tx) => {
            await tx.save(new Post({ id: 'p', author: 'x' }));
            await tx.save(new Account({ id: 'c', balance: -1 }));
          }),
        'VALIDATION',
      );
      expect(await internalKeys(ctx.store, [])).to.deep.equal(before);
      expect(await ctx.store.has('raw')).to.equal(false);
    });

    it('is serializable: of two transactions that each read what the other writes, not both commit on the same state', async () => {
      const Account = accountModel(ctx.store);
      await new Account({ id: 'x', balance: 0 }).save();
      await new Account({ id: 'y', balance: 0 }).save();
      let arrived = 0;
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      // Each sets its own account to 1 only if both are still 0: write skew if both commit.
      const body = (mine: string) => async (tx: import('../../src/index.js').Transaction) => {
        const x = await tx.load(Account, 'x');
        const y = await tx.load(Account, 'y');
        if (++arrived === 2) open();
        await gate;
        if (x.balance === 0 && y.balance === 0) {
          const me = mine === 'x' ? x : y;
          me.balance = 1;
          await tx.save(me);
        }
      };
      const results = await Promise.allSettled([Account.transaction(body('x'), { attempts: 1 }), Account.transaction(body('y'), { attempts: 1 })]);
      expect(results.map((r) => r.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
      expect(((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as { code: string }).code).to.equal('CONFLICT');
      // With retries, both commit, one after the other: still exactly one account is 1.
      await Promise.all([Account.transaction(body('x')), Account.transaction(body('y'))]);
      const total = (await Account.load('x')).balance + (await Account.load('y')).balance;
      expect(total).to.equal(1);
    });

    it('rejects a model of another store with a TypeError, and unique checks run inside the transaction', async () => {
      const { Post } = blogModels(ctx.store);
      const other = await SkyShelve.open(null, { inMemory: true });
      try {
        const Foreign = accountModel(other);
        await rejects(
          () =>
            Post.transaction(async (tx) => {
              await tx.load(Foreign, 'a');
            }),
          'TypeError',
        );
        await rejects(
          () =>
            Post.transaction(async (tx) => {
              await tx.save(new Foreign({ id: 'a' }));
            }),
          'TypeError',
        );
      } finally {
        await other.close();
      }
      await new Post({ id: 'p1', author: 'alice', slotNo: 1 }).save();
      await rejects(
        () =>
          Post.transaction(async (tx) => {
            await tx.save(new Post({ id: 'p2', author: 'alice', slotNo: 1 }));
          }),
        'UNIQUE',
      );
      // Moving the slot from p1 to p2 inside one transaction is fine.
      await Post.transaction(async (tx) => {
        await tx.delete(Post, 'p1');
        await tx.save(new Post({ id: 'p2', author: 'alice', slotNo: 1 }));
      });
      expect((await Post.find({ slot: ['alice', 1] })).map((p) => p.id)).to.deep.equal(['p2']);
    });
  });
}
