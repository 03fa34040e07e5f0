/**
 * The `skyshelve` command: parses the command line with commander, runs one command, and maps
 * failures to exit codes (0 success, 1 operational error, 2 usage error) with one line on stderr.
 */
import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { SkyshelveError } from '../errors.js';
import { UsageError } from './common.js';
import { registerGet } from './get.js';
import { registerSet } from './set.js';
import { registerDel } from './del.js';
import { registerScan } from './scan.js';
import { registerStats } from './stats.js';
import { registerExport } from './export.js';
import { registerImport } from './import.js';
import { registerCopy } from './copy.js';
import { registerVerify } from './verify.js';
import { registerReindex } from './reindex.js';
import { registerBuildNative } from './build-native.js';

/** Builds the program with every command; exported for tests that inspect the help. */
export function buildProgram(): Command {
  const program = new Command('skyshelve')
    .description(
      'Inspect, export, import, copy, verify and reindex skyshelve stores.\nA <store> is a Badger directory path or a slatedb: URI (slatedb://dir, slatedb:{json}).',
    )
    .version(packageVersion(), '-V, --version', 'print the skyshelve version')
    .option('--verbose', 'on errors, also print the cause and stack')
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nExamples:\n  $ skyshelve stats ./data\n  $ skyshelve scan ./data --prefix user: --limit 10\n  $ skyshelve copy ./data slatedb://./backup\n\nRun `skyshelve <command> --help` for the options and examples of each command.',
    );
  program.configureOutput({ outputError: (text, write) => write(text.trimEnd() + '\n') });
  for (const register of [
    registerGet,
    registerSet,
    registerDel,
    registerScan,
    registerStats,
    registerExport,
    registerImport,
    registerCopy,
    registerVerify,
    registerReindex,
    registerBuildNative,
  ]) {
    register(program);
  }
  return program;
}

/** The version in the package's package.json (this file is dist/src/cli/main.js). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI with `argv` (as process.argv) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return report(err, argv.includes('--verbose'));
  }
}

/** Prints one line for `err` (and the cause chain with --verbose) and picks the exit code. */
function report(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (or the help); help and --version exit 0.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`error: ${oneLine(err.message)} (see --help)\n`);
    return 2;
  }
  const code = err instanceof SkyshelveError ? `${err.code}: ` : '';
  process.stderr.write(`error: ${code}${oneLine(err instanceof Error ? err.message : String(err))}\n`);
  if (verbose) {
    for (let e: unknown = err; e !== undefined; e = e instanceof Error ? e.cause : undefined) {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      if (e instanceof Error && e.cause !== undefined) process.stderr.write('caused by:\n');
    }
  }
  return 1;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** A pipe closed by the reader (`skyshelve scan ... | head`) ends the command quietly. */
function quietOnBrokenPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/** The entry point of bin/skyshelve.js. */
export async function run(): Promise<void> {
  quietOnBrokenPipe();
  const code = await main(process.argv);
  // Flush stdout before exiting: process.exit would cut off a large piped output.
  process.stdout.write('', () => process.exit(code));
}
