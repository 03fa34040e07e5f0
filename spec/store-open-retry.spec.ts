/** Issue 12 items 2, 5 and 27: a failed open is retried; location hides secrets; one source of capabilities. */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { Backoff, RETRY_FIRST_MS, RETRY_MAX_MS } from '../src/backoff.js';
import { SkyShelve, slatedbUri } from '../src/index.js';
import { rejectsWith } from './support/rejects.js';
import { cleanupTmp, tmpDir } from './support/tmp.js';

/** Retries `fn` until it resolves; the store's back-off is at most a few seconds per try. */
async function eventually<T>(fn: () => Promise<T>, tries = 100): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('SkyShelve: a failed open does not stick', function () {
  this.timeout(30_000);
  after(cleanupTmp);

  it('rejects quickly with the same error, then opens once the cause is gone', async () => {
    const dir = path.join(tmpDir(), 'db');
    const store = new SkyShelve(dir, { createIfMissing: false });
    const first = await rejectsWith(() => store.get('k'), 'NO_STORE');
    // Made by someone else while the first store waits to retry.
    const maker = await SkyShelve.open(dir);
    await maker.set('k', 'v');
    expect(await eventually(() => store.get('k'))).to.equal('v');
    expect(first.code).to.equal('NO_STORE');
    await store.close();
    await maker.close();
  });

  it('a shared store (as models use) recovers on its own after an open error', async () => {
    const parent = tmpDir();
    const dir = path.join(parent, 'db');
    fs.writeFileSync(dir, 'a file where the store should be');
    const store = SkyShelve.shared(dir);
    const err = await store.set('k', 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'the open must fail while a file blocks the path').to.be.instanceOf(Error);
    fs.rmSync(dir);
    await eventually(() => store.set('k', 1));
    expect(await store.get('k')).to.equal(1);
    expect(SkyShelve.shared(dir)).to.equal(store);
    await store.close();
  });

  it('does not retry after close', async () => {
    const store = new SkyShelve(path.join(tmpDir(), 'db'), { createIfMissing: false });
    await rejectsWith(() => store.get('k'), 'NO_STORE');
    await store.close();
    await new Promise((r) => setTimeout(r, 150));
    await rejectsWith(() => store.get('k'), 'CLOSED');
  });
});

describe('SkyShelve: location and capabilities', function () {
  after(cleanupTmp);

  it('masks S3 credentials in store.location', async () => {
    const uri = slatedbUri('db', {
      store: {
        provider: 'aws',
        aws: {
          bucket: 'b',
          region: 'us-east-1',
          endpoint: 'http://user:pw-secret@127.0.0.1:9',
          accessKeyId: 'AKIDSECRET',
          secretAccessKey: 's3cr3t/with"quote',
        },
      },
    });
    const store = new SkyShelve(uri, { openTimeoutMs: 1 });
    const shown = store.location;
    for (const secret of ['AKIDSECRET', 's3cr3t', 'pw-secret']) expect(shown).to.not.contain(secret);
    expect(shown).to.contain('"bucket":"b"');
    await store.close().catch(() => {});
  });

  it('masks credentials even in a URI that does not parse', () => {
    const store = new SkyShelve('slatedb:{"path":"p","secretAccessKey":"topsecret",', {});
    expect(store.location).to.not.contain('topsecret');
    void store.close().catch(() => {});
  });

  it('a slatedb: URI with durable reports durableWrites before and after the open', async () => {
    const uri = slatedbUri(path.join(tmpDir(), 'lake'), { durable: true });
    const store = new SkyShelve(uri);
    expect(store.supports.durableWrites).to.equal(true);
    await store.backend();
    expect(store.supports.durableWrites).to.equal(true);
    await store.close();
  });

  it('reports the same capabilities before and after a Badger open', async () => {
    const store = new SkyShelve(path.join(tmpDir(), 'db'), { syncWrites: true });
    const before = { ...store.supports };
    expect(before).to.deep.equal({
      sync: true,
      readOnly: false,
      multiProcess: true,
      inMemory: false,
      durableWrites: true,
      conditionalWrites: true,
      bulkIngest: true,
      indexScan: true,
    });
    await store.backend();
    expect({ ...store.supports }).to.deep.equal(before);
    await store.close();
  });
});

describe('Backoff', function () {
  it('doubles the wait after each failure up to the cap, holds during a try, and resets on success', () => {
    const b = new Backoff();
    expect(b.due(0)).to.equal(true);
    b.failed(1000);
    expect([b.due(1099), b.due(1100)]).to.deep.equal([false, true]);
    b.failed(2000);
    expect([b.due(2199), b.due(2200)]).to.deep.equal([false, true]);
    for (let i = 0; i < 10; i++) b.failed(3000);
    expect([b.due(3000 + RETRY_MAX_MS - 1), b.due(3000 + RETRY_MAX_MS)]).to.deep.equal([false, true]);
    b.hold();
    expect(b.due(Number.MAX_SAFE_INTEGER)).to.equal(false);
    b.succeeded();
    expect(b.due(0)).to.equal(true);
    b.failed(0);
    expect(b.due(RETRY_FIRST_MS)).to.equal(true);
  });
});
