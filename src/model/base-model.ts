import type { ClassConstructor } from 'class-transformer';
import { ModelErrors } from './model-errors.js';
import { initialize } from './construct.js';
import { PersistentObject } from './persistent-object.js';
import { answerFromRecordWith } from './instantiate.js';
import { fieldsToInstance, toInstance, toPlain } from './plain-copy.js';
import { MODEL_KIND, schemaOf } from './schema.js';
import type { ModelInit, ModelKey } from './types.js';
import { answerValidateWith, validateModel, validateModelNow } from './validation.js';

/**
 * A decorated model: fields are the record (class-transformer turns it into plain data and back),
 * class-validator checks it on save, `@Key` names the primary key field (default 'id').
 * `I` names its indexes; `M`, the model class itself (`class Post extends PersistentBaseModel<'title', Post>`),
 * types the constructor with the model's own fields, so a misspelled field does not compile.
 */
export abstract class PersistentBaseModel<I extends string = string, M extends object = object> extends PersistentObject<I> {
  /**
   * Builds an instance; the fields you pass override field initializers, the others keep them.
   * At run time, with define semantics (useDefineForClassFields: true) an undeclared field is a
   * TypeError; with set semantics every field passed is kept, since an undecorated field without an
   * initializer is invisible then, so the `M` type is the check.
   */
  constructor(init?: ModelInit<M>) {
    super();
    return initialize(this, new.target, init);
  }

  /** The value of the @Key field. */
  override get key(): ModelKey {
    return (this as unknown as Record<string, ModelKey>)[schemaOf(this.constructor).keyField!];
  }

  // For models whose key field is itself named `key`: the field shadows this accessor.
  override set key(value: ModelKey) {
    Object.defineProperty(this, 'key', { value, writable: true, enumerable: true, configurable: true });
  }

  /** The instance as plain data, through class-transformer (honours @Exclude, @Type, @Transform; plain-copy.ts skips it where that changes nothing). */
  override toRecord(): unknown {
    return toPlain(this);
  }

  /** class-validator errors; empty when valid (validation.ts skips it for classes it has nothing to check on). */
  override validate(): Promise<unknown[]> {
    return validateModel(this);
  }

  /** Rebuilds an instance with class-transformer, so nested @Type classes and Dates come back. */
  static override fromRecord(key: any, record: any): PersistentObject {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw ModelErrors.badRecord(this.name, key, 'is not an object');
    }
    // plainToInstance, with a fast path for flat records of metadata-free classes (plain-copy.ts).
    const obj = toInstance(this as unknown as ClassConstructor<PersistentBaseModel>, record as Record<string, unknown>);
    const field = schemaOf(this).keyField!;
    const fields = obj as unknown as Record<string, unknown>;
    if (fields[field] === undefined) fields[field] = key;
    return obj;
  }
}

/** PersistentBaseModel.fromRecord of a record given as fields (instantiate.ts), when the plain copy applies. */
function fromFields(cls: Function, key: unknown, fields: readonly unknown[]): object | undefined {
  const obj = fieldsToInstance(cls as ClassConstructor<PersistentBaseModel>, fields) as Record<string, unknown> | undefined;
  if (obj === undefined) return undefined;
  const field = schemaOf(cls).keyField!;
  if (obj[field] === undefined) obj[field] = key;
  return obj;
}

Object.defineProperty(PersistentBaseModel, MODEL_KIND, { value: 'model', writable: false });
// A save of a class with nothing to validate then skips the promise of validate() (write.ts prepare).
answerValidateWith(PersistentBaseModel.prototype.validate, validateModelNow);
// A load of a flat record then builds the instance straight from the stored fields (instantiate.ts).
answerFromRecordWith(PersistentBaseModel.fromRecord, fromFields);
