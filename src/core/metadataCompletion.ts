// Completion in a metadata document: inside a level's DICOM object, the keywords valid at that
// level that are not there yet (the instance level: the dictionary minus what HealthImaging keeps
// at higher levels), each inserted with a value that fits its VR and VM; at a value, the values the
// standard lists (PatientSex, Modality, ...), well-known SOP Class and Transfer Syntax UIDs, and
// VRs in DICOMVRs. Works on text that is not valid JSON yet (a key being typed).

import {
  KNOWN_VRS,
  LEVEL_NAMES,
  allElements,
  elementByKeyword,
  formatTag,
  levelOfElement,
  type DicomElement,
  type MetadataLevel,
} from './dicomDictionary';
import { definedValues, displayName, uidKindOf, wellKnownUids } from './dicomStandard';
import { pathContext } from './metadataLocation';
import { locateAt, objectKeysAt } from './metadataText';
import { describeVr } from './valueRepresentation';

export interface CompletionEntry {
  label: string;
  /** Shown after the label (VR and VM, or what a value means). */
  detail: string;
  documentation?: string;
  /** Snippet syntax (`$1`, `${1:text}`, `${1|a,b|}`). */
  insertText: string;
  /** What the typed text (from the range's start) is matched against. */
  filterText: string;
  sortText: string;
  kind: 'attribute' | 'value';
  deprecated?: boolean;
}

export interface MetadataCompletion {
  /** The text the chosen entry replaces (a key or value being typed, or empty at the offset). */
  range: { offset: number; length: number };
  items: CompletionEntry[];
}

/** Elements that are never keys of a metadata document: command elements, item delimiters, pixel data. */
function isDocumentElement(e: DicomElement): boolean {
  const group = e.tag.slice(0, 4);
  return group !== '0000' && group !== 'FFFE' && group !== '7FE0' && e.vr !== 'na';
}

const levelKeywords = new Map<MetadataLevel | 'any', DicomElement[]>();

/** The elements HealthImaging keeps at a level (`any`: every element, for sequence items). */
export function elementsForLevel(level: MetadataLevel | 'any'): readonly DicomElement[] {
  let list = levelKeywords.get(level);
  if (!list) {
    list = allElements().filter((e) => isDocumentElement(e) && (level === 'any' || levelOfElement(e.keyword) === level));
    levelKeywords.set(level, list);
  }
  return list;
}

const keywordItems = new Map<MetadataLevel | 'any', readonly CompletionEntry[]>();

/** The keyword completions of a level, made once (the first completion pays for it, typing does not);
 *  `insertText` holds the value snippet alone. */
function keywordEntries(level: MetadataLevel | 'any'): readonly CompletionEntry[] {
  let list = keywordItems.get(level);
  if (!list) {
    list = elementsForLevel(level).map((e): CompletionEntry => ({
      label: e.keyword,
      detail: `${formatTag(e.tag)} ${e.vr} · VM ${e.vm}`,
      documentation: `${displayName(e.keyword)}: VR ${describeVr(e.vr)}, VM ${e.vm}${level === 'any' ? '' : `, ${LEVEL_NAMES[level]} level`}${e.retired ? ' (retired from the standard)' : ''}.`,
      insertText: valueSnippet(e),
      filterText: `"${e.keyword}"`,
      sortText: `${e.retired ? '1' : '0'}${e.keyword}`,
      kind: 'attribute',
      ...(e.retired ? { deprecated: true } : {}),
    }));
    keywordItems.set(level, list);
  }
  return list;
}

/** The smallest number of values a VM allows ("2-n" -> 2, "1-3" -> 1, "6" -> 6). */
function minValues(vm: string): number {
  const m = /^(\d+)/.exec(vm);
  return m ? Math.max(1, +m[1]) : 1;
}

function isMultiValued(vm: string): boolean {
  return vm !== '1' && !/^1-1$/.test(vm);
}

/** A snippet of one value that fits a VR, with tab stop `n`. */
function oneValueSnippet(e: DicomElement, vr: string, n: number): string {
  const values = definedValues(e.keyword);
  if (values) return `"\${${n}|${values.values.join(',')}|}"`;
  switch (vr) {
    case 'DA': return `"\${${n}:YYYYMMDD}"`;
    case 'TM': return `"\${${n}:HHMMSS}"`;
    case 'DT': return `"\${${n}:YYYYMMDDHHMMSS}"`;
    case 'AS': return `"\${${n}:045Y}"`;
    case 'PN': return `"\${${n}:Family}^\${${n + 1}:Given}"`;
    case 'UI': return `"\${${n}:1.2.3.4}"`;
    case 'IS': return `"\${${n}:0}"`;
    case 'DS': return `"\${${n}:0.0}"`;
    case 'AT': return `"\${${n}:00000000}"`;
    case 'US': case 'SS': case 'UL': case 'SL': case 'UV': case 'SV': case 'FL': case 'FD': case 'xs': case 'lt': case 'up':
      return `\${${n}:0}`;
    default: return `"$${n}"`;
  }
}

/** The value snippet inserted after a keyword: fits the VR; an array when VM allows several values. */
export function valueSnippet(e: DicomElement): string {
  if (e.vr === 'SQ') return '[\n\t{\n\t\t$0\n\t}\n]';
  if (!isMultiValued(e.vm)) return oneValueSnippet(e, e.vr, 1);
  const count = minValues(e.vm);
  const parts: string[] = [];
  let n = 1;
  for (let i = 0; i < count; i++) {
    parts.push(oneValueSnippet(e, e.vr, n));
    n += e.vr === 'PN' ? 2 : 1;
  }
  return `[${parts.join(', ')}]`;
}

function previousSignificant(text: string, offset: number): number {
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return i;
}

function nextSignificant(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}

/** Completion at `offset` of a metadata document's text, or undefined where none applies. */
export function metadataCompletion(text: string, offset: number): MetadataCompletion | undefined {
  const loc = locateAt(text, offset);
  if (!loc) return undefined;
  const ctx = pathContext(loc.path);

  if (loc.on === 'key' || loc.on === 'none') {
    if (loc.container.type !== 'object') return undefined;
    let level: MetadataLevel | 'any';
    if (ctx.kind === 'dicom') level = ctx.level;
    else if (ctx.kind === 'nested' && /^\d+$/.test(loc.path[loc.path.length - 1] ?? '')) level = 'any'; // a sequence item
    else return undefined;
    const range = loc.on === 'key' && loc.keyRange ? loc.keyRange : { offset, length: 0 };
    const present = new Set(objectKeysAt(text, loc.container.offset));
    if (loc.on === 'key' && loc.key !== undefined) present.delete(loc.key);
    // keep the JSON valid around the inserted member
    const before = text[previousSignificant(text, range.offset)];
    const after = text[nextSignificant(text, range.offset + range.length)];
    // (a key that already has its value: replace the key alone)
    const keyOnly = after === ':';
    const lead = keyOnly || before === '{' || before === ',' ? '' : ', ';
    const trail = !keyOnly && after === '"' ? ',' : '';
    const items: CompletionEntry[] = [];
    for (const k of keywordEntries(level)) {
      if (present.has(k.label)) continue;
      items.push({ ...k, insertText: keyOnly ? `"${k.label}"` : `${lead}"${k.label}": ${k.insertText}${trail}` });
    }
    return { range, items };
  }

  // a value
  const range = loc.valueRange ?? { offset, length: 0 };
  const quoted = (v: string) => JSON.stringify(v);
  if (ctx.kind === 'vrs' && loc.key !== undefined) {
    return {
      range,
      items: [...KNOWN_VRS].sort().map((vr) => ({
        label: vr, detail: describeVr(vr), insertText: quoted(vr), filterText: quoted(vr), sortText: vr, kind: 'value' as const,
      })),
    };
  }
  if (ctx.kind !== 'dicom' && ctx.kind !== 'nested') return undefined;
  // the attribute whose value this is (in a sequence item or a multi-valued array: the nearest key)
  const keyword = loc.key ?? (ctx.kind === 'nested' ? ctx.attribute : undefined);
  const element = keyword !== undefined ? elementByKeyword(keyword) : undefined;
  if (!element) return undefined;
  const values = definedValues(element.keyword);
  if (values) {
    return {
      range,
      items: values.values.map((v, i) => ({
        label: v,
        detail: `${element.keyword} (${values.kind === 'enumerated' ? 'enumerated value' : 'defined term'}, ${values.source})`,
        insertText: quoted(v).replace(/\$/g, '\\$'),
        filterText: quoted(v),
        sortText: String(i).padStart(3, '0'),
        kind: 'value' as const,
      })),
    };
  }
  const uidKind = uidKindOf(element.keyword);
  if (uidKind) {
    return {
      range,
      items: wellKnownUids(uidKind).map((u, i) => ({
        label: u.uid,
        detail: u.name,
        documentation: `${u.kind}: ${u.name}${u.retired ? ' (retired)' : ''}`,
        insertText: quoted(u.uid),
        filterText: `${quoted(u.uid)} ${u.name}`,
        sortText: String(i).padStart(4, '0'),
        kind: 'value' as const,
      })),
    };
  }
  return undefined;
}
