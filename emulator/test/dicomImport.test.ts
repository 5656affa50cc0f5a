// DICOM import, checked against real files: the pydicom test files shipped by Debian. Expected values come
// from outside the import code: well-known constants of these files, pydicom's own text dump of rtstruct.dcm,
// the un-normalized dcmjs data set, zlib's CRC-32 and the pixel arrays read directly.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { decodeHtj2k, type OpenJphModule } from '../../src/core/htj2k';
import { computeMetadataUpdate } from '../../src/core/metadataUpdate';
import { convertDataset, readDicomFile } from '../src/dicomDataset';
import { importDicomFiles as importWith, ImportedImageSet } from '../src/dicomImport';
import { LEVEL_TAGS } from '../src/dicomLevels';
import { loadHtj2kCodec } from '../src/htj2k';
import { pydicomTestFilesSync } from './pydicomFiles';

const dcmjs = require('dcmjs') as {
  data: {
    DicomMessage: { readFile(b: ArrayBuffer): { meta: RawDataset; dict: RawDataset } };
    DicomMetaDictionary: { nameMap: Record<string, { tag: string } | undefined>; dictionary: Record<string, { name: string } | undefined> };
  };
  log: { setLevel(l: string): void; getLogger(n: string): { setLevel(l: string): void } };
};
type RawDataset = Record<string, { vr: string; Value?: unknown[]; _rawValue?: unknown }>;
type Json = Record<string, unknown>;

dcmjs.log.setLevel('silent');
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

let dir: string;
let codec: OpenJphModule;
const importDicomFiles = (files: { path: string; bytes: Uint8Array }[]) => importWith(files, codec);
/** What a decoder gives back for a stored frame. */
const decode = (bytes: Uint8Array): Buffer => Buffer.from(decodeHtj2k(codec, bytes).pixels);
const HTJ2K = '1.2.840.10008.1.2.4.202';
const bytesOf = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(dir, name)));
const file = (name: string, bytes?: Uint8Array) => ({ path: `s3://bucket/in/${name}`, bytes: bytes ?? bytesOf(name) });

function importOne(name: string): ImportedImageSet {
  const { imageSets, results } = importDicomFiles([file(name)]);
  assert.deepEqual(results, [{ path: `s3://bucket/in/${name}`, ok: true }], `${name} should import`);
  assert.equal(imageSets.length, 1);
  return imageSets[0];
}

function rawOf(name: string): { meta: RawDataset; dict: RawDataset } {
  const b = fs.readFileSync(path.join(dir, name));
  return dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
}

const NATIVE_LE = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99'];

/**
 * The pixels of each frame of a file as a decoder returns them (interleaved samples, little-endian, one byte
 * per 1-bit pixel), read from the file's own Pixel Data without the import code, or from its little-endian
 * twin in the package (MR_small_RLE.dcm -> MR_small.dcm). Undefined when neither can be had simply.
 */
function referencePixels(name: string): Buffer[] | undefined {
  let raw: { meta: RawDataset; dict: RawDataset };
  try {
    raw = rawOf(name);
  } catch {
    return undefined;
  }
  const value = (tag: string) => raw.dict[tag]?.Value?.[0] as number | undefined;
  const syntax = raw.meta['00020010']?.Value?.[0] as string;
  const bits = value('00280100') as number;
  if (!NATIVE_LE.includes(syntax) && !(syntax === '1.2.840.10008.1.2.2' && bits === 8)) {
    const twin = name.replace(/_(RLE|rle|bigendian|expb)(?=[_.])/, '');
    return twin !== name && fs.existsSync(path.join(dir, twin)) ? referencePixels(twin) : undefined;
  }
  const all = Buffer.concat((raw.dict['7FE00010'].Value as ArrayBuffer[]).map((b) => Buffer.from(b)));
  const [rows, columns, samples, frames] = [value('00280010')!, value('00280011')!, value('00280002') ?? 1, Number(value('00280008') ?? 1)];
  const pixels = rows * columns;
  return Array.from({ length: frames }, (_, f) => {
    if (bits === 1) return Buffer.from(Array.from({ length: pixels }, (_, i) => (all[(f * pixels + i) >> 3] >> ((f * pixels + i) & 7)) & 1));
    const size = pixels * samples * (bits / 8);
    const frame = all.subarray(f * size, (f + 1) * size);
    if (samples === 1 || value('00280006') !== 1) return Buffer.from(frame);
    return Buffer.from(Array.from({ length: size }, (_, i) => frame[(i % samples) * pixels + Math.floor(i / samples)]));
  });
}

interface Parts { patient: Json; study: Json; seriesUID: string; series: Json; instances: Record<string, Json> }
function parts(set: ImportedImageSet, seriesIndex = 0): Parts {
  const m = set.metadata as { Patient: { DICOM: Json }; Study: { DICOM: Json; Series: Record<string, { DICOM: Json; Instances: Record<string, Json> }> } };
  const seriesUID = Object.keys(m.Study.Series)[seriesIndex];
  const s = m.Study.Series[seriesUID];
  return { patient: m.Patient.DICOM, study: m.Study.DICOM, seriesUID, series: s.DICOM, instances: s.Instances };
}
const only = <T>(o: Record<string, T>): T => {
  const values = Object.values(o);
  assert.equal(values.length, 1);
  return values[0];
};

function tagOf(keyword: string): string {
  const entry = dcmjs.data.DicomMetaDictionary.nameMap[keyword] ?? dcmjs.data.DicomMetaDictionary.nameMap[`RETIRED_${keyword}`];
  assert.ok(entry, `${keyword} is a dictionary keyword`);
  return entry.tag.replace(/[(),]/g, '').toUpperCase();
}

/** Every element sits at its level: Patient/Study/Series keys are exactly the listed tags; the rest at instance level. */
function assertLevels(p: Parts): void {
  const listed = (level: 'patient' | 'study' | 'series') => new Set(LEVEL_TAGS[level]);
  for (const [level, map] of [['patient', p.patient], ['study', p.study], ['series', p.series]] as const) {
    for (const key of Object.keys(map)) assert.ok(listed(level).has(tagOf(key)), `${key} belongs at ${level} level`);
  }
  const elsewhere = new Set([...LEVEL_TAGS.patient, ...LEVEL_TAGS.study, ...LEVEL_TAGS.series]);
  for (const inst of Object.values(p.instances)) {
    for (const key of Object.keys(inst.DICOM as Json)) {
      if (/^[0-9A-F]{8}$/.test(key)) continue;
      assert.ok(!elsewhere.has(tagOf(key)), `${key} must not be at instance level`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// pydicom's text dump (rtstruct.dump): an independent reading of rtstruct.dcm.

interface DumpElement { tag: string; vr?: string; value?: string; items?: DumpElement[][] }
function parseDump(text: string): DumpElement[] {
  const root: DumpElement[] = [];
  const stack: { depth: number; list: DumpElement[]; seq?: DumpElement }[] = [{ depth: -1, list: root }];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const depth = line.search(/\S/) / 3;
    while (stack.length > 1 && stack[stack.length - 1].depth >= depth) stack.pop();
    const top = stack[stack.length - 1];
    const seq = /^\s*\(([0-9a-f]{4}), ([0-9a-f]{4})\)\s+.*?\s+(\d+) item\(s\) ----\s*$/.exec(line);
    if (seq) {
      const el: DumpElement = { tag: (seq[1] + seq[2]).toUpperCase(), items: [[]] };
      top.list.push(el);
      stack.push({ depth, list: el.items![0], seq: el });
      continue;
    }
    if (/^\s*-{9}\s*$/.test(line)) {
      // End of an item: the next item of the same sequence starts at the same depth.
      const frame = stack.find((f) => f.depth === depth - 1 && f.seq) ?? stack[stack.length - 1];
      if (frame.seq) {
        frame.seq.items!.push([]);
        frame.list = frame.seq.items![frame.seq.items!.length - 1];
        stack.length = stack.indexOf(frame) + 1;
      }
      continue;
    }
    const el = /^\s*\(([0-9a-f]{4}), ([0-9a-f]{4})\) .*? ([A-Z]{2}): (.*)$/.exec(line);
    if (el) top.list.push({ tag: (el[1] + el[2]).toUpperCase(), vr: el[3], value: el[4] });
  }
  // Drop the empty trailing item each sequence gets from its last separator.
  const tidy = (list: DumpElement[]): void => {
    for (const e of list) if (e.items) { if (e.items.length > 1 && e.items[e.items.length - 1].length === 0) e.items.pop(); e.items.forEach(tidy); }
  };
  tidy(root);
  return root;
}

/** The value the metadata document should hold for a dumped element (undefined: not comparable, e.g. UID names). */
function expectedFromDump(e: DumpElement): unknown {
  const v = e.value!.trim();
  const unquote = (s: string): string => s.replace(/^'(.*)'$/, '$1');
  if (v.startsWith('[')) {
    const list = v.slice(1, -1).split(', ').map(unquote);
    return ['US', 'UL', 'SS', 'SL', 'FL', 'FD'].includes(e.vr!) ? list.map(Number) : list;
  }
  if (e.vr === 'UI' && !/^[0-9.]+$/.test(v)) return undefined; // pydicom prints names of well-known UIDs
  const s = unquote(v);
  if (s === '') return null;
  return ['US', 'UL', 'SS', 'SL', 'FL', 'FD'].includes(e.vr!) ? Number(s) : s;
}

function keywordOfTag(tag: string): string {
  const entry = dcmjs.data.DicomMetaDictionary.dictionary[tag];
  assert.ok(entry, `(${tag}) is in the dictionary`);
  return entry.name.replace(/^RETIRED_/, '');
}

function compareWithDump(actual: Json, expected: DumpElement[], where: string): number {
  let compared = 0;
  for (const e of expected) {
    const key = keywordOfTag(e.tag);
    assert.ok(key in actual, `${where}.${key} is present`);
    const value = actual[key];
    if (e.items) {
      assert.ok(Array.isArray(value), `${where}.${key} is an array`);
      assert.equal(value.length, e.items.length, `${where}.${key} has ${e.items.length} item(s)`);
      e.items.forEach((item, i) => { compared += compareWithDump(value[i] as Json, item, `${where}.${key}[${i}]`); });
      continue;
    }
    const want = expectedFromDump(e);
    if (want === undefined) continue;
    const got = typeof value === 'string' ? value.trim() : Array.isArray(value) ? value.map((x) => (typeof x === 'string' ? x.trim() : x)) : value;
    assert.deepEqual(Array.isArray(want) || !Array.isArray(got) ? got : got[0], want, `${where}.${key}`);
    compared++;
  }
  return compared;
}

// ---------------------------------------------------------------------------------------------------------------

describe('emulator DICOM import (pydicom test files)', function () {
  this.timeout(300_000);
  before(async () => {
    dir = pydicomTestFilesSync();
    codec = await loadHtj2kCodec();
  });

  describe('CT_small.dcm', () => {
    let set: ImportedImageSet;
    let p: Parts;
    let raw: { meta: RawDataset; dict: RawDataset };
    before(() => { set = importOne('CT_small.dcm'); p = parts(set); raw = rawOf('CT_small.dcm'); });

    it('is one image set keyed by its study, series and SOP instance UIDs', () => {
      assert.equal(set.studyInstanceUID, '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322');
      assert.deepEqual(set.seriesInstanceUIDs, ['1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322']);
      assert.deepEqual(set.sopInstanceUIDs, ['1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322']);
      assert.equal(p.seriesUID, set.seriesInstanceUIDs[0]);
      assert.deepEqual(Object.keys(p.instances), set.sopInstanceUIDs);
      assert.equal(p.study.StudyInstanceUID, set.studyInstanceUID);
      assert.equal(p.series.SeriesInstanceUID, p.seriesUID);
      assert.equal((only(p.instances).DICOM as Json).SOPInstanceUID, set.sopInstanceUIDs[0]);
      assert.equal(set.metadata.SchemaVersion, '1.1');
      assert.ok(!('DatastoreID' in set.metadata) && !('ImageSetID' in set.metadata));
    });

    it('puts patient, study and series elements at their levels, with the values in the file', () => {
      assert.equal(p.patient.PatientName, 'CompressedSamples^CT1');
      assert.equal(p.patient.PatientID, '1CT1');
      assert.equal(p.patient.PatientSex, 'O');
      assert.equal(p.patient.PatientBirthDate, null, 'empty element -> null');
      assert.equal(p.study.StudyDate, '20040119');
      assert.equal(p.study.StudyTime, '072730');
      assert.equal(p.study.StudyID, '1CT1');
      assert.equal(p.study.AccessionNumber, null);
      assert.equal(p.study.ReferringPhysicianName, null);
      assert.equal(p.study.PatientAge, '000Y', 'PatientAge is a study-level element');
      assert.equal(p.series.Modality, 'CT');
      assert.equal(p.series.Manufacturer, 'GE MEDICAL SYSTEMS');
      assert.equal(p.series.FrameOfReferenceUID, '1.3.6.1.4.1.5962.1.4.1.1.20040119072730.12322');
      assert.deepEqual(p.series.SoftwareVersions, ['05'], 'multi-valued (VM 1-n) -> array');
      assertLevels(p);
    });

    it('keeps the file meta group at instance level, binary values base64', () => {
      const dicom = only(p.instances).DICOM as Json;
      assert.equal(dicom.TransferSyntaxUID, '1.2.840.10008.1.2.1');
      assert.equal(dicom.MediaStorageSOPInstanceUID, set.sopInstanceUIDs[0]);
      assert.equal(dicom.ImplementationVersionName, 'DCTOOL100');
      assert.equal(dicom.FileMetaInformationVersion, 'AAE=', '00 01 in base64');
    });

    it('converts value representations as the service does', () => {
      const dicom = only(p.instances).DICOM as Json;
      assert.deepEqual(dicom.ImageType, ['ORIGINAL', 'PRIMARY', 'AXIAL']);
      assert.equal(dicom.Rows, 128);
      assert.equal(dicom.Columns, 128);
      assert.equal(dicom.BitsAllocated, 16);
      assert.equal(dicom.PixelRepresentation, 1);
      // DS / IS stay strings, as written in the file.
      assert.deepEqual(dicom.ImagePositionPatient, raw.dict['00200032']._rawValue);
      assert.equal(dicom.InstanceNumber, (raw.dict['00200013']._rawValue as string[])[0]);
      assert.equal(typeof dicom.SliceThickness, 'string');
      assert.equal(Number(dicom.SliceThickness), 5);
      assert.equal(dicom.KVP, '120 ');
      // Sequences at patient level: arrays of objects keyed by keyword.
      assert.deepEqual(p.patient.OtherPatientIDsSequence, [
        { PatientID: 'ABCD1234', TypeOfPatientID: 'TEXT' },
        { PatientID: '1234ABCD', TypeOfPatientID: 'TEXT' },
      ]);
    });

    it('keeps private elements under 8-hex keys with their VRs in DICOMVRs', () => {
      const inst = only(p.instances);
      const dicom = inst.DICOM as Json;
      const vrs = inst.DICOMVRs as Record<string, string>;
      assert.equal(dicom['00090010'], 'GEMS_IDEN_01');
      assert.equal(vrs['00090010'], 'LO');
      assert.equal(dicom['00091001'], 'GE_GENESIS_FF');
      assert.equal(vrs['00091001'], 'LO');
      assert.equal(dicom['00191002'], 912);
      assert.equal(vrs['00191002'], 'SL');
      assert.equal(dicom['00191057'], -95);
      assert.equal(vrs['00191057'], 'SS');
      assert.deepEqual(dicom['00431012'], [14, 2, 3]);
      // An OB private element: base64 of exactly the bytes in the file.
      const ob = raw.dict['00431028'];
      assert.equal(vrs['00431028'], 'OB');
      assert.equal(dicom['00431028'], Buffer.from(ob.Value![0] as ArrayBuffer).toString('base64'));
      // Every private element of the file is there, and DICOMVRs names exactly the 8-hex keys.
      const privateTags = Object.keys(raw.dict).filter((t) => parseInt(t.slice(0, 4), 16) % 2 === 1).map((t) => t.toUpperCase());
      assert.ok(privateTags.length > 100);
      for (const t of privateTags) assert.equal(vrs[t], raw.dict[t].vr, `VR of ${t}`);
      assert.deepEqual(Object.keys(vrs).sort(), Object.keys(dicom).filter((k) => /^[0-9A-F]{8}$/.test(k)).sort());
    });

    it('accounts for every element of the file exactly once (Pixel Data becomes frames)', () => {
      const keys = [p.patient, p.study, p.series, only(p.instances).DICOM as Json].flatMap((m) => Object.keys(m));
      assert.equal(new Set(keys).size, keys.length, 'no key at two levels');
      const expected = [...Object.keys(raw.meta), ...Object.keys(raw.dict)].filter((t) => t !== '7FE00010');
      assert.equal(keys.length, expected.length);
      assert.ok(!keys.includes('PixelData'));
    });

    it('describes its frame: lossless HTJ2K of its pixels, CRC-32 of the decoded pixels, pixel range, size', () => {
      const inst = only(p.instances);
      assert.equal(inst.StoredTransferSyntaxUID, HTJ2K);
      assert.equal(inst.ChecksumType, 'DECOMPRESSED');
      const frames = inst.ImageFrames as Json[];
      assert.equal(frames.length, 1);
      assert.equal(set.frames.length, 1);
      const pixels = new Uint8Array(raw.dict['7FE00010'].Value![0] as ArrayBuffer);
      const bytes = set.frames[0].bytes;
      assert.deepEqual([...bytes.subarray(0, 4)], [0xff, 0x4f, 0xff, 0x51], 'a JPEG 2000 codestream (SOC, SIZ)');
      assert.deepEqual(decode(bytes), Buffer.from(pixels));
      assert.match(set.frames[0].id, /^[0-9a-z]{32}$/);
      assert.equal(frames[0].ID, set.frames[0].id);
      assert.equal(frames[0].FrameSizeInBytes, bytes.length);
      assert.ok(bytes.length < 128 * 128 * 2, `compressed: ${bytes.length} bytes`);
      const values = new Int16Array(pixels.buffer, pixels.byteOffset, pixels.length / 2);
      assert.equal(frames[0].MinPixelValue, Math.min(...values));
      assert.equal(frames[0].MaxPixelValue, Math.max(...values));
      assert.deepEqual(frames[0].PixelDataChecksumFromBaseToFullResolution, [{ Width: 128, Height: 128, Checksum: zlib.crc32(pixels) }]);
    });
  });

  describe('rtstruct.dcm (a bare data set, no Part 10 header)', () => {
    it('matches pydicom\'s own dump of the file, element by element, sequences included', () => {
      const set = importOne('rtstruct.dcm');
      const p = parts(set);
      const inst = only(p.instances);
      const flat = { ...p.patient, ...p.study, ...p.series, ...(inst.DICOM as Json) };
      const dump = parseDump(fs.readFileSync(path.join(dir, 'rtstruct.dump'), 'utf8'));
      assert.ok(dump.length > 30);
      const compared = compareWithDump(flat, dump, 'rtstruct');
      assert.ok(compared > 80, `compared ${compared} values`);
      assert.equal(p.patient.PatientName, 'Test^Phantom30sep');
      assert.equal(p.series.Modality, 'RTSTRUCT');
      const rois = (inst.DICOM as Json).StructureSetROISequence as Json[];
      assert.deepEqual(rois.map((r) => r.ROIName), ['patient', 'Isocenter 1', 'Isocenter 2']);
      const nested = ((((inst.DICOM as Json).ReferencedFrameOfReferenceSequence as Json[])[0].RTReferencedStudySequence as Json[])[0]
        .RTReferencedSeriesSequence as Json[])[0];
      assert.equal(nested.SeriesInstanceUID, '1.2.826.0.1.3680043.8.498.2010020400001.2.1.1');
      assertLevels(p);
    });

    it('has no frames and no file meta elements', () => {
      const set = importOne('rtstruct.dcm');
      const inst = only(parts(set).instances);
      assert.equal(set.frames.length, 0);
      assert.ok(!('ImageFrames' in inst) && !('StoredTransferSyntaxUID' in inst));
      assert.ok(!('TransferSyntaxUID' in (inst.DICOM as Json)));
    });
  });

  describe('test-SR.dcm', () => {
    it('keeps the nested content tree of a structured report', () => {
      const set = importOne('test-SR.dcm');
      const raw = rawOf('test-SR.dcm');
      const p = parts(set);
      const dicom = only(p.instances).DICOM as Json;
      assert.equal(p.series.Modality, 'SR');
      const content = dicom.ContentSequence as Json[];
      const rawContent = raw.dict['0040A730'].Value as RawDataset[];
      assert.equal(content.length, rawContent.length);
      assert.equal(content[0].RelationshipType, rawContent[0]['0040A010'].Value![0]);
      const code = (content[0].ConceptNameCodeSequence as Json[])[0];
      const rawCode = (rawContent[0]['0040A043'].Value as RawDataset[])[0];
      assert.equal(code.CodeValue, rawCode['00080100'].Value![0]);
      assert.equal(code.CodingSchemeDesignator, rawCode['00080102'].Value![0]);
      assert.equal(code.CodeMeaning, rawCode['00080104'].Value![0]);
      assert.equal(set.frames.length, 0);
      assertLevels(p);
    });
  });

  describe('transfer syntaxes', () => {
    it('gives the same pixels for MR_small in explicit LE, big endian, implicit VR and RLE Lossless', () => {
      const reference = importOne('MR_small.dcm');
      const pixels = new Uint8Array(rawOf('MR_small.dcm').dict['7FE00010'].Value![0] as ArrayBuffer);
      assert.deepEqual(decode(reference.frames[0].bytes), Buffer.from(pixels));
      for (const name of ['MR_small_bigendian.dcm', 'MR_small_expb.dcm', 'MR_small_implicit.dcm', 'MR_small_RLE.dcm']) {
        const set = importOne(name);
        assert.equal(set.frames.length, 1, name);
        assert.deepEqual(decode(set.frames[0].bytes), Buffer.from(pixels), `${name} frame decodes to MR_small's pixels`);
        const inst = only(parts(set).instances);
        assert.equal(inst.StoredTransferSyntaxUID, HTJ2K, name);
        assert.equal((inst.ImageFrames as Json[])[0].FrameSizeInBytes, set.frames[0].bytes.length);
        assert.equal(parts(set).patient.PatientName, 'CompressedSamples^MR1', name);
        assert.equal((inst.DICOM as Json).Rows, 64, name);
      }
    });

    it('converts big-endian values to the same metadata as little-endian', () => {
      const le = only(parts(importOne('MR_small.dcm')).instances).DICOM as Json;
      const be = only(parts(importOne('MR_small_bigendian.dcm')).instances).DICOM as Json;
      for (const k of ['Rows', 'Columns', 'BitsAllocated', 'PixelSpacing', 'ImagePositionPatient', 'SliceThickness', 'EchoTime']) {
        assert.deepEqual(be[k], le[k], k);
      }
      assert.equal(be.TransferSyntaxUID, '1.2.840.10008.1.2.2');
    });

    it('splits multi-frame native pixel data into frames, keeping 32-bit pixels as they are (rtdose.dcm, 15 frames)', () => {
      const set = importOne('rtdose.dcm');
      const raw = rawOf('rtdose.dcm');
      const all = Buffer.from(raw.dict['7FE00010'].Value![0] as ArrayBuffer);
      assert.equal(set.frames.length, 15);
      const inst = only(parts(set).instances);
      assert.equal(inst.StoredTransferSyntaxUID, '1.2.840.10008.1.2.1', 'HTJ2K holds at most 16 bits per sample here');
      const frames = inst.ImageFrames as Json[];
      assert.equal(frames.length, 15);
      assert.deepEqual(Buffer.concat(set.frames.map((f) => Buffer.from(f.bytes))), all);
      assert.equal(new Set(set.frames.map((f) => f.id)).size, 15, 'frame ids are unique');
      frames.forEach((f, i) => {
        assert.equal(f.ID, set.frames[i].id);
        assert.equal(f.FrameSizeInBytes, all.length / 15);
        assert.equal((f.PixelDataChecksumFromBaseToFullResolution as Json[])[0].Checksum, zlib.crc32(set.frames[i].bytes));
      });
    });

    it('stores every native and RLE frame of the package as lossless HTJ2K whose decoded pixels are the file\'s, checksum included', () => {
      const names = fs.readdirSync(dir).filter((n) => n.endsWith('.dcm')).sort();
      let encoded = 0;
      let compared = 0;
      const kept: string[] = [];
      for (const name of names) {
        const { imageSets, results } = importDicomFiles([file(name)]);
        if (!results[0].ok || imageSets.length === 0) continue;
        for (const inst of Object.values(parts(imageSets[0]).instances)) {
          const frames = inst.ImageFrames as Json[] | undefined;
          if (!frames) continue;
          const dicom = inst.DICOM as Json;
          const [rows, columns, samples, bits] = [dicom.Rows, dicom.Columns, dicom.SamplesPerPixel ?? 1, dicom.BitsAllocated] as number[];
          const bytesOfFrame = (i: number) => imageSets[0].frames.find((f) => f.id === frames[i].ID)!.bytes;
          const checksum = (i: number) => (frames[i].PixelDataChecksumFromBaseToFullResolution as Json[])[0].Checksum;
          if (inst.StoredTransferSyntaxUID !== HTJ2K) {
            if (inst.ChecksumType === 'DECOMPRESSED') {
              // Native data HTJ2K cannot hold here: more than 16 bits, colour of more than 8 bits, subsampled YBR.
              assert.ok(bits > 16 || (samples === 3 && bits > 8) || dicom.PhotometricInterpretation === 'YBR_FULL_422', `${name} should be stored as HTJ2K`);
              frames.forEach((_, i) => assert.equal(checksum(i), zlib.crc32(bytesOfFrame(i)), name));
              kept.push(name);
            }
            continue;
          }
          encoded++;
          assert.equal(inst.ChecksumType, 'DECOMPRESSED', name);
          const reference = referencePixels(name);
          frames.forEach((frame, i) => {
            const pixels = decode(bytesOfFrame(i));
            assert.equal(frame.FrameSizeInBytes, bytesOfFrame(i).length, name);
            assert.equal(pixels.length, rows * columns * samples * (bits === 1 ? 1 : bits / 8), `${name}: decoded size`);
            assert.equal(checksum(i), zlib.crc32(pixels), `${name} frame ${i}: checksum of the decoded pixels`);
            if (reference) {
              assert.deepEqual(pixels, reference[i], `${name} frame ${i}: decoded pixels equal the file's`);
              compared++;
            }
          });
        }
      }
      assert.ok(encoded >= 14, `${encoded} instances stored as HTJ2K`);
      assert.ok(compared >= 12, `${compared} frames compared with the file's pixels`);
      assert.deepEqual(kept.sort(), ['SC_rgb_rle_16bit.dcm', 'SC_rgb_rle_16bit_2frame.dcm', 'SC_rgb_rle_32bit.dcm', 'SC_rgb_rle_32bit_2frame.dcm',
        'SC_ybr_full_422_uncompressed.dcm', 'badVR.dcm', 'rtdose.dcm', 'rtdose_1frame.dcm', 'rtdose_expb.dcm', 'rtdose_expb_1frame.dcm']);
    });

    it('decodes multi-frame RLE: two frames of SC_rgb_rle_2frame.dcm, the first equal to SC_rgb_rle.dcm', () => {
      const two = importOne('SC_rgb_rle_2frame.dcm');
      const one = importOne('SC_rgb_rle.dcm');
      assert.equal(two.frames.length, 2);
      const [first, second, single] = [decode(two.frames[0].bytes), decode(two.frames[1].bytes), decode(one.frames[0].bytes)];
      assert.equal(first.length, 100 * 100 * 3);
      assert.deepEqual(first, single);
      assert.notDeepEqual(second, first);
      // The image is red, green, blue and white bands: the first pixel is pure red.
      assert.deepEqual([...single.subarray(0, 3)], [255, 0, 0]);
    });

    it('keeps JPEG frames encoded, in their original transfer syntax', () => {
      const set = importOne('SC_rgb_jpeg_dcmtk.dcm');
      const inst = only(parts(set).instances);
      assert.equal(inst.StoredTransferSyntaxUID, '1.2.840.10008.1.2.4.50');
      assert.equal(inst.ChecksumType, 'ORIGINAL');
      const bytes = set.frames[0].bytes;
      assert.deepEqual([bytes[0], bytes[1]], [0xff, 0xd8], 'JPEG start-of-image marker');
      const frame = (inst.ImageFrames as Json[])[0];
      assert.equal(frame.FrameSizeInBytes, bytes.length);
      assert.equal((frame.PixelDataChecksumFromBaseToFullResolution as Json[])[0].Checksum, zlib.crc32(bytes));
    });
  });

  describe('character sets (pydicom charset_files)', () => {
    // The names are the examples of DICOM PS3.5 Annexes H-J and the values pydicom's charset tests expect.
    const cases: [string, string, string[]][] = [
      ['chrArab.dcm', 'قباني^لنزار', ['ISO_IR 127']],
      ['chrFren.dcm', 'Buc^Jérôme', ['ISO_IR 100']],
      ['chrGerm.dcm', 'Äneas^Rüdiger', ['ISO_IR 100']],
      ['chrGreek.dcm', 'Διονυσιος', ['ISO_IR 126']],
      ['chrHbrw.dcm', 'שרון^דבורה', ['ISO_IR 138']],
      ['chrRuss.dcm', 'Люкceмбypг', ['ISO_IR 144']],
      ['chrX1.dcm', 'Wang^XiaoDong=王^小東', ['ISO_IR 192']],
      ['chrX2.dcm', 'Wang^XiaoDong=王^小东', ['GB18030']],
      // ISO 2022 code extensions: escape sequences switch between ASCII, JIS X 0201/0208 and KS X 1001.
      ['chrH31.dcm', 'Yamada^Tarou=山田^太郎=やまだ^たろう', ['', 'ISO 2022 IR 87']],
      ['chrH32.dcm', 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう', ['ISO 2022 IR 13', 'ISO 2022 IR 87']],
      ['chrI2.dcm', 'Hong^Gildong=洪^吉洞=홍^길동', ['', 'ISO 2022 IR 149']],
      ['chrKoreanMulti.dcm', '김희중', ['', 'ISO 2022 IR 149']],
    ];
    const charsetDir = (): string => path.join(dir, '..', 'charset_files');
    for (const [name, patientName, charsets] of cases) {
      it(`${name}: ${patientName}`, () => {
        const { imageSets, results } = importDicomFiles([{ path: name, bytes: new Uint8Array(fs.readFileSync(path.join(charsetDir(), name))) }]);
        assert.equal(results[0].ok, true, results[0].error);
        const p = parts(imageSets[0]);
        assert.equal(p.patient.PatientName, patientName);
        assert.deepEqual((only(p.instances).DICOM as Json).SpecificCharacterSet, charsets, 'the declared character set is kept');
      });
    }

    it('decodes every text value of a code-extension data set, multi-valued ones included', () => {
      const bytes = new Uint8Array(fs.readFileSync(path.join(charsetDir(), 'chrJapMulti.dcm')));
      const { imageSets } = importDicomFiles([{ path: 'chrJapMulti.dcm', bytes }]);
      const p = parts(imageSets[0]);
      assert.deepEqual(p.patient.OtherPatientNames, ['やまだ^たろう', 'やまだ^たろう']);
      assert.equal(p.study.AdditionalPatientHistory, 'たろう');
      assert.ok(!JSON.stringify(imageSets[0].metadata).includes('\\u001b'), 'no escape sequence left in any value');
    });

    it('applies a character set declared in a sequence item to that item, and an outer one to items without', () => {
      // These two files lack the UIDs an import needs, so their data sets are converted directly.
      const convert = (name: string): Json => {
        const read = readDicomFile(new Uint8Array(fs.readFileSync(path.join(charsetDir(), name))));
        return convertDataset(read.dataset, { vrs: {}, bigEndian: false, signedPixels: false, fileSize: Infinity, charsetOriginals: read.charsetOriginals });
      };
      const inner = convert('chrSQEncoding.dcm'); // data set UTF-8, item ISO 2022 IR 13\87
      const outer = convert('chrSQEncoding1.dcm'); // data set ISO 2022 IR 13\87, item without its own
      for (const d of [inner, outer]) {
        assert.equal(d.RequestingPhysician, 'Doctor^Who^^MD');
        assert.equal((d.RequestedProcedureCodeSequence as Json[])[0].PatientName, 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう');
      }
      assert.deepEqual(inner.SpecificCharacterSet, ['ISO_IR 192']);
      assert.deepEqual((inner.RequestedProcedureCodeSequence as Json[])[0].SpecificCharacterSet, ['ISO 2022 IR 13', 'ISO 2022 IR 87']);
    });
  });

  describe('grouping into image sets', () => {
    // Real files with one UID changed in place (same length), as a second instance or series would have.
    const ct = (): Uint8Array => bytesOf('CT_small.dcm');
    function replaceAscii(bytes: Uint8Array, from: string, to: string): Uint8Array {
      assert.equal(from.length, to.length);
      const out = Buffer.from(bytes);
      const needle = Buffer.from(from, 'latin1');
      let at = out.indexOf(needle);
      assert.ok(at >= 0, `"${from}" is in the file`);
      for (; at >= 0; at = out.indexOf(needle, at + 1)) out.write(to, at, 'latin1');
      return new Uint8Array(out);
    }
    const sop = '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322';
    const series = '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322';

    it('puts instances of one series into one image set, in instance order, series values once', () => {
      const second = replaceAscii(ct(), sop, sop.replace(/12322$/, '12399'));
      const { imageSets, results } = importDicomFiles([file('a.dcm', second), file('b.dcm', ct())]);
      assert.ok(results.every((r) => r.ok));
      assert.equal(imageSets.length, 1);
      const set = imageSets[0];
      assert.equal(set.sopInstanceUIDs.length, 2);
      assert.equal(set.frames.length, 2);
      const p = parts(set);
      assert.deepEqual(Object.keys(p.instances).sort(), [...set.sopInstanceUIDs].sort());
      for (const [uid, inst] of Object.entries(p.instances)) assert.equal((inst.DICOM as Json).SOPInstanceUID, uid);
      assert.equal(p.series.Modality, 'CT');
      const ids = Object.values(p.instances).flatMap((i) => (i.ImageFrames as Json[]).map((f) => f.ID));
      assert.deepEqual(ids.sort(), set.frames.map((f) => f.id).sort());
      assert.equal(new Set(ids).size, 2, 'each frame has its own id');
    });

    it('makes one image set per series of a study', () => {
      const other = replaceAscii(ct(), series, series.replace(/12322$/, '12555'));
      const { imageSets } = importDicomFiles([file('a.dcm', ct()), file('b.dcm', other), file('mr.dcm', bytesOf('MR_small.dcm'))]);
      assert.equal(imageSets.length, 3);
      const ctSets = imageSets.filter((s) => s.studyInstanceUID === '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322');
      assert.equal(ctSets.length, 2);
      assert.notEqual(ctSets[0].seriesInstanceUIDs[0], ctSets[1].seriesInstanceUIDs[0]);
      for (const s of imageSets) assert.deepEqual(Object.keys((s.metadata.Study as Json).Series as Json), s.seriesInstanceUIDs);
    });

    it('keeps one copy when the same instance is imported twice', () => {
      const { imageSets, results } = importDicomFiles([file('a.dcm', ct()), file('again.dcm', ct())]);
      assert.deepEqual(results.map((r) => r.ok), [true, true]);
      assert.equal(imageSets.length, 1);
      assert.deepEqual(imageSets[0].sopInstanceUIDs, [sop]);
      assert.equal(imageSets[0].frames.length, 1);
    });
  });

  describe('files that cannot be imported', () => {
    it('reports each bad file with a clear reason and imports the rest', () => {
      const garbage = new TextEncoder().encode('this is a text file, not DICOM at all.');
      const truncated = bytesOf('CT_small.dcm').subarray(0, 39000); // cut inside Pixel Data
      const { imageSets, results } = importDicomFiles([
        file('empty.dcm', new Uint8Array(0)),
        file('notes.txt', garbage),
        file('truncated.dcm', truncated),
        file('meta_missing_tsyntax.dcm'),
        file('rtplan_truncated.dcm'),
        file('MR_truncated.dcm'),
        file('MR_small.dcm'),
      ]);
      assert.equal(results.length, 7);
      const byName = Object.fromEntries(results.map((r) => [path.basename(r.path), r]));
      assert.match(byName['empty.dcm'].error ?? '', /not a DICOM file/);
      assert.match(byName['notes.txt'].error ?? '', /not a DICOM file: no "DICM" marker/);
      assert.match(byName['truncated.dcm'].error ?? '', /the file ends inside \(7FE0,0010\): its value needs 32768 bytes, the file has \d+ left \(file truncated\?\)/);
      assert.match(byName['meta_missing_tsyntax.dcm'].error ?? '', /no Transfer Syntax UID \(0002,0010\)/);
      assert.match(byName['rtplan_truncated.dcm'].error ?? '', /cannot read the DICOM data set \(truncated or malformed/);
      assert.equal(byName['MR_truncated.dcm'].error, 'the file ends inside (7FE0,0010): its value needs 8192 bytes, the file has 8130 left (file truncated?)');
      assert.deepEqual(byName['MR_small.dcm'], { path: 's3://bucket/in/MR_small.dcm', ok: true });
      assert.equal(imageSets.length, 1);
    });

    it('refuses a malformed UID, naming the element', () => {
      const bytes = Buffer.from(bytesOf('CT_small.dcm'));
      const series = Buffer.from('1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322', 'latin1');
      assert.ok(bytes.indexOf(series) > 0);
      for (let at = bytes.indexOf(series); at >= 0; at = bytes.indexOf(series, at + 1)) {
        bytes.write('1.3.6.1.4.1.5962.1.3.1.1.2004011907273x.12322', at, 'latin1');
      }
      const { results } = importDicomFiles([file('bad-uid.dcm', new Uint8Array(bytes))]);
      assert.equal(results[0].error, 'Series Instance UID (0020,000E) is not a valid UID (digits separated by dots)');
    });

    it('names the missing identifying element', () => {
      const { results } = importDicomFiles([file('priv_SQ.dcm')]);
      assert.deepEqual(results, [{ path: 's3://bucket/in/priv_SQ.dcm', ok: false, error: 'missing Study Instance UID (0020,000D)' }]);
    });

    it('never throws on damaged files (bytes overwritten, files cut short), and keeps a consistent hierarchy when it imports', () => {
      const originals = ['CT_small.dcm', 'MR_small_implicit.dcm', 'MR_small_bigendian.dcm', 'MR_small_RLE.dcm', 'rtstruct.dcm', 'test-SR.dcm']
        .map((n) => bytesOf(n));
      let failures = 0;
      fc.assert(fc.property(
        fc.nat(originals.length - 1),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        (which, writes, cut) => {
          const bytes = new Uint8Array(originals[which]);
          for (const [at, value] of writes) bytes[Math.floor(at * bytes.length)] = value;
          const input = cut === undefined ? bytes : bytes.subarray(0, Math.floor(cut * bytes.length));
          const { imageSets, results } = importDicomFiles([file('damaged.dcm', input)]);
          assert.equal(results.length, 1);
          if (!results[0].ok) {
            failures++;
            assert.ok((results[0].error ?? '').length > 10);
            assert.equal(imageSets.length, 0);
            return;
          }
          assert.equal(imageSets.length, 1);
          const p = parts(imageSets[0]);
          assert.equal(p.series.SeriesInstanceUID, p.seriesUID);
          assert.equal(p.study.StudyInstanceUID, imageSets[0].studyInstanceUID);
          for (const [uid, inst] of Object.entries(p.instances)) assert.equal((inst.DICOM as Json).SOPInstanceUID, uid);
          const ids = Object.values(p.instances).flatMap((i) => ((i.ImageFrames as Json[] | undefined) ?? []).map((f) => f.ID));
          assert.deepEqual(ids, imageSets[0].frames.map((f) => f.id));
        },
      ), { seed: 20240101, numRuns: 300 });
      assert.ok(failures > 30, `${failures} damaged files refused`);
    });

    it('never throws on any file of the package, and every failure says why', () => {
      const names = fs.readdirSync(dir).filter((n) => n.endsWith('.dcm'));
      assert.ok(names.length > 60);
      const { imageSets, results } = importDicomFiles(names.map((n) => file(n)));
      assert.equal(results.length, names.length);
      for (const r of results) if (!r.ok) assert.ok(r.error && r.error.length > 10, `${r.path}: ${r.error}`);
      const ok = results.filter((r) => r.ok).length;
      assert.ok(ok >= 50, `${ok} files imported`);
      assert.ok(imageSets.length >= 15);
      const frameIds = imageSets.flatMap((s) => s.frames.map((f) => f.id));
      for (const id of frameIds) assert.match(id, /^[0-9a-z]{32}$/);
      // Every imported document is one the extension can edit: a study-level edit needs no force.
      for (const s of imageSets) {
        const document = { ...s.metadata, DatastoreID: 'd'.repeat(32), ImageSetID: 'i'.repeat(32) };
        const edited = JSON.parse(JSON.stringify(document)) as { Study: { DICOM: Json } };
        edited.Study.DICOM.StudyDescription = 'EDITED';
        const plan = computeMetadataUpdate(document, edited, { isPrimary: true });
        assert.deepEqual([plan.refused, plan.force, plan.updates.length], [[], false, 1], s.studyInstanceUID);
      }
    });
  });
});
