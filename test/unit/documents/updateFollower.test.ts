// Following updates to the end, against the real emulator over real HTTP with the real adapter.
// The waits of the polling back-off are recorded (and shortened), not timed. Retrying a throttled
// request is the adapter's job (test/unit/aws/sdkHealthImagingClient.test.ts).
import * as assert from 'node:assert/strict';
import { SdkHealthImagingClient } from '../../../src/aws/sdkHealthImagingClient';
import { backoffDelays, followNextVersion, followUpdate, UpdateFailedError } from '../../../src/documents/updateFollower';
import { EMULATOR_PROFILE, SEED_DATASTORE_ID, seedImageSetId, startEmulator, type RunningEmulator } from 'healthimaging-emulator';
import { useAwsProfileFiles } from '../awsProfileFiles';

const PROFILE = EMULATOR_PROFILE;

describe('documents/updateFollower against the emulator', function () {
  let emulator: RunningEmulator;
  let client: SdkHealthImagingClient;
  let waits: number[];
  let logs: string[];
  // Short real waits, so the emulator's 50 ms update delay passes without a busy loop.
  const options = () => ({ sleep: async (ms: number) => { waits.push(ms); await new Promise((r) => setTimeout(r, Math.min(ms, 20))); }, log: (m: string) => logs.push(m) });
  let next = 0;
  const imageSet = () => seedImageSetId(next++);

  useAwsProfileFiles();

  before(async () => {
    emulator = await startEmulator({ port: 0, seed: true, updateDelayMs: 50 });
    // One attempt per SDK call: the polls that go on after a throttled one are the follower's own.
    client = new SdkHealthImagingClient({ profile: PROFILE, endpoint: emulator.url, maxAttempts: 1 });
  });

  after(async () => {
    client?.dispose();
    await emulator?.close();
  });

  beforeEach(() => {
    waits = [];
    logs = [];
    emulator.faults.reset();
  });

  const update = (imageSetId: string, latestVersionId: string, description: string) => ({
    datastoreId: SEED_DATASTORE_ID, imageSetId, latestVersionId,
    update: { updatableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: description } } } },
  });

  it('follows the other image sets of a study-wide update to their next version: UPDATED, or UPDATE_FAILED with the message', async () => {
    // A seeded study of four primary image sets, far from the ones the other tests take.
    const [id, mate] = [seedImageSetId(85), seedImageSetId(86)];
    const before = await client.getImageSet(SEED_DATASTORE_ID, mate);
    const first = await client.updateImageSetMetadata({ ...update(id, '1', 'WHOLE STUDY'), includeStudyImageSets: true });
    const done = await followNextVersion(client, SEED_DATASTORE_ID, mate, before.versionId, options());
    assert.deepEqual([done.versionId, done.imageSetState, done.imageSetWorkflowStatus], [String(Number(before.versionId) + 1), 'ACTIVE', 'UPDATED']);
    await followUpdate(client, SEED_DATASTORE_ID, id, first.latestVersionId, options());

    emulator.faults.failNextUpdates(1, 'INTERNAL_ERROR: injected');
    await client.updateImageSetMetadata({ ...update(id, first.latestVersionId, 'FAILS'), includeStudyImageSets: true });
    await assert.rejects(followNextVersion(client, SEED_DATASTORE_ID, mate, done.versionId, options()),
      (e: unknown) => e instanceof UpdateFailedError && e.status === 'UPDATE_FAILED' && e.serviceMessage === 'INTERNAL_ERROR: injected'
        && e.versionId === String(Number(done.versionId) + 1));
  });

  it('backs off from 250 ms by x1.6 up to 2 s', () => {
    const gen = backoffDelays(250, 2000);
    assert.deepEqual(Array.from({ length: 7 }, () => gen.next().value), [250, 400, 640, 1024, 1638, 2000, 2000]);
  });

  it('follows a new version to UPDATED, logging ids and versions, never values', async () => {
    const id = imageSet();
    const base = await client.getImageSet(SEED_DATASTORE_ID, id);
    const result = await client.updateImageSetMetadata(update(id, base.versionId, 'FOLLOWED TO THE END'));
    assert.equal(result.latestVersionId, String(Number(base.versionId) + 1));

    const done = await followUpdate(client, SEED_DATASTORE_ID, id, result.latestVersionId, options());
    assert.equal(done.imageSetWorkflowStatus, 'UPDATED');
    const backoff = backoffDelays(250, 2000);
    assert.ok(waits.length >= 1);
    assert.deepEqual(waits, waits.map(() => backoff.next().value), 'polls back off from 250 ms');
    assert.ok(logs.every((l) => !l.includes('FOLLOWED TO THE END')), 'no metadata values in the log');
    assert.equal(JSON.parse(await client.getImageSetMetadata(SEED_DATASTORE_ID, id)).Study.DICOM.StudyDescription, 'FOLLOWED TO THE END');
  });

  it('ends with UpdateFailedError carrying the service\'s message when the version is UPDATE_FAILED', async () => {
    const id = imageSet();
    const base = await client.getImageSet(SEED_DATASTORE_ID, id);
    emulator.faults.failNextUpdates(1, 'INVALID_REQUEST: injected for the test');
    const result = await client.updateImageSetMetadata(update(id, base.versionId, 'FAILS'));
    const error = await followUpdate(client, SEED_DATASTORE_ID, id, result.latestVersionId, options()).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof UpdateFailedError, String(error));
    assert.equal(error.status, 'UPDATE_FAILED');
    assert.equal(error.serviceMessage, 'INVALID_REQUEST: injected for the test');
    assert.equal(error.versionId, result.latestVersionId);
  });

  it('keeps following through throttled GetImageSet polls', async () => {
    const id = imageSet();
    const base = await client.getImageSet(SEED_DATASTORE_ID, id);
    const result = await client.updateImageSetMetadata(update(id, base.versionId, 'POLLED'));
    emulator.faults.throttleNext('GetImageSet', 2);
    const done = await followUpdate(client, SEED_DATASTORE_ID, id, result.latestVersionId, options());
    assert.equal(done.versionId, result.latestVersionId);
    assert.equal(logs.filter((l) => /GetImageSet .* failed \(Throttling\); still following/.test(l)).length, 2);
  });
});
