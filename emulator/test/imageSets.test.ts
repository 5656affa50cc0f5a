// Conformance: image sets of the seeded data store through the real SDK over HTTP: reads,
// versions, updates and their asynchronous states, conflicts, force, revert, copy, delete, tags.
import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import {
  ConflictException, CopyImageSetCommand, DeleteDatastoreCommand, DeleteImageSetCommand, GetImageFrameCommand, GetImageSetCommand,
  GetImageSetMetadataCommand, ListImageSetVersionsCommand, ListTagsForResourceCommand, ResourceNotFoundException,
  TagResourceCommand, ThrottlingException, UpdateImageSetMetadataCommand, ValidationException, paginateListImageSetVersions,
  type GetImageSetCommandOutput,
} from '@aws-sdk/client-medical-imaging';
import { decodeHtj2k } from '../../src/core/htj2k';
import { loadHtj2kCodec } from '../src/htj2k';
import { SEED_DATASTORE_ID, seedImageSetId } from '../src/server';
import { encodeJson, until, hold, modelFrameContentType, readMetadata, rejection, release, startHarness, stopHarness, type Doc, type Harness } from './helpers';

const datastoreId = SEED_DATASTORE_ID;
const NON_PRIMARY = [7, 21, 28, 35, 49, 77, 91, 98, 105, 119, 126, 133, 70, 42].map(seedImageSetId);
const PRIMARY = [0, 1, 2, 4, 5].map(seedImageSetId);
const LARGE = seedImageSetId(136);
/** A non-primary image set of two series. */
const TWO_SERIES = seedImageSetId(84);
/** A non-primary image set no other test changes. */
const NON_PRIMARY_SPARE = seedImageSetId(14);

describe('emulator: image sets, versions and updates (seeded)', function () {
  this.timeout(60000);
  let h: Harness;
  before(async () => { h = await startHarness({ seed: true }); });
  after(async () => { await stopHarness(h); });

  const getImageSet = (imageSetId: string, versionId?: string) => h.client.send(new GetImageSetCommand({ datastoreId, imageSetId, versionId }));
  const metadata = async (imageSetId: string, versionId?: string): Promise<Doc> =>
    readMetadata((await h.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId, versionId }))).imageSetMetadataBlob as never);
  const settle = (imageSetId: string): Promise<GetImageSetCommandOutput> => until(`image set ${imageSetId} to leave LOCKED`, async () => {
    const r = await getImageSet(imageSetId);
    return r.imageSetState === 'LOCKED' ? undefined : r;
  });
  const update = (imageSetId: string, latestVersionId: string, updatable?: unknown, removable?: unknown, force?: boolean) =>
    h.client.send(new UpdateImageSetMetadataCommand({
      datastoreId, imageSetId, latestVersionId, force,
      updateImageSetMetadataUpdates: {
        DICOMUpdates: {
          updatableAttributes: updatable === undefined ? undefined : encodeJson(updatable),
          removableAttributes: removable === undefined ? undefined : encodeJson(removable),
        },
      },
    }));
  const raw = (imageSetId: string, op: string, query: string, body: unknown) => fetch(`${h.url}/datastore/${datastoreId}/imageSet/${imageSetId}/${op}?${query}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });

  it('GetImageSet describes version 1 of a seeded image set', async () => {
    const r = await getImageSet(PRIMARY[0] as string);
    assert.equal(r.datastoreId, datastoreId);
    assert.equal(r.imageSetId, PRIMARY[0]);
    assert.equal(r.versionId, '1');
    assert.equal(r.imageSetState, 'ACTIVE');
    assert.equal(r.imageSetWorkflowStatus, 'IMPORTED');
    assert.equal(r.isPrimary, true);
    assert.equal(r.imageSetArn, `arn:aws:medical-imaging:us-east-1:123456789012:datastore/${datastoreId}/imageset/${PRIMARY[0]}`);
    assert.ok(r.createdAt instanceof Date && r.updatedAt instanceof Date);
    assert.equal((await getImageSet(NON_PRIMARY[0] as string)).isPrimary, false);
  });

  it('GetImageSetMetadata answers gzip JSON with Content-Type application/json and Content-Encoding gzip', async () => {
    const r = await raw(PRIMARY[0] as string, 'getImageSetMetadata', '', undefined);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.headers.get('content-encoding'), 'gzip');
    const sdk = await h.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId: PRIMARY[0] }));
    assert.equal(sdk.contentEncoding, 'gzip');
    assert.equal(sdk.contentType, 'application/json');
    const bytes = await (sdk.imageSetMetadataBlob as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    assert.deepEqual([...bytes.slice(0, 2)], [0x1f, 0x8b], 'gzip magic');
    const doc = JSON.parse(zlib.gunzipSync(bytes).toString('utf8')) as Doc;
    assert.equal(doc.SchemaVersion, '1.1');
    assert.equal(doc.DatastoreID, datastoreId);
    assert.equal(doc.ImageSetID, PRIMARY[0]);
    assert.deepEqual(Object.keys(doc).slice(0, 3), ['SchemaVersion', 'DatastoreID', 'ImageSetID']);
  });

  it('serves the large seeded image set (at least 5,000 instances)', async () => {
    const doc = await metadata(LARGE);
    const count = Object.values(doc.Study.Series as Record<string, Doc>).reduce((n, s) => n + Object.keys(s.Instances).length, 0);
    assert.ok(count >= 5000, `instances: ${count}`);
  });

  it('GetImageFrame returns the HTJ2K bytes of a frame named in the metadata as image/jph, decoding to its checksum', async () => {
    const doc = await metadata(PRIMARY[1] as string);
    const instance = Object.values(Object.values(doc.Study.Series as Record<string, Doc>)[0]?.Instances as Record<string, Doc>)[0] as Doc;
    const frame = instance.ImageFrames[0] as Doc;
    const r = await h.client.send(new GetImageFrameCommand({ datastoreId, imageSetId: PRIMARY[1], imageFrameInformation: { imageFrameId: frame.ID } }));
    const bytes = await (r.imageFrameBlob as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    assert.equal(bytes.length, frame.FrameSizeInBytes);
    assert.equal(instance.StoredTransferSyntaxUID, '1.2.840.10008.1.2.4.202');
    assert.equal(r.contentType, modelFrameContentType(instance.StoredTransferSyntaxUID), `content type of a frame stored as ${instance.StoredTransferSyntaxUID}`);
    const { info, pixels } = decodeHtj2k(await loadHtj2kCodec(), bytes);
    assert.deepEqual([info.width, info.height], [instance.DICOM.Columns, instance.DICOM.Rows]);
    assert.equal(zlib.crc32(pixels), frame.PixelDataChecksumFromBaseToFullResolution[0].Checksum);
    const e = await rejection(h.client.send(new GetImageFrameCommand({ datastoreId, imageSetId: PRIMARY[1], imageFrameInformation: { imageFrameId: '0'.repeat(32) } })));
    assert.ok(e instanceof ResourceNotFoundException);
    const v = await rejection(h.client.send(new GetImageFrameCommand({ datastoreId, imageSetId: PRIMARY[1], imageFrameInformation: { imageFrameId: 'xyz' } })));
    assert.ok(v instanceof ValidationException);
    assert.match(v.message, /imageFrameId/);
  });

  it('an update answers LOCKED/UPDATING with the new version, then becomes ACTIVE/UPDATED; every version stays readable', async () => {
    const id = NON_PRIMARY[0] as string;
    const before = await metadata(id);
    hold(h);
    const r = await update(id, '1', { SchemaVersion: 1.1, Patient: { DICOM: { PatientName: 'Doe^Jane' } } });
    assert.equal(r.latestVersionId, '2');
    assert.equal(r.imageSetState, 'LOCKED');
    assert.equal(r.imageSetWorkflowStatus, 'UPDATING');
    const during = await getImageSet(id);
    assert.equal(during.imageSetState, 'LOCKED');
    assert.equal(during.imageSetWorkflowStatus, 'UPDATING');
    assert.equal(during.versionId, '2');
    // A version that is still UPDATING reads as the previous content.
    assert.equal((await metadata(id, '2')).Patient.DICOM.PatientName, before.Patient.DICOM.PatientName);
    release(h);
    const done = await settle(id);
    assert.equal(done.imageSetState, 'ACTIVE');
    assert.equal(done.imageSetWorkflowStatus, 'UPDATED');
    assert.equal(done.versionId, '2');
    assert.equal(done.overrides, undefined);
    const after = await metadata(id);
    assert.equal(after.Patient.DICOM.PatientName, 'Doe^Jane');
    assert.deepEqual({ ...after, Patient: before.Patient }, before, 'only the patient name changed');
    assert.deepEqual(await metadata(id, '1'), before);
    assert.equal((await getImageSet(id, '1')).imageSetWorkflowStatus, 'IMPORTED');
    const versions = await h.client.send(new ListImageSetVersionsCommand({ datastoreId, imageSetId: id }));
    assert.deepEqual(versions.imageSetPropertiesList?.map((v) => [v.versionId, v.ImageSetWorkflowStatus, v.imageSetState]), [['2', 'UPDATED', 'ACTIVE'], ['1', 'IMPORTED', 'ACTIVE']]);
  });

  it('the ListImageSetVersions wire answer uses the key ImageSetWorkflowStatus and string version ids', async () => {
    const r = await raw(PRIMARY[2] as string, 'listImageSetVersions', '', undefined);
    const body = await r.json() as { imageSetPropertiesList: Doc[] };
    assert.equal(body.imageSetPropertiesList[0]?.ImageSetWorkflowStatus, 'IMPORTED');
    assert.equal(body.imageSetPropertiesList[0]?.imageSetWorkflowStatus, undefined);
    assert.equal(body.imageSetPropertiesList[0]?.versionId, '1');
    assert.equal(typeof body.imageSetPropertiesList[0]?.createdAt, 'number');
  });

  it('a write to a LOCKED image set and a stale latestVersion give ConflictException (409)', async () => {
    const id = NON_PRIMARY[1] as string;
    hold(h);
    await update(id, '1', { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'first' } } });
    const locked = await rejection(update(id, '2', { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'second' } } }));
    assert.ok(locked instanceof ConflictException, locked.name);
    assert.equal(locked.$metadata?.httpStatusCode, 409);
    assert.match(locked.message, /LOCKED/);
    release(h);
    await settle(id);
    const stale = await rejection(update(id, '1', { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'third' } } }));
    assert.ok(stale instanceof ConflictException);
    assert.equal(stale.message, `latestVersion 1 is not the latest version (2) of image set ${id}`);
  });

  it('a change that needs force is rejected without force (ValidationException listing it); nothing is versioned', async () => {
    const id = NON_PRIMARY[2] as string;
    const e = await rejection(update(id, '1', { SchemaVersion: 1.1, Study: { DICOM: { StudyID: 'NEW-ID' } } }));
    assert.ok(e instanceof ValidationException, e.name);
    assert.match(e.message, /force/);
    assert.match(e.message, /StudyID/);
    assert.equal((await getImageSet(id)).versionId, '1');
    const r = await update(id, '1', { SchemaVersion: 1.1, Study: { DICOM: { StudyID: 'NEW-ID' } } }, undefined, true);
    assert.equal(r.latestVersionId, '2');
    const done = await settle(id);
    assert.equal(done.imageSetWorkflowStatus, 'UPDATED');
    assert.deepEqual(done.overrides, { forced: true });
    assert.equal((await metadata(id)).Study.DICOM.StudyID, 'NEW-ID');
    const versions = await h.client.send(new ListImageSetVersionsCommand({ datastoreId, imageSetId: id }));
    assert.deepEqual(versions.imageSetPropertiesList?.[0]?.overrides, { forced: true });
  });

  it('a change refused even with force is accepted, then UPDATE_FAILED with INVALID_REQUEST; the next update bases on it', async () => {
    const id = NON_PRIMARY[3] as string;
    const before = await metadata(id);
    const r = await update(id, '1', { SchemaVersion: 1.1, Study: { Series: { '1.2.3.4.5.6.7.8.9': { DICOM: { SeriesDescription: 'nope' } } } } }, undefined, true);
    assert.equal(r.imageSetWorkflowStatus, 'UPDATING');
    const failed = await settle(id);
    assert.equal(failed.imageSetState, 'ACTIVE');
    assert.equal(failed.imageSetWorkflowStatus, 'UPDATE_FAILED');
    assert.equal(failed.versionId, '2');
    assert.match(failed.message ?? '', /^INVALID_REQUEST: /);
    assert.deepEqual(await metadata(id), before, 'the failed version has the previous content');
    assert.deepEqual(await metadata(id, '2'), before);
    const next = await update(id, '2', { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'after failure' } } });
    assert.equal(next.latestVersionId, '3');
    assert.equal((await settle(id)).imageSetWorkflowStatus, 'UPDATED');
    assert.equal((await metadata(id)).Study.DICOM.StudyDescription, 'after failure');
    const list = await h.client.send(new ListImageSetVersionsCommand({ datastoreId, imageSetId: id }));
    assert.deepEqual(list.imageSetPropertiesList?.map((v) => v.ImageSetWorkflowStatus), ['UPDATED', 'UPDATE_FAILED', 'IMPORTED']);
    assert.match(list.imageSetPropertiesList?.[1]?.message ?? '', /^INVALID_REQUEST/);
  });

  it('Patient-level changes of a primary image set fail (force cannot help there)', async () => {
    const id = PRIMARY[3] as string;
    await update(id, '1', { SchemaVersion: 1.1, Patient: { DICOM: { PatientName: 'Other^Name' } } }, undefined, true);
    const done = await settle(id);
    assert.equal(done.imageSetWorkflowStatus, 'UPDATE_FAILED');
    assert.match(done.message ?? '', /^INVALID_REQUEST: /);
  });

  it('a forced SOPInstanceUID change re-keys the instance; its frames stay readable', async () => {
    const id = NON_PRIMARY[12] as string;
    const doc = await metadata(id);
    const [seriesUid, series] = Object.entries(doc.Study.Series as Record<string, Doc>)[0] as [string, Doc];
    const [oldSop, instance] = Object.entries(series.Instances as Record<string, Doc>)[0] as [string, Doc];
    const newSop = `${oldSop}.99`;
    const payload = { SchemaVersion: 1.1, Study: { Series: { [seriesUid]: { Instances: { [oldSop]: { DICOM: { SOPInstanceUID: newSop } } } } } } };
    assert.ok((await rejection(update(id, '1', payload))) instanceof ValidationException, 'needs force');
    await update(id, '1', payload, undefined, true);
    assert.equal((await settle(id)).imageSetWorkflowStatus, 'UPDATED');
    const after = await metadata(id);
    assert.equal(after.Study.Series[seriesUid].Instances[oldSop], undefined);
    assert.equal(after.Study.Series[seriesUid].Instances[newSop].DICOM.SOPInstanceUID, newSop);
    const frameId = instance.ImageFrames[0].ID as string;
    const f = await h.client.send(new GetImageFrameCommand({ datastoreId, imageSetId: id, imageFrameInformation: { imageFrameId: frameId } }));
    assert.equal((await (f.imageFrameBlob as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).length, instance.ImageFrames[0].FrameSizeInBytes);
  });

  it('a forced SeriesInstanceUID change to the UID of another series fails (UPDATE_FAILED) and merges nothing; once that series is removed in the same request, it re-keys', async () => {
    const id = TWO_SERIES;
    assert.equal((await getImageSet(id)).isPrimary, false, 'a non-primary image set');
    const before = await metadata(id);
    const [first, second] = Object.keys(before.Study.Series as Record<string, Doc>);
    assert.ok(first && second, 'the image set has two series');
    await update(id, '1', { SchemaVersion: 1.1, Study: { Series: { [second]: { DICOM: { SeriesInstanceUID: first } } } } }, undefined, true);
    const failed = await settle(id);
    assert.equal(failed.imageSetWorkflowStatus, 'UPDATE_FAILED');
    assert.match(failed.message ?? '', /^INVALID_REQUEST: The new SeriesInstanceUID is already used by another series/);
    assert.deepEqual(await metadata(id), before, 'both series are still there, unchanged');

    // Removals apply before updates: the removed series' UID is free for the other one.
    await update(id, '2', { SchemaVersion: 1.1, Study: { Series: { [second]: { DICOM: { SeriesInstanceUID: first } } } } },
      { SchemaVersion: 1.1, Study: { Series: { [first]: {} } } }, true);
    assert.equal((await settle(id)).imageSetWorkflowStatus, 'UPDATED');
    const after = await metadata(id);
    assert.deepEqual(Object.keys(after.Study.Series), [first]);
    assert.deepEqual(Object.keys(after.Study.Series[first].Instances), Object.keys(before.Study.Series[second].Instances), 'the second series\' instances, now under the first UID');
    assert.equal(after.Study.Series[first].DICOM.SeriesInstanceUID, first);
  });

  it('copy and delete of a LOCKED image set, and deleting a data store that has image sets, give ConflictException', async () => {
    const id = NON_PRIMARY[13] as string;
    hold(h);
    await update(id, '1', { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'locking' } } });
    const copy = await rejection(h.client.send(new CopyImageSetCommand({ datastoreId, sourceImageSetId: id, copyImageSetInformation: { sourceImageSet: { latestVersionId: '2' } } })));
    assert.ok(copy instanceof ConflictException, copy.name);
    const del = await rejection(h.client.send(new DeleteImageSetCommand({ datastoreId, imageSetId: id })));
    assert.ok(del instanceof ConflictException, del.name);
    release(h);
    await settle(id);
    const store = await rejection(h.client.send(new DeleteDatastoreCommand({ datastoreId })));
    assert.ok(store instanceof ConflictException, store.name);
    assert.match(store.message, /image sets/);
  });

  it('removes an attribute with removableAttributes (value must match)', async () => {
    const id = PRIMARY[4] as string;
    const before = await metadata(id);
    const description = before.Study.DICOM.StudyDescription;
    assert.ok(description, 'the seed has a StudyDescription');
    await update(id, '1', undefined, { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: description } } });
    assert.equal((await settle(id)).imageSetWorkflowStatus, 'UPDATED');
    assert.equal('StudyDescription' in (await metadata(id)).Study.DICOM, false);
  });

  it('a removal whose value does not match (or of an attribute that is not there) ends UPDATE_FAILED naming it; nothing changes', async () => {
    const id = seedImageSetId(56);
    const before = await metadata(id);
    const description = before.Study.DICOM.StudyDescription as string;
    assert.ok(description, 'the seed has a StudyDescription');
    const accepted = await update(id, '1', undefined, { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: `${description} (NOT THE VALUE)` } } });
    assert.equal(accepted.imageSetWorkflowStatus, 'UPDATING', 'accepted like any other refusal force cannot help');
    const failed = await settle(id);
    assert.equal(failed.imageSetWorkflowStatus, 'UPDATE_FAILED');
    assert.match(failed.message ?? '', /^INVALID_REQUEST: The value given for removing StudyDescription does not match its current value.*\(\/Study\/DICOM\/StudyDescription\)$/);
    await update(id, '2', undefined, { SchemaVersion: 1.1, Study: { DICOM: { NotThereAtAll: 'x' } } });
    const missing = await settle(id);
    assert.equal(missing.imageSetWorkflowStatus, 'UPDATE_FAILED');
    assert.match(missing.message ?? '', /NotThereAtAll is not in the document, so it cannot be removed\..*\(\/Study\/DICOM\/NotThereAtAll\)/);
    assert.deepEqual(await metadata(id), before);
  });

  it('reverts to an older version as a new version', async () => {
    const id = NON_PRIMARY[4] as string;
    const v1 = await metadata(id);
    await update(id, '1', { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'changed' } } });
    await settle(id);
    const r = await h.client.send(new UpdateImageSetMetadataCommand({ datastoreId, imageSetId: id, latestVersionId: '2', updateImageSetMetadataUpdates: { revertToVersionId: '1' } }));
    assert.equal(r.latestVersionId, '3');
    assert.equal((await settle(id)).imageSetWorkflowStatus, 'UPDATED');
    assert.deepEqual(await metadata(id), v1);
    const missing = await rejection(h.client.send(new UpdateImageSetMetadataCommand({ datastoreId, imageSetId: id, latestVersionId: '3', updateImageSetMetadataUpdates: { revertToVersionId: '9' } })));
    assert.ok(missing instanceof ValidationException);
    assert.match(missing.message, /revertToVersionId/);
  });

  it('validates the update payload: union rules, base64, JSON, SchemaVersion, size limit, latestVersion', async () => {
    const id = NON_PRIMARY[5] as string;
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');
    const good = b64({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'x' } } });
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['both', 'latestVersion=1', { DICOMUpdates: { updatableAttributes: good }, revertToVersionId: '1' }, /exactly one of DICOMUpdates and revertToVersionId \(found both\)/],
      ['neither', 'latestVersion=1', {}, /found neither/],
      ['empty DICOMUpdates', 'latestVersion=1', { DICOMUpdates: {} }, /updatableAttributes or removableAttributes/],
      ['bad base64', 'latestVersion=1', { DICOMUpdates: { updatableAttributes: '***' } }, /updatableAttributes.*base64/],
      ['not JSON', 'latestVersion=1', { DICOMUpdates: { updatableAttributes: Buffer.from('{nope').toString('base64') } }, /updatableAttributes is not a JSON document/],
      ['no SchemaVersion', 'latestVersion=1', { DICOMUpdates: { removableAttributes: b64({ Study: {} }) } }, /removableAttributes must contain "SchemaVersion"/],
      ['wrong SchemaVersion', 'latestVersion=1', { DICOMUpdates: { updatableAttributes: b64({ SchemaVersion: 2 }) } }, /SchemaVersion 2/],
      ['too large', 'latestVersion=1', { DICOMUpdates: { updatableAttributes: b64({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'x'.repeat(30001) } } }) } }, /updatableAttributes.*30000/],
      ['no latestVersion', '', { DICOMUpdates: { updatableAttributes: good } }, /latestVersionId/],
      ['bad latestVersion', 'latestVersion=abc', { DICOMUpdates: { updatableAttributes: good } }, /latestVersionId/],
      ['bad force', 'latestVersion=1&force=yes', { DICOMUpdates: { updatableAttributes: good } }, /force/],
    ];
    for (const [name, query, body, message] of cases) {
      const r = await raw(id, 'updateImageSetMetadata', query, body);
      assert.equal(r.status, 400, name);
      assert.equal(r.headers.get('x-amzn-errortype'), 'ValidationException', name);
      assert.match(((await r.json()) as { message: string }).message, message, name);
    }
    assert.equal((await getImageSet(id)).versionId, '1', 'nothing was versioned');
  });

  it('accepts attribute blobs of exactly 30,000 bytes and refuses 30,001, counting UTF-8 bytes (not characters or base64)', async () => {
    const id = NON_PRIMARY_SPARE;
    assert.equal((await getImageSet(id)).isPrimary, false);
    // PatientComments (LT) takes 10,240 characters: 30,000 bytes of 3-byte characters fit it, so only the size decides.
    const blob = (comments: string) => ({ SchemaVersion: 1.1, Patient: { DICOM: { PatientComments: comments } } });
    const sized = (bytes: number): { value: unknown; encoded: Uint8Array } => {
      const empty = Buffer.byteLength(JSON.stringify(blob('')));
      const n = Math.floor((bytes - empty) / 3);
      const value = blob('山'.repeat(n) + 'a'.repeat(bytes - empty - 3 * n));
      const encoded = encodeJson(value);
      assert.equal(encoded.length, bytes, 'the test built a blob of the intended size');
      return { value, encoded };
    };
    const exact = sized(30_000);
    const over = sized(30_001);
    assert.ok([...((exact.value as Doc).Patient.DICOM.PatientComments as string)].length < 10_240);

    for (const field of ['updatableAttributes', 'removableAttributes'] as const) {
      const e = await rejection(h.client.send(new UpdateImageSetMetadataCommand({
        datastoreId, imageSetId: id, latestVersionId: '1', updateImageSetMetadataUpdates: { DICOMUpdates: { [field]: over.encoded } },
      })));
      assert.ok(e instanceof ValidationException, `${field}: ${e.name}`);
      assert.match(e.message, new RegExp(`DICOMUpdates\\.${field}'.*between 1 and 30000 bytes \\(found 30001\\)`));
    }
    assert.equal((await getImageSet(id)).versionId, '1', 'nothing was versioned');

    const r = await update(id, '1', exact.value);
    assert.equal(r.latestVersionId, '2');
    assert.equal((await settle(id)).imageSetWorkflowStatus, 'UPDATED');
    assert.equal((await metadata(id)).Patient.DICOM.PatientComments, (exact.value as Doc).Patient.DICOM.PatientComments);
    // Removing it takes a removableAttributes of the same 30,000 bytes.
    await update(id, '2', undefined, exact.value);
    assert.equal((await settle(id)).imageSetWorkflowStatus, 'UPDATED');
    assert.equal('PatientComments' in (await metadata(id)).Patient.DICOM, false);
  });

  it('ResourceNotFoundException for unknown image sets and versions', async () => {
    const e = await rejection(getImageSet('0'.repeat(32)));
    assert.ok(e instanceof ResourceNotFoundException);
    const v = await rejection(getImageSet(PRIMARY[0] as string, '99'));
    assert.ok(v instanceof ResourceNotFoundException);
    const bad = await rejection(getImageSet(PRIMARY[0] as string, 'x1'));
    assert.ok(bad instanceof ValidationException);
  });

  it('pages ListImageSetVersions to the end, newest first', async () => {
    const id = NON_PRIMARY[6] as string;
    for (let v = 1; v <= 3; v++) {
      await update(id, String(v), { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: `v${v + 1}` } } });
      await settle(id);
    }
    const seen: string[] = [];
    for await (const p of paginateListImageSetVersions({ client: h.client, pageSize: 1 }, { datastoreId, imageSetId: id })) {
      assert.ok((p.imageSetPropertiesList ?? []).length <= 1);
      for (const v of p.imageSetPropertiesList ?? []) seen.push(v.versionId as string);
    }
    assert.deepEqual(seen, ['4', '3', '2', '1']);
  });

  it('copies selected instances into a new image set: source read-only while COPYING, destination COPIED', async () => {
    const id = NON_PRIMARY[7] as string;
    const doc = await metadata(id);
    const [seriesUid, series] = Object.entries(doc.Study.Series as Record<string, Doc>)[0] as [string, Doc];
    const sop = Object.keys(series.Instances)[0] as string;
    const r = await h.client.send(new CopyImageSetCommand({
      datastoreId, sourceImageSetId: id,
      copyImageSetInformation: { sourceImageSet: { latestVersionId: '1', DICOMCopies: { copiableAttributes: JSON.stringify({ SchemaVersion: '1.1', Study: { Series: { [seriesUid]: { Instances: { [sop]: {} } } } } }) } } },
    }));
    assert.equal(r.sourceImageSetProperties?.imageSetState, 'LOCKED');
    assert.equal(r.sourceImageSetProperties?.imageSetWorkflowStatus, 'COPYING_WITH_READ_ONLY_ACCESS');
    assert.equal(r.sourceImageSetProperties?.latestVersionId, '1');
    assert.equal(r.destinationImageSetProperties?.imageSetWorkflowStatus, 'COPYING');
    assert.equal(r.destinationImageSetProperties?.latestVersionId, '1');
    const dest = r.destinationImageSetProperties?.imageSetId as string;
    assert.match(dest, /^[0-9a-z]{32}$/);
    assert.equal((await settle(dest)).imageSetWorkflowStatus, 'COPIED');
    const src = await settle(id);
    assert.equal(src.imageSetState, 'ACTIVE');
    assert.equal(src.versionId, '1');
    const copy = await metadata(dest);
    assert.equal(copy.ImageSetID, dest);
    assert.deepEqual(Object.keys(copy.Study.Series[seriesUid].Instances), [sop]);
    assert.deepEqual(copy.Study.Series[seriesUid].Instances[sop], series.Instances[sop]);
    // The copy's frames are the source's, byte for byte.
    const frames = series.Instances[sop].ImageFrames as Doc[];
    assert.ok(frames.length > 0, 'the copied instance has frames');
    for (const frame of frames) {
      const read = async (imageSetId: string) => (await (await h.client.send(new GetImageFrameCommand({ datastoreId, imageSetId, imageFrameInformation: { imageFrameId: frame.ID } })))
        .imageFrameBlob as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      const copied = await read(dest);
      assert.equal(copied.length, frame.FrameSizeInBytes);
      assert.deepEqual(Buffer.from(copied), Buffer.from(await read(id)));
    }
  });

  it('a copy into an image set of another patient fails without force and succeeds with force', async () => {
    const source = NON_PRIMARY[8] as string;
    const dest = NON_PRIMARY[9] as string;
    const copy = (force: boolean, destVersion: string) => h.client.send(new CopyImageSetCommand({
      datastoreId, sourceImageSetId: source, force,
      copyImageSetInformation: { sourceImageSet: { latestVersionId: '1' }, destinationImageSet: { imageSetId: dest, latestVersionId: destVersion } },
    }));
    const r = await copy(false, '1');
    assert.equal(r.destinationImageSetProperties?.latestVersionId, '2');
    const failed = await settle(dest);
    assert.equal(failed.imageSetWorkflowStatus, 'COPY_FAILED');
    assert.match(failed.message ?? '', /^INVALID_REQUEST: .*don't match/);
    await settle(source);
    const stale = await rejection(copy(true, '1'));
    assert.ok(stale instanceof ConflictException);
    await copy(true, '2');
    const ok = await settle(dest);
    assert.equal(ok.imageSetWorkflowStatus, 'COPIED');
    assert.equal(ok.versionId, '3');
    assert.deepEqual(ok.overrides, { forced: true });
    const merged = await metadata(dest);
    const srcDoc = await metadata(source);
    for (const uid of Object.keys(srcDoc.Study.Series)) assert.ok(merged.Study.Series[uid], `series ${uid} copied`);
  });

  it('deletes an image set: LOCKED/DELETING, then DELETED; its metadata is gone', async () => {
    const id = NON_PRIMARY[10] as string;
    hold(h);
    const r = await h.client.send(new DeleteImageSetCommand({ datastoreId, imageSetId: id }));
    assert.equal(r.imageSetState, 'LOCKED');
    assert.equal(r.imageSetWorkflowStatus, 'DELETING');
    const repeated = await h.client.send(new DeleteImageSetCommand({ datastoreId, imageSetId: id }));
    assert.deepEqual([repeated.imageSetState, repeated.imageSetWorkflowStatus], ['LOCKED', 'DELETING'], 'a repeated delete is idempotent');
    release(h);
    const done = await settle(id);
    assert.equal(done.imageSetState, 'DELETED');
    assert.equal(done.imageSetWorkflowStatus, 'DELETED');
    assert.ok(done.deletedAt instanceof Date);
    const e = await rejection(metadata(id));
    assert.ok(e instanceof ResourceNotFoundException);
    const again = await h.client.send(new DeleteImageSetCommand({ datastoreId, imageSetId: id }));
    assert.equal(again.imageSetState, 'DELETED', 'idempotent');
  });

  it('tags an image set by its ARN', async () => {
    const id = NON_PRIMARY[11] as string;
    const arn = (await getImageSet(id)).imageSetArn as string;
    await h.client.send(new TagResourceCommand({ resourceArn: arn, tags: { reviewed: 'yes' } }));
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { reviewed: 'yes' });
  });

  it('faults: the next N updates fail with the given message; throttleNext answers 429 ThrottlingException', async () => {
    const id = PRIMARY[1] as string;
    h.emulator.faults.failNextUpdates(1, 'INTERNAL_ERROR: injected');
    await update(id, '1', { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'will fail' } } });
    const failed = await settle(id);
    assert.equal(failed.imageSetWorkflowStatus, 'UPDATE_FAILED');
    assert.equal(failed.message, 'INTERNAL_ERROR: injected');
    await update(id, '2', { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'works' } } });
    assert.equal((await settle(id)).imageSetWorkflowStatus, 'UPDATED');

    h.emulator.faults.throttleNext('GetImageSet', 2);
    for (let i = 0; i < 2; i++) {
      const e = await rejection(getImageSet(id));
      assert.ok(e instanceof ThrottlingException, e.name);
      assert.equal(e.$metadata?.httpStatusCode, 429);
    }
    assert.equal((await getImageSet(id)).imageSetId, id);

    const res = await fetch(`${h.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ throttleNext: { operation: 'GetImageSetMetadata', count: 1 }, failNextUpdates: 1 }) });
    assert.equal(res.status, 200);
    assert.ok((await rejection(metadata(id))) instanceof ThrottlingException);
    await update(id, '3', { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'fails too' } } });
    assert.equal((await settle(id)).imageSetWorkflowStatus, 'UPDATE_FAILED');
    const set = await (await fetch(`${h.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ latencyMs: 5, updateDelayMs: 80 }) })).json() as { latencyMs: number; updateDelayMs: number };
    assert.deepEqual([set.latencyMs, set.updateDelayMs], [5, 80]);
    await fetch(`${h.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ reset: true }) });
    const state = await (await fetch(`${h.url}/_emulator/faults`)).json() as { failNextUpdates: number; latencyMs: number; updateDelayMs: number };
    assert.deepEqual([state.failNextUpdates, state.latencyMs, state.updateDelayMs], [0, 0, 50]);
  });

  it('faults: damageNextFrames garbles or truncates the next GetImageFrame answers, then frames are whole again', async () => {
    const doc = await metadata(PRIMARY[1] as string);
    const frame = (Object.values(Object.values(doc.Study.Series as Record<string, Doc>)[0]?.Instances as Record<string, Doc>)[0] as Doc).ImageFrames[0] as Doc;
    const get = async () => {
      const r = await h.client.send(new GetImageFrameCommand({ datastoreId, imageSetId: PRIMARY[1], imageFrameInformation: { imageFrameId: frame.ID } }));
      return (r.imageFrameBlob as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    };
    const whole = await get();
    const codec = await loadHtj2kCodec();
    h.emulator.faults.damageNextFrames(1);
    const garbled = await get();
    assert.equal(garbled.length, whole.length);
    assert.throws(() => decodeHtj2k(codec, garbled), /not a decodable HTJ2K codestream/);
    const res = await fetch(`${h.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ damageNextFrames: { count: 1, how: 'truncate' } }) });
    assert.equal(res.status, 200);
    const truncated = await get();
    assert.equal(truncated.length, Math.floor(whole.length / 2));
    assert.deepEqual(await get(), whole, 'only the next N answers are damaged');
    assert.throws(() => h.emulator.faults.damageNextFrames(1, 'melt' as 'garble'), /unknown damage 'melt'/);
  });

  it('counts the requests of each operation by status, in process and over HTTP, from the last reset', async () => {
    const id = PRIMARY[1] as string;
    h.emulator.faults.reset();
    h.emulator.faults.throttleNext('GetImageSet', 2);
    for (let i = 0; i < 2; i++) assert.ok((await rejection(getImageSet(id))) instanceof ThrottlingException);
    await getImageSet(id);
    await rejection(getImageSet('f'.repeat(32)));
    assert.deepEqual(h.emulator.faults.requestCounts(), { GetImageSet: { total: 4, byStatus: { 200: 1, 404: 1, 429: 2 } } });
    const state = await (await fetch(`${h.url}/_emulator/faults`)).json() as { requests: unknown };
    assert.deepEqual(state.requests, { GetImageSet: { total: 4, byStatus: { 200: 1, 404: 1, 429: 2 } } });
    const health = await (await fetch(`${h.url}/_emulator/health`)).json() as { faults: { requests: unknown } };
    assert.deepEqual(health.faults.requests, state.requests, 'the emulator\'s own paths are not counted');
    h.emulator.faults.reset();
    assert.deepEqual(h.emulator.faults.requestCounts(), {});
  });
});
