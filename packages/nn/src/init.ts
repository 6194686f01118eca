/**
 * torch.nn.init: in-place initialisers for parameters. Each runs under noGrad, draws from
 * @cinder/tensor's Philox generator (the default one, seeded by manualSeed, or `{ generator }`),
 * and returns the tensor it filled. The formulas are PyTorch's.
 *
 * @example
 * ```ts
 * import { empty, manualSeed } from '@cinder/tensor';
 * import { init } from '@cinder/nn';
 * manualSeed(0);
 * const w = empty([128, 784]);
 * init.kaimingUniform_(w, { a: Math.sqrt(5) });       // nn.Linear's default
 * init.xavierNormal_(w, { gain: init.calculateGain('tanh') });
 * init.orthogonal_(w);
 * ```
 */
import {
  eye, isFloatingDType, linalg, normal, randperm, tensor as makeTensor, Tensor, type Generator,
} from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';

export interface InitOptions {
  /** The generator to draw from (default: the global one). */
  generator?: Generator;
}

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'convTranspose1d' | 'convTranspose2d' | 'convTranspose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu'
  | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d' | 'leaky_relu';

export type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';

function checkTensor(op: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`init.${op}: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
  return t;
}

function checkFloat(op: string, t: unknown): Tensor {
  const x = checkTensor(op, t);
  if (!isFloatingDType(x.dtype)) throw new TypeError(`init.${op}: expected a floating-point tensor, got ${x.dtype} of shape [${x.shape.join(', ')}]`);
  return x;
}

function checkNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`init.${op}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

function genOpts(opts: InitOptions | undefined): InitOptions | undefined {
  return opts?.generator === undefined ? undefined : { generator: opts.generator };
}

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear, conv and
 * sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leakyRelu (slope default
 * 0.01), 3/4 for selu. Names are camelCase; PyTorch's snake_case names are accepted too.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'sigmoid':
    case 'convTranspose1d': case 'convTranspose2d': case 'convTranspose3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': case 'leaky_relu': {
      const slope = param === undefined ? 0.01 : param;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new TypeError(`init.calculateGain: negative slope ${String(param)} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new RangeError(`init.calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/**
 * [fanIn, fanOut] of a weight of at least 2 dims (torch.nn.init._calculate_fan_in_and_fan_out):
 * fanIn = size(1) * receptive field, fanOut = size(0) * receptive field, where the receptive
 * field is the product of the dims after the first two (a conv kernel's size).
 */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  const x = checkTensor('calculateFanInAndFanOut', t);
  if (x.ndim < 2) {
    throw new RangeError(`init.calculateFanInAndFanOut: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape [${x.shape.join(', ')}])`);
  }
  let receptive = 1;
  for (let i = 2; i < x.ndim; i++) receptive *= x.shape[i]!;
  return [x.shape[1]! * receptive, x.shape[0]! * receptive];
}

/** fanIn or fanOut of a weight, by mode. */
export function calculateCorrectFan(t: Tensor, mode: FanMode): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  if (mode === 'fanIn' || mode === 'fan_in') return fanIn;
  if (mode === 'fanOut' || mode === 'fan_out') return fanOut;
  throw new RangeError(`init: mode '${String(mode)}' is not supported, use 'fanIn' or 'fanOut'`);
}

/** Fills with U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1, opts?: InitOptions): Tensor {
  const x = checkFloat('uniform_', t);
  checkNumber('uniform_', 'a', a);
  checkNumber('uniform_', 'b', b);
  if (!(a <= b)) throw new RangeError(`init.uniform_: expected a <= b, got a=${a} b=${b}`);
  return noGrad(() => x.uniform_(a, b, genOpts(opts)));
}

/** Fills with N(mean, std^2). */
export function normal_(t: Tensor, mean = 0, std = 1, opts?: InitOptions): Tensor {
  const x = checkFloat('normal_', t);
  checkNumber('normal_', 'mean', mean);
  checkNumber('normal_', 'std', std);
  if (std < 0) throw new RangeError(`init.normal_: std must be >= 0, got ${std}`);
  return noGrad(() => x.normal_(mean, std, genOpts(opts)));
}

const normCdf = (x: number): number => (1 + erf(x / Math.SQRT2)) / 2;

/** erf to double precision (Abramowitz-Stegun 7.1.26 is too coarse for bounds far in the tails). */
function erf(x: number): number {
  // Series for |x| < 2.5, continued fraction for erfc beyond.
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = ax;
    let term = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(ax) = exp(-ax^2) / sqrt(pi) * 1 / (ax + 1/2 / (ax + 1 / (ax + 3/2 / (ax + ...))))
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/**
 * Fills with a normal N(mean, std^2) truncated to [a, b] (torch.nn.init.trunc_normal_): uniform
 * draws between the bounds' CDF values mapped through the inverse CDF, then clamped.
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, opts?: InitOptions): Tensor {
  const x = checkFloat('truncNormal_', t);
  for (const [n, v] of [['mean', mean], ['std', std], ['a', a], ['b', b]] as const) checkNumber('truncNormal_', n, v);
  if (!(std > 0)) throw new RangeError(`init.truncNormal_: std must be > 0, got ${std}`);
  if (!(a < b)) throw new RangeError(`init.truncNormal_: expected a < b, got a=${a} b=${b}`);
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  return noGrad(() => {
    x.uniform_(2 * l - 1, 2 * u - 1, genOpts(opts));
    x.erfinv_();
    x.mul_(std * Math.SQRT2);
    x.add_(mean);
    return x.clamp_(a, b);
  });
}

/** Fills with `val`. */
export function constant_(t: Tensor, val: number): Tensor {
  const x = checkTensor('constant_', t);
  if (typeof val !== 'number' && typeof val !== 'boolean') throw new TypeError(`init.constant_: val must be a number, got ${typeof val}`);
  return noGrad(() => x.fill_(val));
}

export function zeros_(t: Tensor): Tensor {
  return noGrad(() => checkTensor('zeros_', t).zero_());
}

export function ones_(t: Tensor): Tensor {
  return noGrad(() => checkTensor('ones_', t).fill_(1));
}

/** Fills a 2-D tensor with the identity (ones on the diagonal). */
export function eye_(t: Tensor): Tensor {
  const x = checkTensor('eye_', t);
  if (x.ndim !== 2) throw new RangeError(`init.eye_: only 2-D tensors are supported, got shape [${x.shape.join(', ')}]`);
  return noGrad(() => x.copy_(eye(x.shape[0]!, x.shape[1]!, { dtype: x.dtype, device: x.device })));
}

/**
 * Fills a 3-, 4- or 5-D convolution weight with the Dirac delta, so the convolution is the
 * identity on as many channels as possible; `groups` splits the output channels.
 */
export function dirac_(t: Tensor, groups = 1): Tensor {
  const x = checkTensor('dirac_', t);
  if (x.ndim < 3 || x.ndim > 5) throw new RangeError(`init.dirac_: only 3, 4 or 5-D tensors are supported, got shape [${x.shape.join(', ')}]`);
  if (!Number.isInteger(groups) || groups < 1 || x.shape[0]! % groups !== 0) {
    throw new RangeError(`init.dirac_: dim 0 (${x.shape[0]}) must be divisible by groups (${String(groups)})`);
  }
  const outPerGroup = x.shape[0]! / groups;
  const minDim = Math.min(outPerGroup, x.shape[1]!);
  const strides: number[] = [];
  let s = 1;
  for (let i = x.ndim - 1; i >= 0; i--) {
    strides[i] = s;
    s *= x.shape[i]!;
  }
  const values = new Float64Array(s);
  let centre = 0;
  for (let i = 2; i < x.ndim; i++) centre += Math.floor(x.shape[i]! / 2) * strides[i]!;
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < minDim; d++) values[(g * outPerGroup + d) * strides[0]! + d * strides[1]! + centre] = 1;
  }
  return noGrad(() => x.copy_(makeTensor(values, { dtype: 'float64', shape: [...x.shape] })));
}

/** Xavier/Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, opts: InitOptions & { gain?: number } = {}): Tensor {
  const x = checkFloat('xavierUniform_', t);
  const gain = checkNumber('xavierUniform_', 'gain', opts.gain ?? 1);
  const [fanIn, fanOut] = calculateFanInAndFanOut(x);
  const a = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  return noGrad(() => x.uniform_(-a, a, genOpts(opts)));
}

/** Xavier/Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, opts: InitOptions & { gain?: number } = {}): Tensor {
  const x = checkFloat('xavierNormal_', t);
  const gain = checkNumber('xavierNormal_', 'gain', opts.gain ?? 1);
  const [fanIn, fanOut] = calculateFanInAndFanOut(x);
  return noGrad(() => x.normal_(0, gain * Math.sqrt(2 / (fanIn + fanOut)), genOpts(opts)));
}

export interface KaimingOptions extends InitOptions {
  /** The negative slope of the rectifier after this layer (leakyRelu only; default 0). */
  a?: number;
  /** 'fanIn' (default) keeps the forward pass's variance, 'fanOut' the backward pass's. */
  mode?: FanMode;
  /** The nonlinearity after this layer (default 'leakyRelu'). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, x: Tensor, opts: KaimingOptions): number {
  const a = checkNumber(op, 'a', opts.a ?? 0);
  const gain = calculateGain(opts.nonlinearity ?? 'leakyRelu', a);
  return gain / Math.sqrt(calculateCorrectFan(x, opts.mode ?? 'fanIn'));
}

/** Kaiming/He uniform: U(-b, b) with b = gain * sqrt(3 / fan). A tensor with no elements is left as is. */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const x = checkFloat('kaimingUniform_', t);
  if (x.numel() === 0) return x;
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform_', x, opts);
  return noGrad(() => x.uniform_(-bound, bound, genOpts(opts)));
}

/** Kaiming/He normal: N(0, std^2) with std = gain / sqrt(fan). A tensor with no elements is left as is. */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const x = checkFloat('kaimingNormal_', t);
  if (x.numel() === 0) return x;
  const std = kaimingStd('kaimingNormal_', x, opts);
  return noGrad(() => x.normal_(0, std, genOpts(opts)));
}

/**
 * A (semi-)orthogonal matrix (Saxe et al. 2013) from the QR decomposition of a Gaussian matrix,
 * with R's diagonal signs folded into Q so the result is uniformly distributed; dims after the
 * first are flattened. Scaled by `gain`.
 */
export function orthogonal_(t: Tensor, opts: InitOptions & { gain?: number } = {}): Tensor {
  const x = checkFloat('orthogonal_', t);
  const gain = checkNumber('orthogonal_', 'gain', opts.gain ?? 1);
  if (x.ndim < 2) throw new RangeError(`init.orthogonal_: only tensors with 2 or more dimensions are supported, got shape [${x.shape.join(', ')}]`);
  if (x.numel() === 0) return x;
  const rows = x.shape[0]!;
  const cols = x.numel() / rows;
  const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
  return noGrad(() => {
    let flat = normal(0, 1, [rows, cols], { dtype, ...genOpts(opts) });
    if (rows < cols) flat = flat.t();
    const { Q, R } = linalg.qr(flat);
    let q = Q.mul(R.diagonal().sign());
    if (rows < cols) q = q.t();
    x.copy_(q.reshape([...x.shape]));
    return x.mul_(gain);
  });
}

/**
 * A sparse 2-D matrix (Martens 2010): N(0, std^2) entries with a `sparsity` fraction of each
 * column set to zero (rows chosen at random).
 */
export function sparse_(t: Tensor, sparsity: number, opts: InitOptions & { std?: number } = {}): Tensor {
  const x = checkFloat('sparse_', t);
  if (x.ndim !== 2) throw new RangeError(`init.sparse_: only 2-D tensors are supported, got shape [${x.shape.join(', ')}]`);
  checkNumber('sparse_', 'sparsity', sparsity);
  if (sparsity < 0 || sparsity > 1) throw new RangeError(`init.sparse_: sparsity must be in [0, 1], got ${sparsity}`);
  const std = checkNumber('sparse_', 'std', opts.std ?? 0.01);
  const [rows, cols] = x.shape as [number, number];
  const numZeros = Math.ceil(sparsity * rows);
  const mask = new Float64Array(rows * cols).fill(1);
  for (let c = 0; c < cols; c++) {
    const perm = randperm(rows, genOpts(opts)).data() as BigInt64Array;
    for (let k = 0; k < numZeros; k++) mask[Number(perm[k]!) * cols + c] = 0;
  }
  return noGrad(() => {
    x.normal_(0, std, genOpts(opts));
    return x.mul_(makeTensor(mask, { dtype: 'float64', shape: [rows, cols] }).to({ dtype: x.dtype, device: x.device }));
  });
}
