// The CUDA GEMM and linear algebra against the CPU: every GEMM path (TF32 / float16 / bfloat16
// tensor cores, exact float32 and float64 SIMT, integers), every operand layout (row/column major,
// strided, misaligned, broadcast batches), tile edges, k = 0, alpha/beta, and the factorizations
// (Cholesky, solve, inverse, det, triangular solves on the device; QR, eigh, svd through their
// host path). Runs only where a GPU is present.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { native } from '@cinder/native';
import {
  addmm,
  bmm,
  cuda,
  cudaMatmulPath,
  einsum,
  getFloat32MatmulPrecision,
  linalg,
  matmul,
  setFloat32MatmulPrecision,
  tensor,
  type DType,
  type Tensor,
} from '../src/index.js';
import { frame, putTensor } from '../src/frame.js';
import { makeRng } from './optable/ref.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) console.log('cudaLinalg.test: no usable CUDA device; the CUDA GEMM and linalg comparisons are skipped');

const gemmStrided = native as unknown as { cudaGemmStrided?: (device: number) => void };

function rand(shape: number[], seed: number, dtype: DType = 'float32', lo = -1, hi = 1): Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float64Array.from({ length: n }, () => lo + (hi - lo) * rng());
  const isInt = dtype === 'int32' || dtype === 'int64' || dtype === 'uint8';
  return tensor(isInt ? v.map(Math.round) : v, { dtype: 'float64', shape }).to(dtype);
}

/** The same tensor on cuda:0 with the same strides and offset (views stay views). */
function dev(x: Tensor): Tensor {
  const base = (x as unknown as { _base?: Tensor })._base ?? x;
  if (base !== x && base.isContiguous() && base.offset === 0) return base.cuda()._view(x.shape, x.strides, x.offset);
  return x.cuda();
}

function vals(t: Tensor): Float64Array {
  return t.cpu().to('float64').contiguous().data() as Float64Array;
}

/**
 * got (from CUDA) against the float64 product of the same (CPU) operands: each element within
 * rel * (|a| @ |b|) + abs, the error bound of a product whose inputs are rounded to `rel`.
 */
function expectProduct(got: Tensor, a: Tensor, b: Tensor, rel: number, what: string, alpha = 1): void {
  expect(got.device, what).toBe('cuda:0');
  const a64 = a.cpu().to('float64');
  const b64 = b.cpu().to('float64');
  const ref = vals(matmul(a64, b64));
  const mag = vals(matmul(a64.abs(), b64.abs()));
  const g = vals(got);
  expect(g.length, `${what}: size`).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const tol = rel * Math.abs(alpha) * mag[i]! + 1e-6;
    if (!(Math.abs(g[i]! - alpha * ref[i]!) <= tol)) expect.fail(`${what}: element ${i}: cuda ${g[i]}, exact ${alpha * ref[i]!} (tol ${tol})`);
  }
}

function expectSame(got: Tensor, want: Tensor, what: string, atol: number, rtol: number): void {
  expect(got.device, what).toBe('cuda:0');
  expect([...got.shape], `${what}: shape`).toEqual([...want.shape]);
  expect(got.dtype, `${what}: dtype`).toBe(want.dtype);
  const g = vals(got);
  const w = vals(want);
  for (let i = 0; i < w.length; i++) {
    if (g[i] === w[i] || (Number.isNaN(w[i]!) && Number.isNaN(g[i]!))) continue;
    if (!(Math.abs(g[i]! - w[i]!) <= atol + rtol * Math.abs(w[i]!))) expect.fail(`${what}: element ${i}: cuda ${g[i]}, cpu ${w[i]}`);
  }
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '(no error)';
}

// Input rounding of each path: TF32 keeps 10 mantissa bits; float16/bfloat16 inputs are exact
// (the product is then rounded once to the output dtype: checked against its own rounding).
const REL: Record<string, number> = { tf32: 2 ** -9, float32: 1e-5, float64: 1e-12, float16: 2 ** -9, bfloat16: 2 ** -6 };

afterEach(() => setFloat32MatmulPrecision('high'));

describe('float32 matmul precision setting', () => {
  it('defaults to high and validates its argument', () => {
    expect(getFloat32MatmulPrecision()).toBe('high');
    setFloat32MatmulPrecision('highest');
    expect(getFloat32MatmulPrecision()).toBe('highest');
    expect(() => setFloat32MatmulPrecision('medium' as 'high')).toThrow(/expected 'high' or 'highest'/);
    expect(getFloat32MatmulPrecision()).toBe('highest');
  });
});

describe.skipIf(!hasGpu)('CUDA GEMM paths', () => {
  it('names the kernel each dtype runs on', () => {
    expect(cudaMatmulPath('float32')).toMatch(/tf32 tensor cores/);
    expect(cudaMatmulPath('float16')).toMatch(/float16 tensor cores/);
    expect(cudaMatmulPath('bfloat16')).toMatch(/bfloat16 tensor cores/);
    expect(cudaMatmulPath('float64')).toMatch(/float64/);
    setFloat32MatmulPrecision('highest');
    expect(cudaMatmulPath('float32')).toMatch(/exact float32/);
  });

  it('float32 runs on TF32 by default and exactly at highest precision', () => {
    // 1 + 2^-15 is not a TF32 number: TF32 rounds it to 1. (2 x 2: matrix-vector shapes are exact.)
    const x = 1 + 2 ** -15;
    const a = tensor([[x, x], [x, x]], { dtype: 'float32' }).cuda();
    const b = tensor([[1, 0], [0, 1]], { dtype: 'float32' }).cuda();
    expect([...vals(matmul(a, b))]).toEqual([1, 1, 1, 1]);
    setFloat32MatmulPrecision('highest');
    expect([...vals(matmul(a, b))]).toEqual([x, x, x, x]);
  });

  const shapes: [number, number, number][] = [
    [1, 1, 1], [3, 4, 5], [16, 8, 8], [33, 65, 7], [65, 129, 33], [128, 128, 32], [129, 257, 65], [7, 1000, 3],
    [1, 513, 1], [300, 40, 1],
  ];
  for (const dtype of ['float32', 'float16', 'bfloat16', 'float64'] as const) {
    it(`${dtype}: sizes around the tiles`, () => {
      let seed = 1;
      for (const [m, k, n] of shapes) {
        const a = rand([m, k], seed++, dtype);
        const b = rand([k, n], seed++, dtype);
        const rel = dtype === 'float32' ? REL.tf32! : REL[dtype]!;
        expectProduct(matmul(a.cuda(), b.cuda()), a, b, rel, `${dtype} ${m}x${k}x${n}`);
      }
    });
  }

  it('float32 at highest precision matches the CPU closely', () => {
    setFloat32MatmulPrecision('highest');
    for (const [m, k, n] of [[3, 4, 5], [129, 257, 65], [200, 64, 300]] as const) {
      const a = rand([m, k], m, 'float32');
      const b = rand([k, n], n, 'float32');
      expectProduct(matmul(a.cuda(), b.cuda()), a, b, REL.float32!, `highest ${m}x${k}x${n}`);
      expectSame(matmul(a.cuda(), b.cuda()), matmul(a, b), `highest vs cpu ${m}x${k}x${n}`, 1e-5, 1e-5);
    }
  });

  it('large products fill the big tiles (128x128) and many k steps', () => {
    for (const dtype of ['float32', 'float16', 'bfloat16'] as const) {
      const a = rand([1537, 700], 11, dtype);
      const b = rand([700, 1600], 12, dtype);
      const rel = dtype === 'float32' ? REL.tf32! : REL[dtype]!;
      expectProduct(matmul(a.cuda(), b.cuda()), a, b, rel, `${dtype} big`);
    }
    const a = rand([700, 513], 13, 'float64');
    const b = rand([513, 300], 14, 'float64');
    expectProduct(matmul(a.cuda(), b.cuda()), a, b, REL.float64!, 'float64 big');
  });

  it('long k with few output tiles (split over k): every dtype, ragged last slice, alpha/beta', () => {
    for (const dtype of ['float32', 'float16', 'bfloat16'] as const) {
      const rel = dtype === 'float32' ? REL.tf32! : REL[dtype]!;
      const a = rand([64, 8192], 91, dtype);
      const b = rand([8192, 64], 92, dtype);
      expectProduct(matmul(a.cuda(), b.cuda()), a, b, rel, `${dtype} 64x8192x64`);
      const c = rand([100, 3000], 93, dtype);
      const d = rand([70, 3000], 94, dtype).t();
      expectProduct(matmul(c.cuda(), dev(d)), c, d, rel, `${dtype} 100x3000x70 (B transposed)`);
      const bias = rand([70], 95, dtype);
      const want = addmm(bias.to('float64'), c.to('float64'), d.to('float64'), { alpha: -1.5, beta: 0.25 });
      const got = addmm(bias.cuda(), c.cuda(), dev(d), { alpha: -1.5, beta: 0.25 }).to('float64');
      const mag = vals(matmul(c.to('float64').abs(), d.to('float64').abs()));
      const g = vals(got);
      const w = vals(want);
      for (let i = 0; i < w.length; i++) {
        const tol = 1.5 * rel * mag[i]! + 1e-2;
        if (!(Math.abs(g[i]! - w[i]!) <= tol)) expect.fail(`${dtype} split addmm: element ${i}: cuda ${g[i]}, exact ${w[i]}`);
      }
    }
  });

  it('every operand layout: transposed, strided, misaligned, offset views', () => {
    for (const dtype of ['float32', 'float16', 'float64'] as const) {
      const rel = dtype === 'float32' ? REL.tf32! : REL[dtype]!;
      const A = rand([70, 90], 21, dtype);
      const B = rand([90, 66], 22, dtype);
      const At = rand([90, 70], 23, dtype);
      const Bt = rand([66, 90], 24, dtype);
      const cases: [string, Tensor, Tensor][] = [
        ['row x row', A, B],
        ['A transposed', At.t(), B],
        ['B transposed', A, Bt.t()],
        ['both transposed', At.t(), Bt.t()],
        ['strided rows and columns', rand([140, 180], 25, dtype).slice(0, 0, 140, 2).slice(1, 0, 180, 2), B],
        ['offset by one element (misaligned base)', rand([70, 91], 26, dtype).slice(1, 1, 91), B],
        ['odd leading dim (no 16-byte rows)', A, rand([90, 67], 27, dtype).slice(1, 0, 66)],
        ['column view of a wide matrix', A, rand([90, 200], 28, dtype).slice(1, 3, 69)],
      ];
      for (const [name, a, b] of cases) {
        const ga = dev(a);
        const gb = dev(b);
        expect([...ga.strides], name).toEqual([...a.strides]);
        expect(ga.offset, name).toBe(a.offset);
        expectProduct(matmul(ga, gb), a, b, rel, `${dtype} ${name}`);
      }
    }
  });

  it('batched: bmm, broadcast batches, shared matrices, many batches', () => {
    for (const dtype of ['float32', 'bfloat16', 'float64'] as const) {
      const rel = dtype === 'float32' ? REL.tf32! : REL[dtype]!;
      const a = rand([4, 33, 20], 31, dtype);
      const b = rand([4, 20, 17], 32, dtype);
      expectProduct(bmm(a.cuda(), b.cuda()), a, b, rel, `${dtype} bmm`);
      const bs = rand([4, 40, 17], 30, dtype).slice(1, 0, 40, 2);
      expectProduct(bmm(a.cuda(), dev(bs)), a, bs, rel, `${dtype} bmm strided`);
      const c = rand([2, 1, 9, 7], 33, dtype);
      const d = rand([5, 7, 6], 34, dtype);
      expectSame(matmul(c.cuda(), d.cuda()).to('float64'), matmul(c.to('float64'), d.to('float64')), `${dtype} broadcast`, 1e-2, 1e-2);
      const e = rand([3, 5, 7], 35, dtype);
      const f = rand([9, 7], 36, dtype).t();
      expectSame(matmul(e.cuda(), dev(f)).to('float64'), matmul(e.to('float64'), f.to('float64')), `${dtype} shared`, 1e-2, 1e-2);
      // batch stride pattern that does not merge: a's batch dims permuted
      const g = rand([3, 4, 5, 6], 37, dtype).permute(1, 0, 2, 3);
      const h = rand([4, 3, 6, 2], 38, dtype);
      expectSame(matmul(dev(g), h.cuda()).to('float64'), matmul(g.to('float64'), h.to('float64')), `${dtype} unmerged batch`, 1e-2, 1e-2);
    }
    // more batches than a grid dimension holds
    const a = rand([70000, 2, 3], 39, 'float32');
    const b = rand([70000, 3, 2], 40, 'float32');
    expectProduct(bmm(a.cuda(), b.cuda()), a, b, REL.tf32!, 'many batches');
  });

  it('k = 0, empty operands, alpha and beta', () => {
    for (const dtype of ['float32', 'float64', 'float16'] as const) {
      const z = matmul(rand([3, 0], 1, dtype).cuda(), rand([0, 4], 2, dtype).cuda());
      expect([...z.shape]).toEqual([3, 4]);
      expect([...vals(z)]).toEqual(new Array(12).fill(0));
      expect([...matmul(rand([0, 3], 1, dtype).cuda(), rand([3, 4], 2, dtype).cuda()).shape]).toEqual([0, 4]);
      expect([...matmul(rand([0, 2, 3], 1, dtype).cuda(), rand([3, 4], 2, dtype).cuda()).shape]).toEqual([0, 2, 4]);
      const bias = rand([1, 4], 5, dtype);
      const k0 = addmm(bias.cuda(), rand([3, 0], 1, dtype).cuda(), rand([0, 4], 2, dtype).cuda(), { beta: 3 });
      expectSame(k0, addmm(bias, rand([3, 0], 1, dtype), rand([0, 4], 2, dtype), { beta: 3 }), `${dtype} k = 0 beta`, 1e-3, 1e-3);
      const m1 = rand([33, 65], 6, dtype);
      const m2 = rand([65, 5], 7, dtype);
      const inp = rand([5], 8, dtype);
      const want = addmm(inp.to('float64'), m1.to('float64'), m2.to('float64'), { alpha: 0.5, beta: -2 });
      expectSame(addmm(inp.cuda(), m1.cuda(), m2.cuda(), { alpha: 0.5, beta: -2 }).to('float64'), want, `${dtype} addmm`, 2e-2, 1e-2);
      const s = addmm(1.5, m1.cuda(), m2.cuda());
      expect(s.device).toBe('cuda:0');
    }
  });

  it('integers: exact with wrap-around, uint8 through int32', () => {
    for (const dtype of ['int32', 'int64', 'uint8'] as const) {
      const a = rand([37, 29], 41, dtype, 0, 9);
      const b = rand([29, 13], 42, dtype, 0, 9);
      const got = matmul(a.cuda(), b.cuda());
      const want = matmul(a, b);
      expect(got.dtype).toBe(want.dtype);
      expect([...vals(got)]).toEqual([...vals(want)]);
    }
    const big = tensor([[2 ** 30, 2 ** 30]], { dtype: 'int32' });
    const two = tensor([[2], [2]], { dtype: 'int32' });
    expect([...vals(matmul(big.cuda(), two.cuda()))]).toEqual([...vals(matmul(big, two))]);
  });

  it('matrix-vector shapes (m = 1 or n = 1): every reduction layout, exact float32', () => {
    for (const dtype of ['float32', 'float64', 'float16', 'bfloat16'] as const) {
      const rel = dtype === 'float16' || dtype === 'bfloat16' ? REL[dtype]! : 1e-4;
      const cases: [string, Tensor, Tensor][] = [
        ['mv', rand([300, 129], 1, dtype), rand([129, 1], 2, dtype)],
        ['column-major mv', rand([129, 300], 3, dtype).t(), rand([129, 1], 4, dtype)],
        ['vector @ matrix', rand([1, 129], 5, dtype), rand([129, 77], 6, dtype)],
        ['vector @ transposed matrix', rand([1, 129], 7, dtype), rand([77, 129], 8, dtype).t()],
        ['long dot', rand([1, 100000], 9, dtype), rand([100000, 1], 10, dtype)],
        ['long k, few rows', rand([5, 5000], 11, dtype), rand([5000, 1], 12, dtype)],
        ['strided vector', rand([40, 33], 13, dtype), rand([33, 3], 14, dtype).slice(1, 1, 2)],
      ];
      for (const [name, a, b] of cases) expectProduct(matmul(dev(a), dev(b)), a, b, rel, `${dtype} ${name}`);
      const a = rand([6, 20, 9], 15, dtype);
      const v = rand([6, 9, 1], 16, dtype);
      expectProduct(bmm(a.cuda(), v.cuda()), a, v, rel, `${dtype} batched mv`);
      const bias = rand([20, 1], 17, dtype);
      const m = rand([20, 9], 18, dtype);
      const want = addmm(bias.to('float64'), m.to('float64'), v.select(0, 0).to('float64'), { alpha: 2, beta: 0.5 });
      expectSame(addmm(bias.cuda(), m.cuda(), v.select(0, 0).cuda(), { alpha: 2, beta: 0.5 }).to('float64'), want, `${dtype} addmv`, 2e-2, 2e-2);
    }
  });

  it('matrix-vector, dot, outer and einsum', () => {
    const a = rand([129, 65], 51);
    const v = rand([65], 52);
    expectProduct(a.cuda().mv(v.cuda()).unsqueeze(1), a, v.unsqueeze(1), REL.tf32!, 'mv');
    const at = rand([65, 129], 50).t();
    expectProduct(dev(at).mv(v.cuda()).unsqueeze(1), at, v.unsqueeze(1), REL.tf32!, 'mv transposed');
    const x = rand([1000], 53);
    const y = rand([1000], 54);
    expectProduct(x.cuda().dot(y.cuda()).reshape([1, 1]), x.unsqueeze(0), y.unsqueeze(1), REL.tf32!, 'dot');
    expectProduct(x.cuda().outer(y.cuda()), x.unsqueeze(1), y.unsqueeze(0), REL.tf32!, 'outer');
    const e = einsum('bij,bjk->bik', rand([2, 3, 4], 55).cuda(), rand([2, 4, 5], 56).cuda());
    expectSame(e, einsum('bij,bjk->bik', rand([2, 3, 4], 55), rand([2, 4, 5], 56)), 'einsum', 1e-2, 1e-2);
    const r = einsum('ij->i', rand([3, 4], 57).cuda());
    expectSame(r, einsum('ij->i', rand([3, 4], 57)), 'einsum sum', 1e-2, 1e-2);
  });

  it('gemmStrided reaches strided and column-major outputs with beta', () => {
    const f = gemmStrided.cudaGemmStrided;
    expect(typeof f).toBe('function');
    for (const [dtype, tol] of [['float64', 1e-12], ['float32', 1e-2], ['float16', 1e-2], ['bfloat16', 5e-2]] as const) {
      const a = rand([37, 19], 61, dtype);
      const b = rand([19, 23], 62, dtype);
      const c0 = rand([23, 37], 63, dtype);
      const c = c0.cuda().t(); // column-major 37 x 23
      // frame: a, b, c, alpha, beta, threads
      let p = putTensor(0, a.cuda());
      p = putTensor(p, b.cuda());
      p = putTensor(p, c);
      frame[p] = 2;
      frame[p + 1] = 0.5;
      frame[p + 2] = 0;
      f!(0);
      const want = matmul(a.to('float64'), b.to('float64')).mul(2).add(c0.t().to('float64').mul(0.5));
      expectSame(c.to('float64'), want, `gemmStrided column-major C (${dtype})`, tol, tol);
    }
  });

  it('operands on different devices are an error naming the op', () => {
    expect(() => matmul(rand([2, 3], 1).cuda(), rand([3, 2], 2))).toThrow(/matmul/);
  });
});

describe.skipIf(!hasGpu)('CUDA linalg vs CPU', () => {
  // The products these checks use (reconstructions, pinv) in exact float32.
  beforeEach(() => setFloat32MatmulPrecision('highest'));
  function spd(n: number, batch: number[], seed: number, dtype: DType): Tensor {
    const a = rand([...batch, n, n], seed, 'float64');
    const s = matmul(a, a.mT);
    const eye = tensor(Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? n : 0)), { dtype: 'float64', shape: [n, n] });
    return s.add(eye).to(dtype);
  }
  const TOL = { float32: [1e-4, 1e-4], float64: [1e-10, 1e-9] } as const;

  for (const dtype of ['float32', 'float64'] as const) {
    const [atol, rtol] = TOL[dtype];
    it(`${dtype}: cholesky (lower, upper, batched, sizes past a block)`, () => {
      for (const [n, batch] of [[1, []], [5, [3]], [64, [2]], [300, []]] as [number, number[]][]) {
        const A = spd(n, batch, n + 1, dtype);
        expectSame(linalg.cholesky(A.cuda()), linalg.cholesky(A), `${dtype} cholesky ${n}`, atol, rtol);
        expectSame(linalg.cholesky(A.cuda(), { upper: true }), linalg.cholesky(A, { upper: true }), `${dtype} cholesky upper ${n}`, atol, rtol);
      }
      // strided input (a transposed view of a symmetric matrix is itself)
      const S = spd(9, [], 4, dtype);
      expectSame(linalg.cholesky(dev(S.mT)), linalg.cholesky(S.mT), `${dtype} cholesky strided`, atol, rtol);
    });

    it(`${dtype}: cholesky of a matrix that is not positive-definite throws the CPU's error`, () => {
      const good = spd(4, [], 7, dtype);
      const bad = tensor([[1, 2], [2, 1]], { dtype });
      const batch = good.unsqueeze(0).expand([3, 4, 4]).contiguous();
      const badBatch = batch.clone();
      badBatch.select(0, 1).select(0, 2).select(0, 2).fill_(-50);
      for (const X of [bad, badBatch]) {
        const cpu = errorOf(() => linalg.cholesky(X));
        expect(cpu).toMatch(/positive-definite/);
        expect(errorOf(() => linalg.cholesky(X.cuda()))).toBe(cpu);
      }
    });

    it(`${dtype}: solve, inv (batched, broadcast, vector, left = false)`, () => {
      for (const [n, m, batch] of [[1, 1, []], [4, 3, [2]], [33, 5, [3]], [200, 7, []]] as [number, number, number[]][]) {
        const A = rand([...batch, n, n], n, dtype);
        const B = rand([...batch, n, m], m, dtype);
        expectSame(linalg.solve(A.cuda(), B.cuda()), linalg.solve(A, B), `${dtype} solve ${n}`, atol * 100, rtol * 100);
        expectSame(linalg.inv(A.cuda()), linalg.inv(A), `${dtype} inv ${n}`, atol * 100, rtol * 100);
      }
      const A = rand([2, 6, 6], 3, dtype);
      const v = rand([6], 4, dtype);
      expectSame(linalg.solve(A.cuda(), v.cuda()), linalg.solve(A, v), `${dtype} solve vector broadcast`, atol * 10, rtol * 10);
      const B = rand([2, 3, 6], 5, dtype);
      expectSame(linalg.solve(A.cuda(), B.cuda(), { left: false }), linalg.solve(A, B, { left: false }), `${dtype} solve left=false`, atol * 10, rtol * 10);
      const sing = tensor([[1, 2], [2, 4]], { dtype });
      const cpu = errorOf(() => linalg.inv(sing));
      expect(cpu).toMatch(/singular/);
      expect(errorOf(() => linalg.inv(sing.cuda()))).toBe(cpu);
      const sb = tensor([[[1, 0], [0, 1]], [[1, 2], [2, 4]]], { dtype });
      expect(errorOf(() => linalg.solve(sb.cuda(), sb.cuda()))).toBe(errorOf(() => linalg.solve(sb, sb)));
    });

    it(`${dtype}: det and slogdet (pivoting, singular, batched)`, () => {
      for (const [n, batch] of [[0, [2]], [1, []], [3, [4]], [50, [2]], [150, []]] as [number, number[]][]) {
        const A = rand([...batch, n, n], n + 9, dtype);
        expectSame(linalg.det(A.cuda()), linalg.det(A), `${dtype} det ${n}`, atol * 100, rtol * 1000);
        const g = linalg.slogdet(A.cuda());
        const c = linalg.slogdet(A);
        expectSame(g.sign, c.sign, `${dtype} slogdet sign ${n}`, 0, 0);
        expectSame(g.logabsdet, c.logabsdet, `${dtype} slogdet log ${n}`, atol * 100, rtol * 100);
      }
      const sing = tensor([[1, 2], [2, 4]], { dtype });
      expectSame(linalg.det(sing.cuda()), linalg.det(sing), `${dtype} singular det`, 0, 0);
      expectSame(linalg.slogdet(sing.cuda()).sign, linalg.slogdet(sing).sign, `${dtype} singular sign`, 0, 0);
      const perm = tensor([[0, 1, 0], [0, 0, 1], [1, 0, 0]], { dtype });
      expectSame(linalg.det(perm.cuda()), linalg.det(perm), `${dtype} permutation det`, 0, 0);
    });

    it(`${dtype}: solveTriangular (upper, lower, unit, left = false, broadcast)`, () => {
      for (const upper of [false, true]) {
        for (const unit of [false, true]) {
          for (const left of [true, false]) {
            const n = 37;
            const T = rand([2, n, n], 5, dtype).add(tensor(Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 4 : 0)), { dtype: 'float64', shape: [n, n] }).to(dtype));
            const B = left ? rand([2, n, 6], 6, dtype) : rand([2, 6, n], 6, dtype);
            const opts = { upper, unitriangular: unit, left };
            expectSame(linalg.solveTriangular(T.cuda(), B.cuda(), opts), linalg.solveTriangular(T, B, opts), `${dtype} triangular ${JSON.stringify(opts)}`, atol * 10, rtol * 10);
          }
        }
      }
      const T = rand([5, 5], 8, dtype).add(tensor([[3]], { dtype }));
      const B = rand([3, 5, 2], 9, dtype);
      expectSame(linalg.solveTriangular(T.cuda(), B.cuda(), { upper: true }), linalg.solveTriangular(T, B, { upper: true }), `${dtype} triangular broadcast`, atol * 10, rtol * 10);
    });

    it(`${dtype}: qr, eigh, svdvals, svd and pinv on CUDA tensors`, () => {
      const A = rand([2, 7, 5], 71, dtype);
      for (const X of [A, rand([5, 9], 73, dtype), rand([300, 270], 74, dtype), dev(rand([40, 30], 75, dtype).t()), rand([3, 0], 76, dtype)]) {
        for (const mode of ['reduced', 'complete', 'r'] as const) {
          const g = linalg.qr(dev(X), { mode });
          const c = linalg.qr(X.cpu(), { mode });
          const what = `${dtype} qr ${X.shape.join('x')} ${mode}`;
          expectSame(g.R, c.R, `${what} R`, atol * 10, rtol * 10);
          if (mode !== 'r') expectSame(g.Q, c.Q, `${what} Q`, atol * 10, rtol * 10);
          else expect(g.Q.device).toBe('cuda:0');
        }
      }
      const S = spd(6, [2], 72, dtype);
      const e = linalg.eigh(S.cuda());
      const ec = linalg.eigh(S);
      expectSame(e.eigenvalues, ec.eigenvalues, `${dtype} eigh values`, atol * 10, rtol * 10);
      expectSame(linalg.eigvalsh(S.cuda()), linalg.eigvalsh(S), `${dtype} eigvalsh`, atol * 10, rtol * 10);
      expectSame(linalg.svdvals(A.cuda()), linalg.svdvals(A), `${dtype} svdvals`, atol, rtol);
      const { U, S: sv, Vh } = linalg.svd(A.cuda(), { fullMatrices: false });
      const rec = matmul(U.mul(sv.unsqueeze(-2)), Vh);
      expectSame(rec, A, `${dtype} svd reconstruction`, atol * 10, rtol * 10);
      expectSame(linalg.pinv(A.cuda()), linalg.pinv(A), `${dtype} pinv`, atol * 100, rtol * 100);
    });
  }

  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: eigh on the device (Jacobi) and past its size limit (host): values, V diag(w) V^T, V^T V`, () => {
      const tol = dtype === 'float64' ? 1e-9 : 2e-3;
      const sym = (n: number, batch: number[], seed: number): Tensor => {
        const a = rand([...batch, n, n], seed, 'float64');
        return a.add(a.mT).to(dtype);
      };
      const cases: [string, Tensor, 'L' | 'U'][] = [
        ['1x1', sym(1, [], 1), 'L'],
        ['batched 6x6', sym(6, [3], 2), 'L'],
        ['odd 7x7, upper', sym(7, [], 3), 'U'],
        ['17x17 (CPU: tridiagonal QR)', sym(17, [2], 4), 'L'],
        ['64x64', sym(64, [], 5), 'L'],
        ['256x256 (device limit)', sym(256, [], 6), 'L'],
        ['300x300 (host)', sym(300, [], 7), 'U'],
        ['repeated eigenvalues', tensor([[2, 0, 0], [0, 1, 0], [0, 0, 2]], { dtype }), 'L'],
        ['strided (transposed view)', dev(sym(9, [], 8).mT), 'L'],
        ['only the lower triangle is read', rand([5, 5], 9, dtype), 'L'],
        ['only the upper triangle is read', rand([5, 5], 10, dtype), 'U'],
      ];
      for (const [name, A, UPLO] of cases) {
        const g = linalg.eigh(dev(A), { UPLO });
        const c = linalg.eigh(A.cpu(), { UPLO });
        expectSame(g.eigenvalues, c.eigenvalues, `${dtype} eigh ${name}: values`, tol, tol);
        expectSame(linalg.eigvalsh(dev(A), { UPLO }), c.eigenvalues, `${dtype} eigvalsh ${name}`, tol, tol);
        const V = g.eigenvectors;
        const n = A.shape[A.ndim - 1]!;
        const recon = matmul(V.mul(g.eigenvalues.unsqueeze(-2)), V.mT);
        const Ac = A.cpu();
        const full = UPLO === 'L' ? Ac.tril().add(Ac.tril(-1).mT) : Ac.triu().add(Ac.triu(1).mT);
        expectSame(recon, full, `${dtype} eigh ${name}: V diag(w) V^T`, tol * Math.max(1, n / 8), tol);
        const eye = tensor(Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)), { dtype: 'float64', shape: [n, n] }).to(dtype);
        expectSame(matmul(V.mT, V), eye.expand([...V.shape]), `${dtype} eigh ${name}: V^T V`, tol, tol);
      }
    });
  }

  it('matrixPower and multiDot run on the device', () => {
    const A = rand([3, 3], 81, 'float64');
    expectSame(linalg.matrixPower(A.cuda(), 0), linalg.matrixPower(A, 0), 'matrixPower 0', 0, 0);
    expectSame(linalg.matrixPower(A.cuda(), -2), linalg.matrixPower(A, -2), 'matrixPower -2', 1e-9, 1e-9);
  });
});
