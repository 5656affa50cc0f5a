// Decoding on the frames page (src/frames/page/decode.ts) with the WebAssembly decoder the page ships, run in
// plain Node: what a good frame gives, and the message each kind of bad frame shows in its tile.
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { encodeHtj2k, type OpenJphModule } from '../../../src/core/htj2k';
import type { FrameInfo, InstanceFrames } from '../../../src/core/imageFrames';
import { checkOriginal, decodeHtj2kFrame } from '../../../src/frames/page/decode';

const factory = require('@cornerstonejs/codec-openjph') as (o: object) => Promise<OpenJphModule>;

describe('frames page: decoding and checking a frame', function () {
  this.timeout(30_000);
  let codec: OpenJphModule;
  const width = 40;
  const height = 30;
  const pixels = new Uint8Array(Int16Array.from({ length: width * height }, (_, i) => ((i * 37) % 3000) - 1024).buffer);
  let bytes: Uint8Array;
  const instance = (extra: Partial<InstanceFrames['pixels']> = {}, checksumType = 'DECOMPRESSED'): InstanceFrames => ({
    sopInstanceUID: '1.2', frames: [], checksumType, preview: { decoder: 'htj2k' },
    pixels: { rows: height, columns: width, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, signed: true, photometric: 'MONOCHROME2', rescaleSlope: 1, rescaleIntercept: 0, ...extra },
  });
  const info: FrameInfo = { id: 'f', checksum: zlib.crc32(pixels) };

  before(async () => {
    codec = await factory({ print: () => undefined, printErr: () => undefined });
    bytes = encodeHtj2k(codec, pixels, { width, height, bitsPerSample: 16, componentCount: 1, isSigned: true, isUsingColorTransform: false });
  });

  it('gives the decoded size, sample format and pixels of a good frame', () => {
    const frame = decodeHtj2kFrame(codec, bytes, instance(), info);
    assert.deepEqual([frame.width, frame.height, frame.components, frame.bitsPerSample, frame.signed], [width, height, 1, 16, true]);
    assert.deepEqual(Buffer.from(frame.pixels), Buffer.from(pixels));
  });

  it('says when the bytes are not a codestream, or decode to pixels that do not match the checksum (cut short)', () => {
    const garbled = Uint8Array.from(bytes);
    garbled.fill(0x5a, 0, 64);
    assert.throws(() => decodeHtj2kFrame(codec, garbled, instance(), info), /^Error: The frame could not be decoded: not a decodable HTJ2K codestream/);
    assert.throws(() => decodeHtj2kFrame(codec, new Uint8Array(0), instance(), info), /could not be decoded/);
    assert.throws(() => decodeHtj2kFrame(codec, bytes.subarray(0, bytes.length >> 1), instance(), info),
      /^Error: The frame could not be decoded: its pixels do not match the checksum in the metadata/);
    // Without a checksum in the metadata there is nothing to compare with.
    assert.equal(decodeHtj2kFrame(codec, bytes, instance(), { id: 'f' }).width, width);
  });

  it('says when the frame disagrees with the metadata: size, samples per pixel', () => {
    assert.throws(() => decodeHtj2kFrame(codec, bytes, instance({ rows: 32 }), info), /^Error: The frame is 40 × 30 pixels; the metadata says 40 × 32 \(Columns × Rows\)$/);
    assert.throws(() => decodeHtj2kFrame(codec, bytes, instance({ samplesPerPixel: 3 }), info), /has 1 sample\(s\) per pixel; the metadata says 3/);
  });

  it('checks the received bytes when the checksum is of the stored bytes (ChecksumType ORIGINAL)', () => {
    const original = instance({}, 'ORIGINAL');
    checkOriginal(bytes, original, { id: 'f', checksum: zlib.crc32(bytes) });
    assert.throws(() => checkOriginal(bytes.subarray(1), original, { id: 'f', checksum: zlib.crc32(bytes) }), /its bytes do not match the checksum/);
    checkOriginal(bytes.subarray(1), instance(), { id: 'f', checksum: zlib.crc32(bytes) }); // DECOMPRESSED: not about the bytes
  });
});
