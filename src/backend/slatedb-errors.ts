/**
 * Turns @slatedb/uniffi errors into SkyshelveErrors with stable codes. Every message passes through
 * `scrub`, which removes the configured credentials, because object-store errors can quote request
 * details and the native error text is otherwise shown as is.
 */
import { SkyshelveError, type ErrorCode } from '../errors.js';

/** What the failing call was doing, and which strings must never appear in a message. */
export interface ErrorContext {
  /** A short verb phrase such as 'open', 'write', 'get'. */
  op: string;
  /** Credentials of this store; each is replaced by '***' in messages. */
  secrets: readonly string[];
  /** During open, invalid input is a configuration problem; later it is an internal one. */
  opening?: boolean;
}

/** Maps any error thrown by a SlateDB call to a SkyshelveError (already-mapped errors pass through). */
export function toSkyError(err: unknown, ctx: ErrorContext): SkyshelveError {
  if (err instanceof SkyshelveError) return err;
  const e = err as { tag?: unknown; reason?: unknown; message?: unknown } | undefined;
  const raw = typeof e?.message === 'string' ? e.message : String(err);
  const text = scrub(raw, ctx.secrets);
  const code = codeFor(e?.tag, e?.reason, raw, ctx.opening === true);
  const message = `SlateDB ${ctx.op} failed (${code}): ${text}${hint(code, raw)}`;
  // Keep the native error as `cause` only when its message held no secret.
  return new SkyshelveError(code, message, text === raw ? { cause: err, details: { slatedbTag: e?.tag } } : { details: { slatedbTag: e?.tag } });
}

/** Replaces every secret in `text` with '***'. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

function codeFor(tag: unknown, reason: unknown, message: string, opening: boolean): ErrorCode {
  switch (tag) {
    case 'Closed':
      return reason === 'Fenced' ? 'FENCED' : 'CLOSED';
    case 'Invalid':
      if (/key size/i.test(message)) return 'KEY_TOO_LARGE';
      if (/value size/i.test(message)) return 'VALUE_TOO_LARGE';
      return opening ? 'CONFIG' : 'INTERNAL';
    case 'Unavailable':
      return 'IO';
    case 'Data':
      // A reader opened where no writer has created a database yet finds no manifest.
      return opening && MISSING_DB.test(message) ? 'CONFIG' : 'DECODE';
    case 'Transaction':
    case 'Internal':
    default:
      return 'INTERNAL';
  }
}

const MISSING_DB = /failed to find latest/i;

function hint(code: ErrorCode, message: string): string {
  if (code === 'CONFIG' && MISSING_DB.test(message)) return ' (there is no SlateDB database at this location yet; open a writer there first)';
  if (code === 'FENCED') return ' (another writer opened this database; this handle is closed: reopen it to write again)';
  if (code === 'IO') return ' (check the object store: path, endpoint, bucket and credentials)';
  return '';
}
