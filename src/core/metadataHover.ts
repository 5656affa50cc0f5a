// Hover text for a metadata document: what an attribute is (tag, name, keyword, VR, VM, level,
// retired) and what saving a change to it does on this image set; what a private tag's VR is; which
// SOP Class or Transfer Syntax a UID value names; what a structural key is. Markdown, from the text
// alone (it need not be valid JSON), so it answers while the user types.

import {
  LEVEL_NAMES,
  elementByKeyword,
  elementByTag,
  formatTag,
  isPrivateTagKey,
  isTagKey,
  levelOfElement,
  type DicomElement,
  type MetadataLevel,
} from './dicomDictionary';
import { definedValues, displayName, wellKnownUid } from './dicomStandard';
import { toPointer } from './json';
import { pathContext, readablePath } from './metadataLocation';
import { locateAt, valueAtPointerInText } from './metadataText';
import { IMMUTABLE_INSTANCE_KEYS, IMMUTABLE_ROOT_KEYS, LEVEL_PLACE, changeOutlook, immutableInstanceReason, immutableRootReason } from './updateRules';
import { describeVr } from './valueRepresentation';

export interface HoverOptions {
  /** Is the image set primary? (Patient- and Series-level changes and force are not available there.) Undefined: not known. */
  isPrimary?: boolean;
}

export interface MetadataHover {
  /** Markdown. */
  markdown: string;
  /** The range hovered (a key or a value literal). */
  range: { offset: number; length: number };
}

/** Escapes text for Markdown (labels hold metadata values such as series descriptions). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, '\\$&');
}

function levelPhrase(level: MetadataLevel): string {
  return `${LEVEL_NAMES[level]} level (\`${LEVEL_PLACE[level].replace(/\[<[A-Za-z]+>\]/g, '[…]')}\`)`;
}

function elementLines(e: DicomElement): string[] {
  const head = `**${escapeMarkdown(displayName(e.keyword))}** · \`${e.keyword}\` · ${formatTag(e.tag)}`;
  const facts = [`VR ${describeVr(e.vr)}`, `VM ${e.vm}`];
  if (e.retired) facts.push('retired from the standard');
  return [head, facts.join(' · ')];
}

function outlookLines(level: MetadataLevel, key: string, current: unknown, isPrimary: boolean | undefined, vrOfTag: (tag: string) => string | undefined, vr?: string): string[] {
  const o = changeOutlook(level, key, current, isPrimary === true, vrOfTag);
  const where = isPrimary === true ? 'this primary image set' : isPrimary === false ? 'this non-primary image set' : 'this image set';
  if (o.outcome === 'refused') return [`**Saving a change here is refused** on ${where}:`, ...o.reasons.map((r) => `- ${r}`)];
  if (o.outcome === 'force') return [`**Saving a change needs force** on ${where}:`, ...o.reasons.map((r) => `- ${r}`)];
  const fit = vr ? ` A new value must fit VR ${vr}, or the change needs force.` : '';
  return [`**Saving a change** is a plain update on ${where}.${fit}`];
}

/** The hover at `offset` of a metadata document's text, or undefined where there is nothing to say. */
export function metadataHover(text: string, offset: number, options: HoverOptions = {}): MetadataHover | undefined {
  const loc = locateAt(text, offset);
  if (!loc || loc.key === undefined && loc.on !== 'value') return undefined;
  const isPrimary = options.isPrimary;
  const ctx = pathContext(loc.path);

  // A UID value that names a SOP Class or a Transfer Syntax.
  if (loc.on === 'value' && loc.valueRange && loc.valueRange.length > 2 && text.charCodeAt(loc.valueRange.offset) === 34) {
    let value: unknown;
    try {
      value = JSON.parse(text.slice(loc.valueRange.offset, loc.valueRange.offset + loc.valueRange.length));
    } catch {
      return undefined;
    }
    const known = typeof value === 'string' ? wellKnownUid(value) : undefined;
    if (!known) return undefined;
    return {
      markdown: `**${escapeMarkdown(known.name)}**${known.retired ? ' (retired)' : ''}\n\n${known.kind} \`${known.uid}\``,
      range: loc.valueRange,
    };
  }
  if (loc.on !== 'key' || !loc.keyRange || loc.key === undefined) return undefined;
  const key = loc.key;
  const range = loc.keyRange;
  const lines: string[] = [];
  const valuePointer = toPointer([...loc.path, key]);
  const where = (): string | undefined => {
    if (ctx.kind === 'other' || loc.path[0] !== 'Study') return undefined;
    const read = (segments: readonly string[]) => valueAtPointerInText(text, toPointer(segments));
    return readablePath(loc.path.slice(0, ctx.kind === 'vrs' ? 5 : ctx.kind === 'dicom' || ctx.kind === 'nested' ? ctx.dicomPath.length : loc.path.length), read, false);
  };

  if (ctx.kind === 'dicom' || ctx.kind === 'nested') {
    const instanceVrs = ctx.instanceUid !== undefined ? [...ctx.dicomPath.slice(0, 5), 'DICOMVRs'] : undefined;
    const vrOfTag = (tag: string): string | undefined => {
      if (!instanceVrs) return undefined;
      const v = valueAtPointerInText(text, toPointer([...instanceVrs, tag]));
      return typeof v === 'string' ? v : undefined;
    };
    const standard = isTagKey(key) ? (isPrivateTagKey(key) ? undefined : elementByTag(key)) : elementByKeyword(key);
    if (isTagKey(key) && !standard) {
      const vr = vrOfTag(key);
      lines.push(`**${isPrivateTagKey(key) ? 'Private tag' : 'Tag'}** ${formatTag(key)}`);
      lines.push(vr ? `VR ${describeVr(vr)} (from this instance's \`DICOMVRs\`)` : 'No VR: this instance\'s `DICOMVRs` has no entry for it.');
    } else if (standard) {
      lines.push(...elementLines(standard));
      if (isTagKey(key)) lines.push(`Written by its tag: HealthImaging keys standard elements by keyword (\`${standard.keyword}\`).`);
    } else {
      lines.push(`**\`${escapeMarkdown(key)}\`** is not a DICOM keyword.`);
    }
    if (ctx.kind === 'dicom') {
      const home = standard ? levelOfElement(standard.keyword) : 'instance';
      lines.push(home === ctx.level
        ? `Kept at the ${levelPhrase(home)}.`
        : `HealthImaging keeps it at the ${levelPhrase(home)}; here, at the ${LEVEL_NAMES[ctx.level]} level, it can be changed or removed but not added.`);
      const current = valueAtPointerInText(text, valuePointer);
      const vr = standard?.vr ?? vrOfTag(key);
      const values = standard ? definedValues(standard.keyword) : undefined;
      if (values) lines.push(`${values.kind === 'enumerated' ? 'Enumerated values' : 'Defined terms'} (${values.source}): ${values.values.map((v) => `\`${v}\``).join(', ')}`);
      lines.push(...outlookLines(ctx.level, key, current, isPrimary, vrOfTag, vr));
    } else {
      lines.push(`Inside \`${escapeMarkdown(ctx.attribute)}\`: HealthImaging changes the ${LEVEL_NAMES[ctx.level]}-level attribute ${escapeMarkdown(ctx.attribute)} as a whole.`);
      const outer = valueAtPointerInText(text, toPointer([...ctx.dicomPath, ctx.attribute]));
      lines.push(...outlookLines(ctx.level, ctx.attribute, outer, isPrimary, vrOfTag));
    }
  } else if (ctx.kind === 'vrs') {
    lines.push(`**VR of tag ${isTagKey(key) ? formatTag(key) : `\`${escapeMarkdown(key)}\``}** in this instance's \`DICOMVRs\``);
    lines.push('HealthImaging needs the VR of every element it does not know (private tags). Changing it needs force.');
  } else if (loc.path.length === 0 && IMMUTABLE_ROOT_KEYS.has(key)) {
    lines.push(`**${key}**`, immutableRootReason(key));
  } else if (loc.path.length === 0 && (key === 'Patient' || key === 'Study')) {
    lines.push(`**${key}**`, key === 'Patient' ? 'Its `DICOM` holds the Patient-level attributes.' : 'Its `DICOM` holds the Study-level attributes; `Series` holds the series, keyed by Series Instance UID.');
  } else if (loc.path.length === 2 && loc.path[0] === 'Study' && loc.path[1] === 'Series') {
    const read = (segments: readonly string[]) => valueAtPointerInText(text, toPointer(segments));
    lines.push(`**${escapeMarkdown(readablePath([...loc.path, key], read, false))}**`, `Series Instance UID \`${key}\`. To change it, edit \`SeriesInstanceUID\` in this series' \`DICOM\` (needs force); the key follows.`);
  } else if (loc.path.length === 4 && loc.path[3] === 'Instances') {
    const read = (segments: readonly string[]) => valueAtPointerInText(text, toPointer(segments));
    lines.push(`**${escapeMarkdown(readablePath([...loc.path, key], read, false))}**`, `SOP Instance UID \`${key}\`. To change it, edit \`SOPInstanceUID\` in this instance's \`DICOM\` (needs force); the key follows.`);
  } else if (loc.path.length === 5 && loc.path[3] === 'Instances' && IMMUTABLE_INSTANCE_KEYS.has(key)) {
    lines.push(`**${key}**`, immutableInstanceReason(key));
  } else {
    return undefined;
  }
  const place = where();
  if (place) lines.push(`*${escapeMarkdown(place)}*`);
  return { markdown: lines.join('\n\n'), range };
}
