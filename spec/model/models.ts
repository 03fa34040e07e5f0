/** The models the model suite uses, defined per store so that every backend gets its own classes. */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsOptional, IsString, MinLength, ValidateNested } from 'class-validator';
// indexNames is imported so that the declaration of defineModels' return type can name it.
import { Index, Key, Persistent, PersistentBaseModel, PersistentObject, indexNames, type SkyShelve } from '../../src/index.js';

/** A nested class, restored by class-transformer's @Type. */
export class Address {
  @IsString() street!: string;
  @Type(() => Date) since!: Date;
}

/** Defines the suite's models bound to `store`; warnings go to `warnings`. */
export function defineModels(store: SkyShelve<any>, warnings: string[] = []) {
  const onWarning = (m: string): void => {
    warnings.push(m);
  };

  @Persistent({ store, onWarning })
  @Index('tag', (u: User) => u.tags)
  class User extends PersistentBaseModel<'email' | 'tag' | 'handle' | 'joined'> {
    @Key() @MinLength(2) username!: string;
    @Index() @IsEmail() email!: string;
    @Index({ unique: true }) @IsOptional() @IsString() handle?: string;
    tags: string[] = [];
    @Index() @Type(() => Date) joined: Date = new Date(0);
    @IsOptional() @ValidateNested() @Type(() => Address) address?: Address;
  }

  // No @Key: the 'id' field is the key.
  @Persistent({ store, onWarning })
  class Score extends PersistentBaseModel<'points'> {
    @IsString() id!: string;
    @Index() @IsOptional() points?: number;
  }

  @Persistent({ store, onWarning })
  class ToDo extends PersistentBaseModel<'owner'> {
    @Key() @IsInt() id!: number;
    @Index() owner!: string;
    title = '';
  }

  class Counter extends PersistentObject<'value' | 'even'> {
    constructor(
      key: string,
      public value = 0,
    ) {
      super(key);
    }
    override toRecord(): unknown {
      return { value: this.value };
    }
    static override fromRecord(key: string, record: any): Counter {
      return new Counter(key, Number(record.value ?? 0));
    }
  }
  Counter.configureStorage({ store, onWarning, secondaryIndexes: { value: (c: Counter) => [c.value] } });
  Counter.registerIndex('even', (c: Counter) => [c.value % 2 === 0]);

  return { User, Score, ToDo, Counter };
}

/** The models of one suite run. */
export type Models = ReturnType<typeof defineModels>;
