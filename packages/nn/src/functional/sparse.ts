/** embedding and oneHot. */
import { noGrad } from '@cinder/autograd';
import { embedding as embeddingOp, oneHot as oneHotOp, where, type Tensor } from '@cinder/tensor';
import { boolArg, describe, numberArg, tensorArg } from './common.js';

export interface EmbeddingOptions {
  /** The row at this index gets no gradient (negative counts from the end). */
  paddingIdx?: number | null;
  /** Rows looked up with a larger p-norm are rescaled to this norm, in place, first. */
  maxNorm?: number | null;
  /** The p of maxNorm's norm (default 2). */
  normType?: number;
  /** Scale gradients by the inverse frequency of the indices in the batch. */
  scaleGradByFreq?: boolean;
  /** Sparse gradients are not supported: must be false. */
  sparse?: boolean;
}

/**
 * Renormalizes, in place and without recording gradients, the rows of `weight` at `indices`
 * whose p-norm exceeds maxNorm (scaled to maxNorm / (norm + 1e-7), as PyTorch does).
 */
export function embeddingRenorm_(weight: Tensor, indices: Tensor, maxNorm: number, normType = 2): Tensor {
  return noGrad(() => {
    const rows = indices.reshape([-1]).unique() as Tensor;
    if (rows.numel() === 0) return weight;
    const sel = weight.indexSelect(0, rows);
    const norms = sel.norm(normType, 1, { keepdim: true });
    const scale = where(norms.gt(maxNorm), norms.add(1e-7).reciprocal().mul(maxNorm), 1);
    weight.indexCopy_(0, rows, sel.mul(scale));
    return weight;
  });
}

/** Rows of `weight` ([numEmbeddings, D]) at the integer `input` indices: shape input.shape + [D]. */
export function embedding(input: Tensor, weight: Tensor, opts?: EmbeddingOptions): Tensor {
  const op = 'embedding';
  tensorArg(op, input, 'input');
  tensorArg(op, weight, 'weight');
  if (boolArg(op, opts?.sparse, 'sparse', false)) throw new RangeError(`${op}: sparse gradients are not supported`);
  if (weight.ndim !== 2) throw new RangeError(`${op}: expected a 2-d weight [numEmbeddings, embeddingDim], got ${describe(weight)}`);
  const maxNorm = opts?.maxNorm ?? null;
  if (maxNorm !== null) {
    if (typeof maxNorm !== 'number' || !(maxNorm > 0)) throw new RangeError(`${op}: maxNorm must be a positive number, got ${String(maxNorm)}`);
    embeddingRenorm_(weight, input, maxNorm, numberArg(op, opts?.normType, 'normType', 2));
  }
  return embeddingOp(weight, input, { paddingIdx: opts?.paddingIdx, scaleGradByFreq: opts?.scaleGradByFreq });
}

/** One-hot encoding of int64 class indices: input.shape + [numClasses] (-1: max + 1). */
export function oneHot(input: Tensor, numClasses = -1): Tensor {
  return oneHotOp(input, numClasses);
}
