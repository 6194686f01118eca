/** Bad inputs give errors that name the module (and its scope), the shapes and the dtypes. */
import { tensor, zeros } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import { BatchNorm, Conv2D, Embed, GRU, LayerNorm, Linear, Sequential, initializers, nets } from '../src/index.js';

describe('errors', () => {
  it('integer inputs to layers with variables', () => {
    const lin = new Linear(2);
    expect(() => lin.call(zeros([2, 3], { dtype: 'int64' }))).toThrow("Linear 'linear' call: expected input to be a floating point tensor, got [2, 3] (int64)");
    expect(lin.isCreated).toBe(false);
    expect(() => new Conv2D(2, 3).call(zeros([1, 4, 4, 1], { dtype: 'int32' }))).toThrow("Conv2D 'conv2_d' call: expected input to be a floating point tensor, got [1, 4, 4, 1] (int32)");
    expect(() => new BatchNorm(true, true).call(zeros([2, 3], { dtype: 'bool' }), true)).toThrow(/BatchNorm 'batch_norm' call: expected input to be a floating point tensor/);
    expect(() => new GRU(2).call(tensor([[1, 2]], { dtype: 'int64' }), zeros([1, 2]))).toThrow(/GRU 'gru' call: expected input to be a floating point tensor/);
  });

  it('non-tensors, names and constructor arguments', () => {
    expect(() => new Linear(2).call('x' as never)).toThrow("Linear 'linear' call: expected input to be a Tensor, got string");
    expect(() => new Linear(0)).toThrow('Linear: outputSize must be a positive integer, got 0');
    expect(() => new Linear(2, { name: 'a/b' })).toThrow(`Linear: name must be a non-empty string of letters, digits, '_', '.' or '-', got "a/b"`);
    expect(() => new Linear(2, { withBias: false, bInit: new initializers.Zeros() })).toThrow('Linear: bInit was given but withBias is false');
    expect(() => new Sequential([1 as never])).toThrow('Sequential: layer 0 is neither a Module nor a function (1)');
    expect(() => new nets.MLP([])).toThrow('MLP: outputSizes must be a non-empty array of positive integers, got []');
    expect(() => new LayerNorm(5, true, true).call(zeros([2, 3]))).toThrow("LayerNorm 'layer_norm': axis 5 is out of range for input [2, 3] (float32)");
    expect(() => new Embed({ vocabSize: 3, embedDim: 2 }).call(tensor([0.5]))).toThrow(/embedding/);
  });

  it('a module nested in a parent names the whole scope', () => {
    const seq = new Sequential([new Linear(3), new Linear(2)], { name: 'head' });
    seq.call(zeros([1, 4]));
    expect(() => seq.call(zeros([1, 5]))).toThrow("Linear 'head/linear': input [1, 5] (float32) has 5 features but the module was created for 4");
  });
});
