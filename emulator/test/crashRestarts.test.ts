// Crash restarts: the emulator program is killed with SIGKILL (kill -9) while clients are writing,
// restarted on the same data folder, and everything it had acknowledged must be there, readable and
// whole: every version an update answered with (finished after the restart if it was pending), every
// tag, every data store; no temporary file is left. Repeated ROUNDS times, each at another moment.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateDatastoreCommand, GetDatastoreCommand, GetImageSetCommand, GetImageSetMetadataCommand, ListTagsForResourceCommand,
  TagResourceCommand, UpdateImageSetMetadataCommand, type MedicalImagingClient,
} from '@aws-sdk/client-medical-imaging';
import { SEED_DATASTORE_ID, seedImageSetId } from '../src/server';
import { clientFor, encodeJson, readMetadata, until } from './helpers';

/** How many times the emulator is killed in the middle of writes. */
export const ROUNDS = 10;
const datastoreId = SEED_DATASTORE_ID;
const WRITERS = [3, 9, 16, 23].map(seedImageSetId);
const program = path.resolve(__dirname, '..', '..', '..', 'bin', 'healthimaging-emulator.js');
const datastoreArn = `arn:aws:medical-imaging:us-east-1:123456789012:datastore/${datastoreId}`;

interface Running { child: ChildProcess; url: string; exited: Promise<unknown> }

async function start(dataDir: string): Promise<Running> {
  const child = spawn(process.execPath, [program, '--port', '0', '--data', dataDir, '--seed', '--update-delay', '30', '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await until(`the emulator to listen (${out})`, () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1]
    ?? (child.exitCode !== null ? Promise.reject(new Error(`the emulator exited with ${child.exitCode}: ${out}`)) : undefined), 60000);
  return { child, url, exited };
}

/** What the emulator answered 200 to, before it was killed. */
interface Acknowledged {
  versions: Map<string, Map<string, string>>; // image set -> version -> StudyDescription it sets
  tags: Map<string, string>;
  datastores: Set<string>;
}

/** Clients writing until `stop` resolves: updates to several image sets, tags, a data store. */
async function writeUntil(client: MedicalImagingClient, round: number, stop: Promise<void>, acked: Acknowledged): Promise<number> {
  let stopped = false;
  void stop.then(() => { stopped = true; });
  let sent = 0;
  const updates = WRITERS.map(async (imageSetId) => {
    for (let i = 0; !stopped; i++) {
      try {
        const latest = await client.send(new GetImageSetCommand({ datastoreId, imageSetId }));
        if (latest.imageSetState === 'LOCKED') { await new Promise((r) => setTimeout(r, 5)); continue; }
        const value = `ROUND ${round} WRITE ${i}`;
        sent++;
        const out = await client.send(new UpdateImageSetMetadataCommand({
          datastoreId, imageSetId, latestVersionId: latest.versionId as string,
          updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: encodeJson({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: value } } }) } },
        }));
        let versions = acked.versions.get(imageSetId);
        if (!versions) acked.versions.set(imageSetId, (versions = new Map()));
        versions.set(out.latestVersionId as string, value);
      } catch {
        if (stopped) return; // the emulator is gone
      }
    }
  });
  const tags = (async () => {
    for (let i = 0; !stopped && i < 4; i++) {
      try {
        const key = `round${round}.tag${i}`;
        sent++;
        await client.send(new TagResourceCommand({ resourceArn: datastoreArn, tags: { [key]: `v${i}` } }));
        acked.tags.set(key, `v${i}`);
        if (i >= 3) return; // a data store has at most 50 tags: four per round
      } catch {
        if (stopped) return;
      }
    }
  })();
  const datastore = (async () => {
    try {
      sent++;
      const out = await client.send(new CreateDatastoreCommand({ datastoreName: `crash-${round}`, clientToken: `crash-${round}` }));
      acked.datastores.add(out.datastoreId as string);
    } catch { /* killed before the answer */ }
  })();
  await Promise.all([...updates, tags, datastore]);
  return sent;
}

const count = (acked: Acknowledged): number => [...acked.versions.values()].reduce((n, v) => n + v.size, 0) + acked.tags.size + acked.datastores.size;

describe('emulator: kill -9 in the middle of writes', function () {
  this.timeout(300000);
  let dataDir: string;
  before(() => { dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-crash-')); });
  after(() => { fs.rmSync(dataDir, { recursive: true, force: true }); });

  it(`keeps every acknowledged write through ${ROUNDS} crashes, readable and whole`, async () => {
    const acked: Acknowledged = { versions: new Map(), tags: new Map(), datastores: new Set() };
    let requests = 0;
    let running = await start(dataDir);
    for (let round = 1; round <= ROUNDS; round++) {
      // Between 0.2 and 1.2 s of writing, a different moment each round (deterministic).
      const killAfter = 200 + ((round * 397) % 1000);
      let kill!: () => void;
      const stop = new Promise<void>((resolve) => { kill = resolve; });
      const client = clientFor(running.url);
      const ackedBefore = count(acked);
      const writing = writeUntil(client, round, stop, acked);
      await new Promise((r) => setTimeout(r, killAfter));
      // A slow machine may not have answered yet: kill once this round has at least one acknowledged write.
      await until(`round ${round}: a write acknowledged`, () => count(acked) > ackedBefore, 60000, 5);
      running.child.kill('SIGKILL');
      await running.exited;
      kill();
      requests += await writing;
      client.destroy();

      running = await start(dataDir);
      await check(running.url, acked, round);
    }
    running.child.kill('SIGTERM');
    await running.exited;
    const versions = [...acked.versions.values()].reduce((n, v) => n + v.size, 0);
    console.log(`      [reliability] ${ROUNDS} kill -9 restarts mid-write: ${requests} writes sent, ` +
      `${versions + acked.tags.size + acked.datastores.size} acknowledged (${versions} versions, ${acked.tags.size} tags, ` +
      `${acked.datastores.size} data stores), all present and readable after every restart`);
    assert.ok(count(acked) >= ROUNDS, `every round had acknowledged writes before its kill (${count(acked)})`);
  });

  async function check(url: string, acked: Acknowledged, round: number): Promise<void> {
    const client = clientFor(url);
    try {
      for (const [imageSetId, versions] of acked.versions) {
        for (const [versionId, value] of versions) {
          const version = await until(`round ${round}: version ${versionId} of ${imageSetId} to finish`, async () => {
            const v = await client.send(new GetImageSetCommand({ datastoreId, imageSetId, versionId }));
            return v.imageSetWorkflowStatus === 'UPDATING' ? undefined : v;
          }, 20000);
          assert.equal(version.imageSetWorkflowStatus, 'UPDATED', `round ${round}: ${imageSetId} version ${versionId}`);
          const doc = await readMetadata((await client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId, versionId }))).imageSetMetadataBlob as never);
          assert.equal(doc.Study.DICOM.StudyDescription, value, `round ${round}: ${imageSetId} version ${versionId} holds what was sent`);
          assert.equal(doc.ImageSetID, imageSetId);
        }
      }
      const tags = (await client.send(new ListTagsForResourceCommand({ resourceArn: datastoreArn }))).tags ?? {};
      for (const [key, value] of acked.tags) assert.equal(tags[key], value, `round ${round}: tag ${key}`);
      for (const id of acked.datastores) {
        const d = await client.send(new GetDatastoreCommand({ datastoreId: id }));
        assert.ok(['CREATING', 'ACTIVE'].includes(d.datastoreProperties?.datastoreStatus as string), `round ${round}: data store ${id}`);
      }
      const leftovers = fs.readdirSync(dataDir, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));
      assert.deepEqual(leftovers, [], `round ${round}: temporary files are cleaned up on start`);
    } finally {
      client.destroy();
    }
  }
});
