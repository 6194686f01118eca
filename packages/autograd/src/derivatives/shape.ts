/**
 * Derivatives of the shape and view ops, and of the "scatter into a view" ops their backwards use.
 *
 * The backward of a view that picks part of its input (select, slice, index, diagonal, unfold,
 * asStrided) writes the gradient into zeros of the input's shape with the matching out-of-place
 * scatter op (selectScatter, sliceScatter, ...), which is itself differentiable: its derivative
 * for src is the same view of the gradient, for input the gradient with the view zeroed.
 * split and unbind reassemble their pieces' gradients with cat / stack, as PyTorch does.
 */
import { cat, isFloatingDType, stack, tensor, zeros, type IndexSpec, type Tensor } from '@cinder/tensor';
import type { Derivative, GradContext } from '../derivatives.js';
import { gradAt, sumToShape } from '../derivatives.js';

/** Zeros with t's shape and dtype. */
function zerosOf(t: Tensor): Tensor {
  return zeros([...t.shape], { dtype: t.dtype, device: t.device });
}

/** Zeros with `shape` in g's dtype. */
function zerosLikeShape(shape: readonly number[], g: Tensor): Tensor {
  return zeros([...shape], { dtype: g.dtype, device: g.device });
}

/** g cast to t's dtype when they differ (the gradient of an input whose dtype was promoted). */
function asDType(g: Tensor, t: Tensor): Tensor {
  return g.dtype === t.dtype ? g : g.to(t.dtype);
}

/** Gradients of a scatter op (inputs [input, src]): input gets g with the region zeroed, src the region of g. */
function scatterGrads(
  c: GradContext,
  scatter: (base: Tensor, src: Tensor) => Tensor,
  viewOf: (g: Tensor) => Tensor,
): (Tensor | null)[] {
  const g = gradAt(c);
  const [x, src] = [c.inputs[0]!, c.inputs[1]!];
  const gx = c.needs(0) && isFloatingDType(x.dtype) ? asDType(scatter(g, zerosLikeShape(src.shape, g)), x) : null;
  const gs = c.needs(1) && isFloatingDType(src.dtype) ? asDType(viewOf(g), src) : null;
  return [gx, gs];
}

// ---- asStrided ------------------------------------------------------------------------------

interface Geometry {
  size: number[];
  stride: number[];
  offset: number;
}

/** Storage positions [lo, hi] a geometry reaches (null when empty). */
function extent(geo: Geometry): [number, number] | null {
  if (geo.size.some((s) => s === 0)) return null;
  let lo = geo.offset;
  let hi = geo.offset;
  geo.size.forEach((s, i) => {
    const span = (s - 1) * geo.stride[i]!;
    if (span > 0) hi += span;
    else lo += span;
  });
  return [lo, hi];
}

/**
 * A dim whose elements may reach positions the smaller-stride dims also reach, or -1 when the
 * geometry is certainly non-overlapping: by increasing |stride|, each stride exceeds the span of
 * the smaller ones (size-1 dims are ignored).
 */
function overlappingDim(size: readonly number[], stride: readonly number[]): number {
  const order = size.map((_, i) => i).filter((i) => size[i]! > 1).sort((a, b) => Math.abs(stride[a]!) - Math.abs(stride[b]!));
  let span = 0;
  for (const d of order) {
    if (Math.abs(stride[d]!) <= span) return d;
    span += (size[d]! - 1) * Math.abs(stride[d]!);
  }
  return -1;
}

/**
 * Adds `g` (shaped geo.size) into `acc` (1-D, length L) at the positions geo reaches, summing where
 * several elements of g reach one position. Overlapping dims are summed (stride 0) or split into
 * non-overlapping pieces, each written with asStridedScatter; everything stays differentiable.
 */
function addStrided(acc: Tensor | null, g: Tensor, geo: Geometry, L: number): Tensor | null {
  let size = [...geo.size];
  let stride = [...geo.stride];
  let h = g;
  // Broadcast dims (stride 0): their elements all reach the same positions, so sum them.
  const zeroDims = size.map((s, i) => (s > 1 && stride[i] === 0 ? i : -1)).filter((i) => i >= 0);
  if (zeroDims.length > 0) {
    h = h.sum(zeroDims, { keepdim: true });
    for (const d of zeroDims) size[d] = 1;
  }
  if (size.some((s) => s === 0)) return acc;
  // Size-1 dims do not move: drop them.
  const keep = size.map((s, i) => (s !== 1 ? i : -1)).filter((i) => i >= 0);
  if (keep.length !== size.length) {
    size = keep.map((i) => size[i]!);
    stride = keep.map((i) => stride[i]!);
    h = h.reshape(size);
  }
  const overlap = overlappingDim(size, stride);
  if (overlap < 0) {
    const part = zeros([L], { dtype: g.dtype, device: g.device }).asStridedScatter(h, size, stride, geo.offset);
    return acc === null ? part : acc.add(part);
  }
  // Split along the overlapping dim into pieces (each possibly overlapping less) and add them up.
  const rest = size.map((_, i) => i).filter((i) => i !== overlap);
  const sub = { size: rest.map((i) => size[i]!), stride: rest.map((i) => stride[i]!) };
  for (let k = 0; k < size[overlap]!; k++) {
    acc = addStrided(acc, h.select(overlap, k), { ...sub, offset: geo.offset + k * stride[overlap]! }, L);
  }
  return acc;
}

/** torch's as_strided_backward: the gradient through storage positions, back to input's geometry. */
function asStridedBackward(c: GradContext): Tensor | null {
  const x = c.inputs[0]!;
  const g = gradAt(c);
  const out: Geometry = { size: [...(c.attrs.size as number[])], stride: [...(c.attrs.stride as number[])], offset: c.attrs.storageOffset as number };
  const inp: Geometry = { size: [...x.shape], stride: [...x.strides], offset: x.offset };
  const ei = extent(inp);
  const eo = extent(out);
  if (ei === null) return zerosOf(x);
  if (eo === null) return zerosOf(x);
  // Storage positions relative to `base`, in a 1-D buffer of L elements.
  const base = Math.min(ei[0], eo[0]);
  const L = Math.max(ei[1], eo[1]) - base + 1;
  let s = addStrided(null, g, { ...out, offset: out.offset - base }, L) ?? zeros([L], { dtype: g.dtype, device: g.device });
  // An input reaching one position several times (expanded) shares its gradient evenly (as PyTorch).
  if (overlappingDim(inp.size, inp.stride) >= 0) {
    const counts = new Float64Array(L);
    let shared = false;
    const idx = new Array<number>(inp.size.length).fill(0);
    for (let n = 0, total = x.numel(); n < total; n++) {
      let p = inp.offset - base;
      for (let d = 0; d < idx.length; d++) p += idx[d]! * inp.stride[d]!;
      if (++counts[p]! > 1) shared = true;
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d]! < inp.size[d]!) break;
        idx[d] = 0;
      }
    }
    if (shared) s = s.div(tensor(counts.map((v) => Math.max(v, 1)), { dtype: g.dtype, device: g.device }));
  }
  // s is a fresh contiguous buffer: gather the input's positions from it.
  return s.asStrided(inp.size, inp.stride, inp.offset - base);
}

// ---- the table ------------------------------------------------------------------------------------

export const shapeDerivatives: Record<string, Derivative> = {
  reshape: (c) => [gradAt(c).reshape([...c.inputs[0]!.shape])],
  view: (c) => [gradAt(c).reshape([...c.inputs[0]!.shape])],
  // Reinterpreting memory as another dtype is not differentiable (as PyTorch's view.dtype).
  viewAsDType: () => [null],
  squeeze: (c) => [gradAt(c).reshape([...c.inputs[0]!.shape])],
  unsqueeze: (c) => [gradAt(c).squeeze(c.attrs.dim as number)],
  expand: (c) => [sumToShape(gradAt(c), c.inputs[0]!.shape)],
  permute: (c) => {
    const dims = c.attrs.dims as number[];
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[d] = i));
    return [gradAt(c).permute(inverse)];
  },

  // ---- views of part of the input: scatter the gradient into zeros ----
  select: (c) => {
    const { dim, index } = c.attrs as { dim: number; index: number };
    return [zerosOf(c.inputs[0]!).selectScatter(gradAt(c), dim, index)];
  },
  slice: (c) => {
    const { dim, start, end, step } = c.attrs as { dim: number; start: number; end: number; step: number };
    return [zerosOf(c.inputs[0]!).sliceScatter(gradAt(c), dim, start, end, step)];
  },
  index: (c) => [zerosOf(c.inputs[0]!).indexScatter(gradAt(c), c.attrs.specs as IndexSpec[])],
  diagonal: (c) => {
    const { offset, dim1, dim2 } = c.attrs as { offset: number; dim1: number; dim2: number };
    return [zerosOf(c.inputs[0]!).diagonalScatter(gradAt(c), offset, dim1, dim2)];
  },
  unfold: (c) => {
    const x = c.inputs[0]!;
    const { dim, size, step } = c.attrs as { dim: number; size: number; step: number };
    const g = gradAt(c);
    if (x.ndim === 0) return [size === 1 ? g.reshape([]) : zerosOf(x)];
    // Window element j of every window is the slice x[j : j + (n-1)*step + 1 : step] along dim.
    const n = g.shape[dim]!;
    let acc: Tensor = zerosOf(x);
    for (let j = 0; j < size; j++) {
      acc = acc.add(zerosOf(x).sliceScatter(g.select(-1, j), dim, j, j + (n - 1) * step + 1, step));
    }
    return [acc];
  },
  asStrided: (c) => [asStridedBackward(c)],
  split: (c) => {
    const dim = c.attrs.dim as number;
    const x = c.inputs[0]!;
    const parts = c.outputs.map((_, i) => gradAt(c, i));
    if (parts.length === 0) return [zerosOf(x)];
    return [parts.length === 1 ? parts[0]!.reshape([...x.shape]) : cat(parts, dim)];
  },
  unbind: (c) => {
    const x = c.inputs[0]!;
    if (c.outputs.length === 0) return [zerosOf(x)];
    return [stack(c.outputs.map((_, i) => gradAt(c, i)), c.attrs.dim as number)];
  },

  // ---- scatter into a view ----
  selectScatter: (c) => {
    const { dim, index } = c.attrs as { dim: number; index: number };
    return scatterGrads(c, (b, s) => b.selectScatter(s, dim, index), (g) => g.select(dim, index));
  },
  sliceScatter: (c) => {
    const { dim, start, end, step } = c.attrs as { dim: number; start: number; end: number; step: number };
    return scatterGrads(c, (b, s) => b.sliceScatter(s, dim, start, end, step), (g) => g.slice(dim, start, end, step));
  },
  diagonalScatter: (c) => {
    const { offset, dim1, dim2 } = c.attrs as { offset: number; dim1: number; dim2: number };
    return scatterGrads(c, (b, s) => b.diagonalScatter(s, offset, dim1, dim2), (g) => g.diagonal(offset, dim1, dim2));
  },
  indexScatter: (c) => {
    const specs = c.attrs.specs as IndexSpec[];
    return scatterGrads(c, (b, s) => b.indexScatter(s, specs), (g) => g.index(...specs));
  },
  asStridedScatter: (c) => {
    const { size, stride, storageOffset } = c.attrs as { size: number[]; stride: number[]; storageOffset: number };
    // The geometry indexes row-major elements: view a fresh contiguous copy of g (clone) with it.
    return scatterGrads(c, (b, s) => b.asStridedScatter(s, size, stride, storageOffset), (g) => g.clone().asStrided(size, stride, storageOffset));
  },

  // ---- copying ops ----
  cat: (c) => catGrads(c, c.inputs, c.attrs.dim as number),
  hstack: (c) => catGrads(c, c.inputs.map((t) => atLeast(t, 1)), c.attrs.dim as number),
  vstack: (c) => catGrads(c, c.inputs.map((t) => atLeast(t, 2)), c.attrs.dim as number),
  dstack: (c) => catGrads(c, c.inputs.map((t) => atLeast(t, 3)), c.attrs.dim as number),
  stack: (c) => {
    const g = gradAt(c);
    const dim = c.attrs.dim as number;
    return c.inputs.map((t, i) => (c.needs(i) && isFloatingDType(t.dtype) ? asDType(g.select(dim, i), t) : null));
  },
  flip: (c) => [gradAt(c).flip(c.attrs.dims as number[])],
  roll: (c) => {
    const shifts = (c.attrs.shifts as number[]).map((s) => -s);
    const dims = c.attrs.dims as number[] | null;
    return [dims === null ? gradAt(c).roll(shifts[0]!) : gradAt(c).roll(shifts, dims)];
  },
  repeat: (c) => {
    const x = c.inputs[0]!;
    const reps = c.attrs.repeats as number[];
    const lead = reps.length - x.ndim;
    // out dim i is (repeat r_i) x (size s_i): view it as [r_i, s_i] pairs and sum the repeats.
    const pairs: number[] = [];
    const sumDims: number[] = [];
    reps.forEach((r, i) => {
      sumDims.push(pairs.length);
      pairs.push(r);
      if (i >= lead) pairs.push(x.shape[i - lead]!);
    });
    const g = gradAt(c).reshape(pairs);
    return [sumDims.length > 0 ? g.sum(sumDims).reshape([...x.shape]) : g.reshape([...x.shape])];
  },
  tril: (c) => [gradAt(c).tril(c.attrs.diagonal as number)],
  triu: (c) => [gradAt(c).triu(c.attrs.diagonal as number)],
};

/** The shape hstack/vstack/dstack give an input before concatenating (torch's atleast_nd). */
function atLeast(t: Tensor, n: number): readonly number[] {
  const s = [...t.shape];
  if (s.length >= n) return s;
  if (n === 2) return s.length === 1 ? [1, s[0]!] : [1, 1];
  if (n === 3) return s.length === 2 ? [...s, 1] : s.length === 1 ? [1, s[0]!, 1] : [1, 1, 1];
  return s.length === 0 ? [1] : s;
}

/** cat's gradients: each input's slice of g along dim (inputs given by their concatenated shapes). */
function catGrads(c: GradContext, shapes: readonly (Tensor | readonly number[])[], dim: number): (Tensor | null)[] {
  const g = gradAt(c);
  let start = 0;
  return c.inputs.map((t, i) => {
    const s = shapes[i]!;
    const shape = Array.isArray(s) ? (s as readonly number[]) : (s as Tensor).shape;
    // 1-D empty inputs are skipped by cat (PyTorch's legacy rule).
    if (shape.length === 1 && shape[0] === 0) return c.needs(i) && isFloatingDType(t.dtype) ? zerosOf(t) : null;
    const len = shape[dim]!;
    const begin = start;
    start += len;
    if (!c.needs(i) || !isFloatingDType(t.dtype)) return null;
    return asDType(g.slice(dim, begin, begin + len).reshape([...t.shape]), t);
  });
}
