import { expect } from 'chai';
import type { RawOp } from '../../src/backend/backend.js';
import { BadgerBackend } from '../../src/backend/badger.js';
import { WriteCoalescer } from '../../src/backend/badger-coalesce.js';

const put = (k: string, v = 'v'): RawOp => ({ type: 'put', key: Buffer.from(k), value: Buffer.from(v) });

describe('WriteCoalescer (Badger writes of one event-loop turn)', () => {
  it('commits the writes of one turn with one call, in call order', async () => {
    const commits: string[][] = [];
    const c = new WriteCoalescer((ops) => { commits.push(ops.map((o) => Buffer.from(o.key).toString())); });
    await Promise.all([c.add([put('a')]), c.add([put('b'), put('c')]), c.add([put('d')])]);
    expect(commits).to.deep.equal([['a', 'b', 'c', 'd']]);
  });

  it('rejects only the batch that fails on its own', async () => {
    const c = new WriteCoalescer((ops) => {
      if (ops.some((o) => Buffer.from(o.key).toString() === 'bad')) throw new Error('bad batch');
    });
    const results = await Promise.allSettled([c.add([put('a')]), c.add([put('bad')]), c.add([put('c')])]);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).to.equal('bad batch');
  });

  it('flushes at once when a turn grows past the op limit', () => {
    let calls = 0;
    const c = new WriteCoalescer(() => { calls++; });
    for (let i = 0; i < 1000; i++) void c.add([put(`k${i}`)]);
    expect(calls).to.equal(1);
    expect(c.pending).to.equal(false);
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
    try { await b.write([put('k')]); } catch (err) { error = err; }
    expect((error as { code?: string }).code).to.equal('CLOSED');
  });
});
