// Decoding a frame on the frames page and checking it against its metadata; DOM-free so that unit tests run
// it in plain Node with the same WebAssembly decoder. Every failure is an Error whose message the tile shows.

import { crc32 } from '../../core/crc32';
import { decodeHtj2k, type OpenJphModule } from '../../core/htj2k';
import type { FrameInfo, InstanceFrames } from '../../core/imageFrames';
import type { DecodedFrame } from './render';

/** Checks decoded pixels against the metadata: size, samples per pixel and (for ChecksumType DECOMPRESSED) the
 *  CRC-32 of the pixels, which also catches a codestream cut short (the decoder then returns a partial image). */
export function checkDecoded(frame: DecodedFrame, instance: InstanceFrames, info: FrameInfo, checkPixels: boolean): DecodedFrame {
  const { rows, columns, samplesPerPixel } = instance.pixels;
  if ((columns !== undefined && columns !== frame.width) || (rows !== undefined && rows !== frame.height)) {
    throw new Error(`The frame is ${frame.width} × ${frame.height} pixels; the metadata says ${columns ?? '?'} × ${rows ?? '?'} (Columns × Rows)`);
  }
  if (frame.components !== samplesPerPixel) {
    throw new Error(`The frame has ${frame.components} sample(s) per pixel; the metadata says ${samplesPerPixel} (SamplesPerPixel)`);
  }
  if (checkPixels && info.checksum !== undefined && instance.checksumType !== 'ORIGINAL' && crc32(frame.pixels) !== info.checksum) {
    throw new Error('The frame could not be decoded: its pixels do not match the checksum in the metadata (damaged or incomplete data)');
  }
  return frame;
}

/** Checks the bytes as received when the checksum is of the stored bytes (ChecksumType ORIGINAL). */
export function checkOriginal(bytes: Uint8Array, instance: InstanceFrames, info: FrameInfo): void {
  if (instance.checksumType === 'ORIGINAL' && info.checksum !== undefined && crc32(bytes) !== info.checksum) {
    throw new Error('The frame is damaged: its bytes do not match the checksum in the metadata');
  }
}

/** An HTJ2K frame as the page draws it. */
export function decodeHtj2kFrame(codec: OpenJphModule, bytes: Uint8Array, instance: InstanceFrames, info: FrameInfo): DecodedFrame {
  let decoded: ReturnType<typeof decodeHtj2k>;
  try {
    decoded = decodeHtj2k(codec, bytes);
  } catch (e) {
    throw new Error(`The frame could not be decoded: ${(e as Error).message}`);
  }
  const { info: stream, pixels } = decoded;
  checkOriginal(bytes, instance, info);
  return checkDecoded({
    width: stream.width, height: stream.height, components: stream.componentCount,
    bitsPerSample: stream.bitsPerSample, signed: stream.isSigned, pixels,
  }, instance, info, true);
}
