import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkyShelve } from '../src/index.js';
import { rejectsWith } from './support/rejects.js';

describe('store.batch: bad ops name their index and write nothing', () => {
  let store: SkyShelve;
  before(async () => {
    store = await SkyShelve.open(null, { inMemory: true });
    await store.set('kept', 1);
  });
  after(() => store.close());

  const cases: Array<[string, unknown[], RegExp]> = [
    ['an op that is not an object', [{ type: 'put', key: 'a', value: 1 }, 7], /^ops\[1\] must be an object/],
    [
      'an unknown type',
      [
        { type: 'put', key: 'a', value: 1 },
        { type: 'x', key: 'b' },
      ],
      /^ops\[1\]\.type must be 'put' or 'del'/,
    ],
    [
      'an empty key in a put',
      [
        { type: 'put', key: 'a', value: 1 },
        { type: 'put', key: 'b', value: 2 },
        { type: 'put', key: '', value: 3 },
      ],
      /^ops\[2\]\.key must not be an empty string/,
    ],
    ['an empty key in a delete', [{ type: 'del', key: '' }], /^ops\[0\]\.key must not be an empty string/],
    [
      'an undefined value',
      [
        { type: 'put', key: 'a', value: 1 },
        { type: 'put', key: 'b', value: undefined },
      ],
      /^ops\[1\]\.value is undefined/,
    ],
    ['a value that cannot be stored', [{ type: 'put', key: 'a', value: () => 1 }], /^ops\[0\]\.value/],
  ];
  for (const [what, ops, message] of cases) {
    it(`rejects ${what}`, async () => {
      const err = await rejectsWith(() => store.batch(ops as never), 'TypeError');
      expect(String((err as Error).message)).to.match(message);
      expect(await store.scan()).to.deep.equal([['kept', 1]]);
    });
  }

  it('still writes a good batch after a bad one', async () => {
    await store.batch([
      { type: 'put', key: 'a', value: 1 },
      { type: 'del', key: 'kept' },
    ]);
    expect(await store.scan()).to.deep.equal([['a', 1]]);
  });
});

describe('store writes issued without awaiting', () => {
  let store: SkyShelve;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sky-unawaited-'));
    store = await SkyShelve.open(dir);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('apply in call order across set, batch and delete', async () => {
    const writes = [
      store.set('a', 1),
      store.batch([{ type: 'put', key: 'a', value: 2 }]),
      store.set('b', 1),
      store.batch([
        { type: 'del', key: 'b' },
        { type: 'put', key: 'c', value: 3 },
      ]),
      store.delete('c'),
      store.batch([{ type: 'put', key: 'c', value: 4 }]),
    ];
    await Promise.all(writes);
    expect(await store.scan()).to.deep.equal([
      ['a', 2],
      ['c', 4],
    ]);
  });

  it('keep every batch intact when several of one turn share a commit, small and large alike', async () => {
    const batchOf = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ type: 'put' as const, key: `${tag}:${i}`, value: `${tag}-${i}` }));
    const sizes = [3, 1500, 1, 40, 2500, 7];
    await Promise.all(sizes.map((n, t) => store.batch(batchOf(`t${t}`, n))));
    for (const [t, n] of sizes.entries()) {
      const got = await store.getMany(batchOf(`t${t}`, n).map((op) => op.key));
      expect(got).to.deep.equal(batchOf(`t${t}`, n).map((op) => op.value));
    }
  });
});
