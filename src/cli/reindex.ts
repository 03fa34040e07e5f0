/** `skyshelve reindex <store> --model-module file.js`: rebuilds the index entries of the module's models. */
import type { Command } from 'commander';
import { out, UsageError, withStore } from './common.js';
import { examples, STORE_ARG } from './help.js';
import { progress } from './progress.js';

/** Options of `reindex`. */
interface ReindexOptions {
  modelModule?: string;
  json?: boolean;
  progress: boolean;
}

/** Adds the `reindex` command. */
export function registerReindex(program: Command): void {
  program
    .command('reindex')
    .summary('rebuild the indexes of the models a module exports')
    .description('Rebuild the index entries of every model class the module exports (after index definitions changed)')
    .argument('<store>', STORE_ARG)
    .requiredOption('--model-module <file>', 'a JS module that exports the model classes')
    .option('--json', "print what each model's reindex returned, as JSON")
    .option('--no-progress', 'never show a progress bar')
    .addHelpText(
      'after',
      examples(['skyshelve reindex ./data --model-module dist/models.js', 'skyshelve reindex slatedb://./lake --model-module ./models.mjs --json']),
    )
    .action(async (location: string, opts: ReindexOptions) => {
      if (!opts.modelModule) throw new UsageError('--model-module is required');
      const results = await withStore(location, 'write', async (store) => {
        const done: Record<string, unknown> = {};
        // Loaded only here: the model layer pulls in class-validator and class-transformer.
        const { loadModels, passProgress } = await import('./models.js');
        for (const m of await loadModels(opts.modelModule!, store)) {
          const bar = progress(`reindex ${m.name}`, opts.progress);
          try {
            done[m.name] = (await m.reindex({ onProgress: passProgress(bar) })) ?? null;
          } finally {
            bar.stop();
          }
        }
        await store.sync();
        return done;
      });
      if (opts.json) await out(JSON.stringify(results));
      else for (const [name, r] of Object.entries(results)) await out(`${name}: reindexed${r && typeof r === 'object' ? ` ${JSON.stringify(r)}` : ''}`);
    });
}
