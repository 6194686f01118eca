/** defaultCollate: field-by-field batching and its errors. */
import { Tensor, tensor } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import { defaultCollate } from '../src/index.js';

describe('defaultCollate', () => {
  it('stacks tensors along a new first dim', () => {
    const b = defaultCollate([tensor([1, 2]), tensor([3, 4]), tensor([5, 6])]);
    expect(b.shape).toEqual([3, 2]);
    expect(b.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    const s = defaultCollate([tensor(1n), tensor(2n)]);
    expect(s.dtype).toBe('int64');
    expect(s.shape).toEqual([2]);
  });

  it('turns numbers, bigints and booleans into tensors as tensor() does', () => {
    const n = defaultCollate([1, 2.5, 3]);
    expect(n.dtype).toBe('float32');
    expect(n.toArray()).toEqual([1, 2.5, 3]);
    expect(defaultCollate([1n, 2n]).dtype).toBe('int64');
    expect(defaultCollate([true, false]).toArray()).toEqual([true, false]);
  });

  it('keeps strings as an array and stacks typed arrays with their dtype', () => {
    expect(defaultCollate(['a', 'b'])).toEqual(['a', 'b']);
    const t = defaultCollate([new Uint8Array([1, 2]), new Uint8Array([3, 4])]);
    expect(t.dtype).toBe('uint8');
    expect(t.toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it('collates nested objects and arrays field by field', () => {
    const samples = [
      { image: tensor([[0, 1]]), meta: { id: 7, tags: ['x', 'y'] }, pair: [tensor([1]), 2] as [Tensor, number] },
      { image: tensor([[2, 3]]), meta: { id: 8, tags: ['z', 'w'] }, pair: [tensor([3]), 4] as [Tensor, number] },
    ];
    const b = defaultCollate(samples);
    expect(b.image.shape).toEqual([2, 1, 2]);
    expect(b.meta.id.toArray()).toEqual([7, 8]);
    // An array field is transposed: element k of the result collates element k of every sample.
    expect(b.meta.tags).toEqual([['x', 'z'], ['y', 'w']]);
    expect(b.pair[0].toArray()).toEqual([[1], [3]]);
    expect(b.pair[1].toArray()).toEqual([2, 4]);
  });

  it('names the path and the mismatch in its errors', () => {
    expect(() => defaultCollate([{ x: tensor([1, 2]) }, { x: tensor([1, 2, 3]) }])).toThrow(
      /defaultCollate: batch.x: sample 1 has shape \[3\] but sample 0 has shape \[2\]; tensors in a batch must have equal shapes/,
    );
    expect(() => defaultCollate([{ a: 1 }, { b: 1 }])).toThrow(/batch: sample 1 has keys \{b\} but sample 0 has \{a\}/);
    expect(() => defaultCollate([[1, 2], [1]])).toThrow(/sample 1 has 1 elements but sample 0 has 2/);
    expect(() => defaultCollate([1, 'a'])).toThrow(/batch: sample 1 is the string "a" but sample 0 is a number/);
    expect(() => defaultCollate([tensor([1]), 3])).toThrow(/sample 1 is number 3 but sample 0 is a tensor/);
    expect(() => defaultCollate([{ d: new Date(0) }])).toThrow(/batch.d: cannot collate a Date/);
    expect(() => defaultCollate([null])).toThrow(/batch: cannot collate null/);
    expect(() => defaultCollate([])).toThrow(/cannot collate an empty batch/);
    expect(() => defaultCollate('ab' as never)).toThrow(/expected an array of samples/);
  });
});
