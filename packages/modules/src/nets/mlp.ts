/** nets.MLP: a stack of Linear layers with an activation between them (Sonnet's snt.nets.MLP). */
import { F } from '@cinder/nn';
import type { Tensor } from '@cinder/tensor';
import type { InitializerLike } from '../initializers.js';
import { Linear, positiveInt } from '../linear.js';
import { Module } from '../module.js';

export interface MLPOptions {
  /** Every layer's weight initializer (default: Linear's). */
  wInit?: InitializerLike;
  /** Every layer's bias initializer (default: Linear's). */
  bInit?: InitializerLike;
  /** Default true. */
  withBias?: boolean;
  /** Applied between layers (default relu). */
  activation?: (x: Tensor) => Tensor;
  /** Dropout before each activation, when `call(x, isTraining)` says training. */
  dropoutRate?: number;
  /** Also activate (and drop out) the last layer's output (default false). */
  activateFinal?: boolean;
  name?: string;
}

/**
 * Linear layers named `linear_0`, `linear_1`, ..., with `activation` after each but the last
 * (unless activateFinal). With a dropoutRate, `call(x, isTraining)` must say whether it trains.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { nets } from '@cinder/modules';
 * const mlp = new nets.MLP([32, 32, 10], { dropoutRate: 0.1 });
 * const logits = mlp.call(randn([8, 784]), true);
 * const decoder = mlp.reverse(); // layers of 32, 32 and 784 outputs
 * console.log(logits.shape, decoder.call(logits, false).shape, decoder.name); // [ 8, 10 ] [ 8, 784 ] mlp_reversed
 * ```
 */
export class MLP extends Module {
  readonly layers: readonly Linear[];
  readonly outputSizes: readonly number[];
  readonly activateFinal: boolean;
  readonly dropoutRate: number | undefined;
  #opts: MLPOptions;
  #activation: (x: Tensor) => Tensor;

  constructor(outputSizes: readonly number[], opts: MLPOptions = {}) {
    super({ name: opts.name });
    this.recordArgs(outputSizes, opts);
    if (!Array.isArray(outputSizes) || outputSizes.length === 0) throw new TypeError(`MLP: outputSizes must be a non-empty array of positive integers, got ${JSON.stringify(outputSizes)}`);
    this.outputSizes = outputSizes.map((s) => positiveInt('MLP', 'each output size', s));
    if (opts.dropoutRate !== undefined && !(typeof opts.dropoutRate === 'number' && opts.dropoutRate >= 0 && opts.dropoutRate < 1)) {
      throw new RangeError(`MLP: dropoutRate must be in [0, 1), got ${String(opts.dropoutRate)}`);
    }
    if (opts.activation !== undefined && typeof opts.activation !== 'function') throw new TypeError('MLP: activation must be a function');
    this.#opts = opts;
    this.#activation = opts.activation ?? F.relu;
    this.activateFinal = opts.activateFinal ?? false;
    this.dropoutRate = opts.dropoutRate;
    this.layers = this.outputSizes.map((s, i) => new Linear(s, { wInit: opts.wInit, bInit: opts.bInit, withBias: opts.withBias, name: `linear_${i}` }));
  }

  forward(x: Tensor, isTraining?: boolean): Tensor {
    const useDropout = this.dropoutRate !== undefined && this.dropoutRate !== 0;
    if (useDropout && typeof isTraining !== 'boolean') throw new TypeError(`MLP '${this.scopeName}': isTraining (a boolean) is required when dropout is used`);
    if (!useDropout && isTraining !== undefined) throw new TypeError(`MLP '${this.scopeName}': isTraining should only be given with a dropoutRate`);
    const n = this.layers.length;
    this.layers.forEach((layer, i) => {
      x = layer.call(x);
      if (i < n - 1 || this.activateFinal) {
        if (useDropout && isTraining) x = F.dropout(x, { p: this.dropoutRate!, training: true });
        x = this.#activation(x);
      }
    });
    return x;
  }

  /**
   * An MLP mapping back: the layers' input sizes in reverse order, with the same options (named
   * `<name>_reversed` unless given). Needs this MLP to have been called.
   */
  reverse(opts: { activateFinal?: boolean; name?: string } = {}): MLP {
    const sizes = [...this.layers].reverse().map((l) => l.inputSize);
    if (sizes.some((s) => s === undefined)) throw new Error(`MLP '${this.scopeName}'.reverse: the input sizes are known only after the first call; call the MLP with an example input first`);
    return new MLP(sizes as number[], {
      ...this.#opts, activateFinal: opts.activateFinal ?? this.activateFinal, name: opts.name ?? `${this.name}_reversed`,
    });
  }
}
