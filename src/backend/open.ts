import path from 'node:path';
import type { Backend } from './backend.js';
import { BadgerBackend } from './badger.js';
import type { SkyShelveOptions } from '../options.js';

/** Where a store lives, resolved from the location argument of `new SkyShelve`. */
export type Location =
  | { kind: 'badger'; path?: string; inMemory: boolean; id: string }
  | { kind: 'slatedb'; uri: string; id: string };

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
  return SlateBackend.open(config, { readOnly: options.readOnly, durable: options.durable, pollIntervalMs: options.pollIntervalMs, openTimeoutMs: options.openTimeoutMs });
}
