/**
 * Recurrent layers beyond the golden values: default initialisation, parameter names and order,
 * dropout between layers (training only), float32 against float64, gradcheck of small float64
 * cells and layers, higher-order gradients, and the errors bad arguments get.
 */
import { describe, expect, it } from 'vitest';
import { manualSeed, randn, zeros, type Tensor } from '@cinder/tensor';
import { grad, gradcheck } from '@cinder/autograd';
import { F, nn } from '../src/index.js';

const maxAbsDiff = (a: Tensor, b: Tensor): number => Number(a.sub(b).abs().max().item());
const num = (t: Tensor): number => Number(t.item());

describe('recurrent layers: construction', () => {
  it('parameters follow PyTorch names, order and shapes; init is U(-1/sqrt(H), 1/sqrt(H))', () => {
    manualSeed(0);
    const lstm = new nn.LSTM(10, 64, { numLayers: 2, bidirectional: true });
    const names = [...lstm.namedParameters()].map(([n, p]) => `${n} ${p.shape.join('x')}`);
    const perDir = (l: number, s: string, inF: number): string[] =>
      [`weightIhL${l}${s} 256x${inF}`, `weightHhL${l}${s} 256x64`, `biasIhL${l}${s} 256`, `biasHhL${l}${s} 256`];
    expect(names).toEqual([...perDir(0, '', 10), ...perDir(0, 'Reverse', 10), ...perDir(1, '', 128), ...perDir(1, 'Reverse', 128)]);
    const bound = 1 / Math.sqrt(64);
    for (const p of lstm.parameters()) {
      const m = num(p.abs().max());
      expect(m).toBeLessThanOrEqual(bound);
      expect(m).toBeGreaterThan(bound * 0.9);
      expect(Math.abs(num(p.mean()))).toBeLessThan(bound / 4);
    }
    const cell = new nn.GRUCell(5, 16, { bias: false });
    expect([...cell.namedParameters()].map(([n]) => n)).toEqual(['weightIh', 'weightHh']);
    expect(num(cell.weightIh.abs().max())).toBeLessThanOrEqual(0.25);
    const proj = new nn.LSTM(4, 8, { projSize: 3 });
    expect([...proj.namedParameters()].map(([n, p]) => `${n} ${p.shape.join('x')}`)).toEqual([
      'weightIhL0 32x4', 'weightHhL0 32x3', 'biasIhL0 32', 'biasHhL0 32', 'weightHrL0 3x8',
    ]);
    expect(String(new nn.LSTM(32, 128, { numLayers: 2, batchFirst: true, bidirectional: true }))).toBe(
      'LSTM(32, 128, num_layers=2, batch_first=True, bidirectional=True)',
    );
  });

  it('rejects bad constructor arguments, naming the layer', () => {
    expect(() => new nn.LSTM(0, 4)).toThrow(/LSTM: inputSize must be a positive integer/);
    expect(() => new nn.GRU(3, 4, { dropout: 1.5 })).toThrow(/GRU: dropout should be a number in range \[0, 1\]/);
    expect(() => new nn.GRU(3, 4, { projSize: 2 } as never)).toThrow(/GRU: projSize is supported only for LSTM/);
    expect(() => new nn.LSTM(3, 4, { projSize: 4 })).toThrow(/LSTM: projSize \(4\) has to be smaller than hiddenSize \(4\)/);
    expect(() => new nn.RNN(3, 4, { nonlinearity: 'sigmoid' as never })).toThrow(/RNN: unknown nonlinearity 'sigmoid'/);
    expect(() => new nn.RNNCell(3, 4, { nonlinearity: 'gelu' as never })).toThrow(/RNNCell: unknown nonlinearity/);
  });
});

describe('recurrent layers: forward', () => {
  it('bad inputs and states get errors naming the layer, shapes and dtypes', () => {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2 });
    expect(() => lstm.forward(randn([2, 3, 5]))).toThrow(/LSTM: input.size\(-1\) must be equal to inputSize. Expected 3, got 5 \(input \[2, 3, 5\] \(float32\)\)/);
    expect(() => lstm.forward(randn([2, 3, 3, 1]))).toThrow(/LSTM: expected a 2-d \(unbatched\) or 3-d \(batched\) input, got 4-d input/);
    expect(() => lstm.forward(randn([2, 3, 3], { dtype: 'float64' }))).toThrow(/LSTM: input \[2, 3, 3\] \(float64\) and parameters \(float32\) have different dtypes/);
    expect(() => lstm.forward(randn([2, 3, 3]), [zeros([2, 2, 4]), zeros([2, 3, 4])])).toThrow(/LSTM: expected hx\[0\] of shape \[2, 3, 4\], got \[2, 2, 4\] \(float32\)/);
    expect(() => lstm.forward(randn([2, 3]), [zeros([2, 1, 4]), zeros([2, 1, 4])])).toThrow(/LSTM: for unbatched 2-d input, hx\[0\] should also be 2-d but got 3-d tensor/);
    expect(() => lstm.forward(randn([2, 3, 3]), zeros([2, 3, 4]) as never)).toThrow(/LSTM: expected hx as a pair \[h0, c0\]/);
    const gru = new nn.GRU(3, 4);
    expect(() => gru.forward(randn([2, 3, 3]), zeros([3, 4]))).toThrow(/GRU: for batched 3-d input, hx should also be 3-d but got 2-d tensor/);
    expect(() => gru.forward(randn([0, 3, 3]))).toThrow(/gru: expected a sequence of at least one step/);
    const cell = new nn.GRUCell(3, 4);
    expect(() => cell.forward(randn([2, 5]))).toThrow(/GRUCell: input has inconsistent input size: got 5, expected 3/);
    expect(() => cell.forward(randn([2, 3]), zeros([3, 4]))).toThrow(/GRUCell: expected hx of shape \[2, 4\] for input \[2, 3\] \(float32\), got \[3, 4\] \(float32\)/);
    expect(() => cell.forward(randn([1, 2, 3]))).toThrow(/GRUCell: expected input to be 1-d or 2-d but received 3-d tensor/);
  });

  it('dropout acts between layers, in training only', () => {
    manualSeed(1);
    const x = randn([5, 4, 6]);
    const two = new nn.LSTM(6, 8, { numLayers: 2, dropout: 0.5 });
    const ref = new nn.LSTM(6, 8, { numLayers: 2 });
    ref.loadStateDict(two.stateDict());
    const [a] = two.forward(x);
    const [b] = two.forward(x);
    const [r] = ref.forward(x);
    expect(maxAbsDiff(a, b)).toBeGreaterThan(1e-3); // a fresh mask per call
    expect(maxAbsDiff(a, r)).toBeGreaterThan(1e-3);
    two.eval();
    expect(maxAbsDiff(two.forward(x)[0], r)).toBe(0);
    // One layer: nothing lies between layers, so training changes nothing.
    const one = new nn.GRU(6, 8, { dropout: 0.5 });
    const [t1] = one.forward(x);
    one.eval();
    expect(maxAbsDiff(one.forward(x)[0], t1)).toBe(0);
  });

  it('float32 agrees with float64 (the vectorised activations), every layer and mode', () => {
    manualSeed(2);
    const makers = [
      () => new nn.LSTM(7, 33, { numLayers: 2, bidirectional: true }),
      () => new nn.GRU(7, 33, { batchFirst: true, bidirectional: true }),
      () => new nn.RNN(7, 33, { nonlinearity: 'relu', numLayers: 2 }),
      () => new nn.RNN(7, 33),
    ];
    for (const make of makers) {
      const m32 = make();
      const m64 = make().to('float64');
      m64.loadStateDict(Object.fromEntries(Object.entries(m32.stateDict()).map(([k, v]) => [k, v.to('float64')])));
      const x = randn([6, 5, 7]);
      const [y32] = (m32 as nn.GRU).forward(x);
      const [y64] = (m64 as nn.GRU).forward(x.to('float64'));
      expect(maxAbsDiff(y32.to('float64'), y64)).toBeLessThan(2e-5);
      y32.square().sum().backward();
      y64.square().sum().backward();
      const g32 = [...m32.parameters()].map((p) => p.grad!.to('float64'));
      [...m64.parameters()].forEach((p, i) => expect(maxAbsDiff(g32[i]!, p.grad!)).toBeLessThan(1e-4 * (1 + num(p.grad!.abs().max()))));
    }
  });
});

describe('recurrent layers: gradients', () => {
  it('gradcheck: small float64 cells and layers, every input, state and weight', () => {
    manualSeed(3);
    const o = { dtype: 'float64' as const };
    const r = (...shape: number[]): Tensor => randn(shape, o).mul(0.7);
    const sumAll = (ts: Tensor[]): Tensor => ts.map((t, k) => t.mul(k + 1).sum()).reduce((a, b) => a.add(b));
    const check = (fn: (...ts: Tensor[]) => Tensor, ins: Tensor[]): void => {
      expect(gradcheck(fn, ins.map((t) => t.requiresGrad_(true)), { atol: 1e-6, rtol: 1e-4 })).toBe(true);
    };
    check((x, h, c, wi, wh, bi, bh) => sumAll(F.lstmCell(x!, [h!, c!], wi!, wh!, { biasIh: bi, biasHh: bh })), [r(2, 3), r(2, 2), r(2, 2), r(8, 3), r(8, 2), r(8), r(8)]);
    check((x, h, wi, wh, bi, bh) => F.gruCell(x!, h!, wi!, wh!, { biasIh: bi, biasHh: bh }).sum(), [r(2, 3), r(2, 2), r(6, 3), r(6, 2), r(6), r(6)]);
    check((x, h, wi, wh) => F.rnnReluCell(x!, h!, wi!, wh!).sum(), [r(2, 3).abs(), r(2, 2).abs(), r(2, 3).abs(), r(2, 2).abs()]);
    // Two bidirectional layers: 2 x 2 x [wIh, wHh, bIh, bHh].
    const shapes = [[8, 2], [8, 2], [8], [8], [8, 2], [8, 2], [8], [8], [8, 4], [8, 2], [8], [8], [8, 4], [8, 2], [8], [8]];
    check((x, h, c, ...ws) => {
      const [out, [hN, cN]] = F.lstm(x!, [h!, c!], ws, { numLayers: 2, bidirectional: true });
      return sumAll([out, hN, cN]);
    }, [r(3, 2, 2), r(4, 2, 2), r(4, 2, 2), ...shapes.map((s) => r(...s))]);
    check((x, ...ws) => sumAll(F.gru(x!, null, ws, { batchFirst: true })), [r(2, 3, 2), r(6, 2), r(6, 2), r(6), r(6)]);
    // A projected LSTM (the step-by-step path): [wIh, wHh, bIh, bHh, wHr].
    check((x, ...ws) => {
      const [out, [hN, cN]] = F.lstm(x!, null, ws, {});
      return sumAll([out, hN, cN]);
    }, [r(3, 2, 2), r(12, 2), r(12, 2), r(12), r(12), r(2, 3)]);
  });

  it('higher-order gradients through the fused layer are exact', () => {
    manualSeed(4);
    const opts = { dtype: 'float64' as const };
    const gru = new nn.GRU(2, 3, opts);
    const x = randn([4, 2, 2], { ...opts, requiresGrad: true });
    const [y] = gru.forward(x);
    const [gx] = grad(y.square().sum(), x, { createGraph: true });
    const [ggx] = grad(gx!.square().sum(), x);
    // The same second derivative by central differences of the first.
    const eps = 1e-6;
    const first = (xv: Tensor): Tensor => {
      const xx = xv.detach().requiresGrad_(true);
      const [yy] = gru.forward(xx);
      return grad(yy.square().sum(), xx)[0]!;
    };
    const dir = randn([4, 2, 2], opts);
    const numeric = num(first(x.add(dir.mul(eps))).square().sum().sub(first(x.sub(dir.mul(eps))).square().sum())) / (2 * eps);
    expect(Math.abs(num(ggx!.mul(dir).sum()) - numeric)).toBeLessThan(1e-5 * (1 + Math.abs(numeric)));
  });
});
