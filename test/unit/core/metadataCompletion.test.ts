import assert from 'node:assert/strict';
import { elementsForLevel, metadataCompletion, valueSnippet } from '../../../src/core/metadataCompletion';
import { elementByKeyword, levelOfElement } from '../../../src/core/dicomDictionary';
import { offsetOf, sampleText } from './editorSupport';

describe('completion', () => {
  it('offers the keywords of the level that are not there yet, with VR and VM', () => {
    const text = sampleText('expanded', (d) => { d.Patient.DICOM = { PatientName: 'X', '': 1 }; });
    const at = text.indexOf('"": 1');
    const c = metadataCompletion(text, at + 1);
    assert.ok(c);
    const labels = c.items.map((i) => i.label);
    assert.ok(labels.includes('PatientID') && labels.includes('PatientBirthDate'));
    assert.ok(!labels.includes('PatientName'), 'present keys are left out');
    assert.ok(!labels.includes('StudyDate') && !labels.includes('Modality') && !labels.includes('Rows'), 'only Patient level');
    assert.ok(c.items.every((i) => levelOfElement(i.label) === 'patient'));
    const id = c.items.find((i) => i.label === 'PatientID')!;
    assert.equal(id.detail, '(0010,0020) LO · VM 1');
    assert.equal(text.slice(c.range.offset, c.range.offset + c.range.length), '""');
  });

  it('the instance level is the dictionary minus the higher levels', () => {
    const instance = new Set(elementsForLevel('instance').map((e) => e.keyword));
    assert.ok(instance.has('Rows') && instance.has('SOPInstanceUID') && instance.has('TransferSyntaxUID'));
    for (const k of ['PatientName', 'StudyDate', 'Modality', 'SeriesInstanceUID']) assert.ok(!instance.has(k), k);
    assert.ok(!instance.has('PixelData') && !instance.has('CommandGroupLength') && !instance.has('Item'));
    const all = elementsForLevel('patient').length + elementsForLevel('study').length + elementsForLevel('series').length + instance.size;
    assert.equal(all, elementsForLevel('any').length);
  });

  it('completes a key being typed, and keeps the JSON valid around it', () => {
    const text = sampleText('expanded').replace('"Rows": 512,', '"Rows": 512,\n              "Pix"\n');
    const c = metadataCompletion(text, offsetOf(text, '"Pix"', 4));
    assert.ok(c);
    const item = c.items.find((i) => i.label === 'PixelSpacing')!;
    assert.ok(item, 'PixelSpacing offered at instance level');
    assert.ok(!c.items.some((i) => i.label === 'Rows'), 'Rows is there already');
    assert.equal(item.insertText, '"PixelSpacing": ["${1:0.0}", "${2:0.0}"],');
    assert.equal(item.filterText, '"PixelSpacing"');
    // the inserted member (snippet placeholders filled) leaves valid JSON
    const filled = item.insertText.replace(/\$\{\d+:([^}]*)\}/g, '$1');
    const done = text.slice(0, c.range.offset) + filled + text.slice(c.range.offset + c.range.length);
    assert.doesNotThrow(() => JSON.parse(done));
  });

  it('value snippets fit the VR: DA, PN, TM, DT, AS, UI, numbers, sequences, enumerated values, arrays when VM > 1', () => {
    const s = (k: string) => valueSnippet(elementByKeyword(k)!);
    assert.equal(s('StudyDate'), '"${1:YYYYMMDD}"');
    assert.equal(s('PatientName'), '"${1:Family}^${2:Given}"');
    assert.equal(s('StudyTime'), '"${1:HHMMSS}"');
    assert.equal(s('AcquisitionDateTime'), '"${1:YYYYMMDDHHMMSS}"');
    assert.equal(s('PatientAge'), '"${1:045Y}"');
    assert.equal(s('FrameOfReferenceUID'), '"${1:1.2.3.4}"');
    assert.equal(s('Rows'), '${1:0}');
    assert.equal(s('PatientSex'), '"${1|M,F,O|}"');
    assert.equal(s('OtherPatientIDsSequence'), '[\n\t{\n\t\t$0\n\t}\n]');
    assert.equal(s('ImageOrientationPatient'), '["${1:0.0}", "${2:0.0}", "${3:0.0}", "${4:0.0}", "${5:0.0}", "${6:0.0}"]');
    assert.equal(s('ImageType'), '["$1", "$2"]');
  });

  it('offers enumerated values, defined terms, well-known UIDs and VRs at a value', () => {
    const text = sampleText('expanded');
    const sex = metadataCompletion(text, offsetOf(text, '"F"', 1));
    assert.deepEqual(sex!.items.map((i) => i.label), ['M', 'F', 'O']);
    assert.equal(sex!.items[0].insertText, '"M"');
    const modality = metadataCompletion(text, offsetOf(text, '"CT"', 1));
    assert.ok(modality!.items.some((i) => i.label === 'MR'));
    const sop = metadataCompletion(text, offsetOf(text, '"1.2.840.10008.5.1.4.1.1.2"', 3));
    assert.ok(sop!.items.some((i) => i.label === '1.2.840.10008.5.1.4.1.1.4' && i.detail === 'MR Image Storage'));
    const vr = metadataCompletion(text, offsetOf(text, '"LO"', 1));
    assert.ok(vr!.items.some((i) => i.label === 'DS'));
    assert.equal(metadataCompletion(text, offsetOf(text, '"DOE^JANE"', 1)), undefined, 'free text: nothing');
  });

  it('answers sensibly or not at all on unknown places, invalid and empty documents', () => {
    assert.equal(metadataCompletion('', 0), undefined);
    assert.equal(metadataCompletion('{}', 1), undefined, 'the root is no DICOM object');
    const text = sampleText('compact');
    for (let i = 0; i < text.length; i += 11) metadataCompletion(text.slice(0, i) + '"' + text.slice(i), i + 1);
    const item = metadataCompletion(text, offsetOf(text, '"Rows"'))!.items[0];
    assert.ok(!item.insertText.includes(': '), 'on an existing key with its value: the key alone');
  });
});
