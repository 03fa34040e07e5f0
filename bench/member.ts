/**
 * The Member model that the model benches share (bench/orm.ts, model-cpu.ts, model-read.ts): a
 * string id, a unique email index, a team index and an age.
 */
// indexNames is imported so that the returned class's type can be named in declarations.
import { Index, Key, Persistent, PersistentBaseModel, type SkyShelve, type indexNames } from '../src/index.js';

/** Defines Member on `store`, in the namespace `member`. */
export function defineMember(store: SkyShelve) {
  @Persistent({ store, namespace: 'member' })
  class Member extends PersistentBaseModel<'email' | 'team'> {
    @Key() id!: string;
    @Index({ unique: true }) email!: string;
    @Index() team!: string;
    age!: number;
  }
  return Member;
}
