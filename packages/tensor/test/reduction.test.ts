/** Behaviour of the reduction family that the op table cannot express. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  amax, argmax, cumsum, full, getNumThreads, logSoftmax, max, mean, ones, setNumThreads, softmax, sum, tensor,
  varMean, type Tensor,
} from '../src/index.js';
import { makeRng } from './optable/ref.js';

const nums = (t: Tensor): number[] =>
  t.dtype === 'float16' || t.dtype === 'bfloat16'
    ? [t.toArray()].flat(Infinity as 1).map(Number)
    : Array.from(t.data() as ArrayLike<number | bigint>, Number);

function randomF32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = makeRng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng();
  return a;
}

describe('float32 accuracy', () => {
  it('ones(1e7).sum() is exactly 1e7', () => {
    expect(ones([1e7]).sum().item()).toBe(1e7);
    expect(ones([1e7]).mean().item()).toBe(1);
  });

  it('sums 1..n exactly to float32 rounding', () => {
    const n = 1 << 22;
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = i + 1;
    expect(tensor(a).sum().item()).toBe(Math.fround((n * (n + 1)) / 2));
  });

  it('mean of a large constant array is accurate', () => {
    const m = full([5_000_000], 0.1).mean().item() as number;
    expect(Math.abs(m - Math.fround(0.1))).toBeLessThan(1e-8);
  });

  it('long rows and long columns sum exactly', () => {
    expect(nums(ones([3, 1_000_000]).sum(1))).toEqual([1e6, 1e6, 1e6]);
    expect(nums(ones([1_000_000, 9]).sum(0))).toEqual(new Array(9).fill(1e6));
    expect(nums(ones([1_000_000, 2]).sum(0))).toEqual([1e6, 1e6]);
  });

  it('variance does not cancel catastrophically around a large mean', () => {
    const n = 100_000;
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = 10000 + (i % 2 === 0 ? 1 : -1);
    const [v, m] = varMean(tensor(a), { correction: 0 });
    expect(m.item()).toBe(10000);
    expect(v.item()).toBeCloseTo(1, 6);
  });

  it('reads broadcast (stride 0) inputs', () => {
    const row = tensor([1, 2, 3], { dtype: 'float32' });
    const b = row._view([1000, 3], [0, 1], 0);
    expect(nums(b.sum(0))).toEqual([1000, 2000, 3000]);
    expect(b.sum().item()).toBe(6000);
    expect(nums(b.argmax(1))).toEqual(new Array(1000).fill(2));
  });
});

describe('softmax stability', () => {
  it('is finite and sums to 1 for huge logits', () => {
    for (const dim of [0, 1]) {
      const x = tensor([[1000, -1000], [-1000, 1000], [1000, 1000]], { dtype: 'float32' });
      const p = softmax(x, dim === 0 ? 1 : 0);
      const v = nums(p);
      expect(v.every(Number.isFinite)).toBe(true);
      const rows = nums(p.sum(dim === 0 ? 1 : 0));
      for (const s of rows) expect(s).toBeCloseTo(1, 6);
    }
    const lp = nums(logSoftmax(tensor([1000, -1000, 0], { dtype: 'float32' }), 0));
    expect(lp).toEqual([0, -2000, -1000]);
  });

  it('logSoftmax equals log(softmax) where representable', () => {
    const x = tensor(randomF32(6 * 50, 7, -5, 5), { shape: [6, 50] });
    for (const dim of [0, 1]) {
      const a = nums(logSoftmax(x, dim));
      const b = nums(softmax(x, dim)).map(Math.log);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i]!)));
    }
  });

  it('float32 softmax is accurate over the whole range of exp', () => {
    const n = 2000;
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = Math.fround(-87 + (87 * i) / (n - 1) + 0.001 * Math.sin(i));
    for (const shape of [[n], [n, 1]]) {
      const got = nums(softmax(tensor(a, { shape }), 0));
      const m = Math.max(...a);
      const s = a.reduce((acc, v) => acc + Math.exp(v - m), 0);
      for (let i = 0; i < n; i++) {
        const want = Math.exp(a[i]! - m) / s;
        // x - max is rounded to float32 first, as PyTorch does: relative error |x - max| * 2^-24 plus a few ulp
        const tol = (Math.abs(a[i]! - m) * 2 ** -24 + 4e-7) * want;
        expect(Math.abs(got[i]! - want), `element ${i}`).toBeLessThanOrEqual(tol);
      }
    }
  });

  it('computes float16 input in float32 and returns float16', () => {
    const x = tensor([[10000, 0, -10000]], { dtype: 'float16' });
    const p = softmax(x, 1);
    expect(p.dtype).toBe('float16');
    expect(p.toArray()).toEqual([[1, 0, 0]]);
    expect(x.sum().dtype).toBe('float16');
    expect(tensor([1000, 1000, 1000], { dtype: 'float16' }).mean().item()).toBe(1000);
  });
});

describe('permuted and strided views', () => {
  it('match the same ops on a contiguous copy', () => {
    const base = tensor(randomF32(37 * 50, 11, -3, 3), { shape: [37, 50] });
    const xt = base._view([50, 37], [1, 50], 0); // the transpose
    const xc = xt.contiguous();
    expect(xc.isContiguous() && !xt.isContiguous()).toBe(true);
    const ops: [string, (x: Tensor) => Tensor][] = [
      ['sum(0)', (x) => x.sum(0)],
      ['sum(1)', (x) => x.sum(1)],
      ['sum()', (x) => x.sum()],
      ['amax([0, 1])', (x) => x.amax([0, 1])],
      ['amin(0)', (x) => x.amin(0)],
      ['argmax()', (x) => x.argmax()],
      ['argmax(0)', (x) => x.argmax(0)],
      ['argmin(1)', (x) => x.argmin(1)],
      ['var(1)', (x) => x.var(1)],
      ['norm(3, 0)', (x) => x.norm(3, 0)],
      ['logsumexp(0)', (x) => x.logsumexp(0)],
      ['softmax(0)', (x) => softmax(x, 0)],
      ['softmax(1)', (x) => softmax(x, 1)],
      ['logSoftmax(0)', (x) => logSoftmax(x, 0)],
      ['cumsum(0)', (x) => cumsum(x, 0)],
      ['cumprod(1)', (x) => x.cumprod(1)],
    ];
    for (const [name, f] of ops) {
      const a = nums(f(xt));
      const b = nums(f(xc));
      expect(a.length, name).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `${name} [${i}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b[i]!)));
    }
  });
});

describe('float16 and bfloat16', () => {
  it('compute in float32 and keep the storage dtype', () => {
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const x = tensor([[1, -2, 3], [0.5, 8, -4]], { dtype });
      expect(x.max().item()).toBe(8);
      expect(x.max(1).values.dtype).toBe(dtype);
      expect(nums(x.max(1).values)).toEqual([3, 8]);
      expect(nums(x.argmin(1))).toEqual([1, 2]);
      expect(x.amax(0).dtype).toBe(dtype);
      expect(nums(x.cumsum(1))).toEqual([1, -1, 2, 0.5, 8.5, 4.5]);
      expect(x.var().dtype).toBe(dtype);
      expect(x.norm().dtype).toBe(dtype);
      expect(x.logsumexp(1).dtype).toBe(dtype);
      expect(x.prod().item()).toBe(96);
      expect(x.countNonzero().item()).toBe(6);
    }
  });
});

describe('NaN', () => {
  const x = tensor([[1, NaN, 3, NaN], [4, 5, 6, 2]], { dtype: 'float32' });
  it('max, min, amax and argmax propagate NaN as PyTorch', () => {
    expect(Number.isNaN(x.max().item())).toBe(true);
    expect(Number.isNaN(x.min().item())).toBe(true);
    expect(x.argmax().item()).toBe(1);
    expect(x.argmin().item()).toBe(1);
    const m = max(x, 1);
    expect(Number.isNaN(nums(m.values)[0]!)).toBe(true);
    expect(nums(m.values)[1]).toBe(6);
    expect(nums(m.indices)).toEqual([1, 2]);
    expect(nums(x.amin(1)).map(Number.isNaN)).toEqual([true, false]);
    expect(nums(amax(x, 0)).map(Number.isNaN)).toEqual([false, true, false, true]);
  });
  it('long rows: the first NaN is the argmax and the argmin', () => {
    const a = new Float32Array(100);
    for (let i = 0; i < 100; i++) a[i] = i % 7;
    a[40] = NaN;
    a[70] = NaN;
    const x = tensor(a, { shape: [1, 100] });
    expect(nums(x.argmax(1))).toEqual([40]);
    expect(nums(x.argmin(1))).toEqual([40]);
    expect(Number.isNaN(nums(x.max(1).values)[0]!)).toBe(true);
    expect(x.argmax().item()).toBe(40);
    a[40] = 6;
    a[70] = 0;
    const y = tensor(a, { shape: [1, 100] });
    expect(nums(y.argmax(1))).toEqual([6]);
    expect(nums(y.argmin(1))).toEqual([0]);
  });

  it('sum, mean and softmax rows with NaN are NaN, other rows are not', () => {
    expect(nums(x.sum(1)).map(Number.isNaN)).toEqual([true, false]);
    expect(nums(x.mean(1)).map(Number.isNaN)).toEqual([true, false]);
    expect(nums(softmax(x, 1)).map(Number.isNaN)).toEqual([true, true, true, true, false, false, false, false]);
    expect(x.countNonzero().item()).toBe(8);
  });
});

describe('threads', () => {
  const saved = getNumThreads();
  afterEach(() => setNumThreads(saved));

  function both<T>(f: () => T): [T, T] {
    setNumThreads(1);
    const one = f();
    setNumThreads(Math.max(saved, 4));
    return [one, f()];
  }

  it('large all-reductions split across threads match the single-chunk result', () => {
    const n = 1 << 21;
    const x = tensor(randomF32(n, 3), { shape: [n] });
    const xi = tensor(Int32Array.from(randomF32(n, 4, -1000, 1000), Math.round));
    const cases: [string, () => number[]][] = [
      ['sum', () => nums(sum(x))],
      ['mean', () => nums(mean(x))],
      ['var', () => nums(x.var())],
      ['norm', () => nums(x.norm())],
      ['logsumexp', () => nums(x.logsumexp())],
      ['int sum', () => nums(xi.sum())],
      ['amax', () => nums(x.amax())],
      ['argmax', () => nums(argmax(x))],
      ['argmin of ints (ties)', () => nums(xi.argmin())],
      ['strided sum', () => nums(x._view([n / 2], [2], 0).sum())],
    ];
    for (const [name, f] of cases) {
      const [a, b] = both(f);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), name).toBeLessThanOrEqual(1e-6 * Math.abs(a[i]!));
    }
    // integer-valued data: exact regardless of the split
    const [s1, s2] = both(() => nums(xi.sum()));
    expect(s1).toEqual(s2);
    const [c1, c2] = both(() => nums(ones([n]).sum()));
    expect(c1).toEqual([n]);
    expect(c2).toEqual([n]);
  });

  it('long columns split across threads match the single-chunk result', () => {
    const rows = 1 << 17;
    const x = tensor(randomF32(rows * 16, 9), { shape: [rows, 16] });
    const xi = tensor(Int32Array.from(randomF32(rows * 16, 10, -50, 50), Math.round), { shape: [rows, 16] });
    for (const [name, f] of [
      ['sum(0)', () => nums(x.sum(0))],
      ['var(0)', () => nums(x.var(0))],
      ['amin(0)', () => nums(x.amin(0))],
      ['argmax(0)', () => nums(x.argmax(0))],
      ['int argmin(0) with ties', () => nums(xi.argmin(0))],
      ['int sum(0)', () => nums(xi.sum(0))],
    ] as [string, () => number[]][]) {
      const [a, b] = both(f);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `${name} [${i}]`).toBeLessThanOrEqual(1e-6 * Math.abs(a[i]!));
    }
    const [o1, o2] = both(() => nums(ones([rows, 16]).sum(0)));
    expect(o1).toEqual(new Array(16).fill(rows));
    expect(o2).toEqual(new Array(16).fill(rows));
  });

  it('many-output reductions match across thread counts', () => {
    const x = tensor(randomF32(512 * 1024, 5), { shape: [512, 1024] });
    for (const f of [() => nums(x.sum(1)), () => nums(x.sum(0)), () => nums(x.argmax(0)), () => nums(softmax(x, 0)), () => nums(cumsum(x, 1))]) {
      const [a, b] = both(f);
      expect(a).toEqual(b);
    }
  });
});

describe('result dtypes', () => {
  it('integer and bool reductions give int64 as PyTorch', () => {
    const i32 = tensor([[1 << 30, 1 << 30], [1 << 30, 1 << 30]], { dtype: 'int32' });
    expect(i32.sum().dtype).toBe('int64');
    expect(i32.sum().item()).toBe(2 ** 32);
    expect(i32.prod(1).dtype).toBe('int64');
    expect(tensor([true, true, false]).sum().dtype).toBe('int64');
    expect(tensor([true, true, false]).sum().item()).toBe(2);
    expect(tensor([200, 100], { dtype: 'uint8' }).sum().item()).toBe(300);
    // int64 overflow wraps as in PyTorch
    expect(tensor(BigInt64Array.of(2n ** 62n, 2n ** 62n)).sum().item()).toBe(-(2 ** 63));
    expect(cumsum(i32, 0).dtype).toBe('int64');
    expect(nums(cumsum(i32, 0))).toEqual([2 ** 30, 2 ** 30, 2 ** 31, 2 ** 31]);
    expect(i32.argmax().dtype).toBe('int64');
    expect(i32.max(0).indices.dtype).toBe('int64');
    expect(i32.max(0).values.dtype).toBe('int32');
    expect(i32.countNonzero().dtype).toBe('int64');
    expect(tensor([1, 0], { dtype: 'float32' }).all().dtype).toBe('bool');
    expect(tensor([1, 0], { dtype: 'uint8' }).any().dtype).toBe('uint8');
  });

  it('dtype options cast before reducing', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    const m = i.mean({ dtype: 'float64' });
    expect(m.dtype).toBe('float64');
    expect(m.item()).toBe(1.5);
    expect(i.sum({ dtype: 'float32' }).dtype).toBe('float32');
    expect(i.cumsum(0, { dtype: 'float64' }).dtype).toBe('float64');
    expect(i.softmax(0, { dtype: 'float64' }).dtype).toBe('float64');
    expect(() => i.mean()).toThrow(/mean: could not infer the output dtype/);
  });

  it('empty reductions follow PyTorch', () => {
    const e = ones([0]);
    expect(e.sum().item()).toBe(0);
    expect(e.prod().item()).toBe(1);
    expect(Number.isNaN(e.mean().item())).toBe(true);
    expect(e.logsumexp().item()).toBe(-Infinity);
    expect(e.all().item()).toBe(true);
    expect(e.any().item()).toBe(false);
    expect(() => e.max()).toThrow(/max: cannot reduce over a zero-size dimension/);
    expect(() => e.argmax()).toThrow(/argmax: cannot reduce over a zero-size dimension/);
    expect(() => e.amin()).toThrow(/amin: cannot reduce over a zero-size dimension/);
  });

  it('shapes: keepdim, flat argmax keepdim, 0-d', () => {
    const x = ones([2, 3, 4]);
    expect(x.sum([0, 2], { keepdim: true }).shape).toEqual([1, 3, 1]);
    expect(x.argmax({ keepdim: true }).shape).toEqual([1, 1, 1]);
    expect(x.sum({ keepdim: true }).shape).toEqual([1, 1, 1]);
    const s = tensor(5, { dtype: 'float32' });
    expect(s.sum().shape).toEqual([]);
    expect(s.max(0).indices.item()).toBe(0);
    expect(s.softmax(0).item()).toBe(1);
    expect(s.cumsum(-1).item()).toBe(5);
  });
});
