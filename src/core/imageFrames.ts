// What the frames viewer shows of an image set, read from its metadata document alone: the series (by
// Series Number) and their instances (by Instance Number), each instance's frames, how to turn its stored
// pixel values into grey levels or colours (rescale, window, photometric interpretation), and whether
// the viewer can decode it at all. Also where in the document's text a cursor is: which series, instance
// and frame. Pure: the extension sends this model to the webview, which bundles this file too.

import { isObject, type JsonObject } from './json';
import { locateAt } from './metadataText';
import { isHtj2k, JPEG_BASELINE, transferSyntaxName } from './transferSyntaxes';

export interface FrameInfo {
  /** The imageFrameId for GetImageFrame. */
  id: string;
  /** CRC-32 of the decoded full-resolution pixels (ChecksumType DECOMPRESSED), when the metadata gives it. */
  checksum?: number;
  minPixelValue?: number;
  maxPixelValue?: number;
}

/** The pixel attributes of an instance that decide how its frames look. */
export interface PixelDescription {
  rows?: number;
  columns?: number;
  samplesPerPixel: number;
  bitsAllocated?: number;
  bitsStored?: number;
  signed: boolean;
  photometric: string;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** WindowCenter / WindowWidth (the first pair) when the metadata gives a usable one. */
  window?: Window;
}

/** A VOI window in rescaled (modality) units, as DICOM defines it (PS3.3 C.11.2.1.2). */
export interface Window { center: number; width: number }

/** How a frame can be shown: decoded by the HTJ2K decoder or by the browser, or a message why not. */
export type Preview = { decoder: 'htj2k' | 'jpeg' } | { message: string };

export interface InstanceFrames {
  sopInstanceUID: string;
  instanceNumber?: number;
  transferSyntaxUID?: string;
  checksumType?: string;
  frames: FrameInfo[];
  pixels: PixelDescription;
  preview: Preview;
}

export interface SeriesFrames {
  seriesInstanceUID: string;
  seriesNumber?: number;
  modality?: string;
  description?: string;
  instances: InstanceFrames[];
}

/** A number from a DICOM JSON value: a number, a numeric string (IS/DS, padding allowed) or the first of several. */
export function dicomNumber(value: unknown): number | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'number') return Number.isFinite(first) ? first : undefined;
  if (typeof first === 'string' && first.trim() !== '') {
    const n = Number(first.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function text(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

/** The preview decision for an instance (see Preview). */
function previewOf(hasFrames: boolean, pixels: PixelDescription, transferSyntax: string | undefined): Preview {
  if (!hasFrames) return { message: 'No image frames in this instance' };
  const bits = pixels.bitsAllocated;
  if (bits === 1) return { message: 'No preview for 1-bit pixel data' };
  if (bits !== undefined && bits > 16) return { message: `No preview for ${bits}-bit pixel data` };
  if (pixels.samplesPerPixel !== 1 && pixels.samplesPerPixel !== 3) return { message: `No preview for ${pixels.samplesPerPixel} samples per pixel` };
  if (pixels.photometric === 'PALETTE COLOR') return { message: 'No preview for PALETTE COLOR images' };
  // GetImageFrame answers image/jph for an instance without StoredTransferSyntaxUID (service model).
  if (transferSyntax === undefined || isHtj2k(transferSyntax)) return { decoder: 'htj2k' };
  if (transferSyntax === JPEG_BASELINE) return { decoder: 'jpeg' };
  return { message: `No preview for ${transferSyntaxName(transferSyntax)}` };
}

function windowOf(windowCenter: unknown, windowWidth: unknown): Window | undefined {
  const center = dicomNumber(windowCenter);
  const width = dicomNumber(windowWidth);
  return center !== undefined && width !== undefined && width >= 1 ? { center, width } : undefined;
}

function instanceFrames(sop: string, instance: JsonObject, series: JsonObject): InstanceFrames {
  // Instance-level values win over series-level ones (HealthImaging keeps these at instance level). Looked up,
  // not merged into a new object: a large image set has thousands of instances.
  const own = isObject(instance.DICOM) ? instance.DICOM : {};
  const dicom = (keyword: string): unknown => (Object.hasOwn(own, keyword) ? own[keyword] : Object.hasOwn(series, keyword) ? series[keyword] : undefined);
  const frames: FrameInfo[] = [];
  for (const f of Array.isArray(instance.ImageFrames) ? instance.ImageFrames : []) {
    if (!isObject(f) || typeof f.ID !== 'string') continue;
    const resolutions = Array.isArray(f.PixelDataChecksumFromBaseToFullResolution) ? f.PixelDataChecksumFromBaseToFullResolution.filter(isObject) : [];
    // The full resolution is the widest entry.
    const full = resolutions.reduce<JsonObject | undefined>((best, r) => (best === undefined || (Number(r.Width) || 0) > (Number(best.Width) || 0) ? r : best), undefined);
    frames.push({
      id: f.ID,
      checksum: typeof full?.Checksum === 'number' ? full.Checksum : undefined,
      minPixelValue: typeof f.MinPixelValue === 'number' ? f.MinPixelValue : undefined,
      maxPixelValue: typeof f.MaxPixelValue === 'number' ? f.MaxPixelValue : undefined,
    });
  }
  const samplesPerPixel = dicomNumber(dicom('SamplesPerPixel')) ?? 1;
  const pixels: PixelDescription = {
    rows: dicomNumber(dicom('Rows')),
    columns: dicomNumber(dicom('Columns')),
    samplesPerPixel,
    bitsAllocated: dicomNumber(dicom('BitsAllocated')),
    bitsStored: dicomNumber(dicom('BitsStored')),
    signed: dicomNumber(dicom('PixelRepresentation')) === 1,
    photometric: text(dicom('PhotometricInterpretation')) ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2'),
    rescaleSlope: dicomNumber(dicom('RescaleSlope')) || 1,
    rescaleIntercept: dicomNumber(dicom('RescaleIntercept')) ?? 0,
    window: windowOf(dicom('WindowCenter'), dicom('WindowWidth')),
  };
  const transferSyntaxUID = typeof instance.StoredTransferSyntaxUID === 'string' ? instance.StoredTransferSyntaxUID : undefined;
  return {
    sopInstanceUID: sop,
    instanceNumber: dicomNumber(dicom('InstanceNumber')),
    transferSyntaxUID,
    checksumType: typeof instance.ChecksumType === 'string' ? instance.ChecksumType : undefined,
    frames,
    pixels,
    preview: previewOf(frames.length > 0, pixels, transferSyntaxUID),
  };
}

/** Numbers first (ascending), then the rest in document order. */
function byNumber<T>(items: T[], number: (t: T) => number | undefined): T[] {
  return items.map((item, index) => ({ item, index, n: number(item) }))
    .sort((a, b) => (a.n ?? Infinity) - (b.n ?? Infinity) || a.index - b.index)
    .map((x) => x.item);
}

/** The series of an image set's metadata document and their instances, in viewing order. */
export function framesOfImageSet(document: unknown): SeriesFrames[] {
  const study = isObject(document) && isObject(document.Study) ? document.Study : {};
  const allSeries = isObject(study.Series) ? study.Series : {};
  const out: SeriesFrames[] = [];
  for (const uid of Object.keys(allSeries)) {
    const series = allSeries[uid];
    if (!isObject(series)) continue;
    const dicom = isObject(series.DICOM) ? series.DICOM : {};
    const instances = isObject(series.Instances) ? series.Instances : {};
    const list = Object.keys(instances).filter((sop) => isObject(instances[sop])).map((sop) => instanceFrames(sop, instances[sop] as JsonObject, dicom));
    out.push({
      seriesInstanceUID: uid,
      seriesNumber: dicomNumber(dicom.SeriesNumber),
      modality: text(dicom.Modality),
      description: text(dicom.SeriesDescription),
      instances: byNumber(list, (i) => i.instanceNumber),
    });
  }
  return byNumber(out, (s) => s.seriesNumber);
}

/**
 * The window a frame is first shown with: WindowCenter / WindowWidth, else the frame's MinPixelValue and
 * MaxPixelValue (rescaled) so that the lowest maps to black and the highest to white. Undefined when the
 * metadata gives neither (the viewer then uses the decoded pixels' range).
 */
export function defaultWindow(pixels: PixelDescription, frame: Pick<FrameInfo, 'minPixelValue' | 'maxPixelValue'>): Window | undefined {
  if (pixels.window) return pixels.window;
  if (frame.minPixelValue === undefined || frame.maxPixelValue === undefined) return undefined;
  return windowForRange(frame.minPixelValue * pixels.rescaleSlope + pixels.rescaleIntercept, frame.maxPixelValue * pixels.rescaleSlope + pixels.rescaleIntercept);
}

/** The window mapping `a` to black and `b` to white (in either order). */
export function windowForRange(a: number, b: number): Window {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return { center: (lo + hi + 1) / 2, width: Math.max(1, hi - lo + 1) };
}

/** Where in an image set the text at `offset` of its metadata document is. */
export interface ImageSetLocation { seriesInstanceUID: string; sopInstanceUID?: string; frameIndex?: number }

/**
 * The series (and instance, and frame) whose part of the document holds `offset`: anywhere inside
 * Study.Series[S] is series S, inside its Instances[I] instance I, inside that instance's ImageFrames[k]
 * frame k. Undefined elsewhere (Patient, Study.DICOM). Found from the text's structure, so it works in any
 * layout, one instance per line included.
 */
export function locateInImageSet(text: string, offset: number): ImageSetLocation | undefined {
  let at = locateAt(text, offset);
  if (!at) return undefined;
  if (at.on === 'none') {
    // Between a member's key and its colon is still that member (locateAt places it between members).
    let k = offset - 1;
    while (k > 0 && /\s/.test(text[k])) k--;
    const onKey = text.charCodeAt(k) === 34 ? locateAt(text, k) : undefined;
    if (onKey?.on === 'key') at = onKey;
  }
  // The enclosing container's path, and the member or item the offset is on (its key or its value).
  const path = at.key !== undefined ? [...at.path, at.key] : at.index !== undefined ? [...at.path, String(at.index)] : at.path;
  if (path[0] !== 'Study' || path[1] !== 'Series' || path.length < 3) return undefined;
  const location: ImageSetLocation = { seriesInstanceUID: path[2] };
  if (path[3] === 'Instances' && path.length >= 5) {
    location.sopInstanceUID = path[4];
    if (path[5] === 'ImageFrames' && path.length >= 7) location.frameIndex = Number(path[6]);
  }
  return location;
}
