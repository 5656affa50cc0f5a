import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  elementByKeyword, elementByTag, isPrivateTagKey, isTagKey, levelOfElement, possibleVrs,
} from '../../../src/core/dicomDictionary';

const root = resolve(__dirname, '../../../..');

describe('DICOM dictionary', () => {
  it('the committed module is exactly what scripts/generate-dicom-dictionary.mjs makes from the installed dcmjs', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/generate-dicom-dictionary.mjs'), '--stdout'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    assert.equal(r.status, 0, r.stderr);
    const committed = readFileSync(join(root, 'src/core/dicomDictionary.generated.ts'), 'utf8');
    assert.ok(r.stdout === committed, 'src/core/dicomDictionary.generated.ts is stale: run node scripts/generate-dicom-dictionary.mjs');
  });

  it('src/core/ahi-levels.json is the reference list, source notes included', () => {
    const levels = JSON.parse(readFileSync(join(root, 'src/core/ahi-levels.json'), 'utf8'));
    assert.match(levels.source, /Metadata normalization/);
    assert.deepEqual(levels.counts, { patient: levels.patient.length, study: levels.study.length, series: levels.series.length });
  });

  it('looks up keywords and tags with their VR and VM', () => {
    assert.deepEqual(elementByKeyword('PatientName'), { keyword: 'PatientName', tag: '00100010', vr: 'PN', vm: '1', retired: false });
    assert.equal(elementByKeyword('ImageType')?.vm, '2-n');
    assert.equal(elementByKeyword('OtherPatientIDsSequence')?.vr, 'SQ');
    assert.equal(elementByTag('(0020,000D)')?.keyword, 'StudyInstanceUID');
    assert.equal(elementByTag('0020000e')?.keyword, 'SeriesInstanceUID');
    assert.equal(elementByKeyword('NotAKeyword'), undefined);
    // dcmjs's "RETIRED_" prefix is dropped: PS3.6 keywords have none.
    assert.deepEqual(elementByKeyword('Initiator'), { keyword: 'Initiator', tag: '00000200', vr: 'AE', vm: '1', retired: true });
    assert.equal(elementByKeyword('RETIRED_Initiator'), undefined);
  });

  it('maps every level element to its level; everything else is instance level', () => {
    const levels = JSON.parse(readFileSync(join(root, 'src/core/ahi-levels.json'), 'utf8'));
    for (const level of ['patient', 'study', 'series'] as const) {
      for (const e of levels[level]) {
        const el = elementByTag(e.tag);
        assert.ok(el, `tag ${e.tag} in the dictionary`);
        assert.equal(levelOfElement(el.keyword), level, `${el.keyword}`);
      }
    }
    assert.equal(levelOfElement('PatientName'), 'patient');
    assert.equal(levelOfElement('PatientAge'), 'study');
    assert.equal(levelOfElement('Modality'), 'series');
    assert.equal(levelOfElement('SOPInstanceUID'), 'instance');
    assert.equal(levelOfElement('00091001'), 'instance');
  });

  it('recognises tag keys and private tags', () => {
    assert.ok(isTagKey('00091001') && isTagKey('001910f9'));
    assert.ok(!isTagKey('0009100') && !isTagKey('0009100G') && !isTagKey('PatientName'));
    assert.ok(isPrivateTagKey('00091001') && isPrivateTagKey('7FD10010'));
    assert.ok(!isPrivateTagKey('00100010'));
    assert.deepEqual(possibleVrs('xs'), ['US', 'SS']);
    assert.deepEqual(possibleVrs('ox'), ['OB', 'OW']);
  });

  it('src/core imports nothing but its own modules and jsonc-parser (no vscode, SDK or I/O)', () => {
    const dir = join(root, 'src/core');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8');
      for (const m of src.matchAll(/(?:from|require\()\s*['"]([^'"]+)['"]/g)) {
        assert.ok(m[1].startsWith('./') || m[1] === 'jsonc-parser', `${f} imports ${m[1]}`);
      }
    }
  });
});
