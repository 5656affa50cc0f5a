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

function decodeKey(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : raw;
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

/** The text a metadata document is shown as: two-space indentation and a final newline. */
export function formatMetadata(document: unknown): string {
  return JSON.stringify(document, null, 2) + '\n';
}

/** Index just past the JSON value starting at `i` (lenient inside containers), or -1. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 34) return stringEnd(text, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    let j = i;
    for (;;) {
      j = nextOf(STRUCTURAL, text, j);
      if (j < 0) return -1;
      const d = text.charCodeAt(j);
      if (d === 34) {
        j = stringEnd(text, j);
        if (j < 0) return -1;
        continue;
      }
      if (d === 123 || d === 91) depth++;
      else if (--depth === 0) return j + 1;
      j++;
    }
  }
  let j = i;
  while (j < text.length && !/[\s,}\]]/.test(text[j])) j++;
  return j > i ? j : -1;
}

function skipWs(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
}

/** What has been learned about one text: members of the objects and items of the arrays looked
 *  into (by the offset where the container starts), and where containers end. */
interface TextIndex {
  text: string;
  objects: Map<number, Map<string, [number, number]> | null>;
  arrays: Map<number, number[] | null>;
  ends: Map<number, number>;
}

// The index of the last text looked into: diagnostics look up many pointers in the same text, and
// each lookup after the first only scans what it has not seen yet.
let lastIndex: TextIndex | undefined;

function indexOf(text: string): TextIndex {
  if (!lastIndex || lastIndex.text !== text) {
    lastIndex = { text, objects: new Map(), arrays: new Map(), ends: new Map() };
  }
  return lastIndex;
}

function endOf(ix: TextIndex, start: number): number {
  const known = ix.ends.get(start);
  if (known !== undefined) return known;
  const end = valueEnd(ix.text, start);
  const c = ix.text.charCodeAt(start);
  if (c === 123 || c === 91) ix.ends.set(start, end);
  return end;
}

/** key -> [key start, value start] of the object at `start` (the last duplicate wins); null if malformed. */
function membersOf(ix: TextIndex, start: number): Map<string, [number, number]> | null {
  const known = ix.objects.get(start);
  if (known !== undefined) return known;
  const { text } = ix;
  let members: Map<string, [number, number]> | null = new Map();
  let i = skipWs(text, start + 1);
  if (text.charCodeAt(i) === 125) {
    ix.ends.set(start, i + 1);
  } else {
    for (;;) {
      if (text.charCodeAt(i) !== 34) { members = null; break; }
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0) { members = null; break; }
      const keyStart = i;
      i = skipWs(text, keyEnd);
      if (text.charCodeAt(i) !== 58) { members = null; break; }
      const v = skipWs(text, i + 1);
      const end = endOf(ix, v);
      if (end < 0) { members = null; break; }
      members.set(decodeKey(text, keyStart, keyEnd), [keyStart, v]);
      i = skipWs(text, end);
      const d = text.charCodeAt(i);
      if (d === 44) i = skipWs(text, i + 1);
      else if (d === 125) { ix.ends.set(start, i + 1); break; }
      else { members = null; break; }
    }
  }
  ix.objects.set(start, members);
  return members;
}

/** Start offsets of the items of the array at `start`; null if malformed. */
function itemsOf(ix: TextIndex, start: number): number[] | null {
  const known = ix.arrays.get(start);
  if (known !== undefined) return known;
  const { text } = ix;
  let items: number[] | null = [];
  let i = skipWs(text, start + 1);
  if (text.charCodeAt(i) === 93) {
    ix.ends.set(start, i + 1);
  } else {
    for (;;) {
      const end = endOf(ix, i);
      if (end < 0) { items = null; break; }
      items.push(i);
      i = skipWs(text, end);
      const d = text.charCodeAt(i);
      if (d === 44) i = skipWs(text, i + 1);
      else if (d === 93) { ix.ends.set(start, i + 1); break; }
      else { items = null; break; }
    }
  }
  ix.arrays.set(start, items);
  return items;
}

/**
 * Where a JSON pointer (as used in plan paths) sits in the text: for an object member, the range
 * of its key and value; for an array element or the root, the value. Undefined when the pointer
 * does not resolve (for example a removed attribute) or the text is not JSON along the way.
 * Siblings off the path are skipped, not parsed, and what one lookup learns about a text serves
 * the next lookups in the same text, so many lookups in a large document stay fast.
 */
export function findJsonPointerRange(text: string, pointer: string): { offset: number; length: number } | undefined {
  const segments = fromPointer(pointer);
  if (!segments) return undefined;
  let value = skipWs(text, 0);
  if (value >= text.length) return undefined;
  const ix = indexOf(text);
  let start = value;
  for (const seg of segments) {
    const c = text.charCodeAt(value);
    if (c === 123) {
      const found = membersOf(ix, value)?.get(seg);
      if (!found) return undefined;
      [start, value] = found;
    } else if (c === 91) {
      if (!/^(0|[1-9][0-9]*)$/.test(seg)) return undefined;
      const item = itemsOf(ix, value)?.[Number(seg)];
      if (item === undefined) return undefined;
      start = value = item;
    } else {
      return undefined;
    }
  }
  const end = endOf(ix, value);
  return end < 0 ? undefined : { offset: start, length: end - start };
}

/**
 * The keys (and array indexes) leading from the root to the deepest value whose text contains `offset`
 * (a member's key counts as part of it), at most `maxDepth` of them. It follows the text's structure, not its
 * formatting, so it gives the same answer whether an object spans many lines or one; what one lookup learns
 * about a text serves the next. Stops where the text is not JSON.
 */
export function jsonPathAtOffset(text: string, offset: number, maxDepth = Infinity): string[] {
  const path: string[] = [];
  let value = skipWs(text, 0);
  if (value >= text.length) return path;
  const ix = indexOf(text);
  while (path.length < maxDepth) {
    const c = text.charCodeAt(value);
    let next: [string, number] | undefined;
    if (c === 123) {
      const members = membersOf(ix, value);
      if (!members) break;
      for (const [key, [keyStart, valueStart]] of members) {
        if (offset >= keyStart && offset <= endOf(ix, valueStart)) { next = [key, valueStart]; break; }
      }
    } else if (c === 91) {
      const items = itemsOf(ix, value);
      if (!items) break;
      for (let k = 0; k < items.length && items[k] <= offset; k++) {
        if (offset <= endOf(ix, items[k])) { next = [String(k), items[k]]; break; }
      }
    }
    if (!next) break;
    path.push(next[0]);
    value = next[1];
  }
  return path;
}
