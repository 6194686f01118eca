/**
 * Sorting and what is built on it: sort, argsort, topk, kthvalue, median, unique and
 * searchsorted. PyTorch semantics. NaN sorts as the largest value, and every sort is stable (so
 * ties keep their input order in sort, argsort, topk, kthvalue and unique).
 */
import { scalarTensor } from '../creation.js';
import { dispatch } from '../dispatch.js';
import { isFloatingDType, promoteTypes, type DType } from '../dtype.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { shapeString } from '../shape.js';
import { normalizeDim, Tensor } from '../tensor.js';
import { atLeast1d, checkIndex, checkTensor, gatherKernel, indexSelectKernel, putStrided, withDim } from './indexingCommon.js';

export interface SortOptions {
  descending?: boolean;
  /** Accepted for PyTorch compatibility: every sort here is stable. */
  stable?: boolean;
}

export interface TopkOptions {
  largest?: boolean;
  sorted?: boolean;
}

export interface UniqueOptions {
  /** Accepted for PyTorch compatibility: the unique values are always returned sorted. */
  sorted?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  /** Unique slices along this dim instead of unique elements of the flattened tensor. */
  dim?: number;
}

/**
 * unique's result when returnInverse or returnCounts is set; the fields asked for are present.
 * inverseIndices has the input's shape (or [size of dim] with `dim`) and maps each element (slice)
 * to its position in values.
 */
export interface UniqueResult {
  values: Tensor;
  inverseIndices?: Tensor;
  counts?: Tensor;
}

export interface SearchsortedOptions {
  right?: boolean;
  side?: 'left' | 'right';
  /** int32 output instead of int64. */
  outInt32?: boolean;
  /** Indices that sort sortedSequence's last dim, when it is not sorted itself (argsort's output). */
  sorter?: Tensor;
}

declare module '../tensor.js' {
  interface Tensor {
    sort(dim?: number, opts?: SortOptions): { values: Tensor; indices: Tensor };
    sort(opts: SortOptions & { dim?: number }): { values: Tensor; indices: Tensor };
    argsort(dim?: number, opts?: SortOptions): Tensor;
    argsort(opts: SortOptions & { dim?: number }): Tensor;
    topk(k: number, dim?: number, opts?: TopkOptions): { values: Tensor; indices: Tensor };
    topk(k: number, opts: TopkOptions & { dim?: number }): { values: Tensor; indices: Tensor };
    kthvalue(k: number, dim?: number, opts?: { keepdim?: boolean }): { values: Tensor; indices: Tensor };
    median(): Tensor;
    median(dim: number, opts?: { keepdim?: boolean }): { values: Tensor; indices: Tensor };
    unique(opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
    unique(opts: UniqueOptions): Tensor | UniqueResult;
    searchsorted(values: Tensor | number, opts?: SearchsortedOptions): Tensor;
  }
}

function squeezeShape(shape: readonly number[], dim: number): number[] {
  return shape.filter((_, i) => i !== dim);
}

function splitDimOpts<O extends object>(a: number | (O & { dim?: number }) | undefined, b: O | undefined, dflt: number | undefined): [number | undefined, O] {
  if (typeof a === 'object' && a !== null) return [a.dim ?? dflt, a];
  return [a ?? dflt, (b ?? {}) as O];
}

/** torch.sort: `{ values, indices }` along dim (default -1); stable, NaN last (first when descending). */
export function sort(x: Tensor, dim?: number | (SortOptions & { dim?: number }), opts?: SortOptions): { values: Tensor; indices: Tensor } {
  const op = 'sort';
  const [dd, o] = splitDimOpts(dim, opts, -1);
  const d = normalizeDim(dd!, x.ndim, op);
  const descending = o.descending === true;
  return dispatch(op, [x], { dim: d, descending }, () => sortKernel(x, d, descending));
}

function sortKernel(x: Tensor, d: number, descending: boolean): { values: Tensor; indices: Tensor } {
  const xs = atLeast1d(x);
  let p = putTensor(0, xs);
  frame[p++] = d;
  frame[p++] = descending ? 1 : 0;
  p = putOutput(p, x.dtype, xs.shape);
  putOutput(p, 'int64', xs.shape);
  const dev = x.device;
  runOn('sortSort', dev, 'sort');
  return { values: takeOutput(0, x.dtype, x.shape, dev), indices: takeOutput(1, 'int64', x.shape, dev) };
}

/** torch.argsort: sort's indices. */
export function argsort(x: Tensor, dim?: number | (SortOptions & { dim?: number }), opts?: SortOptions): Tensor {
  const [dd, o] = splitDimOpts(dim, opts, -1);
  const d = normalizeDim(dd!, x.ndim, 'argsort');
  const descending = o.descending === true;
  return dispatch('argsort', [x], { dim: d, descending }, () => {
    const { values, indices } = sortKernel(x, d, descending);
    values.dispose();
    return indices;
  });
}

/** torch.topk: the k largest (or smallest) along dim (default -1), sorted, as `{ values, indices }`. */
export function topk(x: Tensor, k: number, dim?: number | (TopkOptions & { dim?: number }), opts?: TopkOptions): { values: Tensor; indices: Tensor } {
  const op = 'topk';
  const [dd, o] = splitDimOpts(dim, opts, -1);
  const d = normalizeDim(dd!, x.ndim, op);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new RangeError(`${op}: k (${k}) is out of range for dimension ${d} of size ${size} (shape ${shapeString(x.shape)})`);
  }
  const largest = o.largest ?? true;
  return dispatch(op, [x], { k, dim: d, largest, sorted: o.sorted ?? true }, () => {
    const xs = atLeast1d(x);
    const outShape = withDim(xs.shape, d, k);
    let p = putTensor(0, xs);
    frame[p++] = d;
    frame[p++] = k;
    frame[p++] = largest ? 1 : 0;
    p = putOutput(p, x.dtype, outShape);
    putOutput(p, 'int64', outShape);
    const dev = x.device;
    runOn('sortTopk', dev, op);
    const shape = x.ndim === 0 ? [] : outShape;
    return { values: takeOutput(0, x.dtype, shape, dev), indices: takeOutput(1, 'int64', shape, dev) };
  });
}

function kth(op: 'kthvalue' | 'median', x: Tensor, k0: number, d: number, keepdim: boolean): { values: Tensor; indices: Tensor } {
  return dispatch(op, [x], { k: k0 + 1, dim: d, keepdim }, () => kthKernel(op, x, k0, d, keepdim));
}

function kthKernel(op: 'kthvalue' | 'median', x: Tensor, k0: number, d: number, keepdim: boolean): { values: Tensor; indices: Tensor } {
  const xs = atLeast1d(x);
  const keepShape = withDim(xs.shape, d, 1);
  frame[0] = op === 'median' ? 1 : 0;
  let p = putTensor(1, xs);
  frame[p++] = d;
  frame[p++] = k0;
  p = putOutput(p, x.dtype, keepShape);
  putOutput(p, 'int64', keepShape);
  const dev = x.device;
  runOn('sortKth', dev, op);
  const shape = x.ndim === 0 ? [] : keepdim ? keepShape : squeezeShape(xs.shape, d);
  return { values: takeOutput(0, x.dtype, shape, dev), indices: takeOutput(1, 'int64', shape, dev) };
}

/** torch.kthvalue: the k-th smallest (1-based) along dim (default -1), as `{ values, indices }`. */
export function kthvalue(x: Tensor, k: number, dim = -1, opts?: { keepdim?: boolean }): { values: Tensor; indices: Tensor } {
  const op = 'kthvalue';
  const d = normalizeDim(dim, x.ndim, op);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 1 || k > size) {
    throw new RangeError(`${op}: k (${k}) is out of range for dimension ${d} of size ${size} (shape ${shapeString(x.shape)})`);
  }
  return kth(op, x, k - 1, d, opts?.keepdim === true);
}

/**
 * torch.median: the lower median. Without dim, of all elements (a 0-d tensor); with dim,
 * `{ values, indices }`. A NaN makes the median NaN (nanmedian-free PyTorch semantics).
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, opts?: { keepdim?: boolean }): { values: Tensor; indices: Tensor };
export function median(x: Tensor, dim?: number, opts?: { keepdim?: boolean }): Tensor | { values: Tensor; indices: Tensor } {
  const op = 'median';
  if (dim === undefined) {
    const n = x.numel();
    if (n === 0) throw new RangeError(`${op}: cannot compute the median of an empty tensor (shape ${shapeString(x.shape)})`);
    return dispatch(op, [x], undefined, () => {
      const flat = x.contiguous();
      const v = flat._view([n], [1], flat.offset);
      const r = kthKernel(op, v, Math.floor((n - 1) / 2), 0, false);
      r.indices.dispose();
      return r.values;
    });
  }
  const d = normalizeDim(dim, x.ndim, op);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  if (size === 0) throw new RangeError(`${op}: cannot compute the median of an empty dimension ${d} (shape ${shapeString(x.shape)})`);
  return kth(op, x, Math.floor((size - 1) / 2), d, opts?.keepdim === true);
}

/**
 * torch.unique: the sorted unique elements (NaNs are each unique). Returns a Tensor, or, when
 * returnInverse or returnCounts is set, `{ values, inverseIndices?, counts? }` with the fields
 * asked for. With `dim`, unique slices along that dim (sorted lexicographically).
 */
export function unique(x: Tensor, opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
export function unique(x: Tensor, opts: UniqueOptions): Tensor | UniqueResult;
export function unique(x: Tensor, opts: UniqueOptions = {}): Tensor | UniqueResult {
  const op = 'unique';
  const wantInv = opts.returnInverse === true;
  const wantCnt = opts.returnCounts === true;
  const d = opts.dim === undefined ? undefined : normalizeDim(opts.dim, x.ndim, op);
  return dispatch(op, [x], { dim: d, returnInverse: wantInv, returnCounts: wantCnt }, () => {
    const dev = x.device;
    let values: Tensor;
    let inverse: Tensor | undefined;
    let counts: Tensor | undefined;
    if (d === undefined || x.ndim === 0) {
      let p = putTensor(0, x);
      frame[p++] = wantInv ? 1 : 0;
      frame[p++] = wantCnt ? 1 : 0;
      frame[p++] = 0;
      runOn('sortUnique', dev, op);
      const k = (wantInv ? 1 : 0) + (wantCnt ? 1 : 0);
      const u = frame[1 + k]!;
      values = takeOutput(0, x.dtype, [u], dev);
      if (wantInv) inverse = takeOutput(1, 'int64', x.shape, dev);
      if (wantCnt) counts = takeOutput(wantInv ? 2 : 1, 'int64', [u], dev);
    } else {
      // Move dim to the front, then see every slice as one row of a contiguous [n, m] matrix.
      const n = x.shape[d]!;
      const rest = squeezeShape(x.shape, d);
      const m = rest.reduce((a, b) => a * b, 1);
      const front = x._view([n, ...rest], [x.strides[d]!, ...squeezeShape(x.strides, d)], x.offset).contiguous();
      let p = putStrided(0, front, [n, m], [m, 1], front.offset);
      frame[p++] = wantInv ? 1 : 0;
      frame[p++] = wantCnt ? 1 : 0;
      frame[p++] = 1;
      runOn('sortUnique', dev, op);
      const k = (wantInv ? 1 : 0) + (wantCnt ? 1 : 0);
      const u = frame[1 + k]!;
      const pos = takeOutput(0, 'int64', [u], dev);
      if (wantInv) inverse = takeOutput(1, 'int64', [n], dev);
      if (wantCnt) counts = takeOutput(wantInv ? 2 : 1, 'int64', [u], dev);
      values = indexSelectKernel(x, d, pos);
      pos.dispose();
    }
    if (!wantInv && !wantCnt) return values;
    const r: UniqueResult = { values };
    if (inverse) r.inverseIndices = inverse;
    if (counts) r.counts = counts;
    return r;
  });
}

/**
 * torch.searchsorted: where each value would be inserted in the sorted last dim of
 * sortedSequence (1-d, or with values' leading dims) to keep it sorted. `right` (or
 * side: 'right') gives the position after equal elements.
 */
export function searchsorted(sortedSequence: Tensor, values: Tensor | number, opts: SearchsortedOptions = {}): Tensor {
  const op = 'searchsorted';
  checkTensor(op, sortedSequence, 'sortedSequence');
  if (opts.side !== undefined && opts.side !== 'left' && opts.side !== 'right') {
    throw new RangeError(`${op}: side must be 'left' or 'right', got ${JSON.stringify(opts.side)}`);
  }
  if (opts.side === 'left' && opts.right === true) {
    throw new RangeError(`${op}: side and right can't be set to opposites, got side 'left' while right is true`);
  }
  const right = opts.right === true || opts.side === 'right';
  if (sortedSequence.ndim === 0) throw new RangeError(`${op}: the sorted sequence must have at least one dimension, got a 0-d tensor`);
  let vals: Tensor;
  if (values instanceof Tensor) vals = values;
  else if (typeof values === 'number') vals = scalarTensor(values, isFloatingDType(sortedSequence.dtype) || Number.isInteger(values) ? sortedSequence.dtype : 'float32', sortedSequence.device);
  else throw new TypeError(`${op}: expected values to be a Tensor or a number, got ${typeof values}`);
  if (sortedSequence.ndim > 1) {
    let ok = vals.ndim === sortedSequence.ndim;
    for (let i = 0; ok && i < sortedSequence.ndim - 1; i++) ok = vals.shape[i] === sortedSequence.shape[i];
    if (!ok) {
      throw new RangeError(
        `${op}: the sorted sequence must be 1-d or match values in every dim but the last, got sequence ${shapeString(sortedSequence.shape)} and values ${shapeString(vals.shape)}`,
      );
    }
  }
  if (vals.dtype === 'bool' || sortedSequence.dtype === 'bool') throw new TypeError(`${op}: not supported for bool`);
  const dt: DType = promoteTypes(sortedSequence.dtype, vals.dtype);
  const outDtype: DType = opts.outInt32 ? 'int32' : 'int64';
  const sorter = opts.sorter;
  if (sorter !== undefined) {
    checkIndex(op, sorter, 'sorter');
    if (sorter.ndim !== sortedSequence.ndim || sorter.shape.some((v, i) => v !== sortedSequence.shape[i])) {
      throw new RangeError(`${op}: sorter of shape ${shapeString(sorter.shape)} must have the sorted sequence's shape ${shapeString(sortedSequence.shape)}`);
    }
  }
  const inputs = sorter ? [sortedSequence, vals, sorter] : [sortedSequence, vals];
  return dispatch(op, inputs, { right, outInt32: opts.outInt32 === true }, () => {
    const seq = sorter ? gatherKernel(sortedSequence, sortedSequence.ndim - 1, sorter, 2) : sortedSequence;
    const s = seq.dtype === dt ? seq : seq._copyAs(dt);
    const v = vals.dtype === dt ? vals : vals._copyAs(dt);
    let p = putTensor(0, s);
    p = putTensor(p, v);
    frame[p++] = right ? 1 : 0;
    putOutput(p, outDtype, vals.shape);
    const dev = sortedSequence.device;
    runOn('sortSearchsorted', dev, op);
    return takeOutput(0, outDtype, vals.shape, dev);
  });
}

// ---- methods ------------------------------------------------------------------------------------

const proto = Tensor.prototype;
proto.sort = function (this: Tensor, dim?: number | (SortOptions & { dim?: number }), opts?: SortOptions) { return sort(this, dim, opts); } as Tensor['sort'];
proto.argsort = function (this: Tensor, dim?: number | (SortOptions & { dim?: number }), opts?: SortOptions) { return argsort(this, dim, opts); } as Tensor['argsort'];
proto.topk = function (this: Tensor, k: number, dim?: number | (TopkOptions & { dim?: number }), opts?: TopkOptions) { return topk(this, k, dim, opts); } as Tensor['topk'];
proto.kthvalue = function (this: Tensor, k, dim, opts) { return kthvalue(this, k, dim, opts); };
proto.median = function (this: Tensor, dim?: number, opts?: { keepdim?: boolean }) {
  return dim === undefined ? median(this) : median(this, dim, opts);
} as Tensor['median'];
proto.unique = function (this: Tensor, opts?: UniqueOptions) { return unique(this, opts ?? {}); } as Tensor['unique'];
proto.searchsorted = function (this: Tensor, values, opts) { return searchsorted(this, values, opts); };
