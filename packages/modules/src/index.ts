/**
 * @cinder/modules: Sonnet's modules for Cinder. A module owns named variables, creates them on its
 * first call from the input's shape, and imposes no training framework: variables are tensors that
 * @cinder/autograd differentiates and the optimizers here update with `apply(updates, parameters)`.
 *
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { nets } from '@cinder/modules';
 * const mlp = new nets.MLP([16, 4]);
 * mlp.call(randn([2, 8]));
 * console.log(mlp.trainableVariables.map((v) => v.name)); // [ 'mlp/linear_0/b', 'mlp/linear_0/w', 'mlp/linear_1/b', 'mlp/linear_1/w' ]
 * ```
 */
import '@cinder/autograd';

export { Module, once, camelToSnake, type ModuleOptions, type CreateVariableOptions } from './module.js';
export { Variable, type VariableOptions } from './variable.js';
export * as initializers from './initializers.js';
export { Initializer, type InitializerLike } from './initializers.js';
export { Linear, Bias, type LinearOptions, type BiasOptions } from './linear.js';
export { Conv1D, Conv2D, Conv3D, Conv2DTranspose, DepthwiseConv2D, type ConvOptions, type ConvTransposeOptions, type DepthwiseConv2DOptions, type Padding } from './conv.js';
export { BatchNorm, ExponentialMovingAverage, type BatchNormOptions, type BatchNormCallOptions } from './batchNorm.js';
export { LayerNorm, GroupNorm, InstanceNorm, type NormOptions } from './normalization.js';
export { Dropout } from './dropout.js';
export { Embed, type EmbedOptions } from './embed.js';
export { Reshape, Flatten, type ReshapeOptions } from './reshape.js';
export { Sequential, type Layer } from './sequential.js';
export { Deferred } from './deferred.js';
export { BatchApply, type BatchApplyOptions } from './batchApply.js';
export { Optimizer, SGD, Momentum, Adam, RMSProp, type AdamOptions, type RMSPropOptions } from './optimizers.js';
export * as nets from './nets/index.js';
export { Checkpoint, type RestoreOptions, type RestoreStatus } from './checkpoint.js';
export {
  RNNCore, VanillaRNN, LSTM, GRU, DeepRNN, staticUnroll, dynamicUnroll,
  type RNNState, type LSTMState, type InitialStateOptions, type VanillaRNNOptions, type GatedOptions, type DeepRNNLayer, type UnrollOptions,
} from './recurrent.js';
