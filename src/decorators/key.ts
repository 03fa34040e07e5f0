import type { Key as StoreKey } from '../codec/keys.js';
import { recordFor } from './metadata.js';

/**
 * A store key (the codec's type). It shares its name with the decorator below, so that the
 * package's `Key` export is both the key-value API's key type and the `@Key()` decorator.
 */
export type Key = StoreKey;

/** Marks the primary key field of a PersistentBaseModel (default when absent: the 'id' field). */
export function Key(): PropertyDecorator {
  return (target, property) => {
    recordFor(target.constructor).keys.push(String(property));
  };
}
