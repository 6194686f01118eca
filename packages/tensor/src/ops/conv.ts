/**
 * Convolutions, as torch.nn.functional has them: conv1d/2d/3d, convTranspose1d/2d/3d, the general
 * `convolution`, and the two backward ops (`convolutionBackwardInput`, `convolutionBackwardWeight`)
 * that autograd builds their gradients from. Layout NC* (channels first); inputs without the batch
 * dim are accepted like PyTorch. float32/float64 run natively (im2col or a direct GEMM on Cinder's
 * own GEMM); float16/bfloat16 compute in float32.
 *
 * The three dispatched ops form a closed family: `convolution` (y = conv(x, w)),
 * `convolutionBackwardInput` (the adjoint in x, which is the transposed convolution) and
 * `convolutionBackwardWeight` (the adjoint in w). Each is bilinear, and each one's derivatives are
 * the other two, so gradients of any order are available.
 *
 * Padding is a number, one number per spatial dim, 'valid' (none) or 'same' (output size = input
 * size, stride 1 only; an odd total goes to the end, as PyTorch does). A per-dim entry may also be
 * a `[before, after]` pair for asymmetric padding (an extension of PyTorch's signature).
 */
import { native } from '@cinder/native';
import { dispatch } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { shapeString } from '../shape.js';
import { Tensor } from '../tensor.js';
import { squeeze, unsqueeze } from './expand.js';

/** A size for every spatial dim, or one for all. */
export type ConvSize = number | readonly number[];
/** Padding of a convolution (see the module's documentation). */
export type ConvPadding = number | readonly (number | readonly [number, number])[] | 'valid' | 'same';

export interface ConvOptions {
  /** Added per output channel; also accepted as the third positional argument. */
  bias?: Tensor | null;
  stride?: ConvSize;
  padding?: ConvPadding;
  dilation?: ConvSize;
  groups?: number;
}

export interface ConvTransposeOptions {
  bias?: Tensor | null;
  stride?: ConvSize;
  /** Removed from both ends of every spatial dim of the output (dilation * (k - 1) - padding is added). */
  padding?: ConvSize;
  /** Added to one end of the output's spatial dims; smaller than stride or dilation. */
  outputPadding?: ConvSize;
  groups?: number;
  dilation?: ConvSize;
}

/** Options of `convolution`: both kinds in one (torch.convolution). */
export interface ConvolutionOptions {
  stride?: ConvSize;
  padding?: ConvPadding;
  dilation?: ConvSize;
  transposed?: boolean;
  outputPadding?: ConvSize;
  groups?: number;
}

/** Options of the backward ops: the forward convolution's parameters. */
export interface ConvBackwardOptions {
  stride?: ConvSize;
  padding?: ConvPadding;
  dilation?: ConvSize;
  groups?: number;
}

/** Resolved parameters of a forward convolution (what the dispatched ops carry as attributes). */
interface Params {
  stride: number[];
  padding: [number, number][];
  dilation: number[];
  groups: number;
}

const CODES = (native as unknown as { convOps: Record<string, number> }).convOps;

function codeOf(op: string): number {
  const c = CODES[op];
  if (c === undefined) throw new Error(`${op}: the native core has no convolution entry of this name (rebuild @cinder/native)`);
  return c;
}

// ---- argument checks ------------------------------------------------------------------------

const FLOATS: readonly DType[] = ['float32', 'float64', 'float16', 'bfloat16'];
const SPATIAL_NAMES = ['', 'kW', 'kH, kW', 'kD, kH, kW'];

function describe(what: string, t: Tensor): string {
  return `${what} ${shapeString(t.shape)} (${t.dtype})`;
}

function pairOf(op: string, x: Tensor, w: Tensor, xName = 'input', wName = 'weight'): string {
  return `${op}: ${describe(xName, x)} and ${describe(wName, w)}`;
}

function checkTensorArg(op: string, t: unknown, what: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected ${what} to be a Tensor, got ${t === null ? 'null' : typeof t}`);
  return t;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** A per-dim list from a number or an array of length s. */
function sizes(op: string, name: string, v: ConvSize | undefined, s: number, dflt: number, min: number): number[] {
  const arr = v === undefined ? new Array<number>(s).fill(dflt) : typeof v === 'number' ? new Array<number>(s).fill(v) : [...v];
  if (!Array.isArray(v) && typeof v !== 'number' && v !== undefined) {
    throw new TypeError(`${op}: expected ${name} to be a number or an array of ${s} numbers, got ${String(v)}`);
  }
  if (arr.length !== s || !arr.every((e) => isInt(e) && e >= min)) {
    const what = min === 0 ? 'non-negative' : 'positive';
    throw new RangeError(`${op}: expected ${name} to be a ${what} integer or ${s} of them, got ${JSON.stringify(v)}`);
  }
  return arr;
}

function checkGroups(op: string, groups: unknown): number {
  const g = groups ?? 1;
  if (!isInt(g) || g < 1) throw new RangeError(`${op}: expected groups to be a positive integer, got ${String(groups)}`);
  return g;
}

/** Resolves padding into [before, after] pairs ('same' needs the kernel, dilation and stride). */
function resolvePadding(op: string, padding: ConvPadding | undefined, s: number, kernel: readonly number[], dilation: readonly number[], stride: readonly number[]): [number, number][] {
  if (padding === 'valid') return new Array(s).fill(0).map(() => [0, 0]);
  if (padding === 'same') {
    if (stride.some((v) => v !== 1)) throw new RangeError(`${op}: padding='same' is not supported for strided convolutions (stride ${shapeString(stride)})`);
    return kernel.map((k, i) => {
      const total = dilation[i]! * (k - 1);
      const before = Math.floor(total / 2);
      return [before, total - before];
    });
  }
  if (padding === undefined || typeof padding === 'number') {
    const p = padding ?? 0;
    if (!isInt(p) || p < 0) throw new RangeError(`${op}: expected padding to be a non-negative integer, 'valid' or 'same', got ${String(padding)}`);
    return new Array(s).fill(0).map(() => [p, p]);
  }
  if (!Array.isArray(padding) || padding.length !== s) {
    throw new RangeError(`${op}: expected padding to be a number, ${s} entries, 'valid' or 'same', got ${JSON.stringify(padding)}`);
  }
  return padding.map((e) => {
    const pair = typeof e === 'number' ? [e, e] : Array.isArray(e) && e.length === 2 ? [e[0], e[1]] : [NaN, NaN];
    if (!pair.every((v) => isInt(v) && v >= 0)) {
      throw new RangeError(`${op}: expected padding entries to be non-negative integers or [before, after] pairs, got ${JSON.stringify(padding)}`);
    }
    return pair as [number, number];
  });
}

function checkDTypes(op: string, x: Tensor, w: Tensor, xName: string, wName: string): void {
  if (x.dtype !== w.dtype) throw new TypeError(`${pairOf(op, x, w, xName, wName)}: expected both to have the same dtype`);
  if (!FLOATS.includes(x.dtype)) throw new TypeError(`${op}: not supported for dtype ${x.dtype}`);
}

function checkBias(op: string, bias: Tensor | null | undefined, channels: number, dtype: DType): Tensor | undefined {
  if (bias === undefined || bias === null) return undefined;
  checkTensorArg(op, bias, 'bias');
  if (bias.ndim !== 1 || bias.shape[0] !== channels) {
    throw new RangeError(`${op}: expected bias of shape [${channels}] (one per output channel), got ${shapeString(bias.shape)}`);
  }
  if (bias.dtype !== dtype) throw new TypeError(`${op}: expected bias of dtype ${dtype}, got ${bias.dtype}`);
  return bias;
}

/** Splits (bias | options, options) the way the functions take them. */
function splitArgs<O extends { bias?: Tensor | null }>(op: string, third: Tensor | null | undefined | O, fourth: O | undefined): [Tensor | null | undefined, O] {
  if (third === undefined || third === null || third instanceof Tensor) {
    const o = (fourth ?? {}) as O;
    if (third instanceof Tensor && o.bias !== undefined && o.bias !== null) throw new TypeError(`${op}: bias given both as an argument and as an option`);
    return [third ?? o.bias, o];
  }
  if (typeof third !== 'object') throw new TypeError(`${op}: expected bias to be a Tensor or an options object, got ${typeof third}`);
  if (fourth !== undefined) throw new TypeError(`${op}: expected the options object last`);
  return [third.bias, third];
}

function convOutSize(x: number, k: number, s: number, pad: [number, number], d: number): number {
  return Math.floor((x + pad[0] + pad[1] - d * (k - 1) - 1) / s) + 1;
}

function transposedOutSize(y: number, k: number, s: number, pad: [number, number], d: number, outPad: number): number {
  return (y - 1) * s - pad[0] - pad[1] + d * (k - 1) + 1 + outPad;
}

/** Whether a batched input/output/weight may be passed as is: spatial dims addressable with one stride. */
function coalesces(t: Tensor, from: number): boolean {
  let st = 1;
  let inner = 1;
  let have = false;
  for (let i = t.ndim - 1; i >= from; i--) {
    const n = t.shape[i]!;
    if (n === 1) continue;
    if (!have) {
      st = t.strides[i]!;
      have = true;
    } else if (t.strides[i] !== st * inner) {
      return false;
    }
    inner *= n;
  }
  return true;
}

// ---- native calls (batched operands, already checked) ----------------------------------------

const HALF: Partial<Record<DType, DType>> = { float16: 'float32', bfloat16: 'float32' };

function computeAs(t: Tensor, d: DType): Tensor {
  return t.dtype === d ? t : t._copyAs(d);
}

function putParams(p: number, prm: Params): number {
  const s = prm.stride.length;
  frame[p++] = s;
  for (let i = 0; i < s; i++) frame[p++] = prm.stride[i]!;
  for (let i = 0; i < s; i++) frame[p++] = prm.padding[i]![0];
  for (let i = 0; i < s; i++) frame[p++] = prm.padding[i]![1];
  for (let i = 0; i < s; i++) frame[p++] = prm.dilation[i]!;
  frame[p++] = prm.groups;
  return p;
}

function nativeForward(op: string, x: Tensor, w: Tensor, bias: Tensor | undefined, prm: Params, outShape: number[]): Tensor {
  const dt = x.dtype;
  const cd = HALF[dt] ?? dt;
  x = computeAs(x, cd);
  w = computeAs(w, cd);
  if (!coalesces(w, 1)) w = w._copyAs(cd);
  if (bias) bias = computeAs(bias, cd);
  frame[0] = codeOf(op);
  let p = putTensor(1, x);
  p = putTensor(p, w);
  frame[p++] = bias ? 1 : 0;
  if (bias) p = putTensor(p, bias);
  p = putParams(p, prm);
  putOutput(p, cd, outShape);
  const dev = x.device;
  runOn('convolution', dev, op);
  const out = takeOutput(0, cd, outShape, dev);
  return cd === dt ? out : out._copyAs(dt);
}

function nativeBackwardInput(op: string, gy: Tensor, w: Tensor, bias: Tensor | undefined, prm: Params, inShape: number[]): Tensor {
  const dt = gy.dtype;
  const cd = HALF[dt] ?? dt;
  gy = computeAs(gy, cd);
  if (!coalesces(gy, 2)) gy = gy._copyAs(cd);
  w = computeAs(w, cd);
  if (!coalesces(w, 1)) w = w._copyAs(cd);
  if (bias) bias = computeAs(bias, cd);
  frame[0] = codeOf(op);
  let p = putTensor(1, gy);
  p = putTensor(p, w);
  frame[p++] = bias ? 1 : 0;
  if (bias) p = putTensor(p, bias);
  p = putParams(p, prm);
  putOutput(p, cd, inShape);
  const dev = gy.device;
  runOn('convolutionBackwardInput', dev, op);
  const out = takeOutput(0, cd, inShape, dev);
  return cd === dt ? out : out._copyAs(dt);
}

function nativeBackwardWeight(op: string, x: Tensor, gy: Tensor, prm: Params, wShape: number[]): Tensor {
  const dt = x.dtype;
  const cd = HALF[dt] ?? dt;
  x = computeAs(x, cd);
  gy = computeAs(gy, cd);
  if (!coalesces(gy, 2)) gy = gy._copyAs(cd);
  frame[0] = codeOf(op);
  let p = putTensor(1, x);
  p = putTensor(p, gy);
  p = putParams(p, prm);
  putOutput(p, cd, wShape);
  const dev = x.device;
  runOn('convolutionBackwardWeight', dev, op);
  const out = takeOutput(0, cd, wShape, dev);
  return cd === dt ? out : out._copyAs(dt);
}

// ---- shared front ends ---------------------------------------------------------------------

/** Checks the input's rank (s + 1 unbatched or s + 2 batched); returns whether it is batched. */
function batchedInput(op: string, x: Tensor, w: Tensor, s: number, xName = 'input'): boolean {
  if (x.ndim !== s + 1 && x.ndim !== s + 2) {
    throw new RangeError(`${pairOf(op, x, w, xName)}: expected a ${s + 1}-D (unbatched) or ${s + 2}-D (batched) ${xName}`);
  }
  return x.ndim === s + 2;
}

function checkWeightRank(op: string, x: Tensor, w: Tensor, s: number, transposed: boolean, xName = 'input'): void {
  if (w.ndim !== s + 2) {
    const layout = transposed ? 'inChannels, outChannels/groups' : 'outChannels, inChannels/groups';
    throw new RangeError(`${pairOf(op, x, w, xName)}: expected a ${s + 2}-D weight [${layout}, ${SPATIAL_NAMES[s]}]`);
  }
  if (w.shape.slice(2).some((k) => k === 0)) throw new RangeError(`${pairOf(op, x, w, xName)}: kernel sizes must be positive`);
}

function checkNonBatchDims(op: string, x: Tensor, w: Tensor, batched: boolean, xName = 'input'): void {
  if (x.shape.slice(batched ? 1 : 0).some((d) => d === 0)) {
    throw new RangeError(`${pairOf(op, x, w, xName)}: expected non-zero sizes in the ${xName}'s non-batch dims`);
  }
}

function convForwardFront(op: string, s: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, o: ConvOptions | ConvolutionOptions): Tensor {
  checkTensorArg(op, input, 'input');
  checkTensorArg(op, weight, 'weight');
  checkDTypes(op, input, weight, 'input', 'weight');
  checkWeightRank(op, input, weight, s, false);
  const batched = batchedInput(op, input, weight, s);
  checkNonBatchDims(op, input, weight, batched);
  const groups = checkGroups(op, o.groups);
  const cin = input.shape[batched ? 1 : 0]!;
  const cout = weight.shape[0]!;
  if (cin !== weight.shape[1]! * groups) {
    throw new RangeError(`${pairOf(op, input, weight)}: expected input channels ${weight.shape[1]}*groups = ${weight.shape[1]! * groups} (groups = ${groups}), got ${cin}`);
  }
  if (cout % groups !== 0) throw new RangeError(`${pairOf(op, input, weight)}: expected the weight's ${cout} output channels to be divisible by groups (${groups})`);
  const b = checkBias(op, bias, cout, input.dtype);
  const stride = sizes(op, 'stride', o.stride, s, 1, 1);
  const dilation = sizes(op, 'dilation', o.dilation, s, 1, 1);
  const kernel = weight.shape.slice(2);
  const padding = resolvePadding(op, o.padding, s, kernel, dilation, stride);
  const spatialIn = input.shape.slice(-s);
  const spatialOut = spatialIn.map((x, i) => convOutSize(x, kernel[i]!, stride[i]!, padding[i]!, dilation[i]!));
  if (spatialOut.some((v) => v < 1)) {
    throw new RangeError(
      `${pairOf(op, input, weight)}: calculated output size ${shapeString(spatialOut)} is too small ` +
        `(padding ${JSON.stringify(padding)}, dilation ${shapeString(dilation)}, stride ${shapeString(stride)})`,
    );
  }
  const prm: Params = { stride, padding, dilation, groups };
  const x4 = batched ? input : unsqueeze(input, 0);
  const outShape = [x4.shape[0]!, cout, ...spatialOut];
  const inputs = b ? [x4, weight, b] : [x4, weight];
  const y = dispatch('convolution', inputs, { ...prm }, () => nativeForward(op, x4, weight, b, prm, outShape));
  return batched ? y : squeeze(y, 0);
}

function convTransposeFront(op: string, s: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, o: ConvTransposeOptions | ConvolutionOptions): Tensor {
  checkTensorArg(op, input, 'input');
  checkTensorArg(op, weight, 'weight');
  checkDTypes(op, input, weight, 'input', 'weight');
  checkWeightRank(op, input, weight, s, true);
  const batched = batchedInput(op, input, weight, s);
  checkNonBatchDims(op, input, weight, batched);
  const groups = checkGroups(op, o.groups);
  const cin = input.shape[batched ? 1 : 0]!;
  if (cin !== weight.shape[0]) {
    throw new RangeError(`${pairOf(op, input, weight)}: expected input channels ${weight.shape[0]} (the weight's first dim), got ${cin}`);
  }
  if (cin % groups !== 0) throw new RangeError(`${pairOf(op, input, weight)}: expected the ${cin} input channels to be divisible by groups (${groups})`);
  const cout = weight.shape[1]! * groups;
  const b = checkBias(op, bias, cout, input.dtype);
  const stride = sizes(op, 'stride', o.stride, s, 1, 1);
  const dilation = sizes(op, 'dilation', o.dilation, s, 1, 1);
  if (typeof o.padding === 'string') throw new TypeError(`${op}: padding '${o.padding}' is not supported for transposed convolutions; give numbers`);
  const kernel = weight.shape.slice(2);
  const padding = resolvePadding(op, o.padding, s, kernel, dilation, stride);
  const outPad = sizes(op, 'outputPadding', o.outputPadding, s, 0, 0);
  outPad.forEach((v, i) => {
    if (v >= Math.max(stride[i]!, dilation[i]!)) {
      throw new RangeError(`${op}: output padding must be smaller than either stride or dilation, got outputPadding ${shapeString(outPad)}, stride ${shapeString(stride)}, dilation ${shapeString(dilation)}`);
    }
  });
  const spatialIn = input.shape.slice(-s);
  const spatialOut = spatialIn.map((y, i) => transposedOutSize(y, kernel[i]!, stride[i]!, padding[i]!, dilation[i]!, outPad[i]!));
  if (spatialOut.some((v) => v < 1)) {
    throw new RangeError(`${pairOf(op, input, weight)}: calculated output size ${shapeString(spatialOut)} is too small (padding ${shapeString(padding.map((p) => p[0]))})`);
  }
  const prm: Params = { stride, padding, dilation, groups };
  const x4 = batched ? input : unsqueeze(input, 0);
  const outShape = [x4.shape[0]!, cout, ...spatialOut];
  const inputs = b ? [x4, weight, b] : [x4, weight];
  const y = dispatch('convolutionBackwardInput', inputs, { ...prm, inputShape: outShape }, () => nativeBackwardInput(op, x4, weight, b, prm, outShape));
  return batched ? y : squeeze(y, 0);
}

// ---- public functions ------------------------------------------------------------------------

/**
 * 1-D convolution (torch.nn.functional.conv1d): input [N, Cin, L] or [Cin, L], weight
 * [Cout, Cin / groups, k], bias [Cout].
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null | ConvOptions, opts?: ConvOptions): Tensor {
  const [b, o] = splitArgs('conv1d', bias, opts);
  return convForwardFront('conv1d', 1, input, weight, b, o);
}

/**
 * 2-D convolution (torch.nn.functional.conv2d): input [N, Cin, H, W] or [Cin, H, W], weight
 * [Cout, Cin / groups, kH, kW], bias [Cout].
 * @example
 * ```ts
 * const y = conv2d(randn([8, 3, 32, 32]), randn([16, 3, 3, 3]), null, { padding: 1 }); // [8, 16, 32, 32]
 * conv2d(x, w, { bias: b, stride: 2, padding: 'valid' });
 * ```
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null | ConvOptions, opts?: ConvOptions): Tensor {
  const [b, o] = splitArgs('conv2d', bias, opts);
  return convForwardFront('conv2d', 2, input, weight, b, o);
}

/** 3-D convolution (torch.nn.functional.conv3d): input [N, Cin, D, H, W] or unbatched, weight [Cout, Cin / groups, kD, kH, kW]. */
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null | ConvOptions, opts?: ConvOptions): Tensor {
  const [b, o] = splitArgs('conv3d', bias, opts);
  return convForwardFront('conv3d', 3, input, weight, b, o);
}

/**
 * 1-D transposed convolution (torch.nn.functional.conv_transpose1d): input [N, Cin, L], weight
 * [Cin, Cout / groups, k]; output length (L - 1) * stride - 2 * padding + dilation * (k - 1) + outputPadding + 1.
 */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null | ConvTransposeOptions, opts?: ConvTransposeOptions): Tensor {
  const [b, o] = splitArgs('convTranspose1d', bias, opts);
  return convTransposeFront('convTranspose1d', 1, input, weight, b, o);
}

/**
 * 2-D transposed convolution (torch.nn.functional.conv_transpose2d): input [N, Cin, H, W] or
 * unbatched, weight [Cin, Cout / groups, kH, kW].
 * @example
 * ```ts
 * convTranspose2d(randn([1, 16, 8, 8]), randn([16, 3, 4, 4]), null, { stride: 2, padding: 1 }); // [1, 3, 16, 16]
 * ```
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null | ConvTransposeOptions, opts?: ConvTransposeOptions): Tensor {
  const [b, o] = splitArgs('convTranspose2d', bias, opts);
  return convTransposeFront('convTranspose2d', 2, input, weight, b, o);
}

/** 3-D transposed convolution (torch.nn.functional.conv_transpose3d): weight [Cin, Cout / groups, kD, kH, kW]. */
export function convTranspose3d(input: Tensor, weight: Tensor, bias?: Tensor | null | ConvTransposeOptions, opts?: ConvTransposeOptions): Tensor {
  const [b, o] = splitArgs('convTranspose3d', bias, opts);
  return convTransposeFront('convTranspose3d', 3, input, weight, b, o);
}

/**
 * torch.convolution: a convolution or (with `transposed`) a transposed convolution over
 * weight.ndim - 2 spatial dims.
 */
export function convolution(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvolutionOptions = {}): Tensor {
  const op = 'convolution';
  checkTensorArg(op, weight, 'weight');
  const s = weight.ndim - 2;
  if (s < 1 || s > 3) throw new RangeError(`${op}: expected a weight with 1 to 3 spatial dims, got shape ${shapeString(weight.shape)}`);
  if (opts.transposed) return convTransposeFront(op, s, input, weight, bias, opts);
  if (opts.outputPadding !== undefined && sizes(op, 'outputPadding', opts.outputPadding, s, 0, 0).some((v) => v !== 0)) {
    throw new RangeError(`${op}: outputPadding is only supported for transposed convolutions`);
  }
  return convForwardFront(op, s, input, weight, bias, opts);
}

/** Checks and resolves the options of a backward op against the forward geometry. */
function backwardFront(op: string, s: number, o: ConvBackwardOptions, kernel: readonly number[]): Params {
  const groups = checkGroups(op, o.groups);
  const stride = sizes(op, 'stride', o.stride, s, 1, 1);
  const dilation = sizes(op, 'dilation', o.dilation, s, 1, 1);
  const padding = resolvePadding(op, o.padding, s, kernel, dilation, stride);
  return { stride, padding, dilation, groups };
}

/** Checks that input spatial sizes `xs` and output sizes `ys` belong to one forward convolution. */
function checkGeometry(op: string, xs: readonly number[], ys: readonly number[], kernel: readonly number[], prm: Params, what: string): void {
  xs.forEach((x, i) => {
    const k = kernel[i]!;
    const s = prm.stride[i]!;
    const d = prm.dilation[i]!;
    const extra = x - transposedOutSize(ys[i]!, k, s, prm.padding[i]!, d, 0);
    if (ys[i]! < 1 || extra < 0 || extra >= Math.max(s, d)) {
      throw new RangeError(
        `${op}: ${what}: the spatial sizes ${shapeString(xs)} (input) and ${shapeString(ys)} (gradOutput) do not belong to one convolution ` +
          `with kernel ${shapeString(kernel)}, stride ${shapeString(prm.stride)}, padding ${JSON.stringify(prm.padding)}, dilation ${shapeString(prm.dilation)}`,
      );
    }
  });
}

function checkShapeArg(op: string, name: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((v) => isInt(v) && v >= 0)) {
    throw new TypeError(`${op}: expected ${name} to be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape] as number[];
}

/**
 * The gradient of a convolution with respect to its input: the adjoint of `x -> conv(x, weight)`
 * applied to `gradOutput`, as a tensor of shape `inputShape` (the forward input's shape, batched
 * or not like gradOutput). With output padding folded into `inputShape`, this is the transposed
 * convolution. `opts` are the forward convolution's stride, padding, dilation and groups.
 * @example
 * ```ts
 * const gx = convolutionBackwardInput(gy, w, [8, 3, 32, 32], { padding: 1 });
 * ```
 */
export function convolutionBackwardInput(gradOutput: Tensor, weight: Tensor, inputShape: readonly number[], opts: ConvBackwardOptions = {}): Tensor {
  const op = 'convolutionBackwardInput';
  checkTensorArg(op, gradOutput, 'gradOutput');
  checkTensorArg(op, weight, 'weight');
  const shape = checkShapeArg(op, 'inputShape', inputShape);
  checkDTypes(op, gradOutput, weight, 'gradOutput', 'weight');
  const s = weight.ndim - 2;
  if (s < 1 || s > 3) throw new RangeError(`${pairOf(op, gradOutput, weight, 'gradOutput')}: expected a weight with 1 to 3 spatial dims`);
  checkWeightRank(op, gradOutput, weight, s, false, 'gradOutput');
  const batched = batchedInput(op, gradOutput, weight, s, 'gradOutput');
  if (shape.length !== gradOutput.ndim) {
    throw new RangeError(`${pairOf(op, gradOutput, weight, 'gradOutput')}: expected inputShape with ${gradOutput.ndim} dims, got ${shapeString(shape)}`);
  }
  const prm = backwardFront(op, s, opts, weight.shape.slice(2));
  const c = batched ? 1 : 0;
  if (batched && shape[0] !== gradOutput.shape[0]) {
    throw new RangeError(`${op}: batch sizes of inputShape ${shapeString(shape)} and gradOutput ${shapeString(gradOutput.shape)} differ`);
  }
  if (gradOutput.shape[c] !== weight.shape[0]) {
    throw new RangeError(`${pairOf(op, gradOutput, weight, 'gradOutput')}: expected gradOutput channels ${weight.shape[0]} (the weight's output channels), got ${gradOutput.shape[c]}`);
  }
  if (weight.shape[0]! % prm.groups !== 0 || shape[c] !== weight.shape[1]! * prm.groups) {
    throw new RangeError(`${pairOf(op, gradOutput, weight, 'gradOutput')}: inputShape ${shapeString(shape)} does not have ${weight.shape[1]}*groups = ${weight.shape[1]! * prm.groups} channels, or ${weight.shape[0]} output channels are not divisible by groups (${prm.groups})`);
  }
  checkGeometry(op, shape.slice(-s), gradOutput.shape.slice(-s), weight.shape.slice(2), prm, `inputShape ${shapeString(shape)}`);
  const gy = batched ? gradOutput : unsqueeze(gradOutput, 0);
  const full = batched ? shape : [1, ...shape];
  const gx = dispatch('convolutionBackwardInput', [gy, weight], { ...prm, inputShape: full }, () => nativeBackwardInput(op, gy, weight, undefined, prm, full));
  return batched ? gx : squeeze(gx, 0);
}

/**
 * The gradient of a convolution with respect to its weight: given the forward input and
 * gradOutput, the tensor of shape `weightShape` ([Cout, Cin / groups, *kernel]) that pairs with
 * gradOutput the way the weight pairs with the output. `opts` are the forward convolution's.
 * @example
 * ```ts
 * const gw = convolutionBackwardWeight(x, gy, [16, 3, 3, 3], { padding: 1 });
 * ```
 */
export function convolutionBackwardWeight(input: Tensor, gradOutput: Tensor, weightShape: readonly number[], opts: ConvBackwardOptions = {}): Tensor {
  const op = 'convolutionBackwardWeight';
  checkTensorArg(op, input, 'input');
  checkTensorArg(op, gradOutput, 'gradOutput');
  const wShape = checkShapeArg(op, 'weightShape', weightShape);
  checkDTypes(op, input, gradOutput, 'input', 'gradOutput');
  const s = wShape.length - 2;
  if (s < 1 || s > 3) throw new RangeError(`${op}: expected weightShape with 1 to 3 spatial dims, got ${shapeString(wShape)}`);
  if (wShape.slice(2).some((k) => k === 0)) throw new RangeError(`${op}: kernel sizes must be positive, got weightShape ${shapeString(wShape)}`);
  if ((input.ndim !== s + 1 && input.ndim !== s + 2) || gradOutput.ndim !== input.ndim) {
    throw new RangeError(`${pairOf(op, input, gradOutput, 'input', 'gradOutput')}: expected both ${s + 1}-D (unbatched) or ${s + 2}-D (batched) for weightShape ${shapeString(wShape)}`);
  }
  const batched = input.ndim === s + 2;
  const prm = backwardFront(op, s, opts, wShape.slice(2));
  const c = batched ? 1 : 0;
  if (batched && input.shape[0] !== gradOutput.shape[0]) {
    throw new RangeError(`${pairOf(op, input, gradOutput, 'input', 'gradOutput')}: batch sizes differ`);
  }
  if (gradOutput.shape[c] !== wShape[0] || input.shape[c] !== wShape[1]! * prm.groups || wShape[0]! % prm.groups !== 0) {
    throw new RangeError(`${pairOf(op, input, gradOutput, 'input', 'gradOutput')}: channels do not match weightShape ${shapeString(wShape)} with groups = ${prm.groups}`);
  }
  checkGeometry(op, input.shape.slice(-s), gradOutput.shape.slice(-s), wShape.slice(2), prm, `weightShape ${shapeString(wShape)}`);
  const x4 = batched ? input : unsqueeze(input, 0);
  const gy = batched ? gradOutput : unsqueeze(gradOutput, 0);
  return dispatch('convolutionBackwardWeight', [x4, gy], { ...prm, weightShape: wShape }, () => nativeBackwardWeight(op, x4, gy, prm, wShape));
}
