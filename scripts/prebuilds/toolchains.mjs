// Installs the pinned toolchains of targets.mjs on a fresh Debian 12 (x86-64) machine: cross gcc and
// the verification tools with apt-get (as root), Zig from PyPI with pip into .tools/ (no root needed).
// Anything already installed at a matching version is left alone, so a second run costs nothing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { APT_BUILD, APT_VERIFY, TARGETS, ZIG, toolsDir, zigBin } from './targets.mjs';

/** Runs a command with output on stderr; throws with the command line when it fails. */
export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: ['ignore', 2, 2], ...options });
  if (result.status !== 0) {
    throw new Error(`\`${[cmd, ...args].join(' ')}\` failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
  }
}

/** The installed version of a Debian package, or undefined. */
function debVersion(name) {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Status}|${Version}', name], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const [status, version] = r.stdout.split('|');
  return status.endsWith(' installed') ? version : undefined;
}

/** Whether a Debian version matches an apt version glob such as `12.2.0-14*`. */
function matches(version, glob) {
  const re = new RegExp(`^${glob.replace(/[.+^$()|[\]\\{}]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(version);
}

function ensureApt(packages) {
  const missing = Object.entries(packages).filter(([name, glob]) => !matches(debVersion(name) ?? '', glob));
  if (missing.length === 0) return;
  const specs = missing.map(([name, glob]) => `${name}=${glob}`);
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages; install them as root: apt-get update && apt-get install --no-install-recommends ${specs.join(' ')}`);
  }
  const started = Date.now();
  console.error(`toolchains: apt-get install ${specs.join(' ')}`);
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...specs], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  console.error(`toolchains: apt-get took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Zig's PyPI wheel, checked against its pinned SHA-256, unpacked into .tools/zig-<version>/. */
function ensureZig() {
  if (fs.existsSync(zigBin)) return;
  if (`${process.platform}-${process.arch}` !== 'linux-x64') {
    throw new Error(`the pinned Zig wheel hash is for x86-64 Linux; this is ${process.platform}-${process.arch}`);
  }
  const started = Date.now();
  // pip --target skips Debian's externally-managed check (PEP 668), so Debian's own pip will do.
  if (spawnSync('python3', ['-m', 'pip', '--version'], { stdio: 'ignore' }).status !== 0) ensureApt({ 'python3-pip': '23.0.1*' });
  const dest = path.dirname(path.dirname(zigBin));
  const req = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sky-zig-')), 'requirements.txt');
  fs.writeFileSync(req, `ziglang==${ZIG.version} --hash=sha256:${ZIG.sha256}\n`);
  fs.mkdirSync(toolsDir, { recursive: true });
  fs.rmSync(dest, { recursive: true, force: true });
  console.error(`toolchains: pip install ziglang==${ZIG.version} into ${path.relative(process.cwd(), dest)}`);
  run('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:',
    '--require-hashes', '--root-user-action=ignore', '--target', dest, '-r', req]);
  fs.rmSync(path.dirname(req), { recursive: true, force: true });
  if (!fs.existsSync(zigBin)) throw new Error(`the ziglang wheel did not contain ${zigBin}`);
  console.error(`toolchains: zig ${ZIG.version} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Installs what building `targets` needs; with `verify`, also qemu-user and Wine. */
export function ensureToolchains(targets = TARGETS, { verify = false } = {}) {
  const foreign = targets.filter((t) => t.folder !== `${process.platform}-${process.arch}`);
  const apt = {};
  for (const t of foreign) {
    if (t.goos === 'linux' && t.goarch === 'arm64') apt['gcc-aarch64-linux-gnu'] = APT_BUILD['gcc-aarch64-linux-gnu'];
    if (t.goos === 'windows') apt['gcc-mingw-w64-x86-64'] = APT_BUILD['gcc-mingw-w64-x86-64'];
  }
  if (verify) Object.assign(apt, APT_VERIFY);
  ensureApt(apt);
  if (foreign.some((t) => t.goos === 'darwin')) ensureZig();
}
