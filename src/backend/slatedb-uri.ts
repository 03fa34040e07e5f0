/**
 * SlateDB locations: the `slatedb:` URI forms, the config they parse into, and the environment
 * reader. Nothing here touches the engine, so config errors surface before any native code loads.
 * Messages name the offending key or variable and never echo a credential.
 */
import { SkyshelveError } from '../errors.js';
import { closest } from '../options.js';
import { scrub } from './slatedb-errors.js';

/** S3 (or S3-compatible) settings; `endpoint` + `allowHttp` point it at a local server. */
export interface SlateAwsConfig {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Allow plain http:// endpoints (local servers). Default: true when the endpoint is http://. */
  allowHttp?: boolean;
}

/** Which object store holds the database. */
export type SlateStoreConfig = { provider: 'local' } | { provider: 'aws'; aws: SlateAwsConfig };

/** Everything needed to open a SlateDB database. */
export interface SlateConfig {
  /** local: the directory that holds the database; aws: the key prefix inside the bucket. */
  path: string;
  /** Local disk cache for object-store reads (SlateDB object_store_cache_options.root_folder). */
  cacheDir?: string;
  store: SlateStoreConfig;
  /** SlateDB Settings overrides, e.g. { flush_interval: '50ms' }; checked against SlateDB's defaults. */
  options?: Record<string, unknown>;
  /** Each write waits until it is in the object store (default false: buffered, flushed every ~100 ms). */
  durable?: boolean;
}

/** Where `slatedb://` with no path keeps its data. */
export const DEFAULT_SLATEDB_DIR = './data/slatedb';

const TOP_KEYS = ['path', 'cacheDir', 'store', 'options', 'durable'];
const STORE_KEYS = ['provider', 'aws'];
const AWS_KEYS = ['bucket', 'region', 'endpoint', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'allowHttp'];
const PROVIDERS = ['local', 'aws'];

/** Parses `slatedb://`, `slatedb://some/dir` or `slatedb:{json}` into a checked SlateConfig. */
export function parseSlatedbLocation(uri: string): SlateConfig {
  if (typeof uri !== 'string') throw new TypeError(`uri must be a string, got ${typeof uri}`);
  if (!uri.startsWith('slatedb:')) throw configError(`A SlateDB location must start with 'slatedb:'.`);
  const rest = uri.slice('slatedb:'.length);
  if (rest.startsWith('//')) {
    const dir = rest.slice(2);
    return { path: dir.length === 0 ? DEFAULT_SLATEDB_DIR : dir, store: { provider: 'local' } };
  }
  if (!rest.startsWith('{')) throw configError(`Expected 'slatedb://<dir>' or 'slatedb:{json}' after 'slatedb:'.`);
  let raw: unknown;
  try {
    raw = JSON.parse(rest);
  } catch (err) {
    // The JSON parser's message quotes the input, which may hold a secret: keep only the position.
    const at = /position (\d+)/.exec(String((err as Error).message))?.[1];
    throw configError(`The slatedb: JSON is not valid${at ? ` (error near character ${at})` : ''}.`);
  }
  return checkConfig(raw);
}

/** Credentials of a config, to scrub from every message and from `store.location`. */
export function secretsOf(config: SlateConfig): string[] {
  if (config.store.provider !== 'aws') return [];
  const { accessKeyId, secretAccessKey, sessionToken, endpoint } = config.store.aws;
  const userInfo = endpoint ? endpointUserInfo(endpoint) : [];
  return [accessKeyId, secretAccessKey, sessionToken, ...userInfo].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

function endpointUserInfo(endpoint: string): string[] {
  try {
    const url = new URL(endpoint);
    return [url.password, decodeURIComponent(url.password)];
  } catch {
    return [];
  }
}

/** Whether writes wait for the object store: the open option wins over the config. */
export function durableOf(config: SlateConfig, options: { durable?: boolean }): boolean {
  return options.durable ?? config.durable ?? false;
}

// Credential fields of the JSON form, masked even when the URI does not parse.
const SECRET_FIELDS = /("(?:accessKeyId|secretAccessKey|sessionToken)"\s*:\s*)"(?:[^"\\]|\\.)*"/g;

/** The URI with every credential replaced by '***': what `store.location` shows. */
export function scrubbedLocation(uri: string): string {
  let secrets: string[] = [];
  try {
    secrets = secretsOf(parseSlatedbLocation(uri));
  } catch {
    // An unparsable URI is reported when the store opens; here only the masking below applies.
  }
  return scrub(uri, secrets)
    .replace(SECRET_FIELDS, '$1"***"')
    .replace(/(\/\/[^/:@"\s]*:)[^@"\s/]*@/g, '$1***@');
}

/** Builds the `slatedb:{json}` location string for a config (store defaults to a local directory). */
export function slatedbUri(path: string, config: Partial<Omit<SlateConfig, 'path'>> = {}): string {
  const full = checkConfig({ path, ...config });
  return 'slatedb:' + JSON.stringify(full);
}

/** Checks a parsed config object; every problem names its key. */
export function checkConfig(raw: unknown): SlateConfig {
  const top = asObject(raw, 'the slatedb config');
  checkKeys(top, TOP_KEYS, 'the slatedb config');
  const path = top.path;
  if (typeof path !== 'string' || path.length === 0) throw configError(`'path' must be a non-empty string.`);
  if (top.cacheDir !== undefined && (typeof top.cacheDir !== 'string' || top.cacheDir.length === 0))
    throw configError(`'cacheDir' must be a non-empty string.`);
  if (top.durable !== undefined && typeof top.durable !== 'boolean') throw configError(`'durable' must be a boolean.`);
  if (top.options !== undefined) asObject(top.options, `'options'`);
  const config: SlateConfig = { path, store: checkStore(top.store) };
  if (top.cacheDir !== undefined) config.cacheDir = top.cacheDir as string;
  if (top.options !== undefined) config.options = top.options as Record<string, unknown>;
  if (top.durable !== undefined) config.durable = top.durable;
  return config;
}

function checkStore(raw: unknown): SlateStoreConfig {
  if (raw === undefined) return { provider: 'local' };
  const store = asObject(raw, `'store'`);
  checkKeys(store, STORE_KEYS, `'store'`);
  const provider = store.provider;
  if (typeof provider !== 'string' || !PROVIDERS.includes(provider)) {
    const hint = typeof provider === 'string' ? closest(provider, PROVIDERS) : undefined;
    throw configError(
      `Unknown store provider ${typeof provider === 'string' ? `'${provider.slice(0, 40)}'` : `(${typeof provider})`}; use 'local' or 'aws'${hint ? ` (did you mean '${hint}'?)` : ''}.`,
    );
  }
  if (provider === 'local') {
    if (store.aws !== undefined) throw configError(`'store.aws' is only allowed with provider 'aws'.`);
    return { provider: 'local' };
  }
  return { provider: 'aws', aws: checkAws(store.aws) };
}

function checkAws(raw: unknown): SlateAwsConfig {
  if (raw === undefined) throw configError(`Provider 'aws' needs 'store.aws' with at least 'bucket' and 'region'.`);
  const aws = asObject(raw, `'store.aws'`);
  checkKeys(aws, AWS_KEYS, `'store.aws'`);
  const missing = ['bucket', 'region'].filter((k) => typeof aws[k] !== 'string' || (aws[k] as string).length === 0);
  if (missing.length > 0) throw configError(`'store.aws' is missing ${missing.map((k) => `'${k}'`).join(' and ')} (a non-empty string).`);
  for (const k of ['endpoint', 'accessKeyId', 'secretAccessKey', 'sessionToken']) {
    // Never print the value: it may be a secret.
    if (aws[k] !== undefined && typeof aws[k] !== 'string') throw configError(`'store.aws.${k}' must be a string.`);
  }
  if (aws.allowHttp !== undefined && typeof aws.allowHttp !== 'boolean') throw configError(`'store.aws.allowHttp' must be a boolean.`);
  if ((aws.accessKeyId === undefined) !== (aws.secretAccessKey === undefined)) {
    throw configError(`'store.aws' needs both 'accessKeyId' and 'secretAccessKey', or neither.`);
  }
  if (aws.endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(aws.endpoint as string)) {
    throw configError(`'store.aws.endpoint' must be an http:// or https:// URL.`);
  }
  const out: SlateAwsConfig = { bucket: aws.bucket as string, region: aws.region as string };
  for (const k of ['endpoint', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'allowHttp'] as const) {
    if (aws[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = aws[k];
  }
  return out;
}

/** Options for slatedbUriFromEnv. */
export interface FromEnvOptions {
  env?: Record<string, string | undefined>;
}

/**
 * Builds a `slatedb:{json}` location from environment variables:
 * - SKYSHELVE_PROVIDER: 'local' or 'aws'. Unset: 'aws' when a bucket and both AWS keys are set, else 'local'.
 * - SKYSHELVE_CACHE_PATH (default `defaultCachePath`): local: the data directory; aws: the key prefix
 *   inside the bucket (leading './' and '/' removed).
 * - SKYSHELVE_ASYNC: unset, 1/true/yes/on = buffered writes (the default; `sync()` or close makes them
 *   durable). 0/false/no/off = durable: every write waits until it is in the object store.
 * - BUCKET_NAME or AWS_S3_BUCKET, AWS_REGION or AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3,
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
 */
export function slatedbUriFromEnv(defaultCachePath: string, { env = process.env }: FromEnvOptions = {}): string {
  if (typeof defaultCachePath !== 'string' || defaultCachePath.length === 0) throw new TypeError('defaultCachePath must be a non-empty string');
  const get = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const cachePath = get('SKYSHELVE_CACHE_PATH') ?? defaultCachePath;
  const durable = parseAsync(get('SKYSHELVE_ASYNC'));
  const bucket = get('BUCKET_NAME') ?? get('AWS_S3_BUCKET');
  const region = get('AWS_REGION') ?? get('AWS_DEFAULT_REGION');
  const accessKeyId = get('AWS_ACCESS_KEY_ID');
  const secretAccessKey = get('AWS_SECRET_ACCESS_KEY');
  let provider = get('SKYSHELVE_PROVIDER');
  if (provider !== undefined && !PROVIDERS.includes(provider)) {
    throw configError(`SKYSHELVE_PROVIDER must be 'local' or 'aws', got '${provider.slice(0, 40)}'.`);
  }
  provider ??= bucket && accessKeyId && secretAccessKey ? 'aws' : 'local';
  const extra = durable ? { durable: true } : {};
  if (provider === 'local') return slatedbUri(cachePath, { store: { provider: 'local' }, ...extra });
  const missing = [bucket ? '' : 'BUCKET_NAME (or AWS_S3_BUCKET)', region ? '' : 'AWS_REGION (or AWS_DEFAULT_REGION)'].filter(Boolean);
  if (missing.length > 0) throw configError(`SlateDB on AWS needs ${missing.join(' and ')} to be set.`);
  const aws: SlateAwsConfig = { bucket: bucket!, region: region! };
  const endpoint = get('AWS_ENDPOINT_URL_S3');
  if (endpoint) aws.endpoint = endpoint;
  if (accessKeyId) aws.accessKeyId = accessKeyId;
  if (secretAccessKey) aws.secretAccessKey = secretAccessKey;
  const token = get('AWS_SESSION_TOKEN');
  if (token) aws.sessionToken = token;
  const prefix = cachePath.replace(/^(\.\/)+/, '').replace(/^\/+/, '') || 'skyshelve';
  return slatedbUri(prefix, { store: { provider: 'aws', aws }, ...extra });
}

/** SKYSHELVE_ASYNC → durable? Unset means buffered (not durable). */
function parseAsync(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return false;
  if (['0', 'false', 'no', 'off'].includes(v)) return true;
  throw configError(`SKYSHELVE_ASYNC must be 1/true (buffered writes) or 0/false (durable writes), got '${value.slice(0, 20)}'.`);
}

function asObject(raw: unknown, what: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw configError(`${what} must be a JSON object.`);
  return raw as Record<string, unknown>;
}

function checkKeys(obj: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const hint = closest(key, known);
    throw configError(`Unknown key '${key.slice(0, 40)}' in ${where}${hint ? `; did you mean '${hint}'?` : ''} (known: ${known.join(', ')}).`);
  }
}

function configError(message: string): SkyshelveError {
  return new SkyshelveError('CONFIG', message);
}
