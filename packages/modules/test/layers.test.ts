import { manualSeed, ones, randn, tensor, zeros, type Tensor } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import {
  BatchApply, BatchNorm, Bias, Conv1D, Conv2D, Conv2DTranspose, Conv3D, Deferred, DepthwiseConv2D, Dropout, Embed, Flatten,
  GroupNorm, InstanceNorm, LayerNorm, Linear, Reshape, Sequential, initializers,
} from '../src/index.js';
import { flat, refConv, refNormalize } from './reference.js';

const f64 = { dtype: 'float64' as const };
function close(a: Tensor, b: Tensor, tol = 1e-9): void {
  expect(a.shape).toEqual(b.shape);
  expect(a.to('float64').sub(b.to('float64')).abs().max().item() as number).toBeLessThan(tol);
}
const normal = () => new initializers.RandomNormal();

describe('Linear and Bias', () => {
  it('Linear computes x w + b', () => {
    const lin = new Linear(2, { wInit: new initializers.Constant(tensor([[1, 2], [3, 4], [5, 6]])), bInit: new initializers.Constant(tensor([10, 20])) });
    expect(lin.call(tensor([[1, 0, 1], [0, 1, 0]])).toArray()).toEqual([[16, 28], [13, 24]]);
    const noBias = new Linear(2, { withBias: false, wInit: new initializers.Ones() });
    expect(noBias.call(tensor([[[1, 2]], [[3, 4]]])).toArray()).toEqual([[[3, 3]], [[7, 7]]]);
    expect(noBias.variables.map((v) => v.name)).toEqual(['linear/w']);
  });

  it('Bias adds b (times a multiplier) along the chosen dims', () => {
    const b = new Bias({ biasDims: [-1], bInit: new initializers.Constant(tensor([1, 2])) });
    expect(b.call(zeros([2, 3, 2])).toArray()).toEqual([[[1, 2], [1, 2], [1, 2]], [[1, 2], [1, 2], [1, 2]]]);
    expect(b.call(zeros([1, 1, 2]), 3).toArray()).toEqual([[[3, 6]]]);
    expect(b.b.shape).toEqual([2]);
    const full = new Bias();
    full.call(zeros([4, 3, 2]));
    expect(full.b.shape).toEqual([3, 2]);
    expect(() => full.call(zeros([4, 2, 2]))).toThrow("Bias 'bias': input [4, 2, 2] (float32) does not match the bias [3, 2] made on the first call");
  });
});

describe('convolutions against a direct loop', () => {
  it('Conv2D, SAME with strides (uneven padding) and VALID with rates, NHWC and NCHW', () => {
    manualSeed(0);
    const x = randn([2, 7, 6, 3], f64);
    for (const [stride, rate, padding] of [[[2, 2], [1, 1], 'SAME'], [[1, 2], [2, 1], 'VALID'], [[3, 1], [1, 1], 'SAME'], [[1, 1], [2, 2], 'SAME']] as const) {
      const conv = new Conv2D(4, [3, 2], { stride: [...stride], rate: [...rate], padding, wInit: normal(), bInit: normal() });
      const y = conv.call(x);
      close(y, refConv(x, conv.w, [...stride], [...rate], padding).add(conv.b!));
      const nchw = new Conv2D(4, [3, 2], { stride: [...stride], rate: [...rate], padding, dataFormat: 'NCHW', wInit: new initializers.Constant(conv.w), withBias: false });
      close(nchw.call(x.permute([0, 3, 1, 2])).permute([0, 2, 3, 1]), y.sub(conv.b!));
    }
  });

  it('Conv1D and Conv3D', () => {
    manualSeed(1);
    const x1 = randn([2, 9, 3], f64);
    const c1 = new Conv1D(5, 4, { stride: 2, withBias: false });
    close(c1.call(x1), refConv(x1, c1.w, [2], [1], 'SAME'));
    const x3 = randn([1, 4, 5, 3, 2], f64);
    const c3 = new Conv3D(3, [2, 3, 2], { padding: 'VALID', withBias: false });
    close(c3.call(x3), refConv(x3, c3.w, [1, 1, 1], [1, 1, 1], 'VALID'));
  });

  it('DepthwiseConv2D', () => {
    manualSeed(2);
    const x = randn([2, 5, 5, 3], f64);
    const dw = new DepthwiseConv2D([3, 3], { channelMultiplier: 2, stride: 2, bInit: normal() });
    close(dw.call(x), refConv(x, dw.w, [2, 2], [1, 1], 'SAME', true).add(dw.b!));
    expect(dw.outputChannels).toBe(6);
  });

  it('Conv2DTranspose is the adjoint of Conv2D with the same weight', () => {
    manualSeed(3);
    for (const [k, s, padding, outShape] of [[3, 2, 'SAME', undefined], [4, 2, 'SAME', undefined], [3, 2, 'VALID', undefined], [1, 3, 'SAME', undefined], [3, 2, 'SAME', [9, 10]]] as const) {
      const x = randn([2, 5, 5, 3], f64);
      const up = new Conv2DTranspose(4, k, { stride: s, padding, withBias: false, outputShape: outShape as number[] | undefined });
      const y = up.call(x);
      const g = randn([...y.shape], f64);
      // <convT(x), g> = <x, conv(g)>, conv's weight [k, k, 4, 3] being the transpose's w.
      const back = refConv(g, up.w, [s, s], [1, 1], padding);
      expect(back.shape).toEqual(x.shape);
      const lhs = y.mul(g).sum().item() as number;
      const rhs = x.mul(back).sum().item() as number;
      expect(Math.abs(lhs - rhs), `k=${k} s=${s} ${padding}`).toBeLessThan(1e-9 * (1 + Math.abs(lhs)));
    }
    expect(() => new Conv2DTranspose(4, 3, { stride: 2, outputShape: [20, 10] }).call(zeros([1, 5, 5, 3]))).toThrow(
      "Conv2DTranspose 'conv2_d_transpose': output size 20 in spatial dim 0 does not convolve back to the input's 5 (kernel 3, stride 2, SAME)",
    );
  });

  it('checks shapes, formats and padding', () => {
    expect(() => new Conv2D(4, 3, { padding: 'same' as 'SAME' })).toThrow("Conv2D: padding must be 'SAME' or 'VALID', got \"same\"");
    expect(() => new Conv2D(4, 3, { dataFormat: 'NWC' })).toThrow("Conv2D: dataFormat must be 'NHWC' or 'NCHW', got \"NWC\"");
    const c = new Conv2D(4, 3);
    expect(() => c.call(zeros([2, 3, 3]))).toThrow("Conv2D 'conv2_d': expected a 4-d input in NHWC format, got [2, 3, 3] (float32)");
    c.call(zeros([1, 3, 3, 2]));
    expect(() => c.call(zeros([1, 3, 3, 5]))).toThrow("Conv2D 'conv2_d': input [1, 3, 3, 5] (float32) has 5 channels but the module was created for 2");
  });
});

describe('normalization', () => {
  it('BatchNorm: batch statistics in training, debiased moving averages at test time, testLocalStats', () => {
    manualSeed(4);
    const bn = new BatchNorm(true, true, { decayRate: 0.5, eps: 1e-3 });
    const x1 = randn([8, 3], f64).mul(2).add(1);
    const x2 = randn([8, 3], f64).sub(1);
    close(bn.call(x1, true), refNormalize(x1, (i) => String(i[1]), 1e-3), 1e-7);
    bn.call(x2, true);
    // After two updates with decay d the debiased average is (d m1 + m2) / (1 + d).
    const m = x1.mean(0).mul(0.5).add(x2.mean(0)).div(1.5);
    const v = x1.var(0, { correction: 0 }).mul(0.5).add(x2.var(0, { correction: 0 })).div(1.5);
    close(bn.movingMean.average, m, 1e-12);
    close(bn.movingVariance.average, v, 1e-12);
    const x3 = randn([4, 3], f64);
    close(bn.call(x3, false), x3.sub(m).div(v.add(1e-3).sqrt()), 1e-7);
    close(bn.call(x3, false, { testLocalStats: true }), refNormalize(x3, (i) => String(i[1]), 1e-3), 1e-7);
    expect(Number(bn.movingMean.counter.item())).toBe(2);
    expect(bn.trainableVariables.map((t) => t.name)).toEqual(['batch_norm/offset', 'batch_norm/scale']);
    expect(bn.nonTrainableVariables.map((t) => t.name)).toEqual([
      'batch_norm/moving_mean/average', 'batch_norm/moving_mean/counter', 'batch_norm/moving_mean/hidden',
      'batch_norm/moving_variance/average', 'batch_norm/moving_variance/counter', 'batch_norm/moving_variance/hidden',
    ]);
  });

  it('BatchNorm channels first, and scale/offset given at call time', () => {
    manualSeed(5);
    const bn = new BatchNorm(false, false, { dataFormat: 'NCHW' });
    const x = randn([4, 2, 3, 3], f64);
    const scale = tensor([2, 3], f64);
    const offset = tensor([1, -1], f64);
    const want = refNormalize(x, (i) => String(i[1]), 1e-3).mul(scale.reshape([1, 2, 1, 1])).add(offset.reshape([1, 2, 1, 1]));
    close(bn.call(x, true, { scale, offset }), want, 1e-7);
    expect(() => bn.call(x, 'yes' as unknown as boolean)).toThrow("BatchNorm 'batch_norm': isTraining must be a boolean, got yes");
  });

  it('LayerNorm over the last dim and over non-trailing dims', () => {
    manualSeed(6);
    const x = randn([2, 3, 4, 5], f64).mul(3);
    const ln = new LayerNorm(-1, true, true, { scaleInit: normal(), offsetInit: normal() });
    close(ln.call(x), refNormalize(x, (i) => `${i[0]} ${i[1]} ${i[2]}`, 1e-5).mul(ln.scale!).add(ln.offset!), 1e-7);
    const ln12 = new LayerNorm([1, 2], true, false, { scaleInit: normal() });
    close(ln12.call(x), refNormalize(x, (i) => `${i[0]} ${i[3]}`, 1e-5).mul(ln12.scale!), 1e-7);
    const first = new LayerNorm([2, 3], false, true, { dataFormat: 'channels_first', offsetInit: normal() });
    close(first.call(x), refNormalize(x, (i) => `${i[0]} ${i[1]}`, 1e-5).add(first.offset!.reshape([1, 3, 1, 1])), 1e-7);
  });

  it('GroupNorm and InstanceNorm', () => {
    manualSeed(7);
    const x = randn([2, 3, 3, 4], f64).add(2);
    const gn = new GroupNorm(2, { scaleInit: normal(), offsetInit: normal() });
    close(gn.call(x), refNormalize(x, (i) => `${i[0]} ${Math.floor(i[3]! / 2)}`, 1e-5).mul(gn.scale!).add(gn.offset!), 1e-7);
    expect(() => new GroupNorm(3).call(x)).toThrow("GroupNorm 'group_norm': 4 channels do not split into 3 groups (input [2, 3, 3, 4] (float64))");
    const inorm = new InstanceNorm(true, true, { scaleInit: normal() });
    close(inorm.call(x), refNormalize(x, (i) => `${i[0]} ${i[3]}`, 1e-5).mul(inorm.scale!), 1e-7);
  });
});

describe('other layers', () => {
  it('Dropout keeps the expected fraction, scaled', () => {
    manualSeed(8);
    const y = flat(new Dropout(0.25).call(ones([4000]), true));
    expect(new Set(y)).toEqual(new Set([0, 4 / 3].map((v) => Math.fround(v))));
    const kept = y.filter((v) => v !== 0).length / y.length;
    expect(Math.abs(kept - 0.75)).toBeLessThan(0.03);
    expect(() => new Dropout(1)).toThrow('Dropout: rate must be in [0, 1), got 1');
  });

  it('Embed looks rows up', () => {
    const vocab = tensor([[0, 1], [2, 3], [4, 5]]);
    const e = new Embed({ existingVocab: vocab });
    expect(e.call(tensor([[2, 0]], { dtype: 'int64' })).toArray()).toEqual([[[4, 5], [0, 1]]]);
    expect(e.variables.map((v) => v.name)).toEqual(['embed/embeddings']);
    expect(() => new Embed({ vocabSize: 0, embedDim: 2 })).toThrow('Embed: vocabSize must be a positive integer, got 0');
  });

  it('Flatten and Reshape keep the leading dims', () => {
    expect(new Flatten({ preserveDims: 2 }).call(zeros([2, 3, 4, 5])).shape).toEqual([2, 3, 20]);
    expect(new Reshape([2, 2], { preserveDims: 0 }).call(zeros([4])).shape).toEqual([2, 2]);
    expect(new Flatten().variables).toEqual([]);
    expect(() => new Reshape([-1, -1])).toThrow(/at most one -1/);
  });

  it('Sequential, Deferred and BatchApply compose', () => {
    manualSeed(9);
    const a = new Linear(3);
    const b = new Linear(2);
    const seq = new Sequential([a, (x: Tensor) => x.tanh(), b], { name: 'net' });
    const x = randn([4, 5]);
    close(seq.call(x), b.call(a.call(x).tanh()), 1e-6);
    expect(seq.variables.map((v) => v.name)).toEqual(['net/linear/b', 'net/linear/w', 'net/linear_1/b', 'net/linear_1/w']);

    const d = new Deferred(() => new Linear(2), { name: 'later' });
    expect(() => d.variables).toThrow(/none yet/);
    d.call(randn([1, 2]));
    expect(d.variables.map((v) => v.name)).toEqual(['later/linear/b', 'later/linear/w']);

    const ba = new BatchApply(b);
    const seqIn = randn([6, 4, 3]);
    close(ba.call(seqIn), b.call(seqIn.reshape([24, 3])).reshape([6, 4, 2]), 1e-6);
    expect(() => ba.call(randn([6, 4, 3]), randn([5, 4, 3]))).toThrow("BatchApply 'batch_apply': inputs disagree on the leading dims: [6, 4] and [5, 4]");
  });
});
