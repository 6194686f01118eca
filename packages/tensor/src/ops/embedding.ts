/**
 * Embedding lookup, as torch.embedding: rows of a [numEmbeddings, D] weight picked by integer
 * indices of any shape (the output is indices.shape + [D]). Its gradient for the weight is
 * `embeddingBackward`, a deterministic index add (each weight row sums its gradient rows in index
 * order, whatever the thread count), which skips `paddingIdx` and can scale by index frequency.
 */
import { dispatch } from '../dispatch.js';
import { contiguousStrides, frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { shapeString } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { indexSelectKernel } from './indexingCommon.js';
import { computeDType, describe, floatingArg, isInt, staged, tensorArg, unstaged } from './nnCommon.js';

export interface EmbeddingOptions {
  /** Rows at this index get no gradient (negative counts from the end). */
  paddingIdx?: number | null;
  /** Scale each index's gradient by the inverse of its frequency in the batch. */
  scaleGradByFreq?: boolean;
}

function checkIndices(op: string, indices: Tensor): void {
  tensorArg(op, indices, 'indices');
  if (indices.dtype !== 'int64' && indices.dtype !== 'int32') {
    throw new TypeError(`${op}: expected indices of dtype int64 (or int32), got ${describe(indices)}`);
  }
}

function paddingOf(op: string, p: unknown, n: number): number {
  if (p === undefined || p === null) return -1;
  if (!isInt(p) || p >= n || p < -n) throw new RangeError(`${op}: paddingIdx must be within the ${n} embeddings, got ${String(p)}`);
  return p < 0 ? p + n : p;
}

/** Rows of `weight` ([numEmbeddings, D]) at `indices`: shape indices.shape + [D]. */
export function embedding(weight: Tensor, indices: Tensor, opts?: EmbeddingOptions): Tensor {
  const op = 'embedding';
  tensorArg(op, weight, 'weight');
  checkIndices(op, indices);
  if (weight.ndim !== 2) throw new RangeError(`${op}: expected a 2-d weight [numEmbeddings, embeddingDim], got ${describe(weight)}`);
  const V = weight.shape[0]!;
  const paddingIdx = paddingOf(op, opts?.paddingIdx, V);
  const scaleGradByFreq = opts?.scaleGradByFreq ?? false;
  const outShape = [...indices.shape, weight.shape[1]!];
  return dispatch(op, [weight, indices], { paddingIdx, scaleGradByFreq }, () => {
    const flat = staged(indices, 'int64');
    const idx = flat._view([flat.numel()], [1], flat.offset);
    let rows: Tensor;
    try {
      rows = indexSelectKernel(weight, 0, idx);
    } catch (e) {
      // The gather names itself; name the op the caller used.
      throw new RangeError(`${op}: ${(e as Error).message.replace(/^indexSelect: /, '')} (weight ${describe(weight)})`);
    }
    return rows._view(outShape, contiguousStrides(outShape), rows.offset);
  });
}

/**
 * The gradient of `embedding` for its weight: [numWeights, D], row v the sum of the rows of
 * `grad` (shape indices.shape + [D]) whose index is v.
 */
export function embeddingBackward(grad: Tensor, indices: Tensor, numWeights: number, opts?: EmbeddingOptions): Tensor {
  const op = 'embeddingBackward';
  floatingArg(op, grad, 'grad');
  checkIndices(op, indices);
  if (!isInt(numWeights) || numWeights < 0) throw new RangeError(`${op}: numWeights must be a non-negative integer, got ${String(numWeights)}`);
  if (grad.ndim !== indices.ndim + 1 || indices.shape.some((s, i) => s !== grad.shape[i])) {
    throw new RangeError(`${op}: grad ${describe(grad)} does not match indices ${describe(indices)} (expected ${shapeString(indices.shape)} + [D])`);
  }
  const paddingIdx = paddingOf(op, opts?.paddingIdx, numWeights);
  const scaleGradByFreq = opts?.scaleGradByFreq ?? false;
  const D = grad.shape[grad.ndim - 1]!;
  const M = indices.numel();
  return dispatch(op, [grad, indices], { numWeights, paddingIdx, scaleGradByFreq }, () => {
    const cdt = computeDType(grad.dtype);
    const g = staged(grad, cdt);
    const idx = staged(indices, 'int64');
    frame[0] = paddingIdx;
    frame[1] = scaleGradByFreq ? 1 : 0;
    let p = putTensor(2, g._view([M, D], [D, 1], g.offset));
    p = putTensor(p, idx._view([M], [1], idx.offset));
    putOutput(p, cdt, [numWeights, D]);
    const dev = grad.device;
    runOn('embeddingBackward', dev, op);
    return unstaged(takeOutput(0, cdt, [numWeights, D], dev), grad.dtype);
  });
}
