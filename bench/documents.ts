/** The document-shaped records the CLI benches (bench/cli.ts, bench/ingest.ts) load. */
import { SkyShelve } from '../src/index.js';

/** Fills a Badger store with n records shaped like typical documents. */
export async function fillDocuments(location: string, n: number): Promise<void> {
  const store = await SkyShelve.open(location);
  for (let i = 0; i < n; i += 1000) {
    await store.batch(
      Array.from({ length: Math.min(1000, n - i) }, (_, j) => {
        const k = i + j;
        return {
          type: 'put' as const,
          key: ['user', k],
          value: { id: k, name: `user ${k}`, email: `u${k}@example.com`, joined: new Date(1700000000000 + k), tags: ['a', 'b'], score: k * 1.5 },
        };
      }),
    );
  }
  await store.sync();
  await store.close();
}
