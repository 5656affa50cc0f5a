// Deterministic sample data for the local HealthImaging service (`--seed`).
//
// Every patient is invented (names from a fixed list, ids "SYN-nnnn", comment saying so). The same data is
// produced on every run: values come from a fixed-seed PRNG and timestamps from fixed epoch values, never
// from the clock. Frames are synthetic phantoms (phantoms.ts: CT, MR, PET, radiographs, mammograms, RGB
// ultrasound, each marked "SYNTHETIC") stored as lossless HTJ2K, as HealthImaging stores them. A series shows a
// limited number of distinct slices and instances share the bytes of equal frames, so the whole seed,
// including one image set of more than 5,000 instances, is generated in about a second.

import { createHash } from 'node:crypto';
import { crc32 } from '../../src/core/crc32';
import { encodeHtj2k, HTJ2K_LOSSLESS, type OpenJphModule } from '../../src/core/htj2k';
import { tagOfKeyword } from './dicomDataset';
import { frameId, ImportedFrame, SCHEMA_VERSION } from './dicomImport';
import { levelOfTag } from './dicomLevels';
import { crChest, ctChest, ctLegs, ctScout, dxKnee, mgBreast, mrHead, prng, ptChest, usAbdomen, type PhantomImage, type Plane } from './phantoms';

export interface SeedImageSet {
  /** Full document without DatastoreID/ImageSetID (the server adds them). */
  metadata: Record<string, unknown>;
  isPrimary: boolean;
  /** Epoch milliseconds (the server turns them into the service's epoch seconds on the wire). */
  createdAt: number;
  /** Epoch milliseconds; not before createdAt. */
  updatedAt: number;
  frames: ImportedFrame[];
}

export const SEED_DATASTORE_NAME = 'sample-datastore';
/** Instances of the one large image set (for performance work). */
export const SEED_LARGE_INSTANCE_COUNT = 5200;
/** Image sets besides the large one. */
export const SEED_REGULAR_IMAGE_SET_COUNT = 136;
/** 2024-01-01T00:00:00Z (epoch milliseconds): the seeded image sets were "imported" after it. */
export const SEED_EPOCH_MS = 1704067200000;

const TS_EXPLICIT_LE = '1.2.840.10008.1.2.1';

// ---------------------------------------------------------------------------------------------------------------
// Deterministic helpers

class Rng {
  private readonly next: () => number;
  constructor(seed: number) { this.next = prng(seed); }
  float(): number { return this.next(); }
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]; }
  chance(p: number): boolean { return this.next() < p; }
}

/** UIDs under the UUID-derived root 2.25 (PS3.5 B.2), from a counter: unique, deterministic, clearly synthetic. */
class UidSource {
  private counter = 0;
  constructor(private readonly prefix: string) {}
  next(): string {
    this.counter += 1;
    return `${this.prefix}.${this.counter}`;
  }
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const dicomDate = (d: Date): string => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
const ds = (n: number, digits = 1): string => n.toFixed(digits);

// ---------------------------------------------------------------------------------------------------------------
// Invented people and catalogue

const PATIENT_NAMES = [
  'Müller^Zoë', 'Østergaard^Søren', 'Nakamura^Yūki', 'Dubois^Renée', "O'Brien^Siobhán", 'García^José Luis',
  'Kowalski^Łucja', 'Sample^Alex', 'Doe^Jane', 'Doe^John', 'Öztürk^Çağla', 'Nguyễn^Thị Mai', 'Ivanova^Anna',
  'Papadopoulos^Eleni', 'Andersson^Björn', 'Fernández^Inés', 'Smith^Robin', 'Kim^Min-jun', 'Dvořák^Antonín',
  'Lefèvre^Hélène', 'Haddad^Nour', 'Synthetic^Patient', 'Testperson^Erika', 'Mustermann^Max', 'Rossi^Giulia',
  'Novak^Petra', 'Jensen^Mads', 'Silva^João', 'Schäfer^Jürgen', 'Tanaka^Hana', 'Okafor^Chiamaka',
  'Virtanen^Aino', 'Horváth^Réka', 'Popescu^Ștefan', 'Cohen^Noa', 'Example^Sam',
];
const PHYSICIANS = ['Referrer^Rita', 'Consult^Carl', 'Ærøe^Åse', 'Radiologist^Ray', 'Łukasiewicz^Jan', null];
const OPERATORS = ['Tech^Tara', 'Operator^Olu', 'Sørensen^Siv'];
const INSTITUTIONS = ['Sample General Hospital', 'Example Imaging Center', 'Klinikum Musterstadt'];

interface SeriesPlan { description: string; instances: [number, number]; frames?: number; phantom: PhantomKind }
interface StudyTemplate {
  modality: string;
  description: string;
  bodyPart: string;
  sopClassUID: string;
  bits: 8 | 16;
  signed: boolean;
  samples: 1 | 3;
  series: SeriesPlan[];
  procedure: { code: string; meaning: string };
}

const TEMPLATES: readonly StudyTemplate[] = [
  {
    modality: 'CT', description: 'CT CHEST WITH CONTRAST', bodyPart: 'CHEST', sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
    bits: 16, signed: true, samples: 1, procedure: { code: 'RPID16', meaning: 'CT Chest with contrast' },
    series: [{ description: 'Scout', instances: [1, 2], phantom: 'ct-scout' }, { description: 'Axial 5mm', instances: [12, 30], phantom: 'ct-axial' }, { description: 'Coronal MPR', instances: [8, 16], phantom: 'ct-coronal' }],
  },
  {
    modality: 'MR', description: 'MR BRAIN WITHOUT CONTRAST', bodyPart: 'HEAD', sopClassUID: '1.2.840.10008.5.1.4.1.1.4',
    bits: 16, signed: false, samples: 1, procedure: { code: 'RPID2', meaning: 'MR Brain without contrast' },
    series: [{ description: 'Sag T1', instances: [8, 16], phantom: 'mr-sag-t1' }, { description: 'Ax T2', instances: [10, 20], phantom: 'mr-ax-t2' }, { description: 'Ax FLAIR', instances: [10, 20], phantom: 'mr-ax-flair' }],
  },
  {
    modality: 'CR', description: 'XR CHEST 2 VIEWS', bodyPart: 'CHEST', sopClassUID: '1.2.840.10008.5.1.4.1.1.1',
    bits: 16, signed: false, samples: 1, procedure: { code: 'RPID1', meaning: 'XR Chest PA and lateral' },
    series: [{ description: 'PA', instances: [1, 1], phantom: 'cr-pa' }, { description: 'LAT', instances: [1, 1], phantom: 'cr-lat' }],
  },
  {
    modality: 'DX', description: 'XR KNEE', bodyPart: 'KNEE', sopClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
    bits: 8, signed: false, samples: 1, procedure: { code: 'RPID31', meaning: 'XR Knee' },
    series: [{ description: 'AP and lateral', instances: [2, 3], phantom: 'dx' }],
  },
  {
    modality: 'US', description: 'US ABDOMEN COMPLETE', bodyPart: 'ABDOMEN', sopClassUID: '1.2.840.10008.5.1.4.1.1.3.1',
    bits: 8, signed: false, samples: 3, procedure: { code: 'RPID40', meaning: 'US Abdomen complete' },
    series: [{ description: 'Abdomen cine', instances: [3, 6], frames: 4, phantom: 'us' }],
  },
  {
    modality: 'MG', description: 'MAMMOGRAPHY SCREENING BILATERAL', bodyPart: 'BREAST', sopClassUID: '1.2.840.10008.5.1.4.1.1.1.2',
    bits: 16, signed: false, samples: 1, procedure: { code: 'RPID50', meaning: 'Screening mammography' },
    series: [{ description: 'Bilateral CC and MLO', instances: [4, 4], phantom: 'mg' }],
  },
  {
    modality: 'PT', description: 'PET/CT WHOLE BODY', bodyPart: 'WHOLEBODY', sopClassUID: '1.2.840.10008.5.1.4.1.1.128',
    bits: 16, signed: false, samples: 1, procedure: { code: 'RPID60', meaning: 'PET/CT whole body' },
    series: [{ description: 'PET AC', instances: [16, 32], phantom: 'pt-ac' }, { description: 'PET NAC', instances: [16, 32], phantom: 'pt-nac' }],
  },
];

const SR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.22'; // Enhanced SR

// ---------------------------------------------------------------------------------------------------------------
// Building documents

interface LevelMaps { patient: Record<string, unknown>; study: Record<string, unknown>; series: Record<string, unknown>; instance: Record<string, unknown> }

/** Puts standard elements (by keyword) where HealthImaging normalizes them. */
function place(target: LevelMaps, elements: Record<string, unknown>): void {
  for (const [keyword, value] of Object.entries(elements)) {
    const tag = tagOfKeyword(keyword);
    if (!tag) throw new Error(`seed: "${keyword}" is not a DICOM keyword`);
    const level = levelOfTag(tag);
    const map = level === 'Patient' ? target.patient : level === 'Study' ? target.study : level === 'Series' ? target.series : target.instance;
    map[keyword] = value;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Frames: phantom images, stored as lossless HTJ2K

type PhantomKind = 'ct-scout' | 'ct-axial' | 'ct-coronal' | 'ct-legs' | 'mr-sag-t1' | 'mr-ax-t2' | 'mr-ax-flair'
  | 'pt-ac' | 'pt-nac' | 'cr-pa' | 'cr-lat' | 'dx' | 'mg' | 'us';

/** How a kind of phantom is stored and described. Positions are in the phantom's model coordinates. */
interface PhantomFormat {
  rows: number;
  columns: number;
  bitsStored: number;
  photometric: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  /** Slices: their plane, the model coordinates the series sweeps, how many distinct slices it shows, and the
   *  field of view in millimetres (square). */
  slices?: { plane: Plane; from: number; to: number; distinct: number; fovMm: number };
  window?: { center: string[]; width: string[] };
  rescale?: { slope: string; intercept: string };
}

const CT_WINDOWS = { center: ['40', '400'], width: ['400', '1500'] };
const CT_RESCALE = { slope: '1', intercept: '-1024' };
const PHANTOMS: Record<PhantomKind, PhantomFormat> = {
  'ct-scout': { rows: 256, columns: 256, bitsStored: 16, photometric: 'MONOCHROME2', window: { center: ['-300'], width: ['1600'] }, rescale: CT_RESCALE },
  'ct-axial': { rows: 256, columns: 256, bitsStored: 16, photometric: 'MONOCHROME2', slices: { plane: 'axial', from: 0.8, to: -0.8, distinct: 8, fovMm: 400 }, window: CT_WINDOWS, rescale: CT_RESCALE },
  'ct-coronal': { rows: 256, columns: 256, bitsStored: 16, photometric: 'MONOCHROME2', slices: { plane: 'coronal', from: -0.4, to: 0.45, distinct: 4, fovMm: 400 }, window: CT_WINDOWS, rescale: CT_RESCALE },
  'ct-legs': { rows: 256, columns: 256, bitsStored: 16, photometric: 'MONOCHROME2', slices: { plane: 'axial', from: 0.95, to: -0.95, distinct: 12, fovMm: 500 }, window: { center: ['300', '40'], width: ['800', '400'] }, rescale: CT_RESCALE },
  'mr-sag-t1': { rows: 256, columns: 256, bitsStored: 12, photometric: 'MONOCHROME2', slices: { plane: 'sagittal', from: -0.45, to: 0.45, distinct: 6, fovMm: 240 } },
  'mr-ax-t2': { rows: 256, columns: 256, bitsStored: 12, photometric: 'MONOCHROME2', slices: { plane: 'axial', from: -0.55, to: 0.7, distinct: 6, fovMm: 240 } },
  'mr-ax-flair': { rows: 256, columns: 256, bitsStored: 12, photometric: 'MONOCHROME2', slices: { plane: 'axial', from: -0.55, to: 0.7, distinct: 6, fovMm: 240 } },
  'pt-ac': { rows: 128, columns: 128, bitsStored: 12, photometric: 'MONOCHROME2', slices: { plane: 'axial', from: 0.8, to: -0.8, distinct: 4, fovMm: 400 }, rescale: { slope: '0.0025', intercept: '0' } },
  'pt-nac': { rows: 128, columns: 128, bitsStored: 12, photometric: 'MONOCHROME2', slices: { plane: 'axial', from: 0.8, to: -0.8, distinct: 4, fovMm: 400 }, rescale: { slope: '0.0025', intercept: '0' } },
  'cr-pa': { rows: 384, columns: 320, bitsStored: 12, photometric: 'MONOCHROME1', window: { center: ['2000'], width: ['3600'] } },
  'cr-lat': { rows: 384, columns: 320, bitsStored: 12, photometric: 'MONOCHROME1', window: { center: ['2000'], width: ['3600'] } },
  dx: { rows: 384, columns: 320, bitsStored: 8, photometric: 'MONOCHROME2' },
  mg: { rows: 384, columns: 288, bitsStored: 12, photometric: 'MONOCHROME2', window: { center: ['2200'], width: ['3800'] } },
  us: { rows: 240, columns: 320, bitsStored: 8, photometric: 'RGB' },
};

interface SyntheticFrame { bytes: Uint8Array; checksum: number; min: number; max: number }

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Which of a series' distinct slices instance `index` of `count` shows. */
function sliceOf(index: number, count: number, distinct: number): number {
  return count <= 1 ? Math.floor(distinct / 2) : Math.round((index / (count - 1)) * (distinct - 1));
}

/** Model coordinate of distinct slice k. */
function slicePosition(slices: NonNullable<PhantomFormat['slices']>, k: number): number {
  return slices.from + ((slices.to - slices.from) * k) / Math.max(1, slices.distinct - 1);
}

/**
 * The frames of the seed: each distinct phantom image is drawn and encoded once, and every instance showing
 * it shares the same bytes (the store keeps them once).
 */
class SeedFrames {
  private readonly made = new Map<string, SyntheticFrame>();

  constructor(private readonly codec: OpenJphModule) {}

  /** Frame `frame` of instance `index` (of `count`) in a series of `kind`, of a template's pixel format. */
  frame(kind: PhantomKind, t: StudyTemplate, index: number, count: number, frame: number): SyntheticFrame {
    const format = PHANTOMS[kind];
    const { rows, columns } = format;
    const k = format.slices ? sliceOf(index, count, format.slices.distinct) : kind === 'us' ? frame % 4 : kind === 'dx' ? index % 3 : kind === 'mg' ? index % 4 : 0;
    const key = `${kind}/${k}`;
    let made = this.made.get(key);
    if (!made) {
      const at = format.slices ? { plane: format.slices.plane, position: slicePosition(format.slices, k), index: k } : undefined;
      const image = kind === 'ct-scout' ? ctScout(rows)
        : kind === 'ct-axial' || kind === 'ct-coronal' ? ctChest(rows, at!)
          : kind === 'ct-legs' ? ctLegs(rows, at!.position, k)
            : kind === 'mr-sag-t1' ? mrHead(rows, 'T1', at!)
              : kind === 'mr-ax-t2' ? mrHead(rows, 'T2', at!)
                : kind === 'mr-ax-flair' ? mrHead(rows, 'FLAIR', at!)
                  : kind === 'pt-ac' || kind === 'pt-nac' ? ptChest(rows, kind === 'pt-ac', at!)
                    : kind === 'cr-pa' || kind === 'cr-lat' ? crChest(columns, rows, kind === 'cr-pa' ? 'frontal' : 'lateral')
                      : kind === 'dx' ? dxKnee(columns, rows, k as 0 | 1 | 2)
                        : kind === 'mg' ? mgBreast(columns, rows, k < 2 ? 'R' : 'L', k % 2 === 0 ? 'CC' : 'MLO')
                          : usAbdomen(columns, rows, k);
      made = this.store(image, t.bits, format.bitsStored, t.signed);
      this.made.set(key, made);
    }
    return made;
  }

  private store(image: PhantomImage, bits: 8 | 16, bitsStored: number, signed: boolean): SyntheticFrame {
    const { width, height, samples, values } = image;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const words = bits === 8 ? Uint8Array.from(values) : signed ? Int16Array.from(values) : Uint16Array.from(values);
    const bytes = new Uint8Array(words.buffer);
    if (!LITTLE_ENDIAN && bits === 16) for (let i = 0; i < bytes.length; i += 2) [bytes[i], bytes[i + 1]] = [bytes[i + 1], bytes[i]];
    const encoded = encodeHtj2k(this.codec, bytes, { width, height, bitsPerSample: bitsStored, componentCount: samples, isSigned: signed, isUsingColorTransform: samples === 3 });
    // Lossless: the decoded pixels are `bytes`, whose CRC-32 is the frame's checksum.
    return { bytes: encoded, checksum: crc32(bytes), min, max };
  }
}

interface SeriesSpec {
  uid: string;
  number: number;
  description: string;
  instanceCount: number;
  framesPerInstance: number;
  phantom?: PhantomKind;
  sr?: boolean;
}

interface SetSpec {
  patient: Record<string, unknown>;
  study: Record<string, unknown>;
  template: StudyTemplate;
  series: SeriesSpec[];
  seriesCommon: Record<string, unknown>;
  privateTags: 'ct' | 'mr' | null;
  referenceScout: boolean;
  compact?: boolean;
}

/** Builds one image set's metadata and frames; `uids` issues SOP Instance UIDs. */
function buildSet(spec: SetSpec, uids: UidSource, rng: Rng, pixels: SeedFrames): { metadata: Record<string, unknown>; frames: ImportedFrame[] } {
  const t = spec.template;
  const studyUID = spec.study.StudyInstanceUID as string;
  const frames: ImportedFrame[] = [];
  const base: LevelMaps = { patient: {}, study: {}, series: {}, instance: {} };
  place(base, spec.patient);
  place(base, spec.study);
  const seriesMap: Record<string, unknown> = {};
  let firstSop: string | undefined;
  for (const s of spec.series) {
    const seriesLevel: LevelMaps = { patient: base.patient, study: base.study, series: {}, instance: {} };
    const modality = s.sr ? 'SR' : t.modality;
    place(seriesLevel, {
      ...spec.seriesCommon,
      Modality: modality,
      SeriesInstanceUID: s.uid,
      SeriesNumber: String(s.number),
      SeriesDescription: s.description,
    });
    if (s.sr) delete seriesLevel.series.FrameOfReferenceUID;
    const instances: Record<string, unknown> = {};
    for (let i = 0; i < s.instanceCount; i++) {
      const sop = uids.next();
      firstSop ??= sop;
      const target: LevelMaps = { patient: base.patient, study: base.study, series: seriesLevel.series, instance: {} };
      const common: Record<string, unknown> = {
        TransferSyntaxUID: TS_EXPLICIT_LE,
        SpecificCharacterSet: ['ISO_IR 192'],
        SOPClassUID: s.sr ? SR_SOP_CLASS : t.sopClassUID,
        SOPInstanceUID: sop,
        InstanceNumber: String(i + 1),
        ContentDate: spec.study.StudyDate,
        ContentTime: spec.study.StudyTime,
      };
      let vrs: Record<string, string> = {};
      const instance: Record<string, unknown> = {};
      if (s.sr) {
        place(target, {
          ...common,
          CompletionFlag: 'COMPLETE',
          VerificationFlag: 'UNVERIFIED',
          ValueType: 'CONTAINER',
          ConceptNameCodeSequence: [{ CodeValue: '18748-4', CodingSchemeDesignator: 'LN', CodeMeaning: 'Diagnostic Imaging Report' }],
          ContentSequence: [
            {
              RelationshipType: 'CONTAINS',
              ValueType: 'TEXT',
              ConceptNameCodeSequence: [{ CodeValue: '121071', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Finding' }],
              TextValue: rng.pick(['No acute findings.', 'Stable appearance compared with prior.', 'Synthetic report text.']),
            },
          ],
        });
      } else {
        const slice = -100 + i * 2.5;
        const kind = s.phantom as PhantomKind;
        const format = PHANTOMS[kind];
        const elements: Record<string, unknown> = {
          ...common,
          ImageType: kind === 'ct-scout' ? ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] : ['ORIGINAL', 'PRIMARY', format.slices?.plane === 'axial' || !format.slices ? 'AXIAL' : 'REFORMATTED'],
          SamplesPerPixel: t.samples,
          PhotometricInterpretation: format.photometric,
          Rows: format.rows,
          Columns: format.columns,
          BitsAllocated: t.bits,
          BitsStored: format.bitsStored,
          HighBit: format.bitsStored - 1,
          PixelRepresentation: t.signed ? 1 : 0,
        };
        if (!spec.compact) elements.AcquisitionNumber = '1';
        if (t.samples === 3) elements.PlanarConfiguration = 0;
        if (s.framesPerInstance > 1) {
          elements.NumberOfFrames = String(s.framesPerInstance);
          elements.FrameTime = '33.3';
        }
        if (format.slices) {
          const { fovMm, plane } = format.slices;
          elements.ImagePositionPatient = [ds(-fovMm / 2), ds(-fovMm / 2), ds(slice, 2)];
          elements.ImageOrientationPatient = plane === 'axial' ? ['1', '0', '0', '0', '1', '0'] : plane === 'coronal' ? ['1', '0', '0', '0', '0', '-1'] : ['0', '1', '0', '0', '0', '-1'];
          elements.SliceThickness = ds(2.5);
          elements.SliceLocation = ds(slice, 2);
          elements.PixelSpacing = [String(fovMm / format.rows), String(fovMm / format.columns)];
        }
        if (format.rescale) {
          elements.RescaleIntercept = format.rescale.intercept;
          elements.RescaleSlope = format.rescale.slope;
        }
        if (format.window) {
          elements.WindowCenter = format.window.center;
          elements.WindowWidth = format.window.width;
        }
        if (t.modality === 'CT') elements.KVP = '120';
        if (t.modality === 'MR') {
          elements.EchoTime = ds(rng.int(10, 120), 1);
          elements.RepetitionTime = ds(rng.int(400, 9000), 1);
          elements.MagneticFieldStrength = '3';
        }
        if (t.modality === 'MG') {
          elements.ViewPosition = i % 2 === 0 ? 'CC' : 'MLO';
          elements.ImageLaterality = i % 4 < 2 ? 'R' : 'L';
        }
        if (spec.referenceScout && firstSop && firstSop !== sop) {
          elements.ReferencedImageSequence = [{ ReferencedSOPClassUID: t.sopClassUID, ReferencedSOPInstanceUID: firstSop }];
        }
        place(target, elements);
        if (spec.privateTags === 'ct') {
          Object.assign(instance, { '00090010': 'SYNTH_CT_PRIVATE', '00091001': 'RECON-A', '00091002': ds(1.25 + i * 0.01, 2), '00091003': 7 });
          vrs = { '00090010': 'LO', '00091001': 'LO', '00091002': 'DS', '00091003': 'US' };
        } else if (spec.privateTags === 'mr') {
          Object.assign(instance, { '00290010': 'SYNTH_MR_PRIVATE', '00291008': 'U1lOVEg=', '00291009': ['1', '2', '3'] });
          vrs = { '00290010': 'LO', '00291008': 'OB', '00291009': 'IS' };
        }
      }
      const entry: Record<string, unknown> = { DICOM: { ...target.instance, ...instance }, DICOMVRs: vrs };
      if (!s.sr) {
        const imageFrames: Record<string, unknown>[] = [];
        for (let f = 0; f < s.framesPerInstance; f++) {
          const frame = pixels.frame(s.phantom as PhantomKind, t, i, s.instanceCount, f);
          const id = frameId(studyUID, s.uid, sop, f, frame.checksum);
          frames.push({ id, bytes: frame.bytes });
          imageFrames.push({
            ID: id,
            PixelDataChecksumFromBaseToFullResolution: [{ Width: PHANTOMS[s.phantom as PhantomKind].columns, Height: PHANTOMS[s.phantom as PhantomKind].rows, Checksum: frame.checksum }],
            MinPixelValue: frame.min,
            MaxPixelValue: frame.max,
            FrameSizeInBytes: frame.bytes.length,
          });
        }
        entry.StoredTransferSyntaxUID = HTJ2K_LOSSLESS;
        entry.ChecksumType = 'DECOMPRESSED';
        entry.ImageFrames = imageFrames;
      }
      instances[sop] = entry;
    }
    seriesMap[s.uid] = { DICOM: seriesLevel.series, Instances: instances };
  }
  const metadata = {
    SchemaVersion: SCHEMA_VERSION,
    Patient: { DICOM: base.patient },
    Study: { DICOM: base.study, Series: seriesMap },
  };
  return { metadata, frames };
}

/** A copy of an image set with conflicting patient data and its own frame ids (same pixels). */
function nonPrimaryDuplicate(built: { metadata: Record<string, unknown>; frames: ImportedFrame[] }): { metadata: Record<string, unknown>; frames: ImportedFrame[] } {
  const metadata = JSON.parse(JSON.stringify(built.metadata)) as {
    Patient: { DICOM: Record<string, unknown> };
    Study: { Series: Record<string, { Instances: Record<string, { ImageFrames?: { ID: string }[] }> }> };
  };
  const patient = metadata.Patient.DICOM;
  patient.PatientName = String(patient.PatientName).toUpperCase();
  patient.PatientID = `${String(patient.PatientID)}-X`;
  const bytesById = new Map(built.frames.map((f) => [f.id, f.bytes]));
  const frames: ImportedFrame[] = [];
  for (const series of Object.values(metadata.Study.Series)) {
    for (const instance of Object.values(series.Instances)) {
      for (const frame of instance.ImageFrames ?? []) {
        const bytes = bytesById.get(frame.ID) as Uint8Array;
        frame.ID = createHash('sha256').update(`non-primary:${frame.ID}`).digest('hex').slice(0, 32);
        frames.push({ id: frame.ID, bytes });
      }
    }
  }
  return { metadata: metadata as unknown as Record<string, unknown>, frames };
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * The sample data store's image sets, always the same: SEED_REGULAR_IMAGE_SET_COUNT varied image sets
 * (CT, MR, CR, DX, US, MG, PT and SR; studies of several image sets; image sets holding several series;
 * private elements with DICOMVRs; sequences at every level; non-ASCII names; some non-primary duplicates)
 * followed by one large CT image set of SEED_LARGE_INSTANCE_COUNT instances. `codec` (loadHtj2kCodec())
 * encodes the frames.
 */
export function generateSeed(codec: OpenJphModule): SeedImageSet[] {
  const rng = new Rng(0x5eed);
  const pixels = new SeedFrames(codec);
  const uids = new UidSource('2.25.900000000000000000000000000000001');
  const studyUids = new UidSource('2.25.900000000000000000000000000000002');
  const seriesUids = new UidSource('2.25.900000000000000000000000000000003');
  const otherUids = new UidSource('2.25.900000000000000000000000000000004');
  const sets: SeedImageSet[] = [];
  let clock = SEED_EPOCH_MS;
  const stamp = (): { createdAt: number; updatedAt: number } => {
    clock += rng.int(600, 7200) * 1000 + rng.int(0, 999);
    return { createdAt: clock, updatedAt: clock + rng.int(2, 90) * 1000 + rng.int(0, 999) };
  };

  let studyIndex = 0;
  for (let p = 0; sets.length < SEED_REGULAR_IMAGE_SET_COUNT; p++) {
    const name = PATIENT_NAMES[p % PATIENT_NAMES.length];
    const birth = new Date(Date.UTC(1930 + rng.int(0, 80), rng.int(0, 11), rng.int(1, 28)));
    const patient: Record<string, unknown> = {
      PatientName: p < PATIENT_NAMES.length ? name : `${name}${p}`,
      PatientID: `SYN-${pad(p + 1, 4)}`,
      IssuerOfPatientID: 'SYNTHETIC',
      PatientBirthDate: rng.chance(0.1) ? null : dicomDate(birth),
      PatientSex: rng.pick(['F', 'M', 'O']),
      PatientComments: 'Synthetic sample patient, not a real person',
    };
    if (p % 5 === 0) {
      patient.OtherPatientIDsSequence = [{ PatientID: `ALT-${pad(p + 1, 4)}`, IssuerOfPatientID: 'SYNTHETIC-ALT', TypeOfPatientID: 'TEXT' }];
    }
    const studies = rng.int(1, 3);
    for (let s = 0; s < studies && sets.length < SEED_REGULAR_IMAGE_SET_COUNT; s++, studyIndex++) {
      const template = TEMPLATES[studyIndex % TEMPLATES.length];
      const studyDate = new Date(Date.UTC(2019 + rng.int(0, 6), rng.int(0, 11), rng.int(1, 28)));
      const age = Math.max(0, studyDate.getUTCFullYear() - birth.getUTCFullYear());
      const studyUID = studyUids.next();
      const study: Record<string, unknown> = {
        StudyInstanceUID: studyUID,
        StudyDate: dicomDate(studyDate),
        StudyTime: `${pad(rng.int(7, 19), 2)}${pad(rng.int(0, 59), 2)}${pad(rng.int(0, 59), 2)}.000`,
        AccessionNumber: rng.chance(0.15) ? null : `ACC${pad(100000 + studyIndex, 6)}`,
        StudyID: `S${studyIndex + 1}`,
        StudyDescription: template.description,
        ReferringPhysicianName: rng.pick(PHYSICIANS),
        PatientAge: `${pad(age, 3)}Y`,
        PatientWeight: ds(45 + rng.int(0, 600) / 10),
      };
      if (studyIndex % 3 === 0) {
        study.ProcedureCodeSequence = [{ CodeValue: template.procedure.code, CodingSchemeDesignator: 'RADLEX', CodeMeaning: template.procedure.meaning }];
      }
      const seriesCommon: Record<string, unknown> = {
        SeriesDate: study.StudyDate,
        SeriesTime: study.StudyTime,
        BodyPartExamined: template.bodyPart,
        Manufacturer: 'Synthetic Imaging Co.',
        ManufacturerModelName: `SYN-${template.modality}-1000`,
        InstitutionName: rng.pick(INSTITUTIONS),
        StationName: `${template.modality}STATION${rng.int(1, 4)}`,
        SoftwareVersions: ['1.0'],
        OperatorsName: rng.pick(OPERATORS),
      };
      if (['CT', 'MR', 'PT'].includes(template.modality)) {
        seriesCommon.PatientPosition = 'HFS';
        seriesCommon.FrameOfReferenceUID = otherUids.next();
      }
      if (template.modality === 'MG') seriesCommon.Laterality = null;
      if (studyIndex % 4 === 1) {
        seriesCommon.RequestAttributesSequence = [{ RequestedProcedureID: `RP${studyIndex + 1}`, ScheduledProcedureStepID: `SPS${studyIndex + 1}` }];
      }
      const privateTags = template.modality === 'CT' ? 'ct' : template.modality === 'MR' && studyIndex % 2 === 1 ? 'mr' : null;
      const seriesSpecs: SeriesSpec[] = template.series.map((plan, k) => ({
        uid: seriesUids.next(),
        number: k + 1,
        description: plan.description,
        instanceCount: rng.int(plan.instances[0], plan.instances[1]),
        framesPerInstance: plan.frames ?? 1,
        phantom: plan.phantom,
      }));
      if (template.modality === 'CT' || template.modality === 'MR' || studyIndex % 6 === 5) {
        seriesSpecs.push({ uid: seriesUids.next(), number: seriesSpecs.length + 1, description: 'Report', instanceCount: 1, framesPerInstance: 0, sr: true });
      }
      // Usually one image set per series; every fourth study keeps its last two image series in one image set.
      const groups: SeriesSpec[][] = seriesSpecs.map((x) => [x]);
      const imageSeries = groups.filter((g) => !g[0].sr);
      if (studyIndex % 4 === 2 && imageSeries.length >= 2) {
        const a = imageSeries[imageSeries.length - 2];
        const b = imageSeries[imageSeries.length - 1];
        a.push(...b);
        groups.splice(groups.indexOf(b), 1);
      }
      for (const group of groups) {
        if (sets.length >= SEED_REGULAR_IMAGE_SET_COUNT) break;
        const spec: SetSpec = { patient, study, template, series: group, seriesCommon, privateTags, referenceScout: template.modality === 'CT' };
        const built = buildSet(spec, uids, rng, pixels);
        sets.push({ ...built, isPrimary: true, ...stamp() });
        // Every seventh image set also exists as a non-primary duplicate: the same instances re-imported with
        // conflicting patient data (as HealthImaging keeps them when an import conflicts with a primary image set).
        if (sets.length % 7 === 0 && sets.length < SEED_REGULAR_IMAGE_SET_COUNT) {
          sets.push({ ...nonPrimaryDuplicate(built), isPrimary: false, ...stamp() });
        }
      }
    }
  }

  // The large image set: one thin-slice CT series.
  const largeStudyUID = studyUids.next();
  const large = buildSet({
    patient: {
      PatientName: 'Volume^Large',
      PatientID: 'SYN-9999',
      IssuerOfPatientID: 'SYNTHETIC',
      PatientBirthDate: '19700101',
      PatientSex: 'O',
      PatientComments: 'Synthetic sample patient, not a real person',
    },
    study: {
      StudyInstanceUID: largeStudyUID,
      StudyDate: '20240315',
      StudyTime: '101500.000',
      AccessionNumber: 'ACC999999',
      StudyID: 'LARGE1',
      StudyDescription: 'CT ANGIO RUNOFF THIN SLICES',
      ReferringPhysicianName: 'Referrer^Rita',
    },
    template: TEMPLATES[0],
    series: [{ uid: seriesUids.next(), number: 1, description: 'Axial 0.5mm', instanceCount: SEED_LARGE_INSTANCE_COUNT, framesPerInstance: 1, phantom: 'ct-legs' }],
    seriesCommon: {
      SeriesDate: '20240315', SeriesTime: '101500.000', BodyPartExamined: 'LOWER EXTREMITY', Manufacturer: 'Synthetic Imaging Co.',
      ManufacturerModelName: 'SYN-CT-1000', PatientPosition: 'FFS', FrameOfReferenceUID: otherUids.next(),
    },
    privateTags: null,
    referenceScout: false,
    compact: true,
  }, uids, rng, pixels);
  sets.push({ ...large, isPrimary: true, ...stamp() });
  return sets;
}
