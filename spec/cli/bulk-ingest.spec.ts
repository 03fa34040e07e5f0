import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BadgerBackend } from '../../src/backend/badger.js';
import { encodeValue } from '../../src/codec/values.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { BIN, badgerLocation, cli, dump, fill, slateLocation } from './helpers.js';

/** An export of `from` as lines (header, entries, trailer). */
async function exportLines(from: string): Promise<string[]> {
  const r = await cli(['export', from, '-']);
  expect(r.code, r.stderr).to.equal(0);
  return r.stdout.trimEnd().split('\n');
}

/** Writes header + entries + a matching trailer to a file. */
function writeExport(header: string, entries: string[]): string {
  const file = path.join(tmpDir('sky-bulk-'), 'in.jsonl');
  fs.writeFileSync(file, [header, ...entries, JSON.stringify({ end: true, count: entries.length })].join('\n') + '\n');
  return file;
}

/** `stats --json` of a store. */
async function statsOf(location: string): Promise<{ keys: number }> {
  const r = await cli(['stats', location, '--json']);
  expect(r.code, r.stderr).to.equal(0);
  return JSON.parse(r.stdout) as { keys: number };
}

/** A deterministic shuffle (the test must not depend on luck). */
function shuffled<T>(items: T[]): T[] {
  const a = [...items];
  let seed = 7;
  for (let i = a.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe('skyshelve import and copy: bulk ingest into an empty Badger store', function () {
  after(cleanupTmp);

  it('a bulk import gives exactly the entries of the slow path, model data and internal area included', async () => {
    const from = badgerLocation();
    await fill(from, 3000);
    const lines = await exportLines(from);
    const file = writeExport(lines[0]!, lines.slice(1, -1));
    const fast = badgerLocation();
    const slow = badgerLocation();
    const a = await cli(['import', fast, file, '--json']);
    const b = await cli(['import', slow, file, '--json', '--no-bulk']);
    expect(JSON.parse(a.stdout), a.stderr).to.include({ bulk: true });
    expect(JSON.parse(b.stdout), b.stderr).to.include({ bulk: false });
    const want = await dump(from);
    expect(want.some(([k]) => k.startsWith('fe'))).to.equal(true); // the models' internal area is in it
    expect(await dump(fast)).to.deep.equal(want);
    expect(await dump(slow)).to.deep.equal(want);
  });

  it('unsorted input with repeated keys gives the same entries as the slow path (the last put wins)', async () => {
    const from = badgerLocation();
    await fill(from, 2000);
    const lines = await exportLines(from);
    const entries = lines.slice(1, -1);
    const again = entries.slice(0, 300).map((l) => l.replace(/"v":.*\}$/, '"v":"rewritten"}'));
    const file = writeExport(lines[0]!, [...shuffled(entries), ...again]);
    const fast = badgerLocation();
    const slow = badgerLocation();
    expect((await cli(['import', fast, file])).stdout).to.contain('(bulk)');
    expect((await cli(['import', slow, file, '--no-bulk'])).code).to.equal(0);
    const got = await dump(fast);
    expect(got).to.deep.equal(await dump(slow));
    const rewritten = Buffer.from(encodeValue('rewritten')).toString('hex');
    const changed = again.filter((l, i) => l !== entries[i]).length;
    expect(changed).to.be.greaterThan(200);
    expect(got.filter(([, v]) => v === rewritten).length).to.equal(changed);
  });

  it('a bulk copy gives exactly the entries of a batched copy; a non-empty target or SlateDB falls back', async () => {
    const from = badgerLocation();
    await fill(from, 2500);
    const fast = badgerLocation();
    const slow = badgerLocation();
    const a = await cli(['copy', from, fast, '--json']);
    const b = await cli(['copy', from, slow, '--json', '--no-bulk']);
    expect(JSON.parse(a.stdout), a.stderr).to.include({ bulk: true, done: true });
    expect(JSON.parse(b.stdout), b.stderr).to.include({ bulk: false, done: true });
    const want = await dump(from);
    expect(await dump(fast)).to.deep.equal(want);
    expect(await dump(slow)).to.deep.equal(want);
    // Into a store that has entries: ordinary batches, and its own keys are kept.
    const busy = badgerLocation();
    expect((await cli(['set', busy, '"mine"', '1'])).code).to.equal(0);
    const c = await cli(['copy', from, busy, '--json']);
    expect(JSON.parse(c.stdout), c.stderr).to.include({ bulk: false, done: true });
    expect((await dump(busy)).length).to.equal(want.length + 1);
    const lake = await cli(['copy', from, slateLocation(), '--json']);
    expect(JSON.parse(lake.stdout), lake.stderr).to.include({ bulk: false, done: true });
  });

  it('a truncated file or a reserved key leaves a bulk import target empty', async () => {
    const from = badgerLocation();
    await fill(from, 500);
    const lines = await exportLines(from);
    const target = badgerLocation();
    const truncated = await cli(['import', target, '-'], { input: lines.slice(0, -1).join('\n') + '\n' });
    expect(truncated.code).to.equal(1);
    expect(truncated.stderr).to.match(/^error: DECODE: the file has no trailer line, so it is truncated; nothing was imported/);
    expect(await dump(target)).to.deep.equal([]);
    // FF "skyshelve" 00 belongs to the native layer (docs/FORMAT.md): refused on both paths.
    const reserved = JSON.stringify({ kb: Buffer.from('\xffskyshelve\x00applied', 'latin1').toString('base64'), vb: '' });
    const file = writeExport(lines[0]!, [...lines.slice(1, 50), reserved]);
    for (const flag of [[], ['--no-bulk']]) {
      const r = await cli(['import', target, file, ...flag]);
      expect(r.code, r.stdout).to.equal(1);
      expect(r.stderr).to.contain('reserved prefix');
    }
    const bulkTarget = badgerLocation();
    expect((await cli(['import', bulkTarget, file])).code).to.equal(1);
    expect(await dump(bulkTarget)).to.deep.equal([]);
  });

  for (const threads of ['1', '2']) {
    it(`an import killed mid-way leaves the store empty, and says so; run again, it is complete (--threads ${threads})`, async function () {
      this.timeout(120_000);
      // 20,000 keys in order, then 300,000 shuffled: the stream is completed at the first key out of
      // order (a table on disk), and the rest goes through ordinary commits: a kill in that phase
      // would leave a partial store if nothing rolled it back. That phase lasts over a second here,
      // so the kill 300 ms into it lands inside it even on a fast machine.
      const sorted = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ k: ['a', i], v: { i } }));
      const rest = shuffled(Array.from({ length: 300_000 }, (_, i) => JSON.stringify({ k: ['b', i], v: { i, s: `value ${i}` } })));
      const header = JSON.stringify({ format: 'skyshelve-export', version: 1 });
      const file = writeExport(header, [...sorted, ...rest]);
      const target = badgerLocation();
      const child = spawn(process.execPath, [BIN, 'import', target, file, '--no-progress', '--threads', threads], { stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      const marker = path.join(target, 'SKYSHELVE-INGEST');
      while (!(fs.existsSync(marker) && fs.readdirSync(target).some((f) => f.endsWith('.sst')))) {
        if (child.exitCode !== null) throw new Error('the import ended before it could be killed');
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 300)); // into the phase of ordinary commits
      child.kill('SIGKILL');
      expect(await exited).to.equal('SIGKILL');
      expect(fs.existsSync(marker), 'the kill came mid-ingest').to.equal(true);

      const stats = await cli(['stats', target, '--json']);
      expect(stats.code, stats.stderr).to.equal(0);
      const s = JSON.parse(stats.stdout);
      expect(s.keys).to.equal(0);
      expect(s.engine.rolledBackIngest).to.match(/did not finish; its partial data was dropped/);
      expect(fs.existsSync(marker)).to.equal(false);

      const again = await cli(['import', target, file, '--json', '--threads', threads]);
      expect(JSON.parse(again.stdout), again.stderr).to.deep.equal({ imported: 320_000, file, bulk: true });
      expect((await statsOf(target)).keys).to.equal(320_000);
    });
  }

  it('a bulk copy stopped with Ctrl-C exits 1 and leaves the target empty', async () => {
    const from = badgerLocation();
    await fill(from, 20_000);
    const to = badgerLocation();
    const child = spawn(process.execPath, [BIN, 'copy', from, to, '--batch-size', '20', '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    while (!fs.existsSync(path.join(to, 'SKYSHELVE-INGEST')) && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGINT');
    expect(await exited, stderr).to.equal(1);
    expect(stderr).to.contain('interrupted; the bulk copy was dropped and the target is empty');
    expect(fs.existsSync(path.join(to, 'SKYSHELVE-INGEST'))).to.equal(false);
    expect(await dump(to)).to.deep.equal([]);
  });

  it('across processes: a client process gets BUSY during an ingest, and an import run as a client falls back', async () => {
    const dir = badgerLocation();
    const owner = BadgerBackend.openSync({ path: dir }); // this process owns the store; the CLI runs as its client
    try {
      const { ingest } = await owner.ingest();
      await ingest!.add([{ key: Buffer.from('a'), value: Buffer.from('1') }]);
      const during = await cli(['set', dir, '"x"', '1']);
      expect(during.code).to.equal(1);
      expect(during.stderr).to.contain('BUSY');
      await ingest!.abort();

      const from = badgerLocation();
      await fill(from, 200);
      const file = path.join(tmpDir('sky-bulk-'), 'e.jsonl');
      expect((await cli(['export', from, file])).code).to.equal(0);
      const imported = await cli(['import', dir, file, '--json']);
      expect(JSON.parse(imported.stdout), imported.stderr).to.include({ bulk: false });
      const all = owner.iterate({});
      let n = 0;
      for (let chunk = await all.next(1000); chunk.length; chunk = await all.next(1000)) n += chunk.length;
      await all.close();
      expect(n).to.equal((await dump(from)).length);
    } finally {
      owner.closeSync();
    }
  });
});
