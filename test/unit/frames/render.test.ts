// The frames page's pixel arithmetic (src/frames/page/render.ts), which the page bundles and runs in the webview.
import assert from 'node:assert/strict';
import { dragWindow, greyLevel, renderColour, renderGrey, samplesOf, windowLabel, type DecodedFrame, type GreyMapping } from '../../../src/frames/page/render';

const frame = (pixels: number[] | Uint8Array, extra: Partial<DecodedFrame> = {}): DecodedFrame => ({
  width: 2, height: 1, components: 1, bitsPerSample: 8, signed: false, pixels: pixels instanceof Uint8Array ? pixels : Uint8Array.from(pixels), ...extra,
});

describe('frames page: grey levels', () => {
  const ct: GreyMapping = { slope: 1, intercept: -1024, window: { center: 40, width: 400 }, invert: false };

  it('follows DICOM\'s linear VOI function (PS3.3 C.11.2.1.2.1) after the modality rescale', () => {
    // x <= c - 0.5 - (w - 1) / 2 = -160 -> black; x > c - 0.5 + (w - 1) / 2 = 239 -> white
    assert.equal(greyLevel(1024 - 160, ct), 0);
    assert.equal(greyLevel(1024 - 1000, ct), 0);
    assert.equal(greyLevel(1024 + 240, ct), 255);
    assert.equal(greyLevel(1024 + 3000, ct), 255);
    // in between: ((x - (c - 0.5)) / (w - 1) + 0.5) * 255
    assert.equal(greyLevel(1024 + 45, ct), Math.round(((45 - 39.5) / 399 + 0.5) * 255));
    assert.equal(greyLevel(1024 + 40, ct), 128);
    // slope and intercept: stored 100 with slope 0.5, intercept 10 is 60
    assert.equal(greyLevel(100, { slope: 0.5, intercept: 10, window: { center: 60, width: 101 }, invert: false }), Math.round(((60 - 59.5) / 100 + 0.5) * 255));
  });

  it('inverts MONOCHROME1 and treats a window of width 1 as a threshold', () => {
    assert.equal(greyLevel(1024 - 1000, { ...ct, invert: true }), 255);
    assert.equal(greyLevel(1024 + 1000, { ...ct, invert: true }), 0);
    const threshold: GreyMapping = { slope: 1, intercept: 0, window: { center: 100.5, width: 1 }, invert: false };
    assert.deepEqual([99, 100, 101].map((v) => greyLevel(v, threshold)), [0, 255, 255]);
  });

  it('draws every sample through the same function, signed 16-bit included', () => {
    const values = Int16Array.from([-2000, -1024, 0, 40, 1000, 32767]);
    const f = frame(new Uint8Array(values.buffer), { width: 6, bitsPerSample: 16, signed: true });
    const samples = samplesOf(f);
    assert.deepEqual(Array.from(samples), Array.from(values));
    const rgba = new Uint8ClampedArray(6 * 4);
    const mapping: GreyMapping = { slope: 1, intercept: 0, window: { center: 0, width: 2000 }, invert: false };
    renderGrey(samples, mapping, rgba);
    for (let i = 0; i < 6; i++) {
      const g = greyLevel(values[i], mapping);
      assert.deepEqual(Array.from(rgba.subarray(i * 4, i * 4 + 4)), [g, g, g, 255]);
    }
  });

  it('reads 16-bit samples that do not start on an even byte', () => {
    const bytes = new Uint8Array([0, 0x34, 0x12, 0xff, 0xff]).subarray(1);
    assert.deepEqual(Array.from(samplesOf(frame(bytes, { bitsPerSample: 12 }))), [0x1234, 0xffff]);
    assert.deepEqual(Array.from(samplesOf(frame([200, 10], { signed: true }))), [-56, 10]);
  });
});

describe('frames page: colour', () => {
  it('shows RGB as it is, scales samples above 8 bits, and converts YBR_FULL', () => {
    const rgba = new Uint8ClampedArray(8);
    renderColour(frame([255, 0, 0, 1, 2, 3], { components: 3 }), 'RGB', rgba);
    assert.deepEqual(Array.from(rgba), [255, 0, 0, 255, 1, 2, 3, 255]);
    const sixteen = new Uint8Array(Uint16Array.from([4095, 0, 2048, 16, 32, 48]).buffer);
    renderColour(frame(sixteen, { components: 3, bitsPerSample: 12 }), 'RGB', rgba);
    assert.deepEqual(Array.from(rgba), [255, 0, 128, 255, 1, 2, 3, 255]);
    // YCbCr (76, 85, 255) is red; (128, 128, 128) is mid grey
    renderColour(frame([76, 85, 255, 128, 128, 128], { components: 3 }), 'YBR_FULL', rgba);
    assert.ok(rgba[0] > 250 && rgba[1] < 5 && rgba[2] < 5, `red: ${Array.from(rgba.subarray(0, 3))}`);
    assert.deepEqual(Array.from(rgba.subarray(4, 7)), [128, 128, 128]);
  });
});

describe('frames page: window/level drag', () => {
  it('widens the window to the right, raises its centre downwards, by the frame\'s range per 500 pixels', () => {
    assert.deepEqual(dragWindow({ center: 40, width: 400 }, 500, 0, 4000), { center: 40, width: 4400 });
    assert.deepEqual(dragWindow({ center: 40, width: 400 }, 0, 250, 4000), { center: 2040, width: 400 });
    assert.deepEqual(dragWindow({ center: 40, width: 400 }, -1000, -50, 4000), { center: -360, width: 1 }, 'never narrower than 1');
    assert.deepEqual(dragWindow({ center: 0.5, width: 1 }, 500, 0, 0), { center: 0.5, width: 2 }, 'a flat frame still moves');
  });

  it('labels windows as viewers do', () => {
    assert.equal(windowLabel({ center: 40, width: 400 }), 'W 400 L 40');
    assert.equal(windowLabel({ center: -600.4, width: 1500.6 }), 'W 1501 L -600');
    assert.equal(windowLabel({ center: 0.25, width: 2.5 }), 'W 2.5 L 0.3');
  });
});
