// The frames page's pixel arithmetic, free of the DOM so that unit tests run it in plain Node: stored
// values -> modality values (Rescale Slope / Intercept) -> grey levels through a linear VOI window
// (DICOM PS3.3 C.11.2.1.2.1), MONOCHROME1 inverted; colour frames as RGB (YBR_FULL converted). Also
// the window/level drag.

import type { Window } from '../../core/imageFrames';

/** A decoded frame: interleaved little-endian samples, one byte each up to 8 bits, two above. */
export interface DecodedFrame {
  width: number;
  height: number;
  components: number;
  bitsPerSample: number;
  signed: boolean;
  pixels: Uint8Array;
}

export type Samples = Uint8Array | Int8Array | Uint16Array | Int16Array;

/** The frame's samples as numbers. */
export function samplesOf(frame: DecodedFrame): Samples {
  const { pixels, bitsPerSample, signed } = frame;
  if (bitsPerSample <= 8) return signed ? new Int8Array(pixels.buffer, pixels.byteOffset, pixels.length) : pixels;
  // Typed arrays need an aligned offset: copy when the bytes do not start at one.
  const bytes = pixels.byteOffset % 2 === 0 ? pixels : pixels.slice();
  return signed ? new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1) : new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
}

/** The smallest and largest sample. */
export function sampleRange(samples: Samples): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

export interface GreyMapping {
  slope: number;
  intercept: number;
  window: Window;
  /** MONOCHROME1: the lowest values are white. */
  invert: boolean;
}

/** The grey level (0-255) of one stored value. */
export function greyLevel(stored: number, m: GreyMapping): number {
  const x = stored * m.slope + m.intercept;
  const { center: c, width: w } = m.window;
  let y: number;
  if (w <= 1) y = x < c - 0.5 ? 0 : 255; // the limit of the linear function at width 1
  else if (x <= c - 0.5 - (w - 1) / 2) y = 0;
  else if (x > c - 0.5 + (w - 1) / 2) y = 255;
  else y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
  y = Math.round(Math.min(255, Math.max(0, y)));
  return m.invert ? 255 - y : y;
}

/** Writes the grey levels of `samples` into `rgba` (4 bytes a pixel, opaque), through a table per stored value. */
export function renderGrey(samples: Samples, m: GreyMapping, rgba: Uint8ClampedArray): void {
  const { min, max } = sampleRange(samples);
  const lut = new Uint8Array(Math.max(1, max - min + 1));
  for (let v = min; v <= max; v++) lut[v - min] = greyLevel(v, m);
  for (let i = 0, o = 0; i < samples.length; i++, o += 4) {
    const g = lut[samples[i] - min];
    rgba[o] = g;
    rgba[o + 1] = g;
    rgba[o + 2] = g;
    rgba[o + 3] = 255;
  }
}

/**
 * Writes a three-sample frame into `rgba`: RGB as it is (samples above 8 bits scaled down), YBR_FULL
 * converted to RGB (PS3.3 C.7.6.3.1.2). HTJ2K decoders undo their own colour transform, so YBR_RCT and
 * YBR_ICT frames come out as RGB.
 */
export function renderColour(frame: DecodedFrame, photometric: string, rgba: Uint8ClampedArray): void {
  const samples = samplesOf(frame);
  const shift = Math.max(0, frame.bitsPerSample - 8);
  const ybr = photometric === 'YBR_FULL';
  const n = frame.width * frame.height;
  for (let p = 0, i = 0, o = 0; p < n; p++, i += 3, o += 4) {
    let r = samples[i] >> shift;
    let g = samples[i + 1] >> shift;
    let b = samples[i + 2] >> shift;
    if (ybr) {
      const [y, cb, cr] = [r, g, b];
      r = y + 1.402 * (cr - 128);
      g = y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128);
      b = y + 1.772 * (cb - 128);
    }
    rgba[o] = r;
    rgba[o + 1] = g;
    rgba[o + 2] = b;
    rgba[o + 3] = 255;
  }
}

/**
 * The window after dragging by (dx, dy) screen pixels from `start`: right widens it (less contrast), down
 * raises its centre (darker). `range` is the span of the frame's modality values: dragging across 500
 * pixels changes the window by that span.
 */
export function dragWindow(start: Window, dx: number, dy: number, range: number): Window {
  const step = Math.max(range, 1) / 500;
  return { center: start.center + dy * step, width: Math.max(1, start.width + dx * step) };
}

/** "W 400 L 40": the window as viewers show it. */
export function windowLabel(w: Window): string {
  const f = (n: number) => (Math.abs(n) >= 100 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1));
  return `W ${f(w.width)} L ${f(w.center)}`;
}
