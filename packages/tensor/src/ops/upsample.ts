/**
 * 2-d upsampling (the kernels behind interpolate): nearest and bilinear, forward and backward.
 * Inputs are [..., H, W] with at least one leading dim (the planes); the output is
 * [..., outH, outW]. Source positions follow PyTorch exactly: nearest takes floor(o * scale)
 * (computed in float), bilinear maps o to (o + 0.5) * scale - 0.5 (clamped at 0) or, with
 * alignCorners, to o * (in - 1) / (out - 1). `scales` are the user's scale factors: when given,
 * scale = 1 / factor instead of in / out, as PyTorch does when it is not asked to recompute them.
 *
 * The backward ops are the adjoints of the forward ones (and the forward ones theirs), so
 * gradients of any order are available.
 */
import { dispatch } from '../dispatch.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { shapeString } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { describe, floatingArg, isInt, staged, unstaged } from './nnCommon.js';

export interface UpsampleOptions {
  /** The scale factors [h, w] the output size came from (null: derive from the sizes). */
  scales?: readonly (number | null | undefined)[] | null;
}

export interface UpsampleBilinearOptions extends UpsampleOptions {
  alignCorners?: boolean;
}

function checkSize(op: string, v: unknown, what: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((s) => isInt(s) && s >= 1)) {
    throw new RangeError(`${op}: expected ${what} to be 2 positive integers, got ${JSON.stringify(v)}`);
  }
  return [v[0] as number, v[1] as number];
}

function scalesOf(op: string, o: UpsampleOptions | undefined): [number, number] {
  const s = o?.scales;
  if (s === undefined || s === null) return [0, 0];
  if (!Array.isArray(s) || s.length !== 2) throw new TypeError(`${op}: expected scales to be 2 numbers (or null), got ${JSON.stringify(s)}`);
  return s.map((v) => {
    if (v === null || v === undefined) return 0;
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`${op}: scale factors must be positive, got ${JSON.stringify(s)}`);
    return v;
  }) as [number, number];
}

/** Resolved scales in the options' form (null where none was given), for attributes. */
function scalesAttr(s: [number, number]): (number | null)[] {
  return s.map((v) => (v > 0 ? v : null));
}

function checkInput(op: string, x: Tensor): void {
  if (x.ndim < 3) throw new RangeError(`${op}: expected an input of at least 3 dims [..., H, W], got ${describe(x)}`);
  if (x.shape[x.ndim - 1] === 0 || x.shape[x.ndim - 2] === 0) {
    throw new RangeError(`${op}: input and output sizes should be greater than 0, got input ${describe(x)}`);
  }
}

function run(code: number, name: string, x: Tensor, size: [number, number], alignCorners: boolean, scales: [number, number]): Tensor {
  const shape = [...x.shape.slice(0, x.ndim - 2), size[0], size[1]];
  const attrs = { size, alignCorners, scales: scalesAttr(scales) };
  return dispatch(name, [x], attrs, () => {
    const xc = staged(x);
    frame[0] = code;
    const p = putTensor(1, xc);
    frame[p] = alignCorners ? 1 : 0;
    frame[p + 1] = scales[0];
    frame[p + 2] = scales[1];
    putOutput(p + 3, xc.dtype, shape);
    runOn('upsample2d', xc.device, name);
    return unstaged(takeOutput(0, xc.dtype, shape, xc.device), x.dtype);
  });
}

function runBackward(code: number, name: string, g: Tensor, inputShape: unknown, alignCorners: boolean, scales: [number, number]): Tensor {
  if (!Array.isArray(inputShape) || inputShape.length !== g.ndim || !inputShape.every((s) => isInt(s) && s >= 0) ||
    inputShape.slice(0, g.ndim - 2).some((s, i) => s !== g.shape[i])) {
    throw new RangeError(`${name}: gradOutput ${describe(g)} does not match an input of shape ${JSON.stringify(inputShape)}`);
  }
  const shape = [...inputShape] as number[];
  if (g.ndim < 3 || shape[g.ndim - 1] === 0 || shape[g.ndim - 2] === 0) {
    throw new RangeError(`${name}: expected an input shape of at least 3 non-empty dims, got ${shapeString(shape)}`);
  }
  return dispatch(name, [g], { inputShape: shape, alignCorners, scales: scalesAttr(scales) }, () => {
    const gc = staged(g);
    frame[0] = code;
    const p = putTensor(1, gc);
    frame[p] = alignCorners ? 1 : 0;
    frame[p + 1] = scales[0];
    frame[p + 2] = scales[1];
    putOutput(p + 3, gc.dtype, shape);
    runOn('upsample2dBackward', gc.device, name);
    return unstaged(takeOutput(0, gc.dtype, shape, gc.device), g.dtype);
  });
}

/** Nearest-neighbour upsampling of the last two dims to `outputSize` [h, w]. */
export function upsampleNearest2d(x: Tensor, outputSize: readonly number[], opts?: UpsampleOptions): Tensor {
  const op = 'upsampleNearest2d';
  floatingArg(op, x, 'input');
  checkInput(op, x);
  return run(0, op, x, checkSize(op, outputSize, 'outputSize'), false, scalesOf(op, opts));
}

/** The gradient of upsampleNearest2d for an input of `inputShape`. */
export function upsampleNearest2dBackward(gradOutput: Tensor, inputShape: readonly number[], opts?: UpsampleOptions): Tensor {
  const op = 'upsampleNearest2dBackward';
  floatingArg(op, gradOutput, 'gradOutput');
  return runBackward(0, op, gradOutput, inputShape, false, scalesOf(op, opts));
}

/** Bilinear upsampling of the last two dims to `outputSize` [h, w]. */
export function upsampleBilinear2d(x: Tensor, outputSize: readonly number[], opts?: UpsampleBilinearOptions): Tensor {
  const op = 'upsampleBilinear2d';
  floatingArg(op, x, 'input');
  checkInput(op, x);
  const ac = opts?.alignCorners ?? false;
  if (typeof ac !== 'boolean') throw new TypeError(`${op}: alignCorners must be a boolean`);
  return run(1, op, x, checkSize(op, outputSize, 'outputSize'), ac, scalesOf(op, opts));
}

/** The gradient of upsampleBilinear2d for an input of `inputShape`. */
export function upsampleBilinear2dBackward(gradOutput: Tensor, inputShape: readonly number[], opts?: UpsampleBilinearOptions): Tensor {
  const op = 'upsampleBilinear2dBackward';
  floatingArg(op, gradOutput, 'gradOutput');
  const ac = opts?.alignCorners ?? false;
  if (typeof ac !== 'boolean') throw new TypeError(`${op}: alignCorners must be a boolean`);
  return runBackward(1, op, gradOutput, inputShape, ac, scalesOf(op, opts));
}
