/** Help text helpers shared by the commands. */

/** The "Examples:" block appended to a command's --help. */
export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`;
}

/** The description of the <store> argument, the same everywhere. */
export const STORE_ARG = 'a Badger directory, or a slatedb: URI (slatedb://dir or slatedb:{json})';
