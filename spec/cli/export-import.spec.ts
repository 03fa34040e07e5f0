import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { badgerLocation, cli, dump, fill, slateLocation } from './helpers.js';

describe('skyshelve export and import', function () {
  after(cleanupTmp);

  const pairs: Array<[string, () => string, () => string]> = [
    ['Badger to SlateDB', badgerLocation, slateLocation],
    ['SlateDB to Badger', slateLocation, badgerLocation],
    ['Badger to Badger', badgerLocation, badgerLocation],
  ];
  for (const [name, source, target] of pairs) {
    it(`round-trips every key and value, internal area included, ${name}`, async () => {
      const from = source();
      const to = target();
      const file = path.join(tmpDir('sky-cli-'), 'out.jsonl');
      await fill(from, 1200);
      const exported = await cli(['export', from, file, '--json']);
      expect(exported.code, exported.stderr).to.equal(0);
      const before = await dump(from);
      expect(JSON.parse(exported.stdout)).to.deep.equal({ exported: before.length, file });
      const imported = await cli(['import', to, file]);
      expect(imported.code, imported.stderr).to.equal(0);
      expect(imported.stdout).to.contain(`imported ${before.length} entries`);
      expect(await dump(to)).to.deep.equal(before);
    });
  }

  it('writes readable tagged JSON, with a header and a trailer, and raw base64 only where decoding would lose bytes', async () => {
    const db = badgerLocation();
    await fill(db);
    const r = await cli(['export', db, '-']);
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).to.include({ format: 'skyshelve-export', version: 1, backend: 'badger' });
    expect(lines.at(-1)).to.deep.equal({ end: true, count: lines.length - 2 });
    const byKey = new Map(lines.slice(1, -1).map((l) => [JSON.stringify(l.k ?? l.i ?? l.kb), l]));
    expect(byKey.get('"username"')!.v).to.equal('alice');
    expect(byKey.get('{"$bytes":"AAEC"}')!.v).to.be.an('object');
    expect(byKey.get('["order",1]')!.v).to.deep.equal({ total: 10, when: { $date: '2023-11-14T22:13:20.123Z' }, tags: { $set: ['a', 'b'] } });
    expect(byKey.get('["order",2]')!.v.big).to.deep.equal({ $bigint: '-1208925819614629174706176' });
    expect(byKey.get('42')!.v).to.deep.equal({ $object: { $dollar: 'looks like a tag', nested: { $object: { $bytes: 'not really' } } } });
    expect(byKey.get('["m","User","alice"]')!.v).to.deep.equal({ r: { name: 'alice', email: 'a@x.io' }, i: [['email', 'a@x.io']] });
    expect(byKey.get('["i","User","age",40,"bob"]')).to.deep.equal({ i: ['i', 'User', 'age', 40, 'bob'], vb: '' });
    expect(byKey.get('["x","opaque"]')).to.deep.equal({ i: ['x', 'opaque'], vb: 'mQAB' });
  });

  it('round-trips an export made with --raw, and reads from stdin', async () => {
    const from = badgerLocation();
    const to = slateLocation();
    await fill(from, 100);
    const r = await cli(['export', from, '-', '--raw']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.split('\n')[1]).to.match(/^\{"kb":"[^"]+","vb":"[^"]*"\}$/);
    expect((await cli(['import', to, '-'], { input: r.stdout })).code).to.equal(0);
    expect(await dump(to)).to.deep.equal(await dump(from));
  });

  it('rejects a truncated or corrupted file with exit 1 and a line number', async () => {
    const from = badgerLocation();
    await fill(from);
    const text = (await cli(['export', from, '-'])).stdout;
    const lines = text.trimEnd().split('\n');
    const truncated = await cli(['import', badgerLocation(), '-'], { input: lines.slice(0, -1).join('\n') + '\n' });
    expect(truncated.code).to.equal(1);
    expect(truncated.stderr).to.match(/^error: DECODE: the file has no trailer line/);
    const bad = [...lines];
    bad[3] = '{"k": "x", "v": {"$date": 5, "extra": 1}, "oops"';
    const corrupted = await cli(['import', badgerLocation(), '-'], { input: bad.join('\n') });
    expect(corrupted.code).to.equal(1);
    expect(corrupted.stderr).to.contain('line 4 is not valid JSON');
    const notExport = await cli(['import', badgerLocation(), '-'], { input: '{"k":"a","v":1}\n' });
    expect(notExport.code).to.equal(1);
    expect(notExport.stderr).to.contain('line 1 is not a skyshelve export header');
  });

  it('fails with exit 1 and writes no file when the source store does not exist', async () => {
    const dir = tmpDir('sky-cli-');
    const r = await cli(['export', slateLocation(), path.join(dir, 'out.jsonl')]);
    expect(r.code).to.equal(1);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });
});
