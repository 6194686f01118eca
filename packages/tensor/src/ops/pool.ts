/**
 * 2-d pooling, as torch has it: max pooling with indices, average pooling, adaptive average and
 * adaptive max pooling, and the backward ops that autograd builds their gradients from
 * (`maxPool2dBackward`, `avgPool2dBackward`, `adaptiveAvgPool2dBackward`). Inputs are [C, H, W]
 * or [N, C, H, W]; float32/float64 run natively (float16/bfloat16 compute in float32). Indices are
 * int64 flat positions h * W + w within each input plane, as PyTorch returns them.
 *
 * Each backward op is linear in its gradient, and its adjoint is the forward op (or a gather
 * through the indices), so gradients of any order are available.
 */
import { dispatch } from '../dispatch.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { shapeString } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { describe, floatingArg, isInt, sizeList, staged, tensorArg, unstaged } from './nnCommon.js';

export type Size2 = number | readonly number[];

export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  /** Default: the kernel size. */
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  /** Count the zero padding in each window's divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead. */
  divisorOverride?: number | null;
}

/** Resolved geometry of a 2-d pooling op (what the dispatched ops carry as attributes). */
interface Geometry {
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
}

/** PyTorch's pooling_output_shape. */
export function poolOutputSize(input: number, k: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  let out = Math.floor((input + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= input + pad) out--;
  return out;
}

function checkInput(op: string, x: Tensor): void {
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new RangeError(`${op}: expected a 3-d [C, H, W] or 4-d [N, C, H, W] input, got ${describe(x)}`);
  }
  for (let d = x.ndim - 3; d < x.ndim; d++) {
    if (x.shape[d] === 0) {
      throw new RangeError(`${op}: expected an input with non-zero channel and spatial sizes, got ${describe(x)}`);
    }
  }
}

function geometry(op: string, shape: readonly number[], kernelSize: unknown, o: MaxPool2dOptions | AvgPool2dOptions | undefined, dilated: boolean): Geometry {
  const k = sizeList(op, 'kernelSize', kernelSize, 2, 1, 1);
  const s = o?.stride === undefined || o?.stride === null || (Array.isArray(o.stride) && o.stride.length === 0)
    ? k : sizeList(op, 'stride', o.stride, 2, 1, 1);
  const p = sizeList(op, 'padding', o?.padding, 2, 0, 0);
  const d = dilated ? sizeList(op, 'dilation', (o as MaxPool2dOptions | undefined)?.dilation, 2, 1, 1) : [1, 1];
  const ceilMode = o?.ceilMode ?? false;
  if (typeof ceilMode !== 'boolean') throw new TypeError(`${op}: ceilMode must be a boolean, got ${String(ceilMode)}`);
  for (let i = 0; i < 2; i++) {
    if (p[i]! > Math.floor(k[i]! / 2)) {
      throw new RangeError(
        `${op}: pad should be at most half of the kernel size, but got padding ${shapeString(p)} for kernel size ${shapeString(k)}`,
      );
    }
  }
  const H = shape[shape.length - 2]!, W = shape[shape.length - 1]!;
  const oh = poolOutputSize(H, k[0]!, p[0]!, s[0]!, d[0]!, ceilMode);
  const ow = poolOutputSize(W, k[1]!, p[1]!, s[1]!, d[1]!, ceilMode);
  if (oh < 1 || ow < 1) {
    throw new RangeError(
      `${op}: given input of shape ${shapeString(shape)}, the calculated output size (${oh}, ${ow}) is too small ` +
        `(kernel size ${shapeString(k)}, stride ${shapeString(s)}, padding ${shapeString(p)}, dilation ${shapeString(d)})`,
    );
  }
  return {
    kernelSize: [k[0]!, k[1]!], stride: [s[0]!, s[1]!], padding: [p[0]!, p[1]!], dilation: [d[0]!, d[1]!], ceilMode,
  };
}

function outputShape(shape: readonly number[], g: Geometry): number[] {
  const nd = shape.length;
  return [
    ...shape.slice(0, nd - 2),
    poolOutputSize(shape[nd - 2]!, g.kernelSize[0], g.padding[0], g.stride[0], g.dilation[0], g.ceilMode),
    poolOutputSize(shape[nd - 1]!, g.kernelSize[1], g.padding[1], g.stride[1], g.dilation[1], g.ceilMode),
  ];
}

function putGeometry(p: number, g: Geometry): number {
  frame[p] = g.kernelSize[0];
  frame[p + 1] = g.kernelSize[1];
  frame[p + 2] = g.stride[0];
  frame[p + 3] = g.stride[1];
  frame[p + 4] = g.padding[0];
  frame[p + 5] = g.padding[1];
  frame[p + 6] = g.dilation[0];
  frame[p + 7] = g.dilation[1];
  return p + 8;
}

function checkShapeArg(op: string, shape: unknown, what: string): number[] {
  if (!Array.isArray(shape) || !shape.every((s) => isInt(s) && s >= 0)) {
    throw new TypeError(`${op}: expected ${what} to be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape] as number[];
}

// ---- max pooling ------------------------------------------------------------------------------

/**
 * 2-d max pooling returning `[values, indices]` (torch.max_pool2d_with_indices). A NaN in a
 * window is its maximum.
 */
export function maxPool2dWithIndices(x: Tensor, kernelSize: Size2, opts?: MaxPool2dOptions): [Tensor, Tensor] {
  const op = 'maxPool2d';
  floatingArg(op, x, 'input');
  checkInput(op, x);
  const g = geometry(op, x.shape, kernelSize, opts, true);
  const shape = outputShape(x.shape, g);
  return dispatch('maxPool2dWithIndices', [x], g as unknown as Record<string, unknown>, () => {
    const xc = staged(x);
    let p = putTensor(0, xc);
    p = putGeometry(p, g);
    p = putOutput(p, xc.dtype, shape);
    putOutput(p, 'int64', shape);
    runOn('maxPool2d', xc.device, op);
    const values = takeOutput(0, xc.dtype, shape, xc.device);
    const indices = takeOutput(1, 'int64', shape, xc.device);
    return [unstaged(values, x.dtype), indices] as [Tensor, Tensor];
  });
}

/**
 * The gradient of max pooling (and adaptive max pooling) for its input: gradOutput scattered
 * into planes of `inputShape` through `indices` (summed where windows share their maximum).
 */
export function maxPool2dBackward(gradOutput: Tensor, indices: Tensor, inputShape: readonly number[]): Tensor {
  const op = 'maxPool2dBackward';
  floatingArg(op, gradOutput, 'gradOutput');
  tensorArg(op, indices, 'indices');
  const shape = checkShapeArg(op, inputShape, 'inputShape');
  if (indices.dtype !== 'int64') throw new TypeError(`${op}: expected int64 indices, got ${describe(indices)}`);
  const nd = shape.length;
  if (nd < 2 || gradOutput.ndim !== nd || indices.ndim !== nd || gradOutput.shape.some((s, i) => s !== indices.shape[i]) ||
    shape.slice(0, nd - 2).some((s, i) => s !== gradOutput.shape[i])) {
    throw new RangeError(
      `${op}: gradOutput ${describe(gradOutput)} and indices ${describe(indices)} do not match an input of shape ${shapeString(shape)}`,
    );
  }
  return dispatch(op, [gradOutput, indices], { inputShape: shape }, () => {
    const gc = staged(gradOutput);
    const ic = staged(indices, 'int64');
    let p = putTensor(0, gc);
    p = putTensor(p, ic);
    putOutput(p, gc.dtype, shape);
    runOn('maxPool2dBackward', gc.device, op);
    return unstaged(takeOutput(0, gc.dtype, shape, gc.device), gradOutput.dtype);
  });
}

// ---- average pooling --------------------------------------------------------------------------

function avgOptions(op: string, o: AvgPool2dOptions | undefined): { countIncludePad: boolean; divisorOverride: number } {
  const countIncludePad = o?.countIncludePad ?? true;
  if (typeof countIncludePad !== 'boolean') throw new TypeError(`${op}: countIncludePad must be a boolean`);
  const d = o?.divisorOverride ?? 0;
  if (!isInt(d)) throw new TypeError(`${op}: divisorOverride must be an integer, got ${String(o?.divisorOverride)}`);
  if (o?.divisorOverride !== undefined && o?.divisorOverride !== null && d === 0) throw new RangeError(`${op}: divisorOverride must not be zero`);
  return { countIncludePad, divisorOverride: d };
}

/** 2-d average pooling (torch.nn.functional.avg_pool2d). */
export function avgPool2d(x: Tensor, kernelSize: Size2, opts?: AvgPool2dOptions): Tensor {
  const op = 'avgPool2d';
  floatingArg(op, x, 'input');
  checkInput(op, x);
  const g = geometry(op, x.shape, kernelSize, opts, false);
  const a = avgOptions(op, opts);
  const shape = outputShape(x.shape, g);
  return dispatch(op, [x], { ...g, ...a }, () => {
    const xc = staged(x);
    let p = putTensor(0, xc);
    p = putGeometry(p, g);
    frame[p] = a.countIncludePad ? 1 : 0;
    frame[p + 1] = a.divisorOverride;
    putOutput(p + 2, xc.dtype, shape);
    runOn('avgPool2d', xc.device, op);
    return unstaged(takeOutput(0, xc.dtype, shape, xc.device), x.dtype);
  });
}

/** The gradient of avgPool2d for an input of `inputShape` (the adjoint of avgPool2d). */
export function avgPool2dBackward(gradOutput: Tensor, inputShape: readonly number[], kernelSize: Size2, opts?: AvgPool2dOptions): Tensor {
  const op = 'avgPool2dBackward';
  floatingArg(op, gradOutput, 'gradOutput');
  const shape = checkShapeArg(op, inputShape, 'inputShape');
  if (shape.length !== 3 && shape.length !== 4) throw new RangeError(`${op}: expected a 3-d or 4-d inputShape, got ${shapeString(shape)}`);
  const g = geometry(op, shape, kernelSize, opts, false);
  const a = avgOptions(op, opts);
  const expected = outputShape(shape, g);
  if (gradOutput.ndim !== expected.length || gradOutput.shape.some((s, i) => s !== expected[i])) {
    throw new RangeError(`${op}: gradOutput ${describe(gradOutput)} does not match the pooled shape ${shapeString(expected)} of input ${shapeString(shape)}`);
  }
  return dispatch(op, [gradOutput], { ...g, ...a, inputShape: shape }, () => {
    const gc = staged(gradOutput);
    let p = putTensor(0, gc);
    p = putGeometry(p, g);
    frame[p] = a.countIncludePad ? 1 : 0;
    frame[p + 1] = a.divisorOverride;
    putOutput(p + 2, gc.dtype, shape);
    runOn('avgPool2dBackward', gc.device, op);
    return unstaged(takeOutput(0, gc.dtype, shape, gc.device), gradOutput.dtype);
  });
}

// ---- adaptive pooling -------------------------------------------------------------------------

function adaptiveSize(op: string, x: Tensor, outputSize: unknown): [number, number] {
  const H = x.shape[x.ndim - 2]!, W = x.shape[x.ndim - 1]!;
  let arr: unknown[];
  if (typeof outputSize === 'number') arr = [outputSize, outputSize];
  else if (Array.isArray(outputSize) && outputSize.length === 2) arr = outputSize;
  else throw new TypeError(`${op}: expected outputSize to be a number or 2 numbers (null keeps the input's size), got ${JSON.stringify(outputSize)}`);
  const r = arr.map((v, i) => (v === null || v === undefined ? (i === 0 ? H : W) : v));
  if (!r.every((v) => isInt(v) && v >= 1)) {
    throw new RangeError(`${op}: expected outputSize to hold positive integers, got ${JSON.stringify(outputSize)}`);
  }
  return [r[0] as number, r[1] as number];
}

/** 2-d adaptive average pooling to `outputSize` (a number, or [h, w] where null keeps the input's size). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const op = 'adaptiveAvgPool2d';
  floatingArg(op, x, 'input');
  checkInput(op, x);
  const [oh, ow] = adaptiveSize(op, x, outputSize);
  const shape = [...x.shape.slice(0, x.ndim - 2), oh, ow];
  return dispatch(op, [x], { outputSize: [oh, ow] }, () => {
    const xc = staged(x);
    frame[0] = 0;
    const p = putTensor(1, xc);
    putOutput(p, xc.dtype, shape);
    runOn('adaptivePool2d', xc.device, op);
    return unstaged(takeOutput(0, xc.dtype, shape, xc.device), x.dtype);
  });
}

/** The gradient of adaptiveAvgPool2d for an input of `inputShape`. */
export function adaptiveAvgPool2dBackward(gradOutput: Tensor, inputShape: readonly number[]): Tensor {
  const op = 'adaptiveAvgPool2dBackward';
  floatingArg(op, gradOutput, 'gradOutput');
  const shape = checkShapeArg(op, inputShape, 'inputShape');
  const nd = shape.length;
  if (nd < 2 || gradOutput.ndim !== nd || shape.slice(0, nd - 2).some((s, i) => s !== gradOutput.shape[i])) {
    throw new RangeError(`${op}: gradOutput ${describe(gradOutput)} does not match an input of shape ${shapeString(shape)}`);
  }
  return dispatch(op, [gradOutput], { inputShape: shape }, () => {
    const gc = staged(gradOutput);
    const p = putTensor(0, gc);
    putOutput(p, gc.dtype, shape);
    runOn('adaptiveAvgPool2dBackward', gc.device, op);
    return unstaged(takeOutput(0, gc.dtype, shape, gc.device), gradOutput.dtype);
  });
}

/** 2-d adaptive max pooling returning `[values, indices]`. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: number | readonly (number | null)[]): [Tensor, Tensor] {
  const op = 'adaptiveMaxPool2d';
  floatingArg(op, x, 'input');
  checkInput(op, x);
  const [oh, ow] = adaptiveSize(op, x, outputSize);
  const shape = [...x.shape.slice(0, x.ndim - 2), oh, ow];
  return dispatch(op, [x], { outputSize: [oh, ow] }, () => {
    const xc = staged(x);
    frame[0] = 1;
    let p = putTensor(1, xc);
    p = putOutput(p, xc.dtype, shape);
    putOutput(p, 'int64', shape);
    runOn('adaptivePool2d', xc.device, op);
    const values = takeOutput(0, xc.dtype, shape, xc.device);
    const indices = takeOutput(1, 'int64', shape, xc.device);
    return [unstaged(values, x.dtype), indices] as [Tensor, Tensor];
  });
}

