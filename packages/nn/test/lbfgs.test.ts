/** L-BFGS minimising Rosenbrock's function, with and without the strong-Wolfe line search. */
import { describe, expect, it } from 'vitest';
import { tensor, type DType, type Tensor } from '@cinder/tensor';
import { optim } from '../src/index.js';

/** Rosenbrock's function of (a, b) split across two parameters: (1 - a)^2 + 100 (b - a^2)^2. */
function setup(dtype: DType, opts: Partial<optim.LBFGSOptions>) {
  const a = tensor([-1.5], { dtype, requiresGrad: true });
  const b = tensor([2], { dtype, requiresGrad: true });
  const opt = new optim.LBFGS([a, b], opts);
  let calls = 0;
  const closure = (): Tensor => {
    calls++;
    opt.zeroGrad();
    const loss = a.neg().add(1).square().add(b.sub(a.square()).square().mul(100)).sum();
    loss.backward();
    return loss;
  };
  return { a, b, opt, closure, calls: () => calls };
}

describe('LBFGS', () => {
  it('minimises Rosenbrock with the strong-Wolfe line search (float64)', () => {
    const { a, b, opt, closure, calls } = setup('float64', { lineSearchFn: 'strongWolfe', maxIter: 100, toleranceGrad: 1e-12, toleranceChange: 1e-15 });
    let loss = Infinity;
    for (let i = 0; i < 5 && loss > 1e-14; i++) loss = opt.step(closure)!.item() as number;
    expect(closure().item() as number).toBeLessThan(1e-12);
    expect(a.item() as number).toBeCloseTo(1, 6);
    expect(b.item() as number).toBeCloseTo(1, 6);
    expect(calls()).toBeLessThan(300);
  });

  it('minimises Rosenbrock with fixed steps (float32, small lr)', () => {
    const { a, b, opt, closure } = setup('float32', { lr: 0.2, maxIter: 50, historySize: 10 });
    for (let i = 0; i < 40; i++) opt.step(closure);
    expect(closure().item() as number).toBeLessThan(1e-5);
    expect(a.item() as number).toBeCloseTo(1, 2);
    expect(b.item() as number).toBeCloseTo(1, 2);
  });

  it('stops at once when the gradient is already below toleranceGrad', () => {
    const x = tensor([0, 0], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.LBFGS([x]);
    let calls = 0;
    const loss = opt.step(() => {
      calls++;
      opt.zeroGrad();
      const l = x.square().sum();
      l.backward();
      return l;
    });
    expect([calls, loss!.item(), opt.state.get(x)!.nIter]).toEqual([1, 0, 0]);
  });

  it('respects maxEval and keeps its counters across steps', () => {
    const { opt, closure, calls } = setup('float64', { maxIter: 50, maxEval: 7, lineSearchFn: 'strongWolfe' });
    opt.step(closure);
    // One evaluation beyond maxEval at most: a line search finishes the iteration it started.
    expect(calls()).toBeGreaterThanOrEqual(7);
    const st = opt.state.get(opt.paramGroups[0]!.params[0]!)!;
    expect(st.funcEvals).toBe(calls());
    opt.step(closure);
    expect(st.funcEvals).toBe(calls());
  });

  it('needs a closure', () => {
    const { opt } = setup('float64', {});
    expect(() => opt.step()).toThrow('LBFGS.step: a closure that re-evaluates the loss is required');
  });
});
