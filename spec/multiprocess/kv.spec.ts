/**
 * Several processes on one Badger directory with no option (issue 11): real child processes, the
 * first to open owns Badger and serves the others. Badger-specific.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SkyShelve } from '../../src/index.js';
import { rejectsWith } from '../support/rejects.js';
import { loadNative } from '../../src/backend/native.js';
import { FIXTURES, lastJson, startFixture, stopChild, type Proc } from '../support/procs.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/** Starts owner.js on `dir` and waits until it holds the store. */
async function owner(dir: string, mode?: 'exclusive'): Promise<Proc> {
  const p = startFixture('owner', mode ? [dir, mode] : [dir]);
  await p.line((l) => l === 'ready');
  return p;
}

/** Runs open-try.js and returns its JSON line. */
async function tryOpen(
  dir: string,
  options: { exclusive?: boolean; uid?: number; gid?: number; store?: object } = {},
): Promise<{ ok: boolean; code?: string; message?: string; value?: unknown }> {
  const mode = options.exclusive ? ['exclusive'] : options.store ? [JSON.stringify(options.store)] : [];
  const p = startFixture('open-try', [dir, ...mode], { uid: options.uid, gid: options.gid });
  const code = await p.exited;
  expect(code, p.stderr()).to.equal(0);
  return lastJson(p);
}

/** Every socket file under `dir`. */
function sockets(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isSocket())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('several processes on one Badger directory (no option)', function () {
  this.timeout(120_000);
  const kids: Proc[] = [];
  afterEach(() => {
    for (const k of kids.splice(0)) k.child.kill('SIGKILL');
  });
  after(cleanupTmp);

  it('4 processes each write and read back 300 keys through a plain new SkyShelve(dir) (and sync, getMany, delete, has, stats)', async () => {
    const dir = path.join(tmpDir('sky-mp-kv-'), 'db');
    const writers = ['a', 'b', 'c', 'd'].map((tag) => startFixture('kv-writer', [dir, tag, '300', 'wait']));
    kids.push(...writers);
    await Promise.all(writers.map((w) => w.line((l) => l === 'ready')));
    for (const w of writers) w.send('go');
    const codes = await Promise.all(writers.map((w) => w.exited));
    expect(codes, writers.map((w) => w.stderr()).join('\n')).to.deep.equal([0, 0, 0, 0]);
    for (const w of writers) expect(lastJson(w)).to.deep.include({ wrote: 300, readBack: 300, scanned: 300, manyOk: true, deleted: true, wrong: [] });
    // All were open before any wrote: one owner, three clients.
    expect(writers.map((w) => lastJson(w).startRole).sort()).to.deep.equal(['client', 'client', 'client', 'owner']);
    const store = await SkyShelve.open(dir);
    try {
      for (const tag of ['a', 'b', 'c', 'd']) expect((await store.scan(`${tag}:`)).length, tag).to.equal(300);
    } finally {
      await store.close();
    }
  });

  it('defaultFactory: processes racing for one missing key agree on the value stored first', async () => {
    const dir = path.join(tmpDir('sky-mp-default-'), 'db');
    const racers = [0, 1, 2].map(() => startFixture('default-get', [dir, '200']));
    kids.push(...racers);
    await Promise.all(racers.map((r) => r.line((l) => l === 'ready')));
    for (const r of racers) r.send('go');
    const codes = await Promise.all(racers.map((r) => r.exited));
    expect(codes, racers.map((r) => r.stderr()).join('\n')).to.deep.equal([0, 0, 0]);
    const got = racers.map((r) => JSON.parse(r.lines.at(-1)!) as number[]);
    const store = await SkyShelve.open<number>(dir);
    try {
      const stored = await store.getMany(got[0]!.map((_, i) => `d${i}`));
      for (const values of got) expect(values).to.deep.equal(stored);
      expect(new Set(stored).size, "every value is some racer's pid").to.be.at.most(3);
    } finally {
      await store.close();
    }
  });

  it('says so in supports: multiProcess for an on-disk store, not with exclusive or in memory', async () => {
    const dir = tmpDir('sky-mp-caps-');
    const shared = new SkyShelve(path.join(dir, 'a'));
    const alone = new SkyShelve(path.join(dir, 'b'), { exclusive: true });
    const memory = new SkyShelve(null, { inMemory: true });
    try {
      expect(shared.supports.multiProcess).to.equal(true);
      expect(alone.supports.multiProcess).to.equal(false);
      expect(memory.supports.multiProcess).to.equal(false);
      await (await shared.backend()).get(Uint8Array.of(1));
      expect(shared.supports.multiProcess, 'after open').to.equal(true);
    } finally {
      await Promise.all([shared.close(), alone.close(), memory.close()]);
    }
  });

  it('rejects exclusive of the wrong type or with inMemory', async () => {
    expect(() => new SkyShelve('x', { exclusive: 'yes' } as never)).to.throw(TypeError, /exclusive/);
    expect(() => new SkyShelve('x', { exlusive: true } as never)).to.throw(TypeError, /did you mean 'exclusive'/);
    expect(() => new SkyShelve('slatedb:///tmp/x', { exclusive: true })).to.throw(TypeError, /exclusive/);
    const err = await rejectsWith(() => SkyShelve.open(null, { inMemory: true, exclusive: true }), 'CONFIG');
    expect(err.message).to.contain('exclusive');
  });

  it('gives LOCKED to every other process while one holds the directory with exclusive: true', async () => {
    const dir = path.join(tmpDir('sky-mp-excl-'), 'db');
    kids.push(await owner(dir, 'exclusive'));
    const err = await rejectsWith(() => SkyShelve.open(dir), 'LOCKED');
    expect(err.message).to.contain(dir);
  });

  it('gives LOCKED to an exclusive open while another process holds the directory', async () => {
    const dir = path.join(tmpDir('sky-mp-excl2-'), 'db');
    const o = await owner(dir);
    kids.push(o);
    const r = await tryOpen(dir, { exclusive: true });
    expect(r).to.deep.include({ ok: false, code: 'LOCKED' });
    expect(await tryOpen(dir), 'a plain open still works').to.deep.equal({ ok: true, value: o.child.pid });
  });

  it('recovers a stale socket file left by a SIGKILLed owner', async () => {
    const dir = path.join(tmpDir('sky-mp-stale-'), 'db');
    const o = await owner(dir);
    const pid = o.child.pid;
    o.child.kill('SIGKILL');
    expect(await o.exited).to.equal('SIGKILL');
    expect(sockets(dir), 'the killed owner left no socket file: the test proves nothing').to.have.length.above(0);
    const store = await SkyShelve.open(dir);
    try {
      expect(await store.get('held-by')).to.equal(pid);
      await store.set('after', 'recovered');
      // Another process reaches the new owner (this one) through the recovered socket.
      expect(await tryOpen(dir)).to.deep.equal({ ok: true, value: pid });
    } finally {
      await store.close();
    }
  });

  it('works when the store path is over 108 bytes (the socket goes elsewhere)', async () => {
    let dir = tmpDir('sky-mp-long-');
    while (dir.length <= 140) dir = path.join(dir, 'a-rather-long-directory-name');
    expect(Buffer.byteLength(dir)).to.be.above(108);
    const o = await owner(dir);
    kids.push(o);
    const w = startFixture('kv-writer', [dir, 'long', '50']);
    expect(await w.exited, w.stderr()).to.equal(0);
    expect(lastJson(w)).to.deep.include({ readBack: 50 });
    expect(await tryOpen(dir)).to.deep.equal({ ok: true, value: o.child.pid });
  });

  it('gives a process of another uid a clear PERMISSION error, and it reads nothing', async function () {
    if (process.getuid?.() !== 0) this.skip(); // spawning as uid 65534 needs root
    // The other user must be able to run the fixture at all (a checkout in a 0700 directory cannot).
    const probe = spawnSync(
      process.execPath,
      ['-e', 'for (const f of process.argv.slice(1)) require("fs").readFileSync(f)', path.join(FIXTURES, 'open-try.js'), loadNative().path],
      { uid: 65534, gid: 65534 },
    );
    if (probe.status !== 0) this.skip();
    const base = tmpDir('sky-mp-uid-');
    const dir = path.join(base, 'db');
    const o = await owner(dir);
    kids.push(o);
    // Let the other user reach the directory, so the socket's own checks are what stops it.
    for (const d of [base, dir]) fs.chmodSync(d, 0o755);
    const r = await tryOpen(dir, { uid: 65534, gid: 65534 });
    expect(r.ok, JSON.stringify(r)).to.equal(false);
    expect(r.code, r.message).to.equal('PERMISSION');
    expect(r).not.to.have.property('value');
    expect(r.message).to.match(/user|uid|permission/i);
  });

  it('gives a client TIMEOUT while its owner is stopped (SIGSTOP), and starts no second owner', async () => {
    const dir = path.join(tmpDir('sky-mp-hung-'), 'db');
    const o = await owner(dir);
    kids.push(o);
    const c = startFixture('client-get', [dir, JSON.stringify({ requestTimeoutMs: 500 })]);
    kids.push(c);
    await c.line((l) => l === 'ready');
    await stopChild(o);
    try {
      c.send('get');
      const r = JSON.parse(await c.line((l) => l.startsWith('{'))) as { ok: boolean; code?: string; message?: string };
      expect(r).to.deep.include({ ok: false, code: 'TIMEOUT' });
      expect(r.message).to.match(/did not answer/);
    } finally {
      o.child.kill('SIGCONT');
    }
    c.send('get');
    const again = await c.line((l) => l.startsWith('{') && l.includes('"ok":true'));
    expect(JSON.parse(again), 'the same owner serves again').to.deep.equal({ ok: true, value: o.child.pid });
  });

  it('gives a new open TIMEOUT while the owner is stopped (SIGSTOP)', async () => {
    const dir = path.join(tmpDir('sky-mp-hung2-'), 'db');
    const o = await owner(dir);
    kids.push(o);
    await stopChild(o);
    try {
      const r = await tryOpen(dir, { store: { requestTimeoutMs: 500 } });
      expect(r).to.deep.include({ ok: false, code: 'TIMEOUT' });
    } finally {
      o.child.kill('SIGCONT');
    }
    expect(await tryOpen(dir), 'the same owner serves again').to.deep.equal({ ok: true, value: o.child.pid });
  });

  it('rejects a bad requestTimeoutMs with a TypeError', () => {
    expect(() => new SkyShelve('x', { requestTimeoutMs: -1 })).to.throw(TypeError, /requestTimeoutMs/);
  });

  it("keeps serving clients while the owner's JavaScript thread is busy", async () => {
    const base = tmpDir('sky-mp-busy-');
    const dir = path.join(base, 'db');
    const flag = path.join(base, 'release');
    const o = await owner(dir);
    kids.push(o);
    o.send(`busy ${flag}`);
    await o.line((l) => l === 'busy');
    // The owner's thread spins until `flag` exists: a client that needed it would never finish.
    const w = startFixture('kv-writer', [dir, 'busy', '100']);
    kids.push(w);
    const code = await w.exited;
    fs.writeFileSync(flag, '');
    expect(code, w.stderr()).to.equal(0);
    expect(lastJson(w)).to.deep.include({ readBack: 100 });
    await o.line((l) => l === 'idle');
  });
});
