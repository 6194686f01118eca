/**
 * Each optimizer against a float64 JS reference of its update rule over several steps, with each
 * option on and off; parameters without gradients; the fused update's version counter bump; the
 * closure; and the options' validation.
 */
import { describe, expect, it } from 'vitest';
import { manualSeed, randn, tensor, zeros, type DType, type Tensor } from '@cinder/tensor';
import { noGrad, isGradEnabled } from '@cinder/autograd';
import { optim } from '../src/index.js';
import { referenceOptimizer, type RefOptions } from './reference.js';

const vals = (t: Tensor): number[] => Array.from(t.detach().to('float64').contiguous().data() as Float64Array);

/** Largest |a - b| / max(1, |b|). */
function relErr(a: readonly number[], b: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

type Ctor = new (params: Tensor[], opts?: Record<string, unknown>) => optim.Optimizer;
const CTORS: Record<string, Ctor> = {
  SGD: optim.SGD as unknown as Ctor,
  Adam: optim.Adam as unknown as Ctor,
  AdamW: optim.AdamW as unknown as Ctor,
  RMSprop: optim.RMSprop as unknown as Ctor,
  Adagrad: optim.Adagrad as unknown as Ctor,
};

const CASES: [string, RefOptions][] = [
  ['SGD', { lr: 0.1 }],
  ['SGD', { lr: 0.1, momentum: 0.9 }],
  ['SGD', { lr: 0.1, momentum: 0.9, dampening: 0.5 }],
  ['SGD', { lr: 0.05, momentum: 0.9, nesterov: true }],
  ['SGD', { lr: 0.1, weightDecay: 0.1 }],
  ['SGD', { lr: 0.1, maximize: true }],
  ['SGD', { lr: 0.05, momentum: 0.7, dampening: 0.1, weightDecay: 0.05, maximize: true }],
  ['Adam', {}],
  ['Adam', { lr: 0.01, betas: [0.5, 0.8] }],
  ['Adam', { lr: 0.01, eps: 1e-3 }],
  ['Adam', { lr: 0.01, weightDecay: 0.2 }],
  ['Adam', { lr: 0.01, amsgrad: true }],
  ['Adam', { lr: 0.01, maximize: true }],
  ['Adam', { lr: 0.02, betas: [0.8, 0.95], weightDecay: 0.1, amsgrad: true, maximize: true }],
  ['AdamW', {}],
  ['AdamW', { lr: 0.01, weightDecay: 0.3 }],
  ['AdamW', { lr: 0.01, weightDecay: 0.1, amsgrad: true, maximize: true, betas: [0.7, 0.9] }],
  ['RMSprop', {}],
  ['RMSprop', { lr: 0.01, alpha: 0.8 }],
  ['RMSprop', { lr: 0.01, eps: 1e-3 }],
  ['RMSprop', { lr: 0.01, weightDecay: 0.1 }],
  ['RMSprop', { lr: 0.01, momentum: 0.9 }],
  ['RMSprop', { lr: 0.01, centered: true }],
  ['RMSprop', { lr: 0.01, maximize: true }],
  ['RMSprop', { lr: 0.005, centered: true, momentum: 0.5, weightDecay: 0.05, alpha: 0.9 }],
  ['Adagrad', {}],
  ['Adagrad', { lr: 0.1, lrDecay: 0.1 }],
  ['Adagrad', { lr: 0.1, weightDecay: 0.1 }],
  ['Adagrad', { lr: 0.1, initialAccumulatorValue: 0.3 }],
  ['Adagrad', { lr: 0.1, eps: 1e-4 }],
  ['Adagrad', { lr: 0.1, maximize: true, lrDecay: 0.01, weightDecay: 0.01 }],
];

const SHAPES = [[4, 5], [5], []];
const STEPS = 6;

/** Runs `steps` steps of optimizer `name`; the gradient at step k is G_k + 0.5 p (a quadratic pull). */
function runBoth(name: string, opts: RefOptions, dtype: DType, seed: number): { ours: number[][]; ref: number[][] } {
  manualSeed(seed);
  const params = SHAPES.map((s) => randn(s, { dtype, requiresGrad: true }));
  const ref = params.map((p) => vals(p));
  const refs = params.map((p) => referenceOptimizer(name, opts, p.numel()));
  const opt = new CTORS[name]!(params, opts);
  for (let k = 0; k < STEPS; k++) {
    params.forEach((p, i) => {
      const G = randn(p.shape, { dtype }).mul(k % 2 === 0 ? 1 : 3);
      p.grad = noGrad(() => G.add(p.mul(0.5)));
      refs[i]!.step(ref[i]!, vals(p.grad));
    });
    opt.step();
  }
  return { ours: params.map(vals), ref };
}

describe('optimizers against their update rules', () => {
  for (const [name, opts] of CASES) {
    it(`${name} ${JSON.stringify(opts)}`, () => {
      const f64 = runBoth(name, opts, 'float64', 7);
      f64.ours.forEach((o, i) => expect(relErr(o, f64.ref[i]!), `float64 param ${i}`).toBeLessThan(1e-12));
      const f32 = runBoth(name, opts, 'float32', 7);
      f32.ours.forEach((o, i) => expect(relErr(o, f32.ref[i]!), `float32 param ${i}`).toBeLessThan(3e-6));
    });
  }
});

describe('step', () => {
  it('skips parameters without a gradient (their step count does not move)', () => {
    const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = tensor([1, 1], { dtype: 'float64' });
    opt.step();
    expect(vals(b)).toEqual([3, 4]);
    expect(opt.state.get(a)!.step).toBe(1);
    expect(opt.state.has(b)).toBe(false);
    b.grad = tensor([1, -1], { dtype: 'float64' });
    opt.step();
    expect(opt.state.get(a)!.step).toBe(2);
    expect(opt.state.get(b)!.step).toBe(1);
    // The first Adam step moves each coordinate by lr against the gradient's sign.
    expect(vals(b).map((x) => +x.toFixed(6))).toEqual([2.9, 4.1]);
  });

  it('updates in place, so graphs that saved a parameter see it changed', () => {
    const w = randn([3], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1 });
    const y = w.mul(w).sum(); // saves w for backward
    w.grad = tensor([1, 1, 1], { dtype: 'float32' });
    const before = vals(w);
    opt.step();
    expect(vals(w)).toEqual(before.map((x) => Math.fround(x - Math.fround(0.1))));
    expect(() => y.backward()).toThrow(/modified by an inplace operation/);
  });

  it('runs the closure with gradients enabled and returns its loss', () => {
    const w = tensor([2], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.25 });
    let sawGrad: boolean | undefined;
    const closure = (): Tensor => {
      sawGrad = isGradEnabled();
      opt.zeroGrad();
      const loss = w.square().sum();
      loss.backward();
      return loss;
    };
    const loss = noGrad(() => opt.step(closure));
    expect(sawGrad).toBe(true);
    expect(loss!.item()).toBe(4);
    expect(vals(w)).toEqual([1]); // 2 - 0.25 * 4
    expect(opt.step(() => 7)).toBe(7);
    expect(opt.step()).toBeUndefined();
  });

  it('switching amsgrad on later creates its buffer', () => {
    const w = tensor([1, -1], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.1 });
    w.grad = tensor([0.5, 0.5], { dtype: 'float64' });
    opt.step();
    opt.paramGroups[0]!.amsgrad = true;
    opt.step();
    expect(opt.state.get(w)!.maxExpAvgSq).toBeDefined();
  });

  it('validates the options', () => {
    const w = zeros([2], { requiresGrad: true });
    expect(() => new optim.SGD([w], { lr: -1 })).toThrow('SGD: invalid lr -1 (expected a number >= 0)');
    expect(() => new optim.SGD([w])).toThrow('SGD: lr is required (in the options or in every parameter group)');
    expect(() => new optim.SGD([w], { lr: 0.1, nesterov: true })).toThrow('SGD: Nesterov momentum requires a momentum > 0 and zero dampening');
    expect(() => new optim.Adam([w], { betas: [0.9, 1] })).toThrow('Adam: invalid beta2 1 (expected a number in [0, 1))');
    expect(() => new optim.Adam([w], { betas: [0.9] as unknown as [number, number] })).toThrow('Adam: betas must be a pair [beta1, beta2]');
    expect(() => new optim.AdamW([w], { eps: -1 })).toThrow('AdamW: invalid eps -1');
    expect(() => new optim.RMSprop([w], { alpha: -0.5 })).toThrow('RMSprop: invalid alpha -0.5');
    expect(() => new optim.RMSprop([w], { centered: 1 as unknown as boolean })).toThrow('RMSprop: centered must be a boolean, got 1');
    expect(() => new optim.Adagrad([w], { lrDecay: -1 })).toThrow('Adagrad: invalid lrDecay -1');
    expect(() => new optim.LBFGS([w], { maxIter: 0 })).toThrow('LBFGS: maxIter must be a positive integer, got 0');
    expect(() => new optim.LBFGS([w], { lineSearchFn: 'armijo' as 'strongWolfe' })).toThrow("LBFGS: lineSearchFn must be 'strongWolfe' or null, got armijo");
  });

  it('names the parameter shapes when a gradient does not fit', () => {
    const w = zeros([2, 3], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1 });
    // A gradient of another shape cannot be assigned through .grad; the kernel still checks.
    w._ag!.grad = zeros([3, 2]);
    expect(() => opt.step()).toThrow('sgdStep: grad of shape [3, 2] does not match param of shape [2, 3]');
  });
});

describe('printing', () => {
  it('lists each group with its options, as PyTorch prints an optimizer', () => {
    const opt = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
    expect(opt.toString()).toBe(
      'SGD (\nParameter Group 0\n    dampening: 0\n    lr: 0.1\n    maximize: false\n    momentum: 0.9\n    nesterov: false\n    weightDecay: 0\n)',
    );
  });
});
