// The metadata document as text: parse with positions (for editor diagnostics), format, and
// locate a JSON pointer in the text.

import { ParseErrorCode, visit } from 'jsonc-parser';
import { fromPointer } from './json';

/** A problem in the text; line and column are 1-based, offset and length count UTF-16 units. */
export interface TextProblem {
  message: string;
  offset: number;
  length: number;
  line: number;
  column: number;
}

const ERROR_TEXT: Record<number, string> = {
  [ParseErrorCode.InvalidSymbol]: 'Invalid symbol',
  [ParseErrorCode.InvalidNumberFormat]: 'Invalid number',
  [ParseErrorCode.PropertyNameExpected]: 'Property name in double quotes expected',
  [ParseErrorCode.ValueExpected]: 'Value expected',
  [ParseErrorCode.ColonExpected]: 'Colon expected',
  [ParseErrorCode.CommaExpected]: 'Comma expected',
  [ParseErrorCode.CloseBraceExpected]: 'Closing brace "}" expected',
  [ParseErrorCode.CloseBracketExpected]: 'Closing bracket "]" expected',
  [ParseErrorCode.EndOfFileExpected]: 'End of document expected (only one JSON value is allowed)',
  [ParseErrorCode.InvalidCommentToken]: 'Comments are not allowed in JSON',
  [ParseErrorCode.UnexpectedEndOfComment]: 'Comments are not allowed in JSON',
  [ParseErrorCode.UnexpectedEndOfString]: 'Unterminated string',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'Unterminated number',
  [ParseErrorCode.InvalidUnicode]: 'Invalid unicode escape sequence',
  [ParseErrorCode.InvalidEscapeCharacter]: 'Invalid escape character in string',
  [ParseErrorCode.InvalidCharacter]: 'Invalid character in string (control characters must be escaped)',
};

/** The next of a few characters at or after `from` (-1: none), found by the regular expression
 *  engine: a native scan, linear, allocating nothing (test() with lastIndex, not exec()). */
function nextOf(chars: RegExp, text: string, from: number): number {
  chars.lastIndex = from;
  return chars.test(text) ? chars.lastIndex - 1 : -1;
}

const STRUCTURAL = /["{}[\]]/g;
const STRUCTURAL_OR_COMMA = /["{}[\],]/g;

/** Index just past the string literal starting at `start` (a double quote), or -1. */
function stringEnd(text: string, start: number): number {
  let j = text.indexOf('"', start + 1);
  while (j > 0) {
    let backslashes = 0;
    for (let k = j - 1; text.charCodeAt(k) === 92; k--) backslashes++;
    if ((backslashes & 1) === 0) return j + 1;
    j = text.indexOf('"', j + 1);
  }
  return -1;
}

/** The key a string literal spells; one with an escape JSON does not know (typing `\`) reads as written. */
function decodeKey(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(start, end)) as string;
  } catch {
    return raw;
  }
}

/** Duplicate keys of valid JSON text, in one pass that skips string contents natively. */
function duplicateKeys(text: string): { key: string; offset: number; length: number }[] {
  const out: { key: string; offset: number; length: number }[] = [];
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  let i = 0;
  for (;;) {
    i = nextOf(STRUCTURAL_OR_COMMA, text, i);
    if (i < 0) break;
    const c = text.charCodeAt(i);
    if (c === 34) {
      const end = stringEnd(text, i);
      if (end < 0) break;
      const keys = stack[stack.length - 1];
      if (expectKey && keys) {
        const key = decodeKey(text, i, end);
        if (keys.has(key)) out.push({ key, offset: i, length: end - i });
        else keys.add(key);
      }
      expectKey = false;
      i = end;
      continue;
    }
    if (c === 123) { stack.push(new Set()); expectKey = true; }
    else if (c === 91) { stack.push(null); expectKey = false; }
    else if (c === 125 || c === 93) { stack.pop(); expectKey = false; }
    else if (c === 44) expectKey = stack[stack.length - 1] != null;
    i++;
  }
  return out;
}

function countColons(s: string): number {
  let n = 0;
  for (let i = s.indexOf(':'); i !== -1; i = s.indexOf(':', i + 1)) n++;
  return n;
}

/** Number of object members plus the colons inside strings, in a parsed value. */
function membersAndColons(v: unknown): number {
  if (typeof v === 'string') return countColons(v);
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) n += membersAndColons(v[i]);
    return n;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) n += 1 + countColons(k) + membersAndColons(o[k]);
  return n;
}

/**
 * A quick test that valid JSON text has no duplicate keys: every member of the text has one
 * colon, and every other colon is inside a string. Without \u escapes (which could spell a
 * colon), the text's colons equal the parsed value's members plus the colons in its strings
 * exactly when no member was dropped as a duplicate. False means "certainly none".
 */
function mayHaveDuplicateKeys(text: string, value: unknown): boolean {
  if (text.includes('\\u')) return true;
  return countColons(text) !== membersAndColons(value);
}

/** 1-based line and column of each offset (sorted ascending). */
function positions(text: string, offsets: number[]): { line: number; column: number }[] {
  const out: { line: number; column: number }[] = [];
  let line = 1;
  let lineStart = 0;
  let from = 0;
  for (const offset of offsets) {
    for (let nl = text.indexOf('\n', from); nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    from = lineStart;
    out.push({ line, column: offset - lineStart + 1 });
  }
  return out;
}

function duplicateMessage(key: string): string {
  return `Duplicate key "${key}": JSON objects must not repeat a key (only the last one would count).`;
}

/**
 * Parses a metadata document. Reports invalid JSON (value undefined) and duplicate keys (value
 * as JSON.parse reads it: the last duplicate wins), each with its position. Comments and trailing
 * commas are invalid, as for HealthImaging. Valid text takes JSON.parse plus one scan for
 * duplicate keys; only invalid text goes through the slower, error-tolerant parser.
 */
export function parseMetadataText(text: string): { value: unknown | undefined; problems: TextProblem[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { value: undefined, problems: diagnoseInvalid(text) };
  }
  if (!mayHaveDuplicateKeys(text, value)) return { value, problems: [] };
  const dups = duplicateKeys(text);
  const at = positions(text, dups.map((d) => d.offset));
  const problems = dups.map((d, k) => ({ message: duplicateMessage(d.key), offset: d.offset, length: d.length, line: at[k].line, column: at[k].column }));
  return { value, problems };
}

/** Syntax errors (and duplicate keys) of text JSON.parse rejected, from jsonc-parser's scanner. */
function diagnoseInvalid(text: string): TextProblem[] {
  const problems: TextProblem[] = [];
  const keysStack: Set<string>[] = [];
  visit(text, {
    onObjectBegin: () => { keysStack.push(new Set()); },
    onObjectEnd: () => { keysStack.pop(); },
    onObjectProperty: (property, offset, length, startLine, startCharacter) => {
      const keys = keysStack[keysStack.length - 1];
      if (!keys) return;
      if (keys.has(property)) problems.push({ message: duplicateMessage(property), offset, length, line: startLine + 1, column: startCharacter + 1 });
      else keys.add(property);
    },
    onComment: (offset, length, startLine, startCharacter) => {
      problems.push({ message: 'Comments are not allowed in JSON', offset, length, line: startLine + 1, column: startCharacter + 1 });
    },
    onError: (error, offset, length, startLine, startCharacter) => {
      problems.push({ message: ERROR_TEXT[error] ?? 'Invalid JSON', offset, length, line: startLine + 1, column: startCharacter + 1 });
    },
  }, { allowTrailingComma: false, disallowComments: false, allowEmptyContent: false });
  if (!problems.some((p) => !p.message.startsWith('Duplicate key'))) {
    // The scanner accepted what JSON.parse did not (rare): say so without quoting the text.
    problems.push({ message: 'Invalid JSON', offset: 0, length: 0, line: 1, column: 1 });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Layout: how a document is written as text. Parsing never depends on it.

/**
 * `expanded`: JSON.stringify with two-space indentation. `compact`: the same, except that each
 * instance's `DICOM`, `DICOMVRs` and `ImageFrames` are written on one line each, without spaces
 * (Patient, Study and Series `DICOM` stay expanded), so that image sets of thousands of instances
 * stay under the size where VS Code turns off highlighting and folding.
 */
export type MetadataLayout = 'expanded' | 'compact';
/** The setting: a layout, or `auto` (compact above AUTO_COMPACT_LINES lines or AUTO_COMPACT_CHARS). */
export type LayoutSetting = MetadataLayout | 'auto';

/** `auto` writes compact when the expanded text would have more lines than this... */
export const AUTO_COMPACT_LINES = 250_000;
/** ...or more characters (15 MB; VS Code's own limits are 300,000 lines and 20 MB). */
export const AUTO_COMPACT_CHARS = 15 * 1024 * 1024;

/** Lines and characters of the expanded text of `value` at `depth`, counted without writing it. */
function expandedSize(value: unknown, depth: number, acc: { lines: number; chars: number }): void {
  if (value === null || typeof value !== 'object') {
    acc.chars += typeof value === 'string' ? JSON.stringify(value).length : String(value).length;
    return;
  }
  const isArray = Array.isArray(value);
  let n = 0;
  const indent = 2 * (depth + 1);
  if (isArray) {
    for (const item of value as unknown[]) {
      n++;
      acc.lines++;
      acc.chars += indent + 2; // indentation, the newline, and a comma or nothing (counted below)
      expandedSize(item, depth + 1, acc);
    }
  } else {
    const o = value as Record<string, unknown>;
    for (const k in o) {
      if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
      n++;
      acc.lines++;
      acc.chars += indent + 2 + JSON.stringify(k).length + 2;
      expandedSize(o[k], depth + 1, acc);
    }
  }
  if (n > 0) {
    acc.lines++; // the closing line
    acc.chars += 2 * depth + 1 - 1; // its indentation (the newline before it is counted above)
  }
  acc.chars += 2; // the brackets
}

/** Lines (as an editor counts them) and characters (UTF-16 units) of formatMetadata(document, `expanded`). */
export function expandedTextSize(document: unknown): { lines: number; chars: number } {
  const acc = { lines: 2, chars: 1 }; // (the final newline starts an empty last line, as editors count)
  expandedSize(document, 0, acc);
  return acc;
}

/** The layout `auto` (or an explicit setting) gives a document. */
export function chooseLayout(document: unknown, setting: LayoutSetting = 'auto'): MetadataLayout {
  if (setting !== 'auto') return setting;
  const { lines, chars } = expandedTextSize(document);
  return lines > AUTO_COMPACT_LINES || chars > AUTO_COMPACT_CHARS ? 'compact' : 'expanded';
}

/** A JSON value on one line, as the compact layout writes it (JSON.stringify's form, the fastest
 *  for thousands of instances): `{"a":1,"b":[2,3]}`. */
export function formatOneLine(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

const COMPACT_INSTANCE_KEYS = new Set(['DICOM', 'DICOMVRs', 'ImageFrames']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Expanded text of `value` at `depth`, with instance objects (depth 5 under Study.Series.*.Instances) compacted. */
function writeCompact(value: unknown, depth: number, path: number, out: string[]): void {
  // `path` tracks where we are: 0 root, 1 Study, 2 Study.Series, 3 a series, 4 its Instances, 5 an instance, -1 elsewhere.
  if (!isPlainObject(value)) {
    out.push(JSON.stringify(value, null, 2).replace(/\n/g, '\n' + '  '.repeat(depth)));
    return;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) { out.push('{}'); return; }
  const pad = '  '.repeat(depth + 1);
  out.push('{');
  keys.forEach((k, i) => {
    out.push(`\n${pad}${JSON.stringify(k)}: `);
    const v = value[k];
    let next = -1;
    if (path === 0 && k === 'Study') next = 1;
    else if (path === 1 && k === 'Series') next = 2;
    else if (path === 2) next = 3;
    else if (path === 3 && k === 'Instances') next = 4;
    else if (path === 4) next = 5;
    if ((path === 5 && COMPACT_INSTANCE_KEYS.has(k)) || v === null || typeof v !== 'object') out.push(formatOneLine(v));
    else if (next >= 0) writeCompact(v, depth + 1, next, out);
    else out.push(JSON.stringify(v, null, 2).replace(/\n/g, '\n' + pad));
    if (i < keys.length - 1) out.push(',');
  });
  out.push(`\n${'  '.repeat(depth)}}`);
}

/** The text a metadata document is shown as, in a layout; always a final newline. */
export function formatMetadata(document: unknown, layout: MetadataLayout = 'expanded'): string {
  if (layout === 'expanded' || !isPlainObject(document)) return JSON.stringify(document, null, 2) + '\n';
  const out: string[] = [];
  writeCompact(document, 0, 0, out);
  return out.join('') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Finding things in the text without parsing all of it.

// A string literal as JSON allows it on one line (JSON strings never hold a raw line break).
const STRING_Y = /"(?:[^"\\\n\r]|\\.)*"/y;

/** Index just past the string literal at `start`; -(index of the line end) - 1 when it is unterminated. */
function lineStringEnd(text: string, start: number): number {
  STRING_Y.lastIndex = start;
  if (STRING_Y.test(text)) return STRING_Y.lastIndex;
  const nl = text.indexOf('\n', start);
  return -(nl < 0 ? text.length : nl) - 1;
}

/** What has been learned about one text: members of the objects and items of the arrays looked
 *  into (by the offset where the container starts), and where containers end. */
interface ObjectMembers {
  /** Every member in order (duplicates included). */
  list: { key: string; keyStart: number; keyEnd: number; valueStart: number }[];
  /** key -> index in list (the last duplicate wins). */
  byKey: Map<string, number>;
  /** Where the object stops being well-formed (a member could not be read), if it does. */
  malformedAt?: number;
}

interface ArrayItems {
  starts: number[];
  malformedAt?: number;
}

/** What was learned about a text, by the offsets where containers start. `null`: learned, then made stale by an edit. */
interface IndexLayer {
  objects: Map<number, ObjectMembers | null>;
  arrays: Map<number, ArrayItems | null>;
  /** End (exclusive) of each container whose end was computed; -1: never closed. */
  ends: Map<number, number>;
}

/** One edit: at `at`, `removed` characters became `added` ones. */
interface TextEdit { at: number; removed: number; added: number }

interface TextIndex {
  text: string;
  /** What was learned about this text itself. */
  own: IndexLayer;
  /** What was learned about an earlier text, and the edits that made this text of it (read through them). */
  base?: { layer: IndexLayer; edits: TextEdit[] };
}

const emptyLayer = (): IndexLayer => ({ objects: new Map(), arrays: new Map(), ends: new Map() });

// The index of the last text looked into: diagnostics look up many pointers in the same text, and
// each lookup after the first only scans what it has not seen yet. A new text that differs from it
// by one edit inside a key, a string or a number (what typing does) keeps what was learned, read
// through the edits (nothing is copied), for up to MAX_CARRIED_EDITS edits in a row.
let lastIndex: TextIndex | undefined;
const MAX_CARRIED_EDITS = 64;

/** How often a new text's index was carried over from the previous text's, or started afresh. */
export const textIndexCounts = { carried: 0, fresh: 0 };

function indexOf(text: string): TextIndex {
  if (!lastIndex || lastIndex.text !== text) {
    const carried = lastIndex && carryOver(lastIndex, text);
    textIndexCounts[carried ? 'carried' : 'fresh']++;
    lastIndex = carried ?? { text, own: emptyLayer() };
  }
  return lastIndex;
}

/** An offset of the base text as it is in this text (offsets inside an edit never come up: no container starts there). */
function fromBase(edits: readonly TextEdit[], x: number): number {
  for (const e of edits) if (x >= e.at + e.removed) x += e.added - e.removed;
  return x;
}

/** An offset of this text as it was in the base text. */
function toBase(edits: readonly TextEdit[], x: number): number {
  for (let k = edits.length - 1; k >= 0; k--) {
    const e = edits[k];
    if (x >= e.at + e.added) x -= e.added - e.removed;
  }
  return x;
}

function knownEnd(ix: TextIndex, start: number): number | undefined {
  const own = ix.own.ends.get(start);
  if (own !== undefined || !ix.base) return own;
  const end = ix.base.layer.ends.get(toBase(ix.base.edits, start));
  return end === undefined || end < 0 ? end : fromBase(ix.base.edits, end);
}

function knownMembers(ix: TextIndex, start: number): ObjectMembers | undefined {
  const own = ix.own.objects.get(start);
  if (own !== undefined || ix.own.objects.has(start) || !ix.base) return own ?? undefined;
  const { layer, edits } = ix.base;
  const m = layer.objects.get(toBase(edits, start));
  if (!m) return undefined;
  const move = (x: number) => fromBase(edits, x);
  const members: ObjectMembers = {
    list: m.list.map((x) => ({ key: x.key, keyStart: move(x.keyStart), keyEnd: move(x.keyEnd), valueStart: move(x.valueStart) })),
    byKey: m.byKey,
    ...(m.malformedAt === undefined ? {} : { malformedAt: move(m.malformedAt) }),
  };
  ix.own.objects.set(start, members);
  return members;
}

function knownItems(ix: TextIndex, start: number): ArrayItems | undefined {
  const own = ix.own.arrays.get(start);
  if (own !== undefined || ix.own.arrays.has(start) || !ix.base) return own ?? undefined;
  const { layer, edits } = ix.base;
  const a = layer.arrays.get(toBase(edits, start));
  if (!a) return undefined;
  const items: ArrayItems = {
    starts: a.starts.map((x) => fromBase(edits, x)),
    ...(a.malformedAt === undefined ? {} : { malformedAt: fromBase(edits, a.malformedAt) }),
  };
  ix.own.arrays.set(start, items);
  return items;
}

const CARRY_CHUNK = 16_384;

/** Length of the common beginning of two strings (compared a chunk at a time, then by character). */
function commonPrefix(a: string, b: string, max: number): number {
  let i = 0;
  while (i + CARRY_CHUNK <= max && a.slice(i, i + CARRY_CHUNK) === b.slice(i, i + CARRY_CHUNK)) i += CARRY_CHUNK;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common end of two strings, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let n = 0;
  while (n + CARRY_CHUNK <= max && a.slice(a.length - n - CARRY_CHUNK, a.length - n) === b.slice(b.length - n - CARRY_CHUNK, b.length - n)) n += CARRY_CHUNK;
  while (n < max && a.charCodeAt(a.length - 1 - n) === b.charCodeAt(b.length - 1 - n)) n++;
  return n;
}

// What an edit may contain, removed or inserted, for the structure of the text to stay as it was.
const PLAIN_EDIT = /^[^"\\{}[\],:\s]*$/;

/**
 * The index of `old` carried over to `text`, when `text` is `old` with one edit that stays inside a
 * key, a string value or a number and holds no quote, backslash, bracket, comma, colon or white space:
 * every container keeps its place, and offsets after the edit move by the length it added. Undefined
 * when the edit is anything else (the new text is then indexed from scratch).
 */
function carryOver(old: TextIndex, text: string): TextIndex | undefined {
  if (old.base && old.base.edits.length >= MAX_CARRIED_EDITS) return undefined;
  const a = old.text;
  const min = Math.min(a.length, text.length);
  const p = commonPrefix(a, text, min);
  const s = commonSuffix(a, text, min - p);
  const oldEnd = a.length - s;
  const newEnd = text.length - s;
  if (!PLAIN_EDIT.test(a.slice(p, oldEnd)) || !PLAIN_EDIT.test(text.slice(p, newEnd))) return undefined;
  // A backslash before the edit would escape what now follows it.
  if (p > 0 && a.charCodeAt(p - 1) === 92) return undefined;
  // The token the edit is in, as the old index knows it: the edit must lie within it.
  const root = skipWs(a, 0);
  const r = a.charCodeAt(root);
  if ((r !== 123 && r !== 91) || p <= root) return undefined;
  const at = locateIn(old, root, p, []);
  if (at.on === 'none') return undefined;
  const token = at.on === 'key' ? at.keyRange : at.valueRange;
  if (!token || token.length === 0) return undefined;
  const t = a.charCodeAt(token.offset);
  if (t === 123 || t === 91) return undefined; // at a container's bracket, not inside a token
  const quoted = t === 34;
  // (a number keeps its first character: what is typed before it would move where it starts)
  const first = token.offset + 1;
  const last = quoted ? token.offset + token.length - 1 : token.offset + token.length;
  if (p < first || oldEnd > last || (quoted && a.charCodeAt(last) !== 34)) return undefined;

  const edit: TextEdit = { at: p, removed: oldEnd - p, added: newEnd - p };
  const base = old.base ? { layer: old.base.layer, edits: [...old.base.edits, edit] } : { layer: old.own, edits: [edit] };
  // What was learned about the old text itself (little, when it had a base) moves into this one's.
  const own = emptyLayer();
  if (old.base) {
    const move = (x: number) => fromBase([edit], x);
    for (const [start, end] of old.own.ends) own.ends.set(move(start), end < 0 ? end : move(end));
    for (const [start, m] of old.own.objects) {
      own.objects.set(move(start), m && {
        list: m.list.map((x) => ({ key: x.key, keyStart: move(x.keyStart), keyEnd: move(x.keyEnd), valueStart: move(x.valueStart) })),
        byKey: m.byKey,
        ...(m.malformedAt === undefined ? {} : { malformedAt: move(m.malformedAt) }),
      });
    }
    for (const [start, items] of old.own.arrays) {
      own.arrays.set(move(start), items && {
        starts: items.starts.map(move), ...(items.malformedAt === undefined ? {} : { malformedAt: move(items.malformedAt) }),
      });
    }
  }
  // The object whose key was edited is read again (its keys changed).
  if (at.on === 'key') own.objects.set(at.container.offset, null);
  return { text, own, base };
}

/**
 * Index just past the JSON value at `i`, or -1. Containers are matched by brackets (their content
 * need not be valid JSON; a string left open runs to the end of its line), and the end of every
 * container met inside is remembered, so that looking into any of them later costs nothing.
 */
function endOf(ix: TextIndex, i: number): number {
  const known = knownEnd(ix, i);
  if (known !== undefined) return known;
  const { text } = ix;
  const c = text.charCodeAt(i);
  if (c === 34) {
    const e = lineStringEnd(text, i);
    return e < 0 ? -1 : e;
  }
  if (c !== 123 && c !== 91) {
    let j = i;
    while (j < text.length) {
      const d = text.charCodeAt(j);
      if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break;
      j++;
    }
    return j > i ? j : -1;
  }
  const stack: number[] = [];
  let j = i;
  let nl = text.indexOf('\n', i); // the next line break: a string never runs past it
  if (nl < 0) nl = text.length;
  for (;;) {
    j = nextOf(STRUCTURAL, text, j);
    if (j < 0) {
      for (const s of stack) ix.own.ends.set(s, -1);
      return -1;
    }
    const d = text.charCodeAt(j);
    if (d === 34) {
      if (j > nl) {
        nl = text.indexOf('\n', j);
        if (nl < 0) nl = text.length;
      }
      let q = text.indexOf('"', j + 1);
      while (q > 0 && q < nl && text.charCodeAt(q - 1) === 92) {
        let backslashes = 1;
        for (let k = q - 2; text.charCodeAt(k) === 92; k--) backslashes++;
        if ((backslashes & 1) === 0) break;
        q = text.indexOf('"', q + 1);
      }
      j = q < 0 || q > nl ? nl : q + 1; // an open string ends with its line
      continue;
    }
    if (d === 123 || d === 91) stack.push(j);
    else {
      const s = stack.pop()!;
      ix.own.ends.set(s, j + 1);
      if (stack.length === 0) return j + 1;
    }
    j++;
  }
}

function skipWs(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
}

/** The members of the object at `start`, as far as they are well-formed. */
function membersOf(ix: TextIndex, start: number): ObjectMembers {
  const known = knownMembers(ix, start);
  if (known !== undefined) return known;
  const { text } = ix;
  const members: ObjectMembers = { list: [], byKey: new Map() };
  let i = skipWs(text, start + 1);
  if (text.charCodeAt(i) === 125) {
    ix.own.ends.set(start, i + 1);
  } else {
    for (;;) {
      if (text.charCodeAt(i) !== 34) { members.malformedAt = i; break; }
      const keyEnd = lineStringEnd(text, i);
      if (keyEnd < 0) { members.malformedAt = i; break; }
      const keyStart = i;
      i = skipWs(text, keyEnd);
      if (text.charCodeAt(i) !== 58) { members.malformedAt = keyStart; break; }
      const v = skipWs(text, i + 1);
      const key = decodeKey(text, keyStart, keyEnd);
      members.byKey.set(key, members.list.length);
      members.list.push({ key, keyStart, keyEnd, valueStart: v });
      const end = endOf(ix, v);
      if (end < 0) { members.malformedAt = v; break; }
      i = skipWs(text, end);
      const d = text.charCodeAt(i);
      if (d === 44) i = skipWs(text, i + 1);
      else if (d === 125) { ix.own.ends.set(start, i + 1); break; }
      else { members.malformedAt = i; break; }
    }
  }
  ix.own.objects.set(start, members);
  return members;
}

/** Start offsets of the items of the array at `start`, as far as they are well-formed. */
function itemsOf(ix: TextIndex, start: number): ArrayItems {
  const known = knownItems(ix, start);
  if (known !== undefined) return known;
  const { text } = ix;
  const items: ArrayItems = { starts: [] };
  let i = skipWs(text, start + 1);
  if (text.charCodeAt(i) === 93) {
    ix.own.ends.set(start, i + 1);
  } else {
    for (;;) {
      const end = endOf(ix, i);
      if (end < 0) { items.malformedAt = i; break; }
      items.starts.push(i);
      i = skipWs(text, end);
      const d = text.charCodeAt(i);
      if (d === 44) i = skipWs(text, i + 1);
      else if (d === 93) { ix.own.ends.set(start, i + 1); break; }
      else { items.malformedAt = i; break; }
    }
  }
  ix.own.arrays.set(start, items);
  return items;
}

/** Where the value at `pointer` starts and where its range (with the key, for a member) starts. */
function resolve(ix: TextIndex, segments: readonly string[]): { start: number; value: number } | undefined {
  const { text } = ix;
  let value = skipWs(text, 0);
  if (value >= text.length) return undefined;
  let start = value;
  for (const seg of segments) {
    const c = text.charCodeAt(value);
    if (c === 123) {
      const members = membersOf(ix, value);
      if (members.malformedAt !== undefined) return undefined;
      const k = members.byKey.get(seg);
      if (k === undefined) return undefined;
      start = members.list[k].keyStart;
      value = members.list[k].valueStart;
    } else if (c === 91) {
      if (!/^(0|[1-9][0-9]*)$/.test(seg)) return undefined;
      const items = itemsOf(ix, value);
      if (items.malformedAt !== undefined) return undefined;
      const item = items.starts[Number(seg)];
      if (item === undefined) return undefined;
      start = value = item;
    } else {
      return undefined;
    }
  }
  return { start, value };
}

/**
 * Where a JSON pointer (as used in plan paths) sits in the text: for an object member, the range
 * of its key and value; for an array element or the root, the value. Undefined when the pointer
 * does not resolve (for example a removed attribute) or the text is not JSON along the way.
 * Siblings off the path are skipped, not parsed, and what one lookup learns about a text serves
 * the next lookups in the same text, so many lookups in a large document stay fast.
 */
export function findJsonPointerRange(text: string, pointer: string): { offset: number; length: number } | undefined {
  const found = resolvePointer(text, pointer);
  return found && { offset: found.start, length: found.end - found.start };
}

/** Where the member (or item) at `pointer` starts, where its value starts, and where it ends. */
function resolvePointer(text: string, pointer: string): { start: number; value: number; end: number } | undefined {
  const segments = fromPointer(pointer);
  if (!segments) return undefined;
  const ix = indexOf(text);
  const found = resolve(ix, segments);
  if (!found) return undefined;
  const end = endOf(ix, found.value);
  return end < 0 ? undefined : { ...found, end };
}

/** The JSON value at `pointer`, read from the text alone (undefined when absent or not valid JSON). */
export function valueAtPointerInText(text: string, pointer: string): unknown {
  const found = resolvePointer(text, pointer);
  if (!found) return undefined;
  try {
    return JSON.parse(text.slice(found.value, found.end));
  } catch {
    return undefined;
  }
}

/** What is at an offset of the text, for hover and completion. */
export interface TextLocation {
  /** Path segments of the object or array the offset is in (object keys, array indexes). */
  path: string[];
  /** Where that container starts, and what it is. */
  container: { offset: number; type: 'object' | 'array' };
  /**
   * `key`: on a member's key (possibly being typed, without its colon yet); `value`: on a member's
   * or an item's value that is not a container (possibly empty, being typed); `none`: between members.
   */
  on: 'key' | 'value' | 'none';
  /** The member's key (for `key`, the text typed so far when the key string is not closed). */
  key?: string;
  /** The key literal, quotes included (to the line's end when it is not closed). */
  keyRange?: { offset: number; length: number };
  /** The value literal (empty at the offset when the value is still missing). */
  valueRange?: { offset: number; length: number };
  /** For an item of an array: its index. */
  index?: number;
}

/**
 * What the text holds at `offset` (0-based, UTF-16 units): the path of the enclosing container and
 * whether the offset is on a key, on a value or between members. Works on text that is not valid
 * JSON as long as the containers around the offset are bracketed (as they are while a key or value
 * is being typed). Undefined outside the top-level value.
 */
export function locateAt(text: string, offset: number): TextLocation | undefined {
  const ix = indexOf(text);
  const rootStart = skipWs(text, 0);
  const c = text.charCodeAt(rootStart);
  if ((c !== 123 && c !== 91) || offset <= rootStart) return undefined;
  const rootEnd = endOf(ix, rootStart);
  if (rootEnd >= 0 && offset >= rootEnd) return undefined;
  return locateIn(ix, rootStart, offset, []);
}

/** The location of `offset` inside the container at `start`, or 'after' when the container ends before it. */
function locateIn(ix: TextIndex, start: number, offset: number, path: string[]): TextLocation {
  const { text } = ix;
  if (text.charCodeAt(start) === 91) return locateInArray(ix, start, offset, path);
  const container = { offset: start, type: 'object' as const };
  const members = membersOf(ix, start);
  for (let k = members.list.length - 1; k >= 0; k--) {
    const { key, keyStart, keyEnd, valueStart } = members.list[k];
    if (keyStart > offset) continue;
    const keyRange = { offset: keyStart, length: keyEnd - keyStart };
    if (offset < keyEnd) return { path, container, on: 'key', key, keyRange };
    if (offset < valueStart) {
      const colon = text.lastIndexOf(':', valueStart);
      if (offset > colon) return { path, container, on: 'value', key, keyRange, valueRange: { offset, length: 0 } };
      return { path, container, on: 'none' };
    }
    const vc = text.charCodeAt(valueStart);
    const end = endOf(ix, valueStart);
    if ((vc === 123 || vc === 91) && offset > valueStart) {
      if (end < 0 || offset < end) return locateIn(ix, valueStart, offset, [...path, key]);
      break;
    }
    if (end < 0 || offset <= end) {
      if (vc === 123 || vc === 91) return { path, container, on: 'value', key, keyRange, valueRange: { offset: valueStart, length: 0 } };
      if (end < 0 && members.malformedAt === valueStart && vc !== 34) {
        return { path, container, on: 'value', key, keyRange, valueRange: { offset, length: 0 } };
      }
      return { path, container, on: 'value', key, keyRange, valueRange: { offset: valueStart, length: (end < 0 ? valueStart : end) - valueStart } };
    }
    break;
  }
  if (members.malformedAt !== undefined && offset >= members.malformedAt && text.charCodeAt(members.malformedAt) === 34) {
    // a key being typed: an open string, or a closed one with no colon yet
    const keyStart = members.malformedAt;
    const e = lineStringEnd(text, keyStart);
    const keyEnd = e < 0 ? -e - 1 : e;
    if (offset <= keyEnd) {
      const key = e >= 0 ? decodeKey(text, keyStart, keyEnd) : text.slice(keyStart + 1, Math.min(offset, keyEnd));
      return { path, container, on: 'key', key, keyRange: { offset: keyStart, length: keyEnd - keyStart } };
    }
  }
  return { path, container, on: 'none' };
}

function locateInArray(ix: TextIndex, start: number, offset: number, path: string[]): TextLocation {
  const { text } = ix;
  const container = { offset: start, type: 'array' as const };
  const items = itemsOf(ix, start);
  for (let k = items.starts.length - 1; k >= 0; k--) {
    const itemStart = items.starts[k];
    if (itemStart > offset) continue;
    const ic = text.charCodeAt(itemStart);
    const end = endOf(ix, itemStart);
    if ((ic === 123 || ic === 91) && offset > itemStart) {
      if (end < 0 || offset < end) return locateIn(ix, itemStart, offset, [...path, String(k)]);
      break;
    }
    if (end < 0 || offset <= end) {
      return { path, container, on: 'value', index: k, valueRange: { offset: itemStart, length: (end < 0 ? itemStart : end) - itemStart } };
    }
    break;
  }
  return { path, container, on: 'none' };
}

/** The keys of the object at `offset` (a `{`), read tolerantly: also when it is not valid JSON. */
export function objectKeysAt(text: string, offset: number): string[] {
  const ix = indexOf(text);
  const members = membersOf(ix, offset);
  if (members.malformedAt === undefined) return members.list.map((m) => m.key);
  const end = endOf(ix, offset);
  const keys: string[] = [];
  let depth = 0;
  visit(text.slice(offset, end < 0 ? text.length : end), {
    onObjectBegin: () => { depth++; },
    onObjectEnd: () => { depth--; },
    onArrayBegin: () => { depth++; },
    onArrayEnd: () => { depth--; },
    onObjectProperty: (property) => { if (depth === 1) keys.push(property); },
  });
  return keys;
}

/** Where the object or array at `offset` ends (exclusive), or -1 when it is not closed. */
export function containerEnd(text: string, offset: number): number {
  return endOf(indexOf(text), offset);
}

/** The members of the object at `offset` (a `{`) with their ranges, and whether all of it is well-formed. */
export function objectMembersAt(text: string, offset: number): {
  members: { key: string; keyStart: number; valueStart: number; valueEnd: number }[];
  wellFormed: boolean;
} {
  const ix = indexOf(text);
  const m = membersOf(ix, offset);
  return {
    members: m.list.map((x) => ({ key: x.key, keyStart: x.keyStart, valueStart: x.valueStart, valueEnd: endOf(ix, x.valueStart) })),
    wellFormed: m.malformedAt === undefined,
  };
}

/** Where the value at `pointer` starts and ends in the text (without its key), if it resolves. */
export function valueRangeAt(text: string, pointer: string): { offset: number; length: number } | undefined {
  const found = resolvePointer(text, pointer);
  return found && { offset: found.value, length: found.end - found.value };
}
