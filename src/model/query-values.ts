/** Query arguments as index values: scalars, tuples (a leading part of a compound index's tuple), range bounds. */
import { SkyshelveError } from '../errors.js';
import { toIndexValue, type IndexScalar, type IndexValue } from './index-values.js';
import type { ModelSchema } from './schema.js';

/**
 * One query value: a scalar as `toIndexValue` takes it, or an array of them, which matches every
 * tuple that starts with those elements. A range bound (`bound`) may also hold ±Infinity, which
 * sorts before and after every number.
 */
export function queryValue(schema: ModelSchema, index: string, v: unknown, bound = false): IndexValue {
  const one = (x: unknown): IndexScalar => (bound && (x === Infinity || x === -Infinity) ? (x as number) : toIndexValue(schema.name, index, x));
  if (!Array.isArray(v)) return one(v);
  if (v.length === 0) {
    throw new SkyshelveError('INDEX', `${schema.name}: a query value for index '${index}' is an empty tuple; give at least its first element`, { details: { model: schema.name, index } });
  }
  const parts = v.map((x) => {
    if (Array.isArray(x)) throw new TypeError(`value for index '${index}' of ${schema.name} must be a scalar or a flat tuple; got a nested array`);
    return one(x);
  });
  return parts.length === 1 ? parts[0]! : parts;
}
