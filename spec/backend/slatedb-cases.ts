/**
 * SlateDB backend tests shared by the local-directory spec and the S3 spec: the byte contract,
 * atomic batches, reopen, fencing and a read replica in another process.
 */
import { expect } from 'chai';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { SlateBackend, type SlateOpenOptions } from '../../src/backend/slatedb.js';
import type { SlateConfig } from '../../src/backend/slatedb-uri.js';
import type { RawEntry } from '../../src/backend/backend.js';
import type { SkyshelveError } from '../../src/errors.js';
import { rejectsWith } from '../support/rejects.js';

export { rejectsWith };

/** The compiled backend module, for child processes. */
export const BACKEND_URL = new URL('../../src/backend/slatedb.js', import.meta.url).href;

export const b = (s: string): Uint8Array => Buffer.from(s);
export const s = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : Buffer.from(u).toString());
const keysOf = (entries: RawEntry[]): (string | undefined)[] => entries.map((e) => s(e.key));

/** Runs an ES module snippet in a fresh Node process; `onLine` sees each stdout line as it arrives. */
export function runChild(
  code: string,
  env: Record<string, string>,
  onLine?: (line: string, child: ChildProcessWithoutNullStreams) => void,
): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      pending += d;
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        onLine?.(line, child);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** Drains a cursor in chunks of `chunk`, checking that no chunk is larger. */
export async function drain(backend: SlateBackend, range: Parameters<SlateBackend['iterate']>[0], chunk = 1000): Promise<RawEntry[]> {
  const cursor = backend.iterate(range);
  const all: RawEntry[] = [];
  for (;;) {
    const got = await cursor.next(chunk);
    expect(got.length).to.be.at.most(chunk);
    if (got.length === 0) break;
    all.push(...got);
  }
  await cursor.close();
  return all;
}

/** Registers the essential SlateDB tests; `newConfig` gives a fresh, empty database location each call. */
export function slateEssentials(newConfig: () => SlateConfig): void {
  let open: SlateBackend[] = [];
  const openBackend = async (config: SlateConfig, options: SlateOpenOptions = {}): Promise<SlateBackend> => {
    const backend = await SlateBackend.open(config, options);
    open.push(backend);
    return backend;
  };
  afterEach(async () => {
    await Promise.all(open.map((x) => x.close().catch(() => {})));
    open = [];
  });

  it('stores, reads, deletes, and answers getMany in the order asked', async () => {
    const db = await openBackend(newConfig());
    await db.write([{ type: 'put', key: b('a'), value: b('1') }]);
    await db.write([
      { type: 'put', key: b('b'), value: b('2') },
      { type: 'put', key: b('empty'), value: new Uint8Array(0) },
    ]);
    expect(s(await db.get(b('a')))).to.equal('1');
    expect(await db.get(b('zz'))).to.equal(undefined);
    expect((await db.getMany([b('b'), b('zz'), b('a'), b('empty')])).map(s)).to.deep.equal(['2', undefined, '1', '']);
    expect(await db.has(b('empty'))).to.equal(true);
    await db.write([{ type: 'del', key: b('a') }]);
    expect(await db.has(b('a'))).to.equal(false);
  });

  it('iterates in bounded chunks, forwards and backwards, with gte inclusive and lt exclusive', async () => {
    const db = await openBackend(newConfig());
    const keys = Array.from({ length: 1200 }, (_, i) => `k${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 400) await db.write(keys.slice(i, i + 400).map((k) => ({ type: 'put' as const, key: b(k), value: b(`v${k}`) })));
    const all = await drain(db, {}, 250);
    expect(keysOf(all)).to.deep.equal(keys);
    expect(s(all[7]!.value)).to.equal(`v${keys[7]}`);
    expect(keysOf(await drain(db, { gte: b('k00010'), lt: b('k00020') }, 3))).to.deep.equal(keys.slice(10, 20));
    expect(keysOf(await drain(db, { reverse: true }, 500))).to.deep.equal([...keys].reverse());
    expect(keysOf(await drain(db, { gte: b('k00010'), lt: b('k00020'), reverse: true }, 4))).to.deep.equal(keys.slice(10, 20).reverse());
    expect(await drain(db, { gte: b('k00020'), lt: b('k00020') })).to.deep.equal([]);
    expect(await drain(db, { gte: b('k00030'), lt: b('k00020') })).to.deep.equal([]);
    const cursor = db.iterate({ gte: b('k01199') });
    expect(keysOf(await cursor.next(10))).to.deep.equal(['k01199']);
    expect(await cursor.next(10)).to.deep.equal([]);
    expect(await cursor.next(10)).to.deep.equal([]);
  });

  it('applies a batch all or nothing', async () => {
    const db = await openBackend(newConfig());
    await db.write([{ type: 'put', key: b('x'), value: b('old') }]);
    await db.write([
      { type: 'put', key: b('p'), value: b('1') },
      { type: 'del', key: b('x') },
      { type: 'put', key: b('q'), value: b('2') },
    ]);
    expect((await db.getMany([b('p'), b('x'), b('q')])).map(s)).to.deep.equal(['1', undefined, '2']);
    // SlateDB rejects an empty key, so the batch fails as a whole and nothing of it is applied.
    await rejectsWith(
      () =>
        db.write([
          { type: 'put', key: b('r'), value: b('3') },
          { type: 'put', key: new Uint8Array(0), value: b('4') },
        ]),
      'INTERNAL',
    );
    expect(await db.get(b('r'))).to.equal(undefined);
  });

  it('keeps synced data across close and reopen; close is safe twice and later calls reject CLOSED', async () => {
    const config = newConfig();
    const db = await openBackend(config);
    await db.write([{ type: 'put', key: b('kept'), value: b('yes') }]);
    await db.sync();
    await db.close();
    await db.close();
    await rejectsWith(() => db.get(b('kept')), 'CLOSED');
    await rejectsWith(() => db.write([{ type: 'del', key: b('kept') }]), 'CLOSED');
    const again = await openBackend(config);
    expect(s(await again.get(b('kept')))).to.equal('yes');
  });

  it('fences the older writer: a durable write fails FENCED once a second writer opens', async () => {
    const config = newConfig();
    const first = await openBackend(config, { durable: true });
    await first.write([{ type: 'put', key: b('a'), value: b('1') }]);
    const second = await openBackend(config);
    await rejectsWith(() => first.write([{ type: 'put', key: b('a'), value: b('stale') }]), 'FENCED');
    expect(s(await second.get(b('a')))).to.equal('1');
  });

  it('serves nothing from a handle once it has reported FENCED, not even the write that failed', async () => {
    // SlateDB rejects the fenced flush a moment before its handle counts as closed, and reads in
    // that window answer from memory, 'stale' included. The race is per attempt, so try a few.
    for (let round = 0; round < 4; round++) {
      const config = newConfig();
      const first = await openBackend(config, { durable: true });
      await first.write([{ type: 'put', key: b('a'), value: b('1') }]);
      const second = await openBackend(config);
      await rejectsWith(() => first.write([{ type: 'put', key: b('a'), value: b('stale') }]), 'FENCED');
      await rejectsWith(() => first.get(b('a')), 'FENCED');
      await rejectsWith(() => first.getMany([b('a')]), 'FENCED');
      await rejectsWith(() => drain(first, {}), 'FENCED');
      await rejectsWith(() => first.sync(), 'FENCED');
      await rejectsWith(() => first.write([{ type: 'del', key: b('a') }]), 'FENCED');
      expect(s(await second.get(b('a')))).to.equal('1');
    }
  });

  it('fences a buffered writer at its next sync, and every write after that', async () => {
    const config = newConfig();
    const first = await openBackend(config);
    await first.write([{ type: 'put', key: b('a'), value: b('1') }]);
    await first.sync();
    await openBackend(config);
    // The buffered write only reaches memory; the fence is detected when the WAL is flushed.
    await first.write([{ type: 'put', key: b('b'), value: b('2') }]).catch(() => {});
    await rejectsWith(() => first.sync(), 'FENCED');
    await rejectsWith(() => first.write([{ type: 'put', key: b('c'), value: b('3') }]), 'FENCED');
  });

  it('a fenced buffered writer names in FENCED how many acknowledged writes were dropped, and that count is exact', async () => {
    const config = newConfig();
    const first = await openBackend(config);
    await first.write([{ type: 'put', key: b('base'), value: b('0') }]);
    await first.sync();
    // Unsynced writes before the fence, spaced so that SlateDB's background flush makes some durable.
    const acked: string[] = [];
    for (let i = 0; i < 10; i++) {
      await first.write([{ type: 'put', key: b(`p${i}`), value: b('x') }]);
      acked.push(`p${i}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const second = await openBackend(config);
    // Buffered writes after the fence: each either resolves (acknowledged, in memory) or fails FENCED.
    for (let i = 0; i < 20; i++) {
      const key = `w${String(i).padStart(2, '0')}`;
      try {
        await first.write([{ type: 'put', key: b(key), value: b('x') }]);
        acked.push(key);
      } catch (err) {
        expect((err as { code?: string }).code).to.equal('FENCED');
      }
    }
    const err = (await rejectsWith(() => first.sync(), 'FENCED')) as SkyshelveError;
    const lost = err.details?.lostWrites;
    expect(lost, err.message).to.be.a('number');
    expect(err.message).to.contain(`${String(lost)} acknowledged write`);
    const missing: string[] = [];
    for (const key of acked) if ((await second.get(b(key))) === undefined) missing.push(key);
    expect(lost, `acknowledged ${acked.length}, missing from the new writer: ${missing.join(',')}`).to.equal(missing.length);
    expect(s(await second.get(b('base')))).to.equal('0');
    // Every later call repeats the count.
    expect(((await rejectsWith(() => first.get(b('base')), 'FENCED')) as SkyshelveError).details?.lostWrites).to.equal(lost);
  });

  it('serves a read replica in another process that sees writes after sync, and rejects writes there', async function () {
    const config = newConfig();
    const writer = await openBackend(config);
    await writer.write([{ type: 'put', key: b('before'), value: b('1') }]);
    await writer.sync();
    const replica = await openBackend(config, { readOnly: true, pollIntervalMs: 100 });
    expect(replica.supports.readOnly).to.equal(true);
    expect(replica.supports.indexScan).to.equal(false); // a DbReader has no snapshot (the model layer falls back)
    await rejectsWith(() => replica.write([{ type: 'put', key: b('x'), value: b('y') }]), 'READ_ONLY');
    expect(s(await replica.get(b('before')))).to.equal('1');
    const child = await runChild(REPLICA_CHILD, { SLATE_CONFIG: JSON.stringify(config), BACKEND_URL }, (line, proc) => {
      if (line !== 'ready') return;
      void (async () => {
        await writer.write([{ type: 'put', key: b('after'), value: b('2') }]);
        await writer.sync();
        proc.stdin.write('go\n');
      })();
    });
    expect(child.status, child.stderr).to.equal(0);
    expect(JSON.parse(child.stdout.trim().split('\n').pop()!)).to.deep.equal({ before: '1', after: '2' });
  });
}

// Opens a replica, says 'ready', waits for 'go', then polls (up to 20 s, a failure bound only).
const REPLICA_CHILD = `
const { SlateBackend } = await import(process.env.BACKEND_URL);
const r = await SlateBackend.open(JSON.parse(process.env.SLATE_CONFIG), { readOnly: true, pollIntervalMs: 100 });
const str = (u) => u === undefined ? null : Buffer.from(u).toString();
const before = str(await r.get(Buffer.from('before')));
console.log('ready');
await new Promise((res) => process.stdin.once('data', res));
let after = null;
for (const end = Date.now() + 20000; after === null && Date.now() < end;) {
  after = str(await r.get(Buffer.from('after')));
  if (after === null) await new Promise((res) => setTimeout(res, 50));
}
console.log(JSON.stringify({ before, after }));
await r.close();
process.stdin.destroy();
`;
