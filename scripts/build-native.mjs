#!/usr/bin/env node
// Builds native/build/libskyshelve.so (libskyshelve.dylib on macOS, skyshelve.dll on Windows; the
// names src/backend/native.ts looks for) and its header with `go build -buildmode=c-shared`, for this
// machine only. scripts/build-prebuilds.mjs cross-compiles every platform.
// Skips the build when the library is newer than every Go source, go.mod and go.sum, unless --force.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = path.join(root, 'native');
const libName = { darwin: 'libskyshelve.dylib', win32: 'skyshelve.dll' }[process.platform] ?? 'libskyshelve.so';
const out = path.join(nativeDir, 'build', libName);
const force = process.argv.includes('--force');

/** The newest modification time of the inputs of the Go build. */
function newestInput(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'build' && entry.name !== 'testdata') newest = Math.max(newest, newestInput(full));
    } else if (/\.(go|c|h)$/.test(entry.name) || entry.name === 'go.mod' || entry.name === 'go.sum') {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

function upToDate() {
  if (!fs.existsSync(out)) return false;
  return fs.statSync(out).mtimeMs > newestInput(nativeDir);
}

if (!fs.existsSync(path.join(nativeDir, 'go.mod'))) {
  console.log('build-native: no native/ sources here (installed package?); skipping.');
  process.exit(0);
}
if (!force && upToDate()) {
  console.log(`build-native: native/build/${libName} is up to date.`);
  process.exit(0);
}

// Built-in toolchain only (no download), modules checked against go.sum.
const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '1', GOFLAGS: '-mod=readonly' };
const version = spawnSync('go', ['version'], { env, encoding: 'utf8' });
if (version.error || version.status !== 0) {
  console.error(
    'build-native: the Go toolchain was not found (`go version` failed).\n' +
      `The Badger backend needs Go >= 1.24 to build native/build/${libName}: install it from https://go.dev/dl\n` +
      'and run `npm run build:native`, or use the SlateDB backend, which needs no native build.',
  );
  process.exit(1);
}
console.log(`build-native: ${version.stdout.trim()}; building ${path.relative(root, out)} ...`);
const args = ['build', '-buildmode=c-shared', '-trimpath', '-ldflags=-s -w', '-o', out, '.'];
const build = spawnSync('go', args, { cwd: nativeDir, env, stdio: 'inherit' });
if (build.status !== 0) {
  if (process.platform === 'win32') console.error('build-native: on Windows, cgo needs a MinGW-w64 gcc on PATH (CC).');
  console.error(`build-native: \`go ${args.join(' ')}\` failed (exit ${build.status ?? build.signal}).`);
  process.exit(1);
}
// Go names the header after the library; the loader and the prebuilds use libskyshelve.h everywhere.
const header = out.replace(/\.(so|dylib|dll)$/, '.h');
if (header !== path.join(nativeDir, 'build', 'libskyshelve.h')) fs.renameSync(header, path.join(nativeDir, 'build', 'libskyshelve.h'));
console.log('build-native: done.');
