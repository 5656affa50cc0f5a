import assert from 'node:assert/strict';
import { applyMetadataUpdate } from '../../../src/core/metadataUpdate';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const S = '1.2.3.1';
const I1 = '1.2.3.1.1';
const I2 = '1.2.3.1.2';

function doc(): Obj {
  return {
    SchemaVersion: '1.1', DatastoreID: 'd'.repeat(32), ImageSetID: 'e'.repeat(32),
    Patient: { DICOM: { PatientName: 'DOE^JANE', OtherPatientIDsSequence: [{ PatientID: 'X', IssuerOfPatientID: 'H' }] } },
    Study: {
      DICOM: { StudyDescription: 'CHEST', StudyInstanceUID: '1.2.3' },
      Series: {
        [S]: {
          DICOM: { SeriesInstanceUID: S, Modality: 'CT' },
          Instances: {
            [I1]: { DICOM: { SOPInstanceUID: I1, '00091001': 'GE' }, DICOMVRs: { '00091001': 'LO' }, ImageFrames: [{ ID: 'a' }] },
            [I2]: { DICOM: { SOPInstanceUID: I2 }, DICOMVRs: {}, ImageFrames: [{ ID: 'b' }] },
          },
        },
      },
    },
  };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

const V = { SchemaVersion: 1.1 };

function throwsAt(fn: () => unknown, path: string, message: RegExp): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e.message.startsWith(`${path}: `), `message "${e.message}" should start with ${path}`);
    assert.match(e.message, message);
    return true;
  });
}

describe('applyMetadataUpdate', () => {
  it('applies updates and removals without mutating the input', () => {
    const d = deepFreeze(doc());
    const out = applyMetadataUpdate(d, {
      updatableAttributes: { ...V, Patient: { DICOM: { PatientName: 'MX^MX', PatientBirthDate: null } } },
      removableAttributes: { ...V, Study: { DICOM: { StudyDescription: 'CHEST' } } },
    }) as Obj;
    assert.equal(out.Patient.DICOM.PatientName, 'MX^MX');
    assert.equal(out.Patient.DICOM.PatientBirthDate, null);
    assert.ok(!('StudyDescription' in out.Study.DICOM));
    assert.equal(d.Patient.DICOM.PatientName, 'DOE^JANE');
    assert.equal(out.Study.Series, d.Study.Series, 'unchanged subtrees are shared, not copied');
  });

  it('removal matches the value regardless of key order, and refuses a different value', () => {
    const d = doc();
    const out = applyMetadataUpdate(d, { removableAttributes: { ...V, Patient: { DICOM: { OtherPatientIDsSequence: [{ IssuerOfPatientID: 'H', PatientID: 'X' }] } } } }) as Obj;
    assert.ok(!('OtherPatientIDsSequence' in out.Patient.DICOM));
    throwsAt(() => applyMetadataUpdate(d, { removableAttributes: { ...V, Study: { DICOM: { StudyDescription: 'HEAD' } } } }),
      '/Study/DICOM/StudyDescription', /does not match its current value/);
    throwsAt(() => applyMetadataUpdate(d, { removableAttributes: { ...V, Study: { DICOM: { StudyComments: 'x' } } } }),
      '/Study/DICOM/StudyComments', /not in the document/);
  });

  it('removes instances and series given as empty objects', () => {
    const d = doc();
    const a = applyMetadataUpdate(d, { removableAttributes: { ...V, Study: { Series: { [S]: { Instances: { [I2]: {} } } } } } }) as Obj;
    assert.deepEqual(Object.keys(a.Study.Series[S].Instances), [I1]);
    const b = applyMetadataUpdate(d, { removableAttributes: { ...V, Study: { Series: { [S]: {} } } } }) as Obj;
    assert.deepEqual(b.Study.Series, {});
  });

  it('adds a private tag with its VR, and removals apply before updates', () => {
    const d = doc();
    const out = applyMetadataUpdate(d, {
      removableAttributes: { ...V, Study: { Series: { [S]: { Instances: { [I1]: { DICOM: { '00091001': 'GE' } } } } } } },
      updatableAttributes: { ...V, Study: { Series: { [S]: { Instances: { [I1]: { DICOM: { '00091001': 'NEW', '001910F9': '97' }, DICOMVRs: { '001910F9': 'DS' } } } } } } },
    }) as Obj;
    assert.equal(out.Study.Series[S].Instances[I1].DICOM['00091001'], 'NEW');
    assert.deepEqual(out.Study.Series[S].Instances[I1].DICOMVRs, { '00091001': 'LO', '001910F9': 'DS' });
  });

  it('lists an instance (series) under its new UID after SOPInstanceUID (SeriesInstanceUID) changes, keeping its position', () => {
    const d = doc();
    const out = applyMetadataUpdate(d, { updatableAttributes: { ...V, Study: { Series: { [S]: {
      DICOM: { SeriesInstanceUID: '9.9' },
      Instances: { [I1]: { DICOM: { SOPInstanceUID: '9.9.1' } } },
    } } } } }) as Obj;
    assert.deepEqual(Object.keys(out.Study.Series), ['9.9']);
    assert.deepEqual(Object.keys(out.Study.Series['9.9'].Instances), ['9.9.1', I2]);
    assert.equal(out.Study.Series['9.9'].Instances['9.9.1'].DICOM.SOPInstanceUID, '9.9.1');
    // Setting the UID to null or "" keeps the key.
    const kept = applyMetadataUpdate(d, { updatableAttributes: { ...V, Study: { Series: { [S]: { Instances: { [I1]: { DICOM: { SOPInstanceUID: null } } } } } } } }) as Obj;
    assert.deepEqual(Object.keys(kept.Study.Series[S].Instances), [I1, I2]);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: { ...V, Study: { Series: { [S]: { Instances: { [I1]: { DICOM: { SOPInstanceUID: I2 } } } } } } } }),
      `/Study/Series/${S}/Instances/${I1}`, /another instance already has that UID/);
  });

  it('throws with the path for malformed payloads', () => {
    const d = doc();
    throwsAt(() => applyMetadataUpdate(d, 5 as never), '/', /must be an object/);
    throwsAt(() => applyMetadataUpdate(d, {}), '/', /neither updatableAttributes nor removableAttributes/);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: { Patient: { DICOM: {} } } }), '/SchemaVersion', /must start with "SchemaVersion": 1.1/);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: { SchemaVersion: 2 } }), '/SchemaVersion', /other than 1.1/);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: [] as never }), '/', /updatableAttributes must be a JSON object/);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: { ...V, Patient: { DICOM: 'x' } } }), '/Patient/DICOM', /DICOM must be a JSON object/);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: { ...V, Patient: { Other: {} } } }), '/Patient/Other', /not part of the metadata hierarchy/);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: { ...V, DatastoreID: 'x' } }), '/DatastoreID', /can never be changed/);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: { ...V, Extra: 1 } }), '/Extra', /not part of the metadata hierarchy/);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: { ...V, Study: { Series: { '7.7': { DICOM: {} } } } } }), '/Study/Series/7.7', /not in this image set/);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: { ...V, Study: { Series: { [S]: { Instances: { '7.7': { DICOM: {} } } } } } } }), `/Study/Series/${S}/Instances/7.7`, /not in series/);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: { ...V, Study: { Series: { [S]: { Instances: { [I1]: { ImageFrames: [] } } } } } } }), `/Study/Series/${S}/Instances/${I1}/ImageFrames`, /can never be changed/);
    throwsAt(() => applyMetadataUpdate(d, { updatableAttributes: V, extra: 1 } as never), '/', /unexpected member "extra"/);
    throwsAt(() => applyMetadataUpdate('x', { updatableAttributes: V }), '/', /metadata document must be a JSON object/);
  });

  it('keeps "__proto__" keys as data', () => {
    const d = doc();
    const payload = JSON.parse('{"SchemaVersion":1.1,"Patient":{"DICOM":{"__proto__":"x"}}}');
    const out = applyMetadataUpdate(d, { updatableAttributes: payload }) as Obj;
    assert.ok(Object.prototype.hasOwnProperty.call(out.Patient.DICOM, '__proto__'));
    assert.equal(Object.getPrototypeOf(out.Patient.DICOM), Object.prototype);
  });
});
