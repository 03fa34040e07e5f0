/**
 * The model layer against ORMs over better-sqlite3 (WAL, synchronous=NORMAL): one domain (Member:
 * string id, unique email index, team index, age) through skyshelve models, TypeORM and Drizzle.
 * Ops: save (insert), load by key, update (load, change, save; in a transaction for the ORMs) and
 * find by index (10 records). Each system runs in its own child process, one run.
 * `node dist/bench/orm.js` (BENCH_ORM_N records, default 20,000; BENCH_ORM_ROUNDS, default 1); prints the
 * ratio table and writes it into bench/RESULTS.md.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SYSTEMS = ['skyshelve', 'typeorm', 'drizzle'] as const;
const OPS = ['save', 'load', 'update', 'find-by-index'] as const;
type Op = (typeof OPS)[number];
const PER_TEAM = 10;

/** One system's ops, given the record count and its working directory. */
interface Driver {
  save(i: number): Promise<void> | void;
  load(i: number): Promise<void> | void;
  update(i: number): Promise<void> | void;
  find(team: number): Promise<void> | void;
  close(): Promise<void> | void;
}

const id = (i: number) => `m${String(i).padStart(8, '0')}`;
const member = (i: number) => ({ id: id(i), email: `u${i}@example.com`, team: `team${Math.floor(i / PER_TEAM)}`, age: i % 90 });
function must(ok: unknown, what: string): void {
  if (!ok) throw new Error(what);
}

async function skyshelve(dir: string): Promise<Driver> {
  const { SkyShelve } = await import('../src/index.js');
  const { defineMember } = await import('./member.js');
  const store = await SkyShelve.open(dir);
  const Member = defineMember(store);
  return {
    save: async (i) => {
      await new Member(member(i)).save();
    },
    load: async (i) => {
      must((await Member.load(id(i))).id === id(i), 'load');
    },
    update: async (i) => {
      await Member.update(id(i), {
        mutator: (m) => {
          m.age += 1;
        },
      });
    },
    find: async (t) => {
      must((await Member.scanIndex('team', `team${t}`)).length === PER_TEAM, 'find');
    },
    close: () => store.close(),
  };
}

function sqlite(file: string) {
  return async () => {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    return db;
  };
}

async function typeorm(dir: string): Promise<Driver> {
  const { DataSource, Entity, PrimaryColumn, Column, Index } = await import('typeorm');
  @Entity('member')
  class Member {
    @PrimaryColumn('text') id!: string;
    @Index({ unique: true }) @Column('text') email!: string;
    @Index() @Column('text') team!: string;
    @Column('integer') age!: number;
  }
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: join(dir, 'orm.db'),
    entities: [Member],
    synchronize: true,
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    },
  });
  await ds.initialize();
  const repo = ds.getRepository(Member);
  return {
    save: async (i) => {
      await repo.save(repo.create(member(i)));
    },
    load: async (i) => {
      must((await repo.findOneBy({ id: id(i) }))?.id === id(i), 'load');
    },
    update: async (i) => {
      await ds.transaction(async (em) => {
        const m = await em.findOneBy(Member, { id: id(i) });
        m!.age += 1;
        await em.save(m!);
      });
    },
    find: async (t) => {
      must((await repo.findBy({ team: `team${t}` })).length === PER_TEAM, 'find');
    },
    close: () => ds.destroy(),
  };
}

async function drizzle(dir: string): Promise<Driver> {
  const { drizzle: open } = await import('drizzle-orm/better-sqlite3');
  const { sqliteTable, text, integer } = await import('drizzle-orm/sqlite-core');
  const { eq } = await import('drizzle-orm');
  const raw = await sqlite(join(dir, 'orm.db'))();
  raw.exec('CREATE TABLE member (id TEXT PRIMARY KEY, email TEXT NOT NULL, team TEXT NOT NULL, age INTEGER NOT NULL)');
  raw.exec('CREATE UNIQUE INDEX member_email ON member (email)');
  raw.exec('CREATE INDEX member_team ON member (team)');
  const members = sqliteTable('member', {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    team: text('team').notNull(),
    age: integer('age').notNull(),
  });
  const db = open(raw);
  return {
    save: (i) => {
      db.insert(members).values(member(i)).run();
    },
    load: (i) => {
      must(
        db
          .select()
          .from(members)
          .where(eq(members.id, id(i)))
          .get()?.id === id(i),
        'load',
      );
    },
    update: (i) => {
      db.transaction((tx) => {
        const m = tx
          .select()
          .from(members)
          .where(eq(members.id, id(i)))
          .get()!;
        tx.update(members)
          .set({ age: m.age + 1 })
          .where(eq(members.id, id(i)))
          .run();
      });
    },
    find: (t) => {
      must(
        db
          .select()
          .from(members)
          .where(eq(members.team, `team${t}`))
          .all().length === PER_TEAM,
        'find',
      );
    },
    close: () => {
      raw.close();
    },
  };
}

/** Child mode: times every op of one system and prints `{ rates: { op: ops/s }, cpu: { op: µs } }` as JSON. */
async function child(system: string, n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `bench-orm-${system}-`));
  try {
    const d = system === 'skyshelve' ? await skyshelve(dir) : system === 'typeorm' ? await typeorm(dir) : await drizzle(dir);
    const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const teams = n / PER_TEAM;
    const rates: Partial<Record<Op, number>> = {};
    const cpu: Partial<Record<Op, number>> = {};
    const time = async (op: Op, count: number, fn: (j: number) => Promise<void> | void) => {
      const cpu0 = process.resourceUsage();
      const start = process.hrtime.bigint();
      for (let j = 0; j < count; j++) await fn(j);
      rates[op] = Math.round(count / (Number(process.hrtime.bigint() - start) / 1e9));
      const cpu1 = process.resourceUsage();
      // CPU of the whole process (every thread), so a busy box, which stretches wall time, barely moves it.
      cpu[op] = +((cpu1.userCPUTime - cpu0.userCPUTime + cpu1.systemCPUTime - cpu0.systemCPUTime) / count).toFixed(1);
    };
    // Saves of records outside the timed set first, for every system alike: the first saves of a
    // process carry V8's compile-up of the write path and the engines' first allocations. Their
    // rate is reported apart (`first`), not in the ratio.
    const first = n / 10;
    const t0 = process.hrtime.bigint();
    for (let j = n; j < n + first; j++) await d.save(j);
    const firstSaves = Math.round(first / (Number(process.hrtime.bigint() - t0) / 1e9));
    await time('save', n, (j) => d.save(j));
    await time('load', n, (j) => d.load(order[j]!));
    await time('update', n, (j) => d.update(order[j]!));
    // As many finds as the other ops have calls (each team 10 times, shuffled), after every team once
    // untimed: V8's compile-up of a path not run before made the first 2,000 cost about twice the next.
    for (let t = 0; t < teams; t++) await d.find(t);
    await time('find-by-index', n, (j) => d.find(order[j]! % teams));
    await d.close();
    process.stdout.write(JSON.stringify({ rates, cpu, firstSaves }) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The heading of the RESULTS.md section this file owns. */
export const ORM_SECTION = '## Models vs ORMs';

/** Runs every system in its own child process and returns the markdown section. */
export function runOrmBench(n = Number(process.env.BENCH_ORM_N ?? 20_000), rounds = Math.max(1, Number(process.env.BENCH_ORM_ROUNDS ?? 1))): string {
  const results: Record<string, Partial<Record<Op, number>>> = {};
  const cpus: Record<string, Partial<Record<Op, number>>> = {};
  const firsts: Record<string, number> = {};
  // Rounds run the systems round-robin and keep each op's best rate: contention only slows a run down.
  for (let round = 1; round <= rounds; round++) {
    for (const system of SYSTEMS) {
      console.error(`orm bench: ${system} (n=${n}, round ${round}/${rounds})`);
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', system, String(n)], {
        stdio: ['ignore', 'pipe', 'inherit'],
        encoding: 'utf8',
      });
      const last = r.stdout?.trim().split('\n').pop();
      const {
        rates = {},
        cpu = {},
        firstSaves,
      }: { rates?: Partial<Record<Op, number>>; cpu?: Partial<Record<Op, number>>; firstSaves?: number } = r.status === 0 && last ? JSON.parse(last) : {};
      if (firstSaves !== undefined) firsts[system] = Math.max(firsts[system] ?? 0, firstSaves);
      const kept = (results[system] ??= {});
      const keptCpu = (cpus[system] ??= {});
      for (const op of OPS) if (rates[op] !== undefined) kept[op] = Math.max(kept[op] ?? 0, rates[op]!);
      for (const op of OPS) if (cpu[op] !== undefined) keptCpu[op] = Math.min(keptCpu[op] ?? Infinity, cpu[op]!);
    }
  }
  const fmt = (v?: number) => (v === undefined ? 'n/a' : v.toLocaleString('en-US'));
  const lines = [
    ORM_SECTION,
    '',
    `\`node dist/bench/orm.js\` (also run by \`npm run bench\`): Member (string id, unique email index, team index, age) through skyshelve models, TypeORM and Drizzle over better-sqlite3 (WAL, synchronous=NORMAL). N = ${n.toLocaleString('en-US')} records (BENCH_ORM_N), ops/s, ${rounds > 1 ? `best of ${rounds} round-robin rounds (BENCH_ORM_ROUNDS)` : 'one run (BENCH_ORM_ROUNDS for more)'}, each system in its own child process. update = load, change, save (in a transaction for the ORMs; \`Model.update\` for skyshelve); save is timed after N/10 untimed saves of other records; find-by-index returns 10 records, N finds (every team 10 times) timed after one untimed find of every team. Run ${new Date().toISOString()}.`,
    '',
    '| op | skyshelve models | TypeORM | Drizzle | skyshelve / best ORM | target |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const op of OPS) {
    const ours = results.skyshelve![op];
    const best = Math.max(results.typeorm![op] ?? 0, results.drizzle![op] ?? 0);
    const target = op === 'find-by-index' ? 1.5 : 2;
    lines.push(
      `| ${op} | ${fmt(ours)} | ${fmt(results.typeorm![op])} | ${fmt(results.drizzle![op])} | ${ours && best ? (ours / best).toFixed(2) : 'n/a'} | ≥ ${target} |`,
    );
  }
  const firstRatio = firsts.skyshelve && Math.max(firsts.typeorm ?? 0, firsts.drizzle ?? 0);
  lines.push(
    '',
    `The first ${(n / 10).toLocaleString('en-US')} saves of each process (the untimed ones, best round): skyshelve ${fmt(firsts.skyshelve)}, TypeORM ${fmt(firsts.typeorm)}, Drizzle ${fmt(firsts.drizzle)} ops/s${firstRatio ? ` (${(firsts.skyshelve! / firstRatio).toFixed(2)}× the best ORM)` : ''}.`,
    '',
    `CPU µs per op (process user+system time, every thread, so skyshelve's native threads count; lowest of the rounds; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end). The box is shared, so wall-clock rates swing; CPU per op moves much less:`,
    '',
    '| op | skyshelve models | TypeORM | Drizzle | best ORM / skyshelve |',
    '|---|---:|---:|---:|---:|',
  );
  for (const op of OPS) {
    const ours = cpus.skyshelve![op];
    const best = Math.min(cpus.typeorm![op] ?? Infinity, cpus.drizzle![op] ?? Infinity);
    lines.push(
      `| ${op} | ${fmt(ours)} | ${fmt(cpus.typeorm![op])} | ${fmt(cpus.drizzle![op])} | ${ours && Number.isFinite(best) ? (best / ours).toFixed(2) : 'n/a'} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Replaces (or appends) one `## ` section of a markdown file, keeping the others. */
export function replaceSection(file: string, heading: string, markdown: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf(heading);
  let next: string;
  if (start < 0) next = text.trimEnd() + '\n\n' + markdown;
  else {
    const after = text.indexOf('\n## ', start + heading.length);
    next = text.slice(0, start) + markdown + (after < 0 ? '' : '\n' + text.slice(after + 1));
  }
  writeFileSync(file, next.trimEnd() + '\n');
}

const here = fileURLToPath(import.meta.url);
const at = process.argv.indexOf('--child');
if (process.argv[1] === here && at >= 0) await child(process.argv[at + 1]!, Number(process.argv[at + 2]));
else if (process.argv[1] === here) {
  const md = runOrmBench();
  console.log(md);
  replaceSection(join(dirname(here), '../../bench/RESULTS.md'), ORM_SECTION, md);
}
