/** `skyshelve stats <store>`: key counts, sizes, and the breakdown by model namespace and index. */
import type { Command } from 'commander';
import type { Backend } from '../backend/backend.js';
import { decodeInternalKey, KeyTag, INTERNAL_AREA_START } from '../codec/keys.js';
import { out, withStore } from './common.js';
import { examples, STORE_ARG } from './help.js';
import { progress } from './progress.js';
import { chunks, diskUsage, localDir } from './walk.js';

/** One model namespace: its records and its index entries by index name. */
interface NamespaceStats {
  records: number;
  recordBytes: number;
  indexes: Record<string, number>;
}

/** What `stats --json` prints. */
interface Stats {
  location: string;
  backend: string;
  keys: number;
  userKeys: number;
  internalKeys: number;
  /** Sum of encoded key and value sizes. */
  dataBytes: number;
  /** Bytes the store's files take on disk, when it lives in a local directory. */
  diskBytes?: number;
  models: Record<string, NamespaceStats>;
  metaKeys: number;
  otherKeys: number;
  engine: Record<string, unknown>;
}

/** Adds the `stats` command. */
export function registerStats(program: Command): void {
  program
    .command('stats')
    .summary('key counts, sizes, models and indexes, engine facts')
    .description('Show the number of keys, the sizes, the breakdown by model namespace and index, the backend and its options')
    .argument('<store>', STORE_ARG)
    .option('--json', 'print one JSON object')
    .option('--no-progress', 'never show a progress bar')
    .addHelpText('after', examples(['skyshelve stats ./data', 'skyshelve stats slatedb://./lake --json | jq .models']))
    .action(async (location: string, opts: { json?: boolean; progress: boolean }) => {
      const stats = await withStore(location, 'read', async (store) => {
        const backend = await store.backend();
        const s = await tally(backend, opts.progress);
        const dir = localDir(location);
        return { location: store.location, backend: backend.name, ...s, diskBytes: dir ? diskUsage(dir) : undefined, engine: await backend.stats() } as Stats;
      });
      await out(opts.json ? JSON.stringify(stats) : render(stats));
    });
}

async function tally(backend: Backend, showProgress: boolean): Promise<Omit<Stats, 'location' | 'backend' | 'engine'>> {
  const s = { keys: 0, userKeys: 0, internalKeys: 0, dataBytes: 0, models: {} as Record<string, NamespaceStats>, metaKeys: 0, otherKeys: 0 };
  const bar = progress('stats', showProgress);
  const ns = (name: string) => (s.models[name] ??= { records: 0, recordBytes: 0, indexes: {} });
  try {
    for await (const chunk of chunks(backend)) {
      for (const { key, value } of chunk) {
        s.keys++;
        s.dataBytes += key.length + value.length;
        if (key[0]! < INTERNAL_AREA_START) {
          s.userKeys++;
          continue;
        }
        s.internalKeys++;
        const parts = key[0] === KeyTag.INTERNAL ? tryDecode(key) : undefined;
        if (parts?.[0] === 'm' && typeof parts[1] === 'string') {
          const n = ns(parts[1]);
          n.records++;
          n.recordBytes += value.length;
        } else if (parts?.[0] === 'i' && typeof parts[1] === 'string' && typeof parts[2] === 'string') {
          const idx = ns(parts[1]).indexes;
          idx[parts[2]] = (idx[parts[2]] ?? 0) + 1;
        } else if (parts?.[0] === 'meta') s.metaKeys++;
        else s.otherKeys++;
      }
      bar.add(chunk.length);
    }
  } finally {
    bar.stop();
  }
  return s;
}

function tryDecode(key: Uint8Array): unknown[] | undefined {
  try {
    return decodeInternalKey(key);
  } catch {
    return undefined;
  }
}

function render(s: Stats): string {
  const lines = [
    `store          ${s.location}`,
    `backend        ${s.backend}`,
    `keys           ${s.keys} (user ${s.userKeys}, internal ${s.internalKeys})`,
    `data size      ${size(s.dataBytes)} (keys + values)`,
  ];
  if (s.diskBytes !== undefined) lines.push(`size on disk   ${size(s.diskBytes)}`);
  const names = Object.keys(s.models);
  lines.push(`models         ${names.length === 0 ? 'none' : ''}`.trimEnd());
  for (const name of names) {
    const m = s.models[name]!;
    lines.push(`  ${name}: ${m.records} records, ${size(m.recordBytes)}`);
    for (const [index, n] of Object.entries(m.indexes)) lines.push(`    index ${index}: ${n} entries`);
  }
  if (s.metaKeys) lines.push(`metadata keys  ${s.metaKeys}`);
  if (s.otherKeys) lines.push(`other internal ${s.otherKeys}`);
  lines.push('engine');
  for (const [k, v] of Object.entries(s.engine)) lines.push(`  ${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  return lines.join('\n');
}

function size(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]} (${n} bytes)`;
}
