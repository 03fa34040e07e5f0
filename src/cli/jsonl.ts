/**
 * The lossless JSON-lines export format (docs/CLI.md, "Export format"): a header line, one line
 * per stored entry of the whole key space (user keys and the internal area), and a trailer line.
 * Keys and values are written decoded, as tagged JSON, whenever that re-encodes to the very same
 * bytes; anything else is written as raw base64, so a round-trip never changes a byte.
 */
import type { RawEntry } from '../backend/backend.js';
import { decodeInternalKey, decodeKey, encodeKey, internalKey, type Key, type KeyPart } from '../codec/keys.js';
import { decodeValue, encodeValue } from '../codec/values.js';
import { fromParsedTagged, fromTagged, toTagged } from './tagged.js';

/** The format name in the header line. */
export const FORMAT = 'skyshelve-export';
/** The format version this code writes and reads. */
export const VERSION = 1;

/** The first line of an export file. */
export interface Header {
  format: typeof FORMAT;
  version: number;
  backend?: string;
  exported?: string;
}

/** The last line of an export file: its presence proves the file is complete. */
export interface Trailer {
  end: true;
  count: number;
}

/** One entry line: exactly one of k (user key), i (internal key elements), kb (raw key) and one of v, vb. */
export interface EntryLine {
  k?: unknown;
  i?: unknown[];
  kb?: string;
  v?: unknown;
  vb?: string;
}

/** The header line's text for a store of `backend`. */
export function headerLine(backend: string): string {
  const header: Header = { format: FORMAT, version: VERSION, backend, exported: new Date().toISOString() };
  return JSON.stringify(header);
}

/** The trailer line's text. */
export function trailerLine(count: number): string {
  const trailer: Trailer = { end: true, count };
  return JSON.stringify(trailer);
}

/** The entry line for one raw entry; `raw` skips decoding and writes base64 for both sides. */
export function entryLine(entry: RawEntry, raw = false): string {
  const line: EntryLine = raw ? { kb: b64(entry.key) } : keyField(entry.key);
  if (raw) line.vb = b64(entry.value);
  else {
    const v = valueField(entry.value);
    if (v === undefined) line.vb = b64(entry.value);
    else line.v = v;
  }
  return JSON.stringify(line);
}

/** What one parsed line of an export file is. */
export type ParsedLine = { kind: 'header'; header: Header } | { kind: 'trailer'; count: number } | { kind: 'entry'; entry: RawEntry };

/** Parses one line back to bytes; throws a TypeError that names the line number for anything malformed. */
export function parseLine(text: string, lineNo: number): ParsedLine {
  const where = `line ${lineNo}`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TypeError(`${where} is not valid JSON (${(err as Error).message})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new TypeError(`${where} must be a JSON object`);
  const o = data as Record<string, unknown>;
  if (o.format !== undefined) return { kind: 'header', header: checkHeader(o, where) };
  if (o.end === true) {
    if (!Number.isInteger(o.count)) throw new TypeError(`${where}: the trailer needs a whole-number count`);
    return { kind: 'trailer', count: o.count as number };
  }
  return { kind: 'entry', entry: { key: parseKey(o, where), value: parseValue(o, where) } };
}

function checkHeader(o: Record<string, unknown>, where: string): Header {
  if (o.format !== FORMAT) throw new TypeError(`${where}: not a skyshelve export (format ${JSON.stringify(o.format)})`);
  if (o.version !== VERSION) throw new TypeError(`${where}: export version ${String(o.version)} is not supported (this tool reads version ${VERSION})`);
  return o as unknown as Header;
}

/** User keys decode strictly (decodeKey succeeding means re-encoding gives the same bytes). */
function keyField(key: Uint8Array): EntryLine {
  try {
    return { k: toTagged(decodeKey(key)) };
  } catch {
    try {
      return { i: toTagged(decodeInternalKey(key)) as unknown[] };
    } catch {
      return { kb: b64(key) };
    }
  }
}

/** The tagged value, or undefined when it would not re-encode to exactly `bytes`. */
function valueField(bytes: Uint8Array): unknown {
  try {
    const tagged = toTagged(decodeValue(bytes));
    const again = encodeValue(fromTagged(tagged), { autoSerialize: true });
    return Buffer.compare(again, bytes) === 0 ? tagged : undefined;
  } catch {
    return undefined;
  }
}

function parseKey(o: Record<string, unknown>, where: string): Uint8Array {
  const n = Number(o.k !== undefined) + Number(o.i !== undefined) + Number(o.kb !== undefined);
  if (n !== 1) throw new TypeError(`${where} needs exactly one of "k", "i" or "kb"`);
  if (o.kb !== undefined) return fromB64(o.kb, `${where}.kb`);
  if (o.i !== undefined) {
    if (!Array.isArray(o.i)) throw new TypeError(`${where}.i must be an array of key elements`);
    return internalKey(fromParsedTagged(o.i, `${where}.i`) as KeyPart[]);
  }
  return encodeKey(fromParsedTagged(o.k, `${where}.k`) as Key, `${where}.k`);
}

function parseValue(o: Record<string, unknown>, where: string): Uint8Array {
  if ('v' in o === (o.vb !== undefined)) throw new TypeError(`${where} needs exactly one of "v" or "vb"`);
  if (o.vb !== undefined) return fromB64(o.vb, `${where}.vb`);
  return encodeValue(fromParsedTagged(o.v, `${where}.v`), { autoSerialize: true, argName: `${where}.v` });
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function fromB64(text: unknown, where: string): Uint8Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new TypeError(`${where} must be a base64 string`);
  return Buffer.from(text, 'base64');
}
