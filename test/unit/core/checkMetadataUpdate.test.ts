import assert from 'node:assert/strict';
import { checkMetadataUpdate } from '../../../src/core/metadataUpdate';

const S = '1.2.3.1';
const I1 = '1.2.3.1.1';
const I2 = '1.2.3.1.2';
const V = { SchemaVersion: 1.1 };

function doc(): Record<string, unknown> {
  return {
    SchemaVersion: '1.1', DatastoreID: 'd'.repeat(32), ImageSetID: 'e'.repeat(32),
    Patient: { DICOM: { PatientName: 'DOE^JANE' } },
    Study: {
      DICOM: { StudyDescription: 'CHEST', StudyInstanceUID: '1.2.3' },
      Series: { [S]: { DICOM: { SeriesInstanceUID: S, Modality: 'CT' }, Instances: {
        [I1]: { DICOM: { SOPInstanceUID: I1, '00091001': 'GE' }, DICOMVRs: { '00091001': 'LO' }, ImageFrames: [] },
        [I2]: { DICOM: { SOPInstanceUID: I2 }, DICOMVRs: {}, ImageFrames: [] },
      } } },
    },
  };
}

function inst(i: string, body: object): object {
  return { ...V, Study: { Series: { [S]: { Instances: { [i]: body } } } } };
}

describe('checkMetadataUpdate', () => {
  it('accepts the AWS CLI patient update without force', () => {
    assert.deepEqual(checkMetadataUpdate(doc(), { updatableAttributes: { ...V, Patient: { DICOM: { PatientName: 'MX^MX' } } } }), { forceReasons: [], refused: [] });
  });

  it('says what needs force in payloads written by hand (CLI examples 3, 5, 6, 7)', () => {
    const d = doc();
    const removal = checkMetadataUpdate(d, { removableAttributes: inst(I2, {}) });
    assert.deepEqual(removal.forceReasons.map((r) => r.path), [`/Study/Series/${S}/Instances/${I2}`]);
    const added = checkMetadataUpdate(d, { updatableAttributes: inst(I1, { DICOM: { '001910F9': '97' }, DICOMVRs: { '001910F9': 'DS' } }) });
    assert.deepEqual(added.refused, []);
    assert.deepEqual(added.forceReasons.map((r) => r.path), [`/Study/Series/${S}/Instances/${I1}/DICOM/001910F9`]);
    const changed = checkMetadataUpdate(d, { updatableAttributes: inst(I1, { DICOM: { '00091001': 'GE2' } }) });
    assert.match(changed.forceReasons[0].reason, /private tag 00091001/);
    const uid = checkMetadataUpdate(d, { updatableAttributes: inst(I2, { DICOM: { SOPInstanceUID: '1.2.3.1.9' } }) });
    assert.match(uid.forceReasons[0].reason, /SOPInstanceUID/);
  });

  it('refuses what force cannot fix, naming the path', () => {
    const d = doc();
    const cases: [object, string, RegExp][] = [
      [{ updatableAttributes: { ...V, ImageSetID: 'x' } }, '/ImageSetID', /can never be changed/],
      [{ updatableAttributes: { ...V, Study: { Series: { '9.9': { DICOM: { Modality: 'MR' } } } } } }, '/Study/Series/9.9', /not in this image set/],
      [{ updatableAttributes: inst('9.9', { DICOM: {} }) }, `/Study/Series/${S}/Instances/9.9`, /not in series/],
      [{ updatableAttributes: inst(I1, { ImageFrames: [] }) }, `/Study/Series/${S}/Instances/${I1}/ImageFrames`, /can never be changed/],
      [{ updatableAttributes: inst(I1, { DICOM: { '00291010': 'x' } }) }, `/Study/Series/${S}/Instances/${I1}/DICOM/00291010`, /has no VR/],
      [{ updatableAttributes: inst(I1, { DICOMVRs: { '00291010': 'XX' } }) }, `/Study/Series/${S}/Instances/${I1}/DICOMVRs/00291010`, /not a DICOM VR/],
      [{ updatableAttributes: { ...V, Study: { DICOM: { PatientName: 'X' } } } }, '/Study/DICOM/PatientName', /Patient-level element/],
      [{ removableAttributes: { ...V, Study: { DICOM: { StudyDescription: 'HEAD' } } } }, '/Study/DICOM/StudyDescription', /does not match/],
      [{ removableAttributes: { ...V, Study: { DICOM: { StudyComments: 'x' } } } }, '/Study/DICOM/StudyComments', /not in the document/],
      [{ updatableAttributes: { Patient: {} } }, '/SchemaVersion', /SchemaVersion/],
      [{ updatableAttributes: inst(I2, { DICOM: { SOPInstanceUID: I1 } }) }, `/Study/Series/${S}/Instances/${I2}/DICOM/SOPInstanceUID`, /already used/],
      [{ updatableAttributes: { ...V, Study: { Series: { [S]: { Other: 1 } } } } }, `/Study/Series/${S}/Other`, /not part of the metadata hierarchy/],
      [{}, '', /neither/],
    ];
    for (const [update, path, reason] of cases) {
      const r = checkMetadataUpdate(d, update);
      assert.ok(r.refused.some((x) => x.path === path && reason.test(x.reason)), `${JSON.stringify(update)} -> ${JSON.stringify(r.refused)}`);
    }
  });

  it('a UID freed by removing an instance in the same request may be reused', () => {
    const d = doc();
    const r = checkMetadataUpdate(d, {
      removableAttributes: inst(I1, {}),
      updatableAttributes: inst(I2, { DICOM: { SOPInstanceUID: I1 } }),
    });
    assert.deepEqual(r.refused, []);
  });

  it('refuses a new SeriesInstanceUID that another series is listed under, or that two series both take', () => {
    const S2 = '1.2.3.2';
    const d = doc();
    ((d.Study as Record<string, Record<string, unknown>>).Series)[S2] = { DICOM: { SeriesInstanceUID: S2 }, Instances: { '1.2.3.2.1': { DICOM: { SOPInstanceUID: '1.2.3.2.1' } } } };
    const series = (uids: Record<string, string>) => ({ ...V, Study: { Series: Object.fromEntries(Object.entries(uids).map(([s, to]) => [s, { DICOM: { SeriesInstanceUID: to } }])) } });
    const taken = checkMetadataUpdate(d, { updatableAttributes: series({ [S2]: S }) });
    assert.deepEqual(taken.refused, [{ path: `/Study/Series/${S2}/DICOM/SeriesInstanceUID`, reason: 'The new SeriesInstanceUID is already used by another series of this image set; Series Instance UIDs must be unique.' }]);
    const both = checkMetadataUpdate(d, { updatableAttributes: series({ [S]: '1.2.3.9', [S2]: '1.2.3.9' }) });
    assert.deepEqual(both.refused.map((r) => r.path), [`/Study/Series/${S2}/DICOM/SeriesInstanceUID`]);
    assert.match(both.refused[0].reason, /already used by another series/);
    const fresh = checkMetadataUpdate(d, { updatableAttributes: series({ [S2]: '1.2.3.9' }) });
    assert.deepEqual(fresh.refused, []);
    assert.deepEqual(fresh.forceReasons.map((r) => r.path), [`/Study/Series/${S2}/DICOM/SeriesInstanceUID`]);
    // An instance may not take the UID of an instance in another series either.
    const sop = checkMetadataUpdate(d, { updatableAttributes: { ...V, Study: { Series: { [S2]: { Instances: { '1.2.3.2.1': { DICOM: { SOPInstanceUID: I1 } } } } } } } });
    assert.match(sop.refused[0]?.reason ?? '', /already used by another instance/);
  });

  it('a series UID freed by removing that series in the same request may be reused (removals apply first)', () => {
    const S2 = '1.2.3.2';
    const d = doc();
    ((d.Study as Record<string, Record<string, unknown>>).Series)[S2] = { DICOM: { SeriesInstanceUID: S2 }, Instances: {} };
    const r = checkMetadataUpdate(d, {
      removableAttributes: { ...V, Study: { Series: { [S]: {} } } },
      updatableAttributes: { ...V, Study: { Series: { [S2]: { DICOM: { SeriesInstanceUID: S } } } } },
    });
    assert.deepEqual(r.refused, []);
    assert.deepEqual(r.forceReasons.map((x) => x.path).sort(), [`/Study/Series/${S2}/DICOM/SeriesInstanceUID`, `/Study/Series/${S}`].sort());
  });

  it('on a primary image set refuses what needs force and Patient/Series-level changes', () => {
    const d = doc();
    const p = { isPrimary: true };
    const a = checkMetadataUpdate(d, { updatableAttributes: { ...V, Patient: { DICOM: { PatientName: 'X' } } } }, p);
    assert.match(a.refused[0].reason, /primary image set/);
    const b = checkMetadataUpdate(d, { removableAttributes: inst(I2, {}) }, p);
    assert.deepEqual(b.forceReasons, []);
    assert.match(b.refused[0].reason, /force is not available/);
    const c = checkMetadataUpdate(d, { updatableAttributes: { ...V, Study: { DICOM: { StudyDescription: 'HEAD' } } } }, p);
    assert.deepEqual(c, { forceReasons: [], refused: [] });
  });

  it('an unchanged value is not a change', () => {
    assert.deepEqual(checkMetadataUpdate(doc(), { updatableAttributes: inst(I1, { DICOM: { SOPInstanceUID: I1, '00091001': 'GE' } }) }), { forceReasons: [], refused: [] });
  });

  it('never throws on garbage', () => {
    for (const u of [5, null, [], { updatableAttributes: 'x' }, { updatableAttributes: { ...V, Study: 1 } }, { removableAttributes: { ...V, Study: { Series: [] } } }]) {
      const r = checkMetadataUpdate(doc(), u as never);
      assert.ok(r.refused.length > 0, JSON.stringify(u));
    }
    assert.ok(checkMetadataUpdate('x', { updatableAttributes: V }).refused.length > 0);
  });
});
