/**
 * Convolutions under autograd: second derivatives of every op of the family in the geometries the
 * op table's first samples do not reach (gradcheck.test.ts runs gradgradcheck on one sample per
 * op), and training-style use: gradients accumulate in .grad and only the needed ones are computed.
 */
import { describe, expect, it } from 'vitest';
import {
  conv1d, conv2d, conv3d, convolutionBackwardInput, convolutionBackwardWeight, convTranspose2d, convTranspose3d,
  tensor, type Tensor,
} from '@cinder/tensor';
import { derivatives, gradcheck, gradgradcheck, type Derivative } from '../src/index.js';

function rand(shape: number[], seed: number): Tensor {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
  return tensor(v, { dtype: 'float64', shape }).requiresGrad_(true);
}

const TOL = { atol: 1e-4, rtol: 1e-3 };

describe('second derivatives', () => {
  const cases: [string, (...t: Tensor[]) => Tensor, number[][]][] = [
    ['conv2d with bias, stride, groups, dilation', (x, w, b) => conv2d(x, w, b, { stride: [1, 2], groups: 2, dilation: [2, 1], padding: 1 }), [[1, 4, 5, 5], [4, 2, 2, 2], [4]]],
    ["conv2d 'same' with an even kernel (asymmetric padding)", (x, w) => conv2d(x, w, null, { padding: 'same' }), [[1, 2, 4, 5], [2, 2, 2, 4]]],
    ['conv1d unbatched', (x, w, b) => conv1d(x, w, b, { stride: 2, padding: 2 }), [[3, 7], [2, 3, 3], [2]]],
    ['conv3d', (x, w) => conv3d(x, w, null, { padding: [1, 0, 0] }), [[1, 2, 3, 3, 3], [2, 2, 2, 2, 2]]],
    ['convTranspose2d with bias and output padding', (x, w, b) => convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), [[1, 2, 3, 3], [2, 3, 2, 2], [3]]],
    ['convTranspose2d with output padding >= stride (dilation 2)', (x, w) => convTranspose2d(x, w, null, { dilation: 2, outputPadding: 1 }), [[1, 2, 3, 3], [2, 2, 2, 2]]],
    ['convTranspose3d groups 2', (x, w) => convTranspose3d(x, w, null, { groups: 2, stride: [1, 2, 1] }), [[1, 2, 2, 2, 2], [2, 1, 2, 2, 2]]],
    ['convolutionBackwardInput', (g, w) => convolutionBackwardInput(g, w, [1, 2, 6, 5], { stride: 2, padding: 1 }), [[1, 3, 3, 3], [3, 2, 3, 2]]],
    ['convolutionBackwardWeight', (x, g) => convolutionBackwardWeight(x, g, [4, 1, 2, 3], { groups: 2, dilation: [1, 2] }), [[1, 2, 4, 6], [1, 4, 3, 2]]],
    ['convolutionBackwardWeight with output padding >= stride', (x, g) => convolutionBackwardWeight(x, g, [2, 2, 2, 2], { dilation: 2 }), [[1, 2, 5, 5], [1, 2, 2, 2]]],
  ];
  cases.forEach(([name, fn, shapes], i) => {
    it(name, () => {
      const inputs = shapes.map((s, k) => rand(s, 100 * i + k + 1));
      expect(gradcheck(fn, inputs, { atol: 1e-5, rtol: 1e-3 })).toBe(true);
      expect(gradgradcheck(fn, inputs, TOL)).toBe(true);
    });
  });
});

describe('training use', () => {
  it('gradients accumulate in .grad and match the backward ops', () => {
    const x = rand([2, 3, 6, 6], 1);
    const w = rand([4, 3, 3, 3], 2);
    const b = rand([4], 3);
    const o = { padding: 1, stride: 2 };
    const y = conv2d(x, w, b, o);
    const g = rand([...y.shape], 4).detach();
    y.backward(g);
    conv2d(x, w, b, o).backward(g);
    const gx = convolutionBackwardInput(g, w.detach(), x.shape, o).mul(2);
    const gw = convolutionBackwardWeight(x.detach(), g, w.shape, o).mul(2);
    const close = (a: Tensor, e: Tensor): boolean => (a.sub(e).abs().max().item() as number) < 1e-12;
    expect(close(x.grad!, gx)).toBe(true);
    expect(close(w.grad!, gw)).toBe(true);
    expect(close(b.grad!, g.sum([0, 2, 3]).mul(2))).toBe(true);
  });
  it('computes only the gradients that are needed', () => {
    const table = derivatives as Record<string, Derivative>;
    const original = table.convolution!;
    let asked: boolean[] = [];
    table.convolution = (c) => {
      asked = [c.needs(0), c.needs(1), c.needs(2)];
      return original(c);
    };
    try {
      const x = rand([1, 1, 5, 5], 5).detach();
      const w = rand([2, 1, 3, 3], 6);
      const b = rand([2], 7).detach();
      conv2d(x, w, b).sum().backward();
      expect(asked).toEqual([false, true, false]);
      expect(w.grad).not.toBeNull();
    } finally {
      table.convolution = original;
    }
  });
});
