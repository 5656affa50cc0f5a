// The fast text scanners of metadataText.ts against jsonc-parser as the reference, on generated JSON.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Node as JsonNode, parseTree, visit } from 'jsonc-parser';
import { findJsonPointerRange, parseMetadataText } from '../../../src/core/metadataText';

function referenceRange(text: string, segments: string[]): { offset: number; length: number } | undefined {
  let node: JsonNode | undefined = parseTree(text);
  if (!node) return undefined;
  let range: JsonNode = node;
  for (const seg of segments) {
    if (node.type === 'object') {
      const prop: JsonNode | undefined = (node.children ?? []).filter((p) => p.children?.[0].value === seg).pop();
      if (!prop?.children?.[1]) return undefined;
      range = prop;
      node = prop.children[1];
    } else if (node.type === 'array') {
      const item: JsonNode | undefined = /^(0|[1-9][0-9]*)$/.test(seg) ? node.children?.[Number(seg)] : undefined;
      if (!item) return undefined;
      range = item;
      node = item;
    } else return undefined;
  }
  return { offset: range.offset, length: range.length };
}

function pointers(v: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => pointers(x, [...prefix, String(i)], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) pointers(x, [...prefix, k], out);
  return out;
}

const toPointer = (segs: string[]): string => segs.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');

type Tree = string | number | null | Tree[] | { entries: [string, Tree][] };
const keyArb = fc.constantFrom('a', 'b', 'a/b', '~', 'é', 'q"', 'x\\y', '{', '', 'k:1', ':');
const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null), fc.constantFrom('{"[', 'a\\"b', '10:15', 'a": "b')),
    fc.array(tie('tree'), { maxLength: 3 }),
    fc.record({ entries: fc.array(fc.tuple(keyArb, tie('tree')), { maxLength: 4 }) }),
  ),
})).tree;

/** Serializes with possible duplicate keys; keys written raw or with a \u escape for "a". */
function serialize(t: Tree, indent: string, depth = 0): string {
  const nl = indent ? '\n' + indent.repeat(depth + 1) : '';
  const end = indent ? '\n' + indent.repeat(depth) : '';
  if (Array.isArray(t)) return t.length ? `[${t.map((x) => nl + serialize(x, indent, depth + 1)).join(',')}${end}]` : '[]';
  if (t && typeof t === 'object') {
    if (!t.entries.length) return '{}';
    return `{${t.entries.map(([k, v], i) => `${nl}${k === 'a' && i % 2 ? '"\\u0061"' : JSON.stringify(k)}: ${serialize(v, indent, depth + 1)}`).join(',')}${end}}`;
  }
  return JSON.stringify(t);
}

describe('metadata text scanners agree with jsonc-parser (property)', () => {
  it('findJsonPointerRange', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom('', '  ', '\t'), (v, indent) => {
      const text = ' ' + JSON.stringify(v, null, indent) + '\n';
      for (const segs of pointers(v).slice(0, 40)) {
        assert.deepEqual(findJsonPointerRange(text, toPointer(segs)), referenceRange(text, segs), toPointer(segs));
      }
      assert.deepEqual(findJsonPointerRange(text, '/zz~1missing'), referenceRange(text, ['zz/missing']));
    }), { numRuns: 500 });
  });

  it('duplicate keys, including ones written with escapes, and the last one wins', () => {
    let plainDuplicates = 0; // duplicates in text without \u escapes: the quick colon count must catch them
    fc.assert(fc.property(treeArb, fc.constantFrom('', '  '), (t, indent) => {
      const text = serialize(t, indent);
      const expected: { offset: number; line: number; column: number }[] = [];
      const stack: Set<string>[] = [];
      visit(text, {
        onObjectBegin: () => { stack.push(new Set()); },
        onObjectEnd: () => { stack.pop(); },
        onObjectProperty: (key, offset, _l, line, column) => {
          const keys = stack[stack.length - 1];
          if (keys.has(key)) expected.push({ offset, line: line + 1, column: column + 1 });
          keys.add(key);
        },
      });
      if (expected.length > 0 && !text.includes('\\u')) plainDuplicates++;
      const r = parseMetadataText(text);
      assert.deepEqual(r.value, JSON.parse(text));
      assert.deepEqual(r.problems.map((p) => ({ offset: p.offset, line: p.line, column: p.column })), expected);
      for (const segs of pointers(r.value).slice(0, 20)) {
        assert.deepEqual(findJsonPointerRange(text, toPointer(segs)), referenceRange(text, segs));
      }
    }), { numRuns: 2000 });
    assert.ok(plainDuplicates >= 50, `only ${plainDuplicates} cases with duplicates and no escapes`);
  });
});
