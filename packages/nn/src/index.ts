/**
 * @cinder/nn: PyTorch's torch.nn and torch.optim for Cinder: `nn` (Module, Parameter, containers),
 * `init`, `save`/`load`, `optim`. Importing it loads @cinder/autograd (the dispatcher's Autograd
 * layer), so tensors can require gradients.
 *
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { optim } from '@cinder/nn';
 * const w = randn([3], { requiresGrad: true });
 * const opt = new optim.Adam([w], { lr: 0.1 });
 * for (let i = 0; i < 100; i++) {
 *   opt.zeroGrad();
 *   w.sub(1).square().sum().backward();
 *   opt.step();
 * }
 * ```
 */
import '@cinder/autograd';
import { clipGradNorm_, clipGradValue_ } from './optim/clip.js';

export * as nn from './modules/index.js';
export * as init from './init.js';
export { save, load, saveSync, loadSync, type SaveOptions } from './serialization/index.js';
export * as optim from './optim/index.js';
/** torch.nn.functional: activations, linear maps, convolution, pooling, normalization, dropout, losses... */
export * as F from './functional/index.js';
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from './optim/clip.js';
/** torch.nn.utils: gradient clipping. */
export const utils = { clipGradNorm_, clipGradValue_ };
/** Keras's callbacks for fit(): earlyStopping, modelCheckpoint, learningRateScheduler, lambdaCallback. */
export * as callbacks from './keras/callbacks.js';
/** The Keras workflow for any module: new keras.Trainer(model).compile(...), fit, evaluate, predict; the progress bar. */
export * as keras from './keras/index.js';
