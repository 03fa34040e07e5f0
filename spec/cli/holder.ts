// Child process: `node holder.js <dir> [exclusive]` opens a Badger store, says "ready", and holds it until killed.
import { SkyShelve } from '../../src/index.js';

const store = await SkyShelve.open(process.argv[2]!, { exclusive: process.argv[3] === 'exclusive' });
await store.set('held-by', process.pid);
// Keep the store reachable: an unreachable store is closed by the backend's finalizer.
(globalThis as { held?: unknown }).held = store;
process.stdout.write('ready\n');
setInterval(() => {}, 1000);
