#!/usr/bin/env node
// npm's `prepack` step: cross-compiles the Go library from source for every platform into
// prebuilds/<platform>-<arch>/ with its C header (scripts/build-prebuilds.mjs; it needs x86-64 Debian
// or Ubuntu and installs its pinned toolchains), then compiles the TypeScript. The tarball then works with
// `npm install --ignore-scripts` (npm 11's default), because nothing has to be built on install.
// Last, it writes the package.json that ships: without `scripts`, since `prepare` (which builds the
// library in a clone) would be an install script of the package; scripts/postpack.mjs restores it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEADER, TARGETS } from './prebuilds/targets.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a command in the package root with inherited output; exits the script when it fails. */
function run(what, cmd, args) {
  console.error(`prepack: ${what}`);
  // Everything goes to stderr, so `npm pack --json` keeps a clean stdout.
  const result = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    console.error(`prepack: ${what} failed (exit ${result.status ?? result.signal}); nothing was packed.`);
    process.exit(1);
  }
}

/** Deletes compiled files in dist/src whose TypeScript source is gone, so the tarball ships none. */
function removeStale(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      removeStale(full);
      continue;
    }
    const base = entry.name.replace(/(\.d\.ts|\.js\.map|\.js)$/, '');
    if (base === entry.name) continue;
    const source = path.join(root, path.relative(path.join(root, 'dist'), dir), `${base}.ts`);
    if (!fs.existsSync(source)) {
      fs.rmSync(full);
      console.error(`prepack: removed stale ${path.relative(root, full)}`);
    }
  }
}

/** Every platform's prebuilt, cross-compiled from whatever native/ holds now (docs/INSTALL.md). */
function buildNative() {
  run('building the Go library for every platform (scripts/build-prebuilds.mjs)', process.execPath, [path.join(root, 'scripts', 'build-prebuilds.mjs')]);
  const folders = new Set(TARGETS.map((t) => t.folder));
  for (const entry of fs.readdirSync(path.join(root, 'prebuilds'))) {
    // A folder no target builds any more (or a failed build's temporary folder) must not ship.
    if (!folders.has(entry)) {
      fs.rmSync(path.join(root, 'prebuilds', entry), { recursive: true, force: true });
      console.error(`prepack: removed stale prebuilds/${entry}`);
    }
  }
  for (const t of TARGETS) {
    const size = fs.statSync(path.join(root, 'prebuilds', t.folder, t.file)).size;
    console.error(`prepack: prebuilds/${t.folder}/${t.file} (${(size / 1048576).toFixed(1)} MiB) and ${HEADER}`);
  }
}

function buildTypeScript() {
  removeStale(path.join(root, 'dist', 'src'));
  // Only src/ ships, so a type error in a spec or bench does not stop packing (npm test catches those).
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  run('compiling src/ (tsc -p scripts/tsconfig.pack.json)', process.execPath, [tsc, '-p', path.join('scripts', 'tsconfig.pack.json')]);
  for (const file of ['index.js', 'index.d.ts']) {
    if (!fs.existsSync(path.join(root, 'dist', 'src', file))) {
      console.error(`prepack: dist/src/${file} was not produced.`);
      process.exit(1);
    }
  }
}

/** Where the repository's own package.json waits while the stripped one is packed. */
const manifest = path.join(root, 'package.json');
const saved = path.join(root, 'package.json.prepack');

/** Replaces package.json with the shipped one: no scripts, so nothing can run on install. */
function stripScripts() {
  // A pack that failed after prepack never ran postpack: put the real manifest back first.
  if (fs.existsSync(saved)) fs.renameSync(saved, manifest);
  const text = fs.readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  const names = Object.keys(pkg.scripts ?? {});
  fs.writeFileSync(saved, text);
  delete pkg.scripts;
  fs.writeFileSync(manifest, JSON.stringify(pkg, null, 2) + '\n');
  console.error(`prepack: the packed package.json has no scripts (dropped ${names.join(', ')}); postpack restores them`);
}

buildNative();
buildTypeScript();
stripScripts();
console.error('prepack: done.');
