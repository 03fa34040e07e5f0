import fs from 'node:fs';
import path from 'node:path';
import type { Backend, Capabilities } from './backend.js';
import { BadgerBackend } from './badger.js';
import { badgerCapabilities, slateCapabilities } from './capabilities.js';
import { durableOf, parseSlatedbLocation } from './slatedb-uri.js';
import { Errors } from '../errors.js';
import type { SkyShelveOptions } from '../options.js';

/** Where a store lives, resolved from the location argument of `new SkyShelve`. */
export type Location = { kind: 'badger'; path?: string; inMemory: boolean; id: string } | { kind: 'slatedb'; uri: string; id: string };

/** Turns the user's location argument into a resolved Location, or throws a TypeError. */
export function resolveLocation(location: string | null | undefined, options: SkyShelveOptions): Location {
  if (location === null || location === undefined) {
    if (options.inMemory) return { kind: 'badger', inMemory: true, id: `memory:${Math.random()}` };
    throw new TypeError('location must be a directory path or a slatedb: URI; pass null with { inMemory: true } for an in-memory store');
  }
  if (typeof location !== 'string') throw new TypeError(`location must be a string, got ${typeof location}`);
  if (location.startsWith('slatedb:')) {
    if (options.inMemory) throw new TypeError('options.inMemory is for Badger stores; a slatedb: location cannot be in memory');
    if (options.exclusive) throw new TypeError('options.exclusive is for Badger directories; a slatedb: store has one writer by design');
    return { kind: 'slatedb', uri: location, id: location };
  }
  if (location.length === 0) throw new TypeError('location must not be empty');
  if (options.inMemory) return { kind: 'badger', inMemory: true, id: `memory:${Math.random()}` };
  const abs = path.resolve(location);
  return { kind: 'badger', path: abs, inMemory: false, id: abs };
}

/** Opens Badger synchronously (so sync calls work at once); returns the backend. */
export function openBadger(loc: Extract<Location, { kind: 'badger' }>, options: SkyShelveOptions): Backend {
  if (options.createIfMissing === false && !loc.inMemory) mustExist(loc.path!, 'MANIFEST');
  return BadgerBackend.openSync({
    path: loc.path,
    inMemory: loc.inMemory,
    syncWrites: options.syncWrites ?? false,
    exclusive: options.exclusive,
    openTimeoutMs: options.openTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
    libPath: options.libPath,
    badger: options.badger,
  });
}

/** Opens SlateDB; the module is imported only here, so Badger-only users never load it. */
export async function openSlate(loc: Extract<Location, { kind: 'slatedb' }>, options: SkyShelveOptions): Promise<Backend> {
  const { parseSlatedbLocation } = await import('./slatedb-uri.js');
  const { SlateBackend } = await import('./slatedb.js');
  const config = parseSlatedbLocation(loc.uri);
  // A reader never creates anything either, so it needs an existing database just the same.
  const mustBeThere = options.createIfMissing === false || options.readOnly === true;
  if (mustBeThere && config.store.provider === 'local') mustExist(path.resolve(config.path), 'manifest');
  return SlateBackend.open(config, {
    readOnly: options.readOnly,
    durable: options.durable,
    pollIntervalMs: options.pollIntervalMs,
    openTimeoutMs: options.openTimeoutMs,
  });
}

/** What a store at `loc` will be able to do, known before (and without) opening it. */
export function plannedCapabilities(loc: Location, options: SkyShelveOptions): Capabilities {
  if (loc.kind === 'badger') return badgerCapabilities({ inMemory: loc.inMemory, syncWrites: options.syncWrites, exclusive: options.exclusive });
  let durable = options.durable ?? false;
  try {
    durable = durableOf(parseSlatedbLocation(loc.uri), options);
  } catch {
    // A bad URI rejects the open with CONFIG; until then the options alone answer.
  }
  return slateCapabilities({ readOnly: options.readOnly === true, durable });
}

// Badger keeps a MANIFEST file at the top of its directory; SlateDB a manifest/ folder.
const MARKERS = ['MANIFEST', 'manifest'];

/**
 * Throws NO_STORE unless `dir` holds `marker`, before anything could create it. A folder that
 * holds stores one level down (a parent of several stores) is named as such.
 */
function mustExist(dir: string, marker: string): void {
  if (fs.existsSync(path.join(dir, marker))) return;
  if (!fs.existsSync(dir)) throw Errors.noStore(dir, 'the directory does not exist');
  throw Errors.noStore(dir, `the directory has no ${marker}`, storesInside(dir));
}

function storesInside(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && MARKERS.some((m) => fs.existsSync(path.join(dir, e.name, m))))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
