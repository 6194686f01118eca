/**
 * Convolution layers (torch.nn.Conv1d/2d/3d, ConvTranspose1d/2d/3d) over F's convolutions.
 * Weights are [out, in / groups, ...kernel] ([in, out / groups, ...kernel] when transposed),
 * initialised as PyTorch does: kaiming uniform with a = sqrt(5), bias ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
 */
import type { Tensor } from '@cinder/tensor';
import {
  conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, type ConvOptions, type ConvTransposeOptions,
} from '../../functional/conv.js';
import { describe } from '../../functional/common.js';
import { pad } from '../../functional/vision.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { newParam, positiveInt, pyTuple, type FactoryOptions } from './common.js';

export type ConvSizeArg = number | readonly number[];
export type ConvPaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface ConvLayerOptions extends FactoryOptions {
  stride?: ConvSizeArg;
  /** Implicit padding on both sides of every spatial dim, or 'valid' (none) or 'same' (output as large as the input; stride 1 only). */
  padding?: ConvSizeArg | 'same' | 'valid';
  dilation?: ConvSizeArg;
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** How the input is padded: 'zeros' (default), 'reflect', 'replicate' or 'circular'. */
  paddingMode?: ConvPaddingMode;
}

export interface ConvTransposeLayerOptions extends FactoryOptions {
  stride?: ConvSizeArg;
  /** dilation * (kernelSize - 1) - padding zeros are added to both sides of the input. */
  padding?: ConvSizeArg;
  /** Extra size added to one side of each output dim (to pick among the sizes a stride allows). */
  outputPadding?: ConvSizeArg;
  groups?: number;
  bias?: boolean;
  dilation?: ConvSizeArg;
  /** Only 'zeros' is supported, as in PyTorch. */
  paddingMode?: 'zeros';
}

const PADDING_MODES: readonly string[] = ['zeros', 'reflect', 'replicate', 'circular'];

/** A size argument as n integers >= min (a number stands for all n). */
function ntuple(layer: string, name: string, v: unknown, n: number, min: number): number[] {
  const arr = typeof v === 'number' ? new Array<number>(n).fill(v) : Array.isArray(v) ? [...(v as unknown[])] : null;
  if (arr === null || arr.length !== n || !arr.every((e) => typeof e === 'number' && Number.isInteger(e) && e >= min)) {
    const what = min > 0 ? 'positive integers' : 'non-negative integers';
    throw new RangeError(`${layer}: ${name} must be ${what} (a number or ${n} of them), got ${JSON.stringify(v)}`);
  }
  return arr as number[];
}

type ConvFn = (x: Tensor, w: Tensor, o: ConvOptions) => Tensor;
type ConvTransposeFn = (x: Tensor, w: Tensor, o: ConvTransposeOptions) => Tensor;

/** What Conv and ConvTranspose share: the arguments, the parameters, their initialisation and the repr. */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'same' | 'valid';
  readonly dilation: number[];
  readonly transposed: boolean;
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: ConvPaddingMode;
  weight: Parameter;
  bias: Parameter | null;

  protected constructor(
    n: number, transposed: boolean, inChannels: number, outChannels: number, kernelSize: ConvSizeArg,
    opts: ConvLayerOptions & { outputPadding?: ConvSizeArg },
  ) {
    super();
    const layer = this._getName();
    this.inChannels = positiveInt(layer, 'inChannels', inChannels);
    this.outChannels = positiveInt(layer, 'outChannels', outChannels);
    this.groups = positiveInt(layer, 'groups', opts.groups ?? 1);
    if (inChannels % this.groups !== 0) throw new RangeError(`${layer}: inChannels (${inChannels}) must be divisible by groups (${this.groups})`);
    if (outChannels % this.groups !== 0) throw new RangeError(`${layer}: outChannels (${outChannels}) must be divisible by groups (${this.groups})`);
    this.kernelSize = ntuple(layer, 'kernelSize', kernelSize, n, 1);
    this.stride = ntuple(layer, 'stride', opts.stride ?? 1, n, 1);
    this.dilation = ntuple(layer, 'dilation', opts.dilation ?? 1, n, 1);
    const padding = opts.padding ?? 0;
    if (typeof padding === 'string') {
      if (transposed) throw new RangeError(`${layer}: padding '${padding}' is not supported for transposed convolutions; give numbers`);
      if (padding !== 'same' && padding !== 'valid') throw new RangeError(`${layer}: invalid padding string '${padding}', should be one of 'valid', 'same'`);
      if (padding === 'same' && this.stride.some((s) => s !== 1)) {
        throw new RangeError(`${layer}: padding='same' is not supported for strided convolutions (stride ${pyTuple(this.stride)})`);
      }
      this.padding = padding;
    } else {
      this.padding = ntuple(layer, 'padding', padding, n, 0);
    }
    this.transposed = transposed;
    this.outputPadding = ntuple(layer, 'outputPadding', opts.outputPadding ?? 0, n, 0);
    const mode = opts.paddingMode ?? 'zeros';
    if (!PADDING_MODES.includes(mode)) {
      throw new RangeError(`${layer}: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got '${String(mode)}'`);
    }
    if (transposed && mode !== 'zeros') throw new RangeError(`${layer}: only 'zeros' padding mode is supported, got '${mode}'`);
    this.paddingMode = mode;
    const shape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = new Parameter(newParam(shape, opts));
    this.bias = opts.bias === false ? null : new Parameter(newParam([outChannels], opts));
    this.resetParameters();
  }

  /** Draws fresh initial values (PyTorch's reset_parameters). */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        uniform_(this.bias, -bound, bound);
      }
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    const p = this.padding;
    if (typeof p === 'string') s += `, padding=${p}`;
    else if (p.some((v) => v !== 0)) s += `, padding=${pyTuple(p)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((v) => v !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** A forward convolution; padding modes other than 'zeros' pad the input explicitly first. */
abstract class Conv extends ConvNd {
  /** PyTorch's _reversed_padding_repeated_twice: the explicit pad list of the non-zero padding modes. */
  readonly #padList: number[];
  readonly #fn: ConvFn;

  protected constructor(n: number, fn: ConvFn, inChannels: number, outChannels: number, kernelSize: ConvSizeArg, opts: ConvLayerOptions) {
    super(n, false, inChannels, outChannels, kernelSize, opts);
    this.#fn = fn;
    const list: number[] = [];
    for (let i = n - 1; i >= 0; i--) {
      if (this.padding === 'valid') list.push(0, 0);
      else if (this.padding === 'same') {
        const total = this.dilation[i]! * (this.kernelSize[i]! - 1);
        const left = Math.floor(total / 2);
        list.push(left, total - left);
      } else list.push(this.padding[i]!, this.padding[i]!);
    }
    this.#padList = list;
  }

  override forward(x: Tensor): Tensor {
    const common = { bias: this.bias, stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode !== 'zeros') {
      const mode = this.paddingMode === 'reflect' ? 'reflect' : this.paddingMode === 'replicate' ? 'replicate' : 'circular';
      return this.#fn(pad(x, this.#padList, { mode }), this.weight, { ...common, padding: 0 });
    }
    return this.#fn(x, this.weight, { ...common, padding: this.padding });
  }
}

/**
 * 1-d convolution of [N, Cin, L] (or [Cin, L]).
 * @example
 * ```ts
 * const conv = new nn.Conv1d(16, 33, 3, { stride: 2 });
 * conv.forward(randn([20, 16, 50])).shape; // [20, 33, 24]
 * ```
 */
export class Conv1d extends Conv {
  constructor(inChannels: number, outChannels: number, kernelSize: ConvSizeArg, opts: ConvLayerOptions = {}) {
    super(1, (x, w, o) => conv1d(x, w, o), inChannels, outChannels, kernelSize, opts);
  }
}

/**
 * 2-d convolution of [N, Cin, H, W] (or [Cin, H, W]).
 * @example
 * ```ts
 * const conv = new nn.Conv2d(3, 16, 3, { padding: 1 });
 * conv.forward(randn([8, 3, 32, 32])).shape; // [8, 16, 32, 32]
 * ```
 */
export class Conv2d extends Conv {
  constructor(inChannels: number, outChannels: number, kernelSize: ConvSizeArg, opts: ConvLayerOptions = {}) {
    super(2, (x, w, o) => conv2d(x, w, o), inChannels, outChannels, kernelSize, opts);
  }
}

/** 3-d convolution of [N, Cin, D, H, W] (or [Cin, D, H, W]). */
export class Conv3d extends Conv {
  constructor(inChannels: number, outChannels: number, kernelSize: ConvSizeArg, opts: ConvLayerOptions = {}) {
    super(3, (x, w, o) => conv3d(x, w, o), inChannels, outChannels, kernelSize, opts);
  }
}

/** A transposed convolution, whose forward may ask for an exact output size. */
abstract class ConvTranspose extends ConvNd {
  readonly #fn: ConvTransposeFn;

  protected constructor(n: number, fn: ConvTransposeFn, inChannels: number, outChannels: number, kernelSize: ConvSizeArg, opts: ConvTransposeLayerOptions) {
    super(n, true, inChannels, outChannels, kernelSize, opts as ConvLayerOptions & { outputPadding?: ConvSizeArg });
    this.#fn = fn;
  }

  /**
   * The output padding giving `outputSize` (the spatial sizes, or the full output shape), as
   * PyTorch's _output_padding computes it; the layer's own outputPadding without one.
   */
  protected outputPaddingFor(x: Tensor, outputSize: readonly number[] | undefined): number[] {
    if (outputSize === undefined || outputSize === null) return this.outputPadding;
    const layer = this._getName();
    const n = this.kernelSize.length;
    if (!Array.isArray(outputSize)) throw new TypeError(`${layer}: outputSize must be an array of integers, got ${JSON.stringify(outputSize)}`);
    if (x.ndim !== n + 1 && x.ndim !== n + 2) throw new RangeError(`${layer}: expected a ${n + 1}-d or ${n + 2}-d input, got ${describe(x)}`);
    const nonSpatial = x.ndim === n + 2 ? 2 : 1;
    const size = outputSize.length === n + nonSpatial ? outputSize.slice(nonSpatial) : [...outputSize];
    if (size.length !== n) {
      throw new RangeError(`${layer}: for input ${describe(x)}, outputSize must have ${n} or ${n + nonSpatial} elements (got ${outputSize.length})`);
    }
    const padding = this.padding as number[];
    const mins = size.map((_, d) => (x.shape[nonSpatial + d]! - 1) * this.stride[d]! - 2 * padding[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1);
    const maxs = mins.map((m, d) => m + this.stride[d]! - 1);
    if (size.some((v, d) => !Number.isInteger(v) || v < mins[d]! || v > maxs[d]!)) {
      throw new RangeError(
        `${layer}: requested an output size of [${size.join(', ')}], but valid sizes range from [${mins.join(', ')}] to [${maxs.join(', ')}] ` +
          `(for an input of ${describe(x)})`,
      );
    }
    return size.map((v, d) => v - mins[d]!);
  }

  /** Runs the transposed convolution; `outputSize` picks the output's spatial size among those the stride allows. */
  override forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    const outputPadding = this.outputPaddingFor(x, outputSize);
    return this.#fn(x, this.weight, {
      bias: this.bias, stride: this.stride, padding: this.padding as number[], outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }
}

/** 1-d transposed convolution (the adjoint of Conv1d): weight [Cin, Cout / groups, k]. */
export class ConvTranspose1d extends ConvTranspose {
  constructor(inChannels: number, outChannels: number, kernelSize: ConvSizeArg, opts: ConvTransposeLayerOptions = {}) {
    super(1, (x, w, o) => convTranspose1d(x, w, o), inChannels, outChannels, kernelSize, opts);
  }
}

/**
 * 2-d transposed convolution: weight [Cin, Cout / groups, kH, kW].
 * @example
 * ```ts
 * const up = new nn.ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1 });
 * up.forward(randn([1, 16, 12, 12]), [1, 8, 24, 24]).shape; // [1, 8, 24, 24]
 * ```
 */
export class ConvTranspose2d extends ConvTranspose {
  constructor(inChannels: number, outChannels: number, kernelSize: ConvSizeArg, opts: ConvTransposeLayerOptions = {}) {
    super(2, (x, w, o) => convTranspose2d(x, w, o), inChannels, outChannels, kernelSize, opts);
  }
}

/** 3-d transposed convolution: weight [Cin, Cout / groups, kD, kH, kW]. */
export class ConvTranspose3d extends ConvTranspose {
  constructor(inChannels: number, outChannels: number, kernelSize: ConvSizeArg, opts: ConvTransposeLayerOptions = {}) {
    super(3, (x, w, o) => convTranspose3d(x, w, o), inChannels, outChannels, kernelSize, opts);
  }
}
