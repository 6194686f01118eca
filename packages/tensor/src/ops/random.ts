/**
 * Random numbers: one counter-based generator (Philox 4x32-10) behind every sampler.
 *
 * A `Generator` is a 64-bit seed (the Philox key) and a counter offset. Each op reads a range of
 * the counter space that depends only on the offset and on each element's index, then advances the
 * offset past what it used: results do not depend on the thread count, two calls differ, and
 * re-seeding reproduces both. Every op takes `{ generator }` in its options; without it the
 * default generator (seeded by `manualSeed`) is used.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * const x = randn([2, 3]);
 * const g = new Generator().manualSeed(42);
 * const k = randint(0, 10, [5], { generator: g });
 * const s = standardGamma(full([1000], 0.5));
 * ```
 */
import { cuda, kernels, native } from '@cinder/native';
import { empty, parseShape, scalarTensor, shapeNumel, type CreationOptions } from '../creation.js';
import { canonicalDevice, deviceIndex, parseDevice, type Device } from '../device.js';
import { dispatch } from '../dispatch.js';
import { checkDType, getDefaultDType, isFloatingDType, resultType, type DType } from '../dtype.js';
import { frame, putTensor, runOn } from '../frame.js';
import { broadcastShapes, shapeString } from '../shape.js';
import { Tensor } from '../tensor.js';

const TWO32 = 4294967296;
const MASK64 = (1n << 64n) - 1n;
/** PyTorch's default seed, so a fresh process starts from a fixed, documented stream. */
const DEFAULT_SEED = 67280421310721n;

function toSeed(seed: number | bigint, op: string): bigint {
  if (typeof seed === 'bigint') return seed & MASK64;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new TypeError(`${op}: seed must be an integer (a safe-integer number or a bigint), got ${String(seed)}`);
  }
  // Negative seeds wrap to uint64 as PyTorch's do.
  return BigInt(seed) & MASK64;
}

function seedToJs(s: bigint): number | bigint {
  return s <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s) : s;
}

/**
 * A Philox 4x32-10 random number generator: a 64-bit seed and a counter offset.
 * @example
 * ```ts
 * const g = new Generator().manualSeed(7);
 * const a = rand([3], { generator: g });
 * const state = g.getState();
 * const b = rand([3], { generator: g });
 * g.setState(state);
 * rand([3], { generator: g }); // equal to b
 * ```
 */
export class Generator {
  readonly device: Device;
  private _seed: bigint = DEFAULT_SEED;
  /** @internal Counter position (Philox blocks / sub-streams) that the next op starts from. */
  _offset = 0;

  constructor(opts?: { device?: Device }) {
    this.device = opts?.device === undefined ? 'cpu' : parseDevice(opts.device, 'Generator');
  }

  /** Sets the seed and rewinds the counter; returns this generator. */
  manualSeed(seed: number | bigint): this {
    this._seed = toSeed(seed, 'manualSeed');
    this._offset = 0;
    return this;
  }

  /** Seeds from a non-deterministic source and returns the new seed. */
  seed(): number {
    const buf = new Uint32Array(2);
    globalThis.crypto.getRandomValues(buf);
    const s = (buf[0]! & 0x1fffff) * TWO32 + buf[1]!; // 53 bits: exact as a JS number
    this.manualSeed(s);
    return s;
  }

  /** The seed last set (a number when it is a safe integer, else a bigint). */
  initialSeed(): number | bigint {
    return seedToJs(this._seed);
  }

  /** The full state (seed and offset, little-endian uint64 each) as a uint8 tensor of 16 bytes. */
  getState(): Tensor {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, this._seed, true);
    view.setBigUint64(8, BigInt(this._offset), true);
    return tensorFromBytes(bytes);
  }

  /** Restores a state from getState(). */
  setState(state: Tensor): this {
    if (!(state instanceof Tensor) || state.dtype !== 'uint8' || state.numel() !== 16) {
      const what = state instanceof Tensor ? `a ${state.dtype} tensor of shape ${shapeString(state.shape)}` : typeof state;
      throw new TypeError(`setState: expected the uint8 tensor of 16 bytes that getState() returns, got ${what}`);
    }
    const bytes = new Uint8Array(state.contiguous().data() as Uint8Array);
    const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
    const off = view.getBigUint64(8, true);
    if (off > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('setState: offset in the state is out of range');
    this._seed = view.getBigUint64(0, true);
    this._offset = Number(off);
    return this;
  }

  /** @internal Writes key[2] and the offset at frame[p..p+3); returns the next position. */
  _put(p: number): number {
    frame[p] = Number(this._seed & 0xffffffffn);
    frame[p + 1] = Number(this._seed >> 32n);
    frame[p + 2] = this._offset;
    return p + 3;
  }
  /** @internal */
  _advance(n: number): void {
    this._offset += n;
  }
}

function tensorFromBytes(bytes: Uint8Array): Tensor {
  const t = empty([bytes.length], { dtype: 'uint8' });
  native.write(t._st.handle, 0, bytes);
  return t;
}

/** The generator every op uses when none is given. */
export const defaultGenerator = new Generator();

/** Seeds the default generator (torch.manual_seed); returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
/** Seeds the default generator non-deterministically; returns the seed. */
export function seed(): number {
  return defaultGenerator.seed();
}
/** The default generator's seed. */
export function initialSeed(): number | bigint {
  return defaultGenerator.initialSeed();
}
/** The default generator's state (torch.get_rng_state). */
export function getRngState(): Tensor {
  return defaultGenerator.getState();
}
/** Restores the default generator's state (torch.set_rng_state). */
export function setRngState(state: Tensor): void {
  defaultGenerator.setState(state);
}

/**
 * The Philox 4x32-10 block function on one counter (4 uint32 words) and key (2 words), for
 * known-answer tests and for checking other implementations against this one.
 */
export function philox4x32(counter: readonly number[], key: readonly number[]): number[] {
  if (counter.length !== 4 || key.length !== 2) throw new RangeError('philox4x32: expected a counter of 4 words and a key of 2 words');
  for (const w of [...counter, ...key]) {
    if (!Number.isInteger(w) || w < 0 || w >= TWO32) throw new RangeError(`philox4x32: words must be uint32, got ${w}`);
  }
  frame.set(counter, 0);
  frame.set(key, 4);
  kernels.philoxBlock!();
  return [frame[0]!, frame[1]!, frame[2]!, frame[3]!];
}

// ---- shared plumbing ---------------------------------------------------------------------------

export interface GeneratorOptions {
  generator?: Generator;
}
export interface RandomOptions extends CreationOptions, GeneratorOptions {}

const opTables = native as unknown as Record<string, Record<string, number>>;
const FILL = opTables.randomFillOps!;
const SAMPLE = opTables.randomSampleOps!;

function genOf(opts: GeneratorOptions | undefined, op: string): Generator {
  const g = opts?.generator;
  if (g === undefined) return defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError(`${op}: generator must be a Generator, got ${typeof g}`);
  return g;
}

type ShapeArgs = [readonly number[], RandomOptions?] | number[] | [...number[], RandomOptions];

/** `f([2, 3], opts)` or `f(2, 3, opts)` -> [shape, opts]. */
function splitShape(args: readonly unknown[], op: string): [number[], RandomOptions | undefined] {
  if (args.length > 0 && Array.isArray(args[0])) {
    if (args.length > 2) throw new TypeError(`${op}: expected (shape, options?), got ${args.length} arguments`);
    return [parseShape([args[0]], op), args[1] as RandomOptions | undefined];
  }
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && last !== null) return [parseShape(args.slice(0, -1), op), last as RandomOptions];
  return [parseShape(args, op), undefined];
}

// Samples are drawn on the requested device. The CUDA kernels compute every element's Philox
// counters as the CPU kernels do, so a seed gives the same values on every device.
function checkDevice(opts: CreationOptions | undefined, op: string): Device {
  if (opts?.device === undefined) return 'cpu';
  const device = canonicalDevice(opts.device, op);
  if (device === 'cpu') return device;
  const count = cuda.deviceCount();
  if (count === 0) throw new Error(`${op}: CUDA is not available: no usable CUDA device (cuda.isAvailable() is false)`);
  const index = deviceIndex(device);
  if (index >= count) throw new Error(`${op}: CUDA device ${device} does not exist (${count} CUDA device(s) present)`);
  return device;
}

function finish(t: Tensor, opts: CreationOptions | undefined): Tensor {
  if (opts?.device !== undefined) {
    const device = canonicalDevice(opts.device, 'to');
    if (device !== t.device) {
      const moved = t.to(device);
      t.dispose();
      t = moved;
    }
  }
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function floatDType(d: DType | undefined, op: string): DType {
  const dt = d === undefined ? getDefaultDType() : checkDType(d, op);
  if (!isFloatingDType(dt)) throw new TypeError(`${op}: expected a floating-point dtype, got ${dt}`);
  return dt;
}

/** float16/bfloat16 are storage types: sample in float32 and convert. */
const computeOf = (d: DType): DType => (d === 'float16' || d === 'bfloat16' ? 'float32' : d);

/** A fresh contiguous `dtype` tensor on `device` filled by flat-stream op `code`. */
function freshFill(code: string, shape: readonly number[], dtype: DType, a: number, b: number, gen: Generator,
  device: Device): Tensor {
  const cdt = computeOf(dtype);
  const out = empty([...shape], { dtype: cdt, device });
  fillInto(code, out, a, b, gen);
  if (cdt === dtype) return out;
  const cast = out._copyAs(dtype);
  out.dispose();
  return cast;
}

function fillInto(code: string, out: Tensor, a: number, b: number, gen: Generator): void {
  frame[0] = FILL[code]!;
  const p = putTensor(1, out);
  frame[p] = a;
  frame[p + 1] = b;
  gen._put(p + 2);
  runOn('randomFill', out.device, code);
  gen._advance(frame[0]!);
}

/** In-place fill: direct when x is contiguous in a compute dtype, else through a temporary. */
function fillInPlace(op: string, code: string, x: Tensor, a: number, b: number, gen: Generator): Tensor {
  return dispatch(op, [x], { a, b }, () => {
    if (x.isContiguous() && computeOf(x.dtype) === x.dtype) {
      fillInto(code, x, a, b, gen);
    } else {
      const tmp = freshFill(code, x.shape, x.dtype, a, b, gen, x.device);
      const p = putTensor(0, tmp);
      putTensor(p, x);
      runOn('copyInto', x.device, op);
      tmp.dispose();
    }
    x._st.version++;
    return x;
  });
}

type Param = Tensor | number;

/**
 * Runs per-element sampler `code` over broadcast tensor parameters. The result dtype is the
 * parameters' (floating) dtype, or `dtype` when only numbers are given.
 */
function sampleParams(op: string, code: string, a: Param, b: Param | undefined, gen: Generator, dtypeIfScalars: DType,
  shape?: readonly number[]): Tensor {
  const tensors = [a, b].filter((v): v is Tensor => v instanceof Tensor);
  for (const v of [a, b]) {
    if (v !== undefined && !(v instanceof Tensor) && typeof v !== 'number') {
      throw new TypeError(`${op}: expected a tensor or a number as parameter, got ${typeof v}`);
    }
  }
  const dtype = tensors.length ? resultType(tensors.map((t) => t.dtype)) : dtypeIfScalars;
  if (!isFloatingDType(dtype)) {
    throw new TypeError(`${op}: expected floating-point parameters, got ${tensors.map((t) => t.dtype).join(' and ')}`);
  }
  const outShape = broadcastShapes(op, ...tensors.map((t) => t.shape), ...(shape ? [shape] : []));
  if (shape && shapeString(outShape) !== shapeString(shape)) {
    throw new RangeError(`${op}: parameters of shape ${tensors.map((t) => shapeString(t.shape)).join(' and ')} do not broadcast to the requested shape ${shapeString(shape)}`);
  }
  // Number parameters ride in attrs (a tensor parameter is in inputs, in a-then-b order).
  const attrs: Record<string, number> = {};
  if (typeof a === 'number') attrs.a = a;
  if (typeof b === 'number') attrs.b = b;
  const device = tensors.length ? tensors[0]!.device : 'cpu';
  return dispatch(op, tensors, attrs, () => {
    const cdt = computeOf(dtype);
    const asT = (v: Param): Tensor => (v instanceof Tensor ? (v.dtype === cdt ? v : v._copyAs(cdt)) : scalarTensor(v, cdt, device));
    const ta = asT(a);
    const tb = b === undefined ? ta : asT(b);
    const out = empty([...outShape], { dtype: cdt, device });
    frame[0] = SAMPLE[code]!;
    let p = putTensor(1, out);
    p = putTensor(p, ta);
    p = putTensor(p, tb);
    gen._put(p);
    runOn('randomSample', device, op);
    gen._advance(shapeNumel(outShape));
    return cdt === dtype ? out : out._copyAs(dtype);
  });
}

function checkFinite(op: string, what: string, v: number): void {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${op}: ${what} must be a number, got ${String(v)}`);
}

// ---- creation ------------------------------------------------------------------------------

/** Uniform samples on [0, 1): rand(2, 3), rand([2, 3], { dtype: 'float64', generator }). */
export function rand(...args: ShapeArgs): Tensor {
  const [shape, o] = splitShape(args, 'rand');
  const device = checkDevice(o, 'rand');
  const dtype = floatDType(o?.dtype, 'rand');
  const gen = genOf(o, 'rand');
  return finish(dispatch('rand', [], { shape, dtype }, () => freshFill('uniform_', shape, dtype, 0, 1, gen, device)), o);
}

/** Standard normal samples: randn(2, 3), randn([2, 3], { dtype: 'float64' }). */
export function randn(...args: ShapeArgs): Tensor {
  const [shape, o] = splitShape(args, 'randn');
  const device = checkDevice(o, 'randn');
  const dtype = floatDType(o?.dtype, 'randn');
  const gen = genOf(o, 'randn');
  return finish(dispatch('randn', [], { shape, dtype }, () => freshFill('normal_', shape, dtype, 0, 1, gen, device)), o);
}

const INT_BOUNDS: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 256], int32: [-(2 ** 31), 2 ** 31], int64: [-(2 ** 63), 2 ** 63], bool: [0, 2],
  float16: [-(2 ** 11), 2 ** 11], bfloat16: [-(2 ** 8), 2 ** 8], float32: [-(2 ** 24), 2 ** 24], float64: [-(2 ** 53), 2 ** 53],
};

function checkIntRange(op: string, low: number, high: number, dtype: DType): void {
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw new TypeError(`${op}: low and high must be integers, got low=${low} high=${high}`);
  if (!(high > low)) throw new RangeError(`${op}: expected low < high, got low=${low} high=${high}`);
  const [lo, hi] = INT_BOUNDS[dtype]!;
  if (low < lo || high > hi) throw new RangeError(`${op}: range [${low}, ${high}) does not fit dtype ${dtype}`);
}

function intFill(op: string, shape: readonly number[], low: number, high: number, dtype: DType, gen: Generator,
  device: Device): Tensor {
  checkIntRange(op, low, high, dtype);
  return freshFill('randint', shape, dtype, low, high, gen, device);
}

/**
 * Integers uniform on [low, high): randint(10, [3]), randint(-5, 5, [2, 2], { dtype: 'int32' }).
 * The dtype defaults to int64.
 */
export function randint(high: number, shape: readonly number[], opts?: RandomOptions): Tensor;
export function randint(low: number, high: number, shape: readonly number[], opts?: RandomOptions): Tensor;
export function randint(a: number, b: number | readonly number[], c?: readonly number[] | RandomOptions, d?: RandomOptions): Tensor {
  let low = 0, high: number, shape: number[], o: RandomOptions | undefined;
  if (Array.isArray(b)) {
    high = a;
    shape = parseShape([b], 'randint');
    o = c as RandomOptions | undefined;
  } else {
    if (!Array.isArray(c)) throw new TypeError('randint: expected (high, shape, options?) or (low, high, shape, options?)');
    low = a;
    high = b as number;
    shape = parseShape([c], 'randint');
    o = d;
  }
  const device = checkDevice(o, 'randint');
  const dtype = o?.dtype === undefined ? 'int64' : checkDType(o.dtype, 'randint');
  if (dtype === 'bool') throw new TypeError('randint: not supported for dtype bool');
  const gen = genOf(o, 'randint');
  return finish(dispatch('randint', [], { shape, low, high, dtype }, () => intFill('randint', shape, low, high, dtype, gen, device)), o);
}

/** A random permutation of 0..n-1 (int64 by default). */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  const device = checkDevice(opts, 'randperm');
  const dtype = opts?.dtype === undefined ? 'int64' : checkDType(opts.dtype, 'randperm');
  if (dtype === 'bool') throw new TypeError('randperm: not supported for dtype bool');
  if (n > 0) {
    const hi = INT_BOUNDS[dtype]![1];
    if (n - 1 >= hi) throw new RangeError(`randperm: n=${n} is too large for dtype ${dtype}`);
  }
  const gen = genOf(opts, 'randperm');
  return finish(dispatch('randperm', [], { n, dtype }, () => {
    const cdt = computeOf(dtype);
    const out = empty([n], { dtype: cdt, device });
    gen._put(putTensor(0, out));
    runOn('randperm', device);
    gen._advance(frame[0]!);
    if (cdt === dtype) return out;
    const cast = out._copyAs(dtype);
    out.dispose();
    return cast;
  }), opts);
}

/** Uniform samples on [low, high) (torch.distributions.Uniform(low, high).sample(shape)); tensor bounds broadcast. */
export function uniform(low: Param, high: Param, shape?: readonly number[] | RandomOptions, opts?: RandomOptions): Tensor {
  if (shape !== undefined && !Array.isArray(shape)) {
    opts = shape as RandomOptions;
    shape = undefined;
  }
  const s = shape === undefined ? undefined : parseShape([shape], 'uniform');
  const device = checkDevice(opts, 'uniform');
  const gen = genOf(opts, 'uniform');
  if (typeof low === 'number' && typeof high === 'number') {
    checkFinite('uniform', 'low', low);
    checkFinite('uniform', 'high', high);
    if (!(low <= high)) throw new RangeError(`uniform: expected low <= high, got low=${low} high=${high}`);
    const dtype = floatDType(opts?.dtype, 'uniform');
    const sh = s ?? [];
    return finish(dispatch('uniform', [], { low, high }, () => freshFill('uniform_', sh, dtype, low, high, gen, device)), opts);
  }
  return finish(sampleParams('uniform', 'uniform', low, high, gen, floatDType(opts?.dtype, 'uniform'), s), opts);
}

/**
 * Normal samples. normal(mean, std, shape) with numbers; normal(meanTensor, stdTensor),
 * normal(meanTensor, 1), normal(0, stdTensor) broadcast (torch.normal's overloads).
 */
export function normal(mean: Param, std: Param, shape?: readonly number[] | RandomOptions, opts?: RandomOptions): Tensor {
  if (shape !== undefined && !Array.isArray(shape)) {
    opts = shape as RandomOptions;
    shape = undefined;
  }
  const s = shape === undefined ? undefined : parseShape([shape], 'normal');
  const device = checkDevice(opts, 'normal');
  const gen = genOf(opts, 'normal');
  if (typeof mean === 'number' && typeof std === 'number') {
    checkFinite('normal', 'mean', mean);
    checkFinite('normal', 'std', std);
    if (!(std >= 0)) throw new RangeError(`normal: expected std >= 0, got ${std}`);
    const dtype = floatDType(opts?.dtype, 'normal');
    const sh = s ?? [];
    return finish(dispatch('normal', [], { mean, std }, () => freshFill('normal_', sh, dtype, mean, std, gen, device)), opts);
  }
  return finish(sampleParams('normal', 'normal', mean, std, gen, floatDType(opts?.dtype, 'normal'), s), opts);
}

/** Exponential samples with the given rate (a number with a shape, or a tensor of rates). */
export function exponential(rate: Param, shape?: readonly number[] | RandomOptions, opts?: RandomOptions): Tensor {
  if (shape !== undefined && !Array.isArray(shape)) {
    opts = shape as RandomOptions;
    shape = undefined;
  }
  const s = shape === undefined ? undefined : parseShape([shape], 'exponential');
  const device = checkDevice(opts, 'exponential');
  const gen = genOf(opts, 'exponential');
  if (typeof rate === 'number') {
    checkFinite('exponential', 'rate', rate);
    if (!(rate > 0)) throw new RangeError(`exponential: expected rate > 0, got ${rate}`);
    const dtype = floatDType(opts?.dtype, 'exponential');
    const sh = s ?? [];
    return finish(dispatch('exponential', [], { rate }, () => freshFill('exponential_', sh, dtype, rate, 0, gen, device)), opts);
  }
  return finish(sampleParams('exponential', 'exponential', rate, undefined, gen, floatDType(opts?.dtype, 'exponential'), s), opts);
}

export interface BernoulliOptions extends GeneratorOptions {
  /** A fixed probability: the input then only gives the shape and dtype. */
  p?: number;
}

/**
 * Bernoulli draws: 1 with probability `probs` (elementwise), in probs' dtype. With `{ p }` the
 * input only gives the shape and dtype.
 */
export function bernoulli(probs: Tensor, opts?: BernoulliOptions): Tensor {
  if (!(probs instanceof Tensor)) throw new TypeError(`bernoulli: expected a tensor of probabilities, got ${typeof probs}`);
  const gen = genOf(opts, 'bernoulli');
  if (opts?.p !== undefined) {
    const p = opts.p;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: expected p in [0, 1], got ${p}`);
    return dispatch('bernoulli', [probs], { p }, () => freshFill('bernoulli_', probs.shape, probs.dtype, p, 0, gen, probs.device));
  }
  if (!isFloatingDType(probs.dtype)) throw new TypeError(`bernoulli: expected a floating-point tensor of probabilities, got ${probs.dtype}`);
  return sampleParams('bernoulli', 'bernoulli', probs, undefined, gen, probs.dtype);
}

export interface MultinomialOptions extends GeneratorOptions {
  replacement?: boolean;
}

/**
 * Draws `numSamples` category indices (int64) per row of `probs` (1-d or 2-d, non-negative,
 * not necessarily normalised). Without replacement, categories are drawn in order, each once.
 */
export function multinomial(probs: Tensor, numSamples: number, opts?: MultinomialOptions): Tensor {
  const op = 'multinomial';
  if (!(probs instanceof Tensor)) throw new TypeError(`${op}: expected a tensor of probabilities, got ${typeof probs}`);
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new RangeError(`${op}: prob_dist must be 1 or 2 dim, got shape ${shapeString(probs.shape)}`);
  if (!isFloatingDType(probs.dtype)) throw new TypeError(`${op}: expected a floating-point tensor of probabilities, got ${probs.dtype}`);
  if (!Number.isSafeInteger(numSamples) || numSamples <= 0) throw new RangeError(`${op}: cannot sample numSamples=${numSamples} samples (expected a positive integer)`);
  const replacement = opts?.replacement ?? false;
  const k = probs.shape[probs.ndim - 1]!;
  if (k === 0) throw new RangeError(`${op}: number of categories cannot be zero (probs of shape ${shapeString(probs.shape)})`);
  if (!replacement && numSamples > k) {
    throw new RangeError(`${op}: cannot sample numSamples=${numSamples} > number of categories ${k} without replacement`);
  }
  const gen = genOf(opts, op);
  return dispatch(op, [probs], { numSamples, replacement }, () => {
    const rows = probs.ndim === 2 ? probs.shape[0]! : 1;
    const cdt = computeOf(probs.dtype);
    let p2 = probs.dtype === cdt ? probs.contiguous() : probs._copyAs(cdt);
    p2 = p2._view([rows, k], [k, 1], p2.offset);
    const out = empty([rows, numSamples], { dtype: 'int64', device: probs.device });
    let p = putTensor(0, out);
    p = putTensor(p, p2);
    frame[p] = replacement ? 1 : 0;
    gen._put(p + 1);
    runOn('multinomial', probs.device);
    gen._advance(rows);
    return probs.ndim === 2 ? out : out._view([numSamples], [1], 0);
  });
}

// ---- samplers for probabilistic programming -------------------------------------------------

/** Gamma(alpha, 1) samples, elementwise (torch._standard_gamma); Marsaglia-Tsang. */
export function standardGamma(alpha: Tensor, opts?: GeneratorOptions): Tensor {
  return sampleParams('standardGamma', 'standardGamma', tensorArg(alpha, 'standardGamma'), undefined, genOf(opts, 'standardGamma'), 'float32');
}

/** Beta(a, b) samples, broadcast (as X / (X + Y) of two gammas). */
export function beta(a: Param, b: Param, opts?: GeneratorOptions): Tensor {
  return sampleParams('beta', 'beta', a, b, genOf(opts, 'beta'), getDefaultDType());
}

/** Poisson(rate) samples, elementwise, in rate's dtype (torch.poisson). */
export function poisson(rate: Tensor, opts?: GeneratorOptions): Tensor {
  return sampleParams('poisson', 'poisson', tensorArg(rate, 'poisson'), undefined, genOf(opts, 'poisson'), 'float32');
}

/** Binomial(count, prob) samples, broadcast, as floats (torch.binomial). */
export function binomial(count: Param, prob: Param, opts?: GeneratorOptions): Tensor {
  return sampleParams('binomial', 'binomial', count, prob, genOf(opts, 'binomial'), getDefaultDType());
}

/** Dirichlet(alpha) samples over the last dim (torch._sample_dirichlet): rows sum to 1. */
export function dirichlet(alpha: Tensor, opts?: GeneratorOptions): Tensor {
  const op = 'dirichlet';
  tensorArg(alpha, op);
  if (!isFloatingDType(alpha.dtype)) throw new TypeError(`${op}: expected a floating-point tensor of concentrations, got ${alpha.dtype}`);
  if (alpha.ndim === 0) throw new RangeError(`${op}: alpha must have at least one dim (the categories), got a 0-d tensor`);
  const gen = genOf(opts, op);
  return dispatch(op, [alpha], {}, () => {
    const k = alpha.shape[alpha.ndim - 1]!;
    const n = alpha.numel();
    const rows = k === 0 ? 0 : n / k;
    const cdt = computeOf(alpha.dtype);
    const a = alpha.dtype === cdt ? alpha.contiguous() : alpha._copyAs(cdt);
    const out = empty([...alpha.shape], { dtype: cdt, device: alpha.device });
    let p = putTensor(0, out._view([rows, k], [k, 1], 0));
    p = putTensor(p, a._view([rows, k], [k, 1], a.offset));
    gen._put(p);
    runOn('dirichlet', alpha.device);
    gen._advance(n);
    return cdt === alpha.dtype ? out : out._copyAs(alpha.dtype);
  });
}

const GRAD = opTables.randomGradOps!;

/** Elementwise broadcast kernel `code` of the reparameterisation gradients over x, a, b. */
function randomGradOp(op: string, x: Tensor, a: Tensor, b: Tensor): Tensor {
  for (const t of [x, a, b]) tensorArg(t, op);
  const dtype = resultType([x.dtype, a.dtype, b.dtype]);
  if (!isFloatingDType(dtype)) throw new TypeError(`${op}: expected floating-point tensors, got ${x.dtype}, ${a.dtype} and ${b.dtype}`);
  const outShape = broadcastShapes(op, x.shape, a.shape, b.shape);
  const inputs = op === 'standardGammaGrad' ? [x, a] : [x, a, b];
  return dispatch(op, inputs, {}, () => {
    const cdt = computeOf(dtype);
    const as = (t: Tensor): Tensor => (t.dtype === cdt ? t : t._copyAs(cdt));
    const out = empty([...outShape], { dtype: cdt, device: x.device });
    frame[0] = GRAD[op]!;
    let p = putTensor(1, out);
    p = putTensor(p, as(x));
    p = putTensor(p, as(a));
    putTensor(p, as(b));
    runOn('randomGrad', x.device, op);
    return cdt === dtype ? out : out._copyAs(dtype);
  });
}

/**
 * @internal The implicit reparameterisation gradient of standardGamma (torch._standard_gamma_grad):
 * d x / d alpha for x ~ Gamma(alpha, 1) with the CDF held fixed, -(dF/dalpha) / (dF/dx) at
 * (x, alpha); elementwise, broadcast, float32/float64 (computed in double).
 */
export function standardGammaGrad(x: Tensor, alpha: Tensor): Tensor {
  return randomGradOp('standardGammaGrad', x, alpha, alpha);
}

/**
 * @internal The implicit reparameterisation gradient of Beta(a, b) samples: d x / d a with b and
 * the CDF I_x(a, b) held fixed; elementwise, broadcast (the kernel behind beta's and
 * dirichlet's gradients, as torch._dirichlet_grad with total = a + b, times 1 - x).
 */
export function betaGrad(x: Tensor, a: Tensor, b: Tensor): Tensor {
  return randomGradOp('betaGrad', x, a, b);
}

function tensorArg(t: Tensor, op: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected a tensor, got ${typeof t}`);
  return t;
}

// ---- in-place fills ------------------------------------------------------------------------

function checkFloatTensor(x: Tensor, op: string): void {
  if (!isFloatingDType(x.dtype)) throw new TypeError(`${op}: expected a floating-point tensor, got ${x.dtype}`);
}

/** Fills x with uniform samples on [from, to). */
export function uniform_(x: Tensor, from = 0, to = 1, opts?: GeneratorOptions): Tensor {
  checkFloatTensor(x, 'uniform_');
  checkFinite('uniform_', 'from', from);
  checkFinite('uniform_', 'to', to);
  if (!(from <= to)) throw new RangeError(`uniform_: expected from <= to, got from=${from} to=${to}`);
  return fillInPlace('uniform_', 'uniform_', x, from, to, genOf(opts, 'uniform_'));
}

/** Fills x with normal samples. */
export function normal_(x: Tensor, mean = 0, std = 1, opts?: GeneratorOptions): Tensor {
  checkFloatTensor(x, 'normal_');
  checkFinite('normal_', 'mean', mean);
  if (!(std >= 0)) throw new RangeError(`normal_: expected std >= 0, got ${std}`);
  return fillInPlace('normal_', 'normal_', x, mean, std, genOf(opts, 'normal_'));
}

/** Fills x with exponential samples of rate lambd. */
export function exponential_(x: Tensor, lambd = 1, opts?: GeneratorOptions): Tensor {
  checkFloatTensor(x, 'exponential_');
  if (!(lambd > 0)) throw new RangeError(`exponential_: expected lambd > 0, got ${lambd}`);
  return fillInPlace('exponential_', 'exponential_', x, lambd, 0, genOf(opts, 'exponential_'));
}

/** Fills x with Bernoulli(p) draws; p a number or a tensor broadcast to x. */
export function bernoulli_(x: Tensor, p: Param = 0.5, opts?: GeneratorOptions): Tensor {
  const gen = genOf(opts, 'bernoulli_');
  if (typeof p === 'number') {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_: expected p in [0, 1], got ${p}`);
    return fillInPlace('bernoulli_', 'bernoulli_', x, p, 0, gen);
  }
  const pd = isFloatingDType(p.dtype) ? p.dtype : getDefaultDType();
  broadcastShapes('bernoulli_', x.shape, p.shape);
  const pt = p.dtype === pd ? p : p._copyAs(pd);
  return dispatch('bernoulli_', [x, pt], {}, () => {
    const draws = asOp('bernoulli_', 'bernoulli', () => sampleParams('bernoulli_', 'bernoulli', pt, undefined, gen, pd, x.shape));
    const q = putTensor(0, draws);
    putTensor(q, x);
    runOn('copyInto', x.device, 'bernoulli_');
    x._st.version++;
    return x;
  });
}

/**
 * Fills x with integers uniform on [from, to) (torch's random_): random_(to), random_(from, to),
 * or random_() for [0, 2^mantissa] on floats and [0, max] on integers.
 */
export function random_(x: Tensor, from?: number | GeneratorOptions, to?: number | GeneratorOptions, opts?: GeneratorOptions): Tensor {
  if (typeof from === 'object') { opts = from; from = undefined; }
  if (typeof to === 'object') { opts = to; to = undefined; }
  const gen = genOf(opts, 'random_');
  if (from === undefined) {
    // Storage-only float types: every integer up to 2^(mantissa bits + 1) is exact.
    if (x.dtype === 'float16' || x.dtype === 'bfloat16') return fillInPlace('random_', 'randint', x, 0, INT_BOUNDS[x.dtype]![1] + 1, gen);
    return fillInPlace('random_', 'random_', x, 0, 0, gen);
  }
  const [lo, hi] = to === undefined ? [0, from] : [from, to];
  checkIntRange('random_', lo, hi, x.dtype);
  return fillInPlace('random_', 'randint', x, lo, hi, gen);
}

// ---- *Like ----------------------------------------------------------------------------------

function likeOpts(x: Tensor, o: RandomOptions | undefined, op: string): RandomOptions {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a tensor, got ${typeof x}`);
  return { ...o, dtype: o?.dtype ?? x.dtype };
}
/** rand with x's shape and dtype. */
/** Runs a wrapped op so that its errors name the op the user called. */
function asOp<R>(op: string, inner: string, fn: () => R): R {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`${inner}: `)) e.message = `${op}: ${e.message.slice(inner.length + 2)}`;
    throw e;
  }
}

export function randLike(x: Tensor, opts?: RandomOptions): Tensor {
  return asOp('randLike', 'rand', () => rand([...x.shape], likeOpts(x, opts, 'randLike')));
}
/** randn with x's shape and dtype. */
export function randnLike(x: Tensor, opts?: RandomOptions): Tensor {
  return asOp('randnLike', 'randn', () => randn([...x.shape], likeOpts(x, opts, 'randnLike')));
}
/** randint with x's shape and dtype: randintLike(x, high) or randintLike(x, low, high). */
export function randintLike(x: Tensor, low: number, high?: number | RandomOptions, opts?: RandomOptions): Tensor {
  if (typeof high === 'object') { opts = high; high = undefined; }
  const o = likeOpts(x, opts, 'randintLike');
  return asOp('randintLike', 'randint', () =>
    high === undefined ? randint(low, [...x.shape], o) : randint(low, high as number, [...x.shape], o));
}

// ---- methods ----------------------------------------------------------------------------------

declare module '../tensor.js' {
  interface Tensor {
    bernoulli(opts?: BernoulliOptions): Tensor;
    multinomial(numSamples: number, opts?: MultinomialOptions): Tensor;
    uniform_(from?: number, to?: number, opts?: GeneratorOptions): Tensor;
    normal_(mean?: number, std?: number, opts?: GeneratorOptions): Tensor;
    exponential_(lambd?: number, opts?: GeneratorOptions): Tensor;
    bernoulli_(p?: Tensor | number, opts?: GeneratorOptions): Tensor;
    random_(from?: number | GeneratorOptions, to?: number | GeneratorOptions, opts?: GeneratorOptions): Tensor;
  }
}

const proto = Tensor.prototype;
proto.bernoulli = function (this: Tensor, o?: BernoulliOptions) { return bernoulli(this, o); };
proto.multinomial = function (this: Tensor, n: number, o?: MultinomialOptions) { return multinomial(this, n, o); };
proto.uniform_ = function (this: Tensor, a?: number, b?: number, o?: GeneratorOptions) { return uniform_(this, a, b, o); };
proto.normal_ = function (this: Tensor, m?: number, s?: number, o?: GeneratorOptions) { return normal_(this, m, s, o); };
proto.exponential_ = function (this: Tensor, l?: number, o?: GeneratorOptions) { return exponential_(this, l, o); };
proto.bernoulli_ = function (this: Tensor, p?: Tensor | number, o?: GeneratorOptions) { return bernoulli_(this, p, o); };
proto.random_ = function (this: Tensor, a?: number | GeneratorOptions, b?: number | GeneratorOptions, o?: GeneratorOptions) { return random_(this, a, b, o); };
