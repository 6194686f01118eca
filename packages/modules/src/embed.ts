/** Embed: a lookup table of vectors (Sonnet's snt.Embed), made when the module is built. */
import { F } from '@cinder/nn';
import { Tensor, type DType } from '@cinder/tensor';
import { Constant, TruncatedNormal, type InitializerLike } from './initializers.js';
import { positiveInt } from './linear.js';
import { Module, moduleArg } from './module.js';
import type { Variable } from './variable.js';

export interface EmbedOptions {
  /** The number of rows (with embedDim, when no existingVocab is given). */
  vocabSize?: number;
  /** The size of each vector (default: round(6 * vocabSize^(1/4)), Sonnet's rule of thumb). */
  embedDim?: number;
  /** A [vocabSize, embedDim] tensor to start from. */
  existingVocab?: Tensor;
  /** Default TruncatedNormal with stddev 1 / sqrt(embedDim). */
  initializer?: InitializerLike;
  /** Default true. */
  trainable?: boolean;
  /** Default float32. */
  dtype?: DType;
  name?: string;
}

/**
 * Maps integer ids to rows of `embeddings` ([vocabSize, embedDim]), which exists from construction.
 * @example
 * ```ts
 * import { tensor } from '@cinder/tensor';
 * import { Embed } from '@cinder/modules';
 * const embed = new Embed({ vocabSize: 100, embedDim: 8 });
 * console.log(embed.call(tensor([[1, 2, 3]], { dtype: 'int64' })).shape, embed.embeddings.name); // [ 1, 3, 8 ] embed/embeddings
 * console.log(new Embed({ vocabSize: 10000 }).embedDim); // 60
 * ```
 */
export class Embed extends Module {
  readonly vocabSize: number;
  readonly embedDim: number;
  readonly embeddings: Variable;

  constructor(opts: EmbedOptions) {
    super({ name: opts?.name });
    this.recordArgs(opts);
    let init: InitializerLike;
    if (opts.existingVocab !== undefined) {
      const v = opts.existingVocab;
      if (!(v instanceof Tensor) || v.ndim !== 2) throw new TypeError(`Embed: existingVocab must be a 2-d tensor [vocabSize, embedDim]`);
      if (opts.vocabSize !== undefined || opts.embedDim !== undefined || opts.initializer !== undefined) {
        throw new TypeError('Embed: give either existingVocab, or vocabSize and embedDim (with an initializer)');
      }
      [this.vocabSize, this.embedDim] = v.shape as [number, number];
      init = new Constant(v);
    } else {
      this.vocabSize = positiveInt('Embed', 'vocabSize', opts.vocabSize);
      this.embedDim = positiveInt('Embed', 'embedDim', opts.embedDim ?? Math.round(6 * Math.sqrt(Math.sqrt(this.vocabSize))));
      init = opts.initializer ?? new TruncatedNormal({ stddev: 1 / Math.sqrt(this.embedDim) });
    }
    const dtype = opts.dtype ?? opts.existingVocab?.dtype ?? 'float32';
    this.embeddings = this.createVariable('embeddings', [this.vocabSize, this.embedDim], { init, dtype, trainable: opts.trainable ?? true });
  }

  forward(ids: Tensor): Tensor {
    moduleArg(this, 'call', ids, 'ids');
    return F.embedding(ids, this.embeddings);
  }
}
