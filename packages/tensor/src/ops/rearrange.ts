/**
 * Copying ops that move elements around: flip (fliplr, flipud), roll, repeat and tile. Each is one
 * strided view of the input (negative, sliced or stride-0) copied by the copy kernel, so no
 * element-by-element index arithmetic happens in JS.
 */
import { dispatch } from '../dispatch.js';
import { contiguousStrides } from '../frame.js';
import { normalizeDims, shapeString } from '../shape.js';
import { normalizeDim, Tensor } from '../tensor.js';
import { reshapeRaw, sliceRaw } from './rawViews.js';
import { allocate, checkInt, copyRaw, intList, withView, type AnyArgs } from './shapeHelpers.js';

// ---- flip / roll -----------------------------------------------------------------------------

/**
 * A copy with the order of elements reversed along `dims` (one negative-stride view, one copy).
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]).flip(1); // [[2, 1], [4, 3]]
 * ```
 */
export function flip(x: Tensor, ...dims: number[] | [readonly number[]]): Tensor {
  const op = 'flip';
  const ds = normalizeDims(intList(dims, op, 'dims'), x.ndim, op);
  return dispatch('flip', [x], { dims: ds }, () => {
    const strides = [...x.strides];
    let offset = x.offset;
    if (x.numel() > 0) {
      for (const d of ds) {
        if (d >= x.ndim) continue;
        offset += (x.shape[d]! - 1) * x.strides[d]!;
        strides[d] = -x.strides[d]!;
      }
    }
    const out = allocate(x.dtype, x.shape);
    withView(x._view(x.shape, strides, offset), (v) => copyRaw(out, v));
    return out;
  });
}
/** flip(x, -1) of a tensor with at least 2 dims. */
export function fliplr(x: Tensor): Tensor {
  if (x.ndim < 2) throw new RangeError(`fliplr: input must be >= 2-d, got shape ${shapeString(x.shape)}`);
  return flip(x, [1]);
}
/** flip(x, 0) of a tensor with at least 1 dim. */
export function flipud(x: Tensor): Tensor {
  if (x.ndim < 1) throw new RangeError('flipud: input must be >= 1-d, got a 0-d tensor');
  return flip(x, [0]);
}

/**
 * Rolls elements along dims by `shifts` (elements leaving one end come back at the other); with
 * no dims the tensor is rolled as if flattened.
 * @example
 * ```ts
 * arange(5).roll(2);                        // [3, 4, 0, 1, 2]
 * arange(6).reshape(2, 3).roll([1, -1], [0, 1]);
 * ```
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | { dims?: number | readonly number[] }): Tensor {
  const op = 'roll';
  if (typeof dims === 'object' && dims !== null && !Array.isArray(dims)) dims = (dims as { dims?: number | readonly number[] }).dims;
  const sh = typeof shifts === 'number' ? [checkInt(shifts, op, 'shifts')] : intList([shifts], op, 'shifts');
  const dl = dims === undefined ? [] : typeof dims === 'number' ? [checkInt(dims, op, 'dims')] : intList([dims], op, 'dims');
  if (sh.length === 0) throw new RangeError(`${op}: \`shifts\` required`);
  if (dl.length === 0 && sh.length === 1) {
    return dispatch('roll', [x], { shifts: sh, dims: null }, () => {
      const flat = reshapeRaw(x, [x.numel()], op);
      const r = rollRaw(flat, [0], sh);
      const res = r._view(x.shape, contiguousStrides(x.shape), 0);
      if (flat !== x) flat.dispose();
      r.dispose();
      return res;
    });
  }
  if (sh.length !== dl.length) throw new RangeError(`${op}: shifts and dimensions must align. shifts: ${sh.length}, dims: ${dl.length}`);
  const nd = dl.map((d) => normalizeDim(d, x.ndim, op));
  return dispatch('roll', [x], { shifts: sh, dims: nd }, () => rollRaw(x, nd, sh));
}

function rollRaw(x: Tensor, dims: readonly number[], shifts: readonly number[]): Tensor {
  const out = allocate(x.dtype, x.shape);
  if (out.numel() === 0) return out;
  // Shifts along a repeated dim add up; each rolled dim is two blocks, copied block by block.
  const total = new Map<number, number>();
  dims.forEach((d, i) => total.set(d, (total.get(d) ?? 0) + shifts[i]!));
  const rolled: [number, number][] = [];
  for (const [d, s] of total) {
    if (x.ndim === 0) continue;
    const n = x.shape[d]!;
    const r = ((s % n) + n) % n;
    if (r !== 0) rolled.push([d, r]);
  }
  const blocks = 1 << rolled.length;
  for (let b = 0; b < blocks; b++) {
    let src = x;
    let dst = out;
    let empty = false;
    const tmp: Tensor[] = [];
    for (let k = 0; k < rolled.length; k++) {
      const [d, r] = rolled[k]!;
      const n = x.shape[d]!;
      // out[r:] <- x[:n-r] (block 0), out[:r] <- x[n-r:] (block 1)
      const [s0, s1, d0, d1] = (b >> k) & 1 ? [n - r, n, 0, r] : [0, n - r, r, n];
      if (s1 <= s0) empty = true;
      src = sliceRaw(src, d, s0, s1, 1);
      dst = sliceRaw(dst, d, d0, d1, 1);
      tmp.push(src, dst);
    }
    if (!empty) copyRaw(dst, src);
    for (const t2 of tmp) t2.dispose();
  }
  if (rolled.length === 0) copyRaw(out, x);
  return out;
}

// ---- repeat / tile ---------------------------------------------------------------------------

function repeatRaw(x: Tensor, reps: readonly number[]): Tensor {
  const r = reps.length;
  const lead = r - x.ndim;
  const outShape = reps.map((k, i) => k * (i < lead ? 1 : x.shape[i - lead]!));
  // Viewed as [r0, s0, r1, s1, ...] with stride 0 along every repeat dim, one copy does it all.
  // Trivial halves of a pair (a repeat of 1, a size-1 dim) are left out to keep the rank low.
  const pairShape: number[] = [];
  const srcStrides: number[] = [];
  for (let i = 0; i < r; i++) {
    const size = i < lead ? 1 : x.shape[i - lead]!;
    if (reps[i] !== 1) {
      pairShape.push(reps[i]!);
      srcStrides.push(0);
    }
    if (size !== 1) {
      pairShape.push(size);
      srcStrides.push(x.strides[i - lead]!);
    }
  }
  const out = allocate(x.dtype, pairShape);
  if (out.numel() > 0) withView(x._view(pairShape, srcStrides, x.offset), (v) => copyRaw(out, v));
  const res = out._view(outShape, contiguousStrides(outShape), 0);
  out.dispose();
  return res;
}

/**
 * A copy repeated `sizes[i]` times along each dim (sizes may add leading dims): `x.repeat(2, 3)`.
 * @example
 * ```ts
 * tensor([1, 2]).repeat(2, 2); // [[1, 2, 1, 2], [1, 2, 1, 2]]
 * ```
 */
export function repeat(x: Tensor, ...sizes: number[] | [readonly number[]]): Tensor {
  const op = 'repeat';
  const reps = intList(sizes, op, 'repeats');
  if (reps.length < x.ndim) {
    throw new RangeError(
      `${op}: Number of dimensions of repeat dims (${reps.length}) can not be smaller than number of dimensions of tensor (${x.ndim}, shape ${shapeString(x.shape)})`,
    );
  }
  if (reps.some((k) => k < 0)) throw new RangeError(`${op}: Trying to create tensor with negative dimension: repeats ${shapeString(reps)}`);
  return dispatch('repeat', [x], { repeats: reps }, () => repeatRaw(x, reps));
}

/** repeat, with the sizes padded with leading 1s to the tensor's rank (NumPy's tile). */
export function tile(x: Tensor, ...dims: number[] | [readonly number[]]): Tensor {
  const op = 'tile';
  let reps = intList(dims, op, 'dims');
  if (reps.some((k) => k < 0)) throw new RangeError(`${op}: Trying to create tensor with negative dimension: dims ${shapeString(reps)}`);
  if (reps.length < x.ndim) reps = [...new Array<number>(x.ndim - reps.length).fill(1), ...reps];
  return dispatch('repeat', [x], { repeats: reps }, () => repeatRaw(x, reps));
}

// ---- methods ---------------------------------------------------------------------------------

declare module '../tensor.js' {
  interface Tensor {
    /** See {@link flip}. */
    flip(...dims: number[]): Tensor;
    flip(dims: readonly number[]): Tensor;
    fliplr(): Tensor;
    flipud(): Tensor;
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | { dims?: number | readonly number[] }): Tensor;
    /** See {@link repeat}. */
    repeat(...sizes: number[]): Tensor;
    repeat(sizes: readonly number[]): Tensor;
    tile(...dims: number[]): Tensor;
    tile(dims: readonly number[]): Tensor;
  }
}

const proto = Tensor.prototype;
proto.flip = function (this: Tensor, ...d: AnyArgs) { return flip(this, ...d); };
proto.fliplr = function (this: Tensor) { return fliplr(this); };
proto.flipud = function (this: Tensor) { return flipud(this); };
proto.roll = function (this: Tensor, s, d) { return roll(this, s, d); };
proto.repeat = function (this: Tensor, ...s: AnyArgs) { return repeat(this, ...s); };
proto.tile = function (this: Tensor, ...s: AnyArgs) { return tile(this, ...s); };
