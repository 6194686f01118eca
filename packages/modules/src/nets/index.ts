/** Common networks built from the modules: MLP, ResNet, VectorQuantizer. */
export { MLP, type MLPOptions } from './mlp.js';
export { ResNet, BottleneckBlock, type ResNetOptions, type ResNetBatchNormConfig } from './resnet.js';
export { VectorQuantizer, type VectorQuantizerOutput } from './vqvae.js';
