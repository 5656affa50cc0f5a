// Reading DICOM Part 10 files with dcmjs and turning their elements into the JSON value style of
// HealthImaging metadata documents (keyword keys, plain-string person names, base64 binary values, ...).

import { CHARSET_VRS, decodeText, patchCodeExtensions, unsupportedCharset, windows1252Bytes } from './dicomCharsets';

// dcmjs ships no type declarations; the small surface used here is typed below.
const dcmjs = require('dcmjs') as DcmjsModule;

export interface DcmjsElement { vr: string; Value?: unknown[]; _rawValue?: unknown }
export type DcmjsDataset = Record<string, DcmjsElement>;
interface DictionaryEntry { tag: string; vr: string; vm: string; name: string }
interface Logger { getLevel(): number; setLevel(level: number | string, persist?: boolean): void }
interface DcmjsModule {
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): { meta: DcmjsDataset; dict: DcmjsDataset } };
    DicomMetaDictionary: {
      dictionary: Record<string, DictionaryEntry | undefined>;
      nameMap: Record<string, DictionaryEntry | undefined>;
    };
  };
  log: Logger & { getLogger(name: string): Logger };
}

export const TS_IMPLICIT_LE = '1.2.840.10008.1.2';
export const TS_EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const TS_DEFLATED_LE = '1.2.840.10008.1.2.1.99';
export const TS_EXPLICIT_BE = '1.2.840.10008.1.2.2';
export const TS_RLE = '1.2.840.10008.1.2.5';

/** Binary value representations: their values are base64 strings in the metadata document. */
export const BINARY_VRS: ReadonlySet<string> = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN']);
const NUMBER_VRS: ReadonlySet<string> = new Set(['US', 'UL', 'SS', 'SL', 'FL', 'FD', 'UV', 'SV']);
const VALID_VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'PN',
  'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/** A DICOM data set read from a file, before normalization. */
export interface ReadDataset {
  /** File meta information (group 0002); empty when the file had none. */
  meta: DcmjsDataset;
  dataset: DcmjsDataset;
  /** The transfer syntax the data set was encoded with. */
  transferSyntaxUID: string;
  bigEndian: boolean;
  /** The bytes dcmjs read (a Part 10 file), for checks dcmjs does not make. */
  fileBytes: Uint8Array;
  /**
   * Set when the data set uses ISO 2022 code extensions: dcmjs then read all text as windows-1252 and text
   * values are decoded again here. Maps the Specific Character Set text dcmjs reports to the declared values.
   */
  charsetOriginals?: Map<string, string[]>;
}

/** Thrown for files that cannot be imported; the message says what is wrong and where. */
export class DicomImportError extends Error {}

/** Upper-case 8-hex tag → "(GGGG,EEEE)". */
export function punctuateTag(tag: string): string {
  return `(${tag.slice(0, 4)},${tag.slice(4, 8)})`;
}

export function isPrivateTag(tag: string): boolean {
  return (parseInt(tag.slice(0, 4), 16) & 1) === 1;
}

const keywordCache = new Map<string, string | null>();
/**
 * The data-dictionary keyword of a standard element, or null for private and unknown elements and for
 * elements of repeating groups other than the group the dictionary names (those get 8-hex keys, so keys never collide).
 */
export function keywordOf(tag: string): string | null {
  const cached = keywordCache.get(tag);
  if (cached !== undefined) return cached;
  let keyword: string | null = null;
  if (!isPrivateTag(tag)) {
    const entry = dcmjs.data.DicomMetaDictionary.dictionary[tag];
    if (entry && entry.name) {
      const name = entry.name.replace(/^RETIRED_/, '');
      const byName = dcmjs.data.DicomMetaDictionary.nameMap[entry.name];
      if (!byName || byName.tag.toUpperCase() === punctuateTag(tag)) keyword = name;
    }
  }
  keywordCache.set(tag, keyword);
  return keyword;
}

/** The dictionary's value multiplicity of a standard element ("1", "1-n", "3", ...), or undefined. */
export function dictionaryVm(tag: string): string | undefined {
  return isPrivateTag(tag) ? undefined : dcmjs.data.DicomMetaDictionary.dictionary[tag]?.vm;
}

/** The tag (8 upper-case hex digits) of a dictionary keyword, or undefined. */
export function tagOfKeyword(keyword: string): string | undefined {
  const entry = dcmjs.data.DicomMetaDictionary.nameMap[keyword] ?? dcmjs.data.DicomMetaDictionary.nameMap[`RETIRED_${keyword}`];
  return entry ? entry.tag.replace(/[(),]/g, '').toUpperCase() : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));

/**
 * Scans the file meta group (explicit VR little endian) starting at `start`: its Transfer Syntax UID, whether
 * it starts with a group length element, and where it ends.
 */
function scanMeta(bytes: Uint8Array, start: number): { transferSyntaxUID?: string; hasGroupLength: boolean; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = start;
  let transferSyntaxUID: string | undefined;
  const hasGroupLength = bytes.length >= start + 4 && view.getUint16(start, true) === 0x0002 && view.getUint16(start + 2, true) === 0;
  while (offset + 8 <= bytes.length) {
    const group = view.getUint16(offset, true);
    const element = view.getUint16(offset + 2, true);
    if (group !== 0x0002) break;
    const vr = ascii(bytes, offset + 4, offset + 6);
    let length: number;
    let headerLength: number;
    if (['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV', 'SV', 'UV'].includes(vr)) {
      if (offset + 12 > bytes.length) break;
      length = view.getUint32(offset + 8, true);
      headerLength = 12;
    } else {
      length = view.getUint16(offset + 6, true);
      headerLength = 8;
    }
    if (element === 0x0010) {
      transferSyntaxUID = ascii(bytes, offset + headerLength, offset + headerLength + length).replace(/[\0 ]+$/, '');
    }
    offset += headerLength + length;
  }
  return { transferSyntaxUID, hasGroupLength, end: Math.min(offset, bytes.length) };
}

function isUpperLetter(b: number | undefined): boolean {
  return b !== undefined && b >= 0x41 && b <= 0x5a;
}

/** Encodes a minimal file meta group so that a bare data set can be read like a Part 10 file. */
function syntheticMeta(transferSyntaxUID: string): Uint8Array {
  const uid = transferSyntaxUID.length % 2 === 1 ? `${transferSyntaxUID}\0` : transferSyntaxUID;
  const elements = 12 + 2 + 8 + uid.length; // (0002,0001) OB 2 bytes, (0002,0010) UI
  const out = new Uint8Array(128 + 4 + 12 + elements);
  const view = new DataView(out.buffer);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  let o = 132;
  // (0002,0000) UL group length
  view.setUint16(o, 2, true); view.setUint16(o + 2, 0, true); out.set([0x55, 0x4c], o + 4); view.setUint16(o + 6, 4, true);
  view.setUint32(o + 8, elements, true); o += 12;
  // (0002,0001) OB file meta information version 00\01
  view.setUint16(o, 2, true); view.setUint16(o + 2, 1, true); out.set([0x4f, 0x42, 0, 0], o + 4); view.setUint32(o + 8, 2, true);
  out.set([0, 1], o + 12); o += 14;
  // (0002,0010) UI transfer syntax
  view.setUint16(o, 2, true); view.setUint16(o + 2, 0x10, true); out.set([0x55, 0x49], o + 4); view.setUint16(o + 6, uid.length, true);
  for (let i = 0; i < uid.length; i++) out[o + 8 + i] = uid.charCodeAt(i);
  return out;
}

/**
 * Detects how a file is laid out: a Part 10 file ("DICM" at byte 128), a file meta group without the
 * 128-byte preamble, or a bare data set without file meta information (as some older tools write them; read
 * like pydicom's `force=True`: implicit or explicit VR little endian, or explicit VR big endian, detected from
 * the first element). Returns the bytes to hand to dcmjs.
 */
function toPart10(bytes: Uint8Array): { buffer: ArrayBuffer; hadFileMeta: boolean; transferSyntaxUID: string; datasetStart: number } {
  if (bytes.length >= 132 && ascii(bytes, 128, 132) === 'DICM') {
    const meta = scanMeta(bytes, 132);
    if (!meta.transferSyntaxUID) throw new DicomImportError('the file meta information has no Transfer Syntax UID (0002,0010)');
    if (meta.hasGroupLength) {
      return { buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, hadFileMeta: true, transferSyntaxUID: meta.transferSyntaxUID, datasetStart: meta.end };
    }
    // No File Meta Information Group Length (0002,0000): insert it, so the group's end is known.
    const out = new Uint8Array(bytes.length + 12);
    out.set(bytes.subarray(0, 132), 0);
    const view = new DataView(out.buffer);
    view.setUint16(132, 2, true); view.setUint16(134, 0, true); out.set([0x55, 0x4c], 136); view.setUint16(138, 4, true);
    view.setUint32(140, meta.end - 132, true);
    out.set(bytes.subarray(132), 144);
    return { buffer: out.buffer, hadFileMeta: true, transferSyntaxUID: meta.transferSyntaxUID, datasetStart: meta.end + 12 };
  }
  if (bytes.length < 8) throw new DicomImportError(`not a DICOM file: only ${bytes.length} bytes`);
  const groupLE = bytes[0] | (bytes[1] << 8);
  const groupBE = (bytes[0] << 8) | bytes[1];
  if (groupLE === 0x0002 && isUpperLetter(bytes[4]) && isUpperLetter(bytes[5])) {
    // File meta group without the preamble.
    const out = new Uint8Array(132 + bytes.length);
    out.set([0x44, 0x49, 0x43, 0x4d], 128);
    out.set(bytes, 132);
    return toPart10(out);
  }
  let ts: string | undefined;
  const explicitVr = VALID_VRS.has(ascii(bytes, 4, 6));
  if (groupLE >= 0x0008 && groupLE <= 0x0010 && groupLE % 2 === 0) ts = explicitVr ? TS_EXPLICIT_LE : TS_IMPLICIT_LE;
  else if (groupBE >= 0x0008 && groupBE <= 0x0010 && groupBE % 2 === 0 && explicitVr) ts = TS_EXPLICIT_BE;
  if (!ts) {
    throw new DicomImportError('not a DICOM file: no "DICM" marker at byte 128 and no recognizable data set at the start');
  }
  const meta = syntheticMeta(ts);
  const out = new Uint8Array(meta.length + bytes.length);
  out.set(meta, 0);
  out.set(bytes, meta.length);
  return { buffer: out.buffer, hadFileMeta: false, transferSyntaxUID: ts, datasetStart: meta.length };
}

/** Reads one file with dcmjs. Throws DicomImportError with a clear message when it cannot. */
export function readDicomFile(bytes: Uint8Array): ReadDataset {
  const { buffer, hadFileMeta, transferSyntaxUID, datasetStart } = toPart10(bytes);
  const charsetOriginals = transferSyntaxUID === TS_DEFLATED_LE ? undefined
    : patchCodeExtensions(new Uint8Array(buffer), datasetStart, transferSyntaxUID === TS_IMPLICIT_LE, transferSyntaxUID === TS_EXPLICIT_BE);
  if (charsetOriginals) {
    const unsupported = [...charsetOriginals.values()].map(unsupportedCharset).find((c) => c !== undefined);
    if (unsupported !== undefined) throw new DicomImportError(`Specific Character Set (0008,0005) "${unsupported}" is not a supported defined term`);
  }
  const validationLog = dcmjs.log.getLogger('validation.dcmjs');
  const previous = [dcmjs.log.getLevel(), validationLog.getLevel()];
  // dcmjs reports recoverable oddities (unusual VRs, lengths) through its logger; the import reports per file instead.
  dcmjs.log.setLevel('silent', false);
  validationLog.setLevel('silent', false);
  let read: { meta: DcmjsDataset; dict: DcmjsDataset };
  try {
    read = dcmjs.data.DicomMessage.readFile(buffer, { ignoreErrors: false, untilTag: null, includeUntilTagValue: false, noCopy: false, forceStoreRaw: false });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const charsets = /^Using multiple character sets is not supported: (.*)$/.exec(reason);
    if (charsets) {
      throw new DicomImportError(`Specific Character Set (0008,0005) lists several character sets (${charsets[1].split(',').map((c) => c || '(default)').join(', ')}); ISO 2022 code extensions are not supported`);
    }
    throw new DicomImportError(`cannot read the DICOM data set (truncated or malformed file?): ${reason}`);
  } finally {
    dcmjs.log.setLevel(previous[0], false);
    validationLog.setLevel(previous[1], false);
  }
  return {
    meta: hadFileMeta ? read.meta : {},
    dataset: read.dict,
    transferSyntaxUID,
    bigEndian: transferSyntaxUID === TS_EXPLICIT_BE,
    fileBytes: new Uint8Array(buffer),
    charsetOriginals,
  };
}

/**
 * Checks that a top-level element whose value dcmjs returned with `length` bytes really has that many bytes in
 * the file: dcmjs pads a value cut short by the end of the file instead of failing. The element is located by
 * its tag and declared length; when it cannot be located (e.g. deflated data sets) nothing is checked.
 * Throws DicomImportError when the file ends inside the value.
 */
export function checkValueInFile(read: ReadDataset, tag: string, length: number): void {
  if (read.transferSyntaxUID === TS_DEFLATED_LE || length === 0) return;
  const bytes = read.fileBytes;
  const group = parseInt(tag.slice(0, 4), 16);
  const element = parseInt(tag.slice(4), 16);
  const be = read.bigEndian;
  const implicit = read.transferSyntaxUID === TS_IMPLICIT_LE;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const needle = be
    ? [group >> 8, group & 0xff, element >> 8, element & 0xff]
    : [group & 0xff, group >> 8, element & 0xff, element >> 8];
  for (let at = bytes.indexOf(needle[0]); at >= 0 && at + 8 <= bytes.length; at = bytes.indexOf(needle[0], at + 1)) {
    if (bytes[at + 1] !== needle[1] || bytes[at + 2] !== needle[2] || bytes[at + 3] !== needle[3]) continue;
    let header: number;
    let declared: number;
    if (implicit) {
      header = 8;
      declared = view.getUint32(at + 4, true);
    } else {
      if (at + 12 > bytes.length) continue;
      header = 12;
      declared = view.getUint32(at + 8, !be);
    }
    if (declared !== length) continue;
    if (at + header + declared > bytes.length) {
      throw new DicomImportError(
        `the file ends inside ${punctuateTag(tag)}: its value needs ${declared} bytes, the file has ${bytes.length - at - header} left (file truncated?)`);
    }
    return;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** Reverses the byte order of each `size`-byte word (big endian → little endian). */
export function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  if (size < 2) return bytes;
  const out = new Uint8Array(bytes.length);
  const whole = bytes.length - (bytes.length % size);
  for (let i = 0; i < whole; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j];
  }
  out.set(bytes.subarray(whole), whole);
  return out;
}

const WORD_SIZE: Record<string, number> = { OW: 2, OF: 4, OL: 4, OD: 8, OV: 8 };

/** The bytes of a binary element (all its fragments concatenated), little endian. */
export function binaryBytes(element: DcmjsElement, bigEndian: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const v of element.Value ?? []) {
    if (v instanceof ArrayBuffer) parts.push(new Uint8Array(v));
    else if (ArrayBuffer.isView(v)) parts.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  let bytes: Uint8Array;
  if (parts.length === 1) bytes = parts[0];
  else {
    bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { bytes.set(p, o); o += p.length; }
  }
  return bigEndian ? swapBytes(bytes, WORD_SIZE[element.vr] ?? 1) : bytes;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

function personName(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const p = v as { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
    const groups = [p.Alphabetic ?? '', p.Ideographic ?? '', p.Phonetic ?? ''];
    while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
    return groups.join('=');
  }
  return null;
}

function numberValue(v: unknown): number | string | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** Context of a conversion: where private-element VRs are collected, and the byte order of the file. */
export interface ConvertContext {
  /** VRs of elements keyed by 8-hex tag (private and unknown elements), for the instance's DICOMVRs. */
  vrs: Record<string, string>;
  bigEndian: boolean;
  /** Pixel Representation of the data set (1 = signed), for elements whose VR depends on it. */
  signedPixels: boolean;
  /** Size of the file: no value can be longer (guards against mis-parsed lengths). */
  fileSize: number;
  /** Where the conversion is, for messages: sequence keys and item indexes, e.g. ["ContentSequence[0]"]. */
  path?: string[];
  /** See ReadDataset.charsetOriginals. */
  charsetOriginals?: Map<string, string[]>;
  /** The Specific Character Set in effect (the data set's or the enclosing one's), when text is decoded here. */
  charsets?: string[];
}

/** The declared Specific Character Set values of a data set when the import decodes its text itself. */
export function declaredCharsets(dataset: DcmjsDataset, ctx: ConvertContext): string[] | undefined {
  if (!ctx.charsetOriginals) return undefined;
  const element = dataset['00080005'];
  if (!element) return undefined;
  const raw = element._rawValue;
  const text = String((Array.isArray(raw) ? raw[0] : raw) ?? '');
  return ctx.charsetOriginals.get(text) ?? ctx.charsetOriginals.get(text.padEnd(text.length + 1, ' ')) ?? [...ctx.charsetOriginals.values()][0];
}

/** Text values decoded from their bytes with the Specific Character Set in effect (code-extension data sets). */
function redecodedText(vr: string, element: DcmjsElement, ctx: ConvertContext): unknown[] {
  const raw = element._rawValue;
  const joined = Array.isArray(raw) ? raw.map((v) => String(v ?? '')).join('\\') : String(raw ?? '');
  const text = decodeText(windows1252Bytes(joined), ctx.charsets ?? ['']);
  const values = vr === 'ST' || vr === 'LT' || vr === 'UT' ? [text] : text.split('\\');
  return values.map((v) => {
    if (vr === 'SH' || vr === 'LO') return v.trim();
    const trimmed = v.replace(/[ \0]+$/, '');
    return vr === 'PN' ? trimmed.replace(/=+$/, '') : trimmed; // no empty trailing component groups, as for other names
  });
}

function where(tag: string, ctx: ConvertContext): string {
  const inside = ctx.path && ctx.path.length > 0 ? ` in ${ctx.path.join('.')}` : '';
  return `${punctuateTag(tag)}${inside}`;
}

/** The key of an element in the metadata document: its keyword, or its 8-hex tag (recording the VR). */
export function elementKey(tag: string, vr: string, ctx: ConvertContext): string | null {
  if (tag.endsWith('0000') && tag.slice(0, 4) !== '0002') return null; // group lengths carry nothing after normalization
  const keyword = keywordOf(tag);
  if (keyword) return keyword;
  if (ctx.vrs[tag] === undefined) ctx.vrs[tag] = vr;
  return tag;
}

/** Converts one element to its metadata JSON value. */
export function convertValue(tag: string, element: DcmjsElement, ctx: ConvertContext): unknown {
  const vr = element.vr;
  const values = element.Value ?? [];
  if (vr === 'SQ') {
    const name = keywordOf(tag) ?? tag;
    const path = (ctx.path ??= []);
    return values.map((item, i) => {
      path.push(`${name}[${i}]`);
      try {
        return convertDataset((item ?? {}) as DcmjsDataset, ctx);
      } finally {
        path.pop();
      }
    });
  }
  if (BINARY_VRS.has(vr)) {
    const bytes = binaryBytes(element, ctx.bigEndian);
    if (bytes.length > ctx.fileSize) {
      throw new DicomImportError(`element ${where(tag, ctx)} (${vr}) claims ${bytes.length} bytes, more than the whole file holds (malformed encoding)`);
    }
    return bytes.length === 0 ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }
  let out: unknown[];
  if (ctx.charsetOriginals && CHARSET_VRS.has(vr)) {
    out = redecodedText(vr, element, ctx);
  } else if (vr === 'PN') {
    out = values.map(personName);
  } else if (vr === 'AT') {
    out = values.map((v) => (typeof v === 'number' ? hex8(v) : String(v)));
  } else if (NUMBER_VRS.has(vr)) {
    out = values.map(numberValue);
    const dictVr = isPrivateTag(tag) ? undefined : dcmjs.data.DicomMetaDictionary.dictionary[tag]?.vr;
    if (ctx.signedPixels && vr === 'US' && dictVr === 'xs') {
      // Implicit VR files: "US or SS" elements are read as US; with signed pixels they are SS.
      out = out.map((n) => (typeof n === 'number' && n > 0x7fff ? n - 0x10000 : n));
    }
  } else if (vr === 'DS' || vr === 'IS') {
    // Decimal and integer strings keep their text as written in the file (as the service shows them).
    const raw = element._rawValue;
    const rawList = Array.isArray(raw) ? raw : raw === undefined ? undefined : [raw];
    out = rawList && rawList.length === values.length
      ? rawList.map((v) => (v === null || v === undefined ? null : String(v)))
      : values.map((v) => (v === null || v === undefined ? null : String(v)));
  } else if (vr === 'UI') {
    // dcmjs drops characters other than digits and dots from UIDs; keep what the file says.
    const raw = element._rawValue;
    const rawList = Array.isArray(raw) ? raw : raw === undefined ? values : [raw];
    out = rawList.map((v) => (v === null || v === undefined ? null : String(v).replace(/[\0 ]+$/, '')));
  } else if (tag === '00080005' && ctx.charsetOriginals) {
    out = ctx.charsets ?? [];
  } else if (tag === '00080005') {
    // dcmjs decodes text to Unicode and relabels the data set as ISO_IR 192; keep the character set the file declared.
    const raw = element._rawValue;
    out = (Array.isArray(raw) ? raw : values).map((v) => String(v ?? '').trim());
  } else {
    out = values.map((v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : String(v)));
  }
  if (out.length === 0 || (out.length === 1 && (out[0] === '' || out[0] === null))) return null;
  const vm = dictionaryVm(tag);
  if (out.length === 1 && (vm === undefined || vm === '1')) return out[0];
  return out;
}

/** Converts a data set (a sequence item, or a whole instance) to an object keyed by keyword / 8-hex tag. */
export function convertDataset(dataset: DcmjsDataset, ctx: ConvertContext): Record<string, unknown> {
  const outer = ctx.charsets;
  ctx.charsets = declaredCharsets(dataset, ctx) ?? outer;
  try {
    const out: Record<string, unknown> = {};
    for (const tag of Object.keys(dataset).sort()) {
      const element = dataset[tag];
      const key = elementKey(tag.toUpperCase(), element.vr, ctx);
      if (key === null) continue;
      out[key] = convertValue(tag.toUpperCase(), element, ctx);
    }
    return out;
  } finally {
    ctx.charsets = outer;
  }
}

/** The first value of an element as a string, trimmed; undefined when absent or empty. UIDs as written in the file. */
export function stringOf(dataset: DcmjsDataset, tag: string): string | undefined {
  const element = dataset[tag];
  const raw = element?.vr === 'UI' ? element._rawValue : undefined;
  const v = raw !== undefined ? (Array.isArray(raw) ? raw[0] : raw) : element?.Value?.[0];
  if (v === undefined || v === null) return undefined;
  const s = (typeof v === 'object' ? personName(v) ?? '' : String(v)).replace(/\0/g, '').trim();
  return s === '' ? undefined : s;
}

/** The first value of an element as a number; undefined when absent or not numeric. */
export function numberOf(dataset: DcmjsDataset, tag: string): number | undefined {
  const n = numberValue(dataset[tag]?.Value?.[0]);
  return typeof n === 'number' ? n : undefined;
}
