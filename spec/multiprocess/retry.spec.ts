/** One-record steps on a hot key: a CONFLICT is retried well past the transactions' 12 attempts. */
import { expect } from 'chai';
import { DEFAULT_ATTEMPTS, RECORD_ATTEMPTS, retryOnConflict } from '../../src/backend/conditional.js';
import { SkyshelveError } from '../../src/index.js';
import { rejectsWith } from '../support/rejects.js';

describe('retryOnConflict for one-record steps', () => {
  it('succeeds after 20 conflicts in a row (4 processes on one counter needed up to 15)', async () => {
    let runs = 0;
    const result = await retryOnConflict(async () => {
      if (++runs <= 20) throw new SkyshelveError('CONFLICT', 'check 0 failed');
      return 'done';
    });
    expect(result).to.equal('done');
    expect(runs).to.equal(21);
    expect(RECORD_ATTEMPTS).to.be.above(DEFAULT_ATTEMPTS);
  });

  it('passes on other errors at once, and CONFLICT after the given attempts', async () => {
    let runs = 0;
    await rejectsWith(
      () =>
        retryOnConflict(async () => {
          runs++;
          throw new SkyshelveError('IO', 'disk');
        }),
      'IO',
    );
    expect(runs).to.equal(1);
    runs = 0;
    await rejectsWith(
      () =>
        retryOnConflict(async () => {
          runs++;
          throw new SkyshelveError('CONFLICT', 'check 0 failed');
        }, 3),
      'CONFLICT',
    );
    expect(runs).to.equal(3);
  });
});
