import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { SkyShelve } from '../../src/index.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { badgerLocation, cli, fill, slateLocation } from './helpers.js';

describe('skyshelve get, set, del and scan', function () {
  after(cleanupTmp);

  it('sets a JSON value, gets it back readable and as tagged JSON, and deletes it', async () => {
    const db = badgerLocation();
    expect(
      (await cli(['set', db, 'profile', '{"plan":"pro","since":{"$date":"2024-01-01T00:00:00.000Z"},"n":{"$bigint":"12345678901234567890"}}'])).code,
    ).to.equal(0);
    const store = await SkyShelve.open(db);
    expect(await store.get('profile')).to.deep.equal({ plan: 'pro', since: new Date('2024-01-01T00:00:00.000Z'), n: 12345678901234567890n });
    await store.close();
    const json = await cli(['get', db, 'profile', '--json']);
    expect(json.code).to.equal(0);
    expect(JSON.parse(json.stdout)).to.deep.equal({ plan: 'pro', since: { $date: '2024-01-01T00:00:00.000Z' }, n: { $bigint: '12345678901234567890' } });
    expect((await cli(['get', db, 'profile'])).stdout)
      .to.contain('2024-01-01T00:00:00.000Z')
      .and.contain('12345678901234567890n');
    expect((await cli(['del', db, 'profile'])).stdout.trim()).to.equal('deleted');
    expect((await cli(['del', db, 'profile', '--json'])).stdout.trim()).to.equal('{"deleted":false}');
    const missing = await cli(['get', db, 'profile']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^error: NOT_FOUND: .*profile.*\n$/);
  });

  it('takes tuple and bytes keys with --key-json, values from @file, and plain text or bytes with --as', async () => {
    const dir = tmpDir('sky-cli-');
    const db = path.join(dir, 'db');
    fs.writeFileSync(path.join(dir, 'order.json'), '{"total": 7, "lines": [1, 2]}');
    fs.writeFileSync(path.join(dir, 'blob.bin'), Buffer.from([0, 1, 0xfe, 0xff]));
    expect((await cli(['set', db, '--key-json', '["order",7]', `@${path.join(dir, 'order.json')}`])).code).to.equal(0);
    expect((await cli(['set', db, '--key-json', '{"$hex":"0a0b"}', '--as', 'string', 'not "json" at all'])).code).to.equal(0);
    expect((await cli(['set', db, 'blob', '--as', 'bytes', `@${path.join(dir, 'blob.bin')}`])).code).to.equal(0);
    const store = await SkyShelve.open(db);
    expect(await store.get(['order', 7])).to.deep.equal({ total: 7, lines: [1, 2] });
    expect(await store.get(Buffer.from([10, 11]))).to.equal('not "json" at all');
    expect(Buffer.from((await store.get('blob')) as Uint8Array).toString('hex')).to.equal('0001feff');
    await store.close();
    expect((await cli(['get', db, 'blob', '--bytes', 'hex'])).stdout.trim()).to.equal('hex:0001feff');
    expect(JSON.parse((await cli(['get', db, 'blob', '--json'])).stdout)).to.deep.equal({ $bytes: 'AAH+/w==' });
    expect((await cli(['get', db, '--key-json', '["order",7]'])).stdout.trim()).to.equal('{"total": 7, "lines": [1, 2]}');
  });

  it('scans ranges with prefix, bounds, limit and reverse, as text or JSON lines', async () => {
    const db = badgerLocation();
    const store = await SkyShelve.open(db);
    for (const k of ['a1', 'a2', 'a3', 'b1']) await store.set(k, k.toUpperCase());
    for (let i = 0; i < 5; i++) await store.set(['n', i], { i });
    await store.close();
    const lines = async (...args: string[]) => {
      const r = await cli(['scan', db, ...args]);
      expect(r.code, r.stderr).to.equal(0);
      return r.stdout.split('\n').filter(Boolean);
    };
    expect(await lines('--prefix', 'a')).to.deep.equal(['"a1"\tA1', '"a2"\tA2', '"a3"\tA3']);
    expect(await lines('--prefix', 'a', '--reverse', '--limit', '2', '--keys-only')).to.deep.equal(['a3', 'a2']);
    expect(await lines('--gt', 'a1', '--lte', 'b1', '--keys-only')).to.deep.equal(['a2', 'a3', 'b1']);
    const json = (await lines('--json-keys', '--prefix', '["n"]', '--gte', '["n",3]', '--json')).map((l) => JSON.parse(l));
    expect(json).to.deep.equal([
      { key: ['n', 3], value: { i: 3 } },
      { key: ['n', 4], value: { i: 4 } },
    ]);
    expect(await lines('--limit', '0')).to.deep.equal([]);
  });

  it('shows the internal area with scan --internal', async () => {
    const db = badgerLocation();
    await fill(db);
    const r = await cli(['scan', db, '--internal', '--prefix', '["i","User"]', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    const keys = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).key);
    expect(keys).to.deep.equal([
      ['i', 'User', 'age', 40, 'bob'],
      ['i', 'User', 'email', 'a@x.io', 'alice'],
      ['i', 'User', 'email', 'b@x.io', 'bob'],
    ]);
  });

  it('works on SlateDB, and its read-only commands open a reader that does not fence a live writer', async () => {
    const lake = slateLocation();
    expect((await cli(['set', lake, 'k', '{"v":1}'])).code).to.equal(0);
    const writer = await SkyShelve.open(lake);
    try {
      await writer.set('w', 'live');
      await writer.sync();
      const got = await cli(['get', lake, 'k', '--json']);
      expect(got.code, got.stderr).to.equal(0);
      expect(JSON.parse(got.stdout)).to.deep.equal({ v: 1 });
      expect((await cli(['scan', lake, '--keys-only'])).stdout).to.equal('k\nw\n');
      expect((await cli(['stats', lake, '--json'])).code).to.equal(0);
      // A second writer would have fenced this one; a reader leaves it working.
      await writer.set('w2', 'still live');
      await writer.sync();
    } finally {
      await writer.close();
    }
    expect((await cli(['del', lake, 'k'])).stdout.trim()).to.equal('deleted');
    expect((await cli(['get', lake, 'k'])).code).to.equal(1);
  });
});
