// The DICOM data dictionary (PS3.6, from dcmjs, see dicomDictionary.generated.ts) and the
// HealthImaging level of each element (Developer Guide "Metadata normalization").

import {
  DICTIONARY_DATA,
  PATIENT_LEVEL_KEYWORDS,
  SERIES_LEVEL_KEYWORDS,
  STUDY_LEVEL_KEYWORDS,
} from './dicomDictionary.generated';

export interface DicomElement {
  keyword: string;
  /** Eight upper-case hex digits, group then element, e.g. "00100010". */
  tag: string;
  /** Value representation, e.g. "PN"; dcmjs writes "ox" (OB or OW), "xs" (US or SS),
   *  "lt" (US, SS or OW), "up" (UL) and "na" (no value) for the few elements PS3.6 gives several VRs. */
  vr: string;
  /** Value multiplicity as in PS3.6: "1", "1-n", "2-2n", "3" ... */
  vm: string;
  retired: boolean;
}

/** The four levels of an image set's metadata document. */
export type MetadataLevel = 'patient' | 'study' | 'series' | 'instance';

let byKeyword: Map<string, DicomElement> | undefined;
let byTag: Map<string, DicomElement> | undefined;
let levelOf: Map<string, MetadataLevel> | undefined;

function load(): void {
  byKeyword = new Map();
  byTag = new Map();
  for (const record of DICTIONARY_DATA.split(';')) {
    const [keyword, tag, vr, vm, retired] = record.split(',');
    const element: DicomElement = { keyword, tag, vr, vm: vm || '1', retired: retired === 'R' };
    byKeyword.set(keyword, element);
    if (!byTag.has(tag)) byTag.set(tag, element);
  }
  levelOf = new Map();
  for (const k of PATIENT_LEVEL_KEYWORDS) levelOf.set(k, 'patient');
  for (const k of STUDY_LEVEL_KEYWORDS) levelOf.set(k, 'study');
  for (const k of SERIES_LEVEL_KEYWORDS) levelOf.set(k, 'series');
}

/** The element a keyword names, or undefined when it is not a PS3.6 keyword. */
export function elementByKeyword(keyword: string): DicomElement | undefined {
  if (!byKeyword) load();
  return byKeyword!.get(keyword);
}

/** The element with this tag ("00100010" or "0010,0010" or "(0010,0010)"), if PS3.6 has one. */
export function elementByTag(tag: string): DicomElement | undefined {
  if (!byTag) load();
  const hex = tag.replace(/[(),]/g, '').toUpperCase();
  return byTag!.get(hex);
}

/** The level at which HealthImaging keeps an element. Elements the normalization lists do not
 *  name (including private tags and unknown keys) belong to the instance level. */
export function levelOfElement(keyword: string): MetadataLevel {
  if (!levelOf) load();
  return levelOf!.get(keyword) ?? 'instance';
}

/** True for an 8-hex-digit key such as "00091001" (how the metadata names elements by tag). */
export function isTagKey(key: string): boolean {
  return key.length === 8 && /^[0-9A-Fa-f]{8}$/.test(key);
}

/** True for a private tag key: 8 hex digits with an odd group number. */
export function isPrivateTagKey(key: string): boolean {
  return isTagKey(key) && (parseInt(key.slice(0, 4), 16) & 1) === 1;
}

/** Every VR PS3.5 defines. */
export const KNOWN_VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/** The VRs an element may have: dcmjs's combined codes expanded ("xs" -> US, SS). */
export function possibleVrs(vr: string): string[] {
  switch (vr) {
    case 'ox': return ['OB', 'OW'];
    case 'xs': return ['US', 'SS'];
    case 'lt': return ['US', 'SS', 'OW'];
    case 'up': return ['UL'];
    case 'na': return [];
    default: return [vr];
  }
}

/** Every element of the dictionary (keyword order not guaranteed; tag order). */
export function allElements(): readonly DicomElement[] {
  if (!byKeyword) load();
  return [...byKeyword!.values()];
}

/** The readable form of a tag: "(0010,0010)". */
export function formatTag(tag: string): string {
  return `(${tag.slice(0, 4).toUpperCase()},${tag.slice(4, 8).toUpperCase()})`;
}

/** The name of each level in messages. */
export const LEVEL_NAMES: Record<MetadataLevel, string> = {
  patient: 'Patient', study: 'Study', series: 'Series', instance: 'Instance',
};
