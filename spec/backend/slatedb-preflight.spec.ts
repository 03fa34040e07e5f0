/**
 * The S3 pre-flight against a scripted HTTP server: how each answer maps to a code, that the request
 * is a signed ListObjectsV2 under the store's prefix, and that no secret reaches a message even when
 * the server quotes it. The real-server cases are in slatedb-s3-config.spec.ts (S3 suite).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { preflight } from '../../src/backend/slatedb-preflight.js';
import type { SlateAwsConfig } from '../../src/backend/slatedb-uri.js';
import { rejectsWith } from '../support/rejects.js';

const SECRET = 'preflight-secret-VALUE/123';
const KEY_ID = 'AKIAPREFLIGHTKEY0001';

interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** A server that gives `answer` to every request and records what it was asked. */
async function scripted(answer: Answer): Promise<{ aws: SlateAwsConfig; seen: http.IncomingMessage[]; close(): void }> {
  const seen: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req);
    req.resume();
    res.writeHead(answer.status, { 'content-type': 'application/xml', ...answer.headers }).end(answer.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const aws = { bucket: 'bkt', region: 'us-east-1', endpoint, accessKeyId: KEY_ID, secretAccessKey: SECRET };
  return {
    aws,
    seen,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const s3Error = (code: string, message: string) => `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

describe('SlateDB S3 pre-flight', () => {
  it('sends one signed ListObjectsV2 of one key under the store prefix, and passes on 200', async () => {
    const s = await scripted({ status: 200, body: '<ListBucketResult/>' });
    try {
      await preflight(s.aws, 'app/db', [SECRET, KEY_ID]);
      expect(s.seen).to.have.length(1);
      const req = s.seen[0]!;
      expect(req.method).to.equal('GET');
      const url = new URL(req.url!, 'http://x');
      expect(url.pathname).to.equal('/bkt');
      expect(Object.fromEntries(url.searchParams)).to.deep.equal({ 'list-type': '2', 'max-keys': '1', prefix: 'app/db' });
      expect(req.headers.authorization).to.match(/^AWS4-HMAC-SHA256 Credential=AKIAPREFLIGHTKEY0001\/\d{8}\/us-east-1\/s3\/aws4_request/);
      expect(JSON.stringify(req.headers)).not.to.contain(SECRET);
    } finally {
      s.close();
    }
  });

  const cases: Array<[string, Answer, string, RegExp]> = [
    ['NoSuchBucket', { status: 404, body: s3Error('NoSuchBucket', 'The specified bucket does not exist') }, 'NO_BUCKET', /bucket 'bkt'.*does not exist/],
    ['a bare 404', { status: 404 }, 'NO_BUCKET', /bucket 'bkt'/],
    [
      'SignatureDoesNotMatch',
      { status: 403, body: s3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match') },
      'AUTH',
      /SignatureDoesNotMatch/,
    ],
    [
      'InvalidAccessKeyId',
      { status: 403, body: s3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist') },
      'AUTH',
      /InvalidAccessKeyId/,
    ],
    ['a bare 403', { status: 403 }, 'AUTH', /refused the credentials/],
    ['a 404 naming an unknown user (versitygw)', { status: 404, body: s3Error('XAdminUserNotFound', 'No user exists') }, 'AUTH', /XAdminUserNotFound/],
    [
      'a bucket in another region',
      { status: 301, body: s3Error('PermanentRedirect', 'use the right endpoint'), headers: { 'x-amz-bucket-region': 'eu-west-1' } },
      'CONFIG',
      /another region \(eu-west-1\)/,
    ],
    ['another 4xx', { status: 400, body: s3Error('InvalidBucketName', 'bad name') }, 'CONFIG', /HTTP 400.*InvalidBucketName/],
  ];
  for (const [name, answer, code, mentions] of cases) {
    it(`maps ${name} to ${code}`, async () => {
      const s = await scripted(answer);
      try {
        const err = await rejectsWith(() => preflight(s.aws, 'p', [SECRET, KEY_ID]), code);
        expect(err.message).to.match(mentions).and.contain(s.aws.endpoint!);
      } finally {
        s.close();
      }
    });
  }

  it('scrubs a secret that the server quotes in its message', async () => {
    const s = await scripted({ status: 403, body: s3Error('SignatureDoesNotMatch', `string to sign used ${SECRET} and ${KEY_ID}`) });
    try {
      const err = await rejectsWith(() => preflight(s.aws, 'p', [SECRET, KEY_ID]), 'AUTH');
      const text = `${err.message} ${JSON.stringify(err.details)}`;
      expect(text).not.to.contain(SECRET);
      expect(text).not.to.contain(KEY_ID);
      expect(err.message).to.contain('***');
    } finally {
      s.close();
    }
  });

  it('leaves a server error (503) to SlateDB', async () => {
    const s = await scripted({ status: 503, body: s3Error('SlowDown', 'busy') });
    try {
      await preflight(s.aws, 'p', [SECRET]);
    } finally {
      s.close();
    }
  });

  it('without any credentials sends an unsigned request and does not hold a 403 against the config', async () => {
    const s = await scripted({ status: 403, body: s3Error('AccessDenied', 'Access Denied') });
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const { accessKeyId: _id, secretAccessKey: _secret, ...anonymous } = s.aws;
      await preflight(anonymous, 'p', []);
      expect(s.seen[0]!.headers.authorization).to.equal(undefined);
    } finally {
      if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      s.close();
    }
  });
});
