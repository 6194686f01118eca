/**
 * torch.optim for Cinder: optimizers with parameter groups and state dicts, and the learning-rate
 * schedulers (PyTorch's lr_scheduler, flattened into this namespace).
 */
export {
  Optimizer, type BaseOptions, type Closure, type OptimizerStateDict, type ParamGroupInput, type ParamGroupOf, type Params,
  type ZeroGradOptions,
} from './optimizer.js';
export { SGD, type SGDOptions, type SGDState } from './sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamState } from './adam.js';
export { RMSprop, type RMSpropOptions, type RMSpropState } from './rmsprop.js';
export { Adagrad, type AdagradOptions, type AdagradState } from './adagrad.js';
export { LBFGS, type LBFGSOptions, type LBFGSState } from './lbfgs.js';
export * as lrScheduler from './lrScheduler.js';
export {
  LRScheduler, LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
  CosineAnnealingLR, CosineAnnealingWarmRestarts, OneCycleLR, SequentialLR, ChainedScheduler, ReduceLROnPlateau,
  type AnyOptimizer, type SchedulerOptions, type SchedulerStateDict, type StepLROptions, type ConstantLROptions,
  type LinearLROptions, type PolynomialLROptions, type CosineAnnealingLROptions, type CosineAnnealingWarmRestartsOptions,
  type OneCycleLROptions, type ReduceLROnPlateauOptions,
} from './lrScheduler.js';
