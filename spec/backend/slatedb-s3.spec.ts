import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { SlateBackend } from '../../src/backend/slatedb.js';
import { parseSlatedbLocation, slatedbUriFromEnv, type SlateConfig } from '../../src/backend/slatedb-uri.js';
import { b, s, slateEssentials } from './slatedb-cases.js';

// Runs only against a real S3 endpoint (scripts/s3-server.sh start; eval its `env`). Without one,
// no tests are registered at all, so nothing is reported as passing.
const env = process.env;
if (env.AWS_ENDPOINT_URL_S3 && env.BUCKET_NAME) {
  /** A fresh database prefix in the test bucket, configured from the environment. */
  const s3Config = (): SlateConfig => {
    const prefix = `spec/${Date.now()}-${randomBytes(4).toString('hex')}`;
    return parseSlatedbLocation(slatedbUriFromEnv(prefix, { env: { ...env, SKYSHELVE_PROVIDER: 'aws', SKYSHELVE_CACHE_PATH: '' } }));
  };

  describe(`SlateDB backend on S3 (${env.AWS_ENDPOINT_URL_S3})`, function () {
    slateEssentials(s3Config);

    it('reports where it lives in stats without any credential', async () => {
      const config = s3Config();
      const db = await SlateBackend.open(config);
      await db.write([{ type: 'put', key: b('k'), value: b('v') }]);
      await db.sync();
      const stats = await db.stats();
      expect(stats).to.include({ backend: 'slatedb', provider: 'aws', bucket: env.BUCKET_NAME, path: config.path });
      const text = JSON.stringify(stats);
      for (const secret of [env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY]) if (secret) expect(text).not.to.contain(secret);
      expect(s(await db.get(b('k')))).to.equal('v');
      await db.close();
    });
  });
}
