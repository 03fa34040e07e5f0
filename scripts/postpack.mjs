#!/usr/bin/env node
// npm's `postpack` step: puts back the repository's package.json that scripts/prepack.mjs set aside
// (the packed one has no scripts, so the package has no install script).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const saved = path.join(root, 'package.json.prepack');
if (fs.existsSync(saved)) {
  fs.renameSync(saved, path.join(root, 'package.json'));
  console.error('postpack: restored package.json with its scripts');
}
