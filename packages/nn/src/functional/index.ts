/**
 * torch.nn.functional for Cinder, as one namespace: `import { F } from '@cinder/nn'`, then
 * `F.relu(x)`, `F.conv2d(x, w, { bias, padding: 1 })`, `F.crossEntropy(logits, target)`.
 * Primary arguments are positional; what PyTorch passes by keyword goes in an options object.
 */
export * from './activation.js';
export * from './linear.js';
export * from './conv.js';
export * from './pooling.js';
export * from './vision.js';
export * from './normalization.js';
export * from './dropout.js';
export * from './sparse.js';
export * from './attention.js';
export * from './loss.js';
export * from './distance.js';
export * from './rnn.js';
