/**
 * Derivatives of the neural-network ops of @cinder/tensor: pooling, upsampling, padding,
 * embedding, the normalizations and the fused cross entropy.
 *
 * Pooling, upsampling, padding and embedding are linear in the tensor they move, and each
 * forward op and its backward op are adjoints of each other (max pooling's adjoint is a gather
 * through its indices), so their formulas are the other op of the pair and gradients of any
 * order follow.
 *
 * The normalizations and cross entropy have one native backward kernel each. A first-order
 * backward pass (grad mode off while the formulas run, the default) calls it; when a backward
 * pass builds a graph (`createGraph: true`) the same gradient is written with differentiable
 * ops instead, the statistics recomputed from the input, so higher-order gradients are exact.
 * (Cross entropy's probability targets and class weights, when they need gradients, take the
 * composite path too.)
 */
import {
  adaptiveAvgPool2d, adaptiveAvgPool2dBackward, avgPool2d, avgPool2dBackward, crossEntropyBackward, embedding,
  embeddingBackward, maxPool2dBackward, nativeBatchNormBackward, nativeGroupNormBackward, nativeLayerNormBackward, ones,
  pad, padBackward, upsampleBilinear2d, upsampleBilinear2dBackward, upsampleNearest2d, upsampleNearest2dBackward,
  zeros, type AvgPool2dOptions, type Tensor,
} from '@cinder/tensor';
import type { Derivative, GradContext } from '../derivatives.js';
import { gradAt } from '../derivatives.js';
import { isGradEnabled } from '../mode.js';

// ---- pooling ----------------------------------------------------------------------------------

/** h (shaped like a pooled op's input) read through max-pooling indices: the adjoint of the scatter. */
function gatherPlanes(h: Tensor, indices: Tensor): Tensor {
  const nd = indices.ndim;
  const lead = indices.shape.slice(0, nd - 2);
  const plane = h.shape[nd - 2]! * h.shape[nd - 1]!;
  const hf = h.reshape([...lead, plane]);
  const idx = indices.reshape([...lead, indices.shape[nd - 2]! * indices.shape[nd - 1]!]);
  return hf.gather(nd - 2, idx).reshape([...indices.shape]);
}

function avgOptions(a: Readonly<Record<string, any>>): AvgPool2dOptions {
  return {
    stride: a.stride, padding: a.padding, ceilMode: a.ceilMode, countIncludePad: a.countIncludePad,
    divisorOverride: a.divisorOverride === 0 ? null : a.divisorOverride,
  };
}

const maxPool2dWithIndices: Derivative = (c) => {
  const x = c.inputs[0]!;
  return [maxPool2dBackward(gradAt(c, 0), c.outputs[1]!, x.shape)];
};

// Inputs [gradOutput, indices]: linear in gradOutput.
const maxPool2dBackwardGrad: Derivative = (c) => [c.needs(0) ? gatherPlanes(gradAt(c), c.inputs[1]!) : null, null];

const avgPool2dGrad: Derivative = (c) => {
  const x = c.inputs[0]!;
  return [avgPool2dBackward(gradAt(c), x.shape, c.attrs.kernelSize, avgOptions(c.attrs))];
};

const avgPool2dBackwardGrad: Derivative = (c) => [avgPool2d(gradAt(c), c.attrs.kernelSize, avgOptions(c.attrs))];

const adaptiveAvgPool2dGrad: Derivative = (c) => [adaptiveAvgPool2dBackward(gradAt(c), c.inputs[0]!.shape)];

const adaptiveAvgPool2dBackwardGrad: Derivative = (c) => {
  const go = c.inputs[0]!;
  return [adaptiveAvgPool2d(gradAt(c), go.shape.slice(go.ndim - 2))];
};

const adaptiveMaxPool2dGrad: Derivative = (c) => [maxPool2dBackward(gradAt(c, 0), c.outputs[1]!, c.inputs[0]!.shape)];

// ---- upsampling -------------------------------------------------------------------------------

const upsampleNearest2dGrad: Derivative = (c) => [upsampleNearest2dBackward(gradAt(c), c.inputs[0]!.shape, { scales: c.attrs.scales })];

const upsampleNearest2dBackwardGrad: Derivative = (c) => {
  const go = c.inputs[0]!;
  return [upsampleNearest2d(gradAt(c), go.shape.slice(go.ndim - 2), { scales: c.attrs.scales })];
};

const upsampleBilinear2dGrad: Derivative = (c) => [
  upsampleBilinear2dBackward(gradAt(c), c.inputs[0]!.shape, { alignCorners: c.attrs.alignCorners, scales: c.attrs.scales }),
];

const upsampleBilinear2dBackwardGrad: Derivative = (c) => {
  const go = c.inputs[0]!;
  return [upsampleBilinear2d(gradAt(c), go.shape.slice(go.ndim - 2), { alignCorners: c.attrs.alignCorners, scales: c.attrs.scales })];
};

// ---- padding ----------------------------------------------------------------------------------

const padGrad: Derivative = (c) => [padBackward(gradAt(c), c.inputs[0]!.shape, c.attrs.pad, { mode: c.attrs.mode })];

const padBackwardGrad: Derivative = (c) => [pad(gradAt(c), c.attrs.pad, { mode: c.attrs.mode })];

// ---- embedding --------------------------------------------------------------------------------

const embeddingGrad: Derivative = (c) => {
  const [w, idx] = c.inputs as [Tensor, Tensor];
  const o = { paddingIdx: c.attrs.paddingIdx < 0 ? null : c.attrs.paddingIdx, scaleGradByFreq: c.attrs.scaleGradByFreq };
  return [embeddingBackward(gradAt(c), idx, w.shape[0]!, o), null];
};

// Inputs [grad, indices]; output [numWeights, D]. The adjoint: rows of h at the indices, zero for
// the padding index, divided by each index's count when scaled by frequency.
const embeddingBackwardGrad: Derivative = (c) => {
  if (!c.needs(0)) return [null, null];
  const idx = c.inputs[1]!;
  const h = gradAt(c);
  let r = embedding(h, idx);
  const flat = idx.reshape([-1]);
  if (c.attrs.paddingIdx >= 0) r = r.mul(idx.ne(c.attrs.paddingIdx).to(r.dtype).unsqueeze(-1));
  if (c.attrs.scaleGradByFreq) {
    const counts = zeros([h.shape[0]!], { dtype: r.dtype, device: r.device }).indexAdd(0, flat, ones([flat.numel()], { dtype: r.dtype, device: r.device }));
    r = r.div(counts.indexSelect(0, flat).reshape([...idx.shape]).unsqueeze(-1));
  }
  return [r, null];
};

// ---- normalization ----------------------------------------------------------------------------

/** Maps [gradInput, gradWeight, gradBias] onto the op's inputs [x, weight?, bias?]. */
function normGrads(c: GradContext, gx: Tensor | null, gw: Tensor | null, gb: Tensor | null): (Tensor | null)[] {
  const r: (Tensor | null)[] = [c.needs(0) ? gx : null];
  let k = 1;
  if (c.attrs.hasWeight) r.push(c.needs(k++) ? gw : null);
  if (c.attrs.hasBias) r.push(c.needs(k++) ? gb : null);
  return r;
}

function normMask(c: GradContext): [boolean, boolean, boolean] {
  let k = 1;
  const w = c.attrs.hasWeight ? c.needs(k++) : false;
  const b = c.attrs.hasBias ? c.needs(k++) : false;
  return [c.needs(0), w, b];
}

/**
 * Differentiable normalization gradient: x normalized over `dims` (groups of elements sharing
 * statistics, kept dims of size 1), from gxhat = g * weight.
 */
function normalizedGrad(gxhat: Tensor, xhat: Tensor, rstd: Tensor, dims: number[]): Tensor {
  const m1 = gxhat.mean(dims, { keepdim: true });
  const m2 = gxhat.mul(xhat).mean(dims, { keepdim: true });
  return gxhat.sub(m1).sub(xhat.mul(m2)).mul(rstd);
}

function allBut(nd: number, keep: number): number[] {
  return [...Array(nd).keys()].filter((d) => d !== keep);
}

const nativeBatchNormGrad: Derivative = (c) => {
  const x = c.inputs[0]!;
  const w = c.attrs.hasWeight ? c.inputs[1]! : null;
  const g = gradAt(c, 0);
  const training = c.attrs.training as boolean;
  if (!isGradEnabled()) {
    const [gx, gw, gb] = nativeBatchNormBackward(g, x, c.outputs[1]!, c.outputs[2]!, { weight: w, training, outputMask: normMask(c) });
    return normGrads(c, gx, gw, gb);
  }
  const dims = allBut(x.ndim, 1);
  const bc = x.shape.map((s, i) => (i === 1 ? s : 1));
  let mean: Tensor, rstd: Tensor;
  if (training) {
    mean = x.mean(dims, { keepdim: true });
    rstd = x.sub(mean).square().mean(dims, { keepdim: true }).add(c.attrs.eps).rsqrt();
  } else {
    mean = c.outputs[1]!.detach().reshape(bc);
    rstd = c.outputs[2]!.detach().reshape(bc);
  }
  const xhat = x.sub(mean).mul(rstd);
  const gxhat = w ? g.mul(w.reshape(bc)) : g;
  const gx = training ? normalizedGrad(gxhat, xhat, rstd, dims) : gxhat.mul(rstd);
  return normGrads(c, gx, g.mul(xhat).sum(dims), g.sum(dims));
};

const nativeLayerNormGrad: Derivative = (c) => {
  const x = c.inputs[0]!;
  const w = c.attrs.hasWeight ? c.inputs[1]! : null;
  const g = gradAt(c, 0);
  const ns = c.attrs.normalizedShape as number[];
  if (!isGradEnabled()) {
    const [gx, gw, gb] = nativeLayerNormBackward(g, x, ns, c.outputs[1]!, c.outputs[2]!, { weight: w, outputMask: normMask(c) });
    return normGrads(c, gx, gw, gb);
  }
  const k = ns.length;
  const dims = [...Array(k).keys()].map((i) => x.ndim - k + i);
  const lead = [...Array(x.ndim - k).keys()];
  const mean = x.mean(dims, { keepdim: true });
  const rstd = x.sub(mean).square().mean(dims, { keepdim: true }).add(c.attrs.eps).rsqrt();
  const xhat = x.sub(mean).mul(rstd);
  const gx = normalizedGrad(w ? g.mul(w) : g, xhat, rstd, dims);
  const gw = lead.length > 0 ? g.mul(xhat).sum(lead) : g.mul(xhat);
  const gb = lead.length > 0 ? g.sum(lead) : g;
  return normGrads(c, gx, gw, gb);
};

const nativeGroupNormGrad: Derivative = (c) => {
  const x = c.inputs[0]!;
  const w = c.attrs.hasWeight ? c.inputs[1]! : null;
  const g = gradAt(c, 0);
  const G = c.attrs.numGroups as number;
  if (!isGradEnabled()) {
    const [gx, gw, gb] = nativeGroupNormBackward(g, x, G, c.outputs[1]!, c.outputs[2]!, { weight: w, outputMask: normMask(c) });
    return normGrads(c, gx, gw, gb);
  }
  const N = x.shape[0]!;
  const grouped = [N, G, x.numel() / Math.max(1, N * G)];
  const bc = x.shape.map((s, i) => (i === 1 ? s : 1));
  const xg = x.reshape(grouped);
  const mean = xg.mean(2, { keepdim: true });
  const rstd = xg.sub(mean).square().mean(2, { keepdim: true }).add(c.attrs.eps).rsqrt();
  const xhatG = xg.sub(mean).mul(rstd);
  const xhat = xhatG.reshape([...x.shape]);
  const gxhat = (w ? g.mul(w.reshape(bc)) : g).reshape(grouped);
  const gx = normalizedGrad(gxhat, xhatG, rstd, [2]).reshape([...x.shape]);
  const dims = allBut(x.ndim, 1);
  return normGrads(c, gx, g.mul(xhat).sum(dims), g.sum(dims));
};

// ---- cross entropy ----------------------------------------------------------------------------

/**
 * The cross-entropy gradient written with differentiable ops: for logits x, class dim cd,
 * per-sample scale s (the upstream gradient, divided by the mean's denominator),
 * d loss / d x = s * (a * softmax(x) - b), where b is the weighted (smoothed) target
 * distribution and a its total.
 */
function crossEntropyComposite(c: GradContext): (Tensor | null)[] {
  const [x, target] = c.inputs as [Tensor, Tensor];
  const w = c.attrs.hasWeight ? c.inputs[2]! : null;
  const g = gradAt(c, 0);
  const eps = c.attrs.labelSmoothing as number;
  const reduction = c.attrs.reduction as string;
  const cd = x.ndim === 1 ? 0 : 1;
  const C = x.shape[cd]!;
  const bc = x.shape.map((s, i) => (i === cd ? s : 1));
  const wv = w ? w.reshape(bc) : null;
  const logp = x.logSoftmax(cd);
  const p = logp.exp();
  const total = meanDenominator(c);
  // Per-sample scale, with the class dim kept as size 1.
  let scale = reduction === 'none' ? g.unsqueeze(cd) : g;
  if (reduction === 'mean') scale = scale.div(total);
  let gx: Tensor;
  let gt: Tensor | null = null;
  if (target.dtype === x.dtype) {
    // Probability targets.
    const q = eps > 0 ? target.mul(1 - eps).add(eps / C) : target;
    const wq = wv ? q.mul(wv) : q;
    gx = p.mul(wq.sum(cd, { keepdim: true })).sub(wq).mul(scale);
    if (c.needs(1)) {
      const glogp = wv ? logp.mul(wv) : logp;
      gt = glogp.mul(scale).mul(-(1 - eps));
    }
  } else {
    const ignore = target.eq(c.attrs.ignoreIndex as number);
    const t = target.maskedFill(ignore, 0).to('int64');
    const keep = ignore.logicalNot().to(x.dtype).unsqueeze(cd);
    const onehot = t.oneHot(C).to(x.dtype).movedim(-1, cd);
    const wt = wv ? onehot.mul(wv).sum(cd, { keepdim: true }) : ones([], { dtype: x.dtype, device: x.device });
    const wAll = wv ? wv : ones(bc, { dtype: x.dtype, device: x.device });
    const W = wv ? wv.sum() : C;
    const a = wt.mul(1 - eps).add(typeof W === 'number' ? W * (eps / C) : W.mul(eps / C));
    const b = onehot.mul(wt).mul(1 - eps).add(wAll.mul(eps / C));
    gx = p.mul(a).sub(b).mul(keep).mul(scale);
  }
  const r: (Tensor | null)[] = [c.needs(0) ? gx : null, gt];
  if (c.attrs.hasWeight) r.push(c.needs(2) ? crossEntropyWeightGrad(c, logp) : null);
  return r;
}

/**
 * The denominator of a 'mean' cross entropy: the summed weights of the non-ignored class-index
 * targets (a function of the class weights, so written with them when they are given), or the
 * number of samples for probability targets.
 */
function meanDenominator(c: GradContext): Tensor {
  const [x, target] = c.inputs as [Tensor, Tensor];
  if (!c.attrs.hasWeight || target.dtype === x.dtype) return c.outputs[2]!.detach();
  const w = c.inputs[2]!;
  const ignore = target.eq(c.attrs.ignoreIndex as number);
  const t = target.maskedFill(ignore, 0).to('int64').reshape([-1]);
  return w.indexSelect(0, t).mul(ignore.logicalNot().to(x.dtype).reshape([-1])).sum();
}

/**
 * The class weights' gradient (PyTorch does not differentiate them; here they are ordinary
 * inputs). Each sample's loss is linear in the weights: sum_c w_c * m_c * (-log p_c), with m the
 * (smoothed) target mass on class c; with 'mean' over class-index targets the denominator (the
 * summed weights of the targets) depends on them too.
 */
function crossEntropyWeightGrad(c: GradContext, logp: Tensor): Tensor {
  const [x, target] = c.inputs as [Tensor, Tensor];
  const g = gradAt(c, 0);
  const eps = c.attrs.labelSmoothing as number;
  const reduction = c.attrs.reduction as string;
  const cd = x.ndim === 1 ? 0 : 1;
  const C = x.shape[cd]!;
  const others = allBut(x.ndim, cd);
  const total = meanDenominator(c);
  let scale = reduction === 'none' ? g.unsqueeze(cd) : g;
  if (reduction === 'mean') scale = scale.div(total);
  let mass: Tensor;
  let count: Tensor | null = null;
  if (target.dtype === x.dtype) {
    mass = eps > 0 ? target.mul(1 - eps).add(eps / C) : target;
  } else {
    const ignore = target.eq(c.attrs.ignoreIndex as number);
    const keep = ignore.logicalNot().to(x.dtype).unsqueeze(cd);
    const onehot = target.maskedFill(ignore, 0).to('int64').oneHot(C).to(x.dtype).movedim(-1, cd).mul(keep);
    mass = onehot.mul(1 - eps).add(keep.mul(eps / C));
    if (reduction === 'mean') count = others.length > 0 ? onehot.sum(others) : onehot;
  }
  const contrib = mass.mul(logp.neg()).mul(scale);
  let gw = others.length > 0 ? contrib.sum(others) : contrib;
  if (count !== null) gw = gw.sub(count.mul(c.outputs[0]!).mul(g).div(total));
  return gw;
}

const crossEntropyGrad: Derivative = (c) => {
  const [x, target] = c.inputs as [Tensor, Tensor];
  const probs = target.dtype === x.dtype;
  if (isGradEnabled() || (probs && c.needs(1)) || (c.attrs.hasWeight && c.needs(2))) return crossEntropyComposite(c);
  const w = c.attrs.hasWeight ? c.inputs[2]! : null;
  const gx = c.needs(0)
    ? crossEntropyBackward(gradAt(c, 0), x, target, c.outputs[1]!, c.outputs[2]!, {
      weight: w, ignoreIndex: c.attrs.ignoreIndex, labelSmoothing: c.attrs.labelSmoothing, reduction: c.attrs.reduction,
    })
    : null;
  const r: (Tensor | null)[] = [gx, null];
  if (c.attrs.hasWeight) r.push(null);
  return r;
};

export const nnDerivatives: Readonly<Record<string, Derivative>> = {
  maxPool2dWithIndices,
  maxPool2dBackward: maxPool2dBackwardGrad,
  avgPool2d: avgPool2dGrad,
  avgPool2dBackward: avgPool2dBackwardGrad,
  adaptiveAvgPool2d: adaptiveAvgPool2dGrad,
  adaptiveAvgPool2dBackward: adaptiveAvgPool2dBackwardGrad,
  adaptiveMaxPool2d: adaptiveMaxPool2dGrad,
  upsampleNearest2d: upsampleNearest2dGrad,
  upsampleNearest2dBackward: upsampleNearest2dBackwardGrad,
  upsampleBilinear2d: upsampleBilinear2dGrad,
  upsampleBilinear2dBackward: upsampleBilinear2dBackwardGrad,
  pad: padGrad,
  padBackward: padBackwardGrad,
  embedding: embeddingGrad,
  embeddingBackward: embeddingBackwardGrad,
  batchNorm: nativeBatchNormGrad,
  layerNorm: nativeLayerNormGrad,
  groupNorm: nativeGroupNormGrad,
  crossEntropy: crossEntropyGrad,
};
