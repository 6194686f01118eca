/**
 * What F's op table cannot express: in-place effects (embedding's maxNorm, running statistics),
 * dropout's randomness, the agreement of the fused first-order backward kernels with the
 * composite formulas used for higher orders, and thread-count independence.
 */
import { describe, expect, it } from 'vitest';
import { getNumThreads, manualSeed, randint, randn, setNumThreads, tensor, zeros, type Tensor } from '@cinder/tensor';
import { grad } from '@cinder/autograd';
import { F } from '../src/index.js';

const vals = (t: Tensor): number[] => Array.from(t.detach().to('float64').contiguous().data() as Float64Array);

function maxDiff(a: Tensor, b: Tensor): number {
  const x = vals(a), y = vals(b);
  expect(x.length).toBe(y.length);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}

/** Gradients of sum(out * u) by a first-order pass (fused kernels) and by a graph-building one (composite formulas). */
function bothPaths(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): [Tensor[], Tensor[]] {
  const out = f(...inputs);
  manualSeed(7);
  const u = randn([...out.shape], { dtype: out.dtype });
  const first = grad(out.mul(u).sum(), inputs, { retainGraph: true }) as Tensor[];
  const composite = grad(out.mul(u).sum(), inputs, { createGraph: true }) as Tensor[];
  return [first, composite];
}

describe('fused backward kernels agree with the composite formulas', () => {
  const cases: [string, () => { f: (...xs: Tensor[]) => Tensor; inputs: Tensor[] }][] = [
    ['crossEntropy: weight, ignoreIndex, smoothing, mean', () => {
      manualSeed(1);
      const x = randn([7, 5], { dtype: 'float64', requiresGrad: true });
      const t = tensor([0, 4, 2, 9, 1, 9, 3], { dtype: 'int64' });
      const w = randn([5], { dtype: 'float64' }).abs().add(0.5).requiresGrad_(true);
      return { f: (a, b) => F.crossEntropy(a, t, { weight: b, ignoreIndex: 9, labelSmoothing: 0.2 }), inputs: [x, w] };
    }],
    ['crossEntropy: [N, C, d], none', () => {
      manualSeed(2);
      const x = randn([3, 4, 5], { dtype: 'float64', requiresGrad: true });
      const t = randint(0, 4, [3, 5]);
      return { f: (a) => F.crossEntropy(a, t, { reduction: 'none', labelSmoothing: 0.1 }).mul(1), inputs: [x] };
    }],
    ['crossEntropy: probabilities, sum', () => {
      manualSeed(3);
      const x = randn([4, 6], { dtype: 'float64', requiresGrad: true });
      const p = randn([4, 6], { dtype: 'float64' }).softmax(1).requiresGrad_(true);
      return { f: (a, b) => F.crossEntropy(a, b, { reduction: 'sum', labelSmoothing: 0.3 }), inputs: [x, p] };
    }],
    ['batchNorm training', () => {
      manualSeed(4);
      const x = randn([6, 3, 4], { dtype: 'float64', requiresGrad: true });
      const w = randn([3], { dtype: 'float64', requiresGrad: true });
      const b = randn([3], { dtype: 'float64', requiresGrad: true });
      return { f: (a, ww, bb) => F.batchNorm(a, null, null, { weight: ww, bias: bb, training: true }), inputs: [x, w, b] };
    }],
    ['batchNorm evaluation', () => {
      manualSeed(5);
      const x = randn([6, 3, 4], { dtype: 'float64', requiresGrad: true });
      const w = randn([3], { dtype: 'float64', requiresGrad: true });
      const rm = randn([3], { dtype: 'float64' });
      const rv = randn([3], { dtype: 'float64' }).abs().add(0.5);
      return { f: (a, ww) => F.batchNorm(a, rm, rv, { weight: ww }), inputs: [x, w] };
    }],
    ['layerNorm', () => {
      manualSeed(6);
      const x = randn([4, 3, 5], { dtype: 'float64', requiresGrad: true });
      const w = randn([3, 5], { dtype: 'float64', requiresGrad: true });
      const b = randn([3, 5], { dtype: 'float64', requiresGrad: true });
      return { f: (a, ww, bb) => F.layerNorm(a, [3, 5], { weight: ww, bias: bb }), inputs: [x, w, b] };
    }],
    ['groupNorm', () => {
      manualSeed(8);
      const x = randn([3, 6, 2, 3], { dtype: 'float64', requiresGrad: true });
      const w = randn([6], { dtype: 'float64', requiresGrad: true });
      return { f: (a, ww) => F.groupNorm(a, 3, { weight: ww }), inputs: [x, w] };
    }],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const { f, inputs } = make();
      const [first, composite] = bothPaths(f, inputs);
      first.forEach((g, i) => expect(maxDiff(g, composite[i]!), `input ${i}`).toBeLessThan(1e-12));
    });
  }
});

describe('in-place effects', () => {
  it("embedding's maxNorm renormalizes the looked-up rows only, without recording", () => {
    manualSeed(9);
    const w = randn([6, 4], { dtype: 'float64' }).mul(3).requiresGrad_(true);
    const before = vals(w);
    const idx = tensor([[1, 4], [4, 0]], { dtype: 'int64' });
    const out = F.embedding(idx, w, { maxNorm: 1.5 });
    const after = vals(w);
    for (let r = 0; r < 6; r++) {
      const row = after.slice(r * 4, r * 4 + 4);
      const old = before.slice(r * 4, r * 4 + 4);
      const n = Math.hypot(...row), n0 = Math.hypot(...old);
      if ([0, 1, 4].includes(r) && n0 > 1.5) expect(n).toBeCloseTo(1.5 * (n0 / (n0 + 1e-7)), 10);
      else expect(row).toEqual(old);
    }
    expect(vals(out).slice(0, 4)).toEqual(after.slice(4, 8));
    out.sum().backward();
    expect(w.grad).not.toBeNull();
  });

  it('instanceNorm updates running statistics with the batch average of per-instance statistics', () => {
    manualSeed(10);
    const x = randn([4, 2, 6], { dtype: 'float64' });
    const rm = zeros([2], { dtype: 'float64' });
    const rv = zeros([2], { dtype: 'float64' }).add(1);
    F.instanceNorm(x, { runningMean: rm, runningVar: rv, momentum: 0.5 });
    const xs = vals(x);
    for (let c = 0; c < 2; c++) {
      let m = 0, v = 0;
      for (let n = 0; n < 4; n++) {
        const row = xs.slice((n * 2 + c) * 6, (n * 2 + c) * 6 + 6);
        const mu = row.reduce((a, b) => a + b, 0) / 6;
        m += mu / 4;
        v += row.reduce((a, b) => a + (b - mu) ** 2, 0) / 5 / 4;
      }
      expect(vals(rm)[c]).toBeCloseTo(0.5 * m, 12);
      expect(vals(rv)[c]).toBeCloseTo(0.5 + 0.5 * v, 12);
    }
  });

  it('batchNorm moves the running statistics version counters', () => {
    const rm = zeros([3]);
    const rv = zeros([3]).add(1);
    const v0 = rm._st.version;
    F.batchNorm(randn([4, 3]), rm, rv, { training: true });
    expect(rm._st.version).toBeGreaterThan(v0);
  });
});

describe('dropout', () => {
  it('is reproducible under manualSeed and differs between seeds', () => {
    const x = randn([100]).abs().add(1);
    manualSeed(11);
    const a = vals(F.dropout(x, { p: 0.5 }));
    manualSeed(11);
    const b = vals(F.dropout(x, { p: 0.5 }));
    manualSeed(12);
    const c = vals(F.dropout(x, { p: 0.5 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('p = 1 zeroes everything; inplace writes the input', () => {
    const x = randn([10]).abs().add(1);
    expect(vals(F.dropout(x, { p: 1 })).every((v) => v === 0)).toBe(true);
    const y = randn([50]).abs().add(1);
    const r = F.dropout(y, { p: 0.5, inplace: true });
    expect(r).toBe(y);
    expect(vals(y).some((v) => v === 0)).toBe(true);
  });
});

describe('thread-count independence', () => {
  it('norm, cross-entropy and embedding gradients are bitwise equal on 1 and 2 threads', () => {
    const prev = getNumThreads();
    const run = (): number[][] => {
      manualSeed(13);
      const x = randn([256, 64, 12], { requiresGrad: true });
      const w = randn([12], { requiresGrad: true });
      const e = randn([50, 16], { requiresGrad: true });
      const idx = randint(0, 50, [4000]);
      const logits = randn([512, 100], { requiresGrad: true });
      const t = randint(0, 100, [512]);
      const loss = F.layerNorm(x, [12], { weight: w }).square().sum()
        .add(F.batchNorm(x, null, null, { training: true }).pow(3).sum())
        .add(F.embedding(idx, e).square().sum())
        .add(F.crossEntropy(logits, t));
      loss.backward();
      return [x.grad!, w.grad!, e.grad!, logits.grad!].map(vals);
    };
    try {
      setNumThreads(1);
      const one = run();
      setNumThreads(2);
      const two = run();
      one.forEach((g, i) => expect(g, `gradient ${i}`).toEqual(two[i]));
    } finally {
      setNumThreads(prev);
    }
  });
});
