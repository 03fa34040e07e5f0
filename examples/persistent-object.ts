// A plain PersistentObject (no decorators, no class-validator): it chooses what to store with
// toRecord and rebuilds itself with fromRecord. Writes into ./data/persistent-object.
import { PersistentObject, closeModelStores } from '../src/index.js';

class Stock extends PersistentObject<'quantity' | 'low'> {
  constructor(
    sku: string,
    public quantity = 0,
    public lastChanged = new Date(0),
  ) {
    super(sku);
  }

  override toRecord(): unknown {
    return { quantity: this.quantity, lastChanged: this.lastChanged };
  }

  static override fromRecord(sku: string, record: { quantity: number; lastChanged: Date }): Stock {
    return new Stock(sku, record.quantity, record.lastChanged);
  }
}

Stock.configureStorage(process.argv[2] ?? './data/persistent-object', { secondaryIndexes: { quantity: (s: Stock) => s.quantity } });
Stock.registerIndex('low', (s: Stock) => s.quantity < 5); // booleans are indexed as 0 and 1

for (const [sku, qty] of [
  ['bolt', 120],
  ['nut', 3],
  ['washer', 40],
  ['gear', 1],
] as const) {
  await new Stock(sku, qty, new Date()).save();
}
const nut = await Stock.update('nut', {
  mutator: (s) => {
    s.quantity += 10;
    s.lastChanged = new Date();
  },
});
console.log(`nut restocked to ${nut.quantity} (key ${String(nut.key)})`);

console.log('Running low:', (await Stock.scanIndex('low', true)).map((s) => `${String(s.key)}=${s.quantity}`).join(', '));
console.log('Between 10 and 100:', (await Stock.scanIndexRange('quantity', { gte: 10, lte: 100 })).map((s) => String(s.key)).join(', '));
const bolt = await Stock.load('bolt');
console.log(`bolt: ${bolt.quantity}, last changed ${bolt.lastChanged.toISOString()}, a Stock: ${bolt instanceof Stock}`);
console.log('Index check:', await Stock.verifyIndexes());
await closeModelStores();
