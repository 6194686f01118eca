/** Linear (x w + b, with w of shape [in, out] as in Sonnet) and Bias. */
import { F } from '@cinder/nn';
import type { Tensor } from '@cinder/tensor';
import { TruncatedNormal, Zeros, type InitializerLike } from './initializers.js';
import { Module, moduleFloatArg } from './module.js';
import type { Variable } from './variable.js';

export function describe(t: Tensor): string {
  return `[${t.shape.join(', ')}] (${t.dtype})`;
}

export function positiveInt(what: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new RangeError(`${what}: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

export interface LinearOptions {
  /** Add a bias (default true). */
  withBias?: boolean;
  /** The weight's initializer (default TruncatedNormal with stddev 1 / sqrt(inputSize)). */
  wInit?: InitializerLike;
  /** The bias's initializer (default Zeros). */
  bInit?: InitializerLike;
  name?: string;
}

/**
 * A linear map y = x w + b: w is [inputSize, outputSize] and b [outputSize], created on the first
 * call from the size of the input's last dim (inputs of 2 or more dims). The math is `F.linear`.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { Linear } from '@cinder/modules';
 * const lin = new Linear(3);
 * const y = lin.call(randn([8, 5]));
 * console.log(y.shape, lin.w.shape, lin.variables.map((v) => v.name)); // [ 8, 3 ] [ 5, 3 ] [ 'linear/b', 'linear/w' ]
 * ```
 */
export class Linear extends Module {
  readonly outputSize: number;
  readonly withBias: boolean;
  /** The size of the input's last dim, known after the first call. */
  inputSize: number | undefined;
  declare w: Variable;
  declare b: Variable | undefined;
  #wInit: InitializerLike | undefined;
  #bInit: InitializerLike;

  constructor(outputSize: number, opts: LinearOptions = {}) {
    super({ name: opts.name });
    this.recordArgs(outputSize, opts);
    this.outputSize = positiveInt('Linear', 'outputSize', outputSize);
    this.withBias = opts.withBias ?? true;
    if (!this.withBias && opts.bInit !== undefined) throw new TypeError("Linear: bInit was given but withBias is false");
    this.#wInit = opts.wInit;
    this.#bInit = opts.bInit ?? new Zeros();
    this.inputSize = undefined;
  }

  protected override initialize(x: Tensor): void {
    this.#checkInput(x);
    const inputSize = x.shape[x.ndim - 1]!;
    if (inputSize === 0) throw new RangeError(`Linear '${this.scopeName}': the input's last dim is 0, got input ${describe(x)}`);
    this.inputSize = inputSize;
    const wInit = this.#wInit ?? new TruncatedNormal({ stddev: 1 / Math.sqrt(inputSize) });
    const opts = { dtype: x.dtype, device: x.device };
    this.w = this.createVariable('w', [inputSize, this.outputSize], { init: wInit, ...opts });
    if (this.withBias) this.b = this.createVariable('b', [this.outputSize], { init: this.#bInit, ...opts });
  }

  forward(x: Tensor): Tensor {
    this.#checkInput(x);
    const have = x.shape[x.ndim - 1];
    if (have !== this.inputSize) {
      throw new RangeError(`Linear '${this.scopeName}': input ${describe(x)} has ${have} features but the module was created for ${this.inputSize}`);
    }
    return F.linear(x, this.w.t(), { bias: this.b ?? null });
  }

  #checkInput(x: unknown): asserts x is Tensor {
    const t = moduleFloatArg(this, 'call', x);
    if (t.ndim < 2) throw new RangeError(`Linear '${this.scopeName}': expected an input of 2 or more dims [batch, ..., features], got ${describe(t)}`);
  }
}

export interface BiasOptions {
  /** The bias's size along the last dim; checked against the input's when given. */
  outputSize?: number;
  /** The input dims the bias varies along (default: every dim but the first); the rest broadcast. */
  biasDims?: readonly number[];
  /** Default Zeros. */
  bInit?: InitializerLike;
  name?: string;
}

/**
 * Adds a learned bias: b has the input's size along `biasDims` (every dim but the batch's, by
 * default) and 1 elsewhere. `call(x, multiplier)` adds b * multiplier.
 * @example
 * ```ts
 * import { ones } from '@cinder/tensor';
 * import { Bias, initializers } from '@cinder/modules';
 * const bias = new Bias({ bInit: new initializers.Constant(2) });
 * console.log(bias.call(ones([2, 3])).toArray(), bias.b.shape); // [ [ 3, 3, 3 ], [ 3, 3, 3 ] ] [ 3 ]
 * ```
 */
export class Bias extends Module {
  readonly outputSize: number | undefined;
  readonly biasDims: readonly number[] | undefined;
  declare b: Variable;
  #bInit: InitializerLike;
  #inputShape: readonly number[] = [];

  constructor(opts: BiasOptions = {}) {
    super({ name: opts.name });
    this.recordArgs(opts);
    this.outputSize = opts.outputSize === undefined ? undefined : positiveInt('Bias', 'outputSize', opts.outputSize);
    this.biasDims = opts.biasDims;
    this.#bInit = opts.bInit ?? new Zeros();
  }

  #shapeFor(x: Tensor): number[] {
    if (x.ndim < 2) throw new RangeError(`Bias '${this.scopeName}': expected an input of 2 or more dims, got ${describe(x)}`);
    const dims = (this.biasDims ?? x.shape.slice(1).map((_, i) => i + 1)).map((d) => {
      const n = d < 0 ? d + x.ndim : d;
      if (!Number.isInteger(n) || n < 1 || n >= x.ndim) throw new RangeError(`Bias '${this.scopeName}': bias dim ${d} is out of range for input ${describe(x)} (the batch dim 0 cannot be one)`);
      return n;
    });
    const shape = x.shape.slice(1).map((s, i) => (dims.includes(i + 1) ? s : 1));
    // Leading ones are dropped, so the bias broadcasts from the right like Sonnet's.
    while (shape.length > 1 && shape[0] === 1) shape.shift();
    return shape;
  }

  protected override initialize(x: Tensor): void {
    moduleFloatArg(this, 'call', x);
    const shape = this.#shapeFor(x);
    if (this.outputSize !== undefined && x.shape[x.ndim - 1] !== this.outputSize) {
      throw new RangeError(`Bias '${this.scopeName}': input ${describe(x)} does not end in outputSize ${this.outputSize}`);
    }
    this.#inputShape = shape;
    this.b = this.createVariable('b', shape, { init: this.#bInit, dtype: x.dtype, device: x.device });
  }

  forward(x: Tensor, multiplier?: Tensor | number): Tensor {
    moduleFloatArg(this, 'call', x);
    const shape = this.#shapeFor(x);
    if (shape.length !== this.#inputShape.length || shape.some((s, i) => s !== this.#inputShape[i])) {
      throw new RangeError(`Bias '${this.scopeName}': input ${describe(x)} does not match the bias [${this.b.shape.join(', ')}] made on the first call`);
    }
    return x.add(multiplier === undefined ? this.b : this.b.mul(multiplier));
  }
}
