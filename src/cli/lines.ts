/** Splits a text stream into lines, a chunk's worth at a time (readline's one await per line costs more than parsing it). */
import { StringDecoder } from 'node:string_decoder';

/** Line breaks as readline counts them with crlfDelay Infinity: \n, \r\n, and a lone \r. */
const BREAK = /\r?\n|\r(?!\n)/;

/** Yields the stream's lines in order, in arrays, with the bytes read for them (for a progress bar);
 * a last line without a break is yielded too. */
export async function* lineBatches(stream: NodeJS.ReadableStream): AsyncGenerator<{ lines: string[]; bytes: number }> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Buffer).length;
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    // A \r at the very end may be the first half of \r\n: keep it for the next chunk.
    const cut = text.endsWith('\r') ? text.length - 1 : text.length;
    const lines = text.slice(0, cut).split(text.includes('\r') ? BREAK : '\n');
    rest = lines.pop()! + text.slice(cut);
    if (lines.length) {
      yield { lines, bytes };
      bytes = 0;
    }
  }
  const last = rest + decoder.end();
  const tail = last.split(BREAK);
  if (tail.at(-1) === '') tail.pop();
  if (tail.length || bytes) yield { lines: tail, bytes };
}

/** The lines of a whole text, as lineBatches would yield them for a stream of it. */
export function splitLines(text: string): string[] {
  const lines = text.split(text.includes('\r') ? BREAK : '\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
