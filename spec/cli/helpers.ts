/** Shared helpers of the CLI specs: run the real binary in a child process, fill and dump stores. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SkyShelve } from '../../src/index.js';
import { internalKey } from '../../src/codec/keys.js';
import { encodeValue } from '../../src/codec/values.js';
import { EMPTY, encodeEnvelope, entryKey, metaKey, recordKey } from '../../src/model/layout.js';
import { tmpDir } from '../support/tmp.js';

/** bin/skyshelve.js, from dist/spec/cli/. */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'skyshelve.js');

/** What one run of the CLI gave. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `skyshelve ...args` in a child process; `input` is written to its stdin. */
export function cli(args: string[], options: { input?: string; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh Badger location. */
export function badgerLocation(): string {
  return path.join(tmpDir('sky-cli-'), 'db');
}

/** A fresh local SlateDB location. */
export function slateLocation(): string {
  return `slatedb://${path.join(tmpDir('sky-cli-'), 'lake')}`;
}

/** Every raw key and value of a store, as hex pairs in key order (the whole key space). */
export async function dump(location: string): Promise<Array<[string, string]>> {
  const store = await SkyShelve.open(location);
  try {
    const cursor = (await store.backend()).iterate({});
    const all: Array<[string, string]> = [];
    for (let chunk = await cursor.next(1000); chunk.length; chunk = await cursor.next(1000)) {
      for (const e of chunk) all.push([Buffer.from(e.key).toString('hex'), Buffer.from(e.value).toString('hex')]);
    }
    await cursor.close();
    return all;
  } finally {
    await store.close();
  }
}

/** Values that exercise every tagged type of the export format. */
export const SAMPLES: Array<[unknown, unknown]> = [
  ['username', 'alice'],
  ['avatar', Buffer.from([0x89, 0x50, 0x00, 0xff])],
  [['order', 1], { total: 10, when: new Date(1700000000123), tags: new Set(['a', 'b']) }],
  [
    ['order', 2],
    {
      big: -(1n << 80n),
      m: new Map<unknown, unknown>([
        ['x', 1],
        [2, new Uint8Array([1, 2])],
      ]),
      none: null,
    },
  ],
  [
    ['order', -1.5],
    [1, 'two', { three: 3 }, [new Date(0)]],
  ],
  [42, { $dollar: 'looks like a tag', nested: { $bytes: 'not really' } }],
  [Buffer.from([0, 1, 2]), { nan: NaN, inf: -Infinity, negZero: -0, small: 1n }],
  ['text with\nnewline\ttab and ünïcödé', 'value with "quotes" and \u0000 nul'],
];

/** Fills a store with SAMPLES, `extra` plain entries, model records with index entries, and a raw internal key. */
export async function fill(location: string, extra = 0): Promise<void> {
  const store = await SkyShelve.open(location);
  try {
    for (const [k, v] of SAMPLES) await store.set(k as never, v);
    for (let i = 0; i < extra; i += 500) {
      await store.batch(
        Array.from({ length: Math.min(500, extra - i) }, (_, j) => ({ type: 'put' as const, key: ['n', i + j], value: { i: i + j, s: `v${i + j}` } })),
      );
    }
    await (await store.backend()).write(modelOps());
    await store.sync();
  } finally {
    await store.close();
  }
}

/** Raw writes of two model records with their index entries, the index metadata, and bytes that are no valid value. */
export function modelOps(): Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }> {
  const put = (key: Uint8Array, value: Uint8Array) => ({ type: 'put' as const, key, value });
  return [
    put(recordKey('User', 'alice'), encodeEnvelope({ name: 'alice', email: 'a@x.io' }, [['email', 'a@x.io']])),
    put(entryKey('User', 'email', 'a@x.io', 'alice'), EMPTY),
    put(
      recordKey('User', 'bob'),
      encodeEnvelope({ name: 'bob', email: 'b@x.io', age: 40 }, [
        ['email', 'b@x.io'],
        ['age', 40],
      ]),
    ),
    put(entryKey('User', 'email', 'b@x.io', 'bob'), EMPTY),
    put(entryKey('User', 'age', 40, 'bob'), EMPTY),
    put(metaKey('User'), encodeValue({ indexes: ['age|x', 'email|y'] })),
    put(internalKey(['x', 'opaque']), Uint8Array.of(0x99, 0x00, 0x01)),
  ];
}
