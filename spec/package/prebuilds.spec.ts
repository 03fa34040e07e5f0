import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { libraryFile } from '../../src/backend/native.js';

// dist/spec/package -> the repository root.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Target {
  folder: string;
  platform: string;
  file: string;
}
interface TargetsModule {
  TARGETS: Target[];
  libraryFile(platform: string): string;
  abiSymbols(text: string): string[];
}

async function targets(): Promise<TargetsModule> {
  return (await import(pathToFileURL(path.join(root, 'scripts', 'prebuilds', 'targets.mjs')).href)) as TargetsModule;
}

describe('prebuilt libraries (scripts/prebuilds/targets.mjs and the loader)', () => {
  it('the loader looks for the file name that build-prebuilds writes, on every platform', async () => {
    const t = await targets();
    expect(t.TARGETS.map((x) => x.folder)).to.deep.equal(['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64']);
    for (const target of t.TARGETS) expect(libraryFile(target.platform), target.folder).to.equal(target.file);
    for (const platform of ['linux', 'darwin', 'win32', 'freebsd']) expect(libraryFile(platform)).to.equal(t.libraryFile(platform));
    expect(libraryFile('darwin')).to.equal('libskyshelve.dylib');
    expect(libraryFile('win32')).to.equal('skyshelve.dll');
    expect(libraryFile('linux')).to.equal('libskyshelve.so');
  });

  it('docs/ABI.md declares exactly the sky_* functions the built library exports (the list the checks require)', async () => {
    const { abiSymbols } = await targets();
    const documented = abiSymbols(fs.readFileSync(path.join(root, 'docs', 'ABI.md'), 'utf8'));
    expect(documented).to.include.members(['sky_open', 'sky_close', 'sky_get', 'sky_write', 'sky_iter_open', 'sky_iter_next']);
    // The header Go writes next to the host build lists every //export of native/.
    const header = fs.readFileSync(path.join(root, 'native', 'build', 'libskyshelve.h'), 'utf8');
    const exported = [...header.matchAll(/^extern\s[^;]*?\b(sky_[a-z0-9_]+)\s*\(/gm)].map((m) => m[1]).sort();
    expect(exported.length).to.be.greaterThan(0);
    expect(documented).to.deep.equal(exported);
  });

  it('abiSymbols reads only C declarations inside ```c blocks', async () => {
    const { abiSymbols } = await targets();
    const text = 'prose mentions sky_prose(x)\n```c\nint32_t sky_b(int32_t x);\nint32_t sky_a(void);  // sky_a\n```\n```js\nsky_js()\n```\n';
    expect(abiSymbols(text)).to.deep.equal(['sky_a', 'sky_b']);
  });
});
