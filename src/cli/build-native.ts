/** `skyshelve build-native`: builds the Go library by running the package's scripts/build-native.mjs. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { SkyshelveError } from '../errors.js';
import { examples } from './help.js';

/** The package root: this file is dist/src/cli/build-native.js. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Adds the `build-native` command. */
export function registerBuildNative(program: Command): void {
  program
    .command('build-native')
    .summary('build the Go library (native/build/libskyshelve.so)')
    .description('Build native/build/libskyshelve.so with Go (needs Go 1.24+); skipped when it is up to date unless --force')
    .option('--force', 'rebuild even when the library is up to date')
    .addHelpText('after', examples(['npx skyshelve build-native', 'npx skyshelve build-native --force']))
    .action((opts: { force?: boolean }) => {
      const script = path.join(ROOT, 'scripts', 'build-native.mjs');
      if (!fs.existsSync(script)) throw new SkyshelveError('NOT_FOUND', `the build script is missing: ${script}`);
      const result = spawnSync(process.execPath, [script, ...(opts.force ? ['--force'] : [])], { stdio: 'inherit', cwd: ROOT });
      if (result.error) throw new SkyshelveError('IO', `cannot run ${script}`, { cause: result.error });
      if (result.status !== 0)
        throw new SkyshelveError('NATIVE_LOAD', `the native build failed (exit ${result.status ?? result.signal}); see its output above`);
    });
}
