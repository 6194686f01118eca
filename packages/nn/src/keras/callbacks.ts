/**
 * Callbacks of fit(), as in Keras: hooks at the start and end of training, of each epoch and of each
 * batch. `logs` holds the epoch's figures by name: loss, the metrics, and valLoss / valAccuracy /
 * ... when there is validation data. Setting `trainer.stopTraining = true` ends fit() after the
 * current epoch.
 */
import { Tensor } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import type { Module } from '../modules/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { ReduceLROnPlateau, type LRScheduler } from '../optim/lrScheduler.js';
import { saveSync } from '../serialization/index.js';

export type Logs = Record<string, number>;

/** What a callback sees of the training run. */
export interface TrainerContext {
  readonly model: Module;
  readonly optimizer: Optimizer;
  /** Set to true to stop after the current epoch. */
  stopTraining: boolean;
}

export abstract class Callback {
  /** Set by fit() before onTrainBegin. */
  trainer!: TrainerContext;
  onTrainBegin(_logs: Logs): void | Promise<void> {}
  onTrainEnd(_logs: Logs): void | Promise<void> {}
  onEpochBegin(_epoch: number, _logs: Logs): void | Promise<void> {}
  onEpochEnd(_epoch: number, _logs: Logs): void | Promise<void> {}
  onBatchBegin(_batch: number, _logs: Logs): void | Promise<void> {}
  onBatchEnd(_batch: number, _logs: Logs): void | Promise<void> {}
}

export type Mode = 'auto' | 'min' | 'max';

/** 'auto' reads the monitored name: accuracies (and the like) are maximised, the rest minimised. */
function direction(monitor: string, mode: Mode): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') throw new RangeError(`callbacks: mode must be 'auto', 'min' or 'max', got ${String(mode)}`);
  return /acc|auc|precision|recall|f1/i.test(monitor) ? 'max' : 'min';
}

function improved(dir: 'min' | 'max', current: number, best: number, minDelta: number): boolean {
  return dir === 'min' ? current < best - minDelta : current > best + minDelta;
}

function monitored(name: string, monitor: string, logs: Logs, warned: { v: boolean }): number | undefined {
  const v = logs[monitor];
  if (v === undefined && !warned.v) {
    warned.v = true;
    console.warn(`${name}: the monitored metric '${monitor}' is not among the logged ones (${Object.keys(logs).join(', ')}); add validation data or monitor another`);
  }
  return v;
}

export interface EarlyStoppingOptions {
  /** The logged figure to watch (default 'valLoss'). */
  monitor?: string;
  /** A smaller change is no improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  mode?: Mode;
  /** A value the monitored figure must beat; until then no epoch counts as an improvement. */
  baseline?: number;
  /** When training ends, put back the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching at all (default 0). */
  startFromEpoch?: number;
  verbose?: boolean;
}

/** Stops training when the monitored figure has stopped improving for `patience` epochs. */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  private readonly dir: 'min' | 'max';
  private readonly baseline: number | undefined;
  private readonly verbose: boolean;
  private wait = 0;
  private best = NaN;
  /** The epoch training was stopped after, or -1. */
  stoppedEpoch = -1;
  /** The epoch with the best figure so far, or -1. */
  bestEpoch = -1;
  private bestWeights: Map<string, Tensor> | null = null;
  private readonly warned = { v: false };

  constructor(opts: EarlyStoppingOptions = {}) {
    super();
    this.monitor = opts.monitor ?? 'valLoss';
    this.minDelta = Math.abs(opts.minDelta ?? 0);
    this.patience = opts.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new RangeError(`earlyStopping: patience must be a non-negative integer, got ${String(opts.patience)}`);
    this.dir = direction(this.monitor, opts.mode ?? 'auto');
    this.baseline = opts.baseline;
    this.restoreBestWeights = opts.restoreBestWeights === true;
    this.startFromEpoch = opts.startFromEpoch ?? 0;
    this.verbose = opts.verbose === true;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.bestEpoch = -1;
    this.best = this.baseline ?? (this.dir === 'min' ? Infinity : -Infinity);
    this.bestWeights = null;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const current = monitored('earlyStopping', this.monitor, logs, this.warned);
    if (current === undefined || epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === null) this.bestWeights = snapshot(this.trainer.model);
    this.wait++;
    if (improved(this.dir, current, this.best, this.minDelta)) {
      this.best = current;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = snapshot(this.trainer.model);
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.trainer.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch >= 0 && this.verbose) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      restore(this.trainer.model, this.bestWeights);
    }
  }
}

function snapshot(model: Module): Map<string, Tensor> {
  return noGrad(() => new Map(Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()])));
}

function restore(model: Module, weights: Map<string, Tensor>): void {
  model.loadStateDict(Object.fromEntries(weights));
}

export interface ModelCheckpointOptions {
  /** The logged figure that decides the best model (default 'valLoss'). */
  monitor?: string;
  /** Write only when the monitored figure improves (default false: every epoch). */
  saveBestOnly?: boolean;
  mode?: Mode;
  /** Also save the optimizer's state, as { model, optimizer } (default false: the model's state dict). */
  includeOptimizer?: boolean;
  verbose?: boolean;
}

/**
 * Saves the model's state dict (safetensors, written atomically) after every epoch, or only after
 * improving ones. The path may name the epoch and logged figures: `ckpt-{epoch}-{valLoss:.4f}.safetensors`
 * ({epoch} counts from 1, as Keras does).
 */
export class ModelCheckpoint extends Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly includeOptimizer: boolean;
  private readonly dir: 'min' | 'max';
  private readonly verbose: boolean;
  private best = NaN;
  private readonly warned = { v: false };
  /** Paths written, in order. */
  readonly saved: string[] = [];

  constructor(filepath: string, opts: ModelCheckpointOptions = {}) {
    super();
    if (typeof filepath !== 'string' || filepath === '') throw new TypeError(`modelCheckpoint: expected a file path, got ${String(filepath)}`);
    this.filepath = filepath;
    this.monitor = opts.monitor ?? 'valLoss';
    this.saveBestOnly = opts.saveBestOnly === true;
    this.includeOptimizer = opts.includeOptimizer === true;
    this.dir = direction(this.monitor, opts.mode ?? 'auto');
    this.verbose = opts.verbose === true;
  }

  override onTrainBegin(): void {
    this.best = this.dir === 'min' ? Infinity : -Infinity;
  }

  /** The path for an epoch: {epoch} and {name} or {name:.Nf} replaced from the logs. */
  formatPath(epoch: number, logs: Logs): string {
    return this.filepath.replace(/\{(\w+)(?::\.(\d+)f)?\}/g, (whole, name: string, digits: string | undefined) => {
      const v = name === 'epoch' ? epoch + 1 : logs[name];
      if (v === undefined) throw new Error(`modelCheckpoint: the path names '{${name}}', which is not among the logged figures (${['epoch', ...Object.keys(logs)].join(', ')})`);
      return digits === undefined ? String(v) : v.toFixed(Number(digits));
    });
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    if (this.saveBestOnly) {
      const current = monitored('modelCheckpoint', this.monitor, logs, this.warned);
      if (current === undefined || !improved(this.dir, current, this.best, 0)) return;
      if (this.verbose) console.log(`Epoch ${epoch + 1}: ${this.monitor} improved from ${this.best} to ${current}, saving model`);
      this.best = current;
    }
    const path = this.formatPath(epoch, logs);
    const state = this.trainer.model.stateDict();
    saveSync(this.includeOptimizer ? { model: state, optimizer: this.trainer.optimizer.stateDict() } : state, path);
    this.saved.push(path);
  }
}

/** Steps a learning-rate scheduler once per epoch (ReduceLROnPlateau with the monitored figure). */
export class LearningRateScheduler extends Callback {
  constructor(
    readonly scheduler: LRScheduler | ReduceLROnPlateau | ((epoch: number, lr: number) => number),
    readonly monitor = 'valLoss',
  ) {
    super();
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    const s = this.scheduler;
    if (s instanceof ReduceLROnPlateau) {
      const v = logs[this.monitor];
      if (v === undefined) throw new Error(`learningRateScheduler: ReduceLROnPlateau monitors '${this.monitor}', which is not logged (${Object.keys(logs).join(', ')})`);
      s.step(v);
    } else if (typeof s === 'function') {
      for (const g of this.trainer.optimizer.paramGroups) g.lr = s(epoch + 1, g.lr);
    } else {
      s.step();
    }
    logs.lr = this.trainer.optimizer.paramGroups[0]!.lr;
  }
}

/** A callback from plain functions. */
export class LambdaCallback extends Callback {
  constructor(private readonly fns: Partial<Pick<Callback, 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd'>>) {
    super();
  }
  override onTrainBegin(logs: Logs): void | Promise<void> { return this.fns.onTrainBegin?.(logs); }
  override onTrainEnd(logs: Logs): void | Promise<void> { return this.fns.onTrainEnd?.(logs); }
  override onEpochBegin(e: number, logs: Logs): void | Promise<void> { return this.fns.onEpochBegin?.(e, logs); }
  override onEpochEnd(e: number, logs: Logs): void | Promise<void> { return this.fns.onEpochEnd?.(e, logs); }
  override onBatchBegin(b: number, logs: Logs): void | Promise<void> { return this.fns.onBatchBegin?.(b, logs); }
  override onBatchEnd(b: number, logs: Logs): void | Promise<void> { return this.fns.onBatchEnd?.(b, logs); }
}

/** Keras's lower-case factories: callbacks.earlyStopping({...}), callbacks.modelCheckpoint(path, {...}). */
export const earlyStopping = (opts?: EarlyStoppingOptions): EarlyStopping => new EarlyStopping(opts);
export const modelCheckpoint = (filepath: string, opts?: ModelCheckpointOptions): ModelCheckpoint => new ModelCheckpoint(filepath, opts);
export const learningRateScheduler = (s: LearningRateScheduler['scheduler'], monitor?: string): LearningRateScheduler => new LearningRateScheduler(s, monitor);
export const lambdaCallback = (fns: ConstructorParameters<typeof LambdaCallback>[0]): LambdaCallback => new LambdaCallback(fns);
