import { bindingFor, type Binding } from './binding.js';
import { makerOf } from './instantiate.js';
import { checkDefinitions } from './maintenance.js';
import type { Instantiate } from './read.js';
import { schemaOf, type ModelSchema } from './schema.js';

/** Everything an operation needs: the checked schema, the binding and the record-to-instance function. */
export interface ModelContext {
  readonly schema: ModelSchema;
  readonly binding: Binding;
  readonly make: Instantiate;
}

// Contexts whose stored definitions were checked: later operations take them without a promise turn.
const ready = new WeakMap<ModelSchema, ModelContext>();

/** Resolves a model class on use (metadata errors surface here) and checks its stored index definitions. */
export async function contextOf(cls: Function): Promise<ModelContext> {
  const schema = schemaOf(cls);
  const known = ready.get(schema);
  if (known) return known;
  const binding = bindingFor(schema);
  await checkDefinitions(schema, binding);
  const ctx: ModelContext = { schema, binding, make: makerOf(cls) };
  ready.set(schema, ctx);
  return ctx;
}

/**
 * The context of a class already checked by contextOf, or undefined; synchronous, for the hot
 * paths (`readyContext(cls) ?? (await contextOf(cls))`). A class whose metadata changed since has
 * a new schema, so it goes through contextOf again. Throws METADATA like contextOf.
 */
export function readyContext(cls: Function): ModelContext | undefined {
  return ready.get(schemaOf(cls));
}
