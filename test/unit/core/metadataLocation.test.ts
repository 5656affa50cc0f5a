import assert from 'node:assert/strict';
import { navigationTargets, pathContext, readableLocation, shortUid } from '../../../src/core/metadataLocation';
import { sampleDocument } from './editorSupport';

const S = '1.2.826.0.1.3680043.8.498.1.1';
const I1 = `${S}.1`;
const I2 = `${S}.2`;

describe('readable locations', () => {
  it('shortens long UIDs to their start and last component', () => {
    assert.equal(shortUid('2.25.900000000000000000000000000000003.123'), '2.25.9000…3.123');
    assert.equal(shortUid('2.25.900000000000000000000000000000001.1056'), '2.25.9000…1.1056');
    assert.equal(shortUid('1.2.3.4'), '1.2.3.4');
    assert.equal(shortUid('2.25.329800735698586629295641978511506172918'), '2.25.3298…172918');
  });

  it('names series and instances by number, description and modality', () => {
    const doc = sampleDocument();
    assert.equal(readableLocation(`/Study/Series/${S}/Instances/${I1}/DICOM/SOPInstanceUID`, doc),
      'Series 1 "AXIAL 1mm" (CT) › Instance 1 › SOPInstanceUID');
    assert.equal(readableLocation(`/Study/Series/${S}/DICOM/Modality`, doc), 'Series 1 "AXIAL 1mm" (CT) › Modality');
    assert.equal(readableLocation('/Patient/DICOM/PatientName', doc), 'Patient › PatientName');
    assert.equal(readableLocation('/Study/DICOM/StudyDate', doc), 'Study › StudyDate');
    assert.equal(readableLocation('/ImageSetID', doc), 'ImageSetID');
    assert.equal(readableLocation('', doc), 'the document');
    assert.equal(readableLocation('/Patient/DICOM/OtherPatientIDsSequence/0/PatientID', doc), 'Patient › OtherPatientIDsSequence › item 1 › PatientID');
    assert.equal(readableLocation(`/Study/Series/${S}/Instances/${I2}/DICOMVRs/00091001`, doc), `Series 1 "AXIAL 1mm" (CT) › Instance 2 › DICOMVRs › 00091001`);
    assert.equal(readableLocation(`/Study/Series/${S}/Instances/${I1}/ImageFrames/0/ID`, doc), 'Series 1 "AXIAL 1mm" (CT) › Instance 1 › ImageFrames › frame 1 › ID');
    assert.equal(readableLocation(`/Study/Series/${S}/Instances/${I1}`, doc), 'Series 1 "AXIAL 1mm" (CT) › Instance 1');
  });

  it('falls back to short UIDs, reads removed items from the next document, and tells repeated numbers apart', () => {
    const doc = sampleDocument();
    const edited = sampleDocument();
    delete edited.Study.Series[S].DICOM.SeriesNumber;
    delete edited.Study.Series[S].DICOM.SeriesDescription;
    delete edited.Study.Series[S].Instances[I1].DICOM.InstanceNumber;
    assert.equal(readableLocation(`/Study/Series/${S}/Instances/${I1}/DICOM/Rows`, edited), `Series ${shortUid(S)} (CT) › Instance ${shortUid(I1)} › Rows`);
    const removed = sampleDocument();
    delete removed.Study.Series[S].Instances[I2];
    assert.equal(readableLocation(`/Study/Series/${S}/Instances/${I2}`, removed, doc), 'Series 1 "AXIAL 1mm" (CT) › Instance 2');
    const repeated = sampleDocument();
    repeated.Study.Series[S].Instances[I2].DICOM.InstanceNumber = '1';
    assert.equal(readableLocation(`/Study/Series/${S}/Instances/${I2}/DICOM/Rows`, repeated), `Series 1 "AXIAL 1mm" (CT) › Instance 1 (${shortUid(I2)}) › Rows`);
    assert.equal(readableLocation('not a pointer', doc), 'not a pointer');
  });

  it('lists series then their instances for navigation', () => {
    const targets = navigationTargets(sampleDocument());
    assert.deepEqual(targets.map((t) => [t.kind, t.label, t.description]), [
      ['series', 'Series 1 "AXIAL 1mm" (CT)', '2 instances'],
      ['instance', 'Instance 1', 'Series 1 "AXIAL 1mm" (CT)'],
      ['instance', 'Instance 2', 'Series 1 "AXIAL 1mm" (CT)'],
      ['series', 'Series 2 (CT)', '1 instance'],
      ['instance', 'Instance 1', 'Series 2 (CT)'],
    ]);
    assert.equal(targets[1].pointer, `/Study/Series/${S}/Instances/${I1}`);
    assert.equal(targets[1].detail, I1);
    assert.deepEqual(navigationTargets({}), []);
  });

  it('tells which level a container belongs to', () => {
    assert.deepEqual(pathContext(['Patient', 'DICOM']), { kind: 'dicom', level: 'patient', dicomPath: ['Patient', 'DICOM'], seriesUid: undefined, instanceUid: undefined });
    assert.equal((pathContext(['Study', 'Series', S, 'DICOM']) as { level: string }).level, 'series');
    assert.equal((pathContext(['Study', 'Series', S, 'Instances', I1, 'DICOM']) as { level: string }).level, 'instance');
    assert.equal(pathContext(['Study', 'Series', S, 'Instances', I1, 'DICOMVRs']).kind, 'vrs');
    const nested = pathContext(['Patient', 'DICOM', 'OtherPatientIDsSequence', '0']);
    assert.equal(nested.kind, 'nested');
    assert.equal((nested as { attribute: string }).attribute, 'OtherPatientIDsSequence');
    assert.equal(pathContext(['Study', 'Series']).kind, 'other');
  });
});
