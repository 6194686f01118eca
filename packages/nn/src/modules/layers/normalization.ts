/**
 * Normalization layers: torch.nn.LayerNorm, BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d, GroupNorm
 * and LocalResponseNorm, over F's normalization functions.
 */
import { noGrad } from '@cinder/autograd';
import { ones, tensor, zeros, type Tensor } from '@cinder/tensor';
import { describe } from '../../functional/common.js';
import { batchNorm, groupNorm, instanceNorm, layerNorm, localResponseNorm } from '../../functional/normalization.js';
import { ones_, zeros_ } from '../../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { finite, newParam, positiveInt, pyBool, pyFloat, pyTuple, type FactoryOptions } from './common.js';

export interface LayerNormLayerOptions extends FactoryOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learn a per-element scale and shift (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, learn the shift too (default true). */
  bias?: boolean;
}

/**
 * Normalises over the trailing `normalizedShape` dims (biased variance), then scales by weight
 * (ones) and shifts by bias (zeros).
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormLayerOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    shape.forEach((d, i) => positiveInt('LayerNorm', `normalizedShape[${i}]`, d));
    this.normalizedShape = shape;
    this.eps = finite('LayerNorm', 'eps', opts.eps ?? 1e-5);
    this.elementwiseAffine = opts.elementwiseAffine !== false;
    this.weight = this.elementwiseAffine ? new Parameter(newParam(shape, opts)) : null;
    this.bias = this.elementwiseAffine && opts.bias !== false ? new Parameter(newParam(shape, opts)) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }

  override forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

export interface BatchNormLayerOptions extends FactoryOptions {
  /** Default 1e-5. */
  eps?: number;
  /**
   * The weight of a new batch in the running statistics (default 0.1); null keeps their
   * cumulative moving average instead (the mean over all batches seen).
   */
  momentum?: number | null;
  /** Learn a per-channel scale (ones) and shift (zeros) (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true; InstanceNorm: false). */
  trackRunningStats?: boolean;
}

function flagArg(layer: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`${layer}: ${name} must be a boolean, got ${String(v)}`);
  return v;
}

/** PyTorch's _NormBase: the per-channel affine parameters and the running-statistics buffers. */
abstract class NormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare runningMean: Tensor | null;
  declare runningVar: Tensor | null;
  /** How many training batches updated the running statistics (int64). */
  declare numBatchesTracked: Tensor | null;

  protected constructor(numFeatures: number, opts: BatchNormLayerOptions, defaults: { affine: boolean; track: boolean }) {
    super();
    const layer = this._getName();
    this.numFeatures = positiveInt(layer, 'numFeatures', numFeatures);
    this.eps = finite(layer, 'eps', opts.eps ?? 1e-5);
    const m = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.momentum = m === null ? null : finite(layer, 'momentum', m);
    this.affine = flagArg(layer, 'affine', opts.affine, defaults.affine);
    this.trackRunningStats = flagArg(layer, 'trackRunningStats', opts.trackRunningStats, defaults.track);
    this.weight = this.affine ? new Parameter(newParam([numFeatures], opts)) : null;
    this.bias = this.affine ? new Parameter(newParam([numFeatures], opts)) : null;
    const dev = opts.device === undefined ? {} : { device: opts.device };
    if (this.trackRunningStats) {
      this.registerBuffer('runningMean', zeros([numFeatures], { dtype: opts.dtype ?? 'float32', ...dev }));
      this.registerBuffer('runningVar', ones([numFeatures], { dtype: opts.dtype ?? 'float32', ...dev }));
      this.registerBuffer('numBatchesTracked', tensor(0, { dtype: 'int64', ...dev }));
    } else {
      this.registerBuffer('runningMean', null);
      this.registerBuffer('runningVar', null);
      this.registerBuffer('numBatchesTracked', null);
    }
    this.resetParameters();
  }

  /** Running mean to 0, running variance to 1, the batch count to 0. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.runningMean!.zero_();
      this.runningVar!.fill_(1);
      this.numBatchesTracked!.zero_();
    });
  }

  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }

  /** Throws unless x has one of the accepted ranks. */
  protected checkRank(x: Tensor, ranks: readonly number[]): void {
    if (!ranks.includes(x.ndim)) {
      throw new RangeError(`${this._getName()}: expected ${ranks.map((r) => `${r}D`).join(' or ')} input (got ${x.ndim}D input ${describe(x)})`);
    }
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalization over the channels (dim 1). Training normalizes with the batch's statistics
 * and moves the running ones towards them (the variance unbiased); eval() normalizes with the
 * running statistics (or the batch's, without trackRunningStats).
 */
abstract class BatchNormNd extends NormBase {
  protected constructor(numFeatures: number, opts: BatchNormLayerOptions) {
    super(numFeatures, opts, { affine: true, track: true });
  }

  protected abstract checkInputDim(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new RangeError(`${this._getName()}: expected input with ${this.numFeatures} channels at dim 1, got ${describe(x)}`);
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked !== null) {
      const n = this.numBatchesTracked;
      noGrad(() => n.add_(1));
      factor = this.momentum === null ? 1 / Number(n.item()) : this.momentum;
    }
    const bnTraining = this.training || (this.runningMean === null && this.runningVar === null);
    const useRunning = !this.training || this.trackRunningStats;
    return batchNorm(x, useRunning ? this.runningMean : null, useRunning ? this.runningVar : null, {
      weight: this.weight, bias: this.bias, training: bnTraining, momentum: factor, eps: this.eps,
    });
  }
}

/**
 * Batch normalization of [N, C] or [N, C, L].
 * @example
 * ```ts
 * const bn = new nn.BatchNorm1d(100);
 * bn.forward(randn([20, 100]));   // training: batch statistics, running ones updated
 * bn.eval().forward(randn([4, 100]));
 * ```
 */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInputDim(x: Tensor): void {
    this.checkRank(x, [2, 3]);
  }
}

/** Batch normalization of [N, C, H, W]. */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInputDim(x: Tensor): void {
    this.checkRank(x, [4]);
  }
}

/** Batch normalization of [N, C, D, H, W]. */
export class BatchNorm3d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInputDim(x: Tensor): void {
    this.checkRank(x, [5]);
  }
}

/**
 * Instance normalization: each (sample, channel) normalized over its spatial dims. Unlike
 * BatchNorm, affine and trackRunningStats default to false; with trackRunningStats, eval()
 * normalizes with the running statistics. Unbatched input (no N) is accepted.
 */
abstract class InstanceNormNd extends NormBase {
  readonly #spatial: number;
  protected constructor(spatial: number, numFeatures: number, opts: BatchNormLayerOptions) {
    super(numFeatures, opts, { affine: false, track: false });
    this.#spatial = spatial;
    if (this.momentum === null) throw new RangeError(`${this._getName()}: momentum null (a cumulative average) is not supported`);
  }

  override forward(x: Tensor): Tensor {
    const noBatch = this.#spatial + 1;
    this.checkRank(x, [noBatch, noBatch + 1]);
    const featureDim = x.ndim - noBatch;
    if (x.shape[featureDim] !== this.numFeatures && (this.affine || this.trackRunningStats)) {
      throw new RangeError(`${this._getName()}: expected input's size at dim=${featureDim} to match numFeatures (${this.numFeatures}), got ${describe(x)}`);
    }
    const batched = x.ndim === noBatch ? x.unsqueeze(0) : x;
    const y = instanceNorm(batched, {
      runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum!, eps: this.eps,
    });
    return x.ndim === noBatch ? y.squeeze(0) : y;
  }
}

/** Instance normalization of [N, C, L] (or [C, L]). */
export class InstanceNorm1d extends InstanceNormNd {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(1, numFeatures, opts);
  }
}

/**
 * Instance normalization of [N, C, H, W] (or [C, H, W]).
 * @example
 * ```ts
 * new nn.InstanceNorm2d(3, { affine: true }).forward(randn([2, 3, 8, 8]));
 * ```
 */
export class InstanceNorm2d extends InstanceNormNd {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(2, numFeatures, opts);
  }
}

/** Instance normalization of [N, C, D, H, W] (or [C, D, H, W]). */
export class InstanceNorm3d extends InstanceNormNd {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(3, numFeatures, opts);
  }
}

export interface GroupNormLayerOptions extends FactoryOptions {
  eps?: number;
  /** Learn a per-channel scale (ones) and shift (zeros) (default true). */
  affine?: boolean;
}

/**
 * Group normalization of [N, C, ...]: the channels split into numGroups groups, each normalized
 * over its channels and the spatial dims, then a per-channel scale and shift.
 * @example
 * ```ts
 * new nn.GroupNorm(2, 6).forward(randn([4, 6, 10, 10]));
 * ```
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(numGroups: number, numChannels: number, opts: GroupNormLayerOptions = {}) {
    super();
    this.numGroups = positiveInt('GroupNorm', 'numGroups', numGroups);
    this.numChannels = positiveInt('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) throw new RangeError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    this.eps = finite('GroupNorm', 'eps', opts.eps ?? 1e-5);
    this.affine = flagArg('GroupNorm', 'affine', opts.affine, true);
    this.weight = this.affine ? new Parameter(newParam([numChannels], opts)) : null;
    this.bias = this.affine ? new Parameter(newParam([numChannels], opts)) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }
  override forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new RangeError(`GroupNorm: expected an input [N, ${this.numChannels}, ...] (numChannels at dim 1), got ${describe(x)}`);
    }
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

export interface LocalResponseNormLayerOptions {
  alpha?: number;
  beta?: number;
  k?: number;
}

/** Local response normalization across `size` neighbouring channels (F.localResponseNorm). */
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  constructor(size: number, opts: LocalResponseNormLayerOptions = {}) {
    super();
    this.size = positiveInt('LocalResponseNorm', 'size', size);
    this.alpha = finite('LocalResponseNorm', 'alpha', opts.alpha ?? 1e-4);
    this.beta = finite('LocalResponseNorm', 'beta', opts.beta ?? 0.75);
    this.k = finite('LocalResponseNorm', 'k', opts.k ?? 1);
  }
  override forward(x: Tensor): Tensor {
    return localResponseNorm(x, this.size, { alpha: this.alpha, beta: this.beta, k: this.k });
  }
  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
