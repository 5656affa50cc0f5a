// The metadata document as text: parse with positions (for editor diagnostics), format, and
// locate a JSON pointer in the text.

import { Node as JsonNode, ParseErrorCode, parseTree, visit } from 'jsonc-parser';
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

/**
 * Parses a metadata document. Reports invalid JSON (value undefined) and duplicate keys (value
 * as JSON.parse reads it: the last duplicate wins), each with its position. Comments and trailing
 * commas are invalid, as for HealthImaging.
 */
export function parseMetadataText(text: string): { value: unknown | undefined; problems: TextProblem[] } {
  const problems: TextProblem[] = [];
  let syntaxError = false;
  const keysStack: Set<string>[] = [];
  visit(text, {
    onObjectBegin: () => { keysStack.push(new Set()); },
    onObjectEnd: () => { keysStack.pop(); },
    onObjectProperty: (property, offset, length, startLine, startCharacter) => {
      const keys = keysStack[keysStack.length - 1];
      if (!keys) return;
      if (keys.has(property)) {
        problems.push({
          message: `Duplicate key "${property}": JSON objects must not repeat a key (only the last one would count).`,
          offset, length, line: startLine + 1, column: startCharacter + 1,
        });
      } else keys.add(property);
    },
    onComment: (offset, length, startLine, startCharacter) => {
      syntaxError = true;
      problems.push({ message: 'Comments are not allowed in JSON', offset, length, line: startLine + 1, column: startCharacter + 1 });
    },
    onError: (error, offset, length, startLine, startCharacter) => {
      syntaxError = true;
      problems.push({ message: ERROR_TEXT[error] ?? 'Invalid JSON', offset, length, line: startLine + 1, column: startCharacter + 1 });
    },
  }, { allowTrailingComma: false, disallowComments: false, allowEmptyContent: false });
  if (syntaxError) return { value: undefined, problems };
  try {
    return { value: JSON.parse(text), problems };
  } catch (e) {
    // Not expected once the scanner found no error; keep the message without quoting the text.
    problems.push({ message: `Invalid JSON: ${(e as Error).message.replace(/"[^"]*"/g, '…')}`, offset: 0, length: 0, line: 1, column: 1 });
    return { value: undefined, problems };
  }
}

/** The text a metadata document is shown as: two-space indentation and a final newline. */
export function formatMetadata(document: unknown): string {
  return JSON.stringify(document, null, 2) + '\n';
}

/**
 * Where a JSON pointer (as used in plan paths) sits in the text: for an object member, the range
 * of its key and value; for an array element or the root, the value. Undefined when the pointer
 * does not resolve (for example a removed attribute) or the text does not parse.
 */
export function findJsonPointerRange(text: string, pointer: string): { offset: number; length: number } | undefined {
  const segments = fromPointer(pointer);
  if (!segments) return undefined;
  const root = parseTree(text, [], { allowTrailingComma: false, disallowComments: false });
  if (!root) return undefined;
  let node: JsonNode | undefined = root;
  let range: JsonNode = root;
  for (const seg of segments) {
    if (!node) return undefined;
    if (node.type === 'object') {
      let found: JsonNode | undefined;
      for (const prop of node.children ?? []) {
        const keyNode = prop.children?.[0];
        if (keyNode && keyNode.value === seg) found = prop; // the last duplicate wins, as in JSON.parse
      }
      if (!found || !found.children || found.children.length < 2) return undefined;
      range = found;
      node = found.children[1];
    } else if (node.type === 'array') {
      if (!/^(0|[1-9][0-9]*)$/.test(seg)) return undefined;
      const item: JsonNode | undefined = node.children?.[Number(seg)];
      if (!item) return undefined;
      range = item;
      node = item;
    } else {
      return undefined;
    }
  }
  return { offset: range.offset, length: range.length };
}
