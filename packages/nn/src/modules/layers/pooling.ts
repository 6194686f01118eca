/**
 * Pooling layers (torch.nn.MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d, AdaptiveMaxPool1d/2d)
 * over F's pooling functions. Sizes are kept as given (a number or an array), so the reprs print
 * them as PyTorch does; AvgPool1d keeps one-element tuples, as PyTorch's does.
 */
import type { Tensor } from '@cinder/tensor';
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d,
} from '../../functional/pooling.js';
import { Module } from '../module.js';
import { pyBool, pyTuple } from './common.js';

export type PoolSize = number | readonly number[];

/** A pooling size: an integer >= min, or `n` of them; returned as given (arrays copied). */
function poolSize(layer: string, name: string, v: unknown, n: number, min: number): number | number[] {
  const ok = (e: unknown): boolean => typeof e === 'number' && Number.isInteger(e) && e >= min;
  if (ok(v)) return v as number;
  if (Array.isArray(v) && v.length === n && v.every(ok)) return [...(v as number[])];
  const what = min > 0 ? 'a positive integer' : 'a non-negative integer';
  throw new RangeError(`${layer}: ${name} must be ${what}${n > 1 ? ` or ${n} of them` : ''}, got ${JSON.stringify(v)}`);
}

function flag(layer: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`${layer}: ${name} must be a boolean, got ${String(v)}`);
  return v;
}

export interface MaxPoolLayerOptions<S> {
  /** Default: kernelSize. */
  stride?: S | null;
  /** Implicit -infinity padding on both sides (at most half the kernel). */
  padding?: S;
  dilation?: S;
  /** forward returns [output, indices] (flat indices into each input plane). */
  returnIndices?: boolean;
  /** Use ceil instead of floor for the output size. */
  ceilMode?: boolean;
}

abstract class MaxPoolNd extends Module {
  readonly kernelSize: number | number[];
  readonly stride: number | number[];
  readonly padding: number | number[];
  readonly dilation: number | number[];
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;
  protected constructor(n: number, kernelSize: PoolSize, opts: MaxPoolLayerOptions<PoolSize>) {
    super();
    const layer = this._getName();
    this.kernelSize = poolSize(layer, 'kernelSize', kernelSize, n, 1);
    this.stride = opts.stride === undefined || opts.stride === null ? this.kernelSize : poolSize(layer, 'stride', opts.stride, n, 1);
    this.padding = poolSize(layer, 'padding', opts.padding ?? 0, n, 0);
    this.dilation = poolSize(layer, 'dilation', opts.dilation ?? 1, n, 1);
    this.returnIndices = flag(layer, 'returnIndices', opts.returnIndices, false);
    this.ceilMode = flag(layer, 'ceilMode', opts.ceilMode, false);
  }
  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}, ` +
      `dilation=${pyTuple(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

const first = (v: number | number[]): number => (typeof v === 'number' ? v : v[0]!);

/**
 * 1-d max pooling of [N, C, L] (or [C, L]); with returnIndices, forward gives [output, indices].
 * @example
 * ```ts
 * new nn.MaxPool1d(3, { stride: 2 }).forward(randn([20, 16, 50])).shape; // [20, 16, 24]
 * ```
 */
export class MaxPool1d extends MaxPoolNd {
  constructor(kernelSize: number | readonly [number], opts: MaxPoolLayerOptions<number | readonly [number]> = {}) {
    super(1, kernelSize, opts);
  }
  override forward(x: Tensor): Tensor | [Tensor, Tensor] {
    const o = { stride: first(this.stride), padding: first(this.padding), dilation: first(this.dilation), ceilMode: this.ceilMode };
    return this.returnIndices ? maxPool1d(x, first(this.kernelSize), { ...o, returnIndices: true }) : maxPool1d(x, first(this.kernelSize), o);
  }
}

/**
 * 2-d max pooling of [N, C, H, W] (or [C, H, W]); with returnIndices, forward gives [output, indices].
 * @example
 * ```ts
 * new nn.MaxPool2d(2).forward(randn([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 * ```
 */
export class MaxPool2d extends MaxPoolNd {
  constructor(kernelSize: PoolSize, opts: MaxPoolLayerOptions<PoolSize> = {}) {
    super(2, kernelSize, opts);
  }
  override forward(x: Tensor): Tensor | [Tensor, Tensor] {
    const o = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return this.returnIndices ? maxPool2d(x, this.kernelSize, { ...o, returnIndices: true }) : maxPool2d(x, this.kernelSize, o);
  }
}

export interface AvgPoolLayerOptions<S> {
  /** Default: kernelSize. */
  stride?: S | null;
  /** Implicit zero padding on both sides (at most half the kernel). */
  padding?: S;
  ceilMode?: boolean;
  /** Count the padding zeros in the average (default true). */
  countIncludePad?: boolean;
}

/** 1-d average pooling of [N, C, L] (or [C, L]). */
export class AvgPool1d extends Module {
  readonly kernelSize: [number];
  readonly stride: [number];
  readonly padding: [number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  constructor(kernelSize: number | readonly [number], opts: AvgPoolLayerOptions<number | readonly [number]> = {}) {
    super();
    const layer = 'AvgPool1d';
    const one = (v: number | number[]): [number] => [first(v)];
    this.kernelSize = one(poolSize(layer, 'kernelSize', kernelSize, 1, 1));
    this.stride = opts.stride === undefined || opts.stride === null ? [...this.kernelSize] : one(poolSize(layer, 'stride', opts.stride, 1, 1));
    this.padding = one(poolSize(layer, 'padding', opts.padding ?? 0, 1, 0));
    this.ceilMode = flag(layer, 'ceilMode', opts.ceilMode, false);
    this.countIncludePad = flag(layer, 'countIncludePad', opts.countIncludePad, true);
  }
  override forward(x: Tensor): Tensor {
    return avgPool1d(x, this.kernelSize[0], {
      stride: this.stride[0], padding: this.padding[0], ceilMode: this.ceilMode, countIncludePad: this.countIncludePad,
    });
  }
  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}

/**
 * 2-d average pooling of [N, C, H, W] (or [C, H, W]).
 * @example
 * ```ts
 * new nn.AvgPool2d(2, { stride: 1 }).forward(randn([1, 3, 4, 4])).shape; // [1, 3, 3, 3]
 * ```
 */
export class AvgPool2d extends Module {
  readonly kernelSize: number | number[];
  readonly stride: number | number[];
  readonly padding: number | number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(kernelSize: PoolSize, opts: AvgPoolLayerOptions<PoolSize> & { divisorOverride?: number | null } = {}) {
    super();
    const layer = 'AvgPool2d';
    this.kernelSize = poolSize(layer, 'kernelSize', kernelSize, 2, 1);
    this.stride = opts.stride === undefined || opts.stride === null ? this.kernelSize : poolSize(layer, 'stride', opts.stride, 2, 1);
    this.padding = poolSize(layer, 'padding', opts.padding ?? 0, 2, 0);
    this.ceilMode = flag(layer, 'ceilMode', opts.ceilMode, false);
    this.countIncludePad = flag(layer, 'countIncludePad', opts.countIncludePad, true);
    const d = opts.divisorOverride ?? null;
    if (d !== null && !(typeof d === 'number' && Number.isInteger(d) && d !== 0)) {
      throw new RangeError(`${layer}: divisorOverride must be a non-zero integer, got ${String(d)}`);
    }
    this.divisorOverride = d;
  }
  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }
  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}

/** An adaptive output size: a positive integer, or (2-d) two entries each a positive integer or null (keep the input's). */
function outputSizeArg(layer: string, v: unknown, n: number): number | (number | null)[] {
  const ok = (e: unknown, nullable: boolean): boolean => (nullable && e === null) || (typeof e === 'number' && Number.isInteger(e) && e > 0);
  if (ok(v, false)) return v as number;
  if (Array.isArray(v) && v.length === n && v.every((e) => ok(e, n > 1))) return [...(v as (number | null)[])];
  throw new RangeError(`${layer}: outputSize must be a positive integer${n > 1 ? ` or ${n} entries (positive integers or null)` : ''}, got ${JSON.stringify(v)}`);
}

const pyOptTuple = (v: number | (number | null)[]): string =>
  typeof v === 'number' ? String(v) : v.length === 1 ? `(${v[0] ?? 'None'},)` : `(${v.map((e) => (e === null ? 'None' : String(e))).join(', ')})`;

abstract class AdaptivePool extends Module {
  readonly outputSize: number | (number | null)[];
  protected constructor(n: number, outputSize: unknown) {
    super();
    this.outputSize = outputSizeArg(this._getName(), outputSize, n);
  }
  override extraRepr(): string {
    return `output_size=${pyOptTuple(this.outputSize)}`;
  }
}

/** Average pooling of [N, C, L] (or [C, L]) to `outputSize` positions, whatever L is. */
export class AdaptiveAvgPool1d extends AdaptivePool {
  constructor(outputSize: number | readonly [number]) {
    super(1, outputSize);
  }
  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, first(this.outputSize as number | number[]));
  }
}

/**
 * Average pooling of [N, C, H, W] (or [C, H, W]) to `outputSize` ([h, w], null keeping the input's size).
 * @example
 * ```ts
 * new nn.AdaptiveAvgPool2d([1, 1]).forward(randn([2, 512, 7, 7])).shape; // [2, 512, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends AdaptivePool {
  constructor(outputSize: number | readonly (number | null)[]) {
    super(2, outputSize);
  }
  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

/** Max pooling of [N, C, L] (or [C, L]) to `outputSize` positions; [output, indices] with returnIndices. */
export class AdaptiveMaxPool1d extends AdaptivePool {
  readonly returnIndices: boolean;
  constructor(outputSize: number | readonly [number], opts: { returnIndices?: boolean } = {}) {
    super(1, outputSize);
    this.returnIndices = flag('AdaptiveMaxPool1d', 'returnIndices', opts.returnIndices, false);
  }
  override forward(x: Tensor): Tensor | [Tensor, Tensor] {
    const s = first(this.outputSize as number | number[]);
    return this.returnIndices ? adaptiveMaxPool1d(x, s, { returnIndices: true }) : adaptiveMaxPool1d(x, s);
  }
}

/** Max pooling of [N, C, H, W] (or [C, H, W]) to `outputSize`; [output, indices] with returnIndices. */
export class AdaptiveMaxPool2d extends AdaptivePool {
  readonly returnIndices: boolean;
  constructor(outputSize: number | readonly (number | null)[], opts: { returnIndices?: boolean } = {}) {
    super(2, outputSize);
    this.returnIndices = flag('AdaptiveMaxPool2d', 'returnIndices', opts.returnIndices, false);
  }
  override forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return this.returnIndices ? adaptiveMaxPool2d(x, this.outputSize, { returnIndices: true }) : adaptiveMaxPool2d(x, this.outputSize);
  }
}
