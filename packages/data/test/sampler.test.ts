/** Samplers: order, determinism, statistics, batching. */
import { Generator, tensor } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import { BatchSampler, RandomSampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler } from '../src/index.js';

const gen = (s: number) => new Generator().manualSeed(s);
const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
const range = (n: number) => [...Array(n).keys()];

describe('SequentialSampler', () => {
  it('yields 0..n-1', () => {
    const s = new SequentialSampler({ length: 4 });
    expect([...s]).toEqual([0, 1, 2, 3]);
    expect(s.length).toBe(4);
    expect(() => new SequentialSampler(5 as never)).toThrow(/SequentialSampler: expected a data source with a length/);
  });
});

describe('RandomSampler', () => {
  it('yields a permutation, a new one each pass, reproducible from the seed', () => {
    const s = new RandomSampler({ length: 50 }, { generator: gen(3) });
    const p1 = [...s];
    const p2 = [...s];
    expect(sorted(p1)).toEqual(range(50));
    expect(sorted(p2)).toEqual(range(50));
    expect(p1).not.toEqual(p2);
    const t = new RandomSampler({ length: 50 }, { generator: gen(3) });
    expect([[...t], [...t]]).toEqual([p1, p2]);
  });

  it('draws numSamples beyond the length as whole permutations then part of one', () => {
    const s = new RandomSampler({ length: 4 }, { numSamples: 10, generator: gen(1) });
    const got = [...s];
    expect(got).toHaveLength(10);
    expect(s.length).toBe(10);
    expect(sorted(got.slice(0, 4))).toEqual([0, 1, 2, 3]);
    expect(sorted(got.slice(4, 8))).toEqual([0, 1, 2, 3]);
    expect(new Set(got.slice(8)).size).toBe(2);
  });

  it('draws uniformly with replacement', () => {
    const s = new RandomSampler({ length: 5 }, { replacement: true, numSamples: 5000, generator: gen(2) });
    const counts = new Array(5).fill(0);
    for (const i of s) counts[i]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('checks its options', () => {
    expect(() => new RandomSampler({ length: 3 }, { numSamples: 0 })).toThrow(/RandomSampler: numSamples must be a positive integer, got number 0/);
    expect(() => new RandomSampler({ length: 3 }, { replacement: 1 as never })).toThrow(/replacement must be a boolean/);
    expect(() => new RandomSampler({ length: 3 }, { generator: {} as never })).toThrow(/generator must be a Generator/);
    expect(() => [...new RandomSampler({ length: 0 }, { numSamples: 2 })]).toThrow(/cannot draw 2 samples from an empty data source/);
    expect([...new RandomSampler({ length: 0 })]).toEqual([]);
  });
});

describe('SubsetRandomSampler', () => {
  it('permutes the given indices', () => {
    const idx = [10, 20, 30, 40, 50, 60];
    const s = new SubsetRandomSampler(idx, { generator: gen(4) });
    const got = [...s];
    expect(sorted(got)).toEqual(idx);
    expect(got).not.toEqual(idx);
    expect(s.length).toBe(6);
    expect([...new SubsetRandomSampler(tensor([3n, 1n]), { generator: gen(0) })].sort()).toEqual([1, 3]);
  });
});

describe('WeightedRandomSampler', () => {
  it('draws in proportion to the weights, never a zero weight', () => {
    const s = new WeightedRandomSampler([1, 0, 3], 8000, { generator: gen(5) });
    const counts = [0, 0, 0];
    for (const i of s) counts[i]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.6);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.4);
    expect(s.length).toBe(8000);
  });

  it('without replacement draws distinct indices', () => {
    const got = [...new WeightedRandomSampler(tensor([1, 2, 3, 4]), 4, { replacement: false, generator: gen(6) })];
    expect(sorted(got)).toEqual([0, 1, 2, 3]);
  });

  it('checks its weights', () => {
    expect(() => new WeightedRandomSampler([1, -1], 2)).toThrow(/WeightedRandomSampler: weights must be finite and non-negative, got -1/);
    expect(() => new WeightedRandomSampler([0, 0], 2)).toThrow(/at least one weight must be positive/);
    expect(() => new WeightedRandomSampler([1, 0, 1], 3, { replacement: false })).toThrow(/cannot draw 3 samples without replacement from 2 positive weights/);
    expect(() => new WeightedRandomSampler(tensor([[1, 2]]), 1)).toThrow(/weights must be 1-d, got shape \[1, 2\]/);
    expect(() => new WeightedRandomSampler([], 1)).toThrow(/must not be empty/);
  });
});

describe('BatchSampler', () => {
  it('groups indices, keeping or dropping the last short batch', () => {
    const seq = new SequentialSampler({ length: 7 });
    expect([...new BatchSampler(seq, 3, false)]).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect([...new BatchSampler(seq, 3, true)]).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(new BatchSampler(seq, 3, false).length).toBe(3);
    expect(new BatchSampler(seq, 3, true).length).toBe(2);
    expect([...new BatchSampler([5, 6, 7], 2)]).toEqual([[5, 6], [7]]);
  });

  it('checks its arguments', () => {
    expect(() => new BatchSampler(new SequentialSampler({ length: 3 }), 0)).toThrow(/BatchSampler: batchSize must be a positive integer, got number 0/);
    expect(() => new BatchSampler(3 as never, 1)).toThrow(/sampler must be an iterable of indices/);
    expect(() => new BatchSampler(new Set([1, 2]) as never, 1).length).toThrow(/length is not known/);
  });
});
