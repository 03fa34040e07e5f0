/**
 * Signal handlers that Node installs after libskyshelve loaded must run on the alternate signal
 * stack (src/backend/signals.ts, native/sigstack_linux.go): one that ran on a goroutine's stack
 * corrupted Go's memory and crashed the process.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { lastJson, startFixture, type Proc } from '../support/procs.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

describe('signal handlers installed after the Badger library loaded', function () {
  this.timeout(60_000);
  const kids: Proc[] = [];
  before(function () {
    if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) this.skip(); // the fix-up is Linux-only
  });
  afterEach(() => {
    for (const k of kids.splice(0)) k.child.kill('SIGKILL');
  });
  after(cleanupTmp);

  it("have SA_ONSTACK as soon as they are installed: process.on('SIGTERM'), and libuv's SIGCHLD across spawns", async () => {
    const p = startFixture('signal-storm', ['flags', path.join(tmpDir('sky-sig-flags-'), 'db')]);
    kids.push(p);
    expect(await p.exited, p.stderr()).to.equal(0);
    const got = lastJson(p);
    const all = JSON.stringify(got);
    // Node installs handlers without the flag (else this test would prove nothing); Go adds it to
    // those present when it starts.
    expect(got.hupBeforeLoad, all).to.equal(false);
    expect(got.hupAfterLoad, all).to.equal(true);
    // Handlers installed later get it at once, and SIGCHLD's stays installed between children.
    expect(got.chldAtOnce, all).to.equal(true);
    expect(got.termAtOnce, all).to.equal(true);
    expect(got.chldAfterExit, all).to.equal(true);
    expect(got.chldNextSpawn, all).to.equal(true);
  });

  it("survive SIGUSR2 sent to every thread (Go's too) and SIGCHLD while calling into the library", async () => {
    // Without the fix-up this crashed 8 runs of 8 within 3 s, with a fatal Go error or SIGSEGV.
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const tgkill = koffi.load('libc.so.6').func('int tgkill(int tgid, int tid, int sig)');
    const p = startFixture('signal-storm', ['storm', path.join(tmpDir('sky-sig-storm-'), 'db'), '3000']);
    kids.push(p);
    await p.line((l) => l === 'ready');
    const pid = p.child.pid!;
    let sent = 0;
    const flood = setInterval(() => {
      let tids: string[];
      try {
        tids = fs.readdirSync(`/proc/${pid}/task`);
      } catch {
        return; // it exited
      }
      for (const tid of tids) if (tgkill(pid, Number(tid), 12 /* SIGUSR2 */) === 0) sent++;
    }, 1);
    const done = p.line((l) => l.startsWith('{')).finally(() => clearInterval(flood));
    await done.catch(() => undefined);
    expect(await p.exited, p.stderr().slice(-3000)).to.equal(0);
    const got = lastJson<{ ops: number; signals: number; children: number }>(p);
    expect(got.ops).to.be.above(1000);
    expect(got.signals, `${sent} sent`).to.be.above(100);
    expect(got.children).to.be.above(10);
  });
});
