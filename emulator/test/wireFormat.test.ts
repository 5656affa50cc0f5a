// Pure parts of the wire format: routing (URL-encoded ARNs), content types of frames, paging tokens,
// validation messages and the search summary.
import * as assert from 'node:assert/strict';
import { route } from '../src/server';
import { frameContentType } from '../src/service';
import { summarize, studyDateTime } from '../src/search';
import { ApiError, decodeToken, encodeToken, page, queryMaxResults, requireId } from '../src/wire';
import { MODEL_FRAME_CONTENT_TYPES } from './helpers';

describe('emulator: wire format helpers', () => {
  it('routes every operation by method and path, decoding labels (ARNs arrive URL-encoded)', () => {
    const arn = 'arn:aws:medical-imaging:us-east-1:123456789012:datastore/' + 'a'.repeat(32);
    assert.deepEqual(route('GET', `/tags/${encodeURIComponent(arn)}`), { op: 'ListTagsForResource', params: { resourceArn: arn } });
    assert.deepEqual(route('DELETE', `/tags/${encodeURIComponent(arn)}`)?.op, 'UntagResource');
    assert.deepEqual(route('POST', '/datastore/d/imageSet/s/copyImageSet'), { op: 'CopyImageSet', params: { datastoreId: 'd', sourceImageSetId: 's' } });
    assert.equal(route('GET', '/datastore')?.op, 'ListDatastores');
    assert.equal(route('POST', '/datastore')?.op, 'CreateDatastore');
    assert.equal(route('GET', '/getDICOMImportJob/datastore/d/job/j')?.op, 'GetDICOMImportJob');
    assert.equal(route('GET', '/datastore/d/imageSet/s/getImageSet'), undefined, 'wrong method');
    assert.equal(route('POST', '/datastore/d/imageSet/s/nope'), undefined);
    assert.equal(route('GET', '/tags/%E0%A4%A'), undefined, 'malformed escapes do not match');
  });

  it('maps every stored transfer syntax of the service model\'s table to its content type, and others to the default', () => {
    for (const [ts, type] of MODEL_FRAME_CONTENT_TYPES) assert.equal(frameContentType(ts), type, `stored transfer syntax ${ts ?? '(missing)'}`);
    assert.equal(MODEL_FRAME_CONTENT_TYPES.size, 25);
    // Not in the table: the model's default.
    for (const ts of ['1.2.840.10008.1.2', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.80',
      '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.5', '1.2.840.10008.1.2.4.109', '1.2.840.10008.1.2.4.110']) {
      assert.equal(frameContentType(ts), 'application/octet-stream', ts);
    }
  });

  it('paging tokens continue only the query they came from', () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    const p1 = page(items, undefined, 3, { q: 1 });
    assert.deepEqual(p1.items, [0, 1, 2]);
    const p2 = page(items, p1.nextToken, 3, { q: 1 });
    assert.deepEqual(p2.items, [3, 4, 5]);
    const p3 = page(items, p2.nextToken, 3, { q: 1 });
    assert.deepEqual(p3, { items: [6] });
    assert.equal(decodeToken(encodeToken(4, { q: 1 }), { q: 1 }), 4);
    assert.throws(() => decodeToken(p1.nextToken, { q: 2 }), (e: ApiError) => e.type === 'ValidationException' && /nextToken/.test(e.message));
    assert.throws(() => decodeToken('%%%', { q: 1 }), ApiError);
  });

  it('validation messages name the field and the constraint', () => {
    assert.throws(() => requireId('ABC', 'imageSetId'), (e: ApiError) => e.status === 400 && e.message === "1 validation error detected: Value 'ABC' at 'imageSetId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-z]{32}");
    assert.throws(() => requireId(undefined, 'datastoreId'), /Value null at 'datastoreId' failed to satisfy constraint: Member must not be null/);
    assert.equal(queryMaxResults(null), 50);
    assert.throws(() => queryMaxResults('0'), /maxResults/);
  });

  it('summarizes a document for search: first series, counts, trimmed padding, sortable study date and time', () => {
    const s = summarize({
      Patient: { DICOM: { PatientID: 'P1', PatientName: 'DOE^JANE' } },
      Study: {
        DICOM: { StudyInstanceUID: '1.2', StudyDate: '20240101', StudyTime: '1015', AccessionNumber: null },
        Series: {
          '1.2.3': { DICOM: { SeriesInstanceUID: '1.2.3', Modality: 'CT', SeriesNumber: '4 ' }, Instances: { a: {}, b: {} } },
          '1.2.4': { DICOM: { SeriesInstanceUID: '1.2.4', Modality: 'SR' }, Instances: { c: {} } },
        },
      },
    });
    assert.deepEqual(s.tags, {
      DICOMPatientId: 'P1', DICOMPatientName: 'DOE^JANE', DICOMStudyInstanceUID: '1.2', DICOMNumberOfStudyRelatedSeries: 2,
      DICOMNumberOfStudyRelatedInstances: 3, DICOMSeriesInstanceUID: '1.2.3', DICOMSeriesModality: 'CT', DICOMSeriesNumber: 4,
      DICOMStudyDate: '20240101', DICOMStudyTime: '1015',
    });
    assert.deepEqual(s.seriesInstanceUIDs, ['1.2.3', '1.2.4']);
    assert.equal(s.studyDateTime, '20240101101500.000000');
    assert.equal(studyDateTime('20240101', undefined), '20240101000000.000000');
    assert.equal(studyDateTime('2024-01-01', '10'), undefined);
  });
});
