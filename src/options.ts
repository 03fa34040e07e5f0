import type { BadgerTuning } from './backend/badger.js';
import type { Key } from './codec/keys.js';

/** Options accepted by `new SkyShelve(location, options)` and `SkyShelve.open`. */
export interface SkyShelveOptions<V = unknown> {
  /** Keep everything in memory (Badger only); nothing is written to disk. */
  inMemory?: boolean;
  /** Explicit path of libskyshelve.so, tried before every other location. */
  libPath?: string;
  /** Serialize values that are not strings or bytes with CBOR (default true). */
  autoSerialize?: boolean;
  /** Called once for a missing key on `get`; its result is stored and returned. */
  defaultFactory?: (key: Key) => V | Promise<V>;
  /** Badger: fsync every write (default false: writes survive a process crash, not a power loss). */
  syncWrites?: boolean;
  /**
   * Badger: refuse to share the directory with other processes (default false). By default every
   * process that opens a directory shares it: the first one owns Badger and serves the others over
   * a Unix socket. With `exclusive: true` the open fails with LOCKED while another process holds the
   * directory, and other processes get LOCKED while this store is open.
   */
  exclusive?: boolean;
  /** SlateDB: open a read replica; every write rejects with READ_ONLY. */
  readOnly?: boolean;
  /** SlateDB: every write waits until it is durable in the object store (default false). */
  durable?: boolean;
  /** SlateDB readers: how often to look for new data, in milliseconds (default 200). */
  pollIntervalMs?: number;
  /** Give up opening after this many milliseconds: SlateDB with TIMEOUT (default 60,000); Badger
   * when no owning process could be reached or elected, with UNAVAILABLE (default 10,000). */
  openTimeoutMs?: number;
  /** Badger client of another process: a request the owner does not answer in this many
   * milliseconds rejects with TIMEOUT (default 10,000). */
  requestTimeoutMs?: number;
  /** false: open only a store that already exists, else reject with NO_STORE and create nothing (default true). */
  createIfMissing?: boolean;
  /** Badger tuning, passed to the engine as is (see native/options.go). */
  badger?: BadgerTuning;
}

export type { BadgerTuning };

const KNOWN = [
  'inMemory',
  'libPath',
  'autoSerialize',
  'defaultFactory',
  'syncWrites',
  'exclusive',
  'readOnly',
  'durable',
  'pollIntervalMs',
  'openTimeoutMs',
  'requestTimeoutMs',
  'createIfMissing',
  'badger',
];
const BOOLEANS = ['inMemory', 'autoSerialize', 'syncWrites', 'exclusive', 'readOnly', 'durable', 'createIfMissing'];

/** Checks an options object once, naming a misspelled option's right spelling. */
export function checkOptions(options: unknown, known: readonly string[] = KNOWN, argName = 'options'): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${argName} must be an object, got ${describeType(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const hint = closest(name, known);
    throw new TypeError(`Unknown option '${name}' in ${argName}${hint ? `; did you mean '${hint}'?` : ''}`);
  }
  const o = options as Record<string, unknown>;
  for (const name of BOOLEANS) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') throw new TypeError(`${argName}.${name} must be a boolean, got ${describeType(o[name])}`);
  }
  if (o.defaultFactory !== undefined && typeof o.defaultFactory !== 'function') {
    throw new TypeError(`${argName}.defaultFactory must be a function, got ${describeType(o.defaultFactory)}`);
  }
  if (o.libPath !== undefined && typeof o.libPath !== 'string') throw new TypeError(`${argName}.libPath must be a string`);
  for (const name of ['pollIntervalMs', 'openTimeoutMs', 'requestTimeoutMs']) {
    const v = o[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0))
      throw new TypeError(`${argName}.${name} must be a positive number of milliseconds, got ${describeType(v)}`);
  }
}

/** The known name nearest to `name` by edit distance, if it is close enough to be a typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = k;
    }
  }
  return bestScore <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** A short name of a value's type for TypeError messages: 'null', 'an array', 'NaN', 'object', 'Date', 'Float64Array'... */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (typeof v !== 'object') return typeof v;
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'object';
}
