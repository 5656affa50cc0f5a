// The fast text scanners of metadataText.ts against jsonc-parser as the reference, on generated JSON.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Node as JsonNode, parseTree, visit } from 'jsonc-parser';
import {
  findJsonPointerRange, locateAt, objectMembersAt, parseMetadataText, textIndexCounts,
} from '../../../src/core/metadataText';

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

  it('after edits, what was learned about the earlier texts answers exactly as a fresh look at the new text', () => {
    // Everything the scanners answer about a text, asked in a fixed order.
    const answers = (text: string) => {
      const out: unknown[] = [];
      for (let o = 0; o <= text.length; o++) out.push(locateAt(text, o));
      for (let o = 0; o < text.length; o++) if (text[o] === '{') out.push(objectMembersAt(text, o));
      try {
        for (const segs of pointers(JSON.parse(text)).slice(0, 30)) out.push(findJsonPointerRange(text, toPointer(segs)));
      } catch { /* not JSON after the edit: the tolerant answers above still count */ }
      return out;
    };
    const forget = () => locateAt('null', 0); // a text whose index cannot be carried anywhere
    const before = { ...textIndexCounts };
    const editArb = fc.record({
      at: fc.nat(), removed: fc.nat({ max: 3 }), lookAt: fc.nat(),
      inserted: fc.oneof(fc.stringMatching(/^[a-z0-9é]{0,3}$/), fc.constantFrom('"', '\\', '{', ']', ',', ':', ' ', '\n', 'a"', '1}')),
    });
    fc.assert(fc.property(treeArb, fc.constantFrom('', '  '), fc.array(editArb, { minLength: 1, maxLength: 4 }), (t, indent, edits) => {
      let text = serialize(t, indent);
      // In a text that is not JSON, what a container's end is can depend on which question came first
      // (bracket matching or reading members); a comparison of answers is meaningful when every text
      // looked into before the last edit is JSON.
      let comparable = true;
      forget();
      findJsonPointerRange(text, '/a');
      for (const e of edits) {
        try { JSON.parse(text); } catch { comparable = false; }
        // look somewhere in the text before each edit (what is learned then is carried over too), then edit it
        locateAt(text, e.lookAt % (text.length + 1));
        const p = e.at % (text.length + 1);
        text = text.slice(0, p) + e.inserted + text.slice(Math.min(text.length, p + e.removed));
      }
      const carried = answers(text);
      forget();
      if (comparable) assert.deepEqual(carried, answers(text), JSON.stringify({ start: serialize(t, indent), edits, text }));
    }), { numRuns: 3000 });
    // The carried path really ran (edits inside keys, strings and numbers are common in the generated cases).
    assert.ok(textIndexCounts.carried - before.carried >= 100, `carried over ${textIndexCounts.carried - before.carried} times`);
  });
});
