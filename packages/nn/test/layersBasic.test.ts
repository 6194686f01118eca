import { describe, expect, it } from 'vitest';
import { manualSeed, randn } from '@cinder/tensor';
import { nn } from '../src/index.js';

describe('basic layers', () => {
  it('Linear: default init bounds, forward is x W^T + b, repr as PyTorch prints it', () => {
    manualSeed(0);
    const fc = new nn.Linear(64, 8);
    const bound = 1 / Math.sqrt(64);
    expect(fc.weight.abs().max().item()).toBeLessThanOrEqual(bound);
    expect(fc.weight.abs().max().item()).toBeGreaterThan(bound * 0.8);
    expect(fc.bias!.abs().max().item()).toBeLessThanOrEqual(bound);
    const x = randn([5, 64]);
    const want = x.matmul(fc.weight.t()).add(fc.bias!);
    expect(fc.forward(x).sub(want).abs().max().item()).toBeLessThan(1e-5);
    expect(String(fc)).toBe('Linear(in_features=64, out_features=8, bias=True)');
    expect(String(new nn.Linear(3, 2, { bias: false }))).toBe('Linear(in_features=3, out_features=2, bias=False)');
    expect([...fc.namedParameters()].map(([n]) => n)).toEqual(['weight', 'bias']);
  });
  it('Linear rejects bad sizes and mismatched inputs with the op named', () => {
    expect(() => new nn.Linear(-1, 3)).toThrow(/Linear: inFeatures/);
    expect(() => new nn.Linear(4, 3).forward(randn([2, 5]))).toThrow(/linear.*in_features/);
  });
  it('Dropout: identity in eval, scaled mask in training; LayerNorm repr', () => {
    const d = new nn.Dropout(0.25);
    const x = randn([1000]).abs().add(1);
    const y = d.forward(x);
    const kept = y.ne(0);
    expect(y.sub(x.mul(1 / 0.75).mul(kept.to("float32"))).abs().max().item()).toBeLessThan(1e-6);
    const frac = kept.to("float32").mean().item();
    expect(frac).toBeGreaterThan(0.7);
    expect(frac).toBeLessThan(0.8);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(String(d)).toBe('Dropout(p=0.25, inplace=False)');
    expect(String(new nn.LayerNorm(16))).toBe('LayerNorm((16,), eps=1e-05, elementwise_affine=True)');
    expect(() => new nn.Dropout(1.5)).toThrow(/Dropout: dropout probability/);
  });
});

describe('PyTorch state-dict keys', () => {
  it('convert segment by segment and round-trip', () => {
    const pairs: [string, string][] = [
      ['layers.0.self_attn.in_proj_weight', 'layers.0.selfAttn.inProjWeight'],
      ['bn.running_mean', 'bn.runningMean'],
      ['lstm.weight_ih_l0_reverse', 'lstm.weightIhL0Reverse'],
      ['fc.weight', 'fc.weight'],
    ];
    for (const [t, c] of pairs) {
      expect(nn.torchKeyToCinder(t)).toBe(c);
      expect(nn.cinderKeyToTorch(c)).toBe(t);
    }
    const fc = new nn.Linear(3, 2);
    const sd = nn.toTorchKeys(fc.stateDict());
    expect(Object.keys(sd)).toEqual(['weight', 'bias']);
    fc.loadStateDict(nn.fromTorchKeys(sd));
  });
});
