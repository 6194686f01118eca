import { describe, expect, it } from 'vitest';
import { empty, eye, Generator, manualSeed, rand, tensor, zeros, type Tensor } from '@cinder/tensor';
import { init, nn } from '../src/index.js';

/** Mean, standard deviation, min and max, accumulated in float64. */
function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const d = t.contiguous().data() as Float32Array | Float64Array;
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of d) {
    s += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / d.length;
  let ss = 0;
  for (const v of d) ss += (v - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (d.length - 1)), min, max };
}

const erf = (x: number): number => tensor([x], { dtype: 'float64' }).erf().item() as number;
const Phi = (x: number): number => (1 + erf(x / Math.SQRT2)) / 2;
const phi = (x: number): number => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);

describe('fans and gains', () => {
  it('computes fan in and fan out exactly', () => {
    expect(init.calculateFanInAndFanOut(empty([128, 784]))).toEqual([784, 128]);
    expect(init.calculateFanInAndFanOut(empty([16, 8, 3, 5]))).toEqual([120, 240]);
    expect(init.calculateFanInAndFanOut(empty([6, 4, 2, 2, 2]))).toEqual([32, 48]);
    expect(init.calculateCorrectFan(empty([16, 8, 3]), 'fanOut')).toBe(48);
    expect(init.calculateCorrectFan(empty([16, 8, 3]), 'fan_in')).toBe(24);
    expect(() => init.calculateFanInAndFanOut(empty([5]))).toThrow(/fan in and fan out can not be computed for a tensor with fewer than 2 dimensions \(shape \[5\]\)/);
    expect(() => init.calculateCorrectFan(empty([2, 2]), 'fanMiddle' as init.FanMode)).toThrow(/mode 'fanMiddle' is not supported/);
  });

  it("returns PyTorch's gains", () => {
    for (const n of ['linear', 'conv1d', 'conv2d', 'conv3d', 'convTranspose2d', 'conv_transpose3d', 'sigmoid'] as const) expect(init.calculateGain(n)).toBe(1);
    expect(init.calculateGain('tanh')).toBe(5 / 3);
    expect(init.calculateGain('relu')).toBe(Math.sqrt(2));
    expect(init.calculateGain('leakyRelu')).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculateGain('leaky_relu', 0.2)).toBe(Math.sqrt(2 / 1.04));
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('gelu' as init.Nonlinearity)).toThrow(/unsupported nonlinearity 'gelu'/);
  });
});

describe('random initialisers: statistics over large tensors', () => {
  it('uniform_ and normal_', () => {
    manualSeed(0);
    const u = stats(init.uniform_(empty([500, 400]), -2, 4));
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(4);
    expect(u.mean).toBeCloseTo(1, 1);
    expect(u.std / Math.sqrt(3)).toBeCloseTo(1, 2);
    const n = stats(init.normal_(empty([500, 400], { dtype: 'float64' }), 3, 0.5));
    expect(Math.abs(n.mean - 3)).toBeLessThan(0.005);
    expect(Math.abs(n.std / 0.5 - 1)).toBeLessThan(0.01);
  });

  it('kaimingUniform_ / kaimingNormal_ follow gain / sqrt(fan)', () => {
    manualSeed(1);
    // nn.Linear's default: a = sqrt(5) gives bound = 1 / sqrt(fanIn).
    const w = stats(init.kaimingUniform_(empty([256, 1024]), { a: Math.sqrt(5) }));
    expect(w.max).toBeLessThanOrEqual(1 / 32);
    expect(w.min).toBeGreaterThanOrEqual(-1 / 32);
    expect(w.max).toBeGreaterThan(0.99 / 32);
    expect(Math.abs(w.std / (1 / 32 / Math.sqrt(3)) - 1)).toBeLessThan(0.01);
    expect(Math.abs(w.mean)).toBeLessThan(1e-3 / 32 * 40);
    // fanOut mode with relu: std = sqrt(2) / sqrt(fanOut), fanOut = 64 * 9.
    const c = stats(init.kaimingNormal_(empty([64, 512, 3, 3]), { mode: 'fanOut', nonlinearity: 'relu' }));
    expect(Math.abs(c.std / (Math.sqrt(2) / Math.sqrt(576)) - 1)).toBeLessThan(0.01);
    expect(Math.abs(c.mean)).toBeLessThan(0.002);
    expect(() => init.kaimingNormal_(empty([2, 2]), { mode: 'fan' as init.FanMode })).toThrow(/mode 'fan' is not supported/);
    expect(init.kaimingUniform_(empty([0, 3])).shape).toEqual([0, 3]);
  });

  it('xavierUniform_ / xavierNormal_ follow gain * sqrt(2 / (fanIn + fanOut))', () => {
    manualSeed(2);
    const gain = init.calculateGain('tanh');
    const std = gain * Math.sqrt(2 / (300 + 700));
    const u = stats(init.xavierUniform_(empty([700, 300]), { gain }));
    expect(u.max).toBeLessThanOrEqual(std * Math.sqrt(3));
    expect(Math.abs(u.std / std - 1)).toBeLessThan(0.01);
    const n = stats(init.xavierNormal_(empty([700, 300])));
    expect(Math.abs(n.std / Math.sqrt(2 / 1000) - 1)).toBeLessThan(0.01);
  });

  it('truncNormal_ stays within the bounds with the truncated distribution\'s moments', () => {
    manualSeed(3);
    for (const [mean, std, a, b] of [[0, 1, -2, 2], [1, 2, 0, 10], [0, 0.02, -0.04, 0.04]] as const) {
      const t = stats(init.truncNormal_(empty([400, 500], { dtype: 'float64' }), mean, std, a, b));
      const al = (a - mean) / std;
      const be = (b - mean) / std;
      const z = Phi(be) - Phi(al);
      const m = mean + (std * (phi(al) - phi(be))) / z;
      const v = std * std * (1 + (al * phi(al) - be * phi(be)) / z - ((phi(al) - phi(be)) / z) ** 2);
      expect(t.min).toBeGreaterThanOrEqual(a);
      expect(t.max).toBeLessThanOrEqual(b);
      expect(Math.abs(t.mean - m)).toBeLessThan(0.01 * std);
      expect(Math.abs(t.std / Math.sqrt(v) - 1)).toBeLessThan(0.01);
    }
    expect(() => init.truncNormal_(empty([2]), 0, 1, 2, 1)).toThrow(/truncNormal_: expected a < b, got a=2 b=1/);
  });

  it('sparse_ zeroes the same fraction of every column', () => {
    manualSeed(4);
    const w = init.sparse_(empty([100, 30]), 0.3, { std: 0.05 });
    const d = w.data() as Float32Array;
    const nonzero: number[] = [];
    for (let c = 0; c < 30; c++) {
      let zerosInCol = 0;
      for (let r = 0; r < 100; r++) {
        const v = d[r * 30 + c]!;
        if (v === 0) zerosInCol++;
        else nonzero.push(v);
      }
      expect(zerosInCol).toBe(30);
    }
    const s = stats(tensor(nonzero));
    expect(Math.abs(s.std / 0.05 - 1)).toBeLessThan(0.05);
  });

  it('is reproducible from the seed or an explicit generator, which leaves the global stream alone', () => {
    manualSeed(5);
    const a = init.kaimingUniform_(empty([4, 4])).toArray();
    manualSeed(5);
    expect(init.kaimingUniform_(empty([4, 4])).toArray()).toEqual(a);
    manualSeed(6);
    const next = rand([3]).toArray();
    manualSeed(6);
    const g = new Generator().manualSeed(9);
    const viaG = init.orthogonal_(empty([4, 4]), { generator: g }).toArray();
    expect(rand([3]).toArray()).toEqual(next);
    expect(init.orthogonal_(empty([4, 4]), { generator: new Generator().manualSeed(9) }).toArray()).toEqual(viaG);
  });
});

describe('orthogonal_', () => {
  const gram = (w: Tensor, rowsFirst: boolean): Tensor => {
    const m = w.reshape([w.shape[0]!, -1]).double();
    return rowsFirst ? m.matmul(m.t()) : m.t().matmul(m);
  };
  const maxDiff = (a: Tensor, b: Tensor): number => a.sub(b).abs().max().item() as number;

  it('gives orthonormal columns (tall), rows (wide, and flattened conv weights), scaled by gain', () => {
    manualSeed(7);
    expect(maxDiff(gram(init.orthogonal_(empty([64, 32])), false), eye(32, { dtype: 'float64' }))).toBeLessThan(1e-5);
    expect(maxDiff(gram(init.orthogonal_(empty([32, 64])), true), eye(32, { dtype: 'float64' }))).toBeLessThan(1e-5);
    expect(maxDiff(gram(init.orthogonal_(empty([8, 2, 3, 3])), true), eye(8, { dtype: 'float64' }))).toBeLessThan(1e-5);
    expect(maxDiff(gram(init.orthogonal_(empty([16, 16], { dtype: 'float64' }), { gain: 2 }), false), eye(16, { dtype: 'float64' }).mul(4))).toBeLessThan(1e-12);
    expect(() => init.orthogonal_(empty([4]))).toThrow(/orthogonal_: only tensors with 2 or more dimensions are supported, got shape \[4\]/);
  });
});

describe('deterministic initialisers', () => {
  it('constant_, zeros_, ones_, eye_', () => {
    expect(init.constant_(empty([2, 2]), 0.5).toArray()).toEqual([[0.5, 0.5], [0.5, 0.5]]);
    expect(init.zeros_(empty([3])).toArray()).toEqual([0, 0, 0]);
    expect(init.ones_(empty([2], { dtype: 'int32' })).toArray()).toEqual([1, 1]);
    expect(init.eye_(empty([2, 3])).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(() => init.eye_(empty([2, 2, 2]))).toThrow(/eye_: only 2-D tensors are supported/);
  });

  it('dirac_ puts a one at the kernel centre of each matching channel pair, per group', () => {
    const w = init.dirac_(empty([4, 2, 3, 3]));
    const ones: number[][] = [];
    const d = w.data() as Float32Array;
    d.forEach((v, i) => {
      if (v !== 0) ones.push([Math.floor(i / 18), Math.floor(i / 9) % 2, Math.floor(i / 3) % 3, i % 3, v]);
    });
    expect(ones).toEqual([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]]);
    const g = init.dirac_(empty([4, 2, 3]), 2).toArray();
    expect(g).toEqual([
      [[0, 1, 0], [0, 0, 0]],
      [[0, 0, 0], [0, 1, 0]],
      [[0, 1, 0], [0, 0, 0]],
      [[0, 0, 0], [0, 1, 0]],
    ]);
    expect(() => init.dirac_(empty([3, 2, 3]), 2)).toThrow(/dirac_: dim 0 \(3\) must be divisible by groups \(2\)/);
    expect(() => init.dirac_(empty([3, 3]))).toThrow(/dirac_: only 3, 4 or 5-D tensors are supported/);
  });
});

describe('on parameters', () => {
  it('fills a parameter that requires grad in place, without recording', () => {
    const p = new nn.Parameter(zeros([3, 5]));
    expect(init.xavierUniform_(p)).toBe(p);
    expect(p.isLeaf && p.requiresGrad && p.gradFn === null).toBe(true);
    expect(() => init.uniform_(zeros([2], { dtype: 'int32' }))).toThrow(/init\.uniform_: expected a floating-point tensor, got int32 of shape \[2\]/);
    expect(() => init.normal_(zeros([2]), 0, -1)).toThrow(/std must be >= 0/);
    expect(() => init.uniform_(null as unknown as Tensor)).toThrow(/init\.uniform_: expected a Tensor, got null/);
  });
});
