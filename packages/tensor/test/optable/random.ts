/**
 * Random entries. Samples are random, so each entry runs its op twice from the same seeded
 * Generator and checks what is deterministic: shape, dtype, support, and that the seed reproduces
 * the values. Distributions themselves are tested in test/random.test.ts.
 */
import { expect } from 'vitest';
import {
  Generator, bernoulli, bernoulli_, beta, binomial, clone, dirichlet, exponential, exponential_, multinomial, normal,
  normal_, poisson, rand, randLike, randint, randintLike, randn, randnLike, random_, randperm, standardGamma, uniform,
  uniform_, Tensor, type DType,
} from '../../src/index.js';
import { Nd } from './ref.js';
import type { OpInfo, Sample, ErrorCase } from './types.js';

type Opts = Record<string, unknown> | undefined;
type Vals = Float64Array;
/** Support check: values, output shape, tensor/number args, sample opts. */
type Support = (v: Vals, shape: number[], args: any[], o: Opts) => void;

interface Spec {
  name: string;
  /** The op, with the sample's opts plus `generator`. */
  f: (args: any[], o: Record<string, unknown>) => Tensor;
  shape: (args: any[], o: Opts) => number[];
  dtype: (args: any[], o: Opts) => DType;
  support?: Support;
  samples: Sample[]; dtypes?: DType[]; errors?: ErrorCase[];
  /** The op returns (and fills) args[0]. */
  inPlace?: boolean;
}

/** The first tensor argument's dtype: the dtype of ops that sample in their parameters' dtype. */
const paramDtype = (args: any[]): DType => (args.find((a) => a instanceof Tensor) as Tensor).dtype;
const optDtype = (def: DType) => (_: any[], o: Opts): DType => (o?.dtype as DType | undefined) ?? def;
const shapeOfArg = (i: number) => (args: any[]): number[] => [...(args[i] as Tensor).shape];

/** Broadcast output shape of the tensor args (and an explicit shape arg, if any). */
function bshape(args: any[], explicit?: number[]): number[] {
  const shapes = args.filter((a) => a instanceof Tensor).map((t: Tensor) => [...t.shape]);
  if (explicit) shapes.push(explicit);
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) s.forEach((d, i) => { const j = nd - s.length + i; if (d !== 1) out[j] = d; });
  return out;
}

/** Parameter p (tensor or number) at the output's multi-index, broadcasting. */
function pAt(p: Tensor | number, idx: number[]): number {
  if (typeof p === 'number') return p;
  const nd = Nd.fromTensor(p);
  const off = idx.length - nd.ndim;
  return nd.at(nd.shape.map((s, d) => (s === 1 ? 0 : idx[d + off]!)));
}

function each(shape: number[], f: (idx: number[], i: number) => void): void {
  Nd.forEachIndex(shape, (idx, i) => f([...idx], i));
}

const inRange = (lo: number, hi: number, integer = false, hiIncl = false): Support => (v) => {
  for (const x of v) {
    const ok = x >= lo && (hiIncl ? x <= hi : x < hi) && (!integer || Number.isInteger(x));
    if (!ok) expect.fail(`${x} outside [${lo}, ${hi}${hiIncl ? ']' : ')'}${integer ? ' (integers)' : ''}`);
  }
};
const finite: Support = (v) => { for (const x of v) if (!Number.isFinite(x)) expect.fail(`non-finite sample ${x}`); };
const nonNeg = (integer = false): Support => inRange(0, Infinity, integer);
/** Both signs appear among >= 64 draws of a symmetric distribution (fails with p = 2^-63). */
const bothSigns: Support = (v) => {
  finite(v, [], [], undefined);
  if (v.length >= 64) expect(v.some((x) => x < 0) && v.some((x) => x > 0), 'both signs among 64+ normal draws').toBe(true);
};

function entry(s: Spec): OpInfo {
  return {
    name: s.name,
    run: (args, opts) => {
      const { seed = 7, ...rest } = opts ?? {};
      const first = s.f(args, { ...rest, generator: new Generator().manualSeed(seed as number) });
      // In-place ops fill args[0] again: keep a copy of the first draw.
      const a = s.inPlace ? clone(first) : first;
      const b = s.f(args, { ...rest, generator: new Generator().manualSeed(seed as number) });
      return { a, b };
    },
    ref: () => { throw new Error(`${s.name}: random entries use check`); },
    check: (out, args, opts) => {
      const { a, b } = out as { a: Tensor; b: Tensor };
      if (s.inPlace) expect(b, `${s.name} returns its input`).toBe(args[0]);
      const shape = s.shape(args, opts);
      expect([...b.shape], `${s.name}: shape`).toEqual(shape);
      expect(b.dtype, `${s.name}: dtype`).toBe(s.dtype(args, opts));
      const va = Nd.fromTensor(a).data;
      const vb = Nd.fromTensor(b).data;
      expect(Array.from(vb), `${s.name}: same seed, same values`).toEqual(Array.from(va));
      s.support?.(vb, shape, args, opts);
    },
    samples: s.samples,
    dtypes: s.dtypes,
    errors: s.errors,
  };
}

const T = (shape: number[], extra: Record<string, unknown> = {}) => ({ shape, ...extra });
/** Shape-only creation: 2-d, 0-d, zero-size, float64 through opts. */
const shapeSamples = (extraOpts: Record<string, unknown> = {}): Sample[] => [
  { name: '2-d', args: [[8, 9]], opts: extraOpts },
  { name: '0-d', args: [[]], opts: extraOpts },
  { name: 'zero-size', args: [[0, 4]], opts: extraOpts },
  { name: 'float64', args: [[3, 5]], opts: { ...extraOpts, dtype: 'float64', seed: 11 } },
];

export const randomOps: OpInfo[] = [
  entry({ name: 'rand', f: ([s], o) => rand(s, o), shape: ([s]) => s, dtype: optDtype('float32'),
    support: inRange(0, 1), samples: shapeSamples(), dtypes: ['float32'],
    errors: [{ args: [[2, -1]], throws: /rand: invalid size -1/ }, { args: [[2]], opts: { dtype: 'int32' }, throws: /rand: expected a floating-point dtype, got int32/ }],
  }),
  entry({ name: 'randn', f: ([s], o) => randn(s, o), shape: ([s]) => s, dtype: optDtype('float32'),
    support: bothSigns, samples: shapeSamples(), dtypes: ['float32'],
    errors: [{ args: [[3]], opts: { dtype: 'int64' }, throws: /randn: expected a floating-point dtype, got int64/ }],
  }),
  entry({ name: 'randint',
    f: (a, o) => (a.length === 2 ? randint(a[0], a[1], o) : randint(a[0], a[1], a[2], o)),
    shape: (a) => a[a.length - 1], dtype: optDtype('int64'),
    support: (v, sh, a, o) => (a.length === 2 ? inRange(0, a[0], true) : inRange(a[0], a[1], true))(v, sh, a, o),
    samples: [
      { name: '(high, shape)', args: [6, [10, 10]] }, { name: '(low, high, shape)', args: [-5, 5, [4, 7]] },
      { name: 'int32', args: [-3, 250, [50]], opts: { dtype: 'int32' } }, { name: 'uint8', args: [250, 256, [40]], opts: { dtype: 'uint8' } },
      { name: 'float64', args: [0, 3, [2, 6]], opts: { dtype: 'float64' } }, { name: 'one value', args: [3, 4, [5]] },
      { name: '0-d', args: [0, 2, []] }, { name: 'zero-size', args: [0, 2, [3, 0]] },
    ],
    dtypes: ['int64'],
    errors: [
      { args: [5, 5, [2]], throws: /randint: expected low < high, got low=5 high=5/ },
      { args: [0, 2.5, [2]], throws: /randint: low and high must be integers/ },
      { args: [0, 300, [2]], opts: { dtype: 'uint8' }, throws: /randint: range \[0, 300\) does not fit dtype uint8/ },
      { args: [0, 2, [2]], opts: { dtype: 'bool' }, throws: /randint: not supported for dtype bool/ },
    ],
  }),
  entry({ name: 'randperm', f: ([n], o) => randperm(n, o), shape: ([n]) => [n], dtype: optDtype('int64'),
    support: (v, [n]) => expect(Array.from(v).sort((x, y) => x - y)).toEqual(Array.from({ length: n! }, (_, i) => i)),
    samples: [
      { args: [50] }, { args: [1] }, { name: 'empty', args: [0] },
      { name: 'int32', args: [1000], opts: { dtype: 'int32' } }, { name: 'float32', args: [17], opts: { dtype: 'float32' } },
    ],
    dtypes: ['int64'],
    errors: [
      { args: [-1], throws: /randperm: n must be a non-negative integer, got -1/ },
      { args: [300], opts: { dtype: 'uint8' }, throws: /randperm: n=300 is too large for dtype uint8/ },
    ],
  }),
  entry({ name: 'uniform',
    f: ([lo, hi, s], o) => uniform(lo, hi, s, o),
    shape: (a) => (a[0] instanceof Tensor || a[1] instanceof Tensor ? bshape(a.slice(0, 2), a[2]) : a[2] ?? []),
    dtype: (a, o) => (a[0] instanceof Tensor || a[1] instanceof Tensor ? paramDtype(a) : optDtype('float32')(a, o)),
    support: (v, sh, [lo, hi]) => each(sh, (idx, i) => {
      const l = pAt(lo, idx), h = pAt(hi, idx);
      if (!(v[i]! >= l && v[i]! < h)) expect.fail(`element ${i}: ${v[i]} outside [${l}, ${h})`);
    }),
    samples: [
      { name: 'numbers', args: [-1, 3, [6, 7]] }, { name: 'numbers, float64', args: [2, 2.5, [20]], opts: { dtype: 'float64' } },
      { name: 'numbers, 0-d', args: [0, 1] },
      { name: 'tensors broadcast, strided', args: [T([3, 1], { low: -3, high: -1 }), T([4], { low: 1, high: 3, noncontig: true })] },
      { name: 'tensor and number', args: [T([2, 5], { low: -1, high: 0, noncontig: true }), 4] },
      { name: 'tensors with shape', args: [T([5], { low: 0, high: 1 }), 2, [3, 5]] },
      { name: '0-d tensors', args: [T([], { low: 0, high: 1 }), T([], { low: 2, high: 3 })] },
      { name: 'zero-size', args: [T([0, 3], { low: 0, high: 1 }), 5] },
    ],
    errors: [
      { args: [3, 1, [2]], throws: /uniform: expected low <= high, got low=3 high=1/ },
      { args: [NaN, 1, [2]], throws: /uniform: low must be a number, got NaN/ },
      { args: [T([3]), 5, [1]], throws: /uniform: parameters of shape \[3\] do not broadcast to the requested shape \[1\]/ },
      { args: [T([3]), 5, [2, 2]], throws: /uniform: shapes \[3\] and \[2, 2\] cannot be broadcast together/ },
      { name: 'tensor low > high', args: [T([2], { values: [3, 0] }), T([2], { values: [1, 1] })], throws: /uniform: expected low <= high, got low=3 high=1/ },
      { args: [T([2], { dtype: 'int32' }), 5], throws: /uniform: expected floating-point parameters, got int32/ },
      { args: [T([2]), T([3])], throws: /uniform: shapes \[2\] and \[3\] cannot be broadcast together/ },
    ],
  }),
  entry({ name: 'normal',
    f: ([m, s, sh], o) => normal(m, s, sh, o),
    shape: (a) => (a[0] instanceof Tensor || a[1] instanceof Tensor ? bshape(a.slice(0, 2), a[2]) : a[2] ?? []),
    dtype: (a, o) => (a[0] instanceof Tensor || a[1] instanceof Tensor ? paramDtype(a) : optDtype('float32')(a, o)),
    // Where std is 0 the sample is exactly the mean.
    support: (v, sh, [m, s], o) => {
      finite(v, sh, [], o);
      each(sh, (idx, i) => { if (pAt(s, idx) === 0) expect(v[i], `element ${i} with std 0`).toBe(pAt(m, idx)); });
    },
    samples: [
      { name: 'numbers', args: [2, 0.5, [9, 9]] }, { name: 'std 0', args: [1.5, 0, [4]], opts: { dtype: 'float64' } },
      { name: 'tensors broadcast, strided', args: [T([2, 3], { noncontig: true }), T([3], { values: [0, 1, 0], noncontig: true })] },
      { name: 'tensor mean, number std', args: [T([4, 2]), 0] }, { name: 'number mean, tensor std', args: [0.25, T([3], { values: [2, 0, 0.5] })] },
      { name: '0-d', args: [T([]), T([], { values: [0] })] }, { name: 'zero-size', args: [T([2, 0]), 1] },
    ],
    errors: [
      { args: [0, -1, [2]], throws: /normal: expected std >= 0, got -1/ }, { args: [0, NaN, [2]], throws: /normal: std must be a number, got NaN/ },
      { args: [T([2, 3]), 1, [3, 2]], throws: /normal: shapes \[2, 3\] and \[3, 2\] cannot be broadcast together/ },
      { name: 'negative std tensor', args: [T([2]), T([2], { values: [1, -1] })], throws: /normal: expected std >= 0, got -1/ },
      { name: 'NaN std tensor', args: [0, T([2], { values: [NaN, 1] })], throws: /normal: expected std >= 0, got nan/i },
    ],
  }),
  entry({ name: 'exponential',
    f: ([r, sh], o) => exponential(r, sh, o),
    shape: (a) => (a[0] instanceof Tensor ? bshape([a[0]], a[1]) : a[1] ?? []),
    dtype: (a, o) => (a[0] instanceof Tensor ? paramDtype(a) : optDtype('float32')(a, o)),
    support: (v, sh, a, o) => { finite(v, sh, a, o); nonNeg()(v, sh, a, o); },
    samples: [
      { name: 'number', args: [2, [6, 8]] }, { name: 'number, float64', args: [0.1, [10]], opts: { dtype: 'float64' } },
      { name: 'tensor, strided', args: [T([3, 4], { low: 0.5, high: 3, noncontig: true })] },
      { name: 'tensor with shape', args: [T([4], { low: 0.5, high: 3 }), [2, 4]] }, { name: '0-d', args: [T([], { low: 1, high: 2 })] },
      { name: 'zero-size', args: [T([0], { low: 1, high: 2 })] },
    ],
    errors: [
      { args: [0, [2]], throws: /exponential: expected rate > 0, got 0/ }, { args: [-1, [2]], throws: /exponential: expected rate > 0, got -1/ },
      { name: 'rate tensor', args: [T([3], { values: [1, 0.5, -2] })], throws: /exponential: expected rate > 0, got -2/ },
    ],
  }),
  entry({ name: 'bernoulli', f: ([p], o) => bernoulli(p, o), shape: shapeOfArg(0), dtype: paramDtype,
    // p = 0 and p = 1 are certain outcomes.
    support: (v, sh, [p], o) => {
      inRange(0, 1, true, true)(v, sh, [], o);
      if (o?.p === undefined) each(sh, (idx, i) => { const q = pAt(p, idx); if (q === 0 || q === 1) expect(v[i]).toBe(q); });
      else if (o.p === 0 || o.p === 1) for (const x of v) expect(x).toBe(o.p);
    },
    samples: [
      { name: 'strided', args: [T([6, 7], { low: 0, high: 1, noncontig: true })] },
      { name: 'certain outcomes', args: [T([2, 3], { values: [0, 1, 1, 0, 1, 0] })] }, { name: '{ p }', args: [T([5, 4])], opts: { p: 0.3 } },
      { name: '{ p: 1 }', args: [T([3], { noncontig: true })], opts: { p: 1 } }, { name: '0-d', args: [T([], { values: [1] })] },
      { name: 'zero-size', args: [T([0, 2], { low: 0, high: 1 })] },
    ],
    errors: [
      { args: [T([2], { low: 0, high: 1 })], opts: { p: 1.5 }, throws: /bernoulli: expected p in \[0, 1\], got 1.5/ },
      { args: [T([2], { low: 0, high: 1 })], opts: { p: -0.1 }, throws: /bernoulli: expected p in \[0, 1\], got -0.1/ },
      { args: [T([2], { dtype: 'int32' })], throws: /bernoulli: expected a floating-point tensor of probabilities, got int32/ },
      { name: 'probs tensor', args: [T([2, 2], { values: [0, 1, 0.5, 1.5] })], throws: /bernoulli: expected all probabilities in \[0, 1\], got 1.5/ },
    ],
  }),
  entry({ name: 'multinomial',
    f: ([p, n], o) => multinomial(p, n, o),
    shape: ([p, n]) => (p.ndim === 2 ? [p.shape[0], n] : [n]),
    dtype: () => 'int64',
    support: (v, sh, [p, n], o) => {
      const probs = Nd.fromTensor(p);
      const k = probs.shape[probs.ndim - 1]!;
      const rows = v.length / n;
      for (let r = 0; r < rows; r++) {
        const row = Array.from(v.subarray(r * n, (r + 1) * n));
        for (const c of row) {
          expect(Number.isInteger(c) && c >= 0 && c < k, `index ${c} in [0, ${k})`).toBe(true);
          expect(probs.data[r * k + c], `category ${c} of row ${r} has probability 0`).toBeGreaterThan(0);
        }
        if (!o?.replacement) expect(new Set(row).size, `row ${r} without replacement: distinct`).toBe(n);
      }
    },
    samples: [
      { name: 'all categories', args: [T([4, 6], { low: 0.1, high: 1 }), 6] },
      { name: 'strided, with replacement', args: [T([3, 5], { low: 0.1, high: 2, noncontig: true }), 20], opts: { replacement: true } },
      { name: 'zero probabilities', args: [T([2, 4], { values: [0, 1, 0, 3, 2, 0, 0, 0.5] }), 2] },
      { name: 'zeros, with replacement', args: [T([4], { values: [0, 0.2, 0, 0.8] }), 30], opts: { replacement: true } },
      { name: '1-d', args: [T([7], { low: 0.1, high: 1 }), 3] },
    ],
    errors: [
      { args: [T([2, 2, 2], { low: 0, high: 1 }), 1], throws: /multinomial: prob_dist must be 1 or 2 dim, got shape \[2, ?2, ?2\]/ },
      { args: [T([3], { low: 0, high: 1 }), 0], throws: /multinomial: cannot sample numSamples=0 samples/ },
      { args: [T([3], { low: 0.1, high: 1 }), 4], throws: /multinomial: cannot sample numSamples=4 > number of categories 3 without replacement/ },
      { args: [T([2, 0]), 1], opts: { replacement: true }, throws: /multinomial: number of categories cannot be zero/ },
      { args: [T([3], { dtype: 'int64', low: 0, high: 3 }), 1], throws: /multinomial: expected a floating-point tensor of probabilities, got int64/ },
      { name: 'negative row', args: [T([2, 3], { values: [0.5, 0.5, 0, 1, -1, 1] }), 1], throws: /multinomial: probability tensor contains either inf, nan or element < 0 \(got -1 in row 1\)/ },
      { name: 'NaN row', args: [T([3], { values: [0.5, NaN, 0.5] }), 1], throws: /multinomial: probability tensor contains either inf, nan or element < 0 \(got nan in row 0\)/ },
      { name: 'too few nonzero', args: [T([3], { values: [1, 0, 0] }), 2], throws: /multinomial: invalid multinomial distribution \(with replacement=False, not enough non-zero categories to sample: 1 < 2 in row 0\)/ },
      { name: 'zero row', args: [T([2, 2], { values: [1, 1, 0, 0] }), 1], throws: /multinomial: invalid multinomial distribution \(sum of probabilities <= 0 in row 1\)/ },
    ],
  }),
  entry({ name: 'standardGamma', f: ([a], o) => standardGamma(a, o), shape: shapeOfArg(0), dtype: paramDtype,
    support: (v, sh, a, o) => { finite(v, sh, a, o); nonNeg()(v, sh, a, o); },
    samples: [
      { name: 'strided', args: [T([5, 6], { low: 0.1, high: 4, noncontig: true })] },
      { name: 'alpha < 1', args: [T([40], { low: 0.01, high: 0.5 })] }, { name: '0-d', args: [T([], { values: [2] })] },
      { name: 'zero-size', args: [T([3, 0])] },
    ],
    errors: [
      { args: [T([2], { values: [1, 0] })], throws: /standardGamma: expected concentration alpha > 0, got 0/ },
      { args: [T([2], { values: [1, -2] })], throws: /standardGamma: expected concentration alpha > 0, got -2/ },
      { args: [T([2], { dtype: 'int32', low: 1, high: 3 })], throws: /standardGamma: expected floating-point parameters, got int32/ },
    ],
  }),
  entry({ name: 'beta', f: ([a, b], o) => beta(a, b, o), shape: (a) => bshape(a), dtype: paramDtype,
    support: inRange(0, 1, false, true),
    samples: [
      { name: 'broadcast, strided', args: [T([3, 1], { low: 0.2, high: 3 }), T([4], { low: 0.2, high: 3, noncontig: true })] },
      { name: 'small concentrations', args: [T([30], { low: 0.01, high: 0.1 }), 0.05] },
      { name: 'number and tensor', args: [2, T([2, 2], { low: 0.5, high: 1 })] },
      { name: '0-d', args: [T([], { values: [1] }), T([], { values: [1] })] }, { name: 'zero-size', args: [T([0, 2], { low: 1, high: 2 }), 1] },
    ],
    errors: [
      { args: [T([2], { values: [1, 0] }), 1], throws: /beta: expected concentration a > 0, got 0/ },
      { args: [T([2], { values: [1, 1] }), -1], throws: /beta: expected concentration b > 0, got -1/ },
      { args: [T([2], { low: 1, high: 2 }), T([3], { low: 1, high: 2 })], throws: /beta: shapes \[2\] and \[3\] cannot be broadcast together/ },
    ],
  }),
  entry({ name: 'dirichlet', f: ([a], o) => dirichlet(a, o), shape: shapeOfArg(0), dtype: paramDtype,
    support: (v, sh, a, o) => {
      inRange(0, 1, false, true)(v, sh, a, o);
      const k = sh[sh.length - 1]!;
      for (let r = 0; k > 0 && r < v.length / k; r++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += v[r * k + j]!;
        expect(Math.abs(s - 1), `row ${r} sums to ${s}`).toBeLessThan(1e-5);
      }
    },
    samples: [
      { name: 'rows, strided', args: [T([4, 3], { low: 0.2, high: 3, noncontig: true })] },
      { name: 'small concentrations', args: [T([3, 5], { low: 0.01, high: 0.1 })] },
      { name: 'batched 3-d', args: [T([2, 2, 4], { low: 0.5, high: 2 })] }, { name: '1-d', args: [T([6], { low: 1, high: 2 })] },
      { name: 'zero-size', args: [T([0, 3], { low: 1, high: 2 })] },
    ],
    errors: [
      { args: [T([], { values: [1] })], throws: /dirichlet: alpha must have at least one dim/ },
      { args: [T([3], { dtype: 'int32', low: 1, high: 2 })], throws: /dirichlet: expected a floating-point tensor of concentrations, got int32/ },
      { args: [T([3], { values: [1, 0, 1] })], throws: /dirichlet: expected concentration alpha > 0, got 0/ },
    ],
  }),
  entry({ name: 'poisson', f: ([r], o) => poisson(r, o), shape: shapeOfArg(0), dtype: paramDtype,
    support: (v, sh, [r], o) => {
      nonNeg(true)(v, sh, [], o);
      each(sh, (idx, i) => { if (pAt(r, idx) === 0) expect(v[i], `element ${i} of rate 0`).toBe(0); });
    },
    samples: [
      { name: 'small and large rates, strided', args: [T([4, 5], { low: 0, high: 40, noncontig: true })] },
      { name: 'rate 0', args: [T([4], { values: [0, 3, 0, 100] })] }, { name: '0-d', args: [T([], { values: [5] })] },
      { name: 'zero-size', args: [T([0])] },
    ],
    errors: [
      { args: [T([2], { values: [1, -1] })], throws: /poisson: expected a finite rate >= 0, got -1/ },
      { args: [T([2], { dtype: 'int64', low: 1, high: 3 })], throws: /poisson: expected floating-point parameters, got int64/ },
    ],
  }),
  entry({ name: 'binomial', f: ([n, p], o) => binomial(n, p, o), shape: (a) => bshape(a), dtype: paramDtype,
    // prob 0 and prob 1 are certain outcomes.
    support: (v, sh, [n, p]) => each(sh, (idx, i) => {
      const c = pAt(n, idx), q = pAt(p, idx);
      if (!(Number.isInteger(v[i]) && v[i]! >= 0 && v[i]! <= c)) expect.fail(`element ${i}: ${v[i]} outside [0, ${c}]`);
      if (q === 0 || q === 1) expect(v[i], `element ${i} with prob ${q}`).toBe(q * c);
    }),
    samples: [
      { name: 'broadcast, strided', args: [T([3, 1], { values: [0, 5, 200] }), T([4], { values: [0, 0.3, 0.9, 1], noncontig: true })] },
      { name: 'number count', args: [10, T([2, 3], { low: 0, high: 1 })] }, { name: '0-d', args: [T([], { values: [7] }), T([], { values: [0.5] })] },
      { name: 'zero-size', args: [T([0], { values: [] }), 0.5] },
    ],
    errors: [
      { args: [T([2], { values: [3, -1] }), 0.5], throws: /binomial: expected count to be a non-negative integer, got -1/ },
      { args: [T([2], { values: [3, 2.5] }), 0.5], throws: /binomial: expected count to be a non-negative integer, got 2.5/ },
      { args: [5, T([2], { values: [0.5, 1.5] })], throws: /binomial: expected prob in \[0, 1\], got 1.5/ },
      { args: [T([2], { values: [3, 3] }), T([3], { low: 0, high: 1 })], throws: /binomial: shapes \[2\] and \[3\] cannot be broadcast together/ },
    ],
  }),
  entry({ name: 'randLike', f: ([x], o) => randLike(x, o), shape: shapeOfArg(0), dtype: (a, o) => optDtype(paramDtype(a))(a, o),
    support: inRange(0, 1),
    samples: [{ args: [T([5, 6], { noncontig: true })] }, { args: [T([])] }, { args: [T([2, 0])] }, { name: 'dtype override', args: [T([4])], opts: { dtype: 'float64' } }],
    errors: [{ args: [T([2], { dtype: 'int32' })], throws: /randLike: expected a floating-point dtype, got int32/ }],
  }),
  entry({ name: 'randnLike', f: ([x], o) => randnLike(x, o), shape: shapeOfArg(0), dtype: paramDtype,
    support: bothSigns, samples: [{ args: [T([9, 8], { noncontig: true })] }, { args: [T([])] }, { args: [T([0, 3])] }],
  }),
  entry({ name: 'randintLike',
    f: (a, o) => (a.length === 2 ? randintLike(a[0], a[1], o) : randintLike(a[0], a[1], a[2], o)),
    shape: shapeOfArg(0), dtype: paramDtype,
    support: (v, sh, a, o) => (a.length === 2 ? inRange(0, a[1], true) : inRange(a[1], a[2], true))(v, sh, a, o),
    samples: [
      { name: '(x, high)', args: [T([6, 5], { noncontig: true }), 4] }, { name: '(x, low, high)', args: [T([3, 3]), -7, -2] },
      { name: 'int32 x', args: [T([20], { dtype: 'int32' }), 0, 1000] }, { name: '0-d', args: [T([]), 3] },
    ],
    errors: [{ args: [T([2]), 3, 3], throws: /randintLike: expected low < high, got low=3 high=3/ }],
  }),
  entry({ name: 'uniform_', inPlace: true, f: ([x, a, b], o) => uniform_(x, a, b, o), shape: shapeOfArg(0), dtype: paramDtype,
    support: (v, sh, [, a = 0, b = 1], o) => inRange(a, b)(v, sh, [], o),
    samples: [
      { name: 'default [0, 1)', args: [T([5, 7])] }, { name: 'strided', args: [T([4, 6], { noncontig: true }), -3, -2] },
      { name: '0-d', args: [T([]), 10, 11] }, { name: 'zero-size', args: [T([0, 2]), 0, 1] },
    ],
    errors: [
      { args: [T([2]), 1, 0], throws: /uniform_: expected from <= to, got from=1 to=0/ },
      { args: [T([2], { dtype: 'int32' })], throws: /uniform_: expected a floating-point tensor, got int32/ },
    ],
  }),
  entry({ name: 'normal_', inPlace: true, f: ([x, m, s], o) => normal_(x, m, s, o), shape: shapeOfArg(0), dtype: paramDtype,
    support: (v, sh, [, m, s], o) => { finite(v, sh, [], o); if (s === 0) for (const x of v) expect(x).toBe(m); },
    samples: [
      { name: 'defaults', args: [T([8, 8])] }, { name: 'strided, std 0', args: [T([3, 4], { noncontig: true }), 0.5, 0] },
      { name: '0-d', args: [T([]), -1, 2] }, { name: 'zero-size', args: [T([0])] },
    ],
    errors: [
      { args: [T([2]), 0, -1], throws: /normal_: expected std >= 0, got -1/ },
      { args: [T([2], { dtype: 'int64' })], throws: /normal_: expected a floating-point tensor, got int64/ },
    ],
  }),
  entry({ name: 'exponential_', inPlace: true, f: ([x, l], o) => exponential_(x, l, o), shape: shapeOfArg(0), dtype: paramDtype,
    support: (v, sh, a, o) => { finite(v, sh, a, o); nonNeg()(v, sh, a, o); },
    samples: [{ args: [T([6, 6])] }, { name: 'strided', args: [T([3, 5], { noncontig: true }), 4] }, { args: [T([]), 0.5] }, { args: [T([2, 0])] }],
    errors: [{ args: [T([2]), 0], throws: /exponential_: expected lambd > 0, got 0/ }, { args: [T([2]), -2], throws: /exponential_: expected lambd > 0, got -2/ }],
  }),
  entry({ name: 'bernoulli_', inPlace: true, f: ([x, p], o) => bernoulli_(x, p, o), shape: shapeOfArg(0), dtype: paramDtype,
    support: (v, sh, [, p], o) => {
      inRange(0, 1, true, true)(v, sh, [], o);
      each(sh, (idx, i) => { const q = pAt(p ?? 0.5, idx); if (q === 0 || q === 1) expect(v[i]).toBe(q); });
    },
    samples: [
      { name: 'default p', args: [T([6, 6])] }, { name: 'p 1, strided', args: [T([3, 4], { noncontig: true }), 1] },
      { name: 'tensor p broadcast, strided', args: [T([3, 4], { noncontig: true }), T([4], { values: [0, 1, 0.5, 1], noncontig: true })] },
      { name: 'int64 x', args: [T([5], { dtype: 'int64' }), 0.5] }, { name: '0-d', args: [T([]), 0] },
      { name: 'zero-size', args: [T([0, 3])] },
    ],
    errors: [
      { args: [T([2]), 1.5], throws: /bernoulli_: expected p in \[0, 1\], got 1.5/ },
      { args: [T([2]), T([3], { low: 0, high: 1 })], throws: /bernoulli_: shapes \[2\] and \[3\] cannot be broadcast together/ },
      { args: [T([2]), T([2], { values: [0.5, 2] })], throws: /bernoulli_: expected all probabilities in \[0, 1\], got 2/ },
    ],
  }),
  entry({ name: 'random_', inPlace: true,
    f: (a, o) => (a.length === 1 ? random_(a[0], o) : a.length === 2 ? random_(a[0], a[1], o) : random_(a[0], a[1], a[2], o)),
    shape: shapeOfArg(0), dtype: paramDtype,
    support: (v, sh, a, o) => {
      const x = a[0] as Tensor;
      const hiAll = x.dtype === 'float32' ? 2 ** 24 + 1 : x.dtype === 'int32' ? 2 ** 31 : 2 ** 53 + 1;
      const [lo, hi] = a.length === 1 ? [0, hiAll] : a.length === 2 ? [0, a[1]] : [a[1], a[2]];
      inRange(lo, hi, true)(v, sh, a, o);
    },
    samples: [
      { name: '(to)', args: [T([5, 6]), 10] }, { name: '(from, to), strided', args: [T([4, 4], { noncontig: true }), -20, -10] },
      { name: 'full range', args: [T([40])] }, { name: 'int32', args: [T([30], { dtype: 'int32' }), 100, 105] },
      { name: '0-d', args: [T([]), 3, 4] }, { name: 'zero-size', args: [T([0]), 5] },
    ],
    errors: [
      { args: [T([2]), 3, 3], throws: /random_: expected low < high, got low=3 high=3/ },
      { args: [T([2], { dtype: 'uint8' }), 0, 300], throws: /random_: range \[0, 300\) does not fit dtype uint8/ },
    ],
  }),
];
