/**
 * Loss functions (torch.nn.functional's). reduction: 'mean' (default), 'sum' or 'none'.
 * crossEntropy is @cinder/tensor's fused native kernel; the others are compositions of
 * differentiable ops.
 */
import { crossEntropy as crossEntropyOp, where, type CrossEntropyOptions, type Tensor } from '@cinder/tensor';
import { boolArg, describe, floatArg, numberArg, optionalTensor, reduce, reductionArg, sameShape, tensorArg } from './common.js';
import { pairwiseDistance } from './distance.js';

export interface LossOptions {
  reduction?: 'none' | 'mean' | 'sum';
}

function pair(op: string, input: Tensor, target: Tensor): void {
  floatArg(op, input, 'input');
  floatArg(op, target, 'target');
}

/** (input - target)^2 (input and target broadcast). */
export function mseLoss(input: Tensor, target: Tensor, opts?: LossOptions): Tensor {
  const op = 'mseLoss';
  pair(op, input, target);
  return reduce(input.sub(target).square(), reductionArg(op, opts?.reduction));
}

/** |input - target|. */
export function l1Loss(input: Tensor, target: Tensor, opts?: LossOptions): Tensor {
  const op = 'l1Loss';
  pair(op, input, target);
  return reduce(input.sub(target).abs(), reductionArg(op, opts?.reduction));
}

/** 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (default beta 1; beta 0 is l1Loss). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts?: LossOptions & { beta?: number }): Tensor {
  const op = 'smoothL1Loss';
  pair(op, input, target);
  const beta = numberArg(op, opts?.beta, 'beta', 1);
  if (beta < 0) throw new RangeError(`${op}: beta must be non-negative, got ${beta}`);
  const red = reductionArg(op, opts?.reduction);
  const d = input.sub(target);
  const z = d.abs();
  if (beta === 0) return reduce(z, red);
  return reduce(where(z.lt(beta), d.square().mul(0.5 / beta), z.sub(0.5 * beta)), red);
}

/** 0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere (default delta 1). */
export function huberLoss(input: Tensor, target: Tensor, opts?: LossOptions & { delta?: number }): Tensor {
  const op = 'huberLoss';
  pair(op, input, target);
  const delta = numberArg(op, opts?.delta, 'delta', 1);
  if (!(delta > 0)) throw new RangeError(`${op}: delta must be positive, got ${delta}`);
  const d = input.sub(target);
  const z = d.abs();
  return reduce(where(z.lt(delta), d.square().mul(0.5), z.sub(0.5 * delta).mul(delta)), reductionArg(op, opts?.reduction));
}

export type { CrossEntropyOptions };

/**
 * Cross entropy of logits [C], [N, C] or [N, C, d1, ...] against class indices (int64, the
 * input's shape without the class dim) or class probabilities (the input's shape), with class
 * `weight`, `ignoreIndex` and `labelSmoothing`. One fused native pass forward and one backward.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts?: CrossEntropyOptions): Tensor {
  return crossEntropyOp(input, target, opts);
}

export interface NllLossOptions extends LossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
}

/**
 * Negative log likelihood of log-probabilities [C], [N, C] or [N, C, d1, ...] at class-index
 * targets; 'mean' divides by the summed weights of the non-ignored targets.
 */
export function nllLoss(input: Tensor, target: Tensor, opts?: NllLossOptions): Tensor {
  const op = 'nllLoss';
  floatArg(op, input, 'input');
  tensorArg(op, target, 'target');
  if (target.dtype !== 'int64' && target.dtype !== 'int32') throw new TypeError(`${op}: expected int64 class indices as target, got ${describe(target)}`);
  if (input.ndim === 0) throw new RangeError(`${op}: expected an input of at least 1 dim, got ${describe(input)}`);
  const cd = input.ndim === 1 ? 0 : 1;
  const C = input.shape[cd]!;
  const want = input.shape.filter((_, i) => i !== cd);
  if (!sameShape(target.shape, want)) {
    const batch = input.ndim > 1 && target.ndim > 0 && target.shape[0] !== input.shape[0];
    throw new RangeError(`${op}: input ${describe(input)} and target ${describe(target)}: ${batch ? 'batch sizes differ' : `expected a target of shape [${want.join(', ')}]`}`);
  }
  const weight = optionalTensor(op, opts?.weight, 'weight');
  if (weight !== null && (weight.ndim !== 1 || weight.shape[0] !== C)) throw new RangeError(`${op}: expected weight of shape [${C}], got ${describe(weight)}`);
  const ignoreIndex = numberArg(op, opts?.ignoreIndex, 'ignoreIndex', -100);
  const red = reductionArg(op, opts?.reduction);
  const ignored = target.eq(ignoreIndex);
  const t = target.maskedFill(ignored, 0).to('int64');
  const bad = t.lt(0).logicalOr(t.ge(C));
  if (bad.any().item()) {
    const v = target.maskedSelect(bad).reshape([-1]).toArray() as number[];
    throw new RangeError(`${op}: target ${v[0]} is out of bounds for ${C} classes`);
  }
  const keep = ignored.logicalNot().to(input.dtype);
  const picked = input.gather(cd, t.unsqueeze(cd)).squeeze(cd);
  let w = keep;
  if (weight !== null) w = weight.indexSelect(0, t.reshape([-1])).reshape([...t.shape]).mul(keep);
  const loss = picked.neg().mul(w);
  if (red === 'none') return loss;
  if (red === 'sum') return loss.sum();
  return loss.sum().div(w.sum());
}

export interface BceOptions extends LossOptions {
  /** A rescaling weight per element (broadcast to the input). */
  weight?: Tensor | null;
}

/** -(t log x + (1 - t) log(1 - x)) * weight, with the logs clamped at -100 as in PyTorch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts?: BceOptions): Tensor {
  const op = 'binaryCrossEntropy';
  pair(op, input, target);
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`${op}: target ${describe(target)} and input ${describe(input)} must have the same shape`);
  }
  if (input.numel() > 0) {
    const lo = input.detach().amin().item() as number;
    const hi = input.detach().amax().item() as number;
    if (!(lo >= 0 && hi <= 1)) throw new RangeError(`${op}: all elements of input should be between 0 and 1 (found [${lo}, ${hi}])`);
  }
  const weight = optionalTensor(op, opts?.weight, 'weight');
  const logx = input.log().clamp(-100, null);
  const log1mx = input.neg().log1p().clamp(-100, null);
  let loss = target.mul(logx).add(target.neg().add(1).mul(log1mx)).neg();
  if (weight !== null) loss = loss.mul(weight);
  return reduce(loss, reductionArg(op, opts?.reduction));
}

export interface BceWithLogitsOptions extends BceOptions {
  /** A weight of the positive examples per class (broadcast over the last dim). */
  posWeight?: Tensor | null;
}

/**
 * Binary cross entropy on logits, computed stably:
 * (1 - t) x + (1 + (posWeight - 1) t) softplus(-x).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts?: BceWithLogitsOptions): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  pair(op, input, target);
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`${op}: target ${describe(target)} and input ${describe(input)} must have the same shape`);
  }
  const weight = optionalTensor(op, opts?.weight, 'weight');
  const posWeight = optionalTensor(op, opts?.posWeight, 'posWeight');
  const sp = input.neg().softplus();
  const lw = posWeight === null ? null : posWeight.sub(1).mul(target).add(1);
  let loss = target.neg().add(1).mul(input).add(lw === null ? sp : lw.mul(sp));
  if (weight !== null) loss = loss.mul(weight);
  return reduce(loss, reductionArg(op, opts?.reduction));
}

export interface KlDivOptions {
  /** 'mean' (over all elements), 'batchmean' (the sum divided by the batch size), 'sum' or 'none'. */
  reduction?: 'none' | 'mean' | 'sum' | 'batchmean';
  /** The target is given as log-probabilities. */
  logTarget?: boolean;
}

/** Pointwise KL divergence target * (log target - input), input being log-probabilities. */
export function klDiv(input: Tensor, target: Tensor, opts?: KlDivOptions): Tensor {
  const op = 'klDiv';
  pair(op, input, target);
  const red = reductionArg(op, opts?.reduction, ['none', 'mean', 'sum', 'batchmean']);
  const logTarget = boolArg(op, opts?.logTarget, 'logTarget', false);
  let loss: Tensor;
  if (logTarget) {
    loss = target.exp().mul(target.sub(input));
  } else {
    // target * log(target), 0 where target is 0 (xlogy).
    const safe = where(target.gt(0), target, 1);
    loss = target.mul(safe.log()).sub(target.mul(input));
  }
  if (red === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
  return reduce(loss, red);
}

export interface MarginRankingOptions extends LossOptions {
  margin?: number;
}

/** max(0, -y (x1 - x2) + margin). */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, opts?: MarginRankingOptions): Tensor {
  const op = 'marginRankingLoss';
  floatArg(op, input1, 'input1');
  floatArg(op, input2, 'input2');
  tensorArg(op, target, 'target');
  const margin = numberArg(op, opts?.margin, 'margin', 0);
  const d = input1.sub(input2);
  return reduce(target.neg().mul(d).add(margin).relu(), reductionArg(op, opts?.reduction));
}

export interface TripletMarginOptions extends LossOptions {
  margin?: number;
  /** The norm's order of the distances (default 2). */
  p?: number;
  eps?: number;
  /** Use the smaller of d(anchor, negative) and d(positive, negative). */
  swap?: boolean;
}

/** max(d(a, p) - d(a, n) + margin, 0) with pairwise distances. */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, opts?: TripletMarginOptions): Tensor {
  const op = 'tripletMarginLoss';
  floatArg(op, anchor, 'anchor');
  floatArg(op, positive, 'positive');
  floatArg(op, negative, 'negative');
  const nd = anchor.ndim;
  if (positive.ndim !== nd || negative.ndim !== nd || (nd !== 1 && nd !== 2)) {
    throw new RangeError(
      `${op}: anchor ${describe(anchor)}, positive ${describe(positive)} and negative ${describe(negative)} must all be 1-d or all 2-d`,
    );
  }
  const margin = numberArg(op, opts?.margin, 'margin', 1);
  const p = numberArg(op, opts?.p, 'p', 2);
  const eps = numberArg(op, opts?.eps, 'eps', 1e-6);
  const dAp = pairwiseDistance(anchor, positive, { p, eps });
  let dAn = pairwiseDistance(anchor, negative, { p, eps });
  if (boolArg(op, opts?.swap, 'swap', false)) dAn = dAn.minimum(pairwiseDistance(positive, negative, { p, eps }));
  return reduce(dAp.sub(dAn).add(margin).relu(), reductionArg(op, opts?.reduction));
}
