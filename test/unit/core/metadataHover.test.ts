import assert from 'node:assert/strict';
import { metadataHover } from '../../../src/core/metadataHover';
import { offsetOf, sampleText } from './editorSupport';

describe('hover text', () => {
  const text = sampleText();

  it('an attribute: tag, name, keyword, VR, VM, level, and a plain update on a non-primary image set', () => {
    const h = metadataHover(text, offsetOf(text, '"PatientName"'));
    assert.ok(h);
    assert.match(h.markdown, /\*\*Patient Name\*\* · `PatientName` · \(0010,0010\)/);
    assert.match(h.markdown, /VR PN \(person name\) · VM 1/);
    assert.match(h.markdown, /Kept at the Patient level/);
    assert.match(h.markdown, /plain update on this image set\. A new value must fit VR PN/);
    assert.equal(text.slice(h.range.offset, h.range.offset + h.range.length), '"PatientName"');
  });

  it('the same attribute on a primary image set is refused, and says why', () => {
    const h = metadataHover(text, offsetOf(text, '"PatientName"'), { isPrimary: true });
    assert.match(h!.markdown, /Saving a change here is refused\*\* on this primary image set/);
    assert.match(h!.markdown, /Patient-level elements cannot be updated on a primary image set/);
    const study = metadataHover(text, offsetOf(text, '"StudyDescription"'), { isPrimary: true });
    assert.match(study!.markdown, /plain update on this primary image set/);
  });

  it('identifiers, multi-valued attributes and sequences need force; retired elements say so', () => {
    assert.match(metadataHover(text, offsetOf(text, '"StudyInstanceUID"'))!.markdown, /needs force\*\*[^]*identifies the study/);
    assert.match(metadataHover(text, offsetOf(text, '"ImageType"'))!.markdown, /VM 2-n[^]*multi-valued/);
    assert.match(metadataHover(text, offsetOf(text, '"OtherPatientIDsSequence"'))!.markdown, /is a sequence/);
    const retired = sampleText('expanded', (d) => { d.Study.DICOM.Initiator = 'X'; });
    assert.match(metadataHover(retired, offsetOf(retired, '"Initiator"'))!.markdown, /retired from the standard/);
  });

  it('a private tag: its VR from DICOMVRs, and that changes need force; without a VR it says so', () => {
    const h = metadataHover(text, offsetOf(text, '"00091001"'));
    assert.match(h!.markdown, /\*\*Private tag\*\* \(0009,1001\)/);
    assert.match(h!.markdown, /VR LO \(long string\) \(from this instance's `DICOMVRs`\)/);
    assert.match(h!.markdown, /needs force[^]*private tag/);
    const noVr = sampleText('expanded', (d) => {
      const inst = Object.values((Object.values(d.Study.Series)[0] as { Instances: object }).Instances)[0] as { DICOMVRs: object };
      inst.DICOMVRs = {};
    });
    assert.match(metadataHover(noVr, offsetOf(noVr, '"00091001"'))!.markdown, /No VR/);
  });

  it('a standard element written by its tag, an attribute at the wrong level, and an unknown key', () => {
    const t = sampleText('expanded', (d) => { d.Study.DICOM['00100010'] = 'X'; d.Study.DICOM.PatientSex = 'F'; d.Study.DICOM.Foo = 1; });
    assert.match(metadataHover(t, offsetOf(t, '"00100010"'))!.markdown, /`PatientName`[^]*by its tag/);
    assert.match(metadataHover(t, offsetOf(t, '"PatientSex"', 2, 2))!.markdown, /keeps it at the Patient level[^]*can be changed or removed but not added/);
    assert.match(metadataHover(t, offsetOf(t, '"PatientSex"', 2, 2))!.markdown, /Enumerated values \(PS3\.3 C\.7\.1\.1\): `M`, `F`, `O`/);
    assert.match(metadataHover(t, offsetOf(t, '"Foo"'))!.markdown, /is not a DICOM keyword/);
  });

  it('UID values that name a SOP Class or a Transfer Syntax', () => {
    assert.match(metadataHover(text, offsetOf(text, '"1.2.840.10008.5.1.4.1.1.2"'))!.markdown, /\*\*CT Image Storage\*\*[^]*SOP Class/);
    assert.match(metadataHover(text, offsetOf(text, '"1.2.840.10008.1.2.4.202"'))!.markdown, /High-Throughput JPEG 2000[^]*Transfer Syntax/);
    assert.equal(metadataHover(text, offsetOf(text, '"DOE^JANE"')), undefined, 'other values: nothing');
  });

  it('structural keys: series, instances and what HealthImaging generates', () => {
    assert.match(metadataHover(text, offsetOf(text, '"1.2.826.0.1.3680043.8.498.1.1": {'))!.markdown, /Series 1 "AXIAL 1mm" \(CT\)/);
    assert.match(metadataHover(text, offsetOf(text, '"1.2.826.0.1.3680043.8.498.1.1.2": {'))!.markdown, /Instance 2/);
    assert.match(metadataHover(text, offsetOf(text, '"ImageFrames"'))!.markdown, /can never be changed/);
    assert.match(metadataHover(text, offsetOf(text, '"ImageSetID"'))!.markdown, /can never be changed/);
  });

  it('works in the compact layout, in invalid JSON and on an empty document, and never throws', () => {
    const compact = sampleText('compact');
    assert.match(metadataHover(compact, offsetOf(compact, '"Rows"'))!.markdown, /\(0028,0010\)[^]*Instance level[^]*\*Series 1 "AXIAL 1mm" \(CT\) › Instance 1\*/);
    const broken = text.replace('"Rows": 512,', '"Rows": 512,\n "Pati');
    assert.match(metadataHover(broken, offsetOf(broken, '"PatientName"'))!.markdown, /\(0010,0010\)/);
    assert.equal(metadataHover('', 0), undefined);
    assert.equal(metadataHover('{', 1), undefined);
    for (let i = 0; i < broken.length; i += 7) metadataHover(broken, i);
    for (let i = 0; i < text.length; i += 5) metadataHover(text.slice(0, i), i);
  });
});
