/**
 * From a SlateConfig to the native pieces: the ObjectStore handle, the database path inside it,
 * and a Settings object. Kept apart from the backend so the env handling is in one small place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ObjectStore, Settings } from '@slatedb/uniffi';
import { Errors, SkyshelveError } from '../errors.js';
import { closest } from '../options.js';
import type { SlateAwsConfig, SlateConfig } from './slatedb-uri.js';

export { secretsOf } from './slatedb-uri.js';

/** The object store, and where the database lives inside it. */
export interface ResolvedStore {
  store: ObjectStore;
  dbPath: string;
  /** An absolute local directory, for messages and stats. */
  localDir?: string;
}

/** Opens the object store named by the config. Local directories are created if missing. */
export function resolveStore(config: SlateConfig, { create }: { create: boolean }): ResolvedStore {
  if (config.store.provider === 'local') {
    const dir = path.resolve(config.path);
    if (create) fs.mkdirSync(dir, { recursive: true });
    else if (!fs.existsSync(dir)) throw Errors.noStore(dir, 'the directory does not exist');
    // The directory is the store's root and the database sits at its top (path '').
    return { store: ObjectStore.resolve(pathToFileURL(dir).href), dbPath: '', localDir: dir };
  }
  return { store: resolveS3(config.store.aws), dbPath: config.path.replace(/^\/+/, '') };
}

// Names object_store reads from the environment for S3 (lower-cased); cleared while we resolve so a
// stray REGION or AWS_ENDPOINT in the user's shell cannot redirect the store.
const S3_ALIASES = [
  'region',
  'default_region',
  'bucket',
  'bucket_name',
  'endpoint',
  'endpoint_url',
  'allow_http',
  'virtual_hosted_style_request',
  'access_key_id',
  'secret_access_key',
  'session_token',
  'token',
];
const S3_OVERRIDDEN = [
  'aws_region',
  'aws_default_region',
  'aws_bucket',
  'aws_bucket_name',
  'aws_endpoint',
  'aws_endpoint_url',
  'aws_endpoint_url_s3',
  'aws_allow_http',
  'aws_virtual_hosted_style_request',
];
const S3_CREDENTIALS = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_token'];

/**
 * @slatedb/uniffi 0.12.1 can only build an S3 store from a URL plus the process environment, so the
 * config is placed in the environment for the duration of one synchronous call and then restored.
 * No JavaScript runs in between; worker threads share the environment and are the one caveat.
 */
function resolveS3(aws: SlateAwsConfig): ObjectStore {
  const wanted: Record<string, string> = {
    AWS_REGION: aws.region,
    AWS_BUCKET: aws.bucket,
    AWS_VIRTUAL_HOSTED_STYLE_REQUEST: 'false',
  };
  if (aws.endpoint) wanted.AWS_ENDPOINT = aws.endpoint;
  const allowHttp = aws.allowHttp ?? aws.endpoint?.startsWith('http://') ?? false;
  if (allowHttp) wanted.AWS_ALLOW_HTTP = 'true';
  if (aws.accessKeyId) wanted.AWS_ACCESS_KEY_ID = aws.accessKeyId;
  if (aws.secretAccessKey) wanted.AWS_SECRET_ACCESS_KEY = aws.secretAccessKey;
  if (aws.sessionToken) wanted.AWS_SESSION_TOKEN = aws.sessionToken;
  const clear = [...S3_ALIASES, ...S3_OVERRIDDEN, ...(aws.accessKeyId ? S3_CREDENTIALS : [])];
  const saved = new Map<string, string | undefined>();
  for (const name of Object.keys(process.env)) {
    if (clear.includes(name.toLowerCase())) {
      saved.set(name, process.env[name]);
      delete process.env[name];
    }
  }
  for (const [name, value] of Object.entries(wanted)) {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    process.env[name] = value;
  }
  try {
    return ObjectStore.resolve(`s3://${aws.bucket}`);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** SlateDB Settings from the defaults, the config's `options` and `cacheDir`; unknown keys are named. */
export function buildSettings(config: SlateConfig): Settings {
  const settings = Settings.default();
  const defaults = JSON.parse(settings.to_json_string()) as Record<string, unknown>;
  for (const [key, value] of flatten(config.options ?? {}, defaults, '')) settings.set(key, JSON.stringify(value));
  if (config.cacheDir) settings.set('object_store_cache_options.root_folder', JSON.stringify(path.resolve(config.cacheDir)));
  return settings;
}

// Settings.set accepts unknown keys silently, so check every key against the defaults' shape.
function flatten(options: Record<string, unknown>, defaults: Record<string, unknown>, prefix: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, value] of Object.entries(options)) {
    const known = Object.keys(defaults);
    if (!known.includes(key)) {
      const hint = closest(key, known);
      throw new SkyshelveError('CONFIG', `Unknown SlateDB setting 'options.${prefix}${key}'${hint ? `; did you mean '${prefix}${hint}'?` : ''}.`);
    }
    const def = defaults[key];
    const nested = def !== null && typeof def === 'object' && !Array.isArray(def);
    if (nested && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      out.push(...flatten(value as Record<string, unknown>, def as Record<string, unknown>, `${prefix}${key}.`));
    } else {
      out.push([prefix + key, value]);
    }
  }
  return out;
}
