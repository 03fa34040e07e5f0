// Counts how many times it has run, in ./data/simple-counter. Safe to run from several terminals at
// once: the processes share the Badger directory and `update` is atomic across them.
import { PersistentObject, closeModelStores } from '../src/index.js';

class RunCounter extends PersistentObject {
  constructor(
    key: string,
    public runs = 0,
  ) {
    super(key);
  }

  override toRecord(): unknown {
    return { runs: this.runs };
  }

  static override fromRecord(key: string, record: { runs?: number }): RunCounter {
    return new RunCounter(key, Number(record.runs ?? 0));
  }
}

RunCounter.configureStorage(process.argv[2] ?? './data/simple-counter');

const counter = await RunCounter.update('runs', {
  defaultFactory: () => new RunCounter('runs'),
  mutator: (c) => {
    c.runs++;
  },
});
console.log(`This script has been run ${counter.runs} ${counter.runs === 1 ? 'time' : 'times'}.`);
await closeModelStores();
