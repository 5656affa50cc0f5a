// Lossless HTJ2K through OpenJPH's WebAssembly (src/core/htj2k.ts): exact round trips for what the emulator
// stores, and the codec's known faults handled (colour without the colour transform, colour above 8 bits,
// tiny images, errors that the decoder does not throw).
import assert from 'node:assert/strict';
import { bytesPerSample, decodeHtj2k, encodeHtj2k, type Htj2kFrameInfo, type OpenJphModule } from '../../../src/core/htj2k';
import { crc32 } from '../../../src/core/crc32';
import * as zlib from 'node:zlib';

const factory = require('@cornerstonejs/codec-openjph') as (o: object) => Promise<OpenJphModule>;

function samples(info: Htj2kFrameInfo, seed: number): Uint8Array {
  const n = info.width * info.height * info.componentCount;
  const max = 2 ** info.bitsPerSample;
  let x = seed;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  if (bytesPerSample(info.bitsPerSample) === 1) return Uint8Array.from({ length: n }, () => next() % max);
  const words = info.isSigned ? Int16Array.from({ length: n }, () => (next() % max) - max / 2) : Uint16Array.from({ length: n }, () => next() % max);
  return new Uint8Array(words.buffer);
}

describe('HTJ2K (OpenJPH WebAssembly)', function () {
  this.timeout(30_000);
  let codec: OpenJphModule;
  before(async () => { codec = await factory({ print: () => undefined, printErr: () => undefined }); });

  const cases: [string, Htj2kFrameInfo][] = [
    ['8-bit grey', { width: 64, height: 48, bitsPerSample: 8, componentCount: 1, isSigned: false, isUsingColorTransform: false }],
    ['12-bit unsigned', { width: 65, height: 33, bitsPerSample: 12, componentCount: 1, isSigned: false, isUsingColorTransform: false }],
    ['16-bit signed', { width: 64, height: 64, bitsPerSample: 16, componentCount: 1, isSigned: true, isUsingColorTransform: false }],
    ['12-bit signed', { width: 31, height: 17, bitsPerSample: 12, componentCount: 1, isSigned: true, isUsingColorTransform: false }],
    ['1-bit (one byte per pixel)', { width: 50, height: 20, bitsPerSample: 1, componentCount: 1, isSigned: false, isUsingColorTransform: false }],
    ['8-bit RGB', { width: 40, height: 30, bitsPerSample: 8, componentCount: 3, isSigned: false, isUsingColorTransform: true }],
    ['1 × 1', { width: 1, height: 1, bitsPerSample: 8, componentCount: 1, isSigned: false, isUsingColorTransform: false }],
    ['3 × 2', { width: 3, height: 2, bitsPerSample: 16, componentCount: 1, isSigned: false, isUsingColorTransform: false }],
  ];
  for (const [name, info] of cases) {
    it(`round-trips ${name} exactly (CRC-32 included)`, () => {
      const pixels = samples(info, info.width * 7 + info.bitsPerSample);
      const encoded = encodeHtj2k(codec, pixels, info);
      assert.deepEqual([...encoded.subarray(0, 4)], [0xff, 0x4f, 0xff, 0x51], 'a raw codestream: SOC, SIZ');
      const decoded = decodeHtj2k(codec, encoded);
      assert.deepEqual(decoded.info, { ...info, isUsingColorTransform: info.componentCount === 3 });
      assert.ok(Buffer.from(decoded.pixels).equals(Buffer.from(pixels)));
      assert.equal(crc32(decoded.pixels), zlib.crc32(pixels));
    });
  }

  it('encodes colour with the colour transform even when asked not to, and refuses colour above 8 bits', () => {
    const info: Htj2kFrameInfo = { width: 8, height: 8, bitsPerSample: 8, componentCount: 3, isSigned: false, isUsingColorTransform: false };
    assert.equal(decodeHtj2k(codec, encodeHtj2k(codec, samples(info, 1), info)).info.isUsingColorTransform, true);
    assert.throws(() => encodeHtj2k(codec, samples({ ...info, bitsPerSample: 12 }, 1), { ...info, bitsPerSample: 12 }), /colour samples of more than 8 bits/);
    assert.throws(() => encodeHtj2k(codec, new Uint8Array(10), info), /10 bytes given, a 8 × 8 × 3 frame of 8-bit samples has 192/);
    assert.throws(() => encodeHtj2k(codec, new Uint8Array(4), { ...info, componentCount: 2, width: 2, height: 1 }), /2 samples per pixel are not supported/);
  });

  it('puts colour lines back in order for streams without the colour transform (a standard MCT=0 stream)', () => {
    // OpenJPH's wrapper writes and reads MCT=0 lines in planar order as if interleaved. Lines permuted the other
    // way before encoding make a standard stream (as other encoders write it); decodeHtj2k must undo it.
    const [w, h, c] = [6, 4, 3];
    const rgb = Uint8Array.from({ length: w * h * c }, (_, i) => (i * 29) % 256);
    const scrambled = new Uint8Array(rgb.length);
    for (let k = 0; k < c * h; k++) {
      const [comp, row] = [Math.floor(k / h), k % h];
      const [toRow, toComp] = [Math.floor(k / c), k % c];
      for (let x = 0; x < w; x++) scrambled[toRow * w * c + x * c + toComp] = rgb[row * w * c + x * c + comp];
    }
    const encoder = new codec.HTJ2KEncoder();
    let stream: Uint8Array;
    try {
      encoder.getDecodedBuffer({ width: w, height: h, bitsPerSample: 8, componentCount: c, isSigned: false, isUsingColorTransform: false }).set(scrambled);
      encoder.setQuality(true, 0);
      encoder.setDecompositions(1);
      encoder.encode();
      stream = encoder.getEncodedBuffer().slice();
    } finally {
      encoder.delete();
    }
    const decoded = decodeHtj2k(codec, stream);
    assert.equal(decoded.info.isUsingColorTransform, false);
    assert.deepEqual(Array.from(decoded.pixels), Array.from(rgb));
  });

  it('throws what the decoder only reports: not a codestream, nothing at all', () => {
    assert.throws(() => decodeHtj2k(codec, new TextEncoder().encode('not a JPEG 2000 codestream at all')), /not a decodable HTJ2K codestream/);
    assert.throws(() => decodeHtj2k(codec, new Uint8Array(1)), /1 bytes are not a codestream/);
  });
});
