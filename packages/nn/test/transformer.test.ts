/**
 * MultiheadAttention and the Transformer layers beyond the golden values: PyTorch's default
 * initialisation, parameter names and order, the two attention paths agreeing, train/eval
 * behaviour, gradcheck in float64, bad arguments, and nn.deepCopy.
 */
import { describe, expect, it } from 'vitest';
import { manualSeed, ones, randn, tensor, zeros, type Tensor } from '@cinder/tensor';
import { gradcheck } from '@cinder/autograd';
import { nn } from '../src/index.js';

const maxAbs = (t: Tensor): number => t.abs().max().item() as number;
const std = (t: Tensor): number => Math.sqrt(t.sub(t.mean()).pow(2).mean().item() as number);
const diff = (a: Tensor, b: Tensor): number => maxAbs(a.sub(b));

describe('MultiheadAttention', () => {
  it("initialises as PyTorch does and names its parameters PyTorch's way", () => {
    manualSeed(1);
    const E = 64;
    const m = new nn.MultiheadAttention(E, 8);
    const bound = Math.sqrt(6 / (E + 3 * E));
    expect(m.inProjWeight!.shape).toEqual([3 * E, E]);
    expect(maxAbs(m.inProjWeight!)).toBeLessThanOrEqual(bound);
    expect(maxAbs(m.inProjWeight!)).toBeGreaterThan(0.95 * bound);
    expect(maxAbs(m.inProjBias!)).toBe(0);
    expect(maxAbs(m.outProj.bias!)).toBe(0);
    expect(maxAbs(m.outProj.weight)).toBeLessThanOrEqual(1 / Math.sqrt(E));
    expect(m.headDim).toBe(8);
    expect(Object.keys(nn.toTorchKeys(m.stateDict()))).toEqual(['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);

    const s = new nn.MultiheadAttention(256, 4, { kdim: 32, vdim: 48, addBiasKv: true, bias: false });
    expect(Object.keys(nn.toTorchKeys(s.stateDict()))).toEqual(['q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'bias_k', 'bias_v', 'out_proj.weight']);
    expect(s.inProjWeight).toBeNull();
    expect(s.kProjWeight!.shape).toEqual([256, 32]);
    expect(maxAbs(s.kProjWeight!)).toBeLessThanOrEqual(Math.sqrt(6 / (32 + 256)));
    expect(maxAbs(s.vProjWeight!)).toBeGreaterThan(0.9 * Math.sqrt(6 / (48 + 256)));
    // xavier_normal_ on [1, 1, E]: fan_in = fan_out = E, std = 1 / sqrt(E).
    expect(std(s.biasK!)).toBeGreaterThan(0.75 / 16);
    expect(std(s.biasK!)).toBeLessThan(1.25 / 16);
    expect(s.outProj.bias).toBeNull();
  });

  it('the weights path and the scaledDotProductAttention path agree, with masks, addBiasKv and addZeroAttn', () => {
    manualSeed(2);
    const m = new nn.MultiheadAttention(12, 3, { addBiasKv: true, addZeroAttn: true, dtype: 'float64' });
    const q = randn([5, 2, 12], { dtype: 'float64' });
    const kv = randn([7, 2, 12], { dtype: 'float64' });
    const attnMask = randn([5, 7], { dtype: 'float64' });
    const keyPaddingMask = tensor([[false, true, false, false, false, false, true], [false, false, false, false, false, false, false]]);
    const [a, w] = m.forward(q, kv, kv, { attnMask, keyPaddingMask });
    const [b, none] = m.forward(q, kv, kv, { attnMask, keyPaddingMask, needWeights: false });
    expect(none).toBeNull();
    expect(diff(a, b)).toBeLessThan(1e-12);
    // Averaged weights: [N, L, S + 2]; rows sum to 1; padded keys get no weight.
    expect(w!.shape).toEqual([2, 5, 9]);
    expect(diff(w!.sum(-1), ones([2, 5], { dtype: 'float64' }))).toBeLessThan(1e-12);
    expect(maxAbs(w!.select(0, 0).select(1, 1))).toBe(0);
    // The same tensor as query, key and value (one packed projection) equals separate copies.
    const [p1] = m.forward(q, q, q);
    const [p2] = m.forward(q, q.clone(), q.clone());
    expect(diff(p1, p2)).toBeLessThan(1e-12);
  });

  it('isCausal: the causal mask without attnMask, a hint with one', () => {
    manualSeed(3);
    const m = new nn.MultiheadAttention(8, 2, { batchFirst: true, dtype: 'float64' });
    const x = randn([2, 4, 8], { dtype: 'float64' });
    const causal = nn.Transformer.generateSquareSubsequentMask(4, { dtype: 'float64' });
    const [want, wWant] = m.forward(x, x, x, { attnMask: causal });
    const [got, wGot] = m.forward(x, x, x, { isCausal: true });
    expect(diff(got, want)).toBeLessThan(1e-12);
    expect(diff(wGot!, wWant!)).toBeLessThan(1e-12);
    const [hinted] = m.forward(x, x, x, { attnMask: causal, isCausal: true, needWeights: false });
    expect(diff(hinted, want)).toBeLessThan(1e-12);
    // Future positions get no weight.
    expect(maxAbs(wGot!.triu(1))).toBe(0);
  });

  it('dropout acts on the attention weights in training only', () => {
    manualSeed(4);
    const m = new nn.MultiheadAttention(16, 2, { dropout: 0.5 });
    const x = randn([6, 3, 16]);
    const [, w] = m.forward(x, x, x, { averageAttnWeights: false });
    const rowSums = w!.sum(-1);
    expect(diff(rowSums, ones([...rowSums.shape]))).toBeGreaterThan(0.1);
    m.eval();
    const [y1, w1] = m.forward(x, x, x);
    const [y2] = m.forward(x, x, x);
    expect(diff(y1, y2)).toBe(0);
    expect(diff(w1!.sum(-1), ones([3, 6]))).toBeLessThan(1e-5);
  });

  it('passes gradcheck in float64 (query, key, value; masks; unbatched; separate kdim/vdim)', () => {
    manualSeed(5);
    const m = new nn.MultiheadAttention(4, 2, { addBiasKv: true, dtype: 'float64' });
    const q = randn([3, 2, 4], { dtype: 'float64', requiresGrad: true });
    const k = randn([2, 2, 4], { dtype: 'float64', requiresGrad: true });
    const v = randn([2, 2, 4], { dtype: 'float64', requiresGrad: true });
    const attnMask = tensor([[false, true], [false, false], [true, false]]);
    const keyPaddingMask = tensor([[0, -0.5], [0.25, 0]], { dtype: 'float64' });
    expect(gradcheck((a, b, c) => {
      const [y, w] = m.forward(a!, b!, c!, { attnMask, keyPaddingMask });
      return y.sum().add(w!.mul(w!).sum());
    }, [q, k, v])).toBe(true);
    const s = new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 5, addZeroAttn: true, batchFirst: true, dtype: 'float64' });
    const qs = randn([3, 4], { dtype: 'float64', requiresGrad: true });
    const ks = randn([2, 3], { dtype: 'float64', requiresGrad: true });
    const vs = randn([2, 5], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((a, b, c) => s.forward(a!, b!, c!, { averageAttnWeights: false })[1]!.mul(s.forward(a!, b!, c!)[0].sum()), [qs, ks, vs])).toBe(true);
  });

  it('rejects bad arguments, naming the layer, the shapes and the dtypes', () => {
    expect(() => new nn.MultiheadAttention(10, 3)).toThrow(/MultiheadAttention: embedDim must be divisible by numHeads \(embedDim 10, numHeads 3\)/);
    expect(() => new nn.MultiheadAttention(0, 1)).toThrow(/MultiheadAttention: embedDim must be a positive integer/);
    expect(() => new nn.MultiheadAttention(8, 2, { dropout: 2 })).toThrow(/MultiheadAttention: dropout probability/);
    const m = new nn.MultiheadAttention(8, 2);
    const x = randn([3, 2, 8]);
    expect(() => m.forward(randn([3, 2, 6]), x, x)).toThrow(/MultiheadAttention: expected query \[L, N, E\] with E = embedDim = 8, got \[3, 2, 6\] \(float32\)/);
    expect(() => m.forward(x, randn([4, 8]), randn([4, 8]))).toThrow(/for a 3-d query \[3, 2, 8\] \(float32\), key and value must be 3-d/);
    expect(() => m.forward(x, randn([4, 2, 8]), randn([5, 2, 8]))).toThrow(/key \[4, 2, 8\] \(float32\) and value \[5, 2, 8\] \(float32\) must have the same sequence length/);
    expect(() => m.forward(x, randn([4, 3, 8]), randn([4, 3, 8]))).toThrow(/different batch sizes/);
    expect(() => m.forward(x, x, x, { attnMask: zeros([3, 4]) })).toThrow(/the 2-d attnMask is \[3, 4\] \(float32\), but should be \[3, 3\]/);
    expect(() => m.forward(x, x, x, { attnMask: zeros([2, 3, 3]) })).toThrow(/the 3-d attnMask is \[2, 3, 3\] \(float32\), but should be \[4, 3, 3\]/);
    expect(() => m.forward(x, x, x, { attnMask: zeros([1, 4, 3, 3]) })).toThrow(/attnMask must be 2-d \[L, S\] or 3-d/);
    expect(() => m.forward(x, x, x, { keyPaddingMask: zeros([3, 2], { dtype: 'bool' }) })).toThrow(/expected keyPaddingMask of shape \[2, 3\] \(\[N, S\]\), got \[3, 2\] \(bool\)/);
    expect(() => m.forward(x, x, x, { keyPaddingMask: zeros([2, 3], { dtype: 'int64' }) })).toThrow(/only bool and floating keyPaddingMask are supported, got \[2, 3\] \(int64\)/);
    expect(() => m.forward(x.double(), x.double(), x.double())).toThrow(/must have the parameters' dtype \(float32\)/);
    expect(() => m.forward(randn([8]), randn([8]), randn([8]))).toThrow(/expected query to be 2-d \(unbatched\) or 3-d \(batched\), got \[8\]/);
    const kd = new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5 });
    expect(() => kd.forward(x, x, x)).toThrow(/expected key and value features of kdim = 3 and vdim = 5, got key \[3, 2, 8\]/);
  });
});

describe('Transformer layers', () => {
  it('encoder layers: train/eval, unbatched equals a batch of one, a module activation is printed', () => {
    manualSeed(6);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const x = randn([5, 3, 8]);
    expect(diff(layer.forward(x), layer.forward(x))).toBeGreaterThan(0);
    layer.eval();
    const y = layer.forward(x);
    expect(diff(y, layer.forward(x))).toBe(0);
    const one = x.select(1, 0);
    expect(diff(layer.forward(one), y.select(1, 0))).toBeLessThan(1e-5);

    class Swish extends nn.Module {
      override forward(t: Tensor): Tensor {
        return t.mul(t.sigmoid());
      }
    }
    const withModule = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, activation: new Swish() });
    expect(String(withModule)).toContain('\n  (activation): Swish()\n)');
    expect(() => new nn.TransformerEncoderLayer(8, 2, { activation: 'tanh' as 'relu' })).toThrow(/TransformerEncoderLayer: activation should be 'relu', 'gelu', a function or a Module, not "tanh"/);
    expect(() => new nn.TransformerEncoderLayer(8, 3)).toThrow(/MultiheadAttention: embedDim must be divisible by numHeads/);
  });

  it('an encoder layer passes gradcheck in float64 (normFirst, masks)', () => {
    manualSeed(7);
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, normFirst: true, activation: 'gelu', dtype: 'float64' });
    const x = randn([3, 2, 4], { dtype: 'float64', requiresGrad: true });
    const srcKeyPaddingMask = tensor([[false, false, true], [false, false, false]]);
    expect(gradcheck((a) => layer.forward(a!, { srcKeyPaddingMask, isCausal: true }).pow(2).sum(), [x])).toBe(true);
  });

  it('TransformerEncoder and TransformerDecoder stack deep copies that start equal and train apart', () => {
    manualSeed(8);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const enc = new nn.TransformerEncoder(layer, 3);
    expect(enc.layers.length).toBe(3);
    const w0 = (enc.layers[0] as nn.TransformerEncoderLayer).linear1.weight;
    const w2 = (enc.layers[2] as nn.TransformerEncoderLayer).linear1.weight;
    expect(w0).not.toBe(layer.linear1.weight);
    expect(diff(w0, layer.linear1.weight)).toBe(0);
    w0.detach().add_(1);
    expect(diff(w2, layer.linear1.weight)).toBe(0);
    expect(enc.parameters().length).toBe(3 * layer.parameters().length);
    expect(Object.keys(nn.toTorchKeys(enc.stateDict()))[0]).toBe('layers.0.self_attn.in_proj_weight');
    expect(() => new nn.TransformerEncoder(new nn.Linear(2, 2) as never, 2)).toThrow(/TransformerEncoder: expected a TransformerEncoderLayer to copy, got Linear/);
    expect(() => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2), 0)).toThrow(/TransformerDecoder: numLayers must be a positive integer/);
  });

  it('Transformer: xavier init of every matrix, the subsequent mask, shape checks', () => {
    manualSeed(9);
    const t = new nn.Transformer({ dModel: 16, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32 });
    for (const [name, p] of t.namedParameters()) {
      if (p.ndim < 2) continue;
      const bound = Math.sqrt(6 / (p.shape[0]! + p.shape[1]!));
      expect(maxAbs(p), name).toBeLessThanOrEqual(bound);
      expect(maxAbs(p), name).toBeGreaterThan(0.8 * bound);
    }
    const mask = nn.Transformer.generateSquareSubsequentMask(3);
    expect(mask.toArray()).toEqual([[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
    const src = randn([5, 2, 16]);
    const tgt = randn([3, 2, 16]);
    t.eval();
    const out = t.forward(src, tgt, { tgtMask: mask });
    expect(out.shape).toEqual([3, 2, 16]);
    // The same as running its encoder and decoder by hand, with the causal flag for the target.
    const mem = (t.encoder as nn.TransformerEncoder).forward(src);
    expect(diff((t.decoder as nn.TransformerDecoder).forward(tgt, mem, { tgtIsCausal: true }), out)).toBeLessThan(1e-6);
    expect(() => t.forward(src, randn([3, 4, 16]))).toThrow(/Transformer: the batch number of src \[5, 2, 16\] \(float32\) and tgt \[3, 4, 16\] \(float32\) must be equal/);
    expect(() => t.forward(src, randn([3, 2, 8]))).toThrow(/must be equal to dModel \(16\)/);
  });
});

describe('nn.deepCopy', () => {
  class Net extends nn.Module {
    fc = new nn.Linear(3, 2);
    tied = this.fc;
    frozen = new nn.Parameter(randn([2]), false);
    sizes = [3, [2, 1]];
    meta = { name: 'net', inner: { depth: 1 } };
    act = (x: Tensor): Tensor => x.relu();
    constructor() {
      super();
      this.registerBuffer('running', zeros([2]));
      this.registerBuffer('scratch', ones([2]), { persistent: false });
    }
    override forward(x: Tensor): Tensor {
      return this.act(this.fc.forward(x));
    }
  }

  it('copies the module tree, parameters and buffers into separate storage', () => {
    manualSeed(10);
    const net = new Net();
    net.eval();
    net.fc.weight.grad = ones([2, 3]);
    net.registerForwardHook(() => undefined);
    const c = nn.deepCopy(net);
    expect(c).toBeInstanceOf(Net);
    expect(c).not.toBe(net);
    expect(c.training).toBe(false);
    expect(c.fc.training).toBe(false);
    expect(Object.keys(c.stateDict())).toEqual(Object.keys(net.stateDict()));
    expect(c.namedBuffers().map(([n]) => n)).toEqual(['running', 'scratch']);
    for (const [k, v] of Object.entries(net.stateDict())) expect(diff(c.stateDict()[k]!, v), k).toBe(0);
    // Tied submodules stay tied; tensors are new; requiresGrad is kept; gradients are not copied.
    expect(c.tied).toBe(c.fc);
    expect(c.fc.weight).not.toBe(net.fc.weight);
    expect(c.fc.weight).toBeInstanceOf(nn.Parameter);
    expect(c.fc.weight.requiresGrad).toBe(true);
    expect(c.frozen.requiresGrad).toBe(false);
    expect(c.fc.weight.grad).toBeNull();
    expect(c.sizes).toEqual([3, [2, 1]]);
    expect(c.sizes).not.toBe(net.sizes);
    expect(c.meta.inner).not.toBe(net.meta.inner);
    expect(c.act).toBe(net.act);
    c.fc.weight.detach().zero_();
    (c.getBuffer('running') as Tensor).add_(1);
    expect(maxAbs(net.fc.weight)).toBeGreaterThan(0);
    expect(maxAbs(net.getBuffer('running'))).toBe(0);
    // The copy works on its own: forward, backward, printing.
    const x = randn([4, 3]);
    c.forward(x).sum().backward();
    expect(c.fc.bias!.grad).not.toBeNull();
    expect(String(c)).toBe(String(net));
    expect(() => nn.deepCopy({} as nn.Module)).toThrow(/deepCopy: expected an nn.Module/);
  });
});
