// The CUDA reductions, scans, softmax, vector / matrix norms and fused cross entropy against the
// CPU: the op table's entries of these families (samples and error inputs) run on both devices,
// then every kernel path at sizes the table does not reach (warp and block rows, vector loads,
// column reductions, split reductions with a second pass, segmented scans, strided and misaligned
// inputs), the NaN / tie / empty-input rules and run-to-run determinism. Runs only where a GPU is
// present.
import { describe, expect, it } from 'vitest';
import {
  amax,
  amin,
  any,
  all,
  argmax,
  argmin,
  countNonzero,
  crossEntropy,
  crossEntropyBackward,
  cuda,
  cumprod,
  cumsum,
  full,
  linalg,
  logSoftmax,
  logsumexp,
  manualSeed,
  max,
  mean,
  min,
  norm,
  prod,
  rand,
  randint,
  randn,
  softmax,
  std,
  sum,
  tensor,
  Tensor,
  variance,
  zeros,
  type DType,
} from '../src/index.js';
import { compareOnDevice, expectClose, tensorsOf, toDevice, type Tol, type Tols } from './cudaCompare.js';
import { buildArgs } from './optable/build.js';
import { opTable } from './optable/index.js';
import type { OpInfo, Result } from './optable/types.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) console.log('cudaReduce.test: no usable CUDA device; the CUDA-vs-CPU reduction, scan, softmax, norm and cross-entropy checks are skipped');

const TOL: Tols = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float64: { atol: 1e-12, rtol: 1e-10 },
  float16: { atol: 1e-3, rtol: 1e-3 },
  bfloat16: { atol: 1e-2, rtol: 1e-2 },
};
const close = (got: Tensor, want: Tensor, what: string, tol?: Tol) => expectClose(got, want, what, tol ?? TOL[want.dtype]);

/** Bitwise equality of two device results (determinism). */
function expectSameBits(a: Tensor, b: Tensor, what: string): void {
  const x = a.cpu().data();
  const y = b.cpu().data();
  expect(x.length, what).toBe(y.length);
  for (let i = 0; i < x.length; i++) {
    const u = x[i] as number;
    const v = y[i] as number;
    if (!(Object.is(u, v) || (Number.isNaN(u) && Number.isNaN(v)))) expect.fail(`${what}: element ${i}: ${u} vs ${v}`);
  }
}

/** Runs `f` on the CPU inputs and on their device copies and compares every output. */
function same(what: string, inputs: Tensor[], f: (...xs: Tensor[]) => Result<Tensor>, tol?: Tol): void {
  const want = tensorsOf(f(...inputs));
  const got = tensorsOf(f(...inputs.map(toDevice)));
  expect(got.map(([k]) => k)).toEqual(want.map(([k]) => k));
  for (let k = 0; k < got.length; k++) close(got[k]![1], want[k]![1], `${what} [${got[k]![0]}]`, tol);
}

// ---- the op table ------------------------------------------------------------------------------

const FAMILY = new Set([
  'sum', 'mean', 'prod', 'amax', 'amin', 'max', 'min', 'argmax', 'argmin', 'var', 'std', 'varMean', 'stdMean',
  'logsumexp', 'logsumexp (infinities)', 'logsumexp (integer input)', 'norm', 'all', 'any', 'countNonzero',
  'cumsum', 'cumprod', 'softmax', 'logSoftmax',
  'crossEntropy', 'crossEntropyBackward', 'linalg.vectorNorm',
]);
const familyOps = opTable.filter((op) => FAMILY.has(op.name));

function compareEntry(op: OpInfo): void {
  compareOnDevice(op, (got, want, what) => close(got, want, what, op.tol?.[want.dtype]));
  for (const e of op.errors ?? []) {
    const built = buildArgs(e.args, (op.dtypes ?? ['float32'])[0]!, 7);
    const onDevice = built.tensors.map((a) => (a instanceof Tensor ? toDevice(a) : a));
    expect(() => op.run(onDevice, e.opts), `${op.name} error '${e.name}'`).toThrow(e.throws);
  }
}

describe.skipIf(!hasGpu)('CUDA reductions vs CPU: the op table', () => {
  it('covers the family', () => {
    for (const name of FAMILY) expect(familyOps.map((o) => o.name), name).toContain(name);
  });
  for (const op of familyOps) it(op.name, () => compareEntry(op));
});

// ---- kernel paths at size --------------------------------------------------------------------

describe.skipIf(!hasGpu)('CUDA reductions: schedules', () => {
  manualSeed(1234);
  const loose: Tol = { atol: 1e-4, rtol: 1e-4 };

  it('full reductions of large tensors (split into partials, second pass), aligned and not', () => {
    const n = 3_000_003;
    const x = randn([n]);
    same('sum, full', [x], (a) => sum(a), { atol: 2e-2, rtol: 1e-4 });
    same('mean, full', [x], (a) => mean(a), loose);
    same('amax / amin / argmax / argmin, full', [x], (a) => [amax(a), amin(a), argmax(a), argmin(a)]);
    const even = x.narrow(0, 0, n - 3); // a multiple of four: vector loads
    same('sum, vectorised', [even], (a) => sum(a), { atol: 2e-2, rtol: 1e-4 });
    const off = x.narrow(0, 1, n - 3); // misaligned by one element
    same('sum, misaligned', [off], (a) => sum(a), { atol: 2e-2, rtol: 1e-4 });
    same('norms, full', [x], (a) => [norm(a), norm(a, 1), norm(a, Infinity), norm(a, -Infinity), norm(a, 0), norm(a, 3)], { atol: 1e-2, rtol: 1e-4 });
    same('var / std / logsumexp, full', [x], (a) => [variance(a), std(a, { correction: 0 }), logsumexp(a)], loose);
    const d = randn([1_000_001], { dtype: 'float64' });
    same('float64 sum / var, full', [d], (a) => [sum(a), variance(a)], { atol: 1e-9, rtol: 1e-10 });
  });

  it('row reductions: a warp per row, a block per row, split rows', () => {
    const a = randn([4096, 300]);
    same('warp rows', [a], (t) => [sum(t, 1), amax(t, 1), argmax(t, 1), logsumexp(t, 1), std(t, 1)], loose);
    const b = randn([64, 5000]);
    same('block rows', [b], (t) => [sum(t, 1), mean(t, 1), argmin(t, 1), norm(t, 2, 1), prod(t.mul(0.001).add(1), 1)], loose);
    const c = randn([3, 1_000_000]);
    same('split rows', [c], (t) => [sum(t, 1), max(t, 1).values, max(t, 1).indices, variance(t, 1)], { atol: 1e-2, rtol: 1e-4 });
    const s = randn([1000, 37]);
    same('odd row length (no vector loads)', [s], (t) => [sum(t, 1), argmax(t, 1)], loose);
  });

  it('column reductions: outer dims reduced, short rows, splits over the reduced range', () => {
    const a = randn([5000, 300]);
    same('outer, dim 0', [a], (t) => [sum(t, 0), amax(t, 0), argmax(t, 0), variance(t, 0), logsumexp(t, 0)], loose);
    const b = randn([200_000, 40]);
    same('outer, long columns (split)', [b], (t) => [sum(t, 0), argmin(t, 0), norm(t, 1, 0)], { atol: 1e-2, rtol: 1e-4 });
    const c = randn([100_000, 7]);
    same('short rows, a thread per output', [c], (t) => [sum(t, 1), amin(t, 1), argmax(t, 1), countNonzero(t.gt(0), 1)], loose);
    const d = randn([1_000_000, 3]);
    same('narrow columns (strided rows)', [d], (t) => [sum(t, 0), argmax(t, 0)], { atol: 1e-2, rtol: 1e-4 });
    const e = randn([6, 50, 70]);
    same('several dims, middle kept', [e], (t) => [sum(t, [0, 2]), amax(t, [0, 2]), mean(t, [0, 2], { keepdim: true })], loose);
  });

  it('strided and permuted inputs', () => {
    const a = randn([300, 500]);
    const t = a.transpose(0, 1);
    same('transposed, dim 1', [t], (x) => [sum(x, 1), argmax(x, 1), amin(x, 1)], loose);
    same('transposed, dim 0', [t], (x) => [sum(x, 0), argmin(x, 0)], loose);
    const p = randn([4, 5, 6, 7]).permute(2, 0, 3, 1);
    same('permuted 4-D, two dims', [p], (x) => [sum(x, [1, 3]), prod(x, [0, 2]), amax(x, [0, 1, 2])], loose);
    const s = randn([64, 128]).narrow(1, 3, 100);
    same('narrowed rows', [s], (x) => [sum(x, 1), argmax(x, 1)], loose);
    const e = full([5, 3], 2.5).expand(4, 5, 3);
    same('broadcast (stride 0)', [e], (x) => [sum(x, 0), sum(x)], loose);
  });

  it('integer and bool inputs (int64 accumulation, wrapping), every dtype the CPU takes', () => {
    for (const dtype of ['int32', 'int64', 'uint8'] as DType[]) {
      const x = randint(0, 200, [1000, 333], { dtype });
      same(`${dtype} sum / prod / amax / argmax`, [x], (t) => [sum(t), sum(t, 0), sum(t, 1), prod(t.narrow(0, 0, 3), 1), amax(t, 1), argmin(t, 0), countNonzero(t, 1)]);
      same(`${dtype} cumsum / cumprod`, [x], (t) => [cumsum(t, 1), cumsum(t, 0), cumprod(t.narrow(1, 0, 5), 1)]);
    }
    const big = full([1000], 2 ** 31 - 1, { dtype: 'int32' });
    same('int32 sum past 2^31 gives int64', [big], (t) => sum(t));
    const wrap = full([3], 2 ** 62, { dtype: 'int64' });
    same('int64 wraps like the CPU', [wrap], (t) => [sum(t), prod(t)]);
    const b = randn([700, 90]).gt(0.5);
    same('bool any / all / sum / countNonzero', [b], (t) => [any(t, 1), all(t, 0), sum(t, 1), countNonzero(t), any(t), all(t)]);
    const u = randint(0, 3, [50, 60], { dtype: 'uint8' });
    same('uint8 any / all keep uint8', [u], (t) => [any(t, 0), all(t, 1)]);
  });

  it('NaN wins (first NaN index), ties keep the first index, across splits', () => {
    const n = 2_000_000;
    const z = zeros([n]);
    z.narrow(0, 1_500_000, 1).fill_(5);
    z.narrow(0, 700_000, 1).fill_(5);
    z.narrow(0, 1_900_000, 1).fill_(-5);
    z.narrow(0, 100, 1).fill_(-5);
    same('ties, large', [z], (t) => [argmax(t), argmin(t), max(t.reshape(2, n / 2), 1).indices, min(t.reshape(2, n / 2), 1).indices]);
    const w = z.clone();
    w.narrow(0, 1_800_000, 1).fill_(NaN);
    w.narrow(0, 1_200_000, 1).fill_(NaN);
    same('NaN, large', [w], (t) => [argmax(t), argmin(t), amax(t), amin(t), max(t, 0).indices, norm(t, Infinity)]);
    const r = tensor([[1, NaN, 3, NaN], [2, 2, 1, 1], [-Infinity, -Infinity, -Infinity, -Infinity]]);
    same('NaN and ties per row', [r], (t) => [argmax(t, 1), argmin(t, 1), amax(t, 1), max(t, 1).values, logsumexp(t, 1), sum(t, 1)]);
    const cols = randn([5000, 64]);
    cols.narrow(0, 4000, 1).narrow(1, 5, 1).fill_(NaN);
    cols.narrow(0, 10, 1).narrow(1, 5, 1).fill_(NaN);
    same('NaN in columns (split columns)', [cols], (t) => [argmax(t, 0), amax(t, 0), argmin(t, 0)]);
  });

  it('empty inputs follow the CPU', () => {
    const e = zeros([0, 5]);
    same('reduced dim empty', [e], (t) => [sum(t, 0), prod(t, 0), mean(t, 0), countNonzero(t, 0), any(t, 0), all(t, 0), norm(t, 2, 0), logsumexp(t, 0), variance(t, 0)]);
    same('kept dim empty', [e], (t) => [sum(t, 1), amax(t, 1), argmax(t, 1), cumsum(t, 0), softmax(t, 1)]);
    expect(() => amax(e.cuda(), 0)).toThrow(/amax: cannot reduce over a zero-size dimension/);
    expect(() => argmax(e.cuda(), 0)).toThrow(/argmax: cannot reduce over a zero-size dimension/);
  });

  it('is deterministic run to run', () => {
    const x = randn([5_000_000]).cuda();
    expectSameBits(sum(x), sum(x), 'sum');
    const y = randn([100_000, 40]).cuda();
    expectSameBits(sum(y, 0), sum(y, 0), 'column sum');
    const z = randn([2, 3_000_000]).cuda();
    expectSameBits(cumsum(z, 1), cumsum(z, 1), 'segmented cumsum');
  });
});

describe.skipIf(!hasGpu)('CUDA scans and softmax', () => {
  manualSeed(99);
  const loose: Tol = { atol: 1e-4, rtol: 1e-4 };

  it('cumsum / cumprod along every kind of line', () => {
    same('block lines', [randn([1000, 777])], (t) => [cumsum(t, 1), cumprod(t.mul(0.01).add(1), 1)], { atol: 1e-3, rtol: 1e-4 });
    same('short lines', [randn([5000, 9])], (t) => [cumsum(t, 1), cumprod(t, 1)], loose);
    same('thread lines (inner > 1)', [randn([100, 3000])], (t) => [cumsum(t, 0), cumprod(t.mul(0.01).add(1), 0)], { atol: 1e-3, rtol: 1e-4 });
    same('segmented thread lines', [randn([777, 1000])], (t) => [cumsum(t, 0), cumprod(t.mul(0.01).add(1), 0)], { atol: 1e-3, rtol: 1e-4 });
    same('tall and thin, dim 0 (segmented)', [randn([100_000, 4], { dtype: 'float64' })], (t) => [cumsum(t, 0)], { atol: 1e-9, rtol: 1e-10 });
    same('tall and thin int64, dim 0', [randint(-9, 10, [100_003, 3], { dtype: 'int64' })], (t) => [cumsum(t, 0), cumprod(t.remainder(2).add(1), 0)]);
    same('middle dim', [randn([6, 500, 7])], (t) => [cumsum(t, 1)], { atol: 1e-3, rtol: 1e-4 });
    same('transposed input', [randn([300, 400]).transpose(0, 1)], (t) => [cumsum(t, 1), cumsum(t, 0)], { atol: 1e-3, rtol: 1e-4 });
    const long = rand([3, 300_000], { dtype: 'float64' });
    same('segmented long lines (float64)', [long], (t) => [cumsum(t, 1), cumprod(t.mul(1e-6).add(1), 1)], { atol: 1e-8, rtol: 1e-10 });
    const longF = randn([2, 1_000_000]);
    same('segmented long lines (float32)', [longF], (t) => cumsum(t, 1), { atol: 5e-2, rtol: 1e-3 });
    const ints = randint(-5, 6, [2, 500_000], { dtype: 'int32' });
    same('segmented int32 cumsum', [ints], (t) => cumsum(t, 1));
    same('0-d and one element', [tensor(3.5), tensor([2])], (a, b) => [cumsum(a, 0), cumprod(b, 0)]);
  });

  it('softmax / logSoftmax: warp rows, block rows, strided lines, NaN and -inf rows', () => {
    same('warp rows', [randn([1000, 100])], (t) => [softmax(t, 1), logSoftmax(t, 1)], { atol: 1e-6, rtol: 1e-4 });
    same('block rows', [randn([64, 5000]).mul(10)], (t) => [softmax(t, 1), logSoftmax(t, -1)], { atol: 1e-6, rtol: 1e-4 });
    same('dim 0', [randn([300, 200])], (t) => [softmax(t, 0), logSoftmax(t, 0)], { atol: 1e-6, rtol: 1e-4 });
    same('middle dim', [randn([4, 50, 30])], (t) => [softmax(t, 1), logSoftmax(t, 1)], { atol: 1e-6, rtol: 1e-4 });
    const tall = randn([50_000, 10]);
    tall.narrow(0, 0, 3000).fill_(-Infinity);
    tall.narrow(0, 40_000, 1).narrow(1, 2, 1).fill_(NaN);
    tall.narrow(1, 7, 1).fill_(-Infinity);
    same('tall and thin, dim 0 (segmented lines)', [tall], (t) => [softmax(t, 0), logSoftmax(t, 0)], { atol: 1e-6, rtol: 1e-4 });
    same('tall and thin float64, dim 0', [randn([20_000, 3], { dtype: 'float64' })], (t) => [softmax(t, 0), logSoftmax(t, 0)]);
    same('transposed input', [randn([200, 300]).transpose(0, 1)], (t) => [softmax(t, 1), logSoftmax(t, 0)], { atol: 1e-6, rtol: 1e-4 });
    same('float64', [randn([100, 3000], { dtype: 'float64' })], (t) => [softmax(t, 1), logSoftmax(t, 1)]);
    const r = tensor([[1, NaN, 3], [-Infinity, -Infinity, -Infinity], [Infinity, 0, 1], [-Infinity, 0, 1]]);
    same('special rows', [r], (t) => [softmax(t, 1), logSoftmax(t, 1)]);
  });
});

describe.skipIf(!hasGpu)('CUDA vector and matrix norms', () => {
  manualSeed(7);
  it('linalg.vectorNorm: every ord, dims, scaled 2-norm, NaN', () => {
    const x = randn([40, 3000]);
    for (const ord of [2, 1, Infinity, -Infinity, 0, 3, 0.5]) {
      same(`ord ${ord}`, [x], (t) => [linalg.vectorNorm(t, ord), linalg.vectorNorm(t, ord, 1), linalg.vectorNorm(t, ord, 0, { keepdim: true })], { atol: 1e-3, rtol: 1e-4 });
    }
    const big = tensor([[1e30, 2e30, -3e30], [1e-30, 0, 2e-30], [0, 0, 0], [NaN, 1, 2], [Infinity, NaN, 1]]);
    same('scaled 2-norm and NaN', [big], (t) => [linalg.vectorNorm(t, 2, 1), linalg.vectorNorm(t, 0, 1), linalg.vectorNorm(t, 1, 1)], { atol: 0, rtol: 1e-5 });
    same('float64, strided', [randn([50, 60], { dtype: 'float64' }).transpose(0, 1)], (t) => [linalg.vectorNorm(t), linalg.vectorNorm(t, 3, 0)]);
  });

  it('linalg.matrixNorm 1 / -1 / inf / -inf / fro', () => {
    const a = randn([5, 30, 40]);
    for (const ord of [1, -1, Infinity, -Infinity, 'fro'] as const) {
      same(`ord ${ord}`, [a], (t) => [linalg.matrixNorm(t, ord), linalg.matrixNorm(t, ord, [0, 2])], { atol: 1e-4, rtol: 1e-4 });
    }
  });
});

describe.skipIf(!hasGpu)('CUDA cross entropy', () => {
  manualSeed(5);
  const tol: Tol = { atol: 1e-5, rtol: 1e-4 };

  function both(x: Tensor, t: Tensor, opts: Record<string, unknown>, what: string): void {
    same(what, opts.weight ? [x, t, opts.weight as Tensor] : [x, t], (xx, tt, ww) => {
      const o = { ...opts, weight: ww ?? null };
      const loss = crossEntropy(xx, tt, o as never);
      return [loss];
    }, tol);
  }

  it('forward: class indices, probabilities, weight, ignoreIndex, smoothing, every reduction', () => {
    for (const [N, C] of [[512, 10], [64, 5000], [3, 2000]] as const) {
      const x = randn([N, C]);
      const t = randint(0, C, [N], { dtype: 'int64' });
      t.narrow(0, 1, 1).fill_(-100);
      const w = rand([C]).add(0.5);
      for (const reduction of ['mean', 'sum', 'none']) {
        both(x, t, { reduction }, `[${N}, ${C}] ${reduction}`);
        both(x, t, { reduction, weight: w, labelSmoothing: 0.1 }, `[${N}, ${C}] ${reduction}, weight, smoothing`);
      }
      const p = softmax(randn([N, C]), 1);
      both(x, p, { reduction: 'mean', labelSmoothing: 0.2, weight: w }, `[${N}, ${C}] probabilities`);
    }
    const x3 = randn([4, 7, 5, 3]);
    const t3 = randint(0, 7, [4, 5, 3], { dtype: 'int64' });
    both(x3, t3, { reduction: 'none', ignoreIndex: 2 }, '[N, C, d1, d2]');
    both(x3, softmax(randn([4, 7, 5, 3]), 1), { reduction: 'sum' }, '[N, C, d1, d2] probabilities');
    const allIgnored = full([4], 3, { dtype: 'int64' });
    both(randn([4, 5]), allIgnored, { ignoreIndex: 3 }, 'every target ignored (0 / 0)');
    const d = randn([32, 100], { dtype: 'float64' });
    both(d, randint(0, 100, [32], { dtype: 'int64' }), { labelSmoothing: 0.3 }, 'float64');
  });

  it('backward matches the CPU for every target kind and option', () => {
    const cases: [Tensor, Tensor, Record<string, unknown>][] = [
      [randn([256, 1000]), randint(0, 1000, [256], { dtype: 'int64' }), {}],
      [randn([64, 3000]), randint(0, 3000, [64], { dtype: 'int64' }), { weight: rand([3000]).add(0.5), labelSmoothing: 0.1, reduction: 'sum' }],
      [randn([6, 5, 4]), randint(0, 5, [6, 4], { dtype: 'int64' }), { reduction: 'none', ignoreIndex: 1, labelSmoothing: 0.2 }],
      [randn([16, 9]), softmax(randn([16, 9]), 1), { weight: rand([9]).add(0.5), labelSmoothing: 0.25 }],
      [randn([3, 4, 5], { dtype: 'float64' }), softmax(randn([3, 4, 5], { dtype: 'float64' }), 1), { reduction: 'none' }],
    ];
    for (const [x, t, opts] of cases) {
      const what = `backward ${JSON.stringify(x.shape)} ${String(opts.reduction ?? 'mean')}`;
      const run = (xx: Tensor, tt: Tensor, ww?: Tensor): Tensor => {
        const o = { ...opts, weight: ww ?? null } as never;
        const loss = crossEntropy(xx, tt, o);
        const g = (opts.reduction === 'none' ? randn(loss.shape, { dtype: xx.dtype }) : tensor(1.5, { dtype: xx.dtype }));
        const gg = xx.device === 'cpu' ? g : g.cuda();
        const stats = crossEntropyStats(xx, tt, o);
        return crossEntropyBackward(gg, xx, tt, stats[0], stats[1], o);
      };
      // The incoming gradient is random for 'none': draw it from the same seed on both devices.
      manualSeed(11);
      const want = run(x, t, opts.weight as Tensor | undefined);
      manualSeed(11);
      const got = run(toDevice(x), toDevice(t), opts.weight ? toDevice(opts.weight as Tensor) : undefined);
      close(got, want, what, { atol: 1e-6, rtol: 1e-4 });
    }
  });

  it('out-of-range targets throw the CPU error, forward and backward', () => {
    const x = randn([4, 5]).cuda();
    const t = tensor([1, 7, 2, -3], { dtype: 'int64' }).cuda();
    expect(() => crossEntropy(x, t)).toThrow(/crossEntropy: target 7 is out of bounds for 5 classes/);
    const ok = tensor([1, 2, 2, 3], { dtype: 'int64' }).cuda();
    const [lse, total] = crossEntropyStats(x, ok, {});
    expect(() => crossEntropyBackward(tensor(1).cuda(), x, t, lse, total)).toThrow(/crossEntropyBackward: target 7 is out of bounds for 5 classes/);
    // The device is still usable afterwards.
    close(sum(x, 1), sum(x.cpu(), 1), 'after the error');
  });
});

/** The forward's saved statistics (log-sum-exp per sample, total weight), as autograd keeps them. */
function crossEntropyStats(x: Tensor, t: Tensor, o: Record<string, unknown>): [Tensor, Tensor] {
  const xs = x.ndim === 1 ? x.unsqueeze(0) : x;
  const lse = xs.logsumexp(1).reshape([-1]);
  let total: number;
  if (t.dtype === 'int64') {
    const ignore = (o.ignoreIndex as number | undefined) ?? -100;
    const w = o.weight as Tensor | null | undefined;
    const tv = Array.from(t.cpu().to('float64').contiguous().data() as Float64Array);
    const wv = w ? Array.from(w.cpu().to('float64').data() as Float64Array) : null;
    total = tv.reduce((a, v) => a + (v === ignore ? 0 : wv ? wv[v]! : 1), 0);
  } else {
    total = xs.numel() / xs.shape[1]!;
  }
  const tt = tensor(total, { dtype: x.dtype });
  return [lse, x.device === 'cpu' ? tt : tt.cuda()];
}

