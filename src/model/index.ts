/** The model layer: decorators, PersistentObject, PersistentBaseModel and their helpers. */
export { Persistent, Key, Index, resetMetadata, type IndexOptions, type PersistentOptions, type Extractor } from '../decorators/index.js';
export { PersistentObject, indexNames, type Conditions } from './persistent-object.js';
export type { Query, Page, PageOptions } from './query.js';
export { Transaction, type TransactionOptions } from './transaction.js';
export { PersistentBaseModel } from './base-model.js';
export { closeModelStores } from './binding.js';
export type { IndexRange } from './read.js';
export type { VerifyOptions, VerifyResult } from './maintenance.js';
export type { ModelClass, ModelInit, ModelKey, IndexNames, UpdateOptions, StorageOptions } from './types.js';
