// Image frames of an instance: splitting Pixel Data into frames, decoding RLE, storing native and RLE
// pixels as lossless HTJ2K as HealthImaging does, checksums and pixel ranges.

import { crc32 } from '../../src/core/crc32';
import { decodeHtj2k, encodeHtj2k, HTJ2K_LOSSLESS, type Htj2kFrameInfo, type OpenJphModule } from '../../src/core/htj2k';
import {
  DcmjsDataset, DicomImportError, TS_DEFLATED_LE, TS_EXPLICIT_BE, TS_EXPLICIT_LE, TS_IMPLICIT_LE, TS_RLE,
  ReadDataset, binaryBytes, checkValueInFile, numberOf, stringOf, swapBytes,
} from './dicomDataset';

/** One frame as stored by the emulator, with the facts the metadata document reports about it. */
export interface FrameData {
  bytes: Uint8Array;
  width: number;
  height: number;
  checksum: number;
  minPixelValue?: number;
  maxPixelValue?: number;
}

/** The frames of an instance and how they are stored. */
export interface InstanceFrames {
  frames: FrameData[];
  /** Transfer syntax of the stored frame bytes. */
  storedTransferSyntaxUID: string;
  /** What the checksums were computed over: "DECOMPRESSED" pixels, or the "ORIGINAL" encoded frame bytes. */
  checksumType: 'DECOMPRESSED' | 'ORIGINAL';
}

export const PIXEL_DATA_TAGS = ['7FE00010', '7FE00008', '7FE00009'] as const; // Pixel Data, Float, Double Float

const NATIVE_SYNTAXES: ReadonlySet<string> = new Set([TS_IMPLICIT_LE, TS_EXPLICIT_LE, TS_DEFLATED_LE, TS_EXPLICIT_BE]);

// ---------------------------------------------------------------------------------------------------------------

export interface PixelLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  numberOfFrames: number;
  float: boolean;
  /** YBR_FULL_422 native data: two luminance samples share one pair of chroma samples (2 samples per pixel). */
  subsampled422: boolean;
  /** Planar Configuration 1 (native colour data): all samples of one component, then the next. */
  planar: boolean;
}

function layoutOf(dataset: DcmjsDataset, pixelTag: string): PixelLayout {
  const rows = numberOf(dataset, '00280010');
  const columns = numberOf(dataset, '00280011');
  if (!rows || !columns) {
    throw new DicomImportError(`Pixel Data is present but ${!rows ? 'Rows (0028,0010)' : 'Columns (0028,0011)'} is missing or zero`);
  }
  const float = pixelTag !== '7FE00010';
  const bitsAllocated = pixelTag === '7FE00008' ? 32 : pixelTag === '7FE00009' ? 64 : numberOf(dataset, '00280100');
  if (!bitsAllocated || ![1, 8, 16, 32, 64].includes(bitsAllocated)) {
    throw new DicomImportError(`Bits Allocated (0028,0100) must be 1, 8, 16, 32 or 64, found ${bitsAllocated ?? 'none'}`);
  }
  const numberOfFrames = Math.max(1, Math.trunc(numberOf(dataset, '00280008') ?? 1));
  return {
    rows,
    columns,
    samplesPerPixel: Math.max(1, numberOf(dataset, '00280002') ?? 1),
    bitsAllocated,
    bitsStored: Math.min(bitsAllocated, numberOf(dataset, '00280101') ?? bitsAllocated),
    signed: numberOf(dataset, '00280103') === 1,
    numberOfFrames,
    float,
    subsampled422: stringOf(dataset, '00280004') === 'YBR_FULL_422',
    planar: numberOf(dataset, '00280006') === 1,
  };
}

const LITTLE_ENDIAN_PLATFORM = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Minimum and maximum stored pixel value of a little-endian native frame (all samples). */
export function pixelRange(bytes: Uint8Array, layout: Pick<PixelLayout, 'bitsAllocated' | 'bitsStored' | 'signed' | 'float'>,
  count: number): { min: number; max: number } | undefined {
  if (count === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  const { bitsAllocated, bitsStored, signed } = layout;
  const size = bitsAllocated / 8;
  if (bitsAllocated > 8 && (!LITTLE_ENDIAN_PLATFORM || bytes.byteOffset % size !== 0)) bytes = bytes.slice(0, count * size);
  if (layout.float) {
    const values = bitsAllocated === 64 ? new Float64Array(bytes.buffer, bytes.byteOffset, count) : new Float32Array(bytes.buffer, bytes.byteOffset, count);
    if (!LITTLE_ENDIAN_PLATFORM) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < count; i++) values[i] = bitsAllocated === 64 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
    }
    for (let i = 0; i < count; i++) {
      const v = values[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { min, max };
  }
  if (bitsAllocated === 1) {
    for (let i = 0; i < count; i++) {
      const v = (bytes[i >> 3] >> (i & 7)) & 1;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { min, max };
  }
  if (!LITTLE_ENDIAN_PLATFORM && bitsAllocated > 8) {
    // Typed arrays would read the little-endian bytes the wrong way round; use a DataView.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const words = bitsAllocated === 16 ? Uint16Array.from({ length: count }, (_, i) => view.getUint16(i * 2, true))
      : Uint32Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true));
    bytes = new Uint8Array(words.buffer);
  }
  const words = bitsAllocated === 8 ? bytes : bitsAllocated === 16 ? new Uint16Array(bytes.buffer, bytes.byteOffset, count)
    : new Uint32Array(bytes.buffer, bytes.byteOffset, count);
  // Keep the low Bits Stored bits; sign-extend them for signed pixels.
  const shift = 32 - Math.min(bitsStored, 32);
  for (let i = 0; i < count; i++) {
    const v = signed ? (words[i] << shift) >> shift : shift === 0 ? words[i] : ((words[i] << shift) >>> shift);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Extracts frame `index` of bit-packed (Bits Allocated 1) pixel data, re-aligned to start at bit 0. */
function bitFrame(bytes: Uint8Array, index: number, bitsPerFrame: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(bitsPerFrame / 8));
  const start = index * bitsPerFrame;
  if (start % 8 === 0) {
    out.set(bytes.subarray(start / 8, start / 8 + out.length));
    return out;
  }
  for (let b = 0; b < bitsPerFrame; b++) {
    const src = start + b;
    if ((bytes[src >> 3] >> (src & 7)) & 1) out[b >> 3] |= 1 << (b & 7);
  }
  return out;
}

/**
 * Decodes one DICOM RLE Lossless frame (PS3.5 Annex G) to native little-endian pixels with the samples of
 * each pixel interleaved (Planar Configuration 0).
 */
export function decodeRleFrame(encoded: Uint8Array, layout: PixelLayout, frameNumber: number): Uint8Array {
  const where = `RLE frame ${frameNumber}`;
  if (encoded.length < 64) throw new DicomImportError(`${where}: the RLE header needs 64 bytes, found ${encoded.length}`);
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segments = view.getUint32(0, true);
  const bytesPerSample = layout.bitsAllocated / 8;
  const expected = layout.samplesPerPixel * bytesPerSample;
  if (segments !== expected) {
    throw new DicomImportError(`${where}: ${segments} RLE segments, expected ${expected} (Samples per Pixel × Bits Allocated / 8)`);
  }
  const pixels = layout.rows * layout.columns;
  // A PackBits run of two bytes expands to at most 128: anything larger than that is a damaged header, not
  // an image to allocate memory for.
  if (pixels * expected > encoded.length * 64 + 1024) {
    throw new DicomImportError(`${where}: ${encoded.length} encoded bytes cannot hold ${layout.rows} × ${layout.columns} pixels (Rows, Columns or the frame is damaged)`);
  }
  const out = new Uint8Array(pixels * expected);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + s * 4, true);
    const end = s + 1 < segments ? view.getUint32(8 + s * 4, true) : encoded.length;
    if (start < 64 || start > encoded.length || end < start) {
      throw new DicomImportError(`${where}: segment ${s + 1} has an invalid offset ${start}`);
    }
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample); // segments are most significant byte first
    const stride = expected;
    let o = sample * bytesPerSample + byteInSample;
    let written = 0;
    let i = start;
    while (i < end && written < pixels) {
      const n = (encoded[i++] << 24) >> 24; // signed header byte
      if (n >= 0) {
        for (let k = 0; k <= n && i < end && written < pixels; k++, written++, o += stride) out[o] = encoded[i++];
      } else if (n !== -128) {
        const value = encoded[i++];
        for (let k = 0; k < 1 - n && written < pixels; k++, written++, o += stride) out[o] = value;
      }
    }
    if (written < pixels) throw new DicomImportError(`${where}: segment ${s + 1} decodes to ${written} of ${pixels} pixels`);
  }
  return out;
}

/** Interleaves planar colour samples (Planar Configuration 1) of one 8-bit frame. */
function interleave(bytes: Uint8Array, pixels: number, samples: number): Uint8Array {
  const out = new Uint8Array(pixels * samples);
  for (let s = 0; s < samples; s++) for (let p = 0; p < pixels; p++) out[p * samples + s] = bytes[s * pixels + p];
  return out;
}

/** Bit-packed 1-bit pixels as one byte (0 or 1) per pixel, how an HTJ2K decoder returns them. */
function unpackBits(bytes: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = (bytes[i >> 3] >> (i & 7)) & 1;
  return out;
}

/** True when every sample, read as Bits Allocated wide, is already what Bits Stored bits give back (so the
 *  encoder can be told Bits Stored and the decoder returns the same bytes). */
function fitsBitsStored(samples: Uint8Array, layout: Pick<PixelLayout, 'bitsAllocated' | 'bitsStored' | 'signed'>): boolean {
  const { bitsAllocated, bitsStored, signed } = layout;
  if (bitsStored >= bitsAllocated) return true;
  const count = samples.length / (bitsAllocated / 8);
  const view = new DataView(samples.buffer, samples.byteOffset, samples.byteLength);
  const lo = signed ? -(2 ** (bitsStored - 1)) : 0;
  const hi = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1;
  for (let i = 0; i < count; i++) {
    const v = bitsAllocated === 8 ? (signed ? view.getInt8(i) : samples[i]) : signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true);
    if (v < lo || v > hi) return false;
  }
  return true;
}

/**
 * A native frame (raw little-endian samples as split from Pixel Data, or decoded from RLE) as HealthImaging
 * stores it: lossless HTJ2K, with the pixels a decoder gives back (whose CRC-32 is the frame's checksum).
 * Undefined for what HTJ2K cannot hold here: floating point and 32-bit samples, colour samples of more than
 * 8 bits, subsampled YBR_FULL_422, other than 1 or 3 samples per pixel, and, as a safeguard, any frame the
 * decoder does not give back exactly.
 */
export function losslessHtj2k(codec: OpenJphModule, raw: Uint8Array, layout: PixelLayout): { bytes: Uint8Array; decoded: Uint8Array } | undefined {
  const { rows, columns, samplesPerPixel, bitsAllocated, signed } = layout;
  if (layout.float || layout.subsampled422 || (samplesPerPixel !== 1 && samplesPerPixel !== 3)) return undefined;
  const pixels = rows * columns;
  let decoded: Uint8Array;
  let bitsPerSample: number;
  if (bitsAllocated === 1) {
    if (samplesPerPixel !== 1) return undefined;
    decoded = unpackBits(raw, pixels);
    bitsPerSample = 1;
  } else if (bitsAllocated === 8 || (bitsAllocated === 16 && samplesPerPixel === 1)) {
    decoded = samplesPerPixel === 3 && layout.planar ? interleave(raw, pixels, 3) : raw;
    bitsPerSample = fitsBitsStored(decoded, layout) ? layout.bitsStored : bitsAllocated;
  } else {
    return undefined;
  }
  const info: Htj2kFrameInfo = { width: columns, height: rows, bitsPerSample, componentCount: samplesPerPixel, isSigned: signed && bitsAllocated > 1, isUsingColorTransform: samplesPerPixel === 3 };
  try {
    const bytes = encodeHtj2k(codec, decoded, info);
    const back = decodeHtj2k(codec, bytes).pixels;
    if (back.length !== decoded.length || !Buffer.from(back.buffer, back.byteOffset, back.length).equals(Buffer.from(decoded.buffer, decoded.byteOffset, decoded.length))) return undefined;
    return { bytes, decoded };
  } catch {
    return undefined; // kept as native pixels
  }
}

/**
 * The frames of an instance. Native (uncompressed) pixel data is split into frames and RLE Lossless is
 * decoded; both are stored as lossless HTJ2K (see losslessHtj2k) with checksums of the decoded pixels, or,
 * for what HTJ2K cannot hold, as raw little-endian pixels. Other encapsulated syntaxes (JPEG, JPEG 2000,
 * JPEG-LS, ...) keep each frame's encoded bitstream and their original transfer syntax.
 * Returns undefined when the instance has no pixel data.
 */
export function extractFrames(read: ReadDataset, codec: OpenJphModule): InstanceFrames | undefined {
  const { dataset, transferSyntaxUID, bigEndian } = read;
  const pixelTag = PIXEL_DATA_TAGS.find((t) => dataset[t] !== undefined);
  if (!pixelTag) return undefined;
  const element = dataset[pixelTag];
  const layout = layoutOf(dataset, pixelTag);
  const { rows, columns, samplesPerPixel, bitsAllocated, numberOfFrames } = layout;
  const native = NATIVE_SYNTAXES.has(transferSyntaxUID);
  const samples = rows * columns * (native && layout.subsampled422 && samplesPerPixel === 3 ? 2 : samplesPerPixel);
  const raws: Uint8Array[] = [];

  if (native) {
    let all = binaryBytes({ ...element, vr: 'OB' }, false);
    checkValueInFile(read, pixelTag, all.length);
    if (bigEndian && bitsAllocated > 8) all = swapBytes(all, bitsAllocated / 8);
    const bitsPerFrame = samples * bitsAllocated;
    const needed = Math.ceil((bitsPerFrame * numberOfFrames) / 8);
    if (all.length < needed) {
      throw new DicomImportError(
        `Pixel Data (${pixelTag.slice(0, 4)},${pixelTag.slice(4)}) holds ${all.length} bytes, but ${numberOfFrames} frame(s) of ` +
        `${rows} × ${columns} × ${samples / (rows * columns)} sample(s) × ${bitsAllocated} bits need ${needed} (file truncated?)`);
    }
    for (let f = 0; f < numberOfFrames; f++) {
      raws.push(bitsAllocated === 1 ? bitFrame(all, f, bitsPerFrame) : all.slice((f * bitsPerFrame) / 8, ((f + 1) * bitsPerFrame) / 8));
    }
    return storeNative(codec, raws, layout, samples);
  }

  // Encapsulated: dcmjs returns one buffer per frame (or the fragments of a single frame).
  const parts = (element.Value ?? []).filter((v): v is ArrayBuffer => v instanceof ArrayBuffer).map((b) => new Uint8Array(b));
  let encodedFrames: Uint8Array[];
  if (parts.length === numberOfFrames) encodedFrames = parts;
  else if (numberOfFrames === 1 && parts.length > 0) encodedFrames = [binaryBytes(element, false)];
  else {
    throw new DicomImportError(
      `encapsulated Pixel Data holds ${parts.length} frame(s) but Number of Frames (0028,0008) is ${numberOfFrames}`);
  }
  if (transferSyntaxUID === TS_RLE) {
    if (bitsAllocated % 8 !== 0) throw new DicomImportError(`RLE Lossless with Bits Allocated ${bitsAllocated} is not supported`);
    // RLE decodes to interleaved samples, whatever Planar Configuration says.
    encodedFrames.forEach((encoded, f) => raws.push(decodeRleFrame(encoded, layout, f + 1)));
    return storeNative(codec, raws, { ...layout, planar: false }, samples);
  }
  // Kept encoded: the pixel range is known only when the data set states it.
  const smallest = numberOf(dataset, '00280106');
  const largest = numberOf(dataset, '00280107');
  const frames = encodedFrames.map((bytes) => ({ bytes, width: columns, height: rows, checksum: crc32(bytes), minPixelValue: smallest, maxPixelValue: largest }));
  return { frames, storedTransferSyntaxUID: transferSyntaxUID, checksumType: 'ORIGINAL' };
}

/** Native frames as stored: all lossless HTJ2K, or (when one of them cannot be) all raw little-endian pixels. */
function storeNative(codec: OpenJphModule, raws: Uint8Array[], layout: PixelLayout, samples: number): InstanceFrames {
  const { rows, columns } = layout;
  const range = (bytes: Uint8Array) => pixelRange(bytes, layout, samples);
  const encoded = raws.map((raw) => losslessHtj2k(codec, raw, layout));
  if (encoded.every((e) => e !== undefined)) {
    const frames = encoded.map((e, f) => {
      const r = range(raws[f]);
      return { bytes: e!.bytes, width: columns, height: rows, checksum: crc32(e!.decoded), minPixelValue: r?.min, maxPixelValue: r?.max };
    });
    return { frames, storedTransferSyntaxUID: HTJ2K_LOSSLESS, checksumType: 'DECOMPRESSED' };
  }
  const frames = raws.map((bytes) => {
    const r = range(bytes);
    return { bytes, width: columns, height: rows, checksum: crc32(bytes), minPixelValue: r?.min, maxPixelValue: r?.max };
  });
  return { frames, storedTransferSyntaxUID: TS_EXPLICIT_LE, checksumType: 'DECOMPRESSED' };
}
