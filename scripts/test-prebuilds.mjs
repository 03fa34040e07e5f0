#!/usr/bin/env node
// npm run test:prebuilds: installs the pinned toolchains, builds every prebuilt that is missing or
// stale (scripts/build-prebuilds.mjs), then verifies each one the best way this x86-64 Linux machine can:
//   linux-x64    C smoke program (scripts/prebuilds/smoke.c) run natively;
//   linux-arm64  the same program cross-compiled, run under qemu-user with Debian's arm64 libc;
//   win32-x64    the same program built with mingw, run under Wine (wine64);
//   darwin-*     inspected, not executed: Mach-O, CPU, exports, linked libraries, code signature.
// The exports required are the sky_* functions declared in docs/ABI.md at the time of the run.
// Prints "ok - ..." / "not ok - ..." per check and ends with "N passed, N failed".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildPrebuilds } from './build-prebuilds.mjs';
import { ensureToolchains } from './prebuilds/toolchains.mjs';
import { HEADER, TARGETS, abiSymbols, root, toolsDir } from './prebuilds/targets.mjs';

const here = path.join(root, 'scripts', 'prebuilds');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-prebuilds-'));
let passed = 0;
let failed = 0;

function report(ok, what, detail = '') {
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}${!ok && detail ? `\n${detail.trim().replace(/^/gm, '#   ')}` : ''}`);
  if (ok) passed++;
  else failed++;
}

/** Runs a command that prints "ok - " / "not ok - " lines; counts them under `label`. */
function runChecks(label, cmd, args, options = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10 * 60_000, ...options });
  const lines = `${r.stdout ?? ''}`.split(/\r?\n/); // Wine writes CRLF
  let seen = 0;
  let notOk = 0;
  for (const line of lines) {
    const m = /^(ok|not ok) - (.*)$/.exec(line);
    if (m) {
      seen++;
      if (m[1] !== 'ok') notOk++;
      report(m[1] === 'ok', `${label}: ${m[2]}`);
    } else if (line.startsWith('#')) console.log(`# ${label}: ${line.slice(1).trim()}`);
  }
  // A crash after some "ok" lines (or a non-zero exit with none failed) is a failure of its own.
  if (r.status !== 0 && notOk === 0)
    report(false, `${label}: \`${cmd}\` exited with ${r.status ?? r.signal ?? r.error?.message}`, `${r.stderr ?? ''}`.slice(-3000));
  else if (seen === 0) report(false, `${label}: printed no checks`, r.stderr);
  console.log(`# ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Compiles smoke.c with a C compiler; reports failure and returns undefined if it does not compile. */
function compileSmoke(label, cc, output, extra = []) {
  const r = spawnSync(cc, ['-O1', '-o', output, path.join(here, 'smoke.c'), ...extra], { encoding: 'utf8' });
  report(r.status === 0, `${label}: the C smoke program compiles (${cc})`, r.stderr);
  return r.status === 0 ? output : undefined;
}

/** A Wine prefix with the bcryptprimitives.dll stand-in (scripts/prebuilds/wine-bcryptprimitives.c). */
function winePrefix() {
  const prefix = path.join(toolsDir, 'wineprefix');
  const system32 = path.join(prefix, 'drive_c', 'windows', 'system32');
  const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  if (!fs.existsSync(system32)) {
    const started = Date.now();
    spawnSync('/usr/lib/wine/wine64', ['wineboot', '--init'], { env, stdio: 'ignore', timeout: 5 * 60_000 });
    console.log(`# win32-x64: new Wine prefix (wineboot) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const shim = spawnSync(
    'x86_64-w64-mingw32-gcc',
    ['-shared', '-O1', '-o', path.join(system32, 'bcryptprimitives.dll'), path.join(here, 'wine-bcryptprimitives.c'), '-lbcrypt'],
    { encoding: 'utf8' },
  );
  report(shim.status === 0, 'win32-x64: the Wine prefix has the bcryptprimitives.dll stand-in', shim.stderr);
  return env;
}

/** Whether the build of `target` compiles native/stackbound.go, as the table in targets.mjs says it should. */
function checkStackBound(target) {
  const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '1', GOOS: target.goos, GOARCH: target.goarch };
  const r = spawnSync('go', ['list', '-f', '{{join .CgoFiles " "}}', '.'], { cwd: path.join(root, 'native'), env, encoding: 'utf8' });
  const linked = r.stdout.split(/\s+/).includes('stackbound.go');
  report(
    r.status === 0 && linked === target.stackBound,
    `${target.folder}: the stack-bound wrap (native/stackbound.go) is ${target.stackBound ? '' : 'not '}built`,
    r.stderr || `CgoFiles: ${r.stdout}`,
  );
}

function verify(target, symbols) {
  const dir = path.join(root, 'prebuilds', target.folder);
  const lib = path.join(dir, target.file);
  const label = target.folder;
  const complete = fs.existsSync(lib) && fs.existsSync(path.join(dir, HEADER));
  report(complete, `${label}: prebuilds/${label}/ holds ${target.file} and ${HEADER}`);
  if (!complete) return;
  console.log(`# ${label}: ${target.file} ${(fs.statSync(lib).size / 1048576).toFixed(2)} MiB`);
  checkStackBound(target);
  const header = fs.readFileSync(path.join(dir, HEADER), 'utf8');
  const undeclared = symbols.filter((s) => !new RegExp(`\\b${s}\\s*\\(`).test(header));
  report(undeclared.length === 0, `${label}: ${HEADER} declares all ${symbols.length} sky_* functions of docs/ABI.md`, `missing: ${undeclared.join(', ')}`);
  inspectAndRun(target, lib, symbols);
}

/** Inspects the library with check-binary.go, then runs the C smoke program on it where this machine can. */
function inspectAndRun(target, lib, symbols) {
  const label = target.folder;
  const arch = target.goarch;
  const goEnv = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' };
  const inspect = (format, extra = []) =>
    runChecks(`${label} (inspected)`, 'go', ['run', path.join(here, 'check-binary.go'), format, lib, arch, ...extra], { env: goEnv, cwd: work });
  const store = path.join(work, `store-${label}`);
  if (target.goos === 'darwin') {
    inspect('macho', symbols);
  } else if (label === 'linux-x64') {
    inspect('elf');
    const exe = compileSmoke(label, 'gcc', path.join(work, 'smoke-x64'), ['-ldl']);
    if (exe) runChecks(`${label} (run)`, exe, [lib, store, ...symbols]);
  } else if (label === 'linux-arm64') {
    inspect('elf');
    const exe = compileSmoke(label, 'aarch64-linux-gnu-gcc', path.join(work, 'smoke-arm64'), ['-ldl']);
    if (exe) runChecks(`${label} (run under qemu-aarch64)`, 'qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', exe, lib, store, ...symbols]);
  } else if (label === 'win32-x64') {
    inspect('pe');
    const exe = compileSmoke(label, 'x86_64-w64-mingw32-gcc', path.join(work, 'smoke.exe'));
    const env = winePrefix();
    // Wine maps the Unix root to drive Z:; the store path goes into JSON, so forward slashes.
    if (exe) runChecks(`${label} (run under wine64)`, '/usr/lib/wine/wine64', [exe, `Z:${lib.replaceAll('/', '\\')}`, `Z:${store}`, ...symbols], { env });
  } else {
    report(false, `${label}: no verification is defined for this target`);
  }
}

function main() {
  const started = Date.now();
  try {
    ensureToolchains(TARGETS, { verify: true });
    report(true, 'toolchains installed (scripts/prebuilds/toolchains.mjs)');
  } catch (err) {
    report(false, 'toolchains installed (scripts/prebuilds/toolchains.mjs)', err.message);
  }
  console.log(`# toolchains: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const buildStarted = Date.now();
  try {
    buildPrebuilds(TARGETS);
    report(true, `every target built (${TARGETS.map((t) => t.folder).join(', ')})`);
  } catch (err) {
    report(false, 'every target built', err.message);
  }
  console.log(`# build: ${((Date.now() - buildStarted) / 1000).toFixed(0)} s`);
  const symbols = abiSymbols(fs.readFileSync(path.join(root, 'docs', 'ABI.md'), 'utf8'));
  report(symbols.length > 0, `docs/ABI.md declares ${symbols.length} sky_* functions`);
  for (const target of TARGETS) verify(target, symbols);
  fs.rmSync(work, { recursive: true, force: true });
  console.log(`# total: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main();
