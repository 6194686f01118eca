/** nets.VectorQuantizer: the VQ-VAE's codebook layer (van den Oord et al. 2017), as in Sonnet. */
import { F } from '@cinder/nn';
import type { DType, Tensor } from '@cinder/tensor';
import { VarianceScaling } from '../initializers.js';
import { describe, positiveInt } from '../linear.js';
import { Module, moduleFloatArg } from '../module.js';
import type { Variable } from '../variable.js';

/** What a VectorQuantizer call returns. */
export interface VectorQuantizerOutput {
  /** The inputs replaced by their nearest codes; gradients pass straight through to the inputs. */
  quantize: Tensor;
  /** The codebook loss plus commitmentCost times the commitment loss. */
  loss: Tensor;
  /** exp of the entropy of the average code usage. */
  perplexity: Tensor;
  /** One-hot codes, [N, numEmbeddings] for the N flattened input vectors. */
  encodings: Tensor;
  /** The code of each input vector: the input's shape without its last dim. */
  encodingIndices: Tensor;
  /** Squared distances [N, numEmbeddings]. */
  distances: Tensor;
}

/**
 * Replaces each vector of the last dim by its nearest of `numEmbeddings` codes (the columns of
 * `embeddings`, [embeddingDim, numEmbeddings]), with the straight-through gradient; `loss` trains
 * the codes towards the inputs and commits the inputs to their codes.
 * @example
 * ```ts
 * import { manualSeed, randn } from '@cinder/tensor';
 * import { nets } from '@cinder/modules';
 * manualSeed(0);
 * const vq = new nets.VectorQuantizer(4, 16, 0.25);
 * const out = vq.call(randn([2, 5, 5, 4]), true);
 * console.log(out.quantize.shape, out.encodingIndices.shape, out.encodings.shape); // [ 2, 5, 5, 4 ] [ 2, 5, 5 ] [ 50, 16 ]
 * ```
 */
export class VectorQuantizer extends Module {
  readonly embeddingDim: number;
  readonly numEmbeddings: number;
  readonly commitmentCost: number;
  readonly embeddings: Variable;

  constructor(embeddingDim: number, numEmbeddings: number, commitmentCost: number, opts: { dtype?: DType; name?: string } = {}) {
    super({ name: opts.name });
    this.recordArgs(embeddingDim, numEmbeddings, commitmentCost, opts);
    this.embeddingDim = positiveInt('VectorQuantizer', 'embeddingDim', embeddingDim);
    this.numEmbeddings = positiveInt('VectorQuantizer', 'numEmbeddings', numEmbeddings);
    if (typeof commitmentCost !== 'number' || !(commitmentCost >= 0)) throw new RangeError(`VectorQuantizer: commitmentCost must be a non-negative number, got ${String(commitmentCost)}`);
    this.commitmentCost = commitmentCost;
    this.embeddings = this.createVariable('embeddings', [embeddingDim, numEmbeddings], {
      init: new VarianceScaling({ distribution: 'uniform' }), dtype: opts.dtype ?? 'float32',
    });
  }

  /** `isTraining` is accepted for Sonnet's signature; this quantizer behaves the same either way. */
  forward(inputs: Tensor, isTraining?: boolean): VectorQuantizerOutput {
    void isTraining;
    const x = moduleFloatArg(this, 'call', inputs);
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.embeddingDim) {
      throw new RangeError(`VectorQuantizer '${this.scopeName}': the input's last dim must be embeddingDim ${this.embeddingDim}, got ${describe(x)}`);
    }
    const E = this.embeddings;
    const flat = x.reshape([-1, this.embeddingDim]);
    const distances = flat.square().sum(1, { keepdim: true }).sub(flat.matmul(E).mul(2)).add(E.square().sum(0, { keepdim: true }));
    const indices = distances.argmin(1);
    const encodings = F.oneHot(indices, this.numEmbeddings).to(x.dtype);
    const quantized = F.embedding(indices, E.t()).reshape([...x.shape]);
    const eLatent = quantized.detach().sub(x).square().mean();
    const qLatent = quantized.sub(x.detach()).square().mean();
    const avgProbs = encodings.mean(0);
    return {
      quantize: x.add(quantized.sub(x).detach()),
      loss: qLatent.add(eLatent.mul(this.commitmentCost)),
      perplexity: avgProbs.mul(avgProbs.add(1e-10).log()).sum().neg().exp(),
      encodings,
      encodingIndices: indices.reshape(x.shape.slice(0, -1)),
      distances,
    };
  }

  /** The codes of the given indices: indices.shape + [embeddingDim]. */
  quantize(encodingIndices: Tensor): Tensor {
    return F.embedding(encodingIndices, this.embeddings.t());
  }
}
