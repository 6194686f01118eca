/**
 * Pooling: max (with returnIndices, ceilMode, padding, dilation), average (countIncludePad,
 * ceilMode, divisorOverride), adaptive average and adaptive max, over 1 or 2 spatial dims. The 2-d
 * ops are @cinder/tensor's native kernels; the 1-d ones run them on a [.., 1, L] view.
 */
import {
  adaptiveAvgPool2d as adaptiveAvg2dOp, adaptiveMaxPool2d as adaptiveMax2dOp, avgPool2d as avgPool2dOp,
  maxPool2dWithIndices, type Tensor,
} from '@cinder/tensor';
import { describe, floatArg } from './common.js';

export type Size2 = number | readonly number[];

export interface MaxPoolOptions<S> {
  stride?: S | null;
  padding?: S;
  dilation?: S;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

export interface AvgPoolOptions<S> {
  stride?: S | null;
  padding?: S;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** Runs fn, naming `op` (the 1-d function) in errors raised by the 2-d kernel it calls. */
function as1d<R>(op: string, fn: () => R): R {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Error) e.message = e.message.replace(/^(maxPool2d|avgPool2d|adaptiveAvgPool2d|adaptiveMaxPool2d):/, `${op}:`);
    throw e;
  }
}

function check1d(op: string, x: Tensor): void {
  floatArg(op, x);
  if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`${op}: expected a 2-d [C, L] or 3-d [N, C, L] input, got ${describe(x)}`);
}

function one(op: string, name: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return v[0];
  throw new TypeError(`${op}: expected ${name} to be a number (or an array of one), got ${JSON.stringify(v)}`);
}

/** 1-d sizes as 2-d ones over a height of 1. */
function lift(op: string, k: unknown, o: MaxPoolOptions<Size2> | AvgPoolOptions<Size2> | undefined) {
  const kk = one(op, 'kernelSize', k);
  if (kk === undefined) throw new TypeError(`${op}: kernelSize is required`);
  const s = one(op, 'stride', o?.stride);
  const p = one(op, 'padding', o?.padding);
  const d = one(op, 'dilation', (o as MaxPoolOptions<Size2> | undefined)?.dilation);
  return {
    kernel: [1, kk],
    stride: s === undefined ? [1, kk] : [1, s],
    padding: [0, p ?? 0],
    dilation: [1, d ?? 1],
  };
}

export function maxPool2d(x: Tensor, kernelSize: Size2, opts: MaxPoolOptions<Size2> & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: Size2, opts?: MaxPoolOptions<Size2>): Tensor;
/** 2-d max pooling of [C, H, W] or [N, C, H, W]; `[output, indices]` with returnIndices. */
export function maxPool2d(x: Tensor, kernelSize: Size2, opts?: MaxPoolOptions<Size2>): Tensor | [Tensor, Tensor] {
  const r = maxPool2dWithIndices(x, kernelSize, opts);
  return opts?.returnIndices ? r : r[0];
}

export function maxPool1d(x: Tensor, kernelSize: number, opts: MaxPoolOptions<number> & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(x: Tensor, kernelSize: number, opts?: MaxPoolOptions<number>): Tensor;
/** 1-d max pooling of [C, L] or [N, C, L]; `[output, indices]` with returnIndices. */
export function maxPool1d(x: Tensor, kernelSize: number, opts?: MaxPoolOptions<number>): Tensor | [Tensor, Tensor] {
  const op = 'maxPool1d';
  check1d(op, x);
  const g = lift(op, kernelSize, opts);
  const [v, i] = as1d(op, () => maxPool2dWithIndices(x.unsqueeze(-2), g.kernel, {
    stride: g.stride, padding: g.padding, dilation: g.dilation, ceilMode: opts?.ceilMode,
  }));
  const values = v.squeeze(-2);
  return opts?.returnIndices ? [values, i.squeeze(-2)] : values;
}

/** 2-d average pooling of [C, H, W] or [N, C, H, W]. */
export function avgPool2d(x: Tensor, kernelSize: Size2, opts?: AvgPoolOptions<Size2>): Tensor {
  return avgPool2dOp(x, kernelSize, opts);
}

/** 1-d average pooling of [C, L] or [N, C, L]. */
export function avgPool1d(x: Tensor, kernelSize: number, opts?: AvgPoolOptions<number>): Tensor {
  const op = 'avgPool1d';
  check1d(op, x);
  const g = lift(op, kernelSize, opts);
  return as1d(op, () => avgPool2dOp(x.unsqueeze(-2), g.kernel, {
    stride: g.stride, padding: g.padding, ceilMode: opts?.ceilMode, countIncludePad: opts?.countIncludePad,
    divisorOverride: opts?.divisorOverride,
  })).squeeze(-2);
}

/** Adaptive average pooling to `outputSize` (a number, or [h, w] where null keeps the input's size). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  return adaptiveAvg2dOp(x, outputSize);
}

export function adaptiveMaxPool2d(x: Tensor, outputSize: number | readonly (number | null)[], opts: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: number | readonly (number | null)[], opts?: { returnIndices?: boolean }): Tensor;
/** Adaptive max pooling; `[output, indices]` with returnIndices. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: number | readonly (number | null)[], opts?: { returnIndices?: boolean }): Tensor | [Tensor, Tensor] {
  const r = adaptiveMax2dOp(x, outputSize);
  return opts?.returnIndices ? r : r[0];
}

function size1d(op: string, outputSize: unknown): number {
  const s = one(op, 'outputSize', outputSize);
  if (s === undefined) throw new TypeError(`${op}: outputSize is required`);
  return s;
}

/** 1-d adaptive average pooling of [C, L] or [N, C, L]. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number): Tensor {
  const op = 'adaptiveAvgPool1d';
  check1d(op, x);
  return as1d(op, () => adaptiveAvg2dOp(x.unsqueeze(-2), [1, size1d(op, outputSize)])).squeeze(-2);
}

export function adaptiveMaxPool1d(x: Tensor, outputSize: number, opts: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(x: Tensor, outputSize: number, opts?: { returnIndices?: boolean }): Tensor;
/** 1-d adaptive max pooling of [C, L] or [N, C, L]. */
export function adaptiveMaxPool1d(x: Tensor, outputSize: number, opts?: { returnIndices?: boolean }): Tensor | [Tensor, Tensor] {
  const op = 'adaptiveMaxPool1d';
  check1d(op, x);
  const [v, i] = as1d(op, () => adaptiveMax2dOp(x.unsqueeze(-2), [1, size1d(op, outputSize)]));
  return opts?.returnIndices ? [v.squeeze(-2), i.squeeze(-2)] : v.squeeze(-2);
}
