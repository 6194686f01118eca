/** Normalization layers (torch.nn.LayerNorm, ...). */
import type { Tensor } from '@cinder/tensor';
import { layerNorm } from '../../functional/normalization.js';
import { ones_, zeros_ } from '../../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { finite, newParam, positiveInt, pyBool, pyFloat, pyTuple, type FactoryOptions } from './common.js';

export interface LayerNormLayerOptions extends FactoryOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learn a per-element scale and shift (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, learn the shift too (default true). */
  bias?: boolean;
}

/**
 * Normalises over the trailing `normalizedShape` dims (biased variance), then scales by weight
 * (ones) and shifts by bias (zeros).
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormLayerOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    shape.forEach((d, i) => positiveInt('LayerNorm', `normalizedShape[${i}]`, d));
    this.normalizedShape = shape;
    this.eps = finite('LayerNorm', 'eps', opts.eps ?? 1e-5);
    this.elementwiseAffine = opts.elementwiseAffine !== false;
    this.weight = this.elementwiseAffine ? new Parameter(newParam(shape, opts)) : null;
    this.bias = this.elementwiseAffine && opts.bias !== false ? new Parameter(newParam(shape, opts)) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }

  override forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
