/**
 * Loss modules (torch.nn.MSELoss, CrossEntropyLoss, ...): each holds its options and calls the
 * matching function of F. Class weights (`weight`, `posWeight`) are buffers, as in PyTorch, so
 * they follow `.to()` / `.double()` and appear in the state dict.
 * @example
 * ```ts
 * const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = lossFn.forward(logits, target);   // logits [N, C], target int64 [N]
 * ```
 */
import { Tensor } from '@cinder/tensor';
import * as L from '../../functional/loss.js';
import { Module } from '../module.js';
import { finite } from './common.js';

export type LossReduction = 'none' | 'mean' | 'sum';

export interface LossLayerOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: LossReduction;
}

function reductionOf(layer: string, r: unknown, allowed: readonly string[] = ['none', 'mean', 'sum']): string {
  const v = r ?? 'mean';
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw new RangeError(`${layer}: reduction must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(r)}`);
  }
  return v;
}

function optionalTensor(layer: string, name: string, v: unknown): Tensor | null {
  if (v === undefined || v === null) return null;
  if (!(v instanceof Tensor)) throw new TypeError(`${layer}: ${name} must be a Tensor or null, got ${typeof v}`);
  return v;
}

/** PyTorch's _Loss: the reduction. */
abstract class Loss extends Module {
  readonly reduction: LossReduction;
  protected constructor(opts: LossLayerOptions) {
    super();
    this.reduction = reductionOf(this._getName(), opts.reduction) as LossReduction;
  }
}

/** PyTorch's _WeightedLoss: a reduction and an optional class-weight buffer. */
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  protected constructor(opts: LossLayerOptions & { weight?: Tensor | null }) {
    super(opts);
    this.registerBuffer('weight', optionalTensor(this._getName(), 'weight', opts.weight));
  }
}

/** mean (or sum) of |input - target|. */
export class L1Loss extends Loss {
  constructor(opts: LossLayerOptions = {}) {
    super(opts);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** mean (or sum) of (input - target)^2. */
export class MSELoss extends Loss {
  constructor(opts: LossLayerOptions = {}) {
    super(opts);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Squared error below beta (scaled by 1 / beta), absolute error above (default beta 1). */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(opts: LossLayerOptions & { beta?: number } = {}) {
    super(opts);
    this.beta = finite('SmoothL1Loss', 'beta', opts.beta ?? 1);
    if (this.beta < 0) throw new RangeError(`SmoothL1Loss: beta must be non-negative, got ${this.beta}`);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Squared error below delta, delta-scaled absolute error above (default delta 1). */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(opts: LossLayerOptions & { delta?: number } = {}) {
    super(opts);
    this.delta = finite('HuberLoss', 'delta', opts.delta ?? 1);
    if (!(this.delta > 0)) throw new RangeError(`HuberLoss: delta must be positive, got ${this.delta}`);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

export interface CrossEntropyLossOptions extends LossLayerOptions {
  /** A weight per class ([C]), kept as a buffer. */
  weight?: Tensor | null;
  /** Targets equal to this index are left out (default -100). */
  ignoreIndex?: number;
  /** Mix the targets with the uniform distribution by this amount (default 0). */
  labelSmoothing?: number;
}

/** Cross entropy of logits against class indices or class probabilities (F.crossEntropy). */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(opts: CrossEntropyLossOptions = {}) {
    super(opts);
    this.ignoreIndex = finite('CrossEntropyLoss', 'ignoreIndex', opts.ignoreIndex ?? -100);
    this.labelSmoothing = finite('CrossEntropyLoss', 'labelSmoothing', opts.labelSmoothing ?? 0);
    if (this.labelSmoothing < 0 || this.labelSmoothing > 1) {
      throw new RangeError(`CrossEntropyLoss: labelSmoothing must be between 0 and 1, got ${this.labelSmoothing}`);
    }
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Negative log likelihood of log-probabilities at class-index targets (F.nllLoss). */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  constructor(opts: LossLayerOptions & { weight?: Tensor | null; ignoreIndex?: number } = {}) {
    super(opts);
    this.ignoreIndex = finite('NLLLoss', 'ignoreIndex', opts.ignoreIndex ?? -100);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Binary cross entropy of probabilities (F.binaryCrossEntropy); `weight` rescales each element. */
export class BCELoss extends WeightedLoss {
  constructor(opts: LossLayerOptions & { weight?: Tensor | null } = {}) {
    super(opts);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross entropy of logits, computed stably; `posWeight` weighs the positive examples per class. */
export class BCEWithLogitsLoss extends WeightedLoss {
  declare posWeight: Tensor | null;
  constructor(opts: LossLayerOptions & { weight?: Tensor | null; posWeight?: Tensor | null } = {}) {
    super(opts);
    this.registerBuffer('posWeight', optionalTensor('BCEWithLogitsLoss', 'posWeight', opts.posWeight));
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

/** KL divergence of log-probability inputs from targets (probabilities, or log-probabilities with logTarget). */
export class KLDivLoss extends Module {
  readonly reduction: LossReduction | 'batchmean';
  readonly logTarget: boolean;
  /** Reduction 'batchmean' (the sum over the batch size) gives the true KL divergence; 'mean' averages over elements. */
  constructor(opts: { reduction?: LossReduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
    this.reduction = reductionOf('KLDivLoss', opts.reduction, ['none', 'mean', 'sum', 'batchmean']) as LossReduction | 'batchmean';
    this.logTarget = opts.logTarget === true;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

/** max(0, -y (x1 - x2) + margin) for targets y in {1, -1}. */
export class MarginRankingLoss extends Loss {
  readonly margin: number;
  constructor(opts: LossLayerOptions & { margin?: number } = {}) {
    super(opts);
    this.margin = finite('MarginRankingLoss', 'margin', opts.margin ?? 0);
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return L.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

export interface TripletMarginLossOptions extends LossLayerOptions {
  margin?: number;
  /** The norm's order of the distances (default 2). */
  p?: number;
  eps?: number;
  /** Use the smaller of d(anchor, negative) and d(positive, negative). */
  swap?: boolean;
}

/** max(d(a, p) - d(a, n) + margin, 0) with pairwise p-norm distances. */
export class TripletMarginLoss extends Loss {
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;
  constructor(opts: TripletMarginLossOptions = {}) {
    super(opts);
    this.margin = finite('TripletMarginLoss', 'margin', opts.margin ?? 1);
    this.p = finite('TripletMarginLoss', 'p', opts.p ?? 2);
    this.eps = finite('TripletMarginLoss', 'eps', opts.eps ?? 1e-6);
    this.swap = opts.swap === true;
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return L.tripletMarginLoss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}
