/** `skyshelve verify <store>`: checks that records and index entries agree, and repairs them with --repair. */
import type { Command } from 'commander';
import { out, withStore } from './common.js';
import { examples, STORE_ARG } from './help.js';
import { progress } from './progress.js';
import { checkStructure, type StructureReport } from './structure.js';

/** Options of `verify`. */
interface VerifyOptions {
  modelModule?: string;
  repair?: boolean;
  json?: boolean;
  progress: boolean;
}

/** Adds the `verify` command. */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .summary('check (and --repair) records against index entries')
    .description(
      'Check that model records and index entries agree. Without --model-module: every entry a record lists exists, ' +
        "and every entry belongs to a record that lists it. With it: also that each record's entries are what its model computes now. " +
        'Exit 0 when consistent (or repaired), 1 when problems remain',
    )
    .argument('<store>', STORE_ARG)
    .option('--model-module <file>', 'a JS module whose exported model classes are checked with Model.verifyIndexes')
    .option('--repair', 'add missing entries and delete stale ones')
    .option('--json', 'print the report as JSON')
    .option('--no-progress', 'never show a progress bar')
    .addHelpText(
      'after',
      examples(['skyshelve verify ./data', 'skyshelve verify ./data --repair --json', 'skyshelve verify ./data --model-module dist/models.js --repair']),
    )
    .action(async (location: string, opts: VerifyOptions) => {
      // The model layer may record index definitions even when only checking, so a model module needs a
      // writer; verify never creates a store either way (the `true` below).
      const mode = opts.repair || opts.modelModule ? 'write' : 'read';
      const report = await withStore(
        location,
        mode,
        async (store) => {
          const models: Record<string, { checked: number; missing: number; stale: number }> = {};
          if (opts.modelModule) {
            // Loaded only here: the model layer pulls in class-validator and class-transformer.
            const { loadModels, passProgress } = await import('./models.js');
            for (const m of await loadModels(opts.modelModule, store)) {
              const bar = progress(`verify ${m.name}`, opts.progress);
              try {
                models[m.name] = await m.verifyIndexes({ repair: !!opts.repair, onProgress: passProgress(bar) });
              } finally {
                bar.stop();
              }
            }
          }
          const bar = progress('verify', opts.progress);
          let structure: StructureReport;
          try {
            structure = await checkStructure(await store.backend(), !!opts.repair, bar);
          } finally {
            bar.stop();
          }
          if (opts.repair) await store.sync();
          return { structure, models };
        },
        true,
      );
      const found = report.structure.missing + report.structure.stale + Object.values(report.models).reduce((n, m) => n + m.missing + m.stale, 0);
      const ok = report.structure.corrupt === 0 && (found === 0 || !!opts.repair);
      await out(opts.json ? JSON.stringify({ ok, repaired: !!opts.repair, ...report }) : render(report, !!opts.repair, ok));
      if (!ok) process.exitCode = 1;
    });
}

function render(
  r: { structure: StructureReport; models: Record<string, { checked: number; missing: number; stale: number }> },
  repaired: boolean,
  ok: boolean,
): string {
  const verb = repaired ? 'repaired' : 'found';
  const lines = Object.entries(r.models).map(([name, m]) => `${name}: ${m.checked} records checked, ${m.missing} missing and ${m.stale} stale entries ${verb}`);
  const s = r.structure;
  lines.push(`structure: ${s.checked} records and entries checked, ${s.missing} missing and ${s.stale} stale entries ${verb}, ${s.corrupt} corrupt records`);
  if (ok) lines.push(repaired ? 'ok (repaired)' : 'ok');
  else if (s.corrupt) lines.push('corrupt records found: they cannot be repaired automatically (see `skyshelve scan --internal`)');
  else lines.push('problems found; run again with --repair to fix the index entries');
  return lines.join('\n');
}
