/**
 * Copying ops that join tensors: cat (concat, concatenate) along an existing dim, stack along a
 * new one, and hstack/vstack/dstack. Inputs of different dtypes are promoted; each input is
 * copied into its slice of the output.
 */
import { dispatch } from '../dispatch.js';
import type { Device } from '../device.js';
import { resultType, type DType } from '../dtype.js';
import { shapeString } from '../shape.js';
import { normalizeDim, Tensor } from '../tensor.js';
import { selectRaw, sliceRaw } from './rawViews.js';
import { scalarTensor } from '../creation.js';
import { allocate, copyRaw, dimArg, withView } from './shapeHelpers.js';

/** A join's contiguous output on `device`: uninitialised on the CPU, zero-filled on a device. */
function outputOn(dtype: DType, shape: readonly number[], device: Device): Tensor {
  if (device === 'cpu') return allocate(dtype, shape);
  const zero = scalarTensor(0, dtype, device);
  return withView(zero._view(shape, shape.map(() => 0), zero.offset), (v) => v._copyAs(dtype));
}

function checkTensorList(tensors: readonly Tensor[], op: string): void {
  if (!Array.isArray(tensors)) throw new TypeError(`${op}: expected an array of tensors`);
  if (tensors.length === 0) throw new RangeError(`${op}: expected a non-empty list of Tensors`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor at position ${i}, got ${typeof t}`);
  });
}

function catRaw(tensors: readonly Tensor[], d: number, outShape: readonly number[], dtype: DType, skip: readonly boolean[]): Tensor {
  const out = outputOn(dtype, outShape, tensors[0]!.device);
  let start = 0;
  for (let i = 0; i < tensors.length; i++) {
    if (skip[i]) continue;
    const t = tensors[i]!;
    const len = t.shape[d]!;
    if (len > 0) withView(sliceRaw(out, d, start, start + len, 1), (v) => copyRaw(v, t));
    start += len;
  }
  return out;
}

/** Shape checks of cat; returns the output shape, the dim and which inputs are skipped. */
function catGeometry(tensors: readonly Tensor[], dim: number, op: string): { shape: number[]; d: number; skip: boolean[] } {
  // PyTorch's legacy rule: 1-D empty tensors are skipped whatever the others' shapes.
  const skip = tensors.map((t) => t.ndim === 1 && t.shape[0] === 0);
  tensors.forEach((t, i) => {
    if (t.ndim === 0) throw new RangeError(`${op}: zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const refIdx = skip.indexOf(false);
  if (refIdx < 0) return { shape: [0], d: normalizeDim(dim, 1, op), skip };
  const ref = tensors[refIdx]!;
  const d = normalizeDim(dim, ref.ndim, op);
  const shape = [...ref.shape];
  let total = 0;
  tensors.forEach((t, i) => {
    if (skip[i]) return;
    if (t.ndim !== ref.ndim) {
      throw new RangeError(`${op}: Tensors must have same number of dimensions: got ${ref.ndim} and ${t.ndim} (shapes ${shapeString(ref.shape)} and ${shapeString(t.shape)} at positions ${refIdx} and ${i})`);
    }
    for (let k = 0; k < ref.ndim; k++) {
      if (k !== d && t.shape[k] !== ref.shape[k]) {
        throw new RangeError(
          `${op}: Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${t.shape[k]} ` +
            `for tensor number ${i} in the list (shapes ${tensors.map((x) => shapeString(x.shape)).join(', ')})`,
        );
      }
    }
    total += t.shape[d]!;
  });
  shape[d] = total;
  return { shape, d, skip };
}

/**
 * Concatenates along an existing dim (default 0), promoting dtypes across the inputs; 1-D empty
 * tensors are skipped, as in PyTorch. `cat([a, b], 1)` or `cat([a, b], { dim: 1 })`.
 * @example
 * ```ts
 * cat([zeros(2, 3), ones(1, 3)]).shape; // [3, 3]
 * ```
 */
export function cat(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  const op = 'cat';
  checkTensorList(tensors, op);
  const { shape, d, skip } = catGeometry(tensors, dimArg(dim, op), op);
  const dtype = resultType(tensors.map((t) => t.dtype));
  return dispatch('cat', tensors, { dim: d }, () => catRaw(tensors, d, shape, dtype, skip));
}
/** Alias of cat. */
export const concat = cat;
/** Alias of cat. */
export const concatenate = cat;

/**
 * Joins equally shaped tensors along a new dim (default 0, in [-ndim-1, ndim]).
 * @example
 * ```ts
 * stack([zeros(2, 3), ones(2, 3)], 1).shape; // [2, 2, 3]
 * ```
 */
export function stack(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  const op = 'stack';
  checkTensorList(tensors, op);
  const first = tensors[0]!;
  const d = normalizeDim(dimArg(dim, op), first.ndim, op, 1);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s, k) => s !== first.shape[k])) {
      throw new RangeError(`${op}: stack expects each tensor to be equal size, but got ${shapeString(first.shape)} at entry 0 and ${shapeString(t.shape)} at entry ${i}`);
    }
  });
  const dtype = resultType(tensors.map((t) => t.dtype));
  const shape = [...first.shape];
  shape.splice(d, 0, tensors.length);
  return dispatch('stack', tensors, { dim: d }, () => {
    const out = outputOn(dtype, shape, first.device);
    if (out.numel() > 0) tensors.forEach((t, i) => withView(selectRaw(out, d, i), (v) => copyRaw(v, t)));
    return out;
  });
}

function atLeast(x: Tensor, n: number): Tensor {
  if (x.ndim >= n) return x;
  if (n === 2 && x.ndim === 1) return x._view([1, x.shape[0]!], [x.shape[0]! * x.strides[0]!, x.strides[0]!], x.offset);
  if (n === 3 && x.ndim === 2) return x._view([...x.shape, 1], [...x.strides, 1], x.offset);
  if (n === 3 && x.ndim === 1) return x._view([1, x.shape[0]!, 1], [x.shape[0]! * x.strides[0]!, x.strides[0]!, 1], x.offset);
  return x._view(new Array<number>(n).fill(1), new Array<number>(n).fill(1), x.offset);
}

function stackLike(tensors: readonly Tensor[], op: string, n: number, dimOf: (nd: number) => number): Tensor {
  checkTensorList(tensors, op);
  const views = tensors.map((t) => atLeast(t, n));
  const { shape, d, skip } = catGeometry(views, dimOf(views[0]!.ndim), op);
  const dtype = resultType(tensors.map((t) => t.dtype));
  return dispatch(op, tensors, { dim: d }, () => catRaw(views, d, shape, dtype, skip));
}

/** Concatenates column-wise: along dim 1, or dim 0 for 1-D inputs. */
export function hstack(tensors: readonly Tensor[]): Tensor {
  return stackLike(tensors, 'hstack', 1, (nd) => (nd === 1 ? 0 : 1));
}
/** Concatenates row-wise (1-D inputs become rows). */
export function vstack(tensors: readonly Tensor[]): Tensor {
  return stackLike(tensors, 'vstack', 2, () => 0);
}
/** Concatenates depth-wise, along dim 2 (inputs made at least 3-D). */
export function dstack(tensors: readonly Tensor[]): Tensor {
  return stackLike(tensors, 'dstack', 3, () => 2);
}
