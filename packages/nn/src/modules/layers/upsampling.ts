/** Upsample (torch.nn.Upsample, UpsamplingNearest2d, UpsamplingBilinear2d) over F.interpolate. */
import type { Tensor } from '@cinder/tensor';
import { interpolate, type InterpolateMode } from '../../functional/vision.js';
import { Module } from '../module.js';
import { pyFloat, pyTuple } from './common.js';

export interface UpsampleLayerOptions {
  /** The output's spatial size (a number for every dim, or one per dim). */
  size?: number | readonly number[] | null;
  /** Multiplier of the spatial size (a number, or one per dim). */
  scaleFactor?: number | readonly number[] | null;
  /** 'nearest' (default), 'linear', 'bilinear' or 'area'. */
  mode?: InterpolateMode;
  /** linear/bilinear: align the corner pixels of input and output. */
  alignCorners?: boolean | null;
  /** Compute the sampling scale from the output size instead of using scaleFactor. */
  recomputeScaleFactor?: boolean | null;
}

/**
 * Resamples [N, C, L] or [N, C, H, W] to `size`, or by `scaleFactor`.
 * @example
 * ```ts
 * new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(randn([1, 3, 4, 4])).shape; // [1, 3, 8, 8]
 * ```
 */
export class Upsample extends Module {
  readonly size: number | number[] | null;
  readonly scaleFactor: number | number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;
  constructor(opts: UpsampleLayerOptions = {}) {
    super();
    const layer = this._getName();
    const size = opts.size ?? null;
    const factor = opts.scaleFactor ?? null;
    if (size !== null && factor !== null) throw new RangeError(`${layer}: only one of size or scaleFactor should be defined`);
    if (size === null && factor === null) throw new RangeError(`${layer}: either size or scaleFactor should be defined`);
    const mode = opts.mode ?? 'nearest';
    if (!['nearest', 'linear', 'bilinear', 'area'].includes(mode)) {
      throw new RangeError(`${layer}: mode '${String(mode)}' is not supported (nearest, linear, bilinear, area)`);
    }
    this.size = size === null ? null : typeof size === 'number' ? size : [...size];
    this.scaleFactor = factor === null ? null : typeof factor === 'number' ? factor : [...factor];
    this.mode = mode;
    this.alignCorners = opts.alignCorners ?? null;
    this.recomputeScaleFactor = opts.recomputeScaleFactor ?? null;
  }
  override forward(x: Tensor): Tensor {
    return interpolate(x, {
      size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }
  override extraRepr(): string {
    const f = this.scaleFactor;
    const info = f !== null
      ? `scale_factor=${typeof f === 'number' ? pyFloat(f) : f.length === 1 ? `(${pyFloat(f[0]!)},)` : `(${f.map(pyFloat).join(', ')})`}`
      : `size=${pyTuple(this.size!)}`;
    return `${info}, mode=${this.mode}`;
  }
}

/** Nearest-neighbour upsampling of [N, C, H, W] (Upsample with mode 'nearest'). */
export class UpsamplingNearest2d extends Upsample {
  constructor(opts: { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null } = {}) {
    super({ size: opts.size, scaleFactor: opts.scaleFactor, mode: 'nearest' });
  }
}

/** Bilinear upsampling of [N, C, H, W] with alignCorners true (Upsample with mode 'bilinear'). */
export class UpsamplingBilinear2d extends Upsample {
  constructor(opts: { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null } = {}) {
    super({ size: opts.size, scaleFactor: opts.scaleFactor, mode: 'bilinear', alignCorners: true });
  }
}
