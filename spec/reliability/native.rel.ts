import { expect } from 'chai';
import path from 'node:path';
import { SkyShelve } from '../../src/store.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { startFixture, waitExit, waitLine } from './child.js';
import { figure, mb, printFiguresAtEnd } from './figures.js';

printFiguresAtEnd();
const OPS = Number(process.env.RELIABILITY_FFI_OPS ?? 1_000_000);
const WARM = Math.floor(OPS / 4);
const SCAN = Number(process.env.RELIABILITY_SCAN_ENTRIES ?? 1_000_000);
// Bounds from measurement (4 runs of 1,000,000 ops, both collectors forced before each of the 50
// samples): RSS saw-tooths over ~45 MB as memtables fill and flush, its least-squares slope after
// warm-up was -10.2 to -3.1 B/op and the median growth -11.2 to -0.4 MB; the Go heap after a forced
// collection alternates between a floor (~23 MB) and floor + one memtable, and the floor grew
// 0.3-0.4 MB from the 2nd to the last quarter. A steady leak of 25 B/op (RSS) or ~8 B/op (Go) fails.
/** How much the median RSS of the last quarter of the soak may exceed that of the second quarter. */
const GROWTH_BOUND = 16 * 1048576;
/** Bytes per operation the RSS trend after warm-up may show. */
const SLOPE_BOUND = 25;
/** How much the Go heap's floor and ceiling (smallest and largest sample) may both grow from the 2nd to the last quarter. */
const GO_FLOOR_BOUND = 4 * 1048576;
/** A full scan may add this much over the RSS before it started (chunks of 1,024 entries). */
const SCAN_BOUND = 64 * 1048576;

/** Least-squares slope of `ys` sampled every `every` operations: bytes per operation. */
function slope(ys: number[], every: number): number {
  const n = ys.length;
  const xm = ((n - 1) / 2) * every;
  const ym = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, i) => {
    num += (i * every - xm) * (y - ym);
    den += (i * every - xm) ** 2;
  });
  return num / den;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs a fixture that prints one JSON line, with a hard timeout; returns the parsed line. */
async function runJson(name: string, args: string[], ms: number): Promise<any> {
  const child = startFixture(name, args, { nodeArgs: ['--expose-gc'] });
  const code = await waitExit(child, ms, name);
  expect(code, child.stderr()).to.equal(0);
  return JSON.parse(child.lines.at(-1)!);
}

describe('no native crash from JavaScript, and no leak', function () {
  this.timeout(15 * 60 * 1000);
  after(cleanupTmp);

  it(`keeps RSS flat over ${OPS.toLocaleString('en')} mixed FFI operations`, async () => {
    const r = await runJson('ffi-soak', [path.join(tmpDir('sky-soak-'), 'db'), String(OPS), String(WARM)], 12 * 60 * 1000);
    // RSS saw-tooths as Badger fills and flushes memtables and Go collects, so compare medians:
    // the second quarter of the run (after warm-up) against the last quarter. A leak raises the latter.
    const s = r.samples as number[];
    const q = Math.floor(s.length / 4);
    const early = median(s.slice(q, 2 * q));
    const late = median(s.slice(3 * q));
    const rssSlope = slope(s.slice(q), r.every);
    const go = r.goHeap as number[];
    const goSlope = slope(go.slice(q), r.every);
    // The Go heap steps between a floor and floor + one memtable, and which of the two a quarter's
    // samples catch depends on timing: a run whose second quarter dips to the floor once while the
    // last quarter never does is not a leak. A leak raises both the floor and the ceiling, so the
    // smaller of the two growths is what is bounded.
    const floorGrowth = Math.min(...go.slice(3 * q)) - Math.min(...go.slice(q, 2 * q));
    const ceilingGrowth = Math.max(...go.slice(3 * q)) - Math.max(...go.slice(q, 2 * q));
    const goFloorGrowth = Math.min(floorGrowth, ceilingGrowth);
    figure(
      'ffi-soak',
      `${r.ops.toLocaleString('en')} ops in ${r.seconds.toFixed(1)} s (${Math.round(r.ops / r.seconds).toLocaleString('en')} ops/s); both GCs forced before each sample; median RSS 2nd quarter ${mb(early)}, last quarter ${mb(late)}, growth ${mb(late - early)} (bound ${mb(GROWTH_BOUND)}); range after warm-up ${mb(Math.min(...s.slice(q)))}-${mb(Math.max(...s.slice(q)))}; slope after warm-up: RSS ${rssSlope.toFixed(2)} B/op (bound ${SLOPE_BOUND}), Go heap ${goSlope.toFixed(2)} B/op; Go heap growth, floor ${mb(floorGrowth)} and ceiling ${mb(ceilingGrowth)} (the smaller bounded by ${mb(GO_FLOOR_BOUND)})`,
    );
    expect(r.ops).to.equal(OPS);
    expect(s.length).to.be.at.least(8);
    expect(late - early, `RSS samples: ${s.map(mb).join(', ')}`).to.be.below(GROWTH_BOUND);
    expect(rssSlope, `RSS trend after warm-up, bytes per op; samples: ${s.map(mb).join(', ')}`).to.be.below(SLOPE_BOUND);
    expect(goFloorGrowth, `Go heap after forced GC: ${go.map(mb).join(', ')}`).to.be.below(GO_FLOOR_BOUND);
  });

  it(`scans ${SCAN.toLocaleString('en')} entries within bounded memory`, async () => {
    const r = await runJson('big-scan', [path.join(tmpDir('sky-scan-'), 'db'), String(SCAN)], 12 * 60 * 1000);
    figure(
      'full-scan',
      `${r.scanned.toLocaleString('en')} entries in ${r.scanSeconds.toFixed(1)} s (fill ${r.fillSeconds.toFixed(1)} s); RSS before ${mb(r.beforeRss)}, peak ${mb(r.peakRss)}, growth ${mb(r.peakRss - r.beforeRss)} (bound ${mb(SCAN_BOUND)})`,
    );
    expect(r.scanned).to.equal(SCAN);
    expect(r.ordered, 'entries came back out of order').to.equal(true);
    expect(r.peakRss - r.beforeRss).to.be.below(SCAN_BOUND);
  });

  it('closes a store on garbage collection: another process can then open its directory', async () => {
    const dir = path.join(tmpDir('sky-gc-'), 'db');
    const child = startFixture('gc-close', [dir], { nodeArgs: ['--expose-gc'] });
    try {
      await waitLine(child, (l) => l === 'collected', 60000);
      const store = await SkyShelve.open(dir); // LOCKED if the collected handle were still open
      expect(await store.get('from-gc-child')).to.equal('kept');
      await store.close();
    } finally {
      child.proc.kill('SIGKILL');
      await child.exited;
    }
    figure('gc-close', 'an unreferenced Badger store is closed by its finalizer (directory lock released while the process lives)');
  });

  for (const [backend, mode] of [
    ['badger', 'natural'],
    ['badger', 'exit'],
    ['slatedb', 'natural'],
  ] as const) {
    it(`keeps unsynced writes of a store left open at ${mode === 'exit' ? 'process.exit()' : 'normal exit'} (${backend})`, async () => {
      const dir = path.join(tmpDir('sky-exit-'), 'db');
      const location = backend === 'slatedb' ? 'slatedb://' + dir : dir;
      const child = startFixture('exit-open', [location, mode, '2000']);
      expect(await waitExit(child, 120000, 'exit-open'), child.stderr()).to.equal(0);
      const store = await SkyShelve.open(location);
      const found = (await store.scan(['x'])).length;
      await store.close();
      expect(found).to.equal(2000);
    });
  }

  it('turns an out-of-bounds WebAssembly access into a RuntimeError with the Go library loaded', async () => {
    const rounds = 2000;
    const child = startFixture('wasm-trap', [path.join(tmpDir('sky-wasm-'), 'db'), String(rounds)]);
    const code = await waitExit(child, 120000, 'wasm-trap');
    expect(code, child.stderr()).to.equal(0);
    expect(child.lines).to.include(`traps ${2 * rounds} of ${2 * rounds}`);
    figure(
      'wasm-trap',
      `${2 * rounds} out-of-bounds loads (main thread and a Worker, Go busy on async threads) -> ${2 * rounds} WebAssembly.RuntimeError, exit 0`,
    );
  });

  for (const mode of ['running', 'ended']) {
    it(`lets process.exit() finish after Workers used the library (workers ${mode})`, async () => {
      const child = startFixture('workers-exit', [path.join(tmpDir('sky-workers-'), 'db'), mode]);
      const t0 = Date.now();
      const code = await waitExit(child, 30000, 'workers-exit');
      expect(code, child.stderr()).to.equal(0);
      expect(child.lines).to.include('exiting');
      figure(`workers-exit/${mode}`, `process.exit() returned in ${Date.now() - t0} ms of process life, exit code 0`);
    });
  }
});
