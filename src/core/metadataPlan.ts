// computeMetadataUpdate: walks the original and the edited document once, side by side, and
// turns every difference into payload entries plus the reasons it needs force or is refused;
// then packs the entries into as few requests as the size limit allows.
// Identical subtrees are skipped by reference first, then by a structural comparison that stops
// at the first difference; nothing is cloned.

import { MetadataLevel, elementByTag, isTagKey } from './dicomDictionary';
import { JsonObject, hasOwn, isObject, keyCount, sameJson, setOwn, toPointer, utf8Length } from './json';
import {
  DEFAULT_SPLIT_ATTRIBUTE_BYTES,
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
  recordVerdict,
  PAYLOAD_SCHEMA_VERSION,
  renamedInstanceReason,
  renamedSeriesReason,
  seriesRemovalReason,
  tooLargeReason,
  unknownInstanceReason,
  unknownSeriesReason,
} from './updateRules';

/** One UpdateImageSetMetadata request's DICOMUpdates, as JSON documents (before base64). */
export interface MetadataUpdate {
  updatableAttributes?: object;
  removableAttributes?: object;
}

export interface MetadataUpdatePlan {
  /** The requests, in order; [] when nothing changed; several only when split for size. */
  updates: MetadataUpdate[];
  /** True when any change needs force. */
  force: boolean;
  forceReasons: PathReason[];
  /** Non-empty: nothing may be sent. */
  refused: PathReason[];
}

export interface ComputeOptions {
  /** Limit of each of updatableAttributes / removableAttributes, in bytes of UTF-8 JSON. Default DEFAULT_SPLIT_ATTRIBUTE_BYTES. */
  maxAttributeBytes?: number;
  /** A primary image set: what would need force, and Patient- or Series-level changes, are refused. */
  isPrimary?: boolean;
}

type Kind = 'update' | 'remove';

/** One entry of a payload: `key: value` inside the object at `container`. */
interface PayloadEntry {
  kind: Kind;
  container: readonly string[];
  key: string;
  value: unknown;
  bytes: number;
}

/** Entries that must travel in the same request (a private tag and its DICOMVRs entry). */
interface EntryBundle {
  entries: PayloadEntry[];
  /** 0: ordinary; 1: changes a SOP Instance UID; 2: changes a Series Instance UID. Re-keying
   *  changes go last so that every other entry still addresses the old key. */
  order: number;
  path: string;
  key: string;
}

class Planner {
  readonly forceReasons: PathReason[] = [];
  readonly refused: PathReason[] = [];
  readonly bundles: EntryBundle[] = [];
  /** Series / instances whose UID the edit changes (they will be listed under `to`). */
  readonly uidChanges: { series: boolean; to: string; path: string }[] = [];
  /** The bundles that later entries may join, by bundle key. */
  private readonly bundlesByKey = new Map<string, EntryBundle>();

  constructor(readonly isPrimary: boolean) {}

  verdict(path: string, verdict: Verdict, level: MetadataLevel | undefined): void {
    recordVerdict(this, path, verdict, level);
  }

  refuse(path: string, reason: string): void {
    this.refused.push({ path, reason });
  }

  /** Adds an entry; entries with the same `bundleKey` travel in the same request. */
  addEntry(kind: Kind, container: readonly string[], key: string, value: unknown, path: string, bundleKey?: string, order = 0): void {
    const entry: PayloadEntry = { kind, container, key, value, bytes: -1 };
    if (bundleKey !== undefined) {
      const bundle = this.bundlesByKey.get(bundleKey);
      if (bundle) {
        bundle.entries.push(entry);
        if (order > bundle.order) bundle.order = order;
        return;
      }
    }
    const bundle: EntryBundle = { entries: [entry], order, path, key };
    this.bundles.push(bundle);
    if (bundleKey !== undefined) this.bundlesByKey.set(bundleKey, bundle);
  }
}

// Map keys made of several strings. The separators are control characters, which DICOM keywords,
// tags and UIDs never contain, so two different paths never make the same key.
/** Between an instance's path and a private tag: the bundle of that tag and its DICOMVRs entry. */
const TAG_BUNDLE_SEPARATOR = '\u0001';
/** Between the segments of an instance's path, in a bundle key. */
const INSTANCE_PATH_SEPARATOR = '\u0002';
/** Between the segments of a container's path, in a payload builder's keys. */
const CONTAINER_PATH_SEPARATOR = '\u0001';

function ptr(segs: readonly string[], key?: string): string {
  return key === undefined ? toPointer(segs) : toPointer([...segs, key]);
}

/** Diffs two DICOM (attribute) maps at one level. */
function diffAttributes(
  planner: Planner, level: MetadataLevel, original: JsonObject, edited: JsonObject, segs: readonly string[],
  instanceKey?: string, vrOfTag?: (tag: string) => string | undefined, seriesOrInstanceKey?: string,
): void {
  let matched = 0;
  for (const key in edited) {
    if (!hasOwn(edited, key)) continue;
    const after = edited[key];
    const existed = hasOwn(original, key);
    let before: unknown;
    if (existed) {
      matched++;
      before = original[key];
      if (before === after || sameJson(before, after)) continue;
    }
    const path = ptr(segs, key);
    planner.verdict(path, judgeAttributeChange({ level, key, existed, before, present: true, after, vrOfTag }), level);
    let order = 0;
    if (seriesOrInstanceKey !== undefined) {
      const uidKind = level === 'instance' && key === 'SOPInstanceUID' ? 1 : level === 'series' && key === 'SeriesInstanceUID' ? 2 : 0;
      const to = uidKind ? newUid(edited, key, seriesOrInstanceKey) : undefined;
      if (to !== undefined) {
        order = uidKind;
        planner.uidChanges.push({ series: uidKind === 2, to, path });
      }
    }
    const bundleKey = instanceKey !== undefined && isTagKey(key) && !elementByTag(key) ? `${instanceKey}${TAG_BUNDLE_SEPARATOR}${key}` : undefined;
    planner.addEntry('update', segs, key, after, path, bundleKey, order);
  }
  if (matched === keyCount(original)) return;
  for (const key in original) {
    if (!hasOwn(original, key) || hasOwn(edited, key)) continue;
    const path = ptr(segs, key);
    planner.verdict(path, judgeAttributeChange({ level, key, existed: true, before: original[key], present: false, after: undefined, vrOfTag }), level);
    const bundleKey = instanceKey !== undefined && isTagKey(key) && !elementByTag(key) ? `${instanceKey}${TAG_BUNDLE_SEPARATOR}${key}` : undefined;
    planner.addEntry('remove', segs, key, original[key], path, bundleKey);
  }
}

function diffVrs(planner: Planner, original: JsonObject, edited: JsonObject, segs: readonly string[], instanceKey: string, tagChanged: (tag: string) => boolean): void {
  const judge = (tag: string, existed: boolean, present: boolean, after: unknown): Verdict => {
    const v = judgeVrEntryChange(tag, existed, present, after);
    return tagChanged(tag) ? { force: [], refuse: v.refuse } : v;
  };
  for (const tag in edited) {
    if (!hasOwn(edited, tag)) continue;
    const existed = hasOwn(original, tag);
    if (existed && sameJson(original[tag], edited[tag])) continue;
    const path = ptr(segs, tag);
    planner.verdict(path, judge(tag, existed, true, edited[tag]), 'instance');
    planner.addEntry('update', segs, tag, edited[tag], path, `${instanceKey}${TAG_BUNDLE_SEPARATOR}${tag}`);
  }
  for (const tag in original) {
    if (!hasOwn(original, tag) || hasOwn(edited, tag)) continue;
    const path = ptr(segs, tag);
    planner.verdict(path, judge(tag, true, false, undefined), 'instance');
    planner.addEntry('remove', segs, tag, original[tag], path, `${instanceKey}${TAG_BUNDLE_SEPARATOR}${tag}`);
  }
}

/**
 * Pairs a container (DICOM map, Series map, ...) of the original with the edited one.
 * Returns undefined when there is nothing to diff (refusal recorded if needed).
 */
function pair(planner: Planner, original: unknown, edited: unknown, path: string, what: string): [JsonObject, JsonObject] | undefined {
  if (edited === undefined) {
    if (original !== undefined) planner.refuse(path, `${what} cannot be removed as a whole; remove what it contains one item at a time.`);
    return undefined;
  }
  if (!isObject(edited)) {
    planner.refuse(path, notAnObjectReason(what));
    return undefined;
  }
  return [isObject(original) ? original : {}, edited];
}

/** Keys other than the known ones in an object pair: must be unchanged. */
function otherKeys(planner: Planner, original: JsonObject, edited: JsonObject, segs: readonly string[], known: ReadonlySet<string>, reasonFor: (key: string) => string): void {
  for (const key in edited) {
    if (!hasOwn(edited, key) || known.has(key)) continue;
    if (hasOwn(original, key) && sameJson(original[key], edited[key])) continue;
    planner.refuse(ptr(segs, key), reasonFor(key));
  }
  for (const key in original) {
    if (!hasOwn(original, key) || known.has(key) || hasOwn(edited, key)) continue;
    planner.refuse(ptr(segs, key), reasonFor(key));
  }
}

const PATIENT_KEYS = new Set(['DICOM']);
const STUDY_KEYS = new Set(['DICOM', 'Series']);
const SERIES_KEYS = new Set(['DICOM', 'Instances']);
const INSTANCE_KEYS = new Set(['DICOM', 'DICOMVRs']);
const ROOT_KEYS = new Set(['Patient', 'Study']);

function diffInstance(planner: Planner, original: JsonObject, edited: JsonObject, segs: readonly string[], uid: string): void {
  const instanceKey = segs.join(INSTANCE_PATH_SEPARATOR);
  const vrsPair = pair(planner, original.DICOMVRs, edited.DICOMVRs, ptr(segs, 'DICOMVRs'), 'DICOMVRs');
  const vrsAfter = isObject(edited.DICOMVRs) ? edited.DICOMVRs : {};
  const vrOfTag = (tag: string): string | undefined => {
    const v = hasOwn(vrsAfter, tag) ? vrsAfter[tag] : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  const dicom = pair(planner, original.DICOM, edited.DICOM, ptr(segs, 'DICOM'), 'DICOM');
  if (dicom && dicom[0] !== dicom[1]) diffAttributes(planner, 'instance', dicom[0], dicom[1], [...segs, 'DICOM'], instanceKey, vrOfTag, uid);
  if (vrsPair && vrsPair[0] !== vrsPair[1]) {
    // A VR that changes along with its tag's value needs no reason of its own: the tag's says it.
    const oD = dicom ? dicom[0] : {};
    const eD = dicom ? dicom[1] : {};
    const tagChanged = (tag: string): boolean => hasOwn(oD, tag) !== hasOwn(eD, tag) || !sameJson(oD[tag], eD[tag]);
    diffVrs(planner, vrsPair[0], vrsPair[1], [...segs, 'DICOMVRs'], instanceKey, tagChanged);
  }
  otherKeys(planner, original, edited, segs, INSTANCE_KEYS, (k) => IMMUTABLE_INSTANCE_KEYS.has(k) ? immutableInstanceReason(k) : outsideHierarchyReason(k, 'an instance', 'DICOM, DICOMVRs and the generated ImageFrames, StoredTransferSyntaxUID, ChecksumType'));
}

/** Diffs a map keyed by UID (series or instances). */
function diffUidMap(
  planner: Planner, original: JsonObject, edited: JsonObject, segs: readonly string[], kind: 'series' | 'instance', parentUid: string,
  each: (original: JsonObject, edited: JsonObject, segs: readonly string[], uid: string) => void,
): void {
  const added: string[] = [];
  let matched = 0;
  for (const uid in edited) {
    if (!hasOwn(edited, uid)) continue;
    if (!hasOwn(original, uid)) { added.push(uid); continue; }
    matched++;
    const originalValue = original[uid];
    const editedValue = edited[uid];
    // Most instances are untouched: one structural comparison settles each.
    if (originalValue === editedValue || (kind === 'instance' && sameJson(originalValue, editedValue))) continue;
    if (!isObject(editedValue)) { planner.refuse(ptr(segs, uid), notAnObjectReason(kind === 'series' ? 'A series' : 'An instance')); continue; }
    each(isObject(originalValue) ? originalValue : {}, editedValue, [...segs, uid], uid);
  }
  const removed: string[] = [];
  if (matched !== keyCount(original)) for (const uid in original) if (hasOwn(original, uid) && !hasOwn(edited, uid)) removed.push(uid);
  const renamedFrom = added.length > 0 && removed.length === 1 ? removed[0] : undefined;
  for (const uid of added) {
    const path = ptr(segs, uid);
    if (removed.length > 0) planner.refuse(path, kind === 'series' ? renamedSeriesReason(uid, renamedFrom) : renamedInstanceReason(uid, renamedFrom));
    else planner.refuse(path, kind === 'series' ? unknownSeriesReason(uid) : unknownInstanceReason(parentUid, uid));
  }
  for (const uid of removed) {
    if (uid === renamedFrom) continue;
    const path = ptr(segs, uid);
    if (kind === 'series') {
      const s = original[uid];
      const n = isObject(s) && isObject(s.Instances) ? keyCount(s.Instances) : 0;
      planner.verdict(path, { force: [seriesRemovalReason(uid, n)], refuse: [] }, undefined);
    } else {
      planner.verdict(path, { force: [instanceRemovalReason(uid)], refuse: [] }, undefined);
    }
    planner.addEntry('remove', segs, uid, {}, path);
  }
}

function diffSeries(planner: Planner, original: JsonObject, edited: JsonObject, segs: readonly string[], uid: string): void {
  const dicom = pair(planner, original.DICOM, edited.DICOM, ptr(segs, 'DICOM'), 'DICOM');
  if (dicom && dicom[0] !== dicom[1]) diffAttributes(planner, 'series', dicom[0], dicom[1], [...segs, 'DICOM'], undefined, undefined, uid);
  const inst = pair(planner, original.Instances, edited.Instances, ptr(segs, 'Instances'), 'Instances');
  if (inst && inst[0] !== inst[1]) diffUidMap(planner, inst[0], inst[1], [...segs, 'Instances'], 'instance', uid, (originalInstance, editedInstance, path, sopUid) => diffInstance(planner, originalInstance, editedInstance, path, sopUid));
  otherKeys(planner, original, edited, segs, SERIES_KEYS, (k) => outsideHierarchyReason(k, 'a series', 'DICOM and Instances'));
}

/** Refuses UID changes that would make two series (instances) share a key. */
function checkUidCollisions(planner: Planner, edited: JsonObject): void {
  if (planner.uidChanges.length === 0) return;
  const editedStudy = isObject(edited.Study) ? edited.Study : {};
  const editedSeries = isObject(editedStudy.Series) ? editedStudy.Series : {};
  const seriesKeys = new Set(Object.keys(editedSeries));
  const sopKeys = new Set<string>();
  for (const s in editedSeries) {
    const x = editedSeries[s];
    if (isObject(x) && isObject(x.Instances)) for (const k in x.Instances) sopKeys.add(k);
  }
  for (const c of planner.uidChanges) {
    const taken = c.series ? seriesKeys : sopKeys;
    if (taken.has(c.to)) planner.refuse(c.path, duplicateUidReason(c.series ? 'SeriesInstanceUID' : 'SOPInstanceUID'));
    taken.add(c.to);
  }
}

// ---------------------------------------------------------------------------------------------
// Packing entries into requests within the size limit.

function jsonKeyBytes(key: string): number {
  return utf8Length(JSON.stringify(key));
}

function valueBytes(entry: PayloadEntry): number {
  if (entry.bytes < 0) entry.bytes = utf8Length(JSON.stringify(entry.value));
  return entry.bytes;
}

const BASE_BYTES = utf8Length(JSON.stringify({ SchemaVersion: PAYLOAD_SCHEMA_VERSION }));

/** One attribute document (updatable or removable) being filled; tracks its exact JSON size. */
class PayloadBuilder {
  readonly root: JsonObject = { SchemaVersion: PAYLOAD_SCHEMA_VERSION };
  size = BASE_BYTES;
  entryCount = 0;
  private readonly counts = new Map<string, number>([['', 1]]);
  private readonly objects = new Map<string, JsonObject>([['', this.root]]);

  constructor(readonly kind: Kind) {}

  /** Bytes the entries (of this builder's kind) would add. */
  cost(entries: readonly PayloadEntry[]): number {
    let overlay: Map<string, number> | undefined;
    const get = (k: string): number | undefined => (overlay?.has(k) ? overlay.get(k) : this.counts.get(k));
    const set = (k: string, v: number): void => { (overlay ??= new Map()).set(k, v); };
    let bytes = 0;
    for (const entry of entries) {
      if (entry.kind !== this.kind) continue;
      let parent = '';
      for (const seg of entry.container) {
        const k = parent + CONTAINER_PATH_SEPARATOR + seg;
        if (get(k) === undefined) {
          const pc = get(parent)!;
          bytes += (pc > 0 ? 1 : 0) + jsonKeyBytes(seg) + 3;
          set(parent, pc + 1);
          set(k, 0);
        }
        parent = k;
      }
      const pc = get(parent)!;
      bytes += (pc > 0 ? 1 : 0) + jsonKeyBytes(entry.key) + 1 + valueBytes(entry);
      set(parent, pc + 1);
    }
    return bytes;
  }

  add(entries: readonly PayloadEntry[]): void {
    for (const entry of entries) {
      if (entry.kind !== this.kind) continue;
      this.size += this.cost([entry]);
      let parent = '';
      let obj = this.root;
      for (const seg of entry.container) {
        const k = parent + CONTAINER_PATH_SEPARATOR + seg;
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
      setOwn(obj, entry.key, entry.value);
      this.counts.set(parent, this.counts.get(parent)! + 1);
      this.entryCount++;
    }
  }
}

function pack(planner: Planner, limit: number): MetadataUpdate[] {
  const bundles = planner.bundles.slice();
  if (bundles.some((bundle) => bundle.order > 0)) bundles.sort((first, second) => first.order - second.order); // stable
  // A unit that cannot fit even alone is refused.
  for (const bundle of bundles) {
    for (const kind of ['update', 'remove'] as const) {
      const bytes = BASE_BYTES + new PayloadBuilder(kind).cost(bundle.entries);
      if (bytes > limit && bundle.entries.some((entry) => entry.kind === kind)) {
        planner.refuse(bundle.path, tooLargeReason(bundle.key, bytes, limit, kind === 'update' ? 'updatableAttributes' : 'removableAttributes'));
      }
    }
  }
  if (planner.refused.length > 0) return [];
  const requests: MetadataUpdate[] = [];
  let upd = new PayloadBuilder('update');
  let rem = new PayloadBuilder('remove');
  const flush = (): void => {
    const r: MetadataUpdate = {};
    if (upd.entryCount > 0) r.updatableAttributes = upd.root;
    if (rem.entryCount > 0) r.removableAttributes = rem.root;
    requests.push(r);
    upd = new PayloadBuilder('update');
    rem = new PayloadBuilder('remove');
  };
  for (const bundle of bundles) {
    const fits = upd.size + upd.cost(bundle.entries) <= limit && rem.size + rem.cost(bundle.entries) <= limit;
    if (!fits && (upd.entryCount > 0 || rem.entryCount > 0)) flush();
    upd.add(bundle.entries);
    rem.add(bundle.entries);
  }
  if (upd.entryCount > 0 || rem.entryCount > 0) flush();
  return requests;
}

/**
 * Computes the UpdateImageSetMetadata requests that turn `original` into `edited`, whether they
 * need force (and why), and what HealthImaging would refuse (then `updates` is empty).
 * Paths are JSON pointers into the edited document (for a removed item: where it was).
 */
export function computeMetadataUpdate(original: unknown, edited: unknown, options?: ComputeOptions): MetadataUpdatePlan {
  if (!isObject(original)) throw new Error('computeMetadataUpdate: the original document is not a JSON object.');
  const limit = options?.maxAttributeBytes ?? DEFAULT_SPLIT_ATTRIBUTE_BYTES;
  if (!(limit > BASE_BYTES)) throw new Error(`computeMetadataUpdate: maxAttributeBytes must be more than ${BASE_BYTES}.`);
  const planner = new Planner(options?.isPrimary === true);
  if (!isObject(edited)) {
    planner.refuse('', 'The edited metadata must be a JSON object.');
    return { updates: [], force: false, forceReasons: [], refused: planner.refused };
  }
  if (original !== edited) {
    const patient = pair(planner, original.Patient, edited.Patient, '/Patient', 'Patient');
    if (patient && patient[0] !== patient[1]) {
      const [originalPatient, editedPatient] = patient;
      const dicom = pair(planner, originalPatient.DICOM, editedPatient.DICOM, '/Patient/DICOM', 'DICOM');
      if (dicom && dicom[0] !== dicom[1]) diffAttributes(planner, 'patient', dicom[0], dicom[1], ['Patient', 'DICOM']);
      otherKeys(planner, originalPatient, editedPatient, ['Patient'], PATIENT_KEYS, (k) => outsideHierarchyReason(k, 'Patient', 'DICOM'));
    }
    const study = pair(planner, original.Study, edited.Study, '/Study', 'Study');
    if (study && study[0] !== study[1]) {
      const [originalStudy, editedStudy] = study;
      const dicom = pair(planner, originalStudy.DICOM, editedStudy.DICOM, '/Study/DICOM', 'DICOM');
      if (dicom && dicom[0] !== dicom[1]) diffAttributes(planner, 'study', dicom[0], dicom[1], ['Study', 'DICOM']);
      const series = pair(planner, originalStudy.Series, editedStudy.Series, '/Study/Series', 'Series');
      if (series && series[0] !== series[1]) diffUidMap(planner, series[0], series[1], ['Study', 'Series'], 'series', '', (originalSeries, editedSeries, path, seriesUid) => diffSeries(planner, originalSeries, editedSeries, path, seriesUid));
      otherKeys(planner, originalStudy, editedStudy, ['Study'], STUDY_KEYS, (k) => outsideHierarchyReason(k, 'Study', 'DICOM and Series'));
      checkUidCollisions(planner, edited);
    }
    otherKeys(planner, original, edited, [], ROOT_KEYS, (k) => IMMUTABLE_ROOT_KEYS.has(k) ? immutableRootReason(k)
      : outsideHierarchyReason(k, 'the document', 'SchemaVersion, DatastoreID, ImageSetID, Patient and Study'));
  }
  const updates = pack(planner, limit);
  return {
    updates: planner.refused.length > 0 ? [] : updates,
    force: planner.refused.length === 0 && planner.forceReasons.length > 0,
    forceReasons: planner.forceReasons,
    refused: planner.refused,
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
