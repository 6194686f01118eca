import { grad } from '@cinder/autograd';
import { manualSeed, randn, tensor, zeros, type Tensor } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import { Linear, Module, Variable, camelToSnake, initializers, once } from '../src/index.js';

class Pair extends Module {
  first = new Linear(4);
  second = new Linear(2);
  constructor(opts: { name?: string } = {}) {
    super(opts);
    this.recordArgs(opts);
  }
  forward(x: Tensor): Tensor {
    return this.second.call(this.first.call(x).relu());
  }
}

/** Makes its children inside its first call. */
class Lazy extends Module {
  declare inner: Linear[];
  protected override initialize(): void {
    this.inner = [new Linear(3), new Linear(3)];
  }
  forward(x: Tensor): Tensor {
    return this.inner[1]!.call(this.inner[0]!.call(x));
  }
}

describe('names', () => {
  it('snake-cases class names as Sonnet does', () => {
    expect(['Linear', 'MLP', 'BatchNorm', 'Conv2D', 'Conv2DTranspose', 'VanillaRNN', 'LSTM'].map(camelToSnake)).toEqual([
      'linear', 'mlp', 'batch_norm', 'conv2_d', 'conv2_d_transpose', 'vanilla_rnn', 'lstm',
    ]);
  });

  it('scopes variables under their modules and makes siblings unique', () => {
    manualSeed(0);
    const p = new Pair();
    p.call(randn([5, 3]));
    expect(p.variables.map((v) => v.name)).toEqual(['pair/linear/b', 'pair/linear/w', 'pair/linear_1/b', 'pair/linear_1/w']);
    expect(p.first.scopeName).toBe('pair/linear');
    expect(p.second.scopeName).toBe('pair/linear_1');
    expect(p.submodules).toEqual([p.first, p.second]);
    const named = new Pair({ name: 'encoder' });
    named.call(randn([5, 3]));
    expect(named.variables[0]!.name).toBe('encoder/linear/b');
  });

  it('adopts modules made during a call by their caller', () => {
    const m = new Lazy();
    m.call(randn([2, 3]));
    expect(m.variables.map((v) => v.name)).toEqual(['lazy/linear/b', 'lazy/linear/w', 'lazy/linear_1/b', 'lazy/linear_1/w']);
  });

  it('names nested trees by path and never adopts an ancestor', () => {
    class Outer extends Module {
      pair = new Pair();
      back: Module;
      constructor() {
        super();
        this.back = this; // a cycle through a field
      }
      forward(x: Tensor): Tensor {
        return this.pair.call(x);
      }
    }
    const o = new Outer();
    o.call(randn([1, 3]));
    expect(o.trainableVariables.map((v) => v.name)).toEqual([
      'outer/pair/linear/b', 'outer/pair/linear/w', 'outer/pair/linear_1/b', 'outer/pair/linear_1/w',
    ]);
    expect(o.scopeName).toBe('outer');
  });
});

describe('lazy creation', () => {
  it('creates variables from the first input and rejects reading them before', () => {
    const lin = new Linear(3);
    expect(lin.isCreated).toBe(false);
    expect(() => lin.variables).toThrow(/Linear 'linear': variables requested but the module has none yet.*call the module with an example input/);
    expect(() => lin.trainableVariables).toThrow(/example input/);
    lin.call(zeros([2, 7]));
    expect(lin.isCreated).toBe(true);
    expect(lin.w.shape).toEqual([7, 3]);
    expect(lin.inputSize).toBe(7);
  });

  it('allowEmptyVariables makes an empty list legal', () => {
    class Plain extends Module {
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => new Plain().variables).toThrow(/none yet/);
    expect(new Plain({ allowEmptyVariables: true }).variables).toEqual([]);
  });

  it('a first call that throws leaves the module uncreated', () => {
    let fail = true;
    class Flaky extends Module {
      declare w: Variable;
      declare v: Variable;
      protected override initialize(x: Tensor): void {
        this.w = this.createVariable('w', [x.shape[1]!], { init: new initializers.Ones() });
        if (fail) throw new Error('boom');
        this.v = this.createVariable('v', [1], { init: new initializers.Zeros() });
      }
      forward(x: Tensor): Tensor {
        return x.mul(this.w).add(this.v);
      }
    }
    const f = new Flaky();
    expect(() => f.call(zeros([1, 2]))).toThrow('boom');
    expect(f.isCreated).toBe(false);
    expect(Object.keys(f)).not.toContain('w');
    expect(() => f.variables).toThrow(/none yet/);
    fail = false;
    f.call(zeros([1, 4]));
    expect(f.isCreated).toBe(true);
    expect(f.variables.map((v) => `${v.name}[${v.shape}]`)).toEqual(['flaky/v[1]', 'flaky/w[4]']);
  });

  it('a wrong input on the first call is an error naming the module, and the next call may succeed', () => {
    const lin = new Linear(3);
    expect(() => lin.call(zeros([4]))).toThrow("Linear 'linear': expected an input of 2 or more dims [batch, ..., features], got [4] (float32)");
    expect(lin.isCreated).toBe(false);
    lin.call(zeros([1, 4]));
    expect(() => lin.call(zeros([1, 5]))).toThrow("Linear 'linear': input [1, 5] (float32) has 5 features but the module was created for 4");
  });

  it('once runs a function until it first succeeds', () => {
    let n = 0;
    const f = once((x: number) => {
      if (x < 0) throw new Error('neg');
      n += x;
    });
    expect(() => f(-1)).toThrow('neg');
    f(2);
    f(5);
    expect(n).toBe(2);
  });
});

describe('variables', () => {
  it('are leaf tensors that autograd differentiates', () => {
    manualSeed(1);
    const lin = new Linear(2);
    const x = randn([3, 4]);
    const loss = lin.call(x).square().sum();
    const [gb, gw] = grad(loss, lin.trainableVariables);
    // d/dw sum((xw + b)^2) = 2 x^T (xw + b); d/db = 2 sum_rows (xw + b).
    const y = x.matmul(lin.w).add(lin.b!).detach();
    expect(gw!.sub(x.t().matmul(y).mul(2)).abs().max().item()).toBeLessThan(1e-5);
    expect(gb!.sub(y.sum(0).mul(2)).abs().max().item()).toBeLessThan(1e-5);
    expect(lin.w).toBeInstanceOf(Variable);
    expect(lin.w.requiresGrad).toBe(true);
    expect(lin.w.isLeaf).toBe(true);
  });

  it('assign, assignAdd and assignSub check shapes', () => {
    const v = new Variable(tensor([1, 2]), { name: 'v', trainable: false });
    expect(v.requiresGrad).toBe(false);
    v.assign(tensor([5, 6]));
    v.assignSub(1);
    expect(v.toArray()).toEqual([4, 5]);
    expect(() => v.assign(tensor([1, 2, 3]))).toThrow("Variable.assign: value [3] (float32) does not fit variable 'v' [2] (float32)");
  });

  it('follows the input dtype', () => {
    const lin = new Linear(2);
    lin.call(zeros([1, 3], { dtype: 'float64' }));
    expect(lin.w.dtype).toBe('float64');
  });
});

describe('repr', () => {
  it('prints the constructor arguments', () => {
    expect(String(new Linear(3))).toBe('Linear(3)');
    expect(String(new Linear(3, { withBias: false, name: 'out' }))).toBe("Linear(3, { withBias: false, name: 'out' })");
    expect(String(new Linear(3, { wInit: new initializers.TruncatedNormal({ stddev: 0.5 }) }))).toBe('Linear(3, { wInit: TruncatedNormal({ stddev: 0.5 }) })');
    expect(String(new Pair({ name: 'p' }))).toBe("Pair({ name: 'p' })");
  });
});
