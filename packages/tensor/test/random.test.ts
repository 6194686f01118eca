/**
 * The random family: Philox known answers, determinism and stream bookkeeping, independence from
 * the thread count, and the moments of every sampler against theory with tolerances derived from
 * the sample size (5 standard errors, the error itself estimated from the sample).
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  Generator, Tensor, bernoulli, bernoulli_, beta, binomial, dirichlet, exponential, exponential_, full,
  getNumThreads, getRngState, initialSeed, manualSeed, multinomial, normal, normal_, philox4x32, poisson,
  rand, randint, randintLike, randLike, randn, randnLike, randperm, random_, seed, setNumThreads,
  setRngState, standardGamma, tensor, uniform, uniform_, zeros,
} from '../src/index.js';

/** A float32 tensor (tensor() of integers would be int64). */
const ft = (v: number[] | number[][] | number): Tensor => tensor(v, { dtype: 'float32' });
const hex = (ws: number[]): string => ws.map((w) => w.toString(16).padStart(8, '0')).join(' ');
const nums = (t: Tensor): Float64Array => t.to('float64').contiguous().data() as Float64Array;

function stats(x: ArrayLike<number>): { n: number; mean: number; var: number; m4: number } {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]!;
  const mean = s / n;
  let s2 = 0, s4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    s2 += d * d;
    s4 += d * d * d * d;
  }
  return { n, mean, var: s2 / (n - 1), m4: s4 / n };
}

/** Sample mean within 5 standard errors of `mean` (std error from the theoretical variance). */
function expectMean(x: ArrayLike<number>, mean: number, variance: number, what: string): void {
  const st = stats(x);
  const tol = 5 * Math.sqrt(variance / st.n) + 1e-12;
  expect(Math.abs(st.mean - mean), `${what}: mean ${st.mean} vs ${mean} (tol ${tol})`).toBeLessThanOrEqual(tol);
}

/** Sample variance within 5 standard errors of `variance`: se^2 ~ (m4 - var^2) / n. */
function expectVar(x: ArrayLike<number>, variance: number, what: string): void {
  const st = stats(x);
  const tol = 5 * Math.sqrt(Math.max(st.m4 - st.var * st.var, 0) / st.n) + 1e-12;
  expect(Math.abs(st.var - variance), `${what}: variance ${st.var} vs ${variance} (tol ${tol})`).toBeLessThanOrEqual(tol);
}

function expectMoments(x: ArrayLike<number>, mean: number, variance: number, what: string): void {
  expectMean(x, mean, variance, what);
  expectVar(x, variance, what);
}

/** A proportion within 5 binomial standard errors. */
function expectFreq(count: number, n: number, p: number, what: string): void {
  const tol = 5 * Math.sqrt((p * (1 - p)) / n) + 1e-12;
  expect(Math.abs(count / n - p), `${what}: frequency ${count / n} vs ${p}`).toBeLessThanOrEqual(tol);
}

/** A broadcast (stride-0) view, as expand() makes; keeps this file independent of the shape family. */
function expandTo(t: Tensor, shape: number[]): Tensor {
  const lead = shape.length - t.ndim;
  const strides = shape.map((n, i) => (i < lead || t.shape[i - lead] !== n ? 0 : t.strides[i - lead]!));
  return t._view(shape, strides, t.offset);
}

/** log(k!) for k = 0..n. */
function logFactorials(n: number): Float64Array {
  const t = new Float64Array(n + 1);
  for (let k = 1; k <= n; k++) t[k] = t[k - 1]! + Math.log(k);
  return t;
}

/** Every value's empirical frequency within 5 binomial standard errors of its exact probability. */
function expectPmf(x: ArrayLike<number>, logPmf: (k: number) => number, kmax: number, what: string): void {
  const counts = new Float64Array(kmax + 1);
  for (let i = 0; i < x.length; i++) counts[x[i]!]!++;
  // Values expected fewer than 10 times carry no usable normal approximation; they are covered by
  // the moment checks.
  for (let k = 0; k <= kmax; k++) {
    const p = Math.exp(logPmf(k));
    if (p * x.length >= 10) expectFreq(counts[k]!, x.length, p, `${what}: P(X = ${k})`);
  }
}

const sameData = (a: Tensor, b: Tensor): boolean => {
  const x = nums(a), y = nums(b);
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
};

describe('Philox 4x32-10 known answers', () => {
  it('matches the published test vectors', () => {
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    const ones = 0xffffffff;
    expect(hex(philox4x32([ones, ones, ones, ones], [ones, ones]))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])))
      .toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
  });
  it('rejects malformed words', () => {
    expect(() => philox4x32([0, 0, 0], [0, 0])).toThrow(/philox4x32/);
    expect(() => philox4x32([0, 0, 0, -1], [0, 0])).toThrow(/philox4x32/);
  });
});

describe('generators', () => {
  it('a seed reproduces the stream; two calls differ; seeds differ', () => {
    manualSeed(123);
    const a = rand(1000), b = randn([1000], { dtype: 'float64' }), c = randint(0, 100, [50]);
    manualSeed(123);
    expect(sameData(rand(1000), a)).toBe(true);
    expect(sameData(randn([1000], { dtype: 'float64' }), b)).toBe(true);
    expect(sameData(randint(0, 100, [50]), c)).toBe(true);
    manualSeed(123);
    const first = rand(1000);
    const second = rand(1000);
    expect(sameData(first, second)).toBe(false);
    manualSeed(124);
    expect(sameData(rand(1000), a)).toBe(false);
  });

  it('the stream of a sampler is reproducible and advances', () => {
    manualSeed(9);
    const al = full([500], 0.7, { dtype: 'float64' });
    const g1 = standardGamma(al), g2 = standardGamma(al);
    manualSeed(9);
    expect(sameData(standardGamma(al), g1)).toBe(true);
    expect(sameData(standardGamma(al), g2)).toBe(true);
    expect(sameData(g1, g2)).toBe(false);
  });

  it('Generator objects are independent of the default generator', () => {
    const g = new Generator().manualSeed(5);
    manualSeed(5);
    const fromDefault = rand([100]);
    randn([37]); // advances the default generator only
    const fromG = rand([100], { generator: g });
    expect(sameData(fromG, fromDefault)).toBe(true);
    const next = rand([100], { generator: g });
    const g2 = new Generator().manualSeed(5);
    rand([100], { generator: g2 });
    expect(sameData(rand([100], { generator: g2 }), next)).toBe(true);
  });

  it('getState/setState, initialSeed and seed()', () => {
    const g = new Generator().manualSeed(77);
    expect(g.initialSeed()).toBe(77);
    rand([10], { generator: g });
    const state = g.getState();
    expect(state.dtype).toBe('uint8');
    expect(state.shape).toEqual([16]);
    const a = randn([20], { generator: g });
    g.setState(state);
    expect(sameData(randn([20], { generator: g }), a)).toBe(true);
    const big = new Generator().manualSeed(2n ** 64n - 1n);
    expect(big.initialSeed()).toBe(2n ** 64n - 1n);
    expect(new Generator().manualSeed(-1).initialSeed()).toBe(2n ** 64n - 1n);
    const s = seed();
    expect(Number.isSafeInteger(s)).toBe(true);
    expect(initialSeed()).toBe(s);
    manualSeed(3);
    const st = getRngState();
    const x = rand([5]);
    setRngState(st);
    expect(sameData(rand([5]), x)).toBe(true);
    expect(() => g.setState(zeros([3]))).toThrow(/setState/);
    expect(() => manualSeed(1.5)).toThrow(/manualSeed/);
    expect(() => rand([2], { generator: {} as Generator })).toThrow(/rand: generator/);
  });
});

describe('independence from the thread count', () => {
  const original = getNumThreads();
  afterAll(() => setNumThreads(original));

  const draws = (): Tensor[] => {
    const g = new Generator().manualSeed(2024);
    const o = { generator: g };
    return [
      rand([300_000], o), randn([300_001], { ...o, dtype: 'float64' }), randn([300_003], o),
      randint(-50, 50, [200_001], o), exponential(2, [200_000], o),
      standardGamma(full([50_000], 0.4), o), poisson(full([50_000], 30, { dtype: 'float64' }), o),
      binomial(full([40_000], 100, { dtype: 'float32' }), 0.3, o), normal(ft([0, 1, 2]), full([30_000, 1], 2, { dtype: 'float32' }), o),
      multinomial(full([5000, 6], 1, { dtype: 'float32' }), 3, o), dirichlet(full([20_000, 3], 0.5), o),
      bernoulli(full([100_000], 0.3), o),
    ];
  };

  it('1 and 2 threads give identical draws', () => {
    setNumThreads(1);
    const one = draws();
    setNumThreads(2);
    expect(getNumThreads(), 'the pool must have 2 threads for this test to mean anything').toBe(2);
    const two = draws();
    one.forEach((t, i) => expect(sameData(t, two[i]!), `draw ${i}`).toBe(true));
  });
});

describe('sampler moments', () => {
  manualSeed(31337);

  it('rand / uniform: range, mean, variance', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = nums(rand([1_000_000], { dtype }));
      expect(x.every((v) => v >= 0 && v < 1)).toBe(true);
      expectMoments(x, 0.5, 1 / 12, `rand ${dtype}`);
    }
    const u = nums(uniform(-2, 3, [500_000]));
    expect(u.every((v) => v >= -2 && v <= 3)).toBe(true);
    expectMoments(u, 0.5, 25 / 12, 'uniform');
    const lo = expandTo(tensor([[0], [10]], { dtype: 'float64' }), [2, 100_000]);
    const ut = uniform(lo, tensor([1, 20], { dtype: 'float64' })._view([2, 1], [1, 1], 0));
    expect(ut.shape).toEqual([2, 100_000]);
    const ud = nums(ut);
    expectMoments(ud.subarray(0, 100_000), 0.5, 1 / 12, 'uniform(tensor) row 0');
    expectMoments(ud.subarray(100_000), 15, 100 / 12, 'uniform(tensor) row 1');
    const x = zeros([200_000], { dtype: 'float64' });
    expectMoments(nums(uniform_(x, 1, 5)), 3, 16 / 12, 'uniform_');
  });

  it('randn / normal: mean, variance, kurtosis', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = nums(randn([1_000_001], { dtype }));
      expectMoments(x, 0, 1, `randn ${dtype}`);
      const x4 = x.map((v) => v ** 4);
      expectMean(x4, 3, 96, `randn ${dtype} E[x^4]`);
      const odd = x.filter((_, i) => i % 2 === 1);
      expectMoments(odd, 0, 1, `randn ${dtype} sine branch`);
    }
    expectMoments(nums(normal(2, 3, [400_000])), 2, 9, 'normal(2, 3)');
    const t = normal(tensor([[0], [10]], { dtype: 'float64' }), expandTo(tensor([2], { dtype: 'float64' }), [200_000]));
    expect(t.shape).toEqual([2, 200_000]);
    expect(t.dtype).toBe('float64');
    const d = nums(t);
    expectMoments(d.subarray(0, 200_000), 0, 4, 'normal(tensor) row 0');
    expectMoments(d.subarray(200_000), 10, 4, 'normal(tensor) row 1');
    expectMoments(nums(normal_(zeros([300_000]), -1, 0.5)), -1, 0.25, 'normal_');
  });

  it('exponential', () => {
    expectMoments(nums(exponential(2, [500_000], { dtype: 'float64' })), 0.5, 0.25, 'exponential(2)');
    const e32 = nums(exponential(0.5, [500_000]));
    expect(e32.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
    expectMoments(e32, 2, 4, 'exponential(0.5) float32');
    expectMoments(nums(exponential(expandTo(tensor([4], { dtype: 'float64' }), [300_000]))), 0.25, 1 / 16, 'exponential(tensor)');
    expectMoments(nums(exponential_(zeros([300_000]), 3)), 1 / 3, 1 / 9, 'exponential_');
  });

  it('standardGamma at alpha = 0.3, 1, 5, 100 (float32 and float64)', () => {
    for (const alpha of [0.3, 1, 5, 100]) {
      for (const dtype of ['float32', 'float64'] as const) {
        const x = nums(standardGamma(full([300_000], alpha, { dtype })));
        expect(x.every((v) => v > 0 && Number.isFinite(v)), `gamma(${alpha}) ${dtype} positive`).toBe(true);
        expectMoments(x, alpha, alpha, `gamma(${alpha}) ${dtype}`);
      }
    }
    const tiny = nums(standardGamma(full([1000], 1e-3)));
    expect(tiny.every((v) => v > 0)).toBe(true);
    const b = standardGamma(expandTo(tensor([[0.5], [2]]), [2, 3]));
    expect(b.shape).toEqual([2, 3]);
  });

  it('beta', () => {
    for (const [a, b] of [[2, 5], [0.5, 0.5], [30, 3]]) {
      const x = nums(beta(full([300_000], a!, { dtype: 'float64' }), b!));
      expect(x.every((v) => v > 0 && v < 1)).toBe(true);
      const s = a! + b!;
      expectMoments(x, a! / s, (a! * b!) / (s * s * (s + 1)), `beta(${a}, ${b})`);
    }
    const f = beta(ft([0.01, 1]), ft([0.01, 1]));
    expect(f.dtype).toBe('float32');
    expect(nums(f).every((v) => v > 0 && v < 1)).toBe(true);
  });

  it('dirichlet: mean and rows summing to 1', () => {
    const alpha = [1, 2, 3, 0.5];
    const a0 = alpha.reduce((s, v) => s + v, 0);
    for (const dtype of ['float32', 'float64'] as const) {
      const rows = 100_000;
      const x = nums(dirichlet(expandTo(tensor(alpha, { dtype }), [rows, 4])));
      for (let r = 0; r < rows; r += 997) {
        const s = x[4 * r]! + x[4 * r + 1]! + x[4 * r + 2]! + x[4 * r + 3]!;
        expect(Math.abs(s - 1)).toBeLessThan(dtype === 'float32' ? 1e-5 : 1e-12);
      }
      alpha.forEach((a, j) => {
        const col = new Float64Array(rows);
        for (let r = 0; r < rows; r++) col[r] = x[4 * r + j]!;
        const m = a / a0;
        expectMoments(col, m, (m * (1 - m)) / (a0 + 1), `dirichlet ${dtype} component ${j}`);
      });
    }
    const small = nums(dirichlet(full([10, 3], 1e-3)));
    expect(small.every((v) => v > 0 && v <= 1)).toBe(true);
  });

  it('poisson at rates 0.5, 4, 50, 1000', () => {
    for (const rate of [0.5, 4, 50, 1000]) {
      const x = nums(poisson(full([300_000], rate, { dtype: 'float64' })));
      expect(x.every((v) => Number.isInteger(v) && v >= 0), `poisson(${rate}) integral`).toBe(true);
      expectMoments(x, rate, rate, `poisson(${rate})`);
      const kmax = Math.ceil(rate + 8 * Math.sqrt(rate) + 10);
      const lf = logFactorials(kmax);
      expectPmf(x.filter((v) => v <= kmax), (k) => -rate + k * Math.log(rate) - lf[k]!, kmax, `poisson(${rate})`);
    }
    expect(nums(poisson(zeros([10]))).every((v) => v === 0)).toBe(true);
    expect(poisson(full([3], 2, { dtype: 'float32' })).dtype).toBe('float32');
  });

  it('binomial at small and large n*p', () => {
    for (const [n, p] of [[20, 0.1], [1000, 0.3], [100, 0.9], [50, 0.5], [5, 0.97]]) {
      const x = nums(binomial(full([300_000], n!, { dtype: 'float64' }), p!));
      expect(x.every((v) => Number.isInteger(v) && v >= 0 && v <= n!), `binomial(${n}, ${p}) range`).toBe(true);
      expectMoments(x, n! * p!, n! * p! * (1 - p!), `binomial(${n}, ${p})`);
      const lf = logFactorials(n!);
      expectPmf(x, (k) => lf[n!]! - lf[k]! - lf[n! - k]! + k * Math.log(p!) + (n! - k) * Math.log1p(-p!), n!, `binomial(${n}, ${p})`);
    }
    expect(nums(binomial(ft([0, 7]), ft([0.5, 1]))).join()).toBe('0,7');
  });

  it('bernoulli', () => {
    const x = nums(bernoulli(full([400_000], 0.3)));
    expect(x.every((v) => v === 0 || v === 1)).toBe(true);
    expectFreq(x.reduce((s, v) => s + v, 0), x.length, 0.3, 'bernoulli(0.3)');
    const y = bernoulli(zeros([400_000], { dtype: 'float64' }), { p: 0.7 });
    expect(y.dtype).toBe('float64');
    expectFreq(nums(y).reduce((s, v) => s + v, 0), 400_000, 0.7, 'bernoulli({p})');
    expect(nums(bernoulli(ft([0, 1, 0, 1]))).join()).toBe('0,1,0,1');
    const z = bernoulli_(zeros([300_000], { dtype: 'int32' }), 0.25);
    expect(z.dtype).toBe('int32');
    expectFreq(nums(z).reduce((s, v) => s + v, 0), 300_000, 0.25, 'bernoulli_');
    const w = bernoulli_(zeros([2, 100_000]), tensor([[0.1], [0.9]]));
    const wd = nums(w);
    expectFreq(wd.subarray(0, 100_000).reduce((s, v) => s + v, 0), 100_000, 0.1, 'bernoulli_(tensor) row 0');
    expectFreq(wd.subarray(100_000).reduce((s, v) => s + v, 0), 100_000, 0.9, 'bernoulli_(tensor) row 1');
  });

  it('multinomial frequencies, with and without replacement', () => {
    const probs = [1, 2, 0, 3, 4];
    const total = 10;
    const n = 200_000;
    const x = multinomial(ft(probs), n, { replacement: true });
    expect(x.dtype).toBe('int64');
    expect(x.shape).toEqual([n]);
    const counts = new Array(5).fill(0);
    for (const v of nums(x)) counts[v]++;
    probs.forEach((p, j) => expectFreq(counts[j], n, p / total, `multinomial category ${j}`));
    expect(counts[2]).toBe(0);

    const rows = 100_000;
    const w = multinomial(expandTo(tensor(probs, { dtype: 'float64' }), [rows, 5]), 3);
    expect(w.shape).toEqual([rows, 3]);
    const d = nums(w);
    const first = new Array(5).fill(0);
    for (let r = 0; r < rows; r++) {
      const a = d[3 * r]!, b = d[3 * r + 1]!, c = d[3 * r + 2]!;
      if (a === b || b === c || a === c || a === 2 || b === 2 || c === 2) expect.fail(`row ${r}: ${a} ${b} ${c}`);
      first[a]++;
    }
    probs.forEach((p, j) => expectFreq(first[j], rows, p / total, `multinomial first draw ${j}`));
    // All four non-zero categories drawn without replacement: a permutation of them.
    const all = nums(multinomial(ft(probs), 4)).slice().sort();
    expect([...all]).toEqual([0, 1, 3, 4]);
  });

  it('randint: range and uniformity; randperm is a permutation', () => {
    const x = randint(-3, 7, [300_000]);
    expect(x.dtype).toBe('int64');
    const counts = new Map<number, number>();
    for (const v of nums(x)) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6]);
    for (const [v, c] of counts) expectFreq(c, 300_000, 0.1, `randint value ${v}`);
    const y = randint(5, [1000], { dtype: 'int32' });
    expect(y.dtype).toBe('int32');
    expect(nums(y).every((v) => v >= 0 && v < 5)).toBe(true);
    const big = nums(randint(0, 2 ** 40, [100_000]));
    expectMoments(big, 2 ** 39, (2 ** 80 - 1) / 12, 'randint wide range');
    const r = random_(zeros([100_000], { dtype: 'uint8' }));
    expectMoments(nums(r), 127.5, (256 * 256 - 1) / 12, 'random_() uint8');
    const r2 = nums(random_(zeros([50_000]), 2, 4));
    expect(r2.every((v) => v === 2 || v === 3)).toBe(true);

    for (const n of [0, 1, 2, 1000, 100_001]) {
      const p = randperm(n);
      expect(p.dtype).toBe('int64');
      const s = [...nums(p)].sort((a, b) => a - b);
      expect(s.every((v, i) => v === i), `randperm(${n})`).toBe(true);
    }
    // Each position takes each value uniformly: position 0 over many permutations of 5.
    const g = new Generator().manualSeed(1);
    const hits = new Array(5).fill(0);
    for (let t = 0; t < 5000; t++) hits[Number(randperm(5, { generator: g }).data()[0])]++;
    hits.forEach((h, v) => expectFreq(h, 5000, 0.2, `randperm position 0 = ${v}`));
  });
});

describe('strided and broadcast parameters', () => {
  it('a sampler gives the same draws for a strided view as for its contiguous copy', () => {
    const base = rand([40, 30], { dtype: 'float64' });
    const alpha = base._view([30, 20], [1, 60], 0); // transposed, every other column
    const dense = alpha.contiguous();
    expect(alpha.isContiguous()).toBe(false);
    const g1 = new Generator().manualSeed(11), g2 = new Generator().manualSeed(11);
    expect(sameData(standardGamma(alpha, { generator: g1 }), standardGamma(dense, { generator: g2 }))).toBe(true);
    expect(sameData(poisson(alpha, { generator: g1 }), poisson(dense, { generator: g2 }))).toBe(true);
    expect(sameData(normal(alpha, alpha, { generator: g1 }), normal(dense, dense, { generator: g2 }))).toBe(true);
  });

  it('half-precision parameters and outputs', () => {
    const a = full([1000], 3, { dtype: 'float16' });
    const x = standardGamma(a);
    expect(x.dtype).toBe('float16');
    expect(nums(x).every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    const r = random_(zeros([1000], { dtype: 'float16' }));
    expect(nums(r).every((v) => Number.isInteger(v) && v >= 0 && v <= 2048)).toBe(true);
  });
});

describe('creation options and shapes', () => {
  it('shape as rest numbers or array; dtype; 0-d and empty', () => {
    const a = rand(2, 3);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('float32');
    const b = rand([2, 3], { dtype: 'float64' });
    expect(b.dtype).toBe('float64');
    expect(randn(4, { dtype: 'float64' }).dtype).toBe('float64');
    expect(rand([]).shape).toEqual([]);
    expect(rand([0, 3]).numel()).toBe(0);
    expect(standardGamma(zeros([0, 2])).shape).toEqual([0, 2]);
    const h = randn([1000], { dtype: 'float16' });
    expect(h.dtype).toBe('float16');
    expect(nums(h).every(Number.isFinite)).toBe(true);
    expect(rand([10], { dtype: 'bfloat16' }).dtype).toBe('bfloat16');
  });

  it('requiresGrad is passed on (and needs autograd here)', () => {
    expect(() => randn([2], { requiresGrad: true })).toThrow(/autograd/);
    expect(() => rand([2], { requiresGrad: true })).toThrow(/autograd/);
  });

  it('*Like variants take shape and dtype', () => {
    const x = zeros([3, 4], { dtype: 'float64' });
    expect(randLike(x).dtype).toBe('float64');
    expect(randnLike(x).shape).toEqual([3, 4]);
    const k = randintLike(zeros([2, 2], { dtype: 'int32' }), 3, 9);
    expect(k.dtype).toBe('int32');
    expect(nums(k).every((v) => v >= 3 && v < 9)).toBe(true);
    expect(randintLike(x, 4).dtype).toBe('float64');
  });

  it('in-place fills write only the view and bump the version', () => {
    const base = zeros([6, 4]);
    const v = base._view([3, 2], [8, 2], 1); // rows 0, 2, 4; columns 1, 3
    const before = base._st.version;
    uniform_(v, 5, 6);
    expect(base._st.version).toBe(before + 1);
    const d = nums(base);
    for (let r = 0; r < 6; r++) {
      for (let c = 0; c < 4; c++) {
        const inView = r % 2 === 0 && c % 2 === 1;
        const val = d[r * 4 + c]!;
        if (inView) expect(val >= 5 && val < 6).toBe(true);
        else expect(val).toBe(0);
      }
    }
    const m = zeros([4]).normal_(1, 0);
    expect(nums(m).join()).toBe('1,1,1,1');
  });
});

describe('error inputs name the op', () => {
  it('rejects bad parameters', () => {
    expect(() => normal(0, -1, [2])).toThrow(/normal: expected std >= 0/);
    expect(() => normal(ft([0]), ft([-1]))).toThrow(/normal: expected std >= 0/);
    expect(() => bernoulli(ft([1.5]))).toThrow(/bernoulli: expected all probabilities in \[0, 1\]/);
    expect(() => bernoulli(ft([0.5]), { p: 2 })).toThrow(/bernoulli: expected p in \[0, 1\]/);
    expect(() => bernoulli_(zeros([2]), -0.1)).toThrow(/bernoulli_/);
    expect(() => poisson(ft([-1]))).toThrow(/poisson: expected a finite rate >= 0/);
    expect(() => poisson(ft([NaN]))).toThrow(/poisson/);
    expect(() => standardGamma(ft([0]))).toThrow(/standardGamma: expected concentration alpha > 0/);
    expect(() => standardGamma(tensor([1, 2], { dtype: 'int64' }))).toThrow(/standardGamma: expected floating-point/);
    expect(() => beta(ft([1]), ft([-2]))).toThrow(/beta: expected concentration b > 0/);
    expect(() => dirichlet(ft([1, 0]))).toThrow(/dirichlet: expected concentration alpha > 0/);
    expect(() => dirichlet(ft(1))).toThrow(/dirichlet/);
    expect(() => binomial(ft([-1]), 0.5)).toThrow(/binomial: expected count/);
    expect(() => binomial(ft([2.5]), 0.5)).toThrow(/binomial: expected count/);
    expect(() => binomial(ft([10]), 1.5)).toThrow(/binomial: expected prob in \[0, 1\]/);
    expect(() => exponential(-1, [2])).toThrow(/exponential: expected rate > 0/);
    expect(() => exponential(ft([0]))).toThrow(/exponential: expected rate > 0/);
    expect(() => exponential_(zeros([2]), 0)).toThrow(/exponential_/);
    expect(() => uniform(3, 1, [2])).toThrow(/uniform: expected low <= high/);
    expect(() => uniform_(zeros([2]), 3, 1)).toThrow(/uniform_/);
    expect(() => normal(ft([[0, 0]]), ft([1, 1, 1]))).toThrow(/normal: shapes/);
  });

  it('rejects bad ranges, shapes and dtypes', () => {
    expect(() => randint(5, 5, [2])).toThrow(/randint: expected low < high/);
    expect(() => randint(0, [2])).toThrow(/randint: expected low < high/);
    expect(() => randint(0, 300, [2], { dtype: 'uint8' })).toThrow(/randint: range \[0, 300\) does not fit dtype uint8/);
    expect(() => randint(0, 2, [-1])).toThrow(/randint: invalid size/);
    expect(() => rand([2], { dtype: 'int64' })).toThrow(/rand: expected a floating-point dtype/);
    expect(() => randn(2, -3)).toThrow(/randn: invalid size/);
    expect(() => randperm(-1)).toThrow(/randperm/);
    expect(() => randperm(300, { dtype: 'uint8' })).toThrow(/randperm/);
    expect(() => random_(zeros([2]), 3, 3)).toThrow(/random_: expected low < high/);
    expect(() => uniform_(zeros([2], { dtype: 'int32' }))).toThrow(/uniform_: expected a floating-point tensor/);
  });

  it('rejects bad multinomial inputs', () => {
    expect(() => multinomial(ft([-1, 2]), 1)).toThrow(/multinomial: probability tensor contains either inf, nan or element < 0/);
    expect(() => multinomial(ft([NaN, 2]), 1)).toThrow(/multinomial: probability tensor/);
    expect(() => multinomial(ft([[1, 1], [0, 0]]), 1)).toThrow(/multinomial: invalid multinomial distribution \(sum of probabilities <= 0/);
    expect(() => multinomial(ft([1, 0, 0]), 2)).toThrow(/multinomial: invalid multinomial distribution \(with replacement=False/);
    expect(() => multinomial(ft([1, 1]), 3)).toThrow(/multinomial: cannot sample numSamples=3/);
    expect(() => multinomial(ft([1, 1]), 0)).toThrow(/multinomial: cannot sample/);
    expect(() => multinomial(zeros([2, 2, 2]), 1)).toThrow(/multinomial: prob_dist must be 1 or 2 dim/);
    expect(() => multinomial(tensor([1, 2], { dtype: 'int64' }), 1)).toThrow(/multinomial: expected a floating-point/);
  });
});
