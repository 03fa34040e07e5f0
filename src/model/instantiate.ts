/**
 * Stored record bytes to a model instance: `make(pk, decodeRecord(...))`. When the model's
 * fromRecord has a declared fields form (PersistentBaseModel's does: base-model.ts), a flat record
 * goes from its bytes to the instance without the plain record object in between.
 */
import type { KeyPart } from '../codec/keys.js';
import { decodeEnvelope, decodeRecord } from './layout.js';
import type { Instantiate } from './read.js';
import { MISS, decodeEnvelopeFields } from './record-decode.js';
import type { ModelSchema } from './schema.js';

/** fromRecord of `cls` for a record given as `[key, value, ...]`; undefined when fromRecord itself must run. */
type FieldsForm = (cls: Function, key: KeyPart, fields: readonly unknown[]) => object | undefined;

const fieldForms = new WeakMap<Function, FieldsForm>();
// The model class of a makerOf function, as a property of it (one monomorphic load, where a WeakMap costs a lookup per record).
const CLASS: unique symbol = Symbol('skyshelve.class');
type Maker = Instantiate & { readonly [CLASS]?: Function };

/** Declares that `method` (a model class's static fromRecord) can be answered by `form`. */
export function answerFromRecordWith(method: Function, form: FieldsForm): void {
  fieldForms.set(method, form);
}

/** The Instantiate of a model class: its fromRecord, looked up on each call so that a later replacement is honoured. */
export function makerOf(cls: Function): Instantiate {
  const model = cls as unknown as { fromRecord(pk: unknown, record: unknown): object };
  const make: Instantiate = (pk, record) => model.fromRecord(pk, record);
  Object.defineProperty(make, CLASS, { value: cls });
  return make;
}

/** `make(pk, decodeRecord(schema.name, pk, bytes))`, the same instance and errors. */
export function instantiate(schema: ModelSchema, make: Instantiate, pk: KeyPart, bytes: Uint8Array): object {
  const cls = (make as Maker)[CLASS];
  const form = cls === undefined ? undefined : fieldForms.get((cls as unknown as { fromRecord: Function }).fromRecord);
  if (form !== undefined) {
    const fields = decodeEnvelopeFields(bytes);
    if (Array.isArray(fields)) return form(cls!, pk, fields) ?? make(pk, recordOf(fields));
    // Outside the fast subset (MISS is returned only then): straight to the general decoder.
    if (fields === MISS) return make(pk, decodeEnvelope(schema.name, pk, bytes, false).record);
  }
  return make(pk, decodeRecord(schema.name, pk, bytes));
}

/** The record object of `[key, value, ...]`. */
function recordOf(fields: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i += 2) out[fields[i] as string] = fields[i + 1];
  return out;
}
