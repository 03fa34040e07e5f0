// `npm run example -- <name>` runs dist/examples/<name>.js (compiled by the npm script first).
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'examples');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3))
  .sort();
const name = process.argv[2];
if (!name || !existsSync(join(dir, `${name}.js`))) {
  console.error(`usage: npm run example -- <name>\nexamples: ${names.join(', ')}`);
  process.exit(2);
}
process.argv.splice(2, 1);
await import(pathToFileURL(join(dir, `${name}.js`)).href);
