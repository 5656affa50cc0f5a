// Quick fixes for a metadata document, computed from the text at an offset with core's rules:
//   an attribute at the wrong level        -> "Move to Study level" (or the level it belongs to)
//   a standard element written by its tag  -> "Use keyword PatientName"
//   a DA, TM, DT, AS or UI value written the usual human way -> the corrected value
//   a UID attribute                        -> "Generate a new UID" (a 2.25. UID from a UUID)
// Every fix is a set of text edits that leaves valid JSON (the unit tests apply them and parse).

import {
  LEVEL_NAMES,
  elementByKeyword,
  elementByTag,
  isPrivateTagKey,
  isTagKey,
  levelOfElement,
  possibleVrs,
  type MetadataLevel,
} from './dicomDictionary';
import { uidKindOf } from './dicomStandard';
import { toPointer } from './json';
import { pathContext } from './metadataLocation';
import { formatOneLine, locateAt, objectMembersAt, valueAtPointerInText, valueRangeAt } from './metadataText';
import { correctValue } from './valueRepresentation';

export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
}

export interface MetadataFix {
  title: string;
  edits: TextEdit[];
  /** The code of the diagnostic this fix answers (see documents/diagnostics.ts). */
  diagnosticCode?: 'refused' | 'needs-force' | 'vr-format';
  isPreferred?: boolean;
}

export interface FixOptions {
  /** A new UID for "Generate a new UID" (the caller owns randomness; see uidFromUuid). */
  newUid(): string;
}

/** The text of `value` as the member of an object whose members start at `indent` (undefined: one line). */
function memberText(key: string, value: unknown, indent: string | undefined): string {
  if (indent === undefined) return `${JSON.stringify(key)}:${formatOneLine(value)}`;
  return `${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`)}`;
}

/** An edit that adds `key: value` as the first member of the object at `start`, in its layout. */
function insertMember(text: string, start: number, key: string, value: unknown): TextEdit | undefined {
  const { members, wellFormed } = objectMembersAt(text, start);
  if (!wellFormed || members.some((m) => m.key === key)) return undefined;
  if (members.length === 0) {
    const close = text.indexOf('}', start);
    return { offset: start, length: close + 1 - start, newText: `{${memberText(key, value, undefined)}}` };
  }
  const first = members[0].keyStart;
  const between = text.slice(start + 1, first);
  const nl = between.lastIndexOf('\n');
  if (nl < 0) return { offset: first, length: 0, newText: `${memberText(key, value, undefined)},` };
  const indent = between.slice(nl + 1);
  return { offset: first, length: 0, newText: `${memberText(key, value, indent)},\n${indent}` };
}

/** An edit that removes the member whose key starts at `keyStart` from the object at `start`. */
function removeMember(text: string, start: number, keyStart: number): TextEdit | undefined {
  const { members, wellFormed } = objectMembersAt(text, start);
  if (!wellFormed) return undefined;
  const i = members.findIndex((m) => m.keyStart === keyStart);
  if (i < 0) return undefined;
  if (i < members.length - 1) return { offset: keyStart, length: members[i + 1].keyStart - keyStart, newText: '' };
  if (i > 0) return { offset: members[i - 1].valueEnd, length: members[i].valueEnd - members[i - 1].valueEnd, newText: '' };
  const close = text.indexOf('}', members[i].valueEnd);
  return { offset: start + 1, length: close - start - 1, newText: '' };
}

/** Pointers of the DICOM objects where an element of level `home` goes, seen from `path`'s context. */
function targetsFor(text: string, home: MetadataLevel, seriesUid: string | undefined): string[] {
  if (home === 'patient') return ['/Patient/DICOM'];
  if (home === 'study') return ['/Study/DICOM'];
  const seriesRange = valueRangeAt(text, '/Study/Series');
  if (!seriesRange) return [];
  const series = seriesUid !== undefined ? [seriesUid] : objectMembersAt(text, seriesRange.offset).members.map((m) => m.key);
  if (home === 'series') return series.map((s) => toPointer(['Study', 'Series', s, 'DICOM']));
  const out: string[] = [];
  for (const s of series) {
    const instances = valueRangeAt(text, toPointer(['Study', 'Series', s, 'Instances']));
    if (!instances) continue;
    for (const m of objectMembersAt(text, instances.offset).members) out.push(toPointer(['Study', 'Series', s, 'Instances', m.key, 'DICOM']));
  }
  return out;
}

/** The quick fixes for the attribute at `offset` (on its key or its value); [] when none applies. */
export function metadataFixes(text: string, offset: number, options: FixOptions): MetadataFix[] {
  const loc = locateAt(text, offset);
  if (!loc || loc.key === undefined || !loc.keyRange || loc.container.type !== 'object') return [];
  const ctx = pathContext(loc.path);
  if (ctx.kind !== 'dicom' && ctx.kind !== 'nested') return [];
  const key = loc.key;
  const { members } = objectMembersAt(text, loc.container.offset);
  const member = members.find((m) => m.keyStart === loc.keyRange!.offset);
  if (!member || member.valueEnd < 0) return [];
  let value: unknown;
  try {
    value = JSON.parse(text.slice(member.valueStart, member.valueEnd));
  } catch {
    return [];
  }
  const valueEdit = (v: unknown): TextEdit => ({ offset: member.valueStart, length: member.valueEnd - member.valueStart, newText: JSON.stringify(v) });
  const fixes: MetadataFix[] = [];
  const standard = isTagKey(key) ? (isPrivateTagKey(key) ? undefined : elementByTag(key)) : elementByKeyword(key);

  // a standard element written by its tag
  if (standard && isTagKey(key) && !members.some((m) => m.key === standard.keyword)) {
    fixes.push({
      title: `Use keyword ${standard.keyword}`,
      edits: [{ offset: member.keyStart, length: loc.keyRange.length, newText: JSON.stringify(standard.keyword) }],
      diagnosticCode: 'needs-force',
      isPreferred: true,
    });
  }

  // a value that does not fit its VR, written in a form that can be corrected
  let vrs = standard ? possibleVrs(standard.vr) : [];
  if (!standard && isTagKey(key) && ctx.instanceUid !== undefined && ctx.seriesUid !== undefined) {
    const vr = valueAtPointerInText(text, toPointer(['Study', 'Series', ctx.seriesUid, 'Instances', ctx.instanceUid, 'DICOMVRs', key]));
    if (typeof vr === 'string') vrs = [vr];
  }
  for (const vr of vrs) {
    const fixed = correctValue(vr, value);
    if (fixed !== undefined) {
      fixes.push({ title: `Correct ${standard?.keyword ?? key} to ${JSON.stringify(fixed)}`, edits: [valueEdit(fixed)], diagnosticCode: 'vr-format', isPreferred: true });
      break;
    }
  }

  // a UID attribute (but not one that names a SOP Class or Transfer Syntax)
  if (standard && standard.vr === 'UI' && standard.vm === '1' && !uidKindOf(standard.keyword) && (typeof value === 'string' || value === null)) {
    fixes.push({ title: 'Generate a new UID', edits: [valueEdit(options.newUid())] });
  }

  // an attribute at the wrong level
  if (ctx.kind === 'dicom' && standard) {
    const home = levelOfElement(standard.keyword);
    if (home !== ctx.level) {
      const targets = targetsFor(text, home, ctx.level === 'instance' ? ctx.seriesUid : undefined);
      const inserts: TextEdit[] = [];
      for (const t of targets) {
        const range = valueRangeAt(text, t);
        const edit = range && insertMember(text, range.offset, key === standard.keyword ? key : standard.keyword, value);
        if (!edit) { inserts.length = 0; break; }
        inserts.push(edit);
      }
      const removal = removeMember(text, loc.container.offset, member.keyStart);
      if (inserts.length > 0 && removal) {
        const where = inserts.length === 1 ? `${LEVEL_NAMES[home]} level`
          : `${LEVEL_NAMES[home]} level (each of the ${inserts.length} ${home === 'series' ? 'series' : 'instances'})`;
        fixes.push({ title: `Move to ${where}`, edits: [...inserts, removal], diagnosticCode: 'refused', isPreferred: true });
      }
    }
  }
  return fixes;
}
