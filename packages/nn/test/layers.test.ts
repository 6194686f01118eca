/**
 * Behaviour of the layer classes beyond the golden values: PyTorch's default initialisation
 * (bounds and statistics), errors naming the layer, train/eval behaviour, buffers and state-dict
 * keys, Embedding's padding row and fromPretrained, gradcheck on small float64 instances.
 */
import { describe, expect, it } from 'vitest';
import { manualSeed, rand, randn, tensor, type Tensor } from '@cinder/tensor';
import { gradcheck } from '@cinder/autograd';
import { nn } from '../src/index.js';

const maxAbs = (t: Tensor): number => t.abs().max().item() as number;
const stats = (t: Tensor): { mean: number; std: number } => {
  const v = Array.from(t.detach().to('float64').contiguous().data() as Float64Array);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std };
};

describe('default initialisation (PyTorch reset_parameters)', () => {
  it('Conv2d: weight and bias ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = Cin / groups * kH * kW', () => {
    manualSeed(1);
    const conv = new nn.Conv2d(8, 32, [3, 5], { groups: 2 });
    expect([...conv.weight.shape]).toEqual([32, 4, 3, 5]);
    const bound = 1 / Math.sqrt(4 * 15);
    expect(maxAbs(conv.weight)).toBeLessThanOrEqual(bound);
    expect(maxAbs(conv.weight)).toBeGreaterThan(0.95 * bound);
    // U(-b, b) has standard deviation b / sqrt(3).
    const s = stats(conv.weight);
    expect(Math.abs(s.mean)).toBeLessThan(0.1 * bound);
    expect(s.std / (bound / Math.sqrt(3))).toBeGreaterThan(0.93);
    expect(s.std / (bound / Math.sqrt(3))).toBeLessThan(1.07);
    expect(maxAbs(conv.bias!)).toBeLessThanOrEqual(bound);
    expect(maxAbs(conv.bias!)).toBeGreaterThan(0.5 * bound);
  });
  it('ConvTranspose1d: weight [Cin, Cout / groups, k], fanIn from its dim 1', () => {
    manualSeed(2);
    const ct = new nn.ConvTranspose1d(64, 6, 4, { groups: 2 });
    expect([...ct.weight.shape]).toEqual([64, 3, 4]);
    const bound = 1 / Math.sqrt(3 * 4);
    expect(maxAbs(ct.weight)).toBeLessThanOrEqual(bound);
    expect(maxAbs(ct.weight)).toBeGreaterThan(0.9 * bound);
    expect(maxAbs(ct.bias!)).toBeLessThanOrEqual(bound);
  });
  it('Embedding ~ N(0, 1) with the padding row zero; PReLU 0.25; norms ones and zeros', () => {
    manualSeed(3);
    const emb = new nn.Embedding(500, 20, { paddingIdx: -2 });
    expect(emb.paddingIdx).toBe(498);
    const s = stats(emb.weight);
    expect(Math.abs(s.mean)).toBeLessThan(0.05);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.05);
    expect(maxAbs(emb.weight.select(0, 498))).toBe(0);
    expect(new nn.PReLU(3).weight.toArray()).toEqual([0.25, 0.25, 0.25]);
    const bn = new nn.BatchNorm2d(3);
    expect(bn.weight!.toArray()).toEqual([1, 1, 1]);
    expect(bn.bias!.toArray()).toEqual([0, 0, 0]);
    expect(bn.runningMean!.toArray()).toEqual([0, 0, 0]);
    expect(bn.runningVar!.toArray()).toEqual([1, 1, 1]);
    expect(bn.numBatchesTracked!.dtype).toBe('int64');
    expect(bn.numBatchesTracked!.item()).toBe(0);
    const gn = new nn.GroupNorm(2, 4);
    expect(gn.weight!.toArray()).toEqual([1, 1, 1, 1]);
    expect(gn.bias!.toArray()).toEqual([0, 0, 0, 0]);
  });
  it('factory options choose the parameters dtype', () => {
    const conv = new nn.Conv1d(2, 3, 3, { dtype: 'float64' });
    expect(conv.weight.dtype).toBe('float64');
    const bn = new nn.BatchNorm1d(2, { dtype: 'float64' });
    expect(bn.runningMean!.dtype).toBe('float64');
    expect(bn.numBatchesTracked!.dtype).toBe('int64');
  });
});

describe('errors name the layer', () => {
  it('convolution arguments', () => {
    expect(() => new nn.Conv2d(3, 6, 3, { groups: 2 })).toThrow(/Conv2d: inChannels \(3\) must be divisible by groups \(2\)/);
    expect(() => new nn.Conv2d(4, 6, 3, { groups: 4 })).toThrow(/Conv2d: outChannels \(6\) must be divisible by groups \(4\)/);
    expect(() => new nn.Conv1d(2, 2, 3, { padding: 'same', stride: 2 })).toThrow(/Conv1d: padding='same' is not supported for strided convolutions/);
    expect(() => new nn.Conv2d(2, 2, 3, { padding: 'full' as 'same' })).toThrow(/Conv2d: invalid padding string 'full'/);
    expect(() => new nn.Conv2d(2, 2, 3, { paddingMode: 'mirror' as 'reflect' })).toThrow(/Conv2d: paddingMode must be one of/);
    expect(() => new nn.Conv2d(2, 2, [3, 3, 3])).toThrow(/Conv2d: kernelSize must be positive integers/);
    expect(() => new nn.Conv3d(2, 2, 0)).toThrow(/Conv3d: kernelSize/);
    expect(() => new nn.ConvTranspose2d(2, 2, 3, { paddingMode: 'reflect' as 'zeros' })).toThrow(/ConvTranspose2d: only 'zeros' padding mode is supported/);
    expect(() => new nn.Conv2d(3, 4, 3).forward(randn([1, 2, 5, 5]))).toThrow(/conv2d.*\[1, 2, 5, 5\]/);
  });
  it('ConvTranspose outputSize outside the sizes the stride allows', () => {
    const ct = new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1 });
    expect(ct.forward(randn([1, 2, 3, 4]), [6, 8]).shape).toEqual([1, 3, 6, 8]);
    expect(() => ct.forward(randn([1, 2, 3, 4]), [7, 9])).toThrow(/ConvTranspose2d: requested an output size of \[7, 9\], but valid sizes range from \[5, 7\] to \[6, 8\]/);
    expect(() => ct.forward(randn([1, 2, 3, 4]), [6])).toThrow(/ConvTranspose2d: for input \[1, 2, 3, 4\] \(float32\), outputSize must have 2 or 4 elements/);
  });
  it('normalization, embedding, pooling, losses and the rest', () => {
    expect(() => new nn.BatchNorm2d(3).forward(randn([2, 3, 4]))).toThrow(/BatchNorm2d: expected 4D input \(got 3D input \[2, 3, 4\] \(float32\)\)/);
    expect(() => new nn.BatchNorm1d(3).forward(randn([2, 4]))).toThrow(/BatchNorm1d: expected input with 3 channels at dim 1, got \[2, 4\] \(float32\)/);
    expect(() => new nn.BatchNorm1d(3).forward(randn([1, 3]))).toThrow(/batchNorm: expected more than 1 value per channel when training/);
    expect(() => new nn.InstanceNorm2d(3, { affine: true }).forward(randn([1, 2, 4, 4]))).toThrow(/InstanceNorm2d: expected input's size at dim=1 to match numFeatures \(3\)/);
    expect(() => new nn.InstanceNorm1d(3, { momentum: null })).toThrow(/InstanceNorm1d: momentum null/);
    expect(() => new nn.GroupNorm(2, 4).forward(randn([3, 2, 3]))).toThrow(/GroupNorm: expected an input \[N, 4, \.\.\.\] \(numChannels at dim 1\), got \[3, 2, 3\] \(float32\)/);
    expect(() => new nn.GroupNorm(4, 6)).toThrow(/GroupNorm: numChannels \(6\) must be divisible by numGroups \(4\)/);
    expect(() => new nn.Embedding(5, 2, { paddingIdx: 5 })).toThrow(/Embedding: paddingIdx must be within numEmbeddings \(5\)/);
    expect(() => new nn.Embedding(5, 2, { sparse: true })).toThrow(/Embedding: sparse gradients are not supported/);
    expect(() => new nn.Embedding(5, 2).forward(tensor([1, 7], { dtype: 'int64' }))).toThrow(/embedding: index 7 is out of bounds for dimension 0 with size 5/);
    expect(() => nn.Embedding.fromPretrained(randn([3]))).toThrow(/Embedding.fromPretrained: embeddings must be a 2-d tensor, got \[3\] \(float32\)/);
    expect(() => new nn.MaxPool2d([2, 2, 2])).toThrow(/MaxPool2d: kernelSize must be a positive integer or 2 of them/);
    expect(() => new nn.AvgPool2d(2, { divisorOverride: 0 })).toThrow(/AvgPool2d: divisorOverride must be a non-zero integer/);
    expect(() => new nn.AdaptiveAvgPool2d([0, 2])).toThrow(/AdaptiveAvgPool2d: outputSize/);
    expect(() => new nn.MSELoss({ reduction: 'avg' as 'mean' })).toThrow(/MSELoss: reduction must be one of 'none', 'mean', 'sum', got "avg"/);
    expect(() => new nn.CrossEntropyLoss({ weight: [1, 2] as unknown as Tensor })).toThrow(/CrossEntropyLoss: weight must be a Tensor or null/);
    expect(() => new nn.Upsample({ size: 4, scaleFactor: 2 })).toThrow(/Upsample: only one of size or scaleFactor should be defined/);
    expect(() => new nn.Upsample({ scaleFactor: 2, mode: 'bicubic' as 'nearest' })).toThrow(/Upsample: mode 'bicubic' is not supported/);
    expect(() => new nn.ReflectionPad2d([1, 2])).toThrow(/ReflectionPad2d: padding must be a non-negative integer or 4 of them/);
    expect(() => new nn.Unflatten(1, [])).toThrow(/Unflatten: unflattenedSize must be a non-empty array/);
    expect(() => new nn.GELU({ approximate: 'erf' as 'none' })).toThrow(/GELU: approximate must be 'none' or 'tanh'/);
    expect(() => new nn.PReLU(3).forward(randn([2, 4]))).toThrow(/prelu: mismatch of parameter numbers and input channel size/);
    expect(() => new nn.Softmax2d().forward(randn([2, 3]))).toThrow(/Softmax2d: expected a 3-d \[C, H, W\] or 4-d \[N, C, H, W\] input, got \[2, 3\] \(float32\)/);
  });
});

describe('train and eval', () => {
  it('BatchNorm: training updates the running statistics and the batch count; eval normalizes with them', () => {
    manualSeed(4);
    const bn = new nn.BatchNorm1d(2, { momentum: 0.5, dtype: 'float64' });
    const x = randn([6, 2], { dtype: 'float64' }).mul(3).add(1);
    bn.forward(x);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    const mean = x.mean(0);
    const varU = x.var(0);
    expect(maxAbs(bn.runningMean!.sub(mean.mul(0.5)))).toBeLessThan(1e-12);
    expect(maxAbs(bn.runningVar!.sub(varU.mul(0.5).add(0.5)))).toBeLessThan(1e-12);
    bn.eval();
    const y = randn([3, 2], { dtype: 'float64' });
    const out = bn.forward(y);
    const want = y.sub(bn.runningMean!).div(bn.runningVar!.add(1e-5).sqrt());
    expect(maxAbs(out.sub(want))).toBeLessThan(1e-12);
    expect(bn.numBatchesTracked!.item()).toBe(1);
  });
  it('BatchNorm with momentum null keeps the cumulative average of the batch statistics', () => {
    manualSeed(5);
    const bn = new nn.BatchNorm1d(3, { momentum: null, dtype: 'float64' });
    const batches = [0, 1, 2].map(() => randn([4, 3], { dtype: 'float64' }));
    for (const b of batches) bn.forward(b);
    const avgMean = batches.map((b) => b.mean(0)).reduce((a, b) => a.add(b)).div(3);
    expect(maxAbs(bn.runningMean!.sub(avgMean))).toBeLessThan(1e-12);
    expect(bn.numBatchesTracked!.item()).toBe(3);
  });
  it('BatchNorm without running statistics uses the batch statistics in eval too', () => {
    const bn = new nn.BatchNorm1d(2, { trackRunningStats: false, affine: false, dtype: 'float64' }).eval();
    expect(bn.runningMean).toBeNull();
    const x = randn([5, 2], { dtype: 'float64' });
    const out = bn.forward(x);
    const want = x.sub(x.mean(0)).div(x.var(0, { correction: 0 }).add(1e-5).sqrt());
    expect(maxAbs(out.sub(want))).toBeLessThan(1e-12);
    expect(Object.keys(bn.stateDict())).toEqual([]);
  });
  it('PyTorch spellings of activation options: ReLU(true), Softmax({ dim })', () => {
    expect(new nn.ReLU(true).inplace).toBe(true);
    expect(String(new nn.ReLU(true))).toBe('ReLU(inplace=True)');
    expect(new nn.ReLU().inplace).toBe(false);
    expect(new nn.Softmax({ dim: 1 }).dim).toBe(1);
    expect(String(new nn.LogSoftmax({ dim: -1 }))).toBe('LogSoftmax(dim=-1)');
    expect(() => new nn.Softmax({ dim: 0.5 })).toThrow(/Softmax: dim must be an integer or null, got 0.5/);
  });
  it('Dropout layers are the identity in eval', () => {
    const d = new nn.Dropout2d(0.5).eval();
    const x = randn([2, 3, 4, 4]);
    expect(d.forward(x)).toBe(x);
  });
});

describe('buffers, state dicts and PyTorch keys', () => {
  it('BatchNorm2d has PyTorch state-dict keys once converted', () => {
    const bn = new nn.BatchNorm2d(4);
    expect(Object.keys(nn.toTorchKeys(bn.stateDict()))).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(bn.namedBuffers().map(([n]) => n)).toEqual(['runningMean', 'runningVar', 'numBatchesTracked']);
  });
  it('loss weights are buffers that follow double()', () => {
    const loss = new nn.BCEWithLogitsLoss({ posWeight: tensor([1, 2, 3]) });
    expect(Object.keys(nn.toTorchKeys(loss.stateDict()))).toEqual(['pos_weight']);
    loss.double();
    expect(loss.posWeight!.dtype).toBe('float64');
    expect(loss.weight).toBeNull();
  });
  it('a LeNet-style Sequential prints as PyTorch prints it', () => {
    const model = new nn.Sequential(
      new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.BatchNorm2d(6),
      new nn.Flatten(), new nn.Linear(6 * 14 * 14, 10), new nn.LogSoftmax(1),
    );
    expect(model.forward(randn([2, 1, 28, 28])).shape).toEqual([2, 10]);
    // print(...) of the same model in PyTorch 1.13:
    expect(String(model)).toBe([
      'Sequential(',
      '  (0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))',
      '  (1): ReLU()',
      '  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
      '  (3): BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
      '  (4): Flatten(start_dim=1, end_dim=-1)',
      '  (5): Linear(in_features=1176, out_features=10, bias=True)',
      '  (6): LogSoftmax(dim=1)',
      ')',
    ].join('\n'));
  });
});

describe('Embedding', () => {
  it('the padding row gets no gradient; maxNorm renormalizes looked-up rows in place', () => {
    const emb = new nn.Embedding(4, 3, { paddingIdx: 0 });
    emb.forward(tensor([[0, 1], [0, 2]], { dtype: 'int64' })).sum().backward();
    expect(emb.weight.grad!.select(0, 0).toArray()).toEqual([0, 0, 0]);
    expect(emb.weight.grad!.select(0, 1).toArray()).toEqual([1, 1, 1]);
    const e2 = new nn.Embedding(3, 4, { maxNorm: 0.5 });
    e2.forward(tensor([1], { dtype: 'int64' }));
    expect(e2.weight.select(0, 1).norm().item()).toBeLessThanOrEqual(0.5 + 1e-6);
  });
  it('fromPretrained shares the tensor, frozen by default', () => {
    const w = rand([3, 2]);
    const emb = nn.Embedding.fromPretrained(w);
    expect(emb.weight.requiresGrad).toBe(false);
    expect(emb.forward(tensor([2], { dtype: 'int64' })).toArray()).toEqual([w.select(0, 2).toArray()]);
    w.fill_(7);
    expect(emb.weight.select(0, 0).toArray()).toEqual([7, 7]);
    expect(String(emb)).toBe('Embedding(3, 2)');
    expect(nn.Embedding.fromPretrained(w, { freeze: false }).weight.requiresGrad).toBe(true);
  });
});

describe('gradcheck on small float64 layers', () => {
  it('input gradients of Conv1d (reflect padding), ConvTranspose2d, PReLU, BatchNorm1d in training, GroupNorm, Upsample', () => {
    manualSeed(6);
    const check = (m: nn.Module, shape: number[]): void => {
      m.double();
      const x = randn(shape, { dtype: 'float64', requiresGrad: true });
      expect(gradcheck((xi: Tensor) => m.forward(xi) as Tensor, [x]), m._getName()).toBe(true);
    };
    check(new nn.Conv1d(2, 2, 3, { padding: 1, paddingMode: 'reflect' }), [1, 2, 5]);
    check(new nn.ConvTranspose2d(2, 1, 2, { stride: 2 }), [1, 2, 2, 2]);
    check(new nn.PReLU(2), [3, 2]);
    check(new nn.BatchNorm1d(2, { trackRunningStats: false }), [4, 2]);
    check(new nn.GroupNorm(2, 4), [2, 4, 3]);
    check(new nn.LocalResponseNorm(2), [1, 3, 2]);
    check(new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }), [1, 1, 2, 3]);
  });
});
