// A key-value prefix scan, then a model scan, in one store (./data/scan-example). The model and
// the key-value entries share the store; model records live in an internal key area that plain
// scans never show.
import 'reflect-metadata';
import { Key, Persistent, PersistentBaseModel, SkyShelve, closeModelStores } from '../src/index.js';

const path = process.argv[2] ?? './data/scan-example';

@Persistent(path)
class Product extends PersistentBaseModel {
  @Key() sku!: string;
  name = '';
  price = 0;
}

const store = SkyShelve.shared(path); // the same instance the model uses
for (const [user, plan] of [
  ['alice', 'pro'],
  ['bob', 'free'],
  ['carol', 'pro'],
])
  await store.set(`user:${user}`, { plan });
await store.set('config:theme', 'dark');

console.log("Key-value scan of prefix 'user:':");
for (const [key, value] of await store.scan('user:')) console.log(`  ${String(key)} -> ${JSON.stringify(value)}`);

await new Product({ sku: 'A-100', name: 'Anvil', price: 120 }).save();
await new Product({ sku: 'B-200', name: 'Bucket', price: 8 }).save();
await new Product({ sku: 'A-300', name: 'Axe', price: 45 }).save();

console.log('Model scan of Product:');
for (const p of await Product.scan()) console.log(`  ${p.sku} ${p.name} ${p.price}`);
console.log("Model scan with a key predicate (sku starts with 'A'):");
for (const p of await Product.scan((sku) => sku.startsWith('A'))) console.log(`  ${p.sku} ${p.name}`);

console.log(`A plain scan of everything shows ${(await store.scan()).length} key-value entries and no model records.`);
await closeModelStores();
