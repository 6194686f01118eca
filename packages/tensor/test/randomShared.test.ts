// The per-element random math is shared by the CPU and CUDA kernels (cpu/randomSamplers.h) and
// uses its own log / exp / sin / cos (cpu/portableMath.h) so both devices give the same bits.
// These CPU tests pin what that math gives against the values the CPU drew with the C library's
// functions (golden/randomSamplers.json, recorded before the switch): integer-valued draws
// (randint, bernoulli, poisson, binomial, randperm, multinomial) are identical, continuous ones
// agree to the last bits, and the functions themselves are checked against JS's Math (fdlibm).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Generator,
  bernoulli,
  beta,
  binomial,
  dirichlet,
  exponential,
  full,
  manualSeed,
  multinomial,
  normal,
  philox4x32,
  poisson,
  rand,
  randint,
  randn,
  randperm,
  standardGamma,
  tensor,
  uniform,
  type Tensor,
} from '../src/index.js';

const golden = JSON.parse(readFileSync(new URL('./golden/randomSamplers.json', import.meta.url), 'utf8')) as Record<string, number[]>;

const arr = (t: Tensor): number[] => Array.from(t.data() as ArrayLike<number | bigint>, Number);
const f64 = { dtype: 'float64' as const };

/** Draws in the order the golden file was recorded. */
function draw(): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  manualSeed(1234);
  out.randnF32 = arr(randn([11]));
  out.randnF64 = arr(randn([11], f64));
  out.randF32 = arr(rand([9]));
  out.randF64 = arr(rand([9], f64));
  out.expF32 = arr(exponential(2, [9]));
  out.expF64 = arr(exponential(2, [9], f64));
  out.randint = arr(randint(-50, 1000, [9]));
  out.bernoulliP = arr(bernoulli(full([13], 0, f64), { p: 0.3 }));
  out.gamma = arr(standardGamma(tensor([0.1, 0.5, 1, 2.5, 10, 100, 1e-3, 7], f64)));
  out.poisson = arr(poisson(tensor([0, 0.5, 3, 9.9, 10, 50, 1000, 1e6], f64)));
  out.binomial = arr(binomial(tensor([0, 5, 20, 100, 1000, 1e6, 37, 3], f64), tensor([0.1, 0.3, 0.5, 0.7, 0.95, 0.4, 0.999, 1], f64)));
  out.beta = arr(beta(tensor([0.5, 1, 2, 30, 0.01], f64), tensor([0.5, 3, 2, 0.1, 0.02], f64)));
  out.dirichlet = arr(dirichlet(tensor([[0.5, 1, 2], [0.01, 0.1, 5]], f64)));
  out.randperm = arr(randperm(21));
  out.multinomialR = arr(multinomial(tensor([[0.1, 0, 0.3, 0.2, 0.4, 0], [1, 2, 3, 4, 5, 6]], f64), 7, { replacement: true }));
  out.multinomialN = arr(multinomial(tensor([[0.1, 0, 0.3, 0.2, 0.4, 0], [1, 2, 3, 4, 5, 6]], f64), 4));
  out.normalT = arr(normal(tensor([0, 1, -2, 5], f64), tensor([1, 0.5, 2, 0], f64)));
  out.uniformT = arr(uniform(tensor([0, 1, -2], f64), tensor([1, 4, 2], f64)));
  out.expT = arr(exponential(tensor([0.5, 1, 3], f64)));
  out.gammaF32 = arr(standardGamma(tensor([0.3, 2, 9])));
  return out;
}

const EXACT = ['randF32', 'randF64', 'randint', 'bernoulliP', 'poisson', 'binomial', 'randperm', 'multinomialR', 'multinomialN', 'uniformT'];
const F32 = ['randnF32', 'expF32', 'gammaF32'];

describe('shared random math gives the CPU results it gave with the C library', () => {
  const now = draw();

  it('integer-valued and purely arithmetic draws are identical', () => {
    for (const k of EXACT) expect(now[k], k).toEqual(golden[k]);
  });

  it('continuous draws agree to the last bits', () => {
    for (const k of Object.keys(golden)) {
      if (EXACT.includes(k)) continue;
      // float32 fills used to compute in float (logf, cosf of a float angle: a few float ulps of
      // error, which the double computation no longer has); float64 differ by libm's last bits.
      const tol = (v: number) => (F32.includes(k) ? 2e-6 * (1 + Math.abs(v)) : 1e-13 * Math.abs(v) + 1e-300);
      const a = now[k]!, b = golden[k]!;
      expect(a.length, k).toBe(b.length);
      for (let i = 0; i < b.length; i++) {
        expect(Math.abs(a[i]! - b[i]!), `${k}[${i}]: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol(b[i]!));
      }
    }
  });

  it('float64 normal and exponential draws are Box-Muller and inversion on the Philox words', () => {
    // Element pair (2b, 2b + 1) of a float64 randn comes from flat block b: radius from words 0-1
    // (open interval), angle from words 2-3, as cpu/randomSamplers.h documents.
    const g = new Generator().manualSeed(77);
    const seed = 77;
    const z = randn([64], { dtype: 'float64', generator: g }).data() as Float64Array;
    const e = exponential(1, [64], { dtype: 'float64', generator: g }).data() as Float64Array;
    const key = [seed, 0];
    const u53 = (a: number, b: number) => ((a >>> 5) * 67108864 + (b >>> 6)) * 1.1102230246251565e-16;
    const open53 = (a: number, b: number) => ((a >>> 5) * 67108864 + (b >>> 6) + 0.5) * 1.1102230246251565e-16;
    for (let b = 0; b < 32; b++) {
      const w = philox4x32([b, 0, 0, 0], key);
      const rad = Math.sqrt(-2 * Math.log(open53(w[0]!, w[1]!)));
      const th = 2 * Math.PI * u53(w[2]!, w[3]!);
      for (const [got, want] of [[z[2 * b]!, rad * Math.cos(th)], [z[2 * b + 1]!, rad * Math.sin(th)]]) {
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-15 * (1 + Math.abs(want)) * 8);
      }
    }
    // The exponential fill started after randn's 32 blocks.
    for (let b = 0; b < 32; b++) {
      const w = philox4x32([32 + b, 0, 0, 0], key);
      for (let j = 0; j < 2; j++) {
        const want = -Math.log(open53(w[2 * j]!, w[2 * j + 1]!));
        expect(Math.abs(e[2 * b + j]! - want)).toBeLessThanOrEqual(4e-16 * Math.abs(want));
      }
    }
  });
});
