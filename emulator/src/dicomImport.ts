// DICOM Part 10 import for the local HealthImaging service: parses files with dcmjs, groups the instances
// into image sets by Study Instance UID + Series Instance UID, and normalizes their elements into the
// Patient / Study / Series / Instance levels of an image-set metadata document.

import { createHash } from 'node:crypto';
import type { OpenJphModule } from '../../src/core/htj2k';
import {
  ConvertContext, DcmjsDataset, DicomImportError, declaredCharsets, elementKey, convertValue, numberOf, readDicomFile, stringOf,
} from './dicomDataset';
import { levelOfTag, MetadataLevel } from './dicomLevels';
import { extractFrames, PIXEL_DATA_TAGS } from './dicomPixels';

export interface ImportedFrame { id: string; bytes: Uint8Array } // id: 32 chars [0-9a-z]
export interface ImportedImageSet {
  studyInstanceUID: string;
  seriesInstanceUIDs: string[];
  /** Full document without DatastoreID/ImageSetID (the server adds them); SchemaVersion "1.1". */
  metadata: Record<string, unknown>;
  /** Bytes for GetImageFrame; ids as in the metadata's ImageFrames[].ID. */
  frames: ImportedFrame[];
  sopInstanceUIDs: string[];
}
export interface ImportFileResult { path: string; ok: boolean; error?: string }

export const SCHEMA_VERSION = '1.1';

/** Import-time limits of the service (Developer Guide, "DICOM element constraints"), keyed by tag. */
const MAX_LENGTHS: ReadonlyArray<[string, string, number]> = [
  ['00100010', "Patient's Name (0010,0010)", 256],
  ['00100020', 'Patient ID (0010,0020)', 256],
  ['00100030', "Patient's Birth Date (0010,0030)", 18],
  ['00100040', "Patient's Sex (0010,0040)", 16],
  ['0020000D', 'Study Instance UID (0020,000D)', 256],
  ['00200010', 'Study ID (0020,0010)', 256],
  ['00081030', 'Study Description (0008,1030)', 256],
  ['00080050', 'Accession Number (0008,0050)', 256],
  ['00080020', 'Study Date (0008,0020)', 18],
  ['00080030', 'Study Time (0008,0030)', 28],
  ['0020000E', 'Series Instance UID (0020,000E)', 256],
  ['00080018', 'SOP Instance UID (0008,0018)', 256],
];

const UID_PATTERN = /^[0-9]+(\.[0-9]+)*$/;
const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/** One instance after parsing and normalization, before it is placed in its image set. */
interface ParsedInstance {
  index: number;
  studyUID: string;
  seriesUID: string;
  sopUID: string;
  instanceNumber: number | undefined;
  levels: Record<Exclude<MetadataLevel, 'Instance'>, Record<string, unknown>>;
  instance: Record<string, unknown>;
  frames: ImportedFrame[];
}

/** A 32-character frame id, stable for the same instance, frame position and pixel content. */
export function frameId(studyUID: string, seriesUID: string, sopUID: string, frameIndex: number, checksum: number): string {
  return createHash('sha256').update(`${studyUID}|${seriesUID}|${sopUID}|${frameIndex}|${checksum}`).digest('hex').slice(0, 32);
}

function requiredUid(dataset: DcmjsDataset, tag: string, name: string): string {
  const value = stringOf(dataset, tag);
  if (!value) throw new DicomImportError(`missing ${name} (${tag.slice(0, 4)},${tag.slice(4)})`);
  if (!UID_PATTERN.test(value)) {
    throw new DicomImportError(`${name} (${tag.slice(0, 4)},${tag.slice(4)}) is not a valid UID (digits separated by dots)`);
  }
  return value;
}

function parseInstance(bytes: Uint8Array, index: number, codec: OpenJphModule): ParsedInstance {
  const read = readDicomFile(bytes);
  const { dataset, meta } = read;
  const sopClass = stringOf(dataset, '00080016') ?? stringOf(meta, '00020002');
  if (sopClass === MEDIA_STORAGE_DIRECTORY) throw new DicomImportError('a DICOMDIR (media storage directory) holds no instance to import');
  const studyUID = requiredUid(dataset, '0020000D', 'Study Instance UID');
  const seriesUID = requiredUid(dataset, '0020000E', 'Series Instance UID');
  const sopUID = requiredUid(dataset, '00080018', 'SOP Instance UID');
  for (const [tag, name, max] of MAX_LENGTHS) {
    const v = stringOf(dataset, tag);
    if (v !== undefined && v.length > max) {
      throw new DicomImportError(`${name} is ${v.length} characters long; HealthImaging accepts at most ${max}`);
    }
  }

  const frameData = extractFrames(read, codec);
  const ctx: ConvertContext = { vrs: {}, bigEndian: read.bigEndian, signedPixels: numberOf(dataset, '00280103') === 1, fileSize: bytes.length,
    charsetOriginals: read.charsetOriginals };
  ctx.charsets = declaredCharsets(dataset, ctx);
  const levels: ParsedInstance['levels'] = { Patient: {}, Study: {}, Series: {} };
  const instanceDicom: Record<string, unknown> = {};
  for (const source of [meta, dataset]) {
    for (const rawTag of Object.keys(source).sort()) {
      const tag = rawTag.toUpperCase();
      if ((PIXEL_DATA_TAGS as readonly string[]).includes(tag)) continue; // pixels become image frames
      const element = source[rawTag];
      const key = elementKey(tag, element.vr, ctx);
      if (key === null) continue;
      const value = convertValue(tag, element, ctx);
      const level = levelOfTag(tag);
      if (level === 'Instance') instanceDicom[key] = value;
      else levels[level][key] = value;
    }
  }

  const frames: ImportedFrame[] = [];
  const instance: Record<string, unknown> = { DICOM: instanceDicom, DICOMVRs: ctx.vrs };
  if (frameData) {
    instance.StoredTransferSyntaxUID = frameData.storedTransferSyntaxUID;
    instance.ChecksumType = frameData.checksumType;
    instance.ImageFrames = frameData.frames.map((f, i) => {
      const id = frameId(studyUID, seriesUID, sopUID, i, f.checksum);
      frames.push({ id, bytes: f.bytes });
      const entry: Record<string, unknown> = {
        ID: id,
        PixelDataChecksumFromBaseToFullResolution: [{ Width: f.width, Height: f.height, Checksum: f.checksum }],
      };
      if (f.minPixelValue !== undefined) entry.MinPixelValue = f.minPixelValue;
      if (f.maxPixelValue !== undefined) entry.MaxPixelValue = f.maxPixelValue;
      entry.FrameSizeInBytes = f.bytes.length;
      return entry;
    });
  }
  return { index, studyUID, seriesUID, sopUID, instanceNumber: numberOf(dataset, '00200013'), levels, instance, frames };
}

/** Adds the keys of `from` that `into` does not have yet (the first instance of a group wins). */
function mergeMissing(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) if (!(k in into)) into[k] = v;
}

function byInstanceOrder(a: ParsedInstance, b: ParsedInstance): number {
  const an = a.instanceNumber ?? Number.POSITIVE_INFINITY;
  const bn = b.instanceNumber ?? Number.POSITIVE_INFINITY;
  if (an !== bn) return an < bn ? -1 : 1;
  return a.index - b.index;
}

/** Builds one image set from the instances of one study + series. */
function buildImageSet(instances: ParsedInstance[]): ImportedImageSet {
  const ordered = [...instances].sort(byInstanceOrder);
  const first = ordered[0];
  const patient: Record<string, unknown> = {};
  const study: Record<string, unknown> = {};
  const series: Record<string, unknown> = {};
  const instancesMap: Record<string, unknown> = {};
  const frames: ImportedFrame[] = [];
  for (const inst of ordered) {
    mergeMissing(patient, inst.levels.Patient);
    mergeMissing(study, inst.levels.Study);
    mergeMissing(series, inst.levels.Series);
    instancesMap[inst.sopUID] = inst.instance;
    frames.push(...inst.frames);
  }
  const metadata: Record<string, unknown> = {
    SchemaVersion: SCHEMA_VERSION,
    Patient: { DICOM: patient },
    Study: {
      DICOM: study,
      Series: { [first.seriesUID]: { DICOM: series, Instances: instancesMap } },
    },
  };
  return {
    studyInstanceUID: first.studyUID,
    seriesInstanceUIDs: [first.seriesUID],
    metadata,
    frames,
    sopInstanceUIDs: ordered.map((i) => i.sopUID),
  };
}

/**
 * Imports DICOM Part 10 files. Every input file gets a result (ok, or the reason it was not imported);
 * a file that cannot be read never stops the others. Instances are grouped into one image set per
 * Study Instance UID + Series Instance UID, in the order the series first appear. When the same SOP
 * Instance UID appears twice in one series, the later file replaces the earlier one (as a re-import does).
 * `codec` (loadHtj2kCodec()) stores native and RLE pixel data as lossless HTJ2K.
 */
export function importDicomFiles(files: { path: string; bytes: Uint8Array }[], codec: OpenJphModule): { imageSets: ImportedImageSet[]; results: ImportFileResult[] } {
  const results: ImportFileResult[] = [];
  const groups = new Map<string, Map<string, ParsedInstance>>();
  files.forEach((file, index) => {
    try {
      const parsed = parseInstance(file.bytes, index, codec);
      const key = `${parsed.studyUID}\u0000${parsed.seriesUID}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = new Map()));
      group.delete(parsed.sopUID); // a later file for the same instance replaces it
      group.set(parsed.sopUID, parsed);
      results.push({ path: file.path, ok: true });
    } catch (e) {
      const reason = e instanceof DicomImportError ? e.message
        : `unexpected error while reading the file: ${e instanceof Error ? e.message : String(e)}`;
      results.push({ path: file.path, ok: false, error: reason });
    }
  });
  const imageSets = [...groups.values()].map((g) => buildImageSet([...g.values()]));
  return { imageSets, results };
}
