import { describe, expect, it } from 'vitest';
import { arange, empty, eye, full, getDefaultDType, linspace, ones, setDefaultDType, tensor, zeros, zerosLike } from '../src/index.js';

describe('creation', () => {
  it('infers dtypes: JS numbers are floats, bigints int64, typed arrays keep their type', () => {
    expect(tensor([1, 2]).dtype).toBe('float32');
    expect(tensor([1n, 2n]).dtype).toBe('int64');
    expect(tensor([1n, 2n]).toArray()).toEqual([1, 2]);
    expect(tensor([1, 2.5]).dtype).toBe('float32');
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor(new Float64Array([1])).dtype).toBe('float64');
    expect(tensor(new Int32Array([1])).dtype).toBe('int32');
    expect(tensor(3).shape).toEqual([]);
    expect(arange(5).dtype).toBe('int64');
    expect(arange(0, 1, 0.5).dtype).toBe('float32');
    expect(full([2], true).dtype).toBe('bool');
    expect(full([2], 7).dtype).toBe('float32');
  });

  it('takes the options object after any number of arange arguments', () => {
    const a = arange(6, { dtype: 'float32' });
    expect(a.dtype).toBe('float32');
    expect(a.toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(arange(1, 4, { dtype: 'float64' }).toArray()).toEqual([1, 2, 3]);
    expect(arange(0, 1, 0.25, { dtype: 'float64' }).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(() => arange(Number.NaN)).toThrow(/arange: start, end and step must be finite numbers/);
  });

  it('accepts shapes as arrays or rest arguments', () => {
    expect(zeros(2, 3).shape).toEqual([2, 3]);
    expect(zeros([2, 3], { dtype: 'int32' }).dtype).toBe('int32');
    expect(ones(4).toArray()).toEqual([1, 1, 1, 1]);
    expect(empty(3, 2).shape).toEqual([3, 2]);
    expect(zerosLike(ones([2], { dtype: 'float64' })).dtype).toBe('float64');
    expect(() => zeros(2, 1.5)).toThrow(/zeros: invalid size 1.5/);
  });

  it('honours the default float dtype', () => {
    expect(getDefaultDType()).toBe('float32');
    setDefaultDType('float64');
    try {
      expect(tensor([0.5]).dtype).toBe('float64');
      expect(zeros(2).dtype).toBe('float64');
      expect(linspace(0, 1, 3).dtype).toBe('float64');
    } finally {
      setDefaultDType('float32');
    }
    expect(() => setDefaultDType('int32')).toThrow(/setDefaultDType/);
  });

  it('builds identity matrices and exact linspace ends', () => {
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    const l = linspace(-1, 1, 7, { dtype: 'float64' }).toArray() as number[];
    expect(l[0]).toBe(-1);
    expect(l[6]).toBe(1);
    expect(l[3]).toBe(0);
  });

  it('rejects bad input with errors naming the op', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array/);
    expect(() => tensor([1], { dtype: 'int8' as never })).toThrow(/tensor: unknown dtype "int8"/);
    expect(() => tensor(new Float32Array(4), { shape: [3] })).toThrow(/tensor: shape \[3\] does not match 4 elements/);
    expect(() => zeros([2], { device: 'cuda:99' })).toThrow(/(zeros|full): CUDA (is not available|device cuda:99 does not exist)/);
    expect(() => tensor([1]).requiresGrad_()).toThrow(/@cinder\/autograd/);
  });
});
