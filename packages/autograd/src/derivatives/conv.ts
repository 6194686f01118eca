/**
 * Derivatives of the convolution family (packages/tensor/src/ops/conv.ts). Three ops are
 * dispatched: `convolution` (y = conv(x, w) + b), `convolutionBackwardInput` (the adjoint in x; a
 * transposed convolution, with an optional bias) and `convolutionBackwardWeight` (the adjoint in w).
 * Each is bilinear in its two tensor operands, and its partial derivatives are the other two ops:
 *
 *   <g, conv(x, w)> = <BI(g, w), x> = <BW(x, g), w>
 *
 * so every formula below is written with these public, differentiable ops and gradients of any
 * order follow. A bias gradient is the sum of the upstream gradient over every dim but channels.
 */
import {
  convolution as convFn, convolutionBackwardInput, convolutionBackwardWeight, type ConvBackwardOptions, type Tensor,
} from '@cinder/tensor';
import type { Derivative } from '../derivatives.js';
import { gradAt } from '../derivatives.js';

/** The forward geometry stored in a convolution op's attributes. */
function geometry(attrs: Readonly<Record<string, any>>): ConvBackwardOptions {
  return { stride: attrs.stride, padding: attrs.padding, dilation: attrs.dilation, groups: attrs.groups };
}

/** Sum over the batch and spatial dims: the gradient of a per-channel bias. */
function biasGrad(g: Tensor): Tensor {
  const dims = [0];
  for (let d = 2; d < g.ndim; d++) dims.push(d);
  return g.sum(dims);
}

/**
 * conv(x, w) with the geometry of a forward convolution whose output is `ySpatial`. When the
 * input carries output padding of at least a stride (possible with dilation), the forward
 * convolution of it is longer than the original output: the extra positions are dropped.
 */
function forwardTo(x: Tensor, w: Tensor, o: ConvBackwardOptions, ySpatial: readonly number[]): Tensor {
  let y = convFn(x, w, null, o);
  for (let i = 0; i < ySpatial.length; i++) {
    const d = y.ndim - ySpatial.length + i;
    if (y.shape[d] !== ySpatial[i]) y = y.narrow(d, 0, ySpatial[i]!);
  }
  return y;
}

const convolution: Derivative = (c) => {
  const [x, w] = c.inputs as [Tensor, Tensor];
  const g = gradAt(c);
  const o = geometry(c.attrs);
  const grads = [
    c.needs(0) ? convolutionBackwardInput(g, w, x.shape, o) : null,
    c.needs(1) ? convolutionBackwardWeight(x, g, w.shape, o) : null,
  ];
  if (c.inputs.length > 2) grads.push(c.needs(2) ? biasGrad(g) : null);
  return grads;
};

// Inputs [gy, w, bias?]; output gx. For upstream h (shaped like gx): d/dgy = conv(h, w),
// d/dw = BW(h, gy), d/dbias = sum of h.
const convolutionBackwardInputGrad: Derivative = (c) => {
  const [gy, w] = c.inputs as [Tensor, Tensor];
  const h = gradAt(c);
  const o = geometry(c.attrs);
  const s = w.ndim - 2;
  const grads = [
    c.needs(0) ? forwardTo(h, w, o, gy.shape.slice(-s)) : null,
    c.needs(1) ? convolutionBackwardWeight(h, gy, w.shape, o) : null,
  ];
  if (c.inputs.length > 2) grads.push(c.needs(2) ? biasGrad(h) : null);
  return grads;
};

// Inputs [x, gy]; output gw. For upstream H (shaped like w): d/dx = BI(gy, H), d/dgy = conv(x, H).
const convolutionBackwardWeightGrad: Derivative = (c) => {
  const [x, gy] = c.inputs as [Tensor, Tensor];
  const hw = gradAt(c);
  const o = geometry(c.attrs);
  const s = hw.ndim - 2;
  return [
    c.needs(0) ? convolutionBackwardInput(gy, hw, x.shape, o) : null,
    c.needs(1) ? forwardTo(x, hw, o, gy.shape.slice(-s)) : null,
  ];
};

export const convDerivatives: Readonly<Record<string, Derivative>> = {
  convolution,
  convolutionBackwardInput: convolutionBackwardInputGrad,
  convolutionBackwardWeight: convolutionBackwardWeightGrad,
};
