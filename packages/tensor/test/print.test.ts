// Expected strings are what PyTorch 1.13 prints (repr) for the same tensors, with `dtype=torch.X`
// written `dtype=X`.
import { inspect } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { formatTensor, full, getPrintOptions, setDefaultDType, setPrintOptions, tensor, Tensor, zeros, type DType } from '../src/index.js';
import { _formatExp, _formatFixed } from '../src/print.js';

afterEach(() => setPrintOptions({ profile: 'default', sciMode: null }));

const f32 = (v: number[] | number[][] | number, dtype: DType = 'float32'): Tensor => tensor(v as number[], { dtype });
function range(n: number, dtype: DType): Tensor {
  return tensor(Array.from({ length: n }, (_, i) => i), { dtype });
}
function view(t: Tensor, shape: number[], strides: number[], offset = 0): Tensor {
  return t._view(shape, strides, offset);
}

describe('printing like PyTorch', () => {
  const cases: [string, () => Tensor, string][] = [
    ['integral floats', () => f32([[1, 2], [3, 4]]), 'tensor([[1., 2.],\n        [3., 4.]])'],
    ['fractional floats', () => f32([1.5, 2.25]), 'tensor([1.5000, 2.2500])'],
    ['common width with negatives', () => f32([-1.5, 2]), 'tensor([-1.5000,  2.0000])'],
    ['0-d float', () => f32(3.5), 'tensor(3.5000)'],
    ['0-d int', () => tensor(5 as never, { dtype: 'int64' }), 'tensor(5)'],
    ['0-d bool', () => tensor(true as never), 'tensor(True)'],
    ['int64, right-aligned', () => tensor([1, -2, 300], { dtype: 'int64' }), 'tensor([  1,  -2, 300])'],
    ['bool', () => tensor([true, false]), 'tensor([ True, False])'],
    ['float64 suffix', () => f32([1, 2], 'float64'), 'tensor([1., 2.], dtype=float64)'],
    ['int32 suffix', () => tensor([1, 2], { dtype: 'int32' }), 'tensor([1, 2], dtype=int32)'],
    ['uint8 suffix', () => tensor([1, 2], { dtype: 'uint8' }), 'tensor([1, 2], dtype=uint8)'],
    ['float16 values', () => f32([1.5, 2.25], 'float16'), 'tensor([1.5000, 2.2500], dtype=float16)'],
    ['bfloat16 values', () => f32([1.5, -2.25], 'bfloat16'), 'tensor([ 1.5000, -2.2500], dtype=bfloat16)'],
    ['empty 2-d', () => zeros([0, 3]), 'tensor([], size=(0, 3))'],
    ['empty int64', () => tensor([], { dtype: 'int64' }), 'tensor([], dtype=int64)'],
    ['empty float64', () => tensor([], { dtype: 'float64' }), 'tensor([], dtype=float64)'],
    ['empty 3-d bool', () => zeros([2, 0, 1], { dtype: 'bool' }), 'tensor([], size=(2, 0, 1), dtype=bool)'],
    ['all zeros', () => zeros([2]), 'tensor([0., 0.])'],
    ['negative zero', () => f32([-0, 1]), 'tensor([-0., 1.])'],
    ['nan and inf', () => f32([NaN, 1, Infinity]), 'tensor([nan, 1., inf])'],
    ['nan with fractions', () => f32([NaN, -Infinity, 0.5]), 'tensor([   nan,   -inf, 0.5000])'],
    ['sci: tiny values', () => f32([1e-5, 1]), 'tensor([1.0000e-05, 1.0000e+00])'],
    ['sci: wide integral range', () => f32([1, 1e4]), 'tensor([1.0000e+00, 1.0000e+04])'],
    ['sci: huge integral', () => f32([1e10]), 'tensor([1.0000e+10])'],
    ['sci: negative alignment', () => f32([-1e-5, 1]), 'tensor([-1.0000e-05,  1.0000e+00])'],
    ['no sci below the ratio', () => f32([1, 999.5]), 'tensor([  1.0000, 999.5000])'],
    ['float32 value printed as its double', () => f32([123456.789]), 'tensor([123456.7891])'],
    ['round half to even', () => f32([0.03125]), 'tensor([0.0312])'],
    ['int64 beyond 2^53', () => tensor(new BigInt64Array([2n ** 60n, -3n])), 'tensor([1152921504606846976,                  -3])'],
    ['3-d nesting', () => zeros([2, 2, 2]), 'tensor([[[0., 0.],\n         [0., 0.]],\n\n        [[0., 0.],\n         [0., 0.]]])'],
    ['line wrapping at 80', () => range(30, 'float32'),
      'tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n' +
      '        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n' +
      '        28., 29.])'],
    ['suffix wraps to a new line', () => range(14, 'float64'),
      'tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.],\n       dtype=float64)'],
    ['summarised 1-d', () => range(2000, 'int64'), 'tensor([   0,    1,    2,  ..., 1997, 1998, 1999])'],
    ['summarised 2-d', () => full([20, 200], 1.5),
      'tensor([[1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],\n' +
      '        [1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],\n' +
      '        [1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],\n' +
      '        ...,\n' +
      '        [1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],\n' +
      '        [1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],\n' +
      '        [1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000]])'],
    ['non-contiguous (transposed) view', () => view(tensor([1, 2, 3, 4, 5, 6], { dtype: 'int64' }), [3, 2], [1, 3]), 'tensor([[1, 4],\n        [2, 5],\n        [3, 6]])'],
    ['strided view with offset', () => view(f32([0, 1, 2, 3, 4, 5, 6, 7]), [3], [2], 1), 'tensor([1., 3., 5.])'],
  ];
  for (const [name, make, want] of cases) {
    test(name, () => {
      const t = make();
      expect(t.toString()).toBe(want);
      expect(formatTensor(t)).toBe(want);
    });
  }

  test('summarisation formats only the printed edges (the hidden middle does not widen the columns)', () => {
    const vals = Array.from({ length: 2000 }, (_, i) => (i === 1000 ? 123456789 : i % 3));
    expect(tensor(vals, { dtype: 'int64' }).toString()).toBe('tensor([0, 1, 2,  ..., 2, 0, 1])');
  });

  test('console.log / util.inspect use the formatter', () => {
    const t = f32([[1, 2], [3, 4]]);
    expect(inspect(t)).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(`${t}`).toBe(t.toString());
  });

  test('autograd suffixes', () => {
    const t = f32([1, 2]);
    t._ag = { requiresGrad: true };
    expect(t.toString()).toBe('tensor([1., 2.], requires_grad=True)');
    const u = f32([2, 4]);
    u._ag = { gradFn: { name: 'MulBackward0', nextFunctions: [] } };
    expect(u.toString()).toBe('tensor([2., 4.], grad_fn=<MulBackward0>)');
  });

  test('the dtype suffix follows the default dtype', () => {
    setDefaultDType('float64');
    try {
      expect(f32([1.5], 'float64').toString()).toBe('tensor([1.5000])');
      expect(f32([1.5], 'float32').toString()).toBe('tensor([1.5000], dtype=float32)');
      expect(tensor([], { dtype: 'float64' }).toString()).toBe('tensor([])');
      expect(tensor([], { dtype: 'float32' }).toString()).toBe('tensor([], dtype=float32)');
    } finally {
      setDefaultDType('float32');
    }
  });

  test('a disposed tensor prints without touching its memory', () => {
    const t = f32([1]);
    t.dispose();
    expect(t.toString()).toBe('tensor(<disposed>)');
  });
});

describe('setPrintOptions', () => {
  test('precision', () => {
    setPrintOptions({ precision: 2 });
    expect(f32([1.2345, 2]).toString()).toBe('tensor([1.23, 2.00])');
    expect(getPrintOptions().precision).toBe(2);
  });
  test('sciMode forced off and on', () => {
    setPrintOptions({ sciMode: false });
    // PyTorch measures the width before applying the override, so the columns keep the
    // scientific width.
    expect(f32([1e-5, 1]).toString()).toBe('tensor([    0.0000,     1.0000])');
    expect(f32([1.5, 2]).toString()).toBe('tensor([1.5000, 2.0000])');
    setPrintOptions({ sciMode: true });
    expect(f32([1.5, 2]).toString()).toBe('tensor([1.5000e+00, 2.0000e+00])');
    setPrintOptions({ sciMode: null });
    expect(f32([1.5, 2]).toString()).toBe('tensor([1.5000, 2.0000])');
  });
  test('threshold and edgeitems', () => {
    setPrintOptions({ threshold: 5, edgeitems: 2 });
    expect(range(6, 'int64').toString()).toBe('tensor([0, 1,  ..., 4, 5])');
    expect(range(5, 'int64').toString()).toBe('tensor([0, 1, 2, 3, 4])');
    setPrintOptions({ threshold: Infinity });
    expect(range(2000, 'int64').toString().includes('...')).toBe(false);
  });
  test('linewidth', () => {
    setPrintOptions({ linewidth: 20 });
    expect(range(6, 'int64').toString()).toBe('tensor([0, 1, 2, 3,\n        4, 5])');
  });
  test('profiles', () => {
    setPrintOptions({ profile: 'short' });
    expect(getPrintOptions()).toMatchObject({ precision: 2, edgeitems: 2, threshold: 1000, linewidth: 80 });
    setPrintOptions({ profile: 'full' });
    expect(getPrintOptions().threshold).toBe(Infinity);
  });
  test('bad options are errors', () => {
    expect(() => setPrintOptions({ precision: -1 })).toThrow(/precision must be a non-negative integer/);
    expect(() => setPrintOptions({ linewidth: 1.5 })).toThrow(/linewidth/);
    expect(() => setPrintOptions({ profile: 'long' as never })).toThrow(/unknown profile/);
    expect(() => setPrintOptions({ sciMode: 'yes' as never })).toThrow(/sciMode/);
  });
});

describe("Python's number formatting", () => {
  test('fixed', () => {
    expect(_formatFixed(1.5, 4)).toBe('1.5000');
    expect(_formatFixed(2.5, 0)).toBe('2');
    expect(_formatFixed(3.5, 0)).toBe('4');
    expect(_formatFixed(0.125, 2)).toBe('0.12');
    expect(_formatFixed(0.375, 2)).toBe('0.38');
    expect(_formatFixed(-0.00001, 4)).toBe('-0.0000');
    expect(_formatFixed(1e22, 1)).toBe('10000000000000000000000.0');
    expect(_formatFixed(9.99996, 4)).toBe('10.0000');
    expect(_formatFixed(NaN, 4)).toBe('nan');
    expect(_formatFixed(-Infinity, 4)).toBe('-inf');
  });
  test('exponential', () => {
    expect(_formatExp(1234.5, 4)).toBe('1.2345e+03');
    expect(_formatExp(1.03125, 4)).toBe('1.0312e+00');
    expect(_formatExp(1.09375, 4)).toBe('1.0938e+00');
    expect(_formatExp(1e100, 4)).toBe('1.0000e+100');
    expect(_formatExp(-2.5e-7, 4)).toBe('-2.5000e-07');
    expect(_formatExp(0, 4)).toBe('0.0000e+00');
    expect(_formatExp(999995, 4)).toBe('1.0000e+06');
    expect(_formatExp(999985, 4)).toBe('9.9998e+05');
    expect(_formatExp(5e-324, 2)).toBe('4.94e-324');
  });
});
