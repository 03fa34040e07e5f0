/** Issue 12 item 21: .ci/run fails a step that ran no test or whose exit disagrees with its line. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Runs .ci/run's own count() on a step log and exit status; returns the totals it reached. */
function count(log: string, rc: number): { passed: number; failed: number; skipped: number; broken: string } {
  const script = fs.readFileSync(path.join(repo, '.ci', 'run'), 'utf8');
  const fn = /^count\(\) \{[\s\S]*?^\}$/m.exec(script)?.[0];
  expect(fn, 'count() in .ci/run').to.be.a('string');
  const file = path.join(tmpDir('sky-ci-'), 'step.log');
  fs.writeFileSync(file, log);
  const body = `passed=0; failed=0; skipped=0; broken=()\n${fn}\ncount step "${file}" ${rc}\necho "$passed $failed $skipped|\${broken[*]}"`;
  const out = spawnSync('bash', ['-c', body], { encoding: 'utf8' });
  expect(out.status, out.stderr).to.equal(0);
  const [nums, broken] = out.stdout.trim().split('|');
  const [passed, failed, skipped] = nums!.split(' ').map(Number);
  return { passed: passed!, failed: failed!, skipped: skipped!, broken: broken ?? '' };
}

describe('.ci/run counting', function () {
  after(cleanupTmp);

  it('counts a clean step', () => {
    expect(count('x\n12 passed, 0 failed\n', 0)).to.deep.include({ passed: 12, failed: 0, skipped: 0, broken: '' });
  });

  it('fails a step that ran no test, even with exit 0', () => {
    const r = count('0 passed, 0 failed\n', 0);
    expect(r.failed).to.equal(1);
    expect(r.broken).to.contain('ran no test');
  });

  it('fails a step whose exit is non-zero although its line says 0 failed', () => {
    const r = count('5 passed, 0 failed\n', 1);
    expect(r.failed).to.equal(1);
    expect(r.broken).to.contain('exit 1');
  });

  it('counts skipped tests from the reporter line', () => {
    expect(count('3 passed, 0 failed, 2 skipped\n', 0)).to.deep.include({ passed: 3, failed: 0, skipped: 2 });
  });

  it('fails a step with no result line', () => {
    expect(count('npm ERR! something\n', 1).failed).to.equal(1);
  });
});

describe('scripts/ci-s3.sh without the S3 environment', function () {
  after(cleanupTmp);

  for (const [name, envScript] of [
    ['fails', 'exit 1'],
    ['prints no endpoint', 'echo AWS_REGION=us-east-1'],
  ] as const) {
    it(`fails the step when s3-server.sh env ${name}, before any spec runs`, () => {
      const dir = tmpDir('sky-ci-');
      fs.mkdirSync(path.join(dir, 'scripts'));
      fs.copyFileSync(path.join(repo, 'scripts', 'ci-s3.sh'), path.join(dir, 'scripts', 'ci-s3.sh'));
      // A stand-in server script: start and stop work, env does not.
      fs.writeFileSync(path.join(dir, 'scripts', 's3-server.sh'), `case "$1" in env) ${envScript} ;; *) exit 0 ;; esac\n`);
      const run = spawnSync('bash', [path.join(dir, 'scripts', 'ci-s3.sh')], { encoding: 'utf8' });
      expect(run.status, run.stdout + run.stderr).to.equal(1);
      expect(run.stdout.trim().split('\n').at(-1)).to.equal('0 passed, 1 failed');
    });
  }
});
