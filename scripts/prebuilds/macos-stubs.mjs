// Link stubs that stand in for the macOS SDK when cgo links a darwin dylib with `zig cc`.
//
// Zig ships macOS's libc headers and a libSystem stub, but no other system library. Go's standard
// library asks the linker for three more on darwin: `-lresolv` (net's DNS), and `-framework
// CoreFoundation` / `-framework Security` (crypto/x509's root store). Without them the link fails:
//   error: unable to find dynamic system library 'resolv' using strategy 'paths_first'
// Go reaches those libraries only through `//go:cgo_import_dynamic <local> <symbol> "<dylib path>"`
// lines, so those lines name every symbol and the exact install path. From the Go files that this
// build compiles (`go list -deps`), we write text-based stubs (.tbd, the format Apple's SDK uses),
// so the dylib records the real system paths and binds each symbol to its real library.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const IMPORT = /^\/\/go:cgo_import_dynamic\s+\S+\s+(\S+)\s+"([^"]+)"/gm;

/** Every darwin dynamic import of the packages the build compiles: install path -> symbols. */
function dynamicImports(nativeDir, env) {
  const list = spawnSync('go', ['list', '-deps', '-f', '{{.Dir}}{{range .GoFiles}}|{{.}}{{end}}', '.'], { cwd: nativeDir, env, encoding: 'utf8' });
  if (list.status !== 0) throw new Error(`go list -deps failed: ${list.stderr}`);
  const imports = new Map();
  for (const line of list.stdout.trim().split('\n')) {
    const [dir, ...files] = line.split('|');
    for (const file of files) {
      for (const [, symbol, lib] of fs.readFileSync(path.join(dir, file), 'utf8').matchAll(IMPORT)) {
        if (!imports.has(lib)) imports.set(lib, new Set());
        imports.get(lib).add(symbol);
      }
    }
  }
  return imports;
}

function tbd(installName, symbols) {
  const list = [...symbols].sort().map((s) => `'_${s}'`).join(', ');
  return [
    '--- !tapi-tbd',
    'tbd-version:     4',
    'targets:         [ x86_64-macos, arm64-macos ]',
    `install-name:    '${installName}'`,
    'current-version: 1',
    'exports:',
    '  - targets:         [ x86_64-macos, arm64-macos ]',
    `    symbols:         [ ${list} ]`,
    '...',
    '',
  ].join('\n');
}

/**
 * Writes the stubs for a darwin build into `dir` (emptied first) and returns the linker flags (a word
 * list for CGO_LDFLAGS) that point the linker at them. libSystem is left to Zig's own stub.
 */
export function writeMacosStubs(dir, nativeDir, env) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [lib, symbols] of dynamicImports(nativeDir, env)) {
    const framework = /^\/System\/Library\/Frameworks\/(\w+)\.framework\//.exec(lib);
    const dylib = /^\/usr\/lib\/lib(\w+?)(\.[\d.]+)?\.dylib$/.exec(lib);
    if (framework) {
      const fwDir = path.join(dir, `${framework[1]}.framework`);
      fs.mkdirSync(fwDir, { recursive: true });
      fs.writeFileSync(path.join(fwDir, `${framework[1]}.tbd`), tbd(lib, symbols));
    } else if (dylib && dylib[1] !== 'System') {
      fs.writeFileSync(path.join(dir, `lib${dylib[1]}.tbd`), tbd(lib, symbols));
    }
  }
  return [`-L${dir}`, `-F${dir}`];
}
