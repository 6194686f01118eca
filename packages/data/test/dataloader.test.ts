/** DataLoader in-process: batching, shuffling, samplers, collation, iterable datasets, options. */
import { arange, Generator, manualSeed, tensor, type Tensor } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import {
  BatchSampler, CSVDataset, DataLoader, Dataset, defaultCollate, IterableDataset, ProceduralDigits, SequentialSampler, Subset, TensorDataset,
  WeightedRandomSampler,
} from '../src/index.js';

const gen = (s: number) => new Generator().manualSeed(s);
const labels = (batches: [Tensor, Tensor][]) => batches.map(([, y]) => y.toArray() as number[]);

class Records extends Dataset<{ id: number; name: string; point: [number, Tensor] }> {
  get length() {
    return 5;
  }
  getItem(i: number) {
    return { id: i, name: `r${i}`, point: [i * 2, tensor([i, -i])] as [number, Tensor] };
  }
}

describe('DataLoader', () => {
  const x = arange(0, 20).reshape(10, 2);
  const y = arange(10);
  const ds = new TensorDataset(x, y);

  it('batches in order, the last batch short unless dropLast', () => {
    const l = new DataLoader(ds, { batchSize: 4 });
    expect(l.length).toBe(3);
    const b = [...l] as [Tensor, Tensor][];
    expect(labels(b)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(b[0]![0].shape).toEqual([4, 2]);
    const d = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(d.length).toBe(2);
    expect(labels([...d] as [Tensor, Tensor][])).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(new DataLoader(ds).length).toBe(10);
  });

  it('shuffles reproducibly: the same seed gives the same batches, each epoch a new order', () => {
    const a = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: gen(42) });
    const b = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: gen(42) });
    const a1 = labels([...a] as [Tensor, Tensor][]);
    const a2 = labels([...a] as [Tensor, Tensor][]);
    expect(labels([...b] as [Tensor, Tensor][])).toEqual(a1);
    expect(labels([...b] as [Tensor, Tensor][])).toEqual(a2);
    expect(a1).not.toEqual(a2);
    expect(a1.flat().sort((p, q) => p - q)).toEqual([...Array(10).keys()]);
    const c = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: gen(43) });
    expect(labels([...c] as [Tensor, Tensor][])).not.toEqual(a1);
  });

  it('without a generator, shuffles from the global seed', () => {
    manualSeed(9);
    const first = labels([...new DataLoader(ds, { batchSize: 5, shuffle: true })] as [Tensor, Tensor][]);
    manualSeed(9);
    expect(labels([...new DataLoader(ds, { batchSize: 5, shuffle: true })] as [Tensor, Tensor][])).toEqual(first);
  });

  it('uses the dataset\'s one-step getBatch, with the same result as collating items', () => {
    const sub = new DataLoader(new Subset(new TensorDataset(x, y), [9, 3, 5, 1]), { batchSize: 3 });
    expect(labels([...sub] as [Tensor, Tensor][])).toEqual([[9, 3, 5], [1]]);
    const digits = new ProceduralDigits({ length: 20, seed: 1 });
    let calls = 0;
    const fast = [...new DataLoader(digits, { batchSize: 8 })];
    const slow = [...new DataLoader(digits, { batchSize: 8, collateFn: (s) => { calls++; return defaultCollate(s); } })];
    expect(calls).toBe(3);
    expect(fast.map(([im, lab]) => [im.shape, im.toArray(), lab.toArray()])).toEqual(slow.map(([im, lab]) => [im.shape, im.toArray(), lab.toArray()]));
    expect(fast[0]![0].shape).toEqual([8, 1, 28, 28]);
  });

  it('collates nested samples field by field', () => {
    const [b0] = [...new DataLoader(new Records(), { batchSize: 3 })];
    expect(b0!.id.toArray()).toEqual([0, 1, 2]);
    expect(b0!.name).toEqual(['r0', 'r1', 'r2']);
    expect(b0!.point[0].toArray()).toEqual([0, 2, 4]);
    expect(b0!.point[1].toArray()).toEqual([[0, -0], [1, -1], [2, -2]]);
  });

  it('takes a sampler, a batch sampler or a custom collateFn', () => {
    const s = new DataLoader(ds, { batchSize: 2, sampler: [9, 8, 1] });
    expect(labels([...s] as [Tensor, Tensor][])).toEqual([[9, 8], [1]]);
    const bsl = new DataLoader(ds, { batchSampler: [[0, 5], [7], [2, 2, 2]] });
    expect(labels([...bsl] as [Tensor, Tensor][])).toEqual([[0, 5], [7], [2, 2, 2]]);
    expect(bsl.length).toBe(3);
    const bs = new DataLoader(ds, { batchSampler: new BatchSampler(new SequentialSampler(ds), 4, true) });
    expect(bs.length).toBe(2);
    const w = new DataLoader(ds, { batchSize: 5, sampler: new WeightedRandomSampler([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], 10, { generator: gen(1) }) });
    expect(labels([...w] as [Tensor, Tensor][])).toEqual([[2, 2, 2, 2, 2], [2, 2, 2, 2, 2]]);
    const sums = new DataLoader(ds, { batchSize: 4, collateFn: (items) => items.reduce((a, [, t]) => a + (t.item() as number), 0) });
    expect([...sums]).toEqual([6, 22, 17]);
  });

  it('passes samples one by one when batchSize is null', () => {
    const l = new DataLoader(new Records(), { batchSize: null });
    expect(l.length).toBe(5);
    const got = [...l] as unknown as { id: number }[];
    expect(got.map((r) => r.id)).toEqual([0, 1, 2, 3, 4]);
  });

  it('iterates asynchronously with the same batches', async () => {
    const l = new DataLoader(ds, { batchSize: 4, shuffle: true, generator: gen(3) });
    const sync = labels([...new DataLoader(ds, { batchSize: 4, shuffle: true, generator: gen(3) })] as [Tensor, Tensor][]);
    const got: number[][] = [];
    for await (const [, yb] of l as AsyncIterable<[Tensor, Tensor]>) got.push(yb.toArray() as number[]);
    expect(got).toEqual(sync);
  });

  it('batches an IterableDataset, sync and async', async () => {
    const stream = IterableDataset.from(() => [1, 2, 3, 4, 5].map((v) => ({ v })));
    const l = new DataLoader(stream, { batchSize: 2 });
    expect([...l].map((b) => b.v.toArray())).toEqual([[1, 2], [3, 4], [5]]);
    expect(() => l.length).toThrow(/length is not known for an IterableDataset without a length/);
    const dl = new DataLoader(stream, { batchSize: 2, dropLast: true });
    expect([...dl].map((b) => b.v.toArray())).toEqual([[1, 2], [3, 4]]);
    const asyncStream = IterableDataset.from(async function* () { for (let i = 0; i < 3; i++) yield i; });
    const got: unknown[] = [];
    for await (const b of new DataLoader(asyncStream, { batchSize: 2 })) got.push(b.toArray());
    expect(got).toEqual([[0, 1], [2]]);
    expect(() => [...new DataLoader(asyncStream, { batchSize: 2 })]).toThrow(/only async-iterable/);
    class Sized extends IterableDataset<number> {
      override readonly length = 5;
      override *[Symbol.iterator]() { yield* [1, 2, 3, 4, 5]; }
    }
    expect(new DataLoader(new Sized(), { batchSize: 2 }).length).toBe(3);
  });

  it('checks its options, naming them', () => {
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/DataLoader: batchSize must be a positive integer, got number 0/);
    expect(() => new DataLoader(ds, { shuffle: true, sampler: [0] })).toThrow(/sampler is mutually exclusive with shuffle/);
    expect(() => new DataLoader(ds, { batchSampler: [[0]], batchSize: 2 })).toThrow(/batchSampler is mutually exclusive with batchSize, shuffle, sampler and dropLast/);
    expect(() => new DataLoader(ds, { numWorkers: -1 })).toThrow(/numWorkers must be a non-negative integer/);
    expect(() => new DataLoader(ds, { prefetchFactor: 2 })).toThrow(/prefetchFactor needs numWorkers > 0/);
    expect(() => new DataLoader(ds, { persistentWorkers: true })).toThrow(/persistentWorkers needs numWorkers > 0/);
    expect(() => new DataLoader(ds, { batchsize: 2 } as never)).toThrow(/unknown option "batchsize"/);
    expect(() => new DataLoader(ds, { generator: 3 as never })).toThrow(/generator must be a Generator/);
    expect(() => new DataLoader(ds, { collateFn: 'x' as never })).toThrow(/collateFn must be a function/);
    expect(() => new DataLoader(ds, { sampler: 5 as never })).toThrow(/sampler must be an iterable/);
    expect(() => new DataLoader({} as never)).toThrow(/expected a Dataset \(with getItem and length\) or an IterableDataset, got an object/);
    const stream = IterableDataset.from([1]);
    expect(() => new DataLoader(stream, { shuffle: true })).toThrow(/shuffle is not supported with an IterableDataset/);
    expect(() => new DataLoader(stream, { sampler: [0] })).toThrow(/sampler is not supported with an IterableDataset/);
  });

  it('reads CSV rows through the loader', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'cinder-data-'));
    try {
      writeFileSync(join(dir, 'd.csv'), 'a,b,label\n1,2,0\n3,4,1\n5,6,0\n');
      const [b] = [...new DataLoader(new CSVDataset(join(dir, 'd.csv')), { batchSize: 3 })];
      expect(b!.features.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
      expect(b!.target.dtype).toBe('int64');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
