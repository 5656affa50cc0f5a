import * as assert from 'node:assert/strict';
import {
  buildUpdatePreview, describePlan, findOverlaps, listPayloadAttributes, listPlanAttributes, pointersOverlap,
  rebaseUpdates, shortValue,
} from '../../../src/documents/updatePlanView';

const S = '1.2.3.1';
const I = '1.2.3.1.1';
const J = '1.2.3.1.2';

function documentWith(patientName: string, description: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    SchemaVersion: '1.1', DatastoreID: 'd', ImageSetID: 'i',
    Patient: { DICOM: { PatientName: patientName, PatientID: 'MRN1' } },
    Study: {
      DICOM: { StudyInstanceUID: '1.2.3', ...(description === undefined ? {} : { StudyDescription: description }) },
      Series: {
        [S]: {
          DICOM: { SeriesInstanceUID: S, Modality: 'CT' },
          Instances: {
            [I]: { DICOM: { SOPInstanceUID: I, '00091001': 'A', ...extra }, DICOMVRs: { '00091001': 'LO' } },
            [J]: { DICOM: { SOPInstanceUID: J } },
          },
        },
      },
    },
  };
}

describe('documents/updatePlanView', () => {
  it('lists every attribute a payload touches, including whole instances, but not SchemaVersion', () => {
    const attributes = listPayloadAttributes({
      SchemaVersion: 1.1,
      Patient: { DICOM: { PatientName: 'X', 'a/b~c': 1 } },
      Study: { Series: { [S]: { Instances: { [I]: { DICOM: { '00091001': 'B' }, DICOMVRs: { '00091001': 'LO' } }, [J]: {} } } } },
    }, 'update');
    assert.deepEqual(attributes.map((a) => a.pointer), [
      '/Patient/DICOM/PatientName',
      '/Patient/DICOM/a~1b~0c',
      `/Study/Series/${S}/Instances/${I}/DICOM/00091001`,
      `/Study/Series/${S}/Instances/${I}/DICOMVRs/00091001`,
      `/Study/Series/${S}/Instances/${J}`,
    ]);
    assert.deepEqual(listPayloadAttributes(undefined, 'remove'), []);
  });

  it('knows when pointers overlap', () => {
    assert.ok(pointersOverlap('/Study/Series/1', '/Study/Series/1/DICOM/Modality'));
    assert.ok(pointersOverlap('/a/b', '/a/b'));
    assert.ok(!pointersOverlap('/a/b', '/a/bc'));
  });

  it('previews the requests grouped into ready, needs force and refused, with sizes and versions', () => {
    const plan = {
      updates: [
        { updatableAttributes: { SchemaVersion: 1.1, Patient: { DICOM: { PatientName: 'NEW^NAME' } } } },
        { updatableAttributes: { SchemaVersion: 1.1, Study: { Series: { [S]: { Instances: { [I]: { DICOM: { SOPInstanceUID: '9.9' } } } } } } },
          removableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'CT' } } } },
      ],
      force: true,
      forceReasons: [{ path: `/Study/Series/${S}/Instances/${I}/DICOM/SOPInstanceUID`, reason: 'Changing a SOP Instance UID needs force.' }],
      refused: [],
    };
    const preview = buildUpdatePreview({ datastoreId: 'd', imageSetId: 'i', baseVersionId: '4', maxAttributeBytes: 10000, plan }) as {
      ready: { path: string; operation: string }[]; requests: { latestVersionId: string; force: boolean; sizeBytes: { updatableAttributes: number } }[];
      needsForce: unknown[]; summary: string; force: boolean;
    };
    assert.deepEqual(preview.ready, [
      { path: '/Patient/DICOM/PatientName', operation: 'update' },
      { path: '/Study/DICOM/StudyDescription', operation: 'remove' },
    ]);
    assert.deepEqual(preview.needsForce, plan.forceReasons);
    assert.deepEqual(preview.requests.map((r) => r.latestVersionId), ['4', '5']);
    assert.ok(preview.requests.every((r) => r.force));
    assert.equal(preview.requests[0].sizeBytes.updatableAttributes, JSON.stringify(plan.updates[0].updatableAttributes).length);
    assert.match(preview.summary, /2 requests, in order with force/);
  });

  it('previews a study-wide save: the Study-level request first with includeStudyImageSets, then the rest', () => {
    const study = [{ updatableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'NEW' } } } }];
    const rest = [{ updatableAttributes: { SchemaVersion: 1.1, Study: { Series: { [S]: { DICOM: { SeriesDescription: 'AX' } } } } } }];
    const plan = { updates: [{ updatableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'NEW' }, Series: { [S]: { DICOM: { SeriesDescription: 'AX' } } } } } }], force: false, forceReasons: [], refused: [] };
    const preview = buildUpdatePreview({
      datastoreId: 'd', imageSetId: 'i', baseVersionId: '2', isPrimary: true, maxAttributeBytes: 10000, plan,
      studyWide: { otherImageSets: 3, setting: 'ask', study, rest, attributes: ['/Study/DICOM/StudyDescription'] },
    }) as { summary: string; studyWide: { otherPrimaryImageSets: number; attributes: string[]; note: string }; requests: { latestVersionId: string; includeStudyImageSets: boolean; updateImageSetMetadataUpdates: { DICOMUpdates: object } }[] };
    assert.deepEqual(preview.requests.map((r) => [r.latestVersionId, r.includeStudyImageSets]), [['2', true], ['3', false]]);
    assert.deepEqual(preview.requests[0].updateImageSetMetadataUpdates.DICOMUpdates, study[0]);
    assert.deepEqual(preview.requests[1].updateImageSetMetadataUpdates.DICOMUpdates, rest[0]);
    assert.equal(preview.summary, 'Save sends 2 requests, in order. The Study-level change reaches all 4 primary image sets of the study (includeStudyImageSets), after asking.');
    assert.equal(preview.studyWide.otherPrimaryImageSets, 3);
    assert.deepEqual(preview.studyWide.attributes, ['/Study/DICOM/StudyDescription']);
    assert.match(preview.studyWide.note, /"Only This Image Set"/);
    const plain = buildUpdatePreview({ datastoreId: 'd', imageSetId: 'i', baseVersionId: '2', maxAttributeBytes: 10000, plan }) as { requests: object[]; studyWide?: object };
    assert.equal(plain.studyWide, undefined);
    assert.ok(plain.requests.every((r) => !('includeStudyImageSets' in r)));
  });

  it('says in one line what Save would do', () => {
    const none = { updates: [], force: false, forceReasons: [], refused: [] };
    assert.equal(describePlan(none), 'No changes: Save sends nothing.');
    assert.match(describePlan({ ...none, refused: [{ path: '/SchemaVersion', reason: 'r' }], updates: [{}] }), /sends nothing: HealthImaging would refuse 1 change /);
    assert.equal(describePlan({ ...none, updates: [{}] }), 'Save sends 1 request.');
  });

  describe('rebasing onto a newer version', () => {
    const base = documentWith('OLD^NAME', 'CT CHEST');

    it('reports attributes both sides changed to different values, and only those', () => {
      const theirs = documentWith('THEIR^NAME', 'CT CHEST', { '00091001': 'THEIRS' });
      const mine = documentWith('MY^NAME', undefined);
      const plan = { updates: [
        { updatableAttributes: { SchemaVersion: 1.1, Patient: { DICOM: { PatientName: 'MY^NAME' } } },
          removableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'CT CHEST' } } } },
      ] };
      const overlaps = findOverlaps(base, theirs, mine, plan);
      assert.deepEqual(overlaps.map((o) => [o.pointer, o.theirs, o.mine]), [['/Patient/DICOM/PatientName', 'THEIR^NAME', 'MY^NAME']]);
      // The same value on both sides is no conflict.
      assert.deepEqual(findOverlaps(base, documentWith('MY^NAME', 'CT CHEST'), mine, plan), []);
    });

    it('reports a removed instance that the other version changed', () => {
      const theirs = structuredClone(base);
      (theirs.Study.Series[S].Instances[J].DICOM as Record<string, unknown>).InstanceNumber = '2';
      const plan = { updates: [{ removableAttributes: { SchemaVersion: 1.1, Study: { Series: { [S]: { Instances: { [J]: {} } } } } } }] };
      assert.deepEqual(findOverlaps(base, theirs, {}, plan).map((o) => o.pointer), [`/Study/Series/${S}/Instances/${J}`]);
    });

    it('removes with the value the newer version holds, drops what is already gone, and drops empty requests', () => {
      const theirs = documentWith('OLD^NAME', 'CT ABDOMEN');
      const rebased = rebaseUpdates([
        { removableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'CT CHEST' } }, Patient: { DICOM: { PatientSex: 'F' } } } },
        { removableAttributes: { SchemaVersion: 1.1, Patient: { DICOM: { PatientSex: 'F' } } } },
        { removableAttributes: { SchemaVersion: 1.1, Study: { Series: { [S]: { Instances: { [J]: {} } } } } },
          updatableAttributes: { SchemaVersion: 1.1, Patient: { DICOM: { PatientName: 'X' } } } },
      ], theirs);
      assert.deepEqual(rebased, [
        { removableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'CT ABDOMEN' } } } },
        { removableAttributes: { SchemaVersion: 1.1, Study: { Series: { [S]: { Instances: { [J]: {} } } } } },
          updatableAttributes: { SchemaVersion: 1.1, Patient: { DICOM: { PatientName: 'X' } } } },
      ]);
    });

    it('lists plan attributes once even when requests repeat them', () => {
      const u = { updatableAttributes: { Patient: { DICOM: { PatientName: 'A' } } } };
      assert.equal(listPlanAttributes({ updates: [u, u] }).length, 1);
    });
  });

  it('shortens long values for dialogs', () => {
    assert.equal(shortValue(undefined), '(absent)');
    assert.equal(shortValue('abc'), '"abc"');
    assert.equal(shortValue('x'.repeat(100), 10).length, 10);
  });
});
