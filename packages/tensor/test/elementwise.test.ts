/** Elementwise behaviour the op table cannot express. */
import { describe, expect, it } from 'vitest';
import {
  add, canCast, digamma, div, erf, erfinv, exp, fmod, lgamma, maximum, minimum, mul, polygamma, pow, remainder,
  installDispatchLayer, resultTypeOf, scalarTensor, setDefaultDType, sub, tensor, toTensor, where, type DType, type Tensor,
} from '../src/index.js';
import { refDigamma, refErf, refLgamma } from './optable/elementwise.js';

const t = (v: number[], dtype: DType = 'float32', shape?: number[]): Tensor => tensor(Float64Array.from(v), { dtype, shape: shape ?? [v.length] });
const vals = (x: Tensor): number[] => (x.toArray() as unknown[]).flat(8).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : Number(v)));

describe('type promotion', () => {
  const cases: [string, () => Tensor, DType][] = [
    ['int64 * 2.5 -> float32', () => t([1, 2], 'int64').mul(2.5), 'float32'],
    ['float32 + 1 stays float32', () => t([1, 2]).add(1), 'float32'],
    ['float16 + 2.5 stays float16', () => t([1, 2], 'float16').add(2.5), 'float16'],
    ['int32 + int64 -> int64', () => t([1], 'int32').add(t([1], 'int64')), 'int64'],
    ['int32 + 0-d int64 -> int32', () => t([1], 'int32').add(scalarTensor(3, 'int64')), 'int32'],
    ['int32 + 0-d float64 -> float64', () => t([1], 'int32').add(scalarTensor(3, 'float64')), 'float64'],
    ['float32 + 0-d float64 -> float32', () => t([1]).add(scalarTensor(3, 'float64')), 'float32'],
    ['float32 + float64 -> float64', () => t([1]).add(t([1], 'float64')), 'float64'],
    ['uint8 + int32 -> int32', () => t([1], 'uint8').add(t([1], 'int32')), 'int32'],
    ['uint8 + -1 stays uint8 (wraps)', () => t([0], 'uint8').add(-1), 'uint8'],
    ['bool + bool -> bool', () => t([1], 'bool').add(t([1], 'bool')), 'bool'],
    ['bool + 1 -> int64', () => t([1], 'bool').add(1), 'int64'],
    ['bool * 1.5 -> float32', () => t([1], 'bool').mul(1.5), 'float32'],
    ['float16 + bfloat16 -> float32', () => t([1], 'float16').add(t([1], 'bfloat16')), 'float32'],
    ['float16 + int64 -> float16', () => t([1], 'float16').add(t([1], 'int64')), 'float16'],
    ['int / int -> float32', () => t([3], 'int64').div(t([2], 'int64')), 'float32'],
    ['int // int stays int', () => t([3], 'int64').div(2, { roundingMode: 'floor' }), 'int64'],
    ['int ** int stays int', () => pow(t([3], 'int32'), 2), 'int32'],
    ['2 ** int tensor stays int', () => pow(2, t([3], 'int32')), 'int32'],
    ['int ** 0.5 -> float32', () => pow(t([4], 'int32'), 0.5), 'float32'],
    ['exp(int) -> float32', () => exp(t([1], 'int64')), 'float32'],
    ['exp(float64) stays float64', () => exp(t([1], 'float64')), 'float64'],
    ['int32 < float64 compares -> bool', () => t([1], 'int32').lt(t([1.5], 'float64')), 'bool'],
    ['where(float32, int64) -> float32', () => where(t([1], 'bool'), t([1]), t([2], 'int64')), 'float32'],
    ['where(int, 2.5) -> float32', () => where(t([1], 'bool'), t([1], 'int32'), 2.5), 'float32'],
    ['clamp(int, 0.5) -> float32', () => t([1], 'int64').clamp(0.5), 'float32'],
    ['clamp(int, 0, 1) stays int', () => t([3], 'int64').clamp(0, 1), 'int64'],
  ];
  for (const [name, f, want] of cases) it(name, () => expect(f().dtype).toBe(want));

  it('computes with the promoted type', () => {
    expect(vals(t([1, 2], 'int64').mul(2.5))).toEqual([2.5, 5]);
    expect(vals(t([0, 1], 'uint8').add(-1))).toEqual([255, 0]);
    expect(vals(t([1, 0, 1], 'bool').add(t([1, 0, 0], 'bool')))).toEqual([1, 0, 1]);
    expect(vals(t([1, 0, 1], 'bool').mul(t([1, 0, 0], 'bool')))).toEqual([1, 0, 0]);
    expect(vals(t([2 ** 31 - 1], 'int32').add(1))).toEqual([-(2 ** 31)]);
    expect(vals(t([3], 'int32').lt(t([3.5], 'float64')))).toEqual([1]);
  });

  it('resultTypeOf and canCast follow PyTorch', () => {
    expect(resultTypeOf([t([1], 'int32'), 2.5])).toBe('float32');
    expect(resultTypeOf([t([1], 'int32'), scalarTensor(1, 'int64')])).toBe('int32');
    expect(resultTypeOf([2, 3])).toBe('int64');
    expect(resultTypeOf([true, 1.5])).toBe('float32');
    expect(canCast('float32', 'int64')).toBe(false);
    expect(canCast('int64', 'bool')).toBe(false);
    expect(canCast('bool', 'uint8')).toBe(true);
    expect(canCast('int64', 'float16')).toBe(true);
  });

  it('follows the default dtype for wrapped floats', () => {
    setDefaultDType('float64');
    try {
      expect(t([1], 'int32').mul(0.5).dtype).toBe('float64');
      expect(exp(t([1], 'int32')).dtype).toBe('float64');
    } finally {
      setDefaultDType('float32');
    }
  });

  it('toTensor wraps numbers and passes tensors through', () => {
    const x = t([1]);
    expect(toTensor(x)).toBe(x);
    const s = toTensor(2.5);
    expect([s.dtype, s.shape.length, s.item()]).toEqual(['float32', 0, 2.5]);
    expect(toTensor(3).dtype).toBe('int64');
    expect(toTensor(true).dtype).toBe('bool');
    expect(toTensor(3, 'float64').dtype).toBe('float64');
    expect(() => toTensor('x' as never, undefined, 'myOp')).toThrow(/myOp: expected a Tensor or a number/);
  });

  it('rejects operands that are neither tensors nor numbers', () => {
    expect(() => add(t([1]), 'a' as never)).toThrow(/add: expected a Tensor or a number as other, got string/);
    expect(() => add(1, 2 as never)).toThrow(/add: expected at least one Tensor operand/);
  });
});

describe('in-place ops', () => {
  it('write into the input, return it, and bump the version', () => {
    const x = t([1, 2, 3]);
    const v0 = x._st.version;
    const r = x.add_(t([10, 20, 30]));
    expect(r).toBe(x);
    expect(vals(x)).toEqual([11, 22, 33]);
    expect(x._st.version).toBe(v0 + 1);
    x.mul_(2).sub_(1, { alpha: 2 }).exp_().log_();
    expect(x._st.version).toBe(v0 + 5);
    expect(vals(x).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([20, 42, 64]);
  });

  it('are visible through views sharing storage, and work on strided views', () => {
    const base = t([1, 2, 3, 4, 5, 6], 'float32', [2, 3]);
    const col = base._view([2], [3], 1); // base[:, 1]
    col.mul_(10);
    expect(vals(base)).toEqual([1, 20, 3, 4, 50, 6]);
    const tr = base._view([3, 2], [1, 3], 0); // transpose
    tr.add_(t([100, 200]));
    expect(vals(base)).toEqual([101, 120, 103, 204, 250, 206]);
  });

  it('refuse to write into expanded (stride-0) views', () => {
    const e = t([1, 2, 3])._view([2, 3], [0, 1], 0);
    expect(() => e.add_(1)).toThrow(/add_: unsupported operation: more than one element of the written-to tensor refers to a single memory location/);
    expect(() => e.exp_()).toThrow(/exp_: unsupported operation/);
    expect(() => e.clamp_(0, 1)).toThrow(/clamp_: unsupported operation/);
    expect(() => e.lerp_(t([1, 1, 1]), 0.5)).toThrow(/lerp_: unsupported operation/);
    // a stride-0 dim of size 1 is harmless
    const one = t([1, 2, 3])._view([1, 3], [0, 1], 0);
    expect(vals(one.add_(1))).toEqual([2, 3, 4]);
  });

  it('handle aliasing operands (x op= x)', () => {
    const x = t([1, 2, 3]);
    x.add_(x);
    expect(vals(x)).toEqual([2, 4, 6]);
    x.mul_(x);
    expect(vals(x)).toEqual([4, 16, 36]);
  });

  it('cast the result into the input dtype when allowed', () => {
    const x = t([1, 2], 'float32');
    x.add_(t([0.5, 0.25], 'float64'));
    expect([x.dtype, ...vals(x)]).toEqual(['float32', 1.5, 2.25]);
    const i = t([1, 2], 'int64');
    i.add_(t([1, 1], 'int32'));
    expect(vals(i)).toEqual([2, 3]);
    const f = t([1, 5], 'float32');
    f.lt_(3);
    expect([f.dtype, ...vals(f)]).toEqual(['float32', 1, 0]);
    const h = t([1, 2], 'float16');
    h.mul_(1.5);
    expect([h.dtype, ...vals(h)]).toEqual(['float16', 1.5, 3]);
  });

  it("raise PyTorch's error when the result cannot be cast", () => {
    expect(() => t([1], 'int64').add_(0.5)).toThrow(/add_: result type Float can't be cast to the desired output type Long/);
    expect(() => t([1], 'int32').sqrt_()).toThrow(/sqrt_: result type Float can't be cast to the desired output type Int/);
    expect(() => t([1], 'bool').add_(1)).toThrow(/add_: result type Long can't be cast to the desired output type Bool/);
    expect(() => t([1], 'int64').mul_(t([1], 'float64'))).toThrow(/mul_: result type Double can't be cast to the desired output type Long/);
    expect(() => t([1, 2, 3]).add_(t([1, 2, 3, 4, 5, 6], 'float32', [2, 3]))).toThrow(/add_: output with shape \[3\] doesn't match the broadcast shape \[2, 3\]/);
  });
});

describe('division', () => {
  const a = [7, -7, 7, -7, 6, -6, 0];
  const b = [2, 2, -2, -2, 4, 4, 3];
  it('true division of integers gives floats', () => {
    expect(vals(div(t(a, 'int64'), t(b, 'int64')))).toEqual(a.map((x, i) => x / b[i]!));
  });
  for (const dtype of ['int32', 'int64', 'float32', 'float64'] as DType[]) {
    it(`rounding modes and remainders with negative operands (${dtype})`, () => {
      const x = t(a, dtype);
      const y = t(b, dtype);
      expect(vals(div(x, y, { roundingMode: 'trunc' }))).toEqual([3, -3, -3, 3, 1, -1, 0]);
      expect(vals(div(x, y, { roundingMode: 'floor' }))).toEqual([3, -4, -4, 3, 1, -2, 0]);
      expect(vals(remainder(x, y))).toEqual([1, 1, -1, -1, 2, 2, 0]);
      expect(vals(fmod(x, y))).toEqual([1, -1, 1, -1, 2, -2, 0]);
    });
  }
  it('float floor division and remainder handle inexact quotients like Python', () => {
    expect(vals(div(t([-0.5, 0.5, 1], 'float64'), t([0.1, -0.1, 0.1], 'float64'), { roundingMode: 'floor' }))).toEqual([-5, -5, 9]);
    expect(vals(remainder(t([-1, 1, 5.5], 'float64'), t([3, -3, 2], 'float64')))).toEqual([2, -2, 1.5]);
    expect(vals(remainder(3, t([-2, 2], 'int64')))).toEqual([-1, 1]);
  });
  it('float division by zero follows IEEE', () => {
    expect(vals(div(t([1, -1, 0]), 0))).toEqual([Infinity, -Infinity, NaN]);
    expect(vals(div(t([1, -1]), 0, { roundingMode: 'floor' }))).toEqual([Infinity, -Infinity]);
  });
  it('integer division by zero is a ZeroDivisionError naming the op, never a crash', () => {
    const x = t([1, 2, 3], 'int32');
    expect(() => div(x, 0, { roundingMode: 'trunc' })).toThrow(/div: ZeroDivisionError/);
    expect(() => div(x, t([1, 0, 1], 'int32'), { roundingMode: 'floor' })).toThrow(/div: ZeroDivisionError/);
    expect(() => remainder(x, 0)).toThrow(/remainder: ZeroDivisionError/);
    expect(() => fmod(t([5], 'uint8'), 0)).toThrow(/fmod: ZeroDivisionError/);
    expect(() => x.remainder_(0)).toThrow(/remainder: ZeroDivisionError/);
    // and the wrapped INT_MIN / -1 case does not trap either
    const m = t([-(2 ** 31)], 'int32');
    expect(vals(div(m, -1, { roundingMode: 'trunc' }))).toEqual([-(2 ** 31)]);
    expect(vals(remainder(m, -1))).toEqual([0]);
  });
});

describe('pow', () => {
  it('integer powers stay exact; negative exponents of integers follow PyTorch', () => {
    expect(vals(pow(t([3, -2, 10], 'int64'), 3))).toEqual([27, -8, 1000]);
    expect(vals(pow(t([1, -1, 2, -1], 'int64'), t([-3, -3, -1, -2], 'int64')))).toEqual([1, -1, 0, 1]);
    expect(() => pow(t([2], 'int64'), -1)).toThrow(/pow: integers to negative integer powers are not allowed/);
    expect(vals(pow(t([4, 9], 'float32'), 0.5))).toEqual([2, 3]);
    expect(vals(pow(2, t([0, 3, -1], 'float32')))).toEqual([1, 8, 0.5]);
  });
});

describe('maximum and minimum', () => {
  it('propagate NaN from either side', () => {
    const a = t([NaN, 1, NaN, -1, 0]);
    const b = t([0, NaN, NaN, 2, -0.5]);
    expect(vals(maximum(a, b))).toEqual([NaN, NaN, NaN, 2, 0]);
    expect(vals(minimum(a, b))).toEqual([NaN, NaN, NaN, -1, -0.5]);
    expect(vals(maximum(t([NaN, 3], 'float64'), 1))).toEqual([NaN, 3]);
    expect(vals(t([1, NaN]).clamp(0, 0.5))).toEqual([0.5, NaN]);
  });
  it('bool maximum is or, minimum is and', () => {
    expect(vals(maximum(t([1, 0, 0], 'bool'), t([0, 0, 1], 'bool')))).toEqual([1, 0, 1]);
    expect(vals(minimum(t([1, 0, 1], 'bool'), t([0, 0, 1], 'bool')))).toEqual([0, 0, 1]);
  });
});

describe('integer and bool inputs to unary ops', () => {
  it('predicates on integers are constant', () => {
    const i = t([1, -2, 3], 'int32');
    expect(vals(i.isnan())).toEqual([0, 0, 0]);
    expect(vals(i.isinf())).toEqual([0, 0, 0]);
    expect(vals(i.isfinite())).toEqual([1, 1, 1]);
    expect(vals(t([1, 0], 'bool').isfinite())).toEqual([1, 1]);
  });
  it('rounding ops keep integers as they are', () => {
    const i = t([1, -2, 3], 'int64');
    for (const x of [i.floor(), i.ceil(), i.round(), i.trunc(), i.nanToNum()]) {
      expect(x.dtype).toBe('int64');
      expect(vals(x)).toEqual([1, -2, 3]);
    }
  });
  it('abs, neg, sign, square on integers', () => {
    const i = t([-3, 0, 4], 'int32');
    expect(vals(i.abs())).toEqual([3, 0, 4]);
    expect(vals(i.neg())).toEqual([3, 0, -4]);
    expect(vals(i.sign())).toEqual([-1, 0, 1]);
    expect(vals(i.square())).toEqual([9, 0, 16]);
    const sq = t([1, 0], 'bool').square();
    expect([sq.dtype, ...vals(sq)]).toEqual(['int64', 1, 0]);
    expect(vals(t([5, 0], 'uint8').neg())).toEqual([251, 0]);
  });
  it('sign of NaN is 0 and of -0 is 0', () => {
    expect(vals(t([NaN, -0, -2, 3]).sign())).toEqual([0, 0, -1, 1]);
  });
  it('logicalNot of numbers and of bools', () => {
    expect(vals(t([0, 2, -1, NaN]).logicalNot())).toEqual([1, 0, 0, 0]);
    const b = t([1, 0], 'bool');
    b.logicalNot_();
    expect(vals(b)).toEqual([0, 1]);
  });
});

describe('float16 and bfloat16', () => {
  it('compute in float32 and round back, for unary, binary and ternary ops', () => {
    for (const dtype of ['float16', 'bfloat16'] as DType[]) {
      const x = t([0.5, 1, 2, -3], dtype);
      const y = t([0.25, -1, 8, 4], dtype);
      const want = (f: (a: number, b: number) => number): number[] => vals(x).map((a, i) => vals(t([f(a, vals(y)[i]!)], dtype))[0]!);
      const s = add(x, y);
      expect(s.dtype).toBe(dtype);
      expect(vals(s)).toEqual(want((a, b) => a + b));
      expect(vals(mul(x, y))).toEqual(want((a, b) => a * b));
      expect(vals(x.exp())).toEqual(vals(x).map((a) => vals(t([Math.fround(Math.exp(a))], dtype))[0]!));
      expect(x.exp().dtype).toBe(dtype);
      expect(vals(x.gt(y))).toEqual([1, 1, 0, 0]);
      expect(vals(where(x.gt(0), x, y))).toEqual([0.5, 1, 2, 4]);
      expect(vals(x.clamp(0, 1))).toEqual([0.5, 1, 1, 0]);
      expect(x.lerp(y, 0.5).dtype).toBe(dtype);
    }
  });
  it('round trips through float32 losslessly', () => {
    const h = t([0.1, 1000.5, -65504, 6e-5], 'float16');
    const back = h.to('float32').to('float16');
    expect(vals(back)).toEqual(vals(h));
    expect(vals(h.add(0))).toEqual(vals(h));
    expect(vals(t([1e30], 'float16').isinf())).toEqual([1]);
    expect(vals(t([NaN, Infinity], 'float16').nanToNum())).toEqual([0, 65504]);
  });
});

describe('special functions against closed forms', () => {
  const EULER = 0.57721566490153286061;
  const f64 = (v: number[]): Tensor => t(v, 'float64');
  const close = (got: number[], want: number[], tol = 1e-13): void => {
    got.forEach((g, i) => {
      const w = want[i]!;
      if (!Number.isFinite(w)) expect(g).toBe(w);
      else expect(Math.abs(g - w), `element ${i}: ${g} vs ${w}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w)));
    });
  };
  it('digamma', () => {
    close(vals(digamma(f64([1, 0.5, 2, 10, -0.5]))), [
      -EULER, -EULER - 2 * Math.LN2, 1 - EULER, 1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5 + 1 / 6 + 1 / 7 + 1 / 8 + 1 / 9 - EULER,
      -EULER - 2 * Math.LN2 + 2,
    ]);
    expect(vals(digamma(f64([0, -1, -2])))).toEqual([-Infinity, NaN, NaN]);
  });
  it('trigamma and higher polygamma', () => {
    const z3 = 1.2020569031595942854; // zeta(3)
    close(vals(polygamma(1, f64([1, 0.5, 2]))), [Math.PI ** 2 / 6, Math.PI ** 2 / 2, Math.PI ** 2 / 6 - 1]);
    close(vals(polygamma(2, f64([1, 0.5]))), [-2 * z3, -14 * z3], 1e-12);
    close(vals(polygamma(3, f64([1]))), [Math.PI ** 4 / 15], 1e-12);
    // psi''(x) = psi''(x + 1) - 2 / x^3, so psi''(-1/2) = -14 zeta(3) + 16
    close(vals(polygamma(2, f64([-0.5, -1.5]))), [-14 * z3 + 16, -14 * z3 + 16 + 2 / 1.5 ** 3], 1e-12);
    close(vals(polygamma(1, f64([-0.5]))), [Math.PI ** 2 / 2 + 4]); // psi'(x) = psi'(x + 1) + 1 / x^2
    close(vals(polygamma(0, f64([1]))), [-EULER]);
  });
  it('lgamma of integers is log((n-1)!) and of halves is known', () => {
    const n = [1, 2, 3, 5, 10, 20, 30];
    let fact = 1;
    const want: number[] = [];
    for (let k = 1; k <= 30; k++) {
      if (n.includes(k)) want.push(Math.log(fact));
      fact *= k;
    }
    close(vals(lgamma(f64(n))), want, 1e-14);
    close(vals(lgamma(f64([0.5, -0.5]))), [0.5 * Math.log(Math.PI), Math.log(2 * Math.sqrt(Math.PI))], 1e-14);
    close(vals(lgamma(f64([0.3, 4.7, -2.6]))), [0.3, 4.7, -2.6].map(refLgamma), 1e-12);
  });
  it('erf against the series and erfinv round trips to float64 precision', () => {
    const xs = [-2.5, -1, -0.3, 0, 1e-9, 0.7, 1.9, 3.2];
    close(vals(erf(f64(xs))), xs.map(refErf), 1e-13); // the series loses a few digits near |x| = 3
    const ys = [-0.999999, -0.9, -0.5, -1e-10, 0, 0.1, 0.5, 0.8, 0.99, 0.999999999];
    const inv = vals(erfinv(f64(ys)));
    close(vals(erf(f64(inv))), ys, 4e-16);
    const xs2 = [-3, -2.2, -0.4, 0.05, 1.3, 2.9]; // beyond |x| = 3, erf(x) itself carries too few digits to invert
    close(vals(erfinv(erf(f64(xs2)))), xs2, 1e-9);
    expect(vals(erfinv(f64([1, -1, 1.5, NaN])))).toEqual([Infinity, -Infinity, NaN, NaN]);
    close(vals(digamma(f64([3.3, -1.7]))), [3.3, -1.7].map(refDigamma), 1e-12);
  });
});

describe('large tensors (thread pool) match the small path', () => {
  const N = 1 << 21; // 2M elements, well above the parallel grain
  const CHUNK = 20000; // below it
  const big = (seed: number, dtype: DType = 'float32'): Tensor => {
    const v = new Float64Array(N);
    let s = seed;
    for (let i = 0; i < N; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      v[i] = (s / 2147483648) * 4 - 2;
    }
    return tensor(v, { dtype });
  };
  const chunks = (x: Tensor, f: (c: Tensor) => Tensor): number[] => {
    const out: number[] = [];
    for (let o = 0; o < x.numel(); o += CHUNK) {
      const n = Math.min(CHUNK, x.numel() - o);
      out.push(...Array.from(f(x._view([n], [1], x.offset + o)).data() as Float32Array, Number));
    }
    return out;
  };
  it('unary, binary and scalar ops', () => {
    const x = big(1);
    const y = big(2);
    const ops: [(a: Tensor) => Tensor, (a: Tensor, o: number) => Tensor][] = [
      [(a) => a.exp(), (c) => c.exp()],
      [(a) => a.sigmoid(), (c) => c.sigmoid()],
      [(a) => a.mul(3).add(1), (c) => c.mul(3).add(1)],
    ];
    for (const [whole, part] of ops) {
      const got = Array.from(whole(x).data() as Float32Array);
      expect(got).toEqual(chunks(x, (c) => part(c, 0)));
    }
    const sum = Array.from(add(x, y).data() as Float32Array);
    const want: number[] = [];
    for (let o = 0; o < N; o += CHUNK) {
      const n = Math.min(CHUNK, N - o);
      want.push(...Array.from(add(x._view([n], [1], o), y._view([n], [1], o)).data() as Float32Array));
    }
    expect(sum).toEqual(want);
  });
  it('broadcast and strided operands', () => {
    const x = asMatrix(big(3));
    const row = t(Array.from({ length: 1024 }, (_, i) => i / 100));
    const got = sub(x, row, { alpha: 2 });
    const gd = got.data() as Float32Array;
    const xd = x.data() as Float32Array;
    let bad = 0;
    for (let i = 0; i < N; i++) if (gd[i] !== Math.fround(xd[i]! - Math.fround(2 * ((i % 1024) / 100)))) bad++;
    expect(bad).toBe(0);
    // a transposed (non-contiguous) big operand against its contiguous copy
    const tr = x._view([1024, N / 1024], [1, 1024], 0);
    const a = tr.mul(2).data() as Float32Array;
    const b = tr.contiguous().mul(2).data() as Float32Array;
    expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
  });
  it('integer division by zero in a large tensor still throws', () => {
    const x = tensor(new Int32Array(N).fill(7), { dtype: 'int32' });
    const y = tensor(new Int32Array(N).fill(2), { dtype: 'int32' });
    (y.data() as Int32Array)[N - 5] = 0;
    expect(() => remainder(x, y)).toThrow(/remainder: ZeroDivisionError/);
  });
});

// A [N / 1024, 1024] view of a flat tensor, without depending on the shape family.
function asMatrix(x: Tensor): Tensor {
  return x._view([x.numel() / 1024, 1024], [1024, 1], x.offset);
}

describe('dispatch', () => {
  it('reports tensor inputs, number operands and attributes to an installed layer', () => {
    const calls: [string, number, Record<string, unknown>][] = [];
    installDispatchLayer({
      call(op, inputs, attrs, kernel) {
        calls.push([op, inputs.length, { ...attrs }]);
        return kernel();
      },
      setRequiresGrad() {},
      backward() {},
      retainGrad() {},
      registerHook: () => ({ remove() {} }),
    });
    try {
      const x = t([1, 2]);
      const y = t([3, 4]);
      expect(vals(x.add(y, { alpha: 2 }))).toEqual([7, 10]);
      x.mul(3);
      sub(5, x);
      x.div(y, { roundingMode: 'floor' });
      x.clamp(0, 1);
      where(x.gt(1), x, 0);
      x.exp_();
      x.gelu({ approximate: 'tanh' });
      x.lerp(y, 0.5);
      x.clamp(y);
    } finally {
      installDispatchLayer(null);
    }
    expect(calls).toEqual([
      ['add', 2, { alpha: 2 }],
      ['mul', 1, { other: 3 }],
      ['sub', 1, { self: 5 }],
      ['div', 2, { roundingMode: 'floor' }],
      ['clamp', 1, { min: 0, max: 1 }],
      ['gt', 1, { other: 1 }],
      ['where', 2, { other: 0 }],
      ['exp_', 1, {}],
      ['gelu', 1, { approximate: 'tanh' }],
      ['lerp', 2, { weight: 0.5 }],
      ['clamp', 2, { max: null }],
    ]);
  });
});

describe('same-shape, same-dtype fast path', () => {
  // add(a, b) of two tensors of one dtype and shape takes a shorter route than the in-place
  // a.clone().add_(b), which goes through promotion and shape checks: both must agree bit for bit.
  const edge = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38, 1e308, 5e-324, 1, -2.5];
  const bits = (x: Tensor): string => Array.from(new Uint8Array((x.contiguous().data() as ArrayBufferView & { buffer: ArrayBufferLike }).buffer, (x.contiguous().data() as ArrayBufferView).byteOffset, (x.contiguous().data() as ArrayBufferView).byteLength)).join(',');
  const ops: [string, (a: Tensor, b: Tensor) => Tensor, (a: Tensor, b: Tensor) => Tensor][] = [
    ['add', (a, b) => add(a, b), (a, b) => a.clone().add_(b)],
    ['add alpha', (a, b) => add(a, b, { alpha: 3 }), (a, b) => a.clone().add_(b, { alpha: 3 })],
    ['sub', (a, b) => sub(a, b), (a, b) => a.clone().sub_(b)],
    ['mul', (a, b) => mul(a, b), (a, b) => a.clone().mul_(b)],
    ['maximum', (a, b) => maximum(a, b), (a, b) => maximum(a.unsqueeze(0), b).squeeze(0)],
    ['minimum', (a, b) => minimum(a, b), (a, b) => minimum(a.unsqueeze(0), b).squeeze(0)],
    ['fmod', (a, b) => fmod(a, b), (a, b) => a.clone().fmod_(b)],
    ['remainder', (a, b) => remainder(a, b), (a, b) => a.clone().remainder_(b)],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [name, fast, general] of ops) {
      it(`${name} ${dtype} on NaN, infinities, denormals, huge and tiny values`, () => {
        const n = edge.length;
        const av: number[] = [];
        const bv: number[] = [];
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { av.push(edge[i]!); bv.push(edge[j]!); }
        const a = t(av, dtype);
        const b = t(bv, dtype);
        const r = fast(a, b);
        expect(r.dtype).toBe(dtype);
        expect(r.shape).toEqual([n * n]);
        expect(bits(r)).toBe(bits(general(a, b)));
      });
    }
  }
  for (const dtype of ['int32', 'int64', 'uint8'] as const) {
    it(`add, sub, mul of ${dtype} wrap like the general path`, () => {
      const a = t([0, 1, 127, 255, 100, 7], dtype);
      const b = t([0, 255, 1, 255, 200, 9], dtype);
      for (const [, fast, general] of ops.slice(0, 4)) {
        const r = fast(a, b);
        expect(r.dtype).toBe(dtype);
        expect(vals(r)).toEqual(vals(general(a, b)));
      }
    });
  }
  it('handles non-contiguous, offset, 0-d and empty operands, and gives contiguous outputs', () => {
    const x = t([1, 2, 3, 4, 5, 6], 'float32', [2, 3]);
    const y = t([10, 20, 30, 40, 50, 60], 'float32', [3, 2]).transpose(0, 1);
    expect(vals(add(x, y))).toEqual([11, 32, 53, 24, 45, 66]);
    const s = x.select(0, 1);
    expect(vals(mul(s, s))).toEqual([16, 25, 36]);
    expect(add(scalarTensor(2, 'float32'), scalarTensor(3, 'float32')).item()).toBe(5);
    expect(add(t([], 'float32', [0, 3]), t([], 'float32', [0, 3])).shape).toEqual([0, 3]);
    // Output strides are cached per shape array: alternating shapes must each get their own.
    const p = t([1, 2, 3, 4, 5, 6], 'float32', [2, 3]);
    const q = t([1, 2, 3, 4, 5, 6], 'float32', [3, 2]);
    for (let i = 0; i < 3; i++) {
      const r1 = add(p, p);
      const r2 = add(q, q);
      expect(r1.stride()).toEqual([3, 1]);
      expect(r2.stride()).toEqual([2, 1]);
      expect(r1.isContiguous() && r2.isContiguous()).toBe(true);
      expect(vals(r2)).toEqual([2, 4, 6, 8, 10, 12]);
    }
  });
  it('still refuses disposed operands and reports to a dispatch layer', () => {
    const a = t([1, 2]);
    const b = t([3, 4]);
    b.dispose();
    expect(() => add(a, b)).toThrow(/disposed/);
    const seen: [string, number, Record<string, unknown>][] = [];
    installDispatchLayer({
      call(op, inputs, attrs, kernel) {
        seen.push([op, inputs.length, { ...attrs }]);
        return kernel();
      },
      setRequiresGrad() {},
      backward() {},
      retainGrad() {},
      registerHook: () => ({ remove() {} }),
    });
    try {
      add(a, a, { alpha: 2 });
      mul(a, a);
    } finally {
      installDispatchLayer(null);
    }
    expect(seen).toEqual([['add', 2, { alpha: 2 }], ['mul', 2, {}]]);
  });
});
