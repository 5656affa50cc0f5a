// The deterministic sample data (`--seed`): same output every run, enough and varied image sets, a valid
// hierarchy, every element at its level, frames that match what the metadata says about them.

import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { decodeHtj2k, type OpenJphModule } from '../../src/core/htj2k';
import { computeMetadataUpdate } from '../../src/core/metadataUpdate';
import { LEVEL_TAGS } from '../src/dicomLevels';
import { loadHtj2kCodec } from '../src/htj2k';
import { markerBox } from '../src/phantoms';
import { generateSeed as generateWith, SEED_DATASTORE_NAME, SeedImageSet } from '../src/seed';

const dcmjs = require('dcmjs') as { data: { DicomMetaDictionary: { nameMap: Record<string, { tag: string; vr: string } | undefined> } } };

type Json = Record<string, unknown>;
interface Instance { DICOM: Json; DICOMVRs: Record<string, string>; StoredTransferSyntaxUID?: string; ChecksumType?: string; ImageFrames?: Json[] }
interface Doc {
  SchemaVersion: string;
  Patient: { DICOM: Json };
  Study: { DICOM: Json; Series: Record<string, { DICOM: Json; Instances: Record<string, Instance> }> };
}
const doc = (s: SeedImageSet): Doc => s.metadata as unknown as Doc;
const series = (s: SeedImageSet) => Object.entries(doc(s).Study.Series);
const instances = (s: SeedImageSet) => series(s).flatMap(([, x]) => Object.entries(x.Instances));
const UID = /^[0-9]+(\.[0-9]+)*$/;

function tagOf(keyword: string): string {
  const entry = dcmjs.data.DicomMetaDictionary.nameMap[keyword];
  assert.ok(entry, `"${keyword}" is a DICOM keyword`);
  return entry.tag.replace(/[(),]/g, '').toUpperCase();
}

let codec: OpenJphModule;
const generateSeed = () => generateWith(codec);

/** Frames are shared between instances showing the same image: decode each distinct one once. */
interface Decoded { pixels: Buffer; width: number; height: number; components: number; bits: number; min: number; max: number }
const decoded = new Map<Uint8Array, Decoded>();
function decode(bytes: Uint8Array): Decoded {
  let d = decoded.get(bytes);
  if (!d) {
    const { info, pixels } = decodeHtj2k(codec, bytes);
    const copy = new Uint8Array(pixels);
    const values = info.bitsPerSample <= 8 ? copy : info.isSigned ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
    let [min, max] = [Infinity, -Infinity];
    for (const v of values) [min, max] = [Math.min(min, v), Math.max(max, v)];
    d = { pixels: Buffer.from(pixels), width: info.width, height: info.height, components: info.componentCount, bits: info.bitsPerSample, min, max };
    decoded.set(bytes, d);
  }
  return d;
}

describe('emulator seed data', function () {
  this.timeout(120_000);
  let seed: SeedImageSet[];
  before(async () => {
    codec = await loadHtj2kCodec();
    seed = generateSeed();
  });

  it('is the same on every run (values, frames, timestamps)', () => {
    const again = generateSeed();
    assert.equal(again.length, seed.length);
    assert.equal(JSON.stringify(again.map((s) => s.metadata)), JSON.stringify(seed.map((s) => s.metadata)));
    assert.deepEqual(again.map((s) => [s.isPrimary, s.createdAt, s.updatedAt]), seed.map((s) => [s.isPrimary, s.createdAt, s.updatedAt]));
    for (let i = 0; i < seed.length; i++) {
      assert.deepEqual(again[i].frames.map((f) => f.id), seed[i].frames.map((f) => f.id));
      assert.ok(again[i].frames.every((f, k) => Buffer.from(f.bytes).equals(Buffer.from(seed[i].frames[k].bytes))));
    }
  });

  it('fills one data store with more than two pages of image sets, one of them large', () => {
    assert.equal(SEED_DATASTORE_NAME, 'sample-datastore');
    assert.ok(seed.length >= 120, `${seed.length} image sets`);
    const sizes = seed.map((s) => instances(s).length);
    const large = sizes.filter((n) => n >= 5000);
    assert.equal(large.length, 1, 'exactly one large image set');
    assert.ok(sizes.filter((n) => n < 100).length >= 100, 'the others are small');
  });

  it('is varied: modalities, multi-series studies and image sets, non-primary sets, private tags, sequences, non-ASCII', () => {
    const modalities = new Set(seed.flatMap((s) => series(s).map(([, x]) => x.DICOM.Modality)));
    for (const m of ['CT', 'MR', 'CR', 'US', 'SR', 'DX', 'MG', 'PT']) assert.ok(modalities.has(m), `has ${m}`);
    const perStudy = new Map<string, number>();
    for (const s of seed) {
      const uid = doc(s).Study.DICOM.StudyInstanceUID as string;
      perStudy.set(uid, (perStudy.get(uid) ?? 0) + 1);
    }
    assert.ok([...perStudy.values()].filter((n) => n > 1).length >= 10, 'studies spread over several image sets');
    assert.ok(seed.filter((s) => series(s).length > 1).length >= 5, 'image sets holding several series');
    const nonPrimary = seed.filter((s) => !s.isPrimary);
    assert.ok(nonPrimary.length >= 5 && nonPrimary.length < seed.length / 4, `${nonPrimary.length} non-primary`);
    const withPrivate = seed.filter((s) => instances(s).some(([, i]) => Object.keys(i.DICOMVRs).length > 0));
    assert.ok(withPrivate.length >= 10, 'image sets with private elements');
    const hasSequence = (m: Json) => Object.values(m).some((v) => Array.isArray(v) && v.length > 0 && typeof v[0] === 'object');
    assert.ok(seed.some((s) => hasSequence(doc(s).Patient.DICOM)), 'patient-level sequence');
    assert.ok(seed.some((s) => hasSequence(doc(s).Study.DICOM)), 'study-level sequence');
    assert.ok(seed.some((s) => series(s).some(([, x]) => hasSequence(x.DICOM))), 'series-level sequence');
    assert.ok(seed.some((s) => instances(s).some(([, i]) => hasSequence(i.DICOM))), 'instance-level sequence');
    const names = new Set(seed.map((s) => doc(s).Patient.DICOM.PatientName as string));
    assert.ok(names.has('Müller^Zoë'));
    assert.ok([...names].filter((n) => /[^\x20-\x7e]/.test(n)).length >= 10, 'non-ASCII names');
    assert.ok(seed.some((s) => doc(s).Study.DICOM.AccessionNumber === null), 'empty values are null');
  });

  it('is clearly synthetic patient data', () => {
    for (const s of seed) {
      const patient = doc(s).Patient.DICOM;
      assert.match(patient.PatientID as string, /^SYN-\d{4}(-X)?$/);
      assert.match(patient.PatientComments as string, /Synthetic sample patient, not a real person/);
    }
  });

  it('has a valid hierarchy: keys equal the UIDs inside, UIDs well-formed and unique', () => {
    for (const [index, s] of seed.entries()) {
      const d = doc(s);
      assert.equal(d.SchemaVersion, '1.1');
      assert.ok(!('DatastoreID' in d) && !('ImageSetID' in d));
      assert.match(d.Study.DICOM.StudyInstanceUID as string, UID);
      assert.ok(series(s).length >= 1);
      const sops = new Set<string>();
      for (const [seriesUID, x] of series(s)) {
        assert.equal(x.DICOM.SeriesInstanceUID, seriesUID, `set ${index}: series key`);
        assert.match(seriesUID, UID);
        assert.ok(seriesUID.length <= 64);
        assert.ok(Object.keys(x.Instances).length >= 1);
        for (const [sop, inst] of Object.entries(x.Instances)) {
          assert.equal(inst.DICOM.SOPInstanceUID, sop, `set ${index}: instance key`);
          assert.match(sop, UID);
          assert.ok(!sops.has(sop), `set ${index}: SOP Instance UID ${sop} once`);
          sops.add(sop);
        }
      }
    }
    assert.ok(seed.every((s) => s.createdAt <= s.updatedAt));
    assert.ok(seed.every((s) => s.createdAt >= Date.UTC(2024, 0, 1) && s.updatedAt < Date.UTC(2025, 0, 1)), 'fixed epoch values (ms)');
  });

  it('keeps each non-primary image set as a conflicting copy of a primary one', () => {
    const primaryBySeries = new Map(seed.filter((s) => s.isPrimary).map((s) => [series(s).map(([u]) => u).join(','), s]));
    for (const s of seed.filter((x) => !x.isPrimary)) {
      const primary = primaryBySeries.get(series(s).map(([u]) => u).join(','));
      assert.ok(primary, 'same series as a primary image set');
      assert.deepEqual(instances(s).map(([u]) => u), instances(primary).map(([u]) => u), 'same instances');
      assert.notEqual(doc(s).Patient.DICOM.PatientID, doc(primary).Patient.DICOM.PatientID, 'conflicting patient data');
    }
  });

  it('puts every element at its level (Patient / Study / Series as listed by the service, the rest per instance)', () => {
    const patient = new Set(LEVEL_TAGS.patient);
    const study = new Set(LEVEL_TAGS.study);
    const seriesLevel = new Set(LEVEL_TAGS.series);
    const checked = new Set<string>();
    const check = (keys: string[], allowed: Set<string> | null, where: string) => {
      for (const key of keys) {
        if (checked.has(`${where}:${key}`)) continue;
        checked.add(`${where}:${key}`);
        if (/^[0-9A-F]{8}$/.test(key)) {
          assert.equal(where, 'instance', `private ${key} only at instance level`);
          continue;
        }
        const tag = tagOf(key);
        if (allowed) assert.ok(allowed.has(tag), `${key} (${tag}) belongs at ${where} level`);
        else assert.ok(!patient.has(tag) && !study.has(tag) && !seriesLevel.has(tag), `${key} must not be at instance level`);
      }
    };
    for (const s of seed) {
      check(Object.keys(doc(s).Patient.DICOM), patient, 'patient');
      check(Object.keys(doc(s).Study.DICOM), study, 'study');
      for (const [, x] of series(s)) check(Object.keys(x.DICOM), seriesLevel, 'series');
      for (const [, i] of instances(s)) check(Object.keys(i.DICOM), null, 'instance');
    }
    assert.ok(checked.size > 60);
  });

  it('gives private elements their VRs in DICOMVRs, and nothing else', () => {
    for (const s of seed) {
      for (const [, inst] of instances(s)) {
        const privateKeys = Object.keys(inst.DICOM).filter((k) => /^[0-9A-F]{8}$/.test(k)).sort();
        assert.deepEqual(Object.keys(inst.DICOMVRs).sort(), privateKeys);
        for (const k of privateKeys) assert.match(inst.DICOMVRs[k], /^[A-Z]{2}$/);
        for (const k of privateKeys) assert.equal(parseInt(k.slice(0, 4), 16) % 2, 1, `${k} is in an odd (private) group`);
      }
    }
  });

  it('has frames that match their ImageFrames entries: ids, sizes, CRC-32 and pixel ranges', () => {
    const allIds = new Set<string>();
    for (const s of seed) {
      const bytesById = new Map(s.frames.map((f) => [f.id, f.bytes]));
      assert.equal(bytesById.size, s.frames.length, 'frame ids unique within the image set');
      let described = 0;
      for (const [, inst] of instances(s)) {
        const isImage = inst.DICOM.Rows !== undefined;
        assert.equal(inst.ImageFrames !== undefined, isImage, 'image instances, and only they, have frames');
        if (!isImage) continue;
        assert.equal(inst.StoredTransferSyntaxUID, '1.2.840.10008.1.2.4.202', 'lossless HTJ2K');
        assert.equal(inst.ChecksumType, 'DECOMPRESSED');
        const nFrames = Number(inst.DICOM.NumberOfFrames ?? 1);
        assert.equal(inst.ImageFrames!.length, nFrames);
        for (const frame of inst.ImageFrames!) {
          const id = frame.ID as string;
          assert.match(id, /^[0-9a-z]{32}$/);
          assert.ok(!allIds.has(id), 'frame ids unique across the seed');
          allIds.add(id);
          const bytes = bytesById.get(id);
          assert.ok(bytes, `frame ${id} has bytes`);
          const { Rows: rows, Columns: columns, BitsAllocated: bits, BitsStored: stored, SamplesPerPixel: samples } = inst.DICOM as
            { Rows: number; Columns: number; BitsAllocated: number; BitsStored: number; SamplesPerPixel: number };
          assert.equal(bytes.length, frame.FrameSizeInBytes);
          const image = decode(bytes);
          assert.deepEqual([image.width, image.height, image.components], [columns, rows, samples]);
          assert.ok(image.bits <= stored, `${image.bits} bits coded, BitsStored ${stored}`);
          assert.equal(image.pixels.length, rows * columns * samples * (bits / 8));
          assert.ok(bytes.length < image.pixels.length, 'compressed');
          assert.deepEqual(frame.PixelDataChecksumFromBaseToFullResolution, [{ Width: columns, Height: rows, Checksum: zlib.crc32(image.pixels) }]);
          assert.equal(frame.MinPixelValue, image.min);
          assert.equal(frame.MaxPixelValue, image.max);
          described++;
        }
      }
      assert.equal(described, s.frames.length, 'no frame without an ImageFrames entry');
    }
  });

  it('shows realistic images: phantoms of at least 256 × 256 (CT, MR, CR, DX, MG), RGB ultrasound, "SYNTHETIC" burned in', () => {
    const seen = new Map<string, number>();
    for (const s of seed) {
      for (const [, x] of series(s)) {
        const modality = x.DICOM.Modality as string;
        for (const [, inst] of Object.entries(x.Instances).slice(0, 3)) {
          if (!inst.ImageFrames) continue;
          const dicom = inst.DICOM as { Rows: number; Columns: number; SamplesPerPixel: number; PhotometricInterpretation: string; BitsAllocated: number };
          const image = decode(s.frames.find((f) => f.id === inst.ImageFrames![0].ID)!.bytes);
          if (['CT', 'MR', 'CR', 'DX', 'MG'].includes(modality)) assert.ok(dicom.Rows >= 256 && dicom.Columns >= 256, `${modality} ${dicom.Rows} × ${dicom.Columns}`);
          const at = (x0: number, y0: number, c = 0) => {
            const i = (y0 * image.width + x0) * image.components + c;
            return image.bits > 8 ? image.pixels.readUInt16LE(i * 2) : image.pixels[i];
          };
          if (modality === 'US') {
            assert.deepEqual([dicom.SamplesPerPixel, dicom.PhotometricInterpretation], [3, 'RGB']);
            let coloured = 0;
            for (let i = 0; i < image.width * image.height; i++) if (image.pixels[i * 3] !== image.pixels[i * 3 + 1]) coloured++;
            assert.ok(coloured > 100, `${coloured} coloured (Doppler) pixels`);
          }
          // Something is imaged: most rows of the image's middle column are not the corner's background value.
          const background = at(image.width - 1, image.height - 1);
          let differing = 0;
          for (let y = 0; y < image.height; y++) if (at(image.width >> 1, y) !== background) differing++;
          assert.ok(differing > image.height / 3, `${modality}: ${differing} of ${image.height} pixels of the middle column differ from the background`);
          // The marker: in its box, ink of one value on paper of another, forming nine letters (8-connected shapes).
          for (const corner of ['left', 'right'] as const) {
            const box = markerBox(image.width, image.height, corner);
            const paper = at(box.x, box.y);
            const ink = at(box.x + 2 * box.scale, box.y + 2 * box.scale + box.scale); // the left edge of the S
            let plainBorder = true;
            for (let x0 = box.x; x0 < box.x + box.width; x0++) if (at(x0, box.y) !== paper || at(x0, box.y + box.height - 1) !== paper) plainBorder = false;
            if (ink === paper || !plainBorder) continue; // the marker is in the other corner
            const seenPixel = new Set<number>();
            let letters = 0;
            for (let y = box.y; y < box.y + box.height; y++) {
              for (let x0 = box.x; x0 < box.x + box.width; x0++) {
                if (at(x0, y) !== ink || seenPixel.has(y * image.width + x0)) continue;
                letters++;
                const stack = [[x0, y]];
                seenPixel.add(y * image.width + x0);
                while (stack.length) {
                  const [px, py] = stack.pop()!;
                  for (let dy = -1; dy <= 1; dy++) {
                    for (let dx = -1; dx <= 1; dx++) {
                      const [nx, ny] = [px + dx, py + dy];
                      if (nx < box.x || ny < box.y || nx >= box.x + box.width || ny >= box.y + box.height) continue;
                      if (seenPixel.has(ny * image.width + nx) || at(nx, ny) !== ink) continue;
                      seenPixel.add(ny * image.width + nx);
                      stack.push([nx, ny]);
                    }
                  }
                }
              }
            }
            assert.equal(letters, 'SYNTHETIC'.length, `${modality}: the marker's letters`);
            seen.set(modality, (seen.get(modality) ?? 0) + 1);
          }
        }
      }
    }
    for (const m of ['CT', 'MR', 'CR', 'DX', 'MG', 'US', 'PT']) assert.ok((seen.get(m) ?? 0) > 0, `${m} images carry the marker`);
  });

  it('is editable as the extension edits it: no change plans nothing, a patient/study edit needs no force', () => {
    for (const s of seed.filter((x) => instances(x).length < 1000)) {
      const document = { ...s.metadata, DatastoreID: 'd'.repeat(32), ImageSetID: 'i'.repeat(32) };
      const unchanged = computeMetadataUpdate(document, JSON.parse(JSON.stringify(document)), { isPrimary: s.isPrimary });
      assert.deepEqual([unchanged.updates, unchanged.refused], [[], []]);
      const edited = JSON.parse(JSON.stringify(document)) as Doc;
      edited.Study.DICOM.StudyDescription = 'EDITED DESCRIPTION';
      const plan = computeMetadataUpdate(document, edited, { isPrimary: s.isPrimary });
      assert.deepEqual(plan.refused, []);
      assert.equal(plan.force, false);
      assert.equal(plan.updates.length, 1);
    }
  });
});
