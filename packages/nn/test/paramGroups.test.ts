/** Parameter groups (per-group options, addParamGroup, the checks on parameters) and zeroGrad. */
import { describe, expect, it } from 'vitest';
import { tensor, zeros, type Tensor } from '@cinder/tensor';
import { optim } from '../src/index.js';

const vals = (t: Tensor): number[] => Array.from(t.detach().to('float64').contiguous().data() as Float64Array);
const f64 = (v: number[]): Tensor => tensor(v, { dtype: 'float64', requiresGrad: true });

describe('parameter groups', () => {
  it('each group has its own options, defaults filling the rest', () => {
    const a = f64([1]), b = f64([1]);
    const opt = new optim.SGD([{ params: a, lr: 0.5 }, { params: [b] }], { lr: 0.1, momentum: 0 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum, g.params.length])).toEqual([[0.5, 0, 1], [0.1, 0, 1]]);
    a.grad = tensor([1], { dtype: 'float64' });
    b.grad = tensor([1], { dtype: 'float64' });
    opt.step();
    expect([vals(a), vals(b)]).toEqual([[0.5], [0.9]]);
    // Options are read at every step: changing a group's lr takes effect at once.
    opt.paramGroups[1]!.lr = 0.4;
    opt.step();
    expect([vals(a), vals(b)]).toEqual([[0], [0.5]]);
  });

  it('addParamGroup adds parameters with their own options (fine-tuning)', () => {
    const a = f64([1]), b = f64([2]);
    const opt = new optim.Adam([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.01, betas: [0.5, 0.6] });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.01, betas: [0.5, 0.6], eps: 1e-8, amsgrad: false });
    b.grad = tensor([1], { dtype: 'float64' });
    opt.step();
    expect(vals(b)[0]).toBeCloseTo(1.99, 6);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow('Adam: some parameters appear in more than one parameter group');
  });

  it('checks the parameters it is given', () => {
    const w = zeros([2], { requiresGrad: true });
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow('SGD: got an empty parameter list');
    expect(() => new optim.SGD(w as unknown as Tensor[], { lr: 0.1 })).toThrow(
      'SGD: params should be an iterable of Tensors or of parameter groups, got a Tensor',
    );
    expect(() => new optim.SGD([w, w], { lr: 0.1 })).toThrow('SGD: a parameter group contains the same parameter more than once');
    expect(() => new optim.SGD([w.mul(2)], { lr: 0.1 })).toThrow("SGD: can't optimize a non-leaf Tensor (parameter 0)");
    expect(() => new optim.SGD([zeros([2], { dtype: 'int64' })], { lr: 0.1 })).toThrow(
      'SGD: can only optimize floating-point tensors, but parameter 0 has dtype int64',
    );
    expect(() => new optim.SGD([{ params: new Set([w]) }], { lr: 0.1 })).toThrow(
      'SGD: parameters must be given in an ordered collection (an array), not a Set',
    );
    expect(() => new optim.SGD([{ params: [w, 3 as unknown as Tensor] }], { lr: 0.1 })).toThrow(
      'SGD: can only optimize Tensors, but parameter 1 of the group is number',
    );
    expect(() => new optim.SGD([{ params: [w], lr: -2 }], { lr: 0.1 })).toThrow('SGD: invalid lr -2');
    expect(() => new optim.LBFGS([{ params: [w] }, { params: [zeros([1], { requiresGrad: true })] }])).toThrow(
      "LBFGS: doesn't support per-parameter options (parameter groups)",
    );
  });

  it('accepts any iterable of parameters, such as a generator', () => {
    const ps = [f64([1]), f64([2])];
    function* gen(): Generator<Tensor> {
      yield* ps;
    }
    const opt = new optim.RMSprop(gen());
    expect(opt.paramGroups[0]!.params).toEqual(ps);
  });
});

describe('zeroGrad', () => {
  it('drops the gradients by default', () => {
    const w = f64([1, 2]);
    const opt = new optim.SGD([w], { lr: 0.1 });
    w.square().sum().backward();
    expect(w.grad).not.toBeNull();
    opt.zeroGrad();
    expect(w.grad).toBeNull();
  });

  it('fills them with zeros, detached from any graph, with setToNone: false', () => {
    const w = f64([1, 2]);
    const opt = new optim.SGD([w], { lr: 0.1 });
    w.square().sum().backward(undefined, { createGraph: true });
    const g = w.grad!;
    expect(g.requiresGrad).toBe(true);
    opt.zeroGrad({ setToNone: false });
    expect(w.grad).toBe(g);
    expect(vals(g)).toEqual([0, 0]);
    expect(g.requiresGrad).toBe(false);
    // The next backward accumulates into the zeroed gradient.
    w.mul(3).sum().backward();
    expect(vals(w.grad!)).toEqual([3, 3]);
  });
});
