/** Child processes for the multi-process specs: start a compiled fixture, read its lines, wait for it. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/spec/fixtures, where the compiled fixture scripts live. */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** A running child with its stdout split into lines. */
export interface Proc {
  readonly child: ChildProcess;
  readonly lines: string[];
  stderr(): string;
  /** The exit code, or the signal name. */
  readonly exited: Promise<number | string>;
  /** Resolves with the first line (past or future) that passes `test`; rejects if the child exits first. */
  line(test: (line: string) => boolean): Promise<string>;
  /** Writes one line to the child's stdin. */
  send(line: string): void;
}

/** Starts `node dist/spec/fixtures/<name>.js ...args`. */
export function startFixture(name: string, args: readonly string[], options: Pick<SpawnOptions, 'uid' | 'gid' | 'env' | 'cwd'> = {}): Proc {
  const child = spawn(process.execPath, [path.join(FIXTURES, `${name}.js`), ...args], { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let partial = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  child.stdin!.on('error', () => {}); // a child that exited before reading its stdin
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  const line = (test: (l: string) => boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = lines.find(test);
        if (found === undefined) return;
        waiters.splice(waiters.indexOf(check), 1);
        resolve(found);
      };
      waiters.push(check);
      check();
      void exited.then((code) =>
        reject(new Error(`${name} exited (${code}) before the expected line; stdout: ${lines.join(' | ')}; stderr: ${err.slice(-3000)}`)),
      );
    });
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    line,
    send: (l) => {
      child.stdin!.write(l + '\n');
    },
  };
}

/** The last stdout line of a child, parsed as JSON. */
export function lastJson<T = Record<string, unknown>>(p: Proc): T {
  return JSON.parse(p.lines.filter((l) => l.startsWith('{')).at(-1) ?? 'null') as T;
}

/**
 * Sends SIGSTOP and waits until every thread of the child is stopped. kill() only wakes one thread,
 * which then stops the others: until it has run, a Go thread of the child can still answer a socket.
 */
export async function stopChild(p: Proc): Promise<void> {
  p.child.kill('SIGSTOP');
  const tasks = `/proc/${p.child.pid}/task`;
  const stopped = (tid: string): boolean => {
    try {
      const stat = fs.readFileSync(path.join(tasks, tid, 'stat'), 'utf8');
      return stat[stat.lastIndexOf(')') + 2] === 'T';
    } catch {
      return true; // the thread ended meanwhile
    }
  };
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 2))) {
    if (fs.readdirSync(tasks).every(stopped)) return;
  }
  throw new Error(`process ${p.child.pid} did not stop within 10 s of SIGSTOP`);
}
