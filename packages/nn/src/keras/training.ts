/**
 * The Keras workflow on a module: compile, fit, evaluate, predict. nn.Sequential exposes these as
 * methods; any other Module can use them through `new Trainer(model)`.
 *
 * Data is either tensors (x, y: batched along dim 0 here, shuffled each epoch from @cinder/tensor's
 * generator, so manualSeed makes a run reproducible) or anything iterable (or async-iterable) of
 * [input, target] batches, such as a @cinder/data DataLoader over a dataset of [x, y] samples.
 */
import { canonicalDevice, cat, randperm, Tensor, type Device } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import type { Module } from '../modules/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { Callback, type Logs, type TrainerContext } from './callbacks.js';
import { resolveCompile, type CompileOptions, type Compiled } from './compile.js';
import { ProgressBar, type ProgressStream } from './progress.js';

/** An iterable (or async iterable) of [input, target] batches, e.g. a DataLoader. */
export type BatchSource = Iterable<unknown> | AsyncIterable<unknown>;

export interface FitOptions {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Samples per batch when x and y are tensors (default 32). */
  batchSize?: number;
  /** Reshuffle tensor data every epoch (default true). */
  shuffle?: boolean;
  /** Hold out this fraction of the tensor data (its last samples, before shuffling) for validation. */
  validationSplit?: number;
  /** Validation data: [x, y] tensors or a batch source. */
  validationData?: [Tensor, Tensor] | BatchSource;
  callbacks?: Callback[];
  /** 0: silent, 1: a progress bar (default), 2: one line per epoch. */
  verbose?: 0 | 1 | 2;
  /** The epoch to start counting from (for resumed training; default 0). */
  initialEpoch?: number;
  /** Where the progress goes (default process.stdout). */
  stream?: ProgressStream;
  /** Where each batch goes (default: compile()'s device, else the model's). */
  device?: Device;
}

export interface EvaluateOptions {
  batchSize?: number;
  /** Where each batch goes (default: compile()'s device, else the model's). */
  device?: Device;
  /** 0: silent (default), 1: a progress bar. */
  verbose?: 0 | 1;
  stream?: ProgressStream;
}

export interface PredictOptions {
  batchSize?: number;
  /** Where each batch goes (default: compile()'s device, else the model's). */
  device?: Device;
}

/** What fit() returns: each logged figure per epoch (Keras's History). */
export interface History {
  epoch: number[];
  history: Record<string, number[]>;
}

interface Batches {
  /** Number of batches, if known. */
  length: number | undefined;
  iterate(): AsyncIterable<[Tensor, Tensor]> | Iterable<[Tensor, Tensor]>;
}

/** A batch tensor on `device` (itself when it is there already). */
function onDevice(t: Tensor, device: Device): Tensor {
  return t.device === device ? t : t.to(device);
}

function checkPair(op: string, b: unknown): [Tensor, Tensor] {
  if (Array.isArray(b) && b.length >= 2 && b[0] instanceof Tensor && b[1] instanceof Tensor) return [b[0], b[1]];
  if (b !== null && typeof b === 'object' && !Array.isArray(b)) {
    const o = b as Record<string, unknown>;
    for (const [a, c] of [['x', 'y'], ['input', 'target'], ['inputs', 'targets']] as const) {
      if (o[a] instanceof Tensor && o[c] instanceof Tensor) return [o[a] as Tensor, o[c] as Tensor];
    }
  }
  throw new TypeError(`${op}: each batch must be [input, target] tensors (or { x, y }), got ${Array.isArray(b) ? `an array of ${b.length}` : typeof b}`);
}

function positiveInt(op: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new RangeError(`${op}: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

function tensorBatches(op: string, x: Tensor, y: Tensor | null, batchSize: number, shuffle: boolean): Batches {
  const n = x.shape[0];
  if (x.ndim === 0 || n === undefined) throw new RangeError(`${op}: x must have a batch dim, got shape [${x.shape.join(', ')}]`);
  if (y !== null && (y.ndim === 0 || y.shape[0] !== n)) {
    throw new RangeError(`${op}: x and y hold different numbers of samples: x [${x.shape.join(', ')}], y [${y.shape.join(', ')}]`);
  }
  const length = Math.ceil(n / batchSize);
  return {
    length,
    *iterate() {
      // The permutation is drawn on the host (one stream for every device) and indexes x where x is.
      const perm = shuffle ? randperm(n) : null;
      const order = perm === null ? null : onDevice(perm, x.device);
      for (let s = 0; s < n; s += batchSize) {
        const len = Math.min(batchSize, n - s);
        if (order === null) {
          yield [x.narrow(0, s, len), y === null ? x : y.narrow(0, s, len)];
        } else {
          const idx = order.narrow(0, s, len);
          yield [x.indexSelect(0, idx), y === null ? x : y.indexSelect(0, onDevice(idx, y.device))];
        }
      }
    },
  };
}

function sourceBatches(op: string, src: BatchSource): Batches {
  const len = (src as { length?: unknown }).length;
  const isIter = typeof (src as Iterable<unknown>)[Symbol.iterator] === 'function';
  const isAsync = typeof (src as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
  if (!isIter && !isAsync) throw new TypeError(`${op}: expected tensors x, y or an iterable of [input, target] batches`);
  return {
    length: typeof len === 'number' ? len : undefined,
    async *iterate() {
      // Prefer async iteration: a DataLoader with workers prefetches only then.
      if (isAsync) for await (const b of src as AsyncIterable<unknown>) yield checkPair(op, b);
      else for (const b of src as Iterable<unknown>) yield checkPair(op, b);
    },
  };
}

function toBatches(op: string, data: unknown, y: Tensor | null, batchSize: number, shuffle: boolean): Batches {
  if (data instanceof Tensor) return tensorBatches(op, data, y, batchSize, shuffle);
  if (Array.isArray(data) && data.length === 2 && data[0] instanceof Tensor && data[1] instanceof Tensor) {
    return tensorBatches(op, data[0], data[1], batchSize, shuffle);
  }
  return sourceBatches(op, data as BatchSource);
}

/** Sample-weighted running means of the loss and metrics over an epoch. */
class Accumulator {
  private readonly sums = new Map<string, number>();
  private count = 0;
  add(values: Logs, n: number): void {
    for (const [k, v] of Object.entries(values)) this.sums.set(k, (this.sums.get(k) ?? 0) + v * n);
    this.count += n;
  }
  means(prefix = ''): Logs {
    const out: Logs = {};
    for (const [k, s] of this.sums) out[prefix === '' ? k : `${prefix}${k[0]!.toUpperCase()}${k.slice(1)}`] = s / Math.max(1, this.count);
    return out;
  }
}

function isTraining(m: Module): boolean {
  return m.training;
}

export class Trainer implements TrainerContext {
  stopTraining = false;
  private compiled: Compiled | null = null;

  constructor(readonly model: Module) {}

  /** Chooses the optimizer, the loss, the metrics and (with `device`) where to train, moving the model there. */
  compile(opts: CompileOptions): void {
    if (opts !== null && typeof opts === 'object' && opts.device !== undefined) this.model.to(canonicalDevice(opts.device, 'compile'));
    this.compiled = resolveCompile(opts, [...this.model.parameters()]);
  }

  /** Where batches go: the option, else compile()'s device, else the device of the model's first parameter or buffer. */
  private deviceFor(op: string, d: Device | undefined): Device {
    if (d !== undefined) return canonicalDevice(d, op);
    const c = this.compiled?.device;
    if (c !== undefined) return c;
    for (const p of this.model.parameters()) return p.device;
    for (const b of this.model.buffers()) return b.device;
    return 'cpu';
  }

  get optimizer(): Optimizer {
    return this.need('optimizer').optimizer;
  }

  private need(op: string): Compiled {
    if (this.compiled === null) throw new Error(`${op}: the model is not compiled; call compile({ optimizer, loss, metrics }) first`);
    return this.compiled;
  }

  /** Loss and metrics of one batch's output. */
  private measure(c: Compiled, out: Tensor, target: Tensor, loss: Tensor): Logs {
    const logs: Logs = { loss: loss.item() as number };
    noGrad(() => {
      const o = out.detach();
      for (const m of c.metrics) logs[m.name] = m.compute(o, target);
    });
    return logs;
  }

  async fit(x: Tensor | BatchSource, y?: Tensor | FitOptions, options?: FitOptions): Promise<History> {
    const op = 'fit';
    const c = this.need(op);
    let opts: FitOptions;
    let target: Tensor | null = null;
    if (x instanceof Tensor) {
      if (!(y instanceof Tensor)) throw new TypeError(`${op}: with tensor inputs, pass the targets y as the second argument`);
      target = y;
      opts = options ?? {};
    } else {
      opts = (y as FitOptions | undefined) ?? {};
    }
    const epochs = positiveInt(op, 'epochs', opts.epochs, 1);
    const batchSize = positiveInt(op, 'batchSize', opts.batchSize, 32);
    const verbose = opts.verbose ?? 1;
    const initialEpoch = opts.initialEpoch ?? 0;
    const device = this.deviceFor(op, opts.device);
    let train: Batches;
    let val: Batches | null = null;
    if (opts.validationSplit !== undefined && opts.validationSplit !== 0) {
      const split = opts.validationSplit;
      if (!(x instanceof Tensor) || target === null) throw new TypeError(`${op}: validationSplit needs tensor data; pass validationData with a batch source`);
      if (!(split > 0 && split < 1)) throw new RangeError(`${op}: validationSplit must be in (0, 1), got ${String(split)}`);
      const n = x.shape[0]!;
      const nVal = Math.floor(n * split);
      if (nVal === 0 || nVal === n) throw new RangeError(`${op}: validationSplit ${split} of ${n} samples leaves an empty part`);
      train = tensorBatches(op, x.narrow(0, 0, n - nVal), target.narrow(0, 0, n - nVal), batchSize, opts.shuffle !== false);
      val = tensorBatches(op, x.narrow(0, n - nVal, nVal), target.narrow(0, n - nVal, nVal), batchSize, false);
    } else {
      train = x instanceof Tensor ? tensorBatches(op, x, target, batchSize, opts.shuffle !== false) : sourceBatches(op, x);
      if (opts.validationData !== undefined) val = toBatches(op, opts.validationData, null, batchSize, false);
    }
    const callbacks = opts.callbacks ?? [];
    for (const cb of callbacks) {
      if (!(cb instanceof Callback)) throw new TypeError(`${op}: callbacks must be Callback instances (callbacks.earlyStopping(), ...)`);
      cb.trainer = this;
    }
    const history: History = { epoch: [], history: {} };
    const stream = opts.stream ?? process.stdout;
    this.stopTraining = false;
    const wasTraining = isTraining(this.model);
    for (const cb of callbacks) await cb.onTrainBegin({});
    try {
      for (let epoch = initialEpoch; epoch < epochs && !this.stopTraining; epoch++) {
        this.model.train();
        for (const cb of callbacks) await cb.onEpochBegin(epoch, {});
        if (verbose === 1) stream.write(`Epoch ${epoch + 1}/${epochs}\n`);
        const bar = verbose === 1 ? new ProgressBar(train.length, { stream }) : null;
        const acc = new Accumulator();
        let step = 0;
        for await (const [xHost, yHost] of train.iterate()) {
          const xb = onDevice(xHost, device);
          const yb = onDevice(yHost, device);
          for (const cb of callbacks) await cb.onBatchBegin(step, {});
          c.optimizer.zeroGrad();
          const out = this.model.forward(xb) as Tensor;
          const loss = c.loss(out, yb);
          loss.backward();
          c.optimizer.step();
          const logs = this.measure(c, out, yb, loss);
          acc.add(logs, xb.shape[0] ?? 1);
          step++;
          bar?.update(step, Object.entries(acc.means()));
          for (const cb of callbacks) await cb.onBatchEnd(step - 1, logs);
        }
        const logs = acc.means();
        if (val !== null) Object.assign(logs, await this.evaluateBatches(c, val, null, 'val', device));
        if (bar !== null) bar.finish(step, Object.entries(logs));
        else if (verbose === 2) stream.write(`Epoch ${epoch + 1}/${epochs} - ${Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - ')}\n`);
        for (const cb of callbacks) await cb.onEpochEnd(epoch, logs);
        history.epoch.push(epoch);
        for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      }
    } finally {
      this.model.train(wasTraining);
    }
    for (const cb of callbacks) await cb.onTrainEnd({});
    return history;
  }

  /** Mean loss and metrics over batches, in eval mode and without gradients; keys get `prefix`. */
  private async evaluateBatches(c: Compiled, batches: Batches, bar: ProgressBar | null, prefix: string, device: Device): Promise<Logs> {
    const wasTraining = isTraining(this.model);
    this.model.eval();
    const acc = new Accumulator();
    let step = 0;
    try {
      for await (const [xHost, yHost] of batches.iterate()) {
        const xb = onDevice(xHost, device);
        const yb = onDevice(yHost, device);
        noGrad(() => {
          const out = this.model.forward(xb) as Tensor;
          acc.add(this.measure(c, out, yb, c.loss(out, yb)), xb.shape[0] ?? 1);
        });
        step++;
        bar?.update(step, Object.entries(acc.means()));
      }
    } finally {
      this.model.train(wasTraining);
    }
    if (step === 0) throw new Error('evaluate: the data holds no batches');
    const means = acc.means(prefix);
    bar?.finish(step, Object.entries(means));
    return means;
  }

  /** The loss and metrics over the data, as { loss, accuracy, ... }. */
  async evaluate(x: Tensor | BatchSource, y?: Tensor | EvaluateOptions, options?: EvaluateOptions): Promise<Logs> {
    const op = 'evaluate';
    const c = this.need(op);
    const opts = (x instanceof Tensor ? options : (y as EvaluateOptions | undefined)) ?? {};
    if (x instanceof Tensor && !(y instanceof Tensor)) throw new TypeError(`${op}: with tensor inputs, pass the targets y as the second argument`);
    const batches = toBatches(op, x, x instanceof Tensor ? (y as Tensor) : null, positiveInt(op, 'batchSize', opts.batchSize, 32), false);
    const bar = opts.verbose === 1 ? new ProgressBar(batches.length, { stream: opts.stream ?? process.stdout }) : null;
    return this.evaluateBatches(c, batches, bar, '', this.deviceFor(op, opts.device));
  }

  /**
   * The model's outputs for every sample, concatenated along dim 0, in eval mode without gradients.
   * Takes a tensor (batched here) or batches of inputs (or [input, target] pairs, whose targets are ignored).
   */
  async predict(x: Tensor | BatchSource, opts: PredictOptions = {}): Promise<Tensor> {
    const op = 'predict';
    const device = this.deviceFor(op, opts.device);
    const wasTraining = isTraining(this.model);
    this.model.eval();
    const outs: Tensor[] = [];
    try {
      if (x instanceof Tensor) {
        const bs = positiveInt(op, 'batchSize', opts.batchSize, 32);
        const n = x.shape[0] ?? 0;
        for (let s = 0; s < n; s += bs) outs.push(noGrad(() => this.model.forward(onDevice(x.narrow(0, s, Math.min(bs, n - s)), device)) as Tensor));
      } else {
        const src = x as BatchSource;
        const it = typeof (src as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ? (src as AsyncIterable<unknown>) : (src as Iterable<unknown>);
        for await (const b of it) {
          const input = b instanceof Tensor ? b : checkPair(op, b)[0];
          outs.push(noGrad(() => this.model.forward(onDevice(input, device)) as Tensor));
        }
      }
    } finally {
      this.model.train(wasTraining);
    }
    if (outs.length === 0) throw new Error(`${op}: no samples to predict`);
    return outs.length === 1 ? outs[0]! : cat(outs, 0);
  }
}
