/**
 * Initializers (Sonnet's snt.initializers): objects whose `call(shape, dtype)` makes a variable's
 * initial value. Fans follow Sonnet's (TensorFlow's) weight layout, whose last dim is the output:
 * for [in, out] fanIn = in, fanOut = out; a convolution's [k..., in, out] multiplies both by the
 * kernel's size. Random draws come from @cinder/tensor's generator, so `manualSeed` fixes them.
 */
import { init } from '@cinder/nn';
import { empty, eye, full, isFloatingDType, normal, Tensor, uniform, type DType } from '@cinder/tensor';
import { formatArgs } from './repr.js';

/**
 * The base of every initializer: subclasses implement `call(shape, dtype)` and pass their
 * constructor's arguments to `super` for the printed form.
 * @example
 * ```ts
 * import { arange, type DType, type Tensor } from '@cinder/tensor';
 * import { Initializer } from '@cinder/modules';
 * class Ramp extends Initializer {
 *   constructor() { super([]); }
 *   call(shape: readonly number[], dtype: DType): Tensor {
 *     const n = shape.reduce((a, b) => a * b, 1);
 *     return arange(n, { dtype }).reshape([...shape]);
 *   }
 * }
 * console.log(String(new Ramp()), new Ramp().call([2, 2], 'float32').toArray()); // Ramp() [ [ 0, 1 ], [ 2, 3 ] ]
 * ```
 */
export abstract class Initializer {
  #args: unknown[];

  protected constructor(args: unknown[]) {
    let n = args.length;
    while (n > 0 && args[n - 1] === undefined) n--;
    this.#args = args.slice(0, n);
  }

  /** A new tensor of `shape` and `dtype` with this initializer's values. */
  abstract call(shape: readonly number[], dtype: DType): Tensor;

  toString(): string {
    return `${this.constructor.name}(${formatArgs(this.#args)})`;
  }
}

/** An initializer, or a function doing its job. */
export type InitializerLike = Initializer | ((shape: readonly number[], dtype: DType) => Tensor);

function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new TypeError(`${op}: expected a shape of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

function checkFloat(op: string, dtype: DType): void {
  if (!isFloatingDType(dtype)) throw new TypeError(`${op}: expected a floating point dtype, got ${dtype}`);
}

function num(op: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${op}: ${name} must be a number, got ${String(v)}`);
  return v;
}

/** Runs an initializer for `what` (`Linear 'linear'`, variable `w`) and checks what it made. */
export function initialize(initLike: InitializerLike, shape: readonly number[], dtype: DType, what: string, name: string): Tensor {
  let t: unknown;
  if (initLike instanceof Initializer) t = initLike.call(shape, dtype);
  else if (typeof initLike === 'function') t = initLike(shape, dtype);
  else throw new TypeError(`${what}: the initializer of '${name}' must be an Initializer or a function (shape, dtype) => Tensor, got ${String(initLike)}`);
  if (!(t instanceof Tensor)) throw new TypeError(`${what}: the initializer of '${name}' returned ${t === null ? 'null' : typeof t}, not a Tensor`);
  if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new RangeError(`${what}: the initializer of '${name}' returned shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  return t.dtype === dtype ? t : t.to(dtype);
}

/** Sonnet's fans for a weight whose last dim is the output: [fanIn, fanOut]. */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

/**
 * All zeros.
 * @example
 * ```ts
 * import { initializers } from '@cinder/modules';
 * console.log(new initializers.Zeros().call([2], 'float32').toArray()); // [ 0, 0 ]
 * ```
 */
export class Zeros extends Initializer {
  constructor() {
    super([]);
  }
  call(shape: readonly number[], dtype: DType): Tensor {
    checkShape('Zeros', shape);
    return full(shape, 0, { dtype });
  }
}

/**
 * All ones.
 * @example
 * ```ts
 * import { initializers } from '@cinder/modules';
 * console.log(new initializers.Ones().call([2], 'float32').toArray()); // [ 1, 1 ]
 * ```
 */
export class Ones extends Initializer {
  constructor() {
    super([]);
  }
  call(shape: readonly number[], dtype: DType): Tensor {
    checkShape('Ones', shape);
    return full(shape, 1, { dtype });
  }
}

/**
 * A constant: a number, or a tensor that broadcasts to the shape.
 * @example
 * ```ts
 * import { tensor } from '@cinder/tensor';
 * import { initializers } from '@cinder/modules';
 * console.log(new initializers.Constant(0.5).call([2], 'float32').toArray()); // [ 0.5, 0.5 ]
 * console.log(new initializers.Constant(tensor([1, 2])).call([2, 2], 'float32').toArray()); // [ [ 1, 2 ], [ 1, 2 ] ]
 * ```
 */
export class Constant extends Initializer {
  readonly value: number | Tensor;
  constructor(value: number | Tensor) {
    super([value]);
    if (typeof value !== 'number' && !(value instanceof Tensor)) throw new TypeError(`Constant: value must be a number or a Tensor, got ${String(value)}`);
    this.value = value;
  }
  call(shape: readonly number[], dtype: DType): Tensor {
    checkShape('Constant', shape);
    if (typeof this.value === 'number') return full(shape, this.value, { dtype });
    const v = this.value;
    const ok = v.ndim <= shape.length && v.shape.every((s, i) => s === 1 || s === shape[shape.length - v.ndim + i]);
    if (!ok) throw new RangeError(`Constant: value of shape [${v.shape.join(', ')}] does not broadcast to [${shape.join(', ')}]`);
    return v.to(dtype).expand([...shape]).contiguous();
  }
}

export interface RandomNormalOptions {
  mean?: number;
  stddev?: number;
}

/**
 * Draws from N(mean, stddev^2) (defaults 0 and 1).
 * @example
 * ```ts
 * import { manualSeed } from '@cinder/tensor';
 * import { initializers } from '@cinder/modules';
 * manualSeed(0);
 * console.log(new initializers.RandomNormal({ stddev: 0.1 }).call([3, 4], 'float32').shape); // [ 3, 4 ]
 * ```
 */
export class RandomNormal extends Initializer {
  readonly mean: number;
  readonly stddev: number;
  constructor(opts: RandomNormalOptions = {}) {
    super([opts]);
    this.mean = num('RandomNormal', 'mean', opts.mean, 0);
    this.stddev = num('RandomNormal', 'stddev', opts.stddev, 1);
  }
  call(shape: readonly number[], dtype: DType): Tensor {
    checkShape('RandomNormal', shape);
    checkFloat('RandomNormal', dtype);
    return normal(this.mean, this.stddev, [...shape], { dtype });
  }
}

export interface RandomUniformOptions {
  minval?: number;
  maxval?: number;
}

/**
 * Draws uniformly from [minval, maxval) (defaults 0 and 1).
 * @example
 * ```ts
 * import { initializers } from '@cinder/modules';
 * const t = new initializers.RandomUniform({ minval: -1, maxval: 1 }).call([100], 'float32');
 * console.log(t.min().item() as number >= -1, t.max().item() as number < 1); // true true
 * ```
 */
export class RandomUniform extends Initializer {
  readonly minval: number;
  readonly maxval: number;
  constructor(opts: RandomUniformOptions = {}) {
    super([opts]);
    this.minval = num('RandomUniform', 'minval', opts.minval, 0);
    this.maxval = num('RandomUniform', 'maxval', opts.maxval, 1);
    if (!(this.minval <= this.maxval)) throw new RangeError(`RandomUniform: expected minval <= maxval, got ${this.minval} and ${this.maxval}`);
  }
  call(shape: readonly number[], dtype: DType): Tensor {
    checkShape('RandomUniform', shape);
    checkFloat('RandomUniform', dtype);
    return uniform(this.minval, this.maxval, [...shape], { dtype });
  }
}

/**
 * Draws from N(mean, stddev^2) truncated to two standard deviations around the mean (Sonnet's
 * default for Linear's and the convolutions' weights, with stddev 1 / sqrt(fanIn)).
 * @example
 * ```ts
 * import { initializers } from '@cinder/modules';
 * const t = new initializers.TruncatedNormal({ stddev: 0.5 }).call([1000], 'float32');
 * console.log(t.abs().max().item() as number <= 1); // true
 * ```
 */
export class TruncatedNormal extends Initializer {
  readonly mean: number;
  readonly stddev: number;
  constructor(opts: RandomNormalOptions = {}) {
    super([opts]);
    this.mean = num('TruncatedNormal', 'mean', opts.mean, 0);
    this.stddev = num('TruncatedNormal', 'stddev', opts.stddev, 1);
    if (!(this.stddev > 0)) throw new RangeError(`TruncatedNormal: stddev must be > 0, got ${this.stddev}`);
  }
  call(shape: readonly number[], dtype: DType): Tensor {
    checkShape('TruncatedNormal', shape);
    checkFloat('TruncatedNormal', dtype);
    const t = empty([...shape], { dtype });
    const { mean, stddev } = this;
    return init.truncNormal_(t, mean, stddev, mean - 2 * stddev, mean + 2 * stddev);
  }
}

export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg' | 'fanIn' | 'fanOut' | 'fanAvg';
export type ScalingDistribution = 'truncated_normal' | 'untruncated_normal' | 'uniform' | 'truncatedNormal' | 'untruncatedNormal';

export interface VarianceScalingOptions {
  /** Default 1. */
  scale?: number;
  /** Which fan n divides the scale (default 'fan_in'). */
  mode?: FanMode;
  /** Default 'truncated_normal'. */
  distribution?: ScalingDistribution;
}

/**
 * Samples with variance scale / n, n the fan chosen by `mode`: a normal truncated at two standard
 * deviations (its stddev corrected for the truncation), an untruncated normal, or uniform on
 * [-sqrt(3 scale / n), sqrt(3 scale / n)].
 * @example
 * ```ts
 * import { initializers } from '@cinder/modules';
 * const he = new initializers.VarianceScaling({ scale: 2, mode: 'fan_in', distribution: 'uniform' });
 * const w = he.call([50, 10], 'float32');
 * console.log(w.abs().max().item() as number <= Math.sqrt(6 / 50)); // true
 * ```
 */
export class VarianceScaling extends Initializer {
  readonly scale: number;
  readonly mode: 'fan_in' | 'fan_out' | 'fan_avg';
  readonly distribution: 'truncated_normal' | 'untruncated_normal' | 'uniform';
  constructor(opts: VarianceScalingOptions = {}) {
    super([opts]);
    this.scale = num('VarianceScaling', 'scale', opts.scale, 1);
    if (!(this.scale > 0)) throw new RangeError(`VarianceScaling: scale must be > 0, got ${this.scale}`);
    const mode = opts.mode ?? 'fan_in';
    const modes: Record<string, 'fan_in' | 'fan_out' | 'fan_avg'> = { fan_in: 'fan_in', fanIn: 'fan_in', fan_out: 'fan_out', fanOut: 'fan_out', fan_avg: 'fan_avg', fanAvg: 'fan_avg' };
    if (!(mode in modes)) throw new RangeError(`VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', got ${JSON.stringify(mode)}`);
    this.mode = modes[mode]!;
    const dist = opts.distribution ?? 'truncated_normal';
    const dists: Record<string, 'truncated_normal' | 'untruncated_normal' | 'uniform'> = {
      truncated_normal: 'truncated_normal', truncatedNormal: 'truncated_normal', untruncated_normal: 'untruncated_normal',
      untruncatedNormal: 'untruncated_normal', uniform: 'uniform',
    };
    if (!(dist in dists)) throw new RangeError(`VarianceScaling: distribution must be 'truncated_normal', 'untruncated_normal' or 'uniform', got ${JSON.stringify(dist)}`);
    this.distribution = dists[dist]!;
  }
  call(shape: readonly number[], dtype: DType): Tensor {
    checkShape('VarianceScaling', shape);
    checkFloat('VarianceScaling', dtype);
    const [fanIn, fanOut] = computeFans(shape);
    const n = Math.max(1, this.mode === 'fan_in' ? fanIn : this.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2);
    const variance = this.scale / n;
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return uniform(-limit, limit, [...shape], { dtype });
    }
    if (this.distribution === 'untruncated_normal') return normal(0, Math.sqrt(variance), [...shape], { dtype });
    // The stddev of a unit normal truncated to [-2, 2] is 0.8796...: divide it out.
    const stddev = Math.sqrt(variance) / 0.87962566103423978;
    return init.truncNormal_(empty([...shape], { dtype }), 0, stddev, -2 * stddev, 2 * stddev);
  }
}

export interface GainOptions {
  /** A multiplier of the values (default 1). */
  gain?: number;
}

/**
 * A (semi-)orthogonal matrix: the shape is read as [prod(shape[:-1]), shape[-1]], whose rows or
 * columns (whichever are fewer) are orthonormal, times `gain`.
 * @example
 * ```ts
 * import { eye } from '@cinder/tensor';
 * import { initializers } from '@cinder/modules';
 * const q = new initializers.Orthogonal().call([4, 4], 'float64');
 * console.log((q.matmul(q.t()).sub(eye(4, { dtype: 'float64' })).abs().max().item() as number) < 1e-12); // true
 * ```
 */
export class Orthogonal extends Initializer {
  readonly gain: number;
  constructor(opts: GainOptions = {}) {
    super([opts]);
    this.gain = num('Orthogonal', 'gain', opts.gain, 1);
  }
  call(shape: readonly number[], dtype: DType): Tensor {
    checkShape('Orthogonal', shape);
    checkFloat('Orthogonal', dtype);
    if (shape.length < 2) throw new RangeError(`Orthogonal: needs a shape of 2 or more dims, got [${shape.join(', ')}]`);
    const cols = shape[shape.length - 1]!;
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const t = empty([rows, cols], { dtype });
    return init.orthogonal_(t, { gain: this.gain }).reshape([...shape]);
  }
}

/**
 * The identity matrix (times `gain`) in the last two dims, repeated over any leading ones; a
 * non-square matrix gets ones on its main diagonal.
 * @example
 * ```ts
 * import { initializers } from '@cinder/modules';
 * console.log(new initializers.Identity({ gain: 2 }).call([2, 3], 'float32').toArray()); // [ [ 2, 0, 0 ], [ 0, 2, 0 ] ]
 * ```
 */
export class Identity extends Initializer {
  readonly gain: number;
  constructor(opts: GainOptions = {}) {
    super([opts]);
    this.gain = num('Identity', 'gain', opts.gain, 1);
  }
  call(shape: readonly number[], dtype: DType): Tensor {
    checkShape('Identity', shape);
    if (shape.length < 2) throw new RangeError(`Identity: needs a shape of 2 or more dims, got [${shape.join(', ')}]`);
    const r = shape[shape.length - 2]!;
    const c = shape[shape.length - 1]!;
    return eye(r, c, { dtype }).mul(this.gain).expand([...shape]).contiguous();
  }
}
