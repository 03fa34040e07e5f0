/**
 * Renders bench/results.json as a grouped bar chart (ops/s on a log scale, best variant per system and op)
 * in hand-written SVG. `node dist/bench/chart.js` re-renders bench/results.svg from the JSON alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { best } from './report.js';
import type { Results } from './run.js';

const OPS = ['put-single', 'put-batch', 'get-random', 'get-batch', 'scan', 'rmw', 'mixed', 'model-save', 'scan-index'];
const SYSTEMS = ['skyshelve-badger', 'skyshelve-slatedb', 'lmdb-js', 'classic-level', 'better-sqlite3'];
const COLORS = ['#1f77b4', '#6baed6', '#ff7f0e', '#2ca02c', '#9467bd'];
const W = 960,
  H = 440,
  LEFT = 70,
  RIGHT = 20,
  TOP = 50,
  BOTTOM = 80;
const LO = 2,
  HI = 7; // log10 of the axis range: 100 .. 10M ops/s

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const short = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${Math.round(v / 1e3)}k` : String(Math.round(v)));

/** The SVG text of the chart. */
export function renderChart(res: Results): string {
  const plotH = H - TOP - BOTTOM;
  const groupW = (W - LEFT - RIGHT) / OPS.length;
  const barW = (groupW - 16) / SYSTEMS.length;
  const y = (v: number): number => TOP + plotH - ((Math.min(Math.max(Math.log10(v), LO), HI) - LO) / (HI - LO)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">ops/s (log scale), N=${res.n.toLocaleString('en-US')}, ${esc(res.machine.node)}, ${res.machine.cpus} cpus, ${res.machine.date.slice(0, 10)}</text>`,
  ];
  for (let e = LO; e <= HI; e++) {
    const v = 10 ** e;
    parts.push(
      `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${LEFT - 6}" y="${y(v) + 4}" text-anchor="end">${short(v)}</text>`,
    );
  }
  OPS.forEach((op, g) => {
    const x0 = LEFT + g * groupW + 8;
    SYSTEMS.forEach((system, s) => {
      const row = best(res.rows, system, op);
      const x = x0 + s * barW;
      if (!row) return;
      const top = y(row.opsPerSec!);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(TOP + plotH - top).toFixed(1)}" fill="${COLORS[s]}"><title>${esc(`${system} ${op} ${row.api ?? ''}: ${row.opsPerSec} ops/s`)}</title></rect>`,
        `<text x="${(x + barW / 2).toFixed(1)}" y="${(top - 3).toFixed(1)}" text-anchor="middle" font-size="9">${short(row.opsPerSec!)}</text>`,
      );
    });
    parts.push(`<text x="${(x0 + (groupW - 16) / 2).toFixed(1)}" y="${TOP + plotH + 16}" text-anchor="middle">${op}</text>`);
  });
  SYSTEMS.forEach((system, s) => {
    const x = LEFT + s * 170;
    parts.push(`<rect x="${x}" y="${H - 30}" width="12" height="12" fill="${COLORS[s]}"/>`, `<text x="${x + 16}" y="${H - 20}">${system}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const res = JSON.parse(readFileSync(join(root, 'bench/results.json'), 'utf8')) as Results;
  writeFileSync(join(root, 'bench/results.svg'), renderChart(res));
}
