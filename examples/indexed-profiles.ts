// Profiles and their to-dos, queried by primary key, by a lower-cased email index, by a
// multi-valued tag index, and as parent/child through `children`. Writes into ./data/indexed-profiles.
import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { IsEmail, IsInt, IsString } from 'class-validator';
import { Index, Key, Persistent, PersistentBaseModel, closeModelStores } from '../src/index.js';

const path = process.argv[2] ?? './data/indexed-profiles';

@Persistent(path)
@Index('email', (p: UserProfile) => p.email.toLowerCase())
@Index('tag', (p: UserProfile) => p.tags)
class UserProfile extends PersistentBaseModel<'email' | 'tag'> {
  @Key() @IsString() username!: string;
  // Stored lower-cased, so the record and its index agree on one spelling.
  @IsEmail()
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value), { toPlainOnly: true })
  email!: string;
  tags: string[] = [];

  /** This user's to-dos: the children of the profile through ToDo's `user` index. */
  todos(): Promise<ToDo[]> {
    return ToDo.children('user', this.username);
  }
}

@Persistent(path)
class ToDo extends PersistentBaseModel<'user'> {
  @Key() @IsInt() id!: number;
  @Index() @IsString() user!: string;
  @IsString() title!: string;
  done = false;
}

await new UserProfile({ username: 'alice', email: 'Alice@Example.com', tags: ['team-a', 'admin'] }).save();
await new UserProfile({ username: 'bob', email: 'bob@example.com', tags: ['team-a'] }).save();
await new UserProfile({ username: 'charlie', email: 'charlie@example.com', tags: ['team-b'] }).save();
await new ToDo({ id: 1, user: 'alice', title: 'Write the release notes' }).save();
await new ToDo({ id: 2, user: 'alice', title: 'Review the index layout', done: true }).save();
await new ToDo({ id: 3, user: 'bob', title: 'Benchmark four processes' }).save();
await new ToDo({ id: 4, user: 'charlie', title: 'Try the SlateDB backend' }).save();

console.log('All profiles:');
for (const p of await UserProfile.scan()) console.log(`  ${p.username} <${p.email}> [${p.tags.join(', ')}]`);

const [byEmail] = await UserProfile.scanIndex('email', 'ALICE@example.com'.toLowerCase());
console.log(`By email alice@example.com: ${byEmail?.username}`);

const teamA = await UserProfile.children('tag', 'team-a');
console.log(`Tagged team-a: ${teamA.map((p) => p.username).join(', ')}`);

const alice = await UserProfile.load('alice');
console.log("alice's to-dos:");
for (const t of await alice.todos()) console.log(`  #${t.id} ${t.done ? '[x]' : '[ ]'} ${t.title}`);

await closeModelStores();
