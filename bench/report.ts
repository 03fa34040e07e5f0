/**
 * Writes the "Key-value workload vs peers" section of bench/RESULTS.md from one run's results,
 * leaving every other section (FFI boundary, SlateDB, ...) as it is.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Results } from './run.js';
import type { Row } from './workload.js';

/** The heading of the section this file owns. */
export const SECTION = '## Key-value workload vs peers';
/** The systems skyshelve is compared with. */
export const PEER_SYSTEMS = ['lmdb-js', 'classic-level', 'better-sqlite3'];
/** Ratio targets of issue 6 (skyshelve-badger / best peer). */
export const TARGETS: Record<string, number> = { 'put-single': 1, 'put-batch': 1.5, 'get-random': 1, 'get-batch': 1.5, scan: 1, rmw: 1, mixed: 1 };

/** The fastest measured row of `system` for `op` (over its variants), if any. */
export function best(rows: readonly Row[], system: string, op: string): Row | undefined {
  let top: Row | undefined;
  for (const r of rows) {
    if (r.system === system && r.op === op && r.opsPerSec !== null && (!top || r.opsPerSec > top.opsPerSec!)) top = r;
  }
  return top;
}

/** One line per op: skyshelve-badger's best, the best peer, and the ratio. */
export function ratioLines(rows: readonly Row[]): { op: string; ours?: Row; peer?: Row; ratio?: number }[] {
  return Object.keys(TARGETS).map((op) => {
    const ours = best(rows, 'skyshelve-badger', op);
    const peers = PEER_SYSTEMS.map((s) => best(rows, s, op)).filter((r): r is Row => r !== undefined);
    const peer = peers.sort((a, b) => b.opsPerSec! - a.opsPerSec!)[0];
    const ratio = ours && peer ? ours.opsPerSec! / peer.opsPerSec! : undefined;
    return { op, ours, peer, ratio };
  });
}

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : Math.round(v).toLocaleString('en-US'));
const label = (r?: Row): string => (r ? `${r.system} ${r.api ?? ''}`.trim() : 'n/a');
const mib = (b: number): string => `${Math.round(b / 2 ** 20)} MiB`;

/** The markdown of the owned section. */
export function section(res: Results): string {
  const m = res.machine;
  const out = [
    SECTION,
    '',
    `Run ${m.date} · ${m.cpus} × ${m.cpuModel} · ${mib(m.memory)} RAM · Node ${m.node} · ${m.platform}`,
    `N = ${res.n.toLocaleString('en-US')} records (skyshelve-slatedb: ${res.slatedbN.toLocaleString('en-US')}), 16-byte keys, 100-byte random values, no fsync.`,
    `Each system runs in its own child process of one \`npm run bench\`${res.rounds > 1 ? `, ${res.rounds} rounds round-robin, best round kept per op` : ''}. Load average at the start: ${m.loadavg.join(' / ')} (a shared machine: other work slows every system). Higher is better.`,
    '',
    '### Ratio skyshelve-badger / best peer',
    '',
    '| op | skyshelve-badger (best variant) | best peer | ratio | target | vs lmdb-js | vs classic-level | vs better-sqlite3 |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const l of ratioLines(res.rows)) {
    const vs = PEER_SYSTEMS.map((s) => {
      const p = best(res.rows, s, l.op);
      return l.ours && p ? (l.ours.opsPerSec! / p.opsPerSec!).toFixed(2) : 'n/a';
    });
    out.push(
      `| ${l.op} | ${fmt(l.ours?.opsPerSec)} (${l.ours?.api ?? 'n/a'}) | ${fmt(l.peer?.opsPerSec)} (${label(l.peer)}) | ${l.ratio === undefined ? 'n/a' : l.ratio.toFixed(2)} | ≥ ${TARGETS[l.op]!.toFixed(1)} | ${vs.join(' | ')} |`,
    );
  }
  out.push('', '### Every measurement (ops/s)', '', '| system | op | variant | call | ops/s | n |', '|---|---|---|---|---|---|');
  for (const r of res.rows) {
    out.push(
      `| ${r.system} | ${r.op} | ${r.variant ?? ''} | ${r.api ?? ''} | ${r.opsPerSec === null ? `n/a: ${r.note ?? ''}` : fmt(r.opsPerSec)} | ${r.n.toLocaleString('en-US')} |`,
    );
  }
  out.push(
    '',
    '### Peak RSS per system',
    '',
    '| system | peak RSS, whole run | peak after the key-value ops | workload alone | key-value ops minus workload |',
    '|---|---|---|---|---|',
  );
  for (const [s, b] of Object.entries(res.rss)) {
    const kv = res.rssKv[s] ?? b;
    const base = res.rssBase[s];
    out.push(`| ${s} | ${mib(b)} | ${mib(kv)} | ${base === undefined ? 'n/a' : mib(base)} | ${base === undefined ? 'n/a' : mib(kv - base)} |`);
  }
  out.push(
    '',
    'Each child first builds the workload (keys, values, read order), which is the "workload alone" peak. ' +
      "skyshelve's whole-run peak also covers model-save and scan-index (records plus 2 index entries each), which the peers do not run. " +
      'The RSS includes mmapped files the engine touched (lmdb maps its whole data file; Badger its memtables and tables).',
    '',
    '![ops/s per op and system](results.svg)',
    '',
  );
  return out.join('\n');
}

/** Replaces (or adds) the owned section of RESULTS.md, keeping the other sections. */
export function writeResultsMarkdown(file: string, res: Results): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const mine = section(res);
  const start = text.indexOf(SECTION);
  let next: string;
  if (start < 0) {
    next = text.trimEnd() + '\n\n' + mine;
  } else {
    const after = text.indexOf('\n## ', start + SECTION.length);
    next = text.slice(0, start) + mine + (after < 0 ? '' : '\n' + text.slice(after + 1));
  }
  writeFileSync(file, next.trimEnd() + '\n');
}
