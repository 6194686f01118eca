/** Reshape and Flatten, which keep the first `preserveDims` dims (the batch) and reshape the rest. */
import type { Tensor } from '@cinder/tensor';
import { describe } from './linear.js';
import { Module, moduleArg } from './module.js';

export interface ReshapeOptions {
  /** Leading dims kept as they are (default 1). */
  preserveDims?: number;
  name?: string;
}

function preserve(what: string, v: unknown): number {
  const n = v ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new RangeError(`${what}: preserveDims must be a non-negative integer, got ${String(v)}`);
  return n;
}

/**
 * Reshapes all but the first `preserveDims` dims to `outputShape` (one entry may be -1).
 * @example
 * ```ts
 * import { zeros } from '@cinder/tensor';
 * import { Reshape } from '@cinder/modules';
 * console.log(new Reshape([3, -1]).call(zeros([2, 6, 2])).shape); // [ 2, 3, 4 ]
 * ```
 */
export class Reshape extends Module {
  readonly outputShape: readonly number[];
  readonly preserveDims: number;

  constructor(outputShape: readonly number[], opts: ReshapeOptions = {}) {
    super({ name: opts.name, allowEmptyVariables: true });
    this.recordArgs(outputShape, opts);
    if (!Array.isArray(outputShape) || outputShape.some((s) => !Number.isInteger(s) || s < -1) || outputShape.filter((s) => s === -1).length > 1) {
      throw new RangeError(`${new.target.name}: outputShape must be non-negative integers with at most one -1, got ${JSON.stringify(outputShape)}`);
    }
    this.outputShape = [...outputShape];
    this.preserveDims = preserve(new.target.name, opts.preserveDims);
  }

  forward(x: Tensor): Tensor {
    moduleArg(this, 'call', x);
    if (x.ndim < this.preserveDims) {
      throw new RangeError(`${this.constructor.name} '${this.scopeName}': input ${describe(x)} has fewer than preserveDims=${this.preserveDims} dims`);
    }
    return x.reshape([...x.shape.slice(0, this.preserveDims), ...this.outputShape]);
  }
}

/**
 * Flattens all but the first `preserveDims` dims into one.
 * @example
 * ```ts
 * import { zeros } from '@cinder/tensor';
 * import { Flatten } from '@cinder/modules';
 * console.log(new Flatten().call(zeros([2, 3, 4])).shape); // [ 2, 12 ]
 * ```
 */
export class Flatten extends Reshape {
  constructor(opts: ReshapeOptions = {}) {
    super([-1], opts);
    this.recordArgs(opts);
  }
}
