/**
 * Activation layers (torch.nn.ReLU, GELU, Softmax, PReLU, ...): each holds its options and calls
 * the matching function of F. Reprs print the options as PyTorch does (`LeakyReLU(negative_slope=0.2)`).
 */
import type { Tensor } from '@cinder/tensor';
import * as A from '../../functional/activation.js';
import { constant_ } from '../../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { finite, newParam, positiveInt, pyFloat, type FactoryOptions } from './common.js';

export interface InplaceLayerOptions {
  /** Write the result into the input (default false). */
  inplace?: boolean;
}

/** Base of the layers whose only option is `inplace` (printed only when set). */
abstract class InplaceActivation extends Module {
  readonly inplace: boolean;
  /** `new nn.ReLU({ inplace: true })`; PyTorch's positional form `new nn.ReLU(true)` works too. */
  constructor(opts: InplaceLayerOptions | boolean = {}) {
    super();
    this.inplace = typeof opts === 'boolean' ? opts : opts.inplace === true;
  }
  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

const inplaceSuffix = (b: boolean): string => (b ? ', inplace=True' : '');

/** max(0, x). */
export class ReLU extends InplaceActivation {
  override forward(x: Tensor): Tensor {
    return A.relu(x, { inplace: this.inplace });
  }
}

/** min(max(0, x), 6). */
export class ReLU6 extends InplaceActivation {
  override forward(x: Tensor): Tensor {
    return A.relu6(x, { inplace: this.inplace });
  }
}

/** x * sigmoid(x). */
export class SiLU extends InplaceActivation {
  override forward(x: Tensor): Tensor {
    return A.silu(x, { inplace: this.inplace });
  }
}

/** x * tanh(softplus(x)). */
export class Mish extends InplaceActivation {
  override forward(x: Tensor): Tensor {
    return A.mish(x, { inplace: this.inplace });
  }
}

/** scale * elu(x, alpha) with the self-normalizing constants. */
export class SELU extends InplaceActivation {
  override forward(x: Tensor): Tensor {
    return A.selu(x, { inplace: this.inplace });
  }
}

/** x * relu6(x + 3) / 6. PyTorch prints no options for it. */
export class Hardswish extends InplaceActivation {
  override forward(x: Tensor): Tensor {
    return A.hardswish(x, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return '';
  }
}

/** relu6(x + 3) / 6. PyTorch prints no options for it. */
export class Hardsigmoid extends InplaceActivation {
  override forward(x: Tensor): Tensor {
    return A.hardsigmoid(x, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return '';
  }
}

/** x for x > 0, negativeSlope * x otherwise (default 0.01). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  constructor(negativeSlope = 0.01, opts: InplaceLayerOptions = {}) {
    super();
    this.negativeSlope = finite('LeakyReLU', 'negativeSlope', negativeSlope);
    this.inplace = opts.inplace === true;
  }
  override forward(x: Tensor): Tensor {
    return A.leakyRelu(x, { negativeSlope: this.negativeSlope, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${inplaceSuffix(this.inplace)}`;
  }
}

/** x for x > 0, alpha * (exp(x) - 1) otherwise. */
export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(alpha = 1, opts: InplaceLayerOptions = {}) {
    super();
    this.alpha = finite('ELU', 'alpha', alpha);
    this.inplace = opts.inplace === true;
  }
  override forward(x: Tensor): Tensor {
    return A.elu(x, { alpha: this.alpha, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceSuffix(this.inplace)}`;
  }
}

/** max(0, x) + min(0, alpha * (exp(x / alpha) - 1)). */
export class CELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(alpha = 1, opts: InplaceLayerOptions = {}) {
    super();
    this.alpha = finite('CELU', 'alpha', alpha);
    if (this.alpha === 0) throw new RangeError('CELU: alpha cannot be 0');
    this.inplace = opts.inplace === true;
  }
  override forward(x: Tensor): Tensor {
    return A.celu(x, { alpha: this.alpha, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceSuffix(this.inplace)}`;
  }
}

/** x * Phi(x), exactly ('none') or with the tanh approximation. */
export class GELU extends Module {
  readonly approximate: A.GeluApproximate;
  constructor(opts: { approximate?: A.GeluApproximate } = {}) {
    super();
    const a = opts.approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh') throw new RangeError(`GELU: approximate must be 'none' or 'tanh', got '${String(a)}'`);
    this.approximate = a;
  }
  override forward(x: Tensor): Tensor {
    return A.gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export interface SoftplusLayerOptions {
  /** Default 1. */
  beta?: number;
  /** Above beta * x > threshold the function is linear (default 20). */
  threshold?: number;
}

/** log(1 + exp(beta * x)) / beta. */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(opts: SoftplusLayerOptions = {}) {
    super();
    this.beta = finite('Softplus', 'beta', opts.beta ?? 1);
    this.threshold = finite('Softplus', 'threshold', opts.threshold ?? 20);
  }
  override forward(x: Tensor): Tensor {
    return A.softplus(x, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    // PyTorch's defaults are the ints 1 and 20; a fractional value prints as a float.
    const num = (v: number): string => (Number.isInteger(v) ? String(v) : pyFloat(v));
    return `beta=${num(this.beta)}, threshold=${num(this.threshold)}`;
  }
}

/** Clamps to [minVal, maxVal] (default [-1, 1]). */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  readonly inplace: boolean;
  constructor(minVal = -1, maxVal = 1, opts: InplaceLayerOptions = {}) {
    super();
    this.minVal = finite('Hardtanh', 'minVal', minVal);
    this.maxVal = finite('Hardtanh', 'maxVal', maxVal);
    if (this.maxVal < this.minVal) throw new RangeError(`Hardtanh: maxVal (${maxVal}) must be greater than or equal to minVal (${minVal})`);
    this.inplace = opts.inplace === true;
  }
  override forward(x: Tensor): Tensor {
    return A.hardtanh(x, { minVal: this.minVal, maxVal: this.maxVal, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${inplaceSuffix(this.inplace)}`;
  }
}

/** x where x > threshold, `value` elsewhere. */
export class Threshold extends Module {
  readonly threshold: number;
  readonly value: number;
  readonly inplace: boolean;
  constructor(threshold: number, value: number, opts: InplaceLayerOptions = {}) {
    super();
    this.threshold = finite('Threshold', 'threshold', threshold);
    this.value = finite('Threshold', 'value', value);
    this.inplace = opts.inplace === true;
  }
  override forward(x: Tensor): Tensor {
    return A.threshold(x, this.threshold, this.value, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}${inplaceSuffix(this.inplace)}`;
  }
}

/** x / (1 + |x|). */
export class Softsign extends Module {
  override forward(x: Tensor): Tensor {
    return A.softsign(x);
  }
}

/** 1 / (1 + exp(-x)). */
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return A.sigmoid(x);
  }
}

export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return A.tanh(x);
  }
}

/** log(sigmoid(x)). */
export class LogSigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return A.logsigmoid(x);
  }
}

/** PyTorch's legacy choice when a softmax layer has no dim: 0 for 0-, 1- and 3-d inputs, else 1. */
function implicitDim(x: Tensor): number {
  return x.ndim === 0 || x.ndim === 1 || x.ndim === 3 ? 0 : 1;
}

function dimArg(layer: string, dim: unknown): number | null {
  if (dim === undefined || dim === null) return null;
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TypeError(`${layer}: dim must be an integer or null, got ${String(dim)}`);
  return dim;
}

abstract class SoftmaxBase extends Module {
  readonly dim: number | null;
  /**
   * `new nn.Softmax(1)` or `new nn.Softmax({ dim: 1 })`. Without a dim, PyTorch's legacy implicit
   * dim is used (0 for 0-, 1- and 3-d inputs, else 1); give it explicitly.
   */
  constructor(dim: number | null | { dim?: number | null } = null) {
    super();
    this.dim = dimArg(this._getName(), dim !== null && typeof dim === 'object' ? dim.dim : dim);
  }
  protected dimFor(x: Tensor): number {
    return this.dim ?? implicitDim(x);
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/**
 * softmax along `dim`.
 * @example
 * ```ts
 * new nn.Softmax(1).forward(randn([2, 3])).sum(1); // [1, 1]
 * ```
 */
export class Softmax extends SoftmaxBase {
  override forward(x: Tensor): Tensor {
    return A.softmax(x, this.dimFor(x));
  }
}

/** log(softmax(x)) along `dim`. */
export class LogSoftmax extends SoftmaxBase {
  override forward(x: Tensor): Tensor {
    return A.logSoftmax(x, this.dimFor(x));
  }
}

/** softmax(-x) along `dim`. */
export class Softmin extends SoftmaxBase {
  override forward(x: Tensor): Tensor {
    return A.softmin(x, this.dimFor(x));
  }
}

/** softmax over the channels of [N, C, H, W] or [C, H, W] (dim -3). */
export class Softmax2d extends Module {
  override forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`Softmax2d: expected a 3-d [C, H, W] or 4-d [N, C, H, W] input, got [${x.shape.join(', ')}] (${x.dtype})`);
    return A.softmax(x, -3);
  }
}

/** Gated linear unit: a * sigmoid(b) for the halves a, b of x along dim (default -1). */
export class GLU extends Module {
  readonly dim: number;
  constructor(dim = -1) {
    super();
    if (!Number.isInteger(dim)) throw new TypeError(`GLU: dim must be an integer, got ${String(dim)}`);
    this.dim = dim;
  }
  override forward(x: Tensor): Tensor {
    return A.glu(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export interface PReLULayerOptions extends FactoryOptions {
  /** The initial slope (default 0.25). */
  init?: number;
}

/**
 * max(0, x) + a * min(0, x) with a learnt slope `a`: one (numParameters 1, the default) or one
 * per channel (dim 1 of the input).
 * @example
 * ```ts
 * const act = new nn.PReLU(16);       // one slope per channel, each 0.25
 * act.forward(randn([8, 16, 4, 4]));
 * ```
 */
export class PReLU extends Module {
  readonly numParameters: number;
  readonly init: number;
  weight: Parameter;
  constructor(numParameters = 1, opts: PReLULayerOptions = {}) {
    super();
    this.numParameters = positiveInt('PReLU', 'numParameters', numParameters);
    this.init = finite('PReLU', 'init', opts.init ?? 0.25);
    this.weight = new Parameter(newParam([numParameters], opts));
    this.resetParameters();
  }
  resetParameters(): void {
    constant_(this.weight, this.init);
  }
  override forward(x: Tensor): Tensor {
    return A.prelu(x, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}
