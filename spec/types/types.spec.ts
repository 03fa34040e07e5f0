import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

// dist/spec/types -> the repository root.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tscBin = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs `tsc -p <project>`; returns the exit status and everything it printed. */
function tsc(project: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [tscBin, '-p', project, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('public types, as a strict consumer project sees them', () => {
  after(cleanupTmp);

  it('resolves skyshelve through package.json "exports" to the built declarations', () => {
    expect(fs.existsSync(path.join(root, 'dist', 'src', 'index.d.ts')), 'dist/src/index.d.ts (run tsc first)').to.equal(true);
    const exportsField = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).exports['.'];
    expect(exportsField.types).to.equal('./dist/src/index.d.ts');
  });

  it('infers model, store and mutator types, and rejects every misuse in the fixture', function () {
    this.timeout(120_000);
    const { status, output } = tsc('spec/types/tsconfig.json');
    expect(output.trim(), 'tsc errors (an unused @ts-expect-error is TS2578)').to.equal('');
    expect(status).to.equal(0);
  });

  it('fails when an expected type error does not happen (the check can fail)', () => {
    const dir = tmpDir('sky-types-');
    fs.writeFileSync(path.join(dir, 'fixture.ts'), '// @ts-expect-error: nothing is wrong here\nexport const n: number = 1;\n');
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, files: ['fixture.ts'] }));
    const { status, output } = tsc(dir);
    expect(status).to.not.equal(0);
    expect(output).to.contain('TS2578');
  });
});
