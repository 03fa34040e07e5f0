import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupTmp } from '../support/tmp.js';
import { badgerLocation, cli } from './helpers.js';

const COMMANDS = ['get', 'set', 'del', 'scan', 'stats', 'export', 'import', 'copy', 'verify', 'reindex', 'build-native'];

describe('skyshelve usage, help and errors', function () {
  after(cleanupTmp);

  it('prints help with examples for the program and every command, exit 0', async () => {
    const top = await cli(['--help']);
    expect(top.code).to.equal(0);
    for (const c of COMMANDS) expect(top.stdout).to.contain(c);
    for (const c of COMMANDS) {
      const r = await cli([c, '--help']);
      expect(r.code, c).to.equal(0);
      expect(r.stdout, c).to.contain('Examples:').and.contain(`$ `);
    }
    const version = await cli(['--version']);
    expect(version.code).to.equal(0);
    expect(version.stdout).to.match(/^\d+\.\d+\.\d+/);
  });

  const usageErrors: Array<[string, string[]]> = [
    ['no command', []],
    ['an unknown command', ['frobnicate', 'x']],
    ['an unknown option', ['scan', 'db', '--frob']],
    ['a missing store', ['get']],
    ['a missing key', ['get', 'db']],
    ['a key given twice', ['get', 'db', 'k', '--key-json', '"k"']],
    ['a bad --key-json', ['get', 'db', '--key-json', '{not json']],
    ['a nested tuple key', ['get', 'db', '--key-json', '[["a"]]']],
    ['a bad --limit', ['scan', 'db', '--limit', '-3']],
    ['a bad --bytes', ['scan', 'db', '--bytes', 'octal']],
    ['set with one argument', ['set', 'db', 'k']],
    ['set with a value that is not JSON', ['set', 'db', 'k', 'hello']],
    ['set with an unknown --as', ['set', 'db', 'k', '1', '--as', 'xml']],
    ['reindex without --model-module', ['reindex', 'db']],
    ['copy onto itself', ['copy', 'db', 'db']],
    ['a bad --batch-size', ['copy', 'db', 'db2', '--batch-size', '0']],
  ];
  for (const [what, args] of usageErrors) {
    it(`exits 2 with one line on stderr for ${what}`, async () => {
      const cwd = path.dirname(badgerLocation());
      const r = await cli(args, { cwd });
      expect(r.code, r.stderr).to.equal(2);
      if (args.length > 0) expect(r.stderr.trimEnd().split('\n'), r.stderr).to.have.length(1);
      expect(r.stdout).to.equal('');
    });
  }

  it('gives operational errors exit 1 and one line; --verbose adds the cause', async () => {
    const db = badgerLocation();
    const plain = await cli(['import', db, '/nonexistent/file.jsonl']);
    expect(plain.code).to.equal(1);
    expect(plain.stderr).to.match(/^error: IO: cannot read \/nonexistent\/file\.jsonl: ENOENT\n$/);
    const verbose = await cli(['import', db, '/nonexistent/file.jsonl', '--verbose']);
    expect(verbose.code).to.equal(1);
    expect(verbose.stderr.split('\n').length).to.be.greaterThan(2);
    expect(verbose.stderr).to.contain('caused by:').and.contain('ENOENT');
  });

  it('reads a Badger store that an application process holds: get, scan, export, copy, stats, set, del', async () => {
    const db = badgerLocation();
    const holder = await hold(db);
    try {
      const get = await cli(['get', db, 'held-by']);
      expect(get.stderr).to.equal('');
      expect(get.code).to.equal(0);
      expect(get.stdout.trim()).to.equal(String(holder.pid));
      const scan = await cli(['scan', db]);
      expect(scan.code, scan.stderr).to.equal(0);
      expect(scan.stdout).to.contain('held-by').and.to.contain(String(holder.pid));
      const copy = badgerLocation();
      for (const args of [
        ['export', db, '-'],
        ['copy', db, copy],
        ['stats', db],
        ['set', db, 'from-cli', 'yes', '--as', 'string'],
      ]) {
        const r = await cli(args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
      }
      expect((await cli(['get', db, 'from-cli'])).stdout.trim()).to.equal('yes');
      expect((await cli(['del', db, 'from-cli'])).code).to.equal(0);
      expect((await cli(['get', db, 'from-cli'])).stderr).to.match(/^error: NOT_FOUND/);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('reports LOCKED at once, never hanging, when another process holds a Badger store with exclusive: true', async () => {
    const db = badgerLocation();
    const holder = await hold(db, 'exclusive');
    try {
      for (const args of [
        ['get', db, 'held-by'],
        ['scan', db],
        ['export', db, '-'],
        ['copy', db, badgerLocation()],
      ]) {
        const r = await cli(args);
        expect(r.code, args.join(' ')).to.equal(1);
        expect(r.stderr, args.join(' ')).to.match(/^error: LOCKED: .*\n$/);
      }
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

/** Starts spec/cli/holder.js on `db` and waits until it holds the store. */
function hold(db: string, mode?: 'exclusive'): Promise<ChildProcess> {
  const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'holder.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, mode ? [fixture, db, mode] : [fixture, db], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the holder exited early (${code})`)));
    child.stdout!.once('data', () => resolve(child));
  });
}
