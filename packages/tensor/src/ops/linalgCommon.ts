/**
 * What the linear algebra files share (matmul.ts, einsum.ts, linalg.ts, linalgDecompositions.ts,
 * linalgNorms.ts): argument checks, stride-only views, and batchedMatmul, the one entry into the
 * native batched GEMM (Cinder's own packed, cache-blocked kernel) that every product lowers to.
 * Not re-exported from the package: nothing here is public API.
 *
 * Integer matmul (int32, int64, uint8) is supported with a simple exact kernel (wrap-around on
 * overflow, like PyTorch's CPU kernel); bool is rejected. float16/bfloat16 compute in float32 on
 * the CPU and on tensor cores (float32 accumulation) on CUDA. Every kernel call is routed by the
 * device of its first operand (runOn); the native side checks that all operands live there.
 * The `linalg` functions take float32/float64 only, as PyTorch's CPU backend does.
 */
import { kernels } from '@cinder/native';
import type { DType } from '../dtype.js';
import { contiguousStrides, frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { broadcastShapes, numelOf, shapeString } from '../shape.js';
import { Tensor } from '../tensor.js';
import { fromTypedArray as tensorFrom, scalarTensor } from '../creation.js';
import type { Device } from '../device.js';

// ---- checks and views -----------------------------------------------------------------------

const FLOAT_COMPUTE: Partial<Record<DType, DType>> = { float16: 'float32', bfloat16: 'float32' };

export function checkTensor(x: unknown, op: string, what: string): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected ${what} to be a Tensor, got ${x === null ? 'null' : typeof x}`);
  return x;
}

export function sameDType(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new TypeError(`${op}: expected both operands to have the same dtype, but got ${a.dtype} and ${b.dtype}`);
  }
}

/** The dtype the native kernel computes in, or an error for dtypes matmul does not support. */
function computeDType(op: string, d: DType): DType {
  if (d === 'bool') throw new TypeError(`${op}: not supported for dtype bool`);
  if (d === 'uint8') return 'int32';
  return FLOAT_COMPUTE[d] ?? d;
}

function asDType(t: Tensor, d: DType): Tensor {
  return t.dtype === d ? t : t._copyAs(d);
}

/** A view of `t` with dims reordered. */
export function permuteView(t: Tensor, perm: readonly number[]): Tensor {
  return t._view(perm.map((p) => t.shape[p]!), perm.map((p) => t.strides[p]!), t.offset);
}

export function transposeLast(t: Tensor): Tensor {
  const n = t.ndim;
  const perm = [...Array(n).keys()];
  perm[n - 2] = n - 1;
  perm[n - 1] = n - 2;
  return permuteView(t, perm);
}

/** A view with a new shape when `t`'s strides allow it, else a contiguous copy reshaped. */
export function reshapeView(t: Tensor, shape: readonly number[]): Tensor {
  const strides = viewStrides(t, shape);
  if (strides) return t._view([...shape], strides, t.offset);
  const c = t.contiguous();
  return c._view([...shape], contiguousStrides(shape), c.offset);
}

// Strides for viewing t as `shape` without a copy (the rule of PyTorch's view), or null.
function viewStrides(t: Tensor, shape: readonly number[]): number[] | null {
  const old = t.shape;
  const os = t.strides;
  if (numelOf(old) === 0 || old.length === 0) return contiguousStrides(shape);
  const out = new Array<number>(shape.length);
  let viewD = shape.length - 1;
  let chunkBase = os[os.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = old.length - 1; d >= 0; d--) {
    tensorNumel *= old[d]!;
    if (d === 0 || (old[d - 1] !== 1 && os[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = os[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

// ---- the GEMM -------------------------------------------------------------------------------

/**
 * The one entry into the native GEMM: a [..., m, k] times b [..., k, n] with batch dims
 * broadcast, optionally out = beta * bias + alpha * a @ b.
 */
export function batchedMatmul(op: string, a: Tensor, b: Tensor, bias?: Tensor, alpha = 1, beta = 1): Tensor {
  const outDtype = a.dtype;
  const dev = a.device;
  if (bias === undefined && a.ndim === 2 && b.ndim === 2 && (outDtype === 'float32' || outDtype === 'float64')) {
    // The common case (two float matrices, no bias): no batch dims to align, no dtype to convert.
    const shape = [a.shape[0]!, b.shape[1]!];
    let p = putTensor(0, a);
    p = putTensor(p, b);
    p = putOutput(p, outDtype, shape);
    frame[p] = alpha;
    frame[p + 1] = beta;
    frame[p + 2] = 0;
    if (dev === 'cpu') kernels.matmul();
    else runOn('matmul', dev, op);
    return takeOutput(0, outDtype, shape, dev);
  }
  // CUDA multiplies float16/bfloat16 on tensor cores itself (float32 accumulation).
  const cd = dev !== 'cpu' && (outDtype === 'float16' || outDtype === 'bfloat16') ? outDtype : computeDType(op, outDtype);
  a = asDType(a, cd);
  b = asDType(b, cd);
  if (bias) bias = asDType(bias, cd);
  const m = a.shape[a.ndim - 2]!;
  const k = a.shape[a.ndim - 1]!;
  const n = b.shape[b.ndim - 1]!;
  const batch = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  const expand = (t: Tensor, rows: number, cols: number): Tensor => {
    const nb = t.ndim - 2;
    // Already aligned (the common 2-D and equal-batch cases): no view object needed.
    if (nb === batch.length && batch.every((s, i) => t.shape[i] === s)) return t;
    const lead = batch.length - nb;
    const shape = [...batch, rows, cols];
    const strides = batch.map((s, i) => (i < lead || t.shape[i - lead] !== s ? 0 : t.strides[i - lead]!));
    strides.push(t.strides[nb]!, t.strides[nb + 1]!);
    return t._view(shape, strides, t.offset);
  };
  let ae = expand(a, m, k);
  let be = expand(b, k, n);
  const outShape = [...batch, m, n];
  let gemmOut = outShape;
  if (batch.length > 0 && !bias && be.strides.slice(0, batch.length).every((st) => st === 0)) {
    // B is shared by every batch: fold the batch dims into A's rows (one big GEMM instead of many
    // small ones), when A's batch and row dims merge without a copy.
    const rows = numelOf(batch) * m;
    const st = viewStrides(ae, [rows, k]);
    if (st) {
      ae = ae._view([rows, k], st, ae.offset);
      be = be._view([k, n], be.strides.slice(-2), be.offset);
      gemmOut = [rows, n];
    }
  }
  let p = putTensor(0, ae);
  p = putTensor(p, be);
  p = putOutput(p, cd, gemmOut);
  frame[p++] = alpha;
  frame[p++] = beta;
  frame[p++] = bias ? 1 : 0;
  if (bias) putTensor(p, bias);
  runOn('matmul', dev, op);
  const out = takeOutput(0, cd, outShape, dev);
  return cd === outDtype ? out : out._copyAs(outDtype);
}

export function cannotMultiply(op: string, a: Tensor, b: Tensor, k1: number, k2: number): never {
  throw new RangeError(`${op}: shapes ${shapeString(a.shape)} and ${shapeString(b.shape)} cannot be multiplied (${k1} != ${k2})`);
}

export function squeezeView(t: Tensor, dim: number): Tensor {
  const shape = [...t.shape];
  const strides = [...t.strides];
  shape.splice(dim, 1);
  strides.splice(dim, 1);
  return t._view(shape, strides, t.offset);
}

export function unsqueezeView(t: Tensor, dim: number): Tensor {
  const shape = [...t.shape];
  const strides = [...t.strides];
  shape.splice(dim, 0, 1);
  strides.splice(dim, 0, dim < t.ndim ? t.strides[dim]! * t.shape[dim]! : 1);
  return t._view(shape, strides, t.offset);
}

// ---- linalg namespace inputs ----------------------------------------------------------------

const LINALG_DTYPES: readonly DType[] = ['float32', 'float64'];

export function checkFloatInput(op: string, t: Tensor, what = 'input'): void {
  checkTensor(t, op, what);
  if (!LINALG_DTYPES.includes(t.dtype)) {
    throw new TypeError(`${op}: expected a float32 or float64 tensor as ${what}, but got ${t.dtype}`);
  }
}

export function checkMatrix(op: string, t: Tensor, what = 'A'): void {
  checkFloatInput(op, t, what);
  if (t.ndim < 2) throw new RangeError(`${op}: the input tensor ${what} must have at least 2 dimensions, but got shape ${shapeString(t.shape)}`);
}

export function checkSquare(op: string, t: Tensor, what = 'A'): number {
  checkMatrix(op, t, what);
  const m = t.shape[t.ndim - 2]!;
  const n = t.shape[t.ndim - 1]!;
  if (m !== n) throw new RangeError(`${op}: ${what} must be batches of square matrices, but they are ${m} by ${n} matrices (shape ${shapeString(t.shape)})`);
  return n;
}

export function fromValues(v: Float64Array, dtype: DType, shape: readonly number[]): Tensor {
  const ta = dtype === 'float32' ? Float32Array.from(v) : v;
  return tensorFrom(ta, dtype, shape);
}

/** `t` on `device` (t itself when it is already there; a moved copy of a CPU tensor otherwise). */
export function onDevice(t: Tensor, device: Device): Tensor {
  if (t.device === device) return t;
  const moved = t.to(device);
  t.dispose();
  return moved;
}

