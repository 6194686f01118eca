import { manualSeed, randn, zeros } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import { initializers, nets } from '../src/index.js';

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
    expect(d.layers[0]!.isCreated).toBe(false);
    expect(d.call(zeros([1, 2]), false).shape).toEqual([1, 3]);
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
