/** `skyshelve scan <store>`: streams entries of a key range, as readable lines or JSON lines. */
import type { Command } from 'commander';
import type { Backend } from '../backend/backend.js';
import { decodeInternalKey, internalPrefix, prefixUpperBound, INTERNAL_AREA_START, type KeyPart } from '../codec/keys.js';
import { decodeValue } from '../codec/values.js';
import type { RangeOptions } from '../range.js';
import { bytesFormat, out, parseUsage, readBound, show, UsageError, wholeNumber, withStore } from './common.js';
import { examples, STORE_ARG } from './help.js';
import type { BytesFormat } from './tagged.js';

/** Options of `scan`. */
interface ScanOptions {
  prefix?: string;
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  limit?: string;
  reverse?: boolean;
  json?: boolean;
  jsonKeys?: boolean;
  keysOnly?: boolean;
  bytes?: string;
  internal?: boolean;
}

/** Adds the `scan` command. */
export function registerScan(program: Command): void {
  program
    .command('scan')
    .summary('stream the entries of a key range')
    .description('Stream the entries of a key range in key order: "key<TAB>value" lines, or JSON lines with --json')
    .argument('<store>', STORE_ARG)
    .option('--prefix <key>', 'only keys starting with this (a string, or JSON with --json-keys)')
    .option('--gt <key>', 'only keys after this one')
    .option('--gte <key>', 'only keys from this one on')
    .option('--lt <key>', 'only keys before this one')
    .option('--lte <key>', 'only keys up to this one')
    .option('--limit <n>', 'at most n entries')
    .option('--reverse', 'descending key order')
    .option('--json', 'one {"key": ..., "value": ...} JSON object per line (tagged JSON, docs/CLI.md)')
    .option('--json-keys', 'read --prefix/--gt/--gte/--lt/--lte as JSON keys, e.g. \'["order"]\'')
    .option('--keys-only', 'print only the keys')
    .option('--bytes <format>', 'show bytes as base64 or hex', 'base64')
    .option('--internal', 'scan the internal area (model records, index entries, metadata) instead; --prefix is a JSON array of leading elements')
    .addHelpText(
      'after',
      examples([
        'skyshelve scan ./data --prefix user: --limit 10',
        'skyshelve scan ./data --json-keys --prefix \'["order"]\' --json | jq .value',
        'skyshelve scan ./data --gte a --lt b --reverse --keys-only',
        'skyshelve scan ./data --internal --prefix \'["i","User","email"]\'',
      ]),
    )
    .action(async (location: string, opts: ScanOptions) => {
      const limit = wholeNumber(opts.limit, '--limit');
      const bytes = bytesFormat(opts.bytes);
      const print = (key: unknown, value: unknown) => line(key, value, opts, bytes);
      if (opts.internal) {
        const parts = internalParts(opts);
        await withStore(location, 'read', async (store) => scanInternal(await store.backend(), parts, limit, !!opts.reverse, print));
        return;
      }
      const range = userRange(opts, limit);
      await withStore(location, 'read', async (store) => {
        for await (const [k, v] of store.entries(range)) await print(k, v);
      });
    });
}

function line(key: unknown, value: unknown, opts: ScanOptions, bytes: BytesFormat): Promise<void> {
  const json = !!opts.json;
  if (opts.keysOnly) return out(show(key, json, bytes));
  if (json) return out(`{"key":${show(key, true, bytes)},"value":${show(value, true, bytes)}}`);
  const k = typeof key === 'string' ? JSON.stringify(key) : show(key, false, bytes);
  return out(`${k}\t${show(value, false, bytes)}`);
}

function userRange(opts: ScanOptions, limit: number | undefined): RangeOptions {
  const j = !!opts.jsonKeys;
  const range: RangeOptions = { reverse: !!opts.reverse };
  for (const name of ['prefix', 'gt', 'gte', 'lt', 'lte'] as const) {
    const bound = readBound(opts[name], j, `--${name}`);
    if (bound !== undefined) range[name] = bound;
  }
  if (limit !== undefined) range.limit = limit;
  return range;
}

function internalParts(opts: ScanOptions): KeyPart[] {
  if (opts.gt ?? opts.gte ?? opts.lt ?? opts.lte) throw new UsageError('--internal takes only --prefix, --limit and --reverse');
  if (opts.prefix === undefined) return [];
  const parts = parseUsage(opts.prefix, '--prefix');
  if (!Array.isArray(parts)) throw new UsageError('with --internal, --prefix must be a JSON array such as \'["m","User"]\'');
  return parts as KeyPart[];
}

/** Walks raw internal keys; index entries have empty values, shown as null. */
async function scanInternal(
  backend: Backend,
  parts: KeyPart[],
  limit: number | undefined,
  reverse: boolean,
  print: (k: unknown, v: unknown) => Promise<void>,
): Promise<void> {
  // The whole internal area runs from its first byte to the end of the key space.
  const gte = parts.length ? internalPrefix(parts) : Uint8Array.of(INTERNAL_AREA_START);
  const cursor = backend.iterate({ gte, lt: parts.length ? prefixUpperBound(gte) : undefined, reverse });
  let left = limit ?? Infinity;
  try {
    while (left > 0) {
      const chunk = await cursor.next(Math.min(1024, left));
      if (chunk.length === 0) break;
      for (const { key, value } of chunk.slice(0, left))
        await print(decodeOr(decodeInternalKey, key), value.length === 0 ? null : decodeOr(decodeValue, value));
      left -= chunk.length;
    }
  } finally {
    await cursor.close();
  }
}

function decodeOr(decode: (b: Uint8Array) => unknown, bytes: Uint8Array): unknown {
  try {
    return decode(bytes);
  } catch {
    return bytes;
  }
}
