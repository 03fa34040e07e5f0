/**
 * Structural check of the model area without the model classes (layout: src/model/layout.ts).
 * Each record stores the list of its own index entries, so both directions can be checked:
 * every listed entry exists (else "missing"), and every entry belongs to a record that lists it
 * (else "stale"). Repair puts the missing entries and deletes the stale ones.
 */
import type { Backend, RawOp } from '../backend/backend.js';
import { decodeInternalKey, internalPrefix, prefixUpperBound, type KeyPart } from '../codec/keys.js';
import { decodeEnvelope, EMPTY, entryKey, recordKey } from '../model/layout.js';
import type { Progress } from './progress.js';
import { chunks } from './walk.js';

/** What the structural check found (and fixed, with repair). */
export interface StructureReport {
  /** Records and index entries looked at. */
  checked: number;
  /** Index entries a record lists that do not exist. */
  missing: number;
  /** Index entries whose record is gone or no longer lists them. */
  stale: number;
  /** Records whose value is not a model record. */
  corrupt: number;
  /** Writes made by repair (puts plus deletes). */
  repaired: number;
}

/** Up to this many repair writes go in one atomic batch. */
const REPAIR_BATCH = 1000;

/** Checks (and with `repair`, fixes) every record and index entry of the store. */
export async function checkStructure(backend: Backend, repair: boolean, bar: Progress): Promise<StructureReport> {
  const report: StructureReport = { checked: 0, missing: 0, stale: 0, corrupt: 0, repaired: 0 };
  const fixes: RawOp[] = [];
  const fix = async (op?: RawOp) => {
    if (op && repair) fixes.push(op);
    if (fixes.length >= REPAIR_BATCH || (!op && fixes.length)) {
      await backend.write(fixes.splice(0));
    }
  };
  await checkRecords(backend, report, fix, bar);
  await checkEntries(backend, report, fix, bar);
  await fix();
  if (repair) report.repaired = report.missing + report.stale;
  return report;
}

type Fix = (op?: RawOp) => Promise<void>;

function area(first: string): { gte: Uint8Array; lt?: Uint8Array } {
  const gte = internalPrefix([first]);
  return { gte, lt: prefixUpperBound(gte) };
}

/** Records to entries: every entry a record lists must exist. */
async function checkRecords(backend: Backend, report: StructureReport, fix: Fix, bar: Progress): Promise<void> {
  for await (const chunk of chunks(backend, area('m'))) {
    const expected: Uint8Array[] = [];
    for (const { key, value } of chunk) {
      const parts = decodeInternalKey(key);
      const [, ns, pk] = parts as [string, string, KeyPart];
      if (parts.length !== 3 || typeof ns !== 'string') {
        report.corrupt++;
        continue;
      }
      try {
        for (const [index, v] of decodeEnvelope(ns, pk, value).entries) expected.push(entryKey(ns, index, v, pk));
      } catch {
        report.corrupt++;
      }
    }
    const found = expected.length ? await backend.getMany(expected) : [];
    for (let i = 0; i < expected.length; i++) {
      if (found[i] !== undefined) continue;
      report.missing++;
      await fix({ type: 'put', key: expected[i]!, value: EMPTY });
    }
    report.checked += chunk.length;
    bar.add(chunk.length);
  }
}

/** Entries to records: every entry's record must exist and list it. */
async function checkEntries(backend: Backend, report: StructureReport, fix: Fix, bar: Progress): Promise<void> {
  for await (const chunk of chunks(backend, area('i'))) {
    // An entry key of the wrong shape belongs to no record: it counts as stale.
    const parsed = chunk.map(({ key }) => ({ key, parts: decodeInternalKey(key) }));
    const wellFormed = (parts: KeyPart[]) => parts.length === 5 && typeof parts[1] === 'string' && typeof parts[2] === 'string';
    const records = await backend.getMany(parsed.map(({ parts }) => (wellFormed(parts) ? recordKey(parts[1] as string, parts[4]!) : recordKey('', 0))));
    for (let i = 0; i < parsed.length; i++) {
      const { key, parts } = parsed[i]!;
      if (!wellFormed(parts) || !listedBy(records[i], parts, key)) {
        report.stale++;
        await fix({ type: 'del', key });
      }
    }
    report.checked += chunk.length;
    bar.add(chunk.length);
  }
}

/** True when the record lists the entry `key`; a corrupt record is counted by checkRecords and its entries are left alone. */
function listedBy(record: Uint8Array | undefined, parts: KeyPart[], key: Uint8Array): boolean {
  if (record === undefined) return false;
  const [, ns, , , pk] = parts as [string, string, string, KeyPart, KeyPart];
  try {
    return decodeEnvelope(ns, pk, record).entries.some(([index, v]) => Buffer.from(entryKey(ns, index, v, pk)).equals(key));
  } catch {
    return true;
  }
}
