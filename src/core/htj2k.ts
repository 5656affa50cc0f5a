// Lossless HTJ2K (High-Throughput JPEG 2000, DICOM transfer syntax 1.2.840.10008.1.2.4.202), through
// the OpenJPH WebAssembly build of @cornerstonejs/codec-openjph. The emulator encodes with it (Node)
// and the frames viewer decodes with it (the webview); both pass in the module they loaded, so this
// file does no I/O. It wraps the module's known faults once:
//   - the decoder never throws: a bad codestream leaves an error message or a 0 x 0 frame;
//   - multi-component streams without the colour transform (MCT=0) come out with their lines in the
//     wrong order (the wrapper mixes up planar and interleaved line order): fixed here on decode, and
//     never written on encode (RGB is encoded with the reversible colour transform);
//   - multi-component samples of more than 8 bits encode wrongly: refused;
//   - zero wavelet decompositions encode wrongly: at least one is used.

/** What a codestream holds: its size and sample format. Samples come interleaved, little-endian. */
export interface Htj2kFrameInfo {
  width: number;
  height: number;
  /** Bits per sample (1-16); 1-8 decode to one byte per sample, 9-16 to two. */
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
  /** The reversible colour transform (RCT) of three-component images. */
  isUsingColorTransform: boolean;
}

interface OpenJphEncoder {
  getDecodedBuffer(info: Htj2kFrameInfo): Uint8Array;
  setQuality(lossless: boolean, quantizationStep: number): void;
  setDecompositions(count: number): void;
  setBlockDimensions(size: { width: number; height: number }): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

interface OpenJphDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getIsHeaderValid(): boolean;
  getLastErrorMessage(): string;
  getFrameInfo(): Htj2kFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

/** The parts of the OpenJPH module (what `await factory()` of the package resolves to) used here. */
export interface OpenJphModule {
  HTJ2KEncoder: new () => OpenJphEncoder;
  HTJ2KDecoder: new () => OpenJphDecoder;
  getVersion(): string;
}

export const HTJ2K_LOSSLESS = '1.2.840.10008.1.2.4.202';

/** Bytes per decoded sample. */
export function bytesPerSample(bitsPerSample: number): number {
  return bitsPerSample > 8 ? 2 : 1;
}

/**
 * Encodes interleaved little-endian samples losslessly. `pixels` holds exactly
 * width × height × componentCount samples of bytesPerSample(bitsPerSample) bytes; every value must
 * fit in `bitsPerSample` bits (larger values would be corrupted without a warning).
 */
export function encodeHtj2k(codec: OpenJphModule, pixels: Uint8Array, info: Htj2kFrameInfo): Uint8Array {
  const { width, height, bitsPerSample, componentCount } = info;
  if (!(width > 0 && height > 0)) throw new Error(`HTJ2K: cannot encode a ${width} × ${height} frame`);
  if (!(bitsPerSample >= 1 && bitsPerSample <= 16)) throw new Error(`HTJ2K: ${bitsPerSample} bits per sample are not supported (1-16)`);
  if (componentCount !== 1 && componentCount !== 3) throw new Error(`HTJ2K: ${componentCount} samples per pixel are not supported (1 or 3)`);
  if (componentCount === 3 && bitsPerSample > 8) throw new Error('HTJ2K: colour samples of more than 8 bits are not supported');
  const expected = width * height * componentCount * bytesPerSample(bitsPerSample);
  if (pixels.length !== expected) throw new Error(`HTJ2K: ${pixels.length} bytes given, a ${width} × ${height} × ${componentCount} frame of ${bitsPerSample}-bit samples has ${expected}`);
  const encoder = new codec.HTJ2KEncoder();
  try {
    encoder.getDecodedBuffer({ ...info, isUsingColorTransform: componentCount === 3 }).set(pixels);
    encoder.setQuality(true, 0);
    encoder.setDecompositions(Math.max(1, Math.min(5, Math.floor(Math.log2(Math.min(width, height))))));
    encoder.setBlockDimensions({ width: 64, height: 64 });
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
}

/** Puts the lines of a multi-component MCT=0 decode back in interleaved order (see the file comment). */
function fixLineOrder(buffer: Uint8Array, width: number, height: number, components: number, sampleBytes: number): Uint8Array {
  const lineBytes = width * components * sampleBytes;
  const out = new Uint8Array(buffer.length);
  for (let k = 0; k < components * height; k++) {
    const component = Math.floor(k / height);
    const row = k % height;
    const fromRow = Math.floor(k / components);
    const fromComponent = k % components;
    for (let x = 0; x < width; x++) {
      const from = fromRow * lineBytes + (x * components + fromComponent) * sampleBytes;
      const to = row * lineBytes + (x * components + component) * sampleBytes;
      for (let b = 0; b < sampleBytes; b++) out[to + b] = buffer[from + b];
    }
  }
  return out;
}

/**
 * Decodes an HTJ2K codestream (raw J2C or a JPH file) to interleaved little-endian samples.
 * Throws with the decoder's reason when the bytes are not a decodable HTJ2K image. A codestream cut
 * short after its headers decodes to a partial image without an error: compare the pixels' CRC-32
 * with the frame's checksum to catch that.
 */
export function decodeHtj2k(codec: OpenJphModule, bytes: Uint8Array): { info: Htj2kFrameInfo; pixels: Uint8Array } {
  if (bytes.length < 2) throw new Error(`HTJ2K: ${bytes.length} bytes are not a codestream`);
  const decoder = new codec.HTJ2KDecoder();
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    const error = decoder.getLastErrorMessage();
    const info = decoder.getFrameInfo();
    if (!decoder.getIsHeaderValid() || error || !(info.width > 0 && info.height > 0)) {
      throw new Error(`not a decodable HTJ2K codestream${error ? ` (${error})` : ''}`);
    }
    let pixels: Uint8Array = decoder.getDecodedBuffer().slice();
    const sampleBytes = bytesPerSample(info.bitsPerSample);
    const expected = info.width * info.height * info.componentCount * sampleBytes;
    if (pixels.length !== expected) throw new Error(`the decoder returned ${pixels.length} bytes for a ${info.width} × ${info.height} image (expected ${expected})`);
    if (info.componentCount > 1 && !info.isUsingColorTransform) pixels = fixLineOrder(pixels, info.width, info.height, info.componentCount, sampleBytes);
    return { info: { ...info }, pixels };
  } finally {
    decoder.delete();
  }
}
