/**
 * Views of part of a tensor's elements, sharing its storage (a write through one shows in the
 * other): narrow, select, slice (sliceDim), split, chunk, unbind, diagonal, unfold (sliding
 * windows) and asStrided (any geometry inside the storage). Basic indexing `x.index(...)`, which
 * combines several of these in one view, is in indexer.ts.
 */
import { dispatch } from '../dispatch.js';
import { ITEM_SIZE } from '../dtype.js';
import { numelOf, shapeString } from '../shape.js';
import { normalizeDim, Tensor } from '../tensor.js';
import { checkBound, checkSelect, checkStep, clampSlice, diagonalArgs, diagonalRaw, selectRaw, sliceRaw, type DiagonalOptions } from './rawViews.js';

export type { DiagonalOptions } from './rawViews.js';
import { checkInt, dimArg, intList } from './shapeHelpers.js';

// ---- narrow / select / slice ---------------------------------------------------------------------

/**
 * A view of `length` elements of dim `dim` from `start` (negative counts from the end).
 * @example
 * ```ts
 * arange(10).narrow(0, 2, 3); // [2, 3, 4]
 * ```
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const op = 'narrow';
  if (x.ndim === 0) throw new RangeError(`${op}: narrow() cannot be applied to a 0-dim tensor.`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  checkInt(start, op, 'start');
  checkInt(length, op, 'length');
  if (length < 0) throw new RangeError(`${op}: length must be non-negative, got ${length}`);
  const size = x.shape[d]!;
  if (start < -size || start > size) {
    throw new RangeError(`${op}: start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  }
  const s = start < 0 ? start + size : start;
  if (s > size - length) {
    throw new RangeError(`${op}: start (${s}) + length (${length}) exceeds dimension size (${size}) of dim ${d} in shape ${shapeString(x.shape)}.`);
  }
  return dispatch('slice', [x], { dim: d, start: s, end: s + length, step: 1 }, () => sliceRaw(x, d, s, s + length, 1));
}

/** The view `x[..., index, ...]` at dim `dim` (the dim is removed). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const [d, i] = checkSelect(x, dim, index, 'select');
  return dispatch('select', [x], { dim: d, index: i }, () => selectRaw(x, d, i));
}

/**
 * The view `x[start:end:step]` along `dim` (Python's slice: bounds may be negative or out of
 * range and are clamped; null/undefined mean the ends; step > 0).
 * @example
 * ```ts
 * arange(10).slice(0, 1, null, 3); // [1, 4, 7]
 * ```
 */
export function sliceDim(x: Tensor, dim: number, start?: number | null, end?: number | null, step?: number | null): Tensor {
  const op = 'slice';
  if (x.ndim === 0) throw new RangeError(`${op}: slice() cannot be applied to a 0-dim tensor.`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  const st = checkStep(step, op);
  const [s, e] = clampSlice(x.shape[d]!, checkBound(start, op, 'start'), checkBound(end, op, 'end'));
  return dispatch('slice', [x], { dim: d, start: s, end: e, step: st }, () => sliceRaw(x, d, s, e, st));
}

// ---- split / chunk / unbind ---------------------------------------------------------------------

function splitBySizes(x: Tensor, sizes: readonly number[], d: number): Tensor[] {
  const out: Tensor[] = [];
  let start = 0;
  for (const len of sizes) {
    out.push(sliceRaw(x, d, start, start + len, 1));
    start += len;
  }
  return out;
}

/**
 * Splits into views along `dim`: `x.split(2)` gives chunks of size 2 (the last may be smaller),
 * `x.split([1, 3])` chunks of the given sizes (which must sum to the dim's size).
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim: number | { dim?: number } = 0): Tensor[] {
  const op = 'split';
  dim = dimArg(dim, op);
  if (x.ndim === 0) throw new RangeError(`${op}: split expects at least a 1-dimensional tensor`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  const size = x.shape[d]!;
  let sizes: number[];
  if (typeof splitSizeOrSections === 'number') {
    const ss = checkInt(splitSizeOrSections, op, 'split_size');
    if (ss < 0) throw new RangeError(`${op}: split expects split_size be non-negative, but got split_size=${ss}`);
    if (ss === 0 && size !== 0) throw new RangeError(`${op}: split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    const n = ss === 0 ? 1 : Math.max(Math.ceil(size / ss), 1);
    sizes = new Array<number>(n).fill(ss);
    sizes[n - 1] = ss - (ss * n - size);
  } else {
    sizes = intList([splitSizeOrSections], op, 'split sizes');
    if (sizes.some((s) => s < 0)) {
      throw new RangeError(`${op}: split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${shapeString(sizes)}`);
    }
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sum !== size) {
      throw new RangeError(
        `${op}: split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), ` +
          `but got split_sizes=${shapeString(sizes)}`,
      );
    }
  }
  return dispatch('split', [x], { dim: d, sizes }, () => splitBySizes(x, sizes, d));
}

/** Splits into `chunks` views along `dim` of size ceil(n / chunks) (so possibly fewer chunks). */
export function chunk(x: Tensor, chunks: number, dim: number | { dim?: number } = 0): Tensor[] {
  const op = 'chunk';
  dim = dimArg(dim, op);
  if (x.ndim === 0) throw new RangeError(`${op}: chunk expects at least a 1-dimensional tensor`);
  checkInt(chunks, op, 'chunks');
  if (chunks <= 0) throw new RangeError(`${op}: chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  const size = x.shape[d]!;
  const ss = Math.ceil(size / chunks);
  let sizes: number[];
  if (size === 0) {
    sizes = new Array<number>(chunks).fill(0);
  } else {
    const n = Math.ceil(size / ss);
    sizes = new Array<number>(n).fill(ss);
    sizes[n - 1] = size - ss * (n - 1);
  }
  return dispatch('split', [x], { dim: d, sizes }, () => splitBySizes(x, sizes, d));
}

/** The views x.select(dim, i) for every i. */
export function unbind(x: Tensor, dim: number | { dim?: number } = 0): Tensor[] {
  const op = 'unbind';
  dim = dimArg(dim, op);
  if (x.ndim === 0) throw new RangeError(`${op}: Dimension specified as ${dim} but tensor has no dimensions`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  return dispatch('unbind', [x], { dim: d }, () => Array.from({ length: x.shape[d]! }, (_, i) => selectRaw(x, d, i)));
}

// ---- diagonal ------------------------------------------------------------------------------------


/**
 * A view of the diagonal of the (dim1, dim2) planes, appended as the last dim; `offset` > 0 is
 * above the main diagonal, < 0 below. `x.diagonal()`, `x.diagonal(1)`, `x.diagonal(0, 1, 2)` or
 * `x.diagonal({ offset: 0, dim1: 1, dim2: 2 })`.
 */
export function diagonal(x: Tensor, offset: number | DiagonalOptions = 0, dim1 = 0, dim2 = 1): Tensor {
  const attrs = diagonalArgs('diagonal', x, offset, dim1, dim2);
  const { offset: off, dim1: a, dim2: b } = attrs;
  return dispatch('diagonal', [x], attrs, () => diagonalRaw(x, off, a, b));
}

// ---- unfold / asStrided -----------------------------------------------------------------------

/**
 * A view of every window of `size` elements along `dim`, `step` apart, as a new last dim
 * (torch's Tensor.unfold): `arange(7).unfold(0, 3, 2)` is [[0, 1, 2], [2, 3, 4], [4, 5, 6]].
 */
export function unfold(x: Tensor, dim: number, size: number, step: number): Tensor {
  const op = 'unfold';
  const d = normalizeDim(checkInt(dim, op, 'dimension'), x.ndim, op);
  checkInt(size, op, 'size');
  checkInt(step, op, 'step');
  const dimSize = x.ndim === 0 ? 1 : x.shape[d]!;
  const dimStride = x.ndim === 0 ? 1 : x.strides[d]!;
  if (size > dimSize) throw new RangeError(`${op}: maximum size for tensor at dimension ${d} is ${dimSize} but size is ${size}`);
  if (size < 0) throw new RangeError(`${op}: size is ${size} but must be >= 0`);
  if (step <= 0) throw new RangeError(`${op}: step is ${step} but must be > 0`);
  const attrs = { dim: d, size, step };
  return dispatch('unfold', [x], attrs, () => {
    const shape = [...x.shape];
    const strides = [...x.strides];
    if (x.ndim > 0) {
      shape[d] = Math.floor((dimSize - size) / step) + 1;
      strides[d] = step * dimStride;
    }
    shape.push(size);
    strides.push(dimStride);
    return x._view(shape, strides, x.offset);
  });
}

/**
 * A view with explicit sizes, strides and storage offset (default: this tensor's) over the same
 * storage. Every element it reaches must lie inside the storage; strides may be 0 or negative.
 */
export function asStrided(x: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor {
  const op = 'asStrided';
  const shape = intList([size], op, 'sizes');
  const strides = intList([stride], op, 'strides');
  const offset = storageOffset === undefined ? x.offset : checkInt(storageOffset, op, 'storageOffset');
  if (shape.length !== strides.length) {
    throw new RangeError(`${op}: mismatch in length of strides and shape (${shapeString(shape)} vs ${shapeString(strides)})`);
  }
  if (shape.some((s) => s < 0)) throw new RangeError(`${op}: negative size in ${shapeString(shape)}`);
  if (offset < 0) throw new RangeError(`${op}: Tensor: invalid storage offset ${offset}`);
  if (numelOf(shape) > 0) {
    let lo = offset;
    let hi = offset;
    shape.forEach((s, i) => {
      const span = (s - 1) * strides[i]!;
      if (span > 0) hi += span;
      else lo += span;
    });
    const limit = Math.floor(x._live().nbytes / ITEM_SIZE[x.dtype]);
    if (lo < 0 || hi >= limit) {
      throw new RangeError(
        `${op}: setStorage: sizes ${shapeString(shape)}, strides ${shapeString(strides)}, storage offset ${offset} ` +
          `reach elements [${lo}, ${hi}], outside the storage of ${limit} elements`,
      );
    }
  }
  return dispatch('asStrided', [x], { size: shape, stride: strides, storageOffset: offset }, () => x._view(shape, strides, offset));
}

// ---- methods ---------------------------------------------------------------------------------

declare module '../tensor.js' {
  interface Tensor {
    unfold(dim: number, size: number, step: number): Tensor;
    asStrided(size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    /** The view `x[start:end:step]` along `dim`; see {@link sliceDim}. */
    slice(dim: number, start?: number | null, end?: number | null, step?: number | null): Tensor;
    split(splitSizeOrSections: number | readonly number[], dim?: number | { dim?: number }): Tensor[];
    chunk(chunks: number, dim?: number | { dim?: number }): Tensor[];
    unbind(dim?: number | { dim?: number }): Tensor[];
    diagonal(offset?: number | DiagonalOptions, dim1?: number, dim2?: number): Tensor;
  }
}

const proto = Tensor.prototype;
proto.unfold = function (this: Tensor, d: number, s: number, st: number) { return unfold(this, d, s, st); };
proto.asStrided = function (this: Tensor, s: readonly number[], st: readonly number[], o?: number) { return asStrided(this, s, st, o); };
proto.narrow = function (this: Tensor, d: number, s: number, l: number) { return narrow(this, d, s, l); };
proto.select = function (this: Tensor, d: number, i: number) { return select(this, d, i); };
proto.slice = function (this: Tensor, d: number, s?: number | null, e?: number | null, st?: number | null) { return sliceDim(this, d, s, e, st); };
proto.split = function (this: Tensor, s: number | readonly number[], d?: number | { dim?: number }) { return split(this, s, d); };
proto.chunk = function (this: Tensor, c: number, d?: number | { dim?: number }) { return chunk(this, c, d); };
proto.unbind = function (this: Tensor, d?: number | { dim?: number }) { return unbind(this, d); };
proto.diagonal = function (this: Tensor, o?: number | DiagonalOptions, a?: number, b?: number) { return diagonal(this, o, a, b); };
