/**
 * Sonnet's optimizers: `opt.apply(updates, parameters)` changes each parameter in place by its
 * update (usually a gradient; a null update leaves its parameter alone). Each optimizer is a
 * Module whose state (moments, step counter) is made of variables created on the first apply from
 * the parameters, so checkpoints save it like any module's. SGD, Momentum and Adam run
 * @cinder/tensor's fused update kernels (one native pass per parameter); RMSProp keeps Sonnet's
 * epsilon inside the square root, which the fused kernel does not, and uses tensor ops.
 */
import { noGrad } from '@cinder/autograd';
import { adamStep_, isFloatingDType, sgdStep_, Tensor } from '@cinder/tensor';
import { Zeros } from './initializers.js';
import { Module } from './module.js';
import { Variable } from './variable.js';

function describe(t: Tensor): string {
  return `[${t.shape.join(', ')}] (${t.dtype})`;
}

function positive(what: string, name: string, v: unknown, dflt?: number, allowZero = false): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || Number.isNaN(x) || x < 0 || (!allowZero && x === 0)) {
    throw new RangeError(`${what}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(v)}`);
  }
  return x;
}

/**
 * The base of the optimizers: the checks of `apply` and the per-parameter state. A subclass
 * makes its state in `createState` and updates in place in `applyUpdates` (run under noGrad).
 * @example
 * ```ts
 * import { tensor, type Tensor } from '@cinder/tensor';
 * import { Optimizer } from '@cinder/modules';
 * class SignSGD extends Optimizer {
 *   constructor(lr: number) { super(lr, undefined); }
 *   protected createState(): void {}
 *   protected applyUpdates(updates: readonly (Tensor | null | undefined)[], params: readonly Tensor[]): void {
 *     params.forEach((p, i) => { if (updates[i]) p.sub_(updates[i]!.sign().mul(this.learningRate)); });
 *   }
 * }
 * const p = tensor([1, 1]);
 * new SignSGD(0.5).apply([tensor([3, -0.1])], [p]);
 * console.log(p.toArray()); // [ 0.5, 1.5 ]
 * ```
 */
export abstract class Optimizer extends Module {
  /** The step size; change it at any time. */
  learningRate: number;
  #params: readonly Tensor[] | null = null;

  protected constructor(learningRate: number, name: string | undefined) {
    super({ name, allowEmptyVariables: true });
    this.learningRate = positive(new.target.name, 'learningRate', learningRate, undefined, true);
  }

  /** Applies `updates[i]` to `parameters[i]` for every i (skipping null updates). */
  apply(updates: readonly (Tensor | null | undefined)[], parameters: readonly Tensor[]): void {
    (this.call as unknown as (...a: unknown[]) => void)(updates, parameters);
  }

  protected override initialize(updates: readonly (Tensor | null | undefined)[], parameters: readonly Tensor[]): void {
    this.#check(updates, parameters);
    this.#params = [...parameters];
    this.createState(parameters);
  }

  forward(updates: readonly (Tensor | null | undefined)[], parameters: readonly Tensor[]): void {
    this.#check(updates, parameters);
    const known = this.#params!;
    if (parameters.length !== known.length || parameters.some((p, i) => p !== known[i])) {
      throw new Error(`${this.#what()}.apply: the parameters differ from the ${known.length} it was first applied to (an optimizer keeps state for one list of parameters)`);
    }
    if (typeof this.learningRate !== 'number' || Number.isNaN(this.learningRate)) throw new TypeError(`${this.#what()}: learningRate must be a number, got ${String(this.learningRate)}`);
    noGrad(() => this.applyUpdates(updates, parameters));
  }

  /** Makes the state variables for the parameters (first apply). */
  protected abstract createState(parameters: readonly Tensor[]): void;

  /** Updates every parameter whose update is not null. */
  protected abstract applyUpdates(updates: readonly (Tensor | null | undefined)[], parameters: readonly Tensor[]): void;

  /** One zero-initialized state variable per parameter, named `kind/<parameter's name>`. */
  protected slots(kind: string, parameters: readonly Tensor[]): Variable[] {
    return parameters.map((p, i) => {
      const pname = p instanceof Variable ? p.name : String(i);
      return this.createVariable(`${kind}/${pname}`, [...p.shape], { init: new Zeros(), dtype: p.dtype, device: p.device, trainable: false });
    });
  }

  #what(): string {
    return `${this.constructor.name} '${this.scopeName}'`;
  }

  #check(updates: readonly (Tensor | null | undefined)[], parameters: readonly Tensor[]): void {
    const what = `${this.#what()}.apply`;
    if (!Array.isArray(updates) || !Array.isArray(parameters)) throw new TypeError(`${what}: expected arrays of updates and parameters`);
    if (updates.length !== parameters.length) throw new RangeError(`${what}: ${updates.length} updates for ${parameters.length} parameters`);
    parameters.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${what}: parameter ${i} is not a Tensor`);
      if (!isFloatingDType(p.dtype)) throw new TypeError(`${what}: parameter ${i} ${describe(p)} is not floating point`);
      const u = updates[i];
      if (u === null || u === undefined) return;
      if (!(u instanceof Tensor)) throw new TypeError(`${what}: update ${i} is neither a Tensor nor null`);
      if (u.dtype !== p.dtype || u.shape.length !== p.shape.length || u.shape.some((s, j) => s !== p.shape[j])) {
        throw new RangeError(`${what}: update ${i} ${describe(u)} does not match parameter ${i} ${describe(p)}`);
      }
    });
  }
}

/**
 * Stochastic gradient descent: p -= learningRate * u.
 * @example
 * ```ts
 * import { tensor } from '@cinder/tensor';
 * import { SGD } from '@cinder/modules';
 * const p = tensor([1, 2]);
 * new SGD(0.5).apply([tensor([2, 2])], [p]);
 * console.log(p.toArray()); // [ 0, 1 ]
 * ```
 */
export class SGD extends Optimizer {
  constructor(learningRate: number, opts: { name?: string } = {}) {
    super(learningRate, opts.name);
    this.recordArgs(learningRate, opts);
  }
  protected createState(): void {}
  protected applyUpdates(updates: readonly (Tensor | null | undefined)[], parameters: readonly Tensor[]): void {
    parameters.forEach((p, i) => {
      const u = updates[i];
      if (u) sgdStep_(p, u, null, { lr: this.learningRate });
    });
  }
}

/**
 * SGD with momentum: acc = momentum * acc + u, then p -= learningRate * acc (with Nesterov,
 * p -= learningRate * (u + momentum * acc)).
 * @example
 * ```ts
 * import { tensor } from '@cinder/tensor';
 * import { Momentum } from '@cinder/modules';
 * const p = tensor([0]);
 * const opt = new Momentum(1, 0.5);
 * opt.apply([tensor([1])], [p]);
 * opt.apply([tensor([1])], [p]);
 * console.log(p.toArray(), opt.accumulated[0]!.toArray()); // [ -2.5 ] [ 1.5 ]
 * ```
 */
export class Momentum extends Optimizer {
  momentum: number;
  readonly useNesterov: boolean;
  declare accumulated: Variable[];

  constructor(learningRate: number, momentum: number, opts: { useNesterov?: boolean; name?: string } = {}) {
    super(learningRate, opts.name);
    this.recordArgs(learningRate, momentum, opts);
    this.momentum = positive('Momentum', 'momentum', momentum, undefined, true);
    this.useNesterov = opts.useNesterov ?? false;
  }
  protected createState(parameters: readonly Tensor[]): void {
    this.accumulated = this.slots('accumulated', parameters);
  }
  protected applyUpdates(updates: readonly (Tensor | null | undefined)[], parameters: readonly Tensor[]): void {
    parameters.forEach((p, i) => {
      const u = updates[i];
      if (!u) return;
      // momentum 0 would skip the buffer in the fused kernel; Sonnet still keeps acc = u.
      if (this.momentum === 0) {
        this.accumulated[i]!.assign(u);
        sgdStep_(p, u, null, { lr: this.learningRate });
      } else {
        sgdStep_(p, u, this.accumulated[i]!, { lr: this.learningRate, momentum: this.momentum, nesterov: this.useNesterov });
      }
    });
  }
}

export interface AdamOptions {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
  name?: string;
}

/**
 * Adam: m and v move towards u and u^2 by 1 - beta1 and 1 - beta2; p -= learningRate * m^ /
 * (sqrt(v^) + epsilon) with the bias-corrected m^ and v^. The learning rate defaults to 0.001.
 * @example
 * ```ts
 * import { tensor } from '@cinder/tensor';
 * import { Adam } from '@cinder/modules';
 * const p = tensor([1, -1]);
 * const opt = new Adam(0.1);
 * opt.apply([tensor([3, -0.01])], [p]); // the first step moves each entry by about the learning rate
 * console.log(p.toArray().map((x) => +(x as number).toFixed(4)), Number(opt.step.item())); // [ 0.9, -0.9 ] 1
 * ```
 */
export class Adam extends Optimizer {
  beta1: number;
  beta2: number;
  epsilon: number;
  declare step: Variable;
  declare m: Variable[];
  declare v: Variable[];

  constructor(learningRate = 0.001, opts: AdamOptions = {}) {
    super(learningRate, opts.name);
    this.recordArgs(learningRate, opts);
    this.beta1 = positive('Adam', 'beta1', opts.beta1, 0.9, true);
    this.beta2 = positive('Adam', 'beta2', opts.beta2, 0.999, true);
    this.epsilon = positive('Adam', 'epsilon', opts.epsilon, 1e-8, true);
    if (this.beta1 >= 1 || this.beta2 >= 1) throw new RangeError(`Adam: beta1 and beta2 must be below 1, got ${this.beta1} and ${this.beta2}`);
  }
  protected createState(parameters: readonly Tensor[]): void {
    this.step = this.createVariable('step', [], { init: new Zeros(), dtype: 'int64', trainable: false });
    this.m = this.slots('m', parameters);
    this.v = this.slots('v', parameters);
  }
  protected applyUpdates(updates: readonly (Tensor | null | undefined)[], parameters: readonly Tensor[]): void {
    this.step.assignAdd(1);
    const t = Number(this.step.item());
    parameters.forEach((p, i) => {
      const u = updates[i];
      if (u) adamStep_(p, u, this.m[i]!, this.v[i]!, null, { step: t, lr: this.learningRate, beta1: this.beta1, beta2: this.beta2, eps: this.epsilon });
    });
  }
}

export interface RMSPropOptions {
  /** The moving averages' decay (default 0.9). */
  decay?: number;
  /** Default 0. */
  momentum?: number;
  /** Added inside the square root (default 1e-10). */
  epsilon?: number;
  /** Divide by the variance estimate (ms - mg^2) instead of the second moment (default false). */
  centered?: boolean;
  name?: string;
}

/**
 * RMSProp: ms = decay * ms + (1 - decay) * u^2 (and mg likewise from u when centered);
 * mom = momentum * mom + learningRate * u / sqrt(ms [- mg^2] + epsilon); p -= mom.
 * @example
 * ```ts
 * import { tensor } from '@cinder/tensor';
 * import { RMSProp } from '@cinder/modules';
 * const p = tensor([1]);
 * new RMSProp(0.1, { decay: 0.75 }).apply([tensor([2])], [p]);
 * console.log((p.item() as number).toFixed(6)); // 0.800000
 * ```
 */
export class RMSProp extends Optimizer {
  decay: number;
  momentum: number;
  epsilon: number;
  readonly centered: boolean;
  declare mom: Variable[];
  declare ms: Variable[];
  declare mg: Variable[];

  constructor(learningRate: number, opts: RMSPropOptions = {}) {
    super(learningRate, opts.name);
    this.recordArgs(learningRate, opts);
    this.decay = positive('RMSProp', 'decay', opts.decay, 0.9, true);
    if (this.decay > 1) throw new RangeError(`RMSProp: decay must be in [0, 1], got ${this.decay}`);
    this.momentum = positive('RMSProp', 'momentum', opts.momentum, 0, true);
    this.epsilon = positive('RMSProp', 'epsilon', opts.epsilon, 1e-10, true);
    this.centered = opts.centered ?? false;
  }
  protected createState(parameters: readonly Tensor[]): void {
    this.mom = this.slots('momentum', parameters);
    this.ms = this.slots('rms', parameters);
    if (this.centered) this.mg = this.slots('mg', parameters);
  }
  protected applyUpdates(updates: readonly (Tensor | null | undefined)[], parameters: readonly Tensor[]): void {
    const d = this.decay;
    parameters.forEach((p, i) => {
      const u = updates[i];
      if (!u) return;
      const ms = this.ms[i]!;
      ms.mul_(d).add_(u.square().mul(1 - d));
      let denom = ms as Tensor;
      if (this.centered) {
        const mg = this.mg[i]!;
        mg.mul_(d).add_(u.mul(1 - d));
        denom = ms.sub(mg.square());
      }
      const mom = this.mom[i]!;
      mom.mul_(this.momentum).add_(u.mul(denom.add(this.epsilon).rsqrt()).mul(this.learningRate));
      p.sub_(mom);
    });
  }
}
