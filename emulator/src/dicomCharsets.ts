// Text in DICOM data sets that use ISO 2022 code extensions (several Specific Character Set values, e.g.
// "ISO 2022 IR 13\ISO 2022 IR 87" for Japanese, "\ISO 2022 IR 149" for Korean; PS3.5 6.1.2.5 and Annexes H-K).
//
// dcmjs decodes a data set with one decoder and refuses several character sets. The import therefore has dcmjs
// read such data sets as single-byte text (windows-1252, which maps every byte to one character and back), then
// turns each affected value back into its bytes and decodes it here, escape sequence by escape sequence.

import { TextDecoder } from 'node:util';

/** Value representations whose text is affected by the Specific Character Set. */
export const CHARSET_VRS: ReadonlySet<string> = new Set(['SH', 'LO', 'ST', 'LT', 'UC', 'UT', 'PN']);

type Set94 = 'ascii' | 'jisRoman' | 'jis0208' | 'jis0212' | 'gb2312' | 'ksc5601';
/** Single-value Specific Character Sets without code extensions, as TextDecoder labels. */
const SIMPLE_CHARSETS: Record<string, string> = {
  '': 'windows-1252', 'ISO_IR 6': 'windows-1252', 'ISO_IR 100': 'iso-8859-1', 'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3', 'ISO_IR 110': 'iso-8859-4', 'ISO_IR 144': 'iso-8859-5', 'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7', 'ISO_IR 138': 'iso-8859-8', 'ISO_IR 148': 'iso-8859-9', 'ISO_IR 166': 'tis-620',
  'ISO_IR 13': 'shift_jis', 'ISO_IR 192': 'utf-8', 'GB18030': 'gb18030', 'GBK': 'gbk',
};
type Set96 = string | 'katakana' | 'ksc5601' | 'gb2312' | null; // a TextDecoder label for ISO 8859 upper halves

interface CodeState { g0: Set94; g1: Set96 }

/** Initial code elements of each defined term (its G0 and G1 after a reset). */
const DEFINED_TERMS: Record<string, CodeState> = {
  '': { g0: 'ascii', g1: null },
  'ISO 2022 IR 6': { g0: 'ascii', g1: null },
  'ISO 2022 IR 13': { g0: 'jisRoman', g1: 'katakana' },
  'ISO 2022 IR 87': { g0: 'jis0208', g1: null },
  'ISO 2022 IR 159': { g0: 'jis0212', g1: null },
  'ISO 2022 IR 100': { g0: 'ascii', g1: 'iso-8859-1' },
  'ISO 2022 IR 101': { g0: 'ascii', g1: 'iso-8859-2' },
  'ISO 2022 IR 109': { g0: 'ascii', g1: 'iso-8859-3' },
  'ISO 2022 IR 110': { g0: 'ascii', g1: 'iso-8859-4' },
  'ISO 2022 IR 144': { g0: 'ascii', g1: 'iso-8859-5' },
  'ISO 2022 IR 127': { g0: 'ascii', g1: 'iso-8859-6' },
  'ISO 2022 IR 126': { g0: 'ascii', g1: 'iso-8859-7' },
  'ISO 2022 IR 138': { g0: 'ascii', g1: 'iso-8859-8' },
  'ISO 2022 IR 148': { g0: 'ascii', g1: 'iso-8859-9' },
  'ISO 2022 IR 166': { g0: 'ascii', g1: 'tis-620' },
  'ISO 2022 IR 149': { g0: 'ascii', g1: 'ksc5601' },
  'ISO 2022 IR 58': { g0: 'ascii', g1: 'gb2312' },
};

/** Escape sequences (after ESC) and the code element they designate. */
const ESCAPES: ReadonlyArray<[string, Partial<CodeState>]> = [
  ['(B', { g0: 'ascii' }],
  ['(J', { g0: 'jisRoman' }],
  [')I', { g1: 'katakana' }],
  ['$B', { g0: 'jis0208' }],
  ['$(D', { g0: 'jis0212' }],
  ['$)C', { g1: 'ksc5601' }],
  ['$)A', { g1: 'gb2312' }],
  ['-A', { g1: 'iso-8859-1' }],
  ['-B', { g1: 'iso-8859-2' }],
  ['-C', { g1: 'iso-8859-3' }],
  ['-D', { g1: 'iso-8859-4' }],
  ['-L', { g1: 'iso-8859-5' }],
  ['-G', { g1: 'iso-8859-6' }],
  ['-F', { g1: 'iso-8859-7' }],
  ['-H', { g1: 'iso-8859-8' }],
  ['-M', { g1: 'iso-8859-9' }],
  ['-T', { g1: 'tis-620' }],
];

/** True when a Specific Character Set value list uses ISO 2022 code extensions. */
export function usesCodeExtensions(values: string[]): boolean {
  return values.length > 1 || (values.length === 1 && values[0].startsWith('ISO 2022'));
}

/** The first unsupported defined term of a Specific Character Set value list, if any. */
export function unsupportedCharset(values: string[]): string | undefined {
  if (values.length <= 1 && (values[0] ?? '').trim() in SIMPLE_CHARSETS) return undefined;
  return values.find((v) => !(v.trim() in DEFINED_TERMS));
}

const decoders = new Map<string, TextDecoder>();
function decoder(label: string): TextDecoder {
  let d = decoders.get(label);
  if (!d) decoders.set(label, (d = new TextDecoder(label)));
  return d;
}

// windows-1252 (what dcmjs's "latin1" decoder is) maps each byte to one character; this reverses it.
let byteOfChar: Map<string, number> | undefined;
/** The bytes behind text that was decoded as windows-1252. */
export function windows1252Bytes(text: string): Uint8Array {
  if (!byteOfChar) {
    byteOfChar = new Map();
    const all = decoder('windows-1252').decode(Uint8Array.from({ length: 256 }, (_, i) => i));
    for (let i = 0; i < 256; i++) byteOfChar.set(all[i], i);
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = byteOfChar.get(text[i]) ?? 0x3f;
  return out;
}

const DELIMITERS = new Set([0x0d, 0x0a, 0x0c, 0x09, 0x5c, 0x5e, 0x3d]); // CR LF FF TAB \ ^ =

/**
 * Decodes the bytes of a text value encoded with ISO 2022 code extensions. `charsets` is the Specific
 * Character Set value list; the code elements return to those of its first value at each delimiter
 * (PS3.5 6.1.2.5.3).
 */
export function decodeIso2022(bytes: Uint8Array, charsets: string[]): string {
  const initial = DEFINED_TERMS[(charsets[0] ?? '').trim()] ?? DEFINED_TERMS[''];
  let state: CodeState = { ...initial };
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === 0x1b) {
      const match = ESCAPES.find(([seq]) => seq.split('').every((c, k) => bytes[i + 1 + k] === c.charCodeAt(0)));
      if (match) {
        state = { ...state, ...match[1] };
        i += 1 + match[0].length;
        continue;
      }
      i += 1; // unknown escape: drop the ESC
      continue;
    }
    if (b >= 0x80) {
      // G1 (upper half).
      const g1 = state.g1;
      if (g1 === 'katakana') {
        out += b >= 0xa1 && b <= 0xdf ? String.fromCharCode(0xff61 + b - 0xa1) : '\ufffd';
        i += 1;
      } else if (g1 === 'ksc5601' || g1 === 'gb2312') {
        let j = i;
        while (j + 1 < bytes.length && bytes[j] >= 0x80 && bytes[j + 1] >= 0x80) j += 2;
        if (j === i) { out += '\ufffd'; i += 1; continue; }
        out += decoder(g1 === 'ksc5601' ? 'euc-kr' : 'gb18030').decode(bytes.subarray(i, j));
        i = j;
      } else {
        out += decoder(g1 ?? 'iso-8859-1').decode(bytes.subarray(i, i + 1));
        i += 1;
      }
      continue;
    }
    if (state.g0 === 'jis0208' || state.g0 === 'jis0212' || state.g0 === 'gb2312' || state.g0 === 'ksc5601') {
      // Two-byte G0 set: a run of byte pairs up to the next escape or control character.
      let j = i;
      while (j + 1 < bytes.length && bytes[j] >= 0x21 && bytes[j] <= 0x7e && bytes[j + 1] >= 0x21 && bytes[j + 1] <= 0x7e) j += 2;
      if (j === i) {
        out += String.fromCharCode(b);
        if (DELIMITERS.has(b)) state = { ...initial };
        i += 1;
        continue;
      }
      const run = bytes.subarray(i, j);
      const high = new Uint8Array(state.g0 === 'jis0212' ? (run.length / 2) * 3 : run.length);
      if (state.g0 === 'jis0212') {
        for (let k = 0, o = 0; k < run.length; k += 2) { high[o++] = 0x8f; high[o++] = run[k] | 0x80; high[o++] = run[k + 1] | 0x80; }
      } else {
        for (let k = 0; k < run.length; k++) high[k] = run[k] | 0x80;
      }
      const label = state.g0 === 'ksc5601' ? 'euc-kr' : state.g0 === 'gb2312' ? 'gb18030' : 'euc-jp';
      out += decoder(label).decode(high);
      i = j;
      continue;
    }
    // Single-byte G0 (JIS X 0201 Romaji is read as ASCII: its 05/12 is the DICOM value delimiter).
    out += String.fromCharCode(b);
    if (DELIMITERS.has(b)) state = { ...initial };
    i += 1;
  }
  return out;
}

/** Decodes the bytes of a text value with the data set's Specific Character Set value list. */
export function decodeText(bytes: Uint8Array, charsets: string[]): string {
  const single = charsets.length <= 1 ? SIMPLE_CHARSETS[(charsets[0] ?? '').trim()] : undefined;
  return single ? decoder(single).decode(bytes) : decodeIso2022(bytes, charsets);
}

const PATCHED = 'ISO_IR 100';

/**
 * Finds the Specific Character Set elements of a data set (top level and in sequence items) and, when any of
 * them uses ISO 2022 code extensions, overwrites every one of them in place with "ISO_IR 100" padded to the
 * same length, so that dcmjs reads all text byte for byte. Returns the original value lists keyed by the
 * padded text dcmjs will report (undefined when nothing needed patching).
 */
export function patchCodeExtensions(bytes: Uint8Array, start: number, implicitVr: boolean, bigEndian: boolean): Map<string, string[]> | undefined {
  // Code extensions are always spelled "ISO 2022 ..." in the element's value: most files are ruled out at once.
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('ISO 2022', start, 'latin1') < 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found: { valueAt: number; length: number; text: string }[] = [];
  const tag = bigEndian ? [0x00, 0x08, 0x00, 0x05] : [0x08, 0x00, 0x05, 0x00];
  for (let at = bytes.indexOf(tag[0], start); at >= 0 && at + 8 <= bytes.length; at = bytes.indexOf(tag[0], at + 1)) {
    if (bytes[at + 1] !== tag[1] || bytes[at + 2] !== tag[2] || bytes[at + 3] !== tag[3]) continue;
    let valueAt: number;
    let length: number;
    if (implicitVr) {
      length = view.getUint32(at + 4, true);
      valueAt = at + 8;
    } else {
      if (bytes[at + 4] !== 0x43 || bytes[at + 5] !== 0x53) continue; // "CS"
      length = view.getUint16(at + 6, !bigEndian);
      valueAt = at + 8;
    }
    if (length > 1024 || valueAt + length > bytes.length) continue;
    const value = bytes.subarray(valueAt, valueAt + length);
    if (!value.every((b) => b >= 0x20 && b < 0x7f || b === 0)) continue;
    found.push({ valueAt, length, text: String.fromCharCode(...value) });
  }
  const lists = found.map((f) => f.text.replace(/[\0 ]+$/, '').split('\\').map((v) => v.trim()));
  if (!lists.some(usesCodeExtensions)) return undefined;
  const originals = new Map<string, string[]>();
  found.forEach((f, k) => {
    if (f.length < PATCHED.length) return;
    const padded = PATCHED.padEnd(f.length, ' ');
    for (let i = 0; i < f.length; i++) bytes[f.valueAt + i] = padded.charCodeAt(i);
    if (!originals.has(padded)) originals.set(padded, lists[k]);
  });
  return originals;
}
