/**
 * A signed pre-flight request to S3 before SlateDB opens. SlateDB retries every object-store error
 * forever, so a wrong bucket, wrong credentials or an unreachable endpoint would otherwise surface
 * only as TIMEOUT after the open timeout, with no cause. One small ListObjectsV2 (max-keys=1 under the
 * store's prefix, the same permission SlateDB needs) answers within seconds with the cause, which
 * becomes NO_BUCKET, AUTH, UNREACHABLE or CONFIG. Signing is done by `aws4`, not by hand.
 */
import http from 'node:http';
import https from 'node:https';
import aws4 from 'aws4';
import { SkyshelveError, type ErrorCode } from '../errors.js';
import { scrub } from './slatedb-errors.js';
import type { SlateAwsConfig } from './slatedb-uri.js';

/** The longest the pre-flight waits for an answer (less when the open timeout is shorter). */
export const PREFLIGHT_TIMEOUT_MS = 5_000;

/** What the pre-flight saw: an HTTP answer, or a network failure. */
type Outcome = { status: number; body: string; region?: string } | { error: NodeJS.ErrnoException };

/**
 * Checks that the endpoint answers, the bucket exists and the credentials are accepted. Throws a
 * SkyshelveError naming the cause (never a secret); returns quietly when S3 answered 2xx, or with an
 * error it cannot attribute (5xx), which is then left to SlateDB.
 */
export async function preflight(aws: SlateAwsConfig, prefix: string, secrets: readonly string[], timeoutMs = PREFLIGHT_TIMEOUT_MS): Promise<void> {
  const url = bucketUrl(aws, prefix);
  const request = signed(url, aws);
  const outcome = await send(request, url, Math.min(timeoutMs, PREFLIGHT_TIMEOUT_MS));
  // An unsigned request (no static credentials) is refused by any private bucket: not a finding.
  if (!isSigned(request) && 'status' in outcome && outcome.status === 403) return;
  const failure = classify(outcome, aws, url.origin, secrets);
  if (failure !== undefined) throw failure;
}

/** The path-style ListObjectsV2 URL (the store is opened path-style, too). */
function bucketUrl(aws: SlateAwsConfig, prefix: string): URL {
  const base = new URL(aws.endpoint ?? `https://s3.${aws.region}.amazonaws.com`);
  const url = new URL(`/${encodeURIComponent(aws.bucket)}`, base.origin);
  url.searchParams.set('list-type', '2');
  url.searchParams.set('max-keys', '1');
  if (prefix.length > 0) url.searchParams.set('prefix', prefix);
  return url;
}

/** Request options signed with the config's credentials, else the environment's (as SlateDB would use). */
function signed(url: URL, aws: SlateAwsConfig): http.RequestOptions {
  const env = process.env;
  const accessKeyId = aws.accessKeyId ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = aws.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = aws.accessKeyId !== undefined ? aws.sessionToken : (aws.sessionToken ?? env.AWS_SESSION_TOKEN);
  const request = {
    host: url.hostname,
    port: url.port || undefined,
    path: url.pathname + url.search,
    method: 'GET',
    service: 's3',
    region: aws.region,
    headers: {},
  };
  // Without static credentials (an instance role, say) the request goes unsigned: it still tells a
  // missing bucket and an unreachable endpoint apart.
  if (accessKeyId === undefined || secretAccessKey === undefined) return request;
  return aws4.sign(request, { accessKeyId, secretAccessKey, sessionToken });
}

function isSigned(request: http.RequestOptions): boolean {
  return request.headers !== undefined && 'Authorization' in request.headers;
}

function send(options: http.RequestOptions, url: URL, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request({ ...options, protocol: url.protocol, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        if (body.length < 4096) body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, region: headerOf(res, 'x-amz-bucket-region') }));
      res.on('error', (error) => resolve({ error }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (error) => resolve({ error }));
    req.end();
  });
}

function headerOf(res: http.IncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  return typeof value === 'string' ? value : undefined;
}

const AUTH_CODES = ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'InvalidSecurity', 'AllAccessDisabled'];

/** S3's codes for refused credentials, and the like of other servers (versitygw: XAdminUserNotFound, a 404). */
function isAuthCode(code: string | undefined): boolean {
  return code !== undefined && (AUTH_CODES.includes(code) || /AccessKey|Signature|Token|UserNotFound|Credential/i.test(code));
}

/** The error for an outcome, or undefined when the open may go ahead. */
function classify(outcome: Outcome, aws: SlateAwsConfig, origin: string, secrets: readonly string[]): SkyshelveError | undefined {
  const where = `bucket '${aws.bucket}' at ${origin} (region ${aws.region})`;
  if ('error' in outcome) {
    const reason = outcome.error.code ?? 'network error';
    return failure(
      'UNREACHABLE',
      `cannot reach the S3 endpoint ${origin}: ${reason}${reason === 'ETIMEDOUT' ? ' (no answer)' : ''}. Check 'store.aws.endpoint' and the network.`,
      { endpoint: origin, reason },
    );
  }
  const { status, body } = outcome;
  if (status >= 200 && status < 300) return undefined;
  const s3Code = /<Code>([^<]{1,80})<\/Code>/.exec(body)?.[1];
  const s3Message = scrub(/<Message>([^<]{1,300})<\/Message>/.exec(body)?.[1] ?? '', secrets);
  const said = s3Code ? ` (S3 said ${s3Code}${s3Message ? `: ${s3Message}` : ''})` : '';
  const details = { endpoint: origin, bucket: aws.bucket, status, s3Code };
  if (isAuthCode(s3Code) || (status === 403 && s3Code === undefined)) {
    return failure(
      'AUTH',
      `S3 refused the credentials for ${where}${said}. Check the access key id, secret and session token, and that they may list and write the bucket.`,
      details,
    );
  }
  if (s3Code === 'NoSuchBucket' || (status === 404 && s3Code === undefined))
    return failure('NO_BUCKET', `${where} does not exist${said}. Create it, or fix 'store.aws.bucket'.`, details);
  if (status === 301 || s3Code === 'PermanentRedirect' || (s3Code === 'AuthorizationHeaderMalformed' && outcome.region !== undefined)) {
    return failure('CONFIG', `${where} is in another region${outcome.region ? ` (${outcome.region})` : ''}${said}. Fix 'store.aws.region'.`, details);
  }
  if (status >= 400 && status < 500) return failure('CONFIG', `S3 rejected a request to ${where} with HTTP ${status}${said}.`, details);
  return undefined;
}

function failure(code: ErrorCode, text: string, details: Record<string, unknown>): SkyshelveError {
  return new SkyshelveError(code, `SlateDB open failed (${code}): ${text}`, { details });
}
