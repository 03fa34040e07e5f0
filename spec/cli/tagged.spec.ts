import { expect } from 'chai';
import { fromParsedTagged, fromTagged, parseTagged, toTagged, UntaggableError } from '../../src/cli/tagged.js';

describe('tagged JSON (the CLI value notation)', function () {
  it('round-trips bytes, Dates, Maps, Sets, BigInts, undefined, special numbers and nested mixes through JSON text', () => {
    const value = {
      b: Buffer.from([0, 1, 255]),
      u8: new Uint8Array([7]),
      d: new Date(1700000000123),
      bad: new Date(NaN),
      m: new Map<unknown, unknown>([
        [1, 'one'],
        ['k', new Set([2n ** 70n])],
      ]),
      big: -(2n ** 80n),
      list: [undefined, NaN, Infinity, -Infinity, -0, null, true, 'x'],
      nested: { deeper: [{ when: new Date(0) }] },
    };
    const back = parseTagged(JSON.stringify(toTagged(value)), 'value') as typeof value;
    expect(back.b).to.deep.equal(Buffer.from([0, 1, 255]));
    expect(Buffer.from(back.u8).equals(Buffer.from([7]))).to.equal(true);
    expect(back.d.getTime()).to.equal(1700000000123);
    expect(Number.isNaN(back.bad.getTime())).to.equal(true);
    expect(back.m).to.deep.equal(value.m);
    expect(back.big).to.equal(-(2n ** 80n));
    expect(back.list.length).to.equal(8);
    expect(back.list[0]).to.equal(undefined);
    expect(Number.isNaN(back.list[1])).to.equal(true);
    expect(back.list.slice(2, 4)).to.deep.equal([Infinity, -Infinity]);
    expect(Object.is(back.list[4], -0)).to.equal(true);
    expect(back.list.slice(5)).to.deep.equal([null, true, 'x']);
    expect(back.nested.deeper[0]!.when).to.deep.equal(new Date(0));
  });

  it('reads hex bytes and writes them when asked', () => {
    expect(toTagged(Buffer.from([10, 11]), 'hex')).to.deep.equal({ $hex: '0a0b' });
    expect(fromTagged({ $hex: '0a0b' })).to.deep.equal(Buffer.from([10, 11]));
  });

  it('wraps objects with $ keys so they are never read as tags, and keeps __proto__ as data', () => {
    const tricky = { $bytes: 'not a tag', plain: { $date: 'also not' } };
    const tagged = toTagged(tricky);
    expect(tagged).to.deep.equal({ $object: { $bytes: 'not a tag', plain: { $object: { $date: 'also not' } } } });
    expect(fromTagged(JSON.parse(JSON.stringify(tagged)))).to.deep.equal(tricky);
    const proto = fromTagged(JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).to.equal(Object.prototype);
    expect(Object.keys(proto)).to.deep.equal(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('refuses what it cannot hold losslessly', () => {
    expect(() => toTagged(new Float64Array(2))).to.throw(UntaggableError);
    expect(() =>
      toTagged(
        new (class Point {
          x = 1;
        })(),
      ),
    ).to.throw(UntaggableError);
    expect(() => toTagged([1, , 3])).to.throw(UntaggableError); // eslint-disable-line no-sparse-arrays
    expect(() => toTagged(() => 1)).to.throw(UntaggableError);
  });

  it('names the place of a malformed tag or invalid JSON', () => {
    expect(() => fromTagged({ a: [{ $bigint: '12x' }] }, 'v')).to.throw(TypeError, 'v.a[0]: $bigint needs a string of digits');
    expect(() => fromTagged({ $hex: 'abc' })).to.throw(TypeError, '$hex needs an even-length hex string');
    expect(() => fromTagged({ $map: [[1]] })).to.throw(TypeError, '$map needs a list of [key, value] pairs');
    expect(() => fromTagged({ $nope: 1 })).to.throw(TypeError, 'unknown tag $nope');
    expect(() => parseTagged('{', '--key-json')).to.throw(TypeError, '--key-json is not valid JSON');
  });

  it('resolves fresh JSON in place to exactly what fromTagged gives, with the same messages', () => {
    const texts = [
      '{"__proto__": {"polluted": 1}, "a": {"$date": "2023-11-14T22:13:20.123Z"}, "b": [{"$bigint": "-5"}, {"$set": [1, {"$bytes": "AAE="}]}]}',
      '{"$object": {"$bytes": "x", "n": {"$map": [[{"$date": null}, {"$number": "-0"}]]}}}',
      '[1, "two", null, {"$undefined": true}, [{"$hex": "ff00"}]]',
      '"plain"',
    ];
    for (const text of texts) {
      const inPlace = fromParsedTagged(JSON.parse(text));
      expect(inPlace, text).to.deep.equal(fromTagged(JSON.parse(text)));
      if (inPlace !== null && typeof inPlace === 'object' && !Array.isArray(inPlace)) expect(Object.getPrototypeOf(inPlace)).to.equal(Object.prototype);
    }
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    const bad = '{"ok": {"$date": "2023-11-14T22:13:20.123Z"}, "a": [{"$bigint": "12x"}]}';
    expect(() => fromParsedTagged(JSON.parse(bad), 'v')).to.throw(TypeError, 'v.a[0]: $bigint needs a string of digits');
  });
});
