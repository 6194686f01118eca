import { manualSeed, randn, zeros } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import { initializers, nets } from '../src/index.js';
import { refConv, refNormalize } from './reference.js';

describe('nets.MLP', () => {
  it('is its Linear layers with the activation between them', () => {
    manualSeed(0);
    const mlp = new nets.MLP([4, 3], { activation: (x) => x.tanh(), bInit: new initializers.RandomNormal() });
    const x = randn([5, 2], { dtype: 'float64' });
    const [l0, l1] = mlp.layers as [typeof mlp.layers[0], typeof mlp.layers[0]];
    const y = mlp.call(x);
    const want = x.matmul(l0.w).add(l0.b!).tanh().matmul(l1.w).add(l1.b!);
    expect(y.sub(want).abs().max().item() as number).toBeLessThan(1e-12);
    const fin = new nets.MLP([2], { activateFinal: true, wInit: new initializers.Constant(-1), withBias: false });
    expect(fin.call(zeros([1, 2]).add(1)).toArray()).toEqual([[0, 0]]);
  });

  it('requires isTraining exactly when dropout is used', () => {
    const d = new nets.MLP([3, 3], { dropoutRate: 0.5 });
    expect(() => d.call(zeros([1, 2]))).toThrow("MLP 'mlp': isTraining (a boolean) is required when dropout is used");
    expect(d.isCreated).toBe(false);
    expect(d.layers[0]!.isCreated).toBe(false);
    expect(d.call(zeros([1, 2]), false).shape).toEqual([1, 3]);
    expect(d.isCreated).toBe(true);
    expect(() => new nets.MLP([3]).call(zeros([1, 2]), true)).toThrow("MLP 'mlp': isTraining should only be given with a dropoutRate");
  });

  it('reverse maps back to the input size', () => {
    const mlp = new nets.MLP([8, 4], { name: 'enc' });
    expect(() => mlp.reverse()).toThrow("MLP 'enc'.reverse: the input sizes are known only after the first call; call the MLP with an example input first");
    mlp.call(zeros([2, 6]));
    const dec = mlp.reverse({ activateFinal: true });
    expect(dec.outputSizes).toEqual([8, 6]);
    expect(dec.activateFinal).toBe(true);
    expect(dec.name).toBe('enc_reversed');
    expect(String(dec)).toBe("MLP([8, 6], { name: 'enc_reversed', activateFinal: true })");
  });
});

describe('nets.ResNet', () => {
  it('a bottleneck block is its convolutions and batch norms, computed by hand', () => {
    manualSeed(3);
    const x = randn([2, 6, 6, 4], { dtype: 'float64' });
    const bn = (t: typeof x) => refNormalize(t, (i) => String(i[3]), 1e-5);
    for (const resnetV2 of [false, true]) {
      const block = new nets.BottleneckBlock(8, 2, { useProjection: true, resnetV2 });
      block.call(x, true);
      // v1's last batch norm starts at zero scale (the block starts as its shortcut): make it count.
      for (const b of block.batchNorms) b.scale!.assign(1);
      const y = block.call(x, true);
      const [c0, c1, c2] = block.convs.map((c) => c.w);
      const conv = (t: typeof x, w: typeof x, stride: number) => refConv(t, w, [stride, stride], [1, 1], 'SAME');
      let want;
      if (!resnetV2) {
        const shortcut = bn(conv(x, block.projConv!.w, 2));
        let h = bn(conv(x, c0!, 1)).relu();
        h = bn(conv(h, c1!, 2)).relu();
        want = bn(conv(h, c2!, 1)).add(shortcut).relu();
      } else {
        const pre = bn(x).relu();
        let h = conv(pre, c0!, 1);
        h = conv(bn(h).relu(), c1!, 2);
        want = conv(bn(h).relu(), c2!, 1).add(conv(pre, block.projConv!.w, 2));
      }
      expect(y.shape).toEqual([2, 3, 3, 8]);
      expect(y.sub(want).abs().max().item() as number, `v2=${resnetV2}`).toBeLessThan(1e-8);
    }
  });

  it('builds groups of bottleneck blocks and starts with zero logits', () => {
    manualSeed(1);
    const net = new nets.ResNet({ blocksPerGroup: [2, 1], channelsPerGroup: [8, 16], numClasses: 3, initialChannels: 4, useProjection: [true, true] });
    const x = randn([2, 16, 16, 3]);
    const logits = net.call(x, true);
    expect(logits.shape).toEqual([2, 3]);
    expect(logits.abs().max().item()).toBe(0); // the logits layer starts at zero
    const names = net.trainableVariables.map((v) => v.name);
    expect(names).toContain('res_net/block_group_0_block_0/shortcut_conv/w');
    expect(names).not.toContain('res_net/block_group_0_block_1/shortcut_conv/w');
    expect(names).toContain('res_net/block_group_1_block_0/conv_1/w');
    const conv1 = net.blockGroups[1]![0]!.convs[1]!;
    expect(conv1.stride).toEqual([2, 2]);
    expect(conv1.w.shape).toEqual([3, 3, 4, 4]);
    expect(net.call(x, false).shape).toEqual([2, 3]);
    const v2 = new nets.ResNet({ blocksPerGroup: [1], channelsPerGroup: [8], numClasses: 2, initialChannels: 8, resnetV2: true, useProjection: [false] });
    expect(v2.call(x, true).shape).toEqual([2, 2]);
    expect(v2.variables.map((v) => v.name)).toContain('res_net/final_batchnorm/scale');
    expect(() => new nets.ResNet({ blocksPerGroup: [1, 1], channelsPerGroup: [8], numClasses: 2 })).toThrow(
      'ResNet: blocksPerGroup, channelsPerGroup and useProjection must have the same length, got 2, 1 and 2',
    );
  });
});

describe('nets.VectorQuantizer', () => {
  it('picks the nearest code, passes gradients straight through, and computes its loss', async () => {
    const { grad } = await import('@cinder/autograd');
    manualSeed(2);
    const vq = new nets.VectorQuantizer(3, 5, 0.25);
    const x = randn([4, 2, 3], { requiresGrad: true });
    const out = vq.call(x, true);
    const E = vq.embeddings.detach();
    const flatX = x.detach().reshape([8, 3]);
    const idx = out.encodingIndices.reshape([8]).toArray() as number[];
    for (let n = 0; n < 8; n++) {
      const d = [0, 1, 2, 3, 4].map((k) => flatX.select(0, n).sub(E.select(1, k)).square().sum().item() as number);
      expect(idx[n]).toBe(d.indexOf(Math.min(...d)));
      expect(out.quantize.reshape([8, 3]).select(0, n).sub(E.select(1, idx[n]!)).abs().max().item() as number).toBeLessThan(1e-6);
    }
    const mse = out.quantize.detach().sub(x.detach()).square().mean().item() as number;
    expect(Math.abs((out.loss.item() as number) - 1.25 * mse)).toBeLessThan(1e-6);
    const counts = [0, 1, 2, 3, 4].map((k) => idx.filter((i) => i === k).length / 8);
    const entropy = -counts.reduce((a, p) => a + p * Math.log(p + 1e-10), 0);
    expect(Math.abs((out.perplexity.item() as number) - Math.exp(entropy))).toBeLessThan(1e-5);
    const [gx] = grad(out.quantize.sum(), [x]);
    expect(gx!.sub(1).abs().max().item()).toBe(0);
    const [gE] = grad(out.loss, [vq.embeddings]);
    const unused = [0, 1, 2, 3, 4].filter((k) => !idx.includes(k));
    for (const k of unused) expect(gE!.select(1, k).abs().max().item()).toBe(0);
    expect(() => vq.call(zeros([2, 4]))).toThrow("VectorQuantizer 'vector_quantizer': the input's last dim must be embeddingDim 3, got [2, 4] (float32)");
  });
});
