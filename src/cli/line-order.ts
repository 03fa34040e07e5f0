/**
 * The order an export file's lines must come in (docs/CLI.md, "Export format"): a header on
 * line 1, entries, then one trailer whose count matches. Both import paths (one thread, import.ts;
 * parsing workers, import-parallel.ts) feed it the kind of each line in file order, so a bad file
 * gives the same message whichever path read it.
 */
import { SkyshelveError } from '../errors.js';
import type { ParsedLine } from './jsonl.js';

/** What a failed bulk import leaves, for the end-of-file messages. */
export const NOTHING_KEPT = 'nothing was imported (the target is left empty)';

/** The checks, fed one line at a time in file order. */
export class LineOrder {
  /** The number of the line most recently numbered by `advance` (blank lines count). */
  lineNo = 0;
  /** Entry lines so far. */
  count = 0;
  private trailer: number | undefined;

  /** Numbers the next line; returns its number (for parseLine's messages). */
  advance(): number {
    return ++this.lineNo;
  }

  /** Checks the line numbered by the last `advance`; `trailerCount` is a trailer's count. */
  check(kind: ParsedLine['kind'], trailerCount?: number): void {
    if (this.lineNo === 1 && kind !== 'header') throw bad('line 1 is not a skyshelve export header');
    if (this.trailer !== undefined) throw bad(`line ${this.lineNo} comes after the trailer line`);
    if (kind === 'trailer') this.trailer = trailerCount;
    else if (kind === 'entry') this.count++;
    else if (this.lineNo !== 1) throw bad(`line ${this.lineNo} is a second header`);
  }

  /** The end-of-file checks; `kept` says what a failed import left. Returns the entry count. */
  finish(kept: string): number {
    if (this.lineNo === 0) throw bad('the file is empty');
    if (this.trailer === undefined) throw bad(`the file has no trailer line, so it is truncated; ${kept}`);
    if (this.trailer !== this.count) throw bad(`the trailer says ${this.trailer} entries but the file holds ${this.count}; ${kept}`);
    return this.count;
  }
}

function bad(message: string): SkyshelveError {
  return new SkyshelveError('DECODE', message);
}
