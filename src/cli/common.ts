/** Shared pieces of the CLI commands: usage errors, opening stores, reading keys, printing. */
import fs from 'node:fs';
import { Errors } from '../errors.js';
import { SkyShelve } from '../store.js';
import type { Key } from '../codec/keys.js';
import { parseTagged, toTagged, type BytesFormat } from './tagged.js';

/** A mistake in the command line itself: exit code 2. */
export class UsageError extends Error {}

/**
 * Opens a store for a command; read-only commands open SlateDB as a reader (Badger has no reader
 * mode). Only writing commands may create a store: the others (and `mustExist`) reject with NO_STORE.
 */
export async function openStore(location: string, mode: 'read' | 'write', mustExist = mode === 'read'): Promise<SkyShelve<unknown>> {
  if (typeof location !== 'string' || location.length === 0) throw new UsageError('a store location is required');
  const readOnly = location.startsWith('slatedb:') && mode === 'read';
  return SkyShelve.open(location, { ...(readOnly ? { readOnly } : {}), ...(mustExist ? { createIfMissing: false } : {}) });
}

/** Runs `fn` with an open store and always closes it, even after an error. */
export async function withStore<T>(
  location: string,
  mode: 'read' | 'write',
  fn: (store: SkyShelve<unknown>) => Promise<T>,
  mustExist = mode === 'read',
): Promise<T> {
  const store = await openStore(location, mode, mustExist);
  try {
    return await fn(store);
  } finally {
    await store.close().catch(() => {});
  }
}

/** The key of get/set/del: the positional string, or --key-json (tagged JSON, so bytes can be given). */
export function readKey(positional: string | undefined, keyJson: string | undefined): Key {
  if (positional !== undefined && keyJson !== undefined) throw new UsageError('give the key either as an argument or with --key-json, not both');
  if (keyJson !== undefined) return checkKey(parseUsage(keyJson, '--key-json'));
  if (positional === undefined) throw new UsageError('a key is required (as an argument or with --key-json)');
  if (positional.length === 0) throw new UsageError('the key must not be empty');
  return positional;
}

/** An optional range bound given as text, or as tagged JSON when `json` is set. */
export function readBound(text: string | undefined, json: boolean, name: string): Key | undefined {
  if (text === undefined) return undefined;
  return json ? checkKey(parseUsage(text, name)) : text;
}

function checkKey(value: unknown): Key {
  const part = (p: unknown) => typeof p === 'string' || typeof p === 'number' || p instanceof Uint8Array;
  if (part(value) || (Array.isArray(value) && value.every(part))) return value as Key;
  throw new UsageError('a JSON key must be a string, a number, {"$bytes": base64} or a flat array of those');
}

/** Parses tagged JSON from the command line; a mistake is a usage error. */
export function parseUsage(text: string, where: string): unknown {
  try {
    return parseTagged(text, where);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Reads `@file` arguments: the file's text (or its bytes when `bytes` is set). */
export function readArgument(arg: string, bytes = false): string | Buffer {
  if (!arg.startsWith('@')) return bytes ? Buffer.from(arg, 'utf8') : arg;
  const file = arg.slice(1);
  try {
    return bytes ? fs.readFileSync(file) : fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw Errors.cannotRead(file, err);
  }
}

/** Checks the --bytes option. */
export function bytesFormat(value: string | undefined): BytesFormat {
  if (value === undefined || value === 'base64' || value === 'hex') return value ?? 'base64';
  throw new UsageError(`--bytes must be 'base64' or 'hex', got '${value}'`);
}

/** Parses a whole-number option; a bad one is a usage error. */
export function wholeNumber(text: string | undefined, name: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be a whole number >= ${min}, got '${text}'`);
  return n;
}

/** One line of output for a key or value: tagged JSON when `json`, else a readable rendering. */
export function show(value: unknown, json: boolean, bytes: BytesFormat): string {
  if (json) return JSON.stringify(toTaggedLoose(value, bytes));
  if (typeof value === 'string') return value;
  return readable(value, bytes);
}

/** Readable: strings quoted, bytes as hex: or base64:, Dates as ISO text, Maps and Sets named. */
function readable(value: unknown, bytes: BytesFormat): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `${bytes}:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString(bytes)}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Map) return `Map{${Array.from(value, ([k, v]) => `${readable(k, bytes)} => ${readable(v, bytes)}`).join(', ')}}`;
  if (value instanceof Set) return `Set{${Array.from(value, (v) => readable(v, bytes)).join(', ')}}`;
  if (Array.isArray(value)) return `[${value.map((v) => readable(v, bytes)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${readable(v, bytes)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Like toTagged, but prints what it cannot tag as a string instead of failing: output is for reading. */
function toTaggedLoose(value: unknown, bytes: BytesFormat): unknown {
  try {
    return toTagged(value, bytes);
  } catch {
    return String(value);
  }
}

/** Writes one line to stdout, waiting when the pipe is full so huge scans do not buffer in memory. */
export async function out(line: string): Promise<void> {
  if (!process.stdout.write(line + '\n')) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}
