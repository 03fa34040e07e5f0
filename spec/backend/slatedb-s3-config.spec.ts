/**
 * Configuration mistakes on S3 give a specific code within seconds, not TIMEOUT after the open
 * timeout: a wrong bucket (NO_BUCKET), wrong credentials (AUTH), a closed port (UNREACHABLE). The
 * open timeout stays at its 60 s default, so a specific code proves the pre-flight answered first.
 * Runs against the local S3 server (scripts/ci-s3.sh); without one, no test is registered.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { SlateBackend } from '../../src/backend/slatedb.js';
import { checkConfig, type SlateAwsConfig } from '../../src/backend/slatedb-uri.js';
import type { SkyshelveError } from '../../src/errors.js';
import { rejectsWith } from '../support/rejects.js';

const env = process.env;
if (env.AWS_ENDPOINT_URL_S3 && env.BUCKET_NAME) {
  const good = (): SlateAwsConfig => ({
    bucket: env.BUCKET_NAME!,
    region: env.AWS_REGION ?? 'us-east-1',
    endpoint: env.AWS_ENDPOINT_URL_S3!,
    accessKeyId: env.AWS_ACCESS_KEY_ID!,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
  });
  const open = (aws: SlateAwsConfig, readOnly = false) =>
    SlateBackend.open(checkConfig({ path: `spec/config-${randomBytes(4).toString('hex')}`, store: { provider: 'aws', aws } }), {
      readOnly,
      openTimeoutMs: 60_000,
    });
  const noSecrets = (err: SkyshelveError, ...secrets: string[]) => {
    const text = `${err.message} ${String(err.stack)} ${JSON.stringify(err.details ?? {})}`;
    for (const s of [...secrets, env.AWS_SECRET_ACCESS_KEY!]) expect(text).not.to.contain(s);
  };

  describe(`SlateDB on S3: configuration mistakes are named (${env.AWS_ENDPOINT_URL_S3})`, function () {
    this.timeout(30_000);

    it('a bucket that does not exist gives NO_BUCKET naming the bucket', async () => {
      const err = await rejectsWith(() => open({ ...good(), bucket: 'no-such-bucket-here' }), 'NO_BUCKET');
      expect(err.message).to.contain("'no-such-bucket-here'").and.to.contain(env.AWS_ENDPOINT_URL_S3!);
      noSecrets(err);
    });

    it('a wrong secret gives AUTH, and the message holds neither secret', async () => {
      const err = await rejectsWith(() => open({ ...good(), secretAccessKey: 'wrong-secret-value-123' }), 'AUTH');
      expect(err.message).to.contain(`'${env.BUCKET_NAME}'`);
      noSecrets(err, 'wrong-secret-value-123');
    });

    it('an unknown access key id gives AUTH without printing the key id', async () => {
      const err = await rejectsWith(() => open({ ...good(), accessKeyId: 'AKIAUNKNOWNKEY0042' }), 'AUTH');
      noSecrets(err, 'AKIAUNKNOWNKEY0042');
    });

    it('a reader with wrong credentials gives AUTH too', async () => {
      await rejectsWith(() => open({ ...good(), secretAccessKey: 'wrong-secret-value-123' }, true), 'AUTH');
    });

    it('a closed port gives UNREACHABLE naming the endpoint', async () => {
      const server = net.createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((r) => server.close(() => r()));
      const endpoint = `http://127.0.0.1:${port}`;
      const err = await rejectsWith(() => open({ ...good(), endpoint }), 'UNREACHABLE');
      expect(err.message).to.contain(endpoint);
      noSecrets(err);
    });

    it('a server that accepts the connection but never answers gives UNREACHABLE', async () => {
      const sockets: net.Socket[] = [];
      const server = net.createServer((s) => {
        sockets.push(s);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const err = await rejectsWith(() => open({ ...good(), endpoint }), 'UNREACHABLE');
        expect(err.message).to.contain(endpoint).and.to.contain('no answer');
      } finally {
        for (const s of sockets) s.destroy();
        server.close();
      }
    });

    it('the right configuration still opens, writes and reads', async () => {
      const db = await open(good());
      await db.write([{ type: 'put', key: Buffer.from('k'), value: Buffer.from('v') }]);
      expect(Buffer.from((await db.get(Buffer.from('k')))!).toString()).to.equal('v');
      await db.close();
    });
  });
}
