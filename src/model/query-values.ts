/** Query arguments as index values: scalars, tuples (a leading part of a compound index's tuple), range bounds. */
import { SkyshelveError } from '../errors.js';
import { describeType } from '../options.js';
import { toIndexValue, type IndexScalar, type IndexValue } from './index-values.js';
import { kindOf, type ModelSchema } from './schema.js';

/**
 * One query value: a scalar as `toIndexValue` takes it, or an array of them, which matches every
 * tuple that starts with those elements. A range bound (`bound`) may also hold ±Infinity, which
 * sorts before and after every number.
 */
export function queryValue(schema: ModelSchema, index: string, v: unknown, argName = 'value', bound = false): IndexValue {
  if (!Array.isArray(v)) checkKind(schema, index, v, argName);
  const one = (x: unknown): IndexScalar => (bound && (x === Infinity || x === -Infinity) ? (x as number) : toIndexValue(schema.name, index, x));
  if (!Array.isArray(v)) return one(v);
  if (v.length === 0) {
    throw new SkyshelveError('INDEX', `${schema.name}: a query value for index '${index}' is an empty tuple; give at least its first element`, {
      details: { model: schema.name, index },
    });
  }
  const parts = v.map((x) => {
    if (Array.isArray(x)) throw new TypeError(`value for index '${index}' of ${schema.name} must be a scalar or a flat tuple; got a nested array`);
    return one(x);
  });
  return parts.length === 1 ? parts[0]! : parts;
}

/**
 * On a property index whose declared type fixes the kind of its values, a query value of another
 * kind could never match (a string bound on a number index would silently give []), so it is a
 * TypeError naming the argument.
 */
function checkKind(schema: ModelSchema, index: string, v: unknown, argName: string): void {
  const want = schema.byName.get(index)?.valueKind;
  const got = kindOf(v);
  if (want === undefined || got === undefined || got === want) return;
  const field = schema.byName.get(index)!.field;
  const kind = want === 'number' ? 'a number, Date or boolean' : want === 'string' ? 'a string' : 'bytes';
  throw new TypeError(`${argName} of ${schema.name}'s index '${index}' must be ${kind} (${schema.name}.${field} is declared so); got ${describeType(v)}`);
}
