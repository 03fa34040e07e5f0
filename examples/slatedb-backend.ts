// SlateDB: a counter and per-user login counts, locally by default, on S3 when the AWS variables
// (BUCKET_NAME, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL_S3) are set.
import { SkyShelve, slatedbUriFromEnv } from '../src/index.js';

const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await fn();
  console.log(`${label.padEnd(34)} ${(performance.now() - started).toFixed(1).padStart(8)} ms`);
  return result;
};

const uri = slatedbUriFromEnv('./data/slatedb-example');
const store = await timed('open', () => SkyShelve.open<number>(uri, { defaultFactory: () => 0 }));
console.log(`backend: ${String((await store.stats()).provider)} (${store.supports.durableWrites ? 'durable' : 'buffered'} writes)`);

const total = await timed('increment total_logins', async () => {
  const next = (await store.get('total_logins'))! + 1;
  await store.set('total_logins', next);
  return next;
});
await timed('sync', () => store.sync());
console.log(`total_logins = ${total}`);

await timed('record logins_alice and logins_bob', async () => {
  await store.set('logins_alice', (await store.get('logins_alice'))! + 1);
  await store.set('logins_bob', (await store.get('logins_bob'))! + 2);
});
const counts = await timed("scan prefix 'logins_'", () => store.scan('logins_'));
for (const [key, value] of counts) console.log(`  ${String(key)}: ${value}`);

await timed('close (flushes)', () => store.close());
