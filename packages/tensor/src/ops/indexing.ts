/**
 * The indexing and sorting op family: indexSelect, gather, scatter (and scatterAdd, scatterReduce,
 * indexAdd, indexCopy, indexFill, their in-place forms), maskedFill, maskedSelect, nonzero, take,
 * takeAlongDim, sort, argsort, topk,
 * kthvalue, median, unique, oneHot, searchsorted. PyTorch semantics; indices are int64 (int32 is
 * accepted too) and every index is bounds-checked natively. A negative index in [-size, 0) counts
 * from the end (PyTorch only allows that in take); anything outside [-size, size) is an error.
 *
 * NaN sorts as the largest value, and every sort is stable (so ties keep their input order in
 * sort, argsort, topk, kthvalue and unique).
 */
import { kernels } from '@cinder/native';
import { scalarTensor } from '../creation.js';
import { dispatch } from '../dispatch.js';
import { isFloatingDType, promoteTypes, type DType } from '../dtype.js';
import { contiguousStrides, frame, putOutput, putTensor, takeOutput } from '../frame.js';
import { DTYPE_CODE } from '../dtype.js';
import { broadcastShapes, shapeString } from '../shape.js';
import { normalizeDim, Tensor } from '../tensor.js';

export type ScatterReduceMode = 'sum' | 'prod' | 'mean' | 'amax' | 'amin';

export interface ScatterOptions {
  /** Combine instead of overwrite ('add' and 'multiply' are PyTorch's older spellings of sum/prod). */
  reduce?: ScatterReduceMode | 'add' | 'multiply';
  /** With reduce: whether self's values take part (scatterReduce's include_self). Default true. */
  includeSelf?: boolean;
}

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
    indexSelect(dim: number, index: Tensor): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number, opts?: ScatterOptions): Tensor;
    scatter_(dim: number, index: Tensor, src: Tensor | number, opts?: ScatterOptions): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    scatterAdd_(dim: number, index: Tensor, src: Tensor): Tensor;
    scatterReduce(dim: number, index: Tensor, src: Tensor, reduce: ScatterReduceMode, opts?: { includeSelf?: boolean }): Tensor;
    scatterReduce_(dim: number, index: Tensor, src: Tensor, reduce: ScatterReduceMode, opts?: { includeSelf?: boolean }): Tensor;
    indexAdd(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
    indexAdd_(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
    indexCopy(dim: number, index: Tensor, source: Tensor): Tensor;
    indexCopy_(dim: number, index: Tensor, source: Tensor): Tensor;
    indexFill(dim: number, index: Tensor, value: number | boolean | Tensor): Tensor;
    indexFill_(dim: number, index: Tensor, value: number | boolean | Tensor): Tensor;
    maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor;
    maskedFill_(mask: Tensor, value: number | boolean | Tensor): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    nonzero(): Tensor;
    nonzero(opts: { asTuple: true }): Tensor[];
    nonzero(opts: { asTuple?: boolean }): Tensor | Tensor[];
    take(index: Tensor): Tensor;
    takeAlongDim(indices: Tensor, dim?: number): Tensor;
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
    oneHot(numClasses?: number): Tensor;
    searchsorted(values: Tensor | number, opts?: SearchsortedOptions): Tensor;
  }
}

// ---- helpers ------------------------------------------------------------------------------------

/** Writes a tensor operand with explicit shape/strides over t's storage (views without objects). */
function putStrided(p: number, t: Tensor, shape: readonly number[], strides: readonly number[], offset = t.offset): number {
  const st = t._live();
  const nd = shape.length;
  frame[p] = st.handle;
  frame[p + 1] = DTYPE_CODE[t.dtype];
  frame[p + 2] = nd;
  frame[p + 3] = offset;
  p += 4;
  for (let i = 0; i < nd; i++) frame[p + i] = shape[i]!;
  p += nd;
  for (let i = 0; i < nd; i++) frame[p + i] = strides[i]!;
  return p + nd;
}

/** t seen with `shape` (trailing-aligned broadcast: size-1 or missing dims get stride 0). */
function expandedStrides(t: Tensor, shape: readonly number[]): number[] {
  const lead = shape.length - t.ndim;
  return shape.map((s, i) => (i < lead || t.shape[i - lead] !== s ? 0 : t.strides[i - lead]!));
}

function checkTensor(op: string, v: unknown, what: string): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${op}: expected ${what} to be a Tensor, got ${v === null ? 'null' : typeof v}`);
  return v;
}

function checkIndex(op: string, index: unknown, what = 'index'): Tensor {
  const t = checkTensor(op, index, what);
  if (t.dtype !== 'int64' && t.dtype !== 'int32') {
    throw new TypeError(`${op}: expected ${what} of dtype int64 (or int32), got ${t.dtype}`);
  }
  return t;
}

function checkMask(op: string, mask: unknown): Tensor {
  const t = checkTensor(op, mask, 'mask');
  if (t.dtype !== 'bool') throw new TypeError(`${op}: expected a mask of dtype bool, got ${t.dtype}`);
  return t;
}

/** In-place writes into an expanded tensor (several elements sharing memory) are refused, as in PyTorch. */
function checkWritable(op: string, x: Tensor): void {
  for (let i = 0; i < x.ndim; i++) {
    if (x.strides[i] === 0 && x.shape[i]! > 1) {
      throw new Error(
        `${op}: unsupported operation: more than one element of the written-to tensor (shape ${shapeString(x.shape)}, strides ${shapeString(x.strides)}) refers to a single memory location; clone() it first`,
      );
    }
  }
}

/** A 0-d tensor seen as shape [1] (PyTorch treats scalars as 1-element vectors in these ops). */
function atLeast1d(t: Tensor): Tensor {
  return t.ndim === 0 ? t._view([1], [1], t.offset) : t;
}

function squeezeShape(shape: readonly number[], dim: number): number[] {
  return shape.filter((_, i) => i !== dim);
}

function withDim(shape: readonly number[], dim: number, size: number): number[] {
  const s = [...shape];
  s[dim] = size;
  return s;
}

// ---- indexSelect / gather / take --------------------------------------------------------------

/** torch.index_select: the slices of x at `index` (a vector or scalar) along dim. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const op = 'indexSelect';
  checkIndex(op, index);
  if (index.ndim > 1) throw new RangeError(`${op}: index must be a vector or a scalar, got shape ${shapeString(index.shape)}`);
  const d = normalizeDim(dim, x.ndim, op);
  return dispatch(op, [x, index], { dim: d }, () => indexSelectKernel(x, d, index));
}

function indexSelectKernel(x: Tensor, d: number, index: Tensor): Tensor {
  const xs = atLeast1d(x);
  const n = index.numel();
  const outShape = withDim(xs.shape, d, n);
  const idxShape = xs.shape.map((_, i) => (i === d ? n : 1));
  const idxStrides = xs.shape.map((_, i) => (i === d && index.ndim === 1 ? index.strides[0]! : 0));
  frame[0] = 1;
  let p = putTensor(1, xs);
  p = putStrided(p, index, idxShape, idxStrides);
  frame[p] = d;
  putOutput(p + 1, x.dtype, outShape);
  kernels.indexGather!();
  return takeOutput(0, x.dtype, x.ndim === 0 ? [] : outShape);
}

/** torch.gather: out[i][j] = x[index[i][j]][j] (dim 0); index has x's number of dims. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const op = 'gather';
  checkIndex(op, index);
  const d = normalizeDim(dim, x.ndim, op);
  if (x.ndim === 0 || index.ndim === 0) {
    if (x.ndim > 1 || index.ndim > 1 || (x.ndim === 0 && index.numel() > 1)) {
      throw new RangeError(`${op}: index of shape ${shapeString(index.shape)} does not match self of shape ${shapeString(x.shape)}`);
    }
  } else if (index.ndim !== x.ndim) {
    throw new RangeError(`${op}: index must have as many dimensions as self (index ${shapeString(index.shape)}, self ${shapeString(x.shape)})`);
  } else {
    for (let i = 0; i < x.ndim; i++) {
      if (i !== d && index.shape[i]! > x.shape[i]!) {
        throw new RangeError(`${op}: index of shape ${shapeString(index.shape)} is larger than self of shape ${shapeString(x.shape)} at dimension ${i}`);
      }
    }
  }
  return dispatch(op, [x, index], { dim: d }, () => gatherKernel(x, d, index));
}

/** `code` names the op in native errors: 0 gather, 2 searchsorted (applying its sorter), 3 takeAlongDim. */
function gatherKernel(x: Tensor, d: number, index: Tensor, code = 0): Tensor {
  const xs = atLeast1d(x);
  const is = atLeast1d(index);
  frame[0] = code;
  let p = putTensor(1, xs);
  p = putTensor(p, is);
  frame[p] = d;
  putOutput(p + 1, x.dtype, is.shape);
  kernels.indexGather!();
  return takeOutput(0, x.dtype, index.shape);
}

/**
 * torch.take_along_dim: gathers along dim after broadcasting x and indices in every other dim
 * (argsort/topk indices pick their values back out). Without dim, both are seen flattened.
 */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number): Tensor {
  const op = 'takeAlongDim';
  checkIndex(op, indices, 'indices');
  if (dim === undefined) {
    return dispatch(op, [x, indices], { dim }, () => {
      const xc = x.contiguous();
      const ic = indices.contiguous();
      return gatherKernel(xc._view([x.numel()], [1], xc.offset), 0, ic._view([indices.numel()], [1], ic.offset), 3);
    });
  }
  const d = normalizeDim(dim, x.ndim, op);
  if (indices.ndim !== x.ndim) {
    throw new RangeError(`${op}: indices must have as many dimensions as input (indices ${shapeString(indices.shape)}, input ${shapeString(x.shape)})`);
  }
  const xs = atLeast1d(x);
  const is = atLeast1d(indices);
  const common = broadcastShapes(op, withDim(xs.shape, d, 1), withDim(is.shape, d, 1));
  const xShape = withDim(common, d, xs.shape[d]!);
  const iShape = withDim(common, d, is.shape[d]!);
  return dispatch(op, [x, indices], { dim: d }, () => {
    frame[0] = 3;
    let p = putStrided(1, xs, xShape, expandedStrides(xs, xShape));
    p = putStrided(p, is, iShape, expandedStrides(is, iShape));
    frame[p] = d;
    putOutput(p + 1, x.dtype, iShape);
    kernels.indexGather!();
    return takeOutput(0, x.dtype, x.ndim === 0 ? [] : iShape);
  });
}

/** torch.take: x seen as 1-d, read at `index`; the result has index's shape. */
export function take(x: Tensor, index: Tensor): Tensor {
  const op = 'take';
  checkIndex(op, index);
  return dispatch(op, [x, index], undefined, () => {
    const xc = x.contiguous();
    let p = putTensor(0, xc);
    p = putTensor(p, index);
    putOutput(p, x.dtype, index.shape);
    kernels.indexTake!();
    return takeOutput(0, x.dtype, index.shape);
  });
}

// ---- scatter family -----------------------------------------------------------------------------

const SCATTER_CODE = { scatter: 0, scatterAdd: 1, indexAdd: 2, scatterReduce: 3, indexCopy: 4, indexFill: 5 } as const;
const REDUCE_CODE: Record<string, number> = { none: 0, sum: 1, add: 1, prod: 2, multiply: 2, mean: 3, amax: 4, amin: 5 };
const REDUCE_NAME: readonly (ScatterReduceMode | undefined)[] = [undefined, 'sum', 'prod', 'mean', 'amax', 'amin'];

interface ScatterCall {
  op: keyof typeof SCATTER_CODE;
  dim: number;
  index: Tensor;
  src: Tensor;
  /** The shape iterated: index's (scatter) or source's (indexAdd). */
  iterShape: readonly number[];
  /** index as written to the frame (indexAdd broadcasts a vector along dim). */
  indexShape: readonly number[];
  indexStrides: readonly number[];
  reduce: number;
  includeSelf: boolean;
  alpha: number;
  /** The scalar src, when one was given. */
  value?: number;
  /** The caller's tensors, as the dispatch layer should see them. */
  inputs: Tensor[];
}

/** Runs the native scatter into `target` (a tensor of at least one dim). */
function scatterInto(target: Tensor, c: ScatterCall): void {
  // float16/bfloat16 are storage types: reductions run in float32 and round once at the end.
  const half = c.reduce !== 0 && (target.dtype === 'float16' || target.dtype === 'bfloat16');
  const tracked = c.reduce === REDUCE_CODE.mean || (c.reduce !== 0 && !c.includeSelf);
  const work = half ? target._copyAs('float32') : tracked && !target.isContiguous() ? target._copyAs(target.dtype) : target;
  const src = half ? c.src._copyAs('float32') : c.src;
  frame[0] = SCATTER_CODE[c.op];
  let p = putTensor(1, work);
  p = putStrided(p, c.index, c.indexShape, c.indexStrides);
  p = putTensor(p, src);
  frame[p++] = c.dim;
  frame[p++] = c.reduce;
  frame[p++] = c.includeSelf ? 1 : 0;
  frame[p++] = c.alpha;
  frame[p++] = c.iterShape.length;
  for (const s of c.iterShape) frame[p++] = s;
  kernels.indexScatter!();
  if (work !== target) {
    const q = putTensor(0, work);
    putTensor(q, target);
    kernels.copyInto!();
  }
}

function prepareScatter(
  op: keyof typeof SCATTER_CODE, x: Tensor, dim: number, index: Tensor, src: Tensor | number,
  reduce: string | undefined, includeSelf: boolean,
): ScatterCall {
  checkIndex(op, index);
  const d = normalizeDim(dim, x.ndim, op);
  let reduceCode = 0;
  if (reduce !== undefined) {
    const r = REDUCE_CODE[reduce];
    if (r === undefined || reduce === 'none') {
      throw new RangeError(`${op}: reduce must be one of 'sum', 'prod', 'mean', 'amax', 'amin' ('add', 'multiply'), got ${JSON.stringify(reduce)}`);
    }
    reduceCode = r;
  }
  if (reduceCode !== 0 && x.dtype === 'bool') throw new TypeError(`${op}: reduce '${reduce}' is not supported for bool`);
  let srcT: Tensor;
  if (src instanceof Tensor) {
    if (src.dtype !== x.dtype) throw new TypeError(`${op}: expected src of dtype ${x.dtype} (self's dtype), got ${src.dtype}`);
    srcT = src;
  } else if (typeof src === 'number' || typeof src === 'boolean') {
    srcT = scalarTensor(src, x.dtype);
  } else {
    throw new TypeError(`${op}: expected src to be a Tensor or a number, got ${typeof src}`);
  }
  const xs = atLeast1d(x);
  const is = atLeast1d(index);
  if (is.ndim !== xs.ndim) {
    throw new RangeError(`${op}: index must have as many dimensions as self (index ${shapeString(index.shape)}, self ${shapeString(x.shape)})`);
  }
  const ss = srcT.ndim === 0 && src instanceof Tensor && index.ndim === 0 ? atLeast1d(srcT) : srcT;
  if (src instanceof Tensor && ss.ndim !== is.ndim) {
    throw new RangeError(`${op}: src must have as many dimensions as index (src ${shapeString(srcT.shape)}, index ${shapeString(index.shape)})`);
  }
  for (let i = 0; i < is.ndim; i++) {
    if (i !== d && is.shape[i]! > xs.shape[i]!) {
      throw new RangeError(`${op}: index of shape ${shapeString(index.shape)} is larger than self of shape ${shapeString(x.shape)} at dimension ${i}`);
    }
    if (src instanceof Tensor && is.shape[i]! > ss.shape[i]!) {
      throw new RangeError(`${op}: index of shape ${shapeString(index.shape)} is larger than src of shape ${shapeString(srcT.shape)} at dimension ${i}`);
    }
  }
  return {
    op, dim: d, index: is, src: src instanceof Tensor ? ss : srcT, iterShape: is.shape, indexShape: is.shape,
    indexStrides: is.strides, reduce: reduceCode, includeSelf, alpha: 1,
    value: src instanceof Tensor ? undefined : Number(src),
    inputs: src instanceof Tensor ? [x, index, src] : [x, index],
  };
}

function scatterImpl(op: keyof typeof SCATTER_CODE, name: string, x: Tensor, call: ScatterCall, inplace: boolean): Tensor {
  if (inplace) checkWritable(name, x);
  const attrs = { dim: call.dim, reduce: REDUCE_NAME[call.reduce], includeSelf: call.includeSelf, value: call.value };
  return dispatch(name, call.inputs, attrs, () => {
    if (inplace) {
      scatterInto(atLeast1d(x), call);
      x._st.version++;
      return x;
    }
    const out = x._copyAs(x.dtype);
    scatterInto(atLeast1d(out), call);
    return out;
  });
}

/**
 * torch.scatter: a copy of x with x[index[i][j]][j] = src[i][j] (dim 0); src may be a number.
 * With `reduce`, values combine with what is there (see scatterReduce). Writes happen in
 * row-major order of index, so with duplicate indices the last one wins.
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number, opts?: ScatterOptions): Tensor {
  const c = prepareScatter('scatter', x, dim, index, src, opts?.reduce, opts?.includeSelf ?? true);
  return scatterImpl('scatter', 'scatter', x, c, false);
}
export function scatter_(x: Tensor, dim: number, index: Tensor, src: Tensor | number, opts?: ScatterOptions): Tensor {
  const c = prepareScatter('scatter', x, dim, index, src, opts?.reduce, opts?.includeSelf ?? true);
  return scatterImpl('scatter', 'scatter_', x, c, true);
}

/** torch.scatter_add: duplicates accumulate, in a fixed (row-major) order. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor('scatterAdd', src, 'src');
  const c = prepareScatter('scatterAdd', x, dim, index, src, 'sum', true);
  return scatterImpl('scatterAdd', 'scatterAdd', x, c, false);
}
export function scatterAdd_(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor('scatterAdd_', src, 'src');
  const c = prepareScatter('scatterAdd', x, dim, index, src, 'sum', true);
  return scatterImpl('scatterAdd', 'scatterAdd_', x, c, true);
}

/**
 * torch.scatter_reduce: combines src into x at index with 'sum' | 'prod' | 'mean' | 'amax' | 'amin'.
 * includeSelf (default true) says whether x's own values take part; integer means round down.
 */
export function scatterReduce(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduceMode, opts?: { includeSelf?: boolean }): Tensor {
  checkTensor('scatterReduce', src, 'src');
  const c = prepareScatter('scatterReduce', x, dim, index, src, reduce ?? 'none', opts?.includeSelf ?? true);
  return scatterImpl('scatterReduce', 'scatterReduce', x, c, false);
}
export function scatterReduce_(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduceMode, opts?: { includeSelf?: boolean }): Tensor {
  checkTensor('scatterReduce_', src, 'src');
  const c = prepareScatter('scatterReduce', x, dim, index, src, reduce ?? 'none', opts?.includeSelf ?? true);
  return scatterImpl('scatterReduce', 'scatterReduce_', x, c, true);
}

function prepareIndexed(op: 'indexAdd' | 'indexCopy', x: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number): ScatterCall {
  checkIndex(op, index);
  checkTensor(op, source, 'source');
  const d = normalizeDim(dim, x.ndim, op);
  if (index.ndim > 1) throw new RangeError(`${op}: index must be a vector or a scalar, got shape ${shapeString(index.shape)}`);
  if (source.dtype !== x.dtype) throw new TypeError(`${op}: expected source of dtype ${x.dtype} (self's dtype), got ${source.dtype}`);
  if (typeof alpha !== 'number') throw new TypeError(`${op}: alpha must be a number`);
  if (!isFloatingDType(x.dtype) && !Number.isInteger(alpha)) throw new TypeError(`${op}: alpha must be an integer for dtype ${x.dtype}, got ${alpha}`);
  const xs = atLeast1d(x);
  const ss = atLeast1d(source);
  const n = index.numel();
  let ok = ss.ndim === xs.ndim && ss.shape[d] === n;
  for (let i = 0; ok && i < xs.ndim; i++) if (i !== d && ss.shape[i] !== xs.shape[i]) ok = false;
  if (!ok) {
    throw new RangeError(
      `${op}: source of shape ${shapeString(source.shape)} does not match self of shape ${shapeString(x.shape)} with ${n} indices along dimension ${d}`,
    );
  }
  return {
    op, dim: d, index, src: ss, iterShape: ss.shape,
    indexShape: ss.shape.map((_, i) => (i === d ? n : 1)),
    indexStrides: ss.shape.map((_, i) => (i === d && index.ndim === 1 ? index.strides[0]! : 0)),
    reduce: op === 'indexAdd' ? REDUCE_CODE.sum! : 0, includeSelf: true, alpha, inputs: [x, index, source],
  };
}

function runIndexed(name: string, x: Tensor, c: ScatterCall, inplace: boolean): Tensor {
  if (inplace) checkWritable(name, x);
  return dispatch(name, c.inputs, { dim: c.dim, alpha: c.alpha, value: c.value }, () => {
    const target = inplace ? x : x._copyAs(x.dtype);
    scatterInto(atLeast1d(target), c);
    if (inplace) x._st.version++;
    return target;
  });
}

/** torch.index_add: x[..., index[i], ...] += alpha * source[..., i, ...]; duplicates accumulate in order. */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor {
  return runIndexed('indexAdd', x, prepareIndexed('indexAdd', x, dim, index, source, opts?.alpha ?? 1), false);
}
export function indexAdd_(x: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor {
  return runIndexed('indexAdd_', x, prepareIndexed('indexAdd', x, dim, index, source, opts?.alpha ?? 1), true);
}

/** torch.index_copy: x[..., index[i], ...] = source[..., i, ...] (with duplicates, the last wins). */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  return runIndexed('indexCopy', x, prepareIndexed('indexCopy', x, dim, index, source, 1), false);
}
export function indexCopy_(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  return runIndexed('indexCopy_', x, prepareIndexed('indexCopy', x, dim, index, source, 1), true);
}

function prepareIndexFill(x: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): ScatterCall {
  const op = 'indexFill';
  checkIndex(op, index);
  const d = normalizeDim(dim, x.ndim, op);
  if (index.ndim > 1) throw new RangeError(`${op}: index must be a vector or a scalar, got shape ${shapeString(index.shape)}`);
  const v = fillValueOf(op, value);
  const xs = atLeast1d(x);
  const n = index.numel();
  const iterShape = withDim(xs.shape, d, n);
  return {
    op, dim: d, index, src: scalarTensor(v, x.dtype), iterShape,
    indexShape: iterShape.map((_, i) => (i === d ? n : 1)),
    indexStrides: iterShape.map((_, i) => (i === d && index.ndim === 1 ? index.strides[0]! : 0)),
    reduce: 0, includeSelf: true, alpha: 1, value: v,
    inputs: value instanceof Tensor ? [x, index, value] : [x, index],
  };
}

/** torch.index_fill: x with the slices at `index` along dim set to value (a number or a 0-d tensor). */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): Tensor {
  return runIndexed('indexFill', x, prepareIndexFill(x, dim, index, value), false);
}
export function indexFill_(x: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): Tensor {
  return runIndexed('indexFill_', x, prepareIndexFill(x, dim, index, value), true);
}

// ---- masks --------------------------------------------------------------------------------------

function fillValueOf(op: string, value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Tensor) {
    if (value.ndim !== 0) {
      throw new RangeError(`${op}: only supports a 0-dimensional value tensor, but got a tensor of shape ${shapeString(value.shape)}`);
    }
    return Number(value.item());
  }
  throw new TypeError(`${op}: expected value to be a number, a boolean or a 0-d tensor, got ${typeof value}`);
}

function maskedFillInto(target: Tensor, mask: Tensor, v: number): void {
  let p = putTensor(0, target);
  p = putStrided(p, mask, target.shape, expandedStrides(mask, target.shape));
  frame[p] = v;
  kernels.indexMaskedFill!();
}

/** torch.masked_fill: x where mask is false, value where it is true (mask and x broadcast). */
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  const op = 'maskedFill';
  checkMask(op, mask);
  const v = fillValueOf(op, value);
  const shape = broadcastShapes(op, x.shape, mask.shape);
  // A tensor value is an input of the op (so it can receive a gradient); a number is an attribute.
  const inputs = value instanceof Tensor ? [x, mask, value] : [x, mask];
  return dispatch(op, inputs, { value: v }, () => {
    let p = putStrided(0, x, shape, expandedStrides(x, shape));
    putOutput(p, x.dtype, shape);
    kernels.copyNew!();
    const out = takeOutput(0, x.dtype, shape);
    maskedFillInto(out, mask, v);
    return out;
  });
}

/** In-place maskedFill; mask must broadcast to x's shape. */
export function maskedFill_(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  const op = 'maskedFill_';
  checkMask(op, mask);
  const v = fillValueOf(op, value);
  const shape = broadcastShapes(op, x.shape, mask.shape);
  if (shape.length !== x.ndim || shape.some((s, i) => s !== x.shape[i])) {
    throw new RangeError(`${op}: mask of shape ${shapeString(mask.shape)} cannot be broadcast to self of shape ${shapeString(x.shape)}`);
  }
  checkWritable(op, x);
  return dispatch(op, [x, mask], { value: v }, () => {
    maskedFillInto(x, mask, v);
    x._st.version++;
    return x;
  });
}

/** torch.masked_select: the elements of x (broadcast with mask) where mask is true, as a 1-d tensor. */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  const op = 'maskedSelect';
  checkMask(op, mask);
  const shape = broadcastShapes(op, x.shape, mask.shape);
  return dispatch(op, [x, mask], undefined, () => {
    const p = putStrided(0, x, shape, expandedStrides(x, shape));
    putStrided(p, mask, shape, expandedStrides(mask, shape));
    kernels.indexMaskedSelect!();
    return takeOutput(0, x.dtype, [frame[1]!]);
  });
}

/**
 * torch.nonzero: the [n, ndim] int64 coordinates of the nonzero elements in row-major order, or
 * with `{ asTuple: true }` one 1-d int64 tensor per dim (a 0-d input counts as 1-d).
 */
export function nonzero(x: Tensor): Tensor;
export function nonzero(x: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[];
export function nonzero(x: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[] {
  const asTuple = opts?.asTuple === true;
  const src = asTuple ? atLeast1d(x) : x;
  const coords = dispatch('nonzero', [x], undefined, () => {
    putTensor(0, src);
    kernels.indexNonzero!();
    return takeOutput(0, 'int64', [frame[1]!, src.ndim]);
  });
  if (!asTuple) return coords;
  const n = coords.shape[0]!;
  const nd = src.ndim;
  return Array.from({ length: nd }, (_, j) => coords._view([n], [nd], j));
}

/** torch.argwhere: nonzero's [n, ndim] form. */
export function argwhere(x: Tensor): Tensor {
  return nonzero(x);
}

// ---- sorting ------------------------------------------------------------------------------------

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
  kernels.sortSort!();
  return { values: takeOutput(0, x.dtype, x.shape), indices: takeOutput(1, 'int64', x.shape) };
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
    kernels.sortTopk!();
    const shape = x.ndim === 0 ? [] : outShape;
    return { values: takeOutput(0, x.dtype, shape), indices: takeOutput(1, 'int64', shape) };
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
  kernels.sortKth!();
  const shape = x.ndim === 0 ? [] : keepdim ? keepShape : squeezeShape(xs.shape, d);
  return { values: takeOutput(0, x.dtype, shape), indices: takeOutput(1, 'int64', shape) };
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
    let values: Tensor;
    let inverse: Tensor | undefined;
    let counts: Tensor | undefined;
    if (d === undefined || x.ndim === 0) {
      let p = putTensor(0, x);
      frame[p++] = wantInv ? 1 : 0;
      frame[p++] = wantCnt ? 1 : 0;
      frame[p++] = 0;
      kernels.sortUnique!();
      const k = (wantInv ? 1 : 0) + (wantCnt ? 1 : 0);
      const u = frame[1 + k]!;
      values = takeOutput(0, x.dtype, [u]);
      if (wantInv) inverse = takeOutput(1, 'int64', x.shape);
      if (wantCnt) counts = takeOutput(wantInv ? 2 : 1, 'int64', [u]);
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
      kernels.sortUnique!();
      const k = (wantInv ? 1 : 0) + (wantCnt ? 1 : 0);
      const u = frame[1 + k]!;
      const pos = takeOutput(0, 'int64', [u]);
      if (wantInv) inverse = takeOutput(1, 'int64', [n]);
      if (wantCnt) counts = takeOutput(wantInv ? 2 : 1, 'int64', [u]);
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

/** F.one_hot: an int64 tensor of shape [...x.shape, numClasses] (numClasses -1: max + 1). */
export function oneHot(x: Tensor, numClasses = -1): Tensor {
  const op = 'oneHot';
  checkIndex(op, x, 'input');
  if (!Number.isInteger(numClasses) || numClasses < -1) throw new RangeError(`${op}: numClasses must be -1 or a non-negative integer, got ${numClasses}`);
  return dispatch(op, [x], { numClasses }, () => {
    const p = putTensor(0, x);
    frame[p] = numClasses;
    kernels.indexOneHot!();
    return takeOutput(0, 'int64', [...x.shape, frame[1]!]);
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
  else if (typeof values === 'number') vals = scalarTensor(values, isFloatingDType(sortedSequence.dtype) || Number.isInteger(values) ? sortedSequence.dtype : 'float32');
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
    kernels.sortSearchsorted!();
    return takeOutput(0, outDtype, vals.shape);
  });
}

// ---- methods ------------------------------------------------------------------------------------

const proto = Tensor.prototype;
proto.indexSelect = function (this: Tensor, dim, index) { return indexSelect(this, dim, index); };
proto.gather = function (this: Tensor, dim, index) { return gather(this, dim, index); };
proto.scatter = function (this: Tensor, dim, index, src, opts) { return scatter(this, dim, index, src, opts); };
proto.scatter_ = function (this: Tensor, dim, index, src, opts) { return scatter_(this, dim, index, src, opts); };
proto.scatterAdd = function (this: Tensor, dim, index, src) { return scatterAdd(this, dim, index, src); };
proto.scatterAdd_ = function (this: Tensor, dim, index, src) { return scatterAdd_(this, dim, index, src); };
proto.scatterReduce = function (this: Tensor, dim, index, src, reduce, opts) { return scatterReduce(this, dim, index, src, reduce, opts); };
proto.scatterReduce_ = function (this: Tensor, dim, index, src, reduce, opts) { return scatterReduce_(this, dim, index, src, reduce, opts); };
proto.indexAdd = function (this: Tensor, dim, index, source, opts) { return indexAdd(this, dim, index, source, opts); };
proto.indexAdd_ = function (this: Tensor, dim, index, source, opts) { return indexAdd_(this, dim, index, source, opts); };
proto.indexCopy = function (this: Tensor, dim, index, source) { return indexCopy(this, dim, index, source); };
proto.indexCopy_ = function (this: Tensor, dim, index, source) { return indexCopy_(this, dim, index, source); };
proto.indexFill = function (this: Tensor, dim, index, value) { return indexFill(this, dim, index, value); };
proto.indexFill_ = function (this: Tensor, dim, index, value) { return indexFill_(this, dim, index, value); };
proto.maskedFill = function (this: Tensor, mask, value) { return maskedFill(this, mask, value); };
proto.maskedFill_ = function (this: Tensor, mask, value) { return maskedFill_(this, mask, value); };
proto.maskedSelect = function (this: Tensor, mask) { return maskedSelect(this, mask); };
proto.nonzero = function (this: Tensor, opts?: { asTuple?: boolean }) { return nonzero(this, opts); } as Tensor['nonzero'];
proto.take = function (this: Tensor, index) { return take(this, index); };
proto.takeAlongDim = function (this: Tensor, indices, dim) { return takeAlongDim(this, indices, dim); };
proto.sort = function (this: Tensor, dim?: number | (SortOptions & { dim?: number }), opts?: SortOptions) { return sort(this, dim, opts); } as Tensor['sort'];
proto.argsort = function (this: Tensor, dim?: number | (SortOptions & { dim?: number }), opts?: SortOptions) { return argsort(this, dim, opts); } as Tensor['argsort'];
proto.topk = function (this: Tensor, k: number, dim?: number | (TopkOptions & { dim?: number }), opts?: TopkOptions) { return topk(this, k, dim, opts); } as Tensor['topk'];
proto.kthvalue = function (this: Tensor, k, dim, opts) { return kthvalue(this, k, dim, opts); };
proto.median = function (this: Tensor, dim?: number, opts?: { keepdim?: boolean }) {
  return dim === undefined ? median(this) : median(this, dim, opts);
} as Tensor['median'];
proto.unique = function (this: Tensor, opts?: UniqueOptions) { return unique(this, opts ?? {}); } as Tensor['unique'];
proto.oneHot = function (this: Tensor, numClasses?: number) { return oneHot(this, numClasses); };
proto.searchsorted = function (this: Tensor, values, opts) { return searchsorted(this, values, opts); };
