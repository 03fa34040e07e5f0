/** Issue 12 items 6, 7, 8, 10 and 15: model mistakes that used to pass silently are loud. */
import 'reflect-metadata';
import { expect } from 'chai';
import { Index, Key, Persistent, PersistentBaseModel, PersistentObject, SkyShelve, closeModelStores } from '../../src/index.js';
import { rejects } from './helpers.js';

describe('model mistakes are loud', function () {
  let store: SkyShelve<any>;
  beforeEach(() => {
    store = new SkyShelve(null, { inMemory: true });
  });
  afterEach(async () => {
    await store.close();
    await closeModelStores();
  });

  it('@Persistent with an argument that is neither a path nor options is METADATA naming it', async () => {
    @Persistent(42 as any)
    class Bad extends PersistentBaseModel {
      @Key() id!: string;
    }
    const err = await rejects(() => new Bad({ id: 'x' }).save(), 'METADATA');
    expect(err.message).to.contain('@Persistent takes a path string or an options object, got number');
    await rejects(() => Bad.load('x'), 'METADATA');
  });

  it('configureStorage with options in both arguments uses both', async () => {
    class Counter extends PersistentObject {
      constructor(
        key: string,
        public value = 0,
      ) {
        super(key);
      }
    }
    Counter.configureStorage({ store, namespace: 'counters' }, { secondaryIndexes: { value: (c: Counter) => c.value } });
    await new Counter('a', 3).save();
    expect((await Counter.scanIndex('value', 3)).map((c) => c.key)).to.deep.equal(['a']);
    expect(() => Counter.configureStorage({ store, namespace: 'a' }, { namespace: 'b' })).to.throw(TypeError, /'namespace' in both arguments/);
    expect(() => Counter.configureStorage({ store }, 7 as any)).to.throw(TypeError, /options must be an object/);
  });

  it('a key of the wrong declared type is VALIDATION on save and a TypeError on load, naming the type', async () => {
    class Num extends PersistentBaseModel {
      @Key() n!: number;
    }
    Num.configureStorage({ store });
    const err = await rejects(() => new Num({ n: '11' as any }).save(), 'VALIDATION');
    expect(err.message).to.match(/Num\.n .*declared as a number; got string "11"/);
    expect(await store.scan()).to.deep.equal([]);
    await new Num({ n: 11 }).save();
    const loadErr = await rejects(() => Num.load('11' as any), 'TypeError');
    expect(loadErr.message).to.match(/key of Num must be a number/);
    await rejects(() => Num.exists('11' as any), 'TypeError');
    await rejects(() => Num.delete('11' as any), 'TypeError');
    expect((await Num.load(11)).n).to.equal(11);
  });

  it('a key of bytes or string type is checked the same way', async () => {
    class Blob extends PersistentBaseModel {
      @Key() id!: Uint8Array;
    }
    Blob.configureStorage({ store });
    await rejects(() => new Blob({ id: 'text' as any }).save(), 'VALIDATION');
    await new Blob({ id: Buffer.from('ab') }).save();
    expect(await Blob.exists(new Uint8Array([0x61, 0x62]))).to.equal(true);
    class Named extends PersistentBaseModel {
      @Key() name!: string;
    }
    Named.configureStorage({ store });
    await rejects(() => Named.load(5 as any), 'TypeError');
  });

  it('a query value whose type cannot match a typed property index is a TypeError, not []', async () => {
    class Post extends PersistentBaseModel {
      @Key() id!: string;
      @Index() publishedAt!: Date;
      @Index() title!: string;
      @Index('byScore') score!: number;
    }
    Post.configureStorage({ store });
    await new Post({ id: 'p', publishedAt: new Date('2024-05-01'), title: 'T', score: 3 }).save();
    const err = await rejects(() => Post.scanIndexRange('publishedAt', { gte: '2024' }), 'TypeError');
    expect(err.message).to.contain('range.gte').and.contain('publishedAt');
    await rejects(() => Post.scanIndexRange('byScore', { lt: '9' }), 'TypeError');
    await rejects(() => Post.scanIndex('title', 5), 'TypeError');
    expect((await Post.scanIndexRange('publishedAt', { gte: new Date('2024-01-01') })).length).to.equal(1);
    expect((await Post.scanIndexRange('publishedAt', { gte: Date.parse('2024-01-01') })).length).to.equal(1);
    expect((await Post.scanIndex('byScore', 3)).length).to.equal(1);
  });

  it('an update that changes the key is KEY_CHANGED and writes nothing', async () => {
    class User extends PersistentBaseModel {
      @Key() name!: string;
      n = 0;
    }
    User.configureStorage({ store });
    await new User({ name: 'a' }).save();
    const err = await rejects(
      () =>
        User.update('a', {
          mutator: (u) => {
            u.name = 'b';
            u.n = 1;
          },
        }),
      'KEY_CHANGED',
    );
    expect(err.details).to.deep.include({ from: 'a', to: 'b' });
    expect((await User.load('a')).n).to.equal(0);
    expect(await User.exists('b')).to.equal(false);
  });

  it('with useDefineForClassFields: false, a field passed to the constructor is kept and saved (documented)', async () => {
    class Loose extends PersistentBaseModel {
      @Key() id!: string;
      note?: string; // declared, no decorator, no initializer: invisible at run time
    }
    Loose.configureStorage({ store });
    await new Loose({ id: 'a', note: 'n', extra: 1 }).save();
    expect(await Loose.load('a')).to.deep.include({ id: 'a', note: 'n', extra: 1 });
  });

  it('NOT_FOUND says how to avoid it: a fallback for load, defaultFactory for update', async () => {
    class Thing extends PersistentBaseModel {
      @Key() id!: string;
    }
    Thing.configureStorage({ store });
    expect((await rejects(() => Thing.load('x'), 'NOT_FOUND')).message).to.contain('fallback');
    expect((await rejects(() => Thing.update('x', { mutator: () => {} }), 'NOT_FOUND')).message).to.contain('defaultFactory');
  });
});
