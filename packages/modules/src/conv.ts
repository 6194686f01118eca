/**
 * Convolutions with Sonnet's conventions: channels-last data by default (NWC, NHWC, NDHWC; the
 * channels-first formats as an option), weights in TensorFlow's layout [k..., in, out], and
 * TensorFlow's 'SAME' / 'VALID' padding ('SAME' keeps ceil(size / stride), padding the extra
 * element at the end when the total is odd). The convolutions themselves are `F.conv1d/2d/3d` and
 * `F.convTranspose2d`; the layouts are views.
 */
import { F } from '@cinder/nn';
import type { Tensor } from '@cinder/tensor';
import { TruncatedNormal, Zeros, type InitializerLike } from './initializers.js';
import { describe, positiveInt } from './linear.js';
import { Module, moduleFloatArg } from './module.js';
import type { Variable } from './variable.js';

export type Padding = 'SAME' | 'VALID';

export interface ConvOptions {
  /** Default 1 (a number for every spatial dim, or one per dim). */
  stride?: number | readonly number[];
  /** The dilation rate (default 1). */
  rate?: number | readonly number[];
  /** Default 'SAME'. */
  padding?: Padding;
  /** Default true. */
  withBias?: boolean;
  /** Default TruncatedNormal with stddev 1 / sqrt(kernel size * input channels). */
  wInit?: InitializerLike;
  /** Default Zeros. */
  bInit?: InitializerLike;
  /** 'NWC' / 'NCW', 'NHWC' / 'NCHW', 'NDHWC' / 'NCDHW' (default: channels last). */
  dataFormat?: string;
  name?: string;
}

const FORMATS: Record<number, [string, string]> = { 1: ['NWC', 'NCW'], 2: ['NHWC', 'NCHW'], 3: ['NDHWC', 'NCDHW'] };

function perDim(what: string, name: string, v: number | readonly number[] | undefined, n: number, dflt: number): number[] {
  if (v === undefined) return new Array<number>(n).fill(dflt);
  const arr = typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (arr.length !== n || arr.some((x) => !Number.isInteger(x) || x <= 0)) {
    throw new RangeError(`${what}: ${name} must be a positive integer or ${n} of them, got ${JSON.stringify(v)}`);
  }
  return arr;
}

function paddingArg(what: string, p: unknown): Padding {
  const v = p ?? 'SAME';
  if (v !== 'SAME' && v !== 'VALID') throw new RangeError(`${what}: padding must be 'SAME' or 'VALID', got ${JSON.stringify(p)}`);
  return v;
}

function formatArg(what: string, n: number, f: unknown): boolean {
  const [last, first] = FORMATS[n]!;
  const v = f ?? last;
  if (v !== last && v !== first) throw new RangeError(`${what}: dataFormat must be '${last}' or '${first}', got ${JSON.stringify(f)}`);
  return v === last;
}

/** TensorFlow's 'SAME' padding of one dim: [before, after]. */
function samePads(size: number, k: number, stride: number, rate: number): [number, number] {
  const eff = (k - 1) * rate + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + eff - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

const convs = [F.conv1d, F.conv2d, F.conv3d] as const;

/** What the convolutions share: the checks, the layout changes, the padding. */
abstract class ConvBase extends Module {
  /** The output's channel count (for DepthwiseConv2D known after the first call). */
  outputChannels: number;
  readonly kernelShape: readonly number[];
  readonly stride: readonly number[];
  readonly rate: readonly number[];
  readonly padding: Padding;
  readonly withBias: boolean;
  readonly dataFormat: string;
  /** The input's channel count, known after the first call. */
  inputChannels: number | undefined;
  declare w: Variable;
  declare b: Variable | undefined;
  protected readonly channelsLast: boolean;
  protected readonly wInit: InitializerLike | undefined;
  protected readonly bInit: InitializerLike;

  constructor(protected readonly numSpatialDims: number, outputChannels: number, kernelShape: number | readonly number[], opts: ConvOptions) {
    super({ name: opts.name });
    const what = new.target.name;
    this.outputChannels = positiveInt(what, 'outputChannels', outputChannels);
    this.kernelShape = perDim(what, 'kernelShape', kernelShape, numSpatialDims, 1);
    this.stride = perDim(what, 'stride', opts.stride, numSpatialDims, 1);
    this.rate = perDim(what, 'rate', opts.rate, numSpatialDims, 1);
    this.padding = paddingArg(what, opts.padding);
    this.withBias = opts.withBias ?? true;
    this.channelsLast = formatArg(what, numSpatialDims, opts.dataFormat);
    this.dataFormat = FORMATS[numSpatialDims]![this.channelsLast ? 0 : 1];
    this.wInit = opts.wInit;
    this.bInit = opts.bInit ?? new Zeros();
    this.inputChannels = undefined;
  }

  protected what(): string {
    return `${this.constructor.name} '${this.scopeName}'`;
  }

  /** Checks the input's rank (and channels, once known) and returns its channel count. */
  protected checkInput(x: unknown): number {
    const t = moduleFloatArg(this, 'call', x);
    const n = this.numSpatialDims + 2;
    if (t.ndim !== n) throw new RangeError(`${this.what()}: expected a ${n}-d input in ${this.dataFormat} format, got ${describe(t)}`);
    const c = t.shape[this.channelsLast ? n - 1 : 1]!;
    if (this.inputChannels !== undefined && c !== this.inputChannels) {
      throw new RangeError(`${this.what()}: input ${describe(t)} has ${c} channels but the module was created for ${this.inputChannels}`);
    }
    return c;
  }

  /** To channels first, as F's convolutions take it. */
  protected toChannelsFirst(x: Tensor): Tensor {
    return this.channelsLast ? x.movedim(-1, 1) : x;
  }

  protected fromChannelsFirst(y: Tensor): Tensor {
    return this.channelsLast ? y.movedim(1, -1) : y;
  }

  protected makeVariables(x: Tensor, wShape: number[], fanIn: number): void {
    const wInit = this.wInit ?? new TruncatedNormal({ stddev: 1 / Math.sqrt(fanIn) });
    const opts = { dtype: x.dtype, device: x.device };
    this.w = this.createVariable('w', wShape, { init: wInit, ...opts });
    if (this.withBias) this.b = this.createVariable('b', [wShape[wShape.length - 1]!], { init: this.bInit, ...opts });
  }

  /** A forward convolution of channels-first `x` with a [out, in / groups, k...] weight and TF padding. */
  protected convolve(x: Tensor, weight: Tensor, groups: number): Tensor {
    const n = this.numSpatialDims;
    let padding: number[] = new Array<number>(n).fill(0);
    if (this.padding === 'SAME') {
      const pads = x.shape.slice(2).map((s, i) => samePads(s, this.kernelShape[i]!, this.stride[i]!, this.rate[i]!));
      if (pads.every(([a, b]) => a === b)) {
        padding = pads.map(([a]) => a);
      } else {
        // F.pad lists the last dim first.
        x = F.pad(x, pads.reverse().flat());
      }
    }
    const conv = convs[n - 1]!;
    return conv(x, weight, { bias: this.b ?? null, stride: [...this.stride], dilation: [...this.rate], padding, groups });
  }
}

/** The N-d convolution: w is [k..., in, out]. */
abstract class ConvND extends ConvBase {
  protected override initialize(x: Tensor): void {
    const c = this.checkInput(x);
    this.inputChannels = c;
    const kSize = this.kernelShape.reduce((a, b) => a * b, 1);
    this.makeVariables(x, [...this.kernelShape, c, this.outputChannels], kSize * c);
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const n = this.numSpatialDims;
    // [k..., in, out] -> [out, in, k...]
    const weight = this.w.permute([n + 1, n, ...this.kernelShape.map((_, i) => i)]);
    return this.fromChannelsFirst(this.convolve(this.toChannelsFirst(x), weight, 1));
  }
}

/**
 * 1-d convolution of [batch, width, channels] (or 'NCW') inputs; w is [k, in, out].
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { Conv1D } from '@cinder/modules';
 * const conv = new Conv1D(8, 3, { stride: 2 });
 * console.log(conv.call(randn([2, 9, 4])).shape, conv.w.shape); // [ 2, 5, 8 ] [ 3, 4, 8 ]
 * ```
 */
export class Conv1D extends ConvND {
  constructor(outputChannels: number, kernelShape: number | readonly number[], opts: ConvOptions = {}) {
    super(1, outputChannels, kernelShape, opts);
    this.recordArgs(outputChannels, kernelShape, opts);
  }
}

/**
 * 2-d convolution of NHWC (or 'NCHW') inputs; w is [kH, kW, in, out].
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { Conv2D } from '@cinder/modules';
 * const conv = new Conv2D(16, 3);
 * console.log(conv.call(randn([2, 8, 8, 3])).shape, conv.w.shape); // [ 2, 8, 8, 16 ] [ 3, 3, 3, 16 ]
 * const valid = new Conv2D(16, [3, 5], { padding: 'VALID', dataFormat: 'NCHW' });
 * console.log(valid.call(randn([2, 3, 8, 8])).shape); // [ 2, 16, 6, 4 ]
 * ```
 */
export class Conv2D extends ConvND {
  constructor(outputChannels: number, kernelShape: number | readonly number[], opts: ConvOptions = {}) {
    super(2, outputChannels, kernelShape, opts);
    this.recordArgs(outputChannels, kernelShape, opts);
  }
}

/**
 * 3-d convolution of NDHWC (or 'NCDHW') inputs; w is [kD, kH, kW, in, out].
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { Conv3D } from '@cinder/modules';
 * const conv = new Conv3D(4, 2, { stride: 2 });
 * console.log(conv.call(randn([1, 4, 4, 4, 2])).shape); // [ 1, 2, 2, 2, 4 ]
 * ```
 */
export class Conv3D extends ConvND {
  constructor(outputChannels: number, kernelShape: number | readonly number[], opts: ConvOptions = {}) {
    super(3, outputChannels, kernelShape, opts);
    this.recordArgs(outputChannels, kernelShape, opts);
  }
}

export interface ConvTransposeOptions extends ConvOptions {
  /** The output's spatial shape (default: size * stride for 'SAME', size * stride + max(k - stride, 0) for 'VALID'). */
  outputShape?: readonly number[];
}

/**
 * The transpose of Conv2D (the gradient of a convolution with respect to its input): w is
 * [kH, kW, out, in] as in TensorFlow. The output's spatial shape is `outputShape`, or the
 * size that a Conv2D with the same stride and padding would map back to the input's.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { Conv2DTranspose } from '@cinder/modules';
 * const up = new Conv2DTranspose(8, 4, { stride: 2 });
 * console.log(up.call(randn([2, 5, 5, 3])).shape, up.w.shape); // [ 2, 10, 10, 8 ] [ 4, 4, 8, 3 ]
 * ```
 */
export class Conv2DTranspose extends ConvBase {
  readonly outputShape: readonly number[] | undefined;

  constructor(outputChannels: number, kernelShape: number | readonly number[], opts: ConvTransposeOptions = {}) {
    super(2, outputChannels, kernelShape, opts);
    this.recordArgs(outputChannels, kernelShape, opts);
    this.outputShape = opts.outputShape === undefined ? undefined : perDim('Conv2DTranspose', 'outputShape', opts.outputShape, 2, 1);
  }

  protected override initialize(x: Tensor): void {
    const c = this.checkInput(x);
    this.inputChannels = c;
    const kSize = this.kernelShape.reduce((a, b) => a * b, 1);
    this.makeVariables(x, [...this.kernelShape, this.outputChannels, c], kSize * c);
  }

  // The bias is [out], the weight's second-to-last dim: makeVariables sizes it from the last one.
  protected override makeVariables(x: Tensor, wShape: number[], fanIn: number): void {
    const wInit = this.wInit ?? new TruncatedNormal({ stddev: 1 / Math.sqrt(fanIn) });
    const opts = { dtype: x.dtype, device: x.device };
    this.w = this.createVariable('w', wShape, { init: wInit, ...opts });
    if (this.withBias) this.b = this.createVariable('b', [this.outputChannels], { init: this.bInit, ...opts });
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const xc = this.toChannelsFirst(x);
    const sizes = xc.shape.slice(2);
    const pads: number[] = [];
    const extra: number[] = [];
    const outs: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [n, k, s, r] = [sizes[i]!, this.kernelShape[i]!, this.stride[i]!, this.rate[i]!];
      const eff = (k - 1) * r + 1;
      const same = this.padding === 'SAME';
      const out = this.outputShape?.[i] ?? (same ? n * s : n * s + Math.max(eff - s, 0));
      // The forward convolution of the output must give back the input's size.
      const back = same ? Math.ceil(out / s) : Math.ceil((out - eff + 1) / s);
      if (back !== n) {
        throw new RangeError(`${this.what()}: output size ${out} in spatial dim ${i} does not convolve back to the input's ${n} (kernel ${k}, stride ${s}, ${this.padding})`);
      }
      const full = (n - 1) * s + eff;
      const before = same ? Math.floor(Math.max(full - out, 0) / 2) : 0;
      const op = Math.max(out - (full - 2 * before), 0);
      if (op >= Math.max(s, r)) throw new RangeError(`${this.what()}: output size ${out} in spatial dim ${i} is too large for input size ${n} (kernel ${k}, stride ${s})`);
      pads.push(before);
      extra.push(op);
      outs.push(out);
    }
    // [kH, kW, out, in] -> [in, out, kH, kW]
    const weight = this.w.permute([3, 2, 0, 1]);
    let y = F.convTranspose2d(xc, weight, { bias: this.b ?? null, stride: [...this.stride], dilation: [...this.rate], padding: pads, outputPadding: extra });
    for (let i = 0; i < 2; i++) if (y.shape[i + 2]! > outs[i]!) y = y.narrow(i + 2, 0, outs[i]!);
    return this.fromChannelsFirst(y);
  }
}

export interface DepthwiseConv2DOptions extends Omit<ConvOptions, 'name'> {
  /** Output channels per input channel (default 1). */
  channelMultiplier?: number;
  name?: string;
}

/**
 * A depthwise 2-d convolution: each input channel convolved with its own `channelMultiplier`
 * filters; w is [kH, kW, in, multiplier], the output has in * multiplier channels (channel
 * c * multiplier + m from input channel c).
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { DepthwiseConv2D } from '@cinder/modules';
 * const dw = new DepthwiseConv2D(3, { channelMultiplier: 2 });
 * console.log(dw.call(randn([1, 6, 6, 4])).shape, dw.w.shape); // [ 1, 6, 6, 8 ] [ 3, 3, 4, 2 ]
 * ```
 */
export class DepthwiseConv2D extends ConvBase {
  readonly channelMultiplier: number;

  constructor(kernelShape: number | readonly number[], opts: DepthwiseConv2DOptions = {}) {
    const mult = positiveInt('DepthwiseConv2D', 'channelMultiplier', opts.channelMultiplier ?? 1);
    super(2, mult, kernelShape, opts);
    this.recordArgs(kernelShape, opts);
    this.channelMultiplier = mult;
  }

  protected override initialize(x: Tensor): void {
    const c = this.checkInput(x);
    this.inputChannels = c;
    this.outputChannels = c * this.channelMultiplier;
    const kSize = this.kernelShape.reduce((a, b) => a * b, 1);
    const wInit = this.wInit ?? new TruncatedNormal({ stddev: 1 / Math.sqrt(kSize) });
    const opts = { dtype: x.dtype, device: x.device };
    this.w = this.createVariable('w', [...this.kernelShape, c, this.channelMultiplier], { init: wInit, ...opts });
    if (this.withBias) this.b = this.createVariable('b', [c * this.channelMultiplier], { init: this.bInit, ...opts });
  }

  forward(x: Tensor): Tensor {
    const c = this.checkInput(x);
    // [kH, kW, in, m] -> [in, m, kH, kW] -> [in * m, 1, kH, kW]
    const [kH, kW] = this.kernelShape as [number, number];
    const weight = this.w.permute([2, 3, 0, 1]).reshape([c * this.channelMultiplier, 1, kH, kW]);
    return this.fromChannelsFirst(this.convolve(this.toChannelsFirst(x), weight, c));
  }
}
