/** Issue 12 item 1: read-only commands never create a store; a missing one is NO_STORE naming the path. */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { SkyShelve } from '../../src/index.js';
import { rejectsWith } from '../support/rejects.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { cli } from './helpers.js';

describe('read-only commands on a missing store', function () {
  after(cleanupTmp);

  for (const args of [['get', 'k'], ['scan'], ['stats'], ['export', '-'], ['verify']] as const) {
    it(`${args[0]} of a mistyped path exits 1 with NO_STORE and creates nothing`, async () => {
      const parent = tmpDir('sky-cli-');
      const typo = path.join(parent, 'demoo');
      const run = await cli([args[0], typo, ...args.slice(1)]);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.contain('NO_STORE').and.contain(typo);
      expect(fs.existsSync(typo)).to.equal(false);
      expect(fs.readdirSync(parent)).to.deep.equal([]);
    });
  }

  it('copy of a missing source creates neither the source nor the destination', async () => {
    const parent = tmpDir('sky-cli-');
    const run = await cli(['copy', path.join(parent, 'nope'), path.join(parent, 'dest')]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.contain('NO_STORE');
    expect(fs.readdirSync(parent)).to.deep.equal([]);
  });

  it('stats of a folder that holds stores says so and leaves the folder alone', async () => {
    const parent = tmpDir('sky-cli-');
    const store = await SkyShelve.open(path.join(parent, 'users'));
    await store.set('a', 1);
    await store.close();
    const run = await cli(['stats', parent]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.match(/NO_STORE: .* is not a store itself, but it holds a store: users/);
    expect(fs.readdirSync(parent)).to.deep.equal(['users']);
  });

  it('get of a missing local SlateDB directory is NO_STORE', async () => {
    const parent = tmpDir('sky-cli-');
    const run = await cli(['get', `slatedb://${path.join(parent, 'lake')}`, 'k']);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.contain('NO_STORE');
    expect(fs.readdirSync(parent)).to.deep.equal([]);
  });

  it('writing commands still create a store', async () => {
    const db = path.join(tmpDir('sky-cli-'), 'fresh');
    expect((await cli(['set', db, 'k', '1'])).code).to.equal(0);
    expect((await cli(['get', db, 'k'])).stdout.trim()).to.equal('1');
  });
});

describe('open option createIfMissing: false', function () {
  after(cleanupTmp);

  it('rejects a missing Badger store with NO_STORE, creates nothing, and opens one that exists', async () => {
    const dir = path.join(tmpDir(), 'db');
    const err = await rejectsWith(() => SkyShelve.open(dir, { createIfMissing: false }), 'NO_STORE');
    expect(err.message).to.contain(dir);
    expect(err.details).to.deep.include({ location: dir });
    expect(fs.existsSync(dir)).to.equal(false);
    await (await SkyShelve.open(dir)).close();
    const again = await SkyShelve.open(dir, { createIfMissing: false });
    await again.set('k', 1);
    await again.close();
  });

  it('a SlateDB reader of a missing local directory is NO_STORE', async () => {
    const dir = path.join(tmpDir(), 'lake');
    await rejectsWith(() => SkyShelve.open(`slatedb://${dir}`, { readOnly: true }), 'NO_STORE');
    await rejectsWith(() => SkyShelve.open(`slatedb://${dir}`, { createIfMissing: false }), 'NO_STORE');
    expect(fs.existsSync(dir)).to.equal(false);
    fs.mkdirSync(dir);
    await rejectsWith(() => SkyShelve.open(`slatedb://${dir}`, { readOnly: true }), 'NO_STORE');
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it('is checked like the other options', () => {
    expect(() => new SkyShelve(tmpDir(), { createIfMissing: 'no' as any })).to.throw(TypeError, /createIfMissing/);
  });
});
