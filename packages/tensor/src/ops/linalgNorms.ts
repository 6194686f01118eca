/**
 * The norms of the `linalg` namespace (vectorNorm, matrixNorm, norm) and the two quantities read off
 * the singular values beside them (matrixRank, cond). Exported for linalg.ts, which assembles the
 * namespace; the package does not re-export this module.
 */
import { dispatch } from '../dispatch.js';
import { contiguousStrides, frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { numelOf, shapeString } from '../shape.js';
import { normalizeDim, type Tensor } from '../tensor.js';
import { fromTypedArray as tensorFrom } from '../creation.js';
import { checkFloatInput, checkMatrix, checkSquare, fromValues, permuteView } from './linalgCommon.js';
import { solveCore, svdvalsCore } from './linalgDecompositions.js';

/** Number of singular values above max(atol, rtol * largest) (rtol defaults to max(m, n) * eps). */
export function matrixRank(A: Tensor, opts: { atol?: number; rtol?: number; hermitian?: boolean } = {}): Tensor {
  const op = 'linalg.matrixRank';
  checkMatrix(op, A);
  return dispatch(op, [A], opts, () => {
    const m = A.shape[A.ndim - 2]!;
    const n = A.shape[A.ndim - 1]!;
    const eps = A.dtype === 'float32' ? 2 ** -23 : 2 ** -52;
    const atol = opts.atol ?? 0;
    const rtol = opts.rtol ?? (opts.atol !== undefined && opts.atol > 0 ? 0 : Math.max(m, n) * eps);
    const s = svdvalsCore(A);
    const k = s.shape[s.ndim - 1]!;
    const sv = s.data() as Float32Array | Float64Array;
    const bs = A.shape.slice(0, -2);
    const count = numelOf(bs);
    const ranks = new BigInt64Array(count);
    for (let b = 0; b < count; b++) {
      const cutoff = Math.max(atol, rtol * (k > 0 ? sv[b * k]! : 0));
      let r = 0;
      for (let i = 0; i < k; i++) if (sv[b * k + i]! > cutoff) r++;
      ranks[b] = BigInt(r);
    }
    return tensorFrom(ranks, 'int64', bs);
  });
}

/** Condition number: ratio of extreme singular values (p 2 / -2 / omitted), else norm(A) * norm(inv(A)). */
export function cond(A: Tensor, p?: Ord): Tensor {
  const op = 'linalg.cond';
  checkMatrix(op, A);
  return dispatch(op, [A], { p }, () => {
    const bs = A.shape.slice(0, -2);
    const count = numelOf(bs);
    const out = new Float64Array(count);
    if (p === undefined || p === 2 || p === -2) {
      const s = svdvalsCore(A);
      const k = s.shape[s.ndim - 1]!;
      const sv = s.data() as Float32Array | Float64Array;
      for (let b = 0; b < count; b++) {
        const hi = sv[b * k]!;
        const lo = sv[b * k + k - 1]!;
        out[b] = p === -2 ? lo / hi : hi / lo;
      }
    } else {
      checkSquare(op, A);
      const d = A.shape.length;
      const x = matrixNormCore(op, A, p, [d - 2, d - 1], false).data() as Float32Array | Float64Array;
      const y = matrixNormCore(op, solveCore('linalg.inv', A, null), p, [d - 2, d - 1], false).data() as Float32Array | Float64Array;
      for (let b = 0; b < count; b++) out[b] = x[b]! * y[b]!;
    }
    return fromValues(out, A.dtype, bs);
  });
}

export type Ord = number | 'fro' | 'nuc';
export interface NormOptions {
  ord?: Ord;
  dim?: number | number[];
  keepdim?: boolean;
}

function parseNormArgs(ordOrOpts: Ord | NormOptions | undefined, dim: number | number[] | undefined | NormOptions, opts: NormOptions | undefined): NormOptions {
  if (typeof ordOrOpts === 'object' && ordOrOpts !== null) return ordOrOpts;
  if (typeof dim === 'object' && dim !== null && !Array.isArray(dim)) return { ...dim, ord: ordOrOpts };
  return { ...(opts ?? {}), ord: ordOrOpts ?? opts?.ord, dim: dim ?? opts?.dim };
}

function normDims(op: string, x: Tensor, dim: number | number[] | undefined): number[] {
  if (dim === undefined) return [...Array(x.ndim).keys()];
  const list = typeof dim === 'number' ? [dim] : dim;
  const out = list.map((d) => normalizeDim(d, x.ndim, op));
  if (new Set(out).size !== out.length) throw new RangeError(`${op}: dim ${shapeString(list)} contains repeated dims`);
  return out;
}

function keepShape(x: Tensor, dims: number[], keepdim: boolean): number[] {
  return keepdim ? x.shape.map((s, i) => (dims.includes(i) ? 1 : s)) : x.shape.filter((_, i) => !dims.includes(i));
}

function vectorNormCore(op: string, x: Tensor, ord: number, dims: number[], keepdim: boolean): Tensor {
  const rest = [...Array(x.ndim).keys()].filter((d) => !dims.includes(d));
  const perm = [...rest, ...dims];
  const xp = permuteView(x, perm);
  const reducedSize = numelOf(dims.map((d) => x.shape[d]!));
  if (reducedSize === 0 && (ord < 0 || ord === Infinity)) {
    throw new RangeError(`${op}: expected a non-empty tensor to compute the ${ord} norm over dims ${shapeString(dims)} of shape ${shapeString(x.shape)}`);
  }
  const outShape = keepShape(x, dims, keepdim);
  const restShape = rest.map((d) => x.shape[d]!);
  let p = putTensor(0, xp);
  frame[p++] = dims.length;
  frame[p++] = ord;
  putOutput(p, x.dtype, restShape);
  runOn('linalgVectorNorm', x.device, op);
  const out = takeOutput(0, x.dtype, restShape, x.device);
  return keepdim ? out._view(outShape, contiguousStrides(outShape), 0) : out;
}

/** Vector norm over `dim` (all dims when omitted): ord 2 (default), 1, inf, -inf, 0, any p. */
export function vectorNorm(x: Tensor, ord?: number | NormOptions, dim?: number | number[] | NormOptions, opts?: NormOptions): Tensor {
  const op = 'linalg.vectorNorm';
  checkFloatInput(op, x);
  const o = parseNormArgs(ord as Ord | NormOptions | undefined, dim, opts);
  const p = o.ord ?? 2;
  if (typeof p !== 'number') throw new TypeError(`${op}: ord must be a number, got '${String(p)}'`);
  const dims = normDims(op, x, o.dim);
  const keepdim = o.keepdim ?? false;
  return dispatch(op, [x], { ord: p, dim: dims, keepdim }, () => vectorNormCore(op, x, p, dims, keepdim));
}

function matrixNormCore(op: string, A: Tensor, ord: Ord, d: number[], keepdim: boolean): Tensor {
  if (ord === 'fro') return vectorNormCore(op, A, 2, d, keepdim);
  // Bring the two matrix dims last (rows, cols) so the native kernels see [..., m, n].
  const rest = [...Array(A.ndim).keys()].filter((i) => !d.includes(i));
  const Ap = permuteView(A, [...rest, d[0]!, d[1]!]);
  const restShape = rest.map((i) => A.shape[i]!);
  const outShape = keepShape(A, d, keepdim);
  let r: Tensor;
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    if (numelOf(Ap.shape) === 0 && ord !== 'nuc') throw new RangeError(`${op}: the ${ord} norm of an empty matrix is not defined (shape ${shapeString(A.shape)})`);
    const s = svdvalsCore(Ap);
    const k = s.shape[s.ndim - 1]!;
    if (ord === 'nuc') r = vectorNormCore(op, s, 1, [s.ndim - 1], false);
    else {
      const idx = ord === 2 ? 0 : k - 1;
      r = s._view(restShape, contiguousStrides(restShape).map((x) => x * k), idx).contiguous();
      if (r._st === s._st) r = r._copyAs(r.dtype);
    }
  } else if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
    if (numelOf(Ap.shape) === 0) throw new RangeError(`${op}: the ${ord} norm of an empty matrix is not defined (shape ${shapeString(A.shape)})`);
    const rows = ord === Infinity || ord === -Infinity;
    let p = putTensor(0, Ap);
    frame[p++] = rows ? 1 : 0;
    frame[p++] = ord > 0 ? 1 : 0;
    putOutput(p, A.dtype, restShape);
    runOn('linalgAbsSumNorm', A.device, op);
    r = takeOutput(0, A.dtype, restShape, A.device);
  } else {
    throw new RangeError(`${op}: order ${String(ord)} not supported (expected 'fro', 'nuc', 1, -1, 2, -2, inf or -inf)`);
  }
  return keepdim ? r._view(outShape, contiguousStrides(outShape), r.offset) : r;
}

/** Matrix norm over two dims (default the last two): 'fro' (default), 'nuc', 1, -1, 2, -2, inf, -inf. */
export function matrixNorm(A: Tensor, ord?: Ord | NormOptions, dim?: number[] | NormOptions, opts?: NormOptions): Tensor {
  const op = 'linalg.matrixNorm';
  checkMatrix(op, A);
  const o = parseNormArgs(ord as Ord | NormOptions | undefined, dim, opts);
  const p = o.ord ?? 'fro';
  const d = normDims(op, A, o.dim ?? [-2, -1]);
  if (d.length !== 2) throw new RangeError(`${op}: dim must be a 2-tuple, got ${shapeString(d)}`);
  const keepdim = o.keepdim ?? false;
  return dispatch(op, [A], { ord: p, dim: d, keepdim }, () => matrixNormCore(op, A, p, d, keepdim));
}

/**
 * torch.linalg.norm: with `dim` a number (or ord a number on a 1-D input) a vector norm; with two
 * dims (or a 2-D input and an ord) a matrix norm; with neither, the 2-norm of the flattened input.
 */
export function norm(x: Tensor, ord?: Ord | NormOptions, dim?: number | number[] | NormOptions, opts?: NormOptions): Tensor {
  const op = 'linalg.norm';
  checkFloatInput(op, x);
  const o = parseNormArgs(ord as Ord | NormOptions | undefined, dim, opts);
  const keepdim = o.keepdim ?? false;
  if (o.dim !== undefined) {
    const dims = normDims(op, x, o.dim);
    if (dims.length === 1) {
      if (typeof o.ord === 'string') throw new RangeError(`${op}: ord '${o.ord}' needs two dims, got dim ${shapeString(dims)}`);
      return dispatch(op, [x], { ord: o.ord ?? 2, dim: dims, keepdim }, () => vectorNormCore(op, x, (o.ord as number | undefined) ?? 2, dims, keepdim));
    }
    if (dims.length === 2) return dispatch(op, [x], { ord: o.ord ?? 'fro', dim: dims, keepdim }, () => matrixNormCore(op, x, o.ord ?? 'fro', dims, keepdim));
    if (o.ord !== undefined) throw new RangeError(`${op}: with ord ${String(o.ord)}, dim must have 1 or 2 entries, got ${shapeString(dims)}`);
    return dispatch(op, [x], { ord: 2, dim: dims, keepdim }, () => vectorNormCore(op, x, 2, dims, keepdim));
  }
  if (o.ord === undefined) {
    const dims = [...Array(x.ndim).keys()];
    return dispatch(op, [x], { ord: 2, keepdim }, () => vectorNormCore(op, x, 2, dims, keepdim));
  }
  if (x.ndim === 1) {
    if (typeof o.ord === 'string') throw new RangeError(`${op}: ord '${o.ord}' is a matrix norm but the input is 1-D (shape ${shapeString(x.shape)})`);
    return dispatch(op, [x], { ord: o.ord, keepdim }, () => vectorNormCore(op, x, o.ord as number, [0], keepdim));
  }
  if (x.ndim === 2) return dispatch(op, [x], { ord: o.ord, keepdim }, () => matrixNormCore(op, x, o.ord!, [0, 1], keepdim));
  throw new RangeError(`${op}: input must be 1-D or 2-D when ord is given and dim is not, but got shape ${shapeString(x.shape)}`);
}
