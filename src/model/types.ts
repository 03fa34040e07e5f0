import type { KeyPart } from '../codec/keys.js';
import type { Extractor, PersistentOptions } from '../decorators/metadata.js';

/** A model class, as the `this` of the static methods: anything that constructs T. */
export type ModelClass<T> = abstract new (...args: any[]) => T;

import type { indexNames } from './persistent-object.js';

/** The index names of model T: the type argument of PersistentBaseModel<'a' | 'b'>, else any string. */
export type IndexNames<T> = T extends { readonly [indexNames]?: infer N } ? ([N] extends [string] ? N : string) : string;

/**
 * The constructor argument of a model declared as `PersistentBaseModel<I, M>`: each data field of M
 * (not its methods), optional. Without M it is any object, as before.
 */
export type ModelInit<M> = object extends M
  ? object
  : { [K in keyof M as K extends symbol ? never : M[K] extends (...args: any[]) => unknown ? never : K]?: M[K] };

/** A primary key: a non-empty string, a finite number or non-empty bytes. */
export type ModelKey = KeyPart;

/** Options of `Model.update`. */
export interface UpdateOptions<T> {
  /** Builds the record when it does not exist; without it a missing record is NOT_FOUND. */
  defaultFactory?: () => T | Promise<T>;
  /** Changes the record in place, or returns a replacement. */
  mutator: (obj: T) => T | void | Promise<T | void>;
}

/** Options of `configureStorage` (the second argument): storage options plus named indexes. */
export interface StorageOptions<T = any> extends PersistentOptions {
  /** Secondary indexes: name -> extractor (an array result gives many entries). */
  secondaryIndexes?: Record<string, Extractor<T>>;
  /** Unique indexes: name -> extractor; a duplicate value rejects with UNIQUE. */
  uniqueIndexes?: Record<string, Extractor<T>>;
}
