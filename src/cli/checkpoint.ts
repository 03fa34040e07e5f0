/** The resume file of `copy`: the source, the target and the last raw key known to be durable in the target. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Errors } from '../errors.js';
import { localDir } from './walk.js';

/** What a checkpoint file holds (JSON). */
export interface Checkpoint {
  version: 1;
  from: string;
  to: string;
  /** Base64 of the last key copied and synced to the target. */
  lastKey: string;
  copied: number;
  updated: string;
}

/** The default checkpoint path: beside a local target (`<dir>.skyshelve-copy.json`), else in the working directory. */
export function defaultCheckpointPath(to: string): string {
  const dir = localDir(to);
  if (dir) return `${dir}.skyshelve-copy.json`;
  const id = createHash('sha256').update(to).digest('hex').slice(0, 12);
  return path.resolve(`.skyshelve-copy-${id}.json`);
}

/** Reads a checkpoint; undefined when there is none; CONFIG when it belongs to another copy. */
export function readCheckpoint(file: string, from: string, to: string): Checkpoint | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw Errors.cannotRead(file, err, 'the checkpoint ');
  }
  let cp: Checkpoint;
  try {
    cp = JSON.parse(text) as Checkpoint;
  } catch (err) {
    throw Errors.config(`the checkpoint ${file} is not valid JSON; delete it or pass --restart`, err);
  }
  if (cp.version !== 1 || typeof cp.lastKey !== 'string' || typeof cp.copied !== 'number') {
    throw Errors.config(`the checkpoint ${file} is not a skyshelve copy checkpoint; delete it or pass --restart`);
  }
  if (cp.from !== from || cp.to !== to) {
    throw Errors.config(`the checkpoint ${file} belongs to a copy from ${cp.from} to ${cp.to}; pass --restart or another --checkpoint`);
  }
  return cp;
}

/** Writes a checkpoint atomically (write a temp file, then rename), so a crash never leaves half a file. */
export function writeCheckpoint(file: string, cp: Omit<Checkpoint, 'version' | 'updated'>): void {
  const full: Checkpoint = { version: 1, ...cp, updated: new Date().toISOString() };
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(full) + '\n');
  fs.renameSync(tmp, file);
}

/** Removes a checkpoint once its copy is complete. */
export function removeCheckpoint(file: string): void {
  fs.rmSync(file, { force: true });
}
