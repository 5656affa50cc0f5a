// Property: for every allowed edit of a generated metadata document, applying the plan's updates
// in order to the original gives the edited document (series/instances whose UID changed listed
// under the new UID); every attribute blob is within the size limit; checkMetadataUpdate, run
// on each request against the document it applies to, refuses nothing and names the same force
// reasons as the plan. What the plan refuses is checked independently: a change called too large
// really weighs more than the limit (its blob is rebuilt and measured here), and a UID change is
// refused as a duplicate exactly when the new UID is already taken (the generator sometimes reuses
// an existing UID).
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
  | { op: 'newUid'; series: boolean; pick: number; reuse: number | null }
  | { op: 'removeInstance'; pick: number }
  | { op: 'removeSeries'; pick: number }
  | { op: 'reorder'; pick: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), level: fc.nat(3), pick: fc.nat(), key: fc.nat(), value }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), level: fc.nat(3), pick: fc.nat(), key: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('addPrivate' as const), pick: fc.nat(), tag: fc.nat(), vr: fc.nat(), value: fc.oneof(text, fc.constant(null)) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('newUid' as const), series: fc.boolean(), pick: fc.nat(), reuse: fc.option(fc.nat(), { freq: 3 }) }) },
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
      // A fresh UID, or (reuse) the UID another series / instance of the image set is listed under.
      const taken = e.series ? Object.keys(seriesOf(doc)) : Object.values(seriesOf(doc)).flatMap((s) => Object.keys((s as Obj).Instances as Obj));
      const uid = e.reuse !== null && taken.length ? taken[e.reuse % taken.length] : `2.25.${++uidCounter}`;
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

// ---------------------------------------------------------------------------------------------
// Independent oracles for what the plan refuses.

const TOO_LARGE = /is too large for one update: it takes (\d+) bytes of (updatableAttributes|removableAttributes), over the limit of (\d+) bytes\.$/;
const DUPLICATE = /^The new (SOPInstanceUID|SeriesInstanceUID) is already used by another (instance|series) of this image set/;

function segmentsOf(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
function at(doc: unknown, segs: readonly string[]): { found: boolean; value: unknown } {
  let v: unknown = doc;
  for (const s of segs) {
    if (!v || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, s)) return { found: false, value: undefined };
    v = (v as Obj)[s];
  }
  return { found: true, value: v };
}
/** How the edit changes the item at `segs`: sent as an update, as a removal, or not at all. */
function changeKind(original: unknown, edited: unknown, segs: readonly string[]): 'updatableAttributes' | 'removableAttributes' | undefined {
  const before = at(original, segs);
  const after = at(edited, segs);
  if (after.found && (!before.found || JSON.stringify(before.value) !== JSON.stringify(after.value))) return 'updatableAttributes';
  if (before.found && !after.found) return 'removableAttributes';
  return undefined;
}
/** Puts `value` at `segs` under `blob`, making the objects on the way. */
function put(blob: Obj, segs: readonly string[], value: unknown): void {
  let o = blob;
  for (const s of segs.slice(0, -1)) o = (o[s] ??= {}) as Obj;
  o[segs[segs.length - 1]] = value;
}
/**
 * The UTF-8 bytes of the smallest blob of kind `blob` that can carry the change at `pointer`:
 * SchemaVersion, the path, the value (the edited one for an update, the original one for a
 * removed attribute, {} for a removed series or instance); a private tag and its DICOMVRs entry
 * travel together (README "Size").
 */
function smallestBlobBytes(original: unknown, edited: unknown, pointer: string, blob: 'updatableAttributes' | 'removableAttributes'): number {
  const segs = segmentsOf(pointer);
  const out: Obj = { SchemaVersion: 1.1 };
  const parts = [segs];
  const n = segs.length;
  if (n >= 2 && (segs[n - 2] === 'DICOM' || segs[n - 2] === 'DICOMVRs') && /^[0-9A-Fa-f]{3}[13579BDFbdf][0-9A-Fa-f]{4}$/.test(segs[n - 1])) {
    parts.push([...segs.slice(0, n - 2), segs[n - 2] === 'DICOM' ? 'DICOMVRs' : 'DICOM', segs[n - 1]]);
  }
  for (const p of parts) {
    if (changeKind(original, edited, p) !== blob) continue;
    // A removed series or instance is sent as {} (README "What goes into the payload").
    const wholeItem = (p.length === 3 && p[1] === 'Series') || (p.length === 5 && p[3] === 'Instances');
    put(out, p, blob === 'removableAttributes' ? (wholeItem ? {} : at(original, p).value) : at(edited, p).value);
  }
  return Buffer.byteLength(JSON.stringify(out), 'utf8');
}

/** A UID change the edit makes: the series / instance keyed `key` now says `to` (non-empty, not its key, changed). */
function uidChanges(original: Obj, edited: Obj, series: boolean): { key: string; to: string }[] {
  const out: { key: string; to: string }[] = [];
  const oSeries = seriesOf(original);
  for (const [s, es] of Object.entries(seriesOf(edited))) {
    const os = oSeries[s] as Obj | undefined;
    if (!os) continue;
    const pairs: [string, Obj, Obj][] = series
      ? [[s, (es as Obj).DICOM as Obj, os.DICOM as Obj]]
      : Object.entries((es as Obj).Instances as Obj).filter(([i]) => (os.Instances as Obj)[i]).map(([i, x]) => [i, (x as Obj).DICOM as Obj, ((os.Instances as Obj)[i] as Obj).DICOM as Obj]);
    const keyword = series ? 'SeriesInstanceUID' : 'SOPInstanceUID';
    for (const [key, e, o] of pairs) {
      const to = e[keyword];
      if (typeof to === 'string' && to !== '' && to !== key && to !== o[keyword]) out.push({ key, to });
    }
  }
  return out;
}
/** Would the edit list two series (two instances of the image set) under one UID? A new UID that another
 *  series (instance) is still listed under in the edited document, or that two changes both choose. */
function makesDuplicateUid(original: Obj, edited: Obj): boolean {
  for (const series of [true, false]) {
    const listed = new Set(series ? Object.keys(seriesOf(edited)) : Object.values(seriesOf(edited)).flatMap((s) => Object.keys((s as Obj).Instances as Obj)));
    const chosen = new Set<string>();
    for (const c of uidChanges(original, edited, series)) {
      if (listed.has(c.to) || chosen.has(c.to)) return true;
      chosen.add(c.to);
    }
  }
  return false;
}

describe('computeMetadataUpdate round trip (property)', () => {
  it(`applying the plan to the original gives the edit, for ${RUNS} generated documents and edits`, () => {
    // What the generated cases exercised, so the property cannot pass vacuously.
    // (tooLarge and duplicateUid count refusals, checked against the oracles above.)
    const seen = { primaryRefused: 0, tooLarge: 0, refusedForSize: 0, duplicateUid: 0, split: 0, forced: 0, removal: 0, rekeyed: 0, unchanged: 0, nonAscii: 0 };
    fc.assert(fc.property(
      documentArb, fc.array(editArb, { minLength: 0, maxLength: 10 }),
      // The default limit, limits that split plans, and limits around the size of one change (so some are refused for size).
      fc.oneof({ weight: 4, arbitrary: fc.constant(10_000) }, { weight: 4, arbitrary: fc.integer({ min: 250, max: 800 }) }, { weight: 1, arbitrary: fc.integer({ min: 60, max: 250 }) }),
      (original, edits, limit) => {
        const edited = structuredClone(original);
        for (const e of edits) applyEdit(edited, e);
        const frozen = JSON.stringify(original);
        const plan = computeMetadataUpdate(original, edited, { maxAttributeBytes: limit });
        const duplicate = makesDuplicateUid(original, edited);
        if (plan.refused.length > 0) {
          // Only two refusals are possible here: a change over the limit (every one of them truly
          // over it, weighed here) and a UID already taken (exactly when the edit makes one).
          assert.deepEqual(plan.updates, []);
          for (const r of plan.refused) {
            const large = TOO_LARGE.exec(r.reason);
            if (large) {
              const [, stated, blob, statedLimit] = large;
              assert.equal(Number(statedLimit), limit);
              const weighed = smallestBlobBytes(original, edited, r.path, blob as 'updatableAttributes' | 'removableAttributes');
              assert.equal(Number(stated), weighed, `${r.path}: the stated size is the size of its blob`);
              assert.ok(weighed > limit, `${r.path}: ${weighed} bytes is not over the limit of ${limit}`);
              seen.tooLarge++;
            } else {
              assert.match(r.reason, DUPLICATE);
              assert.ok(duplicate, `${r.path}: refused as a duplicate UID, but no two series or instances share one`);
              seen.duplicateUid++;
            }
          }
          assert.ok(!duplicate || plan.refused.some((r) => DUPLICATE.test(r.reason)), 'a duplicate UID is refused');
          if (plan.refused.some((r) => TOO_LARGE.test(r.reason))) seen.refusedForSize++;
          return;
        }
        assert.ok(!duplicate, 'a duplicate UID is refused');
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
    for (const [what, n] of Object.entries(seen)) assert.ok(n >= RUNS / 100, `only ${n} cases with ${what}`);
    assert.ok(seen.refusedForSize < RUNS / 5, `${seen.refusedForSize} plans refused for size: too few round trips`);
  });
});
