/** Identity, Linear and Bilinear (torch.nn.Identity / Linear / Bilinear). */
import type { Tensor } from '@cinder/tensor';
import { bilinear, linear } from '../../functional/linear.js';
import { kaimingUniform_, uniform_ } from '../../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { newParam, positiveInt, pyBool, type FactoryOptions } from './common.js';

/** Returns its input; takes (and ignores) any constructor arguments, as PyTorch's does. */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return x;
  }
}

export interface LinearLayerOptions extends FactoryOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * y = x W^T + b with W [out, in] and b [out]. Initialised as PyTorch does: W ~ kaiming uniform
 * with a = sqrt(5) (that is U(-1/sqrt(in), 1/sqrt(in))) and b ~ U(-1/sqrt(in), 1/sqrt(in)).
 * @example
 * ```ts
 * const fc = new nn.Linear(784, 128);
 * const y = fc.forward(x);            // x [N, 784] -> [N, 128]
 * ```
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearLayerOptions = {}) {
    super();
    this.inFeatures = positiveIntOrZero('Linear', 'inFeatures', inFeatures);
    this.outFeatures = positiveIntOrZero('Linear', 'outFeatures', outFeatures);
    this.weight = new Parameter(newParam([outFeatures, inFeatures], opts));
    this.bias = opts.bias === false ? null : new Parameter(newParam([outFeatures], opts));
    this.resetParameters();
  }

  /** Draws fresh initial values (PyTorch's reset_parameters). */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, { bias: this.bias });
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** PyTorch allows zero-sized Linear layers (a no-op shape); negative or fractional sizes are errors. */
function positiveIntOrZero(layer: string, name: string, v: unknown): number {
  if (v === 0) return 0;
  return positiveInt(layer, name, v);
}

/**
 * y_k = x1^T W_k x2 + b_k with W [out, in1, in2]; W and b ~ U(-1/sqrt(in1), 1/sqrt(in1)) as in PyTorch.
 */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, opts: LinearLayerOptions = {}) {
    super();
    this.in1Features = positiveInt('Bilinear', 'in1Features', in1Features);
    this.in2Features = positiveInt('Bilinear', 'in2Features', in2Features);
    this.outFeatures = positiveInt('Bilinear', 'outFeatures', outFeatures);
    this.weight = new Parameter(newParam([outFeatures, in1Features, in2Features], opts));
    this.bias = opts.bias === false ? null : new Parameter(newParam([outFeatures], opts));
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.in1Features);
    uniform_(this.weight, -bound, bound);
    if (this.bias !== null) uniform_(this.bias, -bound, bound);
  }

  override forward(x1: Tensor, x2: Tensor): Tensor {
    return bilinear(x1, x2, this.weight, { bias: this.bias });
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
