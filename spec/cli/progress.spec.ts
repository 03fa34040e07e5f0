import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { badgerLocation, BIN, cli, fill } from './helpers.js';

/** True when util-linux `script` can give a child a terminal. */
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('skyshelve progress bars', function () {
  after(cleanupTmp);

  it('draws nothing when stderr is not a terminal', async () => {
    const db = badgerLocation();
    await fill(db, 3000);
    const r = await cli(['export', db, '-']);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('exported 3015 entries\n');
  });

  (hasScript ? it : it.skip)('draws count, rate and ETA on a terminal stderr, and keeps stdout clean', async () => {
    const db = badgerLocation();
    await fill(db, 3000);
    const out = path.join(tmpDir('sky-cli-'), 'out.jsonl');
    // stdout goes to a file, stderr to the pseudo-terminal that `script` records.
    const r = spawnSync('script', ['-qec', `${process.execPath} ${BIN} export ${db} - > ${out}`, '/dev/null'], { encoding: 'utf8' });
    expect(r.status, r.stdout).to.equal(0);
    expect(r.stdout).to.match(/export .*3015\/3015 \| \d+\/s \| ETA/);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).to.have.length(3017);
    for (const l of lines) JSON.parse(l);
  });
});
