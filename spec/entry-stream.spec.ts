import { expect } from 'chai';
import type { RawCursor, RawEntry } from '../src/backend/backend.js';
import { EntryStream } from '../src/entry-stream.js';

/** A cursor over `count` one-byte keys whose value bytes equal the key; records what happened. */
function fakeCursor(count: number) {
  const log = { opened: 0, closed: 0, calls: [] as number[] };
  let at = 0;
  const cursor: RawCursor = {
    async next(max) {
      log.calls.push(max);
      const out: RawEntry[] = [];
      while (out.length < max && at < count) {
        out.push({ key: Uint8Array.of(at), value: Uint8Array.of(at) });
        at++;
      }
      return out;
    },
    async close() {
      log.closed++;
    },
  };
  const open = async () => {
    log.opened++;
    return { cursor, left: Infinity };
  };
  return { log, open };
}

const decodeKey = (b: Uint8Array) => b[0]!;
const decodeValue = (_k: unknown, b: Uint8Array) => {
  if (b[0] === 13) throw new Error('bad value 13');
  return b[0]! * 10;
};

describe('EntryStream (the iterator of SkyShelve.entries)', () => {
  it('yields every entry in order across chunks, then closes the cursor once', async () => {
    const { log, open } = fakeCursor(10);
    const seen: number[] = [];
    for await (const [k, v] of new EntryStream(open, decodeKey, decodeValue, 3)) {
      expect(v).to.equal(Number(k) * 10);
      seen.push(Number(k));
    }
    expect(seen).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(log.calls).to.deep.equal([3, 3, 3, 3, 3]);
    expect(log.closed).to.equal(1);
  });

  it('does nothing before the first next(), and return() before it never opens', async () => {
    const { log, open } = fakeCursor(5);
    const stream = new EntryStream(open, decodeKey, decodeValue, 2);
    expect(log.opened).to.equal(0);
    expect(await stream.return(undefined)).to.deep.equal({ done: true, value: undefined });
    expect(await stream.next()).to.deep.equal({ done: true, value: undefined });
    expect(log.opened).to.equal(0);
  });

  it('closes the cursor on break', async () => {
    const { log, open } = fakeCursor(10);
    for await (const [k] of new EntryStream(open, decodeKey, decodeValue, 4)) if (k === 5) break;
    expect(log.closed).to.equal(1);
  });

  it('answers calls made without awaiting in order', async () => {
    const { open } = fakeCursor(5);
    const stream = new EntryStream(open, decodeKey, decodeValue, 2);
    const results = await Promise.all([stream.next(), stream.next(), stream.next(), stream.next(), stream.next(), stream.next()]);
    expect(results.map((r) => (r.done ? 'done' : r.value[0]))).to.deep.equal([0, 1, 2, 3, 4, 'done']);
  });

  it('closes the cursor before a decode error reaches the caller, then is done', async () => {
    const { log, open } = fakeCursor(20);
    const stream = new EntryStream(open, decodeKey, decodeValue, 8);
    const seen: number[] = [];
    let error: unknown;
    try {
      for await (const [k] of stream) seen.push(Number(k));
    } catch (err) {
      error = err;
      expect(log.closed).to.equal(1);
    }
    expect((error as Error).message).to.equal('bad value 13');
    expect(seen).to.have.length(13);
    expect(await stream.next()).to.deep.equal({ done: true, value: undefined });
  });

  it('stops after `left` entries', async () => {
    const { open } = fakeCursor(10);
    const limited = async () => ({ ...(await open()), left: 4 });
    const keys: number[] = [];
    for await (const [k] of new EntryStream(limited, decodeKey, decodeValue, 3)) keys.push(Number(k));
    expect(keys).to.deep.equal([0, 1, 2, 3]);
  });
});
