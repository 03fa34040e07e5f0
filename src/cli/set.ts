/** `skyshelve set <store> <key> <json-or-@file>`: stores one value. */
import type { Command } from 'commander';
import { parseUsage, readArgument, readKey, UsageError, withStore } from './common.js';
import { examples, STORE_ARG } from './help.js';

/** Options of `set`. */
interface SetOptions {
  keyJson?: string;
  as?: string;
}

/** Adds the `set` command. */
export function registerSet(program: Command): void {
  program
    .command('set')
    .summary('store a value at a key')
    .description('Store a value at a key. The value is tagged JSON (docs/CLI.md) unless --as says otherwise; @file reads it from a file')
    .usage('[options] <store> <key> <value>   (or: <store> --key-json <json> <value>)')
    .argument('<store>', STORE_ARG)
    .argument('<args...>', '<key> <value>, or just <value> with --key-json')
    .option('--key-json <json>', 'the key as JSON instead, e.g. \'["user",1]\'')
    .option('--as <kind>', 'json (default): parse the value as tagged JSON; string: store the text as is; bytes: store the bytes (of @file)', 'json')
    .addHelpText(
      'after',
      examples([
        'skyshelve set ./data username \'"alice"\'',
        'skyshelve set ./data profile \'{"plan":"pro","since":{"$date":"2024-01-01T00:00:00.000Z"}}\'',
        'skyshelve set ./data --key-json \'["order",7]\' @order.json',
        "skyshelve set ./data note --as string 'plain text, no quotes needed'",
        'skyshelve set ./data avatar --as bytes @avatar.png',
      ]),
    )
    .action(async (location: string, args: string[], opts: SetOptions) => {
      const [key, valueArg] = splitArgs(args, opts.keyJson !== undefined);
      const k = readKey(key, opts.keyJson);
      const value = readValue(valueArg, opts.as ?? 'json');
      await withStore(location, 'write', async (store) => {
        await store.set(k, value);
        await store.sync();
      });
    });
}

function splitArgs(args: string[], keyJson: boolean): [string | undefined, string] {
  const want = keyJson ? 1 : 2;
  if (args.length !== want) {
    throw new UsageError(
      keyJson
        ? `with --key-json, give only the value (got ${args.length} arguments)`
        : `give a key and a value (got ${args.length} argument${args.length === 1 ? '' : 's'})`,
    );
  }
  return keyJson ? [undefined, args[0]!] : [args[0], args[1]!];
}

function readValue(arg: string, kind: string): unknown {
  if (kind === 'bytes') return readArgument(arg, true);
  const text = readArgument(arg) as string;
  if (kind === 'string') return text;
  if (kind !== 'json') throw new UsageError(`--as must be json, string or bytes, got '${kind}'`);
  try {
    return parseUsage(text, arg.startsWith('@') ? arg.slice(1) : 'the value');
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; to store plain text use --as string`);
  }
}
