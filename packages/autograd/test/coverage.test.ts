/**
 * Every op of @cinder/tensor that maps floating inputs to floating outputs has a derivative entry:
 * run every op-table sample under a recording wrapper of the dispatch layer and compare.
 */
import { expect, it } from 'vitest';
import { dispatchLayer, installDispatchLayer, isFloatingDType, Tensor, type DispatchLayer } from '@cinder/tensor';
import { derivatives } from '../src/index.js';
import { flattenOutputs } from '../src/layer.js';
import { buildArgs } from '../../tensor/test/optable/build.js';
import { opTable } from '../../tensor/test/optable/index.js';

/** Ops with floating inputs and outputs that PyTorch does not differentiate, with the reason. */
const NOT_DIFFERENTIABLE: Record<string, string> = {
  unique: 'not differentiable in PyTorch',
};
// The fused backward kernels of the normalizations and cross entropy run only in first-order
// backward passes; a pass that builds a graph differentiates their forward ops with composite
// formulas instead (src/derivatives/nn.ts), so these are never recorded.
for (const op of ['batchNormBackward', 'layerNormBackward', 'groupNormBackward', 'crossEntropyBackward', 'rnnLayerBackward']) {
  NOT_DIFFERENTIABLE[op] = 'fused first-order backward kernel; higher orders use composite formulas';
}

it('every op with floating inputs and outputs has a derivative entry', () => {
  const inner = dispatchLayer()!;
  const seen = new Set<string>();
  const spy: DispatchLayer = {
    ...inner,
    call(op, inputs, attrs, kernel) {
      const result = inner.call(op, inputs, attrs, kernel);
      const floatIn = inputs.some((t) => t instanceof Tensor && isFloatingDType(t.dtype));
      const floatOut = flattenOutputs(result).some((t) => isFloatingDType(t.dtype));
      if (floatIn && floatOut) seen.add(op);
      return result;
    },
  };
  installDispatchLayer(spy);
  try {
    for (const op of opTable) {
      op.samples.forEach((sample, si) => {
        for (const dtype of ['float32', 'float64'] as const) {
          try {
            op.run(buildArgs(sample.args, dtype, si + 1).tensors, sample.opts);
          } catch {
            // dtypes an op does not support; covered by the op table itself
          }
        }
      });
    }
  } finally {
    installDispatchLayer(inner);
  }
  expect(seen.size).toBeGreaterThan(100);
  const missing = [...seen].filter((n) => !(n in derivatives) && !(n.replace(/_$/, '') in derivatives) && !(n in NOT_DIFFERENTIABLE));
  expect(missing).toEqual([]);
});
