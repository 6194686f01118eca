/** Dropout and Dropout2d (torch.nn.Dropout / Dropout2d): active in training mode only. */
import type { Tensor } from '@cinder/tensor';
import { dropout, dropout2d } from '../../functional/dropout.js';
import { Module } from '../module.js';
import { probabilityArg, pyBool } from './common.js';

export interface DropoutLayerOptions {
  /** Modify the input in place (default false). */
  inplace?: boolean;
}

abstract class DropoutBase extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(p: number, opts: DropoutLayerOptions) {
    super();
    this.p = probabilityArg(this._getName(), p);
    this.inplace = opts.inplace === true;
  }
  override extraRepr(): string {
    return `p=${this.p}, inplace=${pyBool(this.inplace)}`;
  }
}

/**
 * Zeroes each element with probability p and scales the rest by 1 / (1 - p) while training;
 * the identity after eval().
 */
export class Dropout extends DropoutBase {
  constructor(p = 0.5, opts: DropoutLayerOptions = {}) {
    super(p, opts);
  }
  override forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training, inplace: this.inplace });
  }
}

/** Zeroes whole channels of [N, C, H, W] (or [C, H, W]) input with probability p while training. */
export class Dropout2d extends DropoutBase {
  constructor(p = 0.5, opts: DropoutLayerOptions = {}) {
    super(p, opts);
  }
  override forward(x: Tensor): Tensor {
    return dropout2d(x, { p: this.p, training: this.training, inplace: this.inplace });
  }
}
