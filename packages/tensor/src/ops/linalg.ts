/**
 * The torch.linalg namespace. Its factorizations and solvers (cholesky, solve, solveTriangular,
 * inv, det, slogdet, qr, eigh, eigvalsh, svdvals, svd, pinv) are in linalgDecompositions.ts and its
 * norms (matrixRank, cond, norm, vectorNorm, matrixNorm) in linalgNorms.ts; the products it adds
 * to matmul.ts (matrixPower, multiDot, vecdot) are here. The `linalg` functions take
 * float32/float64 only, as PyTorch's CPU backend does.
 */
import { dispatch } from '../dispatch.js';
import { contiguousStrides } from '../frame.js';
import { shapeString } from '../shape.js';
import { Tensor, normalizeDim } from '../tensor.js';
import { eye } from '../creation.js';
import { einsumImpl } from './einsum.js';
import { batchedMatmul, cannotMultiply, checkTensor, permuteView, sameDType, unsqueezeView } from './linalgCommon.js';
import {
  cholesky, det, eigh, eigvalsh, inv, pinv, qr, slogdet, solve, solveCore, solveTriangular, svd, svdvals,
} from './linalgDecompositions.js';
import { cond, matrixNorm, matrixRank, norm, vectorNorm } from './linalgNorms.js';
import { matmul } from './matmul.js';

declare module '../tensor.js' {
  interface Tensor {
    matrixPower(n: number): Tensor;
  }
}

/** A ** n for square matrices (n < 0 inverts first); batched. */
function matrixPower(A: Tensor, n: number): Tensor {
  const op = 'linalg.matrixPower';
  const size = checkSquareAny(op, A);
  if (!Number.isInteger(n)) throw new TypeError(`${op}: the exponent must be an integer, got ${n}`);
  return dispatch(op, [A], { n }, () => {
    if (n === 0) {
      const I = eye(size, { dtype: A.dtype, device: A.device });
      const bs = A.shape.slice(0, -2);
      return I._view([...A.shape], [...bs.map(() => 0), size, 1], 0).contiguous();
    }
    let base = n < 0 ? solveCore('linalg.inv', A, null) : A;
    let e = Math.abs(n);
    let result: Tensor | null = null;
    while (true) {
      if (e & 1) result = result === null ? base : batchedMatmul(op, result, base);
      e = Math.floor(e / 2);
      if (e === 0) break;
      base = batchedMatmul(op, base, base);
    }
    return result === A ? A._copyAs(A.dtype) : result!;
  });
}

function checkSquareAny(op: string, t: Tensor): number {
  checkTensor(t, op, 'A');
  if (t.ndim < 2) throw new RangeError(`${op}: the input tensor A must have at least 2 dimensions, but got shape ${shapeString(t.shape)}`);
  const m = t.shape[t.ndim - 2]!;
  const n = t.shape[t.ndim - 1]!;
  if (m !== n) throw new RangeError(`${op}: A must be batches of square matrices, but they are ${m} by ${n} matrices (shape ${shapeString(t.shape)})`);
  return n;
}

/** Product of a chain of matrices; the first/last may be 1-D (a row/column vector), as PyTorch. */
function multiDot(tensors: Tensor[]): Tensor {
  const op = 'linalg.multiDot';
  if (!Array.isArray(tensors) || tensors.length < 2) throw new RangeError(`${op}: expected at least 2 tensors but got ${Array.isArray(tensors) ? tensors.length : 0}`);
  tensors.forEach((t, i) => {
    checkTensor(t, op, `tensor ${i}`);
    const edge = i === 0 || i === tensors.length - 1;
    if (!(t.ndim === 2 || (edge && t.ndim === 1))) {
      throw new RangeError(`${op}: tensor ${i} must be ${edge ? '1-D or 2-D' : '2-D'} but got shape ${shapeString(t.shape)}`);
    }
    if (t.dtype !== tensors[0]!.dtype) throw new TypeError(`${op}: all tensors must have the same dtype, got ${tensors[0]!.dtype} and ${t.dtype}`);
  });
  return dispatch(op, tensors, undefined, () => {
    const first = tensors[0]!;
    const last = tensors[tensors.length - 1]!;
    const ms = tensors.map((t, i) => (i === 0 && t.ndim === 1 ? unsqueezeView(t, 0) : i === tensors.length - 1 && t.ndim === 1 ? unsqueezeView(t, 1) : t));
    for (let i = 1; i < ms.length; i++) {
      if (ms[i - 1]!.shape[1] !== ms[i]!.shape[0]) cannotMultiply(op, ms[i - 1]!, ms[i]!, ms[i - 1]!.shape[1]!, ms[i]!.shape[0]!);
    }
    let acc = ms[0]!;
    for (let i = 1; i < ms.length; i++) acc = batchedMatmul(op, acc, ms[i]!);
    let shape = [...acc.shape];
    if (last.ndim === 1) shape = shape.slice(0, 1);
    if (first.ndim === 1) shape = shape.slice(1);
    return acc._view(shape, contiguousStrides(shape), acc.offset);
  });
}

/** Dot products along `dim` (default -1) with broadcasting: sum(x * y, dim). */
function vecdot(x: Tensor, y: Tensor, opts: { dim?: number } = {}): Tensor {
  const op = 'linalg.vecdot';
  checkTensor(x, op, 'x');
  checkTensor(y, op, 'y');
  sameDType(op, x, y);
  if (x.ndim === 0 || y.ndim === 0) throw new RangeError(`${op}: expected tensors with at least 1 dimension, got shapes ${shapeString(x.shape)} and ${shapeString(y.shape)}`);
  const dim = opts.dim ?? -1;
  const dx = normalizeDim(dim, x.ndim, op);
  const dy = normalizeDim(dim, y.ndim, op);
  if (x.shape[dx] !== y.shape[dy]) {
    throw new RangeError(`${op}: shapes ${shapeString(x.shape)} and ${shapeString(y.shape)} have different sizes along dim ${dim} (${x.shape[dx]} != ${y.shape[dy]})`);
  }
  return dispatch(op, [x, y], { dim }, () => {
    const last = (t: Tensor, d: number): Tensor => permuteView(t, [...[...Array(t.ndim).keys()].filter((i) => i !== d), d]);
    return einsumImpl('...i,...i->...', [last(x, dx), last(y, dy)], false);
  });
}

/** The torch.linalg namespace. */
export const linalg = {
  cholesky,
  solve,
  solveTriangular,
  inv,
  det,
  slogdet,
  qr,
  eigh,
  eigvalsh,
  svdvals,
  svd,
  pinv,
  matrixPower,
  multiDot,
  vecdot,
  matrixRank,
  cond,
  norm,
  vectorNorm,
  matrixNorm,
  matmul,
};

const proto = Tensor.prototype;
proto.matrixPower = function (this: Tensor, n: number) { return matrixPower(this, n); };
