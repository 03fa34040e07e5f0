/** The crash test's bookkeeping: what the writer started, acknowledged and synced, and the check after a kill. */

/** One operation the writer started. */
interface Issued {
  v: number;
  op: 'put' | 'del';
}

/** Reads the writer's lines (see fixtures/crash-writer.ts) into what was issued, acknowledged and synced. */
export class CrashLog {
  readonly issued = new Map<string, Issued[]>();
  readonly acked = new Map<string, number>();
  /** The acknowledged versions when the last completed sync started: these must survive. */
  synced = new Map<string, number>();
  syncsCompleted = 0;
  readonly #pending = new Map<string, Map<string, number>>();

  /** Reads a writer's log file; a last line cut short by the kill is ignored. */
  static fromFile(text: string): CrashLog {
    const log = new CrashLog();
    const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
    for (const l of complete.split('\n')) if (l.length > 0) log.line(l);
    return log;
  }

  line(l: string): void {
    const [t, a, b, c] = l.split(' ');
    if (t === 'B') {
      let list = this.issued.get(a!);
      if (!list) this.issued.set(a!, (list = []));
      list.push({ v: Number(b), op: c as 'put' | 'del' });
    } else if (t === 'A') this.acked.set(a!, Number(b));
    else if (t === 'S') this.#pending.set(a!, new Map(this.acked));
    else if (t === 'D') {
      this.synced = this.#pending.get(a!)!;
      this.syncsCompleted++;
    }
  }
}

/** What one round's check found. */
export interface RoundResult {
  /** Ids with a synced state, each checked. */
  checked: number;
  /** Synced states not found (an older version, or absent with no later delete). */
  lost: number;
  /** Records whose fields do not follow from their version, or versions never written. */
  torn: number;
  /** Acknowledged after the last completed sync, and how many were found: Badger promises all of them. */
  unsyncedAcked: number;
  unsyncedSurvived: number;
  /** Problems, for the failure message. */
  problems: string[];
}

/** Compares what is stored (id -> version, or absent) with the log. */
export function checkRound(log: CrashLog, found: Map<string, number>, fieldsOk: (id: string) => boolean): RoundResult {
  const r: RoundResult = { checked: 0, lost: 0, torn: 0, unsyncedAcked: 0, unsyncedSurvived: 0, problems: [] };
  for (const [id, ops] of log.issued) {
    const opAt = (v: number) => ops.find((o) => o.v === v)?.op;
    const sv = log.synced.get(id) ?? 0;
    const max = ops[ops.length - 1]!.v;
    const fv = found.get(id);
    if (sv > 0) r.checked++;
    if (fv !== undefined) {
      if (opAt(fv) !== 'put' || !fieldsOk(id)) {
        r.torn++;
        r.problems.push(`${id}: found v${fv}, which is not a put that was written intact`);
        continue;
      }
      if (fv < sv) {
        r.lost++;
        r.problems.push(`${id}: found v${fv}, synced v${sv}`);
        continue;
      }
    } else if (sv > 0 && opAt(sv) === 'put' && !ops.some((o) => o.v > sv && o.v <= max && o.op === 'del')) {
      r.lost++;
      r.problems.push(`${id}: absent, synced v${sv} (put) and no later delete`);
      continue;
    }
    const av = log.acked.get(id) ?? 0;
    if (av > sv) {
      r.unsyncedAcked++;
      const survived = fv === undefined ? opAt(av) === 'del' || ops.some((o) => o.v > av && o.op === 'del') : fv >= av;
      if (survived) r.unsyncedSurvived++;
    }
  }
  return r;
}
