// Property: for every allowed edit of a generated metadata document, applying the plan's updates
// in order to the original gives the edited document (series/instances whose UID changed listed
// under the new UID); every attribute blob is within the size limit; checkMetadataUpdate, run
// on each request against the document it applies to, refuses nothing and names the same force
// reasons as the plan.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyMetadataUpdate,
  checkMetadataUpdate,
  computeMetadataUpdate,
  rekeyChangedUids,
} from '../../../src/core/metadataUpdate';

type Obj = Record<string, unknown>;

const RUNS = 10_000;

const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '^', '.', 'é', 'ü', 'ß', '山', '田', 'Ж', '😀', '\u00a0', '"', '\\'), maxLength: 12 });
const scalar = fc.oneof(text, fc.constant(null), fc.integer({ min: 0, max: 70000 }).map(String), fc.constantFrom('20240101', '2024-01-01', 'CT', 'DERIVED'));
const multi = fc.array(fc.constantFrom('ORIGINAL', 'PRIMARY', 'AXIAL', 'DERIVED', 'x y'), { maxLength: 3 });
const item = fc.dictionary(fc.constantFrom('ReferencedSOPClassUID', 'ReferencedSOPInstanceUID', 'CodeValue', 'CodeMeaning'), fc.oneof(text, fc.constant(null)), { maxKeys: 3 });
const sequence = fc.array(item, { maxLength: 2 });
const value = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: multi }, { weight: 1, arbitrary: sequence });

const POOLS: Record<string, string[]> = {
  patient: ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'PatientComments', 'OtherPatientIDsSequence', 'EthnicGroup'],
  study: ['StudyInstanceUID', 'StudyID', 'StudyDescription', 'AccessionNumber', 'StudyDate', 'ReferringPhysicianName', 'ProcedureCodeSequence', 'PatientAge'],
  series: ['Modality', 'SeriesDescription', 'SeriesNumber', 'SoftwareVersions', 'ProtocolName', 'BodyPartExamined', 'RelatedSeriesSequence'],
  instance: ['InstanceNumber', 'ImageType', 'ImageComments', 'ReferencedImageSequence', 'WindowCenter', 'Rows', 'AcquisitionDate', 'ContentTime'],
};
const PRIVATE_TAGS = ['00091001', '00091010', '001910F9', '00291010', '7FD10010'];
const VRS = ['LO', 'DS', 'SH', 'UN', 'SQ', 'OB'];

const attrs = (level: string) => fc.dictionary(fc.constantFrom(...POOLS[level]), value, { maxKeys: 4 });

/** A document with 1-3 series of 1-3 instances, private tags with VRs, sequences, nulls. */
const documentArb = fc.record({
  patient: attrs('patient'),
  study: attrs('study'),
  series: fc.array(fc.record({
    dicom: attrs('series'),
    instances: fc.array(fc.record({
      dicom: attrs('instance'),
      privates: fc.dictionary(fc.constantFrom(...PRIVATE_TAGS), fc.tuple(fc.constantFrom(...VRS), fc.oneof(text, fc.constant(null))), { maxKeys: 2 }),
    }), { minLength: 1, maxLength: 3 }),
  }), { minLength: 1, maxLength: 3 }),
}).map((g) => {
  let n = 0;
  const series: Obj = {};
  for (const s of g.series) {
    const suid = `1.2.826.0.1.${++n}`;
    const instances: Obj = {};
    for (const i of s.instances) {
      const iuid = `1.2.826.0.1.${++n}`;
      const dicom: Obj = { SOPInstanceUID: iuid, ...i.dicom };
      const vrs: Obj = {};
      for (const [tag, [vr, v]] of Object.entries(i.privates)) { dicom[tag] = v; vrs[tag] = vr; }
      instances[iuid] = {
        DICOM: dicom, DICOMVRs: vrs, StoredTransferSyntaxUID: '1.2.840.10008.1.2.4.202', ChecksumType: 'DECOMPRESSED',
        ImageFrames: [{ ID: `f${n}`, PixelDataChecksumFromBaseToFullResolution: [{ Width: 8, Height: 8, Checksum: n }], MinPixelValue: 0, MaxPixelValue: 9, FrameSizeInBytes: 64 }],
      };
    }
    series[suid] = { DICOM: { SeriesInstanceUID: suid, ...s.dicom }, Instances: instances };
  }
  // Through JSON, as documents arrive (plain prototypes, no undefined).
  return JSON.parse(JSON.stringify({
    SchemaVersion: '1.1', DatastoreID: 'd'.repeat(32), ImageSetID: 'e'.repeat(32),
    Patient: { DICOM: g.patient }, Study: { DICOM: { StudyInstanceUID: '1.2.826.0.1', ...g.study }, Series: series },
  })) as Obj;
});

type Edit =
  | { op: 'set'; level: number; pick: number; key: number; value: unknown }
  | { op: 'delete'; level: number; pick: number; key: number }
  | { op: 'addPrivate'; pick: number; tag: number; vr: number; value: unknown }
  | { op: 'newUid'; series: boolean; pick: number }
  | { op: 'removeInstance'; pick: number }
  | { op: 'removeSeries'; pick: number }
  | { op: 'reorder'; pick: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), level: fc.nat(3), pick: fc.nat(), key: fc.nat(), value }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), level: fc.nat(3), pick: fc.nat(), key: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('addPrivate' as const), pick: fc.nat(), tag: fc.nat(), vr: fc.nat(), value: fc.oneof(text, fc.constant(null)) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('newUid' as const), series: fc.boolean(), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('removeInstance' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('removeSeries' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reorder' as const), pick: fc.nat() }) },
);

function seriesOf(doc: Obj): Obj { return (doc.Study as Obj).Series as Obj; }
function instancesOf(doc: Obj): Obj[] {
  const out: Obj[] = [];
  for (const s of Object.values(seriesOf(doc))) for (const i of Object.values((s as Obj).Instances as Obj)) out.push(i as Obj);
  return out;
}
function dicomAt(doc: Obj, level: number, pick: number): { map: Obj; level: string } | undefined {
  if (level === 0) return { map: (doc.Patient as Obj).DICOM as Obj, level: 'patient' };
  if (level === 1) return { map: (doc.Study as Obj).DICOM as Obj, level: 'study' };
  if (level === 2) {
    const ss = Object.values(seriesOf(doc));
    return ss.length ? { map: (ss[pick % ss.length] as Obj).DICOM as Obj, level: 'series' } : undefined;
  }
  const is = instancesOf(doc);
  return is.length ? { map: is[pick % is.length].DICOM as Obj, level: 'instance' } : undefined;
}

let uidCounter = 0;
/** Values as JSON.parse makes them (generated objects have null prototypes). */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v));
}
function applyEdit(doc: Obj, e: Edit): void {
  switch (e.op) {
    case 'set': {
      const at = dicomAt(doc, e.level, e.pick);
      if (!at) return;
      const pool = POOLS[at.level].filter((k) => k !== 'StudyInstanceUID');
      at.map[pool[e.key % pool.length]] = plain(e.value);
      return;
    }
    case 'delete': {
      const at = dicomAt(doc, e.level, e.pick);
      if (!at) return;
      const keys = Object.keys(at.map).filter((k) => k !== 'SOPInstanceUID' && k !== 'SeriesInstanceUID');
      if (keys.length) delete at.map[keys[e.key % keys.length]];
      return;
    }
    case 'addPrivate': {
      const is = instancesOf(doc);
      if (!is.length) return;
      const inst = is[e.pick % is.length];
      const tag = PRIVATE_TAGS[e.tag % PRIVATE_TAGS.length];
      (inst.DICOM as Obj)[tag] = plain(e.value);
      if (!((inst.DICOMVRs as Obj)[tag])) (inst.DICOMVRs as Obj)[tag] = VRS[e.vr % VRS.length];
      return;
    }
    case 'newUid': {
      const uid = `2.25.${++uidCounter}`;
      if (e.series) {
        const ss = Object.values(seriesOf(doc));
        if (ss.length) ((ss[e.pick % ss.length] as Obj).DICOM as Obj).SeriesInstanceUID = uid;
      } else {
        const is = instancesOf(doc);
        if (is.length) (is[e.pick % is.length].DICOM as Obj).SOPInstanceUID = uid;
      }
      return;
    }
    case 'removeInstance': {
      for (const s of Object.values(seriesOf(doc))) {
        const inst = (s as Obj).Instances as Obj;
        const keys = Object.keys(inst);
        if (keys.length) { delete inst[keys[e.pick % keys.length]]; return; }
      }
      return;
    }
    case 'removeSeries': {
      const keys = Object.keys(seriesOf(doc));
      if (keys.length) delete seriesOf(doc)[keys[e.pick % keys.length]];
      return;
    }
    case 'reorder': {
      const at = dicomAt(doc, 3, e.pick);
      if (!at) return;
      const entries = Object.entries(at.map).reverse();
      for (const k of Object.keys(at.map)) delete at.map[k];
      for (const [k, v] of entries) at.map[k] = v;
      return;
    }
  }
}

function reasons(rs: { path: string; reason: string }[]): string[] {
  return rs.map((r) => `${r.path} | ${r.reason}`).sort();
}

describe('computeMetadataUpdate round trip (property)', () => {
  it(`applying the plan to the original gives the edit, for ${RUNS} generated documents and edits`, () => {
    // What the generated cases exercised, so the property cannot pass vacuously.
    const seen = { primaryRefused: 0, tooLarge: 0, split: 0, forced: 0, removal: 0, rekeyed: 0, unchanged: 0, nonAscii: 0 };
    fc.assert(fc.property(
      documentArb, fc.array(editArb, { minLength: 0, maxLength: 10 }), fc.oneof(fc.constant(10_000), fc.integer({ min: 250, max: 800 })),
      (original, edits, limit) => {
        const edited = structuredClone(original);
        for (const e of edits) applyEdit(edited, e);
        const frozen = JSON.stringify(original);
        const plan = computeMetadataUpdate(original, edited, { maxAttributeBytes: limit });
        if (limit < 10_000 && plan.refused.length > 0) {
          // A small limit may be below a single attribute: that, and only that, is refused.
          for (const r of plan.refused) assert.match(r.reason, /is too large for one update/);
          assert.deepEqual(plan.updates, []);
          seen.tooLarge++;
          return;
        }
        assert.deepEqual(plan.refused, []);
        assert.equal(plan.force, plan.forceReasons.length > 0);
        let doc: unknown = original;
        const checked: { path: string; reason: string }[] = [];
        for (const update of plan.updates) {
          for (const blob of [update.updatableAttributes, update.removableAttributes]) {
            if (blob) assert.ok(Buffer.byteLength(JSON.stringify(blob), 'utf8') <= limit, 'blob within the size limit');
          }
          const verdict = checkMetadataUpdate(doc, update);
          assert.deepEqual(verdict.refused, []);
          checked.push(...verdict.forceReasons);
          doc = applyMetadataUpdate(doc, update);
        }
        assert.deepStrictEqual(doc, rekeyChangedUids(original, edited));
        assert.deepEqual(reasons(checked), reasons(plan.forceReasons));
        assert.equal(JSON.stringify(original), frozen, 'original not mutated');
        // The same edit on a primary image set: refused exactly when it needs force or touches
        // the Patient or Series level; otherwise the same requests, without force.
        const primary = computeMetadataUpdate(original, edited, { maxAttributeBytes: limit, isPrimary: true });
        const touchesPatientOrSeries = plan.updates.some((u) => [u.updatableAttributes, u.removableAttributes].some((b) => {
          const blob = b as Obj | undefined;
          if (!blob) return false;
          if (blob.Patient) return true;
          const series = (blob.Study as Obj | undefined)?.Series as Obj | undefined;
          return !!series && Object.values(series).some((x) => Object.keys(x as Obj).length === 0 || !!(x as Obj).DICOM);
        }));
        if (plan.force || touchesPatientOrSeries) {
          assert.ok(primary.refused.length > 0);
          assert.deepEqual(primary.updates, []);
          seen.primaryRefused++;
        } else {
          assert.deepEqual(primary, plan);
        }
        assert.equal(primary.force, false);
        if (edits.length === 0) assert.deepEqual(plan.updates, []);
        if (plan.updates.length > 1) seen.split++;
        if (plan.force) seen.forced++;
        if (plan.updates.some((u) => u.removableAttributes)) seen.removal++;
        if (rekeyChangedUids(original, edited) !== edited) seen.rekeyed++;
        if (plan.updates.length === 0) seen.unchanged++;
        if (plan.updates.some((u) => /[^ -~]/.test(JSON.stringify(u)))) seen.nonAscii++;
      },
    ), { numRuns: RUNS });
    for (const [what, n] of Object.entries(seen)) if (what !== 'tooLarge') assert.ok(n >= RUNS / 100, `only ${n} cases with ${what}`);
    assert.ok(seen.tooLarge < RUNS / 10, `${seen.tooLarge} cases refused for size`);
  });
});
