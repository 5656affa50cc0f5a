// Which level of the image-set metadata document each DICOM element belongs to.
//
// Source: AWS HealthImaging Developer Guide, "Metadata normalization" (tags as listed there, page order;
// keywords from the DICOM data dictionary shipped with dcmjs). Every element that is not listed here,
// including the file meta information (group 0002) and all private elements, stays at instance level.

import ahiLevels from '../../src/core/ahi-levels.json';

export type MetadataLevel = 'Patient' | 'Study' | 'Series' | 'Instance';

/** Tags (8 upper-case hex digits) per level, as listed by the service's normalization page
 *  (read from the project's one copy of that list, src/core/ahi-levels.json). */
export const LEVEL_TAGS: Readonly<Record<'patient' | 'study' | 'series', readonly string[]>> = {
  patient: ahiLevels.patient.map((e) => e.tag.toUpperCase()),
  study: ahiLevels.study.map((e) => e.tag.toUpperCase()),
  series: ahiLevels.series.map((e) => e.tag.toUpperCase()),
};

const levelByTag: ReadonlyMap<string, MetadataLevel> = new Map<string, MetadataLevel>([
  ...LEVEL_TAGS.patient.map((t): [string, MetadataLevel] => [t, 'Patient']),
  ...LEVEL_TAGS.study.map((t): [string, MetadataLevel] => [t, 'Study']),
  ...LEVEL_TAGS.series.map((t): [string, MetadataLevel] => [t, 'Series']),
]);

/** The level a top-level element of an instance belongs to; `tag` is 8 hex digits (any case). */
export function levelOfTag(tag: string): MetadataLevel {
  return levelByTag.get(tag.toUpperCase()) ?? 'Instance';
}
