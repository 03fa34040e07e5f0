/**
 * Encode-side check of a value before cbor-x sees it: rejects what the CBOR profile cannot hold
 * (functions, symbols, cycles, typed arrays...) with a TypeError naming where it sits, and turns
 * class instances into plain objects of their own enumerable properties (docs/FORMAT.md, "Values").
 */
import { isWellFormed } from './helpers.js';
import { describeType } from '../options.js';

/**
 * Deepest nesting of arrays, objects, maps and sets a value may have. cbor-x encodes and decodes
 * recursively and a nested Set already overflows Node's default stack at about 850 levels; 256
 * leaves room for callers that are themselves deep in the stack.
 */
export const MAX_DEPTH = 256;
/** Largest BigInt magnitude, in bytes; bigger ones make bignum conversion quadratic. */
export const MAX_BIGINT_BYTES = 1024;

const TWO_64 = 1n << 64n;
// Where the walk is, formatted only when something fails: a number is an array index, a string an
// object key, and a { label } entry a position inside a Map or Set.
const path: (string | number | { label: string })[] = [];
// The containers on the way down, for the cycle check. An array scanned from the end: a value is
// rarely deeper than a few levels, and a Set's hashing of every container (V8 gives each object an
// identity hash on first use) cost as much as the rest of the walk (~0.4 against ~0.2 µs for a
// small record).
const ancestors: object[] = [];
let rootName = 'value';

/** Returns `value` ready for cbor-x (the same object unless something had to become a plain copy). */
export function prepareValue(value: unknown, argName: string): unknown {
  rootName = argName;
  try {
    return walk(value, 0);
  } finally {
    path.length = 0;
    ancestors.length = 0;
  }
}

function fail(problem: string): never {
  throw new TypeError(`${rootName}${path.map(formatStep).join('')} ${problem}`);
}

function formatStep(step: string | number | { label: string }): string {
  if (typeof step === 'number') return `[${step}]`;
  if (typeof step === 'string') return /^[A-Za-z_$][\w$]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
  return `[${step.label}]`;
}

function walk(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) fail('is a string with a lone surrogate; it has no UTF-8 form and cannot be stored');
      return value;
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      if ((value >= TWO_64 || value < -TWO_64) && (value < 0n ? -value : value).toString(16).length > 2 * MAX_BIGINT_BYTES) {
        fail(`is a BigInt larger than ${MAX_BIGINT_BYTES} bytes; store it as a string instead`);
      }
      return value;
    case 'function':
      return fail('is a function; functions cannot be stored');
    case 'symbol':
      return fail('is a symbol; symbols cannot be stored');
  }
  if (value === null || value instanceof Uint8Array || value instanceof Date) return value;
  return walkContainer(value as object, depth + 1);
}

function walkContainer(value: object, depth: number): unknown {
  if (depth > MAX_DEPTH) fail(`is nested more than ${MAX_DEPTH} levels deep`);
  for (let i = ancestors.length - 1; i >= 0; i--) {
    if (ancestors[i] === value) fail('refers back to one of its own ancestors; cyclic structures cannot be stored');
  }
  ancestors.push(value);
  let result: unknown;
  if (Array.isArray(value)) result = walkArray(value, depth);
  else if (value instanceof Map) result = walkMap(value, depth);
  else if (value instanceof Set) result = walkSet(value, depth);
  else {
    const proto = Object.getPrototypeOf(value);
    const plain = proto === Object.prototype || proto === null;
    if (!plain) rejectBuiltin(value);
    result = walkObject(value as Record<string, unknown>, depth, !plain);
  }
  ancestors.pop();
  return result;
}

/** Built-ins whose own enumerable properties would silently lose everything they hold. */
function rejectBuiltin(value: object): void {
  const name = describeType(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    fail(`is a ${name}; only Buffer/Uint8Array bytes can be stored (convert it to a Buffer or an array)`);
  }
  if (
    value instanceof Error ||
    value instanceof RegExp ||
    value instanceof Promise ||
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof WeakRef ||
    value instanceof Number ||
    value instanceof String ||
    value instanceof Boolean
  ) {
    fail(`is a ${name}, which has no stored form; convert it to plain data first`);
  }
}

function walkArray(array: unknown[], depth: number): unknown[] {
  // Array subclasses become plain arrays: cbor-x would write them as indefinite-length arrays.
  let copy: unknown[] | undefined = Object.getPrototypeOf(array) === Array.prototype ? undefined : [];
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    path.push(i);
    const out = walk(item, depth);
    path.pop();
    if (out !== item && copy === undefined) copy = array.slice(0, i);
    if (copy !== undefined) copy[i] = out;
  }
  return copy ?? array;
}

function walkObject(object: Record<string, unknown>, depth: number, forceCopy: boolean): unknown {
  const keys = Object.keys(object);
  let copy: Record<string, unknown> | undefined = forceCopy ? {} : undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === '__proto__') fail('has an own property named "__proto__", which cannot be stored safely');
    const item = object[key];
    path.push(key);
    const out = walk(item, depth);
    path.pop();
    if (out !== item && copy === undefined) {
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j]] = object[keys[j]];
    }
    if (copy !== undefined) copy[key] = out;
  }
  return copy ?? object;
}

function walkMap(map: Map<unknown, unknown>, depth: number): Map<unknown, unknown> {
  // Map subclasses become Maps: cbor-x would write them as arrays of entries.
  let changed = Object.getPrototypeOf(map) !== Map.prototype;
  const entries: [unknown, unknown][] = [];
  let i = 0;
  for (const [key, item] of map) {
    path.push({ label: `map key ${i}` });
    const outKey = walk(key, depth);
    path[path.length - 1] = { label: `map value ${i}` };
    const outItem = walk(item, depth);
    path.pop();
    if (outKey !== key || outItem !== item) changed = true;
    entries.push([outKey, outItem]);
    i++;
  }
  return changed ? new Map(entries) : map;
}

function walkSet(set: Set<unknown>, depth: number): Set<unknown> {
  let changed = false;
  const items: unknown[] = [];
  let i = 0;
  for (const item of set) {
    path.push({ label: `set item ${i++}` });
    const out = walk(item, depth);
    path.pop();
    if (out !== item) changed = true;
    items.push(out);
  }
  return changed ? new Set(items) : set;
}
