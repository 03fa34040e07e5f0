import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, printFiguresAtEnd } from './figures.js';

printFiguresAtEnd();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/**
 * Per fuzz target: an execution count (about 15 s each here) rather than a duration, whose deadline
 * can fail a clean run on a loaded machine. Override with RELIABILITY_FUZZTIME (1000000x, or 30s).
 */
const fuzztime = process.env.RELIABILITY_FUZZTIME ?? '250000x';

describe('fuzzing: every Go decoder of bytes from JavaScript under go test -fuzz', function () {
  it(`runs the Go unit tests and each Fuzz target for ${fuzztime} without a failure`, function () {
    this.timeout(15 * 60 * 1000);
    const run = spawnSync('bash', [path.join(root, 'scripts/go-test-count.sh')], {
      cwd: root,
      env: { ...process.env, FUZZTIME: fuzztime },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const out = `${run.stdout}\n${run.stderr}`;
    // go-test-count.sh prints `fuzz <package> <target>: ok|FAILED` (the package since targets live under internal/ too).
    const targets = [...out.matchAll(/^fuzz (\S+ \S+): (ok|FAILED)$/gm)].map((m) => ({ name: m[1]!, ok: m[2] === 'ok' }));
    const summary = /^(\d+) passed, (\d+) failed$/m.exec(run.stdout);
    figure(
      'fuzz/go',
      `${targets.length} targets x ${fuzztime}: ${targets.filter((t) => t.ok).length} clean [${targets.map((t) => t.name).join(', ')}]; go tests+fuzz ${summary ? `${summary[1]} passed, ${summary[2]} failed` : 'no summary'}`,
    );
    expect(targets.length, 'no Fuzz targets found in native/ (go-test-count.sh)').to.be.at.least(1);
    expect(
      targets.filter((t) => !t.ok).map((t) => t.name),
      out.slice(-4000),
    ).to.deep.equal([]);
    expect(run.status, out.slice(-4000)).to.equal(0);
  });
});
