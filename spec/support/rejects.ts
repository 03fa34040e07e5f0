import { expect } from 'chai';
import { SkyshelveError } from '../../src/index.js';

/** Asserts that `fn` rejects with a SkyshelveError of `code` (or a TypeError when code is 'TypeError'); returns the error. */
export async function rejectsWith(fn: () => unknown, code: string): Promise<SkyshelveError> {
  try {
    await fn();
  } catch (err) {
    if (code === 'TypeError') expect(err, String(err)).to.be.instanceOf(TypeError);
    else {
      expect(err, String(err)).to.be.instanceOf(SkyshelveError);
      expect((err as SkyshelveError).code, String(err)).to.equal(code);
    }
    return err as SkyshelveError;
  }
  throw new Error(`expected a ${code} error, but nothing was thrown`);
}
