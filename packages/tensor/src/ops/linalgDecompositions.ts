/**
 * The factorizations of the `linalg` namespace and what is computed straight from them: cholesky,
 * solve, solveTriangular, inv, det, slogdet, qr, eigh, eigvalsh, svd, svdvals and pinv. They run
 * natively in float64 (float32 inputs included) and are batched over leading dims. Exported for
 * linalg.ts, which assembles the namespace; the package does not re-export this module.
 */
import { scalarTensor } from '../creation.js';
import { dispatch } from '../dispatch.js';
import type { DType } from '../dtype.js';
import type { Device } from '../device.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { broadcastShapes, shapeString } from '../shape.js';
import { Tensor } from '../tensor.js';
import { einsumImpl } from './einsum.js';
import { checkFloatInput, checkMatrix, checkSquare, fromValues, onDevice, squeezeView, transposeLast, unsqueezeView } from './linalgCommon.js';

declare module '../tensor.js' {
  interface Tensor {
    det(): Tensor;
    inverse(): Tensor;
    slogdet(): { sign: Tensor; logabsdet: Tensor };
    pinverse(): Tensor;
  }
}

/** Views `t` ([..., r, c]) with its batch dims broadcast to `batch` (stride 0 where expanded). */
function expandBatch(t: Tensor, batch: readonly number[]): Tensor {
  const nb = t.ndim - 2;
  const lead = batch.length - nb;
  const strides = batch.map((s, i) => (i < lead || t.shape[i - lead] !== s ? 0 : t.strides[i - lead]!));
  return t._view([...batch, t.shape[nb]!, t.shape[nb + 1]!], [...strides, t.strides[nb]!, t.strides[nb + 1]!], t.offset);
}

export function cholesky(A: Tensor, opts: { upper?: boolean } = {}): Tensor {
  const op = 'linalg.cholesky';
  checkSquare(op, A);
  const upper = opts.upper ?? false;
  return dispatch(op, [A], { upper }, () => {
    const p = putTensor(0, A);
    const q = putOutput(p, A.dtype, A.shape);
    frame[q] = upper ? 1 : 0;
    runOn('linalgCholesky', A.device, op);
    return takeOutput(0, A.dtype, A.shape, A.device);
  });
}

export function solveCore(op: string, A: Tensor, B: Tensor | null): Tensor {
  const n = A.shape[A.ndim - 1]!;
  let p = 0;
  frame[p++] = B ? 0 : 1;
  let outShape: number[];
  if (B) {
    const batch = broadcastShapes(op, A.shape.slice(0, -2), B.shape.slice(0, -2));
    outShape = [...batch, n, B.shape[B.ndim - 1]!];
    p = putTensor(p, expandBatch(A, batch));
    frame[p++] = 1;
    p = putTensor(p, expandBatch(B, batch));
  } else {
    outShape = [...A.shape];
    p = putTensor(p, A);
    frame[p++] = 0;
  }
  putOutput(p, A.dtype, outShape);
  runOn('linalgSolve', A.device, op);
  return takeOutput(0, A.dtype, outShape, A.device);
}

/** Solves A X = B (left) or X A = B; B may be a (batch of) vector(s). Singular A is an error. */
export function solve(A: Tensor, B: Tensor, opts: { left?: boolean } = {}): Tensor {
  const op = 'linalg.solve';
  const n = checkSquare(op, A);
  checkFloatInput(op, B, 'B');
  if (A.dtype !== B.dtype) throw new TypeError(`${op}: expected A and B to have the same dtype, but got ${A.dtype} and ${B.dtype}`);
  const left = opts.left ?? true;
  const vectorCase = B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((s, i) => s === A.shape[i]));
  return dispatch(op, [A, B], { left }, () => {
    let b = vectorCase ? unsqueezeView(B, B.ndim) : B;
    if (b.ndim < 2) throw new RangeError(`${op}: B of shape ${shapeString(B.shape)} is not a vector or a matrix`);
    if (!left) {
      if (b.shape[b.ndim - 1] !== n) throw new RangeError(`${op}: incompatible shapes of A and B for the equation XA = B (${shapeString(A.shape)} and ${shapeString(B.shape)})`);
      return transposeLast(solveCore(op, transposeLast(A), transposeLast(b))).contiguous();
    }
    if (b.shape[b.ndim - 2] !== n) throw new RangeError(`${op}: incompatible shapes of A and B for the equation AX = B (${shapeString(A.shape)} and ${shapeString(B.shape)})`);
    const x = solveCore(op, A, b);
    return vectorCase ? squeezeView(x, x.ndim - 1) : x;
  });
}

export function solveTriangular(A: Tensor, B: Tensor, opts: { upper: boolean; left?: boolean; unitriangular?: boolean }): Tensor {
  const op = 'linalg.solveTriangular';
  const n = checkSquare(op, A);
  checkMatrix(op, B, 'B');
  if (A.dtype !== B.dtype) throw new TypeError(`${op}: expected A and B to have the same dtype, but got ${A.dtype} and ${B.dtype}`);
  if (opts === undefined || typeof opts.upper !== 'boolean') throw new TypeError(`${op}: the option 'upper' (a boolean) is required`);
  const left = opts.left ?? true;
  const unit = opts.unitriangular ?? false;
  return dispatch(op, [A, B], { upper: opts.upper, left, unitriangular: unit }, () => {
    // X A = B  <=>  A^T X^T = B^T, with A^T triangular the other way.
    const a = left ? A : transposeLast(A);
    const b = left ? B : transposeLast(B);
    const upper = left ? opts.upper : !opts.upper;
    if (b.shape[b.ndim - 2] !== n) {
      throw new RangeError(`${op}: incompatible shapes of A and B for the equation ${left ? 'AX = B' : 'XA = B'} (${shapeString(A.shape)} and ${shapeString(B.shape)})`);
    }
    const batch = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
    const outShape = [...batch, n, b.shape[b.ndim - 1]!];
    let p = putTensor(0, expandBatch(a, batch));
    p = putTensor(p, expandBatch(b, batch));
    p = putOutput(p, A.dtype, outShape);
    frame[p++] = upper ? 1 : 0;
    frame[p++] = unit ? 1 : 0;
    runOn('linalgSolveTriangular', A.device, op);
    const x = takeOutput(0, A.dtype, outShape, A.device);
    return left ? x : transposeLast(x).contiguous();
  });
}

export function inv(A: Tensor): Tensor {
  const op = 'linalg.inv';
  checkSquare(op, A);
  return dispatch(op, [A], undefined, () => solveCore(op, A, null));
}

function detParts(op: string, A: Tensor): [Tensor, Tensor, Tensor] {
  checkSquare(op, A);
  const bs = A.shape.slice(0, -2);
  let p = putTensor(0, A);
  p = putOutput(p, A.dtype, bs);
  p = putOutput(p, A.dtype, bs);
  putOutput(p, A.dtype, bs);
  runOn('linalgDet', A.device, op);
  const dev = A.device;
  return [takeOutput(0, A.dtype, bs, dev), takeOutput(1, A.dtype, bs, dev), takeOutput(2, A.dtype, bs, dev)];
}

export function det(A: Tensor): Tensor {
  checkSquare('linalg.det', A);
  return dispatch('linalg.det', [A], undefined, () => {
    const [d, s, l] = detParts('linalg.det', A);
    s.dispose();
    l.dispose();
    return d;
  });
}

export function slogdet(A: Tensor): { sign: Tensor; logabsdet: Tensor } {
  checkSquare('linalg.slogdet', A);
  return dispatch('linalg.slogdet', [A], undefined, () => {
    const [d, sign, logabsdet] = detParts('linalg.slogdet', A);
    d.dispose();
    return { sign, logabsdet };
  });
}

/** Householder QR: mode 'reduced' (default), 'complete', or 'r' (Q is an empty tensor). */
export function qr(A: Tensor, opts: { mode?: 'reduced' | 'complete' | 'r' } = {}): { Q: Tensor; R: Tensor } {
  const op = 'linalg.qr';
  checkMatrix(op, A);
  const mode = opts.mode ?? 'reduced';
  if (mode !== 'reduced' && mode !== 'complete' && mode !== 'r') {
    throw new RangeError(`${op}: qr received unrecognized mode '${String(mode)}' but expected one of 'reduced' (default), 'r', or 'complete'`);
  }
  return dispatch(op, [A], { mode }, () => {
    const bs = A.shape.slice(0, -2);
    const m = A.shape[A.ndim - 2]!;
    const n = A.shape[A.ndim - 1]!;
    const k = Math.min(m, n);
    const complete = mode === 'complete';
    const qShape = [...bs, m, complete ? m : k];
    const rShape = [...bs, complete ? m : k, n];
    let p = putTensor(0, A);
    frame[p++] = complete ? 1 : 0;
    frame[p++] = mode === 'r' ? 0 : 1;
    if (mode !== 'r') p = putOutput(p, A.dtype, qShape);
    putOutput(p, A.dtype, rShape);
    runOn('linalgQr', A.device, op);
    if (mode === 'r') {
      const R = takeOutput(0, A.dtype, rShape, A.device);
      const Q = empty0(A.dtype, A.device);
      return { Q, R };
    }
    return { Q: takeOutput(0, A.dtype, qShape, A.device), R: takeOutput(1, A.dtype, rShape, A.device) };
  });
}

function empty0(dtype: DType, device: Device): Tensor {
  const one = scalarTensor(0, dtype, device);
  return one._view([0], [1], one.offset);
}

function eighCore(op: string, A: Tensor, uplo: string, vectors: boolean): Tensor[] {
  checkSquare(op, A);
  if (uplo !== 'L' && uplo !== 'U') throw new RangeError(`${op}: UPLO must be 'L' or 'U', got '${uplo}'`);
  const bs = A.shape.slice(0, -2);
  const n = A.shape[A.ndim - 1]!;
  let p = putTensor(0, A);
  frame[p++] = uplo === 'L' ? 1 : 0;
  frame[p++] = vectors ? 1 : 0;
  p = putOutput(p, A.dtype, [...bs, n]);
  if (vectors) putOutput(p, A.dtype, A.shape);
  runOn('linalgEigh', A.device, op);
  const w = takeOutput(0, A.dtype, [...bs, n], A.device);
  return vectors ? [w, takeOutput(1, A.dtype, A.shape, A.device)] : [w];
}

/** Eigen-decomposition of symmetric matrices (eigenvalues ascending), reading the UPLO triangle. */
export function eigh(A: Tensor, opts: { UPLO?: 'L' | 'U' } = {}): { eigenvalues: Tensor; eigenvectors: Tensor } {
  const uplo = opts.UPLO ?? 'L';
  return dispatch('linalg.eigh', [A], { UPLO: uplo }, () => {
    const [eigenvalues, eigenvectors] = eighCore('linalg.eigh', A, uplo, true);
    return { eigenvalues: eigenvalues!, eigenvectors: eigenvectors! };
  });
}

export function eigvalsh(A: Tensor, opts: { UPLO?: 'L' | 'U' } = {}): Tensor {
  const uplo = opts.UPLO ?? 'L';
  return dispatch('linalg.eigvalsh', [A], { UPLO: uplo }, () => eighCore('linalg.eigvalsh', A, uplo, false)[0]!);
}

/** Singular values, descending. */
export function svdvals(A: Tensor): Tensor {
  const op = 'linalg.svdvals';
  checkMatrix(op, A);
  return dispatch(op, [A], undefined, () => svdvalsCore(A));
}

export function svdvalsCore(A: Tensor): Tensor {
  const bs = A.shape.slice(0, -2);
  const k = Math.min(A.shape[A.ndim - 2]!, A.shape[A.ndim - 1]!);
  const p = putTensor(0, A);
  putOutput(p, A.dtype, [...bs, k]);
  runOn('linalgSvdvals', A.device, 'linalg.svdvals');
  return takeOutput(0, A.dtype, [...bs, k], A.device);
}

/**
 * Singular value decomposition A = U diag(S) Vh (one-sided Jacobi, float64 inside), S descending.
 * fullMatrices (default true, as PyTorch): U is [..., m, m] and Vh [..., n, n]; otherwise
 * [..., m, k] and [..., k, n] with k = min(m, n).
 */
export function svd(A: Tensor, opts: { fullMatrices?: boolean } = {}): { U: Tensor; S: Tensor; Vh: Tensor } {
  const op = 'linalg.svd';
  checkMatrix(op, A);
  const full = opts.fullMatrices ?? true;
  return dispatch(op, [A], { fullMatrices: full }, () => {
    const bs = A.shape.slice(0, -2);
    const m = A.shape[A.ndim - 2]!;
    const n = A.shape[A.ndim - 1]!;
    const k = Math.min(m, n);
    const uShape = [...bs, m, full ? m : k];
    const sShape = [...bs, k];
    const vShape = [...bs, full ? n : k, n];
    let p = putTensor(0, A);
    frame[p++] = full ? 1 : 0;
    p = putOutput(p, A.dtype, uShape);
    p = putOutput(p, A.dtype, sShape);
    putOutput(p, A.dtype, vShape);
    runOn('linalgSvd', A.device, op);
    const dev = A.device;
    return { U: takeOutput(0, A.dtype, uShape, dev), S: takeOutput(1, A.dtype, sShape, dev), Vh: takeOutput(2, A.dtype, vShape, dev) };
  });
}

/**
 * Moore-Penrose pseudo-inverse through the SVD: singular values at or below
 * max(atol, rtol * max(S)) are treated as zero (rtol defaults to max(m, n) * eps of the dtype).
 */
export function pinv(A: Tensor, opts: { atol?: number; rtol?: number } = {}): Tensor {
  const op = 'linalg.pinv';
  checkMatrix(op, A);
  return dispatch(op, [A], opts, () => {
    const m = A.shape[A.ndim - 2]!;
    const n = A.shape[A.ndim - 1]!;
    const eps = A.dtype === 'float32' ? 2 ** -23 : 2 ** -52;
    const atol = opts.atol ?? 0;
    const rtol = opts.rtol ?? (opts.atol !== undefined && opts.atol > 0 ? 0 : Math.max(m, n) * eps);
    const { U, S, Vh } = svd(A, { fullMatrices: false });
    const k = S.shape[S.ndim - 1]!;
    // 1/s on the few singular values, in JS: k numbers per matrix.
    const sv = S.data() as Float32Array | Float64Array;
    const inv = new Float64Array(sv.length);
    for (let b = 0; b < sv.length; b += Math.max(k, 1)) {
      const cutoff = Math.max(atol, rtol * (k > 0 ? sv[b]! : 0));
      for (let i = 0; i < k; i++) inv[b + i] = sv[b + i]! > cutoff ? 1 / sv[b + i]! : 0;
    }
    const sInvT = inv.length === 0
      ? scalarTensor(0, A.dtype, A.device)._view([...S.shape], S.strides, 0)
      : onDevice(fromValues(inv, A.dtype, S.shape), A.device);
    const bl = 'abcdefgh'.slice(0, A.ndim - 2);
    return einsumImpl(`${bl}ji,${bl}j,${bl}kj->${bl}ik`, [Vh, sInvT, U], false);
  });
}

const proto = Tensor.prototype;
proto.det = function (this: Tensor) { return det(this); };
proto.slogdet = function (this: Tensor) { return slogdet(this); };
proto.inverse = function (this: Tensor) { return inv(this); };
proto.pinverse = function (this: Tensor) { return pinv(this); };
