/**
 * BatchNorm with Sonnet's semantics: `call(x, isTraining, { testLocalStats })`; in training the
 * batch's mean and (biased) variance normalize the input and update exponential moving averages,
 * which normalize it at test time. The moving averages are zero-debiased, as Sonnet's are.
 */
import { noGrad } from '@cinder/autograd';
import { F } from '@cinder/nn';
import { zeros, type Tensor } from '@cinder/tensor';
import { Ones, Zeros, type InitializerLike } from './initializers.js';
import { describe } from './linear.js';
import { Module, moduleFloatArg } from './module.js';
import type { Variable } from './variable.js';

export interface ExponentialMovingAverageOptions {
  name?: string;
}

/**
 * A zero-debiased exponential moving average (Sonnet's snt.ExponentialMovingAverage): `hidden`
 * moves towards each value by 1 - decay and `average` is hidden / (1 - decay^counter). Its
 * variables (`counter`, `hidden`, `average`) are not trainable and are made from the first value.
 * @example
 * ```ts
 * import { tensor } from '@cinder/tensor';
 * import { ExponentialMovingAverage } from '@cinder/modules';
 * const ema = new ExponentialMovingAverage(0.5);
 * ema.call(tensor([2]));
 * console.log(ema.call(tensor([4])).toArray()); // [ 3.3333332538604736 ]
 * ```
 */
export class ExponentialMovingAverage extends Module {
  readonly decay: number;
  declare counter: Variable;
  declare hidden: Variable;
  declare average: Variable;

  constructor(decay: number, opts: ExponentialMovingAverageOptions = {}) {
    super({ name: opts.name });
    this.recordArgs(decay, opts);
    if (typeof decay !== 'number' || !(decay >= 0 && decay <= 1)) throw new RangeError(`ExponentialMovingAverage: decay must be in [0, 1], got ${String(decay)}`);
    this.decay = decay;
  }

  protected override initialize(value: Tensor): void {
    moduleFloatArg(this, 'call', value, 'value');
    const opts = { dtype: value.dtype, device: value.device, trainable: false };
    this.counter = this.createVariable('counter', [], { init: new Zeros(), ...opts, dtype: 'int64' });
    this.hidden = this.createVariable('hidden', [...value.shape], { init: new Zeros(), ...opts });
    this.average = this.createVariable('average', [...value.shape], { init: new Zeros(), ...opts });
  }

  /** Updates with `value` and returns the new average. */
  forward(value: Tensor): Tensor {
    moduleFloatArg(this, 'call', value, 'value');
    if (value.shape.length !== this.hidden.shape.length || value.shape.some((s, i) => s !== this.hidden.shape[i])) {
      throw new RangeError(`ExponentialMovingAverage '${this.scopeName}': value ${describe(value)} does not match the average's shape [${this.hidden.shape.join(', ')}]`);
    }
    noGrad(() => {
      this.counter.assignAdd(1);
      const n = Number(this.counter.item());
      this.hidden.assignSub(this.hidden.sub(value.detach()).mul(1 - this.decay));
      this.average.assign(this.hidden.div(1 - this.decay ** n));
    });
    return this.average;
  }

  /** Sets the average back to zero and the counter to 0. */
  reset(): void {
    if (!this.isCreated) return;
    this.counter.assign(0);
    this.hidden.assign(0);
    this.average.assign(0);
  }
}

export interface BatchNormOptions {
  /** The moving averages' decay (default 0.999). */
  decayRate?: number;
  /** Added to the variance (default 0.001). */
  eps?: number;
  /** Default Ones. */
  scaleInit?: InitializerLike;
  /** Default Zeros. */
  offsetInit?: InitializerLike;
  /** 'channels_last' (default; also 'NHWC', 'NWC', ...) or 'channels_first' ('NCHW', ...). */
  dataFormat?: string;
  name?: string;
}

export interface BatchNormCallOptions {
  /** When not training, normalize with the batch's statistics instead of the moving averages. */
  testLocalStats?: boolean;
  /** A scale to use when the module creates none. */
  scale?: Tensor;
  /** An offset to use when the module creates none. */
  offset?: Tensor;
}

/** true for channels last. */
export function channelsLastFormat(what: string, f: unknown): boolean {
  const v = f ?? 'channels_last';
  if (typeof v !== 'string') throw new TypeError(`${what}: dataFormat must be a string, got ${String(f)}`);
  if (v === 'channels_last' || (/^N[A-Z]*C$/.test(v) && v.length > 2)) return true;
  if (v === 'channels_first' || /^NC[A-Z]*$/.test(v)) return false;
  throw new RangeError(`${what}: dataFormat must be 'channels_last', 'channels_first' or a format such as 'NHWC' / 'NCHW', got ${JSON.stringify(f)}`);
}

/**
 * Batch normalization over every dim but the channels'.
 * @example
 * ```ts
 * import { manualSeed, randn } from '@cinder/tensor';
 * import { BatchNorm } from '@cinder/modules';
 * manualSeed(0);
 * const bn = new BatchNorm(true, true);
 * const y = bn.call(randn([16, 4, 4, 3]).mul(5).add(2), true);
 * console.log(Math.abs(y.mean().item() as number) < 1e-5, bn.variables.map((v) => v.name));
 * // true [ 'batch_norm/offset', 'batch_norm/scale', 'batch_norm/moving_mean/average', ... ]
 * const z = bn.call(randn([2, 4, 4, 3]), false); // normalized with the moving averages
 * ```
 */
export class BatchNorm extends Module {
  readonly createScale: boolean;
  readonly createOffset: boolean;
  readonly eps: number;
  readonly dataFormat: string;
  readonly movingMean: ExponentialMovingAverage;
  readonly movingVariance: ExponentialMovingAverage;
  declare scale: Variable | undefined;
  declare offset: Variable | undefined;
  #channelsLast: boolean;
  #scaleInit: InitializerLike;
  #offsetInit: InitializerLike;
  #channels = 0;

  constructor(createScale: boolean, createOffset: boolean, opts: BatchNormOptions = {}) {
    super({ name: opts.name });
    this.recordArgs(createScale, createOffset, opts);
    if (typeof createScale !== 'boolean' || typeof createOffset !== 'boolean') {
      throw new TypeError(`BatchNorm: createScale and createOffset must be booleans, got ${String(createScale)} and ${String(createOffset)}`);
    }
    this.createScale = createScale;
    this.createOffset = createOffset;
    if (!createScale && opts.scaleInit !== undefined) throw new TypeError('BatchNorm: scaleInit was given but createScale is false');
    if (!createOffset && opts.offsetInit !== undefined) throw new TypeError('BatchNorm: offsetInit was given but createOffset is false');
    this.eps = opts.eps ?? 1e-3;
    this.#channelsLast = channelsLastFormat('BatchNorm', opts.dataFormat);
    this.dataFormat = opts.dataFormat ?? 'channels_last';
    const decay = opts.decayRate ?? 0.999;
    this.movingMean = new ExponentialMovingAverage(decay, { name: 'moving_mean' });
    this.movingVariance = new ExponentialMovingAverage(decay, { name: 'moving_variance' });
    this.#scaleInit = opts.scaleInit ?? new Ones();
    this.#offsetInit = opts.offsetInit ?? new Zeros();
  }

  #channelsOf(x: unknown): number {
    const t = moduleFloatArg(this, 'call', x);
    if (t.ndim < 2) throw new RangeError(`BatchNorm '${this.scopeName}': expected an input of 2 or more dims, got ${describe(t)}`);
    return t.shape[this.#channelsLast ? t.ndim - 1 : 1]!;
  }

  protected override initialize(x: Tensor, isTraining: boolean): void {
    const c = this.#channelsOf(x);
    if (typeof isTraining !== 'boolean') throw new TypeError(`BatchNorm '${this.scopeName}': isTraining must be a boolean, got ${String(isTraining)}`);
    this.#channels = c;
    const opts = { dtype: x.dtype, device: x.device };
    if (this.createScale) this.scale = this.createVariable('scale', [c], { init: this.#scaleInit, ...opts });
    if (this.createOffset) this.offset = this.createVariable('offset', [c], { init: this.#offsetInit, ...opts });
    // The moving averages exist (at zero, as in Sonnet) from the first call, training or not.
    const stats = zeros([c], opts);
    this.movingMean.create(stats);
    this.movingVariance.create(stats);
  }

  forward(x: Tensor, isTraining: boolean, opts: BatchNormCallOptions = {}): Tensor {
    const c = this.#channelsOf(x);
    const what = `BatchNorm '${this.scopeName}'`;
    if (typeof isTraining !== 'boolean') throw new TypeError(`${what}: isTraining must be a boolean, got ${String(isTraining)}`);
    if (c !== this.#channels) throw new RangeError(`${what}: input ${describe(x)} has ${c} channels but the module was created for ${this.#channels}`);
    if (this.createScale && opts.scale !== undefined) throw new TypeError(`${what}: a scale was passed but the module creates its own`);
    if (this.createOffset && opts.offset !== undefined) throw new TypeError(`${what}: an offset was passed but the module creates its own`);
    const weight = this.scale ?? opts.scale ?? null;
    const bias = this.offset ?? opts.offset ?? null;
    const xc = this.#channelsLast ? x.movedim(-1, 1) : x;
    let y: Tensor;
    if (isTraining || opts.testLocalStats === true) {
      if (isTraining) {
        const dims = xc.shape.map((_, i) => i).filter((i) => i !== 1);
        noGrad(() => {
          const d = xc.detach();
          this.movingMean.call(d.mean(dims));
          this.movingVariance.call(d.var(dims, { correction: 0 }));
        });
      }
      y = F.batchNorm(xc, null, null, { weight, bias, training: true, eps: this.eps });
    } else {
      y = F.batchNorm(xc, this.movingMean.average, this.movingVariance.average, { weight, bias, training: false, eps: this.eps });
    }
    return this.#channelsLast ? y.movedim(1, -1) : y;
  }
}
