// A model module for `verify --model-module` and `reindex --model-module`: the CLI binds these
// classes to the store on its command line, so the path below is never opened.
import 'reflect-metadata';
import { Index, Key, Persistent, PersistentBaseModel, PersistentObject } from '../../src/index.js';

/** A decorated model with a property index. */
@Persistent('./never-opened')
export class Person extends PersistentBaseModel {
  @Key() name!: string;
  @Index() city!: string;
  age = 0;
}

/** A plain PersistentObject whose index is declared with configureStorage, which binding must keep. */
export class Tag extends PersistentObject {
  constructor(
    key: string,
    public label = '',
  ) {
    super(key);
  }
}
Tag.configureStorage('./never-opened-either', { secondaryIndexes: { label: (t: Tag) => t.label } });

/** Not a model: the CLI must skip it. */
export const VERSION = 1;
