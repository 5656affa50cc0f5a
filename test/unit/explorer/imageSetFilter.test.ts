import { strict as assert } from 'node:assert';
import { FILTER_KINDS, FilterInputError, parseFilter, validateFilterInput } from '../../../src/explorer/imageSetFilter';

describe('explorer filter input', () => {
  it('builds EQUAL filters for the identifier kinds', () => {
    assert.deepEqual(parseFilter('patientId', '  MRN0001 ').criteria, { filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: 'MRN0001' }] }] });
    assert.deepEqual(parseFilter('accessionNumber', 'A1').criteria.filters?.[0].values, [{ DICOMAccessionNumber: 'A1' }]);
    assert.deepEqual(parseFilter('studyId', 'S1').criteria.filters?.[0].values, [{ DICOMStudyId: 'S1' }]);
    assert.deepEqual(parseFilter('studyInstanceUid', '1.2.3').criteria.filters?.[0].values, [{ DICOMStudyInstanceUID: '1.2.3' }]);
    assert.deepEqual(parseFilter('seriesInstanceUid', '1.2.3.4').criteria.filters?.[0].values, [{ DICOMSeriesInstanceUID: '1.2.3.4' }]);
    assert.equal(parseFilter('patientId', 'MRN0001').description, 'Patient ID = MRN0001');
  });

  it('builds a BETWEEN study-date filter from a range or one day, in either date style', () => {
    const range = parseFilter('studyDate', '2024-01-01..20240331');
    assert.deepEqual(range.criteria.filters?.[0], {
      operator: 'BETWEEN',
      values: [
        { DICOMStudyDateAndTime: { DICOMStudyDate: '20240101', DICOMStudyTime: '000000' } },
        { DICOMStudyDateAndTime: { DICOMStudyDate: '20240331', DICOMStudyTime: '235959' } },
      ],
    });
    assert.equal(range.description, 'Study Date Range in 20240101..20240331');
    const day = parseFilter('studyDate', '2024-02-29');
    assert.equal(day.description, 'Study Date Range in 20240229');
  });

  it('builds an updatedAt range covering whole days in UTC, or exact ISO times', () => {
    const f = parseFilter('updatedAt', '2024-01-01 to 2024-01-31').criteria.filters?.[0];
    assert.equal(f?.operator, 'BETWEEN');
    const [from, to] = (f?.values ?? []) as { updatedAt: Date }[];
    assert.equal(from.updatedAt.toISOString(), '2024-01-01T00:00:00.000Z');
    assert.equal(to.updatedAt.toISOString(), '2024-01-31T23:59:59.999Z');
    const exact = parseFilter('updatedAt', '2024-01-01T10:00:00Z..2024-01-01T11:30:00+01:00').criteria.filters?.[0].values as { updatedAt: Date }[];
    assert.equal(exact[1].updatedAt.toISOString(), '2024-01-01T10:30:00.000Z');
  });

  it('names the field and the bad value in every rejection', () => {
    const cases: [Parameters<typeof parseFilter>[0], string, RegExp][] = [
      ['patientId', '   ', /^Patient ID: enter a value/],
      ['studyInstanceUid', '1.2.a', /^Study Instance UID: "1\.2\.a" may contain only digits and dots/],
      ['studyDate', '2024-13-01', /^Study Date Range: "2024-13-01" is not a valid calendar date/],
      ['studyDate', '2024-02-30', /not a valid calendar date/],
      ['studyDate', 'yesterday', /^Study Date Range: "yesterday" is not a date; use YYYY-MM-DD or YYYYMMDD/],
      ['studyDate', '2024-03-01..2024-01-01', /the start 20240301 is after the end 20240101/],
      ['studyDate', '2024-01-01..2024-01-02..2024-01-03', /is not a range; write FROM\.\.TO/],
      ['updatedAt', 'soon', /^Updated Range: "soon" is not a date or an ISO 8601 time/],
      ['accessionNumber', 'x'.repeat(513), /at most 512 characters \(got 513\)/],
    ];
    for (const [kind, value, expected] of cases) {
      assert.throws(() => parseFilter(kind, value), (e: unknown) => e instanceof FilterInputError && expected.test(e.message), `${kind} ${value}`);
      assert.match(validateFilterInput(kind, value) ?? '', expected);
    }
    assert.equal(validateFilterInput('patientId', 'ok'), undefined);
  });

  it('offers the service\'s filters: patient id, accession, study id, study/series UID, study date and updated ranges', () => {
    assert.deepEqual(FILTER_KINDS.map((k) => k.kind), ['patientId', 'accessionNumber', 'studyId', 'studyInstanceUid', 'seriesInstanceUid', 'studyDate', 'updatedAt']);
  });
});
