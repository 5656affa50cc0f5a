// computeMetadataUpdate: walks the original and the edited document once, side by side, and
// turns every difference into payload entries plus the reasons it needs force or is refused;
// then packs the entries into as few requests as the size limit allows.
// Identical subtrees are skipped by reference first, then by a structural comparison that stops
// at the first difference; nothing is cloned.

import { MetadataLevel, elementByTag, isTagKey } from './dicomDictionary';
import { JsonObject, hasOwn, isObject, keyCount, sameJson, setOwn, toPointer, utf8Length } from './json';
import type { ComputeOptions, MetadataUpdate, MetadataUpdatePlan } from './metadataUpdate';
import {
  DEFAULT_MAX_ATTRIBUTE_BYTES,
  IMMUTABLE_INSTANCE_KEYS,
  IMMUTABLE_ROOT_KEYS,
  PathReason,
  Verdict,
  duplicateUidReason,
  immutableInstanceReason,
  immutableRootReason,
  instanceRemovalReason,
  judgeAttributeChange,
  judgeVrEntryChange,
  newUid,
  notAnObjectReason,
  outsideHierarchyReason,
  PAYLOAD_SCHEMA_VERSION,
  renamedInstanceReason,
  renamedSeriesReason,
  seriesRemovalReason,
  tooLargeReason,
  unknownInstanceReason,
  unknownSeriesReason,
  verdictFor,
} from './updateRules';

type Kind = 'update' | 'remove';

/** One entry of a payload: `key: value` inside the object at `container`. */
interface Atom {
  kind: Kind;
  container: readonly string[];
  key: string;
  value: unknown;
  bytes: number;
}

/** Atoms that must travel in the same request (a private tag and its DICOMVRs entry). */
interface Unit {
  atoms: Atom[];
  /** 0: ordinary; 1: changes a SOP Instance UID; 2: changes a Series Instance UID. Re-keying
   *  changes go last so that every other entry still addresses the old key. */
  order: number;
  path: string;
  key: string;
}

class Planner {
  readonly forceReasons: PathReason[] = [];
  readonly refused: PathReason[] = [];
  readonly units: Unit[] = [];
  /** Series / instances whose UID the edit changes (they will be listed under `to`). */
  readonly uidChanges: { series: boolean; to: string; path: string }[] = [];
  private readonly groups = new Map<string, Unit>();

  constructor(readonly isPrimary: boolean) {}

  verdict(path: string, v: Verdict, level: MetadataLevel | undefined): void {
    const { force, refuse } = verdictFor(v, level, this.isPrimary);
    for (const reason of refuse) this.refused.push({ path, reason });
    for (const reason of force) this.forceReasons.push({ path, reason });
  }

  refuse(path: string, reason: string): void {
    this.refused.push({ path, reason });
  }

  atom(kind: Kind, container: readonly string[], key: string, value: unknown, path: string, group?: string, order = 0): void {
    const a: Atom = { kind, container, key, value, bytes: -1 };
    if (group !== undefined) {
      const u = this.groups.get(group);
      if (u) {
        u.atoms.push(a);
        if (order > u.order) u.order = order;
        return;
      }
    }
    const unit: Unit = { atoms: [a], order, path, key };
    this.units.push(unit);
    if (group !== undefined) this.groups.set(group, unit);
  }
}

function ptr(segs: readonly string[], key?: string): string {
  return key === undefined ? toPointer(segs) : toPointer([...segs, key]);
}

/** Diffs two DICOM (attribute) maps at one level. */
function diffAttributes(
  p: Planner, level: MetadataLevel, o: JsonObject, e: JsonObject, segs: readonly string[],
  instanceGroup?: string, vrOfTag?: (tag: string) => string | undefined, seriesOrInstanceKey?: string,
): void {
  let matched = 0;
  for (const key in e) {
    if (!hasOwn(e, key)) continue;
    const after = e[key];
    const existed = hasOwn(o, key);
    let before: unknown;
    if (existed) {
      matched++;
      before = o[key];
      if (before === after || sameJson(before, after)) continue;
    }
    const path = ptr(segs, key);
    p.verdict(path, judgeAttributeChange({ level, key, existed, before, present: true, after, vrOfTag }), level);
    let order = 0;
    if (seriesOrInstanceKey !== undefined) {
      const uidKind = level === 'instance' && key === 'SOPInstanceUID' ? 1 : level === 'series' && key === 'SeriesInstanceUID' ? 2 : 0;
      const to = uidKind ? newUid(e, key, seriesOrInstanceKey) : undefined;
      if (to !== undefined) {
        order = uidKind;
        p.uidChanges.push({ series: uidKind === 2, to, path });
      }
    }
    const group = instanceGroup !== undefined && isTagKey(key) && !elementByTag(key) ? `${instanceGroup}\u0001${key}` : undefined;
    p.atom('update', segs, key, after, path, group, order);
  }
  if (matched === keyCount(o)) return;
  for (const key in o) {
    if (!hasOwn(o, key) || hasOwn(e, key)) continue;
    const path = ptr(segs, key);
    p.verdict(path, judgeAttributeChange({ level, key, existed: true, before: o[key], present: false, after: undefined, vrOfTag }), level);
    const group = instanceGroup !== undefined && isTagKey(key) && !elementByTag(key) ? `${instanceGroup}\u0001${key}` : undefined;
    p.atom('remove', segs, key, o[key], path, group);
  }
}

function diffVrs(p: Planner, o: JsonObject, e: JsonObject, segs: readonly string[], instanceGroup: string, tagChanged: (tag: string) => boolean): void {
  const judge = (tag: string, existed: boolean, present: boolean, after: unknown): Verdict => {
    const v = judgeVrEntryChange(tag, existed, present, after);
    return tagChanged(tag) ? { force: [], refuse: v.refuse } : v;
  };
  for (const tag in e) {
    if (!hasOwn(e, tag)) continue;
    const existed = hasOwn(o, tag);
    if (existed && sameJson(o[tag], e[tag])) continue;
    const path = ptr(segs, tag);
    p.verdict(path, judge(tag, existed, true, e[tag]), 'instance');
    p.atom('update', segs, tag, e[tag], path, `${instanceGroup}\u0001${tag}`);
  }
  for (const tag in o) {
    if (!hasOwn(o, tag) || hasOwn(e, tag)) continue;
    const path = ptr(segs, tag);
    p.verdict(path, judge(tag, true, false, undefined), 'instance');
    p.atom('remove', segs, tag, o[tag], path, `${instanceGroup}\u0001${tag}`);
  }
}

/**
 * Pairs a container (DICOM map, Series map, ...) of the original with the edited one.
 * Returns undefined when there is nothing to diff (refusal recorded if needed).
 */
function pair(p: Planner, o: unknown, e: unknown, path: string, what: string): [JsonObject, JsonObject] | undefined {
  if (e === undefined) {
    if (o !== undefined) p.refuse(path, `${what} cannot be removed as a whole; remove what it contains one item at a time.`);
    return undefined;
  }
  if (!isObject(e)) {
    p.refuse(path, notAnObjectReason(what));
    return undefined;
  }
  return [isObject(o) ? o : {}, e];
}

/** Keys other than the known ones in an object pair: must be unchanged. */
function otherKeys(p: Planner, o: JsonObject, e: JsonObject, segs: readonly string[], known: ReadonlySet<string>, reasonFor: (key: string) => string): void {
  for (const key in e) {
    if (!hasOwn(e, key) || known.has(key)) continue;
    if (hasOwn(o, key) && sameJson(o[key], e[key])) continue;
    p.refuse(ptr(segs, key), reasonFor(key));
  }
  for (const key in o) {
    if (!hasOwn(o, key) || known.has(key) || hasOwn(e, key)) continue;
    p.refuse(ptr(segs, key), reasonFor(key));
  }
}

const PATIENT_KEYS = new Set(['DICOM']);
const STUDY_KEYS = new Set(['DICOM', 'Series']);
const SERIES_KEYS = new Set(['DICOM', 'Instances']);
const INSTANCE_KEYS = new Set(['DICOM', 'DICOMVRs']);
const ROOT_KEYS = new Set(['Patient', 'Study']);

function diffInstance(p: Planner, o: JsonObject, e: JsonObject, segs: readonly string[], uid: string): void {
  const group = segs.join('\u0002');
  const vrsPair = pair(p, o.DICOMVRs, e.DICOMVRs, ptr(segs, 'DICOMVRs'), 'DICOMVRs');
  const vrsAfter = isObject(e.DICOMVRs) ? e.DICOMVRs : {};
  const vrOfTag = (tag: string): string | undefined => {
    const v = hasOwn(vrsAfter, tag) ? vrsAfter[tag] : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  const dicom = pair(p, o.DICOM, e.DICOM, ptr(segs, 'DICOM'), 'DICOM');
  if (dicom && dicom[0] !== dicom[1]) diffAttributes(p, 'instance', dicom[0], dicom[1], [...segs, 'DICOM'], group, vrOfTag, uid);
  if (vrsPair && vrsPair[0] !== vrsPair[1]) {
    // A VR that changes along with its tag's value needs no reason of its own: the tag's says it.
    const oD = dicom ? dicom[0] : {};
    const eD = dicom ? dicom[1] : {};
    const tagChanged = (tag: string): boolean => hasOwn(oD, tag) !== hasOwn(eD, tag) || !sameJson(oD[tag], eD[tag]);
    diffVrs(p, vrsPair[0], vrsPair[1], [...segs, 'DICOMVRs'], group, tagChanged);
  }
  otherKeys(p, o, e, segs, INSTANCE_KEYS, (k) => IMMUTABLE_INSTANCE_KEYS.has(k) ? immutableInstanceReason(k) : outsideHierarchyReason(k, 'an instance', 'DICOM, DICOMVRs and the generated ImageFrames, StoredTransferSyntaxUID, ChecksumType'));
}

/** Diffs a map keyed by UID (series or instances). */
function diffUidMap(
  p: Planner, o: JsonObject, e: JsonObject, segs: readonly string[], kind: 'series' | 'instance', parentUid: string,
  each: (o: JsonObject, e: JsonObject, segs: readonly string[], uid: string) => void,
): void {
  const added: string[] = [];
  let matched = 0;
  for (const uid in e) {
    if (!hasOwn(e, uid)) continue;
    if (!hasOwn(o, uid)) { added.push(uid); continue; }
    matched++;
    const ov = o[uid];
    const ev = e[uid];
    // Most instances are untouched: one structural comparison settles each.
    if (ov === ev || (kind === 'instance' && sameJson(ov, ev))) continue;
    if (!isObject(ev)) { p.refuse(ptr(segs, uid), notAnObjectReason(kind === 'series' ? 'A series' : 'An instance')); continue; }
    each(isObject(ov) ? ov : {}, ev, [...segs, uid], uid);
  }
  const removed: string[] = [];
  if (matched !== keyCount(o)) for (const uid in o) if (hasOwn(o, uid) && !hasOwn(e, uid)) removed.push(uid);
  const renamedFrom = added.length > 0 && removed.length === 1 ? removed[0] : undefined;
  for (const uid of added) {
    const path = ptr(segs, uid);
    if (removed.length > 0) p.refuse(path, kind === 'series' ? renamedSeriesReason(uid, renamedFrom) : renamedInstanceReason(uid, renamedFrom));
    else p.refuse(path, kind === 'series' ? unknownSeriesReason(uid) : unknownInstanceReason(parentUid, uid));
  }
  for (const uid of removed) {
    if (uid === renamedFrom) continue;
    const path = ptr(segs, uid);
    if (kind === 'series') {
      const s = o[uid];
      const n = isObject(s) && isObject(s.Instances) ? keyCount(s.Instances) : 0;
      p.verdict(path, { force: [seriesRemovalReason(uid, n)], refuse: [] }, undefined);
    } else {
      p.verdict(path, { force: [instanceRemovalReason(uid)], refuse: [] }, undefined);
    }
    p.atom('remove', segs, uid, {}, path);
  }
}

function diffSeries(p: Planner, o: JsonObject, e: JsonObject, segs: readonly string[], uid: string): void {
  const dicom = pair(p, o.DICOM, e.DICOM, ptr(segs, 'DICOM'), 'DICOM');
  if (dicom && dicom[0] !== dicom[1]) diffAttributes(p, 'series', dicom[0], dicom[1], [...segs, 'DICOM'], undefined, undefined, uid);
  const inst = pair(p, o.Instances, e.Instances, ptr(segs, 'Instances'), 'Instances');
  if (inst && inst[0] !== inst[1]) diffUidMap(p, inst[0], inst[1], [...segs, 'Instances'], 'instance', uid, (a, b, s, u) => diffInstance(p, a, b, s, u));
  otherKeys(p, o, e, segs, SERIES_KEYS, (k) => outsideHierarchyReason(k, 'a series', 'DICOM and Instances'));
}

/** Refuses UID changes that would make two series (instances) share a key. */
function checkUidCollisions(p: Planner, e: JsonObject): void {
  if (p.uidChanges.length === 0) return;
  const eStudy = isObject(e.Study) ? e.Study : {};
  const eSeries = isObject(eStudy.Series) ? eStudy.Series : {};
  const seriesKeys = new Set(Object.keys(eSeries));
  const sopKeys = new Set<string>();
  for (const s in eSeries) {
    const x = eSeries[s];
    if (isObject(x) && isObject(x.Instances)) for (const k in x.Instances) sopKeys.add(k);
  }
  for (const c of p.uidChanges) {
    const taken = c.series ? seriesKeys : sopKeys;
    if (taken.has(c.to)) p.refuse(c.path, duplicateUidReason(c.series ? 'SeriesInstanceUID' : 'SOPInstanceUID'));
    taken.add(c.to);
  }
}

// ---------------------------------------------------------------------------------------------
// Packing atoms into requests within the size limit.

function jsonKeyBytes(key: string): number {
  return utf8Length(JSON.stringify(key));
}

function atomBytes(a: Atom): number {
  if (a.bytes < 0) a.bytes = utf8Length(JSON.stringify(a.value));
  return a.bytes;
}

const SEP = '\u0001';
const BASE_BYTES = utf8Length(JSON.stringify({ SchemaVersion: PAYLOAD_SCHEMA_VERSION }));

/** One attribute document (updatable or removable) being filled; tracks its exact JSON size. */
class PayloadBuilder {
  readonly root: JsonObject = { SchemaVersion: PAYLOAD_SCHEMA_VERSION };
  size = BASE_BYTES;
  atoms = 0;
  private readonly counts = new Map<string, number>([['', 1]]);
  private readonly objects = new Map<string, JsonObject>([['', this.root]]);

  constructor(readonly kind: Kind) {}

  /** Bytes the atoms (of this builder's kind) would add. */
  cost(atoms: readonly Atom[]): number {
    let overlay: Map<string, number> | undefined;
    const get = (k: string): number | undefined => (overlay?.has(k) ? overlay.get(k) : this.counts.get(k));
    const set = (k: string, v: number): void => { (overlay ??= new Map()).set(k, v); };
    let bytes = 0;
    for (const a of atoms) {
      if (a.kind !== this.kind) continue;
      let parent = '';
      for (const seg of a.container) {
        const k = parent + SEP + seg;
        if (get(k) === undefined) {
          const pc = get(parent)!;
          bytes += (pc > 0 ? 1 : 0) + jsonKeyBytes(seg) + 3;
          set(parent, pc + 1);
          set(k, 0);
        }
        parent = k;
      }
      const pc = get(parent)!;
      bytes += (pc > 0 ? 1 : 0) + jsonKeyBytes(a.key) + 1 + atomBytes(a);
      set(parent, pc + 1);
    }
    return bytes;
  }

  add(atoms: readonly Atom[]): void {
    for (const a of atoms) {
      if (a.kind !== this.kind) continue;
      this.size += this.cost([a]);
      let parent = '';
      let obj = this.root;
      for (const seg of a.container) {
        const k = parent + SEP + seg;
        let child = this.objects.get(k);
        if (!child) {
          child = {};
          setOwn(obj, seg, child);
          this.objects.set(k, child);
          this.counts.set(parent, this.counts.get(parent)! + 1);
          this.counts.set(k, 0);
        }
        parent = k;
        obj = child;
      }
      setOwn(obj, a.key, a.value);
      this.counts.set(parent, this.counts.get(parent)! + 1);
      this.atoms++;
    }
  }
}

function pack(p: Planner, limit: number): MetadataUpdate[] {
  const units = p.units.slice();
  if (units.some((u) => u.order > 0)) units.sort((a, b) => a.order - b.order); // stable
  // A unit that cannot fit even alone is refused.
  for (const u of units) {
    for (const kind of ['update', 'remove'] as const) {
      const bytes = BASE_BYTES + new PayloadBuilder(kind).cost(u.atoms);
      if (bytes > limit && u.atoms.some((a) => a.kind === kind)) {
        p.refuse(u.path, tooLargeReason(u.key, bytes, limit, kind === 'update' ? 'updatableAttributes' : 'removableAttributes'));
      }
    }
  }
  if (p.refused.length > 0) return [];
  const requests: MetadataUpdate[] = [];
  let upd = new PayloadBuilder('update');
  let rem = new PayloadBuilder('remove');
  const flush = (): void => {
    const r: MetadataUpdate = {};
    if (upd.atoms > 0) r.updatableAttributes = upd.root;
    if (rem.atoms > 0) r.removableAttributes = rem.root;
    requests.push(r);
    upd = new PayloadBuilder('update');
    rem = new PayloadBuilder('remove');
  };
  for (const u of units) {
    const fits = upd.size + upd.cost(u.atoms) <= limit && rem.size + rem.cost(u.atoms) <= limit;
    if (!fits && (upd.atoms > 0 || rem.atoms > 0)) flush();
    upd.add(u.atoms);
    rem.add(u.atoms);
  }
  if (upd.atoms > 0 || rem.atoms > 0) flush();
  return requests;
}

/**
 * Computes the UpdateImageSetMetadata requests that turn `original` into `edited`, whether they
 * need force (and why), and what HealthImaging would refuse (then `updates` is empty).
 * Paths are JSON pointers into the edited document (for a removed item: where it was).
 */
export function computeMetadataUpdate(original: unknown, edited: unknown, options?: ComputeOptions): MetadataUpdatePlan {
  if (!isObject(original)) throw new Error('computeMetadataUpdate: the original document is not a JSON object.');
  const limit = options?.maxAttributeBytes ?? DEFAULT_MAX_ATTRIBUTE_BYTES;
  if (!(limit > BASE_BYTES)) throw new Error(`computeMetadataUpdate: maxAttributeBytes must be more than ${BASE_BYTES}.`);
  const p = new Planner(options?.isPrimary === true);
  if (!isObject(edited)) {
    p.refuse('', 'The edited metadata must be a JSON object.');
    return { updates: [], force: false, forceReasons: [], refused: p.refused };
  }
  if (original !== edited) {
    const patient = pair(p, original.Patient, edited.Patient, '/Patient', 'Patient');
    if (patient && patient[0] !== patient[1]) {
      const [o, e] = patient;
      const dicom = pair(p, o.DICOM, e.DICOM, '/Patient/DICOM', 'DICOM');
      if (dicom && dicom[0] !== dicom[1]) diffAttributes(p, 'patient', dicom[0], dicom[1], ['Patient', 'DICOM']);
      otherKeys(p, o, e, ['Patient'], PATIENT_KEYS, (k) => outsideHierarchyReason(k, 'Patient', 'DICOM'));
    }
    const study = pair(p, original.Study, edited.Study, '/Study', 'Study');
    if (study && study[0] !== study[1]) {
      const [o, e] = study;
      const dicom = pair(p, o.DICOM, e.DICOM, '/Study/DICOM', 'DICOM');
      if (dicom && dicom[0] !== dicom[1]) diffAttributes(p, 'study', dicom[0], dicom[1], ['Study', 'DICOM']);
      const series = pair(p, o.Series, e.Series, '/Study/Series', 'Series');
      if (series && series[0] !== series[1]) diffUidMap(p, series[0], series[1], ['Study', 'Series'], 'series', '', (a, b, s, u) => diffSeries(p, a, b, s, u));
      otherKeys(p, o, e, ['Study'], STUDY_KEYS, (k) => outsideHierarchyReason(k, 'Study', 'DICOM and Series'));
      checkUidCollisions(p, edited);
    }
    otherKeys(p, original, edited, [], ROOT_KEYS, (k) => IMMUTABLE_ROOT_KEYS.has(k) ? immutableRootReason(k)
      : outsideHierarchyReason(k, 'the document', 'SchemaVersion, DatastoreID, ImageSetID, Patient and Study'));
  }
  const updates = pack(p, limit);
  return {
    updates: p.refused.length > 0 ? [] : updates,
    force: p.refused.length === 0 && p.forceReasons.length > 0,
    forceReasons: p.forceReasons,
    refused: p.refused,
  };
}

function rekeyMap(map: JsonObject, renames: Map<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const k in map) if (hasOwn(map, k)) setOwn(out, renames.get(k) ?? k, map[k]);
  return out;
}

/**
 * The edited document as HealthImaging will show it after the plan's updates: series and
 * instances whose SeriesInstanceUID / SOPInstanceUID the edit changed (to a non-empty value
 * different from their key) are listed under the new UID. Returns `edited` itself when nothing
 * is re-keyed; never mutates.
 */
export function rekeyChangedUids(original: unknown, edited: unknown): unknown {
  if (!isObject(original) || !isObject(edited) || !isObject(edited.Study) || !isObject(edited.Study.Series)) return edited;
  const oSeries = isObject(original.Study) && isObject(original.Study.Series) ? original.Study.Series : {};
  const eSeries = edited.Study.Series;
  let seriesOut: JsonObject | undefined;
  const seriesRenames = new Map<string, string>();
  for (const s in eSeries) {
    const es = eSeries[s];
    const os = oSeries[s];
    if (!hasOwn(eSeries, s) || !hasOwn(oSeries, s) || es === os || !isObject(es) || !isObject(os)) continue;
    const eD = isObject(es.DICOM) ? es.DICOM : {};
    const oD = isObject(os.DICOM) ? os.DICOM : {};
    const to = newUid(eD, 'SeriesInstanceUID', s);
    if (to !== undefined && !sameJson(eD.SeriesInstanceUID, oD.SeriesInstanceUID)) seriesRenames.set(s, to);
    if (!isObject(es.Instances) || !isObject(os.Instances) || es.Instances === os.Instances) continue;
    const renames = new Map<string, string>();
    for (const i in es.Instances) {
      const ei = es.Instances[i];
      const oi = os.Instances[i];
      if (!hasOwn(os.Instances, i) || ei === oi || !isObject(ei) || !isObject(oi)) continue;
      const eDi = isObject(ei.DICOM) ? ei.DICOM : {};
      const oDi = isObject(oi.DICOM) ? oi.DICOM : {};
      const toI = newUid(eDi, 'SOPInstanceUID', i);
      if (toI !== undefined && !sameJson(eDi.SOPInstanceUID, oDi.SOPInstanceUID)) renames.set(i, toI);
    }
    if (renames.size > 0) {
      seriesOut ??= { ...eSeries };
      const copy: JsonObject = {};
      for (const k in es) if (hasOwn(es, k)) setOwn(copy, k, es[k]);
      copy.Instances = rekeyMap(es.Instances, renames);
      setOwn(seriesOut, s, copy);
    }
  }
  if (!seriesOut && seriesRenames.size === 0) return edited;
  const series = rekeyMap(seriesOut ?? eSeries, seriesRenames);
  return { ...edited, Study: { ...edited.Study, Series: series } };
}
