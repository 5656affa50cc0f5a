import assert from 'node:assert/strict';
import {
  describeHierarchyConflicts, findHierarchyConflicts, hierarchyLevelsView, primaryImageSetsPhrase, seriesUidsOf, splitStudyLevelUpdates,
  studyInstanceUidOf, studyLevelAttributes,
} from '../../../src/core/hierarchy';
import { applyMetadataUpdate, computeMetadataUpdate } from '../../../src/core/metadataUpdate';

const S1 = '1.2.3.1';
const S2 = '1.2.3.2';
const V = { SchemaVersion: 1.1 };

function doc(): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    SchemaVersion: '1.1', DatastoreID: 'd'.repeat(32), ImageSetID: 'e'.repeat(32),
    Patient: { DICOM: { PatientName: 'DOE^JANE', PatientID: 'P1', PatientSex: 'F' } },
    Study: {
      DICOM: { StudyInstanceUID: '1.2.3', StudyDescription: 'CHEST', AccessionNumber: 'A1', PatientAge: '040Y' },
      Series: {
        [S1]: { DICOM: { SeriesInstanceUID: S1, Modality: 'CT', SeriesDescription: 'AX' }, Instances: { '1.2.3.1.1': { DICOM: { SOPInstanceUID: '1.2.3.1.1' } }, '1.2.3.1.2': { DICOM: {} } } },
        [S2]: { DICOM: { SeriesInstanceUID: S2, Modality: 'CT' }, Instances: { '1.2.3.2.1': { DICOM: {} } } },
      },
    },
  };
}

describe('splitStudyLevelUpdates', () => {
  it('puts Study-level attributes (by the levels table) in their own request and leaves the rest', () => {
    const original = doc();
    const edited = doc();
    edited.Study.DICOM.StudyDescription = 'CHEST CT';
    delete edited.Study.DICOM.AccessionNumber;
    edited.Study.Series[S1].DICOM.SeriesDescription = 'AXIAL';
    edited.Study.Series[S1].Instances['1.2.3.1.2'].DICOM.InstanceNumber = '2';
    const plan = computeMetadataUpdate(original, edited);
    const split = splitStudyLevelUpdates(plan.updates);

    assert.deepEqual(split.study, [{
      updatableAttributes: { ...V, Study: { DICOM: { StudyDescription: 'CHEST CT' } } },
      removableAttributes: { ...V, Study: { DICOM: { AccessionNumber: 'A1' } } },
    }]);
    assert.deepEqual(split.rest, [{
      updatableAttributes: { ...V, Study: { Series: { [S1]: { DICOM: { SeriesDescription: 'AXIAL' }, Instances: { '1.2.3.1.2': { DICOM: { InstanceNumber: '2' } } } } } } },
    }]);
    assert.deepEqual(split.attributes.map((a) => [a.keyword, a.path, a.operation]), [
      ['StudyDescription', '/Study/DICOM/StudyDescription', 'update'],
      ['AccessionNumber', '/Study/DICOM/AccessionNumber', 'remove'],
    ]);
    // Applied in order (study part, then the rest), the requests give the edited document.
    let result: unknown = original;
    for (const u of [...split.study, ...split.rest]) result = applyMetadataUpdate(result, u);
    assert.deepEqual(result, edited);
  });

  it('keeps a Patient-level change and a non-Study keyword found in Study.DICOM in the rest', () => {
    const updates = [{ updatableAttributes: { ...V, Patient: { DICOM: { PatientName: 'X' } }, Study: { DICOM: { StudyDescription: 'D', Modality: 'MR', __proto__x: 1 } } } }];
    const split = splitStudyLevelUpdates(updates);
    assert.deepEqual(split.study, [{ updatableAttributes: { ...V, Study: { DICOM: { StudyDescription: 'D' } } } }]);
    assert.deepEqual(split.rest, [{ updatableAttributes: { ...V, Patient: { DICOM: { PatientName: 'X' } }, Study: { DICOM: { Modality: 'MR', __proto__x: 1 } } } }]);
  });

  it('treats "__proto__" as data and never mutates its input', () => {
    const dicom = JSON.parse('{"StudyDescription":"D","__proto__":"x"}') as object;
    const updates = [{ updatableAttributes: { ...V, Study: { DICOM: dicom } } }];
    const before = JSON.stringify(updates);
    const split = splitStudyLevelUpdates(updates);
    assert.equal(JSON.stringify(updates), before);
    assert.equal(JSON.stringify(split.rest), '[{"updatableAttributes":{"SchemaVersion":1.1,"Study":{"DICOM":{"__proto__":"x"}}}}]');
    assert.equal(JSON.stringify(split.study), '[{"updatableAttributes":{"SchemaVersion":1.1,"Study":{"DICOM":{"StudyDescription":"D"}}}}]');
  });

  it('no Study-level change: everything is the rest, nothing for the study', () => {
    const updates = [{ updatableAttributes: { ...V, Study: { Series: { [S1]: { DICOM: { SeriesDescription: 'X' } } } } } }];
    assert.deepEqual(splitStudyLevelUpdates(updates), { study: [], rest: updates, attributes: [] });
    assert.deepEqual(splitStudyLevelUpdates([]), { study: [], rest: [], attributes: [] });
  });

  it('merges the Study-level parts of a split plan into one request when it fits, else keeps one per request', () => {
    const updates = [
      { updatableAttributes: { ...V, Study: { DICOM: { StudyDescription: 'A' }, Series: { [S1]: { DICOM: { SeriesDescription: 'X' } } } } } },
      { updatableAttributes: { ...V, Study: { DICOM: { AccessionNumber: 'B' } } }, removableAttributes: { ...V, Study: { DICOM: { StudyID: 'S' } } } },
    ];
    const merged = splitStudyLevelUpdates(updates, 10_000);
    assert.deepEqual(merged.study, [{
      updatableAttributes: { ...V, Study: { DICOM: { StudyDescription: 'A', AccessionNumber: 'B' } } },
      removableAttributes: { ...V, Study: { DICOM: { StudyID: 'S' } } },
    }]);
    assert.equal(merged.rest.length, 1);
    const tight = splitStudyLevelUpdates(updates, 60);
    assert.equal(tight.study.length, 2, 'too large together: one Study-level request per original request');
  });

  it('studyLevelAttributes lists each changed Study-level attribute once', () => {
    const updates = [{ updatableAttributes: { ...V, Study: { DICOM: { StudyDescription: 'A', PatientAge: '041Y' } } } }];
    assert.deepEqual(studyLevelAttributes(updates).map((a) => a.keyword), ['StudyDescription', 'PatientAge']);
    assert.deepEqual(studyLevelAttributes([{ updatableAttributes: { ...V, Patient: { DICOM: { PatientName: 'X' } } } }]), []);
  });
});

describe('findHierarchyConflicts', () => {
  it('names each differing Patient, Study and shared-Series attribute with the primary image sets that differ', () => {
    const candidate = doc();
    candidate.Patient.DICOM.PatientName = 'DOE^JANE^X';
    delete candidate.Patient.DICOM.PatientSex;
    candidate.Study.DICOM.StudyDescription = 'OTHER';
    candidate.Study.Series[S1].DICOM.SeriesDescription = 'CHANGED';
    candidate.Study.Series[S1].Instances['1.2.3.1.1'].DICOM.InstanceNumber = '9'; // instance level: not compared
    const primaryA = doc();
    const primaryB = doc();
    delete primaryB.Study.Series[S1]; // holds only S2: no Series comparison for S1
    primaryB.Study.Series['9.9'] = { DICOM: { SeriesDescription: 'OTHER SERIES' }, Instances: {} };

    const conflicts = findHierarchyConflicts(candidate, [{ imageSetId: 'a', document: primaryA }, { imageSetId: 'b', document: primaryB }]);

    assert.deepEqual(conflicts.map((c) => [c.level, c.attribute, c.path, c.imageSetIds.join(',')]), [
      ['patient', 'PatientName', '/Patient/DICOM/PatientName', 'a,b'],
      ['patient', 'PatientSex', '/Patient/DICOM/PatientSex', 'a,b'],
      ['study', 'StudyDescription', '/Study/DICOM/StudyDescription', 'a,b'],
      ['series', 'SeriesDescription', `/Study/Series/${S1}/DICOM/SeriesDescription`, 'a'],
    ]);
    assert.equal(conflicts[3].seriesInstanceUID, S1);
    assert.equal(describeHierarchyConflicts(conflicts),
      `Patient level: PatientName, PatientSex; Study level: StudyDescription; Series ${S1} level: SeriesDescription`);
  });

  it('finds nothing when the levels agree (key order aside) or when there is no primary image set', () => {
    const candidate = doc();
    const reordered = doc();
    reordered.Patient.DICOM = { PatientSex: 'F', PatientID: 'P1', PatientName: 'DOE^JANE' };
    assert.deepEqual(findHierarchyConflicts(candidate, [{ imageSetId: 'a', document: reordered }]), []);
    assert.deepEqual(findHierarchyConflicts(candidate, []), []);
    assert.equal(describeHierarchyConflicts([]), '');
  });

  it('compares values structurally (sequences, null) and keeps "__proto__" keys as data', () => {
    const candidate = doc();
    const primary = doc();
    candidate.Patient.DICOM.OtherPatientIDsSequence = [{ PatientID: 'ALT' }];
    primary.Patient.DICOM.OtherPatientIDsSequence = [{ PatientID: 'ALT2' }];
    candidate.Study.DICOM.ReferringPhysicianName = null;
    primary.Study.DICOM.ReferringPhysicianName = null;
    Object.defineProperty(candidate.Patient.DICOM, '__proto__', { value: 'x', enumerable: true });
    const conflicts = findHierarchyConflicts(candidate, [{ imageSetId: 'p', document: primary }]);
    assert.deepEqual(conflicts.map((c) => c.attribute), ['OtherPatientIDsSequence', '__proto__']);
  });
});

describe('hierarchyLevelsView', () => {
  it('keeps Patient, Study and Series levels (sorted), replaces instances with their count', () => {
    const d = doc();
    d.Patient.DICOM = { PatientSex: 'F', PatientName: 'DOE^JANE' };
    const view = hierarchyLevelsView(d);
    assert.deepEqual(Object.keys(view), ['Patient', 'Study']);
    assert.deepEqual(Object.keys((view.Patient as { DICOM: object }).DICOM), ['PatientName', 'PatientSex']);
    assert.deepEqual(view.Study, {
      DICOM: { AccessionNumber: 'A1', PatientAge: '040Y', StudyDescription: 'CHEST', StudyInstanceUID: '1.2.3' },
      Series: {
        [S1]: { DICOM: { Modality: 'CT', SeriesDescription: 'AX', SeriesInstanceUID: S1 }, InstanceCount: 2 },
        [S2]: { DICOM: { Modality: 'CT', SeriesInstanceUID: S2 }, InstanceCount: 1 },
      },
    });
    assert.deepEqual(Object.keys((hierarchyLevelsView(d, new Set([S2])).Study as { Series: object }).Series), [S2]);
  });

  it('copes with documents that lack levels', () => {
    assert.deepEqual(hierarchyLevelsView({}), { Patient: { DICOM: {} }, Study: { DICOM: {}, Series: {} } });
    assert.deepEqual(hierarchyLevelsView(null), { Patient: { DICOM: {} }, Study: { DICOM: {}, Series: {} } });
  });

  it('says how many primary image sets a study-wide change reaches', () => {
    assert.equal(primaryImageSetsPhrase(2), 'both primary image sets');
    assert.equal(primaryImageSetsPhrase(4), 'all 4 primary image sets');
  });

  it('studyInstanceUidOf and seriesUidsOf read the document', () => {
    assert.equal(studyInstanceUidOf(doc()), '1.2.3');
    assert.equal(studyInstanceUidOf({ Study: { DICOM: { StudyInstanceUID: '' } } }), undefined);
    assert.deepEqual(seriesUidsOf(doc()), [S1, S2]);
  });
});
