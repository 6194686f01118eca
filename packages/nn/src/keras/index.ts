/** The Keras workflow: compile/fit/evaluate/predict (on nn.Sequential, or any module via Trainer), callbacks, the progress bar. */
export {
  Trainer, type BatchSource, type FitOptions, type EvaluateOptions, type PredictOptions, type History,
} from './training.js';
export { type CompileOptions, type LossFn, type MetricFn, type LossName, type MetricName, type OptimizerName } from './compile.js';
export {
  Callback, EarlyStopping, ModelCheckpoint, LearningRateScheduler, LambdaCallback,
  earlyStopping, modelCheckpoint, learningRateScheduler, lambdaCallback,
  type Logs, type TrainerContext, type EarlyStoppingOptions, type ModelCheckpointOptions, type Mode,
} from './callbacks.js';
export { ProgressBar, formatDuration, formatPerStep, formatValue, type ProgressBarOptions, type ProgressStream } from './progress.js';
