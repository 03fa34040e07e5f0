/** The key-value half of the bad-input table: each wrong input and the error it must give. */
import path from 'node:path';
import type { ErrorCode, SkyShelve } from '../../src/index.js';
import { SkyShelve as Store } from '../../src/index.js';
import { encodeKey } from '../../src/codec/keys.js';

/** What a case may use: the store under test, a scratch directory, and a store that is already closed. */
export interface BadInputContext {
  store: SkyShelve<any>;
  dir: string;
  closed: SkyShelve<any>;
}

/** One wrong input: what to run, the code (or TypeError) it must give, and what the message must name. */
export interface BadCase {
  name: string;
  code: ErrorCode | 'TypeError';
  mentions?: RegExp;
  /** True when the API is synchronous (constructors, *Sync): it must throw, not return a rejection. */
  sync?: boolean;
  /** Runs before the store is snapshotted, e.g. to plant corrupt bytes. */
  setup?(ctx: BadInputContext): Promise<void>;
  run(ctx: BadInputContext): unknown;
}

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const slate = (config: unknown): string => 'slatedb:' + JSON.stringify(config);

/** Wrong inputs to the key-value API. */
export const kvCases: BadCase[] = [
  { name: 'empty string key', code: 'TypeError', mentions: /key/, run: ({ store }) => store.set('', 1) },
  { name: 'empty Buffer key', code: 'TypeError', mentions: /key/, run: ({ store }) => store.set(Buffer.alloc(0), 1) },
  { name: 'empty tuple key', code: 'TypeError', mentions: /key/, run: ({ store }) => store.set([], 1) },
  { name: 'NaN key', code: 'TypeError', mentions: /key/, run: ({ store }) => store.set(NaN, 1) },
  { name: 'NaN inside a tuple key', code: 'TypeError', mentions: /key/, run: ({ store }) => store.set(['a', NaN], 1) },
  { name: 'boolean key', code: 'TypeError', mentions: /key/, run: ({ store }) => store.set(true as any, 1) },
  { name: 'object key', code: 'TypeError', mentions: /key/, run: ({ store }) => store.set({ id: 1 } as any, 1) },
  { name: 'null key', code: 'TypeError', mentions: /key/, run: ({ store }) => store.set(null as any, 1) },
  { name: 'BigInt key', code: 'TypeError', mentions: /key/, run: ({ store }) => store.set(10n as any, 1) },
  { name: 'nested tuple key', code: 'TypeError', mentions: /key/, run: ({ store }) => store.set([['nested']] as any, 1) },
  { name: 'key over 65,000 bytes', code: 'KEY_TOO_LARGE', mentions: /65,?000/, run: ({ store }) => store.set('k'.repeat(70000), 1) },
  { name: 'tuple key over 65,000 bytes', code: 'KEY_TOO_LARGE', mentions: /65,?000/, run: ({ store }) => store.set(['k', Buffer.alloc(66000, 1)], 1) },
  { name: 'function value', code: 'TypeError', mentions: /value/, run: ({ store }) => store.set('f', () => 1) },
  { name: 'symbol value', code: 'TypeError', mentions: /value/, run: ({ store }) => store.set('s', Symbol('s')) },
  { name: 'cyclic value', code: 'TypeError', mentions: /value/, run: ({ store }) => store.set('c', cyclic) },
  { name: 'function nested in a value', code: 'TypeError', mentions: /value/, run: ({ store }) => store.set('n', { deep: [{ f: () => 1 }] }) },
  { name: 'undefined value', code: 'TypeError', mentions: /value/, run: ({ store }) => store.set('u', undefined) },
  { name: 'batch that is not an array', code: 'TypeError', mentions: /ops/, run: ({ store }) => store.batch({ type: 'put' } as any) },
  {
    name: 'batch op with an unknown type',
    code: 'TypeError',
    mentions: /ops\[1\]\.type/,
    run: ({ store }) =>
      store.batch([
        { type: 'put', key: 'ok', value: 1 },
        { type: 'upsert', key: 'x' },
      ] as any),
  },
  {
    name: 'batch op with an empty key after a good op',
    code: 'TypeError',
    mentions: /ops\[1\]/,
    run: ({ store }) =>
      store.batch([
        { type: 'put', key: 'ok', value: 1 },
        { type: 'put', key: '', value: 1 },
      ]),
  },
  {
    name: 'batch op with a function value',
    code: 'TypeError',
    mentions: /ops\[0\]\.value/,
    run: ({ store }) => store.batch([{ type: 'put', key: 'ok', value: () => 1 }]),
  },
  { name: 'getMany with a non-array', code: 'TypeError', mentions: /keys/, run: ({ store }) => store.getMany('a' as any) },
  { name: 'getMany with a bad key inside', code: 'TypeError', mentions: /keys\[1\]/, run: ({ store }) => store.getMany(['a', NaN]) },
  { name: 'misspelled range option', code: 'TypeError', mentions: /gte/, run: ({ store }) => drain(store.entries({ gtee: 'a' } as any)) },
  {
    name: 'misspelled store option',
    sync: true,
    code: 'TypeError',
    mentions: /inMemory/,
    run: ({ dir }) => new Store(path.join(dir, 'x'), { inMemroy: true } as any),
  },
  {
    name: 'non-boolean syncWrites',
    sync: true,
    code: 'TypeError',
    mentions: /syncWrites/,
    run: ({ dir }) => new Store(path.join(dir, 'y'), { syncWrites: 'yes' } as any),
  },
  { name: 'location that is not a string', sync: true, code: 'TypeError', mentions: /location/, run: () => new Store(42 as any) },
  { name: 'slatedb: JSON that does not parse', code: 'CONFIG', mentions: /JSON/, run: () => Store.open('slatedb:{"path": "x",') },
  { name: 'slatedb: JSON with a misspelled key', code: 'CONFIG', mentions: /path/, run: ({ dir }) => Store.open(slate({ pth: path.join(dir, 's') })) },
  { name: 'slatedb: unknown provider', code: 'CONFIG', mentions: /aws/, run: ({ dir }) => Store.open(slate({ path: dir, store: { provider: 'aws3' } })) },
  {
    name: 'slatedb: aws without a bucket',
    code: 'CONFIG',
    mentions: /bucket/,
    run: () => Store.open(slate({ path: 'p', store: { provider: 'aws', aws: { region: 'us-east-1' } } })),
  },
  { name: 'get after close', code: 'CLOSED', run: ({ closed }) => closed.get('a') },
  { name: 'set after close', code: 'CLOSED', run: ({ closed }) => closed.set('a', 1) },
  { name: 'scan after close', code: 'CLOSED', run: ({ closed }) => closed.scan() },
  { name: 'getSync after close', sync: true, code: 'CLOSED', run: ({ closed }) => closed.getSync('a') },
  {
    name: 'corrupt stored value on get',
    code: 'DECODE',
    mentions: /corrupt-get/,
    setup: ({ store }) => plant(store, 'corrupt-get'),
    run: ({ store }) => store.get('corrupt-get'),
  },
  {
    name: 'corrupt stored value in a scan',
    code: 'DECODE',
    mentions: /corrupt-scan/,
    setup: ({ store }) => plant(store, 'corrupt-scan'),
    run: ({ store }) => store.scan('corrupt-scan'),
  },
];

/** Writes bytes no encoder produces straight to the backend under `key`. */
async function plant(store: SkyShelve<any>, key: string): Promise<void> {
  await (await store.backend()).write([{ type: 'put', key: encodeKey(key), value: new Uint8Array([0xee, 0xc0, 0xff, 0x01]) }]);
}

async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}
