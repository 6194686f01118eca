import { grad } from '@cinder/autograd';
import { manualSeed, randn, tensor, type Tensor } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import { Adam, Momentum, RMSProp, SGD, nets, type Optimizer } from '../src/index.js';

const f64 = { dtype: 'float64' as const };

/** Sonnet's rules, written out per element in float64. */
type Rule = (p: number[], u: number[][], state: Record<string, number[]>, t: number) => void;
const rules: Record<string, [() => Optimizer, Rule]> = {
  sgd: [() => new SGD(0.1), (p, [u]) => p.forEach((_, i) => (p[i]! -= 0.1 * u![i]!))],
  momentum: [() => new Momentum(0.1, 0.9), (p, [u], s) => p.forEach((_, i) => {
    s.acc![i] = 0.9 * s.acc![i]! + u![i]!;
    p[i]! -= 0.1 * s.acc![i]!;
  })],
  nesterov: [() => new Momentum(0.1, 0.9, { useNesterov: true }), (p, [u], s) => p.forEach((_, i) => {
    s.acc![i] = 0.9 * s.acc![i]! + u![i]!;
    p[i]! -= 0.1 * (u![i]! + 0.9 * s.acc![i]!);
  })],
  adam: [() => new Adam(0.01, { beta1: 0.8, beta2: 0.9, epsilon: 1e-6 }), (p, [u], s, t) => p.forEach((_, i) => {
    s.m![i] = 0.8 * s.m![i]! + 0.2 * u![i]!;
    s.v![i] = 0.9 * s.v![i]! + 0.1 * u![i]! ** 2;
    const mh = s.m![i]! / (1 - 0.8 ** t);
    const vh = s.v![i]! / (1 - 0.9 ** t);
    p[i]! -= 0.01 * mh / (Math.sqrt(vh) + 1e-6);
  })],
  rmsprop: [() => new RMSProp(0.01, { decay: 0.8, momentum: 0.5, epsilon: 1e-3 }), (p, [u], s) => p.forEach((_, i) => {
    s.ms![i] = 0.8 * s.ms![i]! + 0.2 * u![i]! ** 2;
    s.mom![i] = 0.5 * s.mom![i]! + 0.01 * u![i]! / Math.sqrt(s.ms![i]! + 1e-3);
    p[i]! -= s.mom![i]!;
  })],
  rmspropCentered: [() => new RMSProp(0.01, { decay: 0.8, centered: true, epsilon: 1e-3 }), (p, [u], s) => p.forEach((_, i) => {
    s.ms![i] = 0.8 * s.ms![i]! + 0.2 * u![i]! ** 2;
    s.mg![i] = 0.8 * s.mg![i]! + 0.2 * u![i]!;
    s.mom![i] = 0.01 * u![i]! / Math.sqrt(s.ms![i]! - s.mg![i]! ** 2 + 1e-3);
    p[i]! -= s.mom![i]!;
  })],
};

describe('optimizers follow Sonnet’s update rules', () => {
  for (const [name, [make, rule]] of Object.entries(rules)) {
    it(name, () => {
      manualSeed(0);
      const p = randn([5], f64);
      const frozen = randn([2], f64);
      const frozenBefore = frozen.toArray();
      const ref = p.toArray() as number[];
      const zero = () => new Array<number>(5).fill(0);
      const state: Record<string, number[]> = { acc: zero(), m: zero(), v: zero(), ms: zero(), mg: zero(), mom: zero() };
      const opt = make();
      for (let t = 1; t <= 4; t++) {
        const u = randn([5], f64);
        opt.apply([u, null], [p, frozen]);
        rule(ref, [u.toArray() as number[]], state, t);
        const got = p.toArray() as number[];
        got.forEach((g, i) => expect(Math.abs(g - ref[i]!), `${name} step ${t}`).toBeLessThan(1e-12));
      }
      expect(frozen.toArray()).toEqual(frozenBefore);
    });
  }

  it('checks updates against parameters', () => {
    const p = tensor([1, 2]);
    const opt = new Adam();
    expect(() => opt.apply([tensor([1, 2, 3])], [p])).toThrow("Adam 'adam'.apply: update 0 [3] (float32) does not match parameter 0 [2] (float32)");
    expect(() => opt.apply([], [p])).toThrow("Adam 'adam'.apply: 0 updates for 1 parameters");
    opt.apply([tensor([1, 1])], [p]);
    expect(() => opt.apply([tensor([1, 1])], [tensor([0, 0])])).toThrow(/the parameters differ from the 1 it was first applied to/);
    expect(() => new SGD(-1)).toThrow('SGD: learningRate must be a non-negative number, got -1');
  });

  it('keeps its state in variables named after the parameters', () => {
    const mlp = new nets.MLP([2]);
    mlp.call(randn([1, 3]));
    const opt = new Adam(0.1);
    opt.apply(mlp.trainableVariables.map((v) => v.mul(0)), mlp.trainableVariables);
    expect(opt.variables.map((v) => v.name)).toEqual(['adam/m/mlp/linear_0/b', 'adam/m/mlp/linear_0/w', 'adam/step', 'adam/v/mlp/linear_0/b', 'adam/v/mlp/linear_0/w']);
  });
});

describe('training an MLP', () => {
  // Regress y = sin(3 x0) + x1 x2 from 3 inputs.
  function task(): [Tensor, Tensor] {
    manualSeed(1);
    const x = randn([128, 3]);
    const y = x.select(1, 0).mul(3).sin().add(x.select(1, 1).mul(x.select(1, 2))).unsqueeze(1);
    return [x, y];
  }
  const makers: Record<string, () => Optimizer> = {
    SGD: () => new SGD(0.05),
    Momentum: () => new Momentum(0.02, 0.9),
    Adam: () => new Adam(0.01),
    RMSProp: () => new RMSProp(0.002),
  };
  for (const [name, make] of Object.entries(makers)) {
    it(`with ${name} reduces the loss`, () => {
      const [x, y] = task();
      const mlp = new nets.MLP([32, 32, 1]);
      const opt = make();
      const lossOf = () => mlp.call(x).sub(y).square().mean();
      const first = lossOf().item() as number;
      for (let step = 0; step < 150; step++) {
        const params = mlp.trainableVariables;
        const grads = grad(lossOf(), params);
        opt.apply(grads, params);
      }
      const last = lossOf().item() as number;
      expect(last, `${name}: ${first} -> ${last}`).toBeLessThan(first * 0.5);
    });
  }
});
