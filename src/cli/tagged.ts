/**
 * Tagged JSON: plain JSON for what JSON can hold, and one-key `{"$tag": ...}` objects for what it
 * cannot (bytes, Date, Map, Set, BigInt, undefined, non-finite numbers, -0). The CLI prints values
 * this way and the export format (docs/CLI.md) is built on it. It never executes anything.
 */

/** How bytes are written: `{"$bytes": base64}` (default) or `{"$hex": hex}`. Both are read back. */
export type BytesFormat = 'base64' | 'hex';

/** Thrown for a value that tagged JSON cannot hold (a class instance, a typed array other than bytes, ...). */
export class UntaggableError extends Error {}

/** Turns a decoded value into JSON-safe data; throws UntaggableError for anything it cannot hold losslessly. */
export function toTagged(value: unknown, bytes: BytesFormat = 'base64'): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Object.is(value, -0)) return { $number: '-0' };
      return Number.isFinite(value) ? value : { $number: String(value) };
    case 'bigint':
      return { $bigint: value.toString() };
    case 'undefined':
      return { $undefined: true };
    case 'object':
      return value === null ? null : objectToTagged(value, bytes);
    default:
      throw new UntaggableError(`a ${typeof value} cannot be exported`);
  }
}

function objectToTagged(value: object, bytes: BytesFormat): unknown {
  if (value instanceof Uint8Array && (value.constructor === Uint8Array || Buffer.isBuffer(value))) {
    return bytes === 'hex'
      ? { $hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') }
      : { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  if (value instanceof Map) return { $map: Array.from(value, ([k, v]) => [toTagged(k, bytes), toTagged(v, bytes)]) };
  if (value instanceof Set) return { $set: Array.from(value, (v) => toTagged(v, bytes)) };
  if (Array.isArray(value)) {
    // Holes and extra properties would be lost, so such arrays fall back to raw bytes.
    if (Object.keys(value).length !== value.length) throw new UntaggableError('a sparse array cannot be exported');
    return value.map((v) => toTagged(v, bytes));
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new UntaggableError(`a ${value.constructor?.name ?? 'object'} cannot be exported`);
  const out: Record<string, unknown> = {};
  let dollar = false;
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) dollar = true;
    setOwn(out, k, toTagged(v, bytes));
  }
  // An object with a `$` key could be mistaken for a tag, so it is wrapped.
  return dollar ? { $object: out } : out;
}

/** Turns tagged JSON data back into values; throws a TypeError naming `where` for a malformed tag. */
export function fromTagged(data: unknown, where = 'value'): unknown {
  return resolveFast(data, where, false);
}

/**
 * fromTagged for data fresh from JSON.parse that nobody else holds: objects and arrays are reused
 * and their tags replaced in place (an import resolves one such tree per line, and copying each
 * object was a large part of its garbage).
 */
export function fromParsedTagged(data: unknown, where = 'value'): unknown {
  return resolveFast(data, where, true);
}

function resolveFast(data: unknown, where: string, inPlace: boolean): unknown {
  try {
    // The first pass builds no location strings (they cost more than the rest of an import's line);
    // only a failure walks again, copying and with locations, for the message.
    return resolve(data, undefined, inPlace);
  } catch (err) {
    if (err instanceof TypeError) return resolve(data, where, false);
    throw err;
  }
}

/** `where` is undefined on the fast pass: then no location is built. */
function resolve(data: unknown, where: string | undefined, inPlace: boolean): unknown {
  if (data === null || typeof data !== 'object') return data;
  if (Array.isArray(data)) {
    if (!inPlace) return data.map((v, i) => resolve(v, where && `${where}[${i}]`, false));
    for (let i = 0; i < data.length; i++) data[i] = resolve(data[i], undefined, true);
    return data;
  }
  const keys = Object.keys(data);
  const o = data as Record<string, unknown>;
  if (keys.length === 1 && keys[0]!.startsWith('$')) return fromTag(keys[0]!, o[keys[0]!], where, inPlace);
  const out: Record<string, unknown> = inPlace ? o : {};
  for (const k of keys) {
    const v = o[k];
    const r = resolve(v, where && `${where}.${k}`, inPlace);
    if (r !== v || !inPlace) setOwn(out, k, r);
  }
  return out;
}

/** Defines an own property, so a key such as "__proto__" stays data and never changes the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Plain assignment creates an own data property for every other key: Object.prototype's only
  // accessor is __proto__, and it has no read-only properties.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function fromTag(tag: string, body: unknown, where: string | undefined, inPlace: boolean): unknown {
  const bad = (what: string) => new TypeError(`${where}: ${tag} ${what}`);
  switch (tag) {
    case '$bytes':
      if (typeof body !== 'string') throw bad('needs a base64 string');
      return Buffer.from(body, 'base64');
    case '$hex':
      if (typeof body !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(body)) throw bad('needs an even-length hex string');
      return Buffer.from(body, 'hex');
    case '$date':
      if (body === null) return new Date(NaN);
      if (typeof body !== 'string' && typeof body !== 'number') throw bad('needs an ISO date string');
      return new Date(body);
    case '$bigint':
      if (typeof body !== 'string' || !/^-?\d+$/.test(body)) throw bad('needs a string of digits');
      return BigInt(body);
    case '$number':
      if (body === '-0') return -0;
      if (body === 'NaN' || body === 'Infinity' || body === '-Infinity') return Number(body);
      throw bad("needs 'NaN', 'Infinity', '-Infinity' or '-0'");
    case '$undefined':
      return undefined;
    case '$map':
      if (!Array.isArray(body) || !body.every((p) => Array.isArray(p) && p.length === 2)) throw bad('needs a list of [key, value] pairs');
      return new Map(body.map(([k, v], i) => [resolve(k, where && `${where}.$map[${i}][0]`, inPlace), resolve(v, where && `${where}.$map[${i}][1]`, inPlace)]));
    case '$set':
      if (!Array.isArray(body)) throw bad('needs a list');
      return new Set(body.map((v, i) => resolve(v, where && `${where}.$set[${i}]`, inPlace)));
    case '$object': {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('needs an object');
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(body)) setOwn(out, k, resolve(v, where && `${where}.${k}`, inPlace));
      return out;
    }
    default:
      throw new TypeError(`${where}: unknown tag ${tag} (wrap objects with $ keys in {"$object": ...})`);
  }
}

/** Parses a JSON text and resolves its tags; throws a TypeError naming `where` when it is not JSON. */
export function parseTagged(text: string, where: string): unknown {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TypeError(`${where} is not valid JSON (${(err as Error).message})`);
  }
  return fromParsedTagged(data, where);
}
