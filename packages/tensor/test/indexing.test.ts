/**
 * Behaviour of the indexing and sorting family that the op table cannot express: in-place
 * aliasing and version counters, deterministic accumulation of duplicate indices, sort stability,
 * NaN ordering, unique's reconstruction property, the large (parallel / fast-path) kernels.
 */
import { describe, expect, it } from 'vitest';
import {
  argsort, gather, indexAdd_, indexCopy_, indexFill_, indexSelect, maskedFill_, maskedSelect, nonzero, scatter_, scatterAdd, scatterAdd_,
  scatterReduce_, searchsorted, sort, take, tensor, topk, unique, zeros, type Tensor, type UniqueResult,
} from '../src/index.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const nums = (t: Tensor): number[] => Array.from(t.data() as ArrayLike<number | bigint>, Number);


/** An int64 index tensor (JS numbers otherwise make float tensors). */
const long = (v: unknown): Tensor => tensor(v as never, { dtype: 'int64' });

describe('in-place variants', () => {
  it('scatter_ writes through a view into its base and bumps the version', () => {
    const base = zeros([3, 4]);
    const row = base._view([4], [1], 4); // base[1]
    const v0 = base._st.version;
    const r = scatter_(row, 0, long([3, 0]), tensor([7, 8], { dtype: 'float32' }));
    expect(r).toBe(row);
    expect(base._st.version).toBe(v0 + 1);
    expect(base.toArray()).toEqual([[0, 0, 0, 0], [8, 0, 0, 7], [0, 0, 0, 0]]);
  });

  it('scatterAdd_, indexAdd_ and maskedFill_ return self and alias it', () => {
    const x = zeros([2, 3]);
    let v = x._st.version;
    expect(scatterAdd_(x, 1, long([[0, 0], [2, 2]]), tensor([[1, 2], [3, 4]], { dtype: 'float32' }))).toBe(x);
    expect(x._st.version).toBe(++v);
    expect(indexAdd_(x, 0, long([1]), tensor([[1, 1, 1]], { dtype: 'float32' }))).toBe(x);
    expect(x._st.version).toBe(++v);
    expect(maskedFill_(x, tensor([true, false, false]), -1)).toBe(x);
    expect(x._st.version).toBe(++v);
    expect(x.toArray()).toEqual([[-1, 0, 0], [-1, 1, 8]]);
    expect(x.scatter_(0, long([[0]]), 5)).toBe(x);
    expect(x.toArray()).toEqual([[5, 0, 0], [-1, 1, 8]]);
  });

  it('indexCopy_ and indexFill_ write into self', () => {
    const x = zeros([3, 2], { dtype: 'int64' });
    const v0 = x._st.version;
    expect(indexCopy_(x, 0, long([2, 0]), long([[1, 2], [3, 4]]))).toBe(x);
    expect(indexFill_(x, 1, long([1]), -7)).toBe(x);
    expect(x._st.version).toBe(v0 + 2);
    expect(x.toArray()).toEqual([[3, -7], [0, -7], [1, -7]]);
  });

  it('scatterReduce_ with mean on a non-contiguous view writes back into the base', () => {
    const base = tensor([[1, 10], [2, 20], [3, 30]], { dtype: 'float64' });
    const col = base._view([3], [2], 1); // base[:, 1]
    const v0 = base._st.version;
    scatterReduce_(col, 0, long([0, 0, 2]), tensor([40, 70, 0], { dtype: 'float64' }), 'mean');
    expect(base._st.version).toBeGreaterThan(v0);
    expect(base.toArray()).toEqual([[1, 40], [2, 20], [3, 15]]);
  });

  it('in-place writes into an expanded tensor are refused', () => {
    const x = zeros([1])._view([4], [0], 0);
    expect(() => scatter_(x, 0, long([0]), 1)).toThrow(/scatter_: unsupported operation: more than one element of the written-to tensor/);
    expect(() => maskedFill_(x, tensor([true, false, false, false]), 1)).toThrow(/maskedFill_: unsupported operation/);
    expect(() => indexAdd_(x, 0, long([0]), tensor([1], { dtype: 'float32' }))).toThrow(/indexAdd_: unsupported operation/);
  });

  it('maskedFill_ refuses a mask that would broadcast self', () => {
    const x = zeros([3]);
    expect(() => maskedFill_(x, tensor([[true], [false]]), 1)).toThrow(/maskedFill_: mask of shape \[2, 1\] cannot be broadcast to self of shape \[3\]/);
  });
});

describe('duplicate indices', () => {
  it('scatterAdd accumulates in a fixed order: identical runs, equal to a sequential sum', () => {
    const n = 200_000;
    const r = rng(1);
    const vals = Float64Array.from({ length: n }, () => r() - 0.5);
    const idx = long(Array.from({ length: n }, (_, i) => (i * 7) % 3));
    const src = tensor(vals);
    const a = nums(scatterAdd(zeros([3], { dtype: 'float64' }), 0, idx, src));
    const b = nums(scatterAdd(zeros([3], { dtype: 'float64' }), 0, idx, src));
    expect(a).toEqual(b);
    const want = [0, 0, 0];
    for (let i = 0; i < n; i++) want[(i * 7) % 3] += vals[i]!;
    expect(a).toEqual(want);
  });

  it('scatterAdd along dim 0 of a wide matrix (parallel over columns) matches sequential sums', () => {
    const r = rng(9);
    const rows = 3000;
    const cols = 40;
    const vals = Float32Array.from({ length: rows * cols }, () => r() - 0.5);
    const idx = Array.from({ length: rows * cols }, () => Math.floor(r() * 5));
    const out = nums(scatterAdd(zeros([5, cols]), 0, long(idx)._view([rows, cols], [cols, 1], 0), tensor(vals, { shape: [rows, cols] })));
    const want = new Float32Array(5 * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) want[idx[i * cols + j]! * cols + j] = Math.fround(want[idx[i * cols + j]! * cols + j]! + vals[i * cols + j]!);
    expect(out).toEqual(Array.from(want));
  });

  it('a failed in-place scatter leaves self untouched', () => {
    const x = zeros([4]);
    expect(() => scatterAdd_(x, 0, long([0, 1, 9]), tensor([1, 1, 1], { dtype: 'float32' }))).toThrow(/scatterAdd: index 9 is out of bounds/);
    expect(x.toArray()).toEqual([0, 0, 0, 0]);
  });

  it('indexAdd accumulates every duplicate row', () => {
    const x = zeros([2, 2], { dtype: 'int64' });
    indexAdd_(x, 0, long([1, 1, 1, 0]), long([[1, 2], [3, 4], [5, 6], [7, 8]]));
    expect(x.toArray()).toEqual([[7, 8], [9, 12]]);
  });
});

describe('sorting', () => {
  it('sort is stable, ascending and descending, over rows large enough to run in parallel', () => {
    const rows = 64;
    const len = 5000;
    const r = rng(2);
    const vals = Float32Array.from({ length: rows * len }, () => Math.floor(r() * 10));
    const x = tensor(vals, { shape: [rows, len] });
    for (const descending of [false, true]) {
      const { values, indices } = sort(x, -1, { descending, stable: true });
      const v = nums(values);
      const ix = nums(indices);
      let bad = 0;
      for (let row = 0; row < rows; row++) {
        for (let j = 0; j < len; j++) {
          const k = row * len + j;
          const cur = v[k]!;
          if (vals[row * len + ix[k]!] !== cur) bad++;
          if (j === 0) continue;
          const prev = v[k - 1]!;
          if (descending ? prev < cur : prev > cur) bad++;
          if (prev === cur && ix[k - 1]! >= ix[k]!) bad++;
        }
      }
      expect(bad).toBe(0);
    }
  });

  it('sorts 100k float64 values (wide radix digits) like a stable comparison sort', () => {
    const r = rng(8);
    const n = 100_000;
    const special = [NaN, 0, -0, Infinity, -Infinity];
    const vals = Float64Array.from({ length: n }, () => (r() < 0.05 ? special[Math.floor(r() * 5)]! : Math.round((r() - 0.5) * 2000) / 8));
    const ord = (a: number, b: number): number => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a < b ? -1 : a > b ? 1 : 0);
    for (const descending of [false, true]) {
      const want = [...vals.keys()].sort((i, j) => (descending ? ord(vals[j]!, vals[i]!) : ord(vals[i]!, vals[j]!)));
      const got = nums(sort(tensor(vals), 0, { descending }).indices);
      let bad = 0;
      for (let i = 0; i < n; i++) if (got[i] !== want[i]) bad++;
      expect(bad).toBe(0);
    }
  });

  it('sorts along a non-last dim of a transposed (strided) tensor', () => {
    const x = tensor([[3, 1], [1, 2], [2, 0]], { dtype: 'float32' });
    const t = x._view([2, 3], [1, 2], 0); // x.T
    const { values, indices } = sort(t, 1);
    expect(values.toArray()).toEqual([[1, 2, 3], [0, 1, 2]]);
    expect(indices.toArray()).toEqual([[1, 2, 0], [2, 0, 1]]);
  });

  it('orders NaN as the largest value', () => {
    const x = tensor([2, NaN, -Infinity, 1, NaN], { dtype: 'float64' });
    expect(sort(x).values.toArray()).toEqual([-Infinity, 1, 2, NaN, NaN]);
    expect(sort(x).indices.toArray()).toEqual([2, 3, 0, 1, 4]);
    expect(argsort(x, { descending: true }).toArray()).toEqual([1, 4, 0, 3, 2]);
    const top = topk(x, 3);
    expect(top.values.toArray()).toEqual([NaN, NaN, 2]);
    expect(top.indices.toArray()).toEqual([1, 4, 0]);
    expect(topk(x, 2, { largest: false }).indices.toArray()).toEqual([2, 3]);
  });

  it('topk breaks ties by position', () => {
    const x = tensor([1, 3, 3, 2, 3]);
    expect(topk(x, 2).indices.toArray()).toEqual([1, 2]);
    expect(topk(x, 2, 0, { largest: false, sorted: false }).indices.toArray()).toEqual([0, 3]);
  });
});

describe('unique', () => {
  it('values, inverseIndices and counts reconstruct the input', () => {
    const r = rng(3);
    const x = tensor(Array.from({ length: 60 }, () => Math.floor(r() * 8) - 4), { shape: [6, 10] });
    const u = unique(x, { returnInverse: true, returnCounts: true }) as UniqueResult;
    const back = take(u.values, u.inverseIndices!);
    expect(back.toArray()).toEqual(x.toArray());
    const counts = nums(u.counts!);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60);
    const flat = nums(x);
    nums(u.values).forEach((v, i) => expect(flat.filter((w) => w === v).length).toBe(counts[i]));
    const vs = nums(u.values);
    for (let i = 1; i < vs.length; i++) expect(vs[i - 1]! < vs[i]!).toBe(true);
  });

  it('unique slices along a dim reconstruct the input with indexSelect', () => {
    const x = tensor([[1, 0, 1, 2], [5, 4, 5, 5]]);
    const u = unique(x, { dim: 1, returnInverse: true, returnCounts: true }) as UniqueResult;
    expect(u.values.toArray()).toEqual([[0, 1, 2], [4, 5, 5]]);
    expect(u.counts!.toArray()).toEqual([1, 2, 1]);
    expect(indexSelect(u.values, 1, u.inverseIndices!).toArray()).toEqual(x.toArray());
  });

  it('a plain call returns a Tensor', () => {
    const u = unique(tensor([3, 1, 3]));
    expect(u.toArray()).toEqual([1, 3]);
  });
});

describe('large kernels and bounds', () => {
  it('indexSelect on contiguous blocks matches gather', () => {
    const r = rng(4);
    const x = tensor(Float32Array.from({ length: 300 * 257 }, () => r()), { shape: [300, 257] });
    const idx = long(Array.from({ length: 500 }, () => Math.floor(r() * 300) - 150));
    const a = indexSelect(x, 0, idx);
    const g = gather(x, 0, idx._view([500, 1], [1, 0], 0)._view([500, 257], [1, 0], 0).contiguous());
    expect(nums(a)).toEqual(nums(g));
  });

  it('an out-of-range index deep inside a large parallel gather is an error, not a crash', () => {
    const n = 100_000;
    const x = zeros([n]);
    const idx = Array.from({ length: n }, (_, i) => i);
    idx[n - 3] = n;
    expect(() => gather(x, 0, long(idx))).toThrow(/gather: index 100000 is out of bounds for dimension 0 with size 100000/);
    expect(() => take(x, long([2 ** 40]))).toThrow(/take: index 1099511627776 is out of bounds/);
    expect(() => scatterAdd(x, 0, long([-(2 ** 40)]), tensor([1], { dtype: 'float32' }))).toThrow(/scatterAdd: index -1099511627776 is out of bounds/);
  });

  it('maskedSelect agrees with the coordinates nonzero returns', () => {
    const r = rng(5);
    const x = tensor(Float64Array.from({ length: 4 * 5 * 6 }, () => r()), { shape: [4, 5, 6] });
    const mask = tensor(Array.from({ length: 4 * 5 * 6 }, () => r() < 0.3))._view([4, 5, 6], [30, 6, 1], 0);
    const sel = nums(maskedSelect(x, mask));
    const [i, j, k] = nonzero(mask, { asTuple: true });
    const flat = nums(i!).map((a, n) => a * 30 + nums(j!)[n]! * 6 + nums(k!)[n]!);
    expect(take(x, long(flat)).toArray()).toEqual(sel);
  });

  it('searchsorted can return int32', () => {
    const out = searchsorted(tensor([1, 2, 3]), tensor([2.5, 0]), { outInt32: true });
    expect(out.dtype).toBe('int32');
    expect(out.toArray()).toEqual([2, 0]);
  });

  it('topk agrees with sort for small and large k over long rows', () => {
    const r = rng(6);
    const x = tensor(Float64Array.from({ length: 3 * 1000 }, () => Math.floor(r() * 50)), { shape: [3, 1000] });
    const full = sort(x, 1, { descending: true });
    for (const k of [1, 7, 600, 1000]) {
      const t = topk(x, k, 1);
      const want = (m: Tensor): number[][] => (m.toArray() as number[][]).map((row) => row.slice(0, k));
      expect(t.values.toArray()).toEqual(want(full.values));
      expect(t.indices.toArray()).toEqual(want(full.indices));
    }
  });

  it('searchsorted over many values (parallel) matches a linear scan', () => {
    const r = rng(7);
    const seq = Float64Array.from({ length: 300 }, () => Math.floor(r() * 100)).sort();
    const vals = Float64Array.from({ length: 50_000 }, () => r() * 110 - 5);
    const got = nums(searchsorted(tensor(seq), tensor(vals), { side: 'right' }));
    let bad = 0;
    vals.forEach((v, i) => {
      let pos = 0;
      while (pos < seq.length && seq[pos]! <= v) pos++;
      if (got[i] !== pos) bad++;
    });
    expect(bad).toBe(0);
  });

  it('scatter reductions on float16 compute in float32', () => {
    const x = zeros([2], { dtype: 'float16' });
    const out = scatterAdd(x, 0, long([0, 0, 1]), tensor([0.5, 0.25, 2], { dtype: 'float16' }));
    expect(out.dtype).toBe('float16');
    expect(out.toArray()).toEqual([0.75, 2]);
  });
});
