import { bindingFor, type Binding } from './binding.js';
import { checkDefinitions } from './maintenance.js';
import type { Instantiate } from './read.js';
import { schemaOf, type ModelSchema } from './schema.js';

/** Everything an operation needs: the checked schema, the binding and the record-to-instance function. */
export interface ModelContext {
  readonly schema: ModelSchema;
  readonly binding: Binding;
  readonly make: Instantiate;
}

/** Resolves a model class on use (metadata errors surface here) and checks its stored index definitions. */
export async function contextOf(cls: Function): Promise<ModelContext> {
  const schema = schemaOf(cls);
  const binding = bindingFor(schema);
  await checkDefinitions(schema, binding);
  const fromRecord = (cls as unknown as { fromRecord(pk: unknown, record: unknown): object }).fromRecord;
  return { schema, binding, make: (pk, record) => fromRecord.call(cls, pk, record) };
}
