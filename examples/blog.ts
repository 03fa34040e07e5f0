/**
 * A small blog: authors and posts with a compound index, counts, pages, streaming, find and a
 * transaction that saves a post and bumps its author's post count together.
 * Run: npm run example -- blog
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Index, Key, Persistent, PersistentBaseModel, closeModelStores } from '../src/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyshelve-blog-'));
const where = path.join(dir, 'blog');

@Persistent(where)
class Author extends PersistentBaseModel {
  @Key() handle!: string;
  postCount = 0;
}

@Persistent(where) // same store as Author, its own namespace
@Index('tag', (p: Post) => p.tags)
@Index('authorTime', ['author', 'publishedAt'])
class Post extends PersistentBaseModel<'author' | 'tag' | 'authorTime'> {
  @Key() id!: string;
  @Index() author!: string;
  tags: string[] = [];
  publishedAt = 0;
  title = '';
}

/** Publishes a post and counts it for its author, atomically. */
async function publish(post: Post): Promise<void> {
  await Post.transaction(async (tx) => {
    const author = await tx.load(Author, post.author, new Author({ handle: post.author }));
    author.postCount += 1;
    await tx.save(author);
    await tx.save(post);
    await tx.set('stats:lastPost', post.id);
  });
}

try {
  for (let i = 0; i < 60; i++) {
    const author = ['alice', 'bob', 'carol'][i % 3]!;
    await publish(
      new Post({ id: `p${String(i).padStart(2, '0')}`, author, publishedAt: 1000 + i, tags: i % 4 === 0 ? ['news'] : ['notes'], title: `Post ${i}` }),
    );
  }
  console.log('posts:', await Post.count(), '| by alice:', await Post.count('author', 'alice'), '| alice.postCount:', (await Author.load('alice')).postCount);

  const latest = await Post.scanIndexRange('authorTime', { gte: ['alice', 0], lt: ['alice', Infinity], reverse: true, limit: 3 });
  console.log("alice's latest 3:", latest.map((p) => `${p.id}@${p.publishedAt}`).join(', '));
  console.log("alice's posts (prefix query):", (await Post.scanIndex('authorTime', ['alice'])).length);

  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await Post.page({ index: 'author', value: 'bob' }, { limit: 7, cursor });
    pages++;
    cursor = page.next;
  } while (cursor !== undefined);
  console.log("bob's posts in pages of 7:", pages, 'pages');

  let news = 0;
  for await (const p of Post.iterate({ index: 'tag', value: 'news' })) if (p.tags.includes('news')) news++;
  console.log('news posts (streamed):', news);

  const found = await Post.find({ author: 'carol', tag: 'news' });
  console.log("carol's news posts (find):", found.map((p) => p.id).join(', '));

  await Post.transaction(async (tx) => {
    const carol = await tx.load(Author, 'carol');
    for (const p of found) {
      await tx.delete(Post, p.id);
      carol.postCount -= 1;
    }
    await tx.save(carol);
  });
  console.log('after deleting them:', await Post.count('author', 'carol'), 'posts, carol.postCount', (await Author.load('carol')).postCount);
} finally {
  await closeModelStores();
  fs.rmSync(dir, { recursive: true, force: true });
}
