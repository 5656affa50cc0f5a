// The update engine: from (original, edited) metadata documents to the exact
// UpdateImageSetMetadata requests (computeMetadataUpdate), how HealthImaging applies such a
// request to a document (applyMetadataUpdate), and what it would refuse or only accept with
// force (checkMetadataUpdate). Pure functions over plain JSON.
//
// Decisions where the service documentation is silent (see README "How a save becomes an update"):
// - A request's removableAttributes are applied before its updatableAttributes.
// - Removing an attribute requires the given value to equal the current one (key order aside);
//   otherwise applyMetadataUpdate throws and checkMetadataUpdate refuses.
// - After an update sets SOPInstanceUID (SeriesInstanceUID) of an instance (series) to a new,
//   non-empty value, the instance (series) is listed under that UID: the object key follows the
//   value, keeping its position. (Inferred from the AWS CLI example, which addresses the instance
//   by its old UID, and from the service listing instances by their UID.)
// - `null` is a value (an empty element): setting an attribute to null updates it to null.
//   An absent key is a removed attribute. `[]` is an empty multi-value (or an empty sequence).

import { MetadataLevel } from './dicomDictionary';
import { JsonObject, copyObject, hasOwn, isObject, keyCount, sameJson, setOwn, toPointer } from './json';
import type { MetadataUpdate } from './metadataPlan';
import {
  IMMUTABLE_INSTANCE_KEYS,
  IMMUTABLE_ROOT_KEYS,
  PathReason,
  Verdict,
  VerdictCollector,
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
  removalMismatchReason,
  removalMissingReason,
  seriesRemovalReason,
  unknownInstanceReason,
  unknownSeriesReason,
} from './updateRules';

export type { PathReason } from './updateRules';

// computeMetadataUpdate and the plan's types live in metadataPlan.ts (which does not import this
// file); they are re-exported here so that the engine has one entry point.
export { computeMetadataUpdate, rekeyChangedUids } from './metadataPlan';
export type { ComputeOptions, MetadataUpdate, MetadataUpdatePlan } from './metadataPlan';

export { DEFAULT_SPLIT_ATTRIBUTE_BYTES, PAYLOAD_SCHEMA_VERSION, SERVICE_MAX_ATTRIBUTE_BYTES } from './updateRules';

const ROOT_PLACE = 'the document';
const ROOT_ALLOWED = 'SchemaVersion, DatastoreID, ImageSetID, Patient and Study';

// ---------------------------------------------------------------------------------------------
// applyMetadataUpdate

function fail(path: string, message: string): never {
  throw new Error(`${path || '/'}: ${message}`);
}

function requireObject(v: unknown, path: string, what: string): JsonObject {
  if (!isObject(v)) fail(path, notAnObjectReason(what));
  return v;
}

function checkSchemaVersion(blob: JsonObject, name: string): void {
  if (!hasOwn(blob, 'SchemaVersion')) fail('/SchemaVersion', `${name} must start with "SchemaVersion": 1.1.`);
  const v = blob.SchemaVersion;
  if (v !== 1.1 && v !== '1.1') fail('/SchemaVersion', `${name} has SchemaVersion other than 1.1.`);
}

function validatePayloadEnvelope(update: unknown): { upd?: JsonObject; rem?: JsonObject } {
  if (!isObject(update)) fail('', 'The update must be an object with updatableAttributes and/or removableAttributes.');
  for (const k in update) {
    if (hasOwn(update, k) && k !== 'updatableAttributes' && k !== 'removableAttributes' && update[k] !== undefined) {
      fail('', `The update has an unexpected member "${k}"; only updatableAttributes and removableAttributes are allowed.`);
    }
  }
  const upd = update.updatableAttributes;
  const rem = update.removableAttributes;
  if (upd === undefined && rem === undefined) fail('', 'The update has neither updatableAttributes nor removableAttributes.');
  const out: { upd?: JsonObject; rem?: JsonObject } = {};
  if (upd !== undefined) {
    out.upd = requireObject(upd, '', 'updatableAttributes');
    checkSchemaVersion(out.upd, 'updatableAttributes');
  }
  if (rem !== undefined) {
    out.rem = requireObject(rem, '', 'removableAttributes');
    checkSchemaVersion(out.rem, 'removableAttributes');
  }
  return out;
}

type Kind = 'update' | 'remove';

/** Applies the attributes of one DICOM (or DICOMVRs) payload object to a map; returns the new map. */
function applyAttributes(kind: Kind, current: unknown, payload: unknown, path: string, what: string): JsonObject {
  const p = requireObject(payload, path, what);
  if (current !== undefined && !isObject(current)) fail(path, `the document's ${what} is not an object.`);
  const out = current ? copyObject(current) : {};
  for (const key in p) {
    if (!hasOwn(p, key)) continue;
    if (kind === 'update') {
      setOwn(out, key, p[key]);
    } else {
      if (!hasOwn(out, key)) fail(`${path}/${escapeSeg(key)}`, removalMissingReason(key));
      if (!sameJson(out[key], p[key])) fail(`${path}/${escapeSeg(key)}`, removalMismatchReason(key));
      delete out[key];
    }
  }
  return out;
}

function escapeSeg(s: string): string {
  return toPointer([s]).slice(1);
}

/** Re-keys entries of a map (keeping positions); throws when a new key is taken. */
function rekey(map: JsonObject, renames: Map<string, string>, path: string, what: string): JsonObject {
  if (renames.size === 0) return map;
  const targets = new Set<string>();
  for (const [from, to] of renames) {
    if (targets.has(to) || (hasOwn(map, to) && !renames.has(to))) {
      fail(`${path}/${escapeSeg(from)}`, `cannot list the ${what} under its new UID: another ${what} already has that UID.`);
    }
    targets.add(to);
  }
  const out: JsonObject = {};
  for (const k in map) {
    if (!hasOwn(map, k)) continue;
    setOwn(out, renames.get(k) ?? k, map[k]);
  }
  return out;
}


function applyInstance(kind: Kind, inst: JsonObject, payload: unknown, path: string): JsonObject {
  const p = requireObject(payload, path, 'An instance');
  const out = copyObject(inst);
  for (const key in p) {
    if (!hasOwn(p, key)) continue;
    const kp = `${path}/${escapeSeg(key)}`;
    if (key === 'DICOM') setOwn(out, key, applyAttributes(kind, inst.DICOM, p[key], kp, 'DICOM'));
    else if (key === 'DICOMVRs') setOwn(out, key, applyAttributes(kind, inst.DICOMVRs, p[key], kp, 'DICOMVRs'));
    else if (IMMUTABLE_INSTANCE_KEYS.has(key)) fail(kp, immutableInstanceReason(key));
    else fail(kp, outsideHierarchyReason(key, 'an instance', 'DICOM and DICOMVRs'));
  }
  return out;
}

function applySeries(kind: Kind, series: JsonObject, payload: JsonObject, path: string): JsonObject {
  const out = copyObject(series);
  for (const key in payload) {
    if (!hasOwn(payload, key)) continue;
    const kp = `${path}/${escapeSeg(key)}`;
    if (key === 'DICOM') {
      setOwn(out, key, applyAttributes(kind, series.DICOM, payload[key], kp, 'DICOM'));
    } else if (key === 'Instances') {
      const pi = requireObject(payload[key], kp, 'Instances');
      const current = requireObject(series.Instances ?? {}, kp, 'Instances');
      const instances = copyObject(current);
      const renames = new Map<string, string>();
      for (const uid in pi) {
        if (!hasOwn(pi, uid)) continue;
        const ip = `${kp}/${escapeSeg(uid)}`;
        if (!hasOwn(instances, uid)) fail(ip, unknownInstanceReason(path.split('/').pop() ?? '', uid));
        const instPayload = pi[uid];
        if (kind === 'remove' && isObject(instPayload) && keyCount(instPayload) === 0) {
          delete instances[uid];
          continue;
        }
        const inst = requireObject(instances[uid], ip, 'An instance');
        setOwn(instances, uid, applyInstance(kind, inst, instPayload, ip));
        if (kind === 'update') {
          const to = newUid((instPayload as JsonObject).DICOM, 'SOPInstanceUID', uid);
          if (to !== undefined) renames.set(uid, to);
        }
      }
      setOwn(out, key, rekey(instances, renames, kp, 'instance'));
    } else {
      fail(kp, outsideHierarchyReason(key, 'a series', 'DICOM and Instances'));
    }
  }
  return out;
}

function applyStudy(kind: Kind, study: JsonObject, payload: unknown, path: string): JsonObject {
  const p = requireObject(payload, path, 'Study');
  const out = copyObject(study);
  for (const key in p) {
    if (!hasOwn(p, key)) continue;
    const kp = `${path}/${escapeSeg(key)}`;
    if (key === 'DICOM') {
      setOwn(out, key, applyAttributes(kind, study.DICOM, p[key], kp, 'DICOM'));
    } else if (key === 'Series') {
      const ps = requireObject(p[key], kp, 'Series');
      const seriesMap = copyObject(requireObject(study.Series ?? {}, kp, 'Series'));
      const renames = new Map<string, string>();
      for (const uid in ps) {
        if (!hasOwn(ps, uid)) continue;
        const sp = `${kp}/${escapeSeg(uid)}`;
        if (!hasOwn(seriesMap, uid)) fail(sp, unknownSeriesReason(uid));
        const seriesPayload = requireObject(ps[uid], sp, 'A series');
        if (kind === 'remove' && keyCount(seriesPayload) === 0) {
          delete seriesMap[uid];
          continue;
        }
        setOwn(seriesMap, uid, applySeries(kind, requireObject(seriesMap[uid], sp, 'A series'), seriesPayload, sp));
        if (kind === 'update') {
          const to = newUid(seriesPayload.DICOM, 'SeriesInstanceUID', uid);
          if (to !== undefined) renames.set(uid, to);
        }
      }
      setOwn(out, key, rekey(seriesMap, renames, kp, 'series'));
    } else {
      fail(kp, outsideHierarchyReason(key, 'Study', 'DICOM and Series'));
    }
  }
  return out;
}

function applyBlob(kind: Kind, doc: JsonObject, blob: JsonObject): JsonObject {
  const out = copyObject(doc);
  for (const key in blob) {
    if (!hasOwn(blob, key) || key === 'SchemaVersion') continue;
    const kp = `/${escapeSeg(key)}`;
    if (key === 'Patient') {
      const p = requireObject(blob[key], kp, 'Patient');
      const patient = copyObject(requireObject(doc.Patient ?? {}, kp, 'Patient'));
      for (const k in p) {
        if (!hasOwn(p, k)) continue;
        if (k !== 'DICOM') fail(`${kp}/${escapeSeg(k)}`, outsideHierarchyReason(k, 'Patient', 'DICOM'));
        setOwn(patient, k, applyAttributes(kind, patient.DICOM, p[k], `${kp}/DICOM`, 'DICOM'));
      }
      setOwn(out, key, patient);
    } else if (key === 'Study') {
      setOwn(out, key, applyStudy(kind, requireObject(doc.Study ?? {}, kp, 'Study'), blob[key], kp));
    } else if (IMMUTABLE_ROOT_KEYS.has(key)) {
      fail(kp, immutableRootReason(key));
    } else {
      fail(kp, outsideHierarchyReason(key, ROOT_PLACE, ROOT_ALLOWED));
    }
  }
  return out;
}

/**
 * Applies one request to a document as HealthImaging does: removableAttributes first, then
 * updatableAttributes, then re-keying of series/instances whose UID the request changed.
 * Returns a new document; the input is never mutated (unchanged subtrees are shared, so treat
 * both as immutable). Throws an Error whose message starts with the JSON pointer of the problem
 * for malformed payloads, series/instances not in the document, or removals whose value does
 * not match. It does not judge force or refusals: see checkMetadataUpdate.
 */
export function applyMetadataUpdate(document: unknown, update: MetadataUpdate): unknown {
  const doc = requireObject(document, '', 'The metadata document');
  const { upd, rem } = validatePayloadEnvelope(update);
  let out = doc;
  if (rem) out = applyBlob('remove', out, rem);
  if (upd) out = applyBlob('update', out, upd);
  return out;
}

// ---------------------------------------------------------------------------------------------
// checkMetadataUpdate

function refuse(c: VerdictCollector, path: string, reason: string): void {
  c.refused.push({ path, reason });
}

function forceOnly(reason: string): Verdict {
  return { force: [reason], refuse: [] };
}

function checkAttributes(
  c: VerdictCollector, kind: Kind, level: MetadataLevel, current: unknown, payload: unknown, path: string,
  vrOfTag?: (tag: string) => string | undefined,
): void {
  if (!isObject(payload)) return refuse(c, path, notAnObjectReason('DICOM'));
  const cur = isObject(current) ? current : {};
  for (const key in payload) {
    if (!hasOwn(payload, key)) continue;
    const kp = `${path}/${escapeSeg(key)}`;
    const existed = hasOwn(cur, key);
    const before = existed ? cur[key] : undefined;
    if (kind === 'update') {
      if (existed && sameJson(before, payload[key])) continue;
      recordVerdict(c, kp, judgeAttributeChange({ level, key, existed, before, present: true, after: payload[key], vrOfTag }), level);
    } else {
      if (!existed) refuse(c, kp, removalMissingReason(key));
      else if (!sameJson(before, payload[key])) refuse(c, kp, removalMismatchReason(key));
      else recordVerdict(c, kp, judgeAttributeChange({ level, key, existed, before, present: false, after: undefined, vrOfTag }), level);
    }
  }
}

function checkVrs(c: VerdictCollector, kind: Kind, current: unknown, payload: unknown, path: string, tagInPayload: (tag: string) => boolean): void {
  // A VR sent along with its tag's value needs no reason of its own: the tag's says it.
  const judge = (tag: string, existed: boolean, present: boolean, after: unknown): Verdict => {
    const v = judgeVrEntryChange(tag, existed, present, after);
    return tagInPayload(tag) ? { force: [], refuse: v.refuse } : v;
  };
  if (!isObject(payload)) return refuse(c, path, notAnObjectReason('DICOMVRs'));
  const cur = isObject(current) ? current : {};
  for (const tag in payload) {
    if (!hasOwn(payload, tag)) continue;
    const kp = `${path}/${escapeSeg(tag)}`;
    const existed = hasOwn(cur, tag);
    if (kind === 'update') {
      if (existed && sameJson(cur[tag], payload[tag])) continue;
      recordVerdict(c, kp, judge(tag, existed, true, payload[tag]), 'instance');
    } else if (!existed) refuse(c, kp, removalMissingReason(`The DICOMVRs entry ${tag}`));
    else if (!sameJson(cur[tag], payload[tag])) refuse(c, kp, removalMismatchReason(`the DICOMVRs entry ${tag}`));
    else recordVerdict(c, kp, judge(tag, true, false, undefined), 'instance');
  }
}

function allInstanceKeys(study: JsonObject): Set<string> {
  const out = new Set<string>();
  const seriesMap = isObject(study.Series) ? study.Series : {};
  for (const s in seriesMap) {
    const series = seriesMap[s];
    if (isObject(series) && isObject(series.Instances)) for (const i in series.Instances) out.add(i);
  }
  return out;
}

function checkBlob(c: VerdictCollector, kind: Kind, doc: JsonObject, blob: JsonObject, name: string, uids: { sop: Set<string>; series: Set<string> }): void {
  if (!hasOwn(blob, 'SchemaVersion')) refuse(c, '/SchemaVersion', `${name} must start with "SchemaVersion": 1.1.`);
  else if (blob.SchemaVersion !== 1.1 && blob.SchemaVersion !== '1.1') refuse(c, '/SchemaVersion', `${name} has SchemaVersion other than 1.1.`);
  for (const key in blob) {
    if (!hasOwn(blob, key) || key === 'SchemaVersion') continue;
    const kp = `/${escapeSeg(key)}`;
    if (key === 'Patient') {
      const p = blob[key];
      if (!isObject(p)) { refuse(c, kp, notAnObjectReason('Patient')); continue; }
      const patient = isObject(doc.Patient) ? doc.Patient : {};
      for (const k in p) {
        if (!hasOwn(p, k)) continue;
        if (k === 'DICOM') checkAttributes(c, kind, 'patient', patient.DICOM, p[k], `${kp}/DICOM`);
        else refuse(c, `${kp}/${escapeSeg(k)}`, outsideHierarchyReason(k, 'Patient', 'DICOM'));
      }
    } else if (key === 'Study') {
      checkStudy(c, kind, doc, blob[key], kp, uids);
    } else if (IMMUTABLE_ROOT_KEYS.has(key)) {
      refuse(c, kp, immutableRootReason(key));
    } else {
      refuse(c, kp, outsideHierarchyReason(key, ROOT_PLACE, ROOT_ALLOWED));
    }
  }
}

function checkStudy(c: VerdictCollector, kind: Kind, doc: JsonObject, payload: unknown, path: string, uids: { sop: Set<string>; series: Set<string> }): void {
  if (!isObject(payload)) return refuse(c, path, notAnObjectReason('Study'));
  const study = isObject(doc.Study) ? doc.Study : {};
  for (const key in payload) {
    if (!hasOwn(payload, key)) continue;
    const kp = `${path}/${escapeSeg(key)}`;
    if (key === 'DICOM') {
      checkAttributes(c, kind, 'study', study.DICOM, payload[key], kp);
      continue;
    }
    if (key !== 'Series') {
      refuse(c, kp, outsideHierarchyReason(key, 'Study', 'DICOM and Series'));
      continue;
    }
    const ps = payload[key];
    if (!isObject(ps)) { refuse(c, kp, notAnObjectReason('Series')); continue; }
    const seriesMap = isObject(study.Series) ? study.Series : {};
    for (const s in ps) {
      if (!hasOwn(ps, s)) continue;
      const sp = `${kp}/${escapeSeg(s)}`;
      const sPayload = ps[s];
      if (!hasOwn(seriesMap, s)) { refuse(c, sp, unknownSeriesReason(s)); continue; }
      if (!isObject(sPayload)) { refuse(c, sp, notAnObjectReason('A series')); continue; }
      const series = isObject(seriesMap[s]) ? seriesMap[s] as JsonObject : {};
      const instances = isObject(series.Instances) ? series.Instances : {};
      if (kind === 'remove' && keyCount(sPayload) === 0) {
        recordVerdict(c, sp, forceOnly(seriesRemovalReason(s, keyCount(instances))), undefined);
        continue;
      }
      for (const k in sPayload) {
        if (!hasOwn(sPayload, k)) continue;
        const skp = `${sp}/${escapeSeg(k)}`;
        if (k === 'DICOM') {
          checkAttributes(c, kind, 'series', series.DICOM, sPayload[k], skp);
          const to = kind === 'update' ? newUid(sPayload[k], 'SeriesInstanceUID', s) : undefined;
          if (to !== undefined) {
            if ((hasOwn(seriesMap, to) && to !== s) || uids.series.has(to)) refuse(c, `${skp}/SeriesInstanceUID`, duplicateUidReason('SeriesInstanceUID'));
            uids.series.add(to);
          }
        } else if (k === 'Instances') {
          checkInstances(c, kind, s, instances, sPayload[k], skp, uids);
        } else {
          refuse(c, skp, outsideHierarchyReason(k, 'a series', 'DICOM and Instances'));
        }
      }
    }
  }
}

function checkInstances(c: VerdictCollector, kind: Kind, seriesUid: string, instances: JsonObject, payload: unknown, path: string, uids: { sop: Set<string>; series: Set<string> }): void {
  if (!isObject(payload)) return refuse(c, path, notAnObjectReason('Instances'));
  for (const i in payload) {
    if (!hasOwn(payload, i)) continue;
    const ip = `${path}/${escapeSeg(i)}`;
    const iPayload = payload[i];
    if (!hasOwn(instances, i)) { refuse(c, ip, unknownInstanceReason(seriesUid, i)); continue; }
    if (!isObject(iPayload)) { refuse(c, ip, notAnObjectReason('An instance')); continue; }
    if (kind === 'remove' && keyCount(iPayload) === 0) {
      recordVerdict(c, ip, forceOnly(instanceRemovalReason(i)), undefined);
      continue;
    }
    const inst = isObject(instances[i]) ? instances[i] as JsonObject : {};
    const vrsNow = isObject(inst.DICOMVRs) ? inst.DICOMVRs : {};
    const vrsPayload = kind === 'update' && isObject(iPayload.DICOMVRs) ? iPayload.DICOMVRs : {};
    const vrOfTag = (tag: string): string | undefined => {
      const v = hasOwn(vrsPayload, tag) ? vrsPayload[tag] : hasOwn(vrsNow, tag) ? vrsNow[tag] : undefined;
      return typeof v === 'string' ? v : undefined;
    };
    for (const k in iPayload) {
      if (!hasOwn(iPayload, k)) continue;
      const kp = `${ip}/${escapeSeg(k)}`;
      if (k === 'DICOM') {
        checkAttributes(c, kind, 'instance', inst.DICOM, iPayload[k], kp, vrOfTag);
        const to = kind === 'update' ? newUid(iPayload[k], 'SOPInstanceUID', i) : undefined;
        if (to !== undefined) {
          if (uids.sop.has(to)) refuse(c, `${kp}/SOPInstanceUID`, duplicateUidReason('SOPInstanceUID'));
          uids.sop.add(to);
        }
      } else if (k === 'DICOMVRs') {
        const dicomPayload = isObject(iPayload.DICOM) ? iPayload.DICOM : {};
        checkVrs(c, kind, inst.DICOMVRs, iPayload[k], kp, (tag) => hasOwn(dicomPayload, tag));
      } else if (IMMUTABLE_INSTANCE_KEYS.has(k)) {
        refuse(c, kp, immutableInstanceReason(k));
      } else {
        refuse(c, kp, outsideHierarchyReason(k, 'an instance', 'DICOM and DICOMVRs'));
      }
    }
  }
}

/**
 * Checks a payload as HealthImaging would, against the current document: what it refuses
 * (force cannot help) and what needs force. Paths are JSON pointers into the document (which
 * the payload mirrors). Never throws on malformed payloads: they are reported as refused.
 */
export function checkMetadataUpdate(
  document: unknown, update: MetadataUpdate, options?: { isPrimary?: boolean },
): { forceReasons: PathReason[]; refused: PathReason[] } {
  const c: VerdictCollector = { forceReasons: [], refused: [], isPrimary: options?.isPrimary === true };
  if (!isObject(document)) {
    refuse(c, '', notAnObjectReason('The metadata document'));
    return { forceReasons: c.forceReasons, refused: c.refused };
  }
  if (!isObject(update)) {
    refuse(c, '', 'The update must be an object with updatableAttributes and/or removableAttributes.');
    return { forceReasons: c.forceReasons, refused: c.refused };
  }
  const upd = (update as JsonObject).updatableAttributes;
  const rem = (update as JsonObject).removableAttributes;
  if (upd === undefined && rem === undefined) refuse(c, '', 'The update has neither updatableAttributes nor removableAttributes.');
  const study = isObject(document.Study) ? document.Study : {};
  const sop = allInstanceKeys(study);
  if (rem !== undefined) {
    if (!isObject(rem)) refuse(c, '', notAnObjectReason('removableAttributes'));
    else {
      checkBlob(c, 'remove', document, rem, 'removableAttributes', { sop: new Set(), series: new Set() });
      // Instances removed by this request free their UIDs before the updates apply.
      const st = rem.Study;
      if (isObject(st) && isObject(st.Series)) {
        for (const s in st.Series) {
          const sp = st.Series[s];
          if (!isObject(sp)) continue;
          if (keyCount(sp) === 0) {
            const series = isObject(study.Series) && isObject(study.Series[s]) ? study.Series[s] as JsonObject : {};
            if (isObject(series.Instances)) for (const i in series.Instances) sop.delete(i);
          } else if (isObject(sp.Instances)) {
            for (const i in sp.Instances) {
              const ip = sp.Instances[i];
              if (isObject(ip) && keyCount(ip) === 0) sop.delete(i);
            }
          }
        }
      }
    }
  }
  if (upd !== undefined) {
    if (!isObject(upd)) refuse(c, '', notAnObjectReason('updatableAttributes'));
    else checkBlob(c, 'update', document, upd, 'updatableAttributes', { sop, series: new Set() });
  }
  return { forceReasons: c.forceReasons, refused: c.refused };
}
