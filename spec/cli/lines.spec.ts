import { expect } from 'chai';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import { lineBatches, splitLines } from '../../src/cli/lines.js';

/** The lines readline gives (what import used before), for comparison. */
async function readlineLines(text: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const l of readline.createInterface({ input: Readable.from([Buffer.from(text)]), crlfDelay: Infinity })) lines.push(l);
  return lines;
}

describe('lineBatches (import reads lines a chunk at a time)', () => {
  it('splits exactly as readline does, whatever the chunk boundaries', async () => {
    const cases = ['a\nb\n', 'a\r\nb', 'a\rb\r\n\r\nc', '\n\n', '', 'x', 'a\r', 'é\nü\r\n{"k":1}'];
    for (const text of cases) {
      for (const size of [1, 2, 3, 1000]) {
        const bytes = Buffer.from(text);
        const chunks: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
        const got: string[] = [];
        let read = 0;
        for await (const batch of lineBatches(Readable.from(chunks))) {
          got.push(...batch.lines);
          read += batch.bytes;
        }
        expect(got, `${JSON.stringify(text)} in chunks of ${size}`).to.deep.equal(await readlineLines(text));
        expect(read).to.equal(bytes.length);
      }
    }
  });

  it('splitLines of a whole text (a chunk of the parsing workers) gives what readline gives', async () => {
    const cases = ['a\nb\n', 'a\r\nb', 'a\rb\r\n\r\nc', '\n\n', '', 'x', 'a\r', 'é\nü\r\n{"k":1}', '\r\r\n \n'];
    for (const text of cases) expect(splitLines(text), JSON.stringify(text)).to.deep.equal(await readlineLines(text));
  });
});
