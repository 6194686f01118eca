/**
 * Linear algebra entries. References are naive float64 loops over Nd; factorizations whose
 * output is not unique (Q of QR, eigenvectors) are checked through what is unique: the
 * reconstruction and orthonormality, computed by the op under test and compared with A and I.
 */
import {
  addmm, bmm, dot, einsum, inner, linalg, matmul, mm, mv, outer, tensor, type Tensor,
} from '../../src/index.js';
import { broadcastShapes, makeRng, Nd } from './ref.js';
import type { OpInfo, TensorArg } from './types.js';

// ---- reference helpers --------------------------------------------------------------------

/** Swaps the last two dims of a tensor as a view (a transposed, non-contiguous operand). */
export function tview(t: Tensor): Tensor {
  const n = t.ndim;
  const shape = [...t.shape];
  const strides = [...t.strides];
  [shape[n - 2], shape[n - 1]] = [shape[n - 1]!, shape[n - 2]!];
  [strides[n - 2], strides[n - 1]] = [strides[n - 1]!, strides[n - 2]!];
  return t._view(shape, strides, t.offset);
}

export function tnd(a: Nd): Nd {
  const n = a.ndim;
  const shape = [...a.shape];
  [shape[n - 2], shape[n - 1]] = [shape[n - 1]!, shape[n - 2]!];
  const out = Nd.zeros(shape);
  Nd.forEachIndex(shape, (idx, flat) => {
    const src = [...idx];
    [src[n - 2], src[n - 1]] = [src[n - 1]!, src[n - 2]!];
    out.data[flat] = a.at(src);
  });
  return out;
}

/** Batched naive matmul of [..., m, k] x [..., k, n] with broadcast batch dims. */
export function refMatmul2(a: Nd, b: Nd): Nd {
  const m = a.shape[a.ndim - 2]!;
  const k = a.shape[a.ndim - 1]!;
  const n = b.shape[b.ndim - 1]!;
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = Nd.zeros([...batch, m, n]);
  const bi = (x: Nd, idx: number[]): number[] => {
    const lead = idx.length - (x.ndim - 2);
    return x.shape.slice(0, -2).map((s, d) => (s === 1 ? 0 : idx[lead + d]!));
  };
  let flat = 0;
  Nd.forEachIndex(batch, (idx) => {
    const ia = bi(a, idx);
    const ib = bi(b, idx);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.at([...ia, i, p]) * b.at([...ib, p, j]);
        out.data[flat++] = s;
      }
    }
  });
  return out;
}

/** torch.matmul's rules on the reference side. */
export function refMatmul(a: Nd, b: Nd): Nd {
  const a2 = a.ndim === 1 ? new Nd([1, a.shape[0]!], a.data) : a;
  const b2 = b.ndim === 1 ? new Nd([b.shape[0]!, 1], b.data) : b;
  const r = refMatmul2(a2, b2);
  let shape = [...r.shape];
  if (b.ndim === 1) shape = shape.slice(0, -1);
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  return new Nd(shape, r.data);
}

function eyeNd(n: number, batch: number[] = []): Nd {
  const out = Nd.zeros([...batch, n, n]);
  Nd.forEachIndex(out.shape, (idx, flat) => {
    if (idx[idx.length - 1] === idx[idx.length - 2]) out.data[flat] = 1;
  });
  return out;
}

/** Runs f over each n x m matrix of a batched Nd, collecting the results. */
function perMatrix(a: Nd, f: (mat: number[][]) => number[][] | number[] | number): Nd {
  const r = a.shape[a.ndim - 2]!;
  const c = a.shape[a.ndim - 1]!;
  const batch = a.shape.slice(0, -2);
  const parts: number[] = [];
  let innerShape: number[] = [];
  const nb = Nd.numel(batch);
  for (let b = 0; b < nb; b++) {
    const mat: number[][] = [];
    for (let i = 0; i < r; i++) mat.push(Array.from(a.data.subarray(b * r * c + i * c, b * r * c + i * c + c)));
    const res = f(mat);
    if (typeof res === 'number') {
      innerShape = [];
      parts.push(res);
    } else if (Array.isArray(res[0])) {
      const rr = res as number[][];
      innerShape = [rr.length, rr[0]?.length ?? 0];
      for (const row of rr) parts.push(...row);
    } else {
      innerShape = [(res as number[]).length];
      parts.push(...(res as number[]));
    }
  }
  if (nb === 0) innerShape = [];
  return new Nd([...batch, ...innerShape], Float64Array.from(parts));
}

function refCholesky(a: number[][]): number[][] {
  const n = a.length;
  const l = a.map((row) => row.map(() => 0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = i === j ? Math.sqrt(s) : s / l[j]![j]!;
    }
  }
  return l;
}

/** Gauss-Jordan elimination with partial pivoting: solves A X = B, also returns det. */
function refGaussJordan(a: number[][], b: number[][]): { x: number[][]; det: number } {
  const n = a.length;
  const m = b[0]?.length ?? 0;
  const A = a.map((r) => [...r]);
  const B = b.map((r) => [...r]);
  let det = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(A[i]![c]!) > Math.abs(A[p]![c]!)) p = i;
    if (p !== c) {
      [A[p], A[c]] = [A[c]!, A[p]!];
      [B[p], B[c]] = [B[c]!, B[p]!];
      det = -det;
    }
    const piv = A[c]![c]!;
    det *= piv;
    if (piv === 0) continue;
    for (let i = 0; i < n; i++) {
      if (i === c) continue;
      const f = A[i]![c]! / piv;
      for (let j = 0; j < n; j++) A[i]![j]! -= f * A[c]![j]!;
      for (let j = 0; j < m; j++) B[i]![j]! -= f * B[c]![j]!;
    }
  }
  return { x: B.map((row, i) => row.map((v) => v / A[i]![i]!)), det };
}

function refJacobiEigenvalues(a: number[][]): number[] {
  const n = a.length;
  const A = a.map((r) => [...r]);
  for (let sweep = 0; sweep < 60; sweep++) {
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(A[p]![q]!) < 1e-300) continue;
        const phi = 0.5 * Math.atan2(2 * A[p]![q]!, A[q]![q]! - A[p]![p]!);
        const c = Math.cos(phi);
        const s = Math.sin(phi);
        for (let k = 0; k < n; k++) {
          const x = A[k]![p]!;
          const y = A[k]![q]!;
          A[k]![p] = c * x - s * y;
          A[k]![q] = s * x + c * y;
        }
        for (let k = 0; k < n; k++) {
          const x = A[p]![k]!;
          const y = A[q]![k]!;
          A[p]![k] = c * x - s * y;
          A[q]![k] = s * x + c * y;
        }
      }
    }
  }
  return A.map((r, i) => r[i]!).sort((x, y) => x - y);
}

/** Values of well-conditioned symmetric positive-definite matrices X X^T + n I, batched. */
function spdValues(n: number, batch: number, seed: number): number[] {
  const rng = makeRng(seed);
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    const x = Array.from({ length: n * n }, () => rng() * 2 - 1);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = i === j ? n : 0;
        for (let k = 0; k < n; k++) s += x[i * n + k]! * x[j * n + k]!;
        out.push(s);
      }
    }
  }
  return out;
}

/** Diagonally dominant (well-conditioned, non-symmetric) matrices. */
function wellValues(n: number, batch: number, seed: number): number[] {
  const rng = makeRng(seed);
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out.push(rng() * 2 - 1 + (i === j ? n + 1 : 0));
  }
  return out;
}

function spd(shape: number[], seed = 1): TensorArg {
  const n = shape[shape.length - 1]!;
  return { shape, values: spdValues(n, Nd.numel(shape.slice(0, -2)), seed) };
}
function well(shape: number[], seed = 1): TensorArg {
  const n = shape[shape.length - 1]!;
  return { shape, values: wellValues(n, Nd.numel(shape.slice(0, -2)), seed) };
}
function triValues(shape: number[], upper: boolean, seed: number): TensorArg {
  const n = shape[shape.length - 1]!;
  const vals = wellValues(n, Nd.numel(shape.slice(0, -2)), seed).map((v, i) => {
    const r = Math.floor(i / n) % n;
    const c = i % n;
    return (upper ? c >= r : c <= r) ? v : 0;
  });
  return { shape, values: vals };
}

/** (A + A^T) / 2 for float square matrices (others pass through, to reach the op's own errors). */
function symmetrized(a: Tensor): Tensor {
  const ok = a.ndim >= 2 && a.shape[a.ndim - 1] === a.shape[a.ndim - 2] && (a.dtype === 'float32' || a.dtype === 'float64');
  return ok ? a.add(a.mT).mul(0.5) : a;
}
function symRows(m: number[][]): number[][] {
  return m.map((row, i) => row.map((x, j) => (x + m[j]![i]!) / 2));
}

/** eigh's checkable outputs: eigenvalues, V diag(w) V^T and V^T V. */
function eighChecks(a: Tensor, o: Record<string, unknown> | undefined): Record<string, Tensor> {
  const { eigenvalues: w, eigenvectors: v } = linalg.eigh(a, o as { UPLO?: 'L' | 'U' });
  const b = a.ndim === 3 ? 'b' : '';
  return { w, recon: einsum(`${b}ij,${b}j,${b}kj->${b}ik`, v, w, v), VtV: matmul(v.mT, v) };
}

const FLOATS = ['float32', 'float64'] as const;
const LOOSE = { float32: { atol: 1e-4, rtol: 1e-4 }, float64: { atol: 1e-9, rtol: 1e-9 } };

function optT(o: Record<string, unknown> | undefined, key: string, t: Tensor): Tensor {
  return o?.[key] ? tview(t) : t;
}
function optTn(o: Record<string, unknown> | undefined, key: string, a: Nd): Nd {
  return o?.[key] ? tnd(a) : a;
}

// ---- entries ------------------------------------------------------------------------------

export const linalgOps: OpInfo[] = [
  {
    name: 'matmul',
    grad: true,
    run: ([a, b], o) => matmul(optT(o, 'ta', a), optT(o, 'tb', b)),
    ref: ([a, b], o) => refMatmul(optTn(o, 'ta', a), optTn(o, 'tb', b)),
    samples: [
      { name: '1-D x 1-D', args: [{ shape: [7] }, { shape: [7] }] },
      { name: '2-D', args: [{ shape: [3, 4] }, { shape: [4, 5] }] },
      { name: '1x1', args: [{ shape: [1, 1] }, { shape: [1, 1] }] },
      { name: 'odd sizes 33x65x7', args: [{ shape: [33, 65] }, { shape: [65, 7] }] },
      { name: 'odd sizes 65x129x33', args: [{ shape: [65, 129] }, { shape: [129, 33] }] },
      { name: 'past the small path 129x65x65', args: [{ shape: [129, 65] }, { shape: [65, 65] }] },
      { name: '1-D x 2-D', args: [{ shape: [4] }, { shape: [4, 5] }] },
      { name: '2-D x 1-D', args: [{ shape: [3, 4] }, { shape: [4] }] },
      { name: 'batched', args: [{ shape: [2, 3, 4] }, { shape: [2, 4, 5] }] },
      { name: 'broadcast batches', args: [{ shape: [2, 1, 3, 4] }, { shape: [5, 4, 2] }] },
      { name: '2-D x batched', args: [{ shape: [3, 4] }, { shape: [2, 4, 5] }] },
      { name: 'batched x 1-D', args: [{ shape: [2, 3, 4] }, { shape: [4] }] },
      { name: 'batched x shared matrix (batch folded into rows)', args: [{ shape: [3, 5, 7] }, { shape: [7, 33] }] },
      { name: 'strided batch x shared matrix', args: [{ shape: [2, 3, 9, 7], noncontig: true }, { shape: [7, 4] }] },
      { name: 'transposed batch x shared matrix (not foldable)', args: [{ shape: [2, 7, 5] }, { shape: [7, 4] }], opts: { ta: true } },
      { name: '1-D x batched', args: [{ shape: [4] }, { shape: [2, 4, 3] }] },
      { name: 'non-contiguous', args: [{ shape: [6, 7], noncontig: true }, { shape: [7, 5], noncontig: true }] },
      { name: 'A transposed', args: [{ shape: [40, 70] }, { shape: [40, 66] }], opts: { ta: true } },
      { name: 'B transposed', args: [{ shape: [70, 40] }, { shape: [66, 40] }], opts: { tb: true } },
      { name: 'both transposed', args: [{ shape: [65, 33] }, { shape: [129, 65] }], opts: { ta: true, tb: true } },
      { name: 'batched transposed', args: [{ shape: [3, 9, 7] }, { shape: [3, 9, 8] }], opts: { ta: true } },
      { name: 'k = 0 gives zeros', args: [{ shape: [3, 0] }, { shape: [0, 4] }] },
      { name: 'm = 0', args: [{ shape: [0, 3] }, { shape: [3, 4] }] },
      { name: 'empty batch', args: [{ shape: [0, 2, 3] }, { shape: [3, 4] }] },
      { name: 'empty 1-D dot', args: [{ shape: [0] }, { shape: [0] }] },
    ],
    dtypes: [...FLOATS, 'float16'],
    tol: { float16: { atol: 0.1, rtol: 2e-2 } },
    outDtype: (d) => d,
    errors: [
      { args: [{ shape: [2, 3] }, { shape: [4, 5] }], throws: /^matmul: shapes \[2, 3\] and \[4, 5\] cannot be multiplied \(3 != 4\)$/ },
      { args: [{ shape: [3] }, { shape: [4] }], throws: /matmul: shapes \[3\] and \[4\] cannot be multiplied \(3 != 4\)/ },
      { args: [{ shape: [2, 3], dtype: 'float32' }, { shape: [3, 2], dtype: 'float64' }], throws: /matmul: .*float32 and float64/ },
      { args: [{ shape: [] }, { shape: [3] }], throws: /matmul: both arguments need at least 1 dimension/ },
      { args: [{ shape: [2, 2, 3] }, { shape: [3, 3, 2] }], throws: /matmul: shapes \[2\] and \[3\] cannot be broadcast/ },
      { args: [{ shape: [2, 2], dtype: 'bool' }, { shape: [2, 2], dtype: 'bool' }], throws: /matmul: not supported for dtype bool/ },
    ],
  },
  {
    name: 'matmul (integer)',
    run: ([a, b], o) => matmul(optT(o, 'ta', a), b),
    ref: ([a, b], o) => refMatmul(optTn(o, 'ta', a), b),
    samples: [
      { args: [{ shape: [3, 4], low: -5, high: 5 }, { shape: [4, 5], low: -5, high: 5 }] },
      { args: [{ shape: [2, 7, 9], low: -9, high: 9 }, { shape: [9], low: -9, high: 9 }], name: 'batched x 1-D' },
      { args: [{ shape: [5, 3], low: 0, high: 9 }, { shape: [5, 4], low: 0, high: 9 }], opts: { ta: true }, name: 'transposed' },
      { args: [{ shape: [2, 0] }, { shape: [0, 3] }], name: 'k = 0' },
      { args: [{ shape: [200, 64], low: -3, high: 3 }, { shape: [64, 80], low: -3, high: 3 }], name: 'large enough to split rows' },
    ],
    dtypes: ['int32', 'int64', 'uint8'],
    outDtype: (d) => d,
  },
  {
    name: 'mm',
    grad: true,
    run: ([a, b], o) => optT(o, 'ta', a).mm(b),
    ref: ([a, b], o) => refMatmul2(optTn(o, 'ta', a), b),
    samples: [
      { args: [{ shape: [5, 3] }, { shape: [3, 2] }] },
      { args: [{ shape: [33, 7] }, { shape: [33, 65] }], opts: { ta: true }, name: 'transposed A' },
      { args: [{ shape: [4, 0] }, { shape: [0, 2] }], name: 'k = 0' },
    ],
    outDtype: (d) => d,
    errors: [
      { args: [{ shape: [2, 3, 4] }, { shape: [4, 2] }], throws: /mm: expected input to be a 2-D tensor/ },
      { args: [{ shape: [2, 3] }, { shape: [4, 5] }], throws: /mm: shapes \[2, 3\] and \[4, 5\] cannot be multiplied \(3 != 4\)/ },
    ],
  },
  {
    name: 'bmm',
    grad: true,
    run: ([a, b]) => bmm(a, b),
    ref: ([a, b]) => refMatmul2(a, b),
    samples: [
      { args: [{ shape: [3, 4, 5] }, { shape: [3, 5, 6] }] },
      { args: [{ shape: [2, 3, 4] }, { shape: [2, 4, 2] }], name: 'small' },
      { args: [{ shape: [2, 7, 33] }, { shape: [2, 33, 9], noncontig: true }], name: 'non-contiguous' },
      { args: [{ shape: [0, 4, 5] }, { shape: [0, 5, 6] }], name: 'empty batch' },
    ],
    errors: [
      { args: [{ shape: [2, 3, 4] }, { shape: [3, 4, 5] }], throws: /bmm: batch sizes of \[2, 3, 4\] and \[3, 4, 5\] differ/ },
      { args: [{ shape: [3, 4] }, { shape: [4, 5] }], throws: /bmm: expected input to be a 3-D tensor/ },
    ],
  },
  {
    name: 'mv',
    grad: true,
    run: ([a, v], o) => mv(optT(o, 'ta', a), v),
    ref: ([a, v], o) => refMatmul(optTn(o, 'ta', a), v),
    samples: [
      { args: [{ shape: [5, 3] }, { shape: [3] }] },
      { args: [{ shape: [129, 65] }, { shape: [129] }], opts: { ta: true }, name: 'transposed' },
      { args: [{ shape: [0, 3] }, { shape: [3] }], name: 'empty' },
    ],
    errors: [{ args: [{ shape: [5, 3] }, { shape: [4] }], throws: /mv: shapes \[5, 3\] and \[4\] cannot be multiplied \(3 != 4\)/ }],
  },
  {
    name: 'dot',
    grad: true,
    run: ([a, b]) => dot(a, b),
    ref: ([a, b]) => refMatmul(a, b),
    samples: [
      { args: [{ shape: [7] }, { shape: [7] }] },
      { args: [{ shape: [129], noncontig: true }, { shape: [129] }], name: 'strided' },
      { args: [{ shape: [0] }, { shape: [0] }], name: 'empty' },
    ],
    errors: [
      { args: [{ shape: [3] }, { shape: [4] }], throws: /dot: inconsistent tensor sizes/ },
      { args: [{ shape: [3, 1] }, { shape: [3] }], throws: /dot: expected input to be a 1-D tensor/ },
    ],
  },
  {
    name: 'inner',
    grad: true,
    run: ([a, b]) => inner(a, b),
    ref: ([a, b]) => {
      const k = a.shape[a.ndim - 1]!;
      const am = new Nd([Nd.numel(a.shape.slice(0, -1)), k], a.data);
      const bm = new Nd([Nd.numel(b.shape.slice(0, -1)), k], b.data);
      const r = refMatmul2(am, tnd(bm));
      return new Nd([...a.shape.slice(0, -1), ...b.shape.slice(0, -1)], r.data);
    },
    samples: [
      { args: [{ shape: [5] }, { shape: [5] }] },
      { args: [{ shape: [2, 3, 4] }, { shape: [5, 4] }] },
    ],
  },
  {
    name: 'outer',
    grad: true,
    run: ([a, b]) => outer(a, b),
    ref: ([a, b]) => refMatmul2(new Nd([a.shape[0]!, 1], a.data), new Nd([1, b.shape[0]!], b.data)),
    samples: [
      { args: [{ shape: [4] }, { shape: [3] }] },
      { args: [{ shape: [65], noncontig: true }, { shape: [33] }], name: 'strided' },
      { args: [{ shape: [0] }, { shape: [3] }], name: 'empty' },
    ],
  },
  {
    name: 'addmm',
    grad: true,
    run: ([c, a, b], o) => addmm(c, a, b, o as { alpha?: number; beta?: number }),
    ref: ([c, a, b], o) => {
      const p = refMatmul2(a, b);
      const alpha = (o?.alpha as number | undefined) ?? 1;
      const beta = (o?.beta as number | undefined) ?? 1;
      const out = Nd.zeros(p.shape);
      Nd.forEachIndex(p.shape, (idx, flat) => {
        const ci = c.ndim === 0 ? 0 : c.ndim === 1 ? c.data[c.shape[0] === 1 ? 0 : idx[1]!]! : c.at([c.shape[0] === 1 ? 0 : idx[0]!, c.shape[1] === 1 ? 0 : idx[1]!]);
        out.data[flat] = beta * ci + alpha * p.data[flat]!;
      });
      return out;
    },
    samples: [
      { args: [{ shape: [3, 5] }, { shape: [3, 4] }, { shape: [4, 5] }] },
      { args: [{ shape: [5] }, { shape: [33, 65] }, { shape: [65, 5] }], opts: { alpha: 0.5, beta: -2 }, name: 'bias row, alpha, beta' },
      { args: [{ shape: [3] }, { shape: [2, 4] }, { shape: [4, 3] }], opts: { alpha: 0.5, beta: -2 }, name: 'small, bias row, alpha, beta' },
      { args: [{ shape: [2, 1] }, { shape: [2, 3] }, { shape: [3, 4] }], opts: { alpha: 2, beta: 0.5 }, name: 'small, bias column' },
      { args: [{ shape: [7, 1] }, { shape: [7, 0] }, { shape: [0, 3] }], opts: { beta: 3 }, name: 'k = 0' },
    ],
    errors: [{ args: [{ shape: [4, 5] }, { shape: [3, 4] }, { shape: [4, 5] }], throws: /addmm: input of shape \[4, 5\] cannot be broadcast to \[3, 5\]|addmm: shapes/ }],
  },
  {
    name: 'einsum',
    grad: true,
    run: ([eq, ...ts]) => einsum(eq, ...ts),
    // Equations with '...' are checked against the same contraction spelled with letters.
    ref: ([eq, ...xs], o) => refEinsum((o?.refEq as string | undefined) ?? eq, xs),
    samples: [
      { args: ['ij,jk->ik', { shape: [3, 4] }, { shape: [4, 5] }] },
      { args: ['bij,bjk->bik', { shape: [2, 3, 4] }, { shape: [2, 4, 5] }] },
      { args: ['ii->i', { shape: [4, 4] }] },
      { args: ['ii', { shape: [4, 4] }] },
      { args: ['ij->ji', { shape: [3, 5] }] },
      { args: ['i,i->', { shape: [7] }, { shape: [7] }] },
      { args: ['i,j->ij', { shape: [3] }, { shape: [4] }] },
      { args: ['bhqd,bhkd->bhqk', { shape: [2, 3, 4, 5] }, { shape: [2, 3, 6, 5] }] },
      { args: ['ij->', { shape: [3, 4], noncontig: true }] },
      { args: ['ijk->j', { shape: [2, 3, 4] }] },
      { args: ['ij,jk', { shape: [3, 4] }, { shape: [4, 5] }], name: 'implicit output' },
      { args: ['ik,jkl->ijl', { shape: [2, 3] }, { shape: [4, 3, 5] }] },
      { args: ['ij,kj,ik->i', { shape: [3, 4] }, { shape: [5, 4] }, { shape: [3, 5] }], name: 'three operands' },
      { args: ['ab,b->ab', { shape: [3, 4] }, { shape: [4] }], name: 'scaling (batch-like shared index)' },
      { args: ['ij,jk->ik', { shape: [3, 0] }, { shape: [0, 5] }], name: 'k = 0' },
      { args: ['...ij,...jk->...ik', { shape: [2, 3, 4] }, { shape: [2, 4, 5] }], opts: { refEq: 'bij,bjk->bik' }, name: 'ellipsis' },
      { args: ['...ij,jk', { shape: [2, 2, 3, 4] }, { shape: [4, 5] }], opts: { refEq: 'abij,jk->abik' }, name: 'implicit ellipsis' },
      { args: ['bij,bjk->bik', { shape: [1, 3, 4] }, { shape: [2, 4, 5] }], name: 'size-1 broadcast' },
      { args: ['...ii->...i', { shape: [3, 4, 4] }], opts: { refEq: 'bii->bi' }, name: 'batched diagonal' },
      { args: ['bhqd,bhkd->bhqk', { shape: [1, 2, 33, 16], noncontig: true }, { shape: [1, 2, 65, 16] }], name: 'attention, odd sizes, strided' },
    ],
    tol: LOOSE,
    errors: [
      { args: ['ij,jk->ik', { shape: [3, 4] }, { shape: [5, 6] }], throws: /einsum: .*subscript j has sizes 4 and 5/ },
      { args: ['ij->k', { shape: [3, 4] }], throws: /einsum: output subscript k does not appear/ },
      { args: ['ijk->i', { shape: [3, 4] }], throws: /einsum: subscripts 'ijk' of operand 0 do not match its shape \[3, 4\]/ },
    ],
  },
  // ---- linalg ----
  {
    name: 'linalg.cholesky',
    grad: true,
    // The input is symmetrized ((A + A^T) / 2, a no-op on the symmetric samples) so that gradcheck's
    // one-entry perturbations stay symmetric, as the gradient formula assumes.
    run: ([a], o) => linalg.cholesky(symmetrized(a), o),
    ref: ([a], o) => a.shape.includes(0) ? a : perMatrix(a, (m) => {
      const l = refCholesky(symRows(m));
      return o?.upper ? l[0]!.map((_, i) => l.map((r) => r[i]!)) : l;
    }),
    samples: [
      { args: [spd([4, 4])] },
      { args: [spd([2, 3, 7, 7], 2)], name: 'batched' },
      { args: [spd([2, 3, 3], 5)], opts: { upper: true }, name: 'small batch, upper' },
      { args: [spd([5, 5], 3)], opts: { upper: true }, name: 'upper' },
      { args: [spd([33, 33], 4)], name: '33x33' },
      { args: [{ shape: [0, 0] }], name: 'empty' },
    ],
    tol: LOOSE,
    errors: [
      { args: [{ shape: [2, 2], values: [1, 2, 2, 1] }], throws: /linalg.cholesky: .*not positive-definite \(the leading minor of order 2/ },
      { args: [{ shape: [2, 3] }], throws: /linalg.cholesky: A must be batches of square matrices, but they are 2 by 3 matrices/ },
      { args: [{ shape: [3] }], throws: /linalg.cholesky: the input tensor A must have at least 2 dimensions/ },
      { args: [{ shape: [2, 2], dtype: 'int64' }], throws: /linalg.cholesky: expected a float32 or float64 tensor as A, but got int64/ },
    ],
  },
  {
    name: 'linalg.solve',
    grad: true,
    run: ([a, b], o) => linalg.solve(a, b, o),
    ref: ([a, b], o) => refSolve(a, b, o?.left === false),
    samples: [
      { args: [well([4, 4]), { shape: [4, 3] }] },
      { args: [well([4, 4]), { shape: [4] }], name: 'vector rhs' },
      { args: [well([2, 5, 5]), { shape: [2, 5] }], name: 'batched vector rhs' },
      { args: [well([2, 1, 6, 6]), { shape: [3, 6, 2] }], name: 'broadcast batches' },
      { args: [well([2, 1, 3, 3], 9), { shape: [2, 3, 2] }], name: 'broadcast batches, small' },
      { args: [well([3, 3]), { shape: [2, 3] }], opts: { left: false }, name: 'left: false' },
      { args: [well([33, 33]), { shape: [33, 7], noncontig: true }], name: '33x33 strided rhs' },
    ],
    tol: LOOSE,
    errors: [
      { args: [{ shape: [2, 2], values: [1, 2, 2, 4] }, { shape: [2, 1] }], throws: /linalg.solve: The solver failed because the input matrix is singular/ },
      { args: [well([3, 3]), { shape: [4, 2] }], throws: /linalg.solve: incompatible shapes/ },
    ],
  },
  {
    name: 'linalg.solveTriangular',
    grad: true,
    run: ([a, b], o) => linalg.solveTriangular(a, b, o as { upper: boolean }),
    ref: ([a, b], o) => {
      const unit = o?.unitriangular === true;
      const upper = o?.upper === true;
      const am = a.map((v: number, i: number) => {
        const n = a.shape[a.ndim - 1]!;
        const r = Math.floor(i / n) % n;
        const c = i % n;
        if (unit && r === c) return 1;
        return (upper ? c >= r : c <= r) ? v : 0;
      });
      return refSolve(am, b, o?.left === false);
    },
    samples: [
      { args: [triValues([4, 4], true, 1), { shape: [4, 3] }], opts: { upper: true } },
      { args: [triValues([5, 5], false, 2), { shape: [5, 2] }], opts: { upper: false } },
      { args: [{ shape: [2, 4, 4], low: 1, high: 2 }, { shape: [2, 4, 3] }], opts: { upper: false, unitriangular: true }, name: 'unitriangular reads one triangle' },
      { args: [triValues([3, 3], true, 3), { shape: [2, 3] }], opts: { upper: true, left: false }, name: 'left: false' },
      { args: [triValues([3, 3], false, 5), { shape: [2, 3, 2] }], opts: { upper: false }, name: 'broadcast A' },
    ],
    tol: LOOSE,
    errors: [{ args: [{ shape: [3, 3] }, { shape: [3, 2] }], throws: /linalg.solveTriangular: the option 'upper'/ }],
  },
  {
    name: 'linalg.inv',
    grad: true,
    run: ([a]) => linalg.inv(a),
    ref: ([a]) => refSolve(a, eyeNd(a.shape[a.ndim - 1]!, a.shape.slice(0, -2)), false),
    samples: [
      { args: [well([4, 4])] },
      { args: [well([3, 2, 5, 5], 7)], name: 'batched' },
      { args: [well([2, 3, 3], 6)], name: 'small batch' },
      { args: [well([33, 33], 8)], name: '33x33' },
      { args: [{ shape: [3, 3], values: [0, 1, 0, 0, 0, 2, 3, 0, 0] }], name: 'needs pivoting' },
      { args: [{ shape: [0, 0] }], name: 'empty' },
    ],
    tol: LOOSE,
    errors: [{ args: [{ shape: [3, 3], values: [1, 2, 3, 2, 4, 6, 0, 1, 1] }], throws: /linalg.inv: The solver failed because the input matrix is singular/ }],
  },
  {
    name: 'linalg.det',
    grad: true,
    run: ([a]) => linalg.det(a),
    ref: ([a]) => perMatrix(a, (m) => refGaussJordan(m, m.map(() => [])).det),
    samples: [
      { args: [{ shape: [3, 3] }] },
      { args: [{ shape: [2, 3, 6, 6] }], name: 'batched' },
      { args: [{ shape: [3, 3], values: [1, 2, 3, 2, 4, 6, 0, 1, 1] }], name: 'singular' },
      { args: [{ shape: [0, 0] }], name: '0x0 is 1' },
      { args: [{ shape: [5, 5], noncontig: true }], name: 'strided' },
    ],
    tol: LOOSE,
  },
  {
    name: 'linalg.slogdet',
    grad: true,
    run: ([a]) => linalg.slogdet(a),
    ref: ([a]) => {
      const d = perMatrix(a, (m) => refGaussJordan(m, m.map(() => [])).det);
      return { sign: d.map((v) => Math.sign(v)), logabsdet: d.map((v) => Math.log(Math.abs(v))) };
    },
    samples: [
      { args: [{ shape: [4, 4] }] },
      { args: [{ shape: [3, 5, 5] }], name: 'batched' },
      { args: [well([2, 3, 3], 5)], name: 'small batch' },
    ],
    tol: LOOSE,
  },
  {
    // Singular input: logabsdet is -inf and has no gradient, so this sample lives apart from the
    // differentiable entry above.
    name: 'linalg.slogdet (singular)',
    run: ([a]) => linalg.slogdet(a),
    ref: ([a]) => {
      const d = perMatrix(a, (m) => refGaussJordan(m, m.map(() => [])).det);
      return { sign: d.map((v) => Math.sign(v)), logabsdet: d.map((v) => Math.log(Math.abs(v))) };
    },
    samples: [{ args: [{ shape: [2, 2], values: [1, 2, 2, 4] }], name: 'singular' }],
    tol: LOOSE,
  },
  {
    name: 'linalg.qr',
    grad: true,
    // Q is unique only up to column signs: compare Q R with A, Q^T Q with I and R's lower part with 0.
    run: ([a], o) => {
      const { Q, R } = linalg.qr(a, o);
      return { QR: matmul(Q, R), QtQ: matmul(Q.mT, Q), Rlow: strictLower(R) };
    },
    ref: ([a], o) => {
      const m = a.shape[a.ndim - 2]!;
      const n = a.shape[a.ndim - 1]!;
      const qc = o?.mode === 'complete' ? m : Math.min(m, n);
      const rr = qc;
      return { QR: a, QtQ: eyeNd(qc, a.shape.slice(0, -2)), Rlow: Nd.zeros([...a.shape.slice(0, -2), rr, n]) };
    },
    samples: [
      { args: [{ shape: [5, 3] }] },
      { args: [{ shape: [3, 5] }], name: 'wide' },
      { args: [{ shape: [3, 5] }], opts: { mode: 'complete' }, name: 'complete, wide' },
      { args: [{ shape: [2, 7, 7] }], name: 'batched' },
      { args: [{ shape: [33, 9], noncontig: true }], name: 'strided' },
    ],
    tol: LOOSE,
  },
  {
    // mode 'complete' with m > n: Q's extra columns are not determined by A (no gradient, as in
    // PyTorch), so this sample lives apart from the differentiable entry above.
    name: 'linalg.qr (complete, tall)',
    run: ([a], o) => {
      const { Q, R } = linalg.qr(a, o);
      return { QR: matmul(Q, R), QtQ: matmul(Q.mT, Q), Rlow: strictLower(R) };
    },
    ref: ([a]) => {
      const m = a.shape[a.ndim - 2]!;
      const n = a.shape[a.ndim - 1]!;
      return { QR: a, QtQ: eyeNd(m, a.shape.slice(0, -2)), Rlow: Nd.zeros([...a.shape.slice(0, -2), m, n]) };
    },
    samples: [{ args: [{ shape: [5, 3] }], opts: { mode: 'complete' }, name: 'complete' }],
    tol: LOOSE,
  },
  {
    name: 'linalg.eigh',
    grad: true,
    // Eigenvectors are unique only up to sign: check V diag(w) V^T = A and V^T V = I. The input is
    // symmetrized ((A + A^T) / 2) so that gradcheck's perturbations stay symmetric; the samples
    // have distinct eigenvalues (the eigenvector gradient needs them).
    run: ([a], o) => eighChecks(symmetrized(a), o),
    ref: ([a]) => {
      const sym = perMatrix(a, symRows);
      return { w: perMatrix(sym, refJacobiEigenvalues), recon: sym, VtV: eyeNd(a.shape[a.ndim - 1]!, a.shape.slice(0, -2)) };
    },
    samples: [
      { args: [spd([4, 4])] },
      { args: [{ shape: [5, 5] }], name: 'indefinite' },
      { args: [{ shape: [5, 5] }], opts: { UPLO: 'U' }, name: 'upper' },
      { args: [{ shape: [3, 6, 6] }], name: 'batched' },
    ],
    tol: LOOSE,
  },
  {
    // Which triangle is read (the input is not symmetrized here), and repeated eigenvalues.
    name: 'linalg.eigh (triangle read, repeated eigenvalues)',
    run: ([a], o) => eighChecks(a, o),
    ref: ([a], o) => {
      const sym = perMatrix(a, (m) => m.map((row, i) => row.map((x, j) => ((o?.UPLO === 'U') === (j > i) || i === j ? x : m[j]![i]!))));
      return { w: perMatrix(sym, refJacobiEigenvalues), recon: sym, VtV: eyeNd(a.shape[a.ndim - 1]!, a.shape.slice(0, -2)) };
    },
    samples: [
      { args: [{ shape: [5, 5] }], name: 'indefinite, lower triangle read' },
      { args: [{ shape: [5, 5] }], opts: { UPLO: 'U' }, name: 'upper triangle read' },
      { args: [{ shape: [3, 3], values: [2, 0, 0, 0, 2, 0, 0, 0, 1] }], name: 'repeated eigenvalue' },
    ],
    tol: LOOSE,
  },
  {
    name: 'linalg.svd',
    grad: true,
    // U and V are unique only up to signs: compare U diag(S) Vh with A, S with the reference
    // singular values, and the Gram matrices of U and Vh with I.
    // The first k columns of U / rows of Vh are taken with matmuls (differentiable); U diag(S^2) U^T
    // = A A^T and V diag(S^2) Vh = A^T A check the gradients through U and Vh alone. The Gram
    // matrices of the full U and Vh (whose extra columns A does not determine) are checked detached.
    run: ([a], o) => {
      const { U, S, Vh } = linalg.svd(a, o as { fullMatrices?: boolean });
      const b = a.ndim === 3 ? 'b' : '';
      const k = S.shape[S.ndim - 1]!;
      const pick = (n: number): Tensor => tensor(Float64Array.from({ length: n * k }, (_, i) => (Math.floor(i / k) === i % k ? 1 : 0)), { shape: [n, k] }).to(a.dtype);
      const Uk = matmul(U, pick(U.shape[U.ndim - 1]!));
      const Vk = matmul(pick(Vh.shape[Vh.ndim - 2]!).mT, Vh);
      const S2 = S.mul(S);
      const Ud = U.detach();
      const Vd = Vh.detach();
      return {
        S,
        USVh: einsum(`${b}ij,${b}j,${b}jk->${b}ik`, Uk, S, Vk),
        US2Ut: einsum(`${b}ij,${b}j,${b}kj->${b}ik`, Uk, S2, Uk),
        VS2Vh: einsum(`${b}ji,${b}j,${b}jk->${b}ik`, Vk, S2, Vk),
        UtU: matmul(tview(Ud), Ud),
        VVt: matmul(Vd, tview(Vd)),
      };
    },
    ref: ([a], o) => {
      const m = a.shape[a.ndim - 2]!;
      const n = a.shape[a.ndim - 1]!;
      const full = o?.fullMatrices !== false;
      const k = Math.min(m, n);
      const bs = a.shape.slice(0, -2);
      return {
        S: refSvdvals(a),
        USVh: a,
        US2Ut: refMatmul2(a, tnd(a)),
        VS2Vh: refMatmul2(tnd(a), a),
        UtU: eyeNd(full ? m : k, bs),
        VVt: eyeNd(full ? n : k, bs),
      };
    },
    samples: [
      { args: [{ shape: [5, 3] }] },
      { args: [{ shape: [3, 5] }], name: 'wide' },
      { args: [{ shape: [2, 6, 4] }], opts: { fullMatrices: false }, name: 'batched reduced' },
      { args: [{ shape: [2, 4, 6], noncontig: true }], opts: { fullMatrices: false }, name: 'batched wide reduced strided' },
    ],
    tol: LOOSE,
  },
  {
    name: 'linalg.pinv',
    grad: true,
    // The four Penrose conditions pin the pseudo-inverse down: A X A = A, X A X = X, (AX)^T = AX, (XA)^T = XA.
    run: ([a]) => {
      const x = linalg.pinv(a);
      const ax = matmul(a, x);
      const xa = matmul(x, a);
      return { AXA: matmul(ax, a), XAX: matmul(xa, x), AXsym: ax.mT.clone(), XAsym: xa.mT.clone() };
    },
    ref: ([a]) => {
      const x = refPinv(a);
      const ax = refMatmul2(a, x);
      const xa = refMatmul2(x, a);
      return { AXA: a, XAX: x, AXsym: ax, XAsym: xa };
    },
    samples: [
      { args: [{ shape: [5, 3] }] },
      { args: [{ shape: [3, 5] }], name: 'wide' },
      { args: [well([4, 4])], name: 'square invertible' },
    ],
    tol: LOOSE,
  },
  {
    name: 'linalg.matrixPower',
    grad: true,
    run: ([a, n]) => linalg.matrixPower(a, n),
    ref: ([a, n]) => perMatrix(a, (m) => refMatPow(m, n)),
    samples: [
      { args: [{ shape: [3, 3] }, 3] },
      { args: [{ shape: [2, 4, 4] }, 0], name: 'n = 0 is the identity' },
      { args: [{ shape: [3, 3] }, 1] },
      { args: [well([2, 3, 3]), -2], name: 'negative power' },
      { args: [{ shape: [5, 5], low: -1, high: 1 }, 6], name: 'repeated squaring' },
    ],
    tol: LOOSE,
    errors: [{ args: [{ shape: [2, 3] }, 2], throws: /linalg.matrixPower: A must be batches of square matrices/ }],
  },
  {
    name: 'linalg.multiDot',
    grad: true,
    run: (ts) => linalg.multiDot(ts),
    ref: (xs) => xs.reduce((acc: Nd, x: Nd) => refMatmul(acc, x)),
    samples: [
      { args: [{ shape: [3, 4] }, { shape: [4, 5] }, { shape: [5, 2] }] },
      { args: [{ shape: [4] }, { shape: [4, 5] }, { shape: [5] }], name: '1-D ends' },
      { args: [{ shape: [2, 3] }, { shape: [3] }], name: '1-D last' },
    ],
    tol: LOOSE,
    errors: [{ args: [{ shape: [3, 4] }, { shape: [5, 2] }], throws: /linalg.multiDot: shapes \[3, 4\] and \[5, 2\] cannot be multiplied/ }],
  },
  {
    name: 'linalg.vecdot',
    grad: true,
    run: ([x, y], o) => linalg.vecdot(x, y, o as { dim?: number }),
    ref: ([x, y], o) => {
      const dim = (o?.dim as number | undefined) ?? -1;
      const shape = broadcastShapes(x.shape, y.shape);
      const d = dim < 0 ? dim + shape.length : dim;
      const outShape = shape.filter((_, i) => i !== d);
      const out = Nd.zeros(outShape);
      Nd.forEachIndex(shape, (idx) => {
        const pick = (a: Nd): number => a.at(idx.slice(idx.length - a.ndim).map((v, i) => (a.shape[i] === 1 ? 0 : v)));
        const oi = idx.filter((_, i) => i !== d);
        let o2 = 0;
        const st = out.strides();
        oi.forEach((v, i) => (o2 += v * st[i]!));
        out.data[o2]! += pick(x) * pick(y);
      });
      return out;
    },
    samples: [
      { args: [{ shape: [5] }, { shape: [5] }] },
      { args: [{ shape: [3, 4] }, { shape: [4] }], name: 'broadcast' },
      { args: [{ shape: [2, 3, 4] }, { shape: [2, 3, 4], noncontig: true }], opts: { dim: 1 }, name: 'dim 1, strided' },
    ],
    errors: [{ args: [{ shape: [3] }, { shape: [4] }], throws: /linalg.vecdot: shapes \[3\] and \[4\] have different sizes/ }],
  },
  {
    name: 'linalg.matrixRank',
    run: ([a]) => linalg.matrixRank(a),
    ref: ([a]) => perMatrix(a, refRank),
    samples: [
      { args: [{ shape: [4, 3] }], name: 'full rank' },
      // rows 3 = row 1 + row 2: rank 2.
      { args: [{ shape: [3, 5], values: [1, 2, 3, 4, 5, 0, 1, 0, 1, 0, 1, 3, 3, 5, 5] }], name: 'rank deficient' },
      { args: [{ shape: [2, 4, 4] }], name: 'batched' },
    ],
    dtypes: ['float64'],
    outDtype: () => 'int64',
  },
  {
    name: 'linalg.cond',
    grad: true,
    run: ([a], o) => linalg.cond(a, o?.p as number | undefined),
    ref: ([a], o) => perMatrix(a, (m) => {
      const p = o?.p as number | string | undefined;
      if (p === undefined || p === 2) return refMatrixNorm(m, 2) / refMatrixNorm(m, -2);
      const inv = refGaussJordan(m, m.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)))).x;
      return refMatrixNorm(m, p) * refMatrixNorm(inv, p);
    }),
    samples: [
      { args: [well([4, 4])] },
      { args: [well([2, 3, 3], 4)], opts: { p: 1 }, name: 'p = 1, batched' },
      { args: [{ shape: [5, 3] }], name: 'rectangular' },
      { args: [well([3, 3], 5)], opts: { p: 'fro' }, name: 'fro' },
    ],
    tol: LOOSE,
  },
  {
    name: 'linalg.eigvalsh',
    grad: true,
    // Symmetrized input, as for linalg.eigh.
    run: ([a], o) => linalg.eigvalsh(symmetrized(a), o as { UPLO?: 'L' | 'U' }),
    ref: ([a]) => perMatrix(a, (m) => refJacobiEigenvalues(symRows(m))),
    samples: [
      { args: [{ shape: [6, 6] }] },
      { args: [{ shape: [2, 4, 4], noncontig: true }], opts: { UPLO: 'U' }, name: 'batched, strided, upper' },
      { args: [{ shape: [1, 1] }], name: '1x1' },
    ],
    tol: LOOSE,
    errors: [{ args: [{ shape: [2, 3] }], throws: /linalg.eigvalsh: A must be batches of square matrices/ }],
  },
  {
    // Which triangle is read (the input is not symmetrized here).
    name: 'linalg.eigvalsh (triangle read)',
    run: ([a], o) => linalg.eigvalsh(a, o as { UPLO?: 'L' | 'U' }),
    ref: ([a], o) => perMatrix(a, (m) => refJacobiEigenvalues(m.map((row, i) => row.map((x, j) => ((o?.UPLO === 'U') === (j > i) || i === j ? x : m[j]![i]!))))),
    samples: [
      { args: [{ shape: [6, 6] }] },
      { args: [{ shape: [2, 5, 5], noncontig: true }], opts: { UPLO: 'U' }, name: 'batched, strided, upper' },
    ],
    tol: LOOSE,
  },
  {
    name: 'linalg.vectorNorm',
    grad: true,
    run: ([x], o) => linalg.vectorNorm(x, o),
    ref: ([x], o) => {
      const ord = (o?.ord as number | undefined) ?? 2;
      const dims = o?.dim === undefined ? undefined : typeof o.dim === 'number' ? [o.dim] : (o.dim as number[]);
      return reduceRef(x, dims, (o?.keepdim as boolean | undefined) ?? false, (vals) => {
        const a = vals.map(Math.abs);
        if (ord === Infinity) return Math.max(...a);
        if (ord === -Infinity) return Math.min(...a);
        if (ord === 0) return a.filter((v) => v !== 0).length;
        return a.reduce((s, v) => s + v ** ord, 0) ** (1 / ord);
      });
    },
    samples: [
      { args: [{ shape: [7] }] },
      { args: [{ shape: [3, 4] }], opts: { dim: 1 } },
      { args: [{ shape: [2, 3, 4] }], opts: { ord: 1, dim: [0, 2], keepdim: true }, name: 'ord 1 over two dims, keepdim' },
      { args: [{ shape: [3, 4], noncontig: true }], opts: { ord: Infinity, dim: 0 }, name: 'inf, strided' },
      { args: [{ shape: [3, 4] }], opts: { ord: -Infinity, dim: -1 } },
      { args: [{ shape: [3, 4], values: [0, 1, 0, 2, 3, 0, 0, 0, 1, 1, 1, 1] }], opts: { ord: 0, dim: 1 }, name: 'ord 0' },
      { args: [{ shape: [5, 3] }], opts: { ord: 3, dim: 0 }, name: 'ord 3' },
      { args: [{ shape: [0, 3] }], opts: { dim: 0 }, name: 'empty reduction' },
      { args: [{ shape: [] }], name: '0-d' },
    ],
    errors: [
      { args: [{ shape: [3], dtype: 'int64' }], throws: /linalg.vectorNorm: expected a float32 or float64 tensor/ },
      { args: [{ shape: [3, 4] }], opts: { dim: 2 }, throws: /linalg.vectorNorm: dimension out of range/ },
    ],
  },
  {
    name: 'linalg.matrixNorm',
    grad: true,
    run: ([x], o) => linalg.matrixNorm(x, o),
    ref: ([x], o) => perMatrix(x, (m) => refMatrixNorm(m, (o?.ord as number | string | undefined) ?? 'fro')),
    samples: [
      { args: [{ shape: [3, 4] }] },
      { args: [{ shape: [2, 3, 4] }], opts: { ord: 1 }, name: 'ord 1 batched' },
      { args: [{ shape: [3, 4] }], opts: { ord: -1 } },
      { args: [{ shape: [3, 4], noncontig: true }], opts: { ord: Infinity }, name: 'inf strided' },
      { args: [{ shape: [3, 4] }], opts: { ord: -Infinity } },
      { args: [{ shape: [4, 3] }], opts: { ord: 2 } },
      { args: [{ shape: [3, 5] }], opts: { ord: -2 } },
      { args: [{ shape: [2, 4, 4] }], opts: { ord: 'nuc' }, name: 'nuc batched' },
    ],
    tol: LOOSE,
    errors: [{ args: [{ shape: [3, 4] }], opts: { ord: 3 }, throws: /linalg.matrixNorm: order 3 not supported/ }],
  },
  {
    name: 'linalg.norm',
    grad: true,
    run: ([x], o) => linalg.norm(x, o),
    ref: ([x], o) => {
      if (o?.dim === undefined && o?.ord !== undefined && x.ndim === 2) return Nd.scalar(refMatrixNorm(toRows(x), o.ord as number | string));
      const ord = (o?.ord as number | undefined) ?? 2;
      const dims = o?.dim === undefined ? undefined : typeof o.dim === 'number' ? [o.dim] : (o.dim as number[]);
      return reduceRef(x, dims, false, (vals) => vals.reduce((s, v) => s + Math.abs(v) ** ord, 0) ** (1 / ord));
    },
    samples: [
      { args: [{ shape: [2, 3, 4] }], name: 'flattened 2-norm' },
      { args: [{ shape: [3, 4] }], opts: { ord: 'fro' } },
      { args: [{ shape: [3, 4] }], opts: { ord: 'nuc' } },
      { args: [{ shape: [3, 4] }], opts: { ord: 1 }, name: 'matrix ord 1' },
      { args: [{ shape: [3, 4] }], opts: { ord: 1, dim: 1 }, name: 'vector ord 1 over dim 1' },
      { args: [{ shape: [6] }], opts: { ord: 3 }, name: 'vector ord 3' },
      { args: [{ shape: [3, 4] }], opts: { ord: 2 }, name: 'matrix ord 2 (spectral)' },
      { args: [{ shape: [4, 3] }], name: '2-D, no ord (flattened 2-norm)' },
    ],
    tol: LOOSE,
    errors: [{ args: [{ shape: [2, 3, 4] }], opts: { ord: 2 }, throws: /linalg.norm: input must be 1-D or 2-D/ }],
  },
  {
    name: 'linalg.svdvals',
    grad: true,
    run: ([x]) => linalg.svdvals(x),
    // Singular values are the square roots of the eigenvalues of A^T A (or A A^T), descending.
    ref: ([x]) => perMatrix(x, (m) => {
      const r = m.length;
      const c = m[0]?.length ?? 0;
      const k = Math.min(r, c);
      const g: number[][] = [];
      for (let i = 0; i < k; i++) {
        g.push([]);
        for (let j = 0; j < k; j++) {
          let s = 0;
          if (r >= c) for (let p = 0; p < r; p++) s += m[p]![i]! * m[p]![j]!;
          else for (let p = 0; p < c; p++) s += m[i]![p]! * m[j]![p]!;
          g[i]!.push(s);
        }
      }
      return refJacobiEigenvalues(g).map((v) => Math.sqrt(Math.max(v, 0))).reverse();
    }),
    samples: [{ args: [{ shape: [5, 3] }] }, { args: [{ shape: [2, 3, 6] }], name: 'batched wide' }],
    tol: LOOSE,
  },
];

function refMatPow(a: number[][], n: number): number[][] {
  const size = a.length;
  const eye = (): number[][] => a.map((row, i) => row.map((_, j): number => (i === j ? 1 : 0)));
  let r = eye();
  const base = n < 0 ? refGaussJordan(a, eye()).x : a;
  for (let e = 0; e < Math.abs(n); e++) {
    r = r.map((row) => Array.from({ length: size }, (_, j) => row.reduce((s, v, k) => s + v * base[k]![j]!, 0)));
  }
  return r;
}

/** Rank by Gaussian elimination with partial pivoting and a relative tolerance. */
function refRank(m: number[][]): number {
  const A = m.map((r) => [...r]);
  const rows = A.length;
  const cols = A[0]?.length ?? 0;
  const scale = Math.max(1e-300, ...A.flat().map(Math.abs));
  let rank = 0;
  for (let c = 0; c < cols && rank < rows; c++) {
    let p = rank;
    for (let i = rank + 1; i < rows; i++) if (Math.abs(A[i]![c]!) > Math.abs(A[p]![c]!)) p = i;
    if (Math.abs(A[p]![c]!) <= 1e-10 * scale) continue;
    [A[p], A[rank]] = [A[rank]!, A[p]!];
    for (let i = rank + 1; i < rows; i++) {
      const f = A[i]![c]! / A[rank]![c]!;
      for (let j = c; j < cols; j++) A[i]![j]! -= f * A[rank]![j]!;
    }
    rank++;
  }
  return rank;
}

function toRows(x: Nd): number[][] {
  const c = x.shape[1]!;
  return Array.from({ length: x.shape[0]! }, (_, i) => Array.from(x.data.subarray(i * c, i * c + c)));
}

function refSvdvals(x: Nd): Nd {
  return perMatrix(x, (m) => {
    const r = m.length;
    const c = m[0]?.length ?? 0;
    const k = Math.min(r, c);
    const g: number[][] = [];
    for (let i = 0; i < k; i++) {
      g.push([]);
      for (let j = 0; j < k; j++) {
        let s = 0;
        if (r >= c) for (let p = 0; p < r; p++) s += m[p]![i]! * m[p]![j]!;
        else for (let p = 0; p < c; p++) s += m[i]![p]! * m[j]![p]!;
        g[i]!.push(s);
      }
    }
    return refJacobiEigenvalues(g).map((v) => Math.sqrt(Math.max(v, 0))).reverse();
  });
}

/** Pseudo-inverse of a full-rank matrix: (A^T A)^-1 A^T (tall) or A^T (A A^T)^-1 (wide). */
function refPinv(a: Nd): Nd {
  const m = a.shape[0]!;
  const n = a.shape[1]!;
  const at = tnd(a);
  if (m >= n) {
    const g = refMatmul2(at, a);
    return refSolve(g, at, false);
  }
  const g = refMatmul2(a, at);
  return refSolve(g, at, true);
}

function refMatrixNorm(m: number[][], ord: number | string): number {
  const r = m.length;
  const c = m[0]?.length ?? 0;
  const colSums = Array.from({ length: c }, (_, j) => m.reduce((s, row) => s + Math.abs(row[j]!), 0));
  const rowSums = m.map((row) => row.reduce((s, v) => s + Math.abs(v), 0));
  const sv = (): number[] => {
    const k = Math.min(r, c);
    const g: number[][] = [];
    for (let i = 0; i < k; i++) {
      g.push([]);
      for (let j = 0; j < k; j++) {
        let s = 0;
        if (r >= c) for (let p = 0; p < r; p++) s += m[p]![i]! * m[p]![j]!;
        else for (let p = 0; p < c; p++) s += m[i]![p]! * m[j]![p]!;
        g[i]!.push(s);
      }
    }
    return refJacobiEigenvalues(g).map((v) => Math.sqrt(Math.max(v, 0)));
  };
  switch (ord) {
    case 'fro': return Math.sqrt(m.flat().reduce((s, v) => s + v * v, 0));
    case 'nuc': return sv().reduce((a, b) => a + b, 0);
    case 1: return Math.max(...colSums);
    case -1: return Math.min(...colSums);
    case Infinity: return Math.max(...rowSums);
    case -Infinity: return Math.min(...rowSums);
    case 2: return Math.max(...sv());
    case -2: return Math.min(...sv());
    default: throw new Error(`bad ord ${ord}`);
  }
}

function reduceRef(x: Nd, dims: number[] | undefined, keepdim: boolean, f: (vals: number[]) => number): Nd {
  const nd = x.ndim;
  const ds = dims === undefined ? [...Array(nd).keys()] : dims.map((d) => (d < 0 ? d + nd : d));
  const outKeep = x.shape.map((s, i) => (ds.includes(i) ? 1 : s));
  const groups: number[][] = Array.from({ length: Nd.numel(outKeep) }, () => []);
  const ost = new Nd(outKeep, new Float64Array(Nd.numel(outKeep))).strides();
  Nd.forEachIndex(x.shape, (idx, flat) => {
    let o = 0;
    for (let d = 0; d < nd; d++) if (!ds.includes(d)) o += idx[d]! * ost[d]!;
    groups[o]!.push(x.data[flat]!);
  });
  const shape = keepdim ? outKeep : x.shape.filter((_, i) => !ds.includes(i));
  return new Nd(shape, Float64Array.from(groups.map(f)));
}

function refSolve(a: Nd, b: Nd, right: boolean): Nd {
  const n = a.shape[a.ndim - 1]!;
  const vector = b.ndim === 1 || (b.ndim === a.ndim - 1 && b.shape.every((s, i) => s === a.shape[i]));
  const b2 = vector ? new Nd([...b.shape, 1], b.data) : b;
  const B = right ? tnd(b2) : b2;
  const A = right ? tnd(a) : a;
  const batch = broadcastShapes(A.shape.slice(0, -2), B.shape.slice(0, -2));
  const m = B.shape[B.ndim - 1]!;
  const out = Nd.zeros([...batch, n, m]);
  let flat = 0;
  Nd.forEachIndex(batch, (idx) => {
    const pick = (x: Nd, r: number, c: number): number => {
      const lead = idx.length - (x.ndim - 2);
      return x.at([...x.shape.slice(0, -2).map((s, d) => (s === 1 ? 0 : idx[lead + d]!)), r, c]);
    };
    const am = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => pick(A, i, j)));
    const bm = Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => pick(B, i, j)));
    const { x } = refGaussJordan(am, bm);
    for (const row of x) for (const v of row) out.data[flat++] = v;
  });
  const res = right ? tnd(out) : out;
  return vector ? new Nd(res.shape.slice(0, -1), res.data) : res;
}

/** The strictly-lower part of R (through einsum's diagonal-free path: plain copy then mask in JS). */
function strictLower(r: Tensor): Tensor {
  const d = r.to('float64').data() as Float64Array;
  const n = r.shape[r.ndim - 1]!;
  const rows = r.shape[r.ndim - 2]!;
  const vals = Array.from(d, (v, i) => (Math.floor(i / n) % rows > i % n ? v : 0));
  return tensor(Float64Array.from(vals), { dtype: r.dtype, shape: [...r.shape] });
}

/** Naive einsum: loops over every assignment of every subscript. */
function refEinsum(eq: string, xs: Nd[]): Nd {
  const [lhs, rhsRaw] = eq.split('->');
  const ins = lhs!.split(',');
  const sizes = new Map<string, number>();
  ins.forEach((s, i) => [...s].forEach((l, d) => {
    const prev = sizes.get(l);
    if (prev === undefined || prev === 1) sizes.set(l, xs[i]!.shape[d]!);
  }));
  const counts = new Map<string, number>();
  for (const s of ins) for (const l of s) counts.set(l, (counts.get(l) ?? 0) + 1);
  const outL = rhsRaw !== undefined ? [...rhsRaw] : [...counts.entries()].filter(([, c]) => c === 1).map(([l]) => l).sort();
  const all = [...sizes.keys()];
  const out = Nd.zeros(outL.map((l) => sizes.get(l)!));
  const ost = out.strides();
  Nd.forEachIndex(all.map((l) => sizes.get(l)!), (idx) => {
    const val = new Map(all.map((l, i) => [l, idx[i]!]));
    let p = 1;
    ins.forEach((s, i) => {
      p *= xs[i]!.at([...s].map((l, d) => (xs[i]!.shape[d] === 1 ? 0 : val.get(l)!)));
    });
    let o = 0;
    outL.forEach((l, i) => (o += val.get(l)! * ost[i]!));
    out.data[o]! += p;
  });
  return out;
}
