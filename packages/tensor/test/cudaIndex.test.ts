// The CUDA index, scatter, mask, sort and triangle kernels against their CPU twins: every op runs
// on the same inputs on both devices and must agree (bit for bit where the CPU result is exact:
// gathers, sorts, selections, deterministic scatter reductions), over small and multi-block
// sizes, strided inputs, every dtype the CPU takes, duplicates, ties, NaN, empty tensors and
// out-of-range indices (which must throw the CPU's message). Runs only where a GPU is present.
import { describe, expect, it } from 'vitest';
import {
  argsort, cat, cuda, diagonalScatter, embeddingBackward, gather, indexAdd, indexAdd_, indexCopy, indexFill, indexSelect, kthvalue,
  maskedFill, maskedFill_, maskedSelect, median, nonzero, oneHot, randn, scatter, scatter_, scatterAdd, scatterReduce,
  searchsorted, selectScatter, sliceScatter, sort, stack, take, takeAlongDim, tensor, topk, tril, tril_, triu, triu_, unique,
  vstack, type DType, type Tensor,
  type UniqueResult,
} from '../src/index.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) console.log('cudaIndex.test: no usable CUDA device; the CUDA-vs-CPU index, scatter, mask, sort and triangle comparisons are skipped');

const ALL: DType[] = ['float32', 'float64', 'int32', 'int64', 'bool', 'uint8', 'float16', 'bfloat16'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Values with many ties (small integers), in dtype, shape given. */
function values(shape: number[], dtype: DType, seed = 1, spread = 7): Tensor {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, () => Math.floor(r() * spread) - (dtype === 'uint8' || dtype === 'bool' ? 0 : 3));
  const t = tensor(v, { dtype: 'float64' }).reshape(...shape);
  return t.to(dtype);
}

function indices(shape: number[], high: number, seed = 2, dtype: DType = 'int64'): Tensor {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => Math.floor(r() * high)), { dtype }).reshape(...shape);
}

/** The same tensor on cuda:0 with the same strides and offset. */
function dev(x: Tensor): Tensor {
  return x.cuda();
}

function flat(t: Tensor): number[] {
  return Array.from(t.cpu().to('float64').data() as Float64Array);
}

/** got (on cuda:0) equals want (on the CPU): device, shape, dtype and every element (NaN == NaN). */
function same(got: Tensor, want: Tensor, what: string, tol = 0): void {
  expect(got.device, `${what}: device`).toBe('cuda:0');
  expect([...got.shape], `${what}: shape`).toEqual([...want.shape]);
  expect(got.dtype, `${what}: dtype`).toBe(want.dtype);
  const g = flat(got);
  const w = flat(want);
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!;
    const b = w[i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    if (tol > 0 && Math.abs(a - b) <= tol * (1 + Math.abs(b))) continue;
    expect.fail(`${what}: element ${i}: cuda ${a}, cpu ${b}`);
  }
}

/** The same error on both devices (the CPU's message). */
function sameError(f: (x: (t: Tensor) => Tensor) => unknown, what: string): void {
  let cpuMsg = '';
  try {
    f((t) => t);
  } catch (e) {
    cpuMsg = (e as Error).message;
  }
  expect(cpuMsg, `${what}: the CPU throws`).not.toBe('');
  expect(() => f(dev), what).toThrow(cpuMsg);
}

describe.skipIf(!hasGpu)('CUDA gather, indexSelect, takeAlongDim, take', () => {
  it('match the CPU for every dtype, small and multi-block, strided inputs and int32 indices', () => {
    for (const dtype of ALL) {
      const x = values([37, 29], dtype, 3, 50);
      const xt = x.transpose(0, 1); // strided
      const i0 = indices([11, 29], 37, 4);
      const i1 = indices([37, 13], 29, 5, 'int32');
      same(gather(dev(x), 0, dev(i0)), gather(x, 0, i0), `gather dim 0 ${dtype}`);
      same(gather(dev(x), 1, dev(i1)), gather(x, 1, i1), `gather dim 1 ${dtype}`);
      same(gather(dev(xt), 1, dev(i0.transpose(0, 1))), gather(xt, 1, i0.transpose(0, 1)), `gather strided ${dtype}`);
      const v = indices([50], 29, 6);
      same(indexSelect(dev(x), 1, dev(v)), indexSelect(x, 1, v), `indexSelect ${dtype}`);
      same(indexSelect(dev(xt), 0, dev(v)), indexSelect(xt, 0, v), `indexSelect strided ${dtype}`);
      const ta = indices([37, 5], 29, 7);
      same(takeAlongDim(dev(x), dev(ta), 1), takeAlongDim(x, ta, 1), `takeAlongDim ${dtype}`);
      const tk = tensor([0, -1, 5, -37 * 29, 100], { dtype: 'int64' });
      same(take(dev(xt), dev(tk)), take(xt, tk), `take ${dtype}`);
    }
    const big = randn([3000, 257]);
    const bi = indices([5000], 3000, 8);
    same(indexSelect(dev(big), 0, dev(bi)), indexSelect(big, 0, bi), 'indexSelect large');
    const gi = indices([3000, 300], 257, 9);
    same(gather(dev(big), 1, dev(gi)), gather(big, 1, gi), 'gather large');
    same(take(dev(big), dev(gi)), take(big, gi), 'take large');
    const e = indices([0, 4], 5, 1);
    same(gather(dev(randn([3, 4])), 0, dev(e)), gather(randn([3, 4]), 0, e), 'gather empty');
  });

  it('throws the CPU message for an out-of-range index (negative indices count from the end)', () => {
    const x = randn([4, 5]);
    sameError((d) => gather(d(x), 1, d(tensor([[0, 7]], { dtype: 'int64' }))), 'gather');
    sameError((d) => indexSelect(d(x), 0, d(tensor([1, -5], { dtype: 'int64' }))), 'indexSelect');
    sameError((d) => take(d(x), d(tensor([3, 20], { dtype: 'int32' }))), 'take');
    sameError((d) => takeAlongDim(d(x), d(tensor([[9], [0], [0], [0]], { dtype: 'int64' })), 1), 'takeAlongDim');
    const g = dev(x);
    expect(gather(g, 1, dev(tensor([[-1, -5]], { dtype: 'int64' }))).cpu().toArray()).toEqual(gather(x, 1, tensor([[-1, -5]], { dtype: 'int64' })).toArray());
  });
});

describe.skipIf(!hasGpu)('CUDA scatter family', () => {
  it('scatter, scatterAdd, scatterReduce match the CPU with duplicates, every mode, includeSelf both ways', () => {
    for (const dtype of ['float32', 'float64', 'int32', 'int64', 'uint8'] as DType[]) {
      const x = values([9, 12], dtype, 11, 9);
      const idx = indices([20, 12], 9, 12);
      const src = values([20, 12], dtype, 13, 9);
      same(scatter(dev(x), 0, dev(idx), dev(src)), scatter(x, 0, idx, src), `scatter ${dtype}`);
      same(scatter(dev(x), 0, dev(idx), 2), scatter(x, 0, idx, 2), `scatter number ${dtype}`);
      same(scatterAdd(dev(x), 0, dev(idx), dev(src)), scatterAdd(x, 0, idx, src), `scatterAdd ${dtype}`);
      const idx1 = indices([9, 30], 12, 14, 'int32');
      const src1 = values([9, 30], dtype, 15, 9);
      for (const reduce of ['sum', 'prod', 'mean', 'amax', 'amin'] as const) {
        for (const includeSelf of [true, false]) {
          same(
            scatterReduce(dev(x), 1, dev(idx1), dev(src1), reduce, { includeSelf }),
            scatterReduce(x, 1, idx1, src1, reduce, { includeSelf }),
            `scatterReduce ${reduce} includeSelf=${includeSelf} ${dtype}`,
            dtype.startsWith('float') ? 1e-6 : 0,
          );
        }
      }
    }
    for (const dtype of ['bool', 'float16', 'bfloat16'] as DType[]) {
      const x = values([6, 7], dtype, 16);
      const idx = indices([10, 7], 6, 17);
      const src = values([10, 7], dtype, 18);
      same(scatter(dev(x), 0, dev(idx), dev(src)), scatter(x, 0, idx, src), `scatter ${dtype}`);
      if (dtype !== 'bool') same(scatterAdd(dev(x), 0, dev(idx), dev(src)), scatterAdd(x, 0, idx, src), `scatterAdd ${dtype}`, 1e-2);
    }
    // NaN in amax/amin propagates as on the CPU.
    const xn = tensor([0, 0, 0]);
    const sn = tensor([1, NaN, 3, 4]);
    const iN = tensor([0, 0, 1, 2], { dtype: 'int64' });
    same(scatterReduce(dev(xn), 0, dev(iN), dev(sn), 'amax'), scatterReduce(xn, 0, iN, sn, 'amax'), 'amax NaN');
    same(scatterReduce(dev(xn), 0, dev(iN), dev(sn), 'amin', { includeSelf: false }), scatterReduce(xn, 0, iN, sn, 'amin', { includeSelf: false }), 'amin NaN');
  });

  it('large scatterAdd / indexAdd are deterministic (run to run identical) and equal to the CPU', () => {
    const n = 200_000;
    const src = randn([n, 3]);
    const idx = indices([n, 3], 1000, 21);
    const x = randn([1000, 3]);
    const a = scatterAdd(dev(x), 0, dev(idx), dev(src));
    const b = scatterAdd(dev(x), 0, dev(idx), dev(src));
    expect(flat(a)).toEqual(flat(b));
    same(a, scatterAdd(x, 0, idx, src), 'scatterAdd large', 1e-6);
    const src1 = randn([n]);
    const idx1 = indices([n], 50, 22);
    const x1 = randn([50]);
    const c = scatterAdd(dev(x1), 0, dev(idx1), dev(src1));
    expect(flat(c)).toEqual(flat(scatterAdd(dev(x1), 0, dev(idx1), dev(src1))));
    same(c, scatterAdd(x1, 0, idx1, src1), 'scatterAdd 1-d large', 1e-6);
    const rows = randn([30_000, 64]);
    const ri = indices([30_000], 100, 23);
    const base = randn([100, 64]);
    const d1 = indexAdd(dev(base), 0, dev(ri), dev(rows), { alpha: 0.5 });
    expect(flat(d1)).toEqual(flat(indexAdd(dev(base), 0, dev(ri), dev(rows), { alpha: 0.5 })));
    same(d1, indexAdd(base, 0, ri, rows, { alpha: 0.5 }), 'indexAdd large', 1e-6);
  });

  it('indexAdd, indexCopy, indexFill and the in-place forms match the CPU (strided self and index)', () => {
    for (const dtype of ['float32', 'float64', 'int64', 'int32'] as DType[]) {
      const x = values([8, 6], dtype, 31, 9);
      const xt = x.transpose(0, 1).contiguous().transpose(0, 1); // column-major storage
      const i = tensor([3, 0, 3, 7, 1], { dtype: 'int64' });
      const src = values([5, 6], dtype, 32, 9);
      same(indexAdd(dev(xt), 0, dev(i), dev(src), { alpha: 2 }), indexAdd(xt, 0, i, src, { alpha: 2 }), `indexAdd ${dtype}`);
      same(indexCopy(dev(x), 0, dev(i), dev(src)), indexCopy(x, 0, i, src), `indexCopy ${dtype}`);
      same(indexFill(dev(x), 1, dev(tensor([5, 0, 5], { dtype: 'int32' })), 7), indexFill(x, 1, tensor([5, 0, 5], { dtype: 'int32' }), 7), `indexFill ${dtype}`);
      const want = indexAdd(x, 1, tensor([1, 1, 2], { dtype: 'int64' }), values([8, 3], dtype, 33));
      const g = dev(x);
      indexAdd_(g, 1, dev(tensor([1, 1, 2], { dtype: 'int64' })), dev(values([8, 3], dtype, 33)));
      same(g, want, `indexAdd_ ${dtype}`);
    }
    const g = dev(tensor([[1, 2], [3, 4]]));
    scatter_(g, 1, dev(tensor([[1], [0]], { dtype: 'int64' })), 9);
    expect(g.cpu().toArray()).toEqual([[1, 9], [9, 4]]);
  });

  it('validates every index before writing (self unchanged) with the CPU message', () => {
    const x = randn([4, 3]);
    sameError((d) => scatter(d(x), 0, d(tensor([[0, 4, 1]], { dtype: 'int64' })), d(randn([1, 3]))), 'scatter');
    sameError((d) => indexAdd(d(x), 0, d(tensor([0, -9], { dtype: 'int64' })), d(randn([2, 3]))), 'indexAdd');
    const g = dev(x);
    expect(() => scatter_(g, 0, dev(tensor([[1, 2, 5]], { dtype: 'int64' })), 1)).toThrow(/out of bounds/);
    same(g, x, 'self unchanged');
  });
});

describe.skipIf(!hasGpu)('CUDA masks and nonzero', () => {
  it('maskedFill, maskedSelect, nonzero match the CPU (broadcast masks, strided, every dtype)', () => {
    for (const dtype of ALL) {
      const x = values([33, 17], dtype, 41);
      const m = values([33, 17], 'bool', 42, 2);
      const row = values([17], 'bool', 43, 2);
      same(maskedFill(dev(x), dev(m), 1), maskedFill(x, m, 1), `maskedFill ${dtype}`);
      same(maskedFill(dev(x.transpose(0, 1)), dev(row.reshape(17, 1)), 0), maskedFill(x.transpose(0, 1), row.reshape(17, 1), 0), `maskedFill broadcast ${dtype}`);
      same(maskedSelect(dev(x), dev(m)), maskedSelect(x, m), `maskedSelect ${dtype}`);
      same(maskedSelect(dev(x.transpose(0, 1)), dev(row.reshape(17, 1))), maskedSelect(x.transpose(0, 1), row.reshape(17, 1)), `maskedSelect broadcast ${dtype}`);
      same(nonzero(dev(x)), nonzero(x), `nonzero ${dtype}`);
      same(nonzero(dev(x.transpose(0, 1))), nonzero(x.transpose(0, 1)), `nonzero strided ${dtype}`);
      const g = dev(x);
      maskedFill_(g, dev(m), 5);
      same(g, maskedFill(x, m, 5), `maskedFill_ ${dtype}`);
    }
    const big = randn([1000, 1003]);
    const bm = big.gt(0.3);
    same(maskedSelect(dev(big), dev(bm)), maskedSelect(big, bm), 'maskedSelect large');
    same(nonzero(dev(bm)), nonzero(bm), 'nonzero large');
    const special = tensor([0, -0, NaN, 1, 0]);
    same(nonzero(dev(special)), nonzero(special), 'nonzero NaN and -0');
    same(nonzero(dev(tensor(3))), nonzero(tensor(3)), 'nonzero 0-d');
    same(nonzero(dev(tensor([0, 0]))), nonzero(tensor([0, 0])), 'nonzero none');
    same(maskedSelect(dev(randn([0, 3])), dev(tensor([true, false, true]))), maskedSelect(randn([0, 3]), tensor([true, false, true])), 'maskedSelect empty');
    const tup = nonzero(dev(bm), { asTuple: true });
    const want = nonzero(bm, { asTuple: true });
    for (let k = 0; k < 2; k++) same(tup[k]!, want[k]!, `nonzero asTuple ${k}`);
  });

  it('oneHot matches the CPU and rejects bad classes the same way', () => {
    const i = indices([7, 5], 6, 51);
    same(oneHot(dev(i)), oneHot(i), 'oneHot');
    same(oneHot(dev(i.transpose(0, 1)), 9), oneHot(i.transpose(0, 1), 9), 'oneHot strided numClasses');
    same(oneHot(dev(i.to('int32'))), oneHot(i.to('int32')), 'oneHot int32');
    same(oneHot(dev(tensor([], { dtype: 'int64' })), 3), oneHot(tensor([], { dtype: 'int64' }), 3), 'oneHot empty');
    sameError((d) => oneHot(d(tensor([1, -1], { dtype: 'int64' }))), 'oneHot negative');
    sameError((d) => oneHot(d(tensor([1, 4], { dtype: 'int64' })), 3), 'oneHot too large');
    sameError((d) => oneHot(d(tensor([], { dtype: 'int64' }))), 'oneHot empty infer');
  });
});

describe.skipIf(!hasGpu)('CUDA sort, topk, kthvalue, median', () => {
  it('sort and argsort match the CPU: every dtype, both directions, every dim, ties stable, NaN', () => {
    for (const dtype of ALL) {
      const x = values([13, 21, 5], dtype, 61);
      for (const dim of [0, 1, 2]) {
        for (const descending of [false, true]) {
          const g = sort(dev(x), dim, { descending });
          const c = sort(x, dim, { descending });
          same(g.values, c.values, `sort values ${dtype} dim ${dim} desc ${descending}`);
          same(g.indices, c.indices, `sort indices ${dtype} dim ${dim} desc ${descending}`);
        }
      }
      same(argsort(dev(x.transpose(0, 2)), 1), argsort(x.transpose(0, 2), 1), `argsort strided ${dtype}`);
    }
    const special = tensor([3, NaN, -0, 0, -Infinity, NaN, Infinity, 1, -0]);
    for (const descending of [false, true]) {
      const g = sort(dev(special), 0, { descending });
      const c = sort(special, 0, { descending });
      same(g.values, c.values, `sort NaN values desc ${descending}`);
      same(g.indices, c.indices, `sort NaN indices desc ${descending}`);
    }
    same(sort(dev(special.to('float16'))).indices, sort(special.to('float16')).indices, 'sort NaN float16');
    same(sort(dev(special.to('bfloat16'))).indices, sort(special.to('bfloat16')).indices, 'sort NaN bfloat16');
  });

  it('sorts long rows (global merge stages) and many short rows like the CPU', () => {
    for (const [shape, dim] of [[[3, 5000], 1], [[100_003], 0], [[40_000, 3], 0], [[20_000, 7], 1], [[2, 2048], 1], [[2049], 0]] as [number[], number][]) {
      for (const dtype of ['float32', 'int64', 'float64'] as DType[]) {
        const x = values(shape, dtype, 71, 1000);
        for (const descending of [false, true]) {
          const g = sort(dev(x), dim, { descending });
          const c = sort(x, dim, { descending });
          same(g.values, c.values, `sort ${shape} ${dtype} desc ${descending}`);
          same(g.indices, c.indices, `sort indices ${shape} ${dtype} desc ${descending}`);
        }
      }
    }
    const e = randn([0, 4]);
    same(sort(dev(e), 1).values, sort(e, 1).values, 'sort empty');
  });

  it('topk, kthvalue and median match the CPU (ties by index, NaN)', () => {
    for (const dtype of ['float32', 'float64', 'int32', 'int64', 'uint8', 'float16', 'bfloat16'] as DType[]) {
      const x = values([17, 40], dtype, 81);
      for (const largest of [true, false]) {
        const g = topk(dev(x), 6, 1, { largest });
        const c = topk(x, 6, 1, { largest });
        same(g.values, c.values, `topk values ${dtype} largest ${largest}`);
        same(g.indices, c.indices, `topk indices ${dtype} largest ${largest}`);
      }
      const g0 = topk(dev(x), 3, 0);
      same(g0.indices, topk(x, 3, 0).indices, `topk dim 0 ${dtype}`);
      for (const k of [1, 7, 17]) {
        const gk = kthvalue(dev(x), k, 0, { keepdim: k === 7 });
        const ck = kthvalue(x, k, 0, { keepdim: k === 7 });
        same(gk.values, ck.values, `kthvalue ${k} ${dtype}`);
        same(gk.indices, ck.indices, `kthvalue indices ${k} ${dtype}`);
      }
      const gm = median(dev(x), 1);
      same(gm.values, median(x, 1).values, `median values ${dtype}`);
      same(gm.indices, median(x, 1).indices, `median indices ${dtype}`);
      same(median(dev(x)), median(x), `median all ${dtype}`);
    }
    const n = tensor([[1, NaN, 3, NaN], [4, 2, 2, 9]]);
    same(median(dev(n), 1).indices, median(n, 1).indices, 'median NaN');
    same(kthvalue(dev(n), 4, 1).indices, kthvalue(n, 4, 1).indices, 'kthvalue NaN');
    same(topk(dev(n), 2).indices, topk(n, 2).indices, 'topk NaN');
    const big = values([4, 30_000], 'float32', 82, 100);
    same(topk(dev(big), 50).indices, topk(big, 50).indices, 'topk long rows');
    sameError((d) => kthvalue(d(randn([3, 4])), 5, 1), 'kthvalue range');
  });
});

describe.skipIf(!hasGpu)('CUDA unique and searchsorted', () => {
  const full = (r: Tensor | UniqueResult): UniqueResult => (r instanceof Object && 'values' in r ? (r as UniqueResult) : { values: r as Tensor });

  it('unique (flat and by dim) matches the CPU with inverse and counts, NaN and -0', () => {
    for (const dtype of ALL) {
      const x = values([30, 7], dtype, 91, 12);
      const g = full(unique(dev(x), { returnInverse: true, returnCounts: true }));
      const c = full(unique(x, { returnInverse: true, returnCounts: true }));
      same(g.values, c.values, `unique values ${dtype}`);
      same(g.inverseIndices!, c.inverseIndices!, `unique inverse ${dtype}`);
      same(g.counts!, c.counts!, `unique counts ${dtype}`);
      same(unique(dev(x.transpose(0, 1))) as Tensor, unique(x.transpose(0, 1)) as Tensor, `unique strided ${dtype}`);
      const r = values([40, 3], dtype, 92, 2);
      for (const dim of [0, 1]) {
        const gd = full(unique(dev(r), { dim, returnInverse: true, returnCounts: true }));
        const cd = full(unique(r, { dim, returnInverse: true, returnCounts: true }));
        same(gd.values, cd.values, `unique dim ${dim} ${dtype}`);
        same(gd.inverseIndices!, cd.inverseIndices!, `unique dim ${dim} inverse ${dtype}`);
        same(gd.counts!, cd.counts!, `unique dim ${dim} counts ${dtype}`);
      }
    }
    const s = tensor([NaN, 0, -0, 1, NaN, 1]);
    const gs = full(unique(dev(s), { returnInverse: true, returnCounts: true }));
    const cs = full(unique(s, { returnInverse: true, returnCounts: true }));
    same(gs.values, cs.values, 'unique NaN values');
    same(gs.inverseIndices!, cs.inverseIndices!, 'unique NaN inverse');
    same(gs.counts!, cs.counts!, 'unique NaN counts');
    const big = values([300_000], 'int64', 93, 5000);
    const gb = full(unique(dev(big), { returnInverse: true, returnCounts: true }));
    const cb = full(unique(big, { returnInverse: true, returnCounts: true }));
    same(gb.values, cb.values, 'unique large');
    same(gb.inverseIndices!, cb.inverseIndices!, 'unique large inverse');
    same(gb.counts!, cb.counts!, 'unique large counts');
    const e = tensor([], { dtype: 'float32' });
    same(full(unique(dev(e), { returnCounts: true })).counts!, full(unique(e, { returnCounts: true })).counts!, 'unique empty');
  });

  it('searchsorted matches the CPU: left/right, batched, sorter, int32 output, numbers, NaN', () => {
    for (const dtype of ['float32', 'float64', 'int32', 'int64', 'uint8', 'float16', 'bfloat16'] as DType[]) {
      const seq = sort(values([50], dtype, 101, 20)).values;
      const v = values([4, 9], dtype, 102, 24);
      for (const right of [false, true]) {
        same(searchsorted(dev(seq), dev(v), { right }), searchsorted(seq, v, { right }), `searchsorted ${dtype} right ${right}`);
      }
      const bseq = sort(values([4, 30], dtype, 103, 20), 1).values;
      same(searchsorted(dev(bseq), dev(v), { side: 'right' }), searchsorted(bseq, v, { side: 'right' }), `searchsorted batched ${dtype}`);
      same(searchsorted(dev(bseq.transpose(0, 1).contiguous().transpose(0, 1)), dev(v), { outInt32: true }),
        searchsorted(bseq, v, { outInt32: true }), `searchsorted strided int32 ${dtype}`);
    }
    const unsorted = tensor([5, 1, 4, 2, NaN, 3]);
    const sorter = argsort(unsorted);
    const q = tensor([0, 2.5, 5, NaN, 10]);
    same(searchsorted(dev(unsorted), dev(q), { sorter: dev(sorter) }), searchsorted(unsorted, q, { sorter }), 'searchsorted sorter NaN');
    same(searchsorted(dev(tensor([1, 2, 3])), 2, { right: true }), searchsorted(tensor([1, 2, 3]), 2, { right: true }), 'searchsorted number');
    const big = sort(randn([100_000])).values;
    const bq = randn([70_000]);
    same(searchsorted(dev(big), dev(bq)), searchsorted(big, bq), 'searchsorted large');
  });
});

describe.skipIf(!hasGpu)('CUDA tril/triu and embedding backward', () => {
  it('tril and triu match the CPU for every dtype and diagonal, batched, strided and in place', () => {
    for (const dtype of ALL) {
      const x = values([3, 6, 9], dtype, 111, 5);
      for (const k of [-7, -2, 0, 1, 4, 20]) {
        same(tril(dev(x), k), tril(x, k), `tril ${k} ${dtype}`);
        same(triu(dev(x), k), triu(x, k), `triu ${k} ${dtype}`);
      }
      same(tril(dev(x.transpose(1, 2))), tril(x.transpose(1, 2)), `tril strided ${dtype}`);
      const g = dev(x);
      triu_(g, 1);
      same(g, triu(x, 1), `triu_ ${dtype}`);
      const h = dev(x.transpose(1, 2).contiguous()).transpose(1, 2);
      tril_(h, -1);
      same(h, tril(x, -1), `tril_ strided ${dtype}`);
    }
    const big = randn([700, 900]);
    same(triu(dev(big), 3), triu(big, 3), 'triu large');
  });

  it('embeddingBackward matches the CPU (duplicates, paddingIdx, scaleGradByFreq) and is deterministic', () => {
    for (const dtype of ['float32', 'float64', 'float16'] as DType[]) {
      const idx = indices([40, 3], 17, 121);
      const grad = randn([40, 3, 8]).to(dtype);
      for (const opts of [{}, { paddingIdx: 2 }, { scaleGradByFreq: true }, { paddingIdx: -1, scaleGradByFreq: true }]) {
        same(embeddingBackward(dev(grad), dev(idx), 17, opts), embeddingBackward(grad, idx, 17, opts), `embeddingBackward ${dtype} ${JSON.stringify(opts)}`, dtype === 'float16' ? 1e-3 : 1e-6);
      }
    }
    const idx = indices([100_000], 300, 122);
    const grad = randn([100_000, 32]);
    const a = embeddingBackward(dev(grad), dev(idx), 300);
    expect(flat(a)).toEqual(flat(embeddingBackward(dev(grad), dev(idx), 300)));
    same(a, embeddingBackward(grad, idx, 300), 'embeddingBackward large', 1e-6);
    sameError((d) => embeddingBackward(d(randn([2, 4])), d(tensor([1, 9], { dtype: 'int64' })), 5), 'embeddingBackward range');
  });
});

describe.skipIf(!hasGpu)('CUDA joins and view scatters', () => {
  it('cat, stack, vstack and the view scatters build their outputs on the device like the CPU', () => {
    for (const dtype of ['float32', 'int64', 'bool', 'float16'] as DType[]) {
      const a = values([3, 4], dtype, 131);
      const b = values([2, 4], dtype, 132);
      same(cat([dev(a), dev(b)]), cat([a, b]), `cat ${dtype}`);
      same(cat([dev(a.transpose(0, 1)), dev(b.transpose(0, 1))], 1), cat([a.transpose(0, 1), b.transpose(0, 1)], 1), `cat dim 1 ${dtype}`);
      same(stack([dev(a), dev(a)], 1), stack([a, a], 1), `stack ${dtype}`);
      same(vstack([dev(b), dev(a)]), vstack([b, a]), `vstack ${dtype}`);
      const row = values([4], dtype, 133);
      same(selectScatter(dev(a), dev(row), 0, 1), selectScatter(a, row, 0, 1), `selectScatter ${dtype}`);
      same(sliceScatter(dev(a), dev(b), 0, 1, 3), sliceScatter(a, b, 0, 1, 3), `sliceScatter ${dtype}`);
      const diag = values([3], dtype, 134);
      same(diagonalScatter(dev(a), dev(diag)), diagonalScatter(a, diag), `diagonalScatter ${dtype}`);
    }
  });
});
