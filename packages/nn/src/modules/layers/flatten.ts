/** Flatten and Unflatten (torch.nn.Flatten / Unflatten): reshaping layers for Sequential models. */
import type { Tensor } from '@cinder/tensor';
import { Module } from '../module.js';
import { pyTuple } from './common.js';

function intArg(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${layer}: ${name} must be an integer, got ${String(v)}`);
  return v;
}

/**
 * Merges dims startDim..endDim (default 1..-1, keeping the batch dim) into one.
 * @example
 * ```ts
 * new nn.Flatten().forward(randn([32, 1, 5, 5])).shape; // [32, 25]
 * ```
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = intArg('Flatten', 'startDim', startDim);
    this.endDim = intArg('Flatten', 'endDim', endDim);
  }
  override forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Splits dim `dim` into `unflattenedSize` (one entry may be -1).
 * @example
 * ```ts
 * new nn.Unflatten(1, [2, 5, 5]).forward(randn([2, 50])).shape; // [2, 2, 5, 5]
 * ```
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: number[];
  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = intArg('Unflatten', 'dim', dim);
    if (!Array.isArray(unflattenedSize) || unflattenedSize.length === 0 || !unflattenedSize.every((s) => Number.isInteger(s) && (s >= 0 || s === -1))) {
      throw new TypeError(`Unflatten: unflattenedSize must be a non-empty array of sizes (integers, one may be -1), got ${JSON.stringify(unflattenedSize)}`);
    }
    this.unflattenedSize = [...unflattenedSize];
  }
  override forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}
