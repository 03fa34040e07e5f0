/** Raw walks over a whole store (user keys and the internal area), in bounded chunks. */
import fs from 'node:fs';
import path from 'node:path';
import type { Backend, RawEntry, RawRange } from '../backend/backend.js';

/** How many entries one cursor step fetches. */
export const CHUNK = 1024;

/** Yields the raw entries of `range` (everything by default) a chunk at a time, from one snapshot. */
export async function* chunks(backend: Backend, range: RawRange = {}, size = CHUNK): AsyncGenerator<RawEntry[]> {
  const cursor = backend.iterate(range);
  try {
    for (;;) {
      const chunk = await cursor.next(size);
      if (chunk.length === 0) return;
      yield chunk;
    }
  } finally {
    await cursor.close();
  }
}

/** Counts the entries of `range`; used only to give a progress bar its total. */
export async function countEntries(backend: Backend, range: RawRange = {}): Promise<number> {
  let n = 0;
  for await (const chunk of chunks(backend, range, 4096)) n += chunk.length;
  return n;
}

/** The smallest key after `key` in byte order (for resuming after the last key copied). */
export { successor } from '../codec/bytes.js';

/** The local directory a location keeps its files in, when it has one (Badger, slatedb://dir). */
export function localDir(location: string): string | undefined {
  if (!location.startsWith('slatedb:')) return path.resolve(location);
  if (location.startsWith('slatedb://')) return path.resolve(location.slice('slatedb://'.length) || './data/slatedb');
  try {
    const cfg = JSON.parse(location.slice('slatedb:'.length)) as { path?: unknown; store?: { provider?: unknown } };
    if (cfg.store?.provider === 'local' && typeof cfg.path === 'string') return path.resolve(cfg.path);
  } catch {
    // Not JSON: the store's own open reports that.
  }
  return undefined;
}

/** Bytes the files under `dir` take on disk (0 when it does not exist). */
export function diskUsage(dir: string): number {
  let total = 0;
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const d of names) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) total += diskUsage(p);
    else if (d.isFile()) {
      // Allocated blocks, not apparent size: Badger preallocates sparse log files.
      const st = fs.statSync(p);
      total += st.blocks !== undefined ? st.blocks * 512 : st.size;
    }
  }
  return total;
}
