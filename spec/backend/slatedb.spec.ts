import { randomBytes } from 'node:crypto';
import { SkyShelve, slatedbUriFromEnv } from '../../src/index.js';
import { tmpDir } from '../support/tmp.js';
import { complianceSuite } from './suite.js';

const s3 = process.env.AWS_ENDPOINT_URL_S3 && process.env.BUCKET_NAME;

// SKYSHELVE_S3_ONLY is set by scripts/ci-s3.sh, which runs this file again against the S3 server.
if (!process.env.SKYSHELVE_S3_ONLY) {
  complianceSuite({
    name: 'slatedb (local object store)',
    location: () => 'slatedb://' + tmpDir('sky-slate-'),
    open: (location, options) => SkyShelve.open(location, options),
  });
}

if (s3) {
  complianceSuite({
    name: `slatedb (S3 at ${process.env.AWS_ENDPOINT_URL_S3})`,
    location: () =>
      slatedbUriFromEnv(`spec/${Date.now()}-${randomBytes(4).toString('hex')}`, {
        env: { ...process.env, SKYSHELVE_PROVIDER: 'aws', SKYSHELVE_CACHE_PATH: '' },
      }),
    open: (location, options) => SkyShelve.open(location, options),
  });
}
