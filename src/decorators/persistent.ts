import { describeType } from '../options.js';
import { recordFor, type PersistentOptions } from './metadata.js';

/** Marks a class as stored: `@Persistent('data/users')` or `@Persistent({ path, store, namespace, inMemory })`. */
export function Persistent(pathOrOptions: string | PersistentOptions = {}): ClassDecorator {
  // Only records: the options are checked on first use, so a typo never breaks an import.
  const options = typeof pathOrOptions === 'string' ? { path: pathOrOptions } : pathOrOptions;
  const wrong = typeof options !== 'object' || options === null || Array.isArray(options);
  return (target) => {
    const rec = recordFor(target);
    rec.persistent = wrong ? {} : { ...options };
    // Reported with the class's other metadata problems on first use (METADATA), never ignored.
    rec.persistentProblem = wrong ? `@Persistent takes a path string or an options object, got ${describeType(pathOrOptions)}` : undefined;
  };
}
