import 'reflect-metadata';
import { Persistent, Key, Index, PersistentBaseModel, PersistentObject, SkyshelveError, closeModelStores } from '../src/index.js';
import { IsEmail } from 'class-validator';
import fs from 'node:fs';

const dir = fs.mkdtempSync('/tmp/sky-smoke-');

@Persistent(dir + '/users')
@Index('tag', (u: User) => u.tags)
class User extends PersistentBaseModel<'tag' | 'email' | 'handle'> {
  @Key() username!: string;
  @Index() @IsEmail() email!: string;
  @Index({ unique: true }) handle?: string;
  tags: string[] = [];
  created: Date = new Date(0);
}

class Counter extends PersistentObject {
  constructor(key: string, public value = 0) { super(key); }
  override toRecord() { return { value: this.value }; }
  static override fromRecord(key: string, record: any) { return new Counter(key, Number(record.value ?? 0)); }
}
Counter.configureStorage(dir + '/counter', { secondaryIndexes: { value: (c: Counter) => [c.value] } });
Counter.registerIndex('even', (c: Counter) => [c.value % 2 === 0]);

const alice = new User({ username: 'alice', email: 'alice@example.com', created: new Date(5) });
console.log('tags', alice.tags, 'created', alice.created, 'key', alice.key);
const bob = new User({ username: 'bob', email: 'bob@example.com', tags: ['admin'] });
console.log('bob tags', bob.tags);
await alice.save(); await bob.save();
const l: User = await User.load('alice');
console.log(l, l instanceof User, l.created instanceof Date);
try { await User.load('nobody'); } catch (e) { console.log((e as SkyshelveError).code, (e as Error).message); }
console.log(await User.load('nobody', null));
console.log(await User.exists('alice'), await User.exists('x'));
console.log((await User.scanIndex('email', 'alice@example.com')).map(u => u.username));
console.log((await User.children('tag', 'admin')).map(u => u.username));
const u2 = await User.update('alice', { mutator: (u) => { u.tags.push('admin'); } });
console.log(u2.tags, (await User.children('tag', 'admin')).map(u => u.username));
try { await new User({ username: 'x', email: 'bad' }).save(); } catch (e) { console.log((e as SkyshelveError).code, (e as Error).message); }
console.log(await User.exists('x'));
alice.handle = 'h'; await alice.save();
try { await new User({ username: 'y', email: 'y@y.com', handle: 'h' }).save(); } catch (e) { console.log((e as SkyshelveError).code, (e as Error).message); }
for (let i = 0; i < 5; i++) await Counter.update('global', { defaultFactory: () => new Counter('global'), mutator: (c) => { c.value++; } });
console.log(await Counter.load('global'), (await Counter.scanIndex('value', 5)).length, (await Counter.scanIndex('even', false)).length);
console.log(await User.verifyIndexes(), await Counter.verifyIndexes());
console.log(await User.delete('alice'), await User.scan());
await closeModelStores();
fs.rmSync(dir, { recursive: true });
