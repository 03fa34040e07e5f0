import assert from 'node:assert/strict';
import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_BIGINT_BYTES, MAX_DEPTH } from '../../src/codec/cbor-check.js';
import { decodeValue, encodeValue, ValueTag } from '../../src/codec/values.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const roundTrip = (value: unknown) => decodeValue(encodeValue(value));

/** Values the CBOR profile must give back deep-equal: no -0 (stored as 0) and no '__proto__' keys. */
const storable: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.double().map((n) => (n === 0 ? 0 : n)),
    fc.integer(),
    fc.bigInt({ min: -(1n << 200n), max: 1n << 200n }),
    fc.boolean(),
    fc.constant(null),
    // Dates are float64 epoch seconds: exact to the millisecond within about ±139,000 years of 1970.
    fc.date({ noInvalidDate: true, min: new Date('-010000-01-01T00:00:00Z'), max: new Date('+010000-01-01T00:00:00Z') }),
    fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
  ),
  inner: fc.oneof(tie('leaf'), fc.constant(undefined), tie('node')),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('inner'), { maxLength: 4 }),
    fc.dictionary(
      fc.string().filter((k) => k !== '__proto__'),
      tie('inner'),
      { maxKeys: 4, noNullPrototype: true },
    ),
    fc.array(fc.tuple(tie('leaf'), tie('inner')), { maxLength: 3 }).map((entries) => new Map(entries)),
    fc.array(tie('leaf'), { maxLength: 3 }).map((items) => new Set(items)),
  ),
})).node;

describe('codec/values: strings and bytes', () => {
  it('stores strings as tag 0x01 and UTF-8, bytes as tag 0x02 and the raw bytes', () => {
    expect(hex(encodeValue('hé'))).to.equal('0168c3a9');
    expect(hex(encodeValue(Buffer.from([0, 255])))).to.equal('0200ff');
    expect(hex(encodeValue(''))).to.equal('01');
    expect(encodeValue(Buffer.alloc(100))[0]).to.equal(ValueTag.BYTES);
  });

  it('round-trips strings of every shape', () => {
    for (const s of ['', 'plain', '\ufeffBOM first', 'é😀\u0000', 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(100000)]) {
      expect(roundTrip(s)).to.equal(s);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(roundTrip(s)).to.equal(s);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives bytes back as a Buffer that does not share memory with the stored bytes', () => {
    const stored = encodeValue(Uint8Array.of(1, 2, 3));
    const back = decodeValue(stored) as Buffer;
    expect(Buffer.isBuffer(back)).to.equal(true);
    expect(back).to.deep.equal(Buffer.from([1, 2, 3]));
    stored[1] = 99;
    expect(back[0]).to.equal(1);
  });

  it('rejects strings with a lone surrogate, at the top and deep inside', () => {
    expect(() => encodeValue('a\ud800')).to.throw(TypeError, /^value is a string with a lone surrogate/);
    expect(() => encodeValue({ a: ['\udc00'] })).to.throw(TypeError, /^value\.a\[0\] is a string with a lone surrogate/);
  });
});

describe('codec/values: CBOR values', () => {
  it('writes the documented CBOR bytes after tag 0x03', () => {
    expect(hex(encodeValue({ a: 1 }))).to.equal('03a1616101');
    expect(hex(encodeValue(new Date(1000)))).to.equal('03c11a00000001');
    expect(hex(encodeValue(new Map([[1, 'x']])))).to.equal('03d90103a10161' + '78');
    expect(hex(encodeValue(new Set([1])))).to.equal('03d901028101');
    expect(hex(encodeValue(2n ** 64n))).to.equal('03c249010000000000000000');
    expect(hex(encodeValue(5n))).to.equal('031b0000000000000005');
    expect(hex(encodeValue(null))).to.equal('03f6');
  });

  it('round-trips plain data, Date, Map, Set, BigInt and nested mixes', () => {
    const value = {
      name: 'n',
      list: [1, 'two', [3], { four: 4 }],
      when: new Date('2024-01-02T03:04:05.678Z'),
      map: new Map<unknown, unknown>([
        [1, 'a'],
        ['b', { c: [new Set([1, 2])] }],
        [Buffer.from([1]), null],
      ]),
      big: [2n ** 100n, -(2n ** 100n), 123n, -1n, 0n],
      bytes: Buffer.from([9, 8]),
      flags: [true, false, null, undefined],
    };
    expect(roundTrip(value)).to.deep.equal(value);
  });

  it('round-trips generated values', () => {
    fc.assert(
      fc.property(storable, (v) => {
        // node:assert, not chai: chai sorts a Map's entries as strings, which throws for an entry
        // holding an object whose own `toString` is not a function (a value the codec keeps fine).
        assert.deepStrictEqual(roundTrip(v), v);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips a Map whose entry holds an object with its own toString key (a generated case chai cannot compare)', () => {
    const v = new Map<unknown, unknown>([
      [0, 0],
      [Buffer.from([]), { toString: undefined }],
    ]);
    assert.deepStrictEqual(roundTrip(v), v);
  });

  it('keeps NaN and the infinities, stores -0 as 0, and keeps large integers exact', () => {
    expect(roundTrip(NaN)).to.be.NaN;
    expect(roundTrip(Infinity)).to.equal(Infinity);
    expect(roundTrip(-Infinity)).to.equal(-Infinity);
    expect(Object.is(roundTrip(-0), 0)).to.equal(true);
    expect(roundTrip(2 ** 53 + 2)).to.equal(2 ** 53 + 2);
    expect(roundTrip(-(2 ** 40))).to.equal(-(2 ** 40));
    expect(roundTrip(0.1)).to.equal(0.1);
  });

  it('keeps an invalid Date invalid and holes in arrays as undefined', () => {
    expect(Number.isNaN((roundTrip(new Date(NaN)) as Date).getTime())).to.equal(true);
    expect(roundTrip([1, , 3])).to.deep.equal([1, undefined, 3]); // eslint-disable-line no-sparse-arrays
  });

  it('stores a shared (non-cyclic) object once per place it appears', () => {
    const shared = { x: 1 };
    const back = roundTrip({ a: shared, b: [shared] }) as { a: object; b: object[] };
    expect(back).to.deep.equal({ a: { x: 1 }, b: [{ x: 1 }] });
    expect(back.a).to.not.equal(back.b[0]);
  });
});

describe('codec/values: class instances', () => {
  class Point {
    hidden = 0;
    constructor(
      public x: number,
      public y: number,
    ) {
      Object.defineProperty(this, 'hidden', { enumerable: false });
    }
    get length(): number {
      return Math.hypot(this.x, this.y);
    }
    *[Symbol.iterator]() {
      yield this.x;
    }
  }
  class Tags extends Array<string> {}
  class Registry extends Map<string, number> {}

  it('stores an instance as a plain object of its own enumerable properties', () => {
    const back = roundTrip({ p: new Point(3, 4), list: [new Point(1, 2)] }) as { p: object; list: object[] };
    expect(back).to.deep.equal({ p: { x: 3, y: 4 }, list: [{ x: 1, y: 2 }] });
    expect(Object.getPrototypeOf(back.p)).to.equal(Object.prototype);
  });

  it('stores Array and Map subclasses as plain arrays and Maps', () => {
    const tags = Tags.from(['a', 'b']);
    const registry = new Registry([['k', 1]]);
    expect(roundTrip({ tags, registry })).to.deep.equal({ tags: ['a', 'b'], registry: new Map([['k', 1]]) });
  });

  it('leaves the original value untouched', () => {
    const point = new Point(1, 1);
    const value = { point };
    encodeValue(value);
    expect(value.point).to.equal(point);
    expect(Object.getPrototypeOf(value.point)).to.equal(Point.prototype);
  });

  it('stores a null-prototype object as a plain object', () => {
    const bare = Object.assign(Object.create(null), { a: 1 });
    expect(roundTrip(bare)).to.deep.equal({ a: 1 });
  });
});

describe('codec/values: rejected values', () => {
  it('rejects undefined at the top, pointing to delete', () => {
    expect(() => encodeValue(undefined)).to.throw(TypeError, /^value is undefined; to remove a key use delete/);
    expect(() => encodeValue(undefined, { argName: 'ops[2].value' })).to.throw(TypeError, /^ops\[2\]\.value is undefined/);
  });

  it('rejects functions and symbols anywhere, naming where they are', () => {
    expect(() => encodeValue(() => 1)).to.throw(TypeError, /^value is a function/);
    expect(() => encodeValue({ a: { b: [1, () => 1] } })).to.throw(TypeError, /^value\.a\.b\[1\] is a function/);
    expect(() => encodeValue(Symbol('s'))).to.throw(TypeError, /^value is a symbol/);
    expect(() => encodeValue({ 'odd key': Symbol('s') })).to.throw(TypeError, /^value\["odd key"\] is a symbol/);
    expect(() => encodeValue(new Map([[1, () => 1]]))).to.throw(TypeError, /\[map value 0\] is a function/);
    expect(() => encodeValue(new Set([Symbol('s')]))).to.throw(TypeError, /\[set item 0\] is a symbol/);
  });

  it('rejects cyclic structures with a TypeError, not a stack overflow', () => {
    const object: Record<string, unknown> = { a: 1 };
    object.self = { back: object };
    const array: unknown[] = [];
    array.push([array]);
    const map = new Map<string, unknown>();
    map.set('m', map);
    const set = new Set<unknown>();
    set.add({ set });
    for (const cyclic of [object, array, map, set]) {
      expect(() => encodeValue(cyclic)).to.throw(TypeError, /cyclic structures cannot be stored/);
    }
    expect(() => encodeValue(object)).to.throw(TypeError, /^value\.self\.back refers back/);
  });

  it('finds a cycle back to any ancestor, and a failed walk leaves nothing behind', () => {
    const root: Record<string, unknown> = {};
    root.x = [{ y: new Map([['z', [root]]]) }];
    expect(() => encodeValue(root)).to.throw(TypeError, /^value\.x\[0\]\.y\[map value 0\]\[0\] refers back/);
    const shared = { n: 1 };
    const dag = { a: shared, b: [shared, { c: shared }] };
    expect(roundTrip(dag)).to.deep.equal({ a: { n: 1 }, b: [{ n: 1 }, { c: { n: 1 } }] });
  });

  it('rejects nesting deeper than MAX_DEPTH', () => {
    let deep: unknown = 1;
    for (let i = 0; i < MAX_DEPTH + 1; i++) deep = [deep];
    expect(() => encodeValue(deep)).to.throw(TypeError, new RegExp(`nested more than ${MAX_DEPTH} levels`));
    const wrappers: ((inner: unknown) => unknown)[] = [(x) => [x], (x) => ({ x }), (x) => new Map([[1, x]]), (x) => new Set([x])];
    for (const wrap of wrappers) {
      let ok: unknown = 1;
      for (let i = 0; i < MAX_DEPTH; i++) ok = wrap(ok);
      expect(roundTrip(ok)).to.deep.equal(ok);
      expect(() => encodeValue(wrap(ok))).to.throw(TypeError, new RegExp(`nested more than ${MAX_DEPTH} levels`));
    }
  });

  it('rejects built-ins that have no stored form', () => {
    const cases: [unknown, RegExp][] = [
      [new Float64Array(2), /Float64Array; only Buffer\/Uint8Array/],
      [new ArrayBuffer(2), /ArrayBuffer; only Buffer\/Uint8Array/],
      [new DataView(new ArrayBuffer(2)), /DataView/],
      [new Error('x'), /Error, which has no stored form/],
      [/re/, /RegExp, which has no stored form/],
      [new WeakMap(), /WeakMap/],
      [Promise.resolve(1), /Promise/],
      [new String('boxed'), /String, which has no stored form/],
    ];
    for (const [bad, message] of cases) expect(() => encodeValue({ v: bad }), String(message)).to.throw(TypeError, message);
  });

  it('rejects an own "__proto__" property and oversized BigInts', () => {
    expect(() => encodeValue(JSON.parse('{"__proto__": 1}'))).to.throw(TypeError, /__proto__/);
    expect(() => encodeValue(1n << BigInt(8 * MAX_BIGINT_BYTES))).to.throw(TypeError, /BigInt larger than 1024 bytes/);
    expect(roundTrip((1n << BigInt(8 * MAX_BIGINT_BYTES)) - 1n)).to.equal((1n << BigInt(8 * MAX_BIGINT_BYTES)) - 1n);
  });

  it('accepts only strings and bytes when autoSerialize is false, naming the type it got', () => {
    const off = { autoSerialize: false };
    expect(decodeValue(encodeValue('s', off))).to.equal('s');
    expect(decodeValue(encodeValue(Buffer.from([1]), off))).to.deep.equal(Buffer.from([1]));
    const cases: [unknown, string][] = [
      [1, 'number'],
      [{}, 'object'],
      [null, 'null'],
      [true, 'boolean'],
      [[1], 'an array'],
      [new Date(0), 'Date'],
    ];
    for (const [bad, type] of cases) {
      expect(() => encodeValue(bad, off)).to.throw(TypeError, new RegExp(`autoSerialize is false; got ${type}$`));
    }
  });
});
