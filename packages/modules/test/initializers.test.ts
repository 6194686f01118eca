import { eye, manualSeed, tensor, zeros } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import { Linear, initializers } from '../src/index.js';

const stats = (t: { mean(): { item(): unknown }; std(): { item(): unknown } }): [number, number] => [t.mean().item() as number, t.std().item() as number];

describe('initializers', () => {
  it('constants', () => {
    expect(new initializers.Zeros().call([2, 1], 'float64').toArray()).toEqual([[0], [0]]);
    expect(new initializers.Ones().call([3], 'float32').toArray()).toEqual([1, 1, 1]);
    expect(new initializers.Constant(-2).call([2], 'float32').toArray()).toEqual([-2, -2]);
    expect(() => new initializers.Constant(tensor([1, 2, 3])).call([2, 2], 'float32')).toThrow('Constant: value of shape [3] does not broadcast to [2, 2]');
    expect(() => new initializers.Zeros().call([2, -1], 'float32')).toThrow('Zeros: expected a shape of non-negative integers, got [2,-1]');
  });

  it('random normal and uniform have the asked moments', () => {
    manualSeed(0);
    const [m, s] = stats(new initializers.RandomNormal({ mean: 1, stddev: 2 }).call([20000], 'float64'));
    expect(Math.abs(m - 1)).toBeLessThan(0.06);
    expect(Math.abs(s - 2)).toBeLessThan(0.06);
    const u = new initializers.RandomUniform({ minval: 2, maxval: 4 }).call([20000], 'float64');
    expect(Math.abs((u.mean().item() as number) - 3)).toBeLessThan(0.03);
    expect(u.min().item() as number).toBeGreaterThanOrEqual(2);
    expect(() => new initializers.RandomNormal().call([2], 'int64')).toThrow('RandomNormal: expected a floating point dtype, got int64');
  });

  it('truncated normal stays within two standard deviations', () => {
    manualSeed(1);
    const t = new initializers.TruncatedNormal({ mean: 3, stddev: 0.5 }).call([20000], 'float64');
    expect(t.min().item() as number).toBeGreaterThanOrEqual(2);
    expect(t.max().item() as number).toBeLessThanOrEqual(4);
    const [m, s] = stats(t);
    expect(Math.abs(m - 3)).toBeLessThan(0.02);
    // A unit normal truncated to [-2, 2] has standard deviation 0.8796.
    expect(Math.abs(s - 0.5 * 0.8796)).toBeLessThan(0.01);
  });

  it("variance scaling gives variance scale / fan with Sonnet's fans", () => {
    manualSeed(2);
    // A [3, 3, 16, 32] kernel: fanIn = 3 * 3 * 16 = 144, fanOut = 288.
    for (const [mode, n] of [['fan_in', 144], ['fan_out', 288], ['fan_avg', 216]] as const) {
      for (const distribution of ['truncated_normal', 'untruncated_normal', 'uniform'] as const) {
        const w = new initializers.VarianceScaling({ scale: 2, mode, distribution }).call([3, 3, 16, 32], 'float64');
        const s = w.std().item() as number;
        expect(Math.abs(s / Math.sqrt(2 / n) - 1), `${mode} ${distribution}`).toBeLessThan(0.05);
      }
    }
    expect(initializers.computeFans([5])).toEqual([5, 5]);
    expect(initializers.computeFans([4, 6])).toEqual([4, 6]);
    expect(() => new initializers.VarianceScaling({ mode: 'fan' as 'fan_in' })).toThrow(/mode must be/);
  });

  it('orthogonal matrices are orthonormal along their shorter side', () => {
    manualSeed(3);
    const w = new initializers.Orthogonal({ gain: 2 }).call([2, 3, 4], 'float64'); // read as [6, 4]
    const m = w.reshape([6, 4]);
    expect(m.t().matmul(m).sub(eye(4, { dtype: 'float64' }).mul(4)).abs().max().item()).toBeLessThan(1e-10);
    expect(() => new initializers.Orthogonal().call([3], 'float32')).toThrow('Orthogonal: needs a shape of 2 or more dims, got [3]');
  });

  it('identity', () => {
    expect(new initializers.Identity().call([2, 2, 2], 'float32').toArray()).toEqual([[[1, 0], [0, 1]], [[1, 0], [0, 1]]]);
  });

  it("Linear's default weights are truncated normal with stddev 1 / sqrt(fanIn)", () => {
    manualSeed(4);
    const lin = new Linear(200);
    lin.call(zeros([1, 100], { dtype: 'float64' }));
    const [m, s] = stats(lin.w);
    expect(Math.abs(m)).toBeLessThan(0.005);
    expect(Math.abs(s - 0.1 * 0.8796)).toBeLessThan(0.003);
    expect(lin.w.abs().max().item() as number).toBeLessThanOrEqual(0.2);
    expect(lin.b!.abs().sum().item()).toBe(0);
  });

  it('a function works as an initializer, and its result is checked', () => {
    const lin = new Linear(2, { wInit: (shape, dtype) => zeros([...shape], { dtype }).add(0.5) });
    expect(lin.call(tensor([[1, 1]])).toArray()).toEqual([[1, 1]]);
    const bad = new Linear(2, { wInit: () => zeros([1]) });
    expect(() => bad.call(tensor([[1, 1]]))).toThrow("Linear 'linear': the initializer of 'w' returned shape [1], expected [2, 2]");
    expect(bad.isCreated).toBe(false);
  });
});
