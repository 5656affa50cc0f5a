// Synthetic images for the sample data: Shepp–Logan-style phantoms, one per modality, each with the word
// "SYNTHETIC" burned into its pixels. Deterministic: the same arguments give the same pixels on every run
// (no clock, a fixed-seed PRNG per image). Nothing here resembles a real patient.
//
// Most models are sets of ellipsoids in a normalized volume (x: patient left +, y: posterior +, z: superior +,
// each axis -1..1 across the field of view). Each ellipsoid adds the difference between its own tissue and
// the tissue it sits in, as in Shepp and Logan's head phantom, so that a slice is a sum of ellipses and a
// radiograph is a sum of chord lengths: the same model gives axial, coronal and sagittal slices (CT, MR,
// PET) and projections (CR, DX, the CT scout). Mammograms and ultrasound are drawn in 2-D.

/** Stored pixel values of one frame, row by row; `samples` values per pixel (1, or 3 for RGB). */
export interface PhantomImage {
  width: number;
  height: number;
  samples: 1 | 3;
  values: Int32Array;
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic noise

/** mulberry32: a small, well-known 32-bit PRNG; same seed, same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Roughly normal noise with standard deviation 1 (the sum of four uniforms). */
function gaussian(random: () => number): () => number {
  return () => (random() + random() + random() + random() - 2) * 1.732;
}

const NOISE_SIZE = 1 << 16;
let noiseTable: Float32Array | undefined;

/** Normal noise for image `seed`: a window into one shared table (drawing fresh noise for every pixel of
 *  every image would cost more than everything else the seed does). */
function noiseAt(seed: number): (i: number) => number {
  if (!noiseTable) {
    const draw = gaussian(prng(0x6e015e));
    noiseTable = new Float32Array(NOISE_SIZE).map(() => draw());
  }
  const table = noiseTable;
  const offset = Math.imul(seed, 40503) >>> 0;
  return (i) => table[(i + offset) & (NOISE_SIZE - 1)];
}

/** A smooth random field in 0..1 (bilinear value noise of `cells` × `cells`). */
function smoothField(width: number, height: number, cells: number, random: () => number): Float32Array {
  const grid = new Float32Array((cells + 1) * (cells + 1)).map(() => random());
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = (y / height) * cells;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = (x / width) * cells;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const i = y0 * (cells + 1) + x0;
      const top = grid[i] * (1 - fx) + grid[i + 1] * fx;
      const bottom = grid[i + cells + 1] * (1 - fx) + grid[i + cells + 2] * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Ellipsoid models

interface Ellipsoid {
  /** Centre and semi-axes in normalized coordinates; `phi` turns it about the z axis (degrees). */
  x: number; y: number; z: number; a: number; b: number; c: number; phi?: number;
  /** Its tissue, and the tissue it sits in (its contribution is the difference). */
  tissue: string;
  inside: string;
}

type Tissues = Record<string, number>;

interface Prepared { o: Ellipsoid; delta: number; cos: number; sin: number; rx: number; ry: number }

function prepare(model: readonly Ellipsoid[], tissues: Tissues): Prepared[] {
  return model.map((o) => {
    const t = ((o.phi ?? 0) * Math.PI) / 180;
    const cos = Math.cos(t);
    const sin = Math.sin(t);
    if (!(o.tissue in tissues) || !(o.inside in tissues)) throw new Error(`phantom: no value for ${o.tissue} in ${o.inside}`);
    return {
      o, delta: tissues[o.tissue] - tissues[o.inside], cos, sin,
      rx: Math.sqrt((o.a * cos) ** 2 + (o.b * sin) ** 2), ry: Math.sqrt((o.a * sin) ** 2 + (o.b * cos) ** 2),
    };
  });
}

export type Plane = 'axial' | 'coronal' | 'sagittal';

/**
 * A slice through the model at `position` (z for axial, y for coronal, x for sagittal) as a field of
 * tissue values (`background` outside every ellipsoid). Rows run anterior to posterior (axial) or superior
 * to inferior (coronal, sagittal); columns patient right to left (axial, coronal) or anterior to posterior.
 */
function slice(model: readonly Ellipsoid[], tissues: Tissues, plane: Plane, position: number, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height).fill(tissues.background);
  const toColumn = (u: number) => ((u + 1) / 2) * width - 0.5;
  const toRow = (v: number) => ((v + 1) / 2) * height - 0.5;
  for (const p of prepare(model, tissues)) {
    const { o } = p;
    // In-plane centre and half extents (u horizontal, v vertical, v growing downwards).
    const [cu, cv, eu, ev, depth] = plane === 'axial' ? [o.x, o.y, p.rx, p.ry, position - o.z]
      : plane === 'coronal' ? [o.x, -o.z, p.rx, o.c, position - o.y]
        : [o.y, -o.z, p.ry, o.c, position - o.x];
    const reach = plane === 'axial' ? o.c : plane === 'coronal' ? p.ry : p.rx;
    if (Math.abs(depth) > reach) continue;
    const c0 = Math.max(0, Math.floor(toColumn(cu - eu)));
    const c1 = Math.min(width - 1, Math.ceil(toColumn(cu + eu)));
    const r0 = Math.max(0, Math.floor(toRow(cv - ev)));
    const r1 = Math.min(height - 1, Math.ceil(toRow(cv + ev)));
    // The ellipsoid's quadratic form in the plane's coordinates (u, v) at the given depth.
    const ia = 1 / (o.a * o.a);
    const ib = 1 / (o.b * o.b);
    const ic = 1 / (o.c * o.c);
    const { cos, sin } = p;
    for (let r = r0; r <= r1; r++) {
      const v = ((r + 0.5) / height) * 2 - 1;
      const row = r * width;
      for (let c = c0; c <= c1; c++) {
        const u = ((c + 0.5) / width) * 2 - 1;
        // (x, y, z) of the pixel, relative to the centre
        const dx = plane === 'sagittal' ? position - o.x : u - o.x;
        const dy = plane === 'axial' ? v - o.y : plane === 'coronal' ? position - o.y : u - o.y;
        const dz = plane === 'axial' ? position - o.z : -v - o.z;
        const e = dx * cos + dy * sin;
        const f = -dx * sin + dy * cos;
        if (e * e * ia + f * f * ib + dz * dz * ic <= 1) out[row + c] += p.delta;
      }
    }
  }
  return out;
}

/**
 * A radiograph: for each detector pixel, the sum over ellipsoids of (tissue difference × chord length)
 * along the beam. `view` 'frontal' looks along y (rows superior to inferior, columns patient right to
 * left), 'lateral' along x (columns anterior to posterior).
 */
function projection(model: readonly Ellipsoid[], tissues: Tissues, view: 'frontal' | 'lateral', width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (const p of prepare(model, tissues)) {
    const { o, cos, sin } = p;
    const [cu, eu] = view === 'frontal' ? [o.x, p.rx] : [o.y, p.ry];
    const c0 = Math.max(0, Math.floor(((cu - eu + 1) / 2) * width));
    const c1 = Math.min(width - 1, Math.ceil(((cu + eu + 1) / 2) * width));
    const r0 = Math.max(0, Math.floor(((-o.z - o.c + 1) / 2) * height));
    const r1 = Math.min(height - 1, Math.ceil(((-o.z + o.c + 1) / 2) * height));
    // The ray (u along the detector row, s along the beam) in the ellipsoid's own axes: quadratic in s.
    const [du, ds] = view === 'frontal' ? [[cos, -sin], [sin, cos]] : [[sin, cos], [cos, -sin]];
    const ia = 1 / (o.a * o.a);
    const ib = 1 / (o.b * o.b);
    const A = ds[0] * ds[0] * ia + ds[1] * ds[1] * ib;
    for (let r = r0; r <= r1; r++) {
      const w = -(((r + 0.5) / height) * 2 - 1) - o.z;
      const cz = (w * w) / (o.c * o.c) - 1;
      if (cz >= 0) continue;
      for (let c = c0; c <= c1; c++) {
        const d = ((c + 0.5) / width) * 2 - 1 - cu;
        const u0 = d * du[0];
        const v0 = d * du[1];
        const B = 2 * (u0 * ds[0] * ia + v0 * ds[1] * ib);
        const C = u0 * u0 * ia + v0 * v0 * ib + cz;
        const disc = B * B - 4 * A * C;
        if (disc > 0) out[r * width + c] += (p.delta * Math.sqrt(disc)) / A;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The models

/** A chest: body, lungs, heart, aorta, spine, clavicles, liver dome, trachea and a small lung nodule. */
const CHEST: readonly Ellipsoid[] = [
  { x: 0, y: 0.02, z: 0, a: 0.82, b: 0.58, c: 1.15, tissue: 'fat', inside: 'background' },
  { x: 0, y: 0.03, z: 0, a: 0.76, b: 0.52, c: 1.1, tissue: 'muscle', inside: 'fat' },
  { x: -0.37, y: 0.02, z: 0.05, a: 0.27, b: 0.37, c: 0.8, tissue: 'lung', inside: 'muscle' },
  { x: 0.38, y: 0.02, z: 0.05, a: 0.25, b: 0.36, c: 0.78, tissue: 'lung', inside: 'muscle' },
  { x: 0.08, y: -0.12, z: -0.35, a: 0.26, b: 0.2, c: 0.32, phi: 25, tissue: 'heart', inside: 'muscle' },
  { x: 0.09, y: 0.27, z: 0, a: 0.055, b: 0.055, c: 1.05, tissue: 'blood', inside: 'muscle' },
  { x: -0.02, y: -0.08, z: 0.15, a: 0.065, b: 0.065, c: 0.45, tissue: 'blood', inside: 'muscle' },
  { x: 0, y: 0.42, z: 0, a: 0.085, b: 0.08, c: 1.1, tissue: 'bone', inside: 'muscle' },
  { x: 0, y: -0.47, z: 0.1, a: 0.06, b: 0.025, c: 0.5, tissue: 'bone', inside: 'muscle' },
  { x: -0.3, y: -0.3, z: 0.82, a: 0.3, b: 0.035, c: 0.035, phi: -12, tissue: 'bone', inside: 'muscle' },
  { x: 0.3, y: -0.3, z: 0.82, a: 0.3, b: 0.035, c: 0.035, phi: 12, tissue: 'bone', inside: 'muscle' },
  { x: -0.22, y: 0.04, z: -0.98, a: 0.5, b: 0.42, c: 0.42, tissue: 'liver', inside: 'muscle' },
  { x: 0, y: -0.12, z: 0.75, a: 0.05, b: 0.05, c: 0.4, tissue: 'background', inside: 'muscle' },
  { x: -0.44, y: -0.1, z: 0.12, a: 0.04, b: 0.04, c: 0.04, tissue: 'nodule', inside: 'lung' },
];
const CHEST_HU: Tissues = { background: -1000, fat: -100, muscle: 45, lung: -850, heart: 140, blood: 250, bone: 700, liver: 60, nodule: 30 };
const CHEST_SUV: Tissues = { background: 0, fat: 0.4, muscle: 0.9, lung: 0.35, heart: 5, blood: 1.6, bone: 1.4, liver: 2.4, nodule: 7 };

/** Both legs, pelvis to ankles, with femur, tibia, fibula and contrast-filled arteries (a CT angiogram runoff). */
const LEGS: readonly Ellipsoid[] = [-1, 1].flatMap((side) => [
  { x: 0.34 * side, y: 0, z: 0.55, a: 0.31, b: 0.29, c: 1.7, tissue: 'fat', inside: 'background' },
  { x: 0.34 * side, y: 0, z: 0.55, a: 0.27, b: 0.25, c: 1.65, tissue: 'muscle', inside: 'fat' },
  { x: 0.34 * side, y: 0.02, z: 0.45, a: 0.045, b: 0.045, c: 0.6, tissue: 'bone', inside: 'muscle' },
  { x: 0.34 * side, y: -0.01, z: -0.5, a: 0.04, b: 0.04, c: 0.45, tissue: 'bone', inside: 'muscle' },
  { x: 0.41 * side, y: 0.04, z: -0.5, a: 0.015, b: 0.015, c: 0.45, tissue: 'bone', inside: 'muscle' },
  { x: 0.3 * side, y: -0.04, z: 0.3, a: 0.014, b: 0.014, c: 1.1, tissue: 'blood', inside: 'muscle' },
  { x: 0.38 * side, y: 0.06, z: -0.6, a: 0.009, b: 0.009, c: 0.5, tissue: 'blood', inside: 'muscle' },
]);
const LEGS_HU: Tissues = { background: -1000, fat: -100, muscle: 50, bone: 900, blood: 350 };

/** A head after Shepp and Logan: scalp, skull, brain, white matter, two ventricles and two small lesions. */
const HEAD: readonly Ellipsoid[] = [
  { x: 0, y: 0, z: 0, a: 0.72, b: 0.9, c: 0.86, tissue: 'scalp', inside: 'background' },
  { x: 0, y: -0.01, z: 0, a: 0.67, b: 0.85, c: 0.8, tissue: 'bone', inside: 'scalp' },
  { x: 0, y: -0.02, z: 0, a: 0.63, b: 0.81, c: 0.76, tissue: 'gray', inside: 'bone' },
  { x: 0, y: -0.02, z: 0.05, a: 0.5, b: 0.66, c: 0.55, tissue: 'white', inside: 'gray' },
  { x: -0.13, y: -0.02, z: 0.12, a: 0.07, b: 0.26, c: 0.24, phi: -14, tissue: 'csf', inside: 'white' },
  { x: 0.13, y: -0.02, z: 0.12, a: 0.07, b: 0.26, c: 0.24, phi: 14, tissue: 'csf', inside: 'white' },
  { x: 0.26, y: 0.32, z: 0.22, a: 0.055, b: 0.05, c: 0.05, tissue: 'lesion', inside: 'white' },
  { x: -0.3, y: -0.34, z: -0.05, a: 0.04, b: 0.045, c: 0.04, tissue: 'lesion', inside: 'white' },
];
const HEAD_MR: Record<'T1' | 'T2' | 'FLAIR', Tissues> = {
  T1: { background: 0, scalp: 2800, bone: 300, gray: 1500, white: 2100, csf: 600, lesion: 1300 },
  T2: { background: 0, scalp: 1900, bone: 250, gray: 2200, white: 1600, csf: 3700, lesion: 3300 },
  FLAIR: { background: 0, scalp: 2000, bone: 250, gray: 2100, white: 1600, csf: 350, lesion: 3500 },
};

/** A knee: soft tissue, femur with condyles, tibia with its plateau, fibula, patella. */
const KNEE: readonly Ellipsoid[] = [
  { x: 0, y: 0, z: 0, a: 0.56, b: 0.5, c: 3, tissue: 'fat', inside: 'background' },
  { x: 0, y: 0, z: 0, a: 0.5, b: 0.45, c: 3, tissue: 'muscle', inside: 'fat' },
  { x: 0, y: 0.03, z: 0.6, a: 0.14, b: 0.14, c: 0.7, tissue: 'bone', inside: 'muscle' },
  { x: -0.16, y: 0.05, z: 0.04, a: 0.17, b: 0.2, c: 0.16, tissue: 'bone', inside: 'muscle' },
  { x: 0.16, y: 0.05, z: 0.04, a: 0.17, b: 0.2, c: 0.16, tissue: 'bone', inside: 'muscle' },
  { x: 0, y: 0.03, z: -0.24, a: 0.36, b: 0.28, c: 0.08, tissue: 'bone', inside: 'muscle' },
  { x: 0, y: 0.03, z: -0.85, a: 0.13, b: 0.13, c: 0.62, tissue: 'bone', inside: 'muscle' },
  { x: 0.31, y: 0.1, z: -0.75, a: 0.05, b: 0.05, c: 0.55, tissue: 'bone', inside: 'muscle' },
  { x: 0, y: -0.43, z: 0.14, a: 0.17, b: 0.07, c: 0.2, tissue: 'bone', inside: 'muscle' },
];
const KNEE_HU: Tissues = { background: -1000, fat: -100, muscle: 40, bone: 900 };

// ---------------------------------------------------------------------------------------------------------------
// "SYNTHETIC", burned in

const GLYPHS: Record<string, string[]> = {
  S: ['.###.', '#...#', '#....', '.###.', '....#', '#...#', '.###.'],
  Y: ['#...#', '#...#', '.#.#.', '..#..', '..#..', '..#..', '..#..'],
  N: ['#...#', '##..#', '#.#.#', '#.#.#', '#..##', '#...#', '#...#'],
  T: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
  H: ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  I: ['.###.', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  C: ['.###.', '#...#', '#....', '#....', '#....', '#...#', '.###.'],
};
export const MARKER_TEXT = 'SYNTHETIC';

/** Where the marker goes and how large: its box in pixels. */
export function markerBox(width: number, height: number, corner: 'left' | 'right' = 'left'): { x: number; y: number; width: number; height: number; scale: number } {
  const scale = Math.max(1, Math.floor(Math.min(width, height) / 128));
  const textWidth = (MARKER_TEXT.length * 6 - 1) * scale;
  const boxWidth = textWidth + 4 * scale;
  const boxHeight = 7 * scale + 4 * scale;
  const margin = 2 * scale;
  return { x: corner === 'left' ? margin : width - margin - boxWidth, y: margin, width: boxWidth, height: boxHeight, scale };
}

/** Writes "SYNTHETIC" in `ink` on a box of `paper` (per sample) into the image. */
function burnMarker(image: PhantomImage, ink: number[], paper: number[], corner: 'left' | 'right' = 'left'): void {
  const { width, height, samples, values } = image;
  const box = markerBox(width, height, corner);
  const put = (x: number, y: number, color: number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    for (let s = 0; s < samples; s++) values[(y * width + x) * samples + s] = color[s];
  };
  for (let y = box.y; y < box.y + box.height; y++) for (let x = box.x; x < box.x + box.width; x++) put(x, y, paper);
  [...MARKER_TEXT].forEach((letter, k) => {
    GLYPHS[letter].forEach((row, gy) => {
      for (let gx = 0; gx < 5; gx++) {
        if (row[gx] !== '#') continue;
        for (let dy = 0; dy < box.scale; dy++) {
          for (let dx = 0; dx < box.scale; dx++) {
            put(box.x + 2 * box.scale + (k * 6 + gx) * box.scale + dx, box.y + 2 * box.scale + gy * box.scale + dy, ink);
          }
        }
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Images per modality

function grey(width: number, height: number, field: ArrayLike<number>, min: number, max: number): PhantomImage {
  const values = new Int32Array(width * height);
  for (let i = 0; i < values.length; i++) values[i] = Math.max(min, Math.min(max, Math.round(field[i])));
  return { width, height, samples: 1, values };
}

function addNoise(field: Float32Array, sigma: number, seed: number): void {
  const noise = noiseAt(seed);
  for (let i = 0; i < field.length; i++) field[i] += sigma * noise(i);
}

/** `position` -1..1 across the series; `index` seeds the noise. */
export interface SliceRequest { plane: Plane; position: number; index: number }

/** CT of the chest, stored as HU + 1024 (Rescale Intercept -1024), signed 16-bit. */
export function ctChest(size: number, { plane, position, index }: SliceRequest): PhantomImage {
  const field = slice(CHEST, CHEST_HU, plane, position * 0.85, size, size);
  addNoise(field, 12, 0xc7000 + index);
  for (let i = 0; i < field.length; i++) field[i] += 1024;
  const image = grey(size, size, field, -1024, 3071);
  burnMarker(image, [1000 + 1024], [0]);
  return image;
}

/** A CT scout (frontal topogram of the chest model), in the same stored units as ctChest. */
export function ctScout(size: number): PhantomImage {
  const field = radiograph(CHEST, CHEST_HU, 'frontal', size, size);
  addNoise(field, 0.008, 0xc5000);
  for (let i = 0; i < field.length; i++) field[i] = 24 + field[i] * 1000;
  const image = grey(size, size, field, 0, 3071);
  burnMarker(image, [3000], [0]);
  return image;
}

/** CT angiogram runoff of both legs; position 1 is the pelvis, -1 the ankles. */
export function ctLegs(size: number, position: number, index: number): PhantomImage {
  const field = slice(LEGS, LEGS_HU, 'axial', position * 0.95, size, size);
  addNoise(field, 12, 0xc1000 + index);
  for (let i = 0; i < field.length; i++) field[i] += 1024;
  const image = grey(size, size, field, -1024, 3071);
  burnMarker(image, [1000 + 1024], [0]);
  return image;
}

/** MR of the head, 12-bit; contrast by weighting (T1, T2, FLAIR), magnitude noise. */
export function mrHead(size: number, weighting: 'T1' | 'T2' | 'FLAIR', { plane, position, index }: SliceRequest): PhantomImage {
  const field = slice(HEAD, HEAD_MR[weighting], plane, position * 0.8, size, size);
  addNoise(field, 30, 0x3a000 + index * 7 + weighting.length);
  for (let i = 0; i < field.length; i++) field[i] = Math.abs(field[i]);
  const image = grey(size, size, field, 0, 4095);
  burnMarker(image, [4000], [0]);
  return image;
}

/** PET of the chest (uptake × 400, to be multiplied by Rescale Slope 0.0025), blurred like a PET system;
 *  without attenuation correction ('NAC') the centre of the body is darker. */
export function ptChest(size: number, corrected: boolean, { plane, position, index }: SliceRequest): PhantomImage {
  let field = slice(CHEST, CHEST_SUV, plane, position * 0.85, size, size);
  for (let pass = 0; pass < 2; pass++) field = boxBlur(field, size, size, 2);
  if (!corrected) {
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const u = ((c + 0.5) / size) * 2 - 1;
        const v = ((r + 0.5) / size) * 2 - 1;
        field[r * size + c] *= 0.5 + 0.5 * Math.min(1, (u / 0.82) ** 2 + (v / 0.58) ** 2);
      }
    }
  }
  const noise = noiseAt(0x9e000 + index * 3 + (corrected ? 1 : 0));
  for (let i = 0; i < field.length; i++) field[i] = field[i] * 400 * (1 + 0.12 * noise(i));
  const image = grey(size, size, field, 0, 4095);
  burnMarker(image, [4000], [0]);
  return image;
}

function boxBlur(field: Float32Array, width: number, height: number, radius: number): Float32Array {
  const tmp = new Float32Array(field.length);
  const out = new Float32Array(field.length);
  const n = 2 * radius + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += field[y * width + Math.min(width - 1, Math.max(0, x + k))];
      tmp[y * width + x] = sum / n;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += tmp[Math.min(height - 1, Math.max(0, y + k)) * width + x];
      out[y * width + x] = sum / n;
    }
  }
  return out;
}

/** Attenuation line integrals of a model in HU, in units of water thickness across the field of view. */
function radiograph(model: readonly Ellipsoid[], hu: Tissues, view: 'frontal' | 'lateral', width: number, height: number): Float32Array {
  return projection(model, Object.fromEntries(Object.entries(hu).map(([k, v]) => [k, (v + 1000) / 1000])), view, width, height);
}

/** A chest radiograph, 12-bit log exposure in MONOCHROME1 (low values are displayed white). */
export function crChest(width: number, height: number, view: 'frontal' | 'lateral'): PhantomImage {
  const path = radiograph(CHEST, CHEST_HU, view, width, height);
  const noise = noiseAt(view === 'frontal' ? 0xc4001 : 0xc4002);
  for (let i = 0; i < path.length; i++) path[i] = 3900 - path[i] * 1700 + 15 * noise(i);
  const image = grey(width, height, path, 0, 4095);
  burnMarker(image, [0], [4095]);
  return image;
}

/** A knee radiograph, 8-bit MONOCHROME2 (bone bright); `view` 2 is an oblique view. */
export function dxKnee(width: number, height: number, view: 0 | 1 | 2): PhantomImage {
  const model = view === 2 ? KNEE.map((o) => ({ ...o, x: o.x * 0.7 + o.y * 0.7, y: -o.x * 0.7 + o.y * 0.7, phi: (o.phi ?? 0) - 45 })) : KNEE;
  const path = radiograph(model, KNEE_HU, view === 1 ? 'lateral' : 'frontal', width, height);
  const noise = noiseAt(0xd0000 + view);
  for (let i = 0; i < path.length; i++) path[i] = 12 + path[i] * 160 + 2 * noise(i);
  const image = grey(width, height, path, 0, 255);
  burnMarker(image, [255], [0]);
  return image;
}

/** A mammogram (12-bit, dense tissue bright): breast outline against the chest wall, fibroglandular
 *  texture, a mass, a cluster of calcifications, the pectoral muscle in MLO views. */
export function mgBreast(width: number, height: number, laterality: 'R' | 'L', view: 'CC' | 'MLO'): PhantomImage {
  const random = prng((laterality === 'R' ? 0x4d100 : 0x4d200) + (view === 'CC' ? 1 : 2));
  const texture = smoothField(width, height, 12, random);
  const fine = smoothField(width, height, 40, random);
  const noise = noiseAt(laterality === 'R' ? 0x4d1 : 0x4d2);
  const field = new Float32Array(width * height);
  const wall = laterality === 'R' ? width : 0; // chest wall side, nipple towards the other side
  const cy = height * 0.48;
  const ax = width * 0.78;
  const by = height * 0.42;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - wall) / ax;
      const dy = (y - cy) / by;
      const r = dx * dx + dy * dy;
      let v = 80;
      if (r <= 1) {
        const depth = 1 - Math.sqrt(r);
        const density = Math.max(0, texture[y * width + x] - 0.35) * 2.2 * Math.min(1, depth * 3);
        v = 1100 + 1300 * density + 350 * fine[y * width + x] + (r > 0.96 ? 250 : 0);
        if (view === 'MLO' && Math.abs(x - wall) / width + y / height < 0.55) v = 2600 + 200 * fine[y * width + x];
      }
      field[y * width + x] = v + 12 * noise(y * width + x);
    }
  }
  // A mass and a cluster of calcifications, half way to the nipple.
  const mx = wall + (laterality === 'R' ? -1 : 1) * width * 0.42;
  const my = cy + height * 0.08;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = ((x - mx) / (width * 0.06)) ** 2 + ((y - my) / (height * 0.045)) ** 2;
      if (d < 1.4) field[y * width + x] += 700 * Math.min(1, (1.4 - d) * 2);
    }
  }
  for (let k = 0; k < 6; k++) {
    const x = Math.round(mx + (laterality === 'R' ? 1 : -1) * width * (0.12 + 0.02 * (k % 3)));
    const y = Math.round(my - height * (0.07 + 0.015 * k));
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (Math.abs(dx) + Math.abs(dy) <= 1) field[(y + dy) * width + x + dx] = 3900;
  }
  const image = grey(width, height, field, 0, 4095);
  burnMarker(image, [4095], [0], laterality === 'R' ? 'left' : 'right');
  return image;
}

/** An abdominal ultrasound frame in RGB: a sector of speckle with liver texture, a vessel and the gall
 *  bladder, a depth scale, and colour Doppler flow in the vessel that changes with `phase` (0..3). */
export function usAbdomen(width: number, height: number, phase: number): PhantomImage {
  const random = prng(0x05000 + phase);
  const texture = smoothField(width, height, 10, prng(0x05999));
  const values = new Int32Array(width * height * 3);
  const apexX = width / 2;
  const apexY = -height * 0.08;
  const maxR = height * 1.02;
  const minR = height * 0.12;
  const half = (36 * Math.PI) / 180;
  const vessel = { x: width * 0.42, y: height * 0.45, a: width * 0.11, b: height * 0.045 };
  const gall = { x: width * 0.62, y: height * 0.7, a: width * 0.08, b: height * 0.1 };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - apexX;
      const dy = y - apexY;
      const r = Math.hypot(dx, dy);
      const angle = Math.atan2(dx, dy);
      if (r < minR || r > maxR || Math.abs(angle) > half) continue;
      const speckle = -Math.log(1 - random() * 0.999);
      let echo = (0.35 + 0.4 * texture[y * width + x]) * speckle;
      const inVessel = ((x - vessel.x) / vessel.a) ** 2 + ((y - vessel.y) / vessel.b) ** 2;
      const inGall = ((x - gall.x) / gall.a) ** 2 + ((y - gall.y) / gall.b) ** 2;
      if (inGall < 1) echo *= 0.05;
      else if (Math.abs(x - gall.x) < gall.a * 0.8 && y > gall.y) echo *= 1.5; // posterior enhancement
      if (Math.abs(r - maxR * 0.9) < 3) echo += 1.6 * speckle; // a bright interface (the diaphragm)
      const i = (y * width + x) * 3;
      if (inVessel < 1) {
        // Colour Doppler: parabolic flow, towards the probe (red) or away (blue) with the phase.
        const speed = (1 - inVessel) * Math.sin(((phase + 0.5) / 4) * 2 * Math.PI);
        values[i] = speed > 0 ? Math.round(80 + 175 * speed) : 10;
        values[i + 1] = Math.round(30 * Math.abs(speed));
        values[i + 2] = speed < 0 ? Math.round(80 - 175 * speed) : 10;
        continue;
      }
      const g = Math.max(0, Math.min(255, Math.round(echo * 90)));
      values[i] = g;
      values[i + 1] = g;
      values[i + 2] = g;
    }
  }
  // Depth scale: a dot every tenth of the height on the right.
  for (let k = 1; k < 10; k++) {
    const y = Math.round((k * height) / 10);
    for (let dx = 0; dx < 3; dx++) for (let s = 0; s < 3; s++) values[(y * width + width - 8 + dx) * 3 + s] = 220;
  }
  const image: PhantomImage = { width, height, samples: 3, values };
  burnMarker(image, [255, 255, 255], [0, 0, 0]);
  return image;
}
