/**
 * Learning-rate schedulers (torch.optim.lr_scheduler). Each writes its rate into every parameter
 * group's `lr` on construction and on each step(); as in PyTorch the rules are written in
 * "chainable" form (relative to the group's current lr) where PyTorch's are, so several schedulers
 * may act on one optimizer, and give the same sequences as PyTorch's.
 */
import { Tensor } from '@cinder/tensor';
import type { BaseOptions, Optimizer } from './optimizer.js';

/** Any optimizer: schedulers read and write its groups' `lr` (and OneCycleLR its momentum). */
export type AnyOptimizer = Optimizer<BaseOptions, object>;

type Group = { lr: number; [key: string]: unknown };

/** A scheduler's state as plain data (numbers, strings, arrays; nested for SequentialLR). */
export type SchedulerStateDict = Record<string, unknown>;

function checkOptimizer(op: string, optimizer: unknown): asserts optimizer is AnyOptimizer {
  const groups = (optimizer as AnyOptimizer | null)?.paramGroups;
  if (!Array.isArray(groups)) throw new TypeError(`${op}: expected an Optimizer, got ${String(optimizer)}`);
}

function copyPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyPlain);
  if (v !== null && typeof v === 'object' && !(v instanceof Tensor)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copyPlain(x);
    return out;
  }
  return v;
}

/** Copies a scheduler's own data fields (not the optimizer, functions or the listed keys). */
function stateOf(obj: object, skip: readonly string[]): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'optimizer' || skip.includes(k) || typeof v === 'function') continue;
    out[k] = copyPlain(v);
  }
  return out;
}

function loadInto(obj: object, op: string, sd: SchedulerStateDict, skip: readonly string[]): void {
  if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) throw new TypeError(`${op}: expected a state dict object`);
  const target = obj as Record<string, unknown>;
  for (const [k, v] of Object.entries(sd)) {
    if (k === 'optimizer' || skip.includes(k)) continue;
    if (!(k in target)) throw new Error(`${op}: unknown state entry '${k}'`);
    if (typeof target[k] === 'function') continue;
    target[k] = copyPlain(v);
  }
}

function positiveInt(op: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) <= 0) throw new RangeError(`${op}: ${name} must be a positive integer, got ${String(v)}`);
  return v as number;
}

function finite(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${op}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

/** One value per parameter group: a number repeated, or an array of the right length. */
function perGroup(op: string, name: string, v: number | readonly number[], groups: number): number[] {
  if (Array.isArray(v)) {
    if (v.length !== groups) throw new RangeError(`${op}: expected ${groups} values for ${name}, got ${v.length}`);
    return v.map((x, i) => finite(op, `${name}[${i}]`, x));
  }
  return new Array<number>(groups).fill(finite(op, name, v));
}

/** Index of the first element of a sorted list greater than x (Python's bisect_right). */
function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < sorted[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface SchedulerOptions {
  /** The index of the last epoch when resuming (default -1: start afresh, recording each group's initialLr). */
  lastEpoch?: number;
}

/**
 * The base of the epoch-indexed schedulers (torch.optim.lr_scheduler.LRScheduler). Subclasses set
 * their fields, then call start(), which records the base rates and takes the initial step.
 */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  /** The groups' initial rates (their `initialLr`). */
  baseLrs: number[] = [];
  /** Steps taken, -1 before the initial step (the epoch index). */
  lastEpoch: number;
  /** Number of step() calls, the initial one included. */
  stepCount = 0;
  protected lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer, opts: SchedulerOptions = {}) {
    checkOptimizer(this.name, optimizer);
    this.optimizer = optimizer;
    const lastEpoch = opts.lastEpoch ?? -1;
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new RangeError(`${this.name}: lastEpoch must be an integer >= -1, got ${String(lastEpoch)}`);
    this.lastEpoch = lastEpoch;
  }

  /** The scheduler's name in messages. */
  get name(): string {
    return 'LRScheduler';
  }

  protected get groups(): Group[] {
    return this.optimizer.paramGroups as unknown as Group[];
  }

  /** Records (or, when resuming, checks) each group's initialLr, then takes the initial step. */
  protected start(): void {
    this.groups.forEach((g, i) => {
      if (this.lastEpoch === -1) {
        if (g.initialLr === undefined) g.initialLr = g.lr;
      } else if (g.initialLr === undefined) {
        throw new Error(`${this.name}: param group ${i} has no initialLr, which resuming (lastEpoch ${this.lastEpoch}) needs`);
      }
    });
    this.baseLrs = this.groups.map((g) => g.initialLr as number);
    this.stepCount = 0;
    this.step();
  }

  /** The rates for the current lastEpoch, relative to the groups' current lr where the rule allows. */
  protected abstract computeLr(): number[];
  /** The rates for lastEpoch from the base rates alone, where the rule has such a form (step(epoch)). */
  protected closedFormLr?(): number[];

  /**
   * Advances one epoch (or, given `epoch`, jumps to it, using the closed form where there is one)
   * and writes the new rates into the groups.
   */
  step(epoch?: number): void {
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.computeLr();
    } else {
      this.lastEpoch = finite(`${this.name}.step`, 'epoch', epoch);
      values = this.closedFormLr !== undefined ? this.closedFormLr() : this.computeLr();
    }
    this.groups.forEach((g, i) => (g.lr = values[i]!));
    this.lastLr = this.groups.map((g) => g.lr);
  }

  /** The rates the last step() set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Keys stateDict() leaves out (functions, nested schedulers). */
  protected get stateSkip(): readonly string[] {
    return [];
  }

  /** The scheduler's data fields (not the optimizer), as PyTorch's state_dict. */
  stateDict(): SchedulerStateDict {
    return stateOf(this, this.stateSkip);
  }

  loadStateDict(sd: SchedulerStateDict): void {
    loadInto(this, `${this.name}.loadStateDict`, sd, this.stateSkip);
  }
}

/** Sets each group's rate to its initial rate times `lrLambda(epoch)` (one function, or one per group). */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: ((epoch: number) => number)[];
  constructor(optimizer: AnyOptimizer, lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[], opts: SchedulerOptions = {}) {
    super(optimizer, opts);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new RangeError(`LambdaLR: expected ${n} lrLambdas, got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    } else {
      this.lrLambdas = new Array(n).fill(lrLambda);
    }
    this.lrLambdas.forEach((f, i) => {
      if (typeof f !== 'function') throw new TypeError(`LambdaLR: lrLambda ${i} must be a function`);
    });
    this.start();
  }
  override get name(): string {
    return 'LambdaLR';
  }
  protected override get stateSkip(): readonly string[] {
    return ['lrLambdas'];
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i]!(this.lastEpoch));
  }
}

/** Multiplies each group's rate by `lrLambda(epoch)` at every step after the first. */
export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: ((epoch: number) => number)[];
  constructor(optimizer: AnyOptimizer, lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[], opts: SchedulerOptions = {}) {
    super(optimizer, opts);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new RangeError(`MultiplicativeLR: expected ${n} lrLambdas, got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    } else {
      this.lrLambdas = new Array(n).fill(lrLambda);
    }
    this.start();
  }
  override get name(): string {
    return 'MultiplicativeLR';
  }
  protected override get stateSkip(): readonly string[] {
    return ['lrLambdas'];
  }
  protected computeLr(): number[] {
    if (this.lastEpoch > 0) return this.groups.map((g, i) => g.lr * this.lrLambdas[i]!(this.lastEpoch));
    return this.groups.map((g) => g.lr);
  }
}

export interface StepLROptions extends SchedulerOptions {
  /** Decay factor (default 0.1). */
  gamma?: number;
}

/** Multiplies the rate by gamma every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, stepSize: number, opts: StepLROptions = {}) {
    super(optimizer, opts);
    this.stepSize = positiveInt('StepLR', 'stepSize', stepSize);
    this.gamma = finite('StepLR', 'gamma', opts.gamma ?? 0.1);
    this.start();
  }
  override get name(): string {
    return 'StepLR';
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Multiplies the rate by gamma at each milestone epoch (a milestone listed twice applies twice). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, milestones: readonly number[], opts: StepLROptions = {}) {
    super(optimizer, opts);
    if (!Array.isArray(milestones) || milestones.some((m) => !Number.isInteger(m))) {
      throw new TypeError('MultiStepLR: milestones must be an array of integers');
    }
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = finite('MultiStepLR', 'gamma', opts.gamma ?? 0.1);
    this.start();
  }
  override get name(): string {
    return 'MultiStepLR';
  }
  protected computeLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (count === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** count);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }
}

export interface ConstantLROptions extends SchedulerOptions {
  /** Factor applied until totalIters (default 1/3). */
  factor?: number;
  /** Number of epochs the factor applies (default 5). */
  totalIters?: number;
}

/** Multiplies the rate by a constant factor for the first totalIters epochs. */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;
  constructor(optimizer: AnyOptimizer, opts: ConstantLROptions = {}) {
    super(optimizer, opts);
    this.factor = finite('ConstantLR', 'factor', opts.factor ?? 1 / 3);
    if (this.factor > 1 || this.factor < 0) throw new RangeError('ConstantLR: factor must be between 0 and 1');
    this.totalIters = finite('ConstantLR', 'totalIters', opts.totalIters ?? 5);
    this.start();
  }
  override get name(): string {
    return 'ConstantLR';
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 / this.factor));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

export interface LinearLROptions extends SchedulerOptions {
  /** Factor at epoch 0 (default 1/3). */
  startFactor?: number;
  /** Factor from totalIters on (default 1). */
  endFactor?: number;
  /** Number of epochs of the linear ramp (default 5). */
  totalIters?: number;
}

/** Ramps a factor on the rate linearly from startFactor to endFactor over totalIters epochs (warm-up). */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(optimizer: AnyOptimizer, opts: LinearLROptions = {}) {
    super(optimizer, opts);
    this.startFactor = finite('LinearLR', 'startFactor', opts.startFactor ?? 1 / 3);
    this.endFactor = finite('LinearLR', 'endFactor', opts.endFactor ?? 1);
    if (this.startFactor > 1 || this.startFactor <= 0) {
      throw new RangeError('LinearLR: startFactor must be greater than 0 and at most 1');
    }
    if (this.endFactor > 1 || this.endFactor < 0) throw new RangeError('LinearLR: endFactor must be between 0 and 1');
    this.totalIters = positiveInt('LinearLR', 'totalIters', opts.totalIters ?? 5);
    this.start();
  }
  override get name(): string {
    return 'LinearLR';
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const ratio =
      1 + (this.endFactor - this.startFactor) /
        (this.totalIters * this.startFactor + (this.lastEpoch - 1) * (this.endFactor - this.startFactor));
    return this.groups.map((g) => g.lr * ratio);
  }
  protected override closedFormLr(): number[] {
    const f = this.startFactor + ((this.endFactor - this.startFactor) * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters;
    return this.baseLrs.map((b) => b * f);
  }
}

/** Multiplies the rate by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, gamma: number, opts: SchedulerOptions = {}) {
    super(optimizer, opts);
    this.gamma = finite('ExponentialLR', 'gamma', gamma);
    this.start();
  }
  override get name(): string {
    return 'ExponentialLR';
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

export interface PolynomialLROptions extends SchedulerOptions {
  /** Number of epochs of decay (default 5). */
  totalIters?: number;
  /** The polynomial's power (default 1). */
  power?: number;
}

/** Decays the rate as (1 - epoch / totalIters)^power, to 0 at totalIters. */
export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;
  constructor(optimizer: AnyOptimizer, opts: PolynomialLROptions = {}) {
    super(optimizer, opts);
    this.totalIters = positiveInt('PolynomialLR', 'totalIters', opts.totalIters ?? 5);
    this.power = finite('PolynomialLR', 'power', opts.power ?? 1);
    this.start();
  }
  override get name(): string {
    return 'PolynomialLR';
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const f = ((1 - this.lastEpoch / this.totalIters) / (1 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return this.groups.map((g) => g.lr * f);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

export interface CosineAnnealingLROptions extends SchedulerOptions {
  /** The lowest rate (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing from the initial rate to etaMin over tMax epochs (then back up, periodically),
 * in PyTorch's recursive form: `etaMin + (base - etaMin)(1 + cos(pi epoch / tMax)) / 2` when the
 * rate is set by this scheduler alone.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: AnyOptimizer, tMax: number, opts: CosineAnnealingLROptions = {}) {
    super(optimizer, opts);
    this.tMax = positiveInt('CosineAnnealingLR', 'tMax', tMax);
    this.etaMin = finite('CosineAnnealingLR', 'etaMin', opts.etaMin ?? 0);
    this.start();
  }
  override get name(): string {
    return 'CosineAnnealingLR';
  }
  protected computeLr(): number[] {
    const e = this.lastEpoch, T = this.tMax, m = this.etaMin;
    if (e === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) return this.baseLrs.map((b) => m + ((b - m) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if ((((e - 1 - T) % (2 * T)) + 2 * T) % (2 * T) === 0) {
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - m) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - m) + m);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

export interface CosineAnnealingWarmRestartsOptions extends SchedulerOptions {
  /** Factor by which the period grows after each restart (an integer >= 1, default 1). */
  tMult?: number;
  /** The lowest rate (default 0). */
  etaMin?: number;
}

/**
 * SGDR: cosine annealing restarted every period, the first lasting t0 epochs and each next one
 * tMult times longer. step(epoch) accepts fractional epochs (e.g. `epoch + i / itersPerEpoch`).
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly t0: number;
  /** The current period's length and the epochs since its start. */
  tI: number;
  tCur: number;
  readonly tMult: number;
  readonly etaMin: number;
  constructor(optimizer: AnyOptimizer, t0: number, opts: CosineAnnealingWarmRestartsOptions = {}) {
    super(optimizer, opts);
    this.t0 = positiveInt('CosineAnnealingWarmRestarts', 't0', t0);
    this.tI = this.t0;
    const tMult = opts.tMult ?? 1;
    if (!Number.isInteger(tMult) || tMult < 1) throw new RangeError(`CosineAnnealingWarmRestarts: tMult must be an integer >= 1, got ${String(tMult)}`);
    this.tMult = tMult;
    this.etaMin = finite('CosineAnnealingWarmRestarts', 'etaMin', opts.etaMin ?? 0);
    this.tCur = this.lastEpoch;
    this.start();
  }
  override get name(): string {
    return 'CosineAnnealingWarmRestarts';
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }
  override step(epoch?: number): void {
    this.stepCount++;
    let e = epoch;
    if (e === undefined && this.lastEpoch < 0) e = 0;
    if (e === undefined) {
      e = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      finite('CosineAnnealingWarmRestarts.step', 'epoch', e);
      if (e < 0) throw new RangeError(`CosineAnnealingWarmRestarts.step: expected a non-negative epoch, got ${e}`);
      if (e >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = e % this.t0;
        } else {
          const n = Math.floor(Math.log((e / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = e - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = e;
      }
    }
    this.lastEpoch = Math.floor(e);
    const values = this.computeLr();
    this.groups.forEach((g, i) => (g.lr = values[i]!));
    this.lastLr = this.groups.map((g) => g.lr);
  }
}

export interface OneCycleLROptions extends SchedulerOptions {
  /** Total number of steps, or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the rate (default 0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear' annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or Adam's beta1) inversely to the rate (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** initialLr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** A third phase annihilating the rate (fast.ai's schedule is two-phase, the default). */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/**
 * The 1cycle policy (Smith and Topin): the rate rises from maxLr / divFactor to maxLr, then
 * anneals to far below the start, while momentum moves the opposite way. Step it after every
 * batch; stepping past totalSteps is an error.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly phases: Phase[];
  readonly annealStrategy: 'cos' | 'linear';
  readonly cycleMomentum: boolean;
  readonly useBeta1: boolean;
  constructor(optimizer: AnyOptimizer, maxLr: number | number[], opts: OneCycleLROptions = {}) {
    super(optimizer, opts);
    const op = 'OneCycleLR';
    if (opts.totalSteps !== undefined) {
      this.totalSteps = positiveInt(op, 'totalSteps', opts.totalSteps);
    } else if (opts.epochs !== undefined || opts.stepsPerEpoch !== undefined) {
      this.totalSteps = positiveInt(op, 'epochs', opts.epochs) * positiveInt(op, 'stepsPerEpoch', opts.stepsPerEpoch);
    } else {
      throw new TypeError('OneCycleLR: give either totalSteps or both epochs and stepsPerEpoch');
    }
    const pct = opts.pctStart ?? 0.3;
    if (typeof pct !== 'number' || !(pct >= 0 && pct <= 1)) throw new RangeError(`OneCycleLR: pctStart must be a number in [0, 1], got ${String(pct)}`);
    const n = this.totalSteps;
    this.phases = opts.threePhase
      ? [
          { endStep: pct * n - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pct * n - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: n - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pct * n - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: n - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    const strategy = opts.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') throw new RangeError(`OneCycleLR: annealStrategy must be 'cos' or 'linear', got ${String(strategy)}`);
    this.annealStrategy = strategy;
    const groups = this.groups;
    const maxLrs = perGroup(op, 'maxLr', maxLr, groups.length);
    const divFactor = finite(op, 'divFactor', opts.divFactor ?? 25);
    const finalDivFactor = finite(op, 'finalDivFactor', opts.finalDivFactor ?? 1e4);
    if (this.lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    }
    this.cycleMomentum = opts.cycleMomentum ?? true;
    const defaults = optimizer.defaults as Record<string, unknown>;
    this.useBeta1 = 'betas' in defaults;
    if (this.cycleMomentum) {
      if (!('momentum' in defaults) && !this.useBeta1) {
        throw new Error('OneCycleLR: cycleMomentum needs an optimizer with momentum or betas (or pass cycleMomentum: false)');
      }
      const maxM = perGroup(op, 'maxMomentum', opts.maxMomentum ?? 0.95, groups.length);
      const baseM = perGroup(op, 'baseMomentum', opts.baseMomentum ?? 0.85, groups.length);
      if (this.lastEpoch === -1) {
        groups.forEach((g, i) => {
          this.setMomentum(g, maxM[i]!);
          g.maxMomentum = maxM[i]!;
          g.baseMomentum = baseM[i]!;
        });
      }
    }
    this.start();
  }
  override get name(): string {
    return 'OneCycleLR';
  }
  private setMomentum(g: Group, m: number): void {
    if (this.useBeta1) g.betas = [m, ...(g.betas as number[]).slice(1)];
    else g.momentum = m;
  }
  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }
  protected computeLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new Error(`OneCycleLR: tried to step ${stepNum + 1} times, but the number of total steps is ${this.totalSteps}`);
    }
    return this.groups.map((g) => {
      let startStep = 0;
      let lr = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i]!;
        if (stepNum <= ph.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (ph.endStep - startStep);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) this.setMomentum(g, this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct));
          break;
        }
        startStep = ph.endStep;
      }
      return lr;
    });
  }
}

/**
 * Runs schedulers one after another: `schedulers[i]` from milestone i-1 (restarted at epoch 0
 * there) until milestone i.
 */
export class SequentialLR extends LRScheduler {
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];
  constructor(optimizer: AnyOptimizer, schedulers: LRScheduler[], milestones: readonly number[], opts: SchedulerOptions = {}) {
    super(optimizer, opts);
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new TypeError('SequentialLR: expected a non-empty array of schedulers');
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new TypeError(`SequentialLR: schedulers[${i}] is not an LRScheduler`);
      if (s.optimizer !== optimizer) {
        throw new Error(`SequentialLR: all schedulers must belong to the given optimizer, but schedulers[${i}] does not`);
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new RangeError(
        `SequentialLR: expected ${schedulers.length - 1} milestone(s) for ${schedulers.length} schedulers, got ${Array.isArray(milestones) ? milestones.length : String(milestones)}`,
      );
    }
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch += 1;
    // Undo the schedulers' own initial steps and restart the first one from the initial rates.
    for (const g of this.groups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    const first = this.schedulers[0]!;
    first.stepCount = 0;
    first.step();
    this.lastLr = first.getLastLr();
  }
  override get name(): string {
    return 'SequentialLR';
  }
  protected computeLr(): number[] {
    return this.groups.map((g) => g.lr);
  }
  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }
  protected override get stateSkip(): readonly string[] {
    return ['schedulers'];
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    const nested = sd.schedulers;
    if (!Array.isArray(nested) || nested.length !== this.schedulers.length) {
      throw new Error(`SequentialLR.loadStateDict: expected the states of ${this.schedulers.length} schedulers`);
    }
    nested.forEach((s, i) => this.schedulers[i]!.loadStateDict(s as SchedulerStateDict));
  }
}

/** Steps several schedulers at once, each acting on the rate the previous one left. */
export class ChainedScheduler {
  readonly schedulers: LRScheduler[];
  readonly optimizer: AnyOptimizer;
  private lastLr: number[];
  constructor(schedulers: LRScheduler[]) {
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new TypeError('ChainedScheduler: expected a non-empty array of schedulers');
    const opt = schedulers[0]!.optimizer;
    schedulers.forEach((s, i) => {
      if (s.optimizer !== opt) throw new Error(`ChainedScheduler: all schedulers must belong to the same optimizer, but schedulers[${i}] does not`);
    });
    this.schedulers = [...schedulers];
    this.optimizer = opt;
    this.lastLr = opt.paramGroups.map((g) => g.lr);
  }
  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
  getLastLr(): number[] {
    return [...this.lastLr];
  }
  stateDict(): SchedulerStateDict {
    return { lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  loadStateDict(sd: SchedulerStateDict): void {
    const nested = sd?.schedulers;
    if (!Array.isArray(nested) || nested.length !== this.schedulers.length) {
      throw new Error(`ChainedScheduler.loadStateDict: expected the states of ${this.schedulers.length} schedulers`);
    }
    nested.forEach((s, i) => this.schedulers[i]!.loadStateDict(s as SchedulerStateDict));
    if (Array.isArray(sd.lastLr)) this.lastLr = [...(sd.lastLr as number[])];
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): reduce when the metric stops decreasing; 'max': when it stops increasing. */
  mode?: 'min' | 'max';
  /** new lr = lr * factor (default 0.1, must be < 1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** How much better counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): relative to the best value; 'abs': an absolute margin. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound on the rate: one for all groups or one per group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/** Reduces the rate by `factor` when a metric (given to step()) has stopped improving for `patience` epochs. */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, opts: ReduceLROnPlateauOptions = {}) {
    const op = 'ReduceLROnPlateau';
    checkOptimizer(op, optimizer);
    this.optimizer = optimizer;
    this.factor = finite(op, 'factor', opts.factor ?? 0.1);
    if (this.factor >= 1) throw new RangeError('ReduceLROnPlateau: factor must be < 1');
    this.minLrs = perGroup(op, 'minLr', opts.minLr ?? 0, optimizer.paramGroups.length);
    this.patience = finite(op, 'patience', opts.patience ?? 10);
    this.cooldown = finite(op, 'cooldown', opts.cooldown ?? 0);
    this.threshold = finite(op, 'threshold', opts.threshold ?? 1e-4);
    this.eps = finite(op, 'eps', opts.eps ?? 1e-8);
    const mode = opts.mode ?? 'min';
    if (mode !== 'min' && mode !== 'max') throw new RangeError(`ReduceLROnPlateau: mode must be 'min' or 'max', got ${String(mode)}`);
    const thresholdMode = opts.thresholdMode ?? 'rel';
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') {
      throw new RangeError(`ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got ${String(thresholdMode)}`);
    }
    this.mode = mode;
    this.thresholdMode = thresholdMode;
    this.best = this.worst;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private get worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Records the epoch's metric (a number or a one-element tensor) and reduces the rates if it has plateaued. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? Number(metric.item()) : metric;
    if (typeof current !== 'number') throw new TypeError(`ReduceLROnPlateau.step: metric must be a number or a Tensor, got ${typeof metric}`);
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const old = g.lr;
        const next = Math.max(old * this.factor, this.minLrs[i]!);
        if (old - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return stateOf(this, []);
  }

  loadStateDict(sd: SchedulerStateDict): void {
    loadInto(this, 'ReduceLROnPlateau.loadStateDict', sd, []);
  }
}
