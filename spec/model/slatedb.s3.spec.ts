import { randomBytes } from 'node:crypto';
import { SkyShelve, slatedbUriFromEnv } from '../../src/index.js';
import { modelSuite } from './suite.js';

// Runs only against a real S3 endpoint (scripts/ci-s3.sh starts one and exports its variables).
if (process.env.AWS_ENDPOINT_URL_S3 && process.env.BUCKET_NAME) {
  const env = { ...process.env, SKYSHELVE_PROVIDER: 'aws', SKYSHELVE_CACHE_PATH: '' };
  modelSuite(`slatedb (S3 at ${process.env.AWS_ENDPOINT_URL_S3})`, () =>
    SkyShelve.open(slatedbUriFromEnv(`models/${Date.now()}-${randomBytes(4).toString('hex')}`, { env })),
  );
}
