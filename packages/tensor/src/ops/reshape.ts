/**
 * The same elements in a new shape: reshape, view (also view(dtype), a reinterpretation of the
 * memory), reshapeAs, viewAs, flatten, ravel, unflatten. view and unflatten are always views;
 * reshape and flatten copy only when the strides allow no view.
 */
import { dispatch } from '../dispatch.js';
import { checkDType, ITEM_SIZE, type DType } from '../dtype.js';
import { numelOf, shapeString } from '../shape.js';
import { normalizeDim, Tensor } from '../tensor.js';
import { inferSize, reshapeRaw, viewStrides } from './rawViews.js';
import { checkInt, intList, type AnyArgs } from './shapeHelpers.js';

/**
 * A tensor with the same elements in a new shape: a view when the strides allow it, otherwise a
 * copy. One size may be -1 (inferred).
 * @example
 * ```ts
 * arange(6).reshape(2, -1); // shape [2, 3]
 * ```
 */
export function reshape(x: Tensor, ...shape: number[] | [readonly number[]]): Tensor {
  const s = intList(shape, 'reshape', 'sizes');
  return dispatch('reshape', [x], { shape: s }, () => reshapeRaw(x, s, 'reshape'));
}

/**
 * The same memory reinterpreted as another dtype (`x.view('int32')`); with a different item size
 * the last dim (which must have stride 1) shrinks or grows by the ratio, as in PyTorch.
 */
function viewAsDType(x: Tensor, dtype: DType): Tensor {
  const op = 'view';
  const from = ITEM_SIZE[x.dtype];
  const to = ITEM_SIZE[dtype];
  const mk = (shape: readonly number[], strides: readonly number[], offset: number): Tensor =>
    new Tensor(x._live(), dtype, shape, strides, offset);
  if (from === to) return mk(x.shape, x.strides, x.offset);
  const what = `to view ${x.dtype} as ${dtype} (different element sizes)`;
  if (x.ndim === 0) throw new RangeError(`${op}: self.dim() cannot be 0 ${what}`);
  const last = x.ndim - 1;
  if (x.strides[last] !== 1 && x.shape[last] !== 1) {
    throw new RangeError(`${op}: self.stride(-1) must be 1 ${what}, but got ${x.strides[last]}`);
  }
  const shape = [...x.shape];
  const strides = [...x.strides];
  if (from > to) {
    const r = from / to;
    for (let i = 0; i < last; i++) strides[i] = strides[i]! * r;
    shape[last] = shape[last]! * r;
    strides[last] = 1;
    return mk(shape, strides, x.offset * r);
  }
  const r = to / from;
  if (shape[last]! % r !== 0) throw new RangeError(`${op}: self.size(-1) must be divisible by ${r} ${what}, but got ${shape[last]}`);
  if (x.offset % r !== 0) throw new RangeError(`${op}: self.storage_offset() must be divisible by ${r} ${what}, but got ${x.offset}`);
  for (let i = 0; i < last; i++) {
    if (strides[i]! % r !== 0) throw new RangeError(`${op}: self.stride(${i}) must be divisible by ${r} ${what}, but got ${strides[i]}`);
    strides[i] = strides[i]! / r;
  }
  shape[last] = shape[last]! / r;
  strides[last] = 1;
  return mk(shape, strides, x.offset / r);
}

/**
 * A view in a new shape (one size may be -1); an error when the strides do not allow a view.
 * `x.view('int32')` reinterprets the memory as another dtype instead.
 */
export function view(x: Tensor, ...shape: number[] | [readonly number[]] | [DType]): Tensor {
  if (shape.length === 1 && typeof shape[0] === 'string') {
    const dtype = checkDType(shape[0], 'view');
    return dispatch('viewAsDType', [x], { dtype }, () => viewAsDType(x, dtype));
  }
  const s = intList(shape, 'view', 'sizes');
  return dispatch('view', [x], { shape: s }, () => {
    const target = inferSize(s, x.numel(), 'view');
    const strides = viewStrides(x.shape, x.strides, target);
    if (strides === null) {
      throw new Error(
        `view: view size is not compatible with input tensor's size and stride (at least one dimension spans ` +
          `across two contiguous subspaces): input shape ${shapeString(x.shape)} with strides ${shapeString(x.strides)}, ` +
          `requested ${shapeString(s)}. Use .reshape(...) instead.`,
      );
    }
    return x._view(target, strides, x.offset);
  });
}

/** reshape to `other`'s shape. */
export function reshapeAs(x: Tensor, other: Tensor): Tensor {
  return reshape(x, other.shape);
}
/** view in `other`'s shape. */
export function viewAs(x: Tensor, other: Tensor): Tensor {
  return view(x, other.shape);
}

// ---- flatten / unflatten -------------------------------------------------------------------------

export interface FlattenOptions {
  startDim?: number;
  endDim?: number;
}

/**
 * Merges dims startDim..endDim (default all) into one: `x.flatten()`, `x.flatten(1)`,
 * `x.flatten(0, 1)` or `x.flatten({ startDim: 1 })`. A view when the strides allow it. A 0-d
 * tensor becomes shape [1].
 */
export function flatten(x: Tensor, startDim: number | FlattenOptions = 0, endDim = -1): Tensor {
  if (typeof startDim === 'object') {
    endDim = startDim.endDim ?? -1;
    startDim = startDim.startDim ?? 0;
  }
  const op = 'flatten';
  const s = normalizeDim(checkInt(startDim, op, 'startDim'), x.ndim, op);
  const e = normalizeDim(checkInt(endDim, op, 'endDim'), x.ndim, op);
  if (s > e) throw new RangeError(`${op}: flatten() has invalid args: start_dim (${startDim}) cannot come after end_dim (${endDim})`);
  if (x.ndim === 0) return dispatch('reshape', [x], { shape: [1] }, () => reshapeRaw(x, [1], op));
  const shape = [...x.shape.slice(0, s), numelOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return dispatch('reshape', [x], { shape }, () => reshapeRaw(x, shape, op));
}

/** flatten() to 1-D (a view when possible). */
export function ravel(x: Tensor): Tensor {
  return flatten(x);
}

/**
 * Splits dim `dim` into `sizes` (one may be -1): the inverse of flatten. Always a view.
 * @example
 * ```ts
 * zeros(2, 12).unflatten(1, [3, -1]).shape; // [2, 3, 4]
 * ```
 */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const op = 'unflatten';
  if (x.ndim === 0) throw new RangeError(`${op}: dimension specified as ${dim} but tensor has no dimensions`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  const s = intList([sizes], op, 'sizes');
  if (s.length === 0) throw new RangeError(`${op}: sizes must be non-empty`);
  let inferred: number[];
  try {
    inferred = inferSize(s, x.shape[d]!, op);
  } catch (err) {
    if (s.filter((v) => v === -1).length > 1 || s.some((v) => v < -1)) throw err;
    throw new RangeError(`${op}: Provided sizes ${shapeString(s)} don't multiply up to the size of dim ${dim} (${x.shape[d]}) in the input tensor of shape ${shapeString(x.shape)}`);
  }
  const shape = [...x.shape.slice(0, d), ...inferred, ...x.shape.slice(d + 1)];
  return dispatch('view', [x], { shape }, () => {
    const strides = viewStrides(x.shape, x.strides, shape)!;
    return x._view(shape, strides, x.offset);
  });
}

// ---- methods ---------------------------------------------------------------------------------

declare module '../tensor.js' {
  interface Tensor {
    /** See {@link reshape}. */
    reshape(...shape: number[]): Tensor;
    reshape(shape: readonly number[]): Tensor;
    /** See {@link view}. */
    view(...shape: number[]): Tensor;
    view(shape: readonly number[]): Tensor;
    view(dtype: DType): Tensor;
    reshapeAs(other: Tensor): Tensor;
    viewAs(other: Tensor): Tensor;
    /** See {@link flatten}. */
    flatten(startDim?: number | FlattenOptions, endDim?: number): Tensor;
    ravel(): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
  }
}

const proto = Tensor.prototype;
proto.reshape = function (this: Tensor, ...s: AnyArgs) { return reshape(this, ...s); };
proto.view = function (this: Tensor, ...s: AnyArgs) { return view(this, ...s); };
proto.reshapeAs = function (this: Tensor, o: Tensor) { return reshapeAs(this, o); };
proto.viewAs = function (this: Tensor, o: Tensor) { return viewAs(this, o); };
proto.flatten = function (this: Tensor, s?: number | FlattenOptions, e?: number) { return flatten(this, s, e); };
proto.ravel = function (this: Tensor) { return ravel(this); };
proto.unflatten = function (this: Tensor, d: number, s: readonly number[]) { return unflatten(this, d, s); };
