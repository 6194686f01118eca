/** DataLoader with worker threads: same batches as in-process, errors, recipes. */
import { arange, Generator, Tensor } from '@cinder/tensor';
import { describe, expect, it } from 'vitest';
import {
  buildDataset, ConcatDataset, DataLoader, Dataset, ProceduralDigits, Subset, TensorDataset, type Collated, type DataLoaderOptions,
} from '../src/index.js';
import { makeSquares, Squares } from './fixtures/squares.js';
import { Slow } from './fixtures/slow.js';
import { AsyncCountdown, RangeStream } from './fixtures/stream.js';
import { tsWorkerOptions } from './support/workers.js';

const gen = (s: number) => new Generator().manualSeed(s);

/** Every batch as plain JS values, for comparison. */
function plain(v: unknown): unknown {
  if (v instanceof Tensor) return { dtype: v.dtype, shape: v.shape, values: v.toArray() };
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function loader<T, B = Collated<T>>(ds: Dataset<T> | RangeStream, numWorkers: number, opts: DataLoaderOptions<T, B> = {}): DataLoader<T, B> {
  return new DataLoader(ds as Dataset<T>, { ...opts, numWorkers, ...(numWorkers > 0 ? { workerOptions: tsWorkerOptions } : {}) });
}

async function collectAsync<B>(l: AsyncIterable<B>): Promise<B[]> {
  const out: B[] = [];
  for await (const b of l) out.push(b);
  return out;
}

describe('DataLoader workers', () => {
  const x = arange(0, 200).reshape(100, 2);
  const y = arange(100);
  const ds = new TensorDataset(x, y);

  it('gives the same shuffled batches as in-process loading, whatever the number of workers', async () => {
    const opts = { batchSize: 7, shuffle: true, dropLast: false };
    const ref = [...loader(ds, 0, { ...opts, generator: gen(11) })].map(plain);
    expect(ref).toHaveLength(15);
    for (const w of [1, 2, 3]) {
      expect([...loader(ds, w, { ...opts, generator: gen(11) })].map(plain), `sync, ${w} workers`).toEqual(ref);
    }
    expect((await collectAsync(loader(ds, 2, { ...opts, generator: gen(11) }))).map(plain), 'async, 2 workers').toEqual(ref);
    // The batches really are shuffled and cover the dataset once.
    const order = ref.flatMap((b) => ((b as { values: number[] }[])[1]!).values);
    expect(order).not.toEqual([...Array(100).keys()]);
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
  });

  it('keeps epochs distinct and reproducible with persistent workers', () => {
    const l = loader(ds, 2, { batchSize: 10, shuffle: true, generator: gen(5), persistentWorkers: true, prefetchFactor: 1 });
    try {
      const e1 = [...l].map(plain);
      const e2 = [...l].map(plain);
      expect(e1).not.toEqual(e2);
      const r = loader(ds, 0, { batchSize: 10, shuffle: true, generator: gen(5) });
      expect([[...r].map(plain), [...r].map(plain)]).toEqual([e1, e2]);
    } finally {
      l.close();
    }
  });

  it('starts a clean epoch after one is abandoned midway', () => {
    const l = loader(ds, 2, { batchSize: 10, generator: gen(1), persistentWorkers: true });
    try {
      for (const b of l) {
        expect(plain(b)).toEqual(plain([x.narrow(0, 0, 10), y.narrow(0, 0, 10)]));
        break;
      }
      expect([...l].map(plain)).toEqual([...loader(ds, 0, { batchSize: 10 })].map(plain));
    } finally {
      l.close();
    }
  });

  it('loads a user dataset module in the workers; a custom collateFn runs on the main thread', async () => {
    const sq = new Squares({ n: 23 });
    const ref = [...loader(sq, 0, { batchSize: 5, shuffle: true, generator: gen(2) })];
    const got = [...loader(sq, 2, { batchSize: 5, shuffle: true, generator: gen(2) })];
    expect(got.map((b) => plain({ ...b, worker: undefined }))).toEqual(ref.map((b) => plain({ ...b, worker: undefined })));
    // Batch k was loaded by worker k % 2; in-process loading reports no worker.
    expect(got.map((b) => b.worker.toArray())).toEqual(got.map((_, k) => Array(got[k]!.y.shape[0]).fill(k % 2)));
    expect(ref[0]!.worker.toArray()).toEqual([-1, -1, -1, -1, -1]);
    expect(got[0]!.name).toHaveLength(5);

    const collateFn = (items: { y: number }[]) => items.map((s) => s.y * 10);
    const c0 = [...loader(sq, 0, { batchSize: 4, collateFn })];
    const c2 = await collectAsync(loader(sq, 2, { batchSize: 4, collateFn }));
    expect(c2).toEqual(c0);
    expect(c0[5]).toEqual([200, 210, 220]);
  });

  it('passes single samples when batching is off', () => {
    const sq = new Squares({ n: 6 });
    const got = [...loader(sq, 2, { batchSize: null })];
    expect(got.map((s) => s.y as unknown as number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect((got[3]!.x as Tensor).toArray()).toEqual([3, 9]);
  });

  it('builds Subset and ConcatDataset recipes, and factory exports', async () => {
    const sub = new Subset(ds, [5, 3, 99, 0]);
    const cat = new ConcatDataset([sub, ds]);
    expect([...loader(cat, 2, { batchSize: 3 })].map(plain)).toEqual([...loader(cat, 0, { batchSize: 3 })].map(plain));
    const built = (await buildDataset({ module: new URL('./fixtures/squares.ts', import.meta.url), exportName: 'makeSquares', args: [4] })) as Squares;
    expect(built.length).toBe(4);
    expect(makeSquares(4).getItem(2).y).toBe(built.getItem(2).y);
  });

  it('re-creates built-in datasets in the workers', () => {
    const digits = new ProceduralDigits({ length: 50, seed: 3 });
    const a = [...loader(digits, 2, { batchSize: 16, shuffle: true, generator: gen(4) })].map(plain);
    const b = [...loader(digits, 0, { batchSize: 16, shuffle: true, generator: gen(4) })].map(plain);
    expect(a).toEqual(b);
  });

  it('streams an IterableDataset from each worker, interleaving their batches', async () => {
    const stream = new RangeStream(0, 10);
    const flat = (bs: Tensor[]) => bs.map((b) => b.toArray());
    // Worker 0 yields 0, 2, 4, 6, 8 and worker 1 yields 1, 3, 5, 7, 9; batches alternate.
    expect(flat([...loader(stream, 2, { batchSize: 2 })] as Tensor[])).toEqual([[0, 2], [1, 3], [4, 6], [5, 7], [8], [9]]);
    expect(flat([...loader(stream, 2, { batchSize: 2, dropLast: true })] as Tensor[])).toEqual([[0, 2], [1, 3], [4, 6], [5, 7]]);
    expect(flat([...loader(stream, 0, { batchSize: 4 })] as Tensor[])).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect([...loader(stream, 2, { batchSize: null })]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const asyncOnly = new AsyncCountdown(5);
    const got = await collectAsync(new DataLoader(asyncOnly, { batchSize: 2, numWorkers: 1, workerOptions: tsWorkerOptions }));
    expect(flat(got as Tensor[])).toEqual([[5, 4], [3, 2], [1]]);
  });

  it('reports an error raised in a worker, naming the worker and the cause', async () => {
    const sq = new Squares({ n: 20, failAt: 13 });
    const run = () => [...loader(sq, 2, { batchSize: 4 })];
    expect(run).toThrow(/DataLoader worker [01]: Squares: refusing index 13/);
    await expect(collectAsync(loader(sq, 2, { batchSize: 4 }))).rejects.toThrow(/refusing index 13/);
    await expect(buildDataset({ module: new URL('./fixtures/squares.ts', import.meta.url), exportName: 'Nope' })).rejects.toThrow(/has no export "Nope"/);
  });

  it('reports a dataset module that cannot be loaded in the worker', () => {
    class Broken extends Dataset<number> {
      get length() { return 3; }
      getItem(i: number) { return i; }
      override workerRecipe() { return { module: '/nonexistent/dataset-module.js', exportName: 'X' }; }
    }
    expect(() => [...loader(new Broken(), 1, { batchSize: 2 })]).toThrow(/DataLoader worker 0: cannot re-create the dataset: Cannot find module '\/nonexistent\/dataset-module.js'/);
  });

  it('checks preload modules', () => {
    expect(() => [...new DataLoader(ds, { numWorkers: 1, workerOptions: { preload: ['relative/hooks.mjs'] } })]).toThrow(
      /module "relative\/hooks.mjs" must be a file URL or an absolute path/,
    );
  });

  it('refuses datasets that workers cannot re-create, saying what can', () => {
    class Local extends Dataset<number> {
      get length() { return 3; }
      getItem(i: number) { return i; }
    }
    expect(() => [...new DataLoader(new Local(), { numWorkers: 2 })]).toThrow(/numWorkers=2 needs a dataset that worker threads can re-create.*workerRecipe\(\)/s);
    const fnTransform = new ProceduralDigits({ length: 4, transform: (t) => t });
    expect(() => [...new DataLoader(fnTransform, { numWorkers: 1 })]).toThrow(/cannot/);
  });

  it('gives up after timeout milliseconds', () => {
    expect(() => [...loader(new Slow({ n: 4 }), 1, { batchSize: 1, timeout: 50 })]).toThrow(/timed out after 50 ms/);
  });
});
