import { describe, expect, it } from 'vitest';
import { randn } from '@cinder/tensor';
import '../src/index.js';

describe('.grad layout', () => {
  it('a contiguous leaf gets a contiguous gradient, even from transposed or broadcast backward results', () => {
    const w = randn([5, 3], { requiresGrad: true });
    const x = randn([4, 3]);
    x.matmul(w.t()).sum().backward();
    expect(w.grad!.isContiguous()).toBe(true);
    expect(w.grad!.sub(x.sum(0).expand([5, 3])).abs().max().item()).toBeLessThan(1e-5);
    // sum()'s gradient is a broadcast (stride 0) view; stored as .grad it must be dense, so an
    // in-place update touches each element once.
    const b = randn([6], { requiresGrad: true });
    b.sum().backward();
    expect(b.grad!.strides).toEqual([1]);
    b.grad!.mul_(2);
    expect(Array.from(b.grad!.data() as Float32Array)).toEqual([2, 2, 2, 2, 2, 2]);
  });
  it('mm and addmm give a column-major operand its gradient in the same layout', () => {
    const w = randn([5, 3], { requiresGrad: true });
    const wt = w.t();
    const x = randn([4, 3], { requiresGrad: true });
    const y = x.mm(wt);
    const g = randn([4, 5]);
    y.backward(g);
    const want = g.t().matmul(x.detach());
    expect(w.grad!.isContiguous()).toBe(true);
    expect(w.grad!.sub(want).abs().max().item()).toBeLessThan(1e-5);
    expect(x.grad!.sub(g.matmul(w.detach())).abs().max().item()).toBeLessThan(1e-5);
  });
});
