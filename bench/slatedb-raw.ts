/**
 * Raw @slatedb/uniffi against our SlateBackend on one workload (local file object store), so the
 * cost of the backend layer is visible. usage: node dist/bench/slatedb-raw.js [N]   (default 20000)
 * Writes the table into the "SlateDB" section of bench/RESULTS.md (other sections are kept).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DbBuilder, ObjectStore, Ttl, WriteBatch, type Db } from '@slatedb/uniffi';
import { SlateBackend } from '../src/backend/slatedb.js';

const N = Number(process.argv[2] ?? 20_000);
const BATCH = 1000;
const DURABLE_SEQ = 20; // sequential durable writes each wait ~one flush; keep this small
const DURABLE_PAR = 1000;
const keys = Array.from({ length: N }, (_, i) => Buffer.from('user:' + String(i).padStart(11, '0')));
const vals = Array.from({ length: N }, () => randomBytes(100));
const order = Array.from({ length: N }, (_, i) => i).sort(() => Math.random() - 0.5);

type Row = { op: string; raw?: number; backend?: number };
const rows: Row[] = [];
const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const rate = (n: number, ms: number): number => Math.round(n / (ms / 1000));
function record(op: string, side: 'raw' | 'backend', opsPerSec: number): void {
  let row = rows.find((r) => r.op === op);
  if (!row) rows.push((row = { op }));
  row[side] = opsPerSec;
  console.log(`${side.padEnd(8)} ${op.padEnd(36)} ${opsPerSec.toLocaleString('en-US').padStart(10)} ops/s`);
}
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'sky-slatebench-'));

/** One operation measured on both sides, back to back, so both see the same machine load. */
type Side = {
  put(i: number): Promise<unknown>;
  get(i: number): Promise<unknown>;
  scan(): Promise<number>;
  batch(from: number, to: number): Promise<unknown>;
  durablePut(i: number): Promise<unknown>;
};

async function openRaw(dir: string): Promise<{ side: Side; close(): Promise<void> }> {
  const store = ObjectStore.resolve(pathToFileURL(dir).href);
  const builder = new DbBuilder('', store);
  const db: Db = await builder.build();
  builder.dispose();
  const put = { ttl: Ttl.Default() };
  const buffered = { await_durable: false };
  const side: Side = {
    put: (i) => db.put_with_options(keys[i]!, vals[i]!, put, buffered),
    get: async (i) => {
      if (!(await db.get(keys[i]!))) throw new Error('miss');
    },
    scan: async () => {
      const it = await db.scan({ start: undefined, start_inclusive: true, end: undefined, end_inclusive: false });
      let c = 0;
      while (await it.next()) c++;
      it.dispose();
      return c;
    },
    batch: async (from, to) => {
      const batch = new WriteBatch();
      for (let i = from; i < to; i++) batch.put(keys[i]!, vals[i]!);
      await db.write_with_options(batch, buffered);
      batch.dispose();
    },
    durablePut: (i) => db.put(keys[i]!, vals[i]!), // await_durable defaults to true in 0.12
  };
  return {
    side,
    close: async () => {
      await db.shutdown();
      db.dispose();
      store.dispose();
    },
  };
}

async function openOurs(dir: string): Promise<{ side: Side; close(): Promise<void> }> {
  const db = await SlateBackend.open({ path: dir, store: { provider: 'local' } });
  const durable = await SlateBackend.open({ path: dir + '-durable', store: { provider: 'local' } }, { durable: true });
  const side: Side = {
    put: (i) => db.write([{ type: 'put', key: keys[i]!, value: vals[i]! }]),
    get: async (i) => {
      if (!(await db.get(keys[i]!))) throw new Error('miss');
    },
    scan: async () => {
      const cursor = db.iterate({});
      let c = 0;
      for (let got = await cursor.next(1000); got.length > 0; got = await cursor.next(1000)) c += got.length;
      return c;
    },
    batch: (from, to) => db.write(keys.slice(from, to).map((key, j) => ({ type: 'put' as const, key, value: vals[from + j]! }))),
    durablePut: (i) => durable.write([{ type: 'put', key: keys[i]!, value: vals[i]! }]),
  };
  return {
    side,
    close: async () => {
      await db.close();
      await durable.close();
    },
  };
}

async function both(op: string, n: number, sides: Record<'raw' | 'backend', Side>, fn: (side: Side) => Promise<unknown>): Promise<void> {
  for (const name of ['raw', 'backend'] as const) record(op, name, rate(n, await time(() => fn(sides[name]))));
}

async function run(): Promise<void> {
  const rawDir = tmp();
  const oursDir = tmp();
  const raw = await openRaw(rawDir);
  const ours = await openOurs(path.join(oursDir, 'db'));
  const sides = { raw: raw.side, backend: ours.side };
  await both('put single, awaited, buffered', N, sides, async (x) => {
    for (let i = 0; i < N; i++) await x.put(i);
  });
  await both('get random, awaited', N, sides, async (x) => {
    for (const i of order) await x.get(i);
  });
  await both('scan all (entries/s)', N, sides, async (x) => {
    const c = await x.scan();
    if (c !== N) throw new Error('scan ' + c);
  });
  await both('put batch 1000 (entries/s)', N, sides, async (x) => {
    for (let b = 0; b < N; b += BATCH) await x.batch(b, Math.min(N, b + BATCH));
  });
  await both(`put durable, sequential (${DURABLE_SEQ})`, DURABLE_SEQ, sides, async (x) => {
    for (let i = 0; i < DURABLE_SEQ; i++) await x.durablePut(i);
  });
  await both(`put durable, ${DURABLE_PAR} concurrent`, DURABLE_PAR, sides, (x) => Promise.all(Array.from({ length: DURABLE_PAR }, (_, i) => x.durablePut(i))));
  await raw.close();
  await ours.close();
  for (const dir of [rawDir, oursDir]) fs.rmSync(dir, { recursive: true, force: true });
}

function table(): string {
  const fmt = (n?: number): string => (n === undefined ? '—' : n.toLocaleString('en-US'));
  const lines = ['| operation | raw @slatedb/uniffi (ops/s) | SlateBackend (ops/s) | backend / raw |', '|---|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.op} | ${fmt(r.raw)} | ${fmt(r.backend)} | ${r.raw && r.backend ? (r.backend / r.raw).toFixed(2) : '—'} |`);
  return lines.join('\n');
}

function writeResults(): void {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bench/RESULTS.md');
  const section = [
    '## SlateDB',
    '',
    `\`node dist/bench/slatedb-raw.js ${N}\` — local file object store in a temp dir, ${N.toLocaleString('en-US')} keys of 16 bytes, 100-byte values, one awaited call at a time unless noted; each row runs raw then backend back to back. SlateDB defaults (flush_interval 100 ms). "durable" = the write waits until the WAL is in the object store; the backend applies the write buffered and then awaits one flush shared by every writer waiting at that moment, while raw uses \`await_durable: true\` (waits for the next 100 ms WAL flush). Run on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    table(),
    '',
    `Load average at the end of the run: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' / ',
      )} on ${os.cpus().length} cores, so a single run's ratios can be off by 2× either way (two runs a minute apart differed that much on one row); the backend adds only JavaScript around the same native calls. Every awaited call is one round trip from Rust's thread back to Node's loop in the UniFFI binding, which bounds single ops and scans: \`DbIterator\` in 0.12.1 has only \`next()\`, one entry per call. "put durable, sequential" is where the backend differs by design: it flushes at once instead of waiting for the 100 ms WAL timer.`,
    '',
  ].join('\n');
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = old.indexOf('\n## SlateDB\n');
  let next = start < 0 ? -1 : old.indexOf('\n## ', start + 1);
  if (start >= 0 && next < 0) next = old.length;
  const updated = start < 0 ? old.replace(/\n*$/, '\n\n') + section : old.slice(0, start + 1) + section + old.slice(next + 1);
  fs.writeFileSync(file, updated);
  console.log(`updated the SlateDB section of ${file}`);
}

await run();
console.log('\n' + table());
if (!process.argv.includes('--no-write')) writeResults();
