import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AUTO_COMPACT_LINES, chooseLayout, expandedTextSize, findJsonPointerRange, formatMetadata, locateAt, objectKeysAt, parseMetadataText,
} from '../../../src/core/metadataText';

describe('metadata text', () => {
  it('parses valid JSON without problems', () => {
    const r = parseMetadataText('{"a": [1, {"b": null}], "é": "😀"}');
    assert.deepEqual(r, { value: { a: [1, { b: null }], é: '😀' }, problems: [] });
  });

  it('reports invalid JSON with 1-based line and column, and no value', () => {
    const r = parseMetadataText('{\n  "a": 1,\n  "b": \n}');
    assert.equal(r.value, undefined);
    assert.deepEqual(r.problems[0], { message: 'Value expected', offset: 20, length: 1, line: 4, column: 1 });
    const t = parseMetadataText('{"a": 1,}');
    assert.equal(t.value, undefined);
    assert.ok(t.problems.length > 0);
    const c = parseMetadataText('{"a": 1 // note\n}');
    assert.equal(c.value, undefined);
    assert.match(c.problems[0].message, /Comments are not allowed/);
    assert.equal(parseMetadataText('').value, undefined);
    assert.equal(parseMetadataText('{"a":1} {"b":2}').value, undefined);
    assert.match(parseMetadataText('{"a": "x\ty"}').problems[0].message, /control characters/);
  });

  it('reports duplicate keys (at any depth) with their position; the last one wins', () => {
    const r = parseMetadataText('{"Patient": {"DICOM": {\n  "PatientName": "A",\n  "PatientName": "B"}}}');
    assert.deepEqual(r.value, { Patient: { DICOM: { PatientName: 'B' } } });
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0].line, 3);
    assert.equal(r.problems[0].column, 3);
    assert.match(r.problems[0].message, /Duplicate key "PatientName"/);
    assert.deepEqual(parseMetadataText('{"a": {"x": 1}, "b": {"x": 2}}').problems, []);
  });

  it('formats with two spaces and a final newline', () => {
    assert.equal(formatMetadata({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}\n');
  });

  it('finds a JSON pointer in the text', () => {
    const text = formatMetadata({ Study: { Series: { '1.2': { DICOM: { 'a/b~c': 1, L: ['x', 'y'] } } } } });
    const at = (p: string): string | undefined => {
      const r = findJsonPointerRange(text, p);
      return r && text.slice(r.offset, r.offset + r.length);
    };
    assert.equal(at('/Study/Series/1.2/DICOM/a~1b~0c'), '"a/b~c": 1');
    assert.equal(at('/Study/Series/1.2/DICOM/L/1'), '"y"');
    assert.equal(at(''), text.trimEnd());
    assert.equal(at('/Study/Nope'), undefined);
    assert.equal(at('/Study/Series/1.2/DICOM/L/2'), undefined);
    assert.equal(at('/Study/Series/1.2/DICOM/L/01'), undefined);
    assert.equal(at('no-slash'), undefined);
    const dup = '{"a": 1, "a": 2}';
    assert.deepEqual(findJsonPointerRange(dup, '/a'), { offset: 9, length: 6 });
  });

  it('answers from the right text when lookups alternate between texts', () => {
    const a = '{"x": {"y": 1}}';
    const b = '{"x":   {"y": [10, 20]}}';
    assert.deepEqual(findJsonPointerRange(a, '/x/y'), { offset: 7, length: 6 });
    assert.deepEqual(findJsonPointerRange(b, '/x/y'), { offset: 9, length: 13 });
    assert.deepEqual(findJsonPointerRange(a, '/x/y'), { offset: 7, length: 6 });
    assert.deepEqual(findJsonPointerRange(b, '/x/y/1'), { offset: 19, length: 2 });
    assert.equal(findJsonPointerRange(a, '/x/y/1'), undefined);
    assert.equal(findJsonPointerRange('{"x": {"y": 1', '/x/y'), undefined, 'unterminated object');
  });
});

describe('metadata text: layouts and locating an offset', () => {
  const doc = JSON.parse(readFileSync(resolve(__dirname, '../../../../test/fixtures/instance-attribute-change/original.json'), 'utf8'));

  it('compact writes each instance\'s DICOM, DICOMVRs and ImageFrames on one line, the rest expanded, and parses back the same', () => {
    const compact = formatMetadata(doc, 'compact');
    const expanded = formatMetadata(doc, 'expanded');
    assert.deepEqual(JSON.parse(compact), doc);
    assert.equal(expanded, JSON.stringify(doc, null, 2) + '\n');
    assert.ok(compact.endsWith('}\n'));
    assert.match(compact, /\n {12}"DICOM": \{"SOPClassUID":"1\.2\.840\.10008\.5\.1\.4\.1\.1\.2","SOPInstanceUID":/);
    assert.match(compact, /\n {12}"DICOMVRs": \{"00091001":"LO"\},\n/);
    assert.match(compact, /\n {12}"ImageFrames": \[\{"ID":/);
    assert.match(compact, /\n {4}"DICOM": \{\n {6}"PatientName": "DOE\^JANE",/, 'Patient stays expanded');
    assert.match(compact, /\n {8}"DICOM": \{\n {10}"SeriesInstanceUID"/, 'Series DICOM stays expanded');
    assert.ok(compact.split('\n').length < expanded.split('\n').length - 40);
    assert.equal(formatMetadata([1], 'compact'), '[\n  1\n]\n');
  });

  it('counts the expanded text without writing it, and auto picks compact only above the limits', () => {
    const text = formatMetadata(doc);
    assert.deepEqual(expandedTextSize(doc), { lines: text.split('\n').length, chars: text.length });
    for (const v of [{}, [], { a: [] }, { a: { b: [1, 'x"y', null, true] } }, 'é', 1.5]) {
      const t = formatMetadata(v);
      assert.deepEqual(expandedTextSize(v), { lines: t.split('\n').length, chars: t.length }, JSON.stringify(v));
    }
    assert.equal(chooseLayout(doc), 'expanded');
    assert.equal(chooseLayout(doc, 'compact'), 'compact');
    const big = { Study: { Series: { s: { Instances: Object.fromEntries(Array.from({ length: AUTO_COMPACT_LINES / 4 }, (_, i) => [String(i), { DICOM: { a: 1 } }])) } } } };
    assert.equal(chooseLayout(big), 'compact');
    assert.equal(chooseLayout(big, 'expanded'), 'expanded');
  });

  it('locates keys, values and the space between members, also in text that is being typed', () => {
    const text = '{"Patient": {"DICOM": {"PatientName": "A", "PatientSex": "F"}}, "Study": {"x": [1, {"y": 2}]}}';
    const at = (needle: string, delta = 1) => locateAt(text, text.indexOf(needle) + delta)!;
    assert.deepEqual({ ...at('"PatientName"') }, { path: ['Patient', 'DICOM'], container: { offset: 22, type: 'object' }, on: 'key', key: 'PatientName', keyRange: { offset: 23, length: 13 } });
    assert.equal(at('"F"').on, 'value');
    assert.equal(at('"F"').key, 'PatientSex');
    assert.deepEqual(at('"y"').path, ['Study', 'x', '1']);
    assert.equal(at('1,', 0).index, 0);
    assert.equal(at(', "PatientSex"', 1).on, 'none');
    const typing = '{"Patient": {"DICOM": {\n  "PatientName": "A",\n  "Pat\n}}}';
    const t = locateAt(typing, typing.indexOf('"Pat\n') + 4)!;
    assert.equal(t.on, 'key');
    assert.equal(t.key, 'Pat');
    assert.deepEqual(t.path, ['Patient', 'DICOM']);
    assert.deepEqual(objectKeysAt(typing, typing.indexOf('{\n')), ['PatientName', 'Pat']);
    const noColon = '{"Patient": {"DICOM": {"PatientName": "A", "Sex"}}}';
    assert.equal(locateAt(noColon, noColon.indexOf('"Sex"') + 2)!.key, 'Sex');
    const noValue = '{"Patient": {"DICOM": {"PatientSex": }}}';
    assert.equal(locateAt(noValue, noValue.indexOf(': }') + 2)!.on, 'value');
    assert.equal(locateAt('', 0), undefined);
    assert.equal(locateAt('{}', 5), undefined);
  });
});
