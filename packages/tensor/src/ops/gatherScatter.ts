/**
 * Reading and writing at index tensors: indexSelect, gather, takeAlongDim, take, the scatter
 * family (scatter, scatterAdd, scatterReduce, indexAdd, indexCopy, indexFill and their in-place
 * forms) and oneHot. PyTorch semantics; indices are int64 (int32 is accepted too) and every index
 * is bounds-checked natively. A negative index in [-size, 0) counts from the end (PyTorch only
 * allows that in take); anything outside [-size, size) is an error.
 */
import { scalarTensor } from '../creation.js';
import { dispatch } from '../dispatch.js';
import { isFloatingDType } from '../dtype.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { broadcastShapes, shapeString } from '../shape.js';
import { normalizeDim, Tensor } from '../tensor.js';
import {
  atLeast1d, checkIndex, checkTensor, checkWritable, expandedStrides, fillValueOf, gatherKernel, indexSelectKernel,
  putStrided, withDim,
} from './indexingCommon.js';

export type ScatterReduceMode = 'sum' | 'prod' | 'mean' | 'amax' | 'amin';

export interface ScatterOptions {
  /** Combine instead of overwrite ('add' and 'multiply' are PyTorch's older spellings of sum/prod). */
  reduce?: ScatterReduceMode | 'add' | 'multiply';
  /** With reduce: whether self's values take part (scatterReduce's include_self). Default true. */
  includeSelf?: boolean;
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
    take(index: Tensor): Tensor;
    takeAlongDim(indices: Tensor, dim?: number): Tensor;
    oneHot(numClasses?: number): Tensor;
  }
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
    const dev = x.device;
    runOn('indexGather', dev, op);
    return takeOutput(0, x.dtype, x.ndim === 0 ? [] : iShape, dev);
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
    const dev = x.device;
    runOn('indexTake', dev, op);
    return takeOutput(0, x.dtype, index.shape, dev);
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
  const dev = target.device;
  runOn('indexScatter', dev, c.op);
  if (work !== target) {
    const q = putTensor(0, work);
    putTensor(q, target);
    runOn('copyInto', dev, c.op);
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
    srcT = scalarTensor(src, x.dtype, x.device);
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
    op, dim: d, index, src: scalarTensor(v, x.dtype, x.device), iterShape,
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

// ---- oneHot -------------------------------------------------------------------------------------

/** F.one_hot: an int64 tensor of shape [...x.shape, numClasses] (numClasses -1: max + 1). */
export function oneHot(x: Tensor, numClasses = -1): Tensor {
  const op = 'oneHot';
  checkIndex(op, x, 'input');
  if (!Number.isInteger(numClasses) || numClasses < -1) throw new RangeError(`${op}: numClasses must be -1 or a non-negative integer, got ${numClasses}`);
  return dispatch(op, [x], { numClasses }, () => {
    const p = putTensor(0, x);
    frame[p] = numClasses;
    const dev = x.device;
    runOn('indexOneHot', dev, op);
    return takeOutput(0, 'int64', [...x.shape, frame[1]!], dev);
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
proto.take = function (this: Tensor, index) { return take(this, index); };
proto.takeAlongDim = function (this: Tensor, indices, dim) { return takeAlongDim(this, indices, dim); };
proto.oneHot = function (this: Tensor, numClasses?: number) { return oneHot(this, numClasses); };
