import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { SkyshelveError, type SkyShelve } from '../../src/index.js';
import { encodeKey, internalKey } from '../../src/codec/keys.js';
import { cleanupTmp } from '../support/tmp.js';
import { rejectsWith } from '../support/rejects.js';
import type { StoreFactory } from './factory.js';
import { workloadTests } from './suite-workload.js';
import { conditionalTests } from './suite-conditional.js';

export { rejectsWith } from '../support/rejects.js';

/** The whole key-value contract; every backend runs it with a one-line factory. */
export function complianceSuite(factory: StoreFactory): void {
  describe(`key-value contract on ${factory.name}`, function () {
    let store: SkyShelve<any>;
    let loc: string;
    beforeEach(async () => {
      loc = factory.location();
      store = await factory.open(loc);
    });
    afterEach(async () => {
      await store.close();
    });
    after(cleanupTmp);

    it('returns strings, objects and bytes as they were stored', async () => {
      await store.set('username', 'alice');
      await store.set('profile', { plan: 'pro', n: 3, nested: [1, { a: null }] });
      await store.set('avatar', Buffer.from([0x89, 0x50]));
      await store.set('raw', new Uint8Array([1, 2, 3]));
      expect(await store.get('username')).to.equal('alice');
      expect(await store.get('profile')).to.deep.equal({ plan: 'pro', n: 3, nested: [1, { a: null }] });
      const avatar = await store.get('avatar');
      expect(avatar).to.be.instanceOf(Uint8Array);
      expect(Buffer.from(avatar).equals(Buffer.from([0x89, 0x50]))).to.equal(true);
      expect(Buffer.from(await store.get('raw')).equals(Buffer.from([1, 2, 3]))).to.equal(true);
    });

    it('round-trips Date, Map, Set, BigInt, null and nested mixes', async () => {
      const value = {
        when: new Date(1700000000123),
        m: new Map<any, any>([
          ['a', 1],
          [2, new Set([1n << 70n])],
        ]),
        s: new Set(['x']),
        big: -(1n << 80n),
        none: null,
        list: [new Date(0)],
      };
      await store.set(['mix', 1], value);
      expect(await store.get(['mix', 1])).to.deep.equal(value);
    });

    it('gives undefined for a missing key, and has/delete report existence', async () => {
      expect(await store.get('missing')).to.equal(undefined);
      expect(await store.has('missing')).to.equal(false);
      await store.set('k', 1);
      expect(await store.has('k')).to.equal(true);
      expect(await store.delete('k')).to.equal(true);
      expect(await store.delete('k')).to.equal(false);
      expect(await store.has('k')).to.equal(false);
    });

    it('scans a prefix in key order and decodes keys to the types they were written as', async () => {
      await store.set('user:b', 2);
      await store.set('user:a', 1);
      await store.set('other', 0);
      await store.set(7, 'seven');
      await store.set(['t', 1], 'tuple');
      await store.set(Buffer.from('bytes'), 'b');
      expect(await store.scan('user:')).to.deep.equal([
        ['user:a', 1],
        ['user:b', 2],
      ]);
      const all = await store.scan();
      expect(all.map(([k]) => k)).to.deep.include.members([7, ['t', 1], 'other', 'user:a', 'user:b']);
      const bytesKey = all.find(([, v]) => v === 'b')![0];
      expect(Buffer.from(bytesKey as Uint8Array).toString()).to.equal('bytes');
    });

    it('orders numbers numerically, negatives and fractions included, and tuples element by element', async () => {
      const nums = [3, -1.5, 0, 10, -100, 2.25, 1e9, -Infinity];
      for (const n of nums) await store.set(n, n);
      expect((await store.scan()).map(([k]) => k)).to.deep.equal([...nums].sort((a, b) => a - b));
      for (const t of [
        ['a', 2],
        ['a', 10],
        ['b', -1],
        ['a', 2, 'x'],
      ])
        await store.set(t as any, 1);
      const tuples = (await store.scan(['a'])).map(([k]) => k);
      expect(tuples).to.deep.equal([
        ['a', 2],
        ['a', 2, 'x'],
        ['a', 10],
      ]);
    });

    it('streams ranges with gt, gte, lt, lte, reverse and limit', async () => {
      for (let i = 0; i < 20; i++) await store.set(i, i * 10);
      const keys = async (o: object) => {
        const out = [];
        for await (const [k] of store.entries(o)) out.push(k);
        return out;
      };
      expect(await keys({ gte: 5, lt: 8 })).to.deep.equal([5, 6, 7]);
      expect(await keys({ gt: 5, lte: 8 })).to.deep.equal([6, 7, 8]);
      expect(await keys({ gte: 5, lt: 8, reverse: true })).to.deep.equal([7, 6, 5]);
      expect(await keys({ reverse: true, limit: 3 })).to.deep.equal([19, 18, 17]);
      expect(await keys({ gt: 18, lt: 3 })).to.deep.equal([]);
      expect(await keys({ limit: 0 })).to.deep.equal([]);
    });

    it('streams a scan larger than one chunk without losing entries', async () => {
      const ops = Array.from({ length: 5000 }, (_, i) => ({ type: 'put' as const, key: ['big', i], value: i }));
      await store.batch(ops);
      let n = 0;
      for await (const [k, v] of store.entries({ prefix: ['big'] })) {
        expect(k).to.deep.equal(['big', n]);
        expect(v).to.equal(n);
        n++;
      }
      expect(n).to.equal(5000);
      let r = 4999;
      for await (const [, v] of store.entries({ prefix: ['big'], reverse: true })) expect(v).to.equal(r--);
      expect(r).to.equal(-1);
    });

    it('applies a batch atomically and rejects a malformed batch without writing anything', async () => {
      await store.set('gone', 1);
      await store.batch([
        { type: 'put', key: 'a', value: 1 },
        { type: 'put', key: 'b', value: 2 },
        { type: 'del', key: 'gone' },
      ]);
      expect(await store.scan()).to.deep.equal([
        ['a', 1],
        ['b', 2],
      ]);
      await rejectsWith(
        () =>
          store.batch([
            { type: 'put', key: 'c', value: 3 },
            { type: 'put', key: '', value: 4 },
          ] as any),
        'TypeError',
      );
      await rejectsWith(
        () =>
          store.batch([
            { type: 'put', key: 'c', value: 3 },
            { type: 'nope', key: 'd' },
          ] as any),
        'TypeError',
      );
      expect(await store.has('c')).to.equal(false);
    });

    it('calls defaultFactory once for a missing key and stores its result', async () => {
      let calls = 0;
      store.defaultFactory = () => {
        calls++;
        return 0;
      };
      const got = await Promise.all([store.get('count'), store.get('count'), store.get('count')]);
      expect(got).to.deep.equal([0, 0, 0]);
      await store.set('count', 5);
      expect(await store.get('count')).to.equal(5);
      expect(calls).to.equal(1);
      store.defaultFactory = undefined;
      expect(await store.get('nothing')).to.equal(undefined);
    });

    it('rejects empty, NaN and unsupported keys with a TypeError and writes nothing', async () => {
      for (const bad of ['', Buffer.alloc(0), [], NaN, true, {}, null, undefined, [['nested']]]) {
        await rejectsWith(() => store.set(bad as any, 1), 'TypeError');
      }
      expect(await store.scan()).to.deep.equal([]);
    });

    it('rejects a key over 65,000 bytes with KEY_TOO_LARGE and stays usable', async () => {
      const err = await rejectsWith(() => store.set('x'.repeat(70000), 1), 'KEY_TOO_LARGE');
      expect(String((err as Error).message)).to.match(/65,?000/);
      await store.set('after', 1);
      expect(await store.get('after')).to.equal(1);
    });

    it('with autoSerialize false stores only strings and bytes', async () => {
      const loc2 = factory.location();
      const plain = await factory.open(loc2, { autoSerialize: false });
      try {
        await plain.set('s', 'text');
        await rejectsWith(() => plain.set('o', { a: 1 }), 'TypeError');
        expect(await plain.has('o')).to.equal(false);
        expect(await plain.get('s')).to.equal('text');
      } finally {
        await plain.close();
      }
    });

    it('rejects values that cannot be serialized and writes nothing', async () => {
      const cyclic: any = { a: 1 };
      cyclic.self = cyclic;
      for (const bad of [() => 1, Symbol('s'), cyclic, undefined, { f: () => 1 }]) await rejectsWith(() => store.set('bad', bad), 'TypeError');
      expect(await store.has('bad')).to.equal(false);
    });

    it('round-trips a 10 MB value', async function () {
      this.timeout(120000);
      const big = randomBytes(10 * 1024 * 1024);
      await store.set('big', big);
      expect(Buffer.from(await store.get('big')).equals(big)).to.equal(true);
    });

    it('gives DECODE naming the key for a corrupt stored value, without a crash', async () => {
      await (await store.backend()).write([{ type: 'put', key: encodeKey('corrupt'), value: new Uint8Array([0xee, 1, 2]) }]);
      const err = await rejectsWith(() => store.get('corrupt'), 'DECODE');
      expect((err as Error).message).to.contain('corrupt');
      await store.set('fine', 1);
      expect(await store.get('fine')).to.equal(1);
    });

    it('never shows internal keys (model records, indexes) in a plain scan', async () => {
      await (await store.backend()).write([{ type: 'put', key: internalKey(['m', 'User', 'alice']), value: new Uint8Array([1]) }]);
      await store.set('visible', 1);
      expect(await store.scan()).to.deep.equal([['visible', 1]]);
    });

    it('names a misspelled option and its right spelling', () => {
      expect(() => new (store.constructor as any)(factory.location(), { autoSerialise: true })).to.throw(TypeError, /autoSerialize/);
    });

    it('keeps data across close and reopen', async () => {
      await store.set('persist', { ok: true });
      await store.sync();
      await store.close();
      store = await factory.open(loc);
      expect(await store.get('persist')).to.deep.equal({ ok: true });
    });

    it('is idempotent to close, and rejects with CLOSED afterwards', async () => {
      await store.close();
      await store.close();
      await rejectsWith(() => store.get('a'), 'CLOSED');
      await rejectsWith(() => store.set('a', 1), 'CLOSED');
      await rejectsWith(() => store.scan(), 'CLOSED');
      if (store.supports.sync) expect(() => store.getSync('a')).to.throw(SkyshelveError);
    });

    it('closes through Symbol.asyncDispose', async () => {
      const s2 = await factory.open(factory.location());
      await s2[Symbol.asyncDispose]();
      expect(s2.closed).to.equal(true);
      await rejectsWith(() => s2.get('a'), 'CLOSED');
    });

    it('offers sync variants exactly when the backend declares them', async () => {
      if (store.supports.sync) {
        store.setSync('s', { v: 1 });
        expect(store.getSync('s')).to.deep.equal({ v: 1 });
        expect(store.hasSync('s')).to.equal(true);
        expect(store.deleteSync('s')).to.equal(true);
        expect(store.hasSync('s')).to.equal(false);
      } else {
        expect(() => store.getSync('s'))
          .to.throw(SkyshelveError)
          .with.property('code', 'NOT_SUPPORTED');
        expect(() => store.setSync('s', 1))
          .to.throw(SkyshelveError)
          .with.property('code', 'NOT_SUPPORTED');
      }
    });

    conditionalTests(() => store);
    workloadTests(
      factory,
      () => store,
      (s) => {
        store = s;
      },
      () => loc,
    );
  });
}
