/**
 * `new User({ ... })` must let passed fields win over field initializers. With
 * `useDefineForClassFields: false` the initializers run in the subclass constructor after
 * `super()` returns, so the base constructor cannot simply assign. It learns once per class which
 * fields the subclass initializes (by building a blank instance), then guards exactly those
 * fields so that the initializer's one write is swallowed and the passed value stays.
 */

import { closest } from '../options.js';

/** Passed to a model constructor to build a blank instance (initializers only). */
export const BLANK: unique symbol = Symbol('skyshelve.blank');
const PROBE: unique symbol = Symbol('skyshelve.probe');

interface Plan {
  /** Fields that subclass constructors write after super(). */
  readonly initialized: ReadonlySet<string>;
  /** 'set': initializers assign (TS default with useDefineForClassFields false); 'define': they define. */
  readonly semantics: 'set' | 'define';
}

const plans = new WeakMap<Function, Plan>();
let probe: { keys: readonly string[]; hits: Set<string> } | undefined;

/** A blank instance of a model class (initializers only), or undefined if its constructor throws. */
export function blankInstance(cls: Function): object | undefined {
  try {
    return Reflect.construct(cls, [BLANK]) as object;
  } catch {
    return undefined;
  }
}

/** Applies the constructor argument of a model; returns the object the constructor must return. */
export function initialize<T extends object>(self: T, cls: Function, init: unknown): T {
  if (init === BLANK || init === undefined || init === null) return self;
  if (init === PROBE) return armProbe(self);
  if (typeof init !== 'object') throw new TypeError(`init must be an object of field values for ${cls.name}, got ${typeof init}`);
  const plan = planFor(cls);
  if (plan.semantics === 'define') rejectUnknownFields(cls, plan, init);
  const pending = new Map<string, unknown>();
  for (const [k, v] of Object.entries(init)) {
    if (plan.initialized.has(k)) pending.set(k, v);
    else (self as Record<string, unknown>)[k] = v;
  }
  if (pending.size === 0) return self;
  if (plan.semantics === 'set') {
    for (const [k, v] of pending) guardOnce(self, k, v);
    return self;
  }
  return guardDefines(self, pending);
}

/**
 * With define semantics (useDefineForClassFields: true, or JavaScript class fields) every declared
 * field is an own property of a blank instance, so a passed field that is not one of them is a
 * mistake: a TypeError naming it. With set semantics a declared field without decorator or
 * initializer is invisible at run time, so nothing can be rejected there (the typed constructor is the check).
 */
function rejectUnknownFields(cls: Function, plan: Plan, init: object): void {
  const unknown = Object.keys(init).filter((k) => !plan.initialized.has(k));
  if (unknown.length === 0) return;
  const fields = [...plan.initialized];
  const hints = unknown.map((k) => {
    const hint = closest(k, fields);
    return `'${k}'${hint ? ` (did you mean '${hint}'?)` : ''}`;
  });
  throw new TypeError(
    `init of ${cls.name} has ${hints.join(', ')}, not ${unknown.length === 1 ? 'a field' : 'fields'} of ${cls.name} (its fields: ${fields.join(', ')})`,
  );
}

function planFor(cls: Function): Plan {
  let plan = plans.get(cls);
  if (plan) return plan;
  const blank = blankInstance(cls);
  const keys = blank ? Object.keys(blank) : [];
  let semantics: Plan['semantics'] = 'set';
  if (keys.length > 0) {
    probe = { keys, hits: new Set() };
    try {
      Reflect.construct(cls, [PROBE]);
      if (probe.hits.size < keys.length) semantics = 'define';
    } catch {
      // Keep 'set': the blank construction worked, so this is unexpected; plain assignment is the safe side.
    } finally {
      probe = undefined;
    }
  }
  plan = { initialized: new Set(keys), semantics };
  plans.set(cls, plan);
  return plan;
}

function armProbe<T extends object>(self: T): T {
  const p = probe;
  if (!p) return self;
  for (const k of p.keys) {
    Object.defineProperty(self, k, {
      configurable: true,
      enumerable: true,
      get: () => undefined,
      set(v: unknown) {
        p.hits.add(k);
        Object.defineProperty(this, k, { value: v, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  return self;
}

/** An accessor that swallows the initializer's single write, then becomes a plain field. */
function guardOnce(self: object, key: string, value: unknown): void {
  Object.defineProperty(self, key, {
    configurable: true,
    enumerable: true,
    get: () => value,
    set(this: object) {
      Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
    },
  });
}

/** For classes compiled with define semantics: a proxy that keeps passed values on the first define. */
function guardDefines<T extends object>(self: T, pending: Map<string, unknown>): T {
  for (const [k, v] of pending) (self as Record<string, unknown>)[k] = v;
  return new Proxy(self, {
    defineProperty(target, key, desc) {
      if (typeof key === 'string' && pending.has(key) && 'value' in desc) {
        const value = pending.get(key);
        pending.delete(key);
        return Reflect.defineProperty(target, key, { ...desc, value });
      }
      return Reflect.defineProperty(target, key, desc);
    },
  });
}
