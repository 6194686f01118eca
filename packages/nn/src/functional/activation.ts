/**
 * Activation functions (torch.nn.functional's), built on @cinder/tensor's elementwise kernels:
 * relu, gelu, silu, sigmoid, tanh, softplus, softmax and logSoftmax are single native ops; the
 * rest are short compositions of them, so every one is differentiable to any order. Options that
 * PyTorch passes by keyword go in an options object (`F.leakyRelu(x, { negativeSlope: 0.2 })`);
 * `inplace: true` writes into x where PyTorch allows it.
 */
import { where, type DType, type Tensor } from '@cinder/tensor';
import { describe, floatArg, numberArg, tensorArg } from './common.js';

export interface InplaceOptions {
  inplace?: boolean;
}

/** Writes `out` into x (inplace) or returns it. */
function result(x: Tensor, out: Tensor, inplace: boolean | undefined): Tensor {
  return inplace ? x.copy_(out) : out;
}

export function relu(x: Tensor, opts?: InplaceOptions): Tensor {
  tensorArg('relu', x);
  return opts?.inplace ? x.relu_() : x.relu();
}

export interface HardtanhOptions extends InplaceOptions {
  minVal?: number;
  maxVal?: number;
}

/**
 * y clamped to [lo, hi], whose gradient (as PyTorch's hardtanh) flows only strictly inside the
 * interval: at the kinks themselves it is 0, where a plain clamp would pass it.
 */
function clampOpen(y: Tensor, lo: number, hi: number): Tensor {
  const c = y.clamp(lo, hi);
  if (!y.requiresGrad) return c;
  return where(y.gt(lo).logicalAnd(y.lt(hi)), y, c.detach());
}

/** Clamps to [minVal, maxVal] (default [-1, 1]); no gradient at the kinks, as in PyTorch. */
export function hardtanh(x: Tensor, opts?: HardtanhOptions): Tensor {
  const op = 'hardtanh';
  tensorArg(op, x);
  const lo = numberArg(op, opts?.minVal, 'minVal', -1);
  const hi = numberArg(op, opts?.maxVal, 'maxVal', 1);
  if (hi < lo) throw new RangeError(`${op}: maxVal (${hi}) cannot be less than minVal (${lo})`);
  if (opts?.inplace && !x.requiresGrad) return x.clamp_(lo, hi);
  return result(x, clampOpen(x, lo, hi), opts?.inplace);
}

/** min(max(0, x), 6); no gradient at 0 and 6, as in PyTorch. */
export function relu6(x: Tensor, opts?: InplaceOptions): Tensor {
  return hardtanh(x, { minVal: 0, maxVal: 6, inplace: opts?.inplace });
}

export interface LeakyReluOptions extends InplaceOptions {
  /** Slope for x < 0 (default 0.01). */
  negativeSlope?: number;
}

export function leakyRelu(x: Tensor, opts?: LeakyReluOptions): Tensor {
  const op = 'leakyRelu';
  floatArg(op, x);
  const s = numberArg(op, opts?.negativeSlope, 'negativeSlope', 0.01);
  return result(x, where(x.gt(0), x, x.mul(s)), opts?.inplace);
}

export interface EluOptions extends InplaceOptions {
  alpha?: number;
}

function eluCore(x: Tensor, alpha: number, scale: number): Tensor {
  // The negative branch sees min(x, 0), so large positive x cannot overflow it (its gradient is masked anyway).
  const neg = x.clamp(null, 0).expm1().mul(alpha * scale);
  const pos = scale === 1 ? x : x.mul(scale);
  return where(x.gt(0), pos, neg);
}

/** x for x > 0, alpha * (exp(x) - 1) otherwise (default alpha 1). */
export function elu(x: Tensor, opts?: EluOptions): Tensor {
  const op = 'elu';
  floatArg(op, x);
  return result(x, eluCore(x, numberArg(op, opts?.alpha, 'alpha', 1), 1), opts?.inplace);
}

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** scale * elu(x, alpha) with the self-normalizing constants. */
export function selu(x: Tensor, opts?: InplaceOptions): Tensor {
  floatArg('selu', x);
  return result(x, eluCore(x, SELU_ALPHA, SELU_SCALE), opts?.inplace);
}

/** max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) (default alpha 1). */
export function celu(x: Tensor, opts?: EluOptions): Tensor {
  const op = 'celu';
  floatArg(op, x);
  const alpha = numberArg(op, opts?.alpha, 'alpha', 1);
  if (alpha === 0) throw new RangeError(`${op}: alpha cannot be 0`);
  const neg = x.clamp(null, 0).div(alpha).expm1().mul(alpha);
  return result(x, where(x.gt(0), x, neg), opts?.inplace);
}

export type GeluApproximate = 'none' | 'tanh';

export function gelu(x: Tensor, opts?: { approximate?: GeluApproximate }): Tensor {
  tensorArg('gelu', x);
  return x.gelu({ approximate: opts?.approximate ?? 'none' });
}

/** x * sigmoid(x). */
export function silu(x: Tensor, opts?: InplaceOptions): Tensor {
  tensorArg('silu', x);
  return opts?.inplace ? x.silu_() : x.silu();
}

export interface SoftplusOptions {
  beta?: number;
  /** Above beta * x > threshold the function is taken as linear (default 20). */
  threshold?: number;
}

/** log(1 + exp(beta * x)) / beta. */
export function softplus(x: Tensor, opts?: SoftplusOptions): Tensor {
  const op = 'softplus';
  tensorArg(op, x);
  return x.softplus({ beta: numberArg(op, opts?.beta, 'beta', 1), threshold: numberArg(op, opts?.threshold, 'threshold', 20) });
}

/** x * tanh(softplus(x)). */
export function mish(x: Tensor, opts?: InplaceOptions): Tensor {
  floatArg('mish', x);
  return result(x, x.mul(x.softplus().tanh()), opts?.inplace);
}

/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor {
  floatArg('softsign', x);
  return x.div(x.abs().add(1));
}

/** x * relu6(x + 3) / 6. */
export function hardswish(x: Tensor, opts?: InplaceOptions): Tensor {
  floatArg('hardswish', x);
  return result(x, x.mul(x.add(3).clamp(0, 6)).div(6), opts?.inplace);
}

/** relu6(x + 3) / 6 (no gradient at x = -3 and 3, as in PyTorch). */
export function hardsigmoid(x: Tensor, opts?: InplaceOptions): Tensor {
  floatArg('hardsigmoid', x);
  if (!x.requiresGrad) return result(x, x.div(6).add(0.5).clamp(0, 1), opts?.inplace);
  return result(x, where(x.gt(-3).logicalAnd(x.lt(3)), x.div(6).add(0.5), x.div(6).add(0.5).clamp(0, 1).detach()), opts?.inplace);
}

export function sigmoid(x: Tensor): Tensor {
  tensorArg('sigmoid', x);
  return x.sigmoid();
}

export function tanh(x: Tensor): Tensor {
  tensorArg('tanh', x);
  return x.tanh();
}

/** log(sigmoid(x)), computed as -softplus(-x). */
export function logsigmoid(x: Tensor): Tensor {
  floatArg('logsigmoid', x);
  return x.neg().softplus().neg();
}

export interface SoftmaxOptions {
  /** Cast the input to this dtype first. */
  dtype?: DType;
}

function checkDim(op: string, dim: unknown): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TypeError(`${op}: dim is required (an integer), got ${String(dim)}`);
  return dim;
}

/** softmax along `dim` (required). */
export function softmax(x: Tensor, dim: number, opts?: SoftmaxOptions): Tensor {
  tensorArg('softmax', x);
  return x.softmax(checkDim('softmax', dim), opts);
}

/** log(softmax(x)) along `dim` (required), computed stably. */
export function logSoftmax(x: Tensor, dim: number, opts?: SoftmaxOptions): Tensor {
  tensorArg('logSoftmax', x);
  return x.logSoftmax(checkDim('logSoftmax', dim), opts);
}

/** softmax(-x) along `dim` (required). */
export function softmin(x: Tensor, dim: number, opts?: SoftmaxOptions): Tensor {
  tensorArg('softmin', x);
  return x.neg().softmax(checkDim('softmin', dim), opts);
}

/** Gated linear unit: a * sigmoid(b), where a and b are the halves of x along dim (default -1). */
export function glu(x: Tensor, dim = -1): Tensor {
  const op = 'glu';
  floatArg(op, x);
  const d = checkDim(op, dim);
  if (x.ndim === 0) throw new RangeError(`${op}: glu does not support scalars because halving size must be even`);
  const nd = d < 0 ? d + x.ndim : d;
  if (nd < 0 || nd >= x.ndim) throw new RangeError(`${op}: dim ${dim} is out of range for an input of ${x.ndim} dims`);
  const n = x.shape[nd]!;
  if (n % 2 !== 0) throw new RangeError(`${op}: halving dimension must be even, but dimension ${nd} is size ${n}`);
  const [a, b] = x.chunk(2, nd) as [Tensor, Tensor];
  return a.mul(b.sigmoid());
}

/**
 * max(0, x) + weight * min(0, x), with `weight` holding one slope, or one per channel (dim 1 of
 * an input of at least 2 dims). Composed of differentiable ops, so both x and weight get gradients.
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  const op = 'prelu';
  floatArg(op, x);
  floatArg(op, weight, 'weight');
  if (weight.dtype !== x.dtype) throw new TypeError(`${op}: input ${describe(x)} and weight ${describe(weight)} have different dtypes`);
  const n = weight.numel();
  const channels = x.ndim >= 2 ? x.shape[1]! : 1;
  if (n !== 1 && n !== channels) {
    throw new RangeError(
      `${op}: mismatch of parameter numbers and input channel size: weight ${describe(weight)} has ${n} parameters, ` +
        `input ${describe(x)} has ${channels} channels`,
    );
  }
  const w = n === 1 ? weight.reshape([]) : weight.reshape([channels, ...new Array<number>(x.ndim - 2).fill(1)]);
  return where(x.gt(0), x, x.mul(w));
}

/** x where x > threshold, `value` elsewhere. */
export function threshold(x: Tensor, thresholdValue: number, value: number, opts?: InplaceOptions): Tensor {
  const op = 'threshold';
  tensorArg(op, x);
  const th = numberArg(op, thresholdValue, 'threshold', NaN);
  const v = numberArg(op, value, 'value', NaN);
  if (Number.isNaN(th) || Number.isNaN(v)) throw new TypeError(`${op}: threshold and value are required numbers`);
  return result(x, where(x.gt(th), x, v), opts?.inplace);
}
