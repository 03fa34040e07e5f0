import type { SkyShelve } from '../store.js';

/** Where a model's records live; set by @Persistent or configureStorage. Several processes share a Badger path by default. */
export interface PersistentOptions {
  /** Badger directory (default `./data/<class name in lower case>`), or a slatedb: URI. */
  path?: string;
  /** A store you already opened; the model uses it as is (no path). */
  store?: SkyShelve<any>;
  /** Key namespace inside the store (default: the class name). */
  namespace?: string;
  /** An in-memory Badger store, shared by the models that name the same path. */
  inMemory?: boolean;
  /** Receives warnings (such as changed index definitions); default console.warn, once per model. */
  onWarning?: (message: string) => void;
}

/** Computes index values from an instance; an array gives one entry per element. */
export type Extractor<T = any> = (obj: T) => unknown;

/** One declared index, as recorded; checked later by the schema resolver. */
export interface IndexDeclaration {
  readonly name: string;
  /** The property a property-level @Index sits on. */
  readonly field?: string;
  readonly extractor?: Extractor;
  /** The properties of a compound index, in tuple order. */
  readonly fields?: readonly string[];
  readonly unique: boolean;
  /** Where it was declared, for error messages. */
  readonly origin: '@Index' | 'registerIndex' | 'configureStorage';
}

/** Everything recorded about one class (not its ancestors). */
export interface ClassRecord {
  persistent?: PersistentOptions;
  /** Fields marked @Key; more than one is reported as a metadata error. */
  readonly keys: string[];
  readonly indexes: IndexDeclaration[];
}

interface Storage {
  classes: Map<Function, ClassRecord>;
  /** Bumped on every change, so resolved schemas know when to rebuild. */
  version: number;
}

// One storage per process, even when skyshelve is installed twice.
const SLOT = Symbol.for('skyshelve.metadata');

function storage(): Storage {
  const g = globalThis as unknown as Record<symbol, Storage | undefined>;
  return (g[SLOT] ??= { classes: new Map(), version: 0 });
}

/** The record of `cls` itself, created when missing; every change bumps the version. */
export function recordFor(cls: Function): ClassRecord {
  const s = storage();
  let rec = s.classes.get(cls);
  if (!rec) s.classes.set(cls, (rec = { keys: [], indexes: [] }));
  s.version++;
  return rec;
}

/** The record of `cls` itself, without looking at ancestors. */
export function ownRecord(cls: Function): ClassRecord | undefined {
  return storage().classes.get(cls);
}

/** A number that changes whenever any metadata changes. */
export function metadataVersion(): number {
  return storage().version;
}

/** Forgets what was recorded about `classes`, or about every class when none are given; for tests. */
export function resetMetadata(...classes: Function[]): void {
  const s = storage();
  if (classes.length === 0) s.classes.clear();
  for (const c of classes) s.classes.delete(c);
  s.version++;
}
