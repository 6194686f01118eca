import { describe, expect, it } from 'vitest';
import { manualSeed, rand, randn, tensor, Tensor, zeros } from '@cinder/tensor';
import {
  backward, checkpoint, defineFunction, detectAnomaly, enableGrad, grad, gradcheck, hessian, inferenceMode, isGradEnabled,
  jacobian, jvp, noGrad, setGradEnabled, vjp, type FunctionCtx,
} from '../src/index.js';
import { noGrad as tensorNoGrad } from '@cinder/tensor';

const f64 = (v: number[] | number[][], requiresGrad = true): Tensor => tensor(v, { dtype: 'float64', requiresGrad });
const arr = (t: Tensor | null | undefined): unknown => t!.toArray();

describe('backward', () => {
  it('computes gradients of (x*y + x).sum()', () => {
    const x = f64([1, 2, 3]);
    const y = f64([4, 5, 6]);
    const z = x.mul(y).add(x).sum();
    expect(z.gradFn!.name).toBe('SumBackward0');
    expect(z.gradFn!.nextFunctions[0]![0]!.name).toBe('AddBackward0');
    expect(x.isLeaf).toBe(true);
    expect(z.isLeaf).toBe(false);
    z.backward();
    expect(arr(x.grad)).toEqual([5, 6, 7]);
    expect(arr(y.grad)).toEqual([1, 2, 3]);
  });

  it('accumulates into .grad across backward calls and reduces broadcast gradients', () => {
    const x = f64([[1, 2]]);
    const b = f64([10]);
    x.add(b).sum().backward();
    x.add(b).mul(2).sum().backward();
    expect(arr(x.grad)).toEqual([[3, 3]]);
    expect(arr(b.grad)).toEqual([6]);
  });

  it('runs a node only after every gradient flowing into it is summed (diamond)', () => {
    const x = f64([2]);
    const a = x.mul(3);
    const out = a.mul(a).add(a.exp()).sum(); // d/dx = 3 * (2a + e^a) at a = 6
    out.backward();
    expect((x.grad!.item() as number)).toBeCloseTo(3 * (12 + Math.exp(6)), 8);
  });

  it('needs an explicit gradient for non-scalar outputs and checks its shape', () => {
    const x = f64([1, 2]);
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(/grad can be implicitly created only for scalar outputs/);
    expect(() => y.backward(f64([1, 1, 1], false))).toThrow(/mismatch in shape/);
    y.backward(f64([1, 10], false));
    expect(arr(x.grad)).toEqual([2, 20]);
  });

  it('frees the graph after backward unless retainGraph', () => {
    const x = f64([1, 2]);
    const y = x.mul(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward through the graph a second time/);
    const z = x.mul(x).sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(arr(x.grad)).toEqual([2 + 4, 4 + 8]);
  });

  it('checks assignments to .grad', () => {
    const x = f64([1, 2]);
    x.grad = f64([5, 6], false);
    expect(arr(x.grad)).toEqual([5, 6]);
    expect(() => (x.grad = f64([1], false))).toThrow(/grad: assigned grad has data of a different size/);
    expect(() => (x.grad = tensor([1, 2]))).toThrow(/grad: assigned grad has dtype float32, expected float64/);
    const plain = f64([1], false);
    plain.grad = f64([3], false);
    expect(arr(plain.grad)).toEqual([3]);
    x.grad = null;
    expect(x.grad).toBeNull();
  });

  it('errors for tensors that do not require grad', () => {
    expect(() => f64([1], false).sum().backward()).toThrow(/does not require grad/);
    expect(() => tensor([1, 2], { dtype: 'int64' }).requiresGrad_()).toThrow(/only tensors of floating point dtype/);
  });

  it('differentiates a chain of 10^4 ops without overflowing the stack', () => {
    const x = f64([1]);
    let y = x;
    for (let i = 0; i < 10_000; i++) y = y.mul(1.0001);
    y.sum().backward();
    expect(x.grad!.item() as number).toBeCloseTo(1.0001 ** 10_000, 6);
  });

  it('backward with inputs accumulates only into those tensors', () => {
    const x = f64([1, 2]);
    const w = f64([3, 4]);
    const h = x.mul(w);
    h.retainGrad();
    h.sum().backward(undefined, { inputs: [w] });
    expect(arr(w.grad)).toEqual([1, 2]);
    expect(x.grad).toBeNull();
  });

  it('module-level backward over several roots', () => {
    const x = f64([1, 2]);
    backward([x.mul(2).sum(), x.mul(3).sum()]);
    expect(arr(x.grad)).toEqual([5, 5]);
  });
});

describe('grad()', () => {
  it('returns gradients without touching .grad, with higher orders through createGraph', () => {
    const x = f64([1, 2, 3]);
    const [g] = grad(x.mul(x).mul(x).sum(), x, { createGraph: true });
    expect(arr(g)).toEqual([3, 12, 27]);
    expect(g!.requiresGrad).toBe(true);
    const [gg] = grad(g!.sum(), x);
    expect(arr(gg)).toEqual([6, 12, 18]);
    expect(x.grad).toBeNull();
  });

  it('reports unused inputs unless allowUnused', () => {
    const x = f64([1]);
    const y = f64([2]);
    expect(() => grad(x.mul(2).sum(), [x, y])).toThrow(/appears to not have been used in the graph/);
    const [gx, gy] = grad(x.mul(2).sum(), [x, y], { allowUnused: true });
    expect(arr(gx)).toEqual([2]);
    expect(gy).toBeNull();
  });

  it('takes gradients w.r.t. non-leaf tensors', () => {
    const x = f64([1, 2]);
    const h = x.mul(3);
    const [gh] = grad(h.mul(h).sum(), h);
    expect(arr(gh)).toEqual([6, 12]);
  });
});

describe('grad modes', () => {
  it('noGrad, enableGrad and setGradEnabled control recording', () => {
    const x = f64([1]);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
    // The same switch, imported from the array library.
    expect(tensorNoGrad).toBe(noGrad);
    expect(tensorNoGrad(() => x.mul(2)).requiresGrad).toBe(false);
    setGradEnabled(false);
    try {
      expect(isGradEnabled()).toBe(false);
      expect(x.mul(2).requiresGrad).toBe(false);
    } finally {
      setGradEnabled(true);
    }
    expect(() => noGrad(() => {
      throw new Error('inside');
    })).toThrow('inside');
    expect(isGradEnabled()).toBe(true);
  });

  it('inferenceMode records nothing and its tensors cannot be saved for backward', () => {
    const w = f64([2]);
    const t = inferenceMode(() => w.mul(3));
    expect(t.requiresGrad).toBe(false);
    expect(() => w.mul(t)).toThrow(/inference tensors cannot be saved for backward/);
    expect(w.mul(t.clone()).requiresGrad).toBe(true);
  });

  it('detach and detach_ cut the graph', () => {
    const x = f64([1]);
    const y = x.mul(2);
    expect(y.detach().requiresGrad).toBe(false);
    y.detach_();
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
  });
});

describe('hooks and retainGrad', () => {
  it('retainGrad keeps .grad of a non-leaf', () => {
    const x = f64([1, 2]);
    const h = x.mul(2);
    h.retainGrad();
    expect(h.retainsGrad).toBe(true);
    h.mul(h).sum().backward();
    expect(arr(h.grad)).toEqual([4, 8]);
  });

  it('hooks see and may replace gradients, on leaves and non-leaves, and can be removed', () => {
    const x = f64([1, 2]);
    const seen: unknown[] = [];
    const handle = x.registerHook((g) => {
      seen.push(g.toArray());
      return g.mul(10);
    });
    const h = x.mul(3);
    h.registerHook((g) => g.add(1));
    h.sum().backward();
    expect(seen).toEqual([[6, 6]]);
    expect(arr(x.grad)).toEqual([60, 60]);
    handle.remove();
    x.grad = null;
    x.mul(3).sum().backward();
    expect(arr(x.grad)).toEqual([3, 3]);
    expect(() => f64([1], false).registerHook(() => undefined)).toThrow(/doesn't require gradient/);
  });
});

describe('in-place ops and version counters', () => {
  it('detects modification of a tensor saved for backward, naming the op', () => {
    const x = f64([1, 2]);
    const y = x.mul(2);
    const z = y.exp(); // ExpBackward0 saves its output z
    z.add_(1);
    expect(() => z.sum().backward()).toThrow(/modified by an inplace operation.*version 1; expected version 0.*ExpBackward0/s);
  });

  it('records in-place ops on non-leaves and refuses them on leaves that require grad', () => {
    const x = f64([1, 2]);
    expect(() => x.mul_(2)).toThrow(/a leaf tensor that requires grad is being used in an in-place operation/);
    const y = x.mul(1);
    y.mul_(x); // y = x * x
    expect(y.gradFn!.name).toBe('MulBackward0');
    y.sum().backward();
    expect(arr(x.grad)).toEqual([2, 4]);
  });
});

describe('in-place ops on views', () => {
  it('rewrite the base history (gradcheck through select, narrow and index views)', () => {
    const x = f64([0.5, -1, 2, 1.5, 3, -0.25]);
    const w = f64([0.3, 0.7]);
    const f = (a: Tensor, b: Tensor) => {
      const y = a.mul(1).reshape([2, 3]);
      y.select(0, 1).mul_(a.narrow(0, 0, 3));
      y.narrow(1, 0, 2).index(0).add_(b);
      y.index(':', 2).exp_();
      return y.mul(y);
    };
    expect(gradcheck(f, [x, w])).toBe(true);
    const y = x.mul(2);
    y.narrow(0, 1, 2).mul_(3);
    expect(y.gradFn!.name).toBe('CopySlices');
    y.sum().backward();
    expect(arr(x.grad)).toEqual([2, 6, 6, 2, 2, 2]);
  });

  it('a view of a tensor that does not require grad takes history from the written value', () => {
    const base = zeros([4], { dtype: 'float64' });
    const v = f64([1, 2]);
    base.narrow(0, 1, 2).copy_(v.mul(3));
    expect(base.requiresGrad).toBe(true);
    base.mul(tensor([1, 10, 100, 1000], { dtype: 'float64' })).sum().backward();
    expect(arr(v.grad)).toEqual([30, 300]);
  });

  it('refuses in-place ops on views of leaves that require grad', () => {
    const x = f64([1, 2, 3]);
    expect(() => x.narrow(0, 0, 2).mul_(2)).toThrow(/a view of a leaf tensor that requires grad is being used in an in-place operation/);
  });
});

describe('custom Function', () => {
  const cube = defineFunction({
    name: 'Cube',
    forward(ctx: FunctionCtx, x: Tensor) {
      ctx.saveForBackward(x);
      return x.mul(x).mul(x);
    },
    backward(ctx: FunctionCtx, g: Tensor | null) {
      const [x] = ctx.savedTensors;
      return [g!.mul(x!.mul(x!)).mul(3)];
    },
  });

  it('uses the user backward, is named, and supports higher orders when backward is differentiable', () => {
    const x = f64([2, 3]);
    const y = cube(x) as Tensor;
    expect(y.gradFn!.name).toBe('CubeBackward');
    const [g] = grad(y.sum(), x, { createGraph: true });
    expect(arr(g)).toEqual([12, 27]);
    const [gg] = grad(g!.sum(), x);
    expect(arr(gg)).toEqual([12, 18]);
  });

  it('a backward returning a gradient of the wrong shape is an error naming the function', () => {
    const bad = defineFunction({
      name: 'Bad',
      forward: (_ctx: FunctionCtx, x: Tensor) => x.mul(2),
      backward: (_ctx: FunctionCtx, g: Tensor | null) => [g!.sum()],
    });
    const x = f64([1, 2, 3]);
    expect(() => (bad(x) as Tensor).sum().backward()).toThrow(
      /Function BadBackward returned an invalid gradient at index 0 - got \[\] but expected shape compatible with \[3\]/,
    );
  });

  it('saved tensors are freed after backward', () => {
    const x = f64([2]);
    const y = cube(x) as Tensor;
    y.sum().backward();
    expect(() => y.sum().backward()).toThrow(/second time/);
  });
});

describe('checkpoint', () => {
  it('recomputes the forward in backward and gives the same gradients', () => {
    manualSeed(3);
    const w = randn([4, 4], { dtype: 'float64', requiresGrad: true });
    const x = randn([2, 4], { dtype: 'float64' });
    const body = (h: Tensor, wt: Tensor) => h.matmul(wt).tanh().matmul(wt).exp();
    body(x, w).sum().backward();
    const expected = w.grad!.toArray();
    w.grad = null;
    let calls = 0;
    // Tensors that need gradients are passed as arguments (closure captures are not tracked).
    const y = checkpoint((h, wt) => {
      calls++;
      return body(h, wt!);
    }, x, w);
    expect(calls).toBe(1);
    y.sum().backward();
    expect(calls).toBe(2);
    expect(w.grad!.toArray()).toEqual(expected);
  });

  it('replays the random stream, so a random mask is the same in the recomputation', () => {
    const x = f64([1, 2, 3, 4, 5, 6]);
    const y = checkpoint((h) => h.mul(rand([6], { dtype: 'float64' })), x);
    const used = y.detach().div(x.detach());
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual(used.toArray());
  });
});

describe('functional', () => {
  it('vjp, jvp and jacobian of a known function', () => {
    const x = f64([1, 2], false);
    const f = (t: Tensor) => t.mul(t).mul(tensor([1, 3], { dtype: 'float64' }));
    const [y, [g]] = vjp(f, x, f64([1, 1], false));
    expect(arr(y)).toEqual([1, 12]);
    expect(arr(g)).toEqual([2, 12]);
    const [, jv] = jvp(f, x, f64([1, 0], false));
    expect(arr(jv)).toEqual([2, 0]);
    expect(arr(jacobian(f, x) as Tensor)).toEqual([[2, 0], [0, 12]]);
  });

  it('hessian of a known function', () => {
    // f(x, y) = x^2 y + y^3  ->  H = [[2y, 2x], [2x, 6y]]
    const f = (v: Tensor) => {
      const [a, b] = [v.index(0), v.index(1)];
      return a.mul(a).mul(b).add(b.mul(b).mul(b));
    };
    expect(arr(hessian(f, f64([1, 2], false)) as Tensor)).toEqual([[4, 2], [2, 12]]);
  });
});

describe('anomaly mode', () => {
  it('names the forward op whose backward produced NaN', () => {
    const x = f64([0, 1]);
    const run = () => x.sqrt().mul(zeros([2], { dtype: 'float64' })).sum().backward();
    expect(() => detectAnomaly(run)).toThrow(/Function 'SqrtBackward0' returned nan or inf values in its 0th output[\s\S]*forward op sqrt/);
  });
});

describe('to(dtype)', () => {
  it('casts the gradient back to the input dtype', () => {
    const x = f64([1.5, -2]);
    const y = x.to('float32').mul(tensor([2, 3])).sum();
    y.backward();
    expect(x.grad!.dtype).toBe('float64');
    expect(arr(x.grad)).toEqual([2, 3]);
  });
});

describe('contiguous', () => {
  it('is differentiable when it copies', () => {
    const x = f64([[1, 2], [3, 4]]);
    const y = x.t().contiguous();
    expect(y.gradFn!.name).toBe('ContiguousBackward0');
    y.mul(tensor([[1, 2], [3, 4]], { dtype: 'float64' })).sum().backward();
    expect(arr(x.grad)).toEqual([[1, 3], [2, 4]]);
  });
});
