/**
 * What compile() accepts, resolved to callables: optimizers by name, losses by name (PyTorch's
 * camelCase names and Keras's), metrics by name. Losses take the model's raw outputs as PyTorch's
 * do: crossEntropy expects logits, binaryCrossEntropy probabilities, binaryCrossEntropyWithLogits
 * logits.
 */
import { canonicalDevice, Tensor, type Device } from '@cinder/tensor';
import * as F from '../functional/index.js';
import { Module } from '../modules/module.js';
import type { Parameter } from '../modules/parameter.js';
import { Adagrad } from '../optim/adagrad.js';
import { Adam, AdamW } from '../optim/adam.js';
import { Optimizer } from '../optim/optimizer.js';
import { RMSprop } from '../optim/rmsprop.js';
import { SGD } from '../optim/sgd.js';

export type LossFn = (output: Tensor, target: Tensor) => Tensor;
export type MetricFn = (output: Tensor, target: Tensor) => Tensor | number;

export type OptimizerName = 'adam' | 'adamw' | 'sgd' | 'rmsprop' | 'adagrad';
export type LossName =
  | 'crossEntropy' | 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy' | 'nllLoss'
  | 'mse' | 'mseLoss' | 'meanSquaredError' | 'mae' | 'l1Loss' | 'meanAbsoluteError'
  | 'huber' | 'huberLoss' | 'smoothL1Loss'
  | 'binaryCrossEntropy' | 'binaryCrossentropy' | 'binaryCrossEntropyWithLogits' | 'klDiv';
export type MetricName = 'accuracy' | 'acc' | 'mae' | 'mse' | 'meanAbsoluteError' | 'meanSquaredError';

export interface CompileOptions {
  /** An optimizer, a name (with the optimizer's default options; SGD uses lr 0.01), or a factory of the model's parameters. */
  optimizer: Optimizer | OptimizerName | ((params: Parameter[]) => Optimizer);
  /** A loss by name, a function (output, target) => scalar tensor, or a loss module. */
  loss: LossName | LossFn | Module;
  /** Metrics by name or as functions (output, target) => per-batch mean, reported by their function's name. */
  metrics?: (MetricName | MetricFn | { name: string; fn: MetricFn })[];
  /**
   * Where to train: compile() moves the model there (before building the optimizer), and fit(),
   * evaluate() and predict() move each batch there. Default: the device of the model's parameters.
   */
  device?: Device;
}

export interface Metric {
  readonly name: string;
  /** The batch's value (a mean over its samples) and its sample count. */
  compute(output: Tensor, target: Tensor): number;
}

export interface Compiled {
  optimizer: Optimizer;
  loss: LossFn;
  lossName: string;
  metrics: Metric[];
  /** The device given to compile(), canonical ('cuda' is 'cuda:0'), if any. */
  device: Device | undefined;
}

const LOSSES: Record<LossName, LossFn> = {
  crossEntropy: (o, t) => F.crossEntropy(o, t),
  sparseCategoricalCrossentropy: (o, t) => F.crossEntropy(o, t),
  categoricalCrossentropy: (o, t) => F.crossEntropy(o, t),
  nllLoss: (o, t) => F.nllLoss(o, t),
  mse: (o, t) => F.mseLoss(o, t),
  mseLoss: (o, t) => F.mseLoss(o, t),
  meanSquaredError: (o, t) => F.mseLoss(o, t),
  mae: (o, t) => F.l1Loss(o, t),
  l1Loss: (o, t) => F.l1Loss(o, t),
  meanAbsoluteError: (o, t) => F.l1Loss(o, t),
  huber: (o, t) => F.huberLoss(o, t),
  huberLoss: (o, t) => F.huberLoss(o, t),
  smoothL1Loss: (o, t) => F.smoothL1Loss(o, t),
  binaryCrossEntropy: (o, t) => F.binaryCrossEntropy(o, t),
  binaryCrossentropy: (o, t) => F.binaryCrossEntropy(o, t),
  binaryCrossEntropyWithLogits: (o, t) => F.binaryCrossEntropyWithLogits(o, t),
  klDiv: (o, t) => F.klDiv(o, t, { reduction: 'batchmean' }),
};

function resolveOptimizer(spec: CompileOptions['optimizer'], params: Parameter[]): Optimizer {
  if (spec instanceof Optimizer) return spec;
  if (typeof spec === 'function') {
    const opt = spec(params);
    if (!(opt instanceof Optimizer)) throw new TypeError('compile: the optimizer factory must return an optim.Optimizer');
    return opt;
  }
  switch (spec) {
    case 'adam': return new Adam(params);
    case 'adamw': return new AdamW(params);
    case 'sgd': return new SGD(params, { lr: 0.01 });
    case 'rmsprop': return new RMSprop(params);
    case 'adagrad': return new Adagrad(params);
    default:
      throw new TypeError(`compile: unknown optimizer ${JSON.stringify(spec)} (expected an optim.Optimizer, a factory, or one of adam, adamw, sgd, rmsprop, adagrad)`);
  }
}

function resolveLoss(spec: CompileOptions['loss']): [LossFn, string] {
  if (spec instanceof Module) return [(o, t) => spec.forward(o, t) as Tensor, spec.constructor.name];
  if (typeof spec === 'function') return [spec, spec.name || 'loss'];
  if (typeof spec === 'string' && Object.prototype.hasOwnProperty.call(LOSSES, spec)) return [LOSSES[spec], spec];
  throw new TypeError(`compile: unknown loss ${JSON.stringify(spec)} (expected a function, a loss module, or one of ${Object.keys(LOSSES).join(', ')})`);
}

/**
 * Classification accuracy, chosen by the shapes as Keras chooses: outputs [N, C] (C > 1) against
 * class indices [N] or one-hot / probability targets [N, C] compare argmaxes; outputs with the
 * target's shape (binary) compare `output > threshold` with the target (threshold 0 for logits,
 * 0.5 for probabilities).
 */
function accuracy(threshold: number): (o: Tensor, t: Tensor) => number {
  return (o, t) => {
    if (o.ndim >= 2 && o.shape[1]! > 1) {
      const pred = o.argmax(1);
      const truth = t.ndim === o.ndim ? t.argmax(1) : t;
      return pred.eq(truth.to(pred.dtype)).to('float32').mean().item() as number;
    }
    const pred = o.gt(threshold);
    return pred.eq(t.reshape(o.shape).gt(0.5)).to('float32').mean().item() as number;
  };
}

function resolveMetric(spec: NonNullable<CompileOptions['metrics']>[number], lossName: string): Metric {
  const scalar = (name: string, f: MetricFn): Metric => ({
    name,
    compute: (o, t) => {
      const v = f(o, t);
      return v instanceof Tensor ? (v.item() as number) : v;
    },
  });
  if (typeof spec === 'function') return scalar(spec.name || 'metric', spec);
  if (spec !== null && typeof spec === 'object' && typeof spec.fn === 'function') return scalar(String(spec.name), spec.fn);
  switch (spec) {
    case 'accuracy':
    case 'acc':
      return { name: 'accuracy', compute: accuracy(lossName === 'binaryCrossEntropy' || lossName === 'binaryCrossentropy' ? 0.5 : 0) };
    case 'mae':
    case 'meanAbsoluteError':
      return scalar('mae', (o, t) => o.sub(t.reshape(o.shape)).abs().mean());
    case 'mse':
    case 'meanSquaredError':
      return scalar('mse', (o, t) => o.sub(t.reshape(o.shape)).square().mean());
    default:
      throw new TypeError(`compile: unknown metric ${JSON.stringify(spec)} (expected a function, { name, fn }, or one of accuracy, mae, mse)`);
  }
}

export function resolveCompile(opts: CompileOptions, params: Parameter[]): Compiled {
  if (opts === null || typeof opts !== 'object') throw new TypeError('compile: expected an options object { optimizer, loss, metrics }');
  if (opts.optimizer === undefined) throw new TypeError('compile: optimizer is required');
  if (opts.loss === undefined) throw new TypeError('compile: loss is required');
  const [loss, lossName] = resolveLoss(opts.loss);
  const metrics = (opts.metrics ?? []).map((m) => resolveMetric(m, lossName));
  const names = new Set<string>();
  for (const m of metrics) {
    if (m.name === 'loss' || names.has(m.name)) throw new Error(`compile: two metrics are called '${m.name}'`);
    names.add(m.name);
  }
  const device = opts.device === undefined ? undefined : canonicalDevice(opts.device, 'compile');
  return { optimizer: resolveOptimizer(opts.optimizer, params), loss, lossName, metrics, device };
}
