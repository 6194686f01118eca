/**
 * @cinder/tensor: n-dimensional arrays on Cinder's native core.
 *
 * @example
 * ```ts
 * import { tensor, arange } from '@cinder/tensor';
 * const x = tensor([[1, 2], [3, 4]], { dtype: 'float32' });
 * console.log(x.toString());
 * ```
 */
export { Tensor, normalizeDim, type GradFn, type NestedArray } from './tensor.js';
export { type DType, DTYPES, promoteTypes, resultType, isFloatingDType, setDefaultDType, getDefaultDType, type TypedArray } from './dtype.js';
export { type Device, canonicalDevice, checkSameDevice } from './device.js';
export { dispatch, installDispatchLayer, dispatchLayer, type DispatchLayer } from './dispatch.js';
export { tidy, keep } from './memory.js';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled, inferenceMode, isInferenceMode, withFlag } from './gradMode.js';
export {
  tensor, full, zeros, ones, empty, arange, linspace, eye, zerosLike, onesLike, fullLike, emptyLike,
  scalarTensor, type CreationOptions,
} from './creation.js';
export { clone, to, detach, copy_, fill_ } from './ops/conversion.js';
export { memoryStats, emptyCache, getNumThreads, setNumThreads, cuda } from './runtime.js';
export { setFloat32MatmulPrecision, getFloat32MatmulPrecision, cudaMatmulPath, type Float32MatmulPrecision } from './matmulPrecision.js';
export { broadcastShapes, normalizeDims } from './shape.js';
export * from './ops/elementwise.js';
export * from './ops/reduction.js';
export * from './ops/reshape.js';
export * from './ops/permute.js';
export * from './ops/expand.js';
export * from './ops/slicing.js';
export * from './ops/indexer.js';
export * from './ops/viewScatter.js';
export * from './ops/join.js';
export * from './ops/rearrange.js';
export * from './ops/triangular.js';
export * from './ops/matmul.js';
export * from './ops/conv.js';
// Named, not `*`: einsum.ts also exports einsumImpl, the undispatched kernel linalg.ts reuses.
export { einsum } from './ops/einsum.js';
export * from './ops/linalg.js';
export * from './ops/gatherScatter.js';
export * from './ops/masking.js';
export * from './ops/sorting.js';
export * from './ops/random.js';
export * from './ops/optim.js';
export * from './ops/pool.js';
export * from './ops/upsample.js';
export * from './ops/pad.js';
export * from './ops/norm.js';
export * from './ops/loss.js';
export * from './ops/rnn.js';
export * from './ops/embedding.js';
export * from './io/index.js';
export * from './print.js';
