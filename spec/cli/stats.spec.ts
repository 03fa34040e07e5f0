import { expect } from 'chai';
import { cleanupTmp } from '../support/tmp.js';
import { badgerLocation, cli, fill, SAMPLES, slateLocation } from './helpers.js';

describe('skyshelve stats and build-native', function () {
  after(cleanupTmp);

  for (const [name, make] of [
    ['Badger', badgerLocation],
    ['SlateDB', slateLocation],
  ] as const) {
    it(`counts keys by area, model namespace and index, with sizes and engine facts, on ${name}`, async () => {
      const db = make();
      await fill(db, 10);
      const r = await cli(['stats', db, '--json']);
      expect(r.code, r.stderr).to.equal(0);
      const s = JSON.parse(r.stdout);
      const user = SAMPLES.length + 10;
      expect(s).to.include({ backend: name === 'Badger' ? 'badger' : 'slatedb', keys: user + 7, userKeys: user, internalKeys: 7, metaKeys: 1, otherKeys: 1 });
      expect(s.models).to.have.keys(['User']);
      expect(s.models.User).to.include({ records: 2 });
      expect(s.models.User.indexes).to.deep.equal({ age: 1, email: 2 });
      expect(s.dataBytes).to.be.greaterThan(0);
      expect(s.diskBytes).to.be.greaterThan(0);
      expect(s.engine).to.be.an('object');
      const text = await cli(['stats', db]);
      expect(text.stdout)
        .to.match(/keys +\d+ \(user \d+, internal 7\)/)
        .and.contain('User: 2 records')
        .and.contain('index email: 2 entries');
    });
  }

  it('build-native runs the build script and exits 0 when the library is built', async function () {
    this.timeout(300_000); // a real Go build when the library is out of date
    const r = await cli(['build-native']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('build-native');
  });
});
