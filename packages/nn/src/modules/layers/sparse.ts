/** Embedding (torch.nn.Embedding): a lookup table of learnt vectors, indexed by integer tensors. */
import { noGrad } from '@cinder/autograd';
import { Tensor } from '@cinder/tensor';
import { describe } from '../../functional/common.js';
import { embedding } from '../../functional/sparse.js';
import { normal_ } from '../../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { finite, newParam, positiveInt, pyBool, pyFloat, type FactoryOptions } from './common.js';

/** The weight fromPretrained hands to the constructor (which then draws no initial values). */
let pretrained: Parameter | null = null;

export interface EmbeddingLayerOptions extends FactoryOptions {
  /** This row is zero at initialisation and never gets a gradient (negative counts from the end). */
  paddingIdx?: number | null;
  /** Rows looked up with a larger norm are rescaled, in place, to this norm. */
  maxNorm?: number | null;
  /** The p of maxNorm's p-norm (default 2). */
  normType?: number;
  /** Scale gradients by the inverse frequency of the indices in the batch. */
  scaleGradByFreq?: boolean;
  /** Sparse gradients are not supported: must be false. */
  sparse?: boolean;
}

export interface FromPretrainedOptions extends Omit<EmbeddingLayerOptions, 'dtype' | 'device'> {
  /** Keep the weights fixed (no gradient; default true). */
  freeze?: boolean;
}

/**
 * A [numEmbeddings, embeddingDim] table initialised from N(0, 1); forward(indices) gives
 * indices.shape + [embeddingDim].
 * @example
 * ```ts
 * const emb = new nn.Embedding(10, 3, { paddingIdx: 0 });
 * emb.forward(tensor([[1, 2, 4, 5], [4, 3, 2, 9]])).shape; // [2, 4, 3]
 * ```
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingLayerOptions = {}) {
    super();
    const layer = 'Embedding';
    this.numEmbeddings = positiveInt(layer, 'numEmbeddings', numEmbeddings);
    this.embeddingDim = positiveInt(layer, 'embeddingDim', embeddingDim);
    const p = opts.paddingIdx ?? null;
    if (p !== null) {
      if (typeof p !== 'number' || !Number.isInteger(p) || p >= numEmbeddings || p < -numEmbeddings) {
        throw new RangeError(`${layer}: paddingIdx must be within numEmbeddings (${numEmbeddings}), got ${String(p)}`);
      }
    }
    this.paddingIdx = p === null ? null : p < 0 ? p + numEmbeddings : p;
    const maxNorm = opts.maxNorm ?? null;
    if (maxNorm !== null && !(typeof maxNorm === 'number' && maxNorm > 0)) throw new RangeError(`${layer}: maxNorm must be a positive number, got ${String(maxNorm)}`);
    this.maxNorm = maxNorm;
    this.normType = finite(layer, 'normType', opts.normType ?? 2);
    this.scaleGradByFreq = opts.scaleGradByFreq === true;
    if (opts.sparse === true) throw new RangeError(`${layer}: sparse gradients are not supported (sparse must be false)`);
    this.sparse = false;
    if (pretrained !== null) {
      this.weight = pretrained;
    } else {
      this.weight = new Parameter(newParam([numEmbeddings, embeddingDim], opts));
      this.resetParameters();
    }
  }

  /** N(0, 1), the padding row zeroed. */
  resetParameters(): void {
    normal_(this.weight);
    this.fillPaddingIdxWithZero();
  }

  private fillPaddingIdxWithZero(): void {
    if (this.paddingIdx !== null) {
      const i = this.paddingIdx;
      noGrad(() => this.weight.select(0, i).zero_());
    }
  }

  /**
   * An Embedding holding `embeddings` ([numEmbeddings, embeddingDim]; shared, not copied) as its
   * weight, frozen unless freeze is false. The padding row is left as given.
   */
  static fromPretrained(embeddings: Tensor, opts: FromPretrainedOptions = {}): Embedding {
    if (!(embeddings instanceof Tensor) || embeddings.ndim !== 2) {
      throw new RangeError(`Embedding.fromPretrained: embeddings must be a 2-d tensor, got ${embeddings instanceof Tensor ? describe(embeddings) : typeof embeddings}`);
    }
    const [rows, cols] = embeddings.shape as [number, number];
    const { freeze, ...rest } = opts;
    pretrained = new Parameter(embeddings.detach(), freeze === false);
    try {
      return new Embedding(rows, cols, rest);
    } finally {
      pretrained = null;
    }
  }

  override forward(input: Tensor): Tensor {
    return embedding(input, this.weight, {
      paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${pyBool(true)}`;
    return s;
  }
}
