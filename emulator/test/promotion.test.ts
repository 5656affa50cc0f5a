// CopyImageSet with promoteToPrimary (seeded): a promotion happens only when the copy succeeds, and a
// source that still disagrees with the primary image sets of its study is refused, naming the
// attributes. Also keys such as "__proto__" in copiableAttributes.
import * as assert from 'node:assert/strict';
import {
  ConflictException, CopyImageSetCommand, GetImageSetCommand, GetImageSetMetadataCommand, SearchImageSetsCommand,
  UpdateImageSetMetadataCommand, ValidationException, type GetImageSetCommandOutput,
} from '@aws-sdk/client-medical-imaging';
import { SEED_DATASTORE_ID, seedImageSetId } from '../src/server';
import { encodeJson, hold, readMetadata, rejection, release, startHarness, stopHarness, until, type Doc, type Harness } from './helpers';

const datastoreId = SEED_DATASTORE_ID;
// Seeded non-primary duplicates (patient name and id changed) and the primary image set holding the same series.
const DUPLICATE_OF = new Map([[7, 6], [14, 13], [21, 20], [28, 27]].map(([np, p]) => [seedImageSetId(np as number), seedImageSetId(p as number)]));
const [NP_A, NP_B, NP_C, NP_D] = [...DUPLICATE_OF.keys()] as [string, string, string, string];

describe('emulator: promoteToPrimary (seeded)', function () {
  this.timeout(60000);
  let h: Harness;
  before(async () => { h = await startHarness({ seed: true }); });
  after(async () => { await stopHarness(h); });
  afterEach(() => h.emulator.faults.reset());

  const get = (imageSetId: string): Promise<GetImageSetCommandOutput> => h.client.send(new GetImageSetCommand({ datastoreId, imageSetId }));
  const metadata = async (imageSetId: string): Promise<Doc> =>
    readMetadata((await h.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId }))).imageSetMetadataBlob as never);
  const settle = (imageSetId: string) => until(`${imageSetId} to leave LOCKED`, async () => {
    const r = await get(imageSetId);
    return r.imageSetState === 'LOCKED' ? undefined : r;
  });
  const promote = (sourceImageSetId: string, latestVersionId = '1', destinationImageSet?: { imageSetId: string; latestVersionId: string }) =>
    h.client.send(new CopyImageSetCommand({
      datastoreId, sourceImageSetId, promoteToPrimary: true,
      copyImageSetInformation: { sourceImageSet: { latestVersionId }, destinationImageSet },
    }));
  const count = async (): Promise<number> => {
    let n = 0;
    let nextToken: string | undefined;
    do {
      const page = await h.client.send(new SearchImageSetsCommand({ datastoreId, nextToken, maxResults: 50, searchCriteria: {} }));
      n += page.imageSetsMetadataSummaries?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken);
    return n;
  };
  /** Gives the duplicate the patient data of its primary counterpart; returns the new version. */
  const reconcile = async (imageSetId: string): Promise<string> => {
    const primary = await metadata(DUPLICATE_OF.get(imageSetId) as string);
    const { PatientName, PatientID } = primary.Patient.DICOM;
    const r = await h.client.send(new UpdateImageSetMetadataCommand({
      datastoreId, imageSetId, latestVersionId: '1',
      updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: encodeJson({ SchemaVersion: 1.1, Patient: { DICOM: { PatientName, PatientID } } }) } },
    }));
    assert.equal((await settle(imageSetId)).imageSetWorkflowStatus, 'UPDATED');
    return r.latestVersionId as string;
  };

  it('refuses to promote a non-primary image set that disagrees at Patient level: 409 naming the attributes, nothing copied', async () => {
    const before = await count();
    const e = await rejection(promote(NP_A));
    assert.ok(e instanceof ConflictException, e.name);
    assert.match(e.message, /Cannot promote image set .* to primary/);
    assert.match(e.message, /at Patient level: PatientName, PatientID/);
    assert.ok(e.message.includes(DUPLICATE_OF.get(NP_A) as string), 'names the primary image set it disagrees with');
    assert.doesNotMatch(e.message, /\^/, 'no metadata values in the message');
    assert.equal(await count(), before, 'no image set was created');
    const source = await get(NP_A);
    assert.deepEqual([source.imageSetState, source.isPrimary, source.versionId], ['ACTIVE', false, '1']);
  });

  it('promotes once the data agrees: a new image set, primary only when the copy has finished; the original stays non-primary', async () => {
    const version = await reconcile(NP_A);
    hold(h);
    const r = await promote(NP_A, version);
    const id = r.destinationImageSetProperties?.imageSetId as string;
    assert.notEqual(id, NP_A);
    assert.equal(r.destinationImageSetProperties?.imageSetWorkflowStatus, 'COPYING');
    const copying = await get(id);
    assert.deepEqual([copying.imageSetState, copying.isPrimary], ['LOCKED', false], 'not primary while the copy runs');
    assert.equal((await get(NP_A)).imageSetWorkflowStatus, 'COPYING_WITH_READ_ONLY_ACCESS');
    release(h);
    const done = await settle(id);
    assert.deepEqual([done.imageSetWorkflowStatus, done.isPrimary, done.versionId], ['COPIED', true, '1']);
    assert.equal((await settle(NP_A)).isPrimary, false);
    const copied = await metadata(id);
    const source = await metadata(NP_A);
    assert.deepEqual(copied.Patient, source.Patient);
    assert.deepEqual(copied.Study, source.Study);
    assert.equal(copied.ImageSetID, id);
    const found = await h.client.send(new SearchImageSetsCommand({
      datastoreId, searchCriteria: { filters: [{ operator: 'EQUAL', values: [{ isPrimary: true }] }, { operator: 'EQUAL', values: [{ DICOMSeriesInstanceUID: Object.keys(source.Study.Series)[0] as string }] }] },
    }));
    assert.ok(found.imageSetsMetadataSummaries?.some((s) => s.imageSetId === id), 'search finds the new primary image set');
  });

  it('a promoting copy that ends COPY_FAILED makes nothing primary (new image set)', async () => {
    const version = await reconcile(NP_B);
    h.emulator.faults.failNextCopies(1, 'INTERNAL_ERROR: injected copy failure');
    const r = await promote(NP_B, version);
    const id = r.destinationImageSetProperties?.imageSetId as string;
    const failed = await settle(id);
    assert.deepEqual([failed.imageSetWorkflowStatus, failed.message, failed.isPrimary], ['COPY_FAILED', 'INTERNAL_ERROR: injected copy failure', false]);
    assert.equal((await settle(NP_B)).isPrimary, false);
  });

  it('a promoting copy into a destination that ends COPY_FAILED leaves the destination non-primary', async () => {
    // The source is primary with the correct patient; the destination a non-primary duplicate: Patient differs, no force.
    const source = DUPLICATE_OF.get(NP_C) as string;
    const r = await promote(source, '1', { imageSetId: NP_C, latestVersionId: '1' });
    assert.equal(r.destinationImageSetProperties?.imageSetId, NP_C);
    const failed = await settle(NP_C);
    assert.equal(failed.imageSetWorkflowStatus, 'COPY_FAILED');
    assert.match(failed.message ?? '', /Patient of SourceImageSet and DestinationImageSet don't match/);
    assert.equal(failed.isPrimary, false);
  });

  it('names Series-level attributes of a series both hold', async () => {
    const version = await reconcile(NP_D);
    const doc = await metadata(NP_D);
    const seriesUid = Object.keys(doc.Study.Series)[0] as string;
    await h.client.send(new UpdateImageSetMetadataCommand({
      datastoreId, imageSetId: NP_D, latestVersionId: version,
      updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: encodeJson({ SchemaVersion: 1.1, Study: { Series: { [seriesUid]: { DICOM: { SeriesDescription: 'RENAMED' } } } } }) } },
    }));
    const latest = await settle(NP_D);
    const e = await rejection(promote(NP_D, latest.versionId as string));
    assert.ok(e instanceof ConflictException);
    assert.ok(e.message.includes(`Series ${seriesUid} level: SeriesDescription`), e.message);
    assert.doesNotMatch(e.message, /Patient level/);
  });

  it('copiableAttributes naming a series "__proto__", "constructor" or "toString" is a ValidationException, nothing copied', async () => {
    const before = await count();
    for (const key of ['__proto__', 'constructor', 'toString']) {
      const copiableAttributes = `{"SchemaVersion":"1.1","Study":{"Series":{${JSON.stringify(key)}:{}}}}`;
      const e = await rejection(h.client.send(new CopyImageSetCommand({
        datastoreId, sourceImageSetId: seedImageSetId(0),
        copyImageSetInformation: { sourceImageSet: { latestVersionId: '1', DICOMCopies: { copiableAttributes } } },
      })));
      assert.ok(e instanceof ValidationException, `${key}: ${e.name}`);
      assert.ok(e.message.includes(`series ${key} is not in the source image set`), e.message);
    }
    assert.equal(await count(), before);
  });

  it('failNextCopies is also a fault over HTTP', async () => {
    const r = await fetch(`${h.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ failNextCopies: { count: 2, message: 'x' } }) });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { failNextCopies: number }).failNextCopies, 2);
    const bad = await fetch(`${h.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ failNextCopies: 'many' }) });
    assert.equal(bad.status, 400);
  });
});
