/**
 * The GEMM's paths against a naive loop, on every kernel set this CPU runs: panel heights and
 * column edges around the register tile (mr 14/6/4, nr 32/16/8 for float32), depths around the
 * packed panel depth (kc 512/384/256), operands row-major, transposed and strided, B read in place
 * or packed, alpha/beta, float32 and float64; C in any layout through the raw gemmStrided binding;
 * and bitwise-identical results for every thread count.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { kernels, native } from '@cinder/native';
import { addmm, asStrided, bmm, getNumThreads, matmul, setNumThreads, tensor, type Tensor } from '../src/index.js';
import { frame, putTensor } from '../src/frame.js';
import { makeRng } from './optable/ref.js';

const gemmArch = native as unknown as { gemmSetArch(n: string): string };
const ARCHS = ['generic', 'avx2', 'avx512'];

type F = 'float32' | 'float64';

function rand(shape: number[], seed: number, dtype: F): Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, () => rng() * 2 - 1), { dtype, shape });
}

function values(t: Tensor): number[] {
  return Array.from(t.contiguous().to('float64').data() as Float64Array);
}

/** alpha * a @ b + beta * c over plain row-major value arrays. */
function naive(a: number[], b: number[], m: number, k: number, n: number, alpha = 1, beta = 0, c?: number[]): number[] {
  const out = new Array<number>(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
    out[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * c![i * n + j]!);
  }
  return out;
}

function expectClose(got: number[], want: number[], k: number, dtype: F, what: string): void {
  expect(got.length, what).toBe(want.length);
  const tol = (dtype === 'float32' ? 2e-6 : 1e-14) * (k + 4);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol * (1 + Math.abs(want[i]!)))) {
      expect.fail(`${what}: element ${i}: got ${got[i]}, want ${want[i]}`);
    }
  }
}

/**
 * A rows x cols operand in one of five layouts, all views of a fresh storage: row-major,
 * transposed (a view of a cols x rows tensor), strided (every second column of a wider one),
 * offset inside a larger storage with padded rows, and rows padded to a multiple of 4 KiB (which
 * the GEMM packs even where it would read B's rows in place).
 */
function operand(rows: number, cols: number, layout: number, seed: number, dtype: F): Tensor {
  switch (layout) {
    case 0: return rand([rows, cols], seed, dtype);
    case 1: return rand([cols, rows], seed, dtype).mT;
    case 2: return asStrided(rand([rows * (2 * cols + 3) + 1], seed, dtype), [rows, cols], [2 * cols + 3, 2], 1);
    case 3: return asStrided(rand([rows * (cols + 5) + 7], seed, dtype), [rows, cols], [cols + 5, 1], 7);
    default: {
      const page = dtype === 'float32' ? 1024 : 512;
      const ld = Math.ceil(cols / page) * page;
      return asStrided(rand([rows * ld], seed, dtype), [rows, cols], [ld, 1], 0);
    }
  }
}

const LAYOUT = ['row-major', 'transposed', 'strided', 'padded', '4 KiB rows'];

describe('GEMM paths', () => {
  afterAll(() => {
    gemmArch.gemmSetArch('auto');
  });

  // [m, k, n]: every panel height remainder of 14/6/4 and column remainders of 32/16/8, depths
  // split into panels (k > 512, 384 or 256), B read in place (few rows) and packed (many rows).
  const shapes: [number, number, number][] = [
    [1, 5, 3], [2, 1, 2], [3, 7, 33], [13, 17, 31], [14, 16, 32], [15, 33, 17], [27, 9, 65], [28, 40, 64],
    [29, 257, 47], [64, 520, 100], [5, 1025, 40], [73, 70, 9], [90, 300, 66],
  ];

  for (const want of ARCHS) {
    it(`products of every layout pair against a naive loop (${want} kernels)`, () => {
      const got = gemmArch.gemmSetArch(want);
      expect(ARCHS).toContain(got);
      let seed = 1;
      for (const dtype of ['float32', 'float64'] as const) {
        for (const [m, k, n] of shapes) {
          for (let la = 0; la < LAYOUT.length; la++) {
            for (let lb = 0; lb < LAYOUT.length; lb++) {
              // Every pair on the small shapes, a rotation of them on the large ones.
              if (m * k * n > 20000 && (la + lb) % LAYOUT.length !== (m + n) % LAYOUT.length) continue;
              const a = operand(m, k, la, seed++, dtype);
              const b = operand(k, n, lb, seed++, dtype);
              const c = matmul(a, b);
              expect(c.shape).toEqual([m, n]);
              expectClose(values(c), naive(values(a), values(b), m, k, n), k, dtype,
                `${got} ${dtype} ${m}x${k}x${n} A ${LAYOUT[la]} B ${LAYOUT[lb]}`);
            }
          }
        }
      }
    });

    it(`alpha and beta through addmm (${want} kernels)`, () => {
      const got = gemmArch.gemmSetArch(want);
      let seed = 100;
      for (const dtype of ['float32', 'float64'] as const) {
        for (const [m, k, n] of [[15, 33, 17], [29, 600, 70], [64, 100, 40]] as const) {
          for (const [alpha, beta] of [[1, 1], [0.5, -0.75], [2, 0], [-1, 3]] as const) {
            const a = operand(m, k, seed % LAYOUT.length, seed++, dtype);
            const b = operand(k, n, seed % LAYOUT.length, seed++, dtype);
            const c = rand([m, n], seed++, dtype);
            const out = addmm(c, a, b, { alpha, beta });
            expectClose(values(out), naive(values(a), values(b), m, k, n, alpha, beta, values(c)), k, dtype,
              `${got} ${dtype} ${m}x${k}x${n} alpha ${alpha} beta ${beta}`);
          }
          // A bias row broadcast over the rows.
          const a = rand([m, k], seed++, dtype);
          const b = rand([k, n], seed++, dtype);
          const bias = rand([n], seed++, dtype);
          const rowBias = values(bias);
          const c = Array.from({ length: m * n }, (_, i) => rowBias[i % n]!);
          expectClose(values(addmm(bias, a, b)), naive(values(a), values(b), m, k, n, 1, 1, c), k, dtype, `${got} ${dtype} bias`);
        }
      }
    });
  }

  /** c = alpha * a @ b + beta * c in place through the raw binding. */
  function gemmStrided(a: Tensor, b: Tensor, c: Tensor, alpha: number, beta: number, threads: number): void {
    let p = putTensor(0, a);
    p = putTensor(p, b);
    p = putTensor(p, c);
    frame[p] = alpha;
    frame[p + 1] = beta;
    frame[p + 2] = threads;
    kernels.gemmStrided!();
  }

  it('writes C in any layout (column-major, strided, offset) and nothing outside it', () => {
    for (const want of ARCHS) {
      const got = gemmArch.gemmSetArch(want);
      let seed = 200;
      for (const dtype of ['float32', 'float64'] as const) {
        for (const [m, k, n] of [[15, 33, 40], [40, 20, 15], [64, 530, 29], [1, 9, 20], [20, 9, 1]] as const) {
          // C as the transpose of an n x m tensor, as every second element of every third row, and
          // as a padded block inside a larger storage.
          const cLayouts: [string, (base: Tensor) => Tensor, number][] = [
            ['column-major', (s) => asStrided(s, [m, n], [1, m], 0), m * n],
            ['strided', (s) => asStrided(s, [m, n], [3 * 2 * n, 2], 5), 3 * 2 * n * m + 5],
            ['padded', (s) => asStrided(s, [m, n], [n + 3, 1], 2), (n + 3) * m + 2],
          ];
          for (const [name, view, size] of cLayouts) {
            for (const [alpha, beta] of [[1, 0], [0.5, 2]] as const) {
              const a = operand(m, k, seed % LAYOUT.length, seed++, dtype);
              const b = operand(k, n, seed % LAYOUT.length, seed++, dtype);
              const storage = rand([size], seed++, dtype);
              const before = values(storage);
              const c = view(storage);
              const c0 = values(c);
              const want2 = naive(values(a), values(b), m, k, n, alpha, beta, c0);
              gemmStrided(a, b, c, alpha, beta, 0);
              expectClose(values(c), want2, k, dtype, `${got} ${dtype} ${m}x${k}x${n} C ${name} alpha ${alpha} beta ${beta}`);
              // Elements of the storage outside the view are untouched.
              const inside = new Set<number>();
              for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) inside.add(c.offset + i * c.strides[0]! + j * c.strides[1]!);
              const after = values(storage);
              for (let e = 0; e < size; e++) if (!inside.has(e)) expect(after[e], `${name}: element ${e} outside C`).toBe(before[e]);
            }
          }
        }
      }
    }
    gemmArch.gemmSetArch('auto');
  });

  it('gemmStrided rejects mismatched shapes, dtypes and aliasing outputs', () => {
    const a = rand([4, 5], 1, 'float32');
    const b = rand([5, 6], 2, 'float32');
    expect(() => gemmStrided(a, b, rand([4, 7], 3, 'float32'), 1, 0, 0)).toThrow(/gemmStrided: shapes \[4, 5\], \[5, 6\] and \[4, 7\] do not match/);
    expect(() => gemmStrided(a, rand([5, 6], 2, 'float64'), rand([4, 6], 3, 'float32'), 1, 0, 0)).toThrow(/gemmStrided: expected float32 or float64 operands of one dtype/);
    const ai = tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    expect(() => gemmStrided(ai, ai, tensor([[0, 0], [0, 0]], { dtype: 'int32' }), 1, 0, 0)).toThrow(/gemmStrided: expected float32 or float64/);
    const s = rand([24], 4, 'float32');
    expect(() => gemmStrided(a, b, asStrided(s, [4, 6], [1, 1], 0), 1, 0, 0)).toThrow(/gemmStrided: the output view \[4, 6\] has overlapping elements/);
    const big = rand([4 * 6 + 20], 5, 'float32');
    const aIn = asStrided(big, [4, 5], [5, 1], 0);
    expect(() => gemmStrided(aIn, b, asStrided(big, [4, 6], [6, 1], 10), 1, 0, 0)).toThrow(/gemmStrided: the output overlaps an input/);
    expect(() => gemmStrided(rand([4], 1, 'float32'), b, rand([4, 6], 3, 'float32'), 1, 0, 0)).toThrow(/gemmStrided: expected 2-D operands/);
  });

  it('results are bitwise identical for every thread count, split and kernel set', () => {
    const saved = getNumThreads();
    try {
      for (const want of ARCHS) {
        gemmArch.gemmSetArch(want);
        for (const dtype of ['float32', 'float64'] as const) {
          // Column splits with B in place and packed, row splits at boundaries off the tile, a
          // transposed A and B, a batch, a depth over two panels and B's rows 4 KiB apart.
          const cases: [Tensor, Tensor][] = [
            [rand([64, 784], 1, dtype), rand([784, 256], 2, dtype)],
            [rand([64, 784], 3, dtype), rand([256, 784], 4, dtype).mT],
            [rand([64, 256], 5, dtype).mT, rand([64, 784], 6, dtype)],
            [rand([301, 70], 7, dtype), rand([70, 40], 8, dtype)],
            [rand([257, 600], 9, dtype), rand([600, 130], 10, dtype)],
            [rand([6, 32, 128], 11, dtype), rand([6, 128, 128], 12, dtype)],
            [rand([100, 300], 13, dtype), operand(300, 200, 4, 14, dtype)],
          ];
          const run = (): number[][] => cases.map(([x, y]) => values(x.ndim === 3 ? bmm(x, y) : matmul(x, y)));
          setNumThreads(1);
          const one = run();
          for (const threads of [2, 3]) {
            setNumThreads(threads);
            const many = run();
            for (let i = 0; i < cases.length; i++) expect(many[i], `${want} ${dtype} case ${i}, ${threads} threads`).toEqual(one[i]);
          }
          // Through the raw binding, where the thread count is an argument.
          const [x, y] = cases[3]!;
          const c1 = rand([301, 40], 13, dtype);
          const c2 = c1.clone();
          gemmStrided(x, y, c1, 1, 0, 1);
          gemmStrided(x, y, c2, 1, 0, 2);
          expect(values(c2)).toEqual(values(c1));
        }
      }
    } finally {
      setNumThreads(saved);
      gemmArch.gemmSetArch('auto');
    }
  });
});
