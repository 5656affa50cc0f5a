import assert from 'node:assert/strict';
import { findJsonPointerRange, formatMetadata, parseMetadataText } from '../../../src/core/metadataText';

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
