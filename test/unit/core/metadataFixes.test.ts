import assert from 'node:assert/strict';
import { metadataFixes } from '../../../src/core/metadataFixes';
import { correctValue, uidFromUuid } from '../../../src/core/valueRepresentation';
import { applyEdits, offsetOf, sampleText, type Json } from './editorSupport';

const S = '1.2.826.0.1.3680043.8.498.1.1';
const options = { newUid: () => '2.25.12345' };

function fix(text: string, needle: string, title: RegExp, nth = 1): Json {
  const fixes = metadataFixes(text, offsetOf(text, needle, 2, nth), options);
  const f = fixes.find((x) => title.test(x.title));
  assert.ok(f, `no fix ${title} among ${fixes.map((x) => x.title).join(', ')}`);
  return JSON.parse(applyEdits(text, f.edits)) as Json; // never invalid JSON
}

describe('quick fixes', () => {
  for (const layout of ['expanded', 'compact'] as const) {
    it(`moves an attribute added at the wrong level to its level (${layout})`, () => {
      const text = sampleText(layout, (d) => { d.Study.DICOM.PatientAge = '045Y'; d.Study.DICOM.PatientWeight = '70'; d.Patient.DICOM.AdmittingDiagnosesDescription = 'x'; });
      // PatientAge is a Study-level element already: no fix
      assert.ok(!metadataFixes(text, offsetOf(text, '"PatientAge"'), options).some((f) => /Move/.test(f.title)));
      const moved = fix(text, '"AdmittingDiagnosesDescription"', /^Move to Study level$/);
      assert.equal(moved.Study.DICOM.AdmittingDiagnosesDescription, 'x');
      assert.equal(moved.Patient.DICOM.AdmittingDiagnosesDescription, undefined);
      const withRows = sampleText(layout, (d) => { d.Study.DICOM.ContentLabel = 'L'; });
      const toInstances = fix(withRows, '"ContentLabel"', /^Move to Instance level \(each of the 3 instances\)$/);
      for (const series of Object.values(toInstances.Study.Series) as Json[]) {
        for (const inst of Object.values(series.Instances) as Json[]) assert.equal(inst.DICOM.ContentLabel, 'L');
      }
      assert.equal(toInstances.Study.DICOM.ContentLabel, undefined);
      const rows = sampleText(layout, (d) => { d.Study.DICOM.Rows = 7; });
      assert.ok(!metadataFixes(rows, offsetOf(rows, '"Rows"'), options).some((f) => /Move/.test(f.title)), 'not when an instance has it already');
      const modality = sampleText(layout, (d) => { const i = Object.values(d.Study.Series[S].Instances)[1] as Json; i.DICOM.BodyPartExamined = 'CHEST'; });
      const toSeries = fix(modality, '"BodyPartExamined"', /^Move to Series level$/);
      assert.equal(toSeries.Study.Series[S].DICOM.BodyPartExamined, 'CHEST');
      const onlyMember = sampleText(layout, (d) => { d.Study.Series[S].DICOM = { PatientName: 'Y' }; d.Patient.DICOM = {}; });
      const emptied = fix(onlyMember, '"PatientName"', /^Move to Patient level$/, 1);
      assert.deepEqual(emptied.Study.Series[S].DICOM, {});
      assert.deepEqual(emptied.Patient.DICOM, { PatientName: 'Y' });
    });
  }

  it('no move when the target already has the attribute', () => {
    const text = sampleText('expanded', (d) => { d.Study.DICOM.PatientName = 'OTHER'; });
    assert.ok(!metadataFixes(text, offsetOf(text, '"PatientName"', 2, 2), options).some((f) => /Move/.test(f.title)));
  });

  it('uses the keyword of a standard element written by its tag', () => {
    const text = sampleText('expanded', (d) => { d.Study.DICOM['00081030'] = 'CT'; delete d.Study.DICOM.StudyDescription; });
    assert.equal(fix(text, '"00081030"', /^Use keyword StudyDescription$/).Study.DICOM.StudyDescription, 'CT');
    const both = sampleText('expanded', (d) => { d.Study.DICOM['00081030'] = 'CT'; });
    assert.ok(!metadataFixes(both, offsetOf(both, '"00081030"'), options).some((f) => /Use keyword/.test(f.title)), 'not when the keyword is there too');
  });

  it('corrects DA, TM, DT, AS and UI values where the correction is unambiguous', () => {
    const text = sampleText('expanded', (d) => {
      d.Study.DICOM.StudyDate = '2024-03-15'; d.Study.DICOM.StudyTime = '10:15:30'; d.Study.DICOM.PatientAge = '45 years';
      d.Study.DICOM.StudyInstanceUID = ' 1.2.3 ';
    });
    assert.equal(fix(text, '"StudyDate"', /^Correct StudyDate to "20240315"$/).Study.DICOM.StudyDate, '20240315');
    assert.equal(fix(text, '"StudyTime"', /^Correct/).Study.DICOM.StudyTime, '101530');
    assert.equal(fix(text, '"PatientAge"', /^Correct/).Study.DICOM.PatientAge, '045Y');
    assert.equal(fix(text, '"StudyInstanceUID"', /^Correct/).Study.DICOM.StudyInstanceUID, '1.2.3');
    assert.equal(correctValue('DT', '2024-03-15T10:15:30+01:00'), '20240315101530+0100');
    assert.equal(correctValue('DT', '2024-03-15T10:15Z'), '202403151015+0000');
    assert.equal(correctValue('UI', 'urn:oid:1.2.840'), '1.2.840');
    assert.equal(correctValue('DA', '15.03.2024'), undefined, 'day and month could be either way');
    assert.equal(correctValue('DA', '2024-13-45'), undefined, 'not a date even corrected');
    assert.equal(correctValue('DA', '20240315'), undefined, 'already fits');
    assert.equal(correctValue('AS', '45'), undefined, 'no unit: ambiguous');
    assert.equal(correctValue('TM', 12), undefined);
  });

  it('generates a new UID for UID attributes, but not for SOP Class or Transfer Syntax UIDs', () => {
    const text = sampleText('expanded');
    assert.equal(fix(text, '"StudyInstanceUID"', /^Generate a new UID$/, 1).Study.DICOM.StudyInstanceUID, "2.25.12345");
    assert.ok(!metadataFixes(text, offsetOf(text, '"SOPClassUID"'), options).some((f) => /Generate/.test(f.title)));
    assert.equal(uidFromUuid('f81d4fae-7dec-11d0-a765-00a0c91e6bf6'), '2.25.329800735698586629295641978511506172918');
    assert.throws(() => uidFromUuid('nope'));
  });

  it('never throws and never produces invalid JSON, wherever it is asked', () => {
    const text = sampleText('compact', (d) => { d.Study.DICOM.StudyDate = '2024-03-15'; d.Study.DICOM.Rows = 1; });
    let offered = 0;
    for (let i = 0; i < text.length; i += 3) {
      for (const f of metadataFixes(text, i, options)) {
        offered++;
        JSON.parse(applyEdits(text, f.edits));
      }
    }
    assert.ok(offered > 10);
    assert.deepEqual(metadataFixes('', 0, options), []);
    assert.deepEqual(metadataFixes('{"Patient": {"DICOM": {"PatientName": }}}', 25, options), []);
  });
});
