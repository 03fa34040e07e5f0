/**
 * A SlateDB open that fails must not keep the process alive: nothing of the abandoned open (its
 * timers, its retries) may hold Node's event loop. Each case runs a child process that fails to open
 * and then has nothing left to do; it must exit by itself. No S3 server is needed: a tiny HTTP server
 * that fails every request with 503 makes SlateDB retry forever, and a closed port refuses at once.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { slatedbUri } from '../../src/backend/slatedb-uri.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'slate-open-fail.js');
/** A liveness bound, not a timing assertion: a child still running after this is stuck for good. */
const STUCK_MS = 30_000;

interface ChildResult {
  exited: boolean;
  stdout: string;
  stderr: string;
}

/** Runs the fixture; kills it if it has not exited after STUCK_MS. */
function openAndFail(location: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, location, '1500'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    let exited = true;
    const timer = setTimeout(() => {
      exited = false;
      child.kill('SIGKILL');
    }, STUCK_MS);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ exited, stdout, stderr });
    });
  });
}

/** An "S3 endpoint" that answers every request with 503 SlowDown, so the SDK retries forever. */
async function failingServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(503, { 'content-type': 'application/xml' }).end('<Error><Code>SlowDown</Code><Message>busy</Message></Error>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function awsLocation(endpoint: string): string {
  return slatedbUri('exit-spec', {
    store: { provider: 'aws', aws: { bucket: 'b', region: 'us-east-1', endpoint, accessKeyId: 'id', secretAccessKey: 'not-a-real-secret' } },
  });
}

describe('a failed SlateDB open lets the process exit', function () {
  this.timeout(STUCK_MS + 20_000);

  it('after TIMEOUT (an endpoint that fails every request), the child exits by itself', async () => {
    const server = await failingServer();
    try {
      const { port } = server.address() as AddressInfo;
      const result = await openAndFail(awsLocation(`http://127.0.0.1:${port}`));
      expect(result.stdout, result.stderr).to.match(/^(TIMEOUT|IO|UNREACHABLE)\nclosed\n$/);
      expect(result.exited, `still running ${STUCK_MS} ms after the failed open: ${result.stdout}`).to.equal(true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('after an open against a closed port, the child exits by itself', async () => {
    const result = await openAndFail(awsLocation(`http://127.0.0.1:${await closedPort()}`));
    expect(result.stdout, result.stderr).to.match(/\nclosed\n$/);
    expect(result.exited, `still running ${STUCK_MS} ms after the failed open: ${result.stdout}`).to.equal(true);
  });
});
