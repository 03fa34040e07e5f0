/**
 * Issue 14: 4 processes x 100 transactions, each moving 1 unit between two of 10 accounts, on one
 * Badger directory that the processes share (issue 11). The total must not change and no account may
 * go negative. Badger-specific (real child processes), so it is not part of the per-backend suite.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [path.join(here, 'fixtures', 'transfer.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

describe('transactions across processes (Badger)', function () {
  this.timeout(240_000);
  after(cleanupTmp);

  it('4 processes x 100 transfers between 10 accounts: the total is unchanged and no account goes negative', async () => {
    const dir = tmpDir('sky-transfer-');
    expect((await run([dir, 'init'])).code).to.equal(0);
    const runs = await Promise.all([1, 2, 3, 4].map((seed) => run([dir, 'run', '100', String(seed)])));
    for (const r of runs) {
      expect(r.code, r.out).to.equal(0);
      expect(JSON.parse(r.out.trim().split('\n').pop()!).done).to.equal(100);
    }
    const check = await run([dir, 'check']);
    expect(check.code, check.out).to.equal(0);
    const balances = JSON.parse(check.out.trim().split('\n').pop()!) as number[];
    expect(balances.length).to.equal(10);
    expect(balances.reduce((a, b) => a + b, 0)).to.equal(50);
    for (const b of balances) expect(b).to.be.at.least(0);
    // With 5 units each and 400 transfers, some transfers must have been refused by the body's check.
    const moved = runs.reduce((n, r) => n + (JSON.parse(r.out.trim().split('\n').pop()!).moved as number), 0);
    expect(moved).to.be.greaterThan(0);
  });
});
