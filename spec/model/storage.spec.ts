/** Where models keep their records: paths, shared stores, in-memory stores, and metadata errors on first use. */
import { expect } from 'chai';
import { IsString } from 'class-validator';
import fs from 'node:fs';
import path from 'node:path';
import { Index, Key, Persistent, PersistentBaseModel, PersistentObject, SkyShelve, closeModelStores } from '../../src/index.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { internalKeys, rejects } from './helpers.js';

describe('model storage configuration', function () {
  afterEach(() => closeModelStores());
  after(cleanupTmp);

  it('opens nothing when a model is declared, and defaults the path to ./data/<class name>', async () => {
    const dir = tmpDir('sky-cwd-');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      @Persistent()
      class Widget extends PersistentBaseModel {
        @Key() name!: string;
      }
      expect(fs.existsSync(path.join(dir, 'data'))).to.equal(false);
      await new Widget({ name: 'w' }).save();
      expect(fs.existsSync(path.join(dir, 'data', 'widget'))).to.equal(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('shares one store between models that name the same path, each in its own namespace', async () => {
    const p = path.join(tmpDir('sky-shared-'), 'db');
    @Persistent(p)
    class Cat extends PersistentBaseModel {
      @Key() name!: string;
    }
    @Persistent({ path: p })
    class Dog extends PersistentBaseModel {
      @Key() name!: string;
    }
    await new Cat({ name: 'tom' }).save();
    await new Dog({ name: 'rex' }).save();
    expect((await Cat.scan()).map((c) => c.name)).to.deep.equal(['tom']);
    expect((await Dog.scan()).map((d) => d.name)).to.deep.equal(['rex']);
    const store = SkyShelve.shared(p);
    expect(await internalKeys(store, ['m'])).to.deep.equal([
      ['m', 'Cat', 'tom'],
      ['m', 'Dog', 'rex'],
    ]);
  });

  it('binds a store you opened, and keeps it open after closeModelStores', async () => {
    const store = await SkyShelve.open(path.join(tmpDir('sky-bound-'), 'db'));
    try {
      @Persistent({ store, namespace: 'people' })
      class Person extends PersistentBaseModel {
        @Key() name!: string;
      }
      await new Person({ name: 'ann' }).save();
      await closeModelStores();
      expect(store.closed).to.equal(false);
      expect(await internalKeys(store, ['m', 'people'])).to.deep.equal([['m', 'people', 'ann']]);
    } finally {
      await store.close();
    }
  });

  it('keeps in-memory models apart per path and shares them within one', async () => {
    @Persistent({ inMemory: true, path: 'mem-a' })
    class A extends PersistentBaseModel {
      @Key() id!: string;
    }
    @Persistent({ inMemory: true, path: 'mem-a', namespace: 'A' })
    class B extends PersistentBaseModel {
      @Key() id!: string;
    }
    @Persistent({ inMemory: true, path: 'mem-c', namespace: 'A' })
    class C extends PersistentBaseModel {
      @Key() id!: string;
    }
    await new A({ id: 'x' }).save();
    await new B({ id: 'y' }).save();
    expect((await A.scan()).map((a) => a.id)).to.deep.equal(['x', 'y']);
    expect(await C.scan()).to.deep.equal([]);
    expect(fs.existsSync('mem-a')).to.equal(false);
  });

  it('reports every metadata problem of a class together, on first use', async () => {
    @Persistent({ pathh: 'x' } as object)
    @Index('tag', (n: NoKey) => n.tags)
    class NoKey extends PersistentBaseModel {
      @Index() email = '';
      @Index('email') other = '';
      tags: string[] = [];
    }
    const err = await rejects(() => NoKey.load('x'), 'METADATA');
    const problems = err.details!.problems as string[];
    expect(problems).to.include("NoKey has no @Key and no 'id' field");
    expect(problems).to.include("NoKey: index 'email' declared twice");
    expect(problems.some((p) => p.includes("unknown storage option 'pathh'; did you mean 'path'?"))).to.equal(true);
    expect(err.message).to.contain('declared twice').and.to.contain('no @Key');
  });

  it('reports a class with no configuration at all when it is first used', async () => {
    class Loose extends PersistentObject {}
    const err = await rejects(() => Loose.load('k'), 'METADATA');
    expect(err.message).to.contain('Loose has no storage configuration');
    @Persistent({ store: new SkyShelve(null, { inMemory: true }), path: 'x' })
    class Both extends PersistentBaseModel {
      @Key() @IsString() id!: string;
    }
    await rejects(() => Both.exists('k'), 'METADATA');
  });

  it('rejects the removed multi-process options with METADATA naming each, instead of ignoring them', async () => {
    const removed = { multiProcess: true, lockPath: 'x.lock', lockTimeoutMs: 100, lockTenureMs: 100, staleMs: 2000 };
    for (const [name, value] of Object.entries(removed)) {
      class Old extends PersistentObject {}
      Old.configureStorage(tmpDir('sky-old-'), { [name]: value } as never);
      const err = await rejects(() => Old.load('k'), 'METADATA');
      expect(err.message).to.contain(`'${name}' was removed`).and.to.contain('by default');
    }
  });

  it('replaces its indexes when configureStorage or registerIndex is called again', async () => {
    class Box extends PersistentObject {
      constructor(
        key: string,
        public size = 0,
      ) {
        super(key);
      }
    }
    const dir = tmpDir('sky-box-');
    Box.configureStorage(path.join(dir, 'a'), { secondaryIndexes: { size: (b: Box) => b.size } });
    Box.registerIndex('big', (b: Box) => b.size > 10);
    Box.configureStorage(path.join(dir, 'b'), { secondaryIndexes: { size: (b: Box) => b.size } });
    Box.registerIndex('big', (b: Box) => b.size > 100);
    await new Box('k', 50).save();
    expect((await Box.scanIndex('big', false)).map((b) => b.key)).to.deep.equal(['k']);
    expect((await Box.load('k')).size).to.equal(50); // the default fromRecord assigns the record's fields
    expect(fs.existsSync(path.join(dir, 'a'))).to.equal(false);
  });
});
