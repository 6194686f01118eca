// The CUDA norms, optimizer updates and recurrent layers against their CPU twins on the same
// inputs: batch norm (short rows through the column-tiled statistics, long rows split over
// blocks, training and evaluation, running statistics, every output mask), layer norm (rows per
// warp and per block), group norm, the fused optimizer steps (bit for bit: both devices round
// every operation the same way; contiguous, misaligned, strided and expanded operands, every
// variant), and the recurrent layers forward and backward (every mode, both directions).
// Runs only where a GPU is present.
import { describe, expect, it } from 'vitest';
import {
  adagradStep_,
  adamStep_,
  cuda,
  manualSeed,
  nativeBatchNorm,
  nativeBatchNormBackward,
  nativeGroupNorm,
  nativeGroupNormBackward,
  nativeLayerNorm,
  nativeLayerNormBackward,
  rand,
  randn,
  rmspropStep_,
  rnnLayer,
  rnnLayerBackward,
  sgdStep_,
  type DType,
  type RnnMode,
  type Tensor,
} from '../src/index.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) console.log('cudaNn.test: no usable CUDA device; the CUDA-vs-CPU norm, optimizer and recurrent-layer comparisons are skipped');

const TOL: Record<string, { atol: number; rtol: number }> = {
  float32: { atol: 2e-5, rtol: 2e-4 },
  float64: { atol: 1e-10, rtol: 1e-9 },
  float16: { atol: 2e-3, rtol: 2e-3 },
};

function values(t: Tensor): Float64Array {
  return t.cpu().to('float64').contiguous().data() as Float64Array;
}

function expectClose(got: Tensor | null, want: Tensor | null, what: string, tol?: { atol: number; rtol: number }): void {
  if (want === null) {
    expect(got, what).toBeNull();
    return;
  }
  expect(got, what).not.toBeNull();
  expect(got!.device, `${what}: device`).toBe('cuda:0');
  expect([...got!.shape], `${what}: shape`).toEqual([...want.shape]);
  expect(got!.dtype, `${what}: dtype`).toBe(want.dtype);
  const g = values(got!);
  const w = values(want);
  const { atol, rtol } = tol ?? TOL[want.dtype]!;
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!, b = w[i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) expect.fail(`${what}: element ${i}: cuda ${a}, cpu ${b}`);
  }
}

/** Bit equality (NaNs of any payload compare equal). */
function expectSameBits(got: Tensor, want: Tensor, what: string): void {
  expect(got.device, `${what}: device`).toBe('cuda:0');
  const g = values(got);
  const w = values(want);
  expect(g.length, what).toBe(w.length);
  for (let i = 0; i < w.length; i++) {
    if (Number.isNaN(g[i]!) && Number.isNaN(w[i]!)) continue;
    if (g[i] !== w[i]) expect.fail(`${what}: element ${i}: cuda ${g[i]}, cpu ${w[i]}`);
  }
}

const gpu = (t: Tensor | null): Tensor | null => (t === null ? null : t.cuda());

// ---- batch norm -------------------------------------------------------------------------------

describe.skipIf(!hasGpu)('CUDA batch norm vs CPU', () => {
  // [N, C] and rows shorter than 128 go through the column-tiled statistics, longer ones through
  // sets split over rows and columns; rows of 256 and more are normalised a row per block (with
  // 16-byte accesses where the row length allows, as for 4096 and 3000, scalar for 257).
  const shapes = [[64, 7], [300, 4], [4, 3, 5, 5], [8, 16, 40], [40, 5, 33], [6, 4, 150], [2, 3, 64, 64], [3, 2, 3000], [2, 3, 257]];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const shape of shapes) {
      it(`training and evaluation ${JSON.stringify(shape)} (${dtype})`, () => {
        manualSeed(7);
        const C = shape[1]!;
        const x = randn(shape, { dtype }).mul(3).add(5);
        const w = randn([C], { dtype });
        const b = randn([C], { dtype });
        const rm = randn([C], { dtype });
        const rv = rand([C], { dtype }).add(0.5);
        const [grm, grv] = [rm.cuda(), rv.cuda()];
        const want = nativeBatchNorm(x, { weight: w, bias: b, runningMean: rm, runningVar: rv, training: true, momentum: 0.2 });
        const got = nativeBatchNorm(x.cuda(), { weight: w.cuda(), bias: b.cuda(), runningMean: grm, runningVar: grv, training: true, momentum: 0.2 });
        for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, `training output ${i}`);
        expectClose(grm, rm, 'running mean');
        expectClose(grv, rv, 'running var');
        const plainWant = nativeBatchNorm(x, { training: true });
        const plainGot = nativeBatchNorm(x.cuda(), { training: true });
        for (let i = 0; i < 3; i++) expectClose(plainGot[i]!, plainWant[i]!, `no affine, output ${i}`);
        const evalWant = nativeBatchNorm(x, { weight: w, runningMean: rm, runningVar: rv, training: false, eps: 1e-3 });
        const evalGot = nativeBatchNorm(x.cuda(), { weight: w.cuda(), runningMean: grm, runningVar: grv, training: false, eps: 1e-3 });
        for (let i = 0; i < 3; i++) expectClose(evalGot[i]!, evalWant[i]!, `evaluation output ${i}`);

        const g = randn(shape, { dtype });
        for (const training of [true, false]) {
          const [, sm, si] = training ? want : evalWant;
          for (const mask of [[true, true, true], [true, false, false], [false, true, true]] as const) {
            const gw = nativeBatchNormBackward(g, x, sm!, si!, { weight: w, training, outputMask: mask });
            const gg = nativeBatchNormBackward(g.cuda(), x.cuda(), sm!.cuda(), si!.cuda(), { weight: w.cuda(), training, outputMask: mask });
            for (let i = 0; i < 3; i++) expectClose(gg[i]!, gw[i]!, `backward training=${training} mask=${mask} [${i}]`);
          }
          const gw = nativeBatchNormBackward(g, x, sm!, si!, { training });
          const gg = nativeBatchNormBackward(g.cuda(), x.cuda(), sm!.cuda(), si!.cuda(), { training });
          for (let i = 0; i < 3; i++) expectClose(gg[i]!, gw[i]!, `backward without weight [${i}]`);
        }
      });
    }
  }

  it('float16 inputs (computed in float32), empty batches and a constant channel', () => {
    manualSeed(3);
    const x = randn([16, 3, 9]).to('float16');
    const want = nativeBatchNorm(x, { training: true });
    const got = nativeBatchNorm(x.cuda(), { training: true });
    for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, `float16 output ${i}`);
    const e = randn([0, 3, 4]);
    const rm = randn([3]), rv = rand([3]);
    const ew = nativeBatchNorm(e, { training: false, runningMean: rm, runningVar: rv });
    const eg = nativeBatchNorm(e.cuda(), { training: false, runningMean: rm.cuda(), runningVar: rv.cuda() });
    for (let i = 0; i < 3; i++) expectClose(eg[i]!, ew[i]!, `empty batch ${i}`);
    // A constant channel: variance exactly 0 on both devices (the shifted sums cancel exactly).
    const k = randn([32, 2, 40]).mul(0).add(1e4);
    const kw = nativeBatchNorm(k, { training: true });
    const kg = nativeBatchNorm(k.cuda(), { training: true });
    for (let i = 0; i < 3; i++) expectClose(kg[i]!, kw[i]!, `constant channel ${i}`);
  });

  it('mixing devices is an error naming the op', () => {
    const x = randn([4, 3]).cuda();
    expect(() => nativeBatchNorm(x, { training: true, weight: randn([3]) })).toThrow(/batchNorm: expected all tensors to be on the same device, but found tensors on cuda:0 and cpu/);
    // The running statistics are not inputs of the dispatcher: the kernel itself checks them.
    expect(() => nativeBatchNorm(x, { training: true, runningMean: randn([3]), runningVar: rand([3]) }))
      .toThrow(/batchNorm: expected all tensors on cuda:0 but got one on cpu/);
  });
});

// ---- layer norm ---------------------------------------------------------------------------------

describe.skipIf(!hasGpu)('CUDA layer norm vs CPU', () => {
  const cases: [number[], number[]][] = [
    [[4, 10], [10]],
    [[37, 3, 64], [64]],
    [[5, 7, 9], [9]],
    [[2, 5, 24], [5, 24]],
    [[3, 5, 2000], [2000]],
    [[2, 4099], [4099]],
    [[0, 8], [8]],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [shape, ns] of cases) {
      it(`${JSON.stringify(shape)} over ${JSON.stringify(ns)} (${dtype})`, () => {
        manualSeed(11);
        const x = randn(shape, { dtype }).mul(2).sub(3);
        const w = randn(ns, { dtype });
        const b = randn(ns, { dtype });
        for (const [ww, bb] of [[w, b], [w, null], [null, b], [null, null]] as const) {
          const want = nativeLayerNorm(x, ns, { weight: ww, bias: bb });
          const got = nativeLayerNorm(x.cuda(), ns, { weight: gpu(ww), bias: gpu(bb) });
          for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, `forward w=${ww !== null} b=${bb !== null} [${i}]`);
        }
        const [, mean, rstd] = nativeLayerNorm(x, ns, { weight: w, bias: b });
        const g = randn(shape, { dtype });
        for (const mask of [[true, true, true], [true, false, false], [false, true, false], [false, false, true]] as const) {
          const want = nativeLayerNormBackward(g, x, ns, mean!, rstd!, { weight: w, outputMask: mask });
          const got = nativeLayerNormBackward(g.cuda(), x.cuda(), ns, mean!.cuda(), rstd!.cuda(), { weight: w.cuda(), outputMask: mask });
          for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, `backward mask=${mask} [${i}]`);
        }
        const want = nativeLayerNormBackward(g, x, ns, mean!, rstd!);
        const got = nativeLayerNormBackward(g.cuda(), x.cuda(), ns, mean!.cuda(), rstd!.cuda());
        for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, `backward without weight [${i}]`);
      });
    }
  }

  it('rows that start off the 16-byte grid take the scalar loads', () => {
    manualSeed(12);
    const base = randn([1 + 6 * 64]);
    const x = base.narrow(0, 1, 6 * 64).reshape([6, 64]);
    const gx = base.cuda().narrow(0, 1, 6 * 64).reshape([6, 64]);
    expect(gx.offset).toBe(1);
    const w = randn([64]);
    const want = nativeLayerNorm(x, [64], { weight: w });
    const got = nativeLayerNorm(gx, [64], { weight: w.cuda() });
    for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, `misaligned rows [${i}]`);
    const g = randn([6, 64]);
    const bw = nativeLayerNormBackward(g, x, [64], want[1]!, want[2]!, { weight: w });
    const bg = nativeLayerNormBackward(g.cuda(), gx, [64], want[1]!.cuda(), want[2]!.cuda(), { weight: w.cuda() });
    for (let i = 0; i < 3; i++) expectClose(bg[i]!, bw[i]!, `misaligned rows, backward [${i}]`);
  });
});

// ---- group norm ---------------------------------------------------------------------------------

describe.skipIf(!hasGpu)('CUDA group norm vs CPU', () => {
  const cases: [number[], number][] = [
    [[4, 6, 5, 5], 3],
    [[2, 8, 64, 64], 4],
    [[3, 4], 2],
    [[5, 6, 7], 6],
    [[1, 32, 9, 9], 1],
    [[2, 4, 259], 2],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [shape, G] of cases) {
      it(`${JSON.stringify(shape)} in ${G} groups (${dtype})`, () => {
        manualSeed(5);
        const C = shape[1]!;
        const x = randn(shape, { dtype }).mul(1.5).add(2);
        const w = randn([C], { dtype });
        const b = randn([C], { dtype });
        for (const [ww, bb] of [[w, b], [null, null]] as const) {
          const want = nativeGroupNorm(x, G, { weight: ww, bias: bb, eps: 1e-4 });
          const got = nativeGroupNorm(x.cuda(), G, { weight: gpu(ww), bias: gpu(bb), eps: 1e-4 });
          for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, `forward affine=${ww !== null} [${i}]`);
        }
        const [, mean, rstd] = nativeGroupNorm(x, G, { weight: w, bias: b });
        const g = randn(shape, { dtype });
        for (const [ww, mask] of [[w, [true, true, true]], [null, [true, false, true]], [w, [false, true, false]]] as const) {
          const want = nativeGroupNormBackward(g, x, G, mean!, rstd!, { weight: ww, outputMask: mask });
          const got = nativeGroupNormBackward(g.cuda(), x.cuda(), G, mean!.cuda(), rstd!.cuda(), { weight: gpu(ww), outputMask: mask });
          for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, `backward mask=${mask} [${i}]`);
        }
      });
    }
  }
});

// ---- optimizer steps ----------------------------------------------------------------------------

type Layout = 'contiguous' | 'misaligned' | 'strided';

/** The same values on the CPU and on cuda:0, both laid out as `layout` asks. */
function operand(n: number, dtype: DType, layout: Layout, positive = false): [Tensor, Tensor] {
  const base = positive ? rand(layout === 'strided' ? [n, 3] : [n + 1], { dtype }).add(0.1) : randn(layout === 'strided' ? [n, 3] : [n + 1], { dtype });
  const view = (t: Tensor): Tensor => {
    if (layout === 'strided') return t.narrow(1, 1, 1).squeeze(1);
    return layout === 'misaligned' ? t.narrow(0, 1, n) : t.narrow(0, 0, n);
  };
  return [view(base.clone()), view(base.cuda())];
}

interface OptimCase {
  name: string;
  states: number;
  positive?: number[];
  step(p: Tensor, g: Tensor, s: Tensor[], k: number): void;
}

const optimCases: OptimCase[] = [
  ...[
    { weightDecay: 0, decoupled: false, amsgrad: false, maximize: false },
    { weightDecay: 0.1, decoupled: false, amsgrad: true, maximize: false },
    { weightDecay: 0.05, decoupled: true, amsgrad: false, maximize: true },
    { weightDecay: 0.05, decoupled: true, amsgrad: true, maximize: false },
  ].map((o): OptimCase => ({
    name: `adam ${JSON.stringify(o)}`,
    states: 3,
    positive: [1, 2],
    step: (p, g, s, k) => adamStep_(p, g, s[0]!, s[1]!, o.amsgrad ? s[2]! : null, { ...o, step: k, lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8 }),
  })),
  ...[
    { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
    { momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true, maximize: false },
    { momentum: 0.8, dampening: 0.3, weightDecay: 0, nesterov: false, maximize: true },
  ].map((o): OptimCase => ({
    name: `sgd ${JSON.stringify(o)}`,
    states: 1,
    step: (p, g, s, k) => sgdStep_(p, g, o.momentum !== 0 ? s[0]! : null, { ...o, lr: 0.05, initBuffer: k === 1 }),
  })),
  ...[
    { weightDecay: 0, momentum: 0, centered: false, maximize: false },
    { weightDecay: 0.02, momentum: 0.9, centered: true, maximize: false },
    { weightDecay: 0, momentum: 0.5, centered: false, maximize: true },
  ].map((o): OptimCase => ({
    name: `rmsprop ${JSON.stringify(o)}`,
    states: 3,
    positive: [0],
    step: (p, g, s) => rmspropStep_(p, g, s[0]!, o.centered ? s[1]! : null, o.momentum > 0 ? s[2]! : null, { ...o, lr: 1e-2, alpha: 0.99, eps: 1e-8 }),
  })),
  ...[
    { weightDecay: 0, lrDecay: 0, maximize: false },
    { weightDecay: 0.1, lrDecay: 0.01, maximize: true },
  ].map((o): OptimCase => ({
    name: `adagrad ${JSON.stringify(o)}`,
    states: 1,
    positive: [0],
    step: (p, g, s, k) => adagradStep_(p, g, s[0]!, { ...o, step: k, lr: 0.1, eps: 1e-10 }),
  })),
];

describe.skipIf(!hasGpu)('CUDA optimizer steps: the CPU bits', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const c of optimCases) {
      for (const layout of ['contiguous', 'misaligned', 'strided'] as const) {
        it(`${c.name} ${layout} (${dtype})`, () => {
          manualSeed(13);
          const n = layout === 'contiguous' ? 1027 : 515;
          const [p, gp] = operand(n, dtype, layout);
          const states = Array.from({ length: c.states }, (_, i) => operand(n, dtype, layout, c.positive?.includes(i) ?? false));
          for (let k = 1; k <= 3; k++) {
            const [g, gg] = operand(n, dtype, layout);
            c.step(p, g, states.map((s) => s[0]), k);
            c.step(gp, gg, states.map((s) => s[1]), k);
          }
          expectSameBits(gp, p, `${c.name}: param`);
          states.forEach(([s, gs], i) => expectSameBits(gs, s, `${c.name}: state ${i}`));
        });
      }
    }
  }

  it('large parameters (many blocks, vector tail) and an expanded gradient', () => {
    manualSeed(17);
    const n = (1 << 20) + 5;
    const [p, gp] = operand(n, 'float32', 'contiguous');
    const [m, gm] = operand(n, 'float32', 'contiguous');
    const [v, gv] = operand(n, 'float32', 'contiguous', true);
    const [g, gg] = operand(n, 'float32', 'contiguous');
    adamStep_(p, g, m, v, null, { step: 4, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true });
    adamStep_(gp, gg, gm, gv, null, { step: 4, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true });
    expectSameBits(gp, p, 'large adam: param');
    expectSameBits(gv, v, 'large adam: expAvgSq');
    const q = randn([6, 7]);
    const gq = q.cuda();
    const row = randn([1, 7]);
    sgdStep_(q, row.expand([6, 7]), null, { lr: 0.3 });
    sgdStep_(gq, row.cuda().expand([6, 7]), null, { lr: 0.3 });
    expectSameBits(gq, q, 'sgd with an expanded gradient');
  });

  it('errors: unsupported dtype, mixed devices, expanded state', () => {
    const p = randn([4]).to('float16').cuda();
    expect(() => sgdStep_(p, p, null, { lr: 1 })).toThrow(/sgdStep: param dtype float16 is not supported \(float32 and float64 are\)/);
    const q = randn([4]).cuda();
    expect(() => sgdStep_(q, randn([4]), null, { lr: 1 })).toThrow(/sgdStep_: grad is on cpu but param is on cuda:0/);
    const buf = randn([1]).cuda().expand([4]);
    expect(() => sgdStep_(q, q, buf, { lr: 1, momentum: 0.9 })).toThrow(/sgdStep: momentumBuffer of shape \[4\] has elements sharing memory/);
    expect(() => adamStep_(q, randn([5]).cuda(), q.clone(), q.clone(), null, { step: 1, lr: 1, beta1: 0.9, beta2: 0.99, eps: 1e-8 }))
      .toThrow(/adamStep: grad of shape \[5\] does not match param of shape \[4\]/);
  });
});

// ---- recurrent layers ---------------------------------------------------------------------------

const GATES: Record<RnnMode, number> = { rnnTanh: 1, rnnRelu: 1, lstm: 4, gru: 3 };
// float32 matrix products on the device may run on tensor cores (TF32 inputs): the recurrence
// compounds their rounding over the steps, so float32 compares at a TF32-sized tolerance (a
// wrong gate or index is off by O(1)); float64 stays tight.
const rnnTol = (dtype: DType) => (dtype === 'float32' ? { atol: 5e-3, rtol: 5e-3 } : TOL.float64!);

function rnnInputs(mode: RnnMode, T: number, N: number, I: number, H: number, dtype: DType) {
  const G = GATES[mode];
  const s = 1 / Math.sqrt(H);
  return {
    x: randn([T, N, I], { dtype }),
    hx: randn([N, H], { dtype }).mul(0.5),
    cx: mode === 'lstm' ? randn([N, H], { dtype }).mul(0.5) : null,
    wIh: randn([G * H, I], { dtype }).mul(s),
    wHh: randn([G * H, H], { dtype }).mul(s),
    bIh: randn([G * H], { dtype }).mul(s),
    bHh: randn([G * H], { dtype }).mul(s),
  };
}

describe.skipIf(!hasGpu)('CUDA recurrent layers vs CPU', () => {
  const modes: RnnMode[] = ['rnnTanh', 'rnnRelu', 'lstm', 'gru'];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const mode of modes) {
      for (const [T, N, I, H] of [[5, 3, 4, 6], [12, 40, 24, 200]]) {
        for (const reverse of [false, true]) {
          const what = `${mode} T=${T} N=${N} H=${H}${reverse ? ' reverse' : ''} (${dtype})`;

          it(`backward ${what}`, () => {
            manualSeed(19);
            const a = rnnInputs(mode, T, N, I, H, dtype);
            const fw = rnnLayer(mode, a.x, a.hx, a.wIh, a.wHh, { cx: a.cx, biasIh: a.bIh, biasHh: a.bHh, reverse });
            const out = fw[0]!, ws = fw[fw.length - 1]!;
            // A sum's gradient arrives expanded (stride 0 over time).
            const gOut = randn([1, N, H], { dtype }).expand([T, N, H]);
            const gHN = randn([N, H], { dtype });
            const gCN = mode === 'lstm' ? randn([N, H], { dtype }) : null;
            for (const [go, gh, mask] of [[gOut, gHN, [true, true]], [gOut, null, [true, false]], [null, gHN, [false, true]]] as const) {
              const want = rnnLayerBackward(mode, go, gh, gCN, a.hx, a.wHh, out, ws, { cx: a.cx, bias: a.bHh, reverse, outputMask: mask });
              const got = rnnLayerBackward(mode, gpu(go), gpu(gh), gpu(gCN), a.hx.cuda(), a.wHh.cuda(), out.cuda(), ws.cuda(), {
                cx: gpu(a.cx), bias: a.bHh.cuda(), reverse, outputMask: mask,
              });
              expect(got.length).toBe(want.length);
              for (let i = 0; i < want.length; i++) expectClose(got[i]!, want[i]!, `${what} gradOut=${go !== null} gradHN=${gh !== null} [${i}]`, rnnTol(dtype));
            }
          });

          it(`forward ${what}`, () => {
            manualSeed(23);
            const a = rnnInputs(mode, T, N, I, H, dtype);
            const want = rnnLayer(mode, a.x, a.hx, a.wIh, a.wHh, { cx: a.cx, biasIh: a.bIh, biasHh: a.bHh, reverse });
            const got = rnnLayer(mode, a.x.cuda(), a.hx.cuda(), a.wIh.cuda(), a.wHh.cuda(), {
              cx: gpu(a.cx), biasIh: a.bIh.cuda(), biasHh: a.bHh.cuda(), reverse,
            });
            expect(got.length).toBe(want.length);
            for (let i = 0; i < want.length; i++) expectClose(got[i]!, want[i]!, `${what} [${i}]`, rnnTol(dtype));
            const plainWant = rnnLayer(mode, a.x, a.hx, a.wIh, a.wHh, { cx: a.cx, reverse });
            const plainGot = rnnLayer(mode, a.x.cuda(), a.hx.cuda(), a.wIh.cuda(), a.wHh.cuda(), { cx: gpu(a.cx), reverse });
            for (let i = 0; i < plainWant.length; i++) expectClose(plainGot[i]!, plainWant[i]!, `${what} without bias [${i}]`, rnnTol(dtype));
          });
        }
      }
    }
  }
});
