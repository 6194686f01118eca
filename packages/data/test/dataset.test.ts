/** Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, randomSplit. */
import { arange, Generator, randn, tensor, zeros } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import { ConcatDataset, Dataset, IterableDataset, randomSplit, Subset, TensorDataset } from '../src/index.js';

class Range extends Dataset<number> {
  constructor(private readonly n: number) {
    super();
  }
  get length() {
    return this.n;
  }
  getItem(i: number) {
    if (!Number.isInteger(i) || i < 0 || i >= this.n) throw new RangeError(`Range: bad index ${i}`);
    return i;
  }
}

describe('Dataset', () => {
  it('iterates its items in order', () => {
    expect([...new Range(4)]).toEqual([0, 1, 2, 3]);
    expect(new Range(4).workerRecipe()).toBeNull();
  });
});

describe('TensorDataset', () => {
  const x = arange(0, 12).reshape(4, 3);
  const y = tensor([10, 11, 12, 13], { dtype: 'int64' });
  const ds = new TensorDataset(x, y);

  it('gives rows of each tensor', () => {
    expect(ds.length).toBe(4);
    const [xi, yi] = ds.getItem(2);
    expect(xi!.toArray()).toEqual([6, 7, 8]);
    expect(yi!.item()).toBe(12);
    expect(ds.getItem(-1)[1]!.item()).toBe(13);
    expect([...ds].map(([, t]) => t!.item())).toEqual([10, 11, 12, 13]);
  });

  it('gathers a batch in one step, equal to stacking the items', () => {
    const [xb, yb] = ds.getBatch([3, 0, 3]);
    expect(xb!.toArray()).toEqual([[9, 10, 11], [0, 1, 2], [9, 10, 11]]);
    expect(yb!.dtype).toBe('int64');
    expect(yb!.toArray()).toEqual([13, 10, 13]);
  });

  it('checks its tensors and indices', () => {
    expect(() => new TensorDataset()).toThrow(/TensorDataset: expected at least one tensor/);
    expect(() => new TensorDataset(zeros([3, 2]), zeros([4]))).toThrow(/TensorDataset: size mismatch between tensors: shapes \[3, 2\], \[4\]/);
    expect(() => new TensorDataset(tensor(1))).toThrow(/0-d tensor/);
    expect(() => new TensorDataset([1, 2] as never)).toThrow(/argument 0 must be a tensor, got an array/);
    expect(() => ds.getItem(4)).toThrow(/TensorDataset.getItem: index 4 is out of range for a dataset of length 4/);
    expect(() => ds.getItem(1.5)).toThrow(/index must be an integer/);
    expect(() => ds.getBatch([0, 9])).toThrow(/index 9 is out of range/);
  });
});

describe('Subset and ConcatDataset', () => {
  it('Subset picks indices in the given order', () => {
    const s = new Subset(new Range(10), [7, 2, -1]);
    expect(s.length).toBe(3);
    expect([...s]).toEqual([7, 2, 9]);
    expect(new Subset(new Range(10), tensor([4n, 5n])).getItem(1)).toBe(5);
    expect(() => new Subset(new Range(3), [3])).toThrow(/Subset: index 3 is out of range for a dataset of length 3/);
    expect(() => s.getItem(3)).toThrow(/Subset.getItem: index 3 is out of range/);
    expect(() => new Subset(new Range(3), 'ab' as never)).toThrow(/indices must be an array/);
  });

  it('Subset forwards getBatch only when the dataset has it', () => {
    expect(typeof new Subset(new Range(3), [0]).getBatch).toBe('undefined');
    const td = new TensorDataset(arange(5));
    const s = new Subset(td, [4, 1]);
    expect(s.getBatch!([1, 0])).toEqual(expect.any(Array));
    expect((s.getBatch!([1, 0]) as ReturnType<typeof td.getBatch>)[0]!.toArray()).toEqual([1, 4]);
  });

  it('ConcatDataset chains datasets', () => {
    const c = new ConcatDataset([new Range(2), new Range(0), new Range(3)]);
    expect(c.length).toBe(5);
    expect(c.cumulativeSizes).toEqual([2, 2, 5]);
    expect([...c]).toEqual([0, 1, 0, 1, 2]);
    expect(c.getItem(-3)).toBe(0);
    expect(() => c.getItem(5)).toThrow(/ConcatDataset.getItem: index 5 is out of range for a dataset of length 5/);
    expect(() => new ConcatDataset([])).toThrow(/non-empty array/);
    expect(() => new ConcatDataset([new Range(1), IterableDataset.from([1]) as never])).toThrow(/datasets\[1\] is .* not a map-style dataset/);
  });
});

describe('randomSplit', () => {
  const ds = new Range(10);
  it('splits by counts into disjoint subsets covering the dataset', () => {
    const parts = randomSplit(ds, [3, 7], { generator: new Generator().manualSeed(1) });
    expect(parts.map((p) => p.length)).toEqual([3, 7]);
    const all = parts.flatMap((p) => [...p]).sort((a, b) => a - b);
    expect(all).toEqual([...Array(10).keys()]);
    expect(parts.flatMap((p) => [...p])).not.toEqual([...Array(10).keys()]);
  });

  it('splits by fractions, giving the remainder to the first subsets', () => {
    expect(randomSplit(ds, [0.33, 0.33, 0.34]).map((p) => p.length)).toEqual([4, 3, 3]);
    expect(randomSplit(new Range(7), [0.5, 0.5]).map((p) => p.length)).toEqual([4, 3]);
    expect(randomSplit(new Range(1), [1]).map((p) => p.length)).toEqual([1]);
  });

  it('is reproducible with a seeded generator', () => {
    const a = randomSplit(ds, [5, 5], { generator: new Generator().manualSeed(7) }).map((p) => [...p]);
    const b = randomSplit(ds, [5, 5], { generator: new Generator().manualSeed(7) }).map((p) => [...p]);
    const c = randomSplit(ds, [5, 5], { generator: new Generator().manualSeed(8) }).map((p) => [...p]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('refuses lengths that do not add up', () => {
    expect(() => randomSplit(ds, [3, 3])).toThrow(/randomSplit: sum of input lengths \(6\) does not equal the length of the input dataset \(10\)/);
    expect(() => randomSplit(ds, [0.5, 0.2])).toThrow(/neither integer counts nor fractions summing to 1/);
    expect(() => randomSplit(ds, [-1, 11])).toThrow(/non-negative/);
    expect(() => randomSplit(ds, [])).toThrow(/non-empty array/);
  });
});

describe('IterableDataset', () => {
  it('wraps iterables, async iterables and factories', async () => {
    const fromFn = IterableDataset.from(() => [1, 2, 3]);
    expect([...(fromFn as Iterable<number>)]).toEqual([1, 2, 3]);
    expect([...(fromFn as Iterable<number>)]).toEqual([1, 2, 3]);
    const got: number[] = [];
    for await (const v of IterableDataset.from(async function* () { yield 4; yield 5; }) as AsyncIterable<number>) got.push(v);
    expect(got).toEqual([4, 5]);
    const asyncOnly = IterableDataset.from(async function* () { yield 1; });
    expect(() => [...(asyncOnly as Iterable<number>)]).toThrow(/only async-iterable; iterate it with for await/);
    expect(() => IterableDataset.from(5 as never)).toThrow(/IterableDataset.from: expected an iterable/);
    expect(() => [...(IterableDataset.from(() => 3 as never) as Iterable<number>)]).toThrow(/returned number 3, not an iterable/);
  });

  it('leaves tensors of samples untouched', () => {
    const t = randn([2]);
    const [got] = [...(IterableDataset.from([t]) as Iterable<unknown>)];
    expect(got).toBe(t);
  });
});
