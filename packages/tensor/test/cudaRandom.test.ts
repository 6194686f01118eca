// The CUDA random kernels against the CPU ones: the same seed (or generator state) must give the
// same bits on both devices, for every fill, every sampler, randperm and multinomial, at sizes
// that take one thread, one block and many blocks, after the generator has moved to odd offsets,
// and the generator must advance by the same amount. Runs only where a GPU is present.
import { describe, expect, it } from 'vitest';
import {
  Generator,
  bernoulli,
  bernoulli_,
  beta,
  betaGrad,
  binomial,
  cuda,
  dirichlet,
  exponential,
  exponential_,
  full,
  multinomial,
  normal,
  normal_,
  poisson,
  rand,
  randint,
  randn,
  random_,
  randperm,
  standardGamma,
  standardGammaGrad,
  tensor,
  uniform,
  uniform_,
  where,
  zeros,
  Tensor,
  type DType,
} from '../src/index.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) console.log('cudaRandom.test: no usable CUDA device; the CUDA-vs-CPU random stream comparisons are skipped');

const SIZES = [0, 1, 3, 4, 5, 255, 1023, 4097, 100_003, 1_000_003];

function bytesOf(t: Tensor): Uint8Array {
  const d = t.device === 'cpu' ? t.contiguous().data() : t.to('cpu').contiguous().data();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** The same dtype, shape and bits; on a mismatch, names the first differing element. */
function expectSame(gpu: Tensor, cpu: Tensor, what: string): void {
  expect(gpu.device.startsWith('cuda')).toBe(true);
  expect(cpu.device).toBe('cpu');
  expect(gpu.dtype, what).toBe(cpu.dtype);
  expect(gpu.shape, what).toEqual(cpu.shape);
  const a = bytesOf(gpu), b = bytesOf(cpu);
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      const item = a.length / Math.max(1, cpu.numel());
      const e = Math.floor(i / item);
      const gv = gpu.to('cpu').contiguous().reshape([-1]).data()[e];
      const cv = cpu.contiguous().reshape([-1]).data()[e];
      expect.fail(`${what}: element ${e} differs: cuda ${String(gv)} vs cpu ${String(cv)}`);
    }
  }
}

/** Runs f with two generators in the same state, on the CPU and on cuda:0; compares the results and the states after. */
function twin(what: string, f: (g: Generator, device: 'cpu' | 'cuda') => Tensor, seed = 1234, skip = 0): void {
  const gc = new Generator().manualSeed(seed);
  const gg = new Generator().manualSeed(seed);
  // Move both generators to the same odd offset first.
  if (skip > 0) {
    rand([skip], { generator: gc });
    rand([skip], { generator: gg });
  }
  const c = f(gc, 'cpu');
  const g = f(gg, 'cuda');
  expectSame(g, c, what);
  expect(Array.from(gg.getState().data() as Uint8Array), `${what}: generator state after`).toEqual(Array.from(gc.getState().data() as Uint8Array));
}

const FLOATS: DType[] = ['float32', 'float64'];

describe.skipIf(!hasGpu)('CUDA random streams equal the CPU streams', () => {
  it('uniform, normal and exponential fills at every size, dtype and offset', () => {
    for (const dtype of FLOATS) {
      for (const n of SIZES) {
        for (const skip of [0, 3]) {
          const tag = `${dtype} n=${n} skip=${skip}`;
          twin(`rand ${tag}`, (generator, device) => rand([n], { dtype, generator, device }), 7, skip);
          twin(`randn ${tag}`, (generator, device) => randn([n], { dtype, generator, device }), 8, skip);
          twin(`uniform ${tag}`, (generator, device) => uniform(-3, 5, [n], { dtype, generator, device }), 9, skip);
          twin(`normal ${tag}`, (generator, device) => normal(1.5, 2, [n], { dtype, generator, device }), 10, skip);
          twin(`exponential ${tag}`, (generator, device) => exponential(2.5, [n], { dtype, generator, device }), 11, skip);
        }
      }
    }
  });

  it('storage float types sample in float32 and convert, as on the CPU', () => {
    for (const dtype of ['float16', 'bfloat16'] as DType[]) {
      twin(`randn ${dtype}`, (generator, device) => randn([1001], { dtype, generator, device }));
      twin(`rand ${dtype}`, (generator, device) => rand([1001], { dtype, generator, device }));
    }
  });

  it('randint and random_ for every integer and float dtype', () => {
    for (const dtype of ['int64', 'int32', 'uint8', 'float32', 'float64'] as DType[]) {
      for (const n of [1, 5, 4097, 100_001]) {
        const [lo, hi] = dtype === 'uint8' ? [3, 250] : [-100, 1_000_003];
        twin(`randint ${dtype} n=${n}`, (generator, device) => randint(lo, hi, [n], { dtype, generator, device }), 5, 1);
        twin(`random_ ${dtype} n=${n}`, (generator, device) => random_(zeros([n], { dtype, device }), { generator }), 6);
      }
    }
    twin('random_ bool', (generator, device) => random_(zeros([999], { dtype: 'bool', device }), { generator }));
    twin('randint int64 full range', (generator, device) =>
      randint(-(2 ** 53), 2 ** 53, [4099], { generator, device }));
  });

  it('in-place fills, contiguous and strided', () => {
    for (const dtype of FLOATS) {
      const mk = (device: 'cpu' | 'cuda') => zeros([64, 33], { dtype, device }).t();
      twin(`uniform_ strided ${dtype}`, (generator, device) => uniform_(mk(device), -1, 2, { generator }));
      twin(`normal_ strided ${dtype}`, (generator, device) => normal_(mk(device), 0, 3, { generator }));
      twin(`exponential_ ${dtype}`, (generator, device) => exponential_(zeros([3001], { dtype, device }), 0.5, { generator }));
      twin(`bernoulli_ p ${dtype}`, (generator, device) => bernoulli_(zeros([3001], { dtype, device }), 0.3, { generator }));
      twin(`bernoulli_ tensor p ${dtype}`, (generator, device) =>
        bernoulli_(zeros([40, 50], { dtype, device }), rand([50], { dtype, device, generator: new Generator().manualSeed(1) }), { generator }));
    }
  });

  it('tensor-parameter samplers: bernoulli, normal, uniform, exponential (broadcast and strided)', () => {
    for (const dtype of FLOATS) {
      const params = (device: 'cpu' | 'cuda') => {
        const g = new Generator().manualSeed(99);
        const p = rand([300, 7], { dtype, generator: g, device });
        const m = randn([7], { dtype, generator: g, device });
        const s = rand([300, 1], { dtype, generator: g, device });
        return { p, m, s };
      };
      twin(`bernoulli ${dtype}`, (generator, device) => bernoulli(params(device).p, { generator }));
      twin(`bernoulli p= ${dtype}`, (generator, device) => bernoulli(params(device).p, { p: 0.7, generator }));
      twin(`normal tensors ${dtype}`, (generator, device) => {
        const { m, s } = params(device);
        return normal(m, s, undefined, { generator });
      });
      twin(`normal transposed ${dtype}`, (generator, device) => normal(params(device).p.t(), 2, undefined, { generator }));
      twin(`uniform tensors ${dtype}`, (generator, device) => {
        const { p, m } = params(device);
        return uniform(m.sub(3), p.add(4), undefined, { generator });
      });
      twin(`exponential tensor ${dtype}`, (generator, device) => exponential(params(device).p.add(0.1), { generator }));
    }
  });

  it('rejection samplers: gamma, poisson, binomial, beta, over their whole parameter ranges', () => {
    for (const dtype of FLOATS) {
      for (const n of [1, 7, 1000, 100_003]) {
        const span = (device: 'cpu' | 'cuda', lo: number, hi: number) =>
          // log-spaced parameters lo .. hi, repeated to n elements
          tensor(Array.from({ length: n }, (_, i) => lo * (hi / lo) ** ((i % 97) / 96)), { dtype: 'float64' }).to(dtype).to(device);
        twin(`standardGamma ${dtype} n=${n}`, (generator, device) => standardGamma(span(device, 1e-3, 1e4), { generator }), 21);
        twin(`poisson ${dtype} n=${n}`, (generator, device) => poisson(span(device, 1e-2, 1e7), { generator }), 22);
        twin(`beta ${dtype} n=${n}`, (generator, device) => beta(span(device, 1e-2, 1e3), span(device, 1e3, 1e-2), { generator }), 23);
        twin(`binomial ${dtype} n=${n}`, (generator, device) =>
          binomial(span(device, 1, 1e6).floor(), span(device, 1e-4, 0.999), { generator }), 24);
      }
    }
    twin('poisson zeros', (generator, device) => poisson(zeros([17], { device }), { generator }));
    twin('binomial broadcast', (generator, device) =>
      binomial(tensor([[0], [5], [40], [1000]], { device }), tensor([0, 0.1, 0.5, 0.9, 1], { device }), { generator }));
    twin('beta numbers', (generator, device) => beta(tensor([0.5, 2, 9], { device }), 3, { generator }));
  });

  it('dirichlet rows, including tiny concentrations', () => {
    for (const dtype of FLOATS) {
      for (const [rows, k] of [[1, 1], [1, 5], [37, 3], [1000, 17], [3, 5000]]) {
        twin(`dirichlet ${dtype} ${rows}x${k}`, (generator, device) => {
          const a = rand([rows, k], { dtype, device, generator: new Generator().manualSeed(rows * k) }).mul(3).add(0.001);
          return dirichlet(a, { generator });
        }, 31, 1);
      }
      twin(`dirichlet tiny ${dtype}`, (generator, device) => dirichlet(full([4, 3], 1e-3, { dtype, device }), { generator }));
    }
  });

  it('randperm at every size is the CPU permutation, and a permutation', () => {
    for (const n of [0, 1, 2, 3, 17, 1000, 4096, 4097, 100_000, 1_000_003]) {
      twin(`randperm ${n}`, (generator, device) => randperm(n, { generator, device }), 41, n % 3);
      const p = randperm(n, { device: 'cuda' }).to('cpu').data() as BigInt64Array;
      const seen = new Uint8Array(n);
      for (const v of p) seen[Number(v)]++;
      expect(seen.every((c) => c === 1), `randperm ${n} is a permutation`).toBe(true);
    }
    for (const dtype of ['int32', 'float32', 'float64', 'uint8'] as DType[]) {
      twin(`randperm ${dtype}`, (generator, device) => randperm(200, { dtype, generator, device }));
    }
  });

  it('multinomial with and without replacement', () => {
    for (const dtype of FLOATS) {
      for (const [rows, k, ns] of [[1, 1, 1], [1, 6, 4], [5, 6, 6], [300, 50, 10], [2, 20_000, 100], [4000, 3, 2]]) {
        const base = (device: 'cpu' | 'cuda') =>
          rand([rows, k], { dtype, device, generator: new Generator().manualSeed(k + 1) }).add(0.01);
        // About a fifth of the categories zeroed; column 0 keeps every row's sum positive.
        const sparse = (device: 'cpu' | 'cuda') => {
          const p = base(device);
          const first = tensor(Array.from({ length: k }, (_, j) => (j === 0 ? 0.5 : 0)), { dtype, device });
          return where(p.gt(0.2), p, 0).add(first);
        };
        twin(`multinomial replacement ${dtype} ${rows}x${k} n=${ns}`, (generator, device) =>
          multinomial(sparse(device), ns * 3, { replacement: true, generator }));
        twin(`multinomial ${dtype} ${rows}x${k} n=${ns}`, (generator, device) =>
          multinomial(base(device), ns, { generator }));
      }
    }
    twin('multinomial 1-d with zeros', (generator, device) =>
      multinomial(tensor([0, 0.2, 0, 0.5, 0.3, 0], { device }), 3, { generator }));
    twin('multinomial 1-d with zeros, replacement', (generator, device) =>
      multinomial(tensor([0, 0.2, 0, 0.5, 0.3, 0], { device }), 1000, { replacement: true, generator }));
    const s = multinomial(tensor([[0, 1, 0, 2, 0, 3]], { device: 'cuda' }), 3).to('cpu').data() as BigInt64Array;
    expect([...s].map(Number).sort()).toEqual([1, 3, 5]);
  });

  it('empty tensors', () => {
    twin('standardGamma empty', (generator, device) => standardGamma(zeros([0, 3], { device }), { generator }));
    twin('poisson empty', (generator, device) => poisson(zeros([2, 0], { dtype: 'float64', device }), { generator }));
    twin('dirichlet no rows', (generator, device) => dirichlet(zeros([0, 3], { device }).add(1), { generator }));
    twin('multinomial no rows', (generator, device) => multinomial(zeros([0, 4], { device }).add(1), 2, { generator }));
    twin('normal_ empty', (generator, device) => normal_(zeros([0], { device }), 0, 1, { generator }));
  });

  it('invalid parameters throw the CPU messages', () => {
    const both = (f: (device: 'cpu' | 'cuda') => unknown): void => {
      let msg = '';
      try {
        f('cpu');
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).not.toBe('');
      expect(() => f('cuda')).toThrow(msg);
    };
    both((device) => standardGamma(tensor([1, 2, -1, 3], { device })));
    both((device) => poisson(tensor([1, NaN], { device })));
    both((device) => binomial(tensor([2.5], { device }), tensor([0.5], { device })));
    both((device) => binomial(tensor([3], { device }), tensor([1.5], { device })));
    both((device) => beta(tensor([1, 0], { device }), tensor([1, 1], { device })));
    both((device) => bernoulli(tensor([0.5, 1.5], { device })));
    both((device) => normal(tensor([0, 0], { device }), tensor([1, -1], { device })));
    both((device) => exponential(tensor([0], { device })));
    both((device) => uniform(tensor([2], { device }), tensor([1], { device })));
    both((device) => dirichlet(tensor([[1, 2], [0, 1]], { device })));
    both((device) => multinomial(tensor([[1, 2], [-1, 1]], { device }), 1));
    both((device) => multinomial(tensor([[1, 2], [0, 0]], { device }), 1));
    both((device) => multinomial(tensor([[1, 2, 0], [0, 0, 1]], { device }), 2));
    both((device) => multinomial(tensor([[1, Infinity]], { device }), 1, { replacement: true }));
  });

  it('the reparameterisation gradients agree with the CPU', () => {
    for (const dtype of FLOATS) {
      const g = new Generator().manualSeed(5);
      const alpha = rand([2000], { dtype, generator: g }).mul(20).add(0.01);
      const b = rand([2000], { dtype, generator: g }).mul(5).add(0.01);
      const x = standardGamma(alpha, { generator: g });
      const y = beta(alpha, b, { generator: g });
      const tol = dtype === 'float64' ? 1e-10 : 1e-5;
      const close = (gpu: Tensor, cpu: Tensor) => {
        const a = gpu.to('cpu').data() as Float64Array, c = cpu.data() as Float64Array;
        for (let i = 0; i < c.length; i++) expect(Math.abs(a[i]! - c[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(c[i]!)));
      };
      close(standardGammaGrad(x.cuda(), alpha.cuda()), standardGammaGrad(x, alpha));
      close(betaGrad(y.cuda(), alpha.cuda(), b.cuda()), betaGrad(y, alpha, b));
      close(betaGrad(y.cuda(), alpha.cuda(), b.cuda().reshape([1, 2000])), betaGrad(y, alpha, b.reshape([1, 2000])));
    }
  });
});
