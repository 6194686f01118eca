/**
 * The reduction op family: sum, mean, prod, max/min (with indices), amax/amin, argmax/argmin,
 * var/std (and varMean/stdMean), logsumexp, norm, all/any, countNonzero, cumsum/cumprod,
 * softmax/logSoftmax. Each is a function and a Tensor method with PyTorch's names, defaults and
 * result dtypes. float16/bfloat16 inputs are computed in float32 and converted back.
 */
import { native } from '@cinder/native';
import { dispatch } from '../dispatch.js';
import { checkDType, getDefaultDType, isFloatingDType, type DType } from '../dtype.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { normalizeDims, shapeString } from '../shape.js';
import { normalizeDim, Tensor } from '../tensor.js';

/** A dim, a list of dims, or nothing (every dim). */
export type Dims = number | readonly number[] | null | undefined;

export interface ReduceOptions {
  keepdim?: boolean;
}
export interface SumOptions extends ReduceOptions {
  /** Cast the input to this dtype before reducing (PyTorch's `dtype=`). */
  dtype?: DType;
}
export interface VarOptions extends ReduceOptions {
  /** Difference between the sample size and the degrees of freedom (default 1: Bessel's correction). */
  correction?: number;
  /** Older spelling: true is correction 1, false is correction 0. */
  unbiased?: boolean;
}
export interface ScanOptions {
  dtype?: DType;
}

/** The named tuple of max/min with a dim. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

declare module '../tensor.js' {
  interface Tensor {
    sum(dim?: Dims | SumOptions, opts?: SumOptions): Tensor;
    mean(dim?: Dims | SumOptions, opts?: SumOptions): Tensor;
    prod(dim?: Dims | SumOptions, opts?: SumOptions): Tensor;
    /** No dim: the maximum as a 0-d tensor. With a dim: `{ values, indices }`. */
    max(): Tensor;
    max(dim: number, opts?: ReduceOptions): ValuesIndices;
    min(): Tensor;
    min(dim: number, opts?: ReduceOptions): ValuesIndices;
    amax(dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor;
    amin(dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor;
    argmax(dim?: number | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    argmin(dim?: number | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    var(dim?: Dims | boolean | VarOptions, opts?: VarOptions): Tensor;
    std(dim?: Dims | boolean | VarOptions, opts?: VarOptions): Tensor;
    logsumexp(dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor;
    norm(p?: number | 'fro' | null, dim?: Dims, opts?: SumOptions): Tensor;
    all(dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor;
    any(dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor;
    countNonzero(dim?: Dims): Tensor;
    cumsum(dim: number, opts?: ScanOptions): Tensor;
    cumprod(dim: number, opts?: ScanOptions): Tensor;
    softmax(dim: number, opts?: ScanOptions): Tensor;
    logSoftmax(dim: number, opts?: ScanOptions): Tensor;
  }
}

// ---- plumbing ------------------------------------------------------------------------------

// Op codes come from the native side so the two cannot drift.
type CodeTable = Record<string, number> | undefined;
const codes = native as unknown as { reduceOps: CodeTable; reduceArgOps: CodeTable; reduceLineOps: CodeTable };
function codeIn(table: CodeTable, name: string): number {
  const c = table?.[name];
  if (c === undefined) throw new Error(`${name}: the native core has no reduction '${name}' (rebuild @cinder/native)`);
  return c;
}
const opCode = (name: string): number => codeIn(codes.reduceOps, name);

function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor);
}

/** Accepts `(dim, opts)`, `(opts)` or `()`. */
function splitArgs<O>(dim: unknown, opts: O | undefined): [Dims, O] {
  if (isOptions(dim)) return [undefined, dim as O];
  return [dim as Dims, (opts ?? {}) as O];
}

function checkTensor(x: unknown, op: string): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  return x;
}

/** Sorted unique non-negative dims; an absent dim or an empty list means every dim. */
function reduceDimsOf(x: Tensor, dim: Dims, op: string): number[] {
  if (dim === null || dim === undefined) return normalizeDims(undefined, x.ndim, op);
  if (typeof dim !== 'number' && !Array.isArray(dim)) {
    throw new TypeError(`${op}: dim must be a number or an array of numbers, got ${typeof dim}`);
  }
  if (Array.isArray(dim) && dim.length === 0) return normalizeDims(undefined, x.ndim, op);
  return normalizeDims(dim, x.ndim, op).filter((d) => d < x.ndim);
}

function outShape(x: Tensor, dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < x.ndim; d++) {
    if (dims.includes(d)) {
      if (keepdim) out.push(1);
    } else out.push(x.shape[d]!);
  }
  return out;
}

function reducedCount(x: Tensor, dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= x.shape[d]!;
  return n;
}

function cast(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : x._copyAs(dtype);
}

function isHalf(d: DType): boolean {
  return d === 'float16' || d === 'bfloat16';
}

/** float16/bfloat16 are storage types: reductions compute in float32. */
function computeInput(x: Tensor): Tensor {
  return isHalf(x.dtype) ? x._copyAs('float32') : x;
}

function checkNonEmpty(x: Tensor, dims: readonly number[], op: string): void {
  if (x.numel() === 0 && reducedCount(x, dims) === 0) {
    const specify = dims.length === x.ndim ? '; specify a dim of nonzero size' : '';
    throw new RangeError(
      `${op}: cannot reduce over a zero-size dimension of a tensor of shape ${shapeString(x.shape)} (the operation has no identity)${specify}`,
    );
  }
}

/** Runs one native dim reduction; `x` must already have a dtype the kernel accepts. */
function runReduce(
  name: string, x: Tensor, dims: readonly number[], keepdim: boolean, outDtype: DType,
  param = 0, param2 = 0, aux?: Tensor,
): Tensor {
  const shape = outShape(x, dims, keepdim);
  frame[0] = opCode(name);
  let p = putTensor(1, x);
  p = putOutput(p, outDtype, shape);
  for (let d = 0; d < x.ndim; d++) frame[p++] = dims.includes(d) ? 1 : 0;
  frame[p++] = param;
  frame[p++] = param2;
  frame[p++] = aux ? 1 : 0;
  if (aux) putTensor(p, aux);
  const dev = x.device;
  runOn('reduce', dev, name);
  return takeOutput(0, outDtype, shape, dev);
}

/** Converts a float32 result back to the half type the input had. */
function finishHalf(out: Tensor, dtype: DType): Tensor {
  return isHalf(dtype) && out.dtype === 'float32' ? out._copyAs(dtype) : out;
}

// ---- sum / mean / prod ------------------------------------------------------------------------

function sumLike(op: 'sum' | 'prod', x: Tensor, dim: unknown, opts: SumOptions | undefined): Tensor {
  checkTensor(x, op);
  const [d, o] = splitArgs<SumOptions>(dim, opts);
  const dims = reduceDimsOf(x, d, op);
  const keepdim = o.keepdim ?? false;
  const dtype = o.dtype === undefined ? undefined : checkDType(o.dtype, op);
  return dispatch(op, [x], { dim: dims, keepdim, dtype }, () => {
    const xin = dtype === undefined ? x : cast(x, dtype);
    const xc = computeInput(xin);
    const outDtype = isFloatingDType(xc.dtype) ? xc.dtype : 'int64';
    return finishHalf(runReduce(op, xc, dims, keepdim, outDtype), xin.dtype);
  });
}

/** Sum over `dim` (every dim when absent). Integer and bool inputs sum to int64, as in PyTorch. */
export function sum(x: Tensor, dim?: Dims | SumOptions, opts?: SumOptions): Tensor {
  return sumLike('sum', x, dim, opts);
}

/** Product over `dim`; integer and bool inputs give int64. */
export function prod(x: Tensor, dim?: Dims | SumOptions, opts?: SumOptions): Tensor {
  return sumLike('prod', x, dim, opts);
}

function meanImpl(x: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  const xc = computeInput(x);
  return finishHalf(runReduce('mean', xc, dims, keepdim, xc.dtype), x.dtype);
}

/** Arithmetic mean; floating inputs only, unless `dtype` names a floating dtype to compute in. */
export function mean(x: Tensor, dim?: Dims | SumOptions, opts?: SumOptions): Tensor {
  checkTensor(x, 'mean');
  const [d, o] = splitArgs<SumOptions>(dim, opts);
  const dims = reduceDimsOf(x, d, 'mean');
  const keepdim = o.keepdim ?? false;
  const dtype = o.dtype === undefined ? undefined : checkDType(o.dtype, 'mean');
  const target = dtype ?? x.dtype;
  if (!isFloatingDType(target)) {
    throw new TypeError(
      `mean: could not infer the output dtype: the input dtype must be floating, got ${target} ` +
        `(shape ${shapeString(x.shape)}); pass { dtype: 'float32' } to compute the mean of integers`,
    );
  }
  return dispatch('mean', [x], { dim: dims, keepdim, dtype }, () => meanImpl(cast(x, target), dims, keepdim));
}

// ---- max / min / amax / amin / argmax / argmin -------------------------------------------------

function amaxImpl(op: string, name: 'amax' | 'amin', x: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  checkNonEmpty(x, dims, op);
  const xc = computeInput(x);
  return finishHalf(runReduce(name, xc, dims, keepdim, xc.dtype), x.dtype);
}

/** Maximum over several dims (every dim by default); NaN propagates. */
export function amax(x: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor {
  checkTensor(x, 'amax');
  const [d, o] = splitArgs<ReduceOptions>(dim, opts);
  const dims = reduceDimsOf(x, d, 'amax');
  const keepdim = o.keepdim ?? false;
  return dispatch('amax', [x], { dim: dims, keepdim }, () => amaxImpl('amax', 'amax', x, dims, keepdim));
}

/** Minimum over several dims (every dim by default); NaN propagates. */
export function amin(x: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor {
  checkTensor(x, 'amin');
  const [d, o] = splitArgs<ReduceOptions>(dim, opts);
  const dims = reduceDimsOf(x, d, 'amin');
  const keepdim = o.keepdim ?? false;
  return dispatch('amin', [x], { dim: dims, keepdim }, () => amaxImpl('amin', 'amin', x, dims, keepdim));
}

function runArg(op: 'argmax' | 'argmin' | 'max' | 'min', x: Tensor, dims: readonly number[], keepdim: boolean, shape?: number[]): Tensor[] {
  checkNonEmpty(x, dims, op);
  const xc = computeInput(x);
  const outS = shape ?? outShape(xc, dims, keepdim);
  frame[0] = codeIn(codes.reduceArgOps, op);
  let p = putTensor(1, xc);
  for (let d = 0; d < xc.ndim; d++) frame[p++] = dims.includes(d) ? 1 : 0;
  const withValues = op === 'max' || op === 'min';
  if (withValues) p = putOutput(p, xc.dtype, outS);
  putOutput(p, 'int64', outS);
  const dev = xc.device;
  runOn('reduceArg', dev, op);
  if (!withValues) return [takeOutput(0, 'int64', outS, dev)];
  return [finishHalf(takeOutput(0, xc.dtype, outS, dev), x.dtype), takeOutput(1, 'int64', outS, dev)];
}

function maxMin(op: 'max' | 'min', x: Tensor, dim: unknown, opts: ReduceOptions | undefined): Tensor | ValuesIndices {
  checkTensor(x, op);
  if (dim instanceof Tensor) {
    throw new TypeError(`${op}: the elementwise ${op} of two tensors is ${op === 'max' ? 'maximum' : 'minimum'}(a, b)`);
  }
  if (dim === undefined || dim === null || isOptions(dim)) {
    const all = reduceDimsOf(x, undefined, op);
    return dispatch(op, [x], { dim: null, keepdim: false }, () => amaxImpl(op, op === 'max' ? 'amax' : 'amin', x, all, false));
  }
  if (typeof dim !== 'number') throw new TypeError(`${op}: dim must be a number, got ${Array.isArray(dim) ? 'an array' : typeof dim}`);
  const d = normalizeDim(dim, x.ndim, op);
  const dims = x.ndim === 0 ? [] : [d];
  const keepdim = opts?.keepdim ?? false;
  return dispatch(op, [x], { dim: d, keepdim }, () => {
    const [values, indices] = runArg(op, x, dims, keepdim);
    return { values: values!, indices: indices! };
  });
}

/** `max(x)`: the maximum (0-d). `max(x, dim, { keepdim })`: `{ values, indices }` (first index on ties; NaN is the max). */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, opts?: ReduceOptions): ValuesIndices;
export function max(x: Tensor, dim?: number, opts?: ReduceOptions): Tensor | ValuesIndices {
  return maxMin('max', x, dim, opts);
}

/** `min(x)`: the minimum (0-d). `min(x, dim, { keepdim })`: `{ values, indices }`. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, opts?: ReduceOptions): ValuesIndices;
export function min(x: Tensor, dim?: number, opts?: ReduceOptions): Tensor | ValuesIndices {
  return maxMin('min', x, dim, opts);
}

function argImpl(op: 'argmax' | 'argmin', x: Tensor, dim: unknown, opts: ReduceOptions | undefined): Tensor {
  checkTensor(x, op);
  const [dm, o] = splitArgs<ReduceOptions>(dim, opts);
  const keepdim = o.keepdim ?? false;
  if (dm === undefined || dm === null) {
    // The flat index into the row-major order of x.
    const all = reduceDimsOf(x, undefined, op);
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return dispatch(op, [x], { dim: null, keepdim }, () => runArg(op, x, all, keepdim, shape)[0]!);
  }
  if (typeof dm !== 'number') throw new TypeError(`${op}: dim must be a number, got ${Array.isArray(dm) ? 'an array' : typeof dm}`);
  const d = normalizeDim(dm, x.ndim, op);
  const dims = x.ndim === 0 ? [] : [d];
  return dispatch(op, [x], { dim: d, keepdim }, () => runArg(op, x, dims, keepdim)[0]!);
}

/** Index of the maximum (int64): along `dim`, or into the flattened tensor when dim is absent. */
export function argmax(x: Tensor, dim?: number | null | ReduceOptions, opts?: ReduceOptions): Tensor {
  return argImpl('argmax', x, dim, opts);
}

/** Index of the minimum (int64): along `dim`, or into the flattened tensor when dim is absent. */
export function argmin(x: Tensor, dim?: number | null | ReduceOptions, opts?: ReduceOptions): Tensor {
  return argImpl('argmin', x, dim, opts);
}

// ---- var / std / logsumexp / norm --------------------------------------------------------------

function varArgs(op: string, x: Tensor, dim: unknown, opts: VarOptions | undefined): { dims: number[]; keepdim: boolean; correction: number } {
  checkTensor(x, op);
  let o: VarOptions = opts ?? {};
  let d: Dims;
  if (typeof dim === 'boolean') o = { ...o, unbiased: dim };
  else [d, o] = splitArgs<VarOptions>(dim, opts);
  if (o.correction !== undefined && o.unbiased !== undefined) {
    throw new TypeError(`${op}: pass either correction or unbiased, not both`);
  }
  const correction = o.correction ?? (o.unbiased === false ? 0 : 1);
  if (typeof correction !== 'number' || !Number.isFinite(correction)) {
    throw new TypeError(`${op}: correction must be a finite number, got ${String(correction)}`);
  }
  if (!isFloatingDType(x.dtype)) {
    throw new TypeError(`${op}: expected a floating point input, got ${x.dtype} (shape ${shapeString(x.shape)})`);
  }
  return { dims: reduceDimsOf(x, d as Dims, op), keepdim: o.keepdim ?? false, correction };
}

function varImpl(x: Tensor, dims: readonly number[], keepdim: boolean, correction: number, sqrt: boolean): [Tensor, Tensor] {
  const xc = computeInput(x);
  const m = runReduce('mean', xc, dims, keepdim, xc.dtype);
  const v = runReduce('var', xc, dims, keepdim, xc.dtype, correction, sqrt ? 1 : 0, m);
  return [finishHalf(v, x.dtype), finishHalf(m, x.dtype)];
}

/** Variance over `dim` with `correction` (default 1); `x.var(false)` is the biased variance. */
export function variance(x: Tensor, dim?: Dims | boolean | VarOptions, opts?: VarOptions): Tensor {
  const a = varArgs('var', x, dim, opts);
  return dispatch('var', [x], { dim: a.dims, keepdim: a.keepdim, correction: a.correction }, () => varImpl(x, a.dims, a.keepdim, a.correction, false)[0]);
}
export { variance as var };

/** Standard deviation over `dim` with `correction` (default 1). */
export function std(x: Tensor, dim?: Dims | boolean | VarOptions, opts?: VarOptions): Tensor {
  const a = varArgs('std', x, dim, opts);
  return dispatch('std', [x], { dim: a.dims, keepdim: a.keepdim, correction: a.correction }, () => varImpl(x, a.dims, a.keepdim, a.correction, true)[0]);
}

/** torch.var_mean: `[var, mean]`. */
export function varMean(x: Tensor, dim?: Dims | boolean | VarOptions, opts?: VarOptions): [Tensor, Tensor] {
  const a = varArgs('varMean', x, dim, opts);
  return dispatch('varMean', [x], { dim: a.dims, keepdim: a.keepdim, correction: a.correction }, () => varImpl(x, a.dims, a.keepdim, a.correction, false));
}

/** torch.std_mean: `[std, mean]`. */
export function stdMean(x: Tensor, dim?: Dims | boolean | VarOptions, opts?: VarOptions): [Tensor, Tensor] {
  const a = varArgs('stdMean', x, dim, opts);
  return dispatch('stdMean', [x], { dim: a.dims, keepdim: a.keepdim, correction: a.correction }, () => varImpl(x, a.dims, a.keepdim, a.correction, true));
}

/** log(sum(exp(x))) over `dim`, computed stably (shifted by the max). Integer inputs give the default float dtype. */
export function logsumexp(x: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor {
  checkTensor(x, 'logsumexp');
  const [d, o] = splitArgs<ReduceOptions>(dim, opts);
  const dims = reduceDimsOf(x, d, 'logsumexp');
  const keepdim = o.keepdim ?? false;
  return dispatch('logsumexp', [x], { dim: dims, keepdim }, () => {
    const xf = isFloatingDType(x.dtype) ? x : cast(x, getDefaultDType());
    const xc = computeInput(xf);
    const aux = reducedCount(xc, dims) === 0 ? undefined : runReduce('amax', xc, dims, keepdim, xc.dtype);
    return finishHalf(runReduce('logsumexp', xc, dims, keepdim, xc.dtype, 0, 0, aux), xf.dtype);
  });
}

/**
 * Vector p-norm over `dim` (every dim by default), as torch.norm: p = 2 (default, also 'fro'),
 * 1, Infinity, -Infinity, 0 (count of nonzeros) or any other real p.
 */
export function norm(x: Tensor, p: number | 'fro' | null = 'fro', dim?: Dims, opts?: SumOptions): Tensor {
  checkTensor(x, 'norm');
  const o = opts ?? {};
  let pv: number;
  if (p === 'fro' || p === null || p === undefined) pv = 2;
  else if (typeof p === 'number' && !Number.isNaN(p)) pv = p;
  else throw new TypeError(`norm: unsupported norm type ${JSON.stringify(p)} (expected a number or 'fro'; for 'nuc' use linalg.matrixNorm)`);
  const dims = reduceDimsOf(x, dim, 'norm');
  const keepdim = o.keepdim ?? false;
  const dtype = o.dtype === undefined ? undefined : checkDType(o.dtype, 'norm');
  const target = dtype ?? x.dtype;
  if (!isFloatingDType(target)) {
    throw new TypeError(`norm: expected a floating point input, got ${target} (shape ${shapeString(x.shape)})`);
  }
  if (!Number.isFinite(pv)) checkNonEmpty(x, dims, 'norm');
  return dispatch('norm', [x], { p: pv, dim: dims, keepdim, dtype }, () => {
    const xin = cast(x, target);
    const xc = computeInput(xin);
    return finishHalf(runReduce('norm', xc, dims, keepdim, xc.dtype, pv), xin.dtype);
  });
}

// ---- all / any / countNonzero ------------------------------------------------------------------

function logical(op: 'all' | 'any', x: Tensor, dim: unknown, opts: ReduceOptions | undefined): Tensor {
  checkTensor(x, op);
  const [d, o] = splitArgs<ReduceOptions>(dim, opts);
  const dims = reduceDimsOf(x, d, op);
  const keepdim = o.keepdim ?? false;
  return dispatch(op, [x], { dim: dims, keepdim }, () => {
    // PyTorch keeps uint8 for uint8 inputs; everything else gives bool.
    const outDtype: DType = x.dtype === 'uint8' ? 'uint8' : 'bool';
    return runReduce(op, computeInput(x), dims, keepdim, outDtype);
  });
}

/** True where every element over `dim` is nonzero (bool; uint8 for uint8 input, as PyTorch). */
export function all(x: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor {
  return logical('all', x, dim, opts);
}

/** True where any element over `dim` is nonzero (bool; uint8 for uint8 input, as PyTorch). */
export function any(x: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor {
  return logical('any', x, dim, opts);
}

/** Number of nonzero elements over `dim` (every dim by default), as int64. */
export function countNonzero(x: Tensor, dim?: Dims): Tensor {
  checkTensor(x, 'countNonzero');
  const dims = reduceDimsOf(x, dim, 'countNonzero');
  return dispatch('countNonzero', [x], { dim: dims }, () => runReduce('countNonzero', computeInput(x), dims, false, 'int64'));
}

// ---- cumsum / cumprod / softmax / logSoftmax -----------------------------------------------------

function runLine(op: 'cumsum' | 'cumprod' | 'softmax' | 'logSoftmax', x: Tensor, dim: number, outDtype: DType): Tensor {
  // A 0-d tensor is one line of one element.
  const xv = x.ndim === 0 ? x._view([1], [1], x.offset) : x;
  const d = x.ndim === 0 ? 0 : dim;
  frame[0] = codeIn(codes.reduceLineOps, op);
  let p = putTensor(1, xv);
  frame[p++] = d;
  putOutput(p, outDtype, xv.shape);
  const dev = x.device;
  runOn('reduceLine', dev, op);
  return takeOutput(0, outDtype, x.shape, dev);
}

function scan(op: 'cumsum' | 'cumprod', x: Tensor, dim: number, opts: ScanOptions | undefined): Tensor {
  checkTensor(x, op);
  if (typeof dim !== 'number') throw new TypeError(`${op}: dim is required (a number), got ${String(dim)}`);
  const d = normalizeDim(dim, x.ndim, op);
  const dtype = opts?.dtype === undefined ? undefined : checkDType(opts.dtype, op);
  return dispatch(op, [x], { dim: d, dtype }, () => {
    const xin = dtype === undefined ? x : cast(x, dtype);
    const xc = computeInput(xin);
    const outDtype = isFloatingDType(xc.dtype) ? xc.dtype : 'int64';
    return finishHalf(runLine(op, xc, d, outDtype), xin.dtype);
  });
}

/** Cumulative sum along `dim`; integer and bool inputs give int64. */
export function cumsum(x: Tensor, dim: number, opts?: ScanOptions): Tensor {
  return scan('cumsum', x, dim, opts);
}

/** Cumulative product along `dim`; integer and bool inputs give int64. */
export function cumprod(x: Tensor, dim: number, opts?: ScanOptions): Tensor {
  return scan('cumprod', x, dim, opts);
}

function softmaxLike(op: 'softmax' | 'logSoftmax', x: Tensor, dim: number, opts: ScanOptions | undefined): Tensor {
  checkTensor(x, op);
  if (typeof dim !== 'number') throw new TypeError(`${op}: dim is required (a number), got ${String(dim)}`);
  const d = normalizeDim(dim, x.ndim, op);
  const dtype = opts?.dtype === undefined ? undefined : checkDType(opts.dtype, op);
  const target = dtype ?? x.dtype;
  if (!isFloatingDType(target)) {
    throw new TypeError(`${op}: expected a floating point input, got ${target} (shape ${shapeString(x.shape)}); pass { dtype: 'float32' }`);
  }
  return dispatch(op, [x], { dim: d, dtype }, () => {
    const xin = cast(x, target);
    const xc = computeInput(xin);
    return finishHalf(runLine(op, xc, d, xc.dtype), xin.dtype);
  });
}

/** softmax along `dim`, fused and stable (the max is subtracted first). */
export function softmax(x: Tensor, dim: number, opts?: ScanOptions): Tensor {
  return softmaxLike('softmax', x, dim, opts);
}

/** log(softmax(x)) along `dim`, computed directly as x - max - log(sum(exp(x - max))). */
export function logSoftmax(x: Tensor, dim: number, opts?: ScanOptions): Tensor {
  return softmaxLike('logSoftmax', x, dim, opts);
}

// ---- methods ---------------------------------------------------------------------------------

const proto = Tensor.prototype;
proto.sum = function (this: Tensor, dim?: Dims | SumOptions, opts?: SumOptions) { return sum(this, dim, opts); };
proto.mean = function (this: Tensor, dim?: Dims | SumOptions, opts?: SumOptions) { return mean(this, dim, opts); };
proto.prod = function (this: Tensor, dim?: Dims | SumOptions, opts?: SumOptions) { return prod(this, dim, opts); };
proto.max = function (this: Tensor, dim?: number, opts?: ReduceOptions) { return maxMin('max', this, dim, opts); } as Tensor['max'];
proto.min = function (this: Tensor, dim?: number, opts?: ReduceOptions) { return maxMin('min', this, dim, opts); } as Tensor['min'];
proto.amax = function (this: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions) { return amax(this, dim, opts); };
proto.amin = function (this: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions) { return amin(this, dim, opts); };
proto.argmax = function (this: Tensor, dim?: number | null | ReduceOptions, opts?: ReduceOptions) { return argmax(this, dim, opts); };
proto.argmin = function (this: Tensor, dim?: number | null | ReduceOptions, opts?: ReduceOptions) { return argmin(this, dim, opts); };
proto.var = function (this: Tensor, dim?: Dims | boolean | VarOptions, opts?: VarOptions) { return variance(this, dim, opts); };
proto.std = function (this: Tensor, dim?: Dims | boolean | VarOptions, opts?: VarOptions) { return std(this, dim, opts); };
proto.logsumexp = function (this: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions) { return logsumexp(this, dim, opts); };
proto.norm = function (this: Tensor, p?: number | 'fro' | null, dim?: Dims, opts?: SumOptions) { return norm(this, p ?? 'fro', dim, opts); };
proto.all = function (this: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions) { return all(this, dim, opts); };
proto.any = function (this: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions) { return any(this, dim, opts); };
proto.countNonzero = function (this: Tensor, dim?: Dims) { return countNonzero(this, dim); };
proto.cumsum = function (this: Tensor, dim: number, opts?: ScanOptions) { return cumsum(this, dim, opts); };
proto.cumprod = function (this: Tensor, dim: number, opts?: ScanOptions) { return cumprod(this, dim, opts); };
proto.softmax = function (this: Tensor, dim: number, opts?: ScanOptions) { return softmax(this, dim, opts); };
proto.logSoftmax = function (this: Tensor, dim: number, opts?: ScanOptions) { return logSoftmax(this, dim, opts); };
