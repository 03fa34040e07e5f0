import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

// dist/spec/package -> the repository root.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('the Go library loads lazily', () => {
  it('importing skyshelve and using SlateDB never loads it; Badger then fails with NATIVE_LOAD', function () {
    this.timeout(120_000);
    // The consumer fixture imports 'skyshelve', which resolves to this package (self-reference).
    const script = path.join(root, 'spec', 'fixtures', 'consumer', 'lazy.mjs');
    const missing = path.join(root, 'no-such-dir', 'libskyshelve.so');
    const run = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8', env: { ...process.env, SKYSHELVE_LIB: missing } });
    const lines = `${run.stdout}${run.stderr}`.split('\n');
    const failures = lines.filter((l) => l.startsWith('not ok'));
    expect(failures, lines.join('\n')).to.deep.equal([]);
    expect(lines.filter((l) => l.startsWith('ok - ')).length, lines.join('\n')).to.be.at.least(8);
    expect(run.status).to.equal(0);
  });
});
