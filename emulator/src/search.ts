// SearchImageSets: the DICOMTags summary of a metadata document, the filter grammar
// (EQUAL / BETWEEN over the documented attributes, at most two filters, AND-ed), sorting.
import type { ContentSummary } from './store';
import { constraintError, requireEnum, requireObject, requireString, validation } from './wire';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** A DICOM value as the summary shows it: first value of a multi-valued element, padding trimmed. */
function text(v: unknown): string | undefined {
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.replace(/[\s\0]+$/, '');
  return t === '' ? undefined : t;
}

function int(v: unknown): number | undefined {
  const t = text(v);
  if (t === undefined || !/^[+-]?\d+$/.test(t.trim())) return undefined;
  const n = Number(t.trim());
  return Number.isSafeInteger(n) && Math.abs(n) <= 2 ** 31 - 1 ? n : undefined;
}

/** DICOM date + time as one sortable string: YYYYMMDDHHMMSS.ffffff. */
export function studyDateTime(date: string | undefined, time: string | undefined): string | undefined {
  if (!date || !/^\d{8}$/.test(date)) return undefined;
  const t = (time ?? '').replace(/:/g, '');
  const [hms, frac = ''] = t.split('.');
  return `${date}${(hms ?? '').padEnd(6, '0').slice(0, 6)}.${frac.padEnd(6, '0').slice(0, 6)}`;
}

export function summarize(doc: unknown): ContentSummary {
  const d = obj(doc);
  const patient = obj(obj(d.Patient).DICOM);
  const studyLevel = obj(d.Study);
  const study = obj(studyLevel.DICOM);
  const seriesMap = obj(studyLevel.Series);
  const seriesKeys = Object.keys(seriesMap);
  const seriesInstanceUIDs = seriesKeys.map((k) => text(obj(obj(seriesMap[k]).DICOM).SeriesInstanceUID) ?? k);
  const firstSeries = obj(obj(seriesMap[seriesKeys[0] ?? '']).DICOM);
  let instances = 0;
  for (const k of seriesKeys) instances += Object.keys(obj(obj(seriesMap[k]).Instances)).length;

  const tags: Record<string, string | number> = {};
  const put = (name: string, value: string | number | undefined): void => { if (value !== undefined) tags[name] = value; };
  put('DICOMPatientId', text(patient.PatientID));
  put('DICOMPatientName', text(patient.PatientName));
  put('DICOMPatientBirthDate', text(patient.PatientBirthDate));
  put('DICOMPatientSex', text(patient.PatientSex));
  put('DICOMStudyInstanceUID', text(study.StudyInstanceUID));
  put('DICOMStudyId', text(study.StudyID));
  put('DICOMStudyDescription', text(study.StudyDescription));
  put('DICOMNumberOfStudyRelatedSeries', int(study.NumberOfStudyRelatedSeries) ?? seriesKeys.length);
  put('DICOMNumberOfStudyRelatedInstances', int(study.NumberOfStudyRelatedInstances) ?? instances);
  put('DICOMAccessionNumber', text(study.AccessionNumber));
  put('DICOMSeriesInstanceUID', seriesInstanceUIDs[0]);
  put('DICOMSeriesModality', text(firstSeries.Modality));
  put('DICOMSeriesBodyPart', text(firstSeries.BodyPartExamined));
  put('DICOMSeriesNumber', int(firstSeries.SeriesNumber));
  put('DICOMStudyDate', text(study.StudyDate));
  put('DICOMStudyTime', text(study.StudyTime));
  return {
    tags,
    studyInstanceUID: text(study.StudyInstanceUID),
    seriesInstanceUIDs,
    studyDateTime: studyDateTime(text(study.StudyDate), text(study.StudyTime)),
  };
}

/** What a search looks at for one image set. */
export interface Searchable {
  imageSetId: string;
  createdAt: number;
  updatedAt: number;
  isPrimary: boolean;
  summary: ContentSummary;
}

type Predicate = (s: Searchable) => boolean;
export type SortField = 'updatedAt' | 'createdAt' | 'DICOMStudyDateAndTime';
export interface ParsedSearch { predicates: Predicate[]; sort?: { sortField: SortField; sortOrder: 'ASC' | 'DESC' } }

const STRING_ATTRIBUTES: Record<string, { tag: string; pattern?: RegExp }> = {
  DICOMPatientId: { tag: 'DICOMPatientId' },
  DICOMAccessionNumber: { tag: 'DICOMAccessionNumber' },
  DICOMStudyId: { tag: 'DICOMStudyId' },
  DICOMStudyInstanceUID: { tag: 'DICOMStudyInstanceUID', pattern: /^[0-9.]+$/ },
  DICOMSeriesInstanceUID: { tag: 'DICOMSeriesInstanceUID', pattern: /^[0-9.]+$/ },
};
const ATTRIBUTES = [...Object.keys(STRING_ATTRIBUTES), 'createdAt', 'updatedAt', 'DICOMStudyDateAndTime', 'isPrimary'];

interface Value { attribute: string; key: string | number | boolean }

function parseValue(raw: unknown, field: string): Value {
  const v = requireObject(raw, field) as Json;
  const keys = Object.keys(v).filter((k) => v[k] !== undefined && v[k] !== null);
  if (keys.length !== 1) throw validation(`${field} must set exactly one of ${ATTRIBUTES.join(', ')} (found ${keys.length === 0 ? 'none' : keys.join(', ')})`);
  const attribute = keys[0] as string;
  const value = v[attribute];
  const at = `${field}.${attribute}`;
  if (attribute in STRING_ATTRIBUTES) {
    const spec = STRING_ATTRIBUTES[attribute] as { pattern?: RegExp };
    return { attribute, key: requireString(value, at, { max: 512, pattern: spec.pattern }) as string };
  }
  if (attribute === 'createdAt' || attribute === 'updatedAt') {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw constraintError(at, value, 'Member must be a timestamp in epoch seconds');
    return { attribute, key: Math.round(value * 1000) };
  }
  if (attribute === 'isPrimary') {
    if (typeof value !== 'boolean') throw constraintError(at, value, 'Member must be a boolean');
    return { attribute, key: value };
  }
  if (attribute === 'DICOMStudyDateAndTime') {
    const dt = requireObject(value, at) as Json;
    const date = requireString(dt.DICOMStudyDate, `${at}.DICOMStudyDate`, { max: 36, pattern: /^\d{8}$/ }) as string;
    const time = requireString(dt.DICOMStudyTime, `${at}.DICOMStudyTime`, { max: 56, required: false, pattern: /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/ });
    return { attribute, key: studyDateTime(date, time) as string };
  }
  throw validation(`${field} has an unknown attribute '${attribute}'; expected one of ${ATTRIBUTES.join(', ')}`);
}

function valueOf(s: Searchable, attribute: string): Array<string | number | boolean | undefined> {
  switch (attribute) {
    case 'createdAt': return [s.createdAt];
    case 'updatedAt': return [s.updatedAt];
    case 'isPrimary': return [s.isPrimary];
    case 'DICOMStudyDateAndTime': return [s.summary.studyDateTime];
    case 'DICOMSeriesInstanceUID': return s.summary.seriesInstanceUIDs;
    default: return [s.summary.tags[STRING_ATTRIBUTES[attribute]?.tag ?? ''] as string | undefined];
  }
}

export function parseSearchCriteria(body: unknown): ParsedSearch {
  const criteria = requireObject(body, 'searchCriteria', false) ?? {};
  const predicates: Predicate[] = [];
  const filters = criteria.filters;
  if (filters !== undefined && filters !== null) {
    if (!Array.isArray(filters)) throw constraintError('searchCriteria.filters', filters, 'Member must be a list');
    if (filters.length < 1 || filters.length > 2) throw constraintError('searchCriteria.filters', filters, 'Member must have length between 1 and 2');
    filters.forEach((raw, i) => {
      const field = `searchCriteria.filters.${i + 1}`;
      const f = requireObject(raw, field) as Json;
      const operator = requireEnum(f.operator, `${field}.operator`, ['EQUAL', 'BETWEEN'] as const) as 'EQUAL' | 'BETWEEN';
      if (!Array.isArray(f.values)) throw constraintError(`${field}.values`, f.values ?? null, 'Member must be a list of 1 to 2 search values');
      const values = f.values.map((v, j) => parseValue(v, `${field}.values.${j + 1}`));
      if (operator === 'EQUAL') {
        if (values.length !== 1) throw validation(`${field}: operator EQUAL takes exactly one value (found ${values.length})`);
        const { attribute, key } = values[0] as Value;
        predicates.push((s) => valueOf(s, attribute).some((x) => x === key));
      } else {
        if (values.length !== 2) throw validation(`${field}: operator BETWEEN takes exactly two values, the lower and the upper bound (found ${values.length})`);
        const [lo, hi] = values as [Value, Value];
        if (lo.attribute !== hi.attribute) throw validation(`${field}: both BETWEEN values must name the same attribute (found ${lo.attribute} and ${hi.attribute})`);
        if (!['createdAt', 'updatedAt', 'DICOMStudyDateAndTime'].includes(lo.attribute)) {
          throw validation(`${field}: operator BETWEEN applies to createdAt, updatedAt and DICOMStudyDateAndTime, not to ${lo.attribute}`);
        }
        if (lo.key > hi.key) throw validation(`${field}: the lower bound of BETWEEN is after the upper bound`);
        predicates.push((s) => valueOf(s, lo.attribute).some((x) => x !== undefined && x >= lo.key && x <= hi.key));
      }
    });
  }
  let sort: ParsedSearch['sort'];
  if (criteria.sort !== undefined && criteria.sort !== null) {
    const so = requireObject(criteria.sort, 'searchCriteria.sort') as Json;
    sort = {
      sortOrder: requireEnum(so.sortOrder, 'searchCriteria.sort.sortOrder', ['ASC', 'DESC'] as const) as 'ASC' | 'DESC',
      sortField: requireEnum(so.sortField, 'searchCriteria.sort.sortField', ['updatedAt', 'createdAt', 'DICOMStudyDateAndTime'] as const) as SortField,
    };
  }
  return { predicates, sort };
}

/** Filters and orders the candidates (default: updatedAt descending; ties by image set id, so paging is stable). */
export function runSearch(candidates: Searchable[], search: ParsedSearch): Searchable[] {
  const hits = candidates.filter((s) => search.predicates.every((p) => p(s)));
  const field = search.sort?.sortField ?? 'updatedAt';
  const dir = (search.sort?.sortOrder ?? 'DESC') === 'ASC' ? 1 : -1;
  const key = (s: Searchable): string | number => (field === 'DICOMStudyDateAndTime' ? s.summary.studyDateTime ?? '' : s[field]);
  return hits.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) return ka < kb ? -dir : dir;
    return a.imageSetId < b.imageSetId ? -1 : a.imageSetId > b.imageSetId ? 1 : 0;
  });
}
