/**
 * Fused cross entropy, as torch.nn.functional.cross_entropy: log-softmax over the class dim and
 * the negative log likelihood in one stable native pass, and one backward kernel (softmax minus
 * the target distribution, scaled by the class weights), with class weights, ignoreIndex and
 * label smoothing. Targets are class indices (int64/int32, shaped like the input without its
 * class dim) or class probabilities (floating, shaped like the input). Inputs are [C] (one
 * sample), [N, C] or [N, C, d1, ...].
 */
import { dispatch } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { isFloatingDType } from '../dtype.js';
import { contiguousStrides, frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { shapeString } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkReduction, computeDType, describe, floatingArg, isInt, optionalTensorArg, staged, tensorArg, unstaged } from './nnCommon.js';

export interface CrossEntropyOptions {
  /** A manual rescaling weight per class ([C]). */
  weight?: Tensor | null;
  /** Targets equal to it contribute nothing (class-index targets only; default -100). */
  ignoreIndex?: number;
  /** Mix the target with the uniform distribution: (1 - s) * target + s / C (default 0). */
  labelSmoothing?: number;
  reduction?: 'none' | 'mean' | 'sum';
}

const REDUCTION_CODE = { none: 0, mean: 1, sum: 2 } as const;

interface Layout {
  N: number;
  C: number;
  D: number;
  probs: boolean;
  /** The shape of the unreduced loss. */
  lossShape: number[];
}

function layoutOf(op: string, x: Tensor, target: Tensor): Layout {
  if (x.ndim === 0) throw new RangeError(`${op}: expected an input of at least 1 dim (the classes), got ${describe(x)}`);
  const unbatched = x.ndim === 1;
  const N = unbatched ? 1 : x.shape[0]!;
  const C = unbatched ? x.shape[0]! : x.shape[1]!;
  const spatial = unbatched ? [] : x.shape.slice(2);
  const D = spatial.reduce((a, b) => a * b, 1);
  const lossShape = unbatched ? [] : [N, ...spatial];
  const sameShape = target.ndim === x.ndim && target.shape.every((s, i) => s === x.shape[i]);
  if (isFloatingDType(target.dtype)) {
    if (!sameShape) {
      throw new RangeError(`${op}: input ${shapeString(x.shape)} and target ${shapeString(target.shape)}: probability targets must have the input's shape`);
    }
    if (target.dtype !== x.dtype) {
      throw new TypeError(`${op}: input ${describe(x)} and probability target ${describe(target)} must have the same dtype`);
    }
    return { N, C, D, probs: true, lossShape };
  }
  if (target.dtype !== 'int64' && target.dtype !== 'int32') {
    throw new TypeError(`${op}: expected target class indices of dtype int64 (or probabilities of the input's dtype), got ${describe(target)}`);
  }
  if (target.ndim !== x.ndim - 1) {
    throw new RangeError(
      `${op}: input ${shapeString(x.shape)} and target ${shapeString(target.shape)}: class-index targets need ${x.ndim - 1} dims (the input's without its class dim)`,
    );
  }
  if (!unbatched && target.shape[0] !== N) {
    throw new RangeError(`${op}: input ${shapeString(x.shape)} and target ${shapeString(target.shape)}: batch sizes differ`);
  }
  if (!unbatched && spatial.some((s, i) => s !== target.shape[i + 1])) {
    throw new RangeError(`${op}: input ${shapeString(x.shape)} and target ${shapeString(target.shape)}: spatial sizes differ`);
  }
  return { N, C, D, probs: false, lossShape };
}

interface Resolved {
  weight: Tensor | null;
  ignoreIndex: number;
  labelSmoothing: number;
  reduction: 'none' | 'mean' | 'sum';
}

function resolveOptions(op: string, x: Tensor, C: number, o: CrossEntropyOptions | undefined): Resolved {
  const weight = optionalTensorArg(op, o?.weight, 'weight');
  if (weight !== null) {
    floatingArg(op, weight, 'weight');
    if (weight.ndim !== 1 || weight.shape[0] !== C) throw new RangeError(`${op}: expected weight of shape [${C}] (one per class), got ${describe(weight)}`);
    if (weight.dtype !== x.dtype) throw new TypeError(`${op}: weight ${describe(weight)} and input ${describe(x)} have different dtypes`);
  }
  const ignoreIndex = o?.ignoreIndex ?? -100;
  if (!isInt(ignoreIndex)) throw new TypeError(`${op}: ignoreIndex must be an integer, got ${String(o?.ignoreIndex)}`);
  const labelSmoothing = o?.labelSmoothing ?? 0;
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(`${op}: labelSmoothing must be between 0.0 and 1.0, got ${String(o?.labelSmoothing)}`);
  }
  return { weight, ignoreIndex, labelSmoothing, reduction: checkReduction(op, o?.reduction) };
}

/** x staged as a contiguous [N, C, D] tensor of dtype dt. */
function ncd(t: Tensor, L: Layout, dt: DType): Tensor {
  const s = staged(t, dt);
  const shape = [L.N, L.C, L.D];
  return s._view(shape, contiguousStrides(shape), s.offset);
}

function targetOperand(t: Tensor, L: Layout, dt: DType): Tensor {
  if (L.probs) return ncd(t, L, dt);
  const s = staged(t, 'int64');
  return s._view([L.N * L.D], [1], s.offset);
}

function putHeader(r: Resolved): number {
  frame[0] = r.weight ? 1 : 0;
  frame[1] = r.ignoreIndex;
  frame[2] = r.labelSmoothing;
  frame[3] = REDUCTION_CODE[r.reduction];
  return 4;
}

/**
 * Cross entropy between logits and targets (see the module's documentation). With 'mean', a
 * class-index loss is divided by the summed weights of the non-ignored targets; a probability
 * loss by the number of samples (N * d1 * ...).
 */
export function crossEntropy(input: Tensor, target: Tensor, opts?: CrossEntropyOptions): Tensor {
  const op = 'crossEntropy';
  floatingArg(op, input, 'input');
  tensorArg(op, target, 'target');
  const L = layoutOf(op, input, target);
  const r = resolveOptions(op, input, L.C, opts);
  const inputs = r.weight ? [input, target, r.weight] : [input, target];
  const attrs = {
    ignoreIndex: r.ignoreIndex, labelSmoothing: r.labelSmoothing, reduction: r.reduction, hasWeight: r.weight !== null,
  };
  const outs = dispatch(op, inputs, attrs, () => {
    const cdt = computeDType(input.dtype);
    // Stage every operand before writing the frame (a staging copy runs a kernel through it).
    const xc = ncd(input, L, cdt);
    const tc = targetOperand(target, L, cdt);
    const wc = r.weight && staged(r.weight, cdt);
    let p = putHeader(r);
    p = putTensor(p, xc);
    p = putTensor(p, tc);
    if (wc) p = putTensor(p, wc);
    const lossShape = r.reduction === 'none' ? L.lossShape : [];
    p = putOutput(p, cdt, lossShape);
    p = putOutput(p, cdt, [L.N * L.D]);
    putOutput(p, cdt, []);
    const dev = xc.device;
    runOn('crossEntropy', dev, op);
    const loss = takeOutput(0, cdt, lossShape, dev);
    const lse = takeOutput(1, cdt, [L.N * L.D], dev);
    const total = takeOutput(2, cdt, [], dev);
    return [unstaged(loss, input.dtype), lse, total] as [Tensor, Tensor, Tensor];
  });
  return outs[0];
}

/**
 * The gradient of crossEntropy for its input: `grad` is the loss's gradient, `logSumExp` and
 * `totalWeight` the statistics the forward kernel saved (one log-sum-exp per sample, and the
 * mean's denominator).
 */
export function crossEntropyBackward(
  grad: Tensor, input: Tensor, target: Tensor, logSumExp: Tensor, totalWeight: Tensor, opts?: CrossEntropyOptions,
): Tensor {
  const op = 'crossEntropyBackward';
  floatingArg(op, grad, 'grad');
  floatingArg(op, input, 'input');
  tensorArg(op, target, 'target');
  const L = layoutOf(op, input, target);
  const r = resolveOptions(op, input, L.C, opts);
  const lossShape = r.reduction === 'none' ? L.lossShape : [];
  if (grad.ndim !== lossShape.length || grad.shape.some((s, i) => s !== lossShape[i])) {
    throw new RangeError(`${op}: grad ${describe(grad)} does not match the loss shape ${shapeString(lossShape)}`);
  }
  if (logSumExp.numel() !== L.N * L.D || totalWeight.numel() !== 1) {
    throw new RangeError(`${op}: logSumExp ${describe(logSumExp)} or totalWeight ${describe(totalWeight)} do not match input ${describe(input)}`);
  }
  const inputs = [grad, input, target, logSumExp, totalWeight];
  if (r.weight) inputs.push(r.weight);
  return dispatch(op, inputs, { ...r, weight: undefined }, () => {
    const cdt = computeDType(input.dtype);
    const gc = staged(grad, cdt);
    const xc = ncd(input, L, cdt);
    const tc = targetOperand(target, L, cdt);
    const wc = r.weight && staged(r.weight, cdt);
    const lc = staged(logSumExp, cdt);
    const twc = staged(totalWeight, cdt);
    let p = putHeader(r);
    p = putTensor(p, gc);
    p = putTensor(p, xc);
    p = putTensor(p, tc);
    if (wc) p = putTensor(p, wc);
    p = putTensor(p, lc);
    p = putTensor(p, twc);
    putOutput(p, cdt, [L.N, L.C, L.D]);
    const dev = xc.device;
    runOn('crossEntropyBackward', dev, op);
    return unstaged(takeOutput(0, cdt, input.shape, dev), input.dtype);
  });
}
