// Golden cases: test/fixtures/<case>/original.json + edited.json (+ options.json) must give
// exactly expected.json, and every plan that may be sent must apply back to the edited document.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DEFAULT_SPLIT_ATTRIBUTE_BYTES,
  MetadataUpdatePlan,
  applyMetadataUpdate,
  checkMetadataUpdate,
  computeMetadataUpdate,
  rekeyChangedUids,
} from '../../../src/core/metadataUpdate';

const root = resolve(__dirname, '../../../..');
const fixtures = join(root, 'test/fixtures');

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** String values of DICOM attributes (not UIDs, which are identifiers), at any depth. */
function attributeValues(v: unknown, key = '', out: Set<string> = new Set()): Set<string> {
  if (typeof v === 'string') {
    if (!/UID$/.test(key) && v.length >= 4) out.add(v);
  } else if (Array.isArray(v)) v.forEach((x) => attributeValues(x, key, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) attributeValues(x, k, out);
  return out;
}

function sortReasons(rs: { path: string; reason: string }[]): string[] {
  return rs.map((r) => `${r.path} | ${r.reason}`).sort();
}

describe('golden fixtures (test/fixtures)', () => {
  const cases = readdirSync(fixtures).filter((d) => existsSync(join(fixtures, d, 'expected.json'))).sort();

  it('cover every documented AWS CLI example, each refusal and each force reason', () => {
    for (const name of [
      'cli-1-patient-update', 'cli-2-study-update', 'cli-3-attribute-removal', 'cli-4-instance-removal-force',
      'cli-5-private-tag-added-with-vr-force', 'cli-6-private-tag-updated-force', 'cli-7-sop-instance-uid-changed-force',
      'force-series-removal', 'force-multi-valued', 'force-sequence', 'force-vr-date-format', 'force-not-a-keyword',
      'force-study-instance-uid', 'force-series-instance-uid-rekeyed', 'force-study-id', 'force-private-tag-removed',
      'refused-schema-version', 'refused-datastore-id', 'refused-image-set-id', 'refused-image-frames',
      'refused-stored-transfer-syntax', 'refused-checksum-type', 'refused-new-series', 'refused-new-instance',
      'refused-renamed-series-key', 'refused-renamed-instance-key', 'refused-outside-hierarchy', 'refused-wrong-level',
      'refused-private-tag-without-vr', 'refused-too-large-attribute', 'refused-primary-force',
      'refused-primary-patient-and-series-level', 'split-for-size', 'force-standard-element-keyed-by-tag',
      'force-private-vr-changed', 'refused-invalid-vr-in-dicomvrs', 'refused-container-removed-as-a-whole',
      'refused-duplicate-sop-instance-uid', 'force-vr-code-string', 'force-vr-length-and-charset',
    ]) assert.ok(cases.includes(name), `missing fixture ${name}`);
  });

  for (const name of cases) {
    it(name, () => {
      const dir = join(fixtures, name);
      const original = readJson(join(dir, 'original.json'));
      const edited = readJson(join(dir, 'edited.json'));
      const options = existsSync(join(dir, 'options.json')) ? readJson(join(dir, 'options.json')) as { maxAttributeBytes?: number; isPrimary?: boolean } : undefined;
      const expected = readJson(join(dir, 'expected.json')) as MetadataUpdatePlan;
      const originalText = JSON.stringify(original);
      const editedText = JSON.stringify(edited);

      const plan = computeMetadataUpdate(original, edited, options);
      assert.deepStrictEqual(plan, expected);
      // Reasons may be logged and shown: they name attributes and ids, never metadata values.
      const values = attributeValues([(original as { Patient?: unknown }).Patient, (original as { Study?: unknown }).Study,
        (edited as { Patient?: unknown }).Patient, (edited as { Study?: unknown }).Study]);
      for (const r of [...plan.forceReasons, ...plan.refused]) {
        for (const v of values) assert.ok(!r.reason.includes(v), `reason quotes a value: ${r.reason}`);
      }
      assert.equal(JSON.stringify(original), originalText, 'original not mutated');
      assert.equal(JSON.stringify(edited), editedText, 'edited not mutated');

      if (plan.refused.length > 0) {
        assert.deepEqual(plan.updates, []);
        return;
      }
      // Apply in order: the service's view of the document equals the edit (re-keyed UIDs).
      const limit = options?.maxAttributeBytes ?? DEFAULT_SPLIT_ATTRIBUTE_BYTES;
      let doc: unknown = original;
      const checked: { path: string; reason: string }[] = [];
      for (const update of plan.updates) {
        for (const blob of [update.updatableAttributes, update.removableAttributes]) {
          if (blob) assert.ok(Buffer.byteLength(JSON.stringify(blob)) <= limit, 'each blob within the limit');
        }
        const verdict = checkMetadataUpdate(doc, update, { isPrimary: options?.isPrimary });
        assert.deepEqual(verdict.refused, []);
        checked.push(...verdict.forceReasons);
        doc = applyMetadataUpdate(doc, update);
      }
      assert.deepStrictEqual(doc, rekeyChangedUids(original, edited));
      assert.deepEqual(sortReasons(checked), sortReasons(plan.forceReasons), 'checkMetadataUpdate agrees on force');
    });
  }
});
