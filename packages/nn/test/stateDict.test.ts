/**
 * Optimizer state dicts: PyTorch's layout (state keyed by parameter index, groups listing
 * indices), a round trip that continues training bit for bit, copies on load, dtype casts, and
 * the errors for dicts that do not fit.
 */
import { describe, expect, it } from 'vitest';
import { manualSeed, randn, tensor, zeros, Tensor } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import { optim } from '../src/index.js';

const vals = (t: Tensor): number[] => Array.from(t.detach().to('float64').contiguous().data() as Float64Array);

type Make = (params: Tensor[]) => optim.Optimizer;
const MAKERS: Record<string, Make> = {
  SGD: (p) => new optim.SGD([{ params: p.slice(0, 1), lr: 0.05 }, { params: p.slice(1) }], { lr: 0.1, momentum: 0.9, nesterov: true }),
  Adam: (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.01 }),
  AdamW: (p) => new optim.AdamW([{ params: p.slice(0, 2) }, { params: p.slice(2), weightDecay: 0 }], { lr: 0.02 }),
  RMSprop: (p) => new optim.RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true }),
  Adagrad: (p) => new optim.Adagrad(p, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }),
};

/** Gradient fields for step k, the same for any copy of the parameters. */
function setGrads(params: Tensor[], k: number): void {
  params.forEach((p, i) => {
    p.grad = noGrad(() => p.mul(0.3).add(Math.sin(k + i)).add(p.square().mul(0.1)));
  });
}

describe('stateDict round trip', () => {
  for (const [name, make] of Object.entries(MAKERS)) {
    it(`${name}: a copy loaded from the state dict continues identically`, () => {
      manualSeed(3);
      const a = [randn([3, 2], { requiresGrad: true }), randn([2], { requiresGrad: true }), randn([4], { requiresGrad: true })];
      const optA = make(a);
      for (let k = 0; k < 3; k++) {
        setGrads(a, k);
        optA.step();
      }
      const sd = optA.stateDict();
      // Fresh parameters with the same values, and a fresh optimizer with other options.
      const b = a.map((p) => p.detach().clone().requiresGrad_());
      const optB = make(b);
      optB.paramGroups.forEach((g) => (g.lr = 123));
      optB.loadStateDict(sd);
      expect(optB.paramGroups.map((g) => g.lr)).toEqual(optA.paramGroups.map((g) => g.lr));
      for (let k = 3; k < 6; k++) {
        setGrads(a, k);
        setGrads(b, k);
        optA.step();
        optB.step();
      }
      a.forEach((p, i) => expect(vals(b[i]!), `param ${i}`).toEqual(vals(p)));
    });
  }

  it('uses PyTorch layout: state by parameter index, groups listing indices and their options', () => {
    const p = [zeros([2], { requiresGrad: true }), zeros([3], { requiresGrad: true }), zeros([1], { requiresGrad: true })];
    const opt = new optim.Adam([{ params: [p[0]!, p[1]!] }, { params: [p[2]!], lr: 0.5 }], { lr: 0.1 });
    p[1]!.grad = tensor([1, 2, 3], { dtype: 'float32' });
    p[2]!.grad = tensor([1], { dtype: 'float32' });
    opt.step();
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['1', '2']);
    expect(sd.state[1]!.step).toBe(1);
    expect((sd.state[1]!.expAvg as Tensor).shape).toEqual([3]);
    expect(sd.paramGroups).toEqual([
      { params: [0, 1], lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
      { params: [2], lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
    ]);
    // The dict's group options are copies: editing them leaves the optimizer alone.
    (sd.paramGroups[0]!.betas as number[])[0] = 0;
    expect(opt.paramGroups[0]!.betas[0]).toBe(0.9);
  });

  it('copies tensors on load and casts floating state to the parameter dtype', () => {
    const w = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
    w.grad = tensor([1, 1], { dtype: 'float32' });
    opt.step();
    const sd = opt.stateDict();
    const w64 = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const opt64 = new optim.SGD([w64], { lr: 0.1, momentum: 0.9 });
    opt64.loadStateDict(sd);
    const buf = opt64.state.get(w64)!.momentumBuffer;
    expect(buf.dtype).toBe('float64');
    expect(vals(buf)).toEqual([1, 1]);
    const again = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
    again.loadStateDict(sd);
    expect(again.state.get(w)!.momentumBuffer).not.toBe(opt.state.get(w)!.momentumBuffer);
    noGrad(() => opt.state.get(w)!.momentumBuffer.fill_(7));
    expect(vals(again.state.get(w)!.momentumBuffer)).toEqual([1, 1]);
  });

  it('rejects dicts that do not fit the optimizer', () => {
    const p = [zeros([2], { requiresGrad: true }), zeros([3], { requiresGrad: true })];
    const opt = new optim.Adam(p);
    p.forEach((t) => (t.grad = zeros([...t.shape])));
    opt.step();
    const sd = opt.stateDict();
    const two = new optim.Adam([{ params: [p[0]!] }, { params: [p[1]!] }]);
    expect(() => two.loadStateDict(sd)).toThrow('Adam.loadStateDict: the state dict has 1 parameter group(s) but the optimizer has 2');
    const one = new optim.Adam([p[0]!]);
    expect(() => one.loadStateDict(sd)).toThrow(
      "Adam.loadStateDict: parameter group 0 of the state dict has 2 parameter(s) but the optimizer's has 1",
    );
    const swapped = new optim.Adam([p[1]!, p[0]!]);
    expect(() => swapped.loadStateDict(sd)).toThrow(
      "Adam.loadStateDict: state 'expAvg' of parameter 0 has shape [2] but the parameter has shape [3]",
    );
    expect(() => opt.loadStateDict({ state: { 5: {} }, paramGroups: sd.paramGroups })).toThrow(
      'Adam.loadStateDict: the state dict has state for parameter 5, which no group lists',
    );
    expect(() => opt.loadStateDict({} as optim.OptimizerStateDict)).toThrow(
      'Adam.loadStateDict: expected { state, paramGroups } as returned by stateDict()',
    );
  });

  it('LBFGS: its flat history round-trips too', () => {
    const make = (x: Tensor): optim.LBFGS => new optim.LBFGS([x], { maxIter: 3, lineSearchFn: 'strongWolfe' });
    const closureFor = (x: Tensor, opt: optim.LBFGS) => (): Tensor => {
      opt.zeroGrad();
      const loss = x.sub(tensor([1, 2, 3], { dtype: 'float64' })).pow(4).sum().add(x.square().sum());
      loss.backward();
      return loss;
    };
    const x = tensor([3, -1, 0.5], { dtype: 'float64', requiresGrad: true });
    const a = make(x);
    a.step(closureFor(x, a));
    const y = x.detach().clone().requiresGrad_();
    const b = make(y);
    b.loadStateDict(a.stateDict());
    a.step(closureFor(x, a));
    b.step(closureFor(y, b));
    expect(vals(y)).toEqual(vals(x));
  });
});

describe('Adagrad', () => {
  it('holds its accumulators from construction, as PyTorch does', () => {
    const w = zeros([2], { requiresGrad: true });
    const opt = new optim.Adagrad([w], { initialAccumulatorValue: 0.25 });
    const st = opt.stateDict().state[0]!;
    expect(st.step).toBe(0);
    expect(st.sum).toBeInstanceOf(Tensor);
    expect(vals(st.sum as Tensor)).toEqual([0.25, 0.25]);
  });
});
