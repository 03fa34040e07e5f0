import { instanceToPlain, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import { SkyshelveError, describeKey } from '../errors.js';
import { initialize } from './construct.js';
import { PersistentObject } from './persistent-object.js';
import { toInstance } from './plain-copy.js';
import { MODEL_KIND, schemaOf } from './schema.js';
import type { ModelKey } from './types.js';

/**
 * A decorated model: fields are the record (class-transformer turns it into plain data and back),
 * class-validator checks it on save, `@Key` names the primary key field (default 'id').
 */
export abstract class PersistentBaseModel<I extends string = string> extends PersistentObject<I> {
  /** Builds an instance; the fields you pass override field initializers, the others keep them. */
  constructor(init?: object) {
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

  /** The instance as plain data, through class-transformer (honours @Exclude, @Type, @Transform). */
  override toRecord(): unknown {
    return instanceToPlain(this);
  }

  /** class-validator errors; empty when valid. */
  override async validate(): Promise<unknown[]> {
    return validate(this, { forbidUnknownValues: false, validationError: { target: false } });
  }

  /** Rebuilds an instance with class-transformer, so nested @Type classes and Dates come back. */
  static override fromRecord(key: any, record: any): PersistentObject {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new SkyshelveError('DECODE', `${this.name} record ${describeKey(key)} is not an object`, { details: { model: this.name, key } });
    }
    // plainToInstance, with a fast path for flat records of metadata-free classes (plain-copy.ts).
    const obj = toInstance(this as unknown as ClassConstructor<PersistentBaseModel>, record as Record<string, unknown>);
    const field = schemaOf(this).keyField!;
    const fields = obj as unknown as Record<string, unknown>;
    if (fields[field] === undefined) fields[field] = key;
    return obj;
  }
}

Object.defineProperty(PersistentBaseModel, MODEL_KIND, { value: 'model', writable: false });
