/**
 * The fused optimizer updates: one step of each against a float64 JS loop of its rule (every
 * option on and off), strided and expanded operands, the multi-threaded path, version counters,
 * the errors for mismatched shapes and dtypes, unsupported dtypes and missing state, and that
 * every ISA set of the contiguous loops gives the bits of the strided (baseline) path.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { native } from '@cinder/native';
import {
  adagradStep_, adamStep_, empty, manualSeed, randn, rand, rmspropStep_, sgdStep_, tensor, zeros, type DType, type Tensor,
} from '../src/index.js';

const vals = (t: Tensor): number[] => Array.from(t.to('float64').contiguous().data() as Float64Array);

function expectClose(actual: Tensor, expected: number[], rtol: number, what: string): void {
  const a = vals(actual);
  expect(a.length, what).toBe(expected.length);
  // The worst element, relative to max(1, |expected|): one assertion however large the tensor.
  let worst = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(err <= worst)) [worst, at] = [err, i];
  }
  expect(worst, `${what}[${at}]: ${a[at]} vs ${expected[at]}`).toBeLessThanOrEqual(rtol);
}

const RTOL: Record<'float32' | 'float64', number> = { float32: 2e-6, float64: 1e-13 };

interface AdamCase { weightDecay: number; decoupled: boolean; amsgrad: boolean; maximize: boolean }

function adamRef(
  p: number[], g: number[], m: number[], v: number[], vmax: number[], step: number, lr: number, b1: number, b2: number,
  eps: number, c: AdamCase,
): void {
  const bc1 = 1 - b1 ** step;
  const bc2 = 1 - b2 ** step;
  for (let i = 0; i < p.length; i++) {
    let gi = c.maximize ? -g[i]! : g[i]!;
    if (c.decoupled) p[i] = p[i]! * (1 - lr * c.weightDecay);
    else gi += c.weightDecay * p[i]!;
    m[i] = b1 * m[i]! + (1 - b1) * gi;
    v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
    vmax[i] = Math.max(vmax[i]!, v[i]!);
    const vh = c.amsgrad ? vmax[i]! : v[i]!;
    p[i] = p[i]! - (lr / bc1) * (m[i]! / (Math.sqrt(vh) / Math.sqrt(bc2) + eps));
  }
}

describe('adamStep_', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const c of [
      { weightDecay: 0, decoupled: false, amsgrad: false, maximize: false },
      { weightDecay: 0.1, decoupled: false, amsgrad: true, maximize: false },
      { weightDecay: 0.05, decoupled: true, amsgrad: false, maximize: true },
      { weightDecay: 0.05, decoupled: true, amsgrad: true, maximize: false },
    ]) {
      it(`${dtype} ${JSON.stringify(c)}: three steps match the rule`, () => {
        const param = randn([5, 7], { dtype });
        const m = zeros([5, 7], { dtype });
        const v = zeros([5, 7], { dtype });
        const vmax = zeros([5, 7], { dtype });
        const p = vals(param), rm = vals(m), rv = vals(v), rvm = vals(vmax);
        for (let step = 1; step <= 3; step++) {
          const grad = randn([5, 7], { dtype });
          // A rising then falling gradient scale makes amsgrad's maximum differ from v.
          const gs = grad.mul(step === 2 ? 3 : 1);
          adamRef(p, vals(gs), rm, rv, rvm, step, 1e-2, 0.9, 0.99, 1e-8, c);
          adamStep_(param, gs, m, v, c.amsgrad ? vmax : null, { step, lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, ...c });
        }
        expectClose(param, p, RTOL[dtype], 'param');
        expectClose(m, rm, RTOL[dtype], 'expAvg');
        expectClose(v, rv, RTOL[dtype], 'expAvgSq');
        if (c.amsgrad) expectClose(vmax, rvm, RTOL[dtype], 'maxExpAvgSq');
      });
    }
  }

  it('updates strided views in place and reads expanded gradients', () => {
    const base = randn([6, 4]);
    const param = base.t(); // [4, 6], non-contiguous
    const m = zeros([6, 4]).t();
    const v = zeros([6, 4]).t();
    const grad = randn([1, 6]).expand([4, 6]); // stride 0 along dim 0
    const p = vals(param), rm = vals(m), rv = vals(v);
    adamRef(p, vals(grad), rm, rv, rv.slice(), 1, 0.1, 0.9, 0.999, 1e-8, { weightDecay: 0.01, decoupled: false, amsgrad: false, maximize: false });
    const before = base._st.version;
    const out = adamStep_(param, grad, m, v, null, { step: 1, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
    expect(out).toBe(param);
    expect(base._st.version).toBe(before + 1);
    expectClose(param, p, 2e-6, 'param');
    expectClose(m, rm, 2e-6, 'expAvg');
  });

  it('splits large parameters across threads with the same result as element by element', () => {
    const n = 100_003;
    const param = randn([n]);
    const grad = randn([n]);
    const m = randn([n]).mul(0.1);
    const v = rand([n]).mul(0.1);
    const p = vals(param), rm = vals(m), rv = vals(v);
    adamRef(p, vals(grad), rm, rv, rv.slice(), 4, 1e-3, 0.9, 0.999, 1e-8, { weightDecay: 0, decoupled: false, amsgrad: false, maximize: false });
    adamStep_(param, grad, m, v, null, { step: 4, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    expectClose(param, p, 2e-6, 'param');
    expectClose(v, rv, 2e-6, 'expAvgSq');
  });

  it('handles empty and 0-d parameters', () => {
    const e = empty([0, 3]);
    adamStep_(e, empty([0, 3]), empty([0, 3]), empty([0, 3]), null, { step: 1, lr: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const s = tensor(2.0, { dtype: 'float64' });
    adamStep_(s, tensor(0.5, { dtype: 'float64' }), zeros([], { dtype: 'float64' }), zeros([], { dtype: 'float64' }), null,
      { step: 1, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    // First Adam step moves by lr * g / (|g| + eps') = ~lr.
    expect(s.item() as number).toBeCloseTo(1.9, 6);
  });

  it('rejects mismatched shapes and dtypes, unsupported dtypes, expanded state and missing buffers', () => {
    const o = { step: 1, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const p = zeros([2, 3]);
    expect(() => adamStep_(p, zeros([3, 2]), zeros([2, 3]), zeros([2, 3]), null, o)).toThrow(
      'adamStep: grad of shape [3, 2] does not match param of shape [2, 3]',
    );
    expect(() => adamStep_(p, zeros([2, 3], { dtype: 'float64' }), zeros([2, 3]), zeros([2, 3]), null, o)).toThrow(
      'adamStep: grad has dtype float64 but param has dtype float32',
    );
    expect(() => adamStep_(zeros([2], { dtype: 'int32' }), zeros([2], { dtype: 'int32' }), zeros([2], { dtype: 'int32' }),
      zeros([2], { dtype: 'int32' }), null, o)).toThrow('adamStep: param dtype int32 is not supported (float32 and float64 are)');
    expect(() => adamStep_(p, zeros([2, 3]), zeros([1, 3]).expand([2, 3]), zeros([2, 3]), null, o)).toThrow(
      /adamStep: expAvg of shape \[2, 3\] has elements sharing memory/,
    );
    expect(() => adamStep_(p, zeros([2, 3]), zeros([2, 3]), zeros([2, 3]), null, { ...o, amsgrad: true })).toThrow(
      'adamStep_: amsgrad needs the maxExpAvgSq tensor, got null',
    );
    expect(() => adamStep_(p, zeros([2, 3]), zeros([2, 3]), zeros([2, 3]), null, { ...o, step: 0 })).toThrow(
      'adamStep: step must be at least 1, got 0',
    );
    expect(() => adamStep_(p, zeros([2, 3]), zeros([2, 3]), zeros([2, 3]), null, { ...o, lr: undefined as unknown as number })).toThrow(
      'adamStep_: lr must be a number, got undefined',
    );
    expect(() => adamStep_(p, [1, 2] as unknown as Tensor, zeros([2, 3]), zeros([2, 3]), null, o)).toThrow(
      'adamStep_: expected grad to be a Tensor, got object',
    );
  });
});

describe('sgdStep_', () => {
  for (const dtype of ['float32', 'float64'] as DType[]) {
    for (const c of [
      { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
      { momentum: 0, dampening: 0, weightDecay: 0.1, nesterov: false, maximize: true },
      { momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
      { momentum: 0.9, dampening: 0.3, weightDecay: 0.01, nesterov: false, maximize: false },
      { momentum: 0.8, dampening: 0, weightDecay: 0.01, nesterov: true, maximize: true },
    ]) {
      it(`${dtype} ${JSON.stringify(c)}: three steps match the rule`, () => {
        const param = randn([9], { dtype });
        const buf = empty([9], { dtype });
        const p = vals(param);
        let b: number[] = [];
        for (let step = 1; step <= 3; step++) {
          const grad = randn([9], { dtype });
          const g = vals(grad);
          for (let i = 0; i < 9; i++) {
            let d = (c.maximize ? -g[i]! : g[i]!) + c.weightDecay * p[i]!;
            if (c.momentum !== 0) {
              b[i] = step === 1 ? d : c.momentum * b[i]! + (1 - c.dampening) * d;
              d = c.nesterov ? d + c.momentum * b[i]! : b[i]!;
            }
            p[i] = p[i]! - 0.05 * d;
          }
          sgdStep_(param, grad, c.momentum !== 0 ? buf : null, { lr: 0.05, ...c, initBuffer: step === 1 });
        }
        expectClose(param, p, RTOL[dtype as 'float32'], 'param');
        if (c.momentum !== 0) expectClose(buf, b, RTOL[dtype as 'float32'], 'momentumBuffer');
        b = [];
      });
    }
  }

  it('bumps versions and checks its operands', () => {
    const p = zeros([3]);
    const buf = zeros([3]);
    const v = [p._st.version, buf._st.version];
    sgdStep_(p, tensor([1, 2, 3], { dtype: 'float32' }), buf, { lr: 0.1, momentum: 0.5, initBuffer: true });
    expect([p._st.version, buf._st.version]).toEqual([v[0]! + 1, v[1]! + 1]);
    expect(vals(p)).toEqual([-0.1, -0.2, -0.3].map(Math.fround));
    expect(() => sgdStep_(p, zeros([3]), null, { lr: 0.1, momentum: 0.9 })).toThrow('sgdStep_: momentum needs the momentumBuffer tensor, got null');
    expect(() => sgdStep_(p, zeros([3]), zeros([4]), { lr: 0.1, momentum: 0.9 })).toThrow(
      'sgdStep: momentumBuffer of shape [4] does not match param of shape [3]',
    );
    expect(() => sgdStep_(zeros([3], { dtype: 'float16' }), zeros([3], { dtype: 'float16' }), null, { lr: 0.1 })).toThrow(
      'sgdStep: param dtype float16 is not supported (float32 and float64 are)',
    );
  });
});

describe('rmspropStep_', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const c of [
      { weightDecay: 0, momentum: 0, centered: false, maximize: false },
      { weightDecay: 0.1, momentum: 0.9, centered: false, maximize: false },
      { weightDecay: 0, momentum: 0, centered: true, maximize: true },
      { weightDecay: 0.01, momentum: 0.5, centered: true, maximize: false },
    ]) {
      it(`${dtype} ${JSON.stringify(c)}: three steps match the rule`, () => {
        const n = 8;
        const param = randn([n], { dtype });
        const sq = zeros([n], { dtype }), ga = zeros([n], { dtype }), buf = zeros([n], { dtype });
        const p = vals(param), s = new Array(n).fill(0), a = new Array(n).fill(0), b = new Array(n).fill(0);
        const lr = 0.01, alpha = 0.9, eps = 1e-6;
        for (let step = 1; step <= 3; step++) {
          const grad = randn([n], { dtype });
          const g = vals(grad);
          for (let i = 0; i < n; i++) {
            const gi = (c.maximize ? -g[i]! : g[i]!) + c.weightDecay * p[i]!;
            s[i] = alpha * s[i] + (1 - alpha) * gi * gi;
            let avg: number;
            if (c.centered) {
              a[i] = alpha * a[i] + (1 - alpha) * gi;
              avg = Math.sqrt(s[i] - a[i] * a[i]) + eps;
            } else avg = Math.sqrt(s[i]) + eps;
            if (c.momentum > 0) {
              b[i] = c.momentum * b[i] + gi / avg;
              p[i] = p[i]! - lr * b[i];
            } else p[i] = p[i]! - (lr * gi) / avg;
          }
          rmspropStep_(param, grad, sq, c.centered ? ga : null, c.momentum > 0 ? buf : null, { lr, alpha, eps, ...c });
        }
        // Centred RMSprop divides by sqrt(s - a^2): float32 cancellation there costs a few ulps more.
        expectClose(param, p, dtype === 'float32' ? 1e-5 : 1e-12, 'param');
        expectClose(sq, s, RTOL[dtype], 'squareAvg');
        if (c.centered) expectClose(ga, a, RTOL[dtype], 'gradAvg');
        if (c.momentum > 0) expectClose(buf, b, dtype === 'float32' ? 1e-5 : 1e-12, 'momentumBuffer');
      });
    }
  }

  it('checks its operands', () => {
    const o = { lr: 0.01, alpha: 0.99, eps: 1e-8 };
    expect(() => rmspropStep_(zeros([2]), zeros([2]), zeros([2]), null, null, { ...o, centered: true })).toThrow(
      'rmspropStep_: centered needs the gradAvg tensor, got null',
    );
    expect(() => rmspropStep_(zeros([2]), zeros([2]), zeros([2], { dtype: 'float64' }), null, null, o)).toThrow(
      'rmspropStep: squareAvg has dtype float64 but param has dtype float32',
    );
  });
});

describe('adagradStep_', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const c of [
      { weightDecay: 0, lrDecay: 0, maximize: false },
      { weightDecay: 0.1, lrDecay: 0.01, maximize: true },
    ]) {
      it(`${dtype} ${JSON.stringify(c)}: three steps match the rule`, () => {
        const n = 6;
        const param = randn([n], { dtype });
        const sum = zeros([n], { dtype }).add(0.1);
        const p = vals(param), s = vals(sum);
        const lr = 0.1, eps = 1e-10;
        for (let step = 1; step <= 3; step++) {
          const grad = randn([n], { dtype });
          const g = vals(grad);
          const clr = lr / (1 + (step - 1) * c.lrDecay);
          for (let i = 0; i < n; i++) {
            const gi = (c.maximize ? -g[i]! : g[i]!) + c.weightDecay * p[i]!;
            s[i] = s[i]! + gi * gi;
            p[i] = p[i]! - (clr * gi) / (Math.sqrt(s[i]!) + eps);
          }
          adagradStep_(param, grad, sum, { step, lr, eps, ...c });
        }
        expectClose(param, p, RTOL[dtype], 'param');
        expectClose(sum, s, RTOL[dtype], 'stateSum');
      });
    }
  }

  it('checks its operands', () => {
    expect(() => adagradStep_(zeros([2]), zeros([2]), zeros([2, 1]), { step: 1, lr: 0.1, eps: 1e-10 })).toThrow(
      'adagradStep: stateSum of shape [2, 1] does not match param of shape [2]',
    );
  });
});

/** Every update variant on a strided layout and on the same values laid out contiguously. */
function layoutsAgree(dtype: 'float32' | 'float64'): string[] {
  const bad: string[] = [];
  const n = 40_000; // above the parallel grain, with an odd tail
  const cols = 3;
  const steps: [string, (p: Tensor, g: Tensor, s: Tensor[]) => void][] = [
    ['adam', (p, g, s) => adamStep_(p, g, s[0]!, s[1]!, null, { step: 3, lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 })],
    ['adamw amsgrad', (p, g, s) => adamStep_(p, g, s[0]!, s[1]!, s[2]!, { step: 2, lr: 1e-2, beta1: 0.8, beta2: 0.9, eps: 1e-6, weightDecay: 0.1, decoupled: true, amsgrad: true, maximize: true })],
    ['sgd nesterov', (p, g, s) => sgdStep_(p, g, s[0]!, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ['sgd', (p, g) => sgdStep_(p, g, null, { lr: 0.1, maximize: true })],
    ['rmsprop centered momentum', (p, g, s) => rmspropStep_(p, g, s[0]!, s[1]!, s[2]!, { lr: 0.01, alpha: 0.9, eps: 1e-8, momentum: 0.5, centered: true, weightDecay: 0.1 })],
    ['rmsprop momentum', (p, g, s) => rmspropStep_(p, g, s[0]!, null, s[2]!, { lr: 0.01, alpha: 0.9, eps: 1e-8, momentum: 0.5 })],
    ['adagrad', (p, g, s) => adagradStep_(p, g, s[0]!, { step: 4, lr: 0.1, lrDecay: 0.01, eps: 1e-10, weightDecay: 0.1 })],
  ];
  for (const [name, run] of steps) {
    manualSeed(11);
    // Strided: every operand is column 1 of an [n, 3] tensor.
    const make = (): Tensor => randn([n, cols], { dtype }).select(1, 1);
    const sp = make(), sg = make();
    const ss = [make(), rand([n, cols], { dtype }).select(1, 1), rand([n, cols], { dtype }).select(1, 1)];
    const cp = sp.contiguous(), cg = sg.contiguous(), cs = ss.map((t) => t.contiguous());
    run(sp, sg, ss);
    run(cp, cg, cs);
    const same = (a: Tensor, b: Tensor): boolean => {
      const x = a.contiguous().data(), y = b.data();
      return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
    };
    if (!same(sp, cp) || !ss.every((t, i) => same(t, cs[i]!))) bad.push(name);
  }
  return bad;
}

const optimArch = (native as unknown as { optimArch(): string }).optimArch();

describe(`the ISA sets (this process: ${optimArch})`, () => {
  it('contiguous loops give the same bits as the strided path, float32 and float64', () => {
    expect(layoutsAgree('float32')).toEqual([]);
    expect(layoutsAgree('float64')).toEqual([]);
  });
});

// The process picks its loop set once; the other sets this CPU runs are checked in child runs
// of this file (CINDER_OPTIM_ARCH falls back to a lower set when the CPU lacks the one named).
describe.runIf(process.env.CINDER_OPTIM_ARCH === undefined)('the other ISA sets', () => {
  for (const arch of ['avx2', 'generic']) {
    it(`${arch} passes the same checks`, () => {
      const here = dirname(fileURLToPath(import.meta.url));
      const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
      const r = spawnSync(process.execPath, [vitest, 'run', join(here, 'optim.test.ts')], {
        cwd: join(here, '..'), env: { ...process.env, CINDER_OPTIM_ARCH: arch }, encoding: 'utf8',
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`.slice(-4000)).toBe(0);
    }, 120_000);
  }
});
