/** Every stable error code skyshelve raises. The README documents each one. */
export type ErrorCode =
  | 'CLOSED'
  | 'LOCKED'
  | 'NO_STORE'
  | 'KEY_TOO_LARGE'
  | 'VALUE_TOO_LARGE'
  | 'TXN_TOO_BIG'
  | 'DECODE'
  | 'NOT_FOUND'
  | 'NOT_SUPPORTED'
  | 'READ_ONLY'
  | 'FENCED'
  | 'VALIDATION'
  | 'KEY_CHANGED'
  | 'UNIQUE'
  | 'INDEX'
  | 'METADATA'
  | 'CONFIG'
  | 'NATIVE_LOAD'
  | 'IO'
  | 'TIMEOUT'
  | 'CONFLICT'
  | 'PERMISSION'
  | 'UNAVAILABLE'
  | 'BUSY'
  | 'NO_BUCKET'
  | 'AUTH'
  | 'UNREACHABLE'
  | 'INTERNAL';

/** The one error class of skyshelve: tests and callers branch on `code`, never on the message. */
export class SkyshelveError extends Error {
  readonly code: ErrorCode;
  /** Extra facts about the failure, such as the key or the class-validator errors. */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SkyshelveError';
    this.code = code;
    if (options.details) this.details = options.details;
  }
}

/** True when `err` is a SkyshelveError, optionally with the given code. */
export function isSkyshelveError(err: unknown, code?: ErrorCode): err is SkyshelveError {
  return err instanceof SkyshelveError && (code === undefined || err.code === code);
}

/** Named factories keep messages consistent and actionable. */
export const Errors = {
  /** A bulk ingest (import or copy into an empty store) owns the store until it finishes. */
  busy: (what = 'store') =>
    new SkyshelveError('BUSY', `The ${what} is busy: a bulk ingest (import or copy into an empty store) is loading it. Try again when it has finished.`),
  closed: (what = 'store') => new SkyshelveError('CLOSED', `The ${what} is closed; open a new one to continue.`),
  readOnly: (op: string) => new SkyshelveError('READ_ONLY', `Cannot ${op}: this store was opened read-only.`),
  notSupported: (op: string, backend: string) => new SkyshelveError('NOT_SUPPORTED', `${op} is not supported by the ${backend} backend.`),
  notFound: (key: unknown) => new SkyshelveError('NOT_FOUND', `No record found for key ${describeKey(key)}.`, { details: { key } }),
  decode: (key: unknown, cause?: unknown) =>
    new SkyshelveError('DECODE', `The value stored at key ${describeKey(key)} cannot be decoded.`, { cause, details: { key } }),
  config: (message: string, cause?: unknown) => new SkyshelveError('CONFIG', message, { cause }),
  /** A conditional write's check `index` failed (the first one); nothing of the batch was written. */
  conflict: (index: number) =>
    new SkyshelveError('CONFLICT', `Write rejected (CONFLICT): check ${index} failed, the value changed since it was read; nothing was written.`, {
      details: { index },
    }),
  /** A file the caller named cannot be read (IO), with the errno code when there is one. */
  cannotRead: (file: string, err: unknown, what = '') =>
    new SkyshelveError('IO', `cannot read ${what}${file}: ${(err as NodeJS.ErrnoException)?.code ?? (err as Error)?.message ?? String(err)}`, { cause: err }),
  /** A store opened with `createIfMissing: false` is not there; `inside` lists the stores the folder holds. */
  noStore: (location: string, why: string, inside: readonly string[] = []) =>
    new SkyshelveError(
      'NO_STORE',
      inside.length > 0
        ? `${location} is not a store itself, but it holds ${inside.length === 1 ? 'a store' : 'stores'}: ${inside.join(', ')}. Name one of them.`
        : `No store at ${location}: ${why}. Check the path; nothing was created.`,
      { details: { location, stores: [...inside] } },
    ),
};

/** A short, safe rendering of a key for error messages (never the whole of a huge key). */
export function describeKey(key: unknown): string {
  let text: string;
  if (typeof key === 'string') text = JSON.stringify(key);
  else if (key instanceof Uint8Array) text = `<${key.length} bytes ${Buffer.from(key.subarray(0, 16)).toString('hex')}${key.length > 16 ? '…' : ''}>`;
  else if (Array.isArray(key)) text = `[${key.map(describeKey).join(', ')}]`;
  else text = String(key);
  return text.length > 120 ? text.slice(0, 117) + '…' : text;
}
