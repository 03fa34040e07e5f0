import { recordFor, type Extractor } from './metadata.js';

/** Options of a property-level `@Index`. */
export interface IndexOptions {
  /** Index name (default: the property name). */
  name?: string;
  /** Saving a second record with the same value rejects with UNIQUE. */
  unique?: boolean;
}

/** A decorator usable on a class (computed index) or on a property. */
export type IndexDecorator = (target: object, property?: string | symbol) => void;

/**
 * Declares a secondary index. On a property: `@Index()`, `@Index({ unique: true })` or `@Index('name')`.
 * On a class: `@Index('tag', (u: User) => u.tags, { unique })`; an array result gives many entries.
 */
export function Index(nameOrOptions?: string | IndexOptions, extractor?: Extractor, options: IndexOptions = {}): IndexDecorator {
  const opts = typeof nameOrOptions === 'object' && nameOrOptions !== null ? nameOrOptions : options;
  const name = typeof nameOrOptions === 'string' ? nameOrOptions : opts.name;
  return (target, property) => {
    const unique = opts.unique === true;
    if (property === undefined) {
      // Class decorator: the schema resolver reports a missing name or extractor.
      recordFor(target as Function).indexes.push({ name: name as string, extractor, unique, origin: '@Index' });
      return;
    }
    const field = String(property);
    recordFor(target.constructor).indexes.push({ name: name ?? field, field, extractor, unique, origin: '@Index' });
  };
}
