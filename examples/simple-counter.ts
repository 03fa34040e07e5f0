// Counts how many times it has run, in ./data/simple-counter. Safe to run from several terminals at
// once: the counter is updated atomically under an inter-process lock (multi-process mode).
import { PersistentObject, closeModelStores } from '../src/index.js';

class RunCounter extends PersistentObject {
  constructor(key: string, public runs = 0) {
    super(key);
  }

  override toRecord(): unknown {
    return { runs: this.runs };
  }

  static override fromRecord(key: string, record: { runs?: number }): RunCounter {
    return new RunCounter(key, Number(record.runs ?? 0));
  }
}

RunCounter.configureStorage(process.argv[2] ?? './data/simple-counter', { multiProcess: true });

const counter = await RunCounter.update('runs', {
  defaultFactory: () => new RunCounter('runs'),
  mutator: (c) => { c.runs++; },
});
console.log(`This script has been run ${counter.runs} ${counter.runs === 1 ? 'time' : 'times'}.`);
await closeModelStores();
