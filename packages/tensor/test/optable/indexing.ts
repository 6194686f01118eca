/** Indexing and sorting entries: references are naive loops over Nd, written from the definitions. */
import {
  argsort, gather, indexAdd, indexCopy, indexFill, indexSelect, kthvalue, maskedFill, maskedSelect, median, nonzero, oneHot,
  scatter, scatterAdd, scatterReduce, searchsorted, sort, take, takeAlongDim, topk, unique, type DType, type Tensor,
} from '../../src/index.js';
import { broadcastAt, broadcastShapes, Nd } from './ref.js';
import type { OpInfo, TensorArg } from './types.js';

const FLOATS: DType[] = ['float32', 'float64'];
const NUMERIC: DType[] = ['float32', 'float64', 'int32', 'int64'];
const ALL: DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool'];
/** Ops that move or compare elements also run on the 16-bit storage types. */
const WITH_HALF: DType[] = [...ALL, 'float16', 'bfloat16'];

/** An int64 index tensor with given values. */
const I = (shape: number[], values: number[], extra: Partial<TensorArg> = {}): TensorArg => ({ shape, dtype: 'int64', values, ...extra });
const T = (shape: number[], extra: Partial<TensorArg> = {}): TensorArg => ({ shape, ...extra });
const B = (shape: number[], values: number[]): TensorArg => ({ shape, dtype: 'bool', values });

/** NaN, both zeros, infinities and ties, in a scrambled order. */
const SPECIAL = Array.from({ length: 600 }, (_, i) => [NaN, 0, -0, Infinity, -Infinity, 1.5, -2.5, 3, -1e-30, 7e30][(i * 7) % 10]! * (i % 3 === 0 ? 1 : -1));

const nd0 = (dim: number, n: number): number => (dim < 0 ? dim + Math.max(n, 1) : dim);
const wrap = (i: number, n: number): number => (i < 0 ? i + n : i);

function offsetOf(shape: readonly number[], idx: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < shape.length; d++) o = o * shape[d]! + idx[d]!;
  return o;
}

/** Value as stored by a dtype (what the kernel writes when converting a JS number). */
function cast(v: number, dtype: DType): number {
  if (dtype === 'bool') return v !== 0 ? 1 : 0;
  if (dtype === 'float32') return Math.fround(v);
  if (dtype === 'float64') return v;
  return Math.trunc(v);
}

/** Ascending order with NaN above everything. */
function cmpNan(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rows of x along dim: for every position of the other dims, the list of flat offsets along dim. */
function rowsAlong(shape: readonly number[], dim: number): number[][] {
  const other = shape.map((s, i) => (i === dim ? 1 : s));
  const rows: number[][] = [];
  Nd.forEachIndex(other, (idx) => {
    const row: number[] = [];
    for (let j = 0; j < shape[dim]!; j++) {
      const full = [...idx];
      full[dim] = j;
      row.push(offsetOf(shape, full));
    }
    rows.push(row);
  });
  return rows;
}

/** Stable sort of one row: [value, position] pairs. */
function sortRow(vals: number[], descending: boolean): [number, number][] {
  const pairs = vals.map((v, j) => [v, j] as [number, number]);
  pairs.sort((a, b) => (descending ? cmpNan(b[0], a[0]) : cmpNan(a[0], b[0])));
  return pairs;
}

function refScatter(x: Nd, dim: number, index: Nd, src: Nd | number, mode: string, includeSelf: boolean, dtype: DType): Nd {
  const out = new Nd([...x.shape], Float64Array.from(x.data));
  const isScalar = x.ndim === 0;
  const xShape = isScalar ? [1] : x.shape;
  const iShape = index.ndim === 0 ? [1] : index.shape;
  const d = nd0(dim, x.ndim);
  const groups = new Map<number, number[]>();
  Nd.forEachIndex(iShape, (idx, flat) => {
    const target = [...idx];
    target[d] = wrap(index.data[flat]!, xShape[d]!);
    const o = offsetOf(xShape, target);
    const v = typeof src === 'number' ? cast(src, dtype) : src.ndim === 0 ? src.data[0]! : src.at(idx);
    if (!groups.has(o)) groups.set(o, []);
    groups.get(o)!.push(v);
  });
  for (const [o, vs] of groups) {
    const all = includeSelf || mode === 'none' ? [out.data[o]!, ...vs] : vs;
    let r: number;
    switch (mode) {
      case 'none': r = vs[vs.length - 1]!; break;
      case 'sum': r = all.reduce((a, b) => a + b, 0); break;
      case 'prod': r = all.reduce((a, b) => a * b, 1); break;
      case 'amax': r = all.some(Number.isNaN) ? NaN : Math.max(...all); break;
      case 'amin': r = all.some(Number.isNaN) ? NaN : Math.min(...all); break;
      default: {
        const s = all.reduce((a, b) => a + b, 0) / all.length;
        r = dtype === 'float32' || dtype === 'float64' ? s : Math.floor(s);
      }
    }
    out.data[o] = r;
  }
  return out;
}

function refSortAlong(x: Nd, dim: number, descending: boolean): { values: Nd; indices: Nd } {
  const shape = x.ndim === 0 ? [1] : x.shape;
  const d = nd0(dim, x.ndim);
  const values = Nd.zeros([...x.shape]);
  const indices = Nd.zeros([...x.shape]);
  for (const row of rowsAlong(shape, d)) {
    const sorted = sortRow(row.map((o) => x.data[o]!), descending);
    row.forEach((o, j) => {
      values.data[o] = sorted[j]![0];
      indices.data[o] = sorted[j]![1];
    });
  }
  return { values, indices };
}

function refTopk(x: Nd, k: number, dim: number, largest: boolean): { values: Nd; indices: Nd } {
  const shape = x.ndim === 0 ? [1] : x.shape;
  const d = nd0(dim, x.ndim);
  const outShape = [...shape];
  outShape[d] = k;
  const values = Nd.zeros(x.ndim === 0 ? [] : outShape);
  const indices = Nd.zeros(x.ndim === 0 ? [] : outShape);
  const outRows = rowsAlong(outShape, d);
  rowsAlong(shape, d).forEach((row, r) => {
    const sorted = sortRow(row.map((o) => x.data[o]!), largest);
    for (let j = 0; j < k; j++) {
      values.data[outRows[r]![j]!] = sorted[j]![0];
      indices.data[outRows[r]![j]!] = sorted[j]![1];
    }
  });
  return { values, indices };
}

function refKth(x: Nd, pick: (n: number) => number, dim: number, keepdim: boolean, nanFirst: boolean): { values: Nd; indices: Nd } {
  const shape = x.ndim === 0 ? [1] : x.shape;
  const d = nd0(dim, x.ndim);
  const keepShape = shape.map((s, i) => (i === d ? 1 : s));
  const outShape = x.ndim === 0 ? [] : keepdim ? keepShape : shape.filter((_, i) => i !== d);
  const values = Nd.zeros(outShape);
  const indices = Nd.zeros(outShape);
  rowsAlong(shape, d).forEach((row, r) => {
    const vals = row.map((o) => x.data[o]!);
    const nanAt = vals.findIndex(Number.isNaN);
    if (nanFirst && nanAt >= 0) {
      values.data[r] = NaN;
      indices.data[r] = nanAt;
      return;
    }
    const sorted = sortRow(vals, false);
    const [v, j] = sorted[pick(vals.length)]!;
    values.data[r] = v;
    indices.data[r] = j;
  });
  return { values, indices };
}

const entries: OpInfo[] = [
  {
    name: 'indexSelect',
    grad: true,
    run: ([x, dim, index]) => indexSelect(x, dim, index),
    ref: ([x, dim, index]: [Nd, number, Nd]) => {
      const d = nd0(dim, x.ndim);
      if (x.ndim === 0) return Nd.scalar(x.data[0]!);
      const shape = [...x.shape];
      shape[d] = index.data.length;
      const out = Nd.zeros(shape);
      Nd.forEachIndex(shape, (idx, flat) => {
        const src = [...idx];
        src[d] = wrap(index.data[idx[d]!]!, x.shape[d]!);
        out.data[flat] = x.at(src);
      });
      return out;
    },
    samples: [
      { name: 'rows', args: [T([4, 3]), 0, I([5], [3, 0, 0, 2, 1])] },
      { name: 'columns, negative dim', args: [T([2, 3, 4]), -1, I([2], [3, 1])] },
      { name: 'middle dim, non-contiguous', args: [T([3, 4, 2], { noncontig: true }), 1, I([3], [2, 2, 0], { noncontig: true })] },
      { name: 'negative indices', args: [T([5]), 0, I([3], [-1, -5, 2])] },
      { name: '0-d index', args: [T([3, 2]), 1, I([], [1])] },
      { name: 'empty index', args: [T([3, 2]), 0, I([0], [])] },
      { name: 'zero-size self', args: [T([0, 3]), 1, I([2], [2, 0])] },
      { name: '0-d self', args: [T([]), 0, I([1], [0])] },
      { name: 'int32 index', args: [T([3, 3]), 0, { shape: [2], dtype: 'int32', values: [2, 1] }] },
    ],
    dtypes: WITH_HALF,
    errors: [
      { name: 'index past the end', args: [T([3, 2]), 0, I([2], [0, 3])], throws: /indexSelect: index 3 is out of bounds for dimension 0 with size 3/ },
      { name: 'negative index beyond size', args: [T([3, 2]), 1, I([1], [-3])], throws: /indexSelect: index -3 is out of bounds for dimension 1 with size 2/ },
      { name: 'float index', args: [T([3, 2]), 0, { shape: [1], dtype: 'float32', values: [0] }], throws: /indexSelect: expected index of dtype int64 \(or int32\), got float32/ },
      { name: '2-d index', args: [T([3, 2]), 0, I([1, 1], [0])], throws: /indexSelect: index must be a vector or a scalar, got shape \[1, 1\]/ },
      { name: 'bad dim', args: [T([3, 2]), 2, I([1], [0])], throws: /indexSelect: dimension out of range/ },
    ],
  },
  {
    name: 'gather',
    grad: true,
    run: ([x, dim, index]) => gather(x, dim, index),
    ref: ([x, dim, index]: [Nd, number, Nd]) => {
      const d = nd0(dim, x.ndim);
      const out = Nd.zeros([...index.shape]);
      const xs = x.ndim === 0 ? new Nd([1], x.data) : x;
      Nd.forEachIndex(index.shape, (idx, flat) => {
        const src = index.ndim === 0 ? [0] : [...idx];
        src[d] = wrap(index.data[flat]!, xs.shape[d]!);
        out.data[flat] = xs.at(src);
      });
      return out;
    },
    samples: [
      { name: 'dim 1', args: [T([3, 4]), 1, I([3, 2], [0, 3, 1, 1, 2, 0])] },
      { name: 'dim 0, smaller index', args: [T([4, 3]), 0, I([2, 2], [3, 0, 1, 2])] },
      { name: 'random, 3-d, negative dim', args: [T([3, 4, 5]), -2, { shape: [3, 6, 5], dtype: 'int64', low: -4, high: 3 }] },
      { name: 'non-contiguous', args: [T([3, 5], { noncontig: true }), 1, { shape: [3, 5], dtype: 'int64', low: 0, high: 4, noncontig: true }] },
      { name: 'zero-size index', args: [T([3, 4]), 1, I([3, 0], [])] },
      { name: '0-d', args: [T([]), 0, I([], [0])] },
    ],
    dtypes: WITH_HALF,
    errors: [
      { name: 'index out of range', args: [T([2, 3]), 1, I([2, 1], [0, 3])], throws: /gather: index 3 is out of bounds for dimension 1 with size 3/ },
      { name: 'negative index beyond size', args: [T([2, 3]), 0, I([1, 1], [-3])], throws: /gather: index -3 is out of bounds for dimension 0 with size 2/ },
      { name: 'float index', args: [T([2, 3]), 0, { shape: [1, 1], dtype: 'float64', values: [0] }], throws: /gather: expected index of dtype int64 \(or int32\), got float64/ },
      { name: 'index ndim mismatch', args: [T([2, 3]), 0, I([2], [0, 1])], throws: /gather: index must have as many dimensions as self/ },
      { name: 'index larger than self', args: [T([2, 3]), 0, I([1, 4], [0, 0, 0, 0])], throws: /gather: index of shape \[1, 4\] is larger than self of shape \[2, 3\] at dimension 1/ },
    ],
  },
  {
    name: 'scatter',
    grad: true,
    run: ([x, dim, index, src], o) => scatter(x, dim, index, src, o),
    ref: ([x, dim, index, src]: [Nd, number, Nd, Nd | number], _o, dtypes) => refScatter(x, dim, index, src, 'none', true, dtypes[0]!),
    samples: [
      { name: 'dim 0', args: [T([3, 4]), 0, I([2, 4], [2, 0, 1, 2, 0, 1, 0, 0]), T([2, 5])] },
      { name: 'dim 1, duplicates (last wins)', args: [T([2, 3]), 1, I([2, 3], [0, 0, 2, 1, 1, 1]), T([2, 3])] },
      { name: 'negative dim, non-contiguous', args: [T([3, 4], { noncontig: true }), -1, I([3, 2], [3, 0, 1, 2, -1, 0], { noncontig: true }), T([3, 2], { noncontig: true })] },
      { name: 'scalar value', args: [T([3, 3]), 1, I([3, 1], [2, 0, 1]), 5] },
      { name: 'zero-size index', args: [T([3, 3]), 0, I([0, 3], []), T([1, 3])] },
      { name: '0-d', args: [T([]), 0, I([], [0]), T([])] },
    ],
    dtypes: ALL,
    errors: [
      { name: 'index out of range', args: [T([2, 3]), 0, I([1, 1], [2]), T([1, 1])], throws: /scatter: index 2 is out of bounds for dimension 0 with size 2/ },
      { name: 'negative index beyond size', args: [T([2, 3]), 1, I([1, 1], [-4]), T([1, 1])], throws: /scatter: index -4 is out of bounds for dimension 1 with size 3/ },
      { name: 'float index', args: [T([2, 3]), 0, { shape: [1, 1], dtype: 'float32', values: [0] }, T([1, 1])], throws: /scatter: expected index of dtype int64/ },
      { name: 'index larger than src', args: [T([2, 3]), 0, I([1, 3], [0, 0, 0]), T([1, 2])], throws: /scatter: index of shape \[1, 3\] is larger than src of shape \[1, 2\] at dimension 1/ },
      { name: 'index larger than self', args: [T([2, 3]), 0, I([1, 4], [0, 0, 0, 0]), T([1, 4])], throws: /scatter: index of shape \[1, 4\] is larger than self of shape \[2, 3\] at dimension 1/ },
      { name: 'src of another dtype', args: [T([2, 3]), 0, I([1, 1], [0]), T([1, 1], { dtype: 'float64' })], throws: /scatter: expected src of dtype float32 \(self's dtype\), got float64/ },
      { name: 'ndim mismatch', args: [T([2, 3]), 0, I([1], [0]), T([1])], throws: /scatter: index must have as many dimensions as self/ },
      { name: 'bad reduce', args: [T([2, 3]), 0, I([1, 1], [0]), T([1, 1])], opts: { reduce: 'max' }, throws: /scatter: reduce must be one of/ },
    ],
  },
  {
    name: 'scatter (reduce)',
    run: ([x, dim, index, src], o) => scatter(x, dim, index, src, o as { reduce: 'sum' }),
    ref: ([x, dim, index, src]: [Nd, number, Nd, Nd], o, dtypes) => {
      const mode = { add: 'sum', multiply: 'prod' }[o!.reduce as string] ?? (o!.reduce as string);
      return refScatter(x, dim, index, src, mode, true, dtypes[0]!);
    },
    samples: [
      { name: 'add', args: [T([3, 2]), 0, I([4, 2], [0, 2, 0, 0, 1, 2, 0, 2]), T([4, 2])], opts: { reduce: 'add' } },
      { name: 'multiply', args: [T([3, 2]), 0, I([4, 2], [0, 2, 0, 0, 1, 2, 0, 2]), T([4, 2])], opts: { reduce: 'multiply' } },
      { name: 'amax, scalar src', args: [T([2, 4]), 1, I([2, 3], [0, 0, 3, 1, 1, 1]), 1] , opts: { reduce: 'amax' } },
    ],
    dtypes: NUMERIC,
  },
  {
    name: 'scatterReduce',
    grad: true,
    run: ([x, dim, index, src], o) => scatterReduce(x, dim, index, src, o!.reduce as 'sum', { includeSelf: o!.includeSelf as boolean }),
    ref: ([x, dim, index, src]: [Nd, number, Nd, Nd], o, dtypes) => refScatter(x, dim, index, src, o!.reduce as string, o!.includeSelf as boolean, dtypes[0]!),
    samples: (['sum', 'prod', 'mean', 'amax', 'amin'] as const).flatMap((reduce) => [true, false].map((includeSelf) => ({
      name: `${reduce}${includeSelf ? '' : ', excluding self'}`,
      args: [T([3, 4], { noncontig: true }), -2, I([5, 4], [0, 2, 0, 0, 1, 2, 0, 2, 0, 0, 0, 1, 2, 2, 2, 0, 1, 1, 0, 2]), T([5, 4], { low: -3, high: 3 })],
      opts: { reduce, includeSelf },
    }))).concat([
      { name: 'amax with NaN', args: [T([3], { dtype: 'float64', values: [1, 2, 3] }), 0, I([3], [0, 0, 2]), T([3], { dtype: 'float64', values: [NaN, 5, 0] })], opts: { reduce: 'amax', includeSelf: true } },
    ]),
    dtypes: NUMERIC,
    errors: [
      { name: 'bad mode', args: [T([2]), 0, I([1], [0]), T([1])], opts: { reduce: 'median', includeSelf: true }, throws: /scatterReduce: reduce must be one of/ },
    ],
  },
  {
    name: 'scatterAdd',
    grad: true,
    run: ([x, dim, index, src]) => scatterAdd(x, dim, index, src),
    ref: ([x, dim, index, src]: [Nd, number, Nd, Nd], _o, dtypes) => refScatter(x, dim, index, src, 'sum', true, dtypes[0]!),
    samples: [
      { name: 'duplicates', args: [T([3, 2]), 0, I([5, 2], [0, 0, 0, 2, 1, 2, 0, 2, -1, 1]), T([5, 2])] },
      { name: 'random, 3-d, last dim', args: [T([2, 3, 4]), 2, { shape: [2, 3, 7], dtype: 'int64', low: 0, high: 3 }, T([2, 3, 7])] },
      { name: 'non-contiguous', args: [T([4, 3], { noncontig: true }), 1, { shape: [4, 5], dtype: 'int64', low: 0, high: 2, noncontig: true }, T([4, 5], { noncontig: true })] },
      { name: 'zero-size', args: [T([0, 2]), 1, I([0, 2], []), T([0, 2])] },
    ],
    dtypes: NUMERIC,
    errors: [
      { name: 'index out of range', args: [T([2, 2]), 0, I([1, 2], [0, 2]), T([1, 2])], throws: /scatterAdd: index 2 is out of bounds for dimension 0 with size 2/ },
      { name: 'index larger than src', args: [T([2, 2]), 0, I([2, 2], [0, 0, 0, 0]), T([1, 2])], throws: /scatterAdd: index of shape \[2, 2\] is larger than src of shape \[1, 2\]/ },
      { name: 'float index', args: [T([2, 2]), 0, { shape: [1, 2], dtype: 'float32', values: [0, 0] }, T([1, 2])], throws: /scatterAdd: expected index of dtype int64/ },
    ],
  },
  {
    name: 'indexAdd',
    grad: true,
    run: ([x, dim, index, source], o) => indexAdd(x, dim, index, source, o),
    ref: ([x, dim, index, source]: [Nd, number, Nd, Nd], o) => {
      const alpha = (o?.alpha as number | undefined) ?? 1;
      const out = new Nd([...x.shape], Float64Array.from(x.data));
      const xs = x.ndim === 0 ? [1] : x.shape;
      const d = nd0(dim, x.ndim);
      const ss = source.ndim === 0 ? [1] : source.shape;
      Nd.forEachIndex(ss, (idx, flat) => {
        const t = [...idx];
        t[d] = wrap(index.data[idx[d]!]!, xs[d]!);
        out.data[offsetOf(xs, t)] += alpha * source.data[flat]!;
      });
      return out;
    },
    samples: [
      { name: 'rows with duplicates', args: [T([3, 4]), 0, I([4], [2, 0, 2, -1]), T([4, 4])] },
      { name: 'alpha, dim -1', args: [T([2, 3]), -1, I([2], [1, 1]), T([2, 2])], opts: { alpha: 2 } },
      { name: 'non-contiguous', args: [T([2, 3, 2], { noncontig: true }), 1, I([3], [0, 2, 0], { noncontig: true }), T([2, 3, 2], { noncontig: true })] },
      { name: 'empty index', args: [T([2, 3]), 0, I([0], []), T([0, 3])] },
      { name: '0-d', args: [T([]), 0, I([1], [0]), T([])] },
    ],
    dtypes: NUMERIC,
    errors: [
      { name: 'index out of range', args: [T([2, 3]), 0, I([1], [2]), T([1, 3])], throws: /indexAdd: index 2 is out of bounds for dimension 0 with size 2/ },
      { name: 'negative index beyond size', args: [T([2, 3]), 0, I([1], [-3]), T([1, 3])], throws: /indexAdd: index -3 is out of bounds for dimension 0 with size 2/ },
      { name: 'source shape', args: [T([2, 3]), 0, I([2], [0, 1]), T([2, 2])], throws: /indexAdd: source of shape \[2, 2\] does not match self of shape \[2, 3\] with 2 indices along dimension 0/ },
      { name: 'float index', args: [T([2, 3]), 0, { shape: [1], dtype: 'float32', values: [0] }, T([1, 3])], throws: /indexAdd: expected index of dtype int64/ },
    ],
  },
  {
    name: 'indexCopy',
    grad: true,
    run: ([x, dim, index, source]) => indexCopy(x, dim, index, source),
    ref: ([x, dim, index, source]: [Nd, number, Nd, Nd]) => {
      const out = new Nd([...x.shape], Float64Array.from(x.data));
      const xs = x.ndim === 0 ? [1] : x.shape;
      const d = nd0(dim, x.ndim);
      Nd.forEachIndex(source.ndim === 0 ? [1] : source.shape, (idx, flat) => {
        const t = [...idx];
        t[d] = wrap(index.data[idx[d]!]!, xs[d]!);
        out.data[offsetOf(xs, t)] = source.data[flat]!;
      });
      return out;
    },
    samples: [
      { name: 'rows, duplicate (last wins)', args: [T([4, 3]), 0, I([3], [3, 0, 3]), T([3, 3])] },
      { name: 'dim -1, non-contiguous', args: [T([2, 5], { noncontig: true }), -1, I([2], [4, -5], { noncontig: true }), T([2, 2], { noncontig: true })] },
      { name: 'empty index', args: [T([2, 3]), 1, I([0], []), T([2, 0])] },
    ],
    dtypes: ALL,
    errors: [
      { name: 'index out of range', args: [T([2, 3]), 0, I([1], [2]), T([1, 3])], throws: /indexCopy: index 2 is out of bounds for dimension 0 with size 2/ },
      { name: 'source shape', args: [T([2, 3]), 1, I([2], [0, 1]), T([2, 3])], throws: /indexCopy: source of shape \[2, 3\] does not match self of shape \[2, 3\] with 2 indices along dimension 1/ },
      { name: 'source dtype', args: [T([2, 3]), 0, I([1], [0]), T([1, 3], { dtype: 'int32' })], throws: /indexCopy: expected source of dtype float32 \(self's dtype\), got int32/ },
    ],
  },
  {
    name: 'indexFill',
    grad: true,
    run: ([x, dim, index, v]) => indexFill(x, dim, index, v),
    ref: ([x, dim, index, value]: [Nd, number, Nd, number | Nd], _o, dtypes) => {
      const v = typeof value === 'number' ? value : value.data[0]!;
      const xs = x.ndim === 0 ? [1] : x.shape;
      const d = nd0(dim, x.ndim);
      const chosen = new Set([...index.data].map((i) => wrap(i, xs[d]!)));
      const out = new Nd([...x.shape], Float64Array.from(x.data));
      Nd.forEachIndex(xs, (idx, flat) => {
        if (chosen.has(idx[d]!)) out.data[flat] = cast(v, dtypes[0]!);
      });
      return out;
    },
    samples: [
      { name: 'columns', args: [T([3, 4]), 1, I([2], [0, 3]), 2] },
      { name: 'rows of a non-contiguous 3-d, negative', args: [T([4, 2, 3], { noncontig: true }), 0, I([3], [-1, 1, 1]), 1] },
      { name: '0-d index', args: [T([3, 2]), -1, I([], [1]), 0] },
      { name: '0-d self', args: [T([]), 0, I([1], [0]), 1] },
      { name: '0-d tensor value, duplicate index', args: [T([3, 4]), 1, I([3], [2, 0, 2]), T([])] },
    ],
    dtypes: ALL,
    errors: [
      { name: 'index out of range', args: [T([2, 3]), 1, I([1], [-4]), 1], throws: /indexFill: index -4 is out of bounds for dimension 1 with size 3/ },
      { name: 'float index', args: [T([2, 3]), 1, { shape: [1], dtype: 'float32', values: [0] }, 1], throws: /indexFill: expected index of dtype int64/ },
    ],
  },
  {
    name: 'maskedFill',
    grad: true,
    run: ([x, mask, v]) => maskedFill(x, mask, v),
    ref: ([x, mask, v]: [Nd, Nd, number | Nd], _o, dtypes) => {
      const shape = broadcastShapes(x.shape, mask.shape);
      const out = Nd.zeros(shape);
      const value = typeof v === 'number' ? v : v.data[0]!;
      Nd.forEachIndex(shape, (idx, flat) => {
        out.data[flat] = broadcastAt(mask, idx) ? cast(value, dtypes[0]!) : broadcastAt(x, idx);
      });
      return out;
    },
    samples: [
      { name: 'same shape', args: [T([2, 3]), B([2, 3], [1, 0, 0, 1, 1, 0]), 3] },
      { name: 'broadcast mask', args: [T([3, 4], { noncontig: true }), B([4], [0, 1, 1, 0]), 2] },
      { name: 'mask broadcasts self', args: [T([4]), B([2, 1], [1, 0]), 1] },
      { name: '0-d mask', args: [T([2, 2]), B([], [1]), 0] },
      { name: 'zero-size', args: [T([0, 3]), B([3], [1, 0, 1]), 1] },
      { name: '0-d tensor value', args: [T([2, 3]), B([2, 3], [1, 0, 0, 1, 1, 0]), T([])] },
    ],
    dtypes: ALL,
    errors: [
      { name: 'float mask', args: [T([2]), T([2], { dtype: 'float32' }), 1], throws: /maskedFill: expected a mask of dtype bool, got float32/ },
      { name: 'unbroadcastable mask', args: [T([2, 3]), B([2], [1, 0]), 1], throws: /maskedFill: shapes \[2, 3\] and \[2\] cannot be broadcast together/ },
      { name: 'value tensor with dims', args: [T([2]), B([2], [1, 0]), T([2])], throws: /maskedFill: only supports a 0-dimensional value tensor/ },
    ],
  },
  {
    name: 'maskedSelect',
    grad: true,
    run: ([x, mask]) => maskedSelect(x, mask),
    ref: ([x, mask]: [Nd, Nd]) => {
      const shape = broadcastShapes(x.shape, mask.shape);
      const vals: number[] = [];
      Nd.forEachIndex(shape, (idx) => {
        if (broadcastAt(mask, idx)) vals.push(broadcastAt(x, idx));
      });
      return new Nd([vals.length], Float64Array.from(vals));
    },
    samples: [
      { name: 'same shape', args: [T([2, 3]), B([2, 3], [1, 0, 0, 1, 1, 0])] },
      { name: 'broadcast mask, non-contiguous', args: [T([3, 4], { noncontig: true }), B([4], [0, 1, 1, 0])] },
      { name: 'both broadcast', args: [T([3, 1]), B([1, 2], [1, 1])] },
      { name: 'random mask', args: [T([5, 6]), { shape: [5, 6], dtype: 'bool' }] },
      { name: 'nothing selected', args: [T([3]), B([3], [0, 0, 0])] },
      { name: '0-d', args: [T([]), B([], [1])] },
    ],
    dtypes: WITH_HALF,
    errors: [
      { name: 'uint8 mask', args: [T([2]), T([2], { dtype: 'uint8' })], throws: /maskedSelect: expected a mask of dtype bool, got uint8/ },
      { name: 'unbroadcastable mask', args: [T([2, 3]), B([4], [1, 0, 1, 0])], throws: /maskedSelect: shapes \[2, 3\] and \[4\] cannot be broadcast together/ },
    ],
  },
  {
    name: 'nonzero',
    run: ([x]) => nonzero(x),
    ref: ([x]: [Nd]) => {
      const rows: number[][] = [];
      Nd.forEachIndex(x.shape, (idx, flat) => {
        if (x.data[flat] !== 0) rows.push([...idx]);
      });
      return new Nd([rows.length, x.ndim], Float64Array.from(rows.flat()));
    },
    samples: [
      { name: '2-d', args: [T([3, 4], { values: [0, 1, 0, 2, 0, 0, 0, 0, 3, 0, 4, 0] })] },
      { name: 'random, non-contiguous 3-d', args: [T([2, 3, 4], { low: -1, high: 1, noncontig: true })] },
      { name: 'NaN counts as nonzero', args: [T([3], { dtype: 'float32', values: [NaN, 0, 0] })] },
      { name: 'zero-size', args: [T([0, 2])] },
      { name: '0-d', args: [T([], { values: [5] })] },
    ],
    dtypes: ALL,
    outDtype: () => 'int64',
  },
  {
    name: 'nonzero (asTuple)',
    run: ([x]) => nonzero(x, { asTuple: true }),
    ref: ([x]: [Nd]) => {
      const shape = x.ndim === 0 ? [1] : x.shape;
      const cols: number[][] = shape.map(() => []);
      Nd.forEachIndex(shape, (idx, flat) => {
        if (x.data[flat] !== 0) idx.forEach((v, d) => cols[d]!.push(v));
      });
      return cols.map((c) => new Nd([c.length], Float64Array.from(c)));
    },
    samples: [
      { name: '2-d', args: [T([3, 4], { values: [0, 1, 0, 2, 0, 0, 0, 0, 3, 0, 4, 0] })] },
      { name: '0-d', args: [T([], { values: [2] })] },
    ],
    dtypes: NUMERIC,
    outDtype: () => 'int64',
  },
  {
    name: 'take',
    grad: true,
    run: ([x, index]) => take(x, index),
    ref: ([x, index]: [Nd, Nd]) => index.map((i) => x.data[wrap(i, x.data.length)]!),
    samples: [
      { name: '2-d self, 2-d index', args: [T([3, 4]), I([2, 2], [0, 11, 5, -1])] },
      { name: 'non-contiguous self and index', args: [T([3, 4], { noncontig: true }), I([4], [1, 4, 7, -12], { noncontig: true })] },
      { name: '0-d index', args: [T([5]), I([], [3])] },
      { name: 'empty index', args: [T([5]), I([0], [])] },
      { name: '0-d self', args: [T([]), I([2], [0, -1])] },
    ],
    dtypes: WITH_HALF,
    errors: [
      { name: 'index past the end', args: [T([2, 3]), I([1], [6])], throws: /take: index 6 is out of bounds for a tensor of 6 elements/ },
      { name: 'negative beyond size', args: [T([2, 3]), I([1], [-7])], throws: /take: index -7 is out of bounds for a tensor of 6 elements/ },
      { name: 'float index', args: [T([2, 3]), { shape: [1], dtype: 'float32', values: [0] }], throws: /take: expected index of dtype int64/ },
    ],
  },
  {
    name: 'takeAlongDim',
    grad: true,
    run: ([x, indices, dim]) => takeAlongDim(x, indices, dim ?? undefined),
    ref: ([x, indices, dim]: [Nd, Nd, number | null]) => {
      if (dim === null) return indices.map((i) => x.data[wrap(i, x.data.length)]!);
      const d = nd0(dim, x.ndim);
      const shape = broadcastShapes(x.shape.map((s, i) => (i === d ? 1 : s)), indices.shape.map((s, i) => (i === d ? 1 : s)));
      shape[d] = indices.shape[d]!;
      const out = Nd.zeros(shape);
      Nd.forEachIndex(shape, (idx, flat) => {
        const j = wrap(broadcastAt(indices, idx), x.shape[d]!);
        const src = idx.map((v, i) => (i === d ? j : x.shape[i] === 1 ? 0 : v));
        out.data[flat] = x.at(src);
      });
      return out;
    },
    samples: [
      { name: 'same shape', args: [T([3, 4]), { shape: [3, 4], dtype: 'int64', low: 0, high: 3 }, 1] },
      { name: 'broadcast indices, dim 0', args: [T([4, 3]), I([2, 1], [3, -1]), 0] },
      { name: 'broadcast input, non-contiguous', args: [T([1, 5], { noncontig: true }), { shape: [3, 2], dtype: 'int64', low: -5, high: 4, noncontig: true }, -1] },
      { name: 'flattened', args: [T([2, 3]), I([4], [5, 0, -1, 2]), null] },
    ],
    dtypes: ALL,
    errors: [
      { name: 'index out of range', args: [T([2, 3]), I([2, 1], [0, 3]), 1], throws: /takeAlongDim: index 3 is out of bounds for dimension 1 with size 3/ },
      { name: 'ndim mismatch', args: [T([2, 3]), I([2], [0, 1]), 1], throws: /takeAlongDim: indices must have as many dimensions as input/ },
      { name: 'unbroadcastable', args: [T([2, 3]), I([3, 1], [0, 1, 2]), 1], throws: /takeAlongDim: shapes \[2, 1\] and \[3, 1\] cannot be broadcast together/ },
    ],
  },
  {
    name: 'sort',
    grad: true,
    run: ([x, dim], o) => sort(x, dim, o),
    ref: ([x, dim]: [Nd, number], o) => refSortAlong(x, dim, o?.descending === true),
    samples: [
      { name: 'last dim, many ties', args: [T([4, 9], { low: -2, high: 2 }), -1] },
      { name: 'dim 0, descending', args: [T([6, 3]), 0], opts: { descending: true } },
      { name: 'non-contiguous middle dim, stable', args: [T([2, 5, 3], { noncontig: true }), 1], opts: { stable: true } },
      { name: 'long rows (radix path), ties', args: [T([3, 300], { low: -3, high: 3 }), 1] },
      { name: 'long non-contiguous columns, descending', args: [T([300, 2], { low: -50, high: 50, noncontig: true }), 0], opts: { descending: true } },
      { name: 'zero-size', args: [T([0, 3]), 1] },
      { name: '0-d', args: [T([]), 0] },
    ],
    dtypes: WITH_HALF,
    errors: [{ name: 'bad dim', args: [T([2, 2]), 2], throws: /sort: dimension out of range/ }],
  },
  {
    name: 'sort (NaN)',
    run: ([x], o) => sort(x, -1, o),
    ref: ([x]: [Nd], o) => refSortAlong(x, -1, o?.descending === true),
    samples: [
      { name: 'ascending', args: [T([7], { values: [3, NaN, -1, Infinity, NaN, -Infinity, 0] })] },
      { name: 'descending', args: [T([2, 4], { values: [NaN, 1, NaN, 2, 5, -Infinity, 5, NaN] })], opts: { descending: true } },
      { name: 'long row: NaN, signed zeros, infinities', args: [T([2, 300], { values: SPECIAL })] },
      { name: 'long row descending', args: [T([2, 300], { values: SPECIAL })], opts: { descending: true } },
    ],
    dtypes: FLOATS,
  },
  {
    name: 'argsort',
    run: ([x, dim], o) => argsort(x, dim, o),
    ref: ([x, dim]: [Nd, number], o) => refSortAlong(x, dim, o?.descending === true).indices,
    samples: [
      { name: 'ties, descending', args: [T([3, 8], { low: -1, high: 1 }), 1], opts: { descending: true } },
      { name: 'non-contiguous, dim 0', args: [T([5, 2], { noncontig: true }), 0] },
    ],
    dtypes: NUMERIC,
    outDtype: () => 'int64',
  },
  {
    name: 'topk',
    grad: true,
    run: ([x, k, dim], o) => topk(x, k, dim, o),
    ref: ([x, k, dim]: [Nd, number, number], o) => refTopk(x, k, dim, (o?.largest as boolean | undefined) ?? true),
    samples: [
      { name: 'largest, ties', args: [T([3, 8], { low: -2, high: 2 }), 3, -1] },
      { name: 'smallest, dim 0', args: [T([6, 4]), 2, 0], opts: { largest: false } },
      { name: 'non-contiguous, k = size', args: [T([2, 5, 3], { noncontig: true }), 5, 1] },
      { name: 'k = 0', args: [T([3, 4]), 0, 1] },
      { name: 'NaN is largest', args: [T([6], { dtype: 'float64', values: [1, NaN, 3, NaN, -1, 2] }), 3, 0] },
      { name: '0-d', args: [T([]), 1, 0] },
    ],
    dtypes: NUMERIC,
    errors: [
      { name: 'k > size', args: [T([2, 3]), 4, 1], throws: /topk: k \(4\) is out of range for dimension 1 of size 3/ },
      { name: 'negative k', args: [T([2, 3]), -1, 1], throws: /topk: k \(-1\) is out of range/ },
    ],
  },
  {
    name: 'kthvalue',
    grad: true,
    run: ([x, k, dim], o) => kthvalue(x, k, dim, o),
    ref: ([x, k, dim]: [Nd, number, number], o) => refKth(x, () => k - 1, dim, o?.keepdim === true, false),
    samples: [
      { name: 'last dim, ties', args: [T([4, 7], { low: -2, high: 2 }), 3, -1] },
      { name: 'dim 0, keepdim, non-contiguous', args: [T([5, 3], { noncontig: true }), 5, 0], opts: { keepdim: true } },
      { name: 'NaN is largest', args: [T([4], { dtype: 'float64', values: [NaN, 1, 0, 2] }), 4, 0] },
      { name: '0-d', args: [T([]), 1, 0] },
    ],
    dtypes: NUMERIC,
    errors: [{ name: 'k > size', args: [T([2, 3]), 4, 1], throws: /kthvalue: k \(4\) is out of range for dimension 1 of size 3/ }],
  },
  {
    name: 'median',
    grad: true,
    run: ([x, dim], o) => median(x, dim, o),
    ref: ([x, dim]: [Nd, number], o) => refKth(x, (n) => Math.floor((n - 1) / 2), dim, o?.keepdim === true, true),
    samples: [
      { name: 'even length (lower median)', args: [T([3, 6]), 1] },
      { name: 'odd, dim 0, keepdim', args: [T([5, 2], { noncontig: true }), 0], opts: { keepdim: true } },
      { name: 'NaN propagates', args: [T([2, 3], { dtype: 'float64', values: [1, NaN, 2, 3, 4, 5] }), 1] },
    ],
    dtypes: NUMERIC,
    errors: [{ name: 'empty dim', args: [T([2, 0]), 1], throws: /median: cannot compute the median of an empty dimension/ }],
  },
  {
    name: 'median (all)',
    grad: true,
    run: ([x]) => median(x),
    ref: ([x]: [Nd]) => {
      const vals = [...x.data];
      if (vals.some(Number.isNaN)) return Nd.scalar(NaN);
      vals.sort((a, b) => a - b);
      return Nd.scalar(vals[Math.floor((vals.length - 1) / 2)]!);
    },
    samples: [{ args: [T([4, 5])] }, { args: [T([3, 3], { noncontig: true })] }, { args: [T([])] }],
    dtypes: NUMERIC,
    errors: [{ name: 'empty', args: [T([0])], throws: /median: cannot compute the median of an empty tensor/ }],
  },
  {
    name: 'unique',
    run: ([x], o) => unique(x, o ?? {}) as Tensor,
    ref: ([x]: [Nd], o) => {
      const vals = [...x.data].sort(cmpNan);
      const u: number[] = [];
      const counts: number[] = [];
      for (const v of vals) {
        if (u.length && u[u.length - 1] === v) counts[counts.length - 1]!++;
        else {
          u.push(v);
          counts.push(1);
        }
      }
      const values = new Nd([u.length], Float64Array.from(u));
      if (!o?.returnInverse && !o?.returnCounts) return values;
      const r: Record<string, Nd> = { values };
      if (o.returnInverse) r.inverseIndices = x.map((v) => (Number.isNaN(v) ? NaN : u.indexOf(v)));
      if (o.returnCounts) r.counts = new Nd([u.length], Float64Array.from(counts));
      return r;
    },
    samples: [
      { name: 'values only', args: [T([4, 5], { low: -3, high: 3 })] },
      { name: 'inverse and counts, non-contiguous', args: [T([3, 4], { low: -2, high: 2, noncontig: true })], opts: { returnInverse: true, returnCounts: true } },
      { name: 'counts only', args: [T([7], { low: 0, high: 2 })], opts: { returnCounts: true } },
      { name: 'inverse only', args: [T([2, 2], { values: [1, 1, 0, 1] })], opts: { returnInverse: true } },
      { name: 'zero-size', args: [T([0, 3])], opts: { returnCounts: true } },
      { name: '0-d', args: [T([])], opts: { returnInverse: true } },
    ],
    dtypes: ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool'],
  },
  {
    name: 'unique (NaN)',
    run: ([x], o) => unique(x, o ?? {}) as Tensor,
    ref: ([x]: [Nd], o) => {
      const finite = [...new Set([...x.data].filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
      const nans = [...x.data].filter(Number.isNaN);
      const u = [...finite, ...nans];
      return { values: new Nd([u.length], Float64Array.from(u)), counts: new Nd([u.length], Float64Array.from(u.map((v) => (Number.isNaN(v) ? 1 : [...x.data].filter((w) => w === v).length)))) };
    },
    samples: [{ args: [T([6], { values: [NaN, 2, 1, NaN, 2, -1] })], opts: { returnCounts: true } }],
    dtypes: FLOATS,
  },
  {
    name: 'unique (dim)',
    run: ([x], o) => unique(x, o ?? {}) as Tensor,
    ref: ([x]: [Nd], o) => {
      const d = nd0(o!.dim as number, x.ndim);
      const n = x.shape[d]!;
      const slices: number[][] = [];
      const sliceShape = x.shape.filter((_, i) => i !== d);
      for (let j = 0; j < n; j++) {
        const vals: number[] = [];
        Nd.forEachIndex(sliceShape, (idx) => {
          const full = [...idx];
          full.splice(d, 0, j);
          vals.push(x.at(full));
        });
        slices[j] = vals;
      }
      const cmp = (a: number[], b: number[]): number => {
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
        return 0;
      };
      const order = [...slices.keys()].sort((a, b) => cmp(slices[a]!, slices[b]!) || a - b);
      const groups: number[][] = [];
      for (const j of order) {
        const g = groups[groups.length - 1];
        if (g && cmp(slices[g[0]!]!, slices[j]!) === 0) g.push(j);
        else groups.push([j]);
      }
      const outShape = [...x.shape];
      outShape[d] = groups.length;
      const values = Nd.zeros(outShape);
      Nd.forEachIndex(outShape, (idx, flat) => {
        const src = [...idx];
        src[d] = groups[idx[d]!]![0]!;
        values.data[flat] = x.at(src);
      });
      const inverse = Nd.zeros([n]);
      groups.forEach((g, gi) => g.forEach((j) => (inverse.data[j] = gi)));
      return { values, inverseIndices: inverse, counts: new Nd([groups.length], Float64Array.from(groups.map((g) => g.length))) };
    },
    samples: [
      { name: 'rows', args: [T([5, 2], { values: [1, 2, 0, 5, 1, 2, 0, 4, 0, 5] })], opts: { dim: 0, returnInverse: true, returnCounts: true } },
      { name: 'columns (dim -1), non-contiguous', args: [T([2, 6], { low: 0, high: 1, noncontig: true })], opts: { dim: -1, returnInverse: true, returnCounts: true } },
      { name: '3-d, middle dim', args: [T([2, 4, 2], { low: 0, high: 1 })], opts: { dim: 1, returnInverse: true, returnCounts: true } },
    ],
    dtypes: NUMERIC,
  },
  {
    name: 'oneHot',
    run: ([x, n]) => oneHot(x, n),
    ref: ([x, n]: [Nd, number]) => {
      const c = n < 0 ? Math.max(...x.data) + 1 : n;
      const out = Nd.zeros([...x.shape, c]);
      x.data.forEach((v, i) => (out.data[i * c + v] = 1));
      return out;
    },
    samples: [
      { name: 'inferred classes', args: [I([5], [0, 3, 1, 3, 2]), -1] },
      { name: 'given classes, 2-d, non-contiguous', args: [I([2, 3], [0, 4, 1, 2, 2, 0], { noncontig: true }), 6] },
      { name: 'int32 input', args: [{ shape: [3], dtype: 'int32', values: [2, 0, 1] }, 3] },
      { name: '0-d', args: [I([], [2]), 4] },
      { name: 'empty with classes', args: [I([0], []), 3] },
    ],
    dtypes: ['int64'],
    outDtype: () => 'int64',
    errors: [
      { name: 'negative class', args: [I([2], [0, -1]), -1], throws: /oneHot: class values must be non-negative, got -1/ },
      { name: 'class too large', args: [I([2], [0, 3]), 3], throws: /oneHot: class values must be smaller than numClasses \(got 3 for numClasses 3\)/ },
      { name: 'float input', args: [{ shape: [2], dtype: 'float32', values: [0, 1] }, 2], throws: /oneHot: expected input of dtype int64/ },
      { name: 'empty without classes', args: [I([0], []), -1], throws: /oneHot: cannot infer the number of classes from an empty tensor/ },
    ],
  },
  {
    name: 'searchsorted',
    run: ([seq, values, sorter], o) => searchsorted(seq, values, { ...o, sorter }),
    ref: ([seqIn, values, sorter]: [Nd, Nd | number, Nd | undefined], o) => {
      const seq = sorter ? new Nd([...seqIn.shape], Float64Array.from(sorter.data, (i) => seqIn.data[i]!)) : seqIn;
      const right = o?.right === true || o?.side === 'right';
      const v = typeof values === 'number' ? Nd.scalar(values) : values;
      const len = seq.shape[seq.ndim - 1]!;
      const out = Nd.zeros([...v.shape]);
      const rowsPer = Nd.numel(v.shape.slice(-1));
      v.data.forEach((x, i) => {
        const base = seq.ndim === 1 ? 0 : Math.floor(i / rowsPer) * len;
        let pos = 0;
        while (pos < len) {
          const s = seq.data[base + pos]!;
          const c = cmpNan(s, x);
          if (c < 0 || (right && c === 0)) pos++;
          else break;
        }
        out.data[i] = pos;
      });
      return out;
    },
    samples: [
      { name: 'left', args: [T([6], { values: [-2, -1, 0, 0, 1, 2] }), T([2, 4], { values: [-3, -1, 0, 0.5, 1, 2, 3, -2] })] },
      { name: 'right', args: [T([6], { values: [-2, -1, 0, 0, 1, 2] }), T([5], { values: [-2, 0, 1, 2, 5] })], opts: { right: true } },
      { name: "side: 'right', batched, non-contiguous", args: [T([2, 4], { values: [0, 1, 1, 2, -1, 0, 0, 3], noncontig: true }), T([2, 3], { values: [1, 0, 3, 0, -1, 9] })], opts: { side: 'right' } },
      { name: 'scalar value', args: [T([4], { values: [1, 2, 3, 4] }), 3] },
      { name: 'NaN', args: [T([4], { dtype: 'float64', values: [1, 2, NaN, NaN] }), T([3], { dtype: 'float64', values: [NaN, 5, 1] })] },
      { name: 'empty values', args: [T([3], { values: [0, 1, 2] }), T([0])] },
      { name: 'unsorted with sorter', args: [T([5], { values: [2, -1, 1, 0, -2] }), T([4], { values: [0, 1.5, -3, 2] }), I([5], [4, 1, 3, 2, 0])] },
    ],
    dtypes: NUMERIC,
    outDtype: () => 'int64',
    errors: [
      { name: 'mismatched leading dims', args: [T([2, 3]), T([3, 1])], throws: /searchsorted: the sorted sequence must be 1-d or match values in every dim but the last/ },
      { name: 'opposite side and right', args: [T([3]), T([1])], opts: { side: 'left', right: true }, throws: /searchsorted: side and right can't be set to opposites/ },
      { name: '0-d sequence', args: [T([]), T([1])], throws: /searchsorted: the sorted sequence must have at least one dimension/ },
      { name: 'sorter out of range', args: [T([3]), T([1]), I([3], [0, 1, 3])], throws: /searchsorted: index 3 is out of bounds for dimension 0 with size 3/ },
      { name: 'sorter shape', args: [T([3]), T([1]), I([2], [0, 1])], throws: /searchsorted: sorter of shape \[2\] must have the sorted sequence's shape \[3\]/ },
    ],
  },
];

/**
 * Samples with NaN inputs of differentiable entries run in a separate entry without `grad`
 * (finite differences through NaN are meaningless); everything else is unchanged.
 */
export const indexingOps: OpInfo[] = entries.flatMap((op): OpInfo[] => {
  if (op.grad !== true) return [op];
  const nan = (s: OpInfo['samples'][number]): boolean => (s.name ?? '').includes('NaN');
  const nanSamples = op.samples.filter(nan);
  if (nanSamples.length === 0) return [op];
  return [
    { ...op, samples: op.samples.filter((s) => !nan(s)) },
    { ...op, name: `${op.name} (NaN)`, samples: nanSamples, errors: undefined, grad: undefined },
  ];
});
