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
 * A compound index over properties, in that order: `@Index('authorTime', ['author', 'publishedAt'])`.
 */
export function Index(nameOrOptions?: string | IndexOptions, extractor?: Extractor | readonly string[], options: IndexOptions = {}): IndexDecorator {
  const opts = typeof nameOrOptions === 'object' && nameOrOptions !== null ? nameOrOptions : options;
  const name = typeof nameOrOptions === 'string' ? nameOrOptions : opts.name;
  return (target, property) => {
    const unique = opts.unique === true;
    if (property === undefined) {
      // Class decorator: the schema resolver reports a missing name or extractor.
      if (Array.isArray(extractor)) recordFor(target as Function).indexes.push({ name: name as string, fields: [...extractor], unique, origin: '@Index' });
      else recordFor(target as Function).indexes.push({ name: name as string, extractor: extractor as Extractor | undefined, unique, origin: '@Index' });
      return;
    }
    const field = String(property);
    if (Array.isArray(extractor)) recordFor(target.constructor).indexes.push({ name: name ?? field, fields: [...extractor], unique, origin: '@Index' });
    else recordFor(target.constructor).indexes.push({ name: name ?? field, field, extractor: extractor as Extractor | undefined, unique, origin: '@Index' });
  };
}
