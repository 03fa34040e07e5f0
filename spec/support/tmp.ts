import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary directory, removed by `cleanupTmp` (called from each suite's after hook). */
export function tmpDir(prefix = 'sky-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

const made: string[] = [];

/** Removes every directory made by tmpDir so far. */
export function cleanupTmp(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
