// includeStudyImageSets (newer service model; the project's SDK cannot send it, so over raw HTTP):
// one change applied atomically to every primary image set of the study.
import * as assert from 'node:assert/strict';
import { GetImageSetCommand, GetImageSetMetadataCommand, UpdateImageSetMetadataCommand } from '@aws-sdk/client-medical-imaging';
import { SEED_DATASTORE_ID, seedImageSetId } from '../src/server';
import { encodeJson, until, hold, readMetadata, release, startHarness, stopHarness, type Harness } from './helpers';

const datastoreId = SEED_DATASTORE_ID;
// Primary image sets of one seeded study each.
const STUDY_A = [16, 17, 18, 19].map(seedImageSetId);
const STUDY_B = [12, 13].map(seedImageSetId);
const STUDY_C = [25, 26].map(seedImageSetId);
const NON_PRIMARY = seedImageSetId(21);

describe('emulator: includeStudyImageSets (seeded)', function () {
  this.timeout(60000);
  let h: Harness;
  before(async () => { h = await startHarness({ seed: true }); });
  after(async () => { await stopHarness(h); });

  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64');
  const studyUpdate = (imageSetId: string, latestVersion: string, body: unknown) =>
    fetch(`${h.url}/datastore/${datastoreId}/imageSet/${imageSetId}/updateImageSetMetadata?latestVersion=${latestVersion}&includeStudyImageSets=true`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
  const describeStudy = (text: string) => ({ DICOMUpdates: { updatableAttributes: b64({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: text } } }) } });
  const get = (imageSetId: string) => h.client.send(new GetImageSetCommand({ datastoreId, imageSetId }));
  const settle = (imageSetId: string) => until(`${imageSetId} ACTIVE`, async () => {
    const r = await get(imageSetId);
    return r.imageSetState === 'LOCKED' ? undefined : r;
  });

  it('updates every primary image set of the study: the others show UPDATING_FOR_STUDY_CONSISTENCY, then all are UPDATED', async () => {
    hold(h);
    const r = await studyUpdate(STUDY_A[0] as string, '1', describeStudy('Study-wide description'));
    assert.equal(r.status, 200);
    const body = await r.json() as { latestVersionId: string; imageSetState: string; imageSetWorkflowStatus: string };
    assert.deepEqual([body.latestVersionId, body.imageSetState, body.imageSetWorkflowStatus], ['2', 'LOCKED', 'UPDATING']);
    const other = await get(STUDY_A[1] as string);
    assert.deepEqual([other.versionId, other.imageSetState, other.imageSetWorkflowStatus], ['2', 'LOCKED', 'UPDATING_FOR_STUDY_CONSISTENCY']);
    release(h);
    for (const id of STUDY_A) {
      const done = await settle(id);
      assert.equal(done.imageSetWorkflowStatus, 'UPDATED', id);
      const doc = await readMetadata((await h.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId: id }))).imageSetMetadataBlob as never);
      assert.equal(doc.Study.DICOM.StudyDescription, 'Study-wide description', id);
    }
  });

  it('is refused with revertToVersionId and on non-primary image sets', async () => {
    const revert = await studyUpdate(STUDY_A[0] as string, '2', { revertToVersionId: '1' });
    assert.equal(revert.status, 400);
    assert.match(((await revert.json()) as { message: string }).message, /includeStudyImageSets cannot be combined with revertToVersionId/);
    const nonPrimary = await studyUpdate(NON_PRIMARY, '1', describeStudy('x'));
    assert.equal(nonPrimary.status, 400);
    assert.match(((await nonPrimary.json()) as { message: string }).message, /not primary/);
  });

  it('is a ConflictException while another image set of the study is LOCKED', async () => {
    hold(h);
    await h.client.send(new UpdateImageSetMetadataCommand({
      datastoreId, imageSetId: STUDY_B[1], latestVersionId: '1',
      updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: encodeJson({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'one' } } }) } },
    }));
    const r = await studyUpdate(STUDY_B[0] as string, '1', describeStudy('all'));
    assert.equal(r.status, 409);
    assert.match(((await r.json()) as { message: string }).message, new RegExp(`${STUDY_B[1]} of the same study is LOCKED`));
    release(h);
    await settle(STUDY_B[1] as string);
    assert.equal((await get(STUDY_B[0] as string)).versionId, '1');
  });

  it('fails atomically: when it fails, it fails for every image set of the study', async () => {
    h.emulator.faults.failNextUpdates(1, 'INTERNAL_ERROR: injected');
    const r = await studyUpdate(STUDY_C[0] as string, '1', describeStudy('never'));
    assert.equal(r.status, 200);
    for (const id of STUDY_C) {
      const done = await settle(id);
      assert.equal(done.imageSetWorkflowStatus, 'UPDATE_FAILED', id);
      assert.equal(done.message, 'INTERNAL_ERROR: injected');
      assert.equal(done.versionId, '2');
    }
  });
});
