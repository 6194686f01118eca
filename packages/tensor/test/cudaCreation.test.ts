// Creation on a CUDA device (filled there, no host buffer) against the same creation on the CPU,
// bit for bit; and 0-d CPU tensors mixing with CUDA tensors in elementwise ops, as in PyTorch.
// The device comparisons run only where a GPU is present; the device-free checks run everywhere.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  add,
  arange,
  clamp,
  cuda,
  empty,
  emptyLike,
  eye,
  full,
  fullLike,
  linspace,
  lerp,
  matmul,
  memoryStats,
  mul,
  ones,
  onesLike,
  randn,
  tensor,
  where,
  zeros,
  zerosLike,
  type DType,
  Tensor,
} from '../src/index.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) console.log('cudaCreation.test: no usable CUDA device; the device creation and CPU-scalar mixing comparisons are skipped');

const DTYPES: DType[] = ['float32', 'float64', 'int32', 'int64', 'bool', 'uint8', 'float16', 'bfloat16'];

/** The raw elements of a tensor as bytes (a bitwise comparison: NaN, -0 and half types included). */
function bytesOf(t: Tensor): number[] {
  const d = t.device === 'cpu' ? t.data() : t.cpu().data();
  return [...new Uint8Array(d.buffer, d.byteOffset, d.byteLength)];
}

function expectSame(got: Tensor, want: Tensor, what: string): void {
  expect(got.device, `${what}: device`).toBe('cuda:0');
  expect(want.device, `${what}: reference device`).toBe('cpu');
  expect(got.dtype, `${what}: dtype`).toBe(want.dtype);
  expect([...got.shape], `${what}: shape`).toEqual([...want.shape]);
  expect(got.isContiguous(), `${what}: contiguous`).toBe(true);
  const g = bytesOf(got);
  const w = bytesOf(want);
  expect(g.length, `${what}: bytes`).toBe(w.length);
  for (let i = 0; i < w.length; i++) if (g[i] !== w[i]) expect.fail(`${what}: byte ${i}: cuda ${g[i]}, cpu ${w[i]}`);
}

describe('creation and mixing (any machine)', () => {
  it('a 0-d CPU tensor still mixes freely with CPU tensors', () => {
    expect(add(tensor([1, 2]), tensor(3)).toArray()).toEqual([4, 5]);
    expect(mul(tensor([1, 2], { dtype: 'int32' }), tensor(2.5)).dtype).toBe('float32');
  });

  it('names the op when the device is unusable or unknown', () => {
    for (const [f, name] of [
      [() => arange(4, { device: 'cuda:99' }), 'arange'],
      [() => linspace(0, 1, 3, { device: 'cuda:99' }), 'linspace'],
      [() => eye(3, { device: 'cuda:99' }), 'eye'],
      [() => empty([2], { device: 'cuda:99' }), 'empty'],
      [() => full([2], 1, { device: 'cuda:99' }), 'full'],
    ] as [() => Tensor, string][]) {
      expect(f, name).toThrow(new RegExp(`${name}: CUDA (is not available|device cuda:99 does not exist)`));
    }
    expect(() => ones([2], { device: 'tpu' as never })).toThrow(/unknown device "tpu"/);
  });
});

describe.skipIf(!hasGpu)('CUDA creation vs CPU', () => {
  const dev = { device: 'cuda' as const };

  it('full, zeros, ones for every dtype, every size class (tail bytes, multi-block, empty)', () => {
    // Sizes chosen so the fill takes every path: empty, fewer than 16 bytes, a 16-byte-word body
    // with a tail, and many blocks.
    for (const n of [0, 1, 3, 17, 1000, 1 << 20, (1 << 20) + 5]) {
      for (const dtype of DTYPES) {
        for (const v of dtype === 'bool' ? [true, false] : [0, 1, -1, 3.7, 1e10, -0.5]) {
          expectSame(full([n], v, { ...dev, dtype }), full([n], v, { dtype }), `full([${n}], ${v}, ${dtype})`);
        }
      }
    }
    for (const dtype of DTYPES) {
      expectSame(zeros([3, 5], { ...dev, dtype }), zeros([3, 5], { dtype }), `zeros ${dtype}`);
      expectSame(ones([2, 3, 4], { ...dev, dtype }), ones([2, 3, 4], { dtype }), `ones ${dtype}`);
      expectSame(zeros([], { ...dev, dtype }), zeros([], { dtype }), `0-d zeros ${dtype}`);
    }
    // Special values, bitwise: NaN, infinities, negative zero, values that round in half types.
    for (const v of [NaN, Infinity, -Infinity, -0, 65520, 1 / 3, 1e-8]) {
      for (const dtype of ['float32', 'float64', 'float16', 'bfloat16'] as DType[]) {
        expectSame(full([33], v, { ...dev, dtype }), full([33], v, { dtype }), `full ${v} ${dtype}`);
      }
    }
    expect(full([2], true, dev).dtype).toBe('bool');
  });

  it('fills on the device: no host buffer of the tensor\'s size', () => {
    // The host allocator's peak cannot move by more than the slack if nothing is built on the host.
    const before = memoryStats().peakAllocatedBytes;
    const bytes = before + (64 << 20);
    const n = Math.ceil(bytes / 4);
    const m = Math.ceil(Math.sqrt(n));
    const makers: [string, () => Tensor][] = [
      ['zeros', () => zeros([n], dev)],
      ['full', () => full([n], 3, dev)],
      ['empty', () => empty([n], dev)],
      ['arange', () => arange(n, { ...dev, dtype: 'float32' })],
      ['linspace', () => linspace(0, 1, n, dev)],
      ['eye', () => eye(m, dev)],
      ['zerosLike', () => zerosLike(empty([n], dev))],
    ];
    for (const [name, make] of makers) {
      const t = make();
      expect(t.device, name).toBe('cuda:0');
      t.dispose();
      expect(memoryStats().peakAllocatedBytes, name).toBeLessThan(before + (16 << 20));
    }
  });

  it('empty allocates on the device with the requested shape and dtype', () => {
    const e = empty([4, 5], { ...dev, dtype: 'float16' });
    expect(e.device).toBe('cuda:0');
    expect(e.shape).toEqual([4, 5]);
    expect(e.dtype).toBe('float16');
    expect(empty([0], dev).numel()).toBe(0);
    expect(e.fill_(2).cpu().toArray()).toEqual([[2, 2, 2, 2, 2], [2, 2, 2, 2, 2], [2, 2, 2, 2, 2], [2, 2, 2, 2, 2]]);
  });

  it('arange for every dtype, fractional and negative steps, large n', () => {
    const cases: [number, number | undefined, number | undefined][] = [
      [5, undefined, undefined], [1, 4, undefined], [0, 1, 0.25], [10, -3, -1.5], [-2.5, 7.3, 0.1], [0, 0, undefined],
      [0, 1 << 20, 3], [1e9, 1e9 + 5000, 7], [0, 1, 1e-4],
    ];
    for (const [a, b, s] of cases) {
      const args = [a, b, s].filter((v) => v !== undefined) as number[];
      const mk = (o: object): Tensor => (arange as (...x: unknown[]) => Tensor)(...args, o);
      expectSame(mk(dev), mk({}), `arange(${args})`);
      for (const dtype of DTYPES.filter((d) => d !== 'bool')) expectSame(mk({ ...dev, dtype }), mk({ dtype }), `arange(${args}) ${dtype}`);
    }
    expect(arange(3, dev).dtype).toBe('int64');
  });

  it('linspace for every dtype: both ends exact, odd and even step counts, 0 and 1 steps', () => {
    for (const [a, b, n] of [[0, 1, 5], [0, 1, 6], [-3, 7, 1001], [2, 2, 4], [5, -5, 2], [1, 9, 1], [0, 1, 0], [0.1, 0.7, 1 << 16]]) {
      for (const dtype of DTYPES) {
        expectSame(linspace(a!, b!, n!, { ...dev, dtype }), linspace(a!, b!, n!, { dtype }), `linspace(${a}, ${b}, ${n}) ${dtype}`);
      }
    }
  });

  it('eye: square, wide, tall and empty, every dtype', () => {
    for (const [n, m] of [[1, 1], [4, 4], [3, 7], [7, 3], [0, 3], [3, 0], [300, 257]]) {
      for (const dtype of DTYPES) expectSame(eye(n!, m!, { ...dev, dtype }), eye(n!, m!, { dtype }), `eye(${n}, ${m}) ${dtype}`);
    }
    expectSame(eye(5, dev), eye(5), 'eye(5)');
  });

  it('the *Like functions take their tensor device, or the one they are given', () => {
    const x = randn([3, 4]).cuda();
    expectSame(zerosLike(x), zeros([3, 4]), 'zerosLike');
    expectSame(onesLike(x, { dtype: 'int32' }), ones([3, 4], { dtype: 'int32' }), 'onesLike int32');
    expectSame(fullLike(x, 2.5), full([3, 4], 2.5), 'fullLike');
    expect(emptyLike(x).device).toBe('cuda:0');
    expect(zerosLike(x, { device: 'cpu' }).device).toBe('cpu');
    expect(onesLike(tensor([1, 2]), dev).device).toBe('cuda:0');
  });

  it('tensor(data, { device }) copies the data once; requiresGrad holds on the device', () => {
    expectSame(tensor([[1, 2], [3, 4]], { ...dev, dtype: 'float64' }), tensor([[1, 2], [3, 4]], { dtype: 'float64' }), 'tensor');
    expectSame(tensor(new Int32Array([5, -6, 7]), dev), tensor(new Int32Array([5, -6, 7])), 'typed array');
    expectSame(tensor(3, dev), tensor(3), 'scalar');
  });
});

describe.skipIf(!hasGpu)('0-d CPU tensors in elementwise ops with CUDA tensors', () => {
  // Made in the tests (a skipped suite's body still runs at collection).
  let x: Tensor;
  let xc: Tensor;
  beforeAll(() => {
    x = randn([4, 5]);
    xc = x.cuda();
  });

  it('binary ops read the 0-d CPU tensor as a number, on the CUDA device', () => {
    for (const s of [tensor(2.5), tensor(3, { dtype: 'int64' }), tensor(true), tensor(-1.5, { dtype: 'float64' }), tensor(0.3, { dtype: 'float16' })]) {
      for (const [name, f] of [
        ['add', (a: Tensor, b: Tensor) => add(a, b)],
        ['mul', (a: Tensor, b: Tensor) => a.mul(b)],
        ['sub (scalar first)', (a: Tensor, b: Tensor) => b.sub(a)],
        ['div', (a: Tensor, b: Tensor) => a.div(b)],
        ['pow', (a: Tensor, b: Tensor) => a.abs().pow(b)],
        ['lt', (a: Tensor, b: Tensor) => a.lt(b)],
        ['maximum', (a: Tensor, b: Tensor) => a.maximum(b)],
      ] as [string, (a: Tensor, b: Tensor) => Tensor][]) {
        const want = f(x, s);
        const got = f(xc, s);
        expect(got.device, name).toBe('cuda:0');
        expect(got.dtype, `${name} with ${s.dtype}: dtype`).toBe(want.dtype);
        const g = got.cpu().to('float64').data() as Float64Array;
        const w = want.to('float64').data() as Float64Array;
        for (let i = 0; i < w.length; i++) expect(Math.abs(g[i]! - w[i]!), `${name} with ${s.dtype} [${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(w[i]!)));
      }
    }
  });

  it('promotes as a 0-d tensor operand does', () => {
    const ints = tensor([1, 2, 3], { dtype: 'int32' });
    const ic = ints.cuda();
    expect(ic.mul(tensor(2.5)).dtype).toBe('float32');
    expect(ic.mul(tensor(2.5)).cpu().toArray()).toEqual([2.5, 5, 7.5]);
    expect(ic.add(tensor(2, { dtype: 'int64' })).dtype).toBe('int32'); // same category: the dimensioned dtype wins
    expect(xc.add(tensor(1, { dtype: 'float64' })).dtype).toBe('float32');
    expect(tensor(2.5).mul(ic).device).toBe('cuda:0');
  });

  it('a CUDA 0-d tensor with a CPU 0-d tensor runs on the device', () => {
    const a = tensor(2).cuda();
    const r = a.add(tensor(3));
    expect(r.device).toBe('cuda:0');
    expect(r.item()).toBe(5);
    expect(tensor(3).mul(a).item()).toBe(6);
  });

  it('in place into a CUDA tensor works; into the CPU scalar it is an error', () => {
    const y = xc.clone();
    y.add_(tensor(1));
    expect(y.cpu().toArray()).toEqual(x.add(1).toArray());
    expect(() => tensor(1).add_(xc)).toThrow(/expected all tensors to be on the same device/);
  });

  it('where, clamp and lerp take 0-d CPU tensors too', () => {
    const cond = x.gt(0);
    const want = where(cond, x, tensor(-1));
    const got = where(cond.cuda(), xc, tensor(-1));
    expect(got.device).toBe('cuda:0');
    expect(got.cpu().toArray()).toEqual(want.toArray());
    expect(where(tensor(true), xc, tensor(0)).cpu().toArray()).toEqual(x.toArray());
    expect(clamp(xc, tensor(-0.5), tensor(0.5)).cpu().toArray()).toEqual(clamp(x, tensor(-0.5), tensor(0.5)).toArray());
    expect(clamp(xc, tensor(-0.5)).cpu().toArray()).toEqual(clamp(x, tensor(-0.5)).toArray());
    expect(lerp(xc, tensor(1), tensor(0.25)).cpu().toArray()).toEqual(lerp(x, tensor(1), tensor(0.25)).toArray());
  });

  it('dimensioned CPU tensors and non-elementwise ops still refuse to mix', () => {
    expect(() => add(xc, tensor([1, 2, 3, 4, 5]))).toThrow(/add: expected all tensors to be on the same device, but found tensors on cuda:0 and cpu/);
    expect(() => add(tensor([1]), xc)).toThrow(/expected all tensors to be on the same device/);
    expect(() => matmul(xc, tensor([[1], [2], [3], [4], [5]]))).toThrow(/matmul: expected all tensors to be on the same device/);
  });
});
