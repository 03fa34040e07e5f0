/**
 * skyshelve on the shared workload, through the public API only (`../src/index.js`).
 * Each write phase uses a fresh store directory (the store has no `clear`), reads use the put-batch store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchModels } from './models.js';
import { benchQueries } from './queries.js';
import { BATCH, batchKeys, mixCount, modified, must, peakRss, reason, Recorder, type Workload } from './workload.js';

type Api = typeof import('../src/index.js');
type Store = InstanceType<Api['SkyShelve']>;

/** The skyshelve systems this file can run. */
export const SKYSHELVE_SYSTEMS = ['skyshelve-badger', 'skyshelve-slatedb'] as const;

/** Runs every op of one skyshelve system; a missing piece gives n/a rows, never a crash. */
export async function benchSkyshelve(system: string, w: Workload): Promise<Recorder> {
  const rec = new Recorder(system);
  const root = mkdtempSync(join(tmpdir(), `bench-${system}-`));
  let dirs = 0;
  const location = (): string => {
    const dir = join(root, String(dirs++));
    return system === 'skyshelve-slatedb' ? 'slatedb://' + dir : dir;
  };
  try {
    let api: Api;
    try {
      api = await import('../src/index.js');
    } catch (err) {
      // The key-value ops need only the store; the model ops then report the import error.
      console.error(`  src/index.js does not load (${reason(err)}); using src/store.js for the key-value ops`);
      try {
        api = (await import('../src/store.js')) as unknown as Api;
      } catch (err2) {
        for (const op of ['put-single', 'put-batch', 'get-random', 'get-batch', 'scan', 'model-save', 'scan-index']) {
          rec.skip(op, undefined, '', w.n, `import failed: ${reason(err2)}`);
        }
        return rec;
      }
    }
    await benchKv(rec, w, api, location);
    rec.kvPeakRss = peakRss();
    await benchModels(rec, w, api, location);
    await benchQueries(rec, api, location(), w.n);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return rec;
}

/** Opens a store, recording n/a for `ops` when it cannot open. */
async function openStore(rec: Recorder, api: Api, where: string, ops: string[], n: number): Promise<Store | undefined> {
  try {
    return await api.SkyShelve.open<Buffer>(where);
  } catch (err) {
    for (const op of ops) rec.skip(op, undefined, '', n, `open failed: ${reason(err)}`);
    return undefined;
  }
}

async function benchKv(rec: Recorder, w: Workload, api: Api, location: () => string): Promise<void> {
  const { n, keys, vals, order } = w;
  let db = await openStore(rec, api, location(), ['put-single'], n);
  if (db) {
    if (db.supports.sync)
      await rec.op('put-single', 'sync', 'setSync', n, () => {
        for (let i = 0; i < n; i++) db!.setSync(keys[i]!, vals[i]!);
      });
    await db.close();
  }
  db = await openStore(rec, api, location(), ['put-single'], n);
  if (db) {
    await rec.op('put-single', 'await', 'await set', n, async () => {
      for (let i = 0; i < n; i++) await db!.set(keys[i]!, vals[i]!);
    });
    await db.close();
  }
  db = await openStore(rec, api, location(), ['put-batch', 'get-random', 'get-batch', 'scan'], n);
  if (!db) return;
  const s = db;
  const filled = await rec.op('put-batch', 'await', 'batch(1000)', n, async () => {
    for (let b = 0; b < n; b += BATCH) {
      const ops: { type: 'put'; key: string; value: Buffer }[] = [];
      for (let i = b; i < Math.min(n, b + BATCH); i++) ops.push({ type: 'put', key: keys[i]!, value: vals[i]! });
      await s.batch(ops);
    }
  });
  if (!filled) {
    for (const op of ['get-random', 'get-batch', 'scan']) rec.skip(op, undefined, '', n, 'put-batch failed, nothing to read');
  } else {
    if (s.supports.sync)
      await rec.op('get-random', 'sync', 'getSync', n, () => {
        for (const i of order) must(s.getSync(keys[i]!), 'hit');
      });
    await rec.op('get-random', 'await', 'await get', n, async () => {
      for (const i of order) must(await s.get(keys[i]!), 'hit');
    });
    await rec.op('get-batch', 'await', 'getMany(1000)', n, async () => {
      for (let b = 0; b < n; b += BATCH) must((await s.getMany(batchKeys(w, b)))[0], 'hit');
    });
    await rec.op('scan', 'await', 'entries', n, async () => {
      let c = 0;
      for await (const _ of s.entries()) c++;
      must(c === n, `scan ${c}`);
    });
    await benchMixed(rec, w, s);
  }
  await s.close();
}

/** Read-modify-write and mixed 50/50 get/put on the filled store, sync (when supported) and awaited. */
async function benchMixed(rec: Recorder, w: Workload, s: Store): Promise<void> {
  const { keys, vals, order } = w;
  const m = mixCount(w);
  if (s.supports.sync) {
    await rec.op('rmw', 'sync', 'getSync + setSync', m, () => {
      for (let j = 0; j < m; j++) {
        const k = keys[order[j]!]!;
        s.setSync(k, modified(s.getSync(k) as Buffer));
      }
    });
    await rec.op('mixed', 'sync', 'getSync / setSync 50:50', m, () => {
      for (let j = 0; j < m; j++) {
        const k = keys[order[j]!]!;
        if (j % 2 === 0) must(s.getSync(k), 'hit');
        else s.setSync(k, vals[j]!);
      }
    });
  }
  await rec.op('rmw', 'await', 'await get + await set', m, async () => {
    for (let j = 0; j < m; j++) {
      const k = keys[order[j]!]!;
      await s.set(k, modified((await s.get(k)) as Buffer));
    }
  });
  await rec.op('mixed', 'await', 'await get / await set 50:50', m, async () => {
    for (let j = 0; j < m; j++) {
      const k = keys[order[j]!]!;
      if (j % 2 === 0) must(await s.get(k), 'hit');
      else await s.set(k, vals[j]!);
    }
  });
}
