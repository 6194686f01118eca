/**
 * The vectorised float32 kernels (native/src/cpu/vecmath*) against float64 references computed
 * by the scalar float64 path, over edge values and millions of inputs spread across the range.
 * Errors are counted in float32 ulps (the distance between the two values in the ordered bit
 * space, so subnormals count at their own spacing).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cos, erf, exp, expm1, gelu, log, log1p, sigmoid, silu, sin, softplus, tanh, tensor, type Tensor } from '../src/index.js';

const EDGES = [
  NaN, -NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 1.1754944e-38,
  5.9e-39, -5.9e-39, 1e-30, -1e-30, 1e-10, -1e-10, 3e-8, -3e-8, 6e-8, -6e-8, 2.9802322e-8, 1e-4, -1e-4,
  88.72283, 88.72284, 88.7, 88.0, 89, 90, -87.33654, -87.4, -88, -100, -103.97, -104, -105, -150, 3.4028235e38,
  -3.4028235e38, 1e38, -1e38, 1e20, -1e20, 16, -16, 17.33, -17.33, 20, -20, 25, -25, 0.625, -0.625, 0.9, -0.9,
  3.92, -3.92, 4, -4, 9, -9, 10, -10, 0.34657359, -0.34657359, 0.7071067, 1.4142135, -0.9999999, -1 + 6e-8,
  Math.PI / 2, -Math.PI / 2, Math.PI, 2 * Math.PI, 100 * Math.PI, 1e5 * Math.PI, 1048575.9, 1048576, 1048577, -1048577,
  2 ** 22 + 1, 2 ** 30, 1e10, 0.7853982, -0.7853982,
];

/** Deterministic float32 inputs: the edges, random bit patterns (every exponent), and dense ranges. */
function inputs(): Float32Array {
  let s = 0x9e3779b9 >>> 0;
  const next = (): number => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
  const nBits = 1 << 20, nRange = 1 << 20;
  const out = new Float32Array(EDGES.length + nBits + 4 * nRange);
  out.set(EDGES);
  const bits = new Uint32Array(out.buffer, EDGES.length * 4, nBits);
  for (let i = 0; i < nBits; i++) bits[i] = next();
  let o = EDGES.length + nBits;
  for (const [lo, hi] of [[-1, 1], [-12, 12], [-110, 110]] as const)
    for (let i = 0; i < nRange; i++) out[o++] = lo + ((hi - lo) * next()) / 2 ** 32;
  // Logarithmically spread positive values for log and log1p.
  for (let i = 0; i < nRange; i++) out[o++] = 2 ** (-149 + (277 * next()) / 2 ** 32);
  return out;
}

/** Floats nearest to multiples of pi/2, where range reduction loses the most, up to 2^21. */
function nearHalfPi(): Float32Array {
  const out: number[] = [];
  for (let k = 1; k < 1 << 21; k = Math.ceil(k * 1.01)) {
    const c = Math.fround(k * (Math.PI / 2));
    out.push(c, -c, Math.fround(c * (1 + 2 ** -23)), Math.fround(c * (1 - 2 ** -24)));
  }
  return Float32Array.from(out);
}

const ordered = (f: number): number => {
  const b = new Int32Array(new Float32Array([f]).buffer)[0]!;
  return b < 0 ? -(b & 0x7fffffff) : b;
};
const f32 = new Float32Array(1), i32 = new Int32Array(f32.buffer);
function ulpDist(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return Object.is(a, b) || a !== 0 ? 0 : 1; // a signed-zero mismatch counts as an ulp
  f32[0] = a; const ia = i32[0]!; f32[0] = b; const ib = i32[0]!;
  const oa = ia < 0 ? -(ia & 0x7fffffff) : ia, ob = ib < 0 ? -(ib & 0x7fffffff) : ib;
  return Math.abs(oa - ob);
}
void ordered;

interface Spec {
  name: string;
  fn: (x: Tensor) => Tensor;
  ulp: number;
  /** Extra absolute slack where the float32 formula itself loses accuracy (x is the input). */
  atol?: (x: number) => number;
}
const tiny = (): number => 1e-37;
const specs: Spec[] = [
  { name: 'exp', fn: exp, ulp: 2 },
  { name: 'expm1', fn: expm1, ulp: 3 },
  { name: 'log', fn: log, ulp: 2 },
  { name: 'log1p', fn: log1p, ulp: 3 },
  { name: 'tanh', fn: tanh, ulp: 4 },
  { name: 'sigmoid', fn: sigmoid, ulp: 3, atol: tiny },
  { name: 'silu', fn: silu, ulp: 3, atol: tiny },
  { name: 'erf', fn: erf, ulp: 4 },
  { name: 'sin', fn: sin, ulp: 2 },
  { name: 'cos', fn: cos, ulp: 2 },
  { name: 'softplus', fn: (x) => softplus(x), ulp: 4, atol: tiny },
  { name: 'softplus(beta=2, threshold=5)', fn: (x) => softplus(x, { beta: 2, threshold: 5 }), ulp: 4, atol: tiny },
  // 1 + erf(x / sqrt 2) and u = sqrt(2/pi) (x + 0.044715 x^3) are rounded to float32 first, as in
  // the scalar formula: an error of an ulp of 1 (resp. of u) times |x|.
  { name: 'gelu', fn: (x) => gelu(x), ulp: 4, atol: (x) => 1.2e-7 * Math.abs(x) + 1e-37 },
  { name: 'gelu tanh', fn: (x) => gelu(x, { approximate: 'tanh' }), ulp: 8, atol: (x) => 3e-7 * Math.abs(x) + 1e-37 },
];

describe('vectorised float32 unary kernels', () => {
  const xs = (() => {
    const a = inputs(), b = nearHalfPi();
    const c = new Float32Array(a.length + b.length);
    c.set(a);
    c.set(b, a.length);
    return c;
  })();
  const x32 = tensor(xs, { dtype: 'float32', shape: [xs.length] });
  const x64 = tensor(Float64Array.from(xs), { dtype: 'float64', shape: [xs.length] });
  for (const s of specs) {
    it(`${s.name} is within ${s.ulp} ulp of the float64 result rounded to float32`, () => {
      const got = s.fn(x32).data() as Float32Array;
      const ref = s.fn(x64).data() as Float64Array;
      let worst = 0, worstAt = -1;
      for (let i = 0; i < xs.length; i++) {
        const r = Math.fround(ref[i]!);
        const d = ulpDist(got[i]!, r);
        if (d <= s.ulp) continue;
        if (s.atol && Math.abs(got[i]! - ref[i]!) <= s.atol(xs[i]!)) continue;
        if (d > worst) { worst = d; worstAt = i; }
      }
      const msg = worstAt < 0 ? '' : `x=${xs[worstAt]} got ${got[worstAt]} want ${ref[worstAt]} (${worst} ulp)`;
      expect(msg).toBe('');
    });
  }

  it('strided inputs give the same bits as contiguous ones', () => {
    const n = 3001;
    const base = tensor(xs.subarray(0, 2 * n), { dtype: 'float32', shape: [n, 2] });
    const col = base.select(1, 0);
    for (const s of specs) {
      const a = s.fn(col).data() as Float32Array;
      const b = s.fn(col.contiguous()).data() as Float32Array;
      expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), s.name).toBe(true);
    }
  });
});

// The process picks its kernel set once; the other sets this CPU runs are checked in child runs
// of this file (CINDER_VECMATH_ARCH falls back to a lower set when the CPU lacks the one named).
describe.runIf(process.env.CINDER_VECMATH_ARCH === undefined)('the other ISA kernel sets', () => {
  for (const arch of ['avx2', 'generic']) {
    it(`${arch} passes the same checks`, () => {
      const here = dirname(fileURLToPath(import.meta.url));
      const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
      const r = spawnSync(process.execPath, [vitest, 'run', join(here, 'vecmath.test.ts')], {
        cwd: join(here, '..'), env: { ...process.env, CINDER_VECMATH_ARCH: arch }, encoding: 'utf8',
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`.slice(-4000)).toBe(0);
    }, 120_000);
  }
});
