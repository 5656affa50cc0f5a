// A metadata document for the editor-support tests: the golden fixture's original (two instances,
// a private tag with its VR, a sequence), and helpers to find offsets in its text.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatMetadata, type MetadataLayout } from '../../../src/core/metadataText';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function sampleDocument(): Json {
  const file = resolve(__dirname, '../../../../test/fixtures/instance-attribute-change/original.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

export function sampleText(layout: MetadataLayout = 'expanded', change?: (doc: Json) => void): string {
  const doc = sampleDocument();
  change?.(doc);
  return formatMetadata(doc, layout);
}

/** The offset of the `nth` occurrence of `needle` plus `delta` (inside a key: delta 2). */
export function offsetOf(text: string, needle: string, delta = 2, nth = 1): number {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (${nth}) is not in the text`);
  }
  return at + delta;
}

/** Applies non-overlapping edits. */
export function applyEdits(text: string, edits: { offset: number; length: number; newText: string }[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.newText + out.slice(e.offset + e.length);
  return out;
}
