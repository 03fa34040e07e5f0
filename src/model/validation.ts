/**
 * class-validator's `validate` for model instances, skipped where it cannot find anything: a class
 * that neither it nor any ancestor has validation metadata for. class-validator then builds an
 * executor, collects the class's metadata by walking every registered target (a cost that grows
 * with the number of validated classes in the program) and returns no errors (with
 * forbidUnknownValues false, as here). The answer is kept per class while class-validator's
 * storage holds the same number of targets: metadata for a class that had none adds a target.
 */
import { getMetadataStorage, validate, type ValidationError } from 'class-validator';

const OPTIONS = { forbidUnknownValues: false, validationError: { target: false } } as const;
const NONE: ValidationError[] = [];

/** The targets class-validator holds metadata for (a Map in 0.14 and 0.15); undefined if that changed. */
function targetCount(): number | undefined {
  const map = (getMetadataStorage() as unknown as { validationMetadatas?: unknown }).validationMetadatas;
  return map instanceof Map ? map.size : undefined;
}

// Class -> the target count at which it was seen to have no validation metadata.
const unvalidated = new WeakMap<Function, number>();

/** True when class-validator has no metadata for `cls` or an ancestor (exported for the spec). */
export function hasNoValidation(cls: Function): boolean {
  const count = targetCount();
  if (count === undefined) return false;
  if (unvalidated.get(cls) === count) return true;
  const none = getMetadataStorage().getTargetValidationMetadatas(cls, undefined as unknown as string, false, false).length === 0;
  if (none) unvalidated.set(cls, count);
  return none;
}

/** Exactly `validate(obj, OPTIONS)`: the class-validator errors of a model instance, empty when valid. */
export function validateModel(obj: object): Promise<ValidationError[]> {
  if (hasNoValidation(obj.constructor)) return Promise.resolve(NONE.slice());
  return validate(obj, OPTIONS);
}

// validate() implementations whose answer can be given without a promise: the method -> a function
// giving the errors synchronously, or undefined when the method must run.
const syncForms = new WeakMap<Function, (obj: object) => unknown[] | undefined>();

/** Declares that `method` (a model class's validate) can be answered by `form` without a promise. */
export function answerValidateWith(method: Function, form: (obj: object) => unknown[] | undefined): void {
  syncForms.set(method, form);
}

/** The errors `obj.validate()` would resolve to, when that is known without running it; else undefined. */
export function validateNow(obj: { validate(): unknown }): unknown[] | undefined {
  const method = obj.validate;
  return typeof method === 'function' ? syncForms.get(method)?.(obj) : undefined;
}

/** The synchronous form of validateModel: no errors for a class with nothing to validate, else undefined. */
export function validateModelNow(obj: object): unknown[] | undefined {
  return hasNoValidation(obj.constructor) ? NONE.slice() : undefined;
}
