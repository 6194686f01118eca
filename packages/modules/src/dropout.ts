/** Dropout with Sonnet's call: `call(x, isTraining)`; the mask comes from `F.dropout`. */
import { F } from '@cinder/nn';
import type { Tensor } from '@cinder/tensor';
import { Module, moduleFloatArg } from './module.js';

/**
 * Zeroes each element with probability `rate` and scales the rest by 1 / (1 - rate), when training.
 * @example
 * ```ts
 * import { manualSeed, ones } from '@cinder/tensor';
 * import { Dropout } from '@cinder/modules';
 * manualSeed(0);
 * const drop = new Dropout(0.5);
 * const y = drop.call(ones([1000]), true);
 * console.log(drop.call(ones([3]), false).toArray(), y.max().item()); // [ 1, 1, 1 ] 2
 * ```
 */
export class Dropout extends Module {
  readonly rate: number;

  constructor(rate: number, opts: { name?: string } = {}) {
    super({ name: opts.name, allowEmptyVariables: true });
    this.recordArgs(rate, opts);
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new RangeError(`Dropout: rate must be in [0, 1), got ${String(rate)}`);
    this.rate = rate;
  }

  forward(x: Tensor, isTraining: boolean): Tensor {
    moduleFloatArg(this, 'call', x);
    if (typeof isTraining !== 'boolean') throw new TypeError(`Dropout '${this.scopeName}': isTraining must be a boolean, got ${String(isTraining)}`);
    return F.dropout(x, { p: this.rate, training: isTraining });
  }
}
