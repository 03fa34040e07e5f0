import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { badgerLocation, cli, dump, fill } from './helpers.js';

/**
 * `skyshelve import --threads 2`: the file is cut into chunks of 64 KiB or more and parsed by
 * workers. Each case runs the same file through one thread and through workers and expects the
 * same store, or the same error with the target left empty.
 */
describe('skyshelve import with parsing workers (--threads)', function () {
  after(cleanupTmp);

  let lines: string[];
  before(async () => {
    const from = badgerLocation();
    await fill(from, 7000); // ~300 KiB of export: several chunks
    const r = await cli(['export', from, '-']);
    expect(r.code, r.stderr).to.equal(0);
    lines = r.stdout.trimEnd().split('\n');
    expect(r.stdout.length).to.be.greaterThan(4 * 65536);
  });

  function write(text: string): string {
    const file = path.join(tmpDir('sky-par-'), 'in.jsonl');
    fs.writeFileSync(file, text);
    return file;
  }

  /** Imports `file` with one thread and with two workers; returns both runs and their stores. */
  async function both(file: string) {
    const one = badgerLocation();
    const two = badgerLocation();
    const a = await cli(['import', one, file, '--threads', '1']);
    const b = await cli(['import', two, file, '--threads', '2']);
    return { a, b, one, two };
  }

  it('gives the very store one thread gives, CRLF breaks, blank lines and a last line without a break included', async () => {
    const crlf = lines.map((l) => `${l}\r\n`).join('');
    const withBlank = [...lines.slice(0, 3000), '', '   ', ...lines.slice(3000)].join('\n'); // no final break
    for (const text of [lines.join('\n') + '\n', crlf, withBlank]) {
      const { a, b, one, two } = await both(write(text));
      expect(a.code, a.stderr).to.equal(0);
      expect(b.code, b.stderr).to.equal(0);
      expect(b.stdout).to.equal(a.stdout);
      expect(await dump(two)).to.deep.equal(await dump(one));
    }
  });

  it('reads a line longer than a chunk', async () => {
    const big = JSON.stringify({ k: ['big'], v: 'x'.repeat(200_000) });
    const text = [lines[0], ...lines.slice(1, -1), big, JSON.stringify({ end: true, count: lines.length - 1 })].join('\n') + '\n';
    const { a, b, one, two } = await both(write(text));
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);
    expect(await dump(two)).to.deep.equal(await dump(one));
  });

  it('fails as one thread does, naming the same line, and leaves the target empty', async () => {
    const late = lines.length - 20; // in the last chunk
    const cases: Array<[string, string[]]> = [
      ['a bad line far into the file', lines.map((l, i) => (i === late ? '{"k": "x", "v": ' : l))],
      ['a bad tag', lines.map((l, i) => (i === late ? '{"k":"x","v":{"$date":{}}}' : l))],
      ['a second header', lines.map((l, i) => (i === late ? lines[0]! : l))],
      ['a line after the trailer', [...lines, lines[5]!]],
      ['no trailer', lines.slice(0, -1)],
      ['a wrong count', [...lines.slice(0, -1), JSON.stringify({ end: true, count: 3 })]],
      ['no header', lines.slice(1)],
    ];
    for (const [what, text] of cases) {
      const { a, b, two } = await both(write(text.join('\n') + '\n'));
      expect(a.code, `${what}: one thread`).to.equal(1);
      expect(b.code, `${what}: workers`).to.equal(1);
      expect(b.stderr, what).to.equal(a.stderr);
      expect(await dump(two), what).to.deep.equal([]);
    }
  });
});
