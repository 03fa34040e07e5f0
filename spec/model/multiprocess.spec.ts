/**
 * Models on a Badger directory shared by several processes, with a plain configureStorage (no
 * option): real child processes contend for one counter. Badger-specific, so it is not part of the
 * per-backend suite.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SkyShelve, closeModelStores } from '../../src/index.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { Counter, configureCounter, increment } from './fixtures/counter.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Starts a fixture and resolves once it printed `line`. */
function start(fixture: string, args: string[], line: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [path.join(fixtures, fixture), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (out.includes(line)) resolve({ child, output: () => out });
    });
    child.on('exit', (code) => reject(new Error(`${fixture} exited with ${code} before "${line}": ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.on('exit', (code) => r(code)));
}

describe('models shared by several processes (Badger, plain configureStorage)', function () {
  let dir: string;
  beforeEach(() => {
    dir = tmpDir('sky-mp-');
  });
  afterEach(() => closeModelStores());
  after(cleanupTmp);

  it("4 processes x 50 Counter.update give exactly 200, with one value index entry (the seed's case)", async () => {
    const workers = await Promise.all([0, 1, 2, 3].map(() => start('counter-worker.js', [dir, '50'], 'ready')));
    for (const w of workers) w.child.stdin!.write('go\n');
    const codes = await Promise.all(workers.map((w) => exited(w.child)));
    expect(codes, workers.map((w) => w.output()).join('\n')).to.deep.equal([0, 0, 0, 0]);
    for (const w of workers) expect(JSON.parse(w.output().trim().split('\n').pop()!).done).to.equal(50);
    configureCounter(dir);
    expect((await Counter.load('global')).value).to.equal(200);
    const entries = await Counter.scanIndexRange('value', {});
    expect(entries.map((c) => c.value)).to.deep.equal([200]);
    expect((await Counter.scanIndex('value', 200)).length).to.equal(1);
    expect(await Counter.verifyIndexes()).to.deep.equal({ checked: 1, missing: 0, stale: 0 });
  });

  it('a worker thread and the main thread of one process, 50 updates each, count exactly 100', async () => {
    await incrementFromThreadAndMain(dir);
  });
});

describe('worker threads of a client process (Badger, owner in another process)', function () {
  this.timeout(120_000);
  after(cleanupTmp);

  it('a worker thread and the main thread of a client, 50 updates each, count exactly 100 while another process owns the store', async () => {
    const dir = tmpDir('sky-mp-thr-');
    const owner = spawn(process.execPath, [path.join(fixtures, '..', '..', 'fixtures', 'owner.js'), path.join(dir, 'counter')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        owner.stdout!.on('data', (d) => {
          if (String(d).includes('ready')) resolve();
        });
        owner.once('exit', (code) => reject(new Error(`owner exited with ${code}`)));
      });
      await incrementFromThreadAndMain(dir);
      const probe = await SkyShelve.open(path.join(dir, 'counter'));
      expect((await probe.stats()).role, 'this process is a client of the owner').to.equal('client');
      await probe.close();
    } finally {
      await closeModelStores();
      owner.kill('SIGKILL');
    }
  });
});

/** 50 increments from a worker thread and 50 from this thread of the counter in `dir`: exactly 100. */
async function incrementFromThreadAndMain(dir: string): Promise<void> {
  configureCounter(dir);
  const worker = new Worker(path.join(fixtures, 'counter-thread.js'), { workerData: { dir, n: 50 } });
  const done = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  for (let i = 0; i < 50; i++) await increment();
  await done;
  await worker.terminate();
  expect((await Counter.load('global')).value).to.equal(100);
}
