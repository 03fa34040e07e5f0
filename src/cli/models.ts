/** Loading `--model-module`: the model classes it exports, bound to the store given on the command line. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ownRecord, recordFor } from '../decorators/metadata.js';
import { Errors } from '../errors.js';
import { MODEL_KIND } from '../model/schema.js';
import type { SkyShelve } from '../store.js';
import type { Progress } from './progress.js';

/** Progress of a model maintenance pass, as the model layer reports it. */
export interface PassProgress {
  phase?: string;
  done: number;
}

/** The static side of a model class that the CLI uses. */
export interface ModelClass {
  readonly name: string;
  verifyIndexes(options: { repair?: boolean; onProgress?: (p: PassProgress) => void }): Promise<{ checked: number; missing: number; stale: number }>;
  reindex(options: { onProgress?: (p: PassProgress) => void }): Promise<unknown>;
}

/** `cls` and its ancestors, nearest first. */
function ancestry(cls: Function): Function[] {
  const out: Function[] = [];
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) out.push(c as Function);
  return out;
}

/** A model class the user declared: it has the model statics and metadata of its own or inherited (not a bare base class). */
function isModel(value: unknown): value is ModelClass & Function {
  if (typeof value !== 'function') return false;
  const v = value as unknown as Record<string | symbol, unknown>;
  if (v[MODEL_KIND] === undefined || typeof v.verifyIndexes !== 'function' || typeof v.reindex !== 'function') return false;
  return ancestry(value).some((c) => ownRecord(c) !== undefined);
}

/**
 * Points a model at `store`, keeping its namespace. The metadata is changed directly rather than
 * through configureStorage, which would also drop the indexes that configureStorage declared.
 */
function bind(cls: Function, store: SkyShelve<any>): void {
  const inherited = ancestry(cls)
    .map((c) => ownRecord(c)?.persistent)
    .find((p) => p !== undefined);
  const rec = recordFor(cls);
  rec.persistent = { store, namespace: inherited?.namespace ?? cls.name, ...(inherited?.onWarning ? { onWarning: inherited.onWarning } : {}) };
}

/** Imports `file`, keeps its exported model classes, and binds each to `store`; CONFIG when it has none. */
export async function loadModels(file: string, store: SkyShelve<any>): Promise<ModelClass[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path.resolve(file)).href)) as Record<string, unknown>;
  } catch (err) {
    throw Errors.config(`cannot load the model module ${file}: ${(err as Error).message}`, err);
  }
  const models = [...new Set(Object.values(mod).filter(isModel))];
  if (models.length === 0) throw Errors.config(`the model module ${file} exports no model classes (PersistentObject or PersistentBaseModel subclasses)`);
  for (const m of models) bind(m, store);
  return models;
}

/** Feeds a model pass's cumulative `done` counts (which restart at each phase) into a bar. */
export function passProgress(bar: Progress): (p: PassProgress) => void {
  let phase: string | undefined;
  let last = 0;
  return (p) => {
    if (p.phase !== phase) {
      phase = p.phase;
      last = 0;
    }
    bar.add(Math.max(0, p.done - last));
    last = p.done;
  };
}
