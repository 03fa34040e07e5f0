import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SkyShelve } from '../../src/index.js';
import { EMPTY, encodeEnvelope, entryKey, recordKey } from '../../src/model/layout.js';
import { cleanupTmp } from '../support/tmp.js';
import { badgerLocation, cli, dump, fill, slateLocation } from './helpers.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'models-fixture.js');

/** Raw writes to a store, closing it afterwards. */
async function raw(location: string, ops: Array<{ type: 'put' | 'del'; key: Uint8Array; value?: Uint8Array }>): Promise<void> {
  const store = await SkyShelve.open(location);
  await (await store.backend()).write(ops);
  await store.close();
}

describe('skyshelve verify and reindex', function () {
  after(cleanupTmp);

  for (const [name, make] of [
    ['Badger', badgerLocation],
    ['SlateDB', slateLocation],
  ] as const) {
    it(`finds index entries damaged on purpose and repairs them, on ${name}`, async () => {
      const db = make();
      await fill(db);
      const healthy = await dump(db);
      expect((await cli(['verify', db])).code).to.equal(0);
      await raw(db, [
        { type: 'del', key: entryKey('User', 'email', 'a@x.io', 'alice') }, // missing
        { type: 'put', key: entryKey('User', 'email', 'ghost@x.io', 'ghost'), value: EMPTY }, // stale: no record
        { type: 'put', key: entryKey('User', 'age', 41, 'bob'), value: EMPTY }, // stale: record lists 40
      ]);
      const found = await cli(['verify', db, '--json']);
      expect(found.code, found.stderr).to.equal(1);
      expect(JSON.parse(found.stdout)).to.deep.include({ ok: false, repaired: false });
      expect(JSON.parse(found.stdout).structure).to.deep.include({ missing: 1, stale: 2, corrupt: 0 });
      const text = await cli(['verify', db]);
      expect(text.stdout).to.contain('1 missing and 2 stale entries found').and.contain('--repair');
      const repaired = await cli(['verify', db, '--repair', '--json']);
      expect(repaired.code, repaired.stderr).to.equal(0);
      expect(JSON.parse(repaired.stdout).structure).to.deep.include({ missing: 1, stale: 2, repaired: 3 });
      expect(await dump(db)).to.deep.equal(healthy);
      const again = await cli(['verify', db, '--json']);
      expect(again.code).to.equal(0);
      expect(JSON.parse(again.stdout).structure).to.deep.include({ missing: 0, stale: 0 });
    });
  }

  it('with --model-module, also finds entries that no longer match what the model computes', async () => {
    const db = badgerLocation();
    // Consistent structurally (the record lists its one entry), but the model indexes city 'Rome'.
    await raw(db, [
      { type: 'put', key: recordKey('Person', 'ann'), value: encodeEnvelope({ name: 'ann', city: 'Rome', age: 3 }, [['city', 'Paris']]) },
      { type: 'put', key: entryKey('Person', 'city', 'Paris', 'ann'), value: EMPTY },
    ]);
    expect((await cli(['verify', db])).code).to.equal(0);
    const found = await cli(['verify', db, '--model-module', MODELS, '--json']);
    expect(found.code, found.stderr).to.equal(1);
    const report = JSON.parse(found.stdout);
    expect(report.models.Person).to.deep.equal({ checked: 1, missing: 1, stale: 1 });
    expect(report.models.Tag).to.deep.equal({ checked: 0, missing: 0, stale: 0 });
    expect(report.models).to.not.have.property('VERSION');
    expect((await cli(['verify', db, '--model-module', MODELS, '--repair'])).code).to.equal(0);
    const keys = (await cli(['scan', db, '--internal', '--prefix', '["i"]', '--keys-only', '--json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(keys).to.deep.equal([['i', 'Person', 'city', 'Rome', 'ann']]);
    expect((await cli(['verify', db, '--model-module', MODELS])).code).to.equal(0);
  });

  it('reindex builds the entries of records stored before their indexes existed, keeping configureStorage indexes', async () => {
    const db = slateLocation();
    await raw(db, [
      { type: 'put', key: recordKey('Person', 'bo'), value: encodeEnvelope({ name: 'bo', city: 'Oslo', age: 5 }, []) },
      { type: 'put', key: recordKey('Tag', 't1'), value: encodeEnvelope({ label: 'red' }, []) },
    ]);
    const r = await cli(['reindex', db, '--model-module', MODELS, '--json']);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ Person: { checked: 1, missing: 1, stale: 0 }, Tag: { checked: 1, missing: 1, stale: 0 } });
    const keys = (await cli(['scan', db, '--internal', '--prefix', '["i"]', '--keys-only', '--json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(keys).to.deep.equal([
      ['i', 'Person', 'city', 'Oslo', 'bo'],
      ['i', 'Tag', 'label', 'red', 't1'],
    ]);
    expect((await cli(['verify', db])).code).to.equal(0);
  });

  it('reports a module without models, and a module that cannot load, as exit 1', async () => {
    const db = badgerLocation();
    await fill(db);
    const none = await cli(['verify', db, '--model-module', fileURLToPath(import.meta.url).replace(/verify\.spec\.js$/, 'helpers.js')]);
    expect(none.code).to.equal(1);
    expect(none.stderr).to.match(/^error: CONFIG: the model module .* exports no model classes/);
    const missing = await cli(['reindex', db, '--model-module', '/nonexistent/models.js']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^error: CONFIG: cannot load the model module/);
  });
});
