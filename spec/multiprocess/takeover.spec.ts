/**
 * Losing the owner (issue 11): clients keep going when the owner is SIGKILLed or exits gracefully in
 * the middle of their work, and every increment counts exactly once.
 */
import { expect } from 'chai';
import path from 'node:path';
import { SkyShelve, closeModelStores } from '../../src/index.js';
import { Counter, configureCounter } from '../model/fixtures/counter.js';
import { lastJson, startFixture, type Proc } from '../support/procs.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

const EACH = 100;

/** Starts an owner on `<dir>/counter` (it never increments) and 3 clients; resolves once each client acknowledged 10. */
async function ownerAndClients(dir: string): Promise<{ owner: Proc; clients: Proc[] }> {
  const owner = startFixture('owner', [path.join(dir, 'counter')]);
  await owner.line((l) => l === 'ready');
  const clients = [0, 1, 2].map(() => startFixture('counter-client', [dir, String(EACH)]));
  await Promise.all(clients.map((c) => c.line((l) => l === 'A 10')));
  return { owner, clients };
}

/** Waits for the clients, expects them all to succeed, and checks the exact total and the index. */
async function expectExactTotal(clients: Proc[]): Promise<void> {
  const codes = await Promise.all(clients.map((c) => c.exited));
  expect(codes, clients.map((c) => c.stderr()).join('\n')).to.deep.equal([0, 0, 0]);
  for (const c of clients) expect(c.lines.at(-1)).to.equal(`DONE ${EACH}`);
  configureCounter(dir);
  expect((await Counter.load('global')).value).to.equal(3 * EACH);
  expect((await Counter.scanIndexRange('value', {})).map((c) => c.value)).to.deep.equal([3 * EACH]);
}

let dir: string;
const kids: Proc[] = [];

describe('clients of a lost owner (Badger, several processes)', function () {
  this.timeout(180_000);
  beforeEach(() => {
    dir = tmpDir('sky-mp-owner-');
  });
  afterEach(async () => {
    for (const k of kids.splice(0)) k.child.kill('SIGKILL');
    await closeModelStores();
  });
  after(cleanupTmp);

  it('SIGKILL of the owner while 3 clients increment one counter: all finish, the total is exact', async () => {
    const { owner, clients } = await ownerAndClients(dir);
    kids.push(owner, ...clients);
    owner.child.kill('SIGKILL');
    expect(await owner.exited).to.equal('SIGKILL');
    await expectExactTotal(clients);
  });

  it('a scan from a client survives a SIGKILL of the owner: every key once, in order', async () => {
    const db = path.join(dir, 'scan');
    const store = await SkyShelve.open<number>(db);
    for (let i = 0; i < 20_000; i += 1000)
      await store.batch(Array.from({ length: 1000 }, (_, j) => ({ type: 'put' as const, key: ['s', i + j], value: i + j })));
    await store.close();
    const owner = startFixture('owner', [db]);
    kids.push(owner);
    await owner.line((l) => l === 'ready');
    const scanner = startFixture('scan-client', [db, 's']);
    kids.push(scanner);
    await scanner.line((l) => l === 'P 3000');
    owner.child.kill('SIGKILL');
    const seenAtKill = [...scanner.lines];
    expect(await scanner.exited, scanner.stderr()).to.equal(0);
    expect(seenAtKill, 'the scan ended before the kill: the test proves nothing').not.to.include('P 20000');
    expect(lastJson(scanner)).to.deep.equal({ count: 20_000, ordered: true, values: true });
  });

  for (const how of ['exit', 'close'] as const) {
    it(`a graceful owner ${how === 'exit' ? 'process.exit()' : 'close()'} in the middle gives exact totals too`, async () => {
      const { owner, clients } = await ownerAndClients(dir);
      kids.push(owner, ...clients);
      owner.send(how);
      expect(await owner.exited).to.equal(0);
      await expectExactTotal(clients);
    });
  }
});
