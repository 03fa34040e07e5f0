import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BadgerBackend } from '../../src/backend/badger.js';
import { isSkyshelveError, SkyshelveError } from '../../src/errors.js';

const badgerModule = new URL('../../src/backend/badger.js', import.meta.url).href;
const b = (s: string) => Buffer.from(s);
const text = (v: Uint8Array | undefined) => (v === undefined ? undefined : Buffer.from(v).toString());

async function conflictOf(fn: () => unknown): Promise<SkyshelveError> {
  try {
    await fn();
  } catch (err) {
    expect(isSkyshelveError(err, 'CONFLICT'), `expected CONFLICT, got ${String(err)}`).to.equal(true);
    return err as SkyshelveError;
  }
  throw new Error('expected CONFLICT, but the write succeeded');
}

describe('Badger conditional writes', () => {
  let dir: string;
  let db: BadgerBackend;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-cond-'));
    db = BadgerBackend.openSync({ path: dir });
    await db.write([{ type: 'put', key: b('a'), value: b('1') }]);
  });
  afterEach(() => {
    db.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('declares the capability', () => {
    expect(db.supports.conditionalWrites).to.equal(true);
  });

  it('writes the batch when every check holds', async () => {
    await db.write(
      [
        { type: 'put', key: b('a'), value: b('2') },
        { type: 'put', key: b('b'), value: b('x') },
      ],
      [{ key: b('a'), value: b('1') }, { key: b('b') }],
    );
    expect(text(await db.get(b('a')))).to.equal('2');
    expect(text(await db.get(b('b')))).to.equal('x');
  });

  it('rejects with CONFLICT naming the first failed check and leaves the store unchanged', async () => {
    const err = await conflictOf(() =>
      db.write(
        [
          { type: 'put', key: b('a'), value: b('2') },
          { type: 'put', key: b('c'), value: b('new') },
        ],
        [{ key: b('a'), value: b('1') }, { key: b('a') }, { key: b('a'), value: b('0') }],
      ),
    );
    expect(err.details?.index).to.equal(1);
    expect(text(await db.get(b('a')))).to.equal('1');
    expect(await db.get(b('c'))).to.equal(undefined);
  });

  it('checks writeSync the same way', () => {
    expect(() => db.writeSync([{ type: 'del', key: b('a') }], [{ key: b('a'), value: b('other') }]))
      .to.throw(SkyshelveError)
      .with.property('code', 'CONFLICT');
    expect(text(db.getSync(b('a')))).to.equal('1');
    db.writeSync([{ type: 'del', key: b('a') }], [{ key: b('a'), value: b('1') }]);
    expect(db.getSync(b('a'))).to.equal(undefined);
  });

  it('sees unchecked writes queued earlier in the same turn', async () => {
    const first = db.write([{ type: 'put', key: b('a'), value: b('queued') }]);
    const second = db.write([{ type: 'put', key: b('a'), value: b('checked') }], [{ key: b('a'), value: b('queued') }]);
    await Promise.all([first, second]);
    expect(text(await db.get(b('a')))).to.equal('checked');
  });

  it('checks writes of a client process on its owner', async () => {
    db.closeSync();
    const script = `import(${JSON.stringify(badgerModule)}).then(({ BadgerBackend }) => {
      const owner = BadgerBackend.openSync({ path: ${JSON.stringify(dir)} });
      console.log('ready'); setInterval(() => owner, 1000);
    });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => child.stdout!.on('data', (d) => String(d).includes('ready') && resolve()));
      db = BadgerBackend.openSync({ path: dir });
      expect((await db.stats()).role).to.equal('client');
      const err = await conflictOf(() => db.write([{ type: 'put', key: b('a'), value: b('2') }], [{ key: b('a') }]));
      expect(err.details?.index).to.equal(0);
      expect(text(await db.get(b('a')))).to.equal('1');
      await db.write([{ type: 'put', key: b('a'), value: b('2') }], [{ key: b('a'), value: b('1') }]);
      expect(text(await db.get(b('a')))).to.equal('2');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('checks durable writes too', async () => {
    const durable = BadgerBackend.openSync({ path: dir, syncWrites: true });
    try {
      await conflictOf(() => durable.write([{ type: 'put', key: b('a'), value: b('z') }], [{ key: b('a') }]));
      expect(text(await durable.get(b('a')))).to.equal('1');
    } finally {
      durable.closeSync();
    }
  });
});
