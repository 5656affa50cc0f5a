// The explorer's filter: SearchImageSets criteria built from what a person types. The parsing
// is kept free of VS Code so that every bad input gets a message naming the field and the value.
import type { SearchCriteria, SearchFilter } from '../aws/healthImagingClient';

export type FilterKind =
  | 'patientId' | 'accessionNumber' | 'studyId' | 'studyInstanceUid' | 'seriesInstanceUid' | 'studyDate' | 'updatedAt';

export interface FilterKindInfo {
  kind: FilterKind;
  label: string;
  prompt: string;
  placeholder: string;
}

export const FILTER_KINDS: readonly FilterKindInfo[] = [
  { kind: 'patientId', label: 'Patient ID', prompt: 'Patient ID (exact match)', placeholder: 'e.g. MRN0001' },
  { kind: 'accessionNumber', label: 'Accession Number', prompt: 'Accession number (exact match)', placeholder: 'e.g. A123' },
  { kind: 'studyId', label: 'Study ID', prompt: 'Study ID (exact match)', placeholder: 'e.g. S1' },
  { kind: 'studyInstanceUid', label: 'Study Instance UID', prompt: 'Study Instance UID (digits and dots)', placeholder: 'e.g. 1.2.826.0.1.3680043.8.498.1' },
  { kind: 'seriesInstanceUid', label: 'Series Instance UID', prompt: 'Series Instance UID (digits and dots)', placeholder: 'e.g. 1.2.826.0.1.3680043.8.498.1.1' },
  { kind: 'studyDate', label: 'Study Date Range', prompt: 'Study dates: FROM..TO (YYYY-MM-DD or YYYYMMDD; one date = that day)', placeholder: 'e.g. 2024-01-01..2024-03-31' },
  { kind: 'updatedAt', label: 'Updated Range', prompt: 'Updated between FROM..TO (YYYY-MM-DD or ISO 8601 times, UTC; one date = that day)', placeholder: 'e.g. 2024-01-01..2024-01-31' },
];

export interface ParsedFilter {
  criteria: SearchCriteria;
  /** Shown in the view's message and on the data store node. */
  description: string;
}

export class FilterInputError extends Error {}

const MAX_LEN = 512;

function parseDicomDate(value: string, field: string): string {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value.trim());
  if (!m) {
    throw new FilterInputError(`${field}: "${value}" is not a date; use YYYY-MM-DD or YYYYMMDD.`);
  }
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) {
    throw new FilterInputError(`${field}: "${value}" is not a valid calendar date.`);
  }
  return `${y}${mo}${d}`;
}

function parseInstant(value: string, field: string, endOfDay: boolean): Date {
  const v = value.trim();
  if (/^\d{4}-?\d{2}-?\d{2}$/.test(v)) {
    const day = parseDicomDate(v, field);
    const start = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)));
    return new Date(endOfDay ? start + 86_400_000 - 1 : start);
  }
  const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) {
    throw new FilterInputError(`${field}: "${value}" is not a date or an ISO 8601 time such as 2024-01-31T12:00:00Z.`);
  }
  return new Date(t);
}

function splitRange(value: string, field: string): [string, string] {
  const parts = value.split(/\s*(?:\.\.|–|\s+to\s+)\s*/i).map((p) => p.trim()).filter((p) => p.length > 0);
  if (parts.length === 1) {
    return [parts[0], parts[0]];
  }
  if (parts.length !== 2) {
    throw new FilterInputError(`${field}: "${value}" is not a range; write FROM..TO.`);
  }
  return [parts[0], parts[1]];
}

/** Validates `value` for `kind` and builds the SearchImageSets criteria; throws FilterInputError. */
export function parseFilter(kind: FilterKind, value: string): ParsedFilter {
  const info = FILTER_KINDS.find((k) => k.kind === kind);
  if (!info) {
    throw new FilterInputError(`Unknown filter "${kind}".`);
  }
  const field = info.label;
  const v = value.trim();
  if (!v) {
    throw new FilterInputError(`${field}: enter a value.`);
  }
  if (v.length > MAX_LEN) {
    throw new FilterInputError(`${field}: at most ${MAX_LEN} characters (got ${v.length}).`);
  }
  const equal = (value: SearchFilter['values'][number]): SearchFilter => ({ operator: 'EQUAL', values: [value] });
  let filter: SearchFilter;
  let shown = v;
  switch (kind) {
    case 'patientId':
      filter = equal({ DICOMPatientId: v });
      break;
    case 'accessionNumber':
      filter = equal({ DICOMAccessionNumber: v });
      break;
    case 'studyId':
      filter = equal({ DICOMStudyId: v });
      break;
    case 'studyInstanceUid':
    case 'seriesInstanceUid':
      if (!/^[0-9.]+$/.test(v)) {
        throw new FilterInputError(`${field}: "${v}" may contain only digits and dots.`);
      }
      filter = equal(kind === 'studyInstanceUid' ? { DICOMStudyInstanceUID: v } : { DICOMSeriesInstanceUID: v });
      break;
    case 'studyDate': {
      const [from, to] = splitRange(v, field).map((d) => parseDicomDate(d, field));
      if (from > to) {
        throw new FilterInputError(`${field}: the start ${from} is after the end ${to}.`);
      }
      filter = {
        operator: 'BETWEEN',
        values: [
          { DICOMStudyDateAndTime: { DICOMStudyDate: from, DICOMStudyTime: '000000' } },
          { DICOMStudyDateAndTime: { DICOMStudyDate: to, DICOMStudyTime: '235959' } },
        ],
      };
      shown = from === to ? from : `${from}..${to}`;
      break;
    }
    case 'updatedAt': {
      const [a, b] = splitRange(v, field);
      const from = parseInstant(a, field, false);
      const to = parseInstant(b, field, true);
      if (from.getTime() > to.getTime()) {
        throw new FilterInputError(`${field}: the start ${from.toISOString()} is after the end ${to.toISOString()}.`);
      }
      filter = { operator: 'BETWEEN', values: [{ updatedAt: from }, { updatedAt: to }] };
      shown = `${from.toISOString()}..${to.toISOString()}`;
      break;
    }
  }
  return { criteria: { filters: [filter] }, description: `${field} ${filter.operator === 'EQUAL' ? '=' : 'in'} ${shown}` };
}

/** The message of a bad value, or undefined when it parses (for input-box validation). */
export function validateFilterInput(kind: FilterKind, value: string): string | undefined {
  try {
    parseFilter(kind, value);
    return undefined;
  } catch (error) {
    return error instanceof FilterInputError ? error.message : String(error);
  }
}
