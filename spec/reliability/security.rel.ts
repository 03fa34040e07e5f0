import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SkyShelve, closeModelStores } from '../../src/index.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { startFixture, waitExit } from './child.js';
import { figure, printFiguresAtEnd } from './figures.js';
import { FAKE } from './fixtures/fake-credentials.js';
import { MALICIOUS, MAY_DECODE } from './fixtures/malicious-cbor.js';
import { bindCounter } from './fixtures/models.js';

printFiguresAtEnd();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RANDOM_VALUES = Number(process.env.RELIABILITY_RANDOM_VALUES ?? 5000);

/** "slate/: 12 entries (0666, 0777)": entries grouped by their top directory. */
function summarize(entries: Array<{ path: string; mode: string }>): string {
  const groups = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const e of entries) {
    const top = e.path.split(path.sep)[0]!;
    if (!groups.has(top)) groups.set(top, new Set());
    groups.get(top)!.add(e.mode);
    counts.set(top, (counts.get(top) ?? 0) + 1);
  }
  return [...groups].map(([top, modes]) => `${top}/: ${counts.get(top)} entries (${[...modes].sort().join(', ')})`).join('; ');
}

/** Runs a fixture to completion within `ms`; returns its stdout lines and stderr. */
async function runFixture(name: string, args: string[], ms: number, env: NodeJS.ProcessEnv = {}) {
  const child = startFixture(name, args, { env });
  const code = await waitExit(child, ms, name);
  return { code, lines: child.lines, stderr: child.stderr() };
}

describe('security', function () {
  this.timeout(10 * 60 * 1000);
  after(cleanupTmp);

  it('never executes code or changes prototypes when decoding, and gives DECODE for malicious and random bytes', async () => {
    const r = await runFixture('decode-corpus', [path.join(tmpDir('sky-evil-'), 'db'), String(RANDOM_VALUES)], 5 * 60 * 1000);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.lines.at(-1)!);
    const wrong = Object.entries(out.named as Record<string, string>).filter(
      ([name, o]) => !(o === 'DECODE' || (MAY_DECODE.has(name) && o === 'value (plain, prototype untouched)')),
    );
    const decoded = Object.entries(out.named as Record<string, string>)
      .filter(([, o]) => o !== 'DECODE')
      .map(([n]) => n);
    figure(
      'security/malicious-values',
      `${Object.keys(MALICIOUS).length} crafted CBOR values: ${Object.keys(MALICIOUS).length - decoded.length} DECODE, ${decoded.length} decoded as plain data with prototypes untouched (${decoded.join(', ')}); prototypes polluted: ${out.polluted ? 'YES' : 'no'}`,
    );
    figure(
      'security/random-bytes',
      `${RANDOM_VALUES} random stored values: ${out.random.DECODE} DECODE, ${out.random.value} decoded, ${out.random.other} other errors; 200 random raw keys: ${out.keys.DECODE} DECODE, ${out.keys.value} decoded, ${out.keys.other} other; no crash, no hang`,
    );
    expect(wrong, 'cases without DECODE').to.deep.equal([]);
    expect(out.polluted, 'Object.prototype or globalThis was changed').to.equal(false);
    expect(out.others, 'errors other than DECODE').to.deep.equal([]);
    expect(out.random.other + out.keys.other).to.equal(0);
  });

  describe('with a local S3 server', () => {
    const state = tmpDir('sky-s3-');
    const env = { ...process.env, SKYSHELVE_S3_STATE: state };
    let s3: Record<string, string> | undefined;
    before(function () {
      this.timeout(10 * 60 * 1000);
      const start = spawnSync('bash', [path.join(root, 'scripts/s3-server.sh'), 'start'], { env, encoding: 'utf8' });
      expect(start.status, `s3-server.sh start failed: ${start.stderr}${start.stdout}`).to.equal(0);
      const lines = spawnSync('bash', [path.join(root, 'scripts/s3-server.sh'), 'env'], { env, encoding: 'utf8' })
        .stdout.trim()
        .split('\n');
      s3 = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    });
    after(() => {
      spawnSync('bash', [path.join(root, 'scripts/s3-server.sh'), 'stop'], { env });
    });

    it('keeps credentials out of error messages, stacks, causes and logs', async () => {
      const r = await runFixture(
        'secret-leak',
        [s3!.AWS_ENDPOINT_URL_S3!, s3!.BUCKET_NAME!, s3!.AWS_ACCESS_KEY_ID!, s3!.AWS_SECRET_ACCESS_KEY!, '90000'],
        5 * 60 * 1000,
        { RUST_LOG: 'debug', SLATEDB_LOG: 'debug' },
      );
      expect(r.code, r.stderr).to.equal(0);
      const all = r.lines.join('\n') + '\n' + r.stderr;
      const codes = r.lines.filter((l) => / code=| no error/.test(l));
      const secrets = {
        'fake secret key': FAKE.secretAccessKey,
        'fake session token': FAKE.sessionToken,
        'fake access key id': FAKE.accessKeyId,
        "the server's secret key": s3!.AWS_SECRET_ACCESS_KEY!,
      };
      const leaks = Object.entries(secrets)
        .filter(([, s]) => all.includes(s))
        .map(([what]) => what);
      figure(
        'security/secrets',
        `${codes.length} failing uses of credentials (${codes.join('; ')}); ${all.length} bytes of errors, stacks and logs searched; leaks: ${leaks.length === 0 ? 'none' : leaks.join(', ')}`,
      );
      expect(r.lines).to.include('done');
      expect(codes.length).to.equal(8);
      expect(
        codes.every((l) => / code=[A-Z_]+$/.test(l)),
        'every failure has a SkyshelveError code',
      ).to.equal(true);
      expect(leaks).to.deep.equal([]);
    });
  });

  for (const umask of ['022', '000']) {
    it(`creates lock files and sockets that other users cannot write (umask ${umask})`, async () => {
      const dir = tmpDir('sky-modes-');
      const r = await runFixture('modes', [dir, umask], 120000);
      expect(r.code, r.stderr).to.equal(0);
      const entries = JSON.parse(r.lines.at(-1)!) as Array<{ path: string; mode: string; type: string }>;
      const modeOf = new Map(entries.map((e) => [e.path, parseInt(e.mode, 8)]));
      // Another user can write an entry when its mode lets group or others write AND every
      // directory above it (inside the test directory) lets that class through.
      const writable = (e: { path: string }): boolean =>
        [0o020, 0o002].some((w) => {
          if ((modeOf.get(e.path)! & w) === 0) return false;
          const parts = e.path.split(path.sep);
          return parts.slice(0, -1).every((_, i) => (modeOf.get(parts.slice(0, i + 1).join(path.sep))! & (w >> 1)) !== 0);
        });
      const locks = entries.filter((e) => /lock/i.test(e.path) || e.type === 'socket');
      const sockets = entries.filter((e) => e.type === 'socket');
      const openToOthers = entries.filter(writable);
      figure(
        `security/modes-umask-${umask}`,
        `${locks.length} lock entries (${locks.map((e) => `${e.path} ${e.mode}`).join(', ')}), ${sockets.length} sockets; writable by other users: ${openToOthers.length === 0 ? 'none' : summarize(openToOthers)}`,
      );
      expect(locks.length, 'no lock files found: the test proved nothing').to.be.at.least(2);
      expect(locks.filter(writable).map((e) => `${e.path} ${e.mode}`)).to.deep.equal([]);
      if (umask === '022') expect(openToOthers.map((e) => `${e.path} ${e.mode}`)).to.deep.equal([]);
    });
  }

  it('uses paths as given, never as shell input', async () => {
    const base = tmpDir('sky-paths-');
    const name = 'we$(touch pwned1)ird; touch pwned2 && echo `touch pwned3` | \'q\' "d" * ~ $HOME';
    const dir = path.join(base, name);
    const places = [base, process.cwd(), os.tmpdir(), os.homedir()];
    const before = places.map((p) => fs.readdirSync(p).filter((f) => /^pwned/.test(f)));
    // Badger, SlateDB and a model (its own Badger directory and socket) inside the odd directory.
    let store = await SkyShelve.open(path.join(dir, 'badger'));
    await store.set('k', 'badger');
    await store.close();
    store = await SkyShelve.open(path.join(dir, 'badger'));
    expect(await store.get('k')).to.equal('badger');
    await store.close();
    const slate = await SkyShelve.open('slatedb://' + path.join(dir, 'slate'));
    await slate.set('k', 'slate');
    await slate.close();
    const Counter = bindCounter({ path: path.join(dir, 'mp $(touch pwned4)') });
    await Counter.update('c', {
      defaultFactory: () => new Counter({ name: 'c' }),
      mutator: (c) => {
        c.value++;
      },
    });
    expect((await Counter.load('c')).value).to.equal(1);
    await closeModelStores();
    // The Go library itself, loaded from a path with the same characters (in a child: one Go runtime per process).
    fs.copyFileSync(path.join(root, 'native/build/libskyshelve.so'), path.join(dir, 'lib $(touch pwned5).so'));
    const child = await runFixture('lib-path', [path.join(dir, 'lib-store')], 60000, { SKYSHELVE_LIB: path.join(dir, 'lib $(touch pwned5).so') });
    expect(child.code, child.stderr).to.equal(0);
    expect(child.lines).to.include('ok literal');
    expect(fs.readdirSync(base)).to.deep.equal([name]);
    expect(fs.readdirSync(dir).sort()).to.include.members(['badger', 'slate', 'mp $(touch pwned4)', 'lib-store']);
    const after = places.map((p) => fs.readdirSync(p).filter((f) => /^pwned/.test(f)));
    expect(after).to.deep.equal(before);
    figure(
      'security/paths',
      `a directory named ${JSON.stringify(name)} works literally for Badger, SlateDB, a model's directory and SKYSHELVE_LIB; no command ran`,
    );
  });
});
