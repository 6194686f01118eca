/**
 * Derivatives of the indexing ops, after PyTorch's derivatives.yaml. Index and mask inputs get
 * null. Formulas are written with the indexing ops themselves (gather's backward is a scatterAdd
 * into zeros, and so on), so they differentiate again.
 */
import { arange, nonzero, zeros, type Tensor } from '@cinder/tensor';
import type { Derivative, GradContext } from '../derivatives.js';
import { gradAt, sumToShape } from '../derivatives.js';
import { unsqueezeReduced, valueSelecting } from './reduction.js';

function castTo(g: Tensor, t: Tensor): Tensor {
  return g.dtype === t.dtype ? g : g.to(t.dtype);
}

function zerosOf(t: Tensor): Tensor {
  return zeros([...t.shape], { dtype: t.dtype, device: t.device });
}

/**
 * `t` placed in the leading corner of a zero tensor of `shape` (src of scatter may be larger than
 * index in any dim: the elements index does not reach get no gradient).
 */
function padTo(t: Tensor, shape: readonly number[]): Tensor {
  let r = t;
  if (r.ndim !== shape.length) return r; // 0-d src with 0-d index
  for (let d = 0; d < shape.length; d++) {
    const have = r.shape[d]!;
    if (have === shape[d]) continue;
    const s = [...r.shape];
    s[d] = shape[d]!;
    r = zeros(s, { dtype: r.dtype, device: r.device }).indexAdd(d, arange(have, { device: r.device }), r);
  }
  return r;
}

/** `g` gathered back to the src of a scatter (src may be larger than index, or 0-d with a 0-d index). */
function gatherToSrc(g: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const r = g.gather(dim, index);
  return src.ndim === 0 ? r.reshape([]) : padTo(r, src.shape);
}

/**
 * Which src elements of a scatter survive (with duplicate indices the last write wins): a bool
 * tensor of index's shape, computed by scattering element numbers with the same kernel.
 */
function scatterWinners(shape: readonly number[], dim: number, index: Tensor): Tensor | null {
  const n = index.numel();
  if (n === 0) return null;
  const ids = arange(n, { dtype: 'float64', device: index.device }).reshape([...index.shape]);
  const written = zeros([...shape], { dtype: 'float64', device: index.device }).scatter(dim, index, ids);
  const win = written.gather(dim, index).eq(ids);
  return win.all().item() ? null : win;
}

/** src's gradient for scatter (assignment): the gradient at the positions it was written to. */
function scatterSrcGrad(g: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  let r = g.gather(dim, index);
  const win = scatterWinners(g.shape, dim, index);
  if (win !== null) r = r.mul(win.to(r.dtype));
  return src.ndim === 0 ? r.reshape([]) : padTo(r, src.shape);
}

/** scatterReduce's gradients (and scatter with reduce), as PyTorch's scatter_reduce_backward. */
function scatterReduceBackward(c: GradContext, reduce: string, includeSelf: boolean): (Tensor | null)[] {
  const x = c.inputs[0]!;
  const index = c.inputs[1]!;
  const src = c.inputs[2];
  const out = c.outputs[0]!;
  const dim = c.attrs.dim as number;
  const g = gradAt(c);
  if (src === undefined) throw new Error(`scatter: the gradient of scatter with reduce '${reduce}' and a scalar src is not supported (as in PyTorch)`);
  let gSelf: Tensor | null = null;
  let gSrc: Tensor | null = null;
  if (reduce === 'sum') {
    gSelf = g;
    if (c.needs(2)) gSrc = gatherToSrc(g, dim, index, src);
  } else if (reduce === 'mean') {
    const ones = zeros([...index.shape], { dtype: x.dtype, device: x.device }).add(1);
    let n = (includeSelf ? zerosOf(x).add(1) : zerosOf(x)).scatterAdd(dim, index, ones);
    n = n.maskedFill(n.eq(0), 1);
    gSelf = g.div(n);
    if (c.needs(2)) gSrc = gatherToSrc(g.div(n), dim, index, src);
  } else if (reduce === 'prod') {
    // Nonzero inputs (a zero makes the quotient undefined): d out / d v = out / v.
    const go = g.mul(out);
    gSelf = go.div(x);
    if (c.needs(2)) gSrc = gatherToSrc(go, dim, index, src).div(src);
  } else if (reduce === 'amax' || reduce === 'amin') {
    // Split evenly among self (when included) and the src elements equal to the result.
    const od = out.detach();
    const selfIs = x.detach().eq(od).to(x.dtype);
    const value = od.gather(dim, index);
    const srcIs = gatherLeading(src.detach(), index).eq(value).to(x.dtype);
    const count = (includeSelf ? selfIs : zerosOf(x)).scatterAdd(dim, index, srcIs);
    const gd = g.div(count.maskedFill(count.eq(0), 1));
    gSelf = gd.mul(selfIs);
    if (c.needs(2)) {
      const srcIsFull = src.ndim === 0 ? srcIs.reshape([]) : padTo(srcIs, src.shape);
      gSrc = gatherToSrc(gd, dim, index, src).mul(srcIsFull);
    }
  } else {
    throw new Error(`scatterReduce: no gradient for reduce '${reduce}'`);
  }
  if (!includeSelf && gSelf !== null) gSelf = gSelf.scatter(dim, index, 0);
  return [c.needs(0) ? gSelf : null, null, gSrc];
}

/** The leading corner of `t` of index's shape (what a scatter reads from src). */
function gatherLeading(t: Tensor, index: Tensor): Tensor {
  if (t.ndim === 0 || t.shape.every((s, i) => s === index.shape[i])) return t;
  let r = t;
  for (let d = 0; d < index.ndim; d++) if (r.shape[d] !== index.shape[d]) r = r.indexSelect(d, arange(index.shape[d]!, { device: r.device }));
  return r;
}

/** take / takeAlongDim without dim: x seen flat. */
function flatBackward(g: Tensor, x: Tensor, index: Tensor): Tensor {
  const flat = zeros([x.numel()], { dtype: x.dtype, device: x.device }).indexAdd(0, index.reshape([index.numel()]), castTo(g, x).reshape([g.numel()]));
  return flat.reshape([...x.shape]);
}

export const indexingDerivatives: Record<string, Derivative> = {
  indexSelect: (c) => {
    const x = c.inputs[0]!;
    return [zerosOf(x).indexAdd(c.attrs.dim as number, c.inputs[1]!, castTo(gradAt(c), x)), null];
  },
  gather: (c) => {
    const x = c.inputs[0]!;
    return [zerosOf(x).scatterAdd(c.attrs.dim as number, c.inputs[1]!, castTo(gradAt(c), x)), null];
  },
  take: (c) => [flatBackward(gradAt(c), c.inputs[0]!, c.inputs[1]!), null],
  takeAlongDim: (c) => {
    const x = c.inputs[0]!;
    const indices = c.inputs[1]!;
    const g = castTo(gradAt(c), x);
    const dim = c.attrs.dim as number | undefined;
    if (dim === undefined || dim === null) return [flatBackward(g, x, indices), null];
    if (x.ndim === 0) return [g, null];
    // x broadcast with indices in every dim but dim: scatter into the broadcast shape, then reduce.
    const xShape = [...g.shape];
    xShape[dim] = x.shape[dim]!;
    const r = zeros(xShape, { dtype: x.dtype, device: x.device }).scatterAdd(dim, indices.expand([...g.shape]), g);
    return [sumToShape(r, x.shape), null];
  },
  // scatter(self, dim, index, src | value): self's gradient is masked where written; src gets the
  // gradient at the positions it was written to (with duplicate indices, only the surviving write).
  scatter: (c) => {
    const reduce = c.attrs.reduce as string | undefined;
    if (reduce !== undefined) return scatterReduceBackward(c, reduce, (c.attrs.includeSelf as boolean | undefined) ?? true);
    const index = c.inputs[1]!;
    const dim = c.attrs.dim as number;
    const g = gradAt(c);
    const src = c.inputs[2];
    const gSelf = c.needs(0) ? g.scatter(dim, index, 0) : null;
    if (src === undefined) return [gSelf, null];
    return [gSelf, null, c.needs(2) ? scatterSrcGrad(g, dim, index, src) : null];
  },
  scatterAdd: (c) => {
    const g = gradAt(c);
    return [g, null, c.needs(2) ? gatherToSrc(g, c.attrs.dim as number, c.inputs[1]!, c.inputs[2]!) : null];
  },
  scatterReduce: (c) => scatterReduceBackward(c, c.attrs.reduce as string, (c.attrs.includeSelf as boolean | undefined) ?? true),
  indexAdd: (c) => {
    const g = gradAt(c);
    const alpha = (c.attrs.alpha as number | undefined) ?? 1;
    let gs: Tensor | null = null;
    if (c.needs(2)) {
      gs = g.indexSelect(c.attrs.dim as number, c.inputs[1]!);
      if (alpha !== 1) gs = gs.mul(alpha);
      gs = gs.reshape([...c.inputs[2]!.shape]);
    }
    return [g, null, gs];
  },
  // indexCopy: self's gradient is masked at the copied slices; source gets the gradient of the
  // slices it was copied to (with duplicate indices, only the last copy survives).
  indexCopy: (c) => {
    const x = c.inputs[0]!;
    const index = c.inputs[1]!;
    const dim = c.attrs.dim as number;
    const g = gradAt(c);
    let gs: Tensor | null = null;
    if (c.needs(2)) {
      const source = c.inputs[2]!;
      gs = g.indexSelect(dim, index);
      const n = index.numel();
      if (n > 0) {
        const flatIdx = index.reshape([n]);
        const ids = arange(n, { dtype: 'float64', device: index.device });
        const size = x.ndim === 0 ? 1 : x.shape[dim]!;
        const win = zeros([size], { dtype: 'float64', device: index.device }).indexCopy(0, flatIdx, ids).indexSelect(0, flatIdx).eq(ids);
        if (!win.all().item()) {
          const bshape = gs.shape.map((s, i) => (i === dim ? s : 1));
          gs = gs.mul(win.to(gs.dtype).reshape(bshape));
        }
      }
      gs = gs.reshape([...source.shape]);
    }
    return [c.needs(0) ? g.indexFill(dim, index, 0) : null, null, gs];
  },
  // indexFill(self, dim, index, value): a 0-d tensor value gets the sum of the gradient over the filled slices.
  indexFill: (c) => {
    const g = gradAt(c);
    const masked = g.indexFill(c.attrs.dim as number, c.inputs[1]!, 0);
    const value = c.inputs[2];
    if (value === undefined) return [c.needs(0) ? masked : null, null];
    return [c.needs(0) ? masked : null, null, c.needs(2) ? castTo(g.sub(masked).sum(), value) : null];
  },
  maskedFill: (c) => {
    const [x, mask, value] = c.inputs;
    const g = gradAt(c);
    const gx = c.needs(0) ? sumToShape(g.maskedFill(mask!, 0), x!.shape) : null;
    // A 0-d tensor value receives the sum of the gradient where it was written.
    const gv = value !== undefined && c.needs(2) ? g.mul(mask!.expand([...g.shape]).to(g.dtype)).sum() : null;
    return value === undefined ? [gx, null] : [gx, null, gv];
  },
  maskedSelect: (c) => {
    const x = c.inputs[0]!;
    const mask = c.inputs[1]!;
    const g = castTo(gradAt(c), x);
    // The selected positions, in row-major order of the broadcast shape.
    const shape = broadcast(x.shape, mask.shape);
    const numel = shape.reduce((a, b) => a * b, 1);
    const positions = nonzero(mask.expand(shape).reshape([numel])).reshape([-1]);
    const r = zeros([numel], { dtype: x.dtype, device: x.device }).indexAdd(0, positions, g).reshape(shape);
    return [sumToShape(r, x.shape), null];
  },
  sort: (c) => [valueSelecting(gradAt(c), c.inputs[0]!, c.attrs.dim as number, c.outputs[1]!, true)],
  topk: (c) => [valueSelecting(gradAt(c), c.inputs[0]!, c.attrs.dim as number, c.outputs[1]!, true)],
  kthvalue: (c) => [valueSelecting(gradAt(c), c.inputs[0]!, c.attrs.dim as number, c.outputs[1]!, Boolean(c.attrs.keepdim))],
  // median(x, dim) routes through its index; median(x) splits the gradient evenly among ties, as PyTorch.
  median: (c) => {
    const x = c.inputs[0]!;
    if (c.attrs?.dim === undefined) {
      const out = c.outputs[0]!;
      const mask = x.detach().eq(out.detach()).to(x.dtype);
      const g = unsqueezeReduced(gradAt(c), x, null, false);
      return [g.div(mask.sum()).mul(mask)];
    }
    return [valueSelecting(gradAt(c), x, c.attrs.dim as number, c.outputs[1]!, Boolean(c.attrs.keepdim))];
  },
};

function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}
