/**
 * model-save (a PersistentBaseModel with 2 indexes, validated and saved one by one) and scan-index
 * (`scanIndex` on a value that 10 records share), skyshelve only. The model is declared at run time
 * so that each system binds it to its own store.
 */
import { must, reason, Recorder, type Workload } from './workload.js';

type Api = typeof import('../src/index.js');

/** Records per value of the `team` index: each scan-index query returns this many. */
const PER_TEAM = 10;

/** Times model saves and index scans; n/a with the reason while the model layer is missing. */
export async function benchModels(rec: Recorder, w: Workload, api: Api, location: () => string): Promise<void> {
  if (typeof api.PersistentBaseModel !== 'function' || typeof api.Index !== 'function') {
    rec.skip('model-save', 'await', 'save', w.n, 'model layer not exported from src/index.ts');
    rec.skip('scan-index', 'await', 'scanIndex', w.n, 'model layer not exported from src/index.ts');
    return;
  }
  let store: InstanceType<Api['SkyShelve']>;
  try {
    store = await api.SkyShelve.open(location());
  } catch (err) {
    rec.skip('model-save', 'await', 'save', w.n, `open failed: ${reason(err)}`);
    rec.skip('scan-index', 'await', 'scanIndex', w.n, `open failed: ${reason(err)}`);
    return;
  }
  try {
    const User = defineUser(api, store);
    const { n } = w;
    const saved = await rec.op('model-save', 'await', 'save (2 indexes)', n, async () => {
      for (let i = 0; i < n; i++) {
        await new User({ id: w.keys[i]!, email: `u${i}@example.com`, team: `team${Math.floor(i / PER_TEAM)}`, age: i % 90 }).save();
      }
    });
    const queries = Math.max(1, Math.floor(n / PER_TEAM));
    if (!saved) rec.skip('scan-index', 'await', 'scanIndex', queries, 'model-save failed, nothing to query');
    else {
      await rec.op('scan-index', 'await', `scanIndex (${PER_TEAM} records)`, queries, async () => {
        for (let q = 0; q < queries; q++) {
          const team = `team${w.order[q]! % queries}`;
          const found = await User.scanIndex('team', team);
          must(found.length === PER_TEAM, `scanIndex ${team} gave ${found.length}`);
        }
      });
    }
  } finally {
    await store.close();
  }
}

/** A model with two indexes (`email` unique, `team` shared by 10 records), stored in `store`. */
function defineUser(api: Api, store: InstanceType<Api['SkyShelve']>) {
  const { Persistent, Index, Key, PersistentBaseModel } = api;
  @Persistent({ store, namespace: 'bench-user' })
  class BenchUser extends PersistentBaseModel<'email' | 'team'> {
    @Key() id!: string;
    @Index({ unique: true }) email!: string;
    @Index() team!: string;
    age!: number;
  }
  return BenchUser;
}
