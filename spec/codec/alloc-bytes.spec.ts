import { expect } from 'chai';
import fc from 'fast-check';
import { allocBytes } from '../../src/codec/helpers.js';
import { decodeValue, encodeValue } from '../../src/codec/values.js';

describe('codec/helpers: allocBytes', () => {
  it('hands out arrays of the asked size that never share bytes, across slab boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9000 }), { minLength: 1, maxLength: 60 }), (sizes) => {
        const arrays = sizes.map((size, i) => {
          const a = allocBytes(size);
          expect(a.length).to.equal(size);
          a.fill(i & 0xff);
          return a;
        });
        // Every array still holds its own fill: no later allocation overlapped it.
        for (const [i, a] of arrays.entries()) expect(a.every((b) => b === (i & 0xff))).to.equal(true);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps earlier encoded values intact while many more are encoded', () => {
    const values = Array.from({ length: 500 }, (_, i) => Buffer.alloc(65 + (i % 200), i & 0xff));
    const encoded = values.map((v) => encodeValue(v));
    for (const [i, bytes] of encoded.entries()) {
      expect(Buffer.from(decodeValue(bytes) as Uint8Array).equals(values[i]!)).to.equal(true);
    }
  });
});
