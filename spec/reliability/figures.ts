/**
 * The figures the reliability suite prints at the end. Each test records what it measured; one
 * root-level `after` hook prints them all, just before the reporter's "N passed, N failed" line.
 */

const rows: Array<[string, string]> = [];
let registered = false;

/** Records one figure, e.g. figure('crash/badger', 'rounds=30 checked=4210 lost=0 inconsistent=0'). */
export function figure(name: string, text: string): void {
  rows.push([name, text]);
  process.stdout.write(`      figure ${name}: ${text}\n`);
}

/** Registers the end-of-run printout once, whichever spec file loads first. */
export function printFiguresAtEnd(): void {
  if (registered) return;
  registered = true;
  after(function () {
    if (rows.length === 0) return;
    const width = Math.max(...rows.map(([n]) => n.length));
    process.stdout.write('\n  Reliability figures\n');
    for (const [name, text] of rows) process.stdout.write(`    ${name.padEnd(width)}  ${text}\n`);
  });
}

/** Megabytes, one decimal. */
export function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}
