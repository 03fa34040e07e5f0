import { expect } from 'chai';
import type { RawOp, WriteRecords } from '../../src/backend/backend.js';
import { BadgerBackend } from '../../src/backend/badger.js';
import { WriteCoalescer } from '../../src/backend/badger-coalesce.js';
import { isRecords, type WriteUnit } from '../../src/backend/badger-codec.js';

const put = (k: string, v = 'v'): RawOp => ({ type: 'put', key: Buffer.from(k), value: Buffer.from(v) });
// These tests commit op arrays only; a commit hook gets the group's units in order.
const flat = (units: readonly WriteUnit[]): RawOp[] => units.flatMap((u) => u as readonly RawOp[]);

describe('WriteCoalescer (Badger writes of one event-loop turn)', () => {
  it('commits the writes of one turn with one call, in call order', async () => {
    const commits: string[][] = [];
    const c = new WriteCoalescer((units) => {
      commits.push(flat(units).map((o) => Buffer.from(o.key).toString()));
    });
    await Promise.all([c.add([put('a')]), c.add([put('b'), put('c')]), c.add([put('d')])]);
    expect(commits).to.deep.equal([['a', 'b', 'c', 'd']]);
  });

  it('rejects only the batch that fails on its own', async () => {
    const c = new WriteCoalescer((units) => {
      if (flat(units).some((o) => Buffer.from(o.key).toString() === 'bad')) throw new Error('bad batch');
    });
    const results = await Promise.allSettled([c.add([put('a')]), c.add([put('bad')]), c.add([put('c')])]);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).to.equal('bad batch');
  });

  it('flushes at once when a turn grows past the op limit', () => {
    let calls = 0;
    const c = new WriteCoalescer(() => {
      calls++;
    });
    for (let i = 0; i < 1000; i++) void c.add([put(`k${i}`)]);
    expect(calls).to.equal(1);
    expect(c.pending).to.equal(false);
  });
});

describe('WriteCoalescer with a commit that finishes in the background (a write stall)', () => {
  // Records in these tests hold their name as their bytes.
  const names = (units: readonly WriteUnit[]) =>
    units.flatMap((u) => (isRecords(u) ? [Buffer.from(u.bytes).toString()] : u.map((o) => Buffer.from(o.key).toString())));

  function stalling() {
    const log: string[] = [];
    let finish: (err?: Error) => void = () => {};
    let stallNext = true;
    let waits = 0;
    const c = new WriteCoalescer({
      start: (ops) => {
        log.push('start ' + names(ops).join(','));
        if (!stallNext) return undefined;
        stallNext = false;
        return new Promise<void>((resolve, reject) => {
          finish = (err) => (err ? reject(err) : resolve());
        });
      },
      commitSync: (ops) => {
        log.push('sync ' + names(ops).join(','));
        if (names(ops).includes('bad')) throw new Error('bad batch');
      },
      waitSync: () => {
        waits++;
      },
    });
    return { c, log, finish: (err?: Error) => finish(err), waits: () => waits };
  }

  it('holds later writes back until the stalled commit settles, then commits them in order', async () => {
    const { c, log, finish } = stalling();
    let firstDone = false;
    const first = c.add([put('a')]).then(() => {
      firstDone = true;
    });
    await Promise.resolve();
    const second = c.add([put('b')]);
    const third = c.add([put('c')]);
    await new Promise(setImmediate);
    expect(log).to.deep.equal(['start a']);
    expect(firstDone).to.equal(false);
    expect(c.pending).to.equal(true);
    finish();
    await Promise.all([first, second, third]);
    expect(log).to.deep.equal(['start a', 'start b,c']);
  });

  it('commits a backlog that built up behind a stalled commit in bounded groups, in order', async () => {
    const { c, log, finish } = stalling();
    const first = c.add([put('a')]);
    await Promise.resolve();
    const rest = Array.from({ length: 2500 }, (_, i) => c.add([put(`k${i}`)]));
    finish();
    await Promise.all([first, ...rest]);
    const groups = log.slice(1).map((l) => l.replace(/^start /, '').split(','));
    expect(groups.map((g) => g.length)).to.deep.equal([1000, 1000, 500]);
    expect(groups.flat()).to.deep.equal(Array.from({ length: 2500 }, (_, i) => `k${i}`));
  });

  it('a synchronous flush waits for the stalled commit, then commits what is waiting', async () => {
    const { c, log, finish, waits } = stalling();
    const first = c.add([put('a')]);
    await Promise.resolve();
    const second = c.add([put('b')]);
    c.flush();
    expect(waits()).to.equal(1);
    expect(log).to.deep.equal(['start a', 'sync b']);
    expect(c.pending).to.equal(false);
    finish();
    await Promise.all([first, second]);
  });

  it('keeps lent records that wait behind a stalled commit, and those of a combined commit that may be retried', async () => {
    const { c, log, finish } = stalling();
    const lent = (name: string): WriteRecords => ({ count: 1, bytes: Buffer.from(name) });
    const kept: string[] = [];
    const keep = (u: WriteUnit): WriteUnit => {
      kept.push(names([u])[0]!);
      return isRecords(u) ? { count: u.count, bytes: Uint8Array.from(u.bytes) } : u;
    };
    const aBytes = lent('a');
    const bBytes = lent('b');
    const results = Promise.allSettled([c.add(aBytes, keep), c.add(bBytes, keep)]);
    await Promise.resolve(); // a and b start together, in the background
    const cBytes = lent('c');
    const third = c.add(cBytes, keep); // waits behind them
    for (const r of [aBytes, bBytes, cBytes]) (r.bytes as Buffer).fill(0x5a); // the caller reuses its buffers
    expect(kept).to.deep.equal(['a', 'b', 'c']);
    finish(new Error('txn too big'));
    await results;
    await third;
    expect(log).to.deep.equal(['start a,b', 'sync a', 'sync b', 'start c']);
  });

  it('does not copy lent records that commit at once', async () => {
    const { c, log } = stalling();
    let kept = 0;
    const keep = (u: WriteUnit): WriteUnit => {
      kept++;
      return u;
    };
    const big = { count: 1000, bytes: Buffer.from('big') }; // at the op limit: committed in the call
    void c.add(big, keep);
    expect(log).to.deep.equal(['start big']);
    expect(kept).to.equal(0); // alone in a background commit: a failure rejects it, nothing retries it
  });

  it('when a stalled combined commit fails, retries batch by batch and rejects only the bad one', async () => {
    const { c, log, finish } = stalling();
    const results = Promise.allSettled([c.add([put('a')]), c.add([put('bad')]), c.add([put('c')])]);
    await Promise.resolve();
    finish(new Error('txn too big'));
    const settled = await results;
    expect(settled.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect(log).to.deep.equal(['start a,bad,c', 'sync a', 'sync bad', 'sync c']);
  });
});

describe('BadgerBackend with coalesced writes', () => {
  it('lets a read in the same turn see a write that was not awaited', async () => {
    const b = BadgerBackend.openSync({ inMemory: true });
    try {
      const done = b.write([put('k', 'one')]);
      expect(Buffer.from(b.getSync(Buffer.from('k'))!).toString()).to.equal('one');
      await done;
      const writes = [b.write([put('x', '1')]), b.write([{ type: 'del', key: Buffer.from('x') }]), b.write([put('y', '2')])];
      expect(b.hasSync(Buffer.from('x'))).to.equal(false);
      await Promise.all(writes);
      expect(Buffer.from(b.getSync(Buffer.from('y'))!).toString()).to.equal('2');
    } finally {
      b.closeSync();
    }
  });

  it('commits pending writes before it closes', async () => {
    const b = BadgerBackend.openSync({ inMemory: true });
    const pending = b.write([put('k')]);
    b.closeSync();
    await pending; // resolved: the write was committed, not dropped
    let error: unknown;
    try {
      await b.write([put('k')]);
    } catch (err) {
      error = err;
    }
    expect((error as { code?: string }).code).to.equal('CLOSED');
  });
});
