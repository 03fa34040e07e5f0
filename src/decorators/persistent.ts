import { recordFor, type PersistentOptions } from './metadata.js';

/** Marks a class as stored: `@Persistent('data/users')` or `@Persistent({ path, store, namespace, inMemory })`. */
export function Persistent(pathOrOptions: string | PersistentOptions = {}): ClassDecorator {
  // Only records: the options are checked on first use, so a typo never breaks an import.
  const options = typeof pathOrOptions === 'string' ? { path: pathOrOptions } : pathOrOptions;
  return (target) => {
    recordFor(target).persistent = { ...options };
  };
}
