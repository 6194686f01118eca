/**
 * DataLoader: batches of a dataset in sampler order (torch.utils.data.DataLoader), in-process or
 * prefetched by worker threads.
 */
import { randint, type Generator as RandomGenerator } from '@cinder/tensor';
import { defaultCollate, type Collated } from './collate.js';
import { isMapDataset, type Dataset, type DatasetRecipe, type IterableDataset } from './dataset.js';
import { BatchSampler, RandomSampler, SequentialSampler } from './sampler.js';
import { checkNonNegInt, checkPosInt, describe } from './util.js';
import { receive, WorkerPool, type WorkerMode, type WorkerThreadOptions } from './workers.js';

/** An iterable of indices (a Sampler, an array...), optionally with a length. */
export type IndexSampler = Iterable<number> & { readonly length?: number };
/** An iterable of index lists, one per batch, optionally with a length. */
export type IndexBatchSampler = Iterable<readonly number[]> & { readonly length?: number };

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); null turns batching off: each sample is passed on by itself. */
  batchSize?: number | null;
  /** Reshuffle at every epoch (default false). Not with `sampler`. */
  shuffle?: boolean;
  /** The order of indices (map-style datasets). Not with `shuffle`. */
  sampler?: IndexSampler;
  /** Index lists, one per batch. Not with batchSize, shuffle, sampler or dropLast. */
  batchSampler?: IndexBatchSampler;
  /** Worker threads that load batches ahead (default 0: load in this thread when asked). */
  numWorkers?: number;
  /** Merges a list of samples into a batch (default: defaultCollate). */
  collateFn?: (samples: T[]) => B;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The generator behind shuffling and the workers' seeds; the same seed gives the same batches. */
  generator?: RandomGenerator;
  /** Batches each worker loads ahead (default 2; only with numWorkers > 0). */
  prefetchFactor?: number;
  /** Keep the workers (and their copies of the dataset) from one epoch to the next (default false). */
  persistentWorkers?: boolean;
  /** Milliseconds to wait for a batch from the workers before failing (default 0: no limit). */
  timeout?: number;
  /** Worker thread settings: execArgv, env, resourceLimits, stdout, stderr (as for `new Worker`), and modules to preload. */
  workerOptions?: WorkerThreadOptions;
}

type AnyDataset<T> = Dataset<T> | IterableDataset<T>;

const SEED_RANGE = 2 ** 31 - 1;

/**
 * Iterates a dataset in batches. Each `for...of` / `for await` over the loader is one epoch.
 *
 * With `numWorkers > 0`, worker threads each build their own copy of the dataset (see
 * `Dataset.workerRecipe`) and load whole batches ahead of the training loop, `prefetchFactor`
 * each; batches come back in sampler order, so the batches are the same whatever the number of
 * workers.
 * @example
 * ```ts
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true, generator: new Generator().manualSeed(0) });
 * for (const [xb, yb] of loader) { ... }
 * ```
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: AnyDataset<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly persistentWorkers: boolean;
  readonly timeout: number;
  readonly generator: RandomGenerator | undefined;
  readonly collateFn: ((samples: T[]) => B) | undefined;
  /** The index sampler (map-style datasets when batchSampler is not given). */
  readonly sampler: IndexSampler | undefined;
  /** The batch sampler (map-style datasets with batching). */
  readonly batchSampler: IndexBatchSampler | undefined;
  private readonly isIterable: boolean;
  private readonly workerOptions: WorkerThreadOptions | undefined;
  private pool: WorkerPool | null = null;

  constructor(dataset: AnyDataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    const op = 'DataLoader';
    if (opts === null || typeof opts !== 'object') throw new TypeError(`${op}: options must be an object, got ${describe(opts)}`);
    const isMap = isMapDataset(dataset);
    const isIter = !isMap && dataset !== null && typeof dataset === 'object'
      && (typeof (dataset as Partial<Iterable<T>>)[Symbol.iterator] === 'function' || typeof (dataset as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === 'function');
    if (!isMap && !isIter) throw new TypeError(`${op}: expected a Dataset (with getItem and length) or an IterableDataset, got ${describe(dataset)}`);
    this.dataset = dataset;
    this.isIterable = isIter;

    const known = new Set(['batchSize', 'shuffle', 'sampler', 'batchSampler', 'numWorkers', 'collateFn', 'dropLast', 'generator',
      'prefetchFactor', 'persistentWorkers', 'timeout', 'workerOptions']);
    for (const k of Object.keys(opts)) if (!known.has(k)) throw new TypeError(`${op}: unknown option ${JSON.stringify(k)}`);

    const bs = opts.batchSize === undefined ? 1 : opts.batchSize === null ? null : checkPosInt(op, 'batchSize', opts.batchSize);
    const shuffle = opts.shuffle ?? false;
    if (typeof shuffle !== 'boolean') throw new TypeError(`${op}: shuffle must be a boolean, got ${describe(shuffle)}`);
    const dropLast = opts.dropLast ?? false;
    if (typeof dropLast !== 'boolean') throw new TypeError(`${op}: dropLast must be a boolean, got ${describe(dropLast)}`);
    if (opts.generator !== undefined && (opts.generator === null || typeof opts.generator !== 'object' || typeof opts.generator.manualSeed !== 'function')) {
      throw new TypeError(`${op}: generator must be a Generator from @cinder/tensor, got ${describe(opts.generator)}`);
    }
    if (opts.collateFn !== undefined && typeof opts.collateFn !== 'function') throw new TypeError(`${op}: collateFn must be a function, got ${describe(opts.collateFn)}`);
    this.numWorkers = checkNonNegInt(op, 'numWorkers', opts.numWorkers ?? 0);
    if (opts.prefetchFactor !== undefined && this.numWorkers === 0) {
      throw new TypeError(`${op}: prefetchFactor needs numWorkers > 0 (batches are loaded ahead only by workers)`);
    }
    this.prefetchFactor = checkPosInt(op, 'prefetchFactor', opts.prefetchFactor ?? 2);
    this.persistentWorkers = opts.persistentWorkers ?? false;
    if (typeof this.persistentWorkers !== 'boolean') throw new TypeError(`${op}: persistentWorkers must be a boolean, got ${describe(opts.persistentWorkers)}`);
    if (this.persistentWorkers && this.numWorkers === 0) throw new TypeError(`${op}: persistentWorkers needs numWorkers > 0`);
    this.timeout = checkNonNegInt(op, 'timeout', opts.timeout ?? 0);
    this.workerOptions = opts.workerOptions;
    this.generator = opts.generator;
    this.collateFn = opts.collateFn;

    if (isIter) {
      if (shuffle) throw new TypeError(`${op}: shuffle is not supported with an IterableDataset (the stream decides the order)`);
      if (opts.sampler !== undefined) throw new TypeError(`${op}: sampler is not supported with an IterableDataset`);
      if (opts.batchSampler !== undefined) throw new TypeError(`${op}: batchSampler is not supported with an IterableDataset`);
      this.batchSize = bs;
      this.dropLast = dropLast;
      return;
    }
    const ds = dataset as Dataset<T>;
    if (opts.batchSampler !== undefined) {
      if (opts.batchSize !== undefined || shuffle || opts.sampler !== undefined || dropLast) {
        throw new TypeError(`${op}: batchSampler is mutually exclusive with batchSize, shuffle, sampler and dropLast`);
      }
      checkIterable(op, 'batchSampler', opts.batchSampler);
      this.batchSampler = opts.batchSampler;
      this.batchSize = null;
      this.dropLast = false;
      return;
    }
    if (opts.sampler !== undefined && shuffle) throw new TypeError(`${op}: sampler is mutually exclusive with shuffle`);
    if (opts.sampler !== undefined) checkIterable(op, 'sampler', opts.sampler);
    this.sampler = opts.sampler ?? (shuffle ? new RandomSampler(ds, { generator: this.generator }) : new SequentialSampler(ds));
    this.batchSize = bs;
    this.dropLast = dropLast;
    if (bs !== null) this.batchSampler = new BatchSampler(this.sampler, bs, dropLast);
  }

  /** The number of batches one epoch yields (for an IterableDataset, only when it has a length). */
  get length(): number {
    if (this.batchSampler !== undefined) {
      const n = this.batchSampler.length;
      if (typeof n !== 'number') throw new TypeError('DataLoader: length is not known: the batch sampler has no length');
      return n;
    }
    const n = this.isIterable ? (this.dataset as IterableDataset<T>).length : this.sampler!.length;
    if (typeof n !== 'number') {
      throw new TypeError(this.isIterable ? 'DataLoader: length is not known for an IterableDataset without a length' : 'DataLoader: length is not known: the sampler has no length');
    }
    if (this.batchSize === null) return n;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Terminates persistent workers (they are also let go when the process exits). */
  close(): void {
    this.pool?.close();
    this.pool = null;
  }
  [Symbol.dispose](): void {
    this.close();
  }

  // ---- one epoch ----------------------------------------------------------------------------

  /** Draws this epoch's base seed for the workers; drawn whatever numWorkers, so the sampler's stream is the same either way. */
  private drawBaseSeed(): number {
    return randint(0, SEED_RANGE, [], { generator: this.generator }).item() as number;
  }

  private collateOrSingle(samples: T[]): B {
    return this.collateFn ? this.collateFn(samples) : (defaultCollate(samples) as B);
  }

  private fetchInProcess(indices: readonly number[]): B {
    const ds = this.dataset as Dataset<T>;
    if (this.collateFn === undefined && typeof ds.getBatch === 'function') return ds.getBatch(indices) as B;
    return this.collateOrSingle(indices.map((i) => ds.getItem(i)));
  }

  private single(sample: T): B {
    return this.collateFn ? this.collateFn(sample as unknown as T[]) : (sample as unknown as B);
  }

  /** Index lists for the epoch (map-style): each a batch, or one index when batching is off. */
  private *indexLists(): Generator<number[]> {
    if (this.batchSampler !== undefined) {
      for (const b of this.batchSampler) yield [...b];
    } else {
      for (const i of this.sampler!) yield [i];
    }
  }

  private workerMode(): WorkerMode {
    const custom = this.collateFn !== undefined;
    if (this.isIterable) return this.batchSize === null ? 'iterSingle' : custom ? 'iterSamples' : 'iterCollate';
    if (this.batchSize === null && this.batchSampler === undefined) return 'single';
    return custom ? 'samples' : 'collate';
  }

  private finishWorker(value: unknown): B {
    const mode = this.workerMode();
    if (mode === 'single' || mode === 'iterSingle') return this.single(value as T);
    if (mode === 'samples' || mode === 'iterSamples') return this.collateFn!(value as T[]);
    return value as B;
  }

  private openPool(): WorkerPool {
    if (this.pool !== null) return this.pool;
    const recipe: DatasetRecipe | null = this.dataset.workerRecipe?.() ?? null;
    if (recipe === null) {
      throw new TypeError(`DataLoader: numWorkers=${this.numWorkers} needs a dataset that worker threads can re-create, and ${describe(this.dataset)} cannot `
        + '(its workerRecipe() returned null). TensorDataset, MNIST, FashionMNIST, CSVDataset and ProceduralDigits can (without function options such as '
        + 'transform functions), and so can Subset and ConcatDataset of them; for your own dataset class, implement workerRecipe() to return '
        + "{ module: import.meta.url, exportName: 'MyDataset', args: [...] }. Or use numWorkers: 0 to load in this thread.");
    }
    const pool = new WorkerPool(recipe, {
      numWorkers: this.numWorkers, mode: this.workerMode(), batchSize: this.batchSize ?? 1, dropLast: this.dropLast,
      timeout: this.timeout, workerOptions: this.workerOptions,
    });
    if (this.persistentWorkers) this.pool = pool;
    return pool;
  }

  private releasePool(pool: WorkerPool): void {
    if (pool !== this.pool) pool.close();
  }

  [Symbol.iterator](): Iterator<B> {
    return this.epochSync();
  }

  [Symbol.asyncIterator](): AsyncIterator<B> {
    return this.epochAsync();
  }

  private *epochSync(): Generator<B> {
    const seed = this.drawBaseSeed();
    if (this.numWorkers > 0) {
      yield* this.isIterable ? this.iterWorkersSync(seed) : this.mapWorkersSync(seed);
      return;
    }
    if (this.isIterable) {
      const ds = this.dataset as Partial<Iterable<T>>;
      if (typeof ds[Symbol.iterator] !== 'function') throw new TypeError('DataLoader: this IterableDataset is only async-iterable; iterate the loader with for await');
      yield* this.batchStream(ds as Iterable<T>);
      return;
    }
    for (const indices of this.indexLists()) {
      yield this.batchSize === null && this.batchSampler === undefined
        ? this.single((this.dataset as Dataset<T>).getItem(indices[0]!))
        : this.fetchInProcess(indices);
    }
  }

  private async *epochAsync(): AsyncGenerator<B> {
    if (this.numWorkers === 0 && this.isIterable) {
      this.drawBaseSeed();
      const ds = this.dataset as Partial<Iterable<T> & AsyncIterable<T>>;
      if (typeof ds[Symbol.asyncIterator] === 'function') {
        yield* this.batchStreamAsync(ds as AsyncIterable<T>);
        return;
      }
      yield* this.batchStream(ds as Iterable<T>);
      return;
    }
    if (this.numWorkers === 0) {
      yield* this.epochSync();
      return;
    }
    const seed = this.drawBaseSeed();
    yield* this.isIterable ? this.iterWorkersAsync(seed) : this.mapWorkersAsync(seed);
  }

  /** Groups a stream of samples into batches (in-process IterableDataset). */
  private *batchStream(source: Iterable<T>): Generator<B> {
    if (this.batchSize === null) {
      for (const s of source) yield this.single(s);
      return;
    }
    let buf: T[] = [];
    for (const s of source) {
      buf.push(s);
      if (buf.length === this.batchSize) {
        yield this.collateOrSingle(buf);
        buf = [];
      }
    }
    if (buf.length > 0 && !this.dropLast) yield this.collateOrSingle(buf);
  }

  private async *batchStreamAsync(source: AsyncIterable<T>): AsyncGenerator<B> {
    if (this.batchSize === null) {
      for await (const s of source) yield this.single(s);
      return;
    }
    let buf: T[] = [];
    for await (const s of source) {
      buf.push(s);
      if (buf.length === this.batchSize) {
        yield this.collateOrSingle(buf);
        buf = [];
      }
    }
    if (buf.length > 0 && !this.dropLast) yield this.collateOrSingle(buf);
  }

  // ---- map-style with workers: batch k goes to worker k % numWorkers; results in order ----

  private *mapWorkersSync(seed: number): Generator<B> {
    const pool = this.openPool();
    try {
      const plan = this.mapPlan(pool, seed);
      for (let key = plan.nextKey(); key !== null; key = plan.nextKey()) {
        const r = pool.waitSync(key);
        plan.refill();
        yield this.finishWorker(receive(r));
      }
    } finally {
      this.releasePool(pool);
    }
  }

  private async *mapWorkersAsync(seed: number): AsyncGenerator<B> {
    const pool = this.openPool();
    try {
      const plan = this.mapPlan(pool, seed);
      for (let key = plan.nextKey(); key !== null; key = plan.nextKey()) {
        const r = await pool.waitAsync(key);
        plan.refill();
        yield this.finishWorker(receive(r));
      }
    } finally {
      this.releasePool(pool);
    }
  }

  private mapPlan(pool: WorkerPool, seed: number): { nextKey(): string | null; refill(): void } {
    const epoch = pool.startEpoch(seed);
    const lists = this.indexLists();
    const ahead = this.prefetchFactor * pool.numWorkers;
    let sent = 0;
    let consumed = 0;
    let exhausted = false;
    const refill = (): void => {
      while (!exhausted && sent - consumed < ahead) {
        const r = lists.next();
        if (r.done) {
          exhausted = true;
          break;
        }
        pool.fetch(sent % pool.numWorkers, `${epoch}:${sent}`, r.value);
        sent++;
      }
    };
    refill();
    return {
      nextKey: () => (consumed < sent ? `${epoch}:${consumed++}` : null),
      refill,
    };
  }

  // ---- IterableDataset with workers: each worker streams its copy; batches round-robin ----

  private iterPlan(pool: WorkerPool, seed: number) {
    const epoch = pool.startEpoch(seed);
    const W = pool.numWorkers;
    const asked = new Array<number>(W).fill(0);
    const ended = new Array<boolean>(W).fill(false);
    const queue: { w: number; key: string }[] = [];
    const ask = (w: number): void => {
      const key = `${epoch}:${w}:${asked[w]!++}`;
      pool.next(w, key);
      queue.push({ w, key });
    };
    for (let k = 0; k < this.prefetchFactor; k++) for (let w = 0; w < W; w++) ask(w);
    return {
      /** The next pending request of a worker that has not ended, or null when all have. */
      head: (): { w: number; key: string } | null => {
        while (queue.length > 0) {
          const h = queue.shift()!;
          if (!ended[h.w]) return h;
        }
        return null;
      },
      ended,
      ask,
    };
  }

  private *iterWorkersSync(seed: number): Generator<B> {
    const pool = this.openPool();
    try {
      const plan = this.iterPlan(pool, seed);
      for (let h = plan.head(); h !== null; h = plan.head()) {
        const r = pool.waitSync(h.key);
        if (r.ok && r.end) {
          plan.ended[h.w] = true;
          continue;
        }
        plan.ask(h.w);
        yield this.finishWorker(receive(r));
      }
    } finally {
      this.releasePool(pool);
    }
  }

  private async *iterWorkersAsync(seed: number): AsyncGenerator<B> {
    const pool = this.openPool();
    try {
      const plan = this.iterPlan(pool, seed);
      for (let h = plan.head(); h !== null; h = plan.head()) {
        const r = await pool.waitAsync(h.key);
        if (r.ok && r.end) {
          plan.ended[h.w] = true;
          continue;
        }
        plan.ask(h.w);
        yield this.finishWorker(receive(r));
      }
    } finally {
      this.releasePool(pool);
    }
  }
}

function checkIterable(op: string, name: string, v: unknown): void {
  if (v === null || typeof v !== 'object' || typeof (v as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${op}: ${name} must be an iterable, got ${describe(v)}`);
  }
}
