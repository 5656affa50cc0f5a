// What HealthImaging accepts in an UpdateImageSetMetadata request, as rules over one change at a
// time. Used both when computing a plan from two documents and when checking a payload against a
// document (the emulator), so there is one definition of "needs force" and "refused".
// Each rule answers with a sentence for the user; none of them quotes a metadata value.

import {
  KNOWN_VRS,
  LEVEL_NAMES,
  MetadataLevel,
  elementByKeyword,
  elementByTag,
  isPrivateTagKey,
  isTagKey,
  levelOfElement,
} from './dicomDictionary';
import { isObject } from './json';
import { checkValueAgainstVr, describeVr } from './valueRepresentation';

/**
 * The service's limit on each `updatableAttributes` / `removableAttributes` document of one
 * UpdateImageSetMetadata request, in bytes (the service model since April 2026; 10,000 before).
 */
export const SERVICE_MAX_ATTRIBUTE_BYTES = 30_000;
/**
 * The size at which the extension splits a change into several requests unless the setting
 * `healthImaging.maxAttributeBytes` says otherwise: the limit of the older API versions, so that a
 * save works against every version of the service.
 */
export const DEFAULT_SPLIT_ATTRIBUTE_BYTES = 10_000;
/** The SchemaVersion every payload starts with. */
export const PAYLOAD_SCHEMA_VERSION = 1.1;

/** A JSON pointer and a sentence a user understands. */
export interface PathReason {
  path: string;
  reason: string;
}

/** Where each level's elements live in the document, for messages. */
export const LEVEL_PLACE: Record<MetadataLevel, string> = {
  patient: 'Patient.DICOM',
  study: 'Study.DICOM',
  series: 'Study.Series[<SeriesInstanceUID>].DICOM',
  instance: 'Study.Series[<SeriesInstanceUID>].Instances[<SOPInstanceUID>].DICOM',
};


/** Top-level keys HealthImaging generates; never changeable. */
export const IMMUTABLE_ROOT_KEYS: ReadonlySet<string> = new Set(['SchemaVersion', 'DatastoreID', 'ImageSetID']);
/** Keys of an instance object HealthImaging generates; never changeable. */
export const IMMUTABLE_INSTANCE_KEYS: ReadonlySet<string> = new Set(['ImageFrames', 'StoredTransferSyntaxUID', 'ChecksumType']);

const IDENTIFIER_REASONS: Record<string, string> = {
  StudyInstanceUID: 'StudyInstanceUID identifies the study; HealthImaging changes it only with force.',
  SeriesInstanceUID: 'SeriesInstanceUID identifies the series; HealthImaging changes it only with force (afterwards the series is listed under its new UID).',
  SOPInstanceUID: 'SOPInstanceUID identifies the instance; HealthImaging changes it only with force (afterwards the instance is listed under its new UID).',
  StudyID: 'StudyID is one of the study identifiers HealthImaging changes only with force.',
};

export function immutableRootReason(key: string): string {
  return `${key} is set by HealthImaging and can never be changed.`;
}

export function immutableInstanceReason(key: string): string {
  const what = key === 'ImageFrames' ? 'ImageFrames describes the stored pixel frames'
    : key === 'StoredTransferSyntaxUID' ? 'StoredTransferSyntaxUID records how the frames are stored'
      : 'ChecksumType records how the frame checksums were computed';
  return `${what}; HealthImaging generates it and it can never be changed.`;
}

export function outsideHierarchyReason(key: string, where: string, allowed: string): string {
  return `"${key}" is not part of the metadata hierarchy here (${where} holds only ${allowed}); it cannot be added, changed or removed.`;
}

export function notAnObjectReason(what: string): string {
  return `${what} must be a JSON object.`;
}

export function actionWord(existed: boolean, present: boolean): string {
  return !existed ? 'Adding' : !present ? 'Removing' : 'Changing';
}

function isSequenceValue(v: unknown): boolean {
  return Array.isArray(v) && v.some((x) => isObject(x));
}

function isMultiValue(v: unknown): boolean {
  return Array.isArray(v) && !v.some((x) => isObject(x));
}

/** One attribute change inside a DICOM object. */
export interface AttributeChange {
  level: MetadataLevel;
  key: string;
  /** Was the attribute in the document before? */
  existed: boolean;
  before: unknown;
  /** Is the attribute in the document after? (false: removed) */
  present: boolean;
  after: unknown;
  /** VR of a tag key from the instance's DICOMVRs (after the change), if any. */
  vrOfTag?: (tag: string) => string | undefined;
}

/** The verdict on one change: reasons it needs force, reasons it is refused (force cannot help). */
export interface Verdict {
  force: string[];
  refuse: string[];
}

/** Where verdicts are collected, for an image set that is primary or not. */
export interface VerdictCollector {
  forceReasons: PathReason[];
  refused: PathReason[];
  isPrimary: boolean;
}

/**
 * Records the verdict on the change at `path`. On a primary image set, what would need force is
 * refused, and so is any change at the Patient or Series level.
 */
export function recordVerdict(collector: VerdictCollector, path: string, verdict: Verdict, level: MetadataLevel | undefined): void {
  const { force, refuse } = verdictFor(verdict, level, collector.isPrimary);
  for (const reason of refuse) collector.refused.push({ path, reason });
  for (const reason of force) collector.forceReasons.push({ path, reason });
}

/** Judges one attribute change (add, change or remove) at a level. */
export function judgeAttributeChange(c: AttributeChange): Verdict {
  const force: string[] = [];
  const refuse: string[] = [];
  const { key, level } = c;
  const action = actionWord(c.existed, c.present);
  let vr: string | undefined;
  let vm = '1';
  let home: MetadataLevel = 'instance';
  let isSq = false;

  if (isTagKey(key)) {
    const standard = isPrivateTagKey(key) ? undefined : elementByTag(key);
    if (isPrivateTagKey(key)) {
      force.push(`${action} private tag ${key} needs force: HealthImaging adds, changes or removes private tags of an instance only with force.`);
    } else if (standard) {
      force.push(`"${key}" names the standard element ${standard.keyword} by its tag; HealthImaging keys standard elements by keyword (use "${standard.keyword}"), and accepts other keys only with force.`);
      vr = standard.vr;
      vm = standard.vm;
      isSq = standard.vr === 'SQ';
      home = levelOfElement(standard.keyword);
    } else {
      force.push(`"${key}" is not an element of the DICOM dictionary; HealthImaging accepts elements that are not DICOM keywords only with force.`);
    }
    if (!standard) {
      vr = c.vrOfTag?.(key);
      if (c.present && !c.existed && vr === undefined) {
        refuse.push(`Tag ${key} has no VR: add "${key}": "<VR>" to the DICOMVRs of this instance (HealthImaging needs the VR of every element it does not know).`);
      }
    }
  } else {
    const element = elementByKeyword(key);
    if (element) {
      vr = element.vr;
      vm = element.vm;
      isSq = element.vr === 'SQ';
      home = levelOfElement(key);
      const idReason = IDENTIFIER_REASONS[key];
      if (idReason) force.push(idReason);
    } else {
      force.push(`"${key}" is not a DICOM keyword; HealthImaging accepts attributes that are not DICOM keywords only with force.`);
    }
  }

  if (level !== home && !c.existed) {
    refuse.push(`${key} is ${home === 'instance' ? 'an' : 'a'} ${LEVEL_NAMES[home]}-level element: HealthImaging keeps it in ${LEVEL_PLACE[home]}, not in ${LEVEL_PLACE[level]}. Make the change there.`);
  }

  if (isSq || isSequenceValue(c.before) || (c.present && isSequenceValue(c.after))) {
    force.push(`${key} is a sequence; HealthImaging changes sequences (always sent whole) only with force.`);
  } else if (isMultiValue(c.before) || (c.present && isMultiValue(c.after))) {
    force.push(`${key} is multi-valued; HealthImaging changes multi-valued attributes (always sent whole) only with force.`);
  }

  if (c.present && vr !== undefined) {
    const problem = checkValueAgainstVr(vr, vm, c.after);
    if (problem) force.push(valueFormatReason(key, problem, vr));
  }
  return { force, refuse };
}

const VALUE_FORMAT_TAIL = 'HealthImaging accepts values that do not fit the VR only with force.';

function valueFormatReason(key: string, problem: string, vr: string): string {
  return `The new value of ${key} ${problem}, which does not fit its VR ${describeVr(vr)}; ${VALUE_FORMAT_TAIL}`;
}

/** True for the reason judgeAttributeChange gives a value that does not fit its VR (also as a refusal on a primary image set). */
export function isValueFormatReason(reason: string): boolean {
  return reason.includes(VALUE_FORMAT_TAIL);
}

/** A verdict as it applies to an image set: on a primary one, what needs force is refused, and so is
 *  any Patient- or Series-level change (force cannot help there). */
export function verdictFor(v: Verdict, level: MetadataLevel | undefined, isPrimary: boolean): Verdict {
  if (!isPrimary) return v;
  const refuse = [...v.refuse, ...v.force.map(primaryForceReason)];
  if (level === 'patient' || level === 'series') refuse.push(primaryLevelReason(level));
  return { force: [], refuse };
}

/** What saving a change of an attribute's value does, before the new value is known. */
export interface ChangeOutlook {
  outcome: 'update' | 'force' | 'refused';
  /** Why it needs force, or why it is refused. */
  reasons: string[];
}

/**
 * What saving a change to the attribute `key` (now holding `current`) at `level` does on this image
 * set: a plain update, one that needs force, or a refusal; with the reasons. Rules that depend on
 * the new value (its VR) are left out: the caller says those separately.
 */
export function changeOutlook(
  level: MetadataLevel, key: string, current: unknown, isPrimary: boolean, vrOfTag?: (tag: string) => string | undefined,
): ChangeOutlook {
  // `null` fits every VR: only the rules about the attribute itself speak.
  const v = verdictFor(judgeAttributeChange({ level, key, existed: true, before: current, present: true, after: null, vrOfTag }), level, isPrimary);
  if (v.refuse.length > 0) return { outcome: 'refused', reasons: v.refuse };
  if (v.force.length > 0) return { outcome: 'force', reasons: v.force };
  return { outcome: 'update', reasons: [] };
}

/** Judges a change of one DICOMVRs entry (the VR of a tag key). */
export function judgeVrEntryChange(tag: string, existed: boolean, present: boolean, after: unknown): Verdict {
  const refuse: string[] = [];
  if (!isTagKey(tag)) {
    refuse.push(`DICOMVRs maps tags (eight hex digits, e.g. "00091001") to VRs; "${tag}" is not a tag.`);
  } else if (present && (typeof after !== 'string' || !KNOWN_VRS.has(after))) {
    refuse.push(`The VR given for tag ${tag} in DICOMVRs is not a DICOM VR (two capital letters such as "LO", "DS", "SQ").`);
  }
  const action = actionWord(existed, present);
  return {
    force: [`${action} the VR of tag ${tag} in DICOMVRs needs force: HealthImaging changes private tags of an instance only with force.`],
    refuse,
  };
}

export function seriesRemovalReason(uid: string, instanceCount: number): string {
  return `Removing series ${uid} deletes it and its ${instanceCount} instance${instanceCount === 1 ? '' : 's'} from the image set; HealthImaging removes a series only with force.`;
}

export function instanceRemovalReason(uid: string): string {
  return `Removing instance ${uid} deletes it from the image set; HealthImaging removes an instance only with force.`;
}

export function unknownSeriesReason(uid: string): string {
  return `Series ${uid} is not in this image set: an update cannot add a series (series arrive by import or by copying an image set).`;
}

export function unknownInstanceReason(seriesUid: string, uid: string): string {
  return `Instance ${uid} is not in series ${seriesUid} of this image set: an update cannot add an instance (instances arrive by import or by copying an image set).`;
}

export function renamedSeriesReason(newKey: string, oldKey: string | undefined): string {
  const old = oldKey ? `keep the key "${oldKey}"` : 'keep the series key (its original Series Instance UID)';
  return `Series keys cannot be renamed ("${newKey}" is not in this image set). To change a Series Instance UID, ${old} and edit "SeriesInstanceUID" inside that series' DICOM (this needs force); HealthImaging then lists the series under the new UID.`;
}

export function renamedInstanceReason(newKey: string, oldKey: string | undefined): string {
  const old = oldKey ? `keep the key "${oldKey}"` : 'keep the instance key (its original SOP Instance UID)';
  return `Instance keys cannot be renamed ("${newKey}" is not in this series). To change a SOP Instance UID, ${old} and edit "SOPInstanceUID" inside that instance's DICOM (this needs force); HealthImaging then lists the instance under the new UID.`;
}

export function duplicateUidReason(keyword: 'SOPInstanceUID' | 'SeriesInstanceUID'): string {
  return keyword === 'SOPInstanceUID'
    ? 'The new SOPInstanceUID is already used by another instance of this image set; SOP Instance UIDs must be unique.'
    : 'The new SeriesInstanceUID is already used by another series of this image set; Series Instance UIDs must be unique.';
}

export function removalMismatchReason(key: string): string {
  return `The value given for removing ${key} does not match its current value; HealthImaging removes an attribute only when key and value both match.`;
}

export function removalMissingReason(key: string): string {
  return `${key} is not in the document, so it cannot be removed.`;
}

export function primaryLevelReason(level: 'patient' | 'series'): string {
  return `${LEVEL_NAMES[level]}-level elements cannot be updated on a primary image set, and force cannot help there.`;
}

/** Turns a needs-force reason into a refusal for a primary image set. */
export function primaryForceReason(forceReason: string): string {
  return `${forceReason} This is a primary image set, where force is not available, so HealthImaging refuses the change.`;
}

export function tooLargeReason(key: string, bytes: number, limit: number, blob: string): string {
  return `${key} is too large for one update: it takes ${bytes} bytes of ${blob}, over the limit of ${limit} bytes.`;
}

/** The new UID a DICOM payload gives a series/instance keyed `currentKey`, when it re-keys it:
 *  a non-empty string different from the key. */
export function newUid(dicomPayload: unknown, keyword: string, currentKey: string): string | undefined {
  if (!isObject(dicomPayload) || !Object.prototype.hasOwnProperty.call(dicomPayload, keyword)) return undefined;
  const v = dicomPayload[keyword];
  return typeof v === 'string' && v !== '' && v !== currentKey ? v : undefined;
}
