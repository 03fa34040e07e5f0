/** count, page, iterate, compound indexes and find, per backend (run by suite.ts). */
import { expect } from 'chai';
// indexNames is imported so that the declaration of blogModels' return type can name it.
import { Index, Key, Persistent, PersistentBaseModel, indexNames, type SkyShelve } from '../../src/index.js';
import { rejects } from './helpers.js';
import type { SuiteContext } from './suite.js';

/** The blog models of issue 14, bound to `store`. */
export function blogModels(store: SkyShelve<any>) {
  @Persistent({ store, onWarning: () => {} })
  class Author extends PersistentBaseModel {
    @Key() handle!: string;
    postCount = 0;
  }

  @Persistent({ store, onWarning: () => {} })
  @Index('tag', (p: Post) => p.tags)
  @Index('authorTime', ['author', 'publishedAt'])
  class Post extends PersistentBaseModel<'author' | 'tag' | 'authorTime' | 'slot'> {
    @Key() id!: string;
    @Index() author!: string;
    tags: string[] = [];
    publishedAt = 0;
    title = '';
    // A unique compound index: one post per author and slot.
    @Index('slot', ['author', 'slotNo'], { unique: true }) slotNo?: number;
  }
  return { Author, Post };
}

export function querySuite(ctx: SuiteContext): void {
  describe('queries', () => {
    it('pages through 1,000 records in pages of 7 with inserts and deletes between pages: none twice, every survivor once', async () => {
      const { Post } = blogModels(ctx.store);
      const ids = Array.from({ length: 1000 }, (_, i) => `p${String(i).padStart(4, '0')}`);
      for (let i = 0; i < ids.length; i += 100)
        await Promise.all(
          ids.slice(i, i + 100).map((id, j) => new Post({ id, author: (i + j) % 3 === 0 ? 'alice' : 'bob', publishedAt: (i + j) % 50 }).save()),
        );
      for (const query of [{}, { index: 'author', value: 'alice' }, { index: 'authorTime', range: { gte: ['bob', 10] } }] as const) {
        const deleted = new Set<string>();
        const seen = new Set<string>();
        let cursor: string | undefined;
        let round = 0;
        do {
          const page = await Post.page(query, { limit: 7, cursor });
          expect(page.items.length).to.be.at.most(7);
          for (const p of page.items) {
            expect(seen.has(p.id), `${p.id} seen twice`).to.equal(false);
            seen.add(p.id);
          }
          cursor = page.next;
          // Between pages: delete one not-yet-seen record, insert two new ones.
          const victim = ids[(round * 37) % ids.length]!;
          if (!seen.has(victim) && (await Post.delete(victim))) deleted.add(victim);
          await new Post({ id: `n${round}`, author: 'alice', publishedAt: 20 }).save();
          await new Post({ id: `a${round}`, author: 'bob', publishedAt: 49 }).save();
          round++;
        } while (cursor !== undefined);
        const expected = ids.filter((id, i) => !deleted.has(id) && matches(query, i));
        for (const id of expected) expect(seen.has(id), `${id} missed`).to.equal(true);
        for (let r = 0; r < round; r++) await Promise.all([Post.delete(`n${r}`), Post.delete(`a${r}`)]);
        for (const id of deleted) await new Post({ id, author: Number(id.slice(1)) % 3 === 0 ? 'alice' : 'bob', publishedAt: Number(id.slice(1)) % 50 }).save();
      }
    });

    it('counts records and index values from keys, matching a model of the truth', async () => {
      const { Post } = blogModels(ctx.store);
      const truth = new Map<string, { author: string; tags: string[] }>();
      let seed = 7;
      const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
      for (let step = 0; step < 300; step++) {
        const id = `p${rnd(60)}`;
        if (rnd(4) === 0) {
          await Post.delete(id);
          truth.delete(id);
        } else {
          const rec = { author: ['alice', 'bob', 'carol'][rnd(3)]!, tags: ['news', 'tech', 'art'].filter(() => rnd(2) === 0) };
          await new Post({ id, ...rec }).save();
          truth.set(id, rec);
        }
      }
      expect(await Post.count()).to.equal(truth.size);
      for (const a of ['alice', 'bob', 'carol', 'nobody'])
        expect(await Post.count('author', a), a).to.equal([...truth.values()].filter((r) => r.author === a).length);
      for (const t of ['news', 'tech', 'art']) expect(await Post.count('tag', t), t).to.equal([...truth.values()].filter((r) => r.tags.includes(t)).length);
      expect(await Post.count('tag')).to.equal([...truth.values()].reduce((n, r) => n + r.tags.length, 0));
      // count never decodes a record: a corrupt one is still counted, while loading it is DECODE.
      const { recordKey } = await import('../../src/model/layout.js');
      await (await ctx.store.backend()).write([{ type: 'put', key: recordKey('Post', 'corrupt'), value: Uint8Array.of(0xff, 0x00) }]);
      expect(await Post.count()).to.equal(truth.size + 1);
      await rejects(() => Post.load('corrupt'), 'DECODE');
      await rejects(() => Post.count('athor' as 'author', 'x'), 'TypeError');
    });

    it('queries a compound index by prefix and range, with negative and fractional numbers', async () => {
      const { Post } = blogModels(ctx.store);
      const times = [-5.5, -1, -0.25, 0, 0.5, 3, 1000, 1000.5, 2e9];
      for (const [i, t] of times.entries()) {
        await new Post({ id: `a${i}`, author: 'alice', publishedAt: t }).save();
        await new Post({ id: `b${i}`, author: 'alice2', publishedAt: t }).save();
      }
      const ids = (ps: Array<{ id: string }>): string[] => ps.map((p) => p.id);
      expect(ids(await Post.scanIndex('authorTime', ['alice']))).to.deep.equal(times.map((_, i) => `a${i}`));
      expect(ids(await Post.scanIndex('authorTime', ['alice', -0.25]))).to.deep.equal(['a2']);
      expect(ids(await Post.scanIndexRange('authorTime', { gte: ['alice', -1], lt: ['alice', 1000] }))).to.deep.equal(['a1', 'a2', 'a3', 'a4', 'a5']);
      expect(ids(await Post.scanIndexRange('authorTime', { gte: ['alice', 1000], lt: ['alice', Infinity], reverse: true, limit: 10 }))).to.deep.equal([
        'a8',
        'a7',
        'a6',
      ]);
      expect(ids(await Post.scanIndexRange('authorTime', { gt: ['alice', -Infinity], lte: ['alice', -0.25] }))).to.deep.equal(['a0', 'a1', 'a2']);
      expect(ids(await Post.scanIndexRange('authorTime', { gt: ['alice'], lte: ['alice2', -1] }))).to.deep.equal(['b0', 'b1']);
      expect(await Post.count('authorTime', ['alice2'])).to.equal(times.length);
      const page = await Post.page({ index: 'authorTime', range: { gte: ['alice', 0] } }, { limit: 4, reverse: true });
      expect(ids(page.items)).to.deep.equal(['b8', 'b7', 'b6', 'b5']);
    });

    it('enforces a unique compound index, and reindex/verifyIndexes cover compound entries', async () => {
      const { Post } = blogModels(ctx.store);
      await new Post({ id: 'x1', author: 'alice', slotNo: 1 }).save();
      await new Post({ id: 'x2', author: 'bob', slotNo: 1 }).save();
      await new Post({ id: 'x3', author: 'alice', slotNo: 2 }).save();
      await rejects(() => new Post({ id: 'x4', author: 'alice', slotNo: 1 }).save(), 'UNIQUE');
      const x1 = await Post.load('x1');
      x1.slotNo = 3;
      await x1.save();
      await new Post({ id: 'x4', author: 'alice', slotNo: 1 }).save(); // freed by x1's move
      expect(await Post.verifyIndexes()).to.deep.equal({ checked: 4, missing: 0, stale: 0 });
      const b = await ctx.store.backend();
      const { entryKey } = await import('../../src/model/layout.js');
      await b.write([{ type: 'del', key: entryKey('Post', 'authorTime', ['alice', 0], 'x3') }]);
      expect((await Post.verifyIndexes()).missing).to.equal(1);
      expect((await Post.reindex()).missing).to.equal(1);
      expect(await Post.verifyIndexes()).to.deep.equal({ checked: 4, missing: 0, stale: 0 });
      expect((await Post.scanIndex('authorTime', ['alice', 0])).map((p) => p.id).sort()).to.deep.equal(['x1', 'x3', 'x4']);
    });

    it('iterates a query as a stream, and rejects a cursor of another query or model with a TypeError', async () => {
      const { Post, Author } = blogModels(ctx.store);
      for (let i = 0; i < 600; i++) await new Post({ id: `p${String(i).padStart(3, '0')}`, author: 'alice', tags: i % 2 ? ['news'] : [] }).save();
      await new Author({ handle: 'alice' }).save();
      let n = 0;
      for await (const p of Post.iterate({ index: 'tag', value: 'news' })) {
        expect(p).to.be.instanceOf(Post);
        n++;
      }
      expect(n).to.equal(300);
      const all: string[] = [];
      for await (const p of Post.iterate({}, { reverse: true })) all.push(p.id);
      expect(all.length).to.equal(600);
      expect(all[0]).to.equal('p599');
      const page = await Post.page({ index: 'author', value: 'alice' }, { limit: 5 });
      expect(page.next).to.be.a('string');
      await rejects(() => Post.page({ index: 'tag', value: 'news' }, { limit: 5, cursor: page.next }), 'TypeError');
      await rejects(() => Post.page({ index: 'author', value: 'alice' }, { limit: 5, cursor: page.next, reverse: true }), 'TypeError');
      await rejects(() => Author.page({}, { limit: 5, cursor: page.next }), 'TypeError');
      await rejects(() => Post.page({ index: 'author', value: 'alice' }, { limit: 5, cursor: 'garbage' }), 'TypeError');
      await rejects(() => Post.page({}, { limit: 0 }), 'TypeError');
      const second = await Post.page({ index: 'author', value: 'alice' }, { limit: 5, cursor: page.next });
      expect(second.items.map((p) => p.id)).to.deep.equal(['p005', 'p006', 'p007', 'p008', 'p009']);
    });

    it('finds records matching 2 and 3 conditions from indexes, and rejects unknown or unindexed fields', async () => {
      const { Post } = blogModels(ctx.store);
      for (let i = 0; i < 120; i++) {
        await new Post({
          id: `p${i}`,
          author: ['alice', 'bob', 'carol'][i % 3]!,
          tags: [i % 2 ? 'news' : 'art', ...(i % 5 === 0 ? ['tech'] : [])],
          publishedAt: i % 4,
        }).save();
      }
      const want = (f: (i: number) => boolean): string[] =>
        Array.from({ length: 120 }, (_, i) => i)
          .filter(f)
          .map((i) => `p${i}`)
          .sort();
      const got = async (c: object): Promise<string[]> => (await Post.find(c as never)).map((p) => p.id).sort();
      expect(await got({ author: 'alice', tag: 'news' })).to.deep.equal(want((i) => i % 3 === 0 && i % 2 === 1));
      expect(await got({ author: 'bob', tag: 'tech', authorTime: ['bob', 1] })).to.deep.equal(want((i) => i % 3 === 1 && i % 5 === 0 && i % 4 === 1));
      expect(await got({ tag: 'news', authorTime: ['carol'] })).to.deep.equal(want((i) => i % 3 === 2 && i % 2 === 1));
      expect(await got({ id: 'p3', author: 'alice' })).to.deep.equal(['p3']);
      expect(await got({ id: 'p3', author: 'bob' })).to.deep.equal([]);
      await rejects(() => Post.find({ auther: 'alice' } as never), 'TypeError');
      const err = await rejects(() => Post.find({ author: 'alice', publishedAt: 1 }), 'INDEX');
      expect(err.message).to.contain('@Index()');
    });
  });
}

function matches(query: object, i: number): boolean {
  if (!('index' in query)) return true;
  if ('value' in query) return i % 3 === 0;
  return i % 3 !== 0 && i % 50 >= 10;
}
