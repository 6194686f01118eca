/** interpolate (nearest, linear, bilinear, area) and pad, on @cinder/tensor's native kernels. */
import {
  adaptiveAvgPool2d, pad as padOp, upsampleBilinear2d, upsampleNearest2d, type PaddingMode, type Tensor,
} from '@cinder/tensor';
import { describe, floatArg } from './common.js';

export type InterpolateMode = 'nearest' | 'linear' | 'bilinear' | 'area';

export interface InterpolateOptions {
  /** Output spatial size (a number for every dim, or one per dim). */
  size?: number | readonly number[] | null;
  /** Multiplier of the spatial size (a number, or one per dim); the output is floor(in * factor). */
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  /** linear/bilinear: align the corner pixels' centres of input and output (default false). */
  alignCorners?: boolean | null;
  /** Compute the sampling scale from the output size instead of passing scaleFactor to the kernel. */
  recomputeScaleFactor?: boolean | null;
}

function perDim(op: string, name: string, v: number | readonly number[], n: number, integer: boolean): number[] {
  const arr = typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (arr.length !== n) throw new RangeError(`${op}: expected ${name} to have ${n} entries for an input with ${n} spatial dims, got ${JSON.stringify(v)}`);
  for (const e of arr) {
    if (typeof e !== 'number' || !(e > 0) || !Number.isFinite(e) || (integer && !Number.isInteger(e))) {
      throw new RangeError(`${op}: expected ${name} to hold positive ${integer ? 'integers' : 'numbers'}, got ${JSON.stringify(v)}`);
    }
  }
  return arr;
}

/**
 * Resamples the spatial dims of x ([N, C, L] or [N, C, H, W]) to `size`, or by `scaleFactor`,
 * with PyTorch's index mapping for each mode ('nearest' is PyTorch's legacy nearest: floor of
 * the scaled index).
 */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  const op = 'interpolate';
  floatArg(op, x);
  const mode = opts?.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'bilinear' && mode !== 'area') {
    throw new RangeError(`${op}: mode '${String(mode)}' is not supported (nearest, linear, bilinear, area)`);
  }
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`${op}: expected a 3-d [N, C, L] or 4-d [N, C, H, W] input, got ${describe(x)}`);
  const s = x.ndim - 2;
  if (mode === 'linear' && s !== 1) throw new RangeError(`${op}: mode 'linear' needs a 3-d input, got ${describe(x)}`);
  if (mode === 'bilinear' && s !== 2) throw new RangeError(`${op}: mode 'bilinear' needs a 4-d input, got ${describe(x)}`);
  const interpolating = mode === 'linear' || mode === 'bilinear';
  const alignCorners = opts.alignCorners ?? null;
  if (alignCorners !== null && !interpolating) {
    throw new RangeError(`${op}: alignCorners can only be set with the interpolating modes linear and bilinear (mode '${mode}')`);
  }
  const size = opts.size ?? null;
  const factor = opts.scaleFactor ?? null;
  if (size !== null && factor !== null) throw new RangeError(`${op}: only one of size or scaleFactor should be defined`);
  if (size === null && factor === null) throw new RangeError(`${op}: either size or scaleFactor should be defined`);
  const spatial = x.shape.slice(2);
  let outSize: number[];
  let scales: (number | null)[] = new Array<number | null>(s).fill(null);
  if (size !== null) {
    outSize = perDim(op, 'size', size, s, true);
  } else {
    const f = perDim(op, 'scaleFactor', factor!, s, false);
    outSize = spatial.map((n, i) => Math.floor(n * f[i]!));
    if (outSize.some((o) => o < 1)) throw new RangeError(`${op}: scaleFactor ${JSON.stringify(factor)} gives an empty output for input ${describe(x)}`);
    if (!opts.recomputeScaleFactor && mode !== 'area') scales = f;
  }
  // 1-d inputs run the 2-d kernels over a height of 1.
  const x4 = s === 1 ? x.unsqueeze(-2) : x;
  const size2 = s === 1 ? [1, outSize[0]!] : outSize;
  const scales2 = s === 1 ? [null, scales[0]!] : scales;
  let y: Tensor;
  if (mode === 'nearest') y = upsampleNearest2d(x4, size2, { scales: scales2 });
  else if (mode === 'area') y = adaptiveAvgPool2d(x4, size2);
  else y = upsampleBilinear2d(x4, size2, { alignCorners: alignCorners ?? false, scales: scales2 });
  return s === 1 ? y.squeeze(-2) : y;
}

export interface PadOptions {
  mode?: PaddingMode;
  value?: number | null;
}

/**
 * Pads x: `pad` lists [before, after] amounts from the last dim backwards. Modes 'constant'
 * (default; negative amounts crop), 'reflect', 'replicate', 'circular'.
 */
export function pad(x: Tensor, pad: readonly number[], opts?: PadOptions): Tensor {
  return padOp(x, pad, { mode: opts?.mode, value: opts?.value ?? undefined });
}
