/**
 * Issue 14's queries (skyshelve only): `count` over n records (keys only), a `page` of 20 deep in an
 * index, `find` with 2 conditions, and transactions per second in one process. The records are
 * written with transactions of 100 saves each (not timed). Run alone:
 * `node dist/bench/queries.js [n] [badger|slatedb]` after `npm run build`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must, Recorder, reason } from './workload.js';

type Api = typeof import('../src/index.js');

const AUTHORS = 100;
const TAGS = 10;
export const QUERY_OPS = ['count', 'page-deep', 'find-2', 'tx', 'tx-4proc'] as const;
const TXS = 2000;
const CHILD_TIMEOUT_MS = 120_000;

/** Times the query ops on a fresh store at `where`; n/a rows with the reason when something fails. */
export async function benchQueries(rec: Recorder, api: Api, where: string, n: number): Promise<void> {
  let store: InstanceType<Api['SkyShelve']>;
  try {
    store = await api.SkyShelve.open(where);
  } catch (err) {
    for (const op of QUERY_OPS) rec.skip(op, 'await', '', n, `open failed: ${reason(err)}`);
    return;
  }
  try {
    const { Post, Account } = defineModels(api, store);
    for (let i = 0; i < n; i += 100) {
      await Post.transaction(async (tx) => {
        for (let j = i; j < Math.min(n, i + 100); j++) {
          await tx.save(
            new Post({ id: `p${String(j).padStart(9, '0')}`, author: `a${j % AUTHORS}`, tag: `t${Math.floor(j / AUTHORS) % TAGS}`, publishedAt: j }),
          );
        }
      });
    }
    await rec.op('count', 'await', `count() of ${n} records (keys/s)`, n, async () => must((await Post.count()) === n, 'count'));
    let cursor: string | undefined;
    const query = { index: 'author' as const, value: 'a7' };
    const perAuthor = Math.ceil(n / AUTHORS);
    for (let seen = 0; seen < perAuthor / 2; seen += 500) cursor = (await Post.page(query, { limit: 500, cursor })).next;
    const pages = 2000;
    await rec.op('page-deep', 'await', `page(limit 20) at entry ${Math.floor(perAuthor / 2)} of ${perAuthor} (pages/s)`, pages, async () => {
      for (let i = 0; i < pages; i++) must((await Post.page(query, { limit: 20, cursor })).items.length === 20, 'page');
    });
    const finds = 200;
    await rec.op('find-2', 'await', `find({ author, tag }) over ${n} records, ${Math.ceil(n / AUTHORS / TAGS)} matches each (finds/s)`, finds, async () => {
      for (let i = 0; i < finds; i++) must((await Post.find({ author: `a${i % AUTHORS}`, tag: `t${i % TAGS}` })).length > 0, 'find');
    });
    for (let i = 0; i < 10; i++) await new Account({ id: `acc${i}`, balance: 1000 }).save();
    await rec.op('tx', 'await', 'transaction moving 1 unit between 2 of 10 accounts (tx/s, 1 process)', TXS, () => transfers(Account, TXS, 0));
  } finally {
    await store.close();
  }
  if (where.startsWith('slatedb:')) {
    rec.skip('tx-4proc', 'await', '', TXS, 'SlateDB has one writer process');
    return;
  }
  const children = await startChildren(where, 4, TXS / 4).catch((err: unknown) => {
    rec.skip('tx-4proc', 'await', '', TXS, reason(err));
    return undefined;
  });
  if (!children) return;
  await rec.op('tx-4proc', 'await', `the same, 4 processes x ${TXS / 4} on one store (tx/s in all)`, TXS, () => Promise.all(children.map((c) => c.go())));
  await Promise.all(children.map((c) => c.exited));
}

type AccountClass = ReturnType<typeof defineModels>['Account'];

/** `count` transactions, each moving 1 unit between two of the 10 accounts. */
async function transfers(Account: AccountClass, count: number, offset: number): Promise<void> {
  for (let i = offset; i < offset + count; i++) {
    await Account.transaction(
      async (tx) => {
        const from = await tx.load(Account, `acc${i % 10}`);
        const to = await tx.load(Account, `acc${(i * 7 + 3) % 10}`);
        if (from.id === to.id || from.balance < 1) return;
        from.balance -= 1;
        to.balance += 1;
        await tx.save(from);
        await tx.save(to);
      },
      { attempts: 1000 },
    );
  }
}

/** Starts `procs` child processes on the store at `where` (closed here); each runs `count` transfers on go(). */
async function startChildren(where: string, procs: number, count: number): Promise<Array<{ go(): Promise<void>; exited: Promise<void> }>> {
  const script = fileURLToPath(import.meta.url);
  return Promise.all(
    Array.from(
      { length: procs },
      (_, p) =>
        new Promise<{ go(): Promise<void>; exited: Promise<void> }>((ready, fail) => {
          const child = spawn(process.execPath, [script, '--tx-child', where, String(count), String(p * count)], { stdio: ['pipe', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          // A child that hangs must not hang the bench: it is killed and its row becomes n/a.
          const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
          const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
          const done = new Promise<void>((resolve, reject) => {
            child.stdout.on('data', (d) => {
              out += d;
              if (out.includes('ready'))
                ready({
                  go: () => {
                    child.stdin.end('go\n'); // ended, so the child's stdin does not keep it alive after its store closes
                    return done;
                  },
                  exited,
                });
              if (out.includes('done')) resolve();
            });
            child.on('exit', (code, signal) => {
              clearTimeout(timer);
              if (code === 0) resolve();
              else
                reject(
                  new Error(
                    `transfer child ${p} ${signal === 'SIGKILL' ? `did not finish within ${CHILD_TIMEOUT_MS} ms` : `exited with ${code}`}: ${err.slice(0, 200)}`,
                  ),
                );
            });
          });
          child.stderr.on('data', (d) => {
            err += d;
          });
          done.catch(fail);
        }),
    ),
  );
}

function defineModels(api: Api, store: InstanceType<Api['SkyShelve']>) {
  const { Persistent, Index, Key, PersistentBaseModel } = api;
  @Persistent({ store, namespace: 'bench-post' })
  @Index('authorTime', ['author', 'publishedAt'])
  class Post extends PersistentBaseModel<'author' | 'tag' | 'authorTime'> {
    @Key() id!: string;
    @Index() author!: string;
    @Index() tag!: string;
    publishedAt = 0;
  }
  @Persistent({ store, namespace: 'bench-account' })
  class Account extends PersistentBaseModel {
    @Key() id!: string;
    balance = 0;
  }
  return { Post, Account };
}

const txChild = process.argv.indexOf('--tx-child');
if (txChild >= 0) {
  const api = await import('../src/index.js');
  const store = await api.SkyShelve.open(process.argv[txChild + 1]!);
  try {
    const { Account } = defineModels(api, store);
    await Account.count(); // first use (definitions check) before the clock starts
    process.stdout.write('ready\n');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    await transfers(Account, Number(process.argv[txChild + 2]), Number(process.argv[txChild + 3]));
    process.stdout.write('done\n');
  } finally {
    await store.close();
  }
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 200_000);
  const kind = process.argv[3] ?? 'badger';
  const root = mkdtempSync(join(tmpdir(), 'bench-queries-'));
  const rec = new Recorder(`skyshelve-${kind}`);
  try {
    await benchQueries(rec, await import('../src/index.js'), kind === 'slatedb' ? 'slatedb://' + join(root, 'db') : join(root, 'db'), n);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
