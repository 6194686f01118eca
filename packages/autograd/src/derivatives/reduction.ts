/**
 * Derivatives of the reduction ops (sum, mean, prod, amax/amin, max/min, var/std, logsumexp, norm,
 * cumsum/cumprod, softmax/logSoftmax), after PyTorch's derivatives.yaml. Formulas use public ops
 * only, so they differentiate again; masks (ties, zeros) are computed on detached values.
 */
import { arange, eye, zeros, type Tensor } from '@cinder/tensor';
import type { Derivative, GradContext } from '../derivatives.js';
import { gradAt } from '../derivatives.js';

type Dims = readonly number[] | null | undefined;

/** The reduced dims of `input` (all of them when dims is null/undefined), ascending. */
function reducedDims(input: Tensor, dims: Dims): number[] {
  return dims === null || dims === undefined ? [...Array(input.ndim).keys()] : [...dims].sort((x, y) => x - y);
}

/** A reduced tensor with its reduced dims put back as size 1 (a no-op with keepdim). */
export function unsqueezeReduced(g: Tensor, input: Tensor, dims: Dims, keepdim: boolean): Tensor {
  let r = g;
  if (!keepdim && input.ndim > 0) for (const d of reducedDims(input, dims)) r = r.unsqueeze(d);
  return r;
}

/** A reduced gradient expanded back over the reduced dims of `input`. */
export function expandReduced(g: Tensor, input: Tensor, dims: Dims, keepdim: boolean): Tensor {
  return unsqueezeReduced(g, input, dims, keepdim).expand([...input.shape]);
}

/** `g` in the dtype of `t` (ops with a dtype option compute in another dtype). */
function castTo(g: Tensor, t: Tensor): Tensor {
  return g.dtype === t.dtype ? g : g.to(t.dtype);
}

/** The number of elements folded into each output element. */
function reducedCount(input: Tensor, dims: Dims): number {
  return reducedDims(input, dims).reduce((n, d) => n * input.shape[d]!, 1);
}

/** sign(t) as a constant (its derivative is zero): computed on detached values. */
function signOf(t: Tensor): Tensor {
  return t.detach().sign();
}

/** t^e for t >= 0, written with exp/log so it differentiates again with the ops at hand. */
function powNonNeg(t: Tensor, e: number): Tensor {
  if (e === 1) return t;
  return t.log().mul(e).exp();
}

function dimsAttr(c: GradContext): { dims: Dims; keepdim: boolean } {
  return { dims: c.attrs.dim as Dims, keepdim: Boolean(c.attrs.keepdim) };
}

/**
 * Gradient split evenly among the elements equal to the result (amax/amin, max()/min() without
 * dim, median() of all elements), as PyTorch's evenly_distribute_backward / scale_grad_by_count.
 */
function evenly(g: Tensor, x: Tensor, out: Tensor, dims: Dims, keepdim: boolean): Tensor {
  const rd = reducedDims(x, dims);
  const mask = x.detach().eq(unsqueezeReduced(out.detach(), x, dims, keepdim)).to(x.dtype);
  const count = rd.length > 0 ? mask.sum(rd, { keepdim: true }) : mask;
  return unsqueezeReduced(g, x, dims, keepdim).div(count).mul(mask);
}

/** Gradient of an op picking one element per output along dim (max/min/kthvalue/median with dim, sort, topk). */
export function valueSelecting(g: Tensor, x: Tensor, dim: number, indices: Tensor, keepdim: boolean): Tensor {
  if (x.ndim === 0) return castTo(g, x);
  const gk = keepdim ? g : g.unsqueeze(dim);
  const ik = keepdim ? indices : indices.unsqueeze(dim);
  return zeros([...x.shape], { dtype: x.dtype, device: x.device }).scatterAdd(dim, ik, castTo(gk, x));
}

/** The product of every other element along the last dim (safe with zeros): [..., n] -> [..., n]. */
function prodOfOthers(x: Tensor): Tensor {
  const n = x.shape[x.ndim - 1]!;
  const e = eye(n, { dtype: x.dtype, device: x.device });
  // m[..., i, k] = (k === i ? 1 : x[..., k])
  const m = x.unsqueeze(-2).mul(e.neg().add(1)).add(e);
  return m.prod(-1);
}

function hasZero(x: Tensor): boolean {
  return Boolean(x.detach().eq(0).any().item());
}

function prodBackward(g: Tensor, x: Tensor, out: Tensor, dims: Dims, keepdim: boolean): Tensor {
  if (x.ndim === 0) return castTo(g, x);
  const ge = expandReduced(g, x, dims, keepdim);
  if (x.numel() === 0) return zeros([...x.shape], { dtype: x.dtype, device: x.device });
  if (!hasZero(x)) return castTo(ge.mul(expandReduced(out, x, dims, keepdim)).div(x), x);
  // With zeros: the product of the other elements of each reduced group, computed directly.
  const rd = reducedDims(x, dims);
  const kept = [...Array(x.ndim).keys()].filter((d) => !rd.includes(d));
  const perm = [...kept, ...rd];
  const inv = perm.map((_, i) => perm.indexOf(i));
  const n = rd.reduce((a, d) => a * x.shape[d]!, 1);
  const xp = x.permute(perm).reshape([...kept.map((d) => x.shape[d]!), n]);
  const others = prodOfOthers(xp).reshape(perm.map((d) => x.shape[d]!)).permute(inv);
  return castTo(ge, x).mul(others);
}

/** Reverse cumulative sum along dim: r[i] = sum_{j >= i} g[j]. */
function reverseCumsum(g: Tensor, dim: number): Tensor {
  return g.sum(dim, { keepdim: true }).sub(g.cumsum(dim)).add(g);
}

function cumprodBackward(g: Tensor, x: Tensor, out: Tensor, dim: number): Tensor {
  if (x.ndim === 0 || x.numel() === 0) return castTo(g, x);
  if (!hasZero(x)) return castTo(reverseCumsum(g.mul(out), dim).div(x), x);
  // With zeros: grad[i] = sum_{j >= i} g[j] * prod_{k <= j, k != i} x[k], as an n x n product table.
  const n = x.shape[dim]!;
  const xm = x.movedim(dim, -1);
  const gm = castTo(g, x).movedim(dim, -1);
  const e = eye(n, { dtype: x.dtype, device: x.device });
  const table = xm.unsqueeze(-2).mul(e.neg().add(1)).add(e).cumprod(-1); // [..., i, j]
  const idx = arange(n, { device: x.device });
  const upper = idx.unsqueeze(1).le(idx.unsqueeze(0)).to(x.dtype); // j >= i
  return table.mul(upper).mul(gm.unsqueeze(-2)).sum(-1).movedim(-1, dim);
}

function varBackward(g: Tensor, x: Tensor, dims: Dims, keepdim: boolean, correction: number): Tensor {
  const rd = reducedDims(x, dims);
  const n = reducedCount(x, dims);
  const centered = rd.length > 0 ? x.sub(x.mean(rd, { keepdim: true })) : x.sub(x);
  return expandReduced(g, x, dims, keepdim).mul(centered).mul(2 / (n - correction));
}

function stdBackward(g: Tensor, x: Tensor, out: Tensor, dims: Dims, keepdim: boolean, correction: number): Tensor {
  // d std = d var / (2 std); zero where std is zero, as PyTorch.
  const zero = out.detach().eq(0);
  const gs = g.div(out.mul(2)).maskedFill(zero, 0);
  return varBackward(gs, x, dims, keepdim, correction);
}

function normBackward(g: Tensor, x: Tensor, out: Tensor, p: number, dims: Dims, keepdim: boolean): Tensor {
  if (p === 0 || x.numel() === 0) return zeros([...x.shape], { dtype: x.dtype, device: x.device });
  const ge = castTo(expandReduced(g, x, dims, keepdim), x);
  const oe = castTo(expandReduced(out, x, dims, keepdim), x);
  if (p === 1) return ge.mul(signOf(x));
  if (p === Infinity || p === -Infinity) {
    // Split evenly among the elements whose magnitude is the result, as PyTorch.
    const rd = reducedDims(x, dims);
    const mask = x.detach().abs().eq(oe.detach()).to(x.dtype);
    const count = rd.length > 0 ? mask.sum(rd, { keepdim: true }) : mask;
    return ge.mul(signOf(x)).mul(mask).div(count);
  }
  const zeroOut = oe.detach().eq(0);
  if (p === 2) return ge.mul(x).div(oe).maskedFill(zeroOut, 0);
  // x |x|^(p-2) / norm^(p-1) = sign(x) |x|^(p-1) / norm^(p-1); zero where x or the norm is zero.
  const s = signOf(x);
  const ax = x.mul(s);
  const r = ge.mul(s).mul(powNonNeg(ax, p - 1)).div(powNonNeg(oe, p - 1));
  return r.maskedFill(zeroOut.logicalOr(x.detach().eq(0)), 0);
}

export const reductionDerivatives: Record<string, Derivative> = {
  sum: (c) => {
    const x = c.inputs[0]!;
    const g = expandReduced(gradAt(c), x, c.attrs.dim as number[] | null, Boolean(c.attrs.keepdim));
    return [castTo(g, x)];
  },
  mean: (c) => {
    const x = c.inputs[0]!;
    const { dims, keepdim } = dimsAttr(c);
    const n = reducedCount(x, dims);
    if (n === 0) return [zeros([...x.shape], { dtype: x.dtype, device: x.device })];
    return [castTo(expandReduced(gradAt(c), x, dims, keepdim).div(n), x)];
  },
  prod: (c) => {
    const { dims, keepdim } = dimsAttr(c);
    return [prodBackward(gradAt(c), c.inputs[0]!, c.outputs[0]!, dims, keepdim)];
  },
  amax: (c) => {
    const { dims, keepdim } = dimsAttr(c);
    return [evenly(gradAt(c), c.inputs[0]!, c.outputs[0]!, dims, keepdim)];
  },
  amin: (c) => {
    const { dims, keepdim } = dimsAttr(c);
    return [evenly(gradAt(c), c.inputs[0]!, c.outputs[0]!, dims, keepdim)];
  },
  // max()/min(): ties split evenly; max(dim)/min(dim): the gradient goes to the index returned.
  max: (c) => maxMinBackward(c),
  min: (c) => maxMinBackward(c),
  var: (c) => {
    const { dims, keepdim } = dimsAttr(c);
    return [varBackward(gradAt(c), c.inputs[0]!, dims, keepdim, c.attrs.correction as number)];
  },
  std: (c) => {
    const { dims, keepdim } = dimsAttr(c);
    return [stdBackward(gradAt(c), c.inputs[0]!, c.outputs[0]!, dims, keepdim, c.attrs.correction as number)];
  },
  varMean: (c) => {
    const x = c.inputs[0]!;
    const { dims, keepdim } = dimsAttr(c);
    let r: Tensor | null = null;
    if (c.grads[0]) r = varBackward(c.grads[0], x, dims, keepdim, c.attrs.correction as number);
    if (c.grads[1]) {
      const m = expandReduced(c.grads[1], x, dims, keepdim).div(reducedCount(x, dims));
      r = r === null ? m : r.add(m);
    }
    return [r];
  },
  stdMean: (c) => {
    const x = c.inputs[0]!;
    const { dims, keepdim } = dimsAttr(c);
    let r: Tensor | null = null;
    if (c.grads[0]) r = stdBackward(c.grads[0], x, c.outputs[0]!, dims, keepdim, c.attrs.correction as number);
    if (c.grads[1]) {
      const m = expandReduced(c.grads[1], x, dims, keepdim).div(reducedCount(x, dims));
      r = r === null ? m : r.add(m);
    }
    return [r];
  },
  logsumexp: (c) => {
    const x = c.inputs[0]!;
    const { dims, keepdim } = dimsAttr(c);
    const ge = expandReduced(gradAt(c), x, dims, keepdim);
    const oe = expandReduced(c.outputs[0]!, x, dims, keepdim);
    return [castTo(ge.mul(x.sub(oe).exp()), x)];
  },
  norm: (c) => {
    const { dims, keepdim } = dimsAttr(c);
    return [normBackward(gradAt(c), c.inputs[0]!, c.outputs[0]!, c.attrs.p as number, dims, keepdim)];
  },
  cumsum: (c) => {
    const x = c.inputs[0]!;
    const g = gradAt(c);
    if (x.ndim === 0) return [castTo(g, x)];
    return [castTo(reverseCumsum(g, c.attrs.dim as number), x)];
  },
  // Exact with zeros too (an n x n product table along dim when the input has a zero).
  cumprod: (c) => [cumprodBackward(gradAt(c), c.inputs[0]!, c.outputs[0]!, c.attrs.dim as number)],
  softmax: (c) => {
    const x = c.inputs[0]!;
    const y = c.outputs[0]!;
    const g = gradAt(c);
    if (x.ndim === 0) return [castTo(g.mul(0), x)];
    const d = c.attrs.dim as number;
    return [castTo(y.mul(g.sub(g.mul(y).sum(d, { keepdim: true }))), x)];
  },
  logSoftmax: (c) => {
    const x = c.inputs[0]!;
    const y = c.outputs[0]!;
    const g = gradAt(c);
    if (x.ndim === 0) return [castTo(g.mul(0), x)];
    const d = c.attrs.dim as number;
    return [castTo(g.sub(y.exp().mul(g.sum(d, { keepdim: true }))), x)];
  },
};

function maxMinBackward(c: GradContext): (Tensor | null)[] {
  const x = c.inputs[0]!;
  if (c.attrs.dim === null || c.attrs.dim === undefined) return [evenly(gradAt(c), x, c.outputs[0]!, null, false)];
  return [valueSelecting(gradAt(c), x, c.attrs.dim as number, c.outputs[1]!, Boolean(c.attrs.keepdim))];
}
