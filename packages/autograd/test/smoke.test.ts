import { expect, it } from 'vitest';
import { tensor } from '@cinder/tensor';
import { grad, gradcheck, gradgradcheck } from '../src/index.js';

it('smoke', () => {
  const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
  const y = tensor([4, 5, 6], { dtype: 'float64', requiresGrad: true });
  const z = x.mul(y).add(x).sum();
  expect(z.gradFn!.name).toBe('SumBackward0');
  z.backward();
  expect(x.grad!.toArray()).toEqual([5, 6, 7]);
  expect(y.grad!.toArray()).toEqual([1, 2, 3]);
  const [g] = grad(x.mul(x).mul(x).sum(), x, { createGraph: true });
  expect(g!.toArray()).toEqual([3, 12, 27]);
  const [gg] = grad(g!.sum(), x);
  expect(gg!.toArray()).toEqual([6, 12, 18]);
  expect(gradcheck((a, b) => a.mul(b).div(b.add(3)).exp(), [x, y])).toBe(true);
  expect(gradgradcheck((a, b) => a.mul(b).div(b.add(3)).exp(), [x, y])).toBe(true);
});
