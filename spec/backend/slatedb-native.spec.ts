import { expect } from 'chai';
import path from 'node:path';
import { SlateBackend } from '../../src/backend/slatedb.js';
import { FlushGroup } from '../../src/backend/slatedb-flush.js';
import { scrub, toSkyError } from '../../src/backend/slatedb-errors.js';
import { openForExitCount } from '../../src/backend/slatedb-lifecycle.js';
import { parseSlatedbLocation, type SlateConfig } from '../../src/backend/slatedb-uri.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { BACKEND_URL, b, rejectsWith, runChild, s, slateEssentials } from './slatedb-cases.js';

const local = (): SlateConfig => ({ path: path.join(tmpDir('sky-slate-'), 'db'), store: { provider: 'local' } });

describe('SlateDB backend on a local directory', function () {
  after(cleanupTmp);

  slateEssentials(local);

  it('declares its capabilities: async only, multi-process, durability as asked', async () => {
    const config = local();
    const buffered = await SlateBackend.open(config);
    expect(buffered.supports).to.deep.equal({
      sync: false,
      readOnly: false,
      multiProcess: true,
      inMemory: false,
      durableWrites: false,
      conditionalWrites: true,
      bulkIngest: false,
      indexScan: true,
    });
    expect((buffered as { getSync?: unknown }).getSync).to.equal(undefined);
    const stats = await buffered.stats();
    expect(stats).to.include({ backend: 'slatedb', provider: 'local', durable: false, readOnly: false, path: config.path });
    await buffered.close();
    const durable = await SlateBackend.open({ ...config, durable: true });
    expect(durable.supports.durableWrites).to.equal(true);
    await durable.close();
  });

  it('completes many concurrent durable writes, each readable after it resolves', async () => {
    const db = await SlateBackend.open(local(), { durable: true });
    await Promise.all(Array.from({ length: 200 }, (_, i) => db.write([{ type: 'put', key: b(`d${i}`), value: b(String(i)) }])));
    expect((await db.getMany([b('d0'), b('d199')])).map(s)).to.deep.equal(['0', '199']);
    expect((await db.stats()).durableSeq).to.be.at.least(200);
    await db.close();
  });

  it('registers open stores for the exit flush and unregisters them on close', async () => {
    const before = openForExitCount();
    const db = await SlateBackend.open(local());
    expect(openForExitCount()).to.equal(before + 1);
    await db.close();
    expect(openForExitCount()).to.equal(before);
  });

  it('keeps a top-level awaited write of a script that never closes (exit flush)', async () => {
    const config = local();
    const child = await runChild(
      `
      const { SlateBackend } = await import(process.env.BACKEND_URL);
      const db = await SlateBackend.open(JSON.parse(process.env.SLATE_CONFIG));
      await db.write([{ type: 'put', key: Buffer.from('top'), value: Buffer.from('level') }]);
      console.log('written');
    `,
      { SLATE_CONFIG: JSON.stringify(config), BACKEND_URL },
    );
    expect(child.status, child.stderr).to.equal(0);
    expect(child.stdout).to.contain('written');
    const db = await SlateBackend.open(config);
    expect(s(await db.get(b('top')))).to.equal('level');
    await db.close();
  });

  it('keeps synced data when the writer is killed with SIGKILL', async () => {
    const config = local();
    const child = await runChild(
      `
      const { SlateBackend } = await import(process.env.BACKEND_URL);
      const db = await SlateBackend.open(JSON.parse(process.env.SLATE_CONFIG));
      await db.write([{ type: 'put', key: Buffer.from('survives'), value: Buffer.from('kill') }]);
      await db.sync();
      console.log('synced');
      setInterval(() => {}, 1000);
    `,
      { SLATE_CONFIG: JSON.stringify(config), BACKEND_URL },
      (line, proc) => {
        if (line === 'synced') proc.kill('SIGKILL');
      },
    );
    expect(child.signal).to.equal('SIGKILL');
    const db = await SlateBackend.open(config);
    expect(s(await db.get(b('survives')))).to.equal('kill');
    await db.close();
  });

  it('rejects unknown SlateDB settings with CONFIG, naming the right spelling', async () => {
    const err = await rejectsWith(() => SlateBackend.open({ ...local(), options: { flush_intervall: '10ms' } }), 'CONFIG');
    expect((err as Error).message).to.contain("'flush_interval'");
    const nested = await rejectsWith(() => SlateBackend.open({ ...local(), options: { compactor_options: { poll_intervl: '1s' } } }), 'CONFIG');
    expect((nested as Error).message).to.contain("'compactor_options.poll_interval'");
    await rejectsWith(() => SlateBackend.open({ ...local(), options: { flush_interval: 'soon' } }), 'CONFIG');
    const ok = await SlateBackend.open({ ...local(), options: { flush_interval: '20ms', compactor_options: { poll_interval: '2s' } } });
    await ok.close();
  });

  it('rejects a replica where no database exists: NO_STORE for a missing directory, CONFIG for an empty one', async () => {
    await rejectsWith(() => SlateBackend.open({ path: path.join(tmpDir(), 'none'), store: { provider: 'local' } }, { readOnly: true }), 'NO_STORE');
    const err = await rejectsWith(() => SlateBackend.open({ path: tmpDir(), store: { provider: 'local' } }, { readOnly: true }), 'CONFIG');
    expect((err as Error).message).to.contain('no SlateDB database');
  });

  it('gives UNREACHABLE (not TIMEOUT) for an S3 endpoint that refuses connections, without printing the credentials', async () => {
    const config = parseSlatedbLocation(
      'slatedb:' +
        JSON.stringify({
          path: 'db',
          store: {
            provider: 'aws',
            aws: { bucket: 'b', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', accessKeyId: 'AKIAFAKEKEYID123', secretAccessKey: 'fake/secret+VALUE' },
          },
        }),
    );
    // In a child: SlateDB keeps retrying the dead endpoint in the background after the timeout.
    const child = await runChild(
      `
      const { SlateBackend } = await import(process.env.BACKEND_URL);
      try { await SlateBackend.open(JSON.parse(process.env.SLATE_CONFIG), { openTimeoutMs: 60000 }); console.log('opened'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message, stack: e.stack })); }
      process.exit(0);
    `,
      { SLATE_CONFIG: JSON.stringify(config), BACKEND_URL },
    );
    const out = JSON.parse(child.stdout.trim().split('\n').pop()!);
    expect(out.code, out.message).to.equal('UNREACHABLE');
    expect(out.message).to.contain('http://127.0.0.1:9').and.to.contain('ECONNREFUSED');
    for (const text of [child.stdout, child.stderr]) {
      expect(text).not.to.contain('AKIAFAKEKEYID123');
      expect(text).not.to.contain('fake/secret+VALUE');
    }
  });
});

describe('SlateDB error mapping', () => {
  const secrets = ['AKIAFAKE', 'sEcReT'];
  const native = (tag: string, message: string, reason?: string): unknown => Object.assign(new Error(message), { tag, reason });

  it('maps each SlateDB error kind to a stable code', () => {
    expect(toSkyError(native('Closed', 'detected newer DB client', 'Fenced'), { op: 'write', secrets }).code).to.equal('FENCED');
    expect(toSkyError(native('Closed', 'db is closed', 'Clean'), { op: 'get', secrets }).code).to.equal('CLOSED');
    expect(toSkyError(native('Invalid', 'bad setting'), { op: 'open', secrets, opening: true }).code).to.equal('CONFIG');
    expect(toSkyError(native('Invalid', 'key cannot be empty'), { op: 'write', secrets }).code).to.equal('INTERNAL');
    expect(toSkyError(native('Invalid', 'key size must be <= u16::MAX'), { op: 'write', secrets }).code).to.equal('KEY_TOO_LARGE');
    expect(toSkyError(native('Unavailable', 'object store error'), { op: 'get', secrets }).code).to.equal('IO');
    expect(toSkyError(native('Data', 'checksum mismatch'), { op: 'get', secrets }).code).to.equal('DECODE');
    expect(toSkyError(native('Internal', 'panic'), { op: 'get', secrets }).code).to.equal('INTERNAL');
  });

  it('removes credentials from messages and drops a cause that quoted them', () => {
    const err = toSkyError(native('Unavailable', 'InvalidAccessKeyId: AKIAFAKE signed with sEcReT'), { op: 'open', secrets });
    expect(err.message).not.to.contain('AKIAFAKE');
    expect(err.message).not.to.contain('sEcReT');
    expect(err.cause).to.equal(undefined);
    expect(scrub('a sEcReT b sEcReT', secrets)).to.equal('a *** b ***');
  });
});

describe('SlateDB flush sharing', () => {
  it('serves many concurrent flush requests with at most two flushes, each starting after the request', async () => {
    let flushes = 0;
    let release: () => void = () => {};
    const group = new FlushGroup(() => {
      flushes++;
      return new Promise<void>((res) => {
        release = res;
      });
    });
    const first = group.request();
    const later = Array.from({ length: 50 }, () => group.request());
    expect(flushes).to.equal(1);
    release();
    await first;
    await new Promise((res) => setImmediate(res));
    expect(flushes).to.equal(2);
    release();
    await Promise.all(later);
    expect(flushes).to.equal(2);
  });

  it('passes a flush failure to every waiter', async () => {
    const group = new FlushGroup(() => Promise.reject(new Error('fenced')));
    const results = await Promise.allSettled([group.request(), group.request()]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
  });
});
