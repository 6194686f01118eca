/** Gradient clipping by total norm and by value, against direct computations. */
import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@cinder/tensor';
import { clipGradNorm_, clipGradValue_, utils } from '../src/index.js';

const vals = (t: Tensor): number[] => Array.from(t.detach().to('float64').contiguous().data() as Float64Array);

function withGrads(grads: number[][]): Tensor[] {
  return grads.map((g) => {
    const p = tensor(g.map(() => 0), { dtype: 'float64', requiresGrad: true });
    p.grad = tensor(g, { dtype: 'float64' });
    return p;
  });
}

describe('clipGradNorm_', () => {
  it('scales the gradients to the max norm and returns the total norm before clipping', () => {
    const ps = withGrads([[3, 0], [0, 4, 0]]);
    const total = clipGradNorm_(ps, 1);
    expect(total.item()).toBe(5);
    const c = 1 / (5 + 1e-6);
    expect(vals(ps[0]!.grad!)[0]).toBeCloseTo(3 * c, 14);
    expect(vals(ps[1]!.grad!)[1]).toBeCloseTo(4 * c, 14);
  });

  it('leaves gradients within the norm unchanged', () => {
    const ps = withGrads([[0.3, 0.4]]);
    expect(clipGradNorm_(ps, 10).item()).toBeCloseTo(0.5, 15);
    expect(vals(ps[0]!.grad!)).toEqual([0.3, 0.4]);
  });

  it('supports other orders and the infinity norm', () => {
    const ps = withGrads([[1, -2], [2]]);
    expect(clipGradNorm_(ps, 100, { normType: 1 }).item()).toBeCloseTo(5, 14);
    expect(clipGradNorm_(ps, 100, { normType: Infinity }).item()).toBe(2);
    expect(clipGradNorm_(ps, 100, { normType: 3 }).item()).toBeCloseTo(Math.cbrt(17), 12);
    const total = clipGradNorm_(ps, 1, { normType: Infinity });
    expect(total.item()).toBe(2);
    expect(vals(ps[0]!.grad!)[1]).toBeCloseTo(-2 / (2 + 1e-6), 12);
  });

  it('skips parameters without gradients, accepts one tensor, and returns 0 for none', () => {
    const p = tensor([1, 1], { dtype: 'float64', requiresGrad: true });
    expect(clipGradNorm_(p, 1).item()).toBe(0);
    p.grad = tensor([6, 8], { dtype: 'float64' });
    expect(utils.clipGradNorm_([p, tensor([0], { requiresGrad: true })], 5).item()).toBe(10);
    expect(vals(p.grad!)[0]).toBeCloseTo(3, 5);
  });

  it('throws on a non-finite norm when asked to, naming the order', () => {
    const ps = withGrads([[1, NaN]]);
    expect(() => clipGradNorm_(ps, 1, { errorIfNonfinite: true })).toThrow(
      'clipGradNorm_: the total norm of order 2 of the gradients is NaN, so they cannot be clipped',
    );
    expect(() => clipGradNorm_(ps, 1, { normType: 0 })).toThrow('clipGradNorm_: normType must be a positive number or Infinity, got 0');
    expect(() => clipGradNorm_(3 as unknown as Tensor, 1)).toThrow('clipGradNorm_: parameters must be a Tensor or an iterable of Tensors');
  });
});

describe('clipGradValue_', () => {
  it('clamps every gradient element to [-v, v]', () => {
    const ps = withGrads([[-3, 0.5], [2, -0.1]]);
    clipGradValue_(ps, 1);
    expect(ps.map((p) => vals(p.grad!))).toEqual([[-1, 0.5], [1, -0.1]]);
    expect(() => clipGradValue_(ps, NaN)).toThrow('clipGradValue_: clipValue must be a number, got NaN');
  });
});
