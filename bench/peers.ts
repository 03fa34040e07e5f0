/**
 * The peer stores on the shared workload, with the settings of ../shared/bench/peers.mjs:
 * lmdb-js (noSync, binary), classic-level (defaults, buffer values), better-sqlite3 (WAL, synchronous=NORMAL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH, batchKeys, mixCount, modified, must, Recorder, type Workload } from './workload.js';

/** The peer systems this file can run. */
export const PEERS = ['lmdb-js', 'classic-level', 'better-sqlite3'] as const;

/** Runs every op of one peer; returns its rows (n/a rows when the package does not load). */
export async function benchPeer(system: string, w: Workload): Promise<Recorder> {
  const rec = new Recorder(system);
  const dir = mkdtempSync(join(tmpdir(), `bench-${system}-`));
  try {
    if (system === 'lmdb-js') await benchLmdb(rec, w, dir);
    else if (system === 'classic-level') await benchLevel(rec, w, dir);
    else if (system === 'better-sqlite3') await benchSqlite(rec, w, dir);
    else throw new Error(`unknown peer ${system}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rec;
}

async function benchLmdb(rec: Recorder, w: Workload, dir: string): Promise<void> {
  const { open } = await import('lmdb');
  const db = open<Buffer, string>({ path: dir, encoding: 'binary', noSync: true, compression: false });
  const { n, keys, vals, order } = w;
  await rec.op('put-single', 'sync', 'putSync', n, () => {
    for (let i = 0; i < n; i++) db.putSync(keys[i]!, vals[i]!);
  });
  await db.clearAsync();
  await rec.op('put-single', 'await', 'await put', n, async () => {
    for (let i = 0; i < n; i++) await db.put(keys[i]!, vals[i]!);
  });
  await db.clearAsync();
  await rec.op('put-batch', 'sync', 'transactionSync', n, () => {
    for (let b = 0; b < n; b += BATCH)
      db.transactionSync(() => {
        for (let i = b; i < Math.min(n, b + BATCH); i++) db.put(keys[i]!, vals[i]!);
      });
  });
  await rec.op('get-random', 'sync', 'getBinary', n, () => {
    for (const i of order) must(db.getBinary(keys[i]!), 'hit');
  });
  await rec.op('get-random', 'await', 'await getAsync', n, async () => {
    for (const i of order) must(await db.getAsync(keys[i]!), 'hit');
  });
  await rec.op('get-batch', 'await', 'getMany(1000)', n, async () => {
    for (let b = 0; b < n; b += BATCH) must((await db.getMany(batchKeys(w, b)))[0], 'hit');
  });
  await rec.op('scan', 'sync', 'getRange', n, () => {
    let c = 0;
    for (const _ of db.getRange({ start: 'user:' })) c++;
    must(c === n, `scan ${c}`);
  });
  const m = mixCount(w);
  await rec.op('rmw', 'sync', 'getBinary + putSync', m, () => {
    for (let j = 0; j < m; j++) {
      const k = keys[order[j]!]!;
      db.putSync(k, modified(db.getBinary(k)!));
    }
  });
  await rec.op('mixed', 'sync', 'getBinary / putSync 50:50', m, () => {
    for (let j = 0; j < m; j++) {
      const k = keys[order[j]!]!;
      if (j % 2 === 0) must(db.getBinary(k), 'hit');
      else db.putSync(k, vals[j]!);
    }
  });
  await db.close();
}

async function benchLevel(rec: Recorder, w: Workload, dir: string): Promise<void> {
  const { ClassicLevel } = await import('classic-level');
  const db = new ClassicLevel<string, Buffer>(dir, { valueEncoding: 'buffer' });
  await db.open();
  const { n, keys, vals, order } = w;
  await rec.op('put-single', 'await', 'await put', n, async () => {
    for (let i = 0; i < n; i++) await db.put(keys[i]!, vals[i]!);
  });
  await db.clear();
  await rec.op('put-batch', 'await', 'batch', n, async () => {
    for (let b = 0; b < n; b += BATCH) {
      const ops: { type: 'put'; key: string; value: Buffer }[] = [];
      for (let i = b; i < Math.min(n, b + BATCH); i++) ops.push({ type: 'put', key: keys[i]!, value: vals[i]! });
      await db.batch(ops);
    }
  });
  await rec.op('get-random', 'sync', 'getSync', n, () => {
    for (const i of order) must(db.getSync(keys[i]!), 'hit');
  });
  await rec.op('get-random', 'await', 'await get', n, async () => {
    for (const i of order) must(await db.get(keys[i]!), 'hit');
  });
  await rec.op('get-batch', 'await', 'getMany(1000)', n, async () => {
    for (let b = 0; b < n; b += BATCH) must((await db.getMany(batchKeys(w, b)))[0], 'hit');
  });
  await rec.op('scan', 'await', 'iterator', n, async () => {
    let c = 0;
    for await (const _ of db.iterator({ gte: 'user:' })) c++;
    must(c === n, `scan ${c}`);
  });
  const m = mixCount(w);
  await rec.op('rmw', 'await', 'getSync + await put', m, async () => {
    for (let j = 0; j < m; j++) {
      const k = keys[order[j]!]!;
      await db.put(k, modified(db.getSync(k)!));
    }
  });
  await rec.op('mixed', 'await', 'getSync / await put 50:50', m, async () => {
    for (let j = 0; j < m; j++) {
      const k = keys[order[j]!]!;
      if (j % 2 === 0) must(db.getSync(k), 'hit');
      else await db.put(k, vals[j]!);
    }
  });
  await db.close();
}

async function benchSqlite(rec: Recorder, w: Workload, dir: string): Promise<void> {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(join(dir, 'kv.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID');
  const ins = db.prepare('INSERT OR REPLACE INTO kv VALUES (?, ?)');
  const sel = db.prepare('SELECT v FROM kv WHERE k = ?').pluck();
  const { n, keys, vals, order } = w;
  await rec.op('put-single', 'sync', 'run (autocommit)', n, () => {
    for (let i = 0; i < n; i++) ins.run(keys[i]!, vals[i]!);
  });
  db.exec('DELETE FROM kv');
  const many = db.transaction((b: number) => {
    for (let i = b; i < Math.min(n, b + BATCH); i++) ins.run(keys[i]!, vals[i]!);
  });
  await rec.op('put-batch', 'sync', 'transaction', n, () => {
    for (let b = 0; b < n; b += BATCH) many(b);
  });
  await rec.op('get-random', 'sync', 'get', n, () => {
    for (const i of order) must(sel.get(keys[i]!), 'hit');
  });
  // No getMany in SQLite: the rule is a loop of gets inside one transaction.
  const readMany = db.transaction((ks: string[]) => ks.map((k) => sel.get(k)));
  await rec.op('get-batch', 'sync', 'get loop in transaction(1000)', n, () => {
    for (let b = 0; b < n; b += BATCH) must(readMany(batchKeys(w, b))[0], 'hit');
  });
  await rec.op('scan', 'sync', 'iterate', n, () => {
    let c = 0;
    for (const _ of db.prepare('SELECT k, v FROM kv ORDER BY k').iterate()) c++;
    must(c === n, `scan ${c}`);
  });
  const m = mixCount(w);
  await rec.op('rmw', 'sync', 'get + run (autocommit)', m, () => {
    for (let j = 0; j < m; j++) {
      const k = keys[order[j]!]!;
      ins.run(k, modified(sel.get(k) as Buffer));
    }
  });
  await rec.op('mixed', 'sync', 'get / run 50:50', m, () => {
    for (let j = 0; j < m; j++) {
      const k = keys[order[j]!]!;
      if (j % 2 === 0) must(sel.get(k), 'hit');
      else ins.run(k, vals[j]!);
    }
  });
  db.close();
}
