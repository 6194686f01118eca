import { grad } from '@cinder/autograd';
import { manualSeed, randn, tensor, type Tensor } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import { DeepRNN, GRU, LSTM, Linear, VanillaRNN, dynamicUnroll, initializers, staticUnroll, type RNNCore, type RNNState } from '../src/index.js';

const f64 = { dtype: 'float64' as const };
const sig = (x: Tensor) => x.neg().exp().add(1).reciprocal();
function close(a: Tensor, b: Tensor, tol = 1e-12): void {
  expect(a.shape).toEqual(b.shape);
  expect(a.sub(b).abs().max().item() as number).toBeLessThan(tol);
}
const rnd = () => new initializers.RandomNormal({ stddev: 0.5 });

describe('cores, one step against the formulas', () => {
  it('VanillaRNN', () => {
    manualSeed(0);
    const rnn = new VanillaRNN(3, { bInit: rnd() });
    const x = randn([2, 4], f64);
    const h = randn([2, 3], f64);
    const [out, state] = rnn.call(x, h);
    const want = x.matmul(rnn.inputToHidden.w).add(rnn.inputToHidden.b!).add(h.matmul(rnn.hiddenToHidden.w)).tanh();
    close(out, want);
    expect(state).toBe(out);
  });

  it('LSTM', () => {
    manualSeed(1);
    const lstm = new LSTM(3, { bInit: rnd(), forgetBias: 0.5 });
    const x = randn([2, 4], f64);
    const prev = { hidden: randn([2, 3], f64), cell: randn([2, 3], f64) };
    const [out, next] = lstm.call(x, prev);
    const gates = x.matmul(lstm.wI).add(prev.hidden.matmul(lstm.wH)).add(lstm.b);
    const g = (k: number) => gates.narrow(1, 3 * k, 3);
    const cell = sig(g(1).add(0.5)).mul(prev.cell).add(sig(g(0)).mul(g(2).tanh()));
    close(next.cell, cell);
    close(out, sig(g(3)).mul(cell.tanh()));
    expect(next.hidden).toBe(out);
  });

  it('GRU', () => {
    manualSeed(2);
    const gru = new GRU(3, { bInit: rnd() });
    const x = randn([2, 4], f64);
    const h = randn([2, 3], f64);
    const [out] = gru.call(x, h);
    const part = (t: Tensor, k: number) => t.narrow(t.ndim - 1, 3 * k, 3);
    const z = sig(part(x.matmul(gru.wI), 0).add(h.matmul(part(gru.wH, 0))).add(part(gru.b, 0)));
    const r = sig(part(x.matmul(gru.wI), 1).add(h.matmul(part(gru.wH, 1))).add(part(gru.b, 1)));
    const a = part(x.matmul(gru.wI), 2).add(r.mul(h).matmul(part(gru.wH, 2))).add(part(gru.b, 2)).tanh();
    close(out, z.neg().add(1).mul(h).add(z.mul(a)));
  });

  it('checks inputs and states', () => {
    const lstm = new LSTM(3);
    expect(() => lstm.call(randn([2, 4]), { hidden: randn([2, 3]), cell: randn([3, 3]) })).toThrow("LSTM 'lstm': expected the cell state to be [2, 3], got [3, 3] (float32)");
    expect(lstm.isCreated).toBe(true); // the weights were made from the input before the state was checked
    expect(() => lstm.call(randn([2, 5]), lstm.initialState(2))).toThrow("LSTM 'lstm': input [2, 5] (float32) has 5 features but the core was created for 4");
    expect(() => new GRU(2).initialState(0)).toThrow('GRU.initialState: batchSize must be a positive integer, got 0');
  });
});

describe('unrolling', () => {
  const cores: [string, () => RNNCore<any>][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['VanillaRNN', () => new VanillaRNN(5)],
    ['LSTM', () => new LSTM(5)],
    ['GRU', () => new GRU(5)],
    ['DeepRNN', () => new DeepRNN([new LSTM(6), (x: Tensor) => x.relu(), new GRU(5), new Linear(5)])],
  ];
  for (const [name, make] of cores) {
    it(`${name}: static and dynamic unrolls equal a loop of steps, with and without sequence lengths`, () => {
      manualSeed(3);
      const core = make();
      const xs = randn([7, 3, 4], f64);
      const init = core.initialState(3, f64);
      // The step loop by hand.
      let state: RNNState = init;
      const outs: Tensor[] = [];
      for (let t = 0; t < 7; t++) {
        const [o, s] = core.call(xs.select(0, t), state);
        outs.push(o);
        state = s;
      }
      const [sOut, sState] = staticUnroll(core, xs, init);
      const [dOut, dState] = dynamicUnroll(core, xs, init);
      outs.forEach((o, t) => {
        close(sOut.select(0, t), o);
        close(dOut.select(0, t), o, 1e-10); // LSTM and VanillaRNN: the fused sequence op
      });
      expect(JSON.stringify(flatState(sState))).toBe(JSON.stringify(flatState(state)));
      closeState(dState, state, 1e-10);
      const [lOut] = staticUnroll(core, xs.unbind(0), init);
      close(lOut, sOut);

      // With lengths: outputs past the length are zero, the final state is the state at the length.
      const lengths = tensor([7, 3, 1], { dtype: 'int64' });
      const [mOut, mState] = staticUnroll(core, xs, init, { sequenceLength: lengths });
      const [nOut, nState] = dynamicUnroll(core, xs, init, { sequenceLength: lengths });
      close(mOut, nOut);
      expect(JSON.stringify(flatState(mState))).toBe(JSON.stringify(flatState(nState)));
      const [short, shortState] = staticUnroll(core, xs.narrow(0, 0, 3).narrow(1, 1, 1), sliceState(init, 1));
      close(mOut.narrow(0, 0, 3).narrow(1, 1, 1), short);
      expect(mOut.narrow(0, 3, 4).select(1, 1).abs().max().item()).toBe(0);
      closeState(sliceState(mState, 1), shortState);
      close(mOut.select(1, 0), sOut.select(1, 0));
    });
  }

  it('the fused sequence path and the steps give the same gradients', () => {
    manualSeed(5);
    for (const core of [new LSTM(4, { bInit: rnd() }), new VanillaRNN(4, { bInit: rnd() }), new VanillaRNN(4, { activation: (x) => x.relu() })] as RNNCore<any>[]) { // eslint-disable-line @typescript-eslint/no-explicit-any
      const xs = randn([5, 2, 3], f64);
      const init = core.initialState(2, f64);
      const [fused] = dynamicUnroll(core, xs, init);
      const [stepped] = staticUnroll(core, xs, init);
      close(fused, stepped, 1e-10);
      const w = randn([...fused.shape], f64);
      const gf = grad(fused.mul(w).sum(), core.trainableVariables);
      const gs = grad(stepped.mul(w).sum(), core.trainableVariables);
      gf.forEach((g, i) => close(g!, gs[i]!, 1e-10));
    }
  });

  it('gradients flow through an unroll', () => {
    manualSeed(4);
    const lstm = new LSTM(4);
    const xs = randn([5, 2, 3]);
    lstm.call(xs.select(0, 0), lstm.initialState(2));
    const [outs] = dynamicUnroll(lstm, xs, lstm.initialState(2));
    const grads = grad(outs.sum(), lstm.trainableVariables);
    expect(grads.every((g) => g !== null && (g.abs().sum().item() as number) > 0)).toBe(true);
  });

  it('rejects bad sequences', () => {
    const gru = new GRU(2);
    expect(() => dynamicUnroll(gru, randn([0, 2, 3]), gru.initialState(2))).toThrow('dynamicUnroll: the input sequence is empty (T = 0)');
    expect(() => staticUnroll(gru, randn([3, 2, 3]), gru.initialState(2), { sequenceLength: tensor([1, 2, 3]) })).toThrow(
      'staticUnroll: sequenceLength must be a [2] tensor, got [3] (float32)',
    );
    const deep = new DeepRNN([new GRU(2), new GRU(2)]);
    expect(() => deep.call(randn([1, 2]), [gru.initialState(1)])).toThrow("DeepRNN 'deep_rnn': expected a state of 2 entries (one per core), got 1");
  });
});

function closeState(a: RNNState, b: RNNState, tol = 1e-12): void {
  if ((a as Tensor).toArray !== undefined) return close(a as Tensor, b as Tensor, tol);
  if (Array.isArray(a)) return a.forEach((x, i) => closeState(x, (b as RNNState[])[i]!, tol));
  for (const [k, v] of Object.entries(a)) closeState(v as RNNState, (b as Record<string, RNNState>)[k]!, tol);
}

function flatState(s: RNNState): unknown {
  if ((s as Tensor).toArray !== undefined) return (s as Tensor).toArray();
  if (Array.isArray(s)) return s.map(flatState);
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, flatState(v as RNNState)]));
}

function sliceState(s: RNNState, b: number): RNNState {
  if ((s as Tensor).toArray !== undefined) return (s as Tensor).narrow(0, b, 1);
  if (Array.isArray(s)) return s.map((x) => sliceState(x, b));
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, sliceState(v as RNNState, b)]));
}
