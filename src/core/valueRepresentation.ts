// Does a JSON value fit a DICOM value representation (PS3.5 §6.2) and value multiplicity?
// Returns a short phrase saying what is wrong, or undefined when it fits. The phrase never
// quotes the value itself (metadata values may be patient data).

import { possibleVrs } from './dicomDictionary';

const VR_NAMES: Record<string, string> = {
  AE: 'application entity', AS: 'age string', AT: 'attribute tag', CS: 'code string', DA: 'date',
  DS: 'decimal string', DT: 'date time', FD: 'double float', FL: 'float', IS: 'integer string',
  LO: 'long string', LT: 'long text', OB: 'other byte', OD: 'other double', OF: 'other float',
  OL: 'other long', OV: 'other 64-bit very long', OW: 'other word', PN: 'person name', SH: 'short string',
  SL: 'signed long', SQ: 'sequence', SS: 'signed short', ST: 'short text', SV: 'signed 64-bit very long',
  TM: 'time', UC: 'unlimited characters', UI: 'unique identifier', UL: 'unsigned long', UN: 'unknown',
  UR: 'URI/URL', US: 'unsigned short', UT: 'unlimited text', UV: 'unsigned 64-bit very long',
};

/** "DA (date)". */
export function describeVr(vr: string): string {
  const name = VR_NAMES[vr];
  return name ? `${vr} (${name})` : vr;
}

// Control characters allowed by the default character repertoire: ESC in single-line text,
// plus TAB, LF, FF, CR in LT, ST and UT.
// eslint-disable-next-line no-control-regex
const CTRL_SINGLE = /[\u0000-\u001a\u001c-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CTRL_TEXT = /[\u0000-\u0008\u000b\u000e-\u001a\u001c-\u001f\u007f]/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const INT_RANGES: Record<string, [number, number]> = {
  US: [0, 65535], SS: [-32768, 32767], UL: [0, 4294967295], SL: [-2147483648, 2147483647],
};

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

function checkDate(s: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return 'is not a date in YYYYMMDD form';
  if (!validDate(+m[1], +m[2], +m[3])) return 'is not a calendar date';
  return undefined;
}

function checkTime(s: string): string | undefined {
  const m = /^(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?$/.exec(s);
  if (!m) return 'is not a time in HHMMSS.FFFFFF form';
  if (+m[1] > 23 || (m[2] !== undefined && +m[2] > 59) || (m[3] !== undefined && +m[3] > 60)) return 'is not a valid time of day';
  return undefined;
}

function checkDateTime(s: string): string | undefined {
  const m = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?)?)?)?([+-]\d{4})?$/.exec(s);
  if (!m || s.length > 26) return 'is not a date time in YYYYMMDDHHMMSS.FFFFFF&ZZXX form';
  const [, y, mo, d, h, mi, se, , tz] = m;
  if (mo !== undefined && (+mo < 1 || +mo > 12)) return 'is not a valid date time';
  if (d !== undefined && !validDate(+y, +mo, +d)) return 'is not a valid date time';
  if ((h !== undefined && +h > 23) || (mi !== undefined && +mi > 59) || (se !== undefined && +se > 60)) return 'is not a valid date time';
  if (tz !== undefined && (+tz.slice(1, 3) > 14 || +tz.slice(3) > 59)) return 'has an invalid UTC offset';
  return undefined;
}

function checkText(s: string, max: number, multiLine: boolean): string | undefined {
  if (s.length > max && [...s].length > max) return `is longer than ${max} characters`;
  if ((multiLine ? CTRL_TEXT : CTRL_SINGLE).test(s)) return 'contains control characters';
  if (!multiLine && s.includes('\\')) return 'contains a backslash (the DICOM value separator)';
  return undefined;
}

function checkPersonName(s: string): string | undefined {
  if (s.includes('\\')) return 'contains a backslash (the DICOM value separator)';
  if (CTRL_SINGLE.test(s)) return 'contains control characters';
  const groups = s.split('=');
  if (groups.length > 3) return 'has more than three component groups (alphabetic=ideographic=phonetic)';
  for (const g of groups) {
    if (g.length > 64 && [...g].length > 64) return 'has a component group longer than 64 characters';
    if (g.split('^').length > 5) return 'has more than five components (family^given^middle^prefix^suffix)';
  }
  return undefined;
}

/** Checks one value (not an array) against one VR. */
function checkOne(vr: string, value: unknown): string | undefined {
  if (value === null) return undefined;
  const numeric = vr === 'US' || vr === 'SS' || vr === 'UL' || vr === 'SL' || vr === 'FL' || vr === 'FD' || vr === 'UV' || vr === 'SV';
  if (numeric) {
    let n: number;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'string' && value.trim() !== '' && !isNaN(Number(value))) n = Number(value);
    else return 'is not a number';
    if (vr === 'FL' || vr === 'FD') return Number.isFinite(n) || typeof value === 'string' ? undefined : 'is not a finite number';
    if (!Number.isInteger(n)) return 'is not an integer';
    const range = INT_RANGES[vr];
    if (range && (n < range[0] || n > range[1])) return `is outside the range ${range[0]}..${range[1]}`;
    if (vr === 'UV' && n < 0) return 'is negative';
    return undefined;
  }
  if (vr === 'DS' && typeof value === 'number') return Number.isFinite(value) ? undefined : 'is not a finite number';
  if (vr === 'IS' && typeof value === 'number') {
    return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 ? undefined : 'is not an integer in -2^31..2^31-1';
  }
  if (typeof value !== 'string') {
    return typeof value === 'object' ? 'is an object, not a value' : `is a ${typeof value}, not a string`;
  }
  // DICOM pads values with spaces; the metadata keeps some of that padding ("1 ").
  const s = value;
  const trimmed = s.replace(/^ +| +$/g, '');
  switch (vr) {
    case 'AE':
      if (trimmed.length > 16) return 'is longer than 16 characters';
      return /^[\x20-\x5b\x5d-\x7e]*$/.test(s) ? undefined : 'contains characters outside printable ASCII or a backslash';
    case 'AS':
      return /^\d{3}[DWMY]$/.test(s) ? undefined : 'is not an age like 045Y (three digits then D, W, M or Y)';
    case 'AT':
      return /^[0-9A-Fa-f]{8}$/.test(trimmed) ? undefined : 'is not a tag of eight hex digits';
    case 'CS':
      if (trimmed.length > 16) return 'is longer than 16 characters';
      return /^[A-Z0-9 _]*$/.test(s) ? undefined : 'contains characters other than upper-case letters, digits, space and underscore';
    case 'DA':
      return trimmed === '' ? undefined : checkDate(trimmed);
    case 'DS':
      if (trimmed.length > 16) return 'is longer than 16 characters';
      return trimmed === '' || /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? undefined : 'is not a decimal number';
    case 'DT':
      return trimmed === '' ? undefined : checkDateTime(trimmed);
    case 'IS': {
      if (trimmed.length > 12) return 'is longer than 12 characters';
      if (trimmed === '') return undefined;
      if (!/^[+-]?\d+$/.test(trimmed)) return 'is not an integer';
      const n = Number(trimmed);
      return n >= -2147483648 && n <= 2147483647 ? undefined : 'is outside -2^31..2^31-1';
    }
    case 'LO': return checkText(trimmed, 64, false);
    case 'SH': return checkText(trimmed, 16, false);
    case 'ST': return checkText(s, 1024, true);
    case 'LT': return checkText(s, 10240, true);
    case 'UT': return checkText(s, 4294967294, true);
    case 'UC': return CTRL_SINGLE.test(s) ? 'contains control characters' : undefined;
    case 'UR': return /^[\x21-\x7e]*$/.test(trimmed) ? undefined : 'contains spaces or characters a URI cannot hold';
    case 'PN': return checkPersonName(trimmed);
    case 'TM': return trimmed === '' ? undefined : checkTime(trimmed);
    case 'UI': {
      const u = s.replace(/\0+$/, '');
      if (u.length > 64) return 'is longer than 64 characters';
      if (u === '') return undefined;
      if (!/^[0-9.]+$/.test(u)) return 'contains characters other than digits and dots';
      if (u.startsWith('.') || u.endsWith('.') || u.includes('..')) return 'has an empty component';
      return undefined;
    }
    case 'OB': case 'OD': case 'OF': case 'OL': case 'OV': case 'OW': case 'UN':
      return BASE64.test(s) ? undefined : 'is not base64';
    case 'SQ':
      return 'is not a sequence (an array of items)';
    default:
      return undefined;
  }
}

/** Parses a VM such as "1", "1-n", "2-2n", "1-3" into a check on the number of values. */
function vmAllows(vm: string, count: number): boolean {
  if (count === 0) return true;
  const m = /^(\d+)(?:-(\d*)(n?))?$/.exec(vm);
  if (!m) return true;
  const min = +m[1];
  if (m[2] === undefined) return count === min;
  if (m[3] === 'n') {
    const step = m[2] === '' ? 1 : +m[2];
    return count >= min && (step <= 1 || count % step === 0);
  }
  return count >= min && count <= +m[2];
}

/**
 * Does `value` fit an element with this VR (dictionary code; "xs" etc. allowed) and VM?
 * `null` (an empty element) always fits. Returns a phrase such as "value 2 of 3 is not a date in
 * YYYYMMDD form", or undefined.
 */
export function checkValueAgainstVr(vr: string, vm: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const vrs = possibleVrs(vr);
  if (vrs.length === 0) return undefined;
  if (vrs.includes('SQ')) {
    if (!Array.isArray(value)) return 'is not a sequence (an array of items)';
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return `item ${i + 1} of the sequence is not an object`;
    }
    return undefined;
  }
  const values = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && !vmAllows(vm, values.length)) {
    return `has ${values.length} values where the element allows ${vm}`;
  }
  for (let i = 0; i < values.length; i++) {
    let problem: string | undefined;
    for (const one of vrs) {
      problem = checkOne(one, values[i]);
      if (problem === undefined) break;
    }
    if (problem !== undefined) return values.length > 1 ? `value ${i + 1} of ${values.length} ${problem}` : problem;
  }
  return undefined;
}

/**
 * The corrected form of a DA, TM, DT, AS or UI value written the way people often write it, where
 * the correction is unambiguous: `2024-03-15` -> `20240315`, `10:15:30` -> `101530`,
 * `2024-03-15T10:15:30+01:00` -> `20240315101530+0100`, `45 years` -> `045Y`,
 * ` 1.2.840.10008.1.2 ` or `urn:oid:1.2.3` -> `1.2.3`. Undefined when the value already fits, is
 * not a string, or cannot be corrected without guessing; a correction always fits the VR.
 */
export function correctValue(vr: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || checkOne(vr, value) === undefined) return undefined;
  const s = value.trim();
  let fixed: string | undefined;
  switch (vr) {
    case 'DA': {
      const m = /^(\d{4})[-/.](\d{2})[-/.](\d{2})$/.exec(s);
      if (m) fixed = m[1] + m[2] + m[3];
      break;
    }
    case 'TM': {
      const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?$/.exec(s);
      if (m) fixed = m[1] + m[2] + (m[3] ?? '') + (m[4] !== undefined ? `.${m[4]}` : '');
      break;
    }
    case 'DT': {
      const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
      if (m) {
        const zone = m[8] === undefined ? '' : m[8] === 'Z' ? '+0000' : m[8].replace(':', '');
        fixed = m[1] + m[2] + m[3] + (m[4] ?? '') + (m[5] ?? '') + (m[6] ?? '') + (m[7] !== undefined ? `.${m[7]}` : '') + zone;
      }
      break;
    }
    case 'AS': {
      const units: Record<string, string> = { d: 'D', day: 'D', days: 'D', w: 'W', week: 'W', weeks: 'W', m: 'M', month: 'M', months: 'M', y: 'Y', year: 'Y', years: 'Y' };
      const m = /^(\d{1,3})\s*([a-zA-Z]+)$/.exec(s);
      const unit = m ? units[m[2].toLowerCase()] : undefined;
      if (m && unit) fixed = m[1].padStart(3, '0') + unit;
      break;
    }
    case 'UI': {
      fixed = s.replace(/^urn:oid:/i, '').replace(/\s+/g, '');
      break;
    }
    default:
      return undefined;
  }
  return fixed !== undefined && fixed !== value && checkOne(vr, fixed) === undefined ? fixed : undefined;
}

/** The `2.25.` UID (PS3.5 B.2) of a UUID given as 32 hex digits (dashes allowed). */
export function uidFromUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error('uidFromUuid: expected a UUID of 32 hex digits');
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}
