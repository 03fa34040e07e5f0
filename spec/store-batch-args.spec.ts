import { expect } from 'chai';
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
