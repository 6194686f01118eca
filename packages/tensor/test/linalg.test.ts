/**
 * Linear algebra behaviour the op table cannot express: decompositions checked by
 * reconstruction, identities between ops, large GEMMs against the naive reference on every
 * micro-kernel set this CPU runs, and thread-count independence.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '@cinder/native';
import { addmm, einsum, getNumThreads, linalg, matmul, setNumThreads, tensor, type Tensor } from '../src/index.js';
import { makeRng } from './optable/ref.js';
import { tview } from './optable/linalg.js';

const gemmArch = native as unknown as { gemmSetArch(n: string): string; gemmArch(): string };

function rand(shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, () => rng() * 2 - 1), { dtype, shape });
}

function values(t: Tensor): number[] {
  return Array.from(t.to('float64').data() as Float64Array);
}

function naiveMatmul(a: number[], b: number[], m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
    out[i * n + j] = s;
  }
  return out;
}

function expectClose(got: number[], want: number[], atol: number, rtol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= atol + rtol * Math.abs(want[i]!))) {
      expect.fail(`${what}: element ${i}: got ${got[i]}, want ${want[i]}`);
    }
  }
}

function eyeValues(n: number): number[] {
  return Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? 1 : 0));
}

function spd(n: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const x = rand([n, n], seed);
  const a = values(matmul(x, tview(x)));
  for (let i = 0; i < n; i++) a[i * n + i]! += n;
  return tensor(Float64Array.from(a), { dtype, shape: [n, n] });
}

describe('GEMM', () => {
  const archs = ['generic', 'avx2', 'avx512'];
  afterAll(() => {
    gemmArch.gemmSetArch('auto');
  });
  for (const want of archs) {
    it(`300x200x250 against the naive reference (${want} kernels)`, () => {
      const got = gemmArch.gemmSetArch(want);
      // A CPU without the set falls back to a lesser one; that one is then tested instead.
      expect(archs).toContain(got);
      const [m, k, n] = [300, 200, 250];
      for (const dtype of ['float64', 'float32'] as const) {
        const a = rand([m, k], 1, dtype);
        const b = rand([k, n], 2, dtype);
        const ref = naiveMatmul(values(a), values(b), m, k, n);
        const c = matmul(a, b);
        if (dtype === 'float64') expectClose(values(c), ref, 1e-12, 1e-12, `${got} float64`);
        else expectClose(values(c), ref, 1e-4, 1e-5, `${got} float32`);
        // Transposed operands go through the other packing paths.
        const at = tview(rand([k, m], 1, dtype));
        const bt = tview(rand([n, k], 2, dtype));
        const ref2 = naiveMatmul(values(at.contiguous()), values(bt.contiguous()), m, k, n);
        const tol = dtype === 'float64' ? [1e-12, 1e-12] : [1e-4, 1e-5];
        expectClose(values(matmul(at, bt)), ref2, tol[0]!, tol[1]!, `${got} ${dtype} transposed`);
        // A column-major result: (B^T A^T)^T.
        expectClose(values(matmul(tview(b), tview(a))), values(tview(c).contiguous()), tol[0]!, tol[1]!, `${got} ${dtype} C^T`);
        // The unpacked path: a few rows, a matrix-vector product, a transposed gemv.
        const a2 = rand([2, k], 3, dtype);
        expectClose(values(matmul(a2, b)), naiveMatmul(values(a2), values(b), 2, k, n), tol[0]!, tol[1]!, `${got} ${dtype} 2 rows`);
        const v = rand([k, 1], 4, dtype);
        expectClose(values(matmul(a, v)), naiveMatmul(values(a), values(v), m, k, 1), tol[0]!, tol[1]!, `${got} ${dtype} gemv`);
        expectClose(values(matmul(at, v)), naiveMatmul(values(at.contiguous()), values(v), m, k, 1), tol[0]!, tol[1]!, `${got} ${dtype} gemv A^T`);
      }
    });
  }

  it('threaded and single-threaded results are identical', () => {
    const saved = getNumThreads();
    try {
      for (const dtype of ['float32', 'float64'] as const) {
        const a = rand([257, 300], 3, dtype);
        const b = rand([300, 511], 4, dtype);
        const tall = rand([700, 64], 5, dtype);
        const skinny = rand([64, 40], 6, dtype);
        setNumThreads(1);
        const one = [values(matmul(a, b)), values(matmul(tall, skinny)), values(matmul(rand([8, 90, 70], 7, dtype), rand([70, 60], 8, dtype)))];
        setNumThreads(Math.max(2, saved));
        const many = [values(matmul(a, b)), values(matmul(tall, skinny)), values(matmul(rand([8, 90, 70], 7, dtype), rand([70, 60], 8, dtype)))];
        for (let i = 0; i < one.length; i++) expect(many[i]).toEqual(one[i]);
      }
    } finally {
      setNumThreads(saved);
    }
  });

  it('k = 0 gives zeros, and NaN-free outputs never read uninitialised memory', () => {
    const z = matmul(rand([5, 0], 1), rand([0, 6], 2));
    expect(z.shape).toEqual([5, 6]);
    expect(values(z).every((v) => v === 0)).toBe(true);
    const c = matmul(rand([64, 64], 1), rand([64, 64], 2));
    expect(values(c).every(Number.isFinite)).toBe(true);
  });
});

describe('matmul variants', () => {
  it('addmm with beta = 0 ignores NaN and inf in input, as PyTorch documents', () => {
    const input = tensor([[NaN, Infinity], [1, 2]], { dtype: 'float64' });
    const a = rand([2, 3], 1);
    const b = rand([3, 2], 2);
    const out = values(addmm(input, a, b, { beta: 0, alpha: 2 }));
    const ref = naiveMatmul(values(a), values(b), 2, 3, 2).map((v) => 2 * v);
    expectClose(out, ref, 1e-12, 1e-12, 'addmm beta 0');
  });

  it('einsum agrees with matmul on attention-shaped operands, without touching its inputs', () => {
    const q = rand([2, 3, 17, 8], 3, 'float32');
    const k = rand([2, 3, 19, 8], 4, 'float32');
    const before = values(q);
    const s = einsum('bhqd,bhkd->bhqk', q, k);
    const kt = k._view([2, 3, 8, 19], [k.strides[0]!, k.strides[1]!, 1, 8], 0);
    expectClose(values(s), values(matmul(q, kt)), 1e-6, 1e-6, 'scores');
    expect(values(q)).toEqual(before);
  });

  it('Tensor methods match the functions', () => {
    const a = rand([4, 4], 8);
    const b = rand([4, 4], 9);
    expect(values(a.matmul(b))).toEqual(values(matmul(a, b)));
    expect(values(a.mm(b))).toEqual(values(matmul(a, b)));
    expect(values(a.inverse())).toEqual(values(linalg.inv(a)));
    expect(values(a.det())).toEqual(values(linalg.det(a)));
    expect(values(a.matrixPower(3))).toEqual(values(linalg.matrixPower(a, 3)));
    expect(values(a.pinverse())).toEqual(values(linalg.pinv(a)));
    expect(values(a.slogdet().logabsdet)).toEqual(values(linalg.slogdet(a).logabsdet));
  });

  it('matmul results are fresh tensors, not views of the inputs', () => {
    const a = rand([3, 3], 5);
    const e = einsum('ij->ij', a);
    expect(e._st).not.toBe(a._st);
  });
});

describe('decompositions', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const tol = dtype === 'float64' ? 1e-9 : 1e-4;
    it(`cholesky: L L^T = A (${dtype})`, () => {
      // 200 and 300 take the blocked path (GEMM updates across 64-column blocks).
      for (const n of [1, 7, 40, 200, 300]) {
        const a = spd(n, n, dtype);
        const l = linalg.cholesky(a);
        expectClose(values(matmul(l, tview(l))), values(a), tol * n, tol, `n=${n}`);
        const u = linalg.cholesky(a, { upper: true });
        expectClose(values(matmul(tview(u), u)), values(a), tol * n, tol, `upper n=${n}`);
        const lv = values(l);
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(lv[i * n + j]).toBe(0);
      }
    });

    it(`qr: Q R = A, Q orthonormal (${dtype})`, () => {
      for (const [m, n] of [[6, 4], [4, 6], [30, 30]] as const) {
        const a = rand([m, n], m * 7 + n, dtype);
        for (const mode of ['reduced', 'complete'] as const) {
          const { Q, R } = linalg.qr(a, { mode });
          expectClose(values(matmul(Q, R)), values(a), tol, tol, `QR ${m}x${n} ${mode}`);
          const q = Q.shape[1]!;
          expectClose(values(matmul(tview(Q), Q)), eyeValues(q), tol, tol, `QtQ ${m}x${n} ${mode}`);
        }
      }
    });

    it(`eigh: V diag(w) V^T = A, ascending (${dtype})`, () => {
      // 12 takes the Jacobi path, the larger sizes the tridiagonal QR path.
      for (const n of [12, 40, 90]) {
        const x = rand([n, n], 11 + n, dtype);
        const a = tensor(Float64Array.from(values(matmul(x, tview(x))).map((v, i) => v - (Math.floor(i / n) === i % n ? 3 : 0))), { dtype, shape: [n, n] });
        const { eigenvalues: w, eigenvectors: v } = linalg.eigh(a);
        const wv = values(w);
        for (let i = 1; i < n; i++) expect(wv[i]!).toBeGreaterThanOrEqual(wv[i - 1]!);
        expectClose(values(einsum('ij,j,kj->ik', v, w, v)), values(a), tol * 10 * n, tol, `recon n=${n}`);
        expectClose(values(matmul(tview(v), v)), eyeValues(n), tol * n, tol, `VtV n=${n}`);
        expectClose(values(linalg.eigvalsh(a)), wv, tol * n, tol, `eigvalsh n=${n}`);
        // det = product of eigenvalues (below sizes where float32 overflows)
        if (n <= 40) {
          const prod = wv.reduce((p, e) => p * e, 1);
          const d = linalg.det(a).item() as number;
          expect(Math.abs(d - prod)).toBeLessThanOrEqual(Math.abs(prod) * (dtype === 'float64' ? 1e-8 : 1e-3));
        }
      }
    });

    it(`eigh: repeated eigenvalues and the upper triangle (${dtype})`, () => {
      // Q diag(1, 1, ..., 2, 2, ..., 5) Q^T with Q from a QR: clustered spectrum.
      const n = 30;
      const { Q } = linalg.qr(rand([n, n], 5, 'float64'));
      const diag = Array.from({ length: n }, (_, i) => (i < 10 ? 1 : i < 25 ? 2 : 5));
      const a64 = einsum('ij,j,kj->ik', Q, tensor(diag, { dtype: 'float64' }), Q);
      // Garbage in the unread (lower) triangle must not matter with UPLO 'U'.
      const av = values(a64).map((v, i) => (Math.floor(i / n) > i % n ? 1e3 : v));
      const a = tensor(Float64Array.from(av), { dtype, shape: [n, n] });
      const { eigenvalues: w, eigenvectors: v } = linalg.eigh(a, { UPLO: 'U' });
      expectClose(values(w), [...diag].sort((x, y) => x - y), tol * 10, tol, 'eigenvalues');
      expectClose(values(matmul(tview(v), v)), eyeValues(n), tol * n, tol, 'VtV');
    });

    it(`svd: U diag(S) Vh = A with orthonormal factors (${dtype})`, () => {
      for (const [m, n] of [[6, 4], [4, 6], [20, 20], [1, 5], [7, 1]] as const) {
        const a = rand([2, m, n], m * 13 + n, dtype);
        for (const fullMatrices of [true, false]) {
          const { U, S, Vh } = linalg.svd(a, { fullMatrices });
          const k = Math.min(m, n);
          expect(U.shape).toEqual([2, m, fullMatrices ? m : k]);
          expect(S.shape).toEqual([2, k]);
          expect(Vh.shape).toEqual([2, fullMatrices ? n : k, n]);
          const sv = values(S);
          for (let b = 0; b < 2; b++) for (let i = 1; i < k; i++) expect(sv[b * k + i]!).toBeLessThanOrEqual(sv[b * k + i - 1]!);
          expectClose(sv, values(linalg.svdvals(a)), tol, tol, 'S vs svdvals');
          const Uk = U._view([2, m, k], [U.strides[0]!, U.strides[1]!, 1], 0);
          const Vk = Vh._view([2, k, n], [Vh.strides[0]!, Vh.strides[1]!, 1], 0);
          expectClose(values(einsum('bij,bj,bjk->bik', Uk, S, Vk)), values(a), tol * 10, tol, `USVh ${m}x${n}`);
          const uu = U.shape[2]!;
          const vv = Vh.shape[1]!;
          const eyeB = (q: number): number[] => [...eyeValues(q), ...eyeValues(q)];
          expectClose(values(matmul(tview(U), U)), eyeB(uu), tol, tol, `UtU ${m}x${n}`);
          expectClose(values(matmul(Vh, tview(Vh))), eyeB(vv), tol, tol, `VhVht ${m}x${n}`);
        }
      }
    });

    it(`svd of a rank-deficient matrix still has orthonormal factors (${dtype})`, () => {
      const x = rand([8, 2], 3, dtype);
      const y = rand([2, 5], 4, dtype);
      const a = matmul(x, y); // rank 2
      const { U, S, Vh } = linalg.svd(a);
      const sv = values(S);
      expect(sv[2]!).toBeLessThan(1e-5);
      expectClose(values(matmul(tview(U), U)), eyeValues(8), tol, tol, 'UtU');
      expectClose(values(matmul(Vh, tview(Vh))), eyeValues(5), tol, tol, 'VhVht');
      const Uk = U._view([8, 5], [8, 1], 0);
      expectClose(values(einsum('ij,j,jk->ik', Uk, S, Vh)), values(a), tol * 10, tol, 'USVh');
    });

    it(`inv and solve: A inv(A) = I, small residuals (${dtype})`, () => {
      for (const n of [1, 5, 33]) {
        const a = spd(n, 100 + n, dtype);
        expectClose(values(matmul(a, linalg.inv(a))), eyeValues(n), tol, tol, `inv n=${n}`);
        const b = rand([n, 3], 7, dtype);
        const xs = linalg.solve(a, b);
        expectClose(values(matmul(a, xs)), values(b), tol * 10, tol, `solve n=${n}`);
      }
    });
  }

  it('blocked LU (n >= 128): solve, inv and slogdet on large matrices', () => {
    for (const n of [150, 260]) {
      // A general (pivoting) matrix: random entries, so row swaps happen in every panel.
      const a = rand([n, n], n);
      const b = rand([n, 5], n + 1);
      const x = linalg.solve(a, b);
      const r = values(matmul(a, x));
      expectClose(r, values(b), 1e-9, 1e-9, `solve residual n=${n}`);
      expectClose(values(matmul(a, linalg.inv(a))), eyeValues(n), 1e-9, 1e-9, `A inv(A) n=${n}`);
      // log|det| = sum of log singular values; sign from the unblocked LU of the same matrix is
      // not available, so compare |det| only.
      const sv = values(linalg.svdvals(a));
      const logabs = sv.reduce((acc, v) => acc + Math.log(v), 0);
      expect(linalg.slogdet(a).logabsdet.item()).toBeCloseTo(logabs, 8);
      // Exactly singular: a zero column inside the second panel.
      const av = values(a);
      for (let i = 0; i < n; i++) av[i * n + 100] = 0;
      const sing = tensor(Float64Array.from(av), { dtype: 'float64', shape: [n, n] });
      expect(() => linalg.inv(sing)).toThrow(/linalg.inv: .*singular/);
    }
  });

  it('batched decompositions match per-matrix ones', () => {
    const a = rand([3, 5, 5], 9);
    const d = values(linalg.det(a));
    const { sign, logabsdet } = linalg.slogdet(a);
    const s = values(sign);
    const l = values(logabsdet);
    for (let i = 0; i < 3; i++) {
      const m = a._view([5, 5], [5, 1], 25 * i);
      expect(d[i]).toBeCloseTo(linalg.det(m).item() as number, 12);
      expect(s[i]! * Math.exp(l[i]!)).toBeCloseTo(d[i]!, 10);
    }
  });

  it('cholesky reports the failing leading minor on the blocked path too', () => {
    const n = 150;
    const a = values(spd(n, 3));
    // Make the leading minor of order 131 indefinite: a huge negative diagonal entry there.
    a[130 * n + 130] = -1e6;
    expect(() => linalg.cholesky(tensor(Float64Array.from(a), { dtype: 'float64', shape: [n, n] }))).toThrow(
      /linalg.cholesky: .*the leading minor of order 131 is not positive-definite/,
    );
  });

  it('singular and non-positive-definite inputs raise errors naming the op', () => {
    const sing = tensor([[1, 2], [2, 4]], { dtype: 'float64' });
    expect(() => linalg.inv(sing)).toThrow(/^linalg.inv: .*singular/);
    expect(() => linalg.solve(sing, tensor([1, 2], { dtype: 'float64' }))).toThrow(/^linalg.solve: .*singular/);
    expect(() => linalg.cholesky(tensor([[[4, 0], [0, 1]], [[1, 0], [0, -1]]], { dtype: 'float64' }))).toThrow(
      /^linalg.cholesky: \(Batch element 1\): .*not positive-definite/,
    );
    expect(Math.abs(linalg.det(sing).item() as number)).toBe(0);
  });

  it('norms agree with their definitions', () => {
    const a = rand([4, 6], 21);
    const av = values(a);
    expect(linalg.norm(a).item()).toBeCloseTo(Math.sqrt(av.reduce((s, v) => s + v * v, 0)), 12);
    const sv = values(linalg.svdvals(a));
    expect(linalg.matrixNorm(a, 'nuc').item()).toBeCloseTo(sv.reduce((x, y) => x + y, 0), 12);
    expect(linalg.matrixNorm(a, 2).item()).toBeCloseTo(sv[0]!, 12);
    // The Frobenius norm is the 2-norm of the singular values.
    expect(linalg.matrixNorm(a).item()).toBeCloseTo(Math.sqrt(sv.reduce((x, y) => x + y * y, 0)), 12);
  });
});
