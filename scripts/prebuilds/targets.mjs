// The prebuilt targets and the pinned toolchains that build and verify them (docs/INSTALL.md).
// Used by scripts/build-prebuilds.mjs, scripts/test-prebuilds.mjs and scripts/consumer-test.sh.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where downloaded toolchains and generated link stubs live (gitignored). */
export const toolsDir = path.join(root, '.tools');
export const HEADER = 'libskyshelve.h';

/** The library's file name on each platform; src/backend/native.ts must agree (spec/package/prebuilds.spec.ts). */
export function libraryFile(platform) {
  if (platform === 'darwin') return 'libskyshelve.dylib';
  if (platform === 'win32') return 'skyshelve.dll';
  return 'libskyshelve.so';
}

/** Zig, from its PyPI wheel, is cgo's C compiler and linker for macOS. The hash pins the x86-64 Linux wheel. */
export const ZIG = {
  version: '0.14.1',
  sha256: '6eb9d4d759b292c83810dbee2e9e8e3fbfbf01d864e6e9811bae711fd74e1c2f',
};
export const zigBin = path.join(toolsDir, `zig-${ZIG.version}`, 'ziglang', 'zig');

/** Debian 12 packages with pinned versions (apt version globs): cross C compilers for cgo. */
export const APT_BUILD = {
  'gcc-aarch64-linux-gnu': '4:12.2.0-3*',
  'gcc-mingw-w64-x86-64': '12.2.0-14*',
};
/** Debian 12 packages that run what the build machine cannot: arm64 under qemu-user, Windows under Wine. */
export const APT_VERIFY = {
  'qemu-user': '1:7.2*',
  'libc6-dev-arm64-cross': '2.36-*',
  wine64: '8.0~repack-*',
};

/**
 * One entry per prebuilds/<folder>/. `cc` is cgo's C compiler; `stackBound` says whether
 * native/stackbound.go (built only for GOOS=linux) is linked in: it wraps glibc's ELF
 * x_cgo_getstackbound, which is slow only there (darwin and Windows answer from the thread itself).
 */
export const TARGETS = [
  { folder: 'linux-x64', goos: 'linux', goarch: 'amd64', cc: ['gcc'], stackBound: true },
  { folder: 'linux-arm64', goos: 'linux', goarch: 'arm64', cc: ['aarch64-linux-gnu-gcc'], stackBound: true },
  { folder: 'darwin-arm64', goos: 'darwin', goarch: 'arm64', cc: [zigBin, 'cc', '-target', 'aarch64-macos.12.0'], stackBound: false },
  { folder: 'darwin-x64', goos: 'darwin', goarch: 'amd64', cc: [zigBin, 'cc', '-target', 'x86_64-macos.12.0'], stackBound: false },
  { folder: 'win32-x64', goos: 'windows', goarch: 'amd64', cc: ['x86_64-w64-mingw32-gcc'], stackBound: false },
].map((t) => ({ ...t, platform: t.folder.split('-')[0], file: libraryFile(t.folder.split('-')[0]) }));

/** The target this machine runs natively, if any. */
export function hostTarget() {
  return TARGETS.find((t) => t.folder === `${process.platform}-${process.arch}`);
}

/**
 * Every `sky_*` function declared in docs/ABI.md's C blocks: the list the checks require each
 * prebuilt to export, read at check time so new exports are covered without editing this script.
 */
export function abiSymbols(abiText) {
  const names = new Set();
  for (const block of abiText.matchAll(/```c\n([\s\S]*?)```/g)) {
    for (const m of block[1].matchAll(/\b(sky_[a-z0-9_]+)\s*\(/g)) names.add(m[1]);
  }
  return [...names].sort();
}
