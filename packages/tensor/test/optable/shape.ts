/**
 * Shape entries: views (reshape, permute, slicing, ...) and the copying shape ops (cat, stack,
 * flip, roll, repeat, tile, tril, triu). References index naively into the float64 Nd.
 */
import {
  asStrided, asStridedScatter, broadcastTo, cat, chunk, diagonal, diagonalScatter, dstack, expand, flatten, flip, hstack,
  indexScatter, movedim, narrow, permute, repeat, reshape, roll, select, selectScatter, slice, sliceDim, sliceScatter, split,
  squeeze, stack, t, tile, transpose, tril, triu, unbind, unflatten, unfold, unsqueeze, view, vstack, type DType,
} from '../../src/index.js';
import { Nd } from './ref.js';
import type { OpInfo } from './types.js';

const ALL: DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool', 'float16', 'bfloat16'];
const SOME: DType[] = ['float32', 'int64', 'bool'];
const same = (d: DType): DType => d;

const wrap = (d: number, n: number): number => (d < 0 ? d + n : d);

/** out[idx] = x[f(idx)] over `shape`. */
function gather(x: Nd, shape: number[], f: (idx: readonly number[]) => number[]): Nd {
  const out = Nd.zeros(shape);
  Nd.forEachIndex(shape, (idx, flat) => {
    out.data[flat] = x.at(f(idx));
  });
  return out;
}

function refInfer(shape: number[], numel: number): number[] {
  const known = shape.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
  return shape.map((s) => (s === -1 ? numel / known : s));
}

const refReshape = (x: Nd, shape: number[]): Nd => new Nd(refInfer(shape, x.data.length), Float64Array.from(x.data));

function refPermute(x: Nd, dims: number[]): Nd {
  const ds = dims.map((d) => wrap(d, x.ndim));
  return gather(x, ds.map((d) => x.shape[d]!), (idx) => {
    const src = new Array<number>(x.ndim);
    ds.forEach((d, k) => (src[d] = idx[k]!));
    return src;
  });
}

function swapDims(n: number, a: number, b: number): number[] {
  const dims = Array.from({ length: n }, (_, i) => i);
  if (n > 0) {
    const [x, y] = [wrap(a, n), wrap(b, n)];
    dims[x] = y;
    dims[y] = x;
  }
  return dims;
}

/** Python's range(*slice(start, end, step).indices(size)) for step > 0. */
function pyRange(size: number, start: number | null | undefined, end: number | null | undefined, step: number | null | undefined): number[] {
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = start === null || start === undefined ? 0 : clamp(start);
  const e = end === null || end === undefined ? size : clamp(end);
  const out: number[] = [];
  for (let i = s; i < e; i += step ?? 1) out.push(i);
  return out;
}

/** Picks indices `list` along dim d. */
function refTake(x: Nd, d: number, list: number[]): Nd {
  const shape = [...x.shape];
  shape[d] = list.length;
  return gather(x, shape, (idx) => {
    const src = [...idx];
    src[d] = list[idx[d]!]!;
    return src;
  });
}

function refSelect(x: Nd, dim: number, i: number): Nd {
  const d = wrap(dim, x.ndim);
  const shape = x.shape.filter((_, k) => k !== d);
  const ii = i < 0 ? i + x.shape[d]! : i;
  return gather(x, shape, (idx) => [...idx.slice(0, d), ii, ...idx.slice(d)]);
}

type RefSpec = number | null | string | { start?: number | null; end?: number | null; step?: number | null };

/** x[specs] by Python's rules, naively: each output dim is a new axis or a list of input indices. */
function refIndex(x: Nd, specs: RefSpec[]): Nd {
  const { shape, f } = refIndexMap(x, specs);
  return gather(x, shape, f);
}

/** The shape of x[specs] and the input index of each of its elements. */
function refIndexMap(x: Nd, specs: RefSpec[]): { shape: number[]; f: (idx: readonly number[]) => number[] } {
  const parsed = specs.map((s): RefSpec => {
    if (typeof s === 'string' && s !== '...') {
      const parts = s.split(':').map((p) => (p === '' ? null : Number(p)));
      if (parts.length === 1) return parts[0]!;
      return { start: parts[0], end: parts[1], step: parts[2] ?? null };
    }
    return s;
  });
  const used = parsed.filter((s) => s !== null && s !== '...').length;
  const full: RefSpec[] = [];
  for (const s of parsed) {
    if (s === '...') for (let k = 0; k < x.ndim - used; k++) full.push({});
    else full.push(s);
  }
  while (full.filter((s) => s !== null).length < x.ndim) full.push({});
  // out dims: [inputDim, indices] for slices, [-1, [0]] for new axes; ints fix an input index.
  const fixed = new Array<number>(x.ndim).fill(0);
  const outDims: [number, number[]][] = [];
  let d = 0;
  for (const s of full) {
    if (s === null) {
      outDims.push([-1, [0]]);
    } else if (typeof s === 'number') {
      fixed[d] = s < 0 ? s + x.shape[d]! : s;
      d++;
    } else if (typeof s === 'object') {
      outDims.push([d, pyRange(x.shape[d]!, s.start, s.end, s.step)]);
      d++;
    }
  }
  const f = (idx: readonly number[]): number[] => {
    const src = [...fixed];
    outDims.forEach(([dim, l], k) => {
      if (dim >= 0) src[dim] = l[idx[k]!]!;
    });
    return src;
  };
  return { shape: outDims.map(([, l]) => l.length), f };
}

/** A copy of x with x[f(idx)] = src[idx] for every index of src (the scatter ops' reference). */
function refScatter(x: Nd, src: Nd, f: (idx: readonly number[]) => number[]): Nd {
  const out = new Nd([...x.shape], Float64Array.from(x.data));
  Nd.forEachIndex(src.shape, (idx, flat) => {
    const at = f(idx);
    let k = 0;
    for (let d = 0; d < x.ndim; d++) k = k * x.shape[d]! + at[d]!;
    out.data[k] = src.data[flat]!;
  });
  return out;
}

/** The input index of element idx of x.diagonal(offset, a, b) (a, b normalized). */
function diagIndex(ndim: number, offset: number, a: number, b: number, idx: readonly number[]): number[] {
  const rest = Array.from({ length: ndim }, (_, i) => i).filter((i) => i !== a && i !== b);
  const src = new Array<number>(ndim);
  rest.forEach((dim, k) => (src[dim] = idx[k]!));
  const k = idx[idx.length - 1]!;
  src[a] = k + Math.max(0, -offset);
  src[b] = k + Math.max(0, offset);
  return src;
}

function refSplit(x: Nd, sizes: number[], dim: number): Nd[] {
  const d = wrap(dim, x.ndim);
  const out: Nd[] = [];
  let start = 0;
  for (const s of sizes) {
    out.push(refTake(x, d, Array.from({ length: s }, (_, i) => start + i)));
    start += s;
  }
  return out;
}

function refCat(xs: Nd[], dim: number): Nd {
  const keep = xs.filter((x) => !(x.ndim === 1 && x.shape[0] === 0));
  if (keep.length === 0) return Nd.zeros([0]);
  const d = wrap(dim, keep[0]!.ndim);
  const shape = [...keep[0]!.shape];
  shape[d] = keep.reduce((a, x) => a + x.shape[d]!, 0);
  const out = Nd.zeros(shape);
  Nd.forEachIndex(shape, (idx, flat) => {
    let i = idx[d]!;
    let k = 0;
    while (i >= keep[k]!.shape[d]!) i -= keep[k++]!.shape[d]!;
    const src = [...idx];
    src[d] = i;
    out.data[flat] = keep[k]!.at(src);
  });
  return out;
}

function refStack(xs: Nd[], dim: number): Nd {
  const d = wrap(dim, xs[0]!.ndim + 1);
  const shape = [...xs[0]!.shape];
  shape.splice(d, 0, xs.length);
  const out = Nd.zeros(shape);
  Nd.forEachIndex(shape, (idx, flat) => {
    const src = [...idx];
    const [k] = src.splice(d, 1);
    out.data[flat] = xs[k!]!.at(src);
  });
  return out;
}

function refDiagonal(x: Nd, offset = 0, dim1 = 0, dim2 = 1): Nd {
  const a = wrap(dim1, x.ndim);
  const b = wrap(dim2, x.ndim);
  let n = 0;
  while (n + Math.max(0, -offset) < x.shape[a]! && n + Math.max(0, offset) < x.shape[b]!) n++;
  const rest = x.shape.map((_, i) => i).filter((i) => i !== a && i !== b);
  return gather(x, [...rest.map((i) => x.shape[i]!), n], (idx) => {
    const src = new Array<number>(x.ndim);
    rest.forEach((dim, k) => (src[dim] = idx[k]!));
    const k = idx[idx.length - 1]!;
    src[a] = k + Math.max(0, -offset);
    src[b] = k + Math.max(0, offset);
    return src;
  });
}

function refRoll(x: Nd, shifts: number[], dims?: number[]): Nd {
  const mod = (v: number, n: number): number => ((v % n) + n) % n;
  if (dims === undefined) {
    const n = x.data.length;
    return new Nd([...x.shape], Float64Array.from({ length: n }, (_, i) => x.data[mod(i - shifts[0]!, n)]!));
  }
  return gather(x, [...x.shape], (idx) => {
    const src = [...idx];
    dims.forEach((dim, k) => {
      const d = wrap(dim, x.ndim);
      src[d] = mod(src[d]! - shifts[k]!, x.shape[d]!);
    });
    return src;
  });
}

function refRepeat(x: Nd, reps: number[]): Nd {
  const lead = reps.length - x.ndim;
  const shape = reps.map((r, i) => r * (i < lead ? 1 : x.shape[i - lead]!));
  return gather(x, shape, (idx) => x.shape.map((s, k) => idx[lead + k]! % s));
}

function refTri(x: Nd, k: number, upper: boolean): Nd {
  const nd = x.ndim;
  const out = Nd.zeros([...x.shape]);
  Nd.forEachIndex(x.shape, (idx, flat) => {
    const diff = idx[nd - 1]! - idx[nd - 2]!;
    const keep = upper ? diff >= k : diff <= k;
    out.data[flat] = keep ? x.data[flat]! : 0;
  });
  return out;
}

function refFlip(x: Nd, dims: number[]): Nd {
  const ds = dims.map((d) => wrap(d, x.ndim));
  return gather(x, [...x.shape], (idx) => idx.map((v, d) => (ds.includes(d) ? x.shape[d]! - 1 - v : v)));
}

function refExpand(x: Nd, sizes: number[]): Nd {
  const lead = sizes.length - x.ndim;
  const shape = sizes.map((s, i) => (s === -1 ? x.shape[i - lead]! : s));
  return gather(x, shape, (idx) => x.shape.map((s, k) => (s === 1 ? 0 : idx[lead + k]!)));
}

export const shapeOps: OpInfo[] = [
  {
    name: 'reshape',
    grad: true,
    // A third argument `true` transposes the input first (a layout no view can flatten).
    run: ([x, s, tr]) => reshape(tr ? x.mT : x, s),
    ref: ([x, s, tr]) => refReshape(tr ? refPermute(x, swapDims(x.ndim, -2, -1)) : x, s),
    samples: [
      { args: [{ shape: [2, 3, 4] }, [6, 4]] },
      { args: [{ shape: [2, 3, 4] }, [4, -1, 2]] },
      { name: 'non-contiguous', args: [{ shape: [3, 4], noncontig: true }, [12]] },
      { name: 'transposed (copies)', args: [{ shape: [3, 4] }, [2, 6], true] },
      { name: 'transposed, non-contiguous (copies)', args: [{ shape: [2, 3, 4], noncontig: true }, [-1], true] },
      { name: 'to 0-d', args: [{ shape: [1, 1] }, []] },
      { name: 'from 0-d', args: [{ shape: [] }, [1, 1, 1]] },
      { name: 'zero-size', args: [{ shape: [0, 4] }, [2, 0, 8]] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { name: 'bad sizes', args: [{ shape: [2, 3] }, [2, 5]], throws: /reshape: shape '\[2, 5\]' is invalid for input of size 6/ },
      { name: 'two -1', args: [{ shape: [2, 3] }, [-1, -1]], throws: /reshape: only one dimension can be inferred/ },
      { name: 'negative size', args: [{ shape: [2, 3] }, [-2, -3]], throws: /reshape: invalid shape dimension -2/ },
      { name: 'ambiguous -1', args: [{ shape: [0, 3] }, [0, -1]], throws: /reshape: cannot reshape tensor of 0 elements into shape \[0, -1\]/ },
    ],
  },
  {
    name: 'view',
    grad: true,
    run: ([x, s, tr]) => view(tr ? x.mT : x, s),
    ref: ([x, s, tr]) => refReshape(tr ? refPermute(x, swapDims(x.ndim, -2, -1)) : x, s),
    samples: [
      { args: [{ shape: [4, 6] }, [2, 2, -1]] },
      { name: 'non-contiguous, compatible', args: [{ shape: [3, 4], noncontig: true }, [3, 2, 2]] },
      { name: 'zero-size', args: [{ shape: [3, 0] }, [0, 5]] },
      { name: 'transposed, splitting a dim', args: [{ shape: [4, 6] }, [3, 2, 4], true] },
      { name: 'transposed, size-1 dims', args: [{ shape: [1, 6] }, [2, 1, 3, 1], true] },
    ],
    dtypes: SOME,
    outDtype: same,
    errors: [
      { name: 'incompatible strides', args: [{ shape: [3, 4] }, [12], true], throws: /view: view size is not compatible with input tensor's size and stride.*Use \.reshape/ },
      { name: 'bad sizes', args: [{ shape: [5] }, [2, -1]], throws: /view: shape '\[2, -1\]' is invalid for input of size 5/ },
    ],
  },
  {
    name: 'permute',
    grad: true,
    run: ([x, d]) => permute(x, d),
    ref: ([x, d]) => refPermute(x, d),
    samples: [
      { args: [{ shape: [2, 3, 4] }, [2, 0, 1]] },
      { args: [{ shape: [2, 3, 4], noncontig: true }, [-1, 1, 0]] },
      { args: [{ shape: [] }, []] },
      { args: [{ shape: [0, 3] }, [1, 0]] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { name: 'wrong length', args: [{ shape: [2, 3] }, [0, 1, 2]], throws: /permute: number of dims don't match.*input\.dim\(\) = 2 is not equal to len\(dims\) = 3/ },
      { name: 'duplicate dims', args: [{ shape: [2, 3] }, [0, 0]], throws: /permute: duplicate dims are not allowed/ },
      { name: 'dim out of range', args: [{ shape: [2, 3] }, [0, 2]], throws: /permute: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/ },
    ],
  },
  {
    name: 'transpose',
    grad: true,
    run: ([x, a, b]) => transpose(x, a, b),
    ref: ([x, a, b]) => refPermute(x, swapDims(x.ndim, a, b)),
    samples: [
      { args: [{ shape: [2, 3, 4] }, 0, 2] },
      { args: [{ shape: [3, 4], noncontig: true }, -1, 0] },
      { args: [{ shape: [] }, 0, -1] },
      { args: [{ shape: [2, 0] }, 0, 1] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [{ args: [{ shape: [2, 3] }, 0, 3], throws: /transpose: dimension out of range/ }],
  },
  {
    name: 'swapaxes',
    grad: true,
    run: ([x, a, b]) => x.swapaxes(a, b),
    ref: ([x, a, b]) => refPermute(x, swapDims(x.ndim, a, b)),
    samples: [{ args: [{ shape: [2, 3, 4] }, 1, 2] }],
  },
  {
    name: 't',
    grad: true,
    run: ([x]) => t(x),
    ref: ([x]) => (x.ndim === 2 ? refPermute(x, [1, 0]) : x),
    samples: [{ args: [{ shape: [2, 3] }] }, { args: [{ shape: [4] }] }, { args: [{ shape: [] }] }, { args: [{ shape: [3, 2], noncontig: true }] }],
    dtypes: SOME,
    errors: [{ args: [{ shape: [2, 3, 4] }], throws: /t: expects a tensor with <= 2 dimensions, but self is 3D/ }],
  },
  {
    name: 'mT',
    grad: true,
    run: ([x]) => x.mT,
    ref: ([x]) => refPermute(x, swapDims(x.ndim, -2, -1)),
    samples: [{ args: [{ shape: [2, 3, 4] }] }, { args: [{ shape: [3, 2], noncontig: true }] }],
    errors: [{ args: [{ shape: [3] }], throws: /mT: tensor\.mT is only supported on matrices or batches of matrices\. Got 1-D tensor/ }],
  },
  {
    name: 'T',
    grad: true,
    run: ([x]) => x.T,
    ref: ([x]) => refPermute(x, [...x.shape.keys()].reverse()),
    samples: [{ args: [{ shape: [2, 3, 4] }] }, { args: [{ shape: [3, 2], noncontig: true }] }, { args: [{ shape: [] }] }],
  },
  {
    name: 'movedim',
    grad: true,
    run: ([x, s, d]) => movedim(x, s, d),
    ref: ([x, s, d]) => {
      const src = (typeof s === 'number' ? [s] : s).map((v: number) => wrap(v, x.ndim));
      const dst = (typeof d === 'number' ? [d] : d).map((v: number) => wrap(v, x.ndim));
      const order = new Array<number>(x.ndim).fill(-1);
      src.forEach((v: number, i: number) => (order[dst[i]] = v));
      const rest = [...Array(x.ndim).keys()].filter((v) => !src.includes(v));
      return refPermute(x, order.map((v) => (v === -1 ? rest.shift()! : v)));
    },
    samples: [
      { args: [{ shape: [2, 3, 4] }, 0, -1] },
      { args: [{ shape: [2, 3, 4, 5] }, [0, 1], [3, 0]] },
      { args: [{ shape: [2, 3, 4], noncontig: true }, [2], [0]] },
    ],
    dtypes: SOME,
    errors: [
      { name: 'length mismatch', args: [{ shape: [2, 3] }, [0, 1], [0]], throws: /movedim: Invalid source or destination dims/ },
      { name: 'repeated source', args: [{ shape: [2, 3] }, [0, 0], [0, 1]], throws: /movedim: repeated dim in `source`/ },
    ],
  },
  {
    name: 'squeeze',
    grad: true,
    run: ([x, d]) => squeeze(x, d),
    ref: ([x, d]) => {
      const dims = d === undefined ? [...x.shape.keys()] : (typeof d === 'number' ? [d] : d).map((v: number) => wrap(v, x.ndim));
      return new Nd(x.shape.filter((s: number, i: number) => !(s === 1 && dims.includes(i))), Float64Array.from(x.data));
    },
    samples: [
      { name: 'all', args: [{ shape: [1, 3, 1, 2] }, undefined] },
      { name: 'one dim', args: [{ shape: [1, 3, 1, 2] }, 2] },
      { name: 'non-1 dim is left alone', args: [{ shape: [1, 3, 1, 2] }, 1] },
      { name: 'several', args: [{ shape: [1, 3, 1, 2], noncontig: true }, [0, -2]] },
      { name: '0-d', args: [{ shape: [] }, undefined] },
      { name: 'zero-size', args: [{ shape: [0, 1] }, undefined] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { args: [{ shape: [1, 3] }, 2], throws: /squeeze: dimension out of range/ },
      { args: [{ shape: [1, 3] }, [0, 0]], throws: /squeeze: dim 0 appears multiple times/ },
    ],
  },
  {
    name: 'unsqueeze',
    grad: true,
    run: ([x, d]) => unsqueeze(x, d),
    ref: ([x, d]) => {
      const shape = [...x.shape];
      shape.splice(wrap(d, x.ndim + 1), 0, 1);
      return new Nd(shape, Float64Array.from(x.data));
    },
    samples: [
      { args: [{ shape: [2, 3] }, 0] },
      { args: [{ shape: [2, 3] }, -1] },
      { args: [{ shape: [2, 3], noncontig: true }, 1] },
      { args: [{ shape: [] }, 0] },
      { args: [{ shape: [0] }, 1] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [{ args: [{ shape: [2, 3] }, 3], throws: /unsqueeze: dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)/ }],
  },
  {
    name: 'expand',
    grad: true,
    run: ([x, s]) => expand(x, s),
    ref: ([x, s]) => refExpand(x, s),
    samples: [
      { args: [{ shape: [3, 1] }, [3, 4]] },
      { args: [{ shape: [3, 1] }, [2, -1, 5]] },
      { args: [{ shape: [1, 3], noncontig: true }, [4, 3]] },
      { args: [{ shape: [] }, [2, 3]] },
      { args: [{ shape: [1, 2] }, [0, 2]] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { name: 'non-1 dim', args: [{ shape: [2, 3] }, [2, 4]], throws: /expand: the expanded size of the tensor \(4\) must match the existing size \(3\) at non-singleton dimension 1\.  Target sizes: \[2, 4\]\.  Tensor sizes: \[2, 3\]/ },
      { name: 'too few sizes', args: [{ shape: [2, 3] }, [3]], throws: /expand: the number of sizes provided \(1\) must be greater or equal to the number of dimensions in the tensor \(2\)/ },
      { name: 'leading -1', args: [{ shape: [3] }, [-1, 3]], throws: /expand: the expanded size of the tensor \(-1\) isn't allowed in a leading, non-existing dimension 0/ },
    ],
  },
  {
    name: 'expandAs',
    grad: true,
    run: ([x, o]) => x.expandAs(o),
    ref: ([x, o]) => refExpand(x, o.shape),
    samples: [{ args: [{ shape: [4, 1] }, { shape: [2, 4, 3] }] }],
  },
  {
    name: 'broadcastTo',
    grad: true,
    run: ([x, s]) => broadcastTo(x, s),
    ref: ([x, s]) => refExpand(x, s),
    samples: [{ args: [{ shape: [3] }, [2, 3]] }, { args: [{ shape: [2, 1], noncontig: true }, [2, 2]] }],
    errors: [{ args: [{ shape: [3] }, [2, 2]], throws: /broadcastTo: the expanded size of the tensor \(2\) must match the existing size \(3\)/ }],
  },
  {
    name: 'flatten',
    grad: true,
    run: ([x, s, e]) => flatten(x, s, e),
    ref: ([x, s, e]) => {
      if (x.ndim === 0) return new Nd([1], Float64Array.from(x.data));
      const a = wrap(s, x.ndim);
      const b = wrap(e, x.ndim);
      const mid = x.shape.slice(a, b + 1).reduce((p: number, q: number) => p * q, 1);
      return new Nd([...x.shape.slice(0, a), mid, ...x.shape.slice(b + 1)], Float64Array.from(x.data));
    },
    samples: [
      { args: [{ shape: [2, 3, 4] }, 0, -1] },
      { args: [{ shape: [2, 3, 4] }, 1, 2] },
      { args: [{ shape: [2, 3, 4], noncontig: true }, 0, 1] },
      { args: [{ shape: [2, 3] }, 1, 1] },
      { args: [{ shape: [] }, 0, -1] },
      { args: [{ shape: [2, 0, 3] }, 0, 1] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [{ args: [{ shape: [2, 3, 4] }, 2, 1], throws: /flatten: flatten\(\) has invalid args: start_dim \(2\) cannot come after end_dim \(1\)/ }],
  },
  {
    name: 'unflatten',
    grad: true,
    run: ([x, d, s]) => unflatten(x, d, s),
    ref: ([x, d, s]) => {
      const dd = wrap(d, x.ndim);
      return new Nd([...x.shape.slice(0, dd), ...refInfer(s, x.shape[dd]), ...x.shape.slice(dd + 1)], Float64Array.from(x.data));
    },
    samples: [
      { args: [{ shape: [2, 12] }, 1, [3, 4]] },
      { args: [{ shape: [2, 12], noncontig: true }, -1, [2, -1, 3]] },
      { args: [{ shape: [0, 6] }, 1, [3, 2]] },
    ],
    dtypes: SOME,
    errors: [
      { args: [{ shape: [2, 5] }, 1, [2, 2]], throws: /unflatten: Provided sizes \[2, 2\] don't multiply up to the size of dim 1 \(5\)/ },
      { args: [{ shape: [2, 6] }, 1, [-1, -1]], throws: /unflatten: only one dimension can be inferred/ },
      { args: [{ shape: [2, 6] }, 1, []], throws: /unflatten: sizes must be non-empty/ },
      { args: [{ shape: [] }, 0, [1]], throws: /unflatten: dimension specified as 0 but tensor has no dimensions/ },
    ],
  },
  {
    name: 'narrow',
    grad: true,
    run: ([x, d, s, l]) => narrow(x, d, s, l),
    ref: ([x, d, s, l]) => {
      const dd = wrap(d, x.ndim);
      const st = s < 0 ? s + x.shape[dd] : s;
      return refTake(x, dd, Array.from({ length: l }, (_, i) => st + i));
    },
    samples: [
      { args: [{ shape: [5, 4] }, 0, 1, 3] },
      { args: [{ shape: [5, 4], noncontig: true }, -1, -3, 2] },
      { args: [{ shape: [5, 4] }, 1, 4, 0] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { args: [{ shape: [5, 4] }, 0, 6, 1], throws: /narrow: start out of range \(expected to be in range of \[-5, 5\], but got 6\)/ },
      { args: [{ shape: [5, 4] }, 0, 3, 3], throws: /narrow: start \(3\) \+ length \(3\) exceeds dimension size \(5\)/ },
      { args: [{ shape: [] }, 0, 0, 1], throws: /narrow: narrow\(\) cannot be applied to a 0-dim tensor/ },
    ],
  },
  {
    name: 'select',
    grad: true,
    run: ([x, d, i]) => select(x, d, i),
    ref: ([x, d, i]) => refSelect(x, d, i),
    samples: [
      { args: [{ shape: [3, 4] }, 0, 1] },
      { args: [{ shape: [3, 4, 2], noncontig: true }, 1, -1] },
      { args: [{ shape: [3] }, 0, 2] },
      { args: [{ shape: [2, 0] }, 0, 1] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { name: 'index out of range', args: [{ shape: [3, 4] }, 1, 4], throws: /select: index 4 out of range for tensor of size \[3, 4\] at dimension 1/ },
      { name: 'negative index out of range', args: [{ shape: [3, 4] }, 0, -4], throws: /select: index -4 out of range/ },
      { name: '0-d', args: [{ shape: [] }, 0, 0], throws: /select: select\(\) cannot be applied to a 0-dim tensor/ },
      { name: 'invalid dim', args: [{ shape: [3, 4] }, 2, 0], throws: /select: dimension out of range/ },
    ],
  },
  {
    name: 'slice',
    grad: true,
    run: ([x, d, s, e, st]) => sliceDim(x, d, s, e, st),
    ref: ([x, d, s, e, st]) => refTake(x, wrap(d, x.ndim), pyRange(x.shape[wrap(d, x.ndim)], s, e, st)),
    samples: [
      { args: [{ shape: [10] }, 0, 1, 8, 3] },
      { args: [{ shape: [4, 6], noncontig: true }, 1, -4, null, 2] },
      { name: 'out-of-range bounds clamp', args: [{ shape: [4, 6] }, 0, -100, 100, 1] },
      { name: 'empty (start > end)', args: [{ shape: [4, 6] }, 1, 5, 2, 1] },
      { name: 'defaults', args: [{ shape: [3, 2] }, 0, undefined, undefined, undefined] },
      { args: [{ shape: [0, 3] }, 0, 1, 2, 1] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { args: [{ shape: [4] }, 0, 0, 4, 0], throws: /slice: slice step must be positive/ },
      { args: [{ shape: [4] }, 0, 0, 4, -1], throws: /slice: slice step must be positive/ },
      { args: [{ shape: [] }, 0, 0, 1, 1], throws: /slice: slice\(\) cannot be applied to a 0-dim tensor/ },
    ],
  },
  {
    name: 'index',
    grad: true,
    run: ([x, specs]) => x.index(...specs.map((s: unknown) => (Array.isArray(s) ? slice(s[0], s[1], s[2]) : s))),
    ref: ([x, specs]) => refIndex(x, specs.map((s: unknown) => (Array.isArray(s) ? { start: s[0], end: s[1], step: s[2] } : s))),
    samples: [
      { name: 'int, slice, new axis, ellipsis', args: [{ shape: [2, 5, 3] }, { literal: [0, [1, null, 2], null, '...'] }] },
      { name: 'ellipsis then int', args: [{ shape: [2, 3, 4], noncontig: true }, { literal: ['...', -1] }] },
      { name: 'strings', args: [{ shape: [6, 5] }, { literal: ['1:5:2', ':'] }] },
      { name: 'string negatives', args: [{ shape: [6, 5] }, { literal: ['-3:', '::2'] }] },
      { name: 'objects and trailing dims', args: [{ shape: [4, 3, 2] }, { literal: [{ start: 1, end: -1 }] }] },
      { name: 'new axes only', args: [{ shape: [3] }, { literal: [null, '...', null] }] },
      { name: '0-d', args: [{ shape: [] }, { literal: [null, '...'] }] },
      { name: 'out-of-range slice clamps', args: [{ shape: [3, 2] }, { literal: [[5, 10, 1], 1] }] },
      { name: 'zero-size', args: [{ shape: [0, 4] }, { literal: [':', 2] }] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { name: 'select out of range', args: [{ shape: [3, 4] }, { literal: [0, 4] }], throws: /index: index 4 is out of bounds for dimension 1 with size 4/ },
      { name: 'too many indices', args: [{ shape: [3] }, { literal: [0, 0] }], throws: /index: too many indices for tensor of dimension 1/ },
      { name: 'two ellipses', args: [{ shape: [3] }, { literal: ['...', '...'] }], throws: /index: an index can only have a single ellipsis/ },
      { name: 'bad string', args: [{ shape: [3] }, { literal: ['1:x'] }], throws: /index: invalid index '1:x'/ },
      { name: 'zero step', args: [{ shape: [3] }, { literal: ['::0'] }], throws: /index: slice step must be positive/ },
    ],
  },
  {
    name: 'unfold',
    grad: true,
    run: ([x, d, size, step]) => unfold(x, d, size, step),
    ref: ([x, d, size, step]) => {
      if (x.ndim === 0) return new Nd(size === 1 ? [1] : [0], Float64Array.from(size === 1 ? x.data : []));
      const dd = wrap(d, x.ndim);
      const shape = [...x.shape];
      shape[dd] = Math.floor((x.shape[dd] - size) / step) + 1;
      return gather(x, [...shape, size], (idx) => {
        const src = idx.slice(0, -1);
        src[dd] = idx[dd]! * step + idx[idx.length - 1]!;
        return src;
      });
    },
    samples: [
      { args: [{ shape: [7] }, 0, 3, 2] },
      { args: [{ shape: [3, 8], noncontig: true }, -1, 4, 3] },
      { args: [{ shape: [5, 2] }, 0, 5, 1] },
      { args: [{ shape: [4, 2] }, 0, 0, 2] },
      { args: [{ shape: [] }, 0, 1, 1] },
    ],
    dtypes: SOME,
    errors: [
      { args: [{ shape: [3] }, 0, 4, 1], throws: /unfold: maximum size for tensor at dimension 0 is 3 but size is 4/ },
      { args: [{ shape: [3] }, 0, 2, 0], throws: /unfold: step is 0 but must be > 0/ },
    ],
  },
  {
    name: 'asStrided',
    grad: true,
    run: ([x, size, stride, off]) => asStrided(x, size, stride, off),
    ref: ([x, size, stride, off]) => {
      const out = Nd.zeros(size);
      Nd.forEachIndex(size, (idx, flat) => {
        out.data[flat] = x.data[idx.reduce((a: number, v: number, k: number) => a + v * stride[k], off)]!;
      });
      return out;
    },
    samples: [
      { name: 'sliding windows', args: [{ shape: [6] }, [4, 3], [1, 1], 0] },
      { name: 'negative stride', args: [{ shape: [2, 3] }, [3, 2], [-1, 3], 2] },
      { name: 'broadcast', args: [{ shape: [5] }, [2, 2], [0, 2], 1] },
      { args: [{ shape: [4] }, [0, 9], [9, 9], 0] },
    ],
    dtypes: SOME,
    errors: [
      { args: [{ shape: [4] }, [2, 2], [2, 1], 1], throws: /asStrided: setStorage: .*outside the storage of 4 elements/ },
      { args: [{ shape: [4] }, [2], [-1], 0], throws: /asStrided: setStorage/ },
      { args: [{ shape: [4] }, [2, 2], [1], 0], throws: /asStrided: mismatch in length of strides and shape/ },
    ],
  },
  {
    name: 'split',
    grad: true,
    run: ([x, s, d]) => split(x, s, d),
    ref: ([x, s, d]) => {
      const size = x.shape[wrap(d, x.ndim)];
      if (typeof s !== 'number') return refSplit(x, s, d);
      const sizes: number[] = [];
      for (let k = 0; k < size; k += s) sizes.push(Math.min(s, size - k));
      return refSplit(x, sizes.length ? sizes : [0], d);
    },
    samples: [
      { args: [{ shape: [7, 2] }, 3, 0] },
      { args: [{ shape: [2, 6], noncontig: true }, [1, 0, 5], -1] },
      { args: [{ shape: [4] }, 4, 0] },
      { args: [{ shape: [0, 2] }, 2, 0] },
      { args: [{ shape: [0, 2] }, 0, 0] },
    ],
    dtypes: SOME,
    errors: [
      { name: 'sizes not summing', args: [{ shape: [5] }, [2, 2], 0], throws: /split: split_with_sizes expects split_sizes to sum exactly to 5 \(input tensor's size at dimension 0\), but got split_sizes=\[2, 2\]/ },
      { name: 'zero size', args: [{ shape: [5] }, 0, 0], throws: /split: split_size can only be 0 if dimension size is 0, but got dimension size of 5/ },
      { name: 'negative section', args: [{ shape: [5] }, [6, -1], 0], throws: /split: split_with_sizes expects split_sizes have only non-negative entries/ },
      { name: '0-d', args: [{ shape: [] }, 1, 0], throws: /split: split expects at least a 1-dimensional tensor/ },
    ],
  },
  {
    name: 'chunk',
    grad: true,
    run: ([x, c, d]) => chunk(x, c, d),
    ref: ([x, c, d]) => {
      const size = x.shape[wrap(d, x.ndim)];
      if (size === 0) return refSplit(x, new Array<number>(c).fill(0), d);
      const each = Math.ceil(size / c);
      const sizes: number[] = [];
      for (let k = 0; k < size; k += each) sizes.push(Math.min(each, size - k));
      return refSplit(x, sizes, d);
    },
    samples: [
      { args: [{ shape: [7, 3] }, 3, 0] },
      { name: 'fewer chunks than asked', args: [{ shape: [2, 6] }, 4, 1] },
      { args: [{ shape: [5, 2], noncontig: true }, 5, -2] },
      { args: [{ shape: [0, 2] }, 3, 0] },
    ],
    dtypes: SOME,
    errors: [{ args: [{ shape: [5] }, 0, 0], throws: /chunk: chunk expects `chunks` to be greater than 0, got: 0/ }],
  },
  {
    name: 'unbind',
    grad: true,
    run: ([x, d]) => unbind(x, d),
    ref: ([x, d]) => Array.from({ length: x.shape[wrap(d, x.ndim)] }, (_, i) => refSelect(x, d, i)),
    samples: [{ args: [{ shape: [3, 2] }, 0] }, { args: [{ shape: [3, 2, 2], noncontig: true }, -1] }, { args: [{ shape: [0, 2] }, 0] }],
    dtypes: SOME,
    errors: [{ args: [{ shape: [] }, 0], throws: /unbind: Dimension specified as 0 but tensor has no dimensions/ }],
  },
  {
    name: 'diagonal',
    grad: true,
    run: ([x, o, a, b]) => diagonal(x, o, a, b),
    ref: ([x, o, a, b]) => refDiagonal(x, o, a, b),
    samples: [
      { args: [{ shape: [4, 4] }, 0, 0, 1] },
      { args: [{ shape: [3, 5] }, 2, 0, 1] },
      { args: [{ shape: [5, 3] }, -2, 0, 1] },
      { args: [{ shape: [2, 3, 4], noncontig: true }, 1, -1, 0] },
      { name: 'offset past the end', args: [{ shape: [3, 3] }, 5, 0, 1] },
      { args: [{ shape: [0, 3] }, 0, 0, 1] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { args: [{ shape: [3, 3] }, 0, 1, -1], throws: /diagonal: diagonal dimensions cannot be identical 1, -1/ },
      { args: [{ shape: [3] }, 0, 0, 1], throws: /diagonal: dimension out of range/ },
    ],
  },
  {
    name: 'selectScatter',
    grad: true,
    run: ([x, src, d, i, method]) => (method ? x.selectScatter(src, d, i) : selectScatter(x, src, d, i)),
    ref: ([x, src, d, i]) => {
      const dd = wrap(d, x.ndim);
      const ii = i < 0 ? i + x.shape[dd] : i;
      return refScatter(x, src, (idx) => [...idx.slice(0, dd), ii, ...idx.slice(dd)]);
    },
    samples: [
      { args: [{ shape: [3, 4] }, { shape: [4] }, 0, 1] },
      { args: [{ shape: [3, 4, 2], noncontig: true }, { shape: [3, 2], noncontig: true }, 1, -1] },
      { args: [{ shape: [3] }, { shape: [] }, 0, 2] },
      { name: 'method', args: [{ shape: [2, 3] }, { shape: [2] }, -1, 0, true] },
      { args: [{ shape: [2, 0] }, { shape: [0] }, 0, 1] },
    ],
    dtypes: SOME,
    outDtype: same,
    errors: [
      { name: 'src shape', args: [{ shape: [3, 4] }, { shape: [3] }, 0, 1], throws: /selectScatter: expected src to have a size equal to the slice of self\. src size = \[3\], slice size = \[4\]/ },
      { name: 'index out of range', args: [{ shape: [3, 4] }, { shape: [3] }, 1, 4], throws: /selectScatter: index 4 out of range/ },
    ],
  },
  {
    name: 'sliceScatter',
    grad: true,
    run: ([x, src, d, s, e, st]) => sliceScatter(x, src, d, s, e, st),
    ref: ([x, src, d, s, e, st]) => {
      const dd = wrap(d, x.ndim);
      const list = pyRange(x.shape[dd], s, e, st);
      return refScatter(x, src, (idx) => idx.map((v, k) => (k === dd ? list[v]! : v)));
    },
    samples: [
      { args: [{ shape: [10] }, { shape: [3] }, 0, 1, 8, 3] },
      { args: [{ shape: [4, 6], noncontig: true }, { shape: [4, 2] }, 1, -4, null, 2] },
      { name: 'out-of-range bounds clamp', args: [{ shape: [4, 3] }, { shape: [4, 3] }, 0, -100, 100, 1] },
      { name: 'defaults', args: [{ shape: [3, 2] }, { shape: [3, 2] }, 0, undefined, undefined, undefined] },
      { name: 'empty', args: [{ shape: [4, 3] }, { shape: [4, 0] }, 1, 2, 2, 1] },
    ],
    dtypes: SOME,
    outDtype: same,
    errors: [
      { name: 'src shape', args: [{ shape: [4, 6] }, { shape: [4, 3] }, 1, 0, 4, 1], throws: /sliceScatter: expected src to have a size equal to the slice of self\. src size = \[4, 3\], slice size = \[4, 4\]/ },
      { args: [{ shape: [4] }, { shape: [4] }, 0, 0, 4, 0], throws: /sliceScatter: slice step must be positive/ },
    ],
  },
  {
    name: 'diagonalScatter',
    grad: true,
    run: ([x, src, o, a, b]) => diagonalScatter(x, src, o, a, b),
    ref: ([x, src, o, a, b]) => refScatter(x, src, (idx) => diagIndex(x.ndim, o, wrap(a, x.ndim), wrap(b, x.ndim), idx)),
    samples: [
      { args: [{ shape: [4, 4] }, { shape: [4] }, 0, 0, 1] },
      { args: [{ shape: [3, 5] }, { shape: [3] }, 2, 0, 1] },
      { args: [{ shape: [5, 3] }, { shape: [3] }, -2, 0, 1] },
      { args: [{ shape: [2, 3, 4], noncontig: true }, { shape: [3, 1] }, 1, -1, 0] },
      { name: 'offset past the end', args: [{ shape: [3, 3] }, { shape: [0] }, 5, 0, 1] },
    ],
    dtypes: SOME,
    outDtype: same,
    errors: [
      { name: 'src shape', args: [{ shape: [3, 3] }, { shape: [2] }, 0, 0, 1], throws: /diagonalScatter: expected src to have a size equal to the diagonal of self\. src size = \[2\], diagonal size = \[3\]/ },
      { args: [{ shape: [3, 3] }, { shape: [3] }, 0, 1, -1], throws: /diagonalScatter: diagonal dimensions cannot be identical 1, -1/ },
    ],
  },
  {
    name: 'indexScatter',
    grad: true,
    run: ([x, src, specs]) => indexScatter(x, src, specs.map((s: unknown) => (Array.isArray(s) ? slice(s[0], s[1], s[2]) : s))),
    ref: ([x, src, specs]) =>
      refScatter(x, src, refIndexMap(x, specs.map((s: unknown) => (Array.isArray(s) ? { start: s[0], end: s[1], step: s[2] } : s))).f),
    samples: [
      { name: 'int, slice, new axis, ellipsis', args: [{ shape: [2, 5, 3] }, { shape: [2, 1, 3] }, { literal: [0, [1, null, 2], null, '...'] }] },
      { name: 'ellipsis then int', args: [{ shape: [2, 3, 4], noncontig: true }, { shape: [2, 3] }, { literal: ['...', -1] }] },
      { name: 'strings', args: [{ shape: [6, 5] }, { shape: [2, 5] }, { literal: ['1:5:2', ':'] }] },
      { name: 'objects and trailing dims', args: [{ shape: [4, 3, 2] }, { shape: [2, 3, 2] }, { literal: [{ start: 1, end: -1 }] }] },
      { name: '0-d', args: [{ shape: [] }, { shape: [1] }, { literal: [null, '...'] }] },
    ],
    dtypes: SOME,
    outDtype: same,
    errors: [
      { name: 'src shape', args: [{ shape: [3, 4] }, { shape: [4] }, { literal: [':', 0] }], throws: /indexScatter: expected src to have a size equal to the view of self\. src size = \[4\], view size = \[3\]/ },
      { name: 'too many indices', args: [{ shape: [3] }, { shape: [] }, { literal: [0, 0] }], throws: /indexScatter: too many indices for tensor of dimension 1/ },
    ],
  },
  {
    name: 'asStridedScatter',
    grad: true,
    run: ([x, src, size, stride, off]) => asStridedScatter(x, src, size, stride, off),
    ref: ([x, src, size, stride, off]) => {
      const out = new Nd([...x.shape], Float64Array.from(x.data));
      Nd.forEachIndex(size, (idx, flat) => {
        out.data[idx.reduce((a: number, v: number, k: number) => a + v * stride[k], off)] = src.data[flat]!;
      });
      return out;
    },
    samples: [
      { name: 'every other element', args: [{ shape: [2, 4] }, { shape: [2, 2] }, [2, 2], [4, 2], 1] },
      { name: 'negative stride', args: [{ shape: [2, 3] }, { shape: [3] }, [3], [-2], 5] },
      { name: 'non-contiguous input', args: [{ shape: [3, 2], noncontig: true }, { shape: [2] }, [2], [3], 0] },
      { args: [{ shape: [4] }, { shape: [0, 2] }, [0, 2], [9, 1], 0] },
    ],
    dtypes: SOME,
    outDtype: same,
    errors: [
      { args: [{ shape: [4] }, { shape: [2, 2] }, [2, 2], [2, 1], 1], throws: /asStridedScatter: .*outside the 4 elements of input/ },
      { name: 'src shape', args: [{ shape: [4] }, { shape: [3] }, [2], [1], 0], throws: /asStridedScatter: expected src to have a size equal to the view of self/ },
    ],
  },
  {
    name: 'cat',
    grad: true,
    run: ([...xs]) => cat(xs.slice(0, -1), xs[xs.length - 1]),
    ref: ([...xs]) => refCat(xs.slice(0, -1), xs[xs.length - 1]),
    samples: [
      { args: [{ shape: [2, 3] }, { shape: [1, 3] }, 0] },
      { args: [{ shape: [2, 3], noncontig: true }, { shape: [2, 1] }, { shape: [2, 2] }, -1] },
      { name: 'empty 1-D skipped', args: [{ shape: [0] }, { shape: [2, 3] }, { shape: [0] }, 1] },
      { name: 'zero-size', args: [{ shape: [2, 0] }, { shape: [2, 0] }, 0] },
      { name: 'single', args: [{ shape: [3] }, 0] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { name: 'mismatched shapes', args: [{ shape: [2, 3] }, { shape: [2, 4] }, 0], throws: /cat: Sizes of tensors must match except in dimension 0\. Expected size 3 but got size 4 for tensor number 1 in the list/ },
      { name: 'mismatched ndim', args: [{ shape: [2, 3] }, { shape: [3] }, 0], throws: /cat: Tensors must have same number of dimensions: got 2 and 1/ },
      { name: '0-d', args: [{ shape: [] }, { shape: [] }, 0], throws: /cat: zero-dimensional tensor \(at position 0\) cannot be concatenated/ },
      { name: 'dim out of range', args: [{ shape: [2] }, { shape: [2] }, 1], throws: /cat: dimension out of range/ },
      { name: 'empty list', args: [0], throws: /cat: expected a non-empty list of Tensors/ },
    ],
  },
  {
    name: 'cat (type promotion)',
    grad: true,
    run: ([a, b, c]) => cat([a, b, c], 0),
    ref: ([a, b, c]) => refCat([a, b, c], 0),
    samples: [{ args: [{ shape: [2], dtype: 'int32' }, { shape: [3], dtype: 'bool' }, { shape: [1], dtype: 'float64' }] }],
    dtypes: ['float64'],
    outDtype: () => 'float64',
  },
  {
    name: 'stack',
    grad: true,
    run: ([...xs]) => stack(xs.slice(0, -1), xs[xs.length - 1]),
    ref: ([...xs]) => refStack(xs.slice(0, -1), xs[xs.length - 1]),
    samples: [
      { args: [{ shape: [2, 3] }, { shape: [2, 3] }, 0] },
      { args: [{ shape: [2, 3], noncontig: true }, { shape: [2, 3] }, { shape: [2, 3] }, -1] },
      { args: [{ shape: [] }, { shape: [] }, 0] },
      { args: [{ shape: [0, 2] }, { shape: [0, 2] }, 1] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { args: [{ shape: [2, 3] }, { shape: [3, 2] }, 0], throws: /stack: stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[3, 2\] at entry 1/ },
      { args: [{ shape: [2] }, { shape: [2] }, 3], throws: /stack: dimension out of range \(expected to be in range of \[-2, 1\], but got 3\)/ },
    ],
  },
  {
    name: 'hstack',
    grad: true,
    run: ([a, b]) => hstack([a, b]),
    ref: ([a, b]) => refCat([a, b], a.ndim === 1 ? 0 : 1),
    samples: [{ args: [{ shape: [2, 3] }, { shape: [2, 1] }] }, { args: [{ shape: [2] }, { shape: [3] }] }],
  },
  {
    name: 'vstack',
    grad: true,
    run: ([a, b]) => vstack([a, b]),
    ref: ([a, b]) => refCat([a.ndim === 1 ? refReshape(a, [1, -1]) : a, b.ndim === 1 ? refReshape(b, [1, -1]) : b], 0),
    samples: [{ args: [{ shape: [3] }, { shape: [2, 3] }] }],
  },
  {
    name: 'dstack',
    grad: true,
    run: ([a, b]) => dstack([a, b]),
    ref: ([a, b]) => refCat([refReshape(a, [...a.shape, 1]), refReshape(b, [...b.shape, 1])], 2),
    samples: [{ args: [{ shape: [2, 3] }, { shape: [2, 3] }] }],
  },
  {
    name: 'flip',
    grad: true,
    run: ([x, d]) => flip(x, d),
    ref: ([x, d]) => refFlip(x, d),
    samples: [
      { args: [{ shape: [3, 4] }, [0]] },
      { args: [{ shape: [2, 3, 4], noncontig: true }, [-1, 0]] },
      { args: [{ shape: [2, 3, 4] }, [0, 1, 2]] },
      { args: [{ shape: [5] }, []] },
      { args: [{ shape: [] }, [0]] },
      { args: [{ shape: [0, 3] }, [0, 1]] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { args: [{ shape: [3, 4] }, [0, -2]], throws: /flip: dim 0 appears multiple times in the list of dims/ },
      { args: [{ shape: [3, 4] }, [2]], throws: /flip: dimension out of range/ },
    ],
  },
  {
    name: 'roll',
    grad: true,
    run: ([x, s, d]) => roll(x, s, d),
    ref: ([x, s, d]) => refRoll(x, typeof s === 'number' ? [s] : s, d === undefined ? undefined : typeof d === 'number' ? [d] : d),
    samples: [
      { name: 'flattened', args: [{ shape: [3, 4] }, 5, undefined] },
      { args: [{ shape: [3, 4] }, -1, 1] },
      { args: [{ shape: [3, 4, 2], noncontig: true }, [1, 7], [0, -2]] },
      { name: 'repeated dim', args: [{ shape: [5] }, [1, 2], [0, 0]] },
      { name: 'shift by size', args: [{ shape: [4] }, 4, 0] },
      { args: [{ shape: [] }, 3, undefined] },
      { args: [{ shape: [0, 3] }, 1, 1] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [{ args: [{ shape: [3, 4] }, [1, 2], [0]], throws: /roll: shifts and dimensions must align. shifts: 2, dims: 1/ }],
  },
  {
    name: 'repeat',
    grad: true,
    run: ([x, r]) => repeat(x, r),
    ref: ([x, r]) => refRepeat(x, r),
    samples: [
      { args: [{ shape: [2, 3] }, [2, 2]] },
      { args: [{ shape: [3] }, [2, 1, 2]] },
      { args: [{ shape: [2, 3], noncontig: true }, [1, 3, 1]] },
      { args: [{ shape: [] }, [3]] },
      { args: [{ shape: [2] }, [0, 2]] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [
      { args: [{ shape: [2, 3] }, [2]], throws: /repeat: Number of dimensions of repeat dims \(1\) can not be smaller than number of dimensions of tensor/ },
      { args: [{ shape: [2] }, [-1]], throws: /repeat: Trying to create tensor with negative dimension/ },
    ],
  },
  {
    name: 'tile',
    grad: true,
    run: ([x, r]) => tile(x, r),
    ref: ([x, r]) => refRepeat(x, r.length < x.ndim ? [...new Array(x.ndim - r.length).fill(1), ...r] : r),
    samples: [{ args: [{ shape: [2, 3] }, [2]] }, { args: [{ shape: [2], noncontig: true }, [2, 2]] }, { args: [{ shape: [] }, []] }],
    dtypes: SOME,
  },
  {
    name: 'tril',
    grad: true,
    run: ([x, k]) => tril(x, k),
    ref: ([x, k]) => refTri(x, k, false),
    samples: [
      { args: [{ shape: [4, 4] }, 0] },
      { args: [{ shape: [3, 5] }, 1] },
      { args: [{ shape: [2, 5, 3], noncontig: true }, -1] },
      { args: [{ shape: [3, 3] }, 10] },
      { args: [{ shape: [3, 3] }, -10] },
      { args: [{ shape: [2, 0, 3] }, 0] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [{ args: [{ shape: [3] }, 0], throws: /tril: input tensor must have at least 2 dimensions/ }],
  },
  {
    name: 'triu',
    grad: true,
    run: ([x, k]) => triu(x, k),
    ref: ([x, k]) => refTri(x, k, true),
    samples: [
      { args: [{ shape: [4, 4] }, 0] },
      { args: [{ shape: [5, 3] }, -2] },
      { args: [{ shape: [2, 3, 5], noncontig: true }, 1] },
      { args: [{ shape: [2, 3] }, 3] },
    ],
    dtypes: ALL,
    outDtype: same,
    errors: [{ args: [{ shape: [] }, 0], throws: /triu: input tensor must have at least 2 dimensions/ }],
  },
];
