/**
 * Every model operation from several processes on one Badger directory (issue 11): unique indexes
 * are atomic across processes, and verifyIndexes / reindex run from a client.
 */
import { expect } from 'chai';
import path from 'node:path';
import { lastJson, startFixture, type Proc } from '../support/procs.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

interface Out {
  ok: boolean;
  code?: string;
  message?: string;
  result?: unknown;
}

/** Starts member-ops.js for each argument list, releases them together, and returns their JSON lines. */
async function run(dir: string, ...ops: string[][]): Promise<Out[]> {
  const kids: Proc[] = ops.map((args) => startFixture('member-ops', [dir, ...args]));
  await Promise.all(kids.map((k) => k.line((l) => l === 'ready')));
  for (const k of kids) k.send('go');
  const codes = await Promise.all(kids.map((k) => k.exited));
  expect(codes, kids.map((k) => k.stderr()).join('\n')).to.deep.equal(kids.map(() => 0));
  return kids.map((k) => lastJson<Out>(k));
}

describe('models from several processes (unique indexes, verifyIndexes, reindex)', function () {
  this.timeout(120_000);
  let holder: Proc | undefined;
  afterEach(() => {
    holder?.child.kill('SIGKILL');
    holder = undefined;
  });
  after(cleanupTmp);

  it('lets exactly one of 4 processes racing for one unique value win; the others get UNIQUE', async () => {
    const dir = path.join(tmpDir('sky-mp-unique-'), 'db');
    holder = startFixture('owner', [dir]);
    await holder.line((l) => l === 'ready');
    for (let round = 0; round < 3; round++) {
      const outs = await run(dir, ...[0, 1, 2, 3].map((i) => ['save', `r${round}-m${i}`, `same-${round}`]));
      expect(outs.filter((o) => o.ok).length, JSON.stringify(outs)).to.equal(1);
      expect(outs.filter((o) => !o.ok).map((o) => o.code)).to.deep.equal(['UNIQUE', 'UNIQUE', 'UNIQUE']);
    }
    const [count] = await run(dir, ['count']);
    expect((count!.result as string[]).length).to.equal(3);
    const [verify] = await run(dir, ['verify']);
    expect(verify).to.deep.include({ ok: true });
    expect(verify!.result).to.deep.include({ checked: 3, missing: 0, stale: 0 });
    const [reindex] = await run(dir, ['reindex']);
    expect(reindex, JSON.stringify(reindex)).to.deep.include({ ok: true });
  });
});
