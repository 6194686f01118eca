/** Distances and similarities: cosineSimilarity and pairwiseDistance. */
import type { Tensor } from '@cinder/tensor';
import { boolArg, floatArg, numberArg } from './common.js';

export interface CosineSimilarityOptions {
  dim?: number;
  eps?: number;
}

/**
 * sum(x1 * x2) / sqrt(max(||x1||^2 * ||x2||^2, eps^2)) along dim (default 1); x1 and x2 broadcast.
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, opts?: CosineSimilarityOptions): Tensor {
  const op = 'cosineSimilarity';
  floatArg(op, x1, 'x1');
  floatArg(op, x2, 'x2');
  const dim = numberArg(op, opts?.dim, 'dim', 1);
  const eps = numberArg(op, opts?.eps, 'eps', 1e-8);
  const w12 = x1.mul(x2).sum(dim);
  const w1 = x1.square().sum(dim);
  const w2 = x2.square().sum(dim);
  return w12.div(w1.mul(w2).clamp(eps * eps, null).sqrt());
}

export interface PairwiseDistanceOptions {
  /** The norm's order (default 2). */
  p?: number;
  eps?: number;
  keepdim?: boolean;
}

/** ||x1 - x2 + eps||_p over the last dim. */
export function pairwiseDistance(x1: Tensor, x2: Tensor, opts?: PairwiseDistanceOptions): Tensor {
  const op = 'pairwiseDistance';
  floatArg(op, x1, 'x1');
  floatArg(op, x2, 'x2');
  const p = numberArg(op, opts?.p, 'p', 2);
  const eps = numberArg(op, opts?.eps, 'eps', 1e-6);
  const keepdim = boolArg(op, opts?.keepdim, 'keepdim', false);
  return x1.sub(x2).add(eps).norm(p, -1, { keepdim });
}
