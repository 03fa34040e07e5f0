import { expect } from 'chai';
import { SkyshelveError } from '../../src/errors.js';
import { DEFAULT_SLATEDB_DIR, parseSlatedbLocation, slatedbUri, slatedbUriFromEnv } from '../../src/backend/slatedb-uri.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRET';
const KEY_ID = 'AKIAIOSFODNN7FAKEKEY';

/** Asserts a CONFIG error whose message contains every `parts` and no credential; returns the message. */
function configError(fn: () => unknown, ...parts: string[]): string {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a CONFIG error').to.be.instanceOf(SkyshelveError);
  const err = caught as SkyshelveError;
  expect(err.code).to.equal('CONFIG');
  for (const p of parts) expect(err.message).to.contain(p);
  expect(err.message).not.to.contain(SECRET);
  expect(err.message).not.to.contain(KEY_ID);
  return err.message;
}

const aws = (extra: Record<string, unknown> = {}) => ({ bucket: 'bkt', region: 'eu-west-1', accessKeyId: KEY_ID, secretAccessKey: SECRET, ...extra });
const uri = (config: unknown): string => 'slatedb:' + JSON.stringify(config);

describe('slatedb: locations', () => {
  it('reads the short forms as local directories', () => {
    expect(parseSlatedbLocation('slatedb://')).to.deep.equal({ path: DEFAULT_SLATEDB_DIR, store: { provider: 'local' } });
    expect(parseSlatedbLocation('slatedb://some/dir')).to.deep.equal({ path: 'some/dir', store: { provider: 'local' } });
    expect(parseSlatedbLocation('slatedb:///abs/dir').path).to.equal('/abs/dir');
  });

  it('reads the JSON form and round-trips it through slatedbUri', () => {
    const config = {
      cacheDir: '/tmp/c',
      store: { provider: 'aws' as const, aws: { ...aws(), endpoint: 'http://127.0.0.1:7070', allowHttp: true } },
      options: { flush_interval: '50ms' },
      durable: true,
    };
    const text = slatedbUri('prefix/db', config);
    expect(text.startsWith('slatedb:{')).to.equal(true);
    expect(parseSlatedbLocation(text)).to.deep.equal({ path: 'prefix/db', ...config });
    expect(parseSlatedbLocation(uri({ path: 'd' }))).to.deep.equal({ path: 'd', store: { provider: 'local' } });
    expect(parseSlatedbLocation(slatedbUri('here', { durable: true }))).to.deep.equal({ path: 'here', store: { provider: 'local' }, durable: true });
  });

  it('rejects bad JSON without quoting it', () => {
    configError(() => parseSlatedbLocation(`slatedb:{"path":"d","store":{"provider":"aws","aws":{"secretAccessKey":"${SECRET}"`), 'not valid');
    configError(() => parseSlatedbLocation('slatedb:nonsense'), 'slatedb://');
  });

  it('rejects an unknown provider, suggesting the right one', () => {
    configError(() => parseSlatedbLocation(uri({ path: 'd', store: { provider: 'awss' } })), "'awss'", "did you mean 'aws'");
    configError(() => parseSlatedbLocation(uri({ path: 'd', store: { provider: 'gcs' } })), "'gcs'", "'local' or 'aws'");
  });

  it('rejects misspelled keys at every level, naming the right spelling', () => {
    configError(() => parseSlatedbLocation(uri({ path: 'd', cachedir: '/c' })), "'cachedir'", "did you mean 'cacheDir'");
    configError(
      () => parseSlatedbLocation(uri({ path: 'd', store: { provider: 'aws', aws: aws({ acessKeyId: 'x' }) } })),
      "'acessKeyId'",
      "did you mean 'accessKeyId'",
    );
    configError(() => parseSlatedbLocation(uri({ path: 'd', store: { provder: 'local' } })), "did you mean 'provider'");
  });

  it('names what an aws store is missing and never prints the credentials', () => {
    configError(
      () => parseSlatedbLocation(uri({ path: 'd', store: { provider: 'aws', aws: { region: 'r', accessKeyId: KEY_ID, secretAccessKey: SECRET } } })),
      "'bucket'",
    );
    configError(
      () => parseSlatedbLocation(uri({ path: 'd', store: { provider: 'aws', aws: { accessKeyId: KEY_ID, secretAccessKey: SECRET } } })),
      "'bucket'",
      "'region'",
    );
    configError(() => parseSlatedbLocation(uri({ path: 'd', store: { provider: 'aws' } })), "'bucket'");
    configError(() => parseSlatedbLocation(uri({ path: 'd', store: { provider: 'aws', aws: aws({ secretAccessKey: 42 }) } })), 'secretAccessKey');
    configError(
      () => parseSlatedbLocation(uri({ path: 'd', store: { provider: 'aws', aws: { bucket: 'b', region: 'r', secretAccessKey: SECRET } } })),
      "'accessKeyId'",
    );
    configError(() => parseSlatedbLocation(uri({ path: 'd', store: { provider: 'aws', aws: aws({ endpoint: 'localhost:9000' }) } })), 'endpoint');
  });

  it('rejects a missing path and wrong types', () => {
    configError(() => parseSlatedbLocation(uri({ store: { provider: 'local' } })), "'path'");
    configError(() => parseSlatedbLocation(uri({ path: 'd', durable: 'yes' })), "'durable'");
    configError(() => parseSlatedbLocation(uri([1])), 'slatedb:{json}');
    configError(() => parseSlatedbLocation(uri({ path: 'd', store: 'local' })), "'store'", 'object');
    expect(() => parseSlatedbLocation(5 as unknown as string)).to.throw(TypeError, 'uri');
  });
});

describe('slatedbUriFromEnv', () => {
  const fromEnv = (env: Record<string, string>) => parseSlatedbLocation(slatedbUriFromEnv('./cache/here', { env }));
  const awsEnv = { BUCKET_NAME: 'bkt', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET };

  it('picks a local store at the default path when no AWS settings are present', () => {
    expect(fromEnv({})).to.deep.equal({ path: './cache/here', store: { provider: 'local' } });
    expect(fromEnv({ SKYSHELVE_CACHE_PATH: '/data/x', BUCKET_NAME: 'bkt' }).path).to.equal('/data/x');
  });

  it('picks aws when a bucket and credentials are present, using the fallbacks names', () => {
    const config = fromEnv({
      AWS_S3_BUCKET: 'b2',
      AWS_DEFAULT_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1234',
    });
    expect(config.store).to.deep.equal({
      provider: 'aws',
      aws: { bucket: 'b2', region: 'eu-central-1', endpoint: 'http://127.0.0.1:1234', accessKeyId: KEY_ID, secretAccessKey: SECRET },
    });
    expect(config.path).to.equal('cache/here');
    expect(fromEnv({ ...awsEnv, SKYSHELVE_PROVIDER: 'local' }).store.provider).to.equal('local');
  });

  it('names the missing variables when aws is asked for', () => {
    configError(() => fromEnv({ SKYSHELVE_PROVIDER: 'aws', AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET }), 'BUCKET_NAME', 'AWS_REGION');
    configError(() => fromEnv({ ...awsEnv, AWS_REGION: '' }), 'AWS_REGION');
  });

  it('rejects an unknown SKYSHELVE_PROVIDER', () => {
    configError(() => fromEnv({ SKYSHELVE_PROVIDER: 'minio' }), 'SKYSHELVE_PROVIDER', 'minio');
  });

  it('buffers writes by default and makes each write durable with SKYSHELVE_ASYNC=0', () => {
    expect(fromEnv({}).durable).to.equal(undefined);
    expect(fromEnv({ SKYSHELVE_ASYNC: '1' }).durable).to.equal(undefined);
    expect(fromEnv({ SKYSHELVE_ASYNC: 'true' }).durable).to.equal(undefined);
    expect(fromEnv({ SKYSHELVE_ASYNC: '0' }).durable).to.equal(true);
    expect(fromEnv({ ...awsEnv, SKYSHELVE_ASYNC: 'false' }).durable).to.equal(true);
    configError(() => fromEnv({ SKYSHELVE_ASYNC: 'maybe' }), 'SKYSHELVE_ASYNC');
  });
});
