import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { badgerLocation, BIN, cli, dump, fill, slateLocation } from './helpers.js';

describe('skyshelve copy', function () {
  after(cleanupTmp);

  it('copies Badger to SlateDB and back, every key and value, internal area included', async () => {
    const a = badgerLocation();
    const lake = slateLocation();
    const b = badgerLocation();
    await fill(a, 2500);
    const first = await cli(['copy', a, lake, '--json', '--batch-size', '300']);
    expect(first.code, first.stderr).to.equal(0);
    const source = await dump(a);
    expect(JSON.parse(first.stdout)).to.deep.equal({ copied: source.length, done: true, bulk: false }); // SlateDB: no bulk ingest
    expect((await cli(['copy', lake, b])).code).to.equal(0);
    expect(await dump(lake)).to.deep.equal(source);
    expect(await dump(b)).to.deep.equal(source);
  });

  it('stops after --max-batches with a checkpoint, and the same command resumes and finishes', async () => {
    const from = badgerLocation();
    const to = slateLocation();
    const checkpoint = path.join(tmpDir('sky-cli-'), 'copy.ckpt');
    await fill(from, 1000);
    const total = (await dump(from)).length;
    const args = ['copy', from, to, '--batch-size', '100', '--checkpoint', checkpoint, '--json'];
    const stopped = await cli([...args, '--max-batches', '3']);
    expect(stopped.code, stopped.stderr).to.equal(0);
    expect(JSON.parse(stopped.stdout)).to.deep.equal({ copied: 300, done: false, checkpoint, bulk: false });
    expect(JSON.parse(fs.readFileSync(checkpoint, 'utf8'))).to.include({ copied: 300, from, to });
    expect(await dump(to)).to.have.length(300);
    const again = await cli([...args, '--max-batches', '2']);
    expect(JSON.parse(again.stdout)).to.deep.equal({ copied: 500, done: false, checkpoint, bulk: false });
    const rest = await cli(args);
    expect(rest.code, rest.stderr).to.equal(0);
    expect(JSON.parse(rest.stdout)).to.deep.equal({ copied: total, done: true, bulk: false });
    expect(fs.existsSync(checkpoint)).to.equal(false);
    expect(await dump(to)).to.deep.equal(await dump(from));
  });

  it('resumes after the copying process is killed, from the default checkpoint beside the target', async () => {
    const from = badgerLocation();
    const to = badgerLocation();
    await fill(from, 20000);
    const checkpoint = `${to}.skyshelve-copy.json`;
    // --checkpoint-every 0: a durable resume point after every batch, so the kill lands between two.
    // --no-bulk: into an empty Badger store the copy would otherwise be a bulk ingest, which has no checkpoint.
    const child = spawn(process.execPath, [BIN, 'copy', from, to, '--batch-size', '20', '--checkpoint-every', '0', '--no-bulk'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    while (!fs.existsSync(checkpoint) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode, 'the copy finished before it could be killed').to.equal('SIGKILL');
    const resumed = await cli(['copy', from, to]);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stdout).to.match(/^copied \d+ entries \(resumed after \d+\)/);
    expect(fs.existsSync(checkpoint)).to.equal(false);
    expect(await dump(to)).to.deep.equal(await dump(from));
  });

  it('stops cleanly on Ctrl-C with a checkpoint and exit 1, and resumes', async () => {
    const from = badgerLocation();
    const to = slateLocation();
    const checkpoint = path.join(tmpDir('sky-cli-'), 'c.json');
    await fill(from, 20000);
    const child = spawn(process.execPath, [BIN, 'copy', from, to, '--batch-size', '20', '--checkpoint-every', '0', '--checkpoint', checkpoint], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    while (!fs.existsSync(checkpoint) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    expect(await exited, stderr).to.equal(1);
    expect(stderr).to.match(/^error: interrupted after \d+ entries; run the same command again to resume/);
    const saved = JSON.parse(fs.readFileSync(checkpoint, 'utf8')).copied;
    expect(saved).to.be.greaterThan(0);
    const resumed = await cli(['copy', from, to, '--checkpoint', checkpoint]);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stdout).to.contain(`(resumed after ${saved})`);
    expect(await dump(to)).to.deep.equal(await dump(from));
  });

  it('refuses a checkpoint of another copy unless --restart is given', async () => {
    const from = badgerLocation();
    const to = badgerLocation();
    await fill(from);
    const checkpoint = path.join(tmpDir('sky-cli-'), 'c.json');
    fs.writeFileSync(checkpoint, JSON.stringify({ version: 1, from: 'elsewhere', to, lastKey: '', copied: 5 }));
    const refused = await cli(['copy', from, to, '--checkpoint', checkpoint]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/^error: CONFIG: the checkpoint .* belongs to a copy from elsewhere/);
    const restarted = await cli(['copy', from, to, '--checkpoint', checkpoint, '--restart']);
    expect(restarted.code, restarted.stderr).to.equal(0);
    expect(await dump(to)).to.deep.equal(await dump(from));
  });
});
