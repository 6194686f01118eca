/**
 * Normalization: batchNorm, instanceNorm (batch norm per sample), layerNorm and groupNorm on
 * @cinder/tensor's native kernels (one pass for the statistics, one backward kernel), and
 * normalize (Lp-normalization along a dim).
 */
import { noGrad } from '@cinder/autograd';
import { nativeBatchNorm, nativeGroupNorm, nativeLayerNorm, pad, type Tensor } from '@cinder/tensor';
import { boolArg, describe, floatArg, numberArg, optionalTensor } from './common.js';

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize with the batch's statistics and update the running ones (default false). */
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalization over dim 1 of [N, C, ...]: (x - mean) / sqrt(var + eps) * weight + bias.
 * In training the batch statistics are used and runningMean / runningVar (when given) move
 * towards them by `momentum` (the variance unbiased); otherwise the running statistics are used.
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts?: BatchNormOptions): Tensor {
  const op = 'batchNorm';
  floatArg(op, input);
  const rm = optionalTensor(op, runningMean, 'runningMean');
  const rv = optionalTensor(op, runningVar, 'runningVar');
  const training = boolArg(op, opts?.training, 'training', false);
  if (input.ndim < 2) throw new RangeError(`${op}: expected an input of at least 2 dims [N, C, ...], got ${describe(input)}`);
  return nativeBatchNorm(input, {
    weight: optionalTensor(op, opts?.weight, 'weight'), bias: optionalTensor(op, opts?.bias, 'bias'),
    runningMean: rm, runningVar: rv, training,
    momentum: numberArg(op, opts?.momentum, 'momentum', 0.1), eps: numberArg(op, opts?.eps, 'eps', 1e-5),
  })[0];
}

export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize with each instance's statistics (default true); false uses the running ones. */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Instance normalization of [N, C, ...]: each (sample, channel) normalized over its spatial
 * dims. Running statistics, when given, are updated with the mean over the batch of the
 * per-instance statistics.
 */
export function instanceNorm(input: Tensor, opts?: InstanceNormOptions): Tensor {
  const op = 'instanceNorm';
  floatArg(op, input);
  if (input.ndim < 3) throw new RangeError(`${op}: expected an input of at least 3 dims [N, C, ...], got ${describe(input)}`);
  const useInputStats = boolArg(op, opts?.useInputStats, 'useInputStats', true);
  const [N, C] = input.shape as [number, number];
  const spatial = input.shape.slice(2).reduce((a, b) => a * b, 1);
  if (useInputStats && spatial <= 1) {
    throw new RangeError(`${op}: expected more than 1 spatial element when training, got input of shape ${describe(input)}`);
  }
  const weight = optionalTensor(op, opts?.weight, 'weight');
  const bias = optionalTensor(op, opts?.bias, 'bias');
  const rm = optionalTensor(op, opts?.runningMean, 'runningMean');
  const rv = optionalTensor(op, opts?.runningVar, 'runningVar');
  for (const [t, what] of [[weight, 'weight'], [bias, 'bias'], [rm, 'runningMean'], [rv, 'runningVar']] as const) {
    if (t !== null && (t.ndim !== 1 || t.shape[0] !== C)) throw new RangeError(`${op}: expected ${what} of shape [${C}], got ${describe(t)}`);
  }
  const x = input.reshape([1, N * C, ...input.shape.slice(2)]);
  const rep = (t: Tensor | null): Tensor | null => (t === null ? null : t.repeat([N]));
  const rmN = rm === null ? null : noGrad(() => rm.repeat([N]));
  const rvN = rv === null ? null : noGrad(() => rv.repeat([N]));
  const out = nativeBatchNorm(x, {
    weight: rep(weight), bias: rep(bias), runningMean: rmN, runningVar: rvN, training: useInputStats,
    momentum: numberArg(op, opts?.momentum, 'momentum', 0.1), eps: numberArg(op, opts?.eps, 'eps', 1e-5),
  })[0];
  if (useInputStats) {
    noGrad(() => {
      if (rm !== null) rm.copy_(rmN!.reshape([N, C]).mean(0));
      if (rv !== null) rv.copy_(rvN!.reshape([N, C]).mean(0));
    });
  }
  return out.reshape([...input.shape]);
}

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** Layer normalization over the trailing `normalizedShape` dims (biased variance). */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], opts?: LayerNormOptions): Tensor {
  const op = 'layerNorm';
  floatArg(op, input);
  return nativeLayerNorm(input, normalizedShape, {
    weight: optionalTensor(op, opts?.weight, 'weight'), bias: optionalTensor(op, opts?.bias, 'bias'),
    eps: numberArg(op, opts?.eps, 'eps', 1e-5),
  })[0];
}

/** Group normalization of [N, C, ...] over `numGroups` groups of channels. */
export function groupNorm(input: Tensor, numGroups: number, opts?: LayerNormOptions): Tensor {
  const op = 'groupNorm';
  floatArg(op, input);
  return nativeGroupNorm(input, numGroups, {
    weight: optionalTensor(op, opts?.weight, 'weight'), bias: optionalTensor(op, opts?.bias, 'bias'),
    eps: numberArg(op, opts?.eps, 'eps', 1e-5),
  })[0];
}

export interface NormalizeOptions {
  /** The norm's order (default 2). */
  p?: number;
  dim?: number;
  eps?: number;
}

/** x / max(||x||_p, eps) along dim (default 1). */
export function normalize(input: Tensor, opts?: NormalizeOptions): Tensor {
  const op = 'normalize';
  floatArg(op, input);
  const p = numberArg(op, opts?.p, 'p', 2);
  const dim = numberArg(op, opts?.dim, 'dim', 1);
  const eps = numberArg(op, opts?.eps, 'eps', 1e-12);
  const n = input.norm(p, dim, { keepdim: true }).clamp(eps, null);
  return input.div(n.expandAs(input));
}

export interface LocalResponseNormOptions {
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * Local response normalization across channels (dim 1 of [N, C, ...]):
 * x / (k + alpha / size * sum of x^2 over the `size` neighbouring channels)^beta, the window
 * running from c - floor(size / 2) to c + floor((size - 1) / 2), zero outside the channels.
 */
export function localResponseNorm(input: Tensor, size: number, opts?: LocalResponseNormOptions): Tensor {
  const op = 'localResponseNorm';
  floatArg(op, input);
  if (input.ndim < 3) throw new RangeError(`${op}: expected an input of 3 or more dims [N, C, ...], got ${describe(input)}`);
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) throw new RangeError(`${op}: size must be a positive integer, got ${String(size)}`);
  const alpha = numberArg(op, opts?.alpha, 'alpha', 1e-4);
  const beta = numberArg(op, opts?.beta, 'beta', 0.75);
  const k = numberArg(op, opts?.k, 'k', 1);
  const C = input.shape[1]!;
  const sq = input.square();
  // Zero-pad dim 1 (the pad list runs from the last dim backwards), then add the shifted windows.
  const padList = new Array<number>(2 * (input.ndim - 1)).fill(0);
  padList[padList.length - 2] = Math.floor(size / 2);
  padList[padList.length - 1] = Math.floor((size - 1) / 2);
  const padded = pad(sq, padList);
  let acc = padded.narrow(1, 0, C);
  for (let j = 1; j < size; j++) acc = acc.add(padded.narrow(1, j, C));
  return input.div(acc.mul(alpha / size).add(k).pow(beta));
}
