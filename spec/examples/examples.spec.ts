/** The examples run as a new user would run them: a child process, in a fresh working directory. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { SkyShelve } from '../../src/index.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

const run = promisify(execFile);
const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

/** Runs dist/examples/<name>.js with `cwd` as the working directory; returns its stdout. */
async function example(name: string, cwd: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(EXAMPLES, `${name}.js`), ...args], { cwd });
  return stdout;
}

describe('examples', function () {
  this.timeout(120_000);
  after(cleanupTmp);

  it('demo leaves only its own 8 keys in data/demo (the benchmark keys go elsewhere)', async () => {
    const cwd = tmpDir('sky-demo-');
    await example('demo', cwd);
    const store = await SkyShelve.open(path.join(cwd, 'data', 'demo'));
    try {
      const keys = (await store.scan()).map(([k]) => k);
      expect(keys.length, JSON.stringify(keys.slice(0, 5))).to.equal(8);
      expect(keys.some((k) => typeof k === 'string' && k.startsWith('bench:'))).to.equal(false);
    } finally {
      await store.close();
    }
  });

  it('simple-counter says "1 time" on the first run and "2 times" on the second', async () => {
    const dir = path.join(tmpDir('sky-counter-'), 'counter');
    expect(await example('simple-counter', process.cwd(), [dir])).to.contain('has been run 1 time.');
    expect(await example('simple-counter', process.cwd(), [dir])).to.contain('has been run 2 times.');
  });
});
