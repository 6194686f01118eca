/**
 * LayerNorm, GroupNorm and InstanceNorm with Sonnet's arguments: the statistics come from
 * `F.layerNorm`, `F.groupNorm` and `F.instanceNorm`; scale and offset are per channel ([C]), the
 * channel dim being the last (default) or the second (`dataFormat: 'channels_first'`).
 */
import { F } from '@cinder/nn';
import type { Tensor } from '@cinder/tensor';
import { channelsLastFormat } from './batchNorm.js';
import { Ones, Zeros, type InitializerLike } from './initializers.js';
import { describe, positiveInt } from './linear.js';
import { Module, moduleFloatArg } from './module.js';
import type { Variable } from './variable.js';

export interface NormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Default Ones. */
  scaleInit?: InitializerLike;
  /** Default Zeros. */
  offsetInit?: InitializerLike;
  /** 'channels_last' (default) or 'channels_first' (or a format such as 'NHWC' / 'NCHW'). */
  dataFormat?: string;
  name?: string;
}

/** Scale and offset per channel, made on the first call. */
abstract class ChannelNorm extends Module {
  readonly createScale: boolean;
  readonly createOffset: boolean;
  readonly eps: number;
  readonly dataFormat: string;
  declare scale: Variable | undefined;
  declare offset: Variable | undefined;
  protected readonly channelsLast: boolean;
  #scaleInit: InitializerLike;
  #offsetInit: InitializerLike;
  protected channels = 0;

  constructor(createScale: boolean, createOffset: boolean, opts: NormOptions) {
    super({ name: opts.name });
    const what = new.target.name;
    if (typeof createScale !== 'boolean' || typeof createOffset !== 'boolean') {
      throw new TypeError(`${what}: createScale and createOffset must be booleans, got ${String(createScale)} and ${String(createOffset)}`);
    }
    if (!createScale && opts.scaleInit !== undefined) throw new TypeError(`${what}: scaleInit was given but createScale is false`);
    if (!createOffset && opts.offsetInit !== undefined) throw new TypeError(`${what}: offsetInit was given but createOffset is false`);
    this.createScale = createScale;
    this.createOffset = createOffset;
    this.eps = opts.eps ?? 1e-5;
    this.channelsLast = channelsLastFormat(what, opts.dataFormat);
    this.dataFormat = opts.dataFormat ?? 'channels_last';
    this.#scaleInit = opts.scaleInit ?? new Ones();
    this.#offsetInit = opts.offsetInit ?? new Zeros();
  }

  protected what(): string {
    return `${this.constructor.name} '${this.scopeName}'`;
  }

  protected channelsOf(x: unknown, minDims: number): number {
    const t = moduleFloatArg(this, 'call', x);
    if (t.ndim < minDims) throw new RangeError(`${this.what()}: expected an input of ${minDims} or more dims, got ${describe(t)}`);
    const c = t.shape[this.channelsLast ? t.ndim - 1 : 1]!;
    if (this.channels !== 0 && c !== this.channels) throw new RangeError(`${this.what()}: input ${describe(t)} has ${c} channels but the module was created for ${this.channels}`);
    return c;
  }

  protected makeParams(x: Tensor, c: number): void {
    this.channels = c;
    const opts = { dtype: x.dtype, device: x.device };
    if (this.createScale) this.scale = this.createVariable('scale', [c], { init: this.#scaleInit, ...opts });
    if (this.createOffset) this.offset = this.createVariable('offset', [c], { init: this.#offsetInit, ...opts });
  }

  /** Applies F to the channels-first form of x with the per-channel scale and offset. */
  protected channelsFirst(x: Tensor, fn: (xc: Tensor, weight: Tensor | null, bias: Tensor | null) => Tensor): Tensor {
    const xc = this.channelsLast ? x.movedim(-1, 1) : x;
    const y = fn(xc, this.scale ?? null, this.offset ?? null);
    return this.channelsLast ? y.movedim(1, -1) : y;
  }
}

/**
 * Layer normalization over `axis` (a dim or dims, negative counting from the end), then a scale
 * and an offset per channel.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { LayerNorm } from '@cinder/modules';
 * const ln = new LayerNorm(-1, true, true);
 * const y = ln.call(randn([4, 10]).mul(3));
 * console.log(y.shape, (y.std(1, { correction: 0 }).mean().item() as number).toFixed(3)); // [ 4, 10 ] 1.000
 * ```
 */
export class LayerNorm extends ChannelNorm {
  readonly axis: number | readonly number[];

  constructor(axis: number | readonly number[], createScale: boolean, createOffset: boolean, opts: NormOptions = {}) {
    super(createScale, createOffset, opts);
    this.recordArgs(axis, createScale, createOffset, opts);
    const axes = typeof axis === 'number' ? [axis] : axis;
    if (!Array.isArray(axes) || axes.length === 0 || axes.some((a) => !Number.isInteger(a))) {
      throw new TypeError(`LayerNorm: axis must be an integer or a non-empty list of them, got ${JSON.stringify(axis)}`);
    }
    this.axis = axis;
  }

  #axes(x: Tensor): number[] {
    const axes = (typeof this.axis === 'number' ? [this.axis] : [...this.axis]).map((a) => {
      const n = a < 0 ? a + x.ndim : a;
      if (n < 0 || n >= x.ndim) throw new RangeError(`${this.what()}: axis ${a} is out of range for input ${describe(x)}`);
      return n;
    });
    return [...new Set(axes)].sort((a, b) => a - b);
  }

  protected override initialize(x: Tensor): void {
    const c = this.channelsOf(x, 1);
    this.#axes(x);
    this.makeParams(x, c);
  }

  forward(x: Tensor): Tensor {
    const c = this.channelsOf(x, 1);
    const axes = this.#axes(x);
    const n = x.ndim;
    const cDim = this.channelsLast ? n - 1 : 1;
    const trailing = axes.every((a, i) => a === n - axes.length + i);
    // The common case, the last dim being both the channels and the normalized dim, is one F call.
    if (trailing && axes.length === 1 && cDim === n - 1) {
      return F.layerNorm(x, [c], { weight: this.scale ?? null, bias: this.offset ?? null, eps: this.eps });
    }
    const rest = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const perm = [...rest, ...axes];
    const moved = trailing ? x : x.permute(perm);
    let y = F.layerNorm(moved, axes.map((a) => x.shape[a]!), { eps: this.eps });
    if (!trailing) y = y.permute(perm.map((_, i) => perm.indexOf(i)));
    const shape = x.shape.map((s, i) => (i === cDim ? s : 1));
    if (this.scale !== undefined) y = y.mul(this.scale.reshape(shape));
    if (this.offset !== undefined) y = y.add(this.offset.reshape(shape));
    return y;
  }
}

/**
 * Group normalization: the channels split into `groups`, each group normalized over its channels
 * and every other non-batch dim, then a scale and an offset per channel.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { GroupNorm } from '@cinder/modules';
 * const gn = new GroupNorm(2);
 * console.log(gn.call(randn([3, 5, 5, 4])).shape, gn.scale!.shape); // [ 3, 5, 5, 4 ] [ 4 ]
 * ```
 */
export class GroupNorm extends ChannelNorm {
  readonly groups: number;

  constructor(groups: number, opts: NormOptions & { createScale?: boolean; createOffset?: boolean } = {}) {
    super(opts.createScale ?? true, opts.createOffset ?? true, opts);
    this.recordArgs(groups, opts);
    this.groups = positiveInt('GroupNorm', 'groups', groups);
  }

  protected override initialize(x: Tensor): void {
    const c = this.channelsOf(x, 2);
    if (c % this.groups !== 0) throw new RangeError(`${this.what()}: ${c} channels do not split into ${this.groups} groups (input ${describe(x)})`);
    this.makeParams(x, c);
  }

  forward(x: Tensor): Tensor {
    this.channelsOf(x, 2);
    return this.channelsFirst(x, (xc, weight, bias) => F.groupNorm(xc, this.groups, { weight, bias, eps: this.eps }));
  }
}

/**
 * Instance normalization: each channel of each example normalized over its spatial dims, then a
 * scale and an offset per channel.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { InstanceNorm } from '@cinder/modules';
 * const norm = new InstanceNorm(true, true);
 * const y = norm.call(randn([2, 6, 6, 3]).add(4));
 * console.log(Math.abs(y.mean([1, 2]).max().item() as number) < 1e-5); // true
 * ```
 */
export class InstanceNorm extends ChannelNorm {
  constructor(createScale: boolean, createOffset: boolean, opts: NormOptions = {}) {
    super(createScale, createOffset, opts);
    this.recordArgs(createScale, createOffset, opts);
  }

  protected override initialize(x: Tensor): void {
    this.makeParams(x, this.channelsOf(x, 3));
  }

  forward(x: Tensor): Tensor {
    this.channelsOf(x, 3);
    return this.channelsFirst(x, (xc, weight, bias) => F.instanceNorm(xc, { weight, bias, eps: this.eps }));
  }
}
