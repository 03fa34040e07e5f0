/**
 * Named factories for the model layer's errors that are raised in more than one place, so each
 * code keeps one wording and one shape of `details`.
 */
import type { KeyPart } from '../codec/keys.js';
import { SkyshelveError, describeKey } from '../errors.js';

/** The model layer's error factories. */
export const ModelErrors = {
  /** DECODE: a stored record of `model` at `key` cannot be turned back into an instance. */
  badRecord: (model: string, key: unknown, why: string, cause?: unknown) =>
    new SkyshelveError('DECODE', `${model} record ${describeKey(key)} ${why}`, { ...(cause === undefined ? {} : { cause }), details: { model, key } }),
  /** VALIDATION: the instance's primary key field holds no usable key; nothing is written. */
  badPrimaryKey: (model: string, field: string, why: string, constraint: string, rule: string) =>
    new SkyshelveError('VALIDATION', `${model}.${field} (the primary key) ${why}`, {
      details: { model, errors: [{ property: field, constraints: { [constraint]: `${field} ${rule}` } }] },
    }),
  /** KEY_CHANGED: an update's mutator moved the record to another key; nothing is written. */
  keyChanged: (model: string, from: KeyPart, to: KeyPart) =>
    new SkyshelveError(
      'KEY_CHANGED',
      `${model}.update: the mutator changed the key from ${describeKey(from)} to ${describeKey(to)}; update cannot move a record (save the new one and delete the old one instead). Nothing was written.`,
      {
        details: { model, from, to },
      },
    ),
};
