/** Small units of the model layer: construction, the keyed mutex and index values. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initialize } from '../../src/model/construct.js';
import { toIndexValues } from '../../src/model/index-values.js';
import { KeyedMutex } from '../../src/model/mutex.js';
import { SkyshelveError } from '../../src/index.js';

describe('model construction', function () {
  it('keeps passed values over initializers for classes compiled with define semantics too', () => {
    class Base {
      constructor(init?: object) {
        return initialize(this, new.target, init);
      }
    }
    // What useDefineForClassFields: true emits: every field is defined after super().
    class Defined extends Base {
      constructor(init?: object) {
        super(init);
        Object.defineProperty(this, 'tags', { value: [], writable: true, enumerable: true, configurable: true });
        Object.defineProperty(this, 'name', { value: undefined, writable: true, enumerable: true, configurable: true });
      }
    }
    const d = new Defined({ name: 'n', tags: ['t'] }) as unknown as { name: string; tags: string[] };
    expect(d.name).to.equal('n');
    expect(d.tags).to.deep.equal(['t']);
    const e = new Defined({ name: 'only' }) as unknown as { name: string; tags: string[] };
    expect(e.tags).to.deep.equal([]);
    expect(e).to.be.instanceOf(Defined);
  });

  it('rejects a constructor argument that is not an object', () => {
    class Base {
      constructor(init?: unknown) {
        return initialize(this, new.target, init);
      }
    }
    expect(() => new Base('x')).to.throw(TypeError, /init must be an object/);
  });
});

describe('KeyedMutex', function () {
  it('runs sections of one key one at a time, in arrival order, and other keys in parallel', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const section = (key: string, name: string) =>
      m.run([key], async () => {
        log.push(`${name}+`);
        await new Promise((r) => setImmediate(r));
        log.push(`${name}-`);
      });
    await Promise.all([section('a', 'a1'), section('a', 'a2'), section('b', 'b1')]);
    expect(log.indexOf('a1-')).to.be.lessThan(log.indexOf('a2+'));
    expect(log.indexOf('b1+')).to.be.lessThan(log.indexOf('a1-'));
  });

  it('never deadlocks when two callers lock the same keys in opposite orders', async () => {
    const m = new KeyedMutex();
    let n = 0;
    await Promise.all([
      ...Array.from({ length: 20 }, () =>
        m.run(['x', 'y'], async () => {
          n++;
        }),
      ),
      ...Array.from({ length: 20 }, () =>
        m.run(['y', 'x'], async () => {
          n++;
        }),
      ),
    ]);
    expect(n).to.equal(40);
  });

  it('makes a section that arrives while free keys are taken wait for every key it shares', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const section = (keys: string[], name: string) =>
      m.run(keys, async () => {
        log.push(`${name}+`);
        await new Promise((r) => setImmediate(r));
        log.push(`${name}-`);
      });
    // xy takes both keys at once; y and x arrive while it runs and each must wait for it.
    await Promise.all([section(['x', 'y'], 'xy'), section(['y'], 'y'), section(['x'], 'x'), section(['z'], 'z')]);
    expect(log.indexOf('xy-')).to.be.lessThan(log.indexOf('y+'));
    expect(log.indexOf('xy-')).to.be.lessThan(log.indexOf('x+'));
    expect(log.indexOf('z+')).to.be.lessThan(log.indexOf('xy-'));
    // Every key is free again: a later section runs at once.
    expect(await m.run(['x', 'y', 'z'], async () => 'free')).to.equal('free');
  });

  it('releases a key after a section throws', async () => {
    const m = new KeyedMutex();
    await m
      .run(['k'], async () => {
        throw new Error('x');
      })
      .catch(() => {});
    expect(await m.run(['k'], async () => 'ok')).to.equal('ok');
  });
});

describe('index values', function () {
  it('maps booleans to 0/1, Dates to epoch ms, drops null, dedupes, and spreads arrays', () => {
    expect(toIndexValues('M', 'i', [true, false, true, null, undefined, 'a', 'a', new Date(7), -0])).to.deep.equal([1, 0, 'a', 7]);
    expect(toIndexValues('M', 'i', undefined)).to.deep.equal([]);
    expect(toIndexValues('M', 'i', 5n)).to.deep.equal([5]);
  });

  it('turns an array inside the result into one tuple value (compound indexes), skipping tuples with a missing element', () => {
    expect(
      toIndexValues('M', 'idx', [
        ['alice', 5],
        ['bob', -1.5],
      ]),
    ).to.deep.equal([
      ['alice', 5],
      ['bob', -1.5],
    ]);
    expect(toIndexValues('M', 'idx', [['alice', undefined], ['x']])).to.deep.equal(['x']);
    expect(
      toIndexValues('M', 'idx', [
        ['a', true, new Date(3)],
        ['a', 1, 3],
      ]),
    ).to.deep.equal([['a', 1, 3]]);
  });

  it('rejects objects, NaN, arrays inside tuples and invalid Dates with INDEX naming the index', () => {
    for (const bad of [{ a: 1 }, NaN, Infinity, [[1, [2]]], [[[1]]], new Date(NaN), Symbol('s'), 1n << 80n]) {
      let err: unknown;
      try {
        toIndexValues('M', 'idx', bad);
      } catch (e) {
        err = e;
      }
      expect(err, String(bad as object)).to.be.instanceOf(SkyshelveError);
      expect((err as SkyshelveError).code).to.equal('INDEX');
      expect((err as Error).message).to.contain("'idx'");
    }
  });
});

describe('models with native class fields (useDefineForClassFields: true)', function () {
  it('keeps passed fields over initializers, saves, loads and indexes; rejects an unknown field', () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const fixture = path.resolve(here, '..', '..', '..', 'spec', 'fixtures', 'define-fields.mjs');
    const run = spawnSync(process.execPath, [fixture], { encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal({
      built: { id: 'p1', title: 'Hello', tags: ['a'], views: 0 },
      loaded: { id: 'p1', title: 'Hello', tags: ['a'], views: 0, isPost: true },
      byTitle: ['p1'],
      blank: { id: 'p2', title: 'untitled', tags: [] },
      unknown: "TypeError: init of Post has 'titel' (did you mean 'title'?), not a field of Post (its fields: id, title, tags, views)",
    });
  });
});
