/**
 * Datasets, as in torch.utils.data: a map-style `Dataset` (a length and `getItem(i)`), an
 * `IterableDataset` for streams, and the combinators TensorDataset, Subset, ConcatDataset and
 * randomSplit.
 */
import { randperm, Tensor, type Generator } from '@cinder/tensor';
import { packTensor, type PackedTensor } from './transport.js';
import { describe, indexTensor, normIndex, toIndexArray } from './util.js';

/**
 * How a worker thread re-creates a dataset: `new module[exportName](...args)` (or
 * `await module[exportName](...args)` when the export is a plain factory function). `module` is a
 * file URL or an absolute path of an ES module; `args` must survive structured clone (numbers,
 * strings, plain objects, arrays, typed arrays: no functions, no class instances).
 */
export interface ModuleRecipe {
  kind?: 'module';
  module: string | URL;
  /** The export to use; `'default'` when omitted. */
  exportName?: string;
  args?: readonly unknown[];
}
/** A TensorDataset's tensors, copied once into shared memory for the workers. */
export interface TensorsRecipe {
  kind: 'tensors';
  tensors: PackedTensor[];
}
export interface SubsetRecipe {
  kind: 'subset';
  dataset: DatasetRecipe;
  indices: number[];
}
export interface ConcatRecipe {
  kind: 'concat';
  datasets: DatasetRecipe[];
}
/** What DataLoader's workers need to build their own copy of a dataset. */
export type DatasetRecipe = ModuleRecipe | TensorsRecipe | SubsetRecipe | ConcatRecipe;

/**
 * A map-style dataset: `length` samples, `getItem(i)` for 0 <= i < length. Subclasses implement
 * both; iterating a dataset yields its samples in order.
 *
 * Two optional hooks make loading faster or parallel:
 * - `getBatch(indices)` returns the batch that `defaultCollate(indices.map(i => getItem(i)))` would
 *   return, in one step (DataLoader uses it when no custom `collateFn` is given);
 * - `workerRecipe()` says how a worker thread can re-create the dataset (DataLoader's `numWorkers`).
 * @example
 * ```ts
 * class Squares extends Dataset<[number, number]> {
 *   get length() { return 10; }
 *   getItem(i: number): [number, number] { return [i, i * i]; }
 * }
 * ```
 */
export abstract class Dataset<T> implements Iterable<T> {
  abstract get length(): number;
  abstract getItem(index: number): T;
  /** The collated batch of these samples in one step; see the class comment. */
  getBatch?(indices: readonly number[]): unknown;

  /** How worker threads re-create this dataset, or null when they cannot (the default). */
  workerRecipe(): DatasetRecipe | null {
    return null;
  }

  *[Symbol.iterator](): Iterator<T> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this.getItem(i);
  }
}

/**
 * A dataset of streamed samples (torch.utils.data.IterableDataset): implement
 * `[Symbol.iterator]` (usable by `for...of` and `for await`) or `[Symbol.asyncIterator]` (only
 * `for await`). With DataLoader workers, each worker iterates its own copy; use
 * `getWorkerInfo()` inside the iterator to give each worker its share of the stream.
 */
export abstract class IterableDataset<T> {
  /** The number of samples, when known (it gives DataLoader a length). */
  readonly length?: number;
  [Symbol.iterator]?(): Iterator<T>;
  [Symbol.asyncIterator]?(): AsyncIterator<T>;

  /** How worker threads re-create this dataset, or null when they cannot (the default). */
  workerRecipe(): ModuleRecipe | null {
    return null;
  }

  /**
   * An IterableDataset over an iterable, an async iterable, or a function returning a fresh one
   * for each pass (an iterable that is also its own iterator, like a generator object, can be
   * passed over once only).
   */
  static from<T>(source: Iterable<T> | AsyncIterable<T> | (() => Iterable<T> | AsyncIterable<T>)): IterableDataset<T> {
    return new SourceIterableDataset(source);
  }
}

class SourceIterableDataset<T> extends IterableDataset<T> {
  constructor(private readonly source: Iterable<T> | AsyncIterable<T> | (() => Iterable<T> | AsyncIterable<T>)) {
    super();
    const ok = typeof source === 'function'
      || (source !== null && typeof source === 'object' && (Symbol.iterator in source || Symbol.asyncIterator in source));
    if (!ok) throw new TypeError(`IterableDataset.from: expected an iterable, an async iterable or a function returning one, got ${describe(source)}`);
  }
  private open(): Iterable<T> | AsyncIterable<T> {
    const s = typeof this.source === 'function' ? this.source() : this.source;
    if (s === null || typeof s !== 'object' || !(Symbol.iterator in s || Symbol.asyncIterator in s)) {
      throw new TypeError(`IterableDataset.from: the source function returned ${describe(s)}, not an iterable`);
    }
    return s;
  }
  override [Symbol.iterator](): Iterator<T> {
    const s = this.open();
    if (!(Symbol.iterator in s)) throw new TypeError('IterableDataset: this source is only async-iterable; iterate it with for await');
    return (s as Iterable<T>)[Symbol.iterator]();
  }
  override [Symbol.asyncIterator](): AsyncIterator<T> {
    const s = this.open();
    if (Symbol.asyncIterator in s) return (s as AsyncIterable<T>)[Symbol.asyncIterator]();
    const it = (s as Iterable<T>)[Symbol.iterator]();
    return {
      next: async () => it.next(),
      return: async (v?: unknown) => it.return?.(v) ?? { done: true, value: undefined },
    } as AsyncIterator<T>;
  }
}

/** True for map-style datasets (anything with a getItem method and a numeric length). */
export function isMapDataset(d: unknown): d is Dataset<unknown> {
  return d !== null && typeof d === 'object' && typeof (d as Dataset<unknown>).getItem === 'function';
}

/**
 * Samples are rows of the given tensors (torch.utils.data.TensorDataset): item i is
 * `[t0[i], t1[i], ...]`, views into the tensors. All tensors must have the same size in dim 0.
 * @example
 * ```ts
 * const ds = new TensorDataset(randn([100, 3]), randint(0, 2, [100]));
 * const [x, y] = ds.getItem(0); // shapes [3] and []
 * ```
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> extends Dataset<T> {
  readonly tensors: T;
  constructor(...tensors: T) {
    super();
    const op = 'TensorDataset';
    if (tensors.length === 0) throw new TypeError(`${op}: expected at least one tensor`);
    tensors.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw new TypeError(`${op}: argument ${k} must be a tensor, got ${describe(t)}`);
      if (t.ndim === 0) throw new RangeError(`${op}: argument ${k} is a 0-d tensor; each tensor needs a first dim indexing the samples`);
    });
    const n = tensors[0]!.shape[0]!;
    for (const t of tensors) {
      if (t.shape[0] !== n) {
        throw new RangeError(`${op}: size mismatch between tensors: shapes ${tensors.map((x) => `[${x.shape.join(', ')}]`).join(', ')} (all must have the same size in dim 0)`);
      }
    }
    this.tensors = tensors;
  }
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }
  getItem(index: number): T {
    const i = normIndex('TensorDataset.getItem', index, this.length);
    return this.tensors.map((t) => t.select(0, i)) as T;
  }
  override getBatch(indices: readonly number[]): Tensor[] {
    const n = this.length;
    const idx = indexTensor(indices.map((i) => normIndex('TensorDataset.getBatch', i, n)));
    const out = this.tensors.map((t) => t.indexSelect(0, idx));
    idx.dispose();
    return out;
  }
  override workerRecipe(): TensorsRecipe {
    return { kind: 'tensors', tensors: this.tensors.map((t) => packTensor(t, 'shared')) };
  }
}

/**
 * The samples of `dataset` at `indices`, in that order (torch.utils.data.Subset).
 */
export class Subset<T> extends Dataset<T> {
  readonly dataset: Dataset<T>;
  readonly indices: readonly number[];
  constructor(dataset: Dataset<T>, indices: readonly number[] | Tensor) {
    super();
    if (!isMapDataset(dataset)) throw new TypeError(`Subset: expected a map-style dataset, got ${describe(dataset)}`);
    const idx = toIndexArray('Subset', indices);
    const n = dataset.length;
    this.indices = idx.map((i) => normIndex('Subset', i, n));
    this.dataset = dataset;
  }
  get length(): number {
    return this.indices.length;
  }
  getItem(index: number): T {
    return this.dataset.getItem(this.indices[normIndex('Subset.getItem', index, this.indices.length)]!);
  }
  override workerRecipe(): DatasetRecipe | null {
    const inner = this.dataset.workerRecipe();
    return inner === null ? null : { kind: 'subset', dataset: inner, indices: [...this.indices] };
  }
}
// Subset forwards getBatch only when the wrapped dataset has it.
Object.defineProperty(Subset.prototype, 'getBatch', {
  configurable: true,
  get(this: Subset<unknown>) {
    const inner = this.dataset;
    if (typeof inner.getBatch !== 'function') return undefined;
    return (indices: readonly number[]) => {
      const n = this.indices.length;
      return inner.getBatch!(indices.map((i) => this.indices[normIndex('Subset.getBatch', i, n)]!));
    };
  },
});

/** The datasets one after the other (torch.utils.data.ConcatDataset). */
export class ConcatDataset<T> extends Dataset<T> {
  readonly datasets: readonly Dataset<T>[];
  /** cumulativeSizes[k]: the number of samples in datasets 0..k. */
  readonly cumulativeSizes: readonly number[];
  constructor(datasets: readonly Dataset<T>[]) {
    super();
    if (!Array.isArray(datasets) || datasets.length === 0) throw new TypeError('ConcatDataset: expected a non-empty array of datasets');
    const sizes: number[] = [];
    let total = 0;
    datasets.forEach((d, k) => {
      if (!isMapDataset(d)) throw new TypeError(`ConcatDataset: datasets[${k}] is ${describe(d)}, not a map-style dataset (IterableDataset is not supported here)`);
      total += d.length;
      sizes.push(total);
    });
    this.datasets = [...datasets];
    this.cumulativeSizes = sizes;
  }
  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }
  getItem(index: number): T {
    const i = normIndex('ConcatDataset.getItem', index, this.length);
    // First dataset whose cumulative size exceeds i.
    let lo = 0, hi = this.cumulativeSizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid]! > i) hi = mid;
      else lo = mid + 1;
    }
    const start = lo === 0 ? 0 : this.cumulativeSizes[lo - 1]!;
    return this.datasets[lo]!.getItem(i - start);
  }
  override workerRecipe(): DatasetRecipe | null {
    const parts: DatasetRecipe[] = [];
    for (const d of this.datasets) {
      const r = d.workerRecipe();
      if (r === null) return null;
      parts.push(r);
    }
    return { kind: 'concat', datasets: parts };
  }
}

/**
 * Splits a dataset into non-overlapping random subsets (torch.utils.data.random_split). `lengths`
 * are counts summing to the dataset's length, or fractions summing to 1 (then each count is
 * floor(fraction * length) and the remainder goes one by one to the first subsets).
 * @example
 * ```ts
 * const [train, val] = randomSplit(ds, [0.8, 0.2], { generator: new Generator().manualSeed(42) });
 * ```
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], opts?: { generator?: Generator }): Subset<T>[] {
  const op = 'randomSplit';
  if (!isMapDataset(dataset)) throw new TypeError(`${op}: expected a map-style dataset, got ${describe(dataset)}`);
  if (!Array.isArray(lengths) || lengths.length === 0) throw new TypeError(`${op}: lengths must be a non-empty array of counts or fractions`);
  for (const l of lengths) {
    if (typeof l !== 'number' || !Number.isFinite(l) || l < 0) throw new RangeError(`${op}: lengths must be non-negative numbers, got [${lengths.join(', ')}]`);
  }
  const n = dataset.length;
  const total = lengths.reduce((a, b) => a + b, 0);
  let counts: number[];
  if (Math.abs(total - 1) < 1e-9 && total <= 1 + 1e-9 && !(lengths.every(Number.isInteger) && total === n)) {
    counts = lengths.map((f) => Math.floor(n * f));
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let k = 0; rest > 0; k = (k + 1) % counts.length, rest--) counts[k]!++;
  } else {
    if (!lengths.every(Number.isInteger)) {
      throw new RangeError(`${op}: lengths [${lengths.join(', ')}] are neither integer counts nor fractions summing to 1`);
    }
    if (total !== n) throw new RangeError(`${op}: sum of input lengths (${total}) does not equal the length of the input dataset (${n})`);
    counts = [...lengths];
  }
  const perm = Array.from(randperm(n, { generator: opts?.generator }).data() as BigInt64Array, Number);
  const out: Subset<T>[] = [];
  let at = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, perm.slice(at, at + c)));
    at += c;
  }
  return out;
}
