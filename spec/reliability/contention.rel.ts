import { expect } from 'chai';
import path from 'node:path';
import { closeModelStores } from '../../src/index.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { startFixture, waitExit, waitLine, type Child } from './child.js';
import { figure, printFiguresAtEnd } from './figures.js';
import { bindCounter } from './fixtures/models.js';

printFiguresAtEnd();
const PROCS = 4;
const EACH = Number(process.env.RELIABILITY_CONTENTION_EACH ?? 250);

/** Starts the writers, waits until all are ready, and returns them with the start time. */
async function startWriters(dir: string, mode: 'one' | 'many', first = EACH): Promise<{ writers: Child[]; t0: number }> {
  const writers = Array.from({ length: PROCS }, (_, w) =>
    startFixture('counter-worker', [dir, `w${w}`, mode, String(w === 0 ? first : EACH), String(1000 + w)]),
  );
  await Promise.all(writers.map((c) => waitLine(c, (l) => l === 'R', 60000)));
  return { writers, t0: Date.now() };
}

/** The acknowledged increments a writer reported. */
function acked(c: Child): number {
  return c.lines.filter((l) => l.startsWith('A ')).length;
}

/** Reads every counter through the model. */
async function readCounters(dir: string) {
  const Counter = bindCounter({ path: dir });
  try {
    const all = await Counter.scan();
    const by: Record<string, number> = {};
    for (const c of all) for (const [w, n] of Object.entries(c.by)) by[w] = (by[w] ?? 0) + n;
    const valueIndex = (await Promise.all(all.map((c) => Counter.scanIndex('value', c.value)))).map((hits) => hits.length);
    const verify = await Counter.verifyIndexes();
    return { counters: all.length, total: all.reduce((s, c) => s + c.value, 0), by, valueIndex, verify };
  } finally {
    await closeModelStores();
  }
}

describe(`contention: ${PROCS} processes x ${EACH} increments through Counter.update (plain configureStorage, one Badger directory)`, function () {
  this.timeout(10 * 60 * 1000);
  after(cleanupTmp);

  for (const mode of ['one', 'many'] as const) {
    it(`loses no update on ${mode === 'one' ? 'one counter' : '50 random counters'}`, async () => {
      const dir = path.join(tmpDir('sky-cnt-'), 'db');
      const { writers, t0 } = await startWriters(dir, mode);
      const codes = await Promise.all(writers.map((c) => waitExit(c, 8 * 60 * 1000, 'counter-worker')));
      const seconds = (Date.now() - t0) / 1000;
      expect(codes, writers.map((c) => c.stderr()).join('\n')).to.deep.equal(writers.map(() => 0));
      const r = await readCounters(dir);
      const expected = PROCS * EACH;
      figure(
        `contention/${mode === 'one' ? '1-counter' : '50-counters'}`,
        `expected ${expected}, found ${r.total} over ${r.counters} counter(s); ${Math.round(expected / seconds)} updates/s aggregate (${seconds.toFixed(1)} s); verifyIndexes missing=${r.verify.missing} stale=${r.verify.stale}`,
      );
      expect(r.total).to.equal(expected);
      expect(r.by).to.deep.equal(Object.fromEntries(writers.map((_, w) => [`w${w}`, EACH])));
      expect(r.valueIndex.every((n) => n >= 1)).to.equal(true);
      expect(r.verify.missing + r.verify.stale).to.equal(0);
    });
  }

  it('counts exactly the committed increments when one writer is SIGKILLed mid-run', async () => {
    const dir = path.join(tmpDir('sky-cnt-kill-'), 'db');
    // The victim has far more to do than the others, so it is still writing when it is killed.
    const { writers, t0 } = await startWriters(dir, 'one', 100 * EACH);
    const victim = writers[0]!;
    await waitLine(victim, (l) => l === `A ${Math.floor(EACH / 3)}`, 5 * 60 * 1000);
    victim.proc.kill('SIGKILL');
    expect(await victim.exited).to.equal('SIGKILL');
    const codes = await Promise.all(writers.slice(1).map((c) => waitExit(c, 8 * 60 * 1000, 'counter-worker')));
    const seconds = (Date.now() - t0) / 1000;
    expect(codes, writers.map((c) => c.stderr()).join('\n')).to.deep.equal([0, 0, 0]);
    const ackedByVictim = acked(victim);
    const r = await readCounters(dir);
    const committedByVictim = r.by.w0 ?? 0;
    const expectedAcked = (PROCS - 1) * EACH + ackedByVictim;
    figure(
      'contention/kill',
      `one writer SIGKILLed after ${ackedByVictim} acknowledged increments (${committedByVictim} committed); survivors ${writers.slice(1).map(acked).join('+')}; total acknowledged ${expectedAcked}, found ${r.total} (${seconds.toFixed(1)} s)`,
    );
    // The record's per-writer tally says what each writer committed. Survivors committed all 250;
    // the victim committed every increment it acknowledged, plus at most the one in flight when it
    // died (committed, not yet reported). No increment is lost and none is counted twice.
    expect(r.total).to.equal((PROCS - 1) * EACH + committedByVictim);
    expect(committedByVictim - ackedByVictim).to.be.oneOf([0, 1]);
    expect(r.by).to.include({ w1: EACH, w2: EACH, w3: EACH });
    expect(r.verify.missing + r.verify.stale).to.equal(0);
  });
});
