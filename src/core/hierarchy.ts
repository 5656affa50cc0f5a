// HealthImaging's hierarchy across image sets: one consistent primary Patient / Study / Series
// hierarchy per study. Pure functions over plain JSON, shared by the extension and the emulator:
// - the Study-level part of an update (what `includeStudyImageSets` sends to every primary image set
//   of the study) and the rest (what stays on one image set), by the levels table (ahi-levels.json);
// - the attributes in which an image set disagrees with the primary image sets of its study (what
//   keeps it non-primary and makes a promotion fail);
// - a view of a document's Patient, Study and Series levels only, for comparing two image sets.

import { levelOfElement } from './dicomDictionary';
import { type JsonObject, hasOwn, isObject, jsonByteLength, sameJson, setOwn, toPointer } from './json';
import type { MetadataUpdate } from './metadataUpdate';
import { PAYLOAD_SCHEMA_VERSION } from './updateRules';

/** The levels whose attributes a study's primary image sets must agree on. */
export type HierarchyLevel = 'patient' | 'study' | 'series';

export interface StudyLevelAttribute {
  keyword: string;
  /** JSON pointer in the metadata document: `/Study/DICOM/<keyword>`. */
  path: string;
  operation: 'update' | 'remove';
}

export interface StudyLevelSplit {
  /** Requests holding only Study-level attributes (sent with includeStudyImageSets); [] when none. */
  study: MetadataUpdate[];
  /** Everything else, in the original order (sent to the one image set). */
  rest: MetadataUpdate[];
  /** The Study-level attributes the study requests change. */
  attributes: StudyLevelAttribute[];
}

const BLOBS = [['updatableAttributes', 'update'], ['removableAttributes', 'remove']] as const;

function studyDicomOf(blob: unknown): JsonObject | undefined {
  return isObject(blob) && isObject(blob.Study) && isObject(blob.Study.DICOM) ? blob.Study.DICOM : undefined;
}

/** True for a key of Study.DICOM that the levels table puts at the Study level. */
function isStudyLevelKey(key: string): boolean {
  return levelOfElement(key) === 'study';
}

/** `blob` without the Study-level keys of Study.DICOM; undefined when nothing but SchemaVersion is left. */
function withoutStudyLevel(blob: JsonObject): JsonObject | undefined {
  const dicom = studyDicomOf(blob) as JsonObject;
  const remaining: JsonObject = {};
  for (const key in dicom) if (hasOwn(dicom, key) && !isStudyLevelKey(key)) setOwn(remaining, key, dicom[key]);
  const study: JsonObject = {};
  for (const key in blob.Study as JsonObject) if (hasOwn(blob.Study as JsonObject, key) && key !== 'DICOM') setOwn(study, key, (blob.Study as JsonObject)[key]);
  if (Object.keys(remaining).length > 0) study.DICOM = remaining;
  const out: JsonObject = {};
  for (const key in blob) if (hasOwn(blob, key) && key !== 'Study') setOwn(out, key, blob[key]);
  if (Object.keys(study).length > 0) out.Study = study;
  return Object.keys(out).some((k) => k !== 'SchemaVersion') ? out : undefined;
}

/**
 * Splits the requests of a plan into the Study-level part (attributes of Study.DICOM that the
 * levels table puts at the Study level) and the rest. The Study-level parts of all requests become
 * one request when it fits within `maxAttributeBytes` (each blob), else one per original request.
 * Nothing is mutated; "__proto__" and similar keys stay data.
 */
export function splitStudyLevelUpdates(updates: readonly MetadataUpdate[], maxAttributeBytes = Infinity): StudyLevelSplit {
  const perRequest: MetadataUpdate[] = [];
  const rest: MetadataUpdate[] = [];
  const attributes: StudyLevelAttribute[] = [];
  for (const update of updates) {
    const studyPart: MetadataUpdate = {};
    const restPart: MetadataUpdate = {};
    for (const [name, operation] of BLOBS) {
      const blob = update[name];
      const dicom = studyDicomOf(blob);
      const keys = dicom ? Object.keys(dicom).filter(isStudyLevelKey) : [];
      if (!isObject(blob) || keys.length === 0) {
        if (blob !== undefined) restPart[name] = blob;
        continue;
      }
      const picked: JsonObject = {};
      for (const key of keys) {
        setOwn(picked, key, (dicom as JsonObject)[key]);
        attributes.push({ keyword: key, path: toPointer(['Study', 'DICOM', key]), operation });
      }
      studyPart[name] = { SchemaVersion: PAYLOAD_SCHEMA_VERSION, Study: { DICOM: picked } };
      const left = withoutStudyLevel(blob);
      if (left) restPart[name] = left;
    }
    if (studyPart.updatableAttributes || studyPart.removableAttributes) perRequest.push(studyPart);
    if (restPart.updatableAttributes || restPart.removableAttributes) rest.push(restPart);
  }
  return { study: mergeStudyParts(perRequest, maxAttributeBytes), rest, attributes };
}

/** One request from several Study-level parts (their keys never repeat: each change is in one request). */
function mergeStudyParts(parts: MetadataUpdate[], maxAttributeBytes: number): MetadataUpdate[] {
  if (parts.length < 2) return parts;
  const merged: MetadataUpdate = {};
  for (const [name] of BLOBS) {
    const dicom: JsonObject = {};
    for (const part of parts) {
      const d = studyDicomOf(part[name]);
      if (d) for (const key in d) if (hasOwn(d, key)) setOwn(dicom, key, d[key]);
    }
    if (Object.keys(dicom).length > 0) merged[name] = { SchemaVersion: PAYLOAD_SCHEMA_VERSION, Study: { DICOM: dicom } };
  }
  const fits = BLOBS.every(([name]) => merged[name] === undefined || jsonByteLength(merged[name]) <= maxAttributeBytes);
  return fits ? [merged] : parts;
}

/** The Study-level attributes the requests change (see splitStudyLevelUpdates), without repeats. */
export function studyLevelAttributes(updates: readonly MetadataUpdate[]): StudyLevelAttribute[] {
  const seen = new Set<string>();
  return splitStudyLevelUpdates(updates).attributes.filter((a) => {
    const key = `${a.operation} ${a.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Conflicts with the primary image sets of a study

export interface HierarchyConflict {
  level: HierarchyLevel;
  /** The attribute's key (a keyword, or an 8-hex tag). */
  attribute: string;
  /** For the Series level: the series both image sets hold. */
  seriesInstanceUID?: string;
  /** JSON pointer of the attribute in the compared image set's document (it may be absent there). */
  path: string;
  /** The primary image sets whose value differs (present on one side only counts as different). */
  imageSetIds: string[];
}

export interface PrimaryDocument {
  imageSetId: string;
  document: unknown;
}

function dicomAt(doc: unknown, ...segments: string[]): JsonObject {
  let current: unknown = doc;
  for (const s of segments) current = isObject(current) && hasOwn(current, s) ? current[s] : undefined;
  return isObject(current) ? current : {};
}

/**
 * The attributes in which `candidate` disagrees with the primary image sets of its study: every
 * attribute of Patient.DICOM and Study.DICOM, and of the DICOM of each series both hold, whose value
 * differs (or that only one side has). The instance level is not compared. In order: Patient, Study,
 * Series; within a level, the candidate's keys first.
 */
export function findHierarchyConflicts(candidate: unknown, primaries: readonly PrimaryDocument[]): HierarchyConflict[] {
  const found = new Map<string, HierarchyConflict>();
  const compare = (level: HierarchyLevel, mine: JsonObject, theirs: JsonObject, segments: string[], imageSetId: string, seriesInstanceUID?: string) => {
    const keys = [...Object.keys(mine), ...Object.keys(theirs).filter((k) => !hasOwn(mine, k))];
    for (const key of keys) {
      if (hasOwn(mine, key) && hasOwn(theirs, key) && sameJson(mine[key], theirs[key])) continue;
      const path = toPointer([...segments, key]);
      const existing = found.get(path);
      if (existing) {
        if (!existing.imageSetIds.includes(imageSetId)) existing.imageSetIds.push(imageSetId);
      } else {
        found.set(path, { level, attribute: key, ...(seriesInstanceUID !== undefined ? { seriesInstanceUID } : {}), path, imageSetIds: [imageSetId] });
      }
    }
  };
  const candidateSeries = dicomAt(candidate, 'Study', 'Series');
  for (const primary of primaries) {
    compare('patient', dicomAt(candidate, 'Patient', 'DICOM'), dicomAt(primary.document, 'Patient', 'DICOM'), ['Patient', 'DICOM'], primary.imageSetId);
    compare('study', dicomAt(candidate, 'Study', 'DICOM'), dicomAt(primary.document, 'Study', 'DICOM'), ['Study', 'DICOM'], primary.imageSetId);
    const theirSeries = dicomAt(primary.document, 'Study', 'Series');
    for (const uid of Object.keys(candidateSeries)) {
      if (!hasOwn(theirSeries, uid)) continue;
      compare('series', dicomAt(candidateSeries, uid, 'DICOM'), dicomAt(theirSeries, uid, 'DICOM'), ['Study', 'Series', uid, 'DICOM'], primary.imageSetId, uid);
    }
  }
  const rank: Record<HierarchyLevel, number> = { patient: 0, study: 1, series: 2 };
  return [...found.values()].sort((a, b) => rank[a.level] - rank[b.level]);
}

const LEVEL_TITLE: Record<HierarchyLevel, string> = { patient: 'Patient', study: 'Study', series: 'Series' };

/**
 * The conflicts as a sentence part, attributes grouped by level and series:
 * "Patient level: PatientID, PatientName; Series 1.2.3 level: SeriesDescription". Never values.
 */
export function describeHierarchyConflicts(conflicts: readonly HierarchyConflict[]): string {
  const groups = new Map<string, string[]>();
  for (const c of conflicts) {
    const group = c.level === 'series' ? `Series ${c.seriesInstanceUID} level` : `${LEVEL_TITLE[c.level]} level`;
    const list = groups.get(group) ?? [];
    if (!list.includes(c.attribute)) list.push(c.attribute);
    groups.set(group, list);
  }
  return [...groups.entries()].map(([group, names]) => `${group}: ${names.join(', ')}`).join('; ');
}

// ---------------------------------------------------------------------------------------------
// The levels of a document, for comparing image sets

/** The name of the count that stands for a series' instances in hierarchyLevelsView. */
export const INSTANCE_COUNT_KEY = 'InstanceCount';

function sortedCopy(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(o).sort()) setOwn(out, key, o[key]);
  return out;
}

/**
 * The Patient, Study and Series levels of a metadata document, with each series' instances
 * replaced by their count (`InstanceCount`): what decides whether image sets agree, small even
 * for image sets of thousands of instances. Attribute keys and series are sorted, so that two
 * views line up in a diff. `series` keeps only those series (in that case series not listed are
 * left out).
 */
export function hierarchyLevelsView(document: unknown, series?: ReadonlySet<string>): JsonObject {
  const allSeries = dicomAt(document, 'Study', 'Series');
  const seriesView: JsonObject = {};
  for (const uid of Object.keys(allSeries).sort()) {
    if (series && !series.has(uid)) continue;
    const s = dicomAt(allSeries, uid);
    setOwn(seriesView, uid, { DICOM: sortedCopy(dicomAt(s, 'DICOM')), [INSTANCE_COUNT_KEY]: Object.keys(dicomAt(s, 'Instances')).length });
  }
  return {
    Patient: { DICOM: sortedCopy(dicomAt(document, 'Patient', 'DICOM')) },
    Study: { DICOM: sortedCopy(dicomAt(document, 'Study', 'DICOM')), Series: seriesView },
  };
}

/** "both primary image sets", "all 4 primary image sets": what a study-wide change reaches, for messages. */
export function primaryImageSetsPhrase(count: number): string {
  return count === 2 ? 'both primary image sets' : `all ${count} primary image sets`;
}

/** The Study Instance UID of a metadata document, if it has one. */
export function studyInstanceUidOf(document: unknown): string | undefined {
  const uid = dicomAt(document, 'Study', 'DICOM').StudyInstanceUID;
  return typeof uid === 'string' && uid !== '' ? uid : undefined;
}

/** The Series Instance UIDs (keys of Study.Series) of a metadata document. */
export function seriesUidsOf(document: unknown): string[] {
  return Object.keys(dicomAt(document, 'Study', 'Series'));
}
