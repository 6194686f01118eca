/** CosineSimilarity and PairwiseDistance (torch.nn's), over F. */
import type { Tensor } from '@cinder/tensor';
import { cosineSimilarity, pairwiseDistance } from '../../functional/distance.js';
import { Module } from '../module.js';
import { finite } from './common.js';

/**
 * Cosine similarity of x1 and x2 along dim (default 1), the norms' product clamped at eps.
 * @example
 * ```ts
 * new nn.CosineSimilarity({ dim: 1 }).forward(randn([100, 128]), randn([100, 128])).shape; // [100]
 * ```
 */
export class CosineSimilarity extends Module {
  readonly dim: number;
  readonly eps: number;
  constructor(opts: { dim?: number; eps?: number } = {}) {
    super();
    const dim = opts.dim ?? 1;
    if (!Number.isInteger(dim)) throw new TypeError(`CosineSimilarity: dim must be an integer, got ${String(dim)}`);
    this.dim = dim;
    this.eps = finite('CosineSimilarity', 'eps', opts.eps ?? 1e-8);
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return cosineSimilarity(x1, x2, { dim: this.dim, eps: this.eps });
  }
}

/** ||x1 - x2 + eps||_p over the last dim. */
export class PairwiseDistance extends Module {
  readonly norm: number;
  readonly eps: number;
  readonly keepdim: boolean;
  constructor(opts: { p?: number; eps?: number; keepdim?: boolean } = {}) {
    super();
    this.norm = finite('PairwiseDistance', 'p', opts.p ?? 2);
    this.eps = finite('PairwiseDistance', 'eps', opts.eps ?? 1e-6);
    this.keepdim = opts.keepdim === true;
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwiseDistance(x1, x2, { p: this.norm, eps: this.eps, keepdim: this.keepdim });
  }
}
