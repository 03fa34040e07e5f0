/** Helpers for the reliability suite's child processes: spawn, read lines, kill, wait. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A running child process with its stdout split into lines as they arrive. */
export interface Child {
  readonly proc: ChildProcess;
  readonly lines: string[];
  /** Everything the child wrote to stderr. */
  stderr(): string;
  /** Resolves with the exit code (or the signal name) when the child ends. */
  readonly exited: Promise<number | string>;
  /** Calls `fn` on every stdout line, past and future. */
  onLine(fn: (line: string) => void): void;
}

/** Starts `node dist/spec/reliability/fixtures/<name>.js args...`. */
export function startFixture(name: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; cwd?: string } = {}): Child {
  const file = path.join(here, 'fixtures', `${name}.js`);
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
  });
  const lines: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  let partial = '';
  let err = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      lines.push(line);
      for (const fn of listeners) fn(line);
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    err += chunk;
  });
  // 'close' waits for stdio to drain, so every line the child wrote before dying is in `lines`.
  const exited = new Promise<number | string>((resolve) => proc.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    proc,
    lines,
    stderr: () => err,
    exited,
    onLine(fn) {
      for (const l of lines) fn(l);
      listeners.push(fn);
    },
  };
}

/** Waits for the child to end; SIGKILLs it after `ms` and rejects, so a hang fails the test. */
export async function waitExit(child: Child, ms: number, what: string): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.proc.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${ms} ms; stderr: ${child.stderr().slice(-2000)}`));
    }, ms);
  });
  try {
    return await Promise.race([child.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when a line matching `test` arrives; rejects if the child exits first or after `ms`. */
export function waitLine(child: Child, test: (line: string) => boolean, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no expected line within ${ms} ms; stderr: ${child.stderr().slice(-2000)}`)), ms);
    child.onLine((l) => {
      if (test(l)) {
        clearTimeout(timer);
        resolve(l);
      }
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before the expected line; stderr: ${child.stderr().slice(-2000)}`));
    });
  });
}

/** A promise that resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
