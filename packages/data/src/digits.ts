/**
 * A procedurally generated digits dataset that works offline: 28x28 images of 0-9 rendered from
 * stroke templates with random handwriting-like variation, in MNIST's format.
 *
 * Each digit has a few templates (paths of lines, elliptical arcs and quadratic curves in a unit
 * box). A sample picks a template and distorts it: a smooth wobble of the pen path, small offsets
 * between strokes, width and slant changes, rotation, shear and translation; it is then scaled to
 * a 16-21 pixel tall box like MNIST's digits and drawn with an anti-aliased pen of random width
 * (coverage from each pixel's distance to the nearest segment), then given a little pixel noise.
 * Every sample is a pure function of (seed, split, index), so the dataset is the same on every run
 * and in every worker.
 */
import { tensor, type Tensor } from '@cinder/tensor';
import type { ModuleRecipe } from './dataset.js';
import { checkImageOptions, hasFunctionOptions, ImageClassificationDataset, type ImageDatasetOptions } from './images.js';
import { describe } from './util.js';
import { packageEntry } from './workers.js';

// ---- random numbers: a small 32-bit generator, seeded per sample ----------------------------------

/** A 32-bit integer hash with good avalanche (an xorshift-multiply finaliser). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** A seeded uniform generator (mulberry32). */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform on [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

function seedWords(seed: number): [number, number] {
  const lo = seed % 4294967296;
  return [lo >>> 0, Math.floor(seed / 4294967296) >>> 0];
}

/** The seed of one stream: (dataset seed, split, purpose, index) hashed together. */
function streamSeed(seed: number, split: number, purpose: number, index: number): number {
  const [lo, hi] = seedWords(seed);
  let h = mix32(lo ^ 0x9e3779b9);
  h = mix32(h ^ hi);
  h = mix32(h ^ (split * 0x85ebca6b));
  h = mix32(h ^ (purpose * 0xc2b2ae35));
  h = mix32(h ^ (index >>> 0));
  return mix32(h ^ Math.floor(index / 4294967296));
}

// ---- stroke templates ------------------------------------------------------------------------

type Pt = [number, number];
/** A stroke: a polyline in the unit box (x right, y down). */
type Stroke = Pt[];

/** A tiny path builder: m (move), l (line), a (elliptical arc, degrees, y down), q (quadratic curve). */
class Path {
  readonly strokes: Stroke[] = [];
  private cur: Stroke | null = null;
  m(x: number, y: number): this {
    this.cur = [[x, y]];
    this.strokes.push(this.cur);
    return this;
  }
  l(x: number, y: number): this {
    this.cur!.push([x, y]);
    return this;
  }
  /** An arc of the ellipse (cx, cy, rx, ry) from angle a0 to a1 (degrees; 270 is the top). */
  a(cx: number, cy: number, rx: number, ry: number, a0: number, a1: number): this {
    const steps = Math.max(2, Math.ceil(Math.abs(a1 - a0) / 15));
    for (let k = 0; k <= steps; k++) {
      const t = ((a0 + ((a1 - a0) * k) / steps) * Math.PI) / 180;
      const p: Pt = [cx + rx * Math.cos(t), cy + ry * Math.sin(t)];
      if (this.cur === null) this.m(p[0], p[1]);
      else this.cur.push(p);
    }
    return this;
  }
  /** Starts a new stroke with an arc. */
  ma(cx: number, cy: number, rx: number, ry: number, a0: number, a1: number): this {
    this.cur = null;
    return this.a(cx, cy, rx, ry, a0, a1);
  }
  q(cx: number, cy: number, x: number, y: number): this {
    const [x0, y0] = this.cur![this.cur!.length - 1]!;
    for (let k = 1; k <= 8; k++) {
      const t = k / 8;
      const u = 1 - t;
      this.cur!.push([u * u * x0 + 2 * u * t * cx + t * t * x, u * u * y0 + 2 * u * t * cy + t * t * y]);
    }
    return this;
  }
}

const p = (): Path => new Path();

/** Templates per digit; each is a set of strokes in the unit box, and its width relative to its height. */
const TEMPLATES: readonly { strokes: Stroke[]; width: number }[][] = [
  // 0
  [
    { strokes: p().ma(0.5, 0.5, 0.45, 0.5, -95, 272).strokes, width: 0.68 },
    { strokes: p().ma(0.5, 0.5, 0.42, 0.5, -60, 305).strokes, width: 0.6 },
  ],
  // 1
  [
    { strokes: p().m(0.52, 0).l(0.48, 1).strokes, width: 0.12 },
    { strokes: p().m(0.22, 0.24).l(0.58, 0).l(0.55, 1).strokes, width: 0.3 },
    { strokes: p().m(0.25, 0.22).l(0.56, 0).l(0.56, 1).m(0.2, 1).l(0.9, 1).strokes, width: 0.42 },
  ],
  // 2
  [
    { strokes: p().a(0.5, 0.29, 0.42, 0.29, 200, 400).l(0.06, 1).l(0.96, 1).strokes, width: 0.62 },
    { strokes: p().a(0.5, 0.29, 0.42, 0.29, 195, 395).q(0.4, 0.72, 0.06, 1).l(0.96, 0.97).strokes, width: 0.62 },
    { strokes: p().a(0.5, 0.28, 0.4, 0.28, 200, 405).q(0.45, 0.75, 0.12, 0.95).a(0.2, 0.9, 0.1, 0.09, 270, 430).l(0.95, 1).strokes, width: 0.62 },
  ],
  // 3
  [
    { strokes: p().a(0.47, 0.26, 0.4, 0.26, 205, 450).ma(0.47, 0.75, 0.46, 0.25, 270, 510).strokes, width: 0.6 },
    { strokes: p().m(0.1, 0).l(0.86, 0).l(0.42, 0.42).a(0.46, 0.7, 0.45, 0.29, 250, 510).strokes, width: 0.6 },
  ],
  // 4
  [
    { strokes: p().m(0.72, 1).l(0.72, 0).l(0.04, 0.68).l(0.98, 0.68).strokes, width: 0.68 },
    { strokes: p().m(0.26, 0).l(0.08, 0.6).l(0.96, 0.6).m(0.72, 0.22).l(0.72, 1).strokes, width: 0.68 },
  ],
  // 5
  [
    { strokes: p().m(0.88, 0).l(0.22, 0).l(0.2, 0.46).a(0.47, 0.7, 0.43, 0.3, 235, 505).strokes, width: 0.6 },
    { strokes: p().m(0.2, 0).l(0.17, 0.46).a(0.47, 0.7, 0.43, 0.3, 235, 505).m(0.2, 0).l(0.9, 0.02).strokes, width: 0.6 },
  ],
  // 6
  [
    { strokes: p().m(0.8, 0.02).q(0.2, 0.2, 0.11, 0.68).a(0.48, 0.7, 0.37, 0.3, 180, 545).strokes, width: 0.6 },
    { strokes: p().m(0.7, 0).l(0.14, 0.64).a(0.48, 0.7, 0.36, 0.3, 175, 540).strokes, width: 0.6 },
  ],
  // 7
  [
    { strokes: p().m(0.06, 0.02).l(0.94, 0.02).l(0.36, 1).strokes, width: 0.62 },
    { strokes: p().m(0.06, 0.02).l(0.94, 0.02).l(0.36, 1).m(0.3, 0.52).l(0.8, 0.52).strokes, width: 0.62 },
    { strokes: p().m(0.06, 0.08).l(0.94, 0.02).q(0.52, 0.45, 0.44, 1).strokes, width: 0.62 },
  ],
  // 8
  [
    { strokes: p().ma(0.5, 0.25, 0.34, 0.25, -90, 272).ma(0.5, 0.73, 0.42, 0.27, -90, 272).strokes, width: 0.6 },
    { strokes: p().m(0.78, 0.1).a(0.5, 0.25, 0.34, 0.25, 330, 180).q(0.3, 0.45, 0.6, 0.52).a(0.5, 0.74, 0.4, 0.26, -60, 230).q(0.4, 0.45, 0.8, 0.18).strokes, width: 0.6 },
  ],
  // 9
  [
    { strokes: p().ma(0.5, 0.28, 0.4, 0.28, 0, 362).m(0.9, 0.28).l(0.82, 1).strokes, width: 0.6 },
    { strokes: p().ma(0.5, 0.28, 0.4, 0.28, 5, 365).m(0.9, 0.3).q(0.88, 0.82, 0.42, 1).strokes, width: 0.6 },
  ],
];

// ---- rendering -------------------------------------------------------------------------------

const SIZE = 28;

/**
 * Draws one sample of digit `label` into `out` (784 bytes at `offset`), using `rng` for every
 * random choice. The order of draws is fixed, so a (seed, index) pair always gives the same image.
 */
function renderInto(label: number, rng: Rng, out: Uint8Array, offset: number, scratch: Float32Array): void {
  const variants = TEMPLATES[label]!;
  const tpl = variants[rng.int(variants.length)]!;
  // Pen wobble: a smooth displacement field over the unit box.
  const ax = rng.uniform(0, 0.06), ay = rng.uniform(0, 0.06);
  const fx = rng.uniform(0.6, 1.6), fy = rng.uniform(0.6, 1.6);
  const px = rng.uniform(0, 2 * Math.PI), py = rng.uniform(0, 2 * Math.PI);
  const width = tpl.width * rng.uniform(0.85, 1.18);
  const shear = rng.uniform(-0.35, 0.35);
  const rot = (rng.uniform(-15, 15) * Math.PI) / 180;
  const cos = Math.cos(rot), sin = Math.sin(rot);
  const height = rng.uniform(16.5, 21);
  const tx = rng.uniform(-1.6, 1.6), ty = rng.uniform(-1.6, 1.6);
  const pen = rng.uniform(1.5, 3.1);
  const ink = rng.uniform(0.82, 1);
  const noise = rng.uniform(0, 0.1);

  // Template -> wobble -> per-stroke offset -> aspect, shear, rotation (still unscaled).
  const strokes: number[][] = [];
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const s of tpl.strokes) {
    const ox = rng.uniform(-0.045, 0.045), oy = rng.uniform(-0.045, 0.045);
    const flat: number[] = [];
    for (const [x0, y0] of s) {
      const x1 = x0 + ax * Math.sin(2 * Math.PI * fy * y0 + px) + ox;
      const y1 = y0 + ay * Math.sin(2 * Math.PI * fx * x0 + py) + oy;
      const cx = (x1 - 0.5) * width, cy = y1 - 0.5;
      const sx = cx + shear * cy;
      const x = cos * sx - sin * cy, y = sin * sx + cos * cy;
      flat.push(x, y);
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    strokes.push(flat);
  }
  // Fit to the target height (and at most 22 pixels wide), centred with a small shift.
  const scale = Math.min(height / Math.max(maxY - minY, 1e-6), 22 / Math.max(maxX - minX, 1e-6));
  const mx = (minX + maxX) / 2, my = (minY + maxY) / 2;
  const offX = SIZE / 2 + tx, offY = SIZE / 2 + ty;

  const img = scratch;
  img.fill(0);
  const r = pen / 2;
  for (const flat of strokes) {
    for (let k = 0; k + 3 < flat.length; k += 2) {
      const x0 = (flat[k]! - mx) * scale + offX, y0 = (flat[k + 1]! - my) * scale + offY;
      const x1 = (flat[k + 2]! - mx) * scale + offX, y1 = (flat[k + 3]! - my) * scale + offY;
      drawSegment(img, x0, y0, x1, y1, r);
    }
  }
  // Pixel noise, uniform on [-noise, noise]: four 8-bit draws from each 32-bit xorshift step.
  let x = (Math.floor(rng.next() * 4294967296) | 1) >>> 0;
  const amp = (2 * noise) / 255;
  for (let i = 0; i < SIZE * SIZE; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    for (let k = 0; k < 4; k++) {
      let v = img[i + k]! * ink + (((x >>> (8 * k)) & 255) - 127.5) * amp;
      v = v < 0 ? 0 : v > 1 ? 1 : v;
      out[offset + i + k] = (v * 255 + 0.5) | 0;
    }
  }
}

/** Anti-aliased capsule of radius r from (x0, y0) to (x1, y1): coverage = clamp(r + 0.5 - distance). */
function drawSegment(img: Float32Array, x0: number, y0: number, x1: number, y1: number, r: number): void {
  const pad = r + 1;
  const ix0 = Math.max(0, Math.floor(Math.min(x0, x1) - pad));
  const ix1 = Math.min(SIZE - 1, Math.ceil(Math.max(x0, x1) + pad));
  const iy0 = Math.max(0, Math.floor(Math.min(y0, y1) - pad));
  const iy1 = Math.min(SIZE - 1, Math.ceil(Math.max(y0, y1) + pad));
  const dx = x1 - x0, dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const inv = len2 > 1e-12 ? 1 / len2 : 0;
  for (let y = iy0; y <= iy1; y++) {
    const cy = y + 0.5;
    for (let x = ix0; x <= ix1; x++) {
      const cx = x + 0.5;
      let t = ((cx - x0) * dx + (cy - y0) * dy) * inv;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = cx - (x0 + t * dx), ey = cy - (y0 + t * dy);
      const d = Math.sqrt(ex * ex + ey * ey);
      let c = r + 0.5 - d;
      if (c <= 0) continue;
      if (c > 1) c = 1;
      const i = y * SIZE + x;
      if (c > img[i]!) img[i] = c;
    }
  }
}

const SPLIT_TRAIN = 1;
const SPLIT_TEST = 2;
const PURPOSE_IMAGE = 1;
const PURPOSE_LABELS = 2;

/** The label of sample i: each block of 10 consecutive samples is a shuffled 0..9. */
function labelsFor(seed: number, split: number, n: number): Uint8Array {
  const labels = new Uint8Array(n);
  const block = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  for (let b = 0; b * 10 < n; b++) {
    const rng = new Rng(streamSeed(seed, split, PURPOSE_LABELS, b));
    for (let k = 9; k > 0; k--) {
      const j = rng.int(k + 1);
      [block[k], block[j]] = [block[j]!, block[k]!];
    }
    for (let k = 0; k < 10 && b * 10 + k < n; k++) labels[b * 10 + k] = block[k]!;
  }
  return labels;
}

function checkSeed(op: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) throw new TypeError(`${op}: seed must be a non-negative safe integer, got ${describe(seed)}`);
  return seed;
}

/**
 * One rendering of `digit` (0-9) as a uint8 tensor [28, 28]; `seed` picks the variation (the same
 * seed gives the same image).
 */
export function renderDigit(digit: number, seed = 0): Tensor {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new RangeError(`renderDigit: digit must be an integer 0-9, got ${describe(digit)}`);
  checkSeed('renderDigit', seed);
  const out = new Uint8Array(SIZE * SIZE);
  renderInto(digit, new Rng(streamSeed(seed, 0, PURPOSE_IMAGE, digit)), out, 0, new Float32Array(SIZE * SIZE));
  return tensor(out, { shape: [SIZE, SIZE] });
}

export interface ProceduralDigitsOptions extends ImageDatasetOptions {
  /** Number of samples (default 60,000 for train, 10,000 for test). */
  length?: number;
  /** The dataset seed (default 0): the same seed gives the same images and labels. */
  seed?: number;
  /** The training split (default) or the test split, drawn from a separate stream of the same seed. */
  train?: boolean;
}

/**
 * Handwriting-like digits generated offline, in MNIST's shapes: item i is `[image, label]`, the
 * image a float32 [1, 28, 28] in [0, 1] by default (see `transform`), the label an int64 0-d tensor.
 * Labels are balanced (every block of 10 samples holds each digit once, in random order). Train and
 * test splits of one seed come from different streams, so they share no image. `data` holds all
 * images (uint8 [N, 28, 28]) and `targets` all labels.
 * @example
 * ```ts
 * const train = new ProceduralDigits({ length: 10000, seed: 1 });
 * const test = new ProceduralDigits({ length: 2000, seed: 1, train: false });
 * console.log(toAscii(train.getItem(0)[0]));
 * ```
 */
export class ProceduralDigits extends ImageClassificationDataset {
  static readonly classes: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  readonly seed: number;
  readonly train: boolean;
  private readonly options: ProceduralDigitsOptions;

  constructor(opts: ProceduralDigitsOptions = {}) {
    const op = 'ProceduralDigits';
    if (opts === null || typeof opts !== 'object') throw new TypeError(`${op}: options must be an object, got ${describe(opts)}`);
    if (opts.train !== undefined && typeof opts.train !== 'boolean') throw new TypeError(`${op}: train must be a boolean, got ${describe(opts.train)}`);
    const train = opts.train ?? true;
    const n = opts.length ?? (train ? 60_000 : 10_000);
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new TypeError(`${op}: length must be a non-negative integer, got ${describe(n)}`);
    const seed = checkSeed(op, opts.seed ?? 0);
    checkImageOptions(op, opts);
    const split = train ? SPLIT_TRAIN : SPLIT_TEST;
    const labels = labelsFor(seed, split, n);
    const pixels = new Uint8Array(n * SIZE * SIZE);
    const scratch = new Float32Array(SIZE * SIZE);
    for (let i = 0; i < n; i++) renderInto(labels[i]!, new Rng(streamSeed(seed, split, PURPOSE_IMAGE, i)), pixels, i * SIZE * SIZE, scratch);
    super(tensor(pixels, { shape: [n, SIZE, SIZE] }), tensor(labels, { dtype: 'int64' }), opts, op);
    this.seed = seed;
    this.train = train;
    this.options = { ...opts };
  }

  override workerRecipe(): ModuleRecipe | null {
    if (hasFunctionOptions(this.options)) return null;
    return { module: packageEntry(), exportName: 'ProceduralDigits', args: [this.options] };
  }
}

/** ProceduralDigits under its short name. */
export const Digits = ProceduralDigits;
export type Digits = ProceduralDigits;

const RAMP = ' .:-=+*#%@';

export interface AsciiOptions {
  /** Characters from dark (background) to bright (ink); default ' .:-=+*#%@'. */
  ramp?: string;
  /** Characters per pixel across (default 2, which keeps the aspect of a terminal's tall cells). */
  charsPerPixel?: number;
}

/**
 * Draws a grayscale image as ASCII art, one line per row. Accepts a tensor [H, W] or [1, H, W]
 * (uint8 0-255, or floating point in [0, 1]) or a flat array of 784 values in [0, 1] (a 28x28 image).
 * @example
 * ```ts
 * console.log(toAscii(new ProceduralDigits({ length: 1 }).getItem(0)[0]));
 * ```
 */
export function toAscii(image: Tensor | ArrayLike<number>, opts: AsciiOptions = {}): string {
  const op = 'toAscii';
  const ramp = opts.ramp ?? RAMP;
  if (typeof ramp !== 'string' || ramp.length < 2) throw new TypeError(`${op}: ramp must be a string of at least 2 characters, got ${describe(ramp)}`);
  const cpp = opts.charsPerPixel ?? 2;
  if (!Number.isInteger(cpp) || cpp < 1) throw new TypeError(`${op}: charsPerPixel must be a positive integer, got ${describe(cpp)}`);
  let h: number, w: number, vals: ArrayLike<number>, max: number;
  if (image !== null && typeof image === 'object' && 'dtype' in image && typeof (image as Tensor).data === 'function') {
    const t = image as Tensor;
    const shape = t.shape;
    if (!(shape.length === 2 || (shape.length === 3 && shape[0] === 1))) {
      throw new RangeError(`${op}: expected an image of shape [H, W] or [1, H, W], got [${shape.join(', ')}]`);
    }
    if (t.dtype === 'bool' || t.dtype === 'int64') throw new TypeError(`${op}: expected a uint8 or floating-point image, got ${t.dtype}`);
    h = shape[shape.length - 2]!;
    w = shape[shape.length - 1]!;
    const src = t.dtype === 'float16' || t.dtype === 'bfloat16' ? t.to('float32') : t;
    vals = src.data() as ArrayLike<number>;
    max = t.dtype === 'uint8' || t.dtype === 'int32' ? 255 : 1;
  } else if (image !== null && typeof image === 'object' && typeof (image as ArrayLike<number>).length === 'number') {
    vals = image as ArrayLike<number>;
    const side = Math.round(Math.sqrt(vals.length));
    if (side * side !== vals.length) throw new RangeError(`${op}: a flat image must be square, got ${vals.length} values`);
    h = w = side;
    max = vals instanceof Uint8Array ? 255 : 1;
  } else {
    throw new TypeError(`${op}: expected an image tensor or an array of pixel values, got ${describe(image)}`);
  }
  const lines: string[] = [];
  const top = ramp.length - 1;
  for (let y = 0; y < h; y++) {
    let line = '';
    for (let x = 0; x < w; x++) {
      const v = Number(vals[y * w + x]) / max;
      const k = Number.isFinite(v) ? Math.min(top, Math.max(0, Math.round(v * top))) : 0;
      line += ramp[k]!.repeat(cpp);
    }
    lines.push(line);
  }
  return lines.join('\n');
}
