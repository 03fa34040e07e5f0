/** `skyshelve del <store> <key>`: removes one key. */
import type { Command } from 'commander';
import { out, readKey, withStore } from './common.js';
import { examples, STORE_ARG } from './help.js';

/** Options of `del`. */
interface DelOptions {
  keyJson?: string;
  json?: boolean;
}

/** Adds the `del` command. */
export function registerDel(program: Command): void {
  program
    .command('del')
    .summary('delete a key')
    .description('Delete a key; prints "deleted" or "not found" (both exit 0)')
    .argument('<store>', STORE_ARG)
    .argument('[key]', 'the key, as a string')
    .option('--key-json <json>', 'the key as JSON instead, e.g. \'["user",1]\'')
    .option('--json', 'print {"deleted": true|false}')
    .addHelpText('after', examples(['skyshelve del ./data username', 'skyshelve del ./data --key-json \'["order",7]\' --json']))
    .action(async (location: string, key: string | undefined, opts: DelOptions) => {
      const k = readKey(key, opts.keyJson);
      await withStore(location, 'write', async (store) => {
        const deleted = await store.delete(k);
        await out(opts.json ? JSON.stringify({ deleted }) : deleted ? 'deleted' : 'not found');
      });
    });
}
