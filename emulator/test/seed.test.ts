// The deterministic sample data (`--seed`): same output every run, enough and varied image sets, a valid
// hierarchy, every element at its level, frames that match what the metadata says about them.

import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { computeMetadataUpdate } from '../../src/core/metadataUpdate';
import { LEVEL_TAGS } from '../src/dicomLevels';
import { generateSeed, SEED_DATASTORE_NAME, SeedImageSet } from '../src/seed';

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

describe('emulator seed data', function () {
  this.timeout(120_000);
  let seed: SeedImageSet[];
  before(() => { seed = generateSeed(); });

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
        assert.equal(inst.StoredTransferSyntaxUID, '1.2.840.10008.1.2.1');
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
          const { Rows: rows, Columns: columns, BitsAllocated: bits, SamplesPerPixel: samples, PixelRepresentation: signed } = inst.DICOM as
            { Rows: number; Columns: number; BitsAllocated: number; SamplesPerPixel: number; PixelRepresentation: number };
          assert.equal(frame.FrameSizeInBytes, rows * columns * samples * (bits / 8));
          assert.equal(bytes.length, frame.FrameSizeInBytes);
          assert.deepEqual(frame.PixelDataChecksumFromBaseToFullResolution, [{ Width: columns, Height: rows, Checksum: zlib.crc32(bytes) }]);
          const copy = new Uint8Array(bytes);
          const values = bits === 8 ? copy : signed ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
          assert.equal(frame.MinPixelValue, Math.min(...values));
          assert.equal(frame.MaxPixelValue, Math.max(...values));
          described++;
        }
      }
      assert.equal(described, s.frames.length, 'no frame without an ImageFrames entry');
    }
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
