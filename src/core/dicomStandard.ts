// What the editor tells about values: well-known UIDs (Storage SOP Classes and Transfer Syntaxes)
// and the values the standard enumerates for a few coded attributes. The Storage SOP Classes dcmjs
// knows come from the generated dictionary; what dcmjs does not carry (Transfer Syntaxes, the other
// common Storage SOP Classes, enumerated values) is listed here once, with its source in PS3.x.

import { SOP_CLASS_DATA } from './dicomDictionary.generated';

export type WellKnownUidKind = 'SOP Class' | 'Transfer Syntax';

export interface WellKnownUid {
  uid: string;
  name: string;
  kind: WellKnownUidKind;
  retired?: boolean;
}

/** "CTImage" -> "CT Image", "PatientName" -> "Patient Name", "Ophthalmic8BitImage" -> "Ophthalmic 8 Bit Image". */
export function displayName(keyword: string): string {
  return keyword
    .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([0-9])([A-Z][a-z])/g, '$1 $2');
}

// PS3.6 Table A-1 (and PS3.5 Section 10): the Transfer Syntaxes.
const TRANSFER_SYNTAXES: [string, string, boolean?][] = [
  ['1.2.840.10008.1.2', 'Implicit VR Little Endian'],
  ['1.2.840.10008.1.2.1', 'Explicit VR Little Endian'],
  ['1.2.840.10008.1.2.1.98', 'Encapsulated Uncompressed Explicit VR Little Endian'],
  ['1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian'],
  ['1.2.840.10008.1.2.2', 'Explicit VR Big Endian', true],
  ['1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)'],
  ['1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)'],
  ['1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)'],
  ['1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])'],
  ['1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless Image Compression'],
  ['1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless) Image Compression'],
  ['1.2.840.10008.1.2.4.90', 'JPEG 2000 Image Compression (Lossless Only)'],
  ['1.2.840.10008.1.2.4.91', 'JPEG 2000 Image Compression'],
  ['1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)'],
  ['1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component Image Compression'],
  ['1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level'],
  ['1.2.840.10008.1.2.4.100.1', 'Fragmentable MPEG2 Main Profile / Main Level'],
  ['1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level'],
  ['1.2.840.10008.1.2.4.101.1', 'Fragmentable MPEG2 Main Profile / High Level'],
  ['1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1'],
  ['1.2.840.10008.1.2.4.102.1', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1'],
  ['1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1'],
  ['1.2.840.10008.1.2.4.103.1', 'Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1'],
  ['1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video'],
  ['1.2.840.10008.1.2.4.104.1', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video'],
  ['1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video'],
  ['1.2.840.10008.1.2.4.105.1', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video'],
  ['1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2'],
  ['1.2.840.10008.1.2.4.106.1', 'Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2'],
  ['1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main Profile / Level 5.1'],
  ['1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10 Profile / Level 5.1'],
  ['1.2.840.10008.1.2.4.110', 'JPEG XL Lossless'],
  ['1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression'],
  ['1.2.840.10008.1.2.4.112', 'JPEG XL'],
  ['1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 Image Compression (Lossless Only)'],
  ['1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)'],
  ['1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000 Image Compression'],
  ['1.2.840.10008.1.2.5', 'RLE Lossless'],
];

// PS3.6 Table A-1: common Storage SOP Classes that dcmjs does not name.
const MORE_SOP_CLASSES: [string, string][] = [
  ['1.2.840.10008.5.1.4.1.1.1', 'Computed Radiography Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.1.1', 'Digital X-Ray Image Storage - For Presentation'],
  ['1.2.840.10008.5.1.4.1.1.1.1.1', 'Digital X-Ray Image Storage - For Processing'],
  ['1.2.840.10008.5.1.4.1.1.1.2', 'Digital Mammography X-Ray Image Storage - For Presentation'],
  ['1.2.840.10008.5.1.4.1.1.1.2.1', 'Digital Mammography X-Ray Image Storage - For Processing'],
  ['1.2.840.10008.5.1.4.1.1.1.3', 'Digital Intra-Oral X-Ray Image Storage - For Presentation'],
  ['1.2.840.10008.5.1.4.1.1.7.1', 'Multi-frame Single Bit Secondary Capture Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.7.2', 'Multi-frame Grayscale Byte Secondary Capture Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.7.3', 'Multi-frame Grayscale Word Secondary Capture Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.7.4', 'Multi-frame True Color Secondary Capture Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.12.1', 'X-Ray Angiographic Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.12.1.1', 'Enhanced XA Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.12.2', 'X-Ray Radiofluoroscopic Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.13.1.3', 'Breast Tomosynthesis Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.11.1', 'Grayscale Softcopy Presentation State Storage'],
  ['1.2.840.10008.5.1.4.1.1.88.59', 'Key Object Selection Document Storage'],
  ['1.2.840.10008.5.1.4.1.1.104.1', 'Encapsulated PDF Storage'],
  ['1.2.840.10008.5.1.4.1.1.481.1', 'RT Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.481.2', 'RT Dose Storage'],
  ['1.2.840.10008.5.1.4.1.1.481.3', 'RT Structure Set Storage'],
  ['1.2.840.10008.5.1.4.1.1.481.5', 'RT Plan Storage'],
  ['1.2.840.10008.5.1.4.1.1.77.1.6', 'VL Whole Slide Microscopy Image Storage'],
];

let uids: Map<string, WellKnownUid> | undefined;

function loadUids(): Map<string, WellKnownUid> {
  if (uids) return uids;
  uids = new Map();
  for (const record of SOP_CLASS_DATA.split(';')) {
    const [uid, name] = record.split('=');
    uids.set(uid, { uid, name: `${displayName(name)} Storage`, kind: 'SOP Class' });
  }
  for (const [uid, name] of MORE_SOP_CLASSES) uids.set(uid, { uid, name, kind: 'SOP Class' });
  for (const [uid, name, retired] of TRANSFER_SYNTAXES) uids.set(uid, { uid, name, kind: 'Transfer Syntax', ...(retired ? { retired } : {}) });
  return uids;
}

/** The SOP Class or Transfer Syntax a UID names, if it is a well-known one. */
export function wellKnownUid(uid: string): WellKnownUid | undefined {
  return loadUids().get(uid.replace(/[\0 ]+$/, ''));
}

/** Every well-known UID of a kind, in UID order. */
export function wellKnownUids(kind: WellKnownUidKind): WellKnownUid[] {
  return [...loadUids().values()].filter((u) => u.kind === kind).sort((a, b) => a.name.localeCompare(b.name));
}

/** Attributes whose values are SOP Class UIDs, and Transfer Syntax UIDs. */
const UID_KIND_OF: Record<string, WellKnownUidKind> = {
  SOPClassUID: 'SOP Class',
  MediaStorageSOPClassUID: 'SOP Class',
  ReferencedSOPClassUID: 'SOP Class',
  ReferencedSOPClassUIDInFile: 'SOP Class',
  AffectedSOPClassUID: 'SOP Class',
  RequestedSOPClassUID: 'SOP Class',
  TransferSyntaxUID: 'Transfer Syntax',
  ReferencedTransferSyntaxUIDInFile: 'Transfer Syntax',
  StoredTransferSyntaxUID: 'Transfer Syntax',
};

/** The kind of well-known UID an attribute holds (e.g. SOPClassUID: 'SOP Class'), if any. */
export function uidKindOf(keyword: string): WellKnownUidKind | undefined {
  return Object.prototype.hasOwnProperty.call(UID_KIND_OF, keyword) ? UID_KIND_OF[keyword] : undefined;
}

export interface DefinedValues {
  /** 'enumerated': only these; 'defined terms': these, and the standard allows others. */
  kind: 'enumerated' | 'defined terms';
  values: readonly string[];
  /** Where the standard lists them. */
  source: string;
}

// The values PS3.3 enumerates (or defines as terms) for some coded attributes.
const DEFINED_VALUES: Record<string, DefinedValues> = {
  PatientSex: { kind: 'enumerated', values: ['M', 'F', 'O'], source: 'PS3.3 C.7.1.1' },
  PatientSexNeutered: { kind: 'enumerated', values: ['ALTERED', 'UNALTERED'], source: 'PS3.3 C.7.1.1' },
  Modality: {
    kind: 'defined terms',
    values: ['ANN', 'AR', 'ASMT', 'AU', 'BDUS', 'BI', 'BMD', 'CFM', 'CR', 'CT', 'CTPROTOCOL', 'DMS', 'DG', 'DOC', 'DX', 'ECG', 'EEG',
      'EMG', 'EOG', 'EPS', 'ES', 'FID', 'GM', 'HC', 'HD', 'IO', 'IOL', 'IVOCT', 'IVUS', 'KER', 'KO', 'LEN', 'LS', 'MG', 'MR', 'M3D',
      'NM', 'OAM', 'OCT', 'OP', 'OPM', 'OPT', 'OPTBSV', 'OPTENF', 'OPV', 'OSS', 'OT', 'PA', 'PLAN', 'POS', 'PR', 'PT', 'PX', 'REG',
      'RESP', 'RF', 'RG', 'RTDOSE', 'RTIMAGE', 'RTINTENT', 'RTPLAN', 'RTRAD', 'RTRECORD', 'RTSEGANN', 'RTSTRUCT', 'RWV', 'SEG',
      'SM', 'SMR', 'SR', 'SRF', 'STAIN', 'TEXTUREMAP', 'TG', 'US', 'VA', 'XA', 'XAPROTOCOL', 'XC'],
    source: 'PS3.3 C.7.3.1.1.1',
  },
  Laterality: { kind: 'enumerated', values: ['R', 'L'], source: 'PS3.3 C.7.3.1' },
  ImageLaterality: { kind: 'enumerated', values: ['R', 'L', 'U', 'B'], source: 'PS3.3 C.7.6.2' },
  PatientPosition: {
    kind: 'defined terms',
    values: ['HFP', 'HFS', 'HFDR', 'HFDL', 'FFDR', 'FFDL', 'FFP', 'FFS', 'LFP', 'LFS', 'RFP', 'RFS', 'AFDR', 'AFDL', 'PFDR', 'PFDL'],
    source: 'PS3.3 C.7.3.1.1.2',
  },
  PhotometricInterpretation: {
    kind: 'defined terms',
    values: ['MONOCHROME1', 'MONOCHROME2', 'PALETTE COLOR', 'RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_PARTIAL_420', 'YBR_ICT', 'YBR_RCT', 'XYB'],
    source: 'PS3.3 C.7.6.3.1.2',
  },
  BurnedInAnnotation: { kind: 'enumerated', values: ['YES', 'NO'], source: 'PS3.3 C.7.6.1' },
  RecognizableVisualFeatures: { kind: 'enumerated', values: ['YES', 'NO'], source: 'PS3.3 C.7.6.1' },
  QualityControlImage: { kind: 'enumerated', values: ['YES', 'NO', 'BOTH'], source: 'PS3.3 C.7.6.1' },
  LossyImageCompression: { kind: 'enumerated', values: ['00', '01'], source: 'PS3.3 C.7.6.1.1.5' },
  PresentationIntentType: { kind: 'enumerated', values: ['FOR PRESENTATION', 'FOR PROCESSING'], source: 'PS3.3 C.8.11.1' },
  ViewPosition: { kind: 'defined terms', values: ['AP', 'PA', 'LL', 'RL', 'RLD', 'LLD', 'RLO', 'LLO'], source: 'PS3.3 C.8.11.5.1.1' },
  SmokingStatus: { kind: 'enumerated', values: ['YES', 'NO', 'UNKNOWN'], source: 'PS3.3 C.7.2.2' },
  CompletionFlag: { kind: 'enumerated', values: ['PARTIAL', 'COMPLETE'], source: 'PS3.3 C.17.2' },
  VerificationFlag: { kind: 'enumerated', values: ['UNVERIFIED', 'VERIFIED'], source: 'PS3.3 C.17.2' },
  SpecificCharacterSet: {
    kind: 'defined terms',
    values: ['ISO_IR 100', 'ISO_IR 101', 'ISO_IR 109', 'ISO_IR 110', 'ISO_IR 144', 'ISO_IR 127', 'ISO_IR 126', 'ISO_IR 138', 'ISO_IR 148',
      'ISO_IR 203', 'ISO_IR 13', 'ISO_IR 166', 'ISO_IR 192', 'GB18030', 'GBK'],
    source: 'PS3.3 C.12.1.1.2',
  },
};

/** The values the standard lists for an attribute, if it lists any. */
export function definedValues(keyword: string): DefinedValues | undefined {
  return Object.prototype.hasOwnProperty.call(DEFINED_VALUES, keyword) ? DEFINED_VALUES[keyword] : undefined;
}
