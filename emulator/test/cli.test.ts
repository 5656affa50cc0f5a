// The emulator as a program (`npm run emulator`), its argument parsing, the quota throttling and
// the request log (ids and statuses, never metadata values).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  CreateDatastoreCommand, GetImageSetCommand, SearchImageSetsCommand, ThrottlingException, UpdateImageSetMetadataCommand,
} from '@aws-sdk/client-medical-imaging';
import { parseArgs } from '../src/cli';
import { SEED_DATASTORE_ID, seedImageSetId } from '../src/server';
import { encodeJson, until, rejection, startHarness, stopHarness, type Harness } from './helpers';

function projectRoot(): string {
  // emulator/out/emulator/test -> project root
  return path.resolve(__dirname, '..', '..', '..', '..');
}

describe('emulator: command line, throttling and logging', function () {
  this.timeout(180_000);

  it('parses the documented arguments and names a bad one', () => {
    const o = parseArgs(['--port', '0', '--data', 'some/folder', '--seed', '--update-delay=200', '--latency', '5', '--throttle', '--fail-next-updates', '2', '--quiet']);
    assert.equal(o.emulator.port, 0);
    assert.equal(o.emulator.dataDir, path.resolve('some/folder'));
    assert.equal(o.emulator.seed, true);
    assert.equal(o.emulator.updateDelayMs, 200);
    assert.equal(o.emulator.latencyMs, 5);
    assert.equal(o.emulator.throttle, true);
    assert.equal(o.failNextUpdates, 2);
    assert.equal(o.quiet, true);
    assert.equal(parseArgs([]).emulator.port, 4599);
    assert.throws(() => parseArgs(['--port', 'x']), /--port needs a whole number/);
    assert.throws(() => parseArgs(['--port', '70000']), /--port/);
    assert.throws(() => parseArgs(['--data']), /--data needs a folder/);
    assert.throws(() => parseArgs(['--frobnicate']), /unknown argument '--frobnicate'/);
    assert.throws(() => parseArgs(['some-folder']), /unknown argument 'some-folder'/);
    assert.throws(() => parseArgs(['--data', '--seed']), /--data needs a folder/);
    assert.throws(() => parseArgs(['--seed=yes']), /--seed takes no value \(got yes\)/);
    assert.equal(parseArgs(['-h']).help, true);
  });

  it('scripts/emulator.mjs (npm run emulator) prints the listening line, serves 127.0.0.1 and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [path.join(projectRoot(), 'scripts', 'emulator.mjs'), '--port', '0', '--quiet'], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // (generous: on a busy machine the script's up-to-date check of the emulator build alone takes a while)
      const url = await until('the listening line', async () => /HealthImaging emulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], 150_000)
        .catch((e: Error) => { throw new Error(`${e.message} (stdout: ${out} stderr: ${err})`); });
      const health = await (await fetch(`${url}/_emulator/health`)).json() as { status: string; imageSets: number };
      assert.equal(health.status, 'ok');
      assert.equal(health.imageSets, 0, 'no --seed, no data');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });

  it('a bad argument exits with status 2 and the usage', async () => {
    const child = spawn(process.execPath, [path.join(projectRoot(), 'scripts', 'emulator.mjs'), '--nope'], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.equal(code, 2);
    assert.match(err, /unknown argument '--nope'/);
    assert.match(err, /Usage: npm run emulator/);
  });

  it('says clearly when the port is taken', async () => {
    const h = await startHarness();
    try {
      const child = spawn(process.execPath, [path.join(projectRoot(), 'scripts', 'emulator.mjs'), '--port', String(h.emulator.port)], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      assert.equal(code, 1);
      assert.match(err, new RegExp(`port ${h.emulator.port} on 127\\.0\\.0\\.1 is in use`));
    } finally {
      await stopHarness(h);
    }
  });

  describe('with quotas enforced and a request log', () => {
    let h: Harness;
    const lines: string[] = [];
    before(async () => { h = await startHarness({ seed: true, throttle: true, log: (l) => lines.push(l) }); });
    after(async () => { await stopHarness(h); });

    it('throttles an operation beyond its burst quota with 429 ThrottlingException', async () => {
      await h.client.send(new CreateDatastoreCommand({ datastoreName: 'one', clientToken: 'q1' }));
      const e = await rejection(h.client.send(new CreateDatastoreCommand({ datastoreName: 'two', clientToken: 'q2' })));
      assert.ok(e instanceof ThrottlingException, e.name);
      assert.equal(e.$metadata?.httpStatusCode, 429);
      assert.match(e.message, /CreateDatastore/);
      // Other operations have their own buckets.
      await h.client.send(new SearchImageSetsCommand({ datastoreId: SEED_DATASTORE_ID, maxResults: 1 }));
    });

    it('logs operations with ids and statuses, never metadata values', async () => {
      const imageSetId = seedImageSetId(7);
      await h.client.send(new UpdateImageSetMetadataCommand({
        datastoreId: SEED_DATASTORE_ID, imageSetId, latestVersionId: '1',
        updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: encodeJson({ SchemaVersion: 1.1, Patient: { DICOM: { PatientName: 'Secretname^Confidential' } } }) } },
      }));
      await until('UPDATED', async () => {
        const r = await h.client.send(new GetImageSetCommand({ datastoreId: SEED_DATASTORE_ID, imageSetId }));
        return r.imageSetWorkflowStatus === 'UPDATED' ? r : undefined;
      });
      assert.ok(lines.some((l) => l.startsWith('UpdateImageSetMetadata 200') && l.includes(imageSetId) && l.includes('latestVersion=1')), lines.join('\n'));
      assert.ok(lines.some((l) => l.startsWith('CreateDatastore 429 ThrottlingException')));
      assert.ok(lines.some((l) => l.includes(`image set ${imageSetId} version 2 is ACTIVE/UPDATED`)));
      for (const l of lines) assert.doesNotMatch(l, /Secretname|Confidential|SYN-|Müller/);
    });
  });
});
