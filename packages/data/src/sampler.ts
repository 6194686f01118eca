/**
 * Samplers choose the order in which DataLoader visits a map-style dataset
 * (torch.utils.data.Sampler and friends). Each is an iterable of indices with a `length`; each new
 * iteration is a new epoch (a fresh permutation for the random ones, drawn from the generator).
 */
import { multinomial, randint, randperm, Tensor, tensor, type Generator } from '@cinder/tensor';
import { checkNonNegInt, checkPosInt, describe, toIndexArray } from './util.js';

/** Anything with a length: a dataset, an array. */
export interface Sized {
  readonly length: number;
}

/** An iterable of indices with a length (the number of indices one pass yields). */
export abstract class Sampler<I = number> implements Iterable<I> {
  abstract [Symbol.iterator](): Iterator<I>;
  abstract get length(): number;
}

function sizeOf(op: string, source: Sized): number {
  const n = (source as { length?: unknown } | null)?.length;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new TypeError(`${op}: expected a data source with a length, got ${describe(source)}`);
  return n;
}

function checkGenerator(op: string, g: unknown): Generator | undefined {
  if (g === undefined) return undefined;
  if (g === null || typeof g !== 'object' || typeof (g as Generator).manualSeed !== 'function') {
    throw new TypeError(`${op}: generator must be a Generator from @cinder/tensor, got ${describe(g)}`);
  }
  return g as Generator;
}

function int64s(t: Tensor): number[] {
  return Array.from(t.data() as BigInt64Array, Number);
}

/** 0, 1, ..., n - 1. */
export class SequentialSampler extends Sampler {
  constructor(private readonly dataSource: Sized) {
    super();
    sizeOf('SequentialSampler', dataSource);
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    for (let i = 0; i < n; i++) yield i;
  }
  get length(): number {
    return this.dataSource.length;
  }
}

export interface RandomSamplerOptions {
  /** Draw with replacement (default false: a permutation). */
  replacement?: boolean;
  /** How many indices one pass yields (default: the data source's length). */
  numSamples?: number;
  /** The generator to draw from (default: the global one, seeded by manualSeed). */
  generator?: Generator;
}

/**
 * Random order. Without replacement each pass is a permutation (numSamples beyond the length gives
 * whole permutations one after another, then part of one); with replacement, independent uniform draws.
 */
export class RandomSampler extends Sampler {
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  private readonly _numSamples: number | undefined;
  constructor(private readonly dataSource: Sized, opts: RandomSamplerOptions = {}) {
    super();
    const op = 'RandomSampler';
    sizeOf(op, dataSource);
    if (opts.replacement !== undefined && typeof opts.replacement !== 'boolean') throw new TypeError(`${op}: replacement must be a boolean, got ${describe(opts.replacement)}`);
    this.replacement = opts.replacement ?? false;
    this._numSamples = opts.numSamples === undefined ? undefined : checkPosInt(op, 'numSamples', opts.numSamples);
    this.generator = checkGenerator(op, opts.generator);
  }
  get length(): number {
    return this._numSamples ?? this.dataSource.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    const total = this.length;
    if (total === 0) return;
    if (n === 0) throw new RangeError(`RandomSampler: cannot draw ${total} samples from an empty data source`);
    const g = { generator: this.generator };
    if (this.replacement) {
      yield* int64s(randint(0, n, [total], g));
      return;
    }
    for (let left = total; left > 0; left -= n) {
      const perm = int64s(randperm(n, g));
      yield* left >= n ? perm : perm.slice(0, left);
    }
  }
}

/** A random permutation of the given indices each pass. */
export class SubsetRandomSampler extends Sampler {
  readonly indices: readonly number[];
  readonly generator: Generator | undefined;
  constructor(indices: readonly number[] | Tensor, opts: { generator?: Generator } = {}) {
    super();
    this.indices = toIndexArray('SubsetRandomSampler', indices);
    this.generator = checkGenerator('SubsetRandomSampler', opts.generator);
  }
  get length(): number {
    return this.indices.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    if (this.indices.length === 0) return;
    for (const k of int64s(randperm(this.indices.length, { generator: this.generator }))) yield this.indices[k]!;
  }
}

export interface WeightedRandomSamplerOptions {
  /** Draw with replacement (default true). */
  replacement?: boolean;
  generator?: Generator;
}

/**
 * Indices 0..weights.length-1 drawn with probability proportional to their weight (weights need
 * not sum to 1). Without replacement, numSamples may not exceed the number of positive weights.
 */
export class WeightedRandomSampler extends Sampler {
  readonly weights: Tensor;
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  constructor(weights: readonly number[] | Tensor, numSamples: number, opts: WeightedRandomSamplerOptions = {}) {
    super();
    const op = 'WeightedRandomSampler';
    let w: Tensor;
    if (weights instanceof Tensor) {
      if (weights.ndim !== 1) throw new RangeError(`${op}: weights must be 1-d, got shape [${weights.shape.join(', ')}]`);
      w = weights.to('float64');
    } else if (Array.isArray(weights)) {
      for (const x of weights) if (typeof x !== 'number') throw new TypeError(`${op}: weights must be numbers, got ${describe(x)}`);
      w = tensor(weights as number[], { dtype: 'float64' });
    } else {
      throw new TypeError(`${op}: weights must be an array of numbers or a 1-d tensor, got ${describe(weights)}`);
    }
    const vals = w.data() as Float64Array;
    if (vals.length === 0) throw new RangeError(`${op}: weights must not be empty`);
    let positive = 0;
    for (const x of vals) {
      if (!Number.isFinite(x) || x < 0) throw new RangeError(`${op}: weights must be finite and non-negative, got ${x}`);
      if (x > 0) positive++;
    }
    if (positive === 0) throw new RangeError(`${op}: at least one weight must be positive`);
    this.numSamples = checkPosInt(op, 'numSamples', numSamples);
    if (opts.replacement !== undefined && typeof opts.replacement !== 'boolean') throw new TypeError(`${op}: replacement must be a boolean, got ${describe(opts.replacement)}`);
    this.replacement = opts.replacement ?? true;
    if (!this.replacement && this.numSamples > positive) {
      throw new RangeError(`${op}: cannot draw ${this.numSamples} samples without replacement from ${positive} positive weights`);
    }
    this.weights = w;
    this.generator = checkGenerator(op, opts.generator);
  }
  get length(): number {
    return this.numSamples;
  }
  *[Symbol.iterator](): Iterator<number> {
    yield* int64s(multinomial(this.weights, this.numSamples, { replacement: this.replacement, generator: this.generator }));
  }
}

/**
 * Groups another sampler's indices into batches of `batchSize` (the last one smaller unless
 * `dropLast`).
 * @example
 * ```ts
 * [...new BatchSampler(new SequentialSampler({ length: 5 }), 2, false)]; // [[0, 1], [2, 3], [4]]
 * ```
 */
export class BatchSampler extends Sampler<number[]> {
  readonly sampler: Iterable<number> & { readonly length?: number };
  readonly batchSize: number;
  readonly dropLast: boolean;
  constructor(sampler: Iterable<number> & { readonly length?: number }, batchSize: number, dropLast = false) {
    super();
    const op = 'BatchSampler';
    if (sampler === null || typeof sampler !== 'object' || typeof (sampler as Iterable<number>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${op}: sampler must be an iterable of indices, got ${describe(sampler)}`);
    }
    this.sampler = sampler;
    this.batchSize = checkPosInt(op, 'batchSize', batchSize);
    if (typeof dropLast !== 'boolean') throw new TypeError(`${op}: dropLast must be a boolean, got ${describe(dropLast)}`);
    this.dropLast = dropLast;
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
  get length(): number {
    const n = this.sampler.length;
    if (typeof n !== 'number') throw new TypeError('BatchSampler: length is not known: the wrapped sampler has no length');
    checkNonNegInt('BatchSampler', 'sampler length', n);
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
}
