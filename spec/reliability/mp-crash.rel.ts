import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { SkyShelve } from '../../src/index.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { sleep, startFixture, waitExit, waitLine, type Child } from './child.js';
import { figure, printFiguresAtEnd } from './figures.js';

printFiguresAtEnd();
const ROUNDS = Number(process.env.RELIABILITY_MP_CRASH_ROUNDS ?? 8);
const CLIENTS = 3;

/** The seqs a writer recorded as acknowledged (its ack file; a torn last line is not an acknowledgement). */
function ackedSeqs(file: string): number[] {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const lines = text.split('\n');
  lines.pop(); // empty after the last newline, or a line cut short by the kill
  return lines.map(Number);
}

/** Every acknowledged seq of `tag` that the store does not hold with its value. */
async function missing(store: SkyShelve<number>, tag: string, seqs: number[]): Promise<number[]> {
  const values = await store.getMany(seqs.map((s) => `${tag}:${s}`));
  return seqs.filter((s, i) => values[i] !== s);
}

describe(`owner crash on Badger: the owner is SIGKILLed while ${CLIENTS} clients write, ${ROUNDS} rounds`, function () {
  this.timeout(20 * 60 * 1000);
  after(cleanupTmp);

  it('keeps every acknowledged write of the owner and of its clients; the clients finish without error', async () => {
    const base = tmpDir('sky-mpcrash-');
    const dir = path.join(base, 'db');
    const totals = { rounds: 0, acked: 0, lost: 0, ownerAcked: 0, clientAcked: 0 };
    const problems: string[] = [];
    let seed = 20261129;
    for (let round = 1; round <= ROUNDS; round++) {
      seed = (seed * 69069 + 1) >>> 0;
      const ack = (who: string) => path.join(base, `r${round}-${who}.acks`);
      const owner = startFixture('mp-writer', [dir, `r${round}o`, '0', ack('o')]);
      await waitLine(owner, (l) => l === 'R', 60000);
      // The clients write until the stop file exists, so all of them are writing when the owner dies.
      const stop = path.join(base, `r${round}.stop`);
      const clients: Child[] = Array.from({ length: CLIENTS }, (_, c) => startFixture('mp-writer', [dir, `r${round}c${c}`, '0', ack(`c${c}`), stop]));
      await Promise.all(clients.map((c) => waitLine(c, (l) => l === 'R', 60000)));
      await sleep(50 + (seed % 400));
      owner.proc.kill('SIGKILL');
      expect(await owner.exited).to.equal('SIGKILL');
      await sleep(300);
      fs.writeFileSync(stop, '');
      const codes = await Promise.all(clients.map((c) => waitExit(c, 5 * 60 * 1000, 'mp-writer client')));
      if (codes.some((c) => c !== 0))
        problems.push(`round ${round}: client exits ${codes.join(',')}: ${clients.map((c) => c.stderr().slice(-500)).join(' | ')}`);
      const store = await SkyShelve.open<number>(dir);
      try {
        for (const who of ['o', ...clients.map((_, c) => `c${c}`)]) {
          const seqs = ackedSeqs(ack(who));
          const lost = await missing(store, `r${round}${who}`, seqs);
          totals.acked += seqs.length;
          if (who === 'o') totals.ownerAcked += seqs.length;
          else {
            totals.clientAcked += seqs.length;
            const done = clients[Number(who.slice(1))]!.lines.find((l) => l.startsWith('DONE '));
            if (done !== `DONE ${seqs.length}`) problems.push(`round ${round}: client ${who} reported ${done} but recorded ${seqs.length} acknowledgements`);
          }
          totals.lost += lost.length;
          if (lost.length) problems.push(`round ${round}: ${who} lost ${lost.length} acknowledged writes, first ${lost.slice(0, 5).join(',')}`);
        }
      } finally {
        await store.close();
      }
      totals.rounds++;
    }
    figure(
      'crash/owner-sigkill',
      `rounds=${totals.rounds} acknowledged writes checked=${totals.acked} (by the killed owners ${totals.ownerAcked}, by their clients ${totals.clientAcked}) lost=${totals.lost}`,
    );
    expect(problems.slice(0, 20)).to.deep.equal([]);
    expect(totals.lost).to.equal(0);
    expect(totals.ownerAcked, 'no owner acknowledged a write before its kill: the test proved nothing').to.be.above(0);
  });
});
