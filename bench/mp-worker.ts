/**
 * One process of the multi-process bench (bench/multiprocess.ts):
 * `node mp-worker.js <system> <task> <dir> <id> <n>`, system one of skyshelve | lmdb-js | better-sqlite3,
 * task one of load | counter | count | write | read | rtt | rtt-hit | gets | gets-hit | sets | watch | hold. Prints "ready", waits for "go" on stdin,
 * runs, and prints one JSON line { startNs, endNs, ops, cpuUs, ... } (CLOCK_MONOTONIC, comparable across
 * processes; cpuUs is this process's user + system CPU time during the task).
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { PersistentObject, SkyShelve, closeModelStores } from '../src/index.js';

/** The records the read task picks from (the parent loads them first). */
export const READ_RECORDS = 10_000;
/** The key of read record i. */
export const readKey = (i: number): string => 'user:' + String(i).padStart(11, '0');

/** A plain PersistentObject counter (no index), as a user would write it. */
class Counter extends PersistentObject {
  constructor(
    key: string,
    public value = 0,
  ) {
    super(key);
  }
  override toRecord(): unknown {
    return { value: this.value };
  }
  static override fromRecord(key: string, r: { value: number }): Counter {
    return new Counter(key, r.value);
  }
}

/** What one system offers the tasks. */
interface Driver {
  increment(key?: string): void | Promise<void>;
  count(): number | Promise<number>;
  put(key: string, value: Buffer): void | Promise<void>;
  get(key: string): unknown;
  close(): void | Promise<void>;
}

async function skyshelve(dir: string, task: string): Promise<Driver> {
  // rtt and gets time the socket round trip itself, so their client keeps no read cache; the -hit
  // tasks read records the warm-up already read, so every read is answered by the client's cache.
  const uncached = task === 'rtt' || task === 'gets';
  const store = await SkyShelve.open<Buffer>(join(dir, 'kv'), uncached ? { badger: { readCacheSize: 0 } } : {});
  Counter.configureStorage(join(dir, 'counter'));
  const mutator = (c: Counter): void => {
    c.value++;
  };
  return {
    increment: async (key = 'c') => {
      await Counter.update(key, { defaultFactory: () => new Counter(key), mutator });
    },
    count: async () => (await Counter.load('c', undefined))?.value ?? 0,
    put: (k, v) => store.set(k, v),
    get: (k) => store.getSync(k),
    close: async () => {
      await store.close();
      await closeModelStores();
    },
  };
}

async function lmdb(dir: string): Promise<Driver> {
  const { open } = await import('lmdb');
  const db = open<Buffer | number, string>({ path: dir, encoding: 'binary', noSync: true, compression: false });
  const counter = db.openDB<number, string>({ name: 'counter', encoding: 'ordered-binary' });
  return {
    increment: (key = 'c') => {
      counter.transactionSync(() => {
        counter.putSync(key, (counter.get(key) ?? 0) + 1);
      });
    },
    count: () => counter.get('c') ?? 0,
    put: (k, v) => {
      db.putSync(k, v);
    },
    get: (k) => db.getBinary(k),
    close: () => db.close(),
  };
}

async function sqlite(dir: string): Promise<Driver> {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(join(dir, 'kv.db'), { timeout: 60_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID');
  db.exec('CREATE TABLE IF NOT EXISTS counter (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID');
  const ins = db.prepare('INSERT OR REPLACE INTO kv VALUES (?, ?)');
  const sel = db.prepare('SELECT v FROM kv WHERE k = ?').pluck();
  const cget = db.prepare('SELECT v FROM counter WHERE k = ?').pluck();
  const cput = db.prepare('INSERT OR REPLACE INTO counter VALUES (?, ?)');
  const inc = db.transaction((key: string) => {
    cput.run(key, ((cget.get(key) as number | undefined) ?? 0) + 1);
  });
  return {
    increment: (key = 'c') => {
      inc.immediate(key);
    },
    count: () => (cget.get('c') as number | undefined) ?? 0,
    put: (k, v) => {
      ins.run(k, v);
    },
    get: (k) => sel.get(k),
    close: () => {
      db.close();
    },
  };
}

const now = (): bigint => process.hrtime.bigint();

/**
 * Runs a few hundred operations of the task's kind on keys the measurement does not use, before the
 * worker says it is ready: the JIT, each engine's caches and Badger's work right after opening a
 * store would otherwise weigh on a run of a few thousand operations, and on skyshelve more than on
 * the others (its owner starts goroutines and a socket server when it opens).
 */
async function warmUp(task: string, d: Driver, id: number): Promise<void> {
  const reads = ['read', 'rtt', 'rtt-hit', 'gets-hit'];
  const n = task === 'counter' ? 500 : task === 'write' ? 2000 : reads.includes(task) ? 5000 : 0;
  const value = Buffer.alloc(100, id);
  for (let i = 0; i < n; i++) {
    if (task === 'counter') await d.increment(`warm${id}`);
    else if (task === 'write') await d.put(`warm${id}:${String(i).padStart(9, '0')}`, value);
    else d.get(readKey(i % READ_RECORDS));
  }
}

/** Times n sequential gets of the first `of` records: p50 and p99 in microseconds. */
function roundTrips(d: Driver, n: number, of = READ_RECORDS): Record<string, unknown> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = now();
    d.get(readKey(i % of));
    samples.push(Number(now() - t) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { p50us: samples[Math.floor(n * 0.5)], p99us: samples[Math.floor(n * 0.99)] };
}

/** Reads until told to stop; the longest gap between two completed reads spans a take-over. */
async function watch(d: Driver, lines: AsyncIterator<string>): Promise<Record<string, unknown>> {
  let stop = false;
  void lines.next().then(() => {
    stop = true;
  });
  let last = now();
  let maxGapMs = 0;
  let ops = 0;
  while (!stop) {
    await d.get(readKey(ops % READ_RECORDS));
    ops++;
    const t = now();
    maxGapMs = Math.max(maxGapMs, Number(t - last) / 1e6);
    last = t;
    if (ops % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  return { ops, maxGapMs };
}

/** Runs one task; returns the extra fields of its report. */
async function run(task: string, d: Driver, id: number, n: number, lines: AsyncIterator<string>): Promise<Record<string, unknown>> {
  if (task === 'counter') for (let i = 0; i < n; i++) await d.increment();
  else if (task === 'count') return { value: await d.count() };
  else if (task === 'load') for (let i = 0; i < READ_RECORDS; i++) await d.put(readKey(i), Buffer.alloc(100, i & 0xff));
  else if (task === 'hold') await lines.next();
  else if (task === 'write') {
    const value = Buffer.alloc(100, id);
    for (let i = 0; i < n; i++) await d.put(`w${id}:${String(i).padStart(9, '0')}`, value);
  } else if (task === 'read') {
    let seed = 12345 + id;
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      if (d.get(readKey(seed % READ_RECORDS)) === undefined) throw new Error('a read record is missing');
    }
  } else if (task === 'gets') for (let i = 0; i < n; i++) d.get(readKey(i % READ_RECORDS));
  else if (task === 'gets-hit') for (let i = 0; i < n; i++) d.get(readKey(i % 5000));
  else if (task === 'sets') {
    const value = Buffer.alloc(100, id);
    for (let i = 0; i < n; i++) await d.put(`s${id}:${String(i).padStart(9, '0')}`, value);
  } else if (task === 'rtt') return roundTrips(d, n);
  else if (task === 'rtt-hit') return roundTrips(d, n, 5000);
  else if (task === 'watch') return watch(d, lines);
  else throw new Error(`unknown task ${task}`);
  return {};
}

const [system, task, dir, idArg, nArg] = process.argv.slice(2);
const drivers: Record<string, (dir: string, task: string) => Promise<Driver>> = { skyshelve, 'lmdb-js': lmdb, 'better-sqlite3': sqlite };
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const d = await drivers[system!]!(dir!, task!);
await warmUp(task!, d, Number(idArg));
process.stdout.write('ready\n');
await lines.next();
const cpu0 = process.cpuUsage();
const startNs = now();
const extra = await run(task!, d, Number(idArg), Number(nArg), lines);
const endNs = now();
const cpu1 = process.cpuUsage(cpu0);
extra.cpuUs = cpu1.user + cpu1.system;
await d.close();
process.stdout.write(JSON.stringify({ startNs: String(startNs), endNs: String(endNs), ops: Number(nArg), ...extra }) + '\n');
process.exit(0);
