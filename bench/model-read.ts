/**
 * Model read-path probe (issue 13 §2): µs per `load` and per `scanIndex` of 10 records, and the
 * share of each spent in fromRecord (class-transformer). `node dist/bench/model-read.js [N]`.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkyShelve } from '../src/index.js';
import { defineMember } from './member.js';

const n = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'model-read-'));
try {
  const store = await SkyShelve.open(dir);
  const Member = defineMember(store);
  const ids = Array.from({ length: n }, (_, i) => `m${String(i).padStart(8, '0')}`);
  for (let i = 0; i < n; i++) await new Member({ id: ids[i], email: `u${i}@example.com`, team: `team${Math.floor(i / 10)}`, age: i % 90 }).save();
  let fromRecordNs = 0n;
  const original = Member.fromRecord;
  Member.fromRecord = function (this: typeof Member, key: unknown, record: unknown) {
    const t = process.hrtime.bigint();
    try {
      return original.call(this, key, record);
    } finally {
      fromRecordNs += process.hrtime.bigint() - t;
    }
  } as typeof Member.fromRecord;
  const time = async (label: string, count: number, fn: (i: number) => Promise<unknown>) => {
    fromRecordNs = 0n;
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await fn(i);
    const total = Number(process.hrtime.bigint() - start);
    console.log(`${label.padEnd(24)} ${(total / 1000 / count).toFixed(1).padStart(7)} µs  fromRecord ${((Number(fromRecordNs) / total) * 100).toFixed(0)}%`);
  };
  await time('load', n, (i) => Member.load(ids[(i * 7919) % n]));
  await time('scanIndex (10 records)', n / 10, (i) => Member.scanIndex('team', `team${(i * 7919) % (n / 10)}`));
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
