// Conformance: SearchImageSets over the seeded data store through the real SDK: filters, sort,
// paging to the end, the DICOMTags summary, and the validation of the criteria.
import * as assert from 'node:assert/strict';
import {
  GetImageSetMetadataCommand, ResourceNotFoundException, SearchImageSetsCommand, ValidationException, paginateSearchImageSets,
  type ImageSetsMetadataSummary, type SearchCriteria,
} from '@aws-sdk/client-medical-imaging';
import { SEED_DATASTORE_ID, seedImageSetId } from '../src/server';
import { readMetadata, rejection, startHarness, stopHarness, type Doc, type Harness } from './helpers';

const datastoreId = SEED_DATASTORE_ID;

describe('emulator: SearchImageSets (seeded)', function () {
  this.timeout(60000);
  let h: Harness;
  let all: ImageSetsMetadataSummary[];
  before(async () => {
    h = await startHarness({ seed: true });
    all = await searchAll({});
  });
  after(async () => { await stopHarness(h); });

  async function searchAll(searchCriteria: SearchCriteria, pageSize = 50): Promise<ImageSetsMetadataSummary[]> {
    const out: ImageSetsMetadataSummary[] = [];
    for await (const p of paginateSearchImageSets({ client: h.client, pageSize }, { datastoreId, searchCriteria })) {
      assert.ok((p.imageSetsMetadataSummaries ?? []).length <= pageSize);
      out.push(...(p.imageSetsMetadataSummaries ?? []));
    }
    return out;
  }
  const ms = (d: Date | undefined): number => (d as Date).getTime();

  it('pages through every image set (more than two pages), newest update first, each once', async () => {
    assert.ok(all.length >= 120, `image sets: ${all.length}`);
    assert.equal(new Set(all.map((s) => s.imageSetId)).size, all.length);
    const first = await h.client.send(new SearchImageSetsCommand({ datastoreId }));
    assert.equal(first.imageSetsMetadataSummaries?.length, 50);
    assert.ok(first.nextToken);
    for (let i = 1; i < all.length; i++) assert.ok(ms(all[i - 1]?.updatedAt) >= ms(all[i]?.updatedAt), 'updatedAt descending');
    for (const s of all) {
      assert.equal(s.version, 1);
      assert.equal(typeof s.isPrimary, 'boolean');
    }
  });

  it('summarizes DICOM tags from the metadata', async () => {
    const id = seedImageSetId(0);
    const s = all.find((x) => x.imageSetId === id) as ImageSetsMetadataSummary;
    const doc = await readMetadata((await h.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId: id }))).imageSetMetadataBlob as never);
    const series = Object.values(doc.Study.Series as Record<string, Doc>)[0] as Doc;
    assert.equal(s.DICOMTags?.DICOMPatientId, doc.Patient.DICOM.PatientID);
    assert.equal(s.DICOMTags?.DICOMPatientName, doc.Patient.DICOM.PatientName);
    assert.equal(s.DICOMTags?.DICOMPatientSex, doc.Patient.DICOM.PatientSex);
    assert.equal(s.DICOMTags?.DICOMStudyInstanceUID, doc.Study.DICOM.StudyInstanceUID);
    assert.equal(s.DICOMTags?.DICOMStudyDescription, doc.Study.DICOM.StudyDescription);
    assert.equal(s.DICOMTags?.DICOMAccessionNumber, doc.Study.DICOM.AccessionNumber);
    assert.equal(s.DICOMTags?.DICOMStudyDate, doc.Study.DICOM.StudyDate);
    assert.equal(s.DICOMTags?.DICOMSeriesInstanceUID, series.DICOM.SeriesInstanceUID);
    assert.equal(s.DICOMTags?.DICOMSeriesModality, series.DICOM.Modality);
    assert.equal(s.DICOMTags?.DICOMNumberOfStudyRelatedInstances, Object.keys(series.Instances).length);
  });

  it('EQUAL on DICOMPatientId finds exactly the image sets of that patient', async () => {
    const patient = all[0]?.DICOMTags?.DICOMPatientId as string;
    const hits = await searchAll({ filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: patient }] }] });
    const expected = all.filter((s) => s.DICOMTags?.DICOMPatientId === patient).map((s) => s.imageSetId).sort();
    assert.ok(expected.length > 0);
    assert.deepEqual(hits.map((s) => s.imageSetId).sort(), expected);
  });

  it('EQUAL on DICOMSeriesInstanceUID matches any series of a multi-series image set', async () => {
    const multi = seedImageSetId(84);
    const doc = await readMetadata((await h.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId: multi }))).imageSetMetadataBlob as never);
    const uids = Object.keys(doc.Study.Series);
    assert.ok(uids.length >= 2, 'the seed has a multi-series image set');
    const hits = await searchAll({ filters: [{ operator: 'EQUAL', values: [{ DICOMSeriesInstanceUID: uids[1] as string }] }] });
    assert.ok(hits.some((s) => s.imageSetId === multi));
    for (const hit of hits) {
      const d = await readMetadata((await h.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId: hit.imageSetId }))).imageSetMetadataBlob as never);
      assert.ok(uids[1] as string in d.Study.Series, `${hit.imageSetId} holds the series`);
    }
    assert.ok(hits.length < all.length);
  });

  it('BETWEEN on DICOMStudyDateAndTime, sorted by it ascending', async () => {
    const criteria: SearchCriteria = {
      filters: [{ operator: 'BETWEEN', values: [{ DICOMStudyDateAndTime: { DICOMStudyDate: '20210101' } }, { DICOMStudyDateAndTime: { DICOMStudyDate: '20231231', DICOMStudyTime: '235959' } }] }],
      sort: { sortField: 'DICOMStudyDateAndTime', sortOrder: 'ASC' },
    };
    const hits = await searchAll(criteria, 7);
    const key = (s: ImageSetsMetadataSummary): string => `${s.DICOMTags?.DICOMStudyDate}${s.DICOMTags?.DICOMStudyTime ?? ''}`;
    const expected = all.filter((s) => (s.DICOMTags?.DICOMStudyDate ?? '') >= '20210101' && (s.DICOMTags?.DICOMStudyDate ?? '') <= '20231231');
    assert.ok(hits.length > 0 && hits.length < all.length);
    assert.deepEqual(hits.map((s) => s.imageSetId).sort(), expected.map((s) => s.imageSetId).sort());
    for (let i = 1; i < hits.length; i++) assert.ok(key(hits[i - 1] as ImageSetsMetadataSummary) <= key(hits[i] as ImageSetsMetadataSummary), 'ascending study date');
    const r = await h.client.send(new SearchImageSetsCommand({ datastoreId, searchCriteria: criteria, maxResults: 1 }));
    assert.deepEqual(r.sort, { sortField: 'DICOMStudyDateAndTime', sortOrder: 'ASC' });
  });

  it('two filters combine (isPrimary EQUAL false AND createdAt BETWEEN), sorted by createdAt', async () => {
    const created = all.map((s) => ms(s.createdAt)).sort((a, b) => a - b);
    const lo = new Date(created[10] as number);
    const hi = new Date(created[created.length - 10] as number);
    const hits = await searchAll({
      filters: [{ operator: 'EQUAL', values: [{ isPrimary: false }] }, { operator: 'BETWEEN', values: [{ createdAt: lo }, { createdAt: hi }] }],
      sort: { sortField: 'createdAt', sortOrder: 'ASC' },
    });
    const expected = all.filter((s) => s.isPrimary === false && ms(s.createdAt) >= lo.getTime() && ms(s.createdAt) <= hi.getTime());
    assert.ok(expected.length > 0);
    assert.deepEqual(hits.map((s) => s.imageSetId).sort(), expected.map((s) => s.imageSetId).sort());
    for (let i = 1; i < hits.length; i++) assert.ok(ms(hits[i - 1]?.createdAt) <= ms(hits[i]?.createdAt));
  });

  it('rejects malformed criteria with ValidationException naming the problem', async () => {
    const bad: Array<[SearchCriteria, RegExp]> = [
      [{ filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: 'a' }, { DICOMPatientId: 'b' }] }] }, /EQUAL takes exactly one value/],
      [{ filters: [{ operator: 'BETWEEN', values: [{ createdAt: new Date(0) }] }] }, /BETWEEN takes exactly two values/],
      [{ filters: [{ operator: 'BETWEEN', values: [{ DICOMPatientId: 'a' }, { DICOMPatientId: 'b' }] }] }, /BETWEEN applies to/],
      [{ filters: [{ operator: 'BETWEEN', values: [{ createdAt: new Date(0) }, { updatedAt: new Date(1) }] }] }, /same attribute/],
      [{ filters: [{ operator: 'EQUAL', values: [{ DICOMStudyDateAndTime: { DICOMStudyDate: '2021-01-01' } }] }] }, /DICOMStudyDate/],
      [{ filters: [{ operator: 'EQUAL', values: [{ DICOMStudyInstanceUID: 'abc' }] }] }, /DICOMStudyInstanceUID/],
      [{ filters: [{ operator: 'LIKE' as never, values: [{ DICOMPatientId: 'a' }] }] }, /operator/],
      [{ filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: 'a' }] }, { operator: 'EQUAL', values: [{ DICOMStudyId: 'a' }] }, { operator: 'EQUAL', values: [{ DICOMAccessionNumber: 'a' }] }] }, /filters/],
      [{ sort: { sortField: 'patientName' as never, sortOrder: 'ASC' } }, /sortField/],
    ];
    for (const [criteria, message] of bad) {
      const e = await rejection(h.client.send(new SearchImageSetsCommand({ datastoreId, searchCriteria: criteria })));
      assert.ok(e instanceof ValidationException, `${JSON.stringify(criteria)}: ${e.name}`);
      assert.match(e.message, message);
    }
    const union = await fetch(`${h.url}/datastore/${datastoreId}/searchImageSets`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: 'a', DICOMStudyId: 'b' }] }] }),
    });
    assert.equal(union.status, 400);
    assert.match(((await union.json()) as { message: string }).message, /exactly one of/);
  });

  it('a nextToken only continues the search it came from', async () => {
    const first = await h.client.send(new SearchImageSetsCommand({ datastoreId, maxResults: 10 }));
    const e = await rejection(h.client.send(new SearchImageSetsCommand({
      datastoreId, nextToken: first.nextToken, maxResults: 10, searchCriteria: { filters: [{ operator: 'EQUAL', values: [{ isPrimary: true }] }] },
    })));
    assert.ok(e instanceof ValidationException);
    assert.match(e.message, /nextToken/);
  });

  it('ResourceNotFoundException for an unknown data store', async () => {
    const e = await rejection(h.client.send(new SearchImageSetsCommand({ datastoreId: '1'.repeat(32) })));
    assert.ok(e instanceof ResourceNotFoundException);
  });
});
