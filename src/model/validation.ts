/**
 * class-validator's `validate` for model instances, skipped where it cannot find anything: a class
 * that neither it nor any ancestor has validation metadata for. class-validator then builds an
 * executor, collects the class's metadata by walking every registered target (a cost that grows
 * with the number of validated classes in the program) and returns no errors (with
 * forbidUnknownValues false, as here). The answer is kept per class while class-validator's
 * storage holds the same number of targets: metadata for a class that had none adds a target.
 */
import { createRequire } from 'node:module';
import { Validator, getFromContainer, getMetadataStorage, validate, type ValidationError } from 'class-validator';

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
const syncForms = new WeakMap<Function, (obj: object) => unknown[] | Promise<unknown[]> | undefined>();

/** Declares that `method` (a model class's validate) can be answered by `form` without a promise. */
export function answerValidateWith(method: Function, form: (obj: object) => unknown[] | Promise<unknown[]> | undefined): void {
  syncForms.set(method, form);
}

/**
 * The errors `obj.validate()` would resolve to, without a promise when that is known at once (or
 * the promise of a form that ran instead of it); undefined when validate() itself must run.
 */
export function validateNow(obj: { validate(): unknown }): unknown[] | Promise<unknown[]> | undefined {
  const method = obj.validate;
  return typeof method === 'function' ? syncForms.get(method)?.(obj) : undefined;
}

/** What validate() runs inside (class-validator 0.14 and 0.15, cjs/validation/ValidationExecutor.js). */
interface Executor {
  awaitingPromises: Promise<unknown>[];
  execute(obj: object, schema: undefined, errors: ValidationError[]): void;
  stripEmptyErrors(errors: ValidationError[]): ValidationError[];
}
type ExecutorClass = new (validator: Validator, options: typeof OPTIONS) => Executor;

/** class-validator's executor, or undefined when its layout changed (validate() is used then). */
function loadExecutor(): ExecutorClass | undefined {
  try {
    const cls = createRequire(import.meta.url)('class-validator/cjs/validation/ValidationExecutor.js').ValidationExecutor;
    const proto = typeof cls === 'function' ? cls.prototype : undefined;
    return typeof proto?.execute === 'function' && typeof proto.stripEmptyErrors === 'function' ? cls : undefined;
  } catch {
    return undefined;
  }
}
const EXECUTOR = loadExecutor();

/**
 * validateModel without a promise when it can: no errors for a class with nothing to validate;
 * otherwise the same steps as class-validator's validate() (an executor runs every constraint
 * synchronously and collects the promises of async ones), answered at once when no constraint was
 * async, else the promise validate() would give. Undefined when the executor is not available.
 */
export function validateModelNow(obj: object): ValidationError[] | Promise<ValidationError[]> | undefined {
  if (hasNoValidation(obj.constructor)) return NONE.slice();
  if (EXECUTOR === undefined) return undefined;
  const executor = new EXECUTOR(getFromContainer(Validator), OPTIONS);
  const errors: ValidationError[] = [];
  executor.execute(obj, undefined, errors);
  if (executor.awaitingPromises.length === 0) return executor.stripEmptyErrors(errors);
  return Promise.all(executor.awaitingPromises).then(() => executor.stripEmptyErrors(errors));
}
