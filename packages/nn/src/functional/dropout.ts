/**
 * Dropout: elements (dropout) or whole channels (dropout2d) zeroed with probability p and the
 * rest scaled by 1 / (1 - p), in training only. Masks are drawn from @cinder/tensor's generator,
 * so `manualSeed` makes them reproducible.
 */
import { empty, type Tensor } from '@cinder/tensor';
import { boolArg, describe, floatArg, numberArg } from './common.js';

export interface DropoutOptions {
  /** The probability of zeroing (default 0.5). */
  p?: number;
  /** Apply dropout (default true); false returns the input. */
  training?: boolean;
  inplace?: boolean;
}

function probability(op: string, o: DropoutOptions | undefined): number {
  const p = numberArg(op, o?.p, 'p', 0.5);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${op}: dropout probability has to be between 0 and 1, but got ${p}`);
  return p;
}

/** A mask of `shape`: 0 with probability p, else 1 / (1 - p). */
function mask(x: Tensor, shape: readonly number[], p: number): Tensor {
  const m = empty([...shape], { dtype: x.dtype, device: x.device });
  if (p === 1) return m.zero_();
  return m.bernoulli_(1 - p).div_(1 - p);
}

function apply(x: Tensor, m: Tensor, inplace: boolean): Tensor {
  return inplace ? x.mul_(m) : x.mul(m);
}

export function dropout(input: Tensor, opts?: DropoutOptions): Tensor {
  const op = 'dropout';
  floatArg(op, input);
  const p = probability(op, opts);
  const training = boolArg(op, opts?.training, 'training', true);
  if (!training || p === 0) return input;
  return apply(input, mask(input, input.shape, p), boolArg(op, opts?.inplace, 'inplace', false));
}

/**
 * Zeroes whole channels: for [N, C, H, W] each (sample, channel) plane is kept or dropped; a 3-d
 * input is taken as one unbatched sample [C, H, W].
 */
export function dropout2d(input: Tensor, opts?: DropoutOptions): Tensor {
  const op = 'dropout2d';
  floatArg(op, input);
  if (input.ndim !== 3 && input.ndim !== 4) throw new RangeError(`${op}: expected a 3-d [C, H, W] or 4-d [N, C, H, W] input, got ${describe(input)}`);
  const p = probability(op, opts);
  const training = boolArg(op, opts?.training, 'training', true);
  if (!training || p === 0) return input;
  const keep = input.ndim === 4 ? 2 : 1;
  const shape = input.shape.map((s, i) => (i < keep ? s : 1));
  return apply(input, mask(input, shape, p), boolArg(op, opts?.inplace, 'inplace', false));
}
