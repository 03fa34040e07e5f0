/** The decorators only record metadata, into one resettable storage shared through Symbol.for. */
import { expect } from 'chai';
import { Index, Key, Persistent, PersistentBaseModel, resetMetadata } from '../../src/index.js';
import { ownRecord } from '../../src/decorators/metadata.js';
import { schemaOf } from '../../src/model/schema.js';

describe('decorators', function () {
  it('record @Persistent, @Key and @Index without opening anything', () => {
    @Persistent('data/never-opened')
    @Index('tag', (p: Post) => p.tags, { unique: false })
    class Post extends PersistentBaseModel {
      @Key() slug!: string;
      @Index({ unique: true }) title = '';
      @Index('by_author') author = '';
      tags: string[] = [];
    }
    const rec = ownRecord(Post)!;
    expect(rec.persistent).to.deep.equal({ path: 'data/never-opened' });
    expect(rec.keys).to.deep.equal(['slug']);
    expect(rec.indexes.map((i) => [i.name, i.field, i.unique])).to.deep.equal([
      ['title', 'title', true],
      ['by_author', 'author', false],
      ['tag', undefined, false],
    ]);
  });

  it('keep the metadata in one storage on globalThis under Symbol.for', () => {
    class Tagged extends PersistentBaseModel {
      @Key() id!: string;
    }
    const storage = (globalThis as Record<symbol, { classes: Map<Function, unknown> }>)[Symbol.for('skyshelve.metadata')];
    expect(storage.classes.get(Tagged)).to.equal(ownRecord(Tagged));
  });

  it('resolve inherited keys and indexes on first use', () => {
    @Persistent({ path: 'data/never-opened' })
    class Animal extends PersistentBaseModel {
      @Key() name!: string;
      @Index() legs = 4;
    }
    class Bird extends Animal {
      @Index() wings = 2;
    }
    const schema = schemaOf(Bird);
    expect(schema.keyField).to.equal('name');
    expect(schema.namespace).to.equal('Bird');
    expect(schema.indexes.map((i) => i.name)).to.deep.equal(['legs', 'wings']);
  });

  it('forget a class with resetMetadata(cls), and rebuild its schema', () => {
    @Persistent('data/never-opened')
    class Temp extends PersistentBaseModel {
      @Key() id!: string;
    }
    expect(schemaOf(Temp).keyField).to.equal('id');
    resetMetadata(Temp);
    expect(ownRecord(Temp)).to.equal(undefined);
    expect(() => schemaOf(Temp)).to.throw(/Temp has no storage configuration/);
  });
});
