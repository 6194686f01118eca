/**
 * Padding layers (torch.nn.ConstantPad1d/2d/3d, ZeroPad2d, ReflectionPad1d/2d/3d,
 * ReplicationPad1d/2d/3d) over F.pad. `padding` is a number (every side) or
 * the amounts [left, right] / [left, right, top, bottom] / [..., front, back], last dim first.
 */
import type { Tensor } from '@cinder/tensor';
import { pad } from '../../functional/vision.js';
import { Module } from '../module.js';
import { finite, pyFloat, pyTuple } from './common.js';

export type PadSize = number | readonly number[];

function padding(layer: string, v: unknown, n: number, allowNegative: boolean): number[] {
  const ok = (e: unknown): boolean => typeof e === 'number' && Number.isInteger(e) && (allowNegative || e >= 0);
  if (ok(v)) return new Array<number>(2 * n).fill(v as number);
  if (Array.isArray(v) && v.length === 2 * n && v.every(ok)) return [...(v as number[])];
  throw new RangeError(`${layer}: padding must be ${allowNegative ? 'an integer' : 'a non-negative integer'} or ${2 * n} of them, got ${JSON.stringify(v)}`);
}

/** Pads with a constant value (negative amounts crop). */
abstract class ConstantPadNd extends Module {
  readonly padding: number[];
  readonly value: number;
  protected constructor(n: number, p: PadSize, value: number) {
    super();
    this.padding = padding(this._getName(), p, n, true);
    this.value = finite(this._getName(), 'value', value);
  }
  override forward(x: Tensor): Tensor {
    return pad(x, this.padding, { mode: 'constant', value: this.value });
  }
  override extraRepr(): string {
    return `padding=${pyTuple(this.padding)}, value=${pyFloat(this.value)}`;
  }
}

/** Pads the last dim of [N, C, L] (or [C, L]) with `value`. */
export class ConstantPad1d extends ConstantPadNd {
  constructor(p: PadSize, value: number) {
    super(1, p, value);
  }
}

/**
 * Pads the last two dims with `value`.
 * @example
 * ```ts
 * new nn.ConstantPad2d([1, 1, 2, 0], 3.5).forward(randn([1, 2, 3])).shape; // [1, 4, 5]
 * ```
 */
export class ConstantPad2d extends ConstantPadNd {
  constructor(p: PadSize, value: number) {
    super(2, p, value);
  }
}

/** Pads the last three dims with `value`. */
export class ConstantPad3d extends ConstantPadNd {
  constructor(p: PadSize, value: number) {
    super(3, p, value);
  }
}

/** Pads the last two dims with zeros. */
export class ZeroPad2d extends ConstantPadNd {
  constructor(p: PadSize) {
    super(2, p, 0);
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}

type Mode = 'reflect' | 'replicate' | 'circular';

/** Pads by reflection, replication or wrapping around; the repr prints the amounts alone. */
abstract class ModePadNd extends Module {
  readonly padding: number[];
  readonly #mode: Mode;
  protected constructor(n: number, p: PadSize, mode: Mode) {
    super();
    this.padding = padding(this._getName(), p, n, false);
    this.#mode = mode;
  }
  override forward(x: Tensor): Tensor {
    return pad(x, this.padding, { mode: this.#mode });
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}

/** Pads the last dim of [N, C, L] (or [C, L]) with its reflection (the edge not repeated). */
export class ReflectionPad1d extends ModePadNd {
  constructor(p: PadSize) {
    super(1, p, 'reflect');
  }
}

/** Pads the last two dims with their reflection. */
export class ReflectionPad2d extends ModePadNd {
  constructor(p: PadSize) {
    super(2, p, 'reflect');
  }
}

/** Pads the last three dims with their reflection. */
export class ReflectionPad3d extends ModePadNd {
  constructor(p: PadSize) {
    super(3, p, 'reflect');
  }
}

/** Pads the last dim by repeating the edge value. */
export class ReplicationPad1d extends ModePadNd {
  constructor(p: PadSize) {
    super(1, p, 'replicate');
  }
}

/** Pads the last two dims by repeating the edge values. */
export class ReplicationPad2d extends ModePadNd {
  constructor(p: PadSize) {
    super(2, p, 'replicate');
  }
}

/** Pads the last three dims by repeating the edge values. */
export class ReplicationPad3d extends ModePadNd {
  constructor(p: PadSize) {
    super(3, p, 'replicate');
  }
}
