/** Common networks built from the modules: MLP, ResNet, VectorQuantizer. */
export { MLP, type MLPOptions } from './mlp.js';
