/** `skyshelve get <store> <key>`: prints the value at one key. */
import type { Command } from 'commander';
import { Errors } from '../errors.js';
import { bytesFormat, out, readKey, show, withStore } from './common.js';
import { examples, STORE_ARG } from './help.js';

/** Options of `get`. */
interface GetOptions {
  keyJson?: string;
  json?: boolean;
  bytes?: string;
}

/** Adds the `get` command. */
export function registerGet(program: Command): void {
  program
    .command('get')
    .summary('print the value at a key')
    .description('Print the value stored at a key (exit 1 with NOT_FOUND when it is missing)')
    .argument('<store>', STORE_ARG)
    .argument('[key]', 'the key, as a string')
    .option('--key-json <json>', 'the key as JSON instead: a tuple like \'["user",1]\', a number, or {"$bytes":"<base64>"}')
    .option('--json', 'print the value as tagged JSON (docs/CLI.md)')
    .option('--bytes <format>', 'show bytes as base64 or hex', 'base64')
    .addHelpText(
      'after',
      examples([
        'skyshelve get ./data username',
        'skyshelve get ./data --key-json \'["order",7]\' --json',
        'skyshelve get slatedb://./lake avatar --bytes hex',
      ]),
    )
    .action(async (location: string, key: string | undefined, opts: GetOptions) => {
      const k = readKey(key, opts.keyJson);
      const bytes = bytesFormat(opts.bytes);
      await withStore(location, 'read', async (store) => {
        const value = await store.get(k);
        if (value === undefined) throw Errors.notFound(k);
        await out(show(value, !!opts.json, bytes));
      });
    });
}
