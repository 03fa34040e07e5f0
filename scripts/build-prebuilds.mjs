#!/usr/bin/env node
// Cross-compiles the Go library (whatever native/ holds now) into prebuilds/<platform>-<arch>/ for
// every target of scripts/prebuilds/targets.mjs: a stripped c-shared library and libskyshelve.h.
// Installs the pinned toolchains first (scripts/prebuilds/toolchains.mjs).
//   node scripts/build-prebuilds.mjs                 every target (npm run build:prebuilds; prepack)
//   node scripts/build-prebuilds.mjs --host          only this machine's platform
//   node scripts/build-prebuilds.mjs --only a,b      only the named folders (linux-arm64,win32-x64)
//   --force                                          rebuild even when up to date
// All progress goes to stderr, so `npm pack --json` keeps a clean stdout.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeMacosStubs } from './prebuilds/macos-stubs.mjs';
import { ensureToolchains } from './prebuilds/toolchains.mjs';
import { HEADER, TARGETS, hostTarget, root, toolsDir } from './prebuilds/targets.mjs';

const nativeDir = path.join(root, 'native');

/** The newest modification time of the build's inputs: Go sources, go.mod/go.sum and these scripts. */
function newestInput(dir = nativeDir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'build' && entry.name !== 'testdata') newest = Math.max(newest, newestInput(full));
    } else if (/\.(go|c|h|s)$/.test(entry.name) || entry.name === 'go.mod' || entry.name === 'go.sum') {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  if (dir !== nativeDir) return newest;
  for (const script of ['build-prebuilds.mjs', 'prebuilds/targets.mjs', 'prebuilds/macos-stubs.mjs']) {
    newest = Math.max(newest, fs.statSync(path.join(root, 'scripts', script)).mtimeMs);
  }
  return newest;
}

/** A word list as one CC / CGO_LDFLAGS string for Go, quoting words with spaces. */
function quoteWords(words) {
  return words.map((w) => (/[\s'"]/.test(w) ? `'${w}'` : w)).join(' ');
}

/** Builds one target into prebuilds/<folder>/ (via a temporary folder, so a failure leaves nothing half-written). */
function build(target) {
  const dest = path.join(root, 'prebuilds', target.folder);
  const tmp = path.join(root, 'prebuilds', `.${target.folder}.tmp`);
  const env = {
    ...process.env,
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-mod=readonly',
    CGO_ENABLED: '1',
    GOOS: target.goos,
    GOARCH: target.goarch,
    CC: quoteWords(target.cc),
  };
  delete env.CGO_LDFLAGS;
  if (target.goos === 'darwin') env.CGO_LDFLAGS = quoteWords(writeMacosStubs(path.join(toolsDir, `macos-stubs-${target.goarch}`), nativeDir, env));
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  // -s -w: no symbol table or DWARF (Go passes -s to the external linker too); -trimpath: no build paths.
  const args = ['build', '-buildmode=c-shared', '-trimpath', '-ldflags=-s -w', '-o', path.join(tmp, target.file), '.'];
  const started = Date.now();
  const result = spawnSync('go', args, { cwd: nativeDir, env, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(
      `${target.folder}: \`CC="${env.CC}" GOOS=${target.goos} GOARCH=${target.goarch} go ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`,
    );
  }
  const header = path.join(tmp, target.file.replace(/\.(so|dylib|dll)$/, '.h'));
  if (header !== path.join(tmp, HEADER)) fs.renameSync(header, path.join(tmp, HEADER));
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(tmp, dest);
  const size = fs.statSync(path.join(dest, target.file)).size;
  console.error(
    `build-prebuilds: prebuilds/${target.folder}/${target.file} ${(size / 1048576).toFixed(1)} MiB in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

/** The targets named by the command line. */
export function selectTargets(argv) {
  if (argv.includes('--host')) {
    const host = hostTarget();
    if (!host) throw new Error(`no prebuilt target for this machine (${process.platform}-${process.arch})`);
    return [host];
  }
  const only = argv.indexOf('--only');
  if (only < 0) return TARGETS;
  const names = (argv[only + 1] ?? '').split(',');
  const unknown = names.filter((n) => !TARGETS.some((t) => t.folder === n));
  if (unknown.length) throw new Error(`unknown target ${unknown.join(', ')}; known: ${TARGETS.map((t) => t.folder).join(', ')}`);
  return TARGETS.filter((t) => names.includes(t.folder));
}

/** Builds the targets that are missing or older than their inputs (all of them with `force`). */
export function buildPrebuilds(targets, { force = false } = {}) {
  const newest = newestInput();
  const stale = targets.filter((t) => {
    const lib = path.join(root, 'prebuilds', t.folder, t.file);
    return force || !fs.existsSync(lib) || !fs.existsSync(path.join(root, 'prebuilds', t.folder, HEADER)) || fs.statSync(lib).mtimeMs <= newest;
  });
  for (const t of targets) if (!stale.includes(t)) console.error(`build-prebuilds: prebuilds/${t.folder} is up to date`);
  if (stale.length === 0) return;
  ensureToolchains(stale);
  for (const target of stale) build(target);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    buildPrebuilds(selectTargets(process.argv.slice(2)), { force: process.argv.includes('--force') });
    console.error('build-prebuilds: done.');
  } catch (err) {
    console.error(`build-prebuilds: ${err.message}`);
    process.exit(1);
  }
}
