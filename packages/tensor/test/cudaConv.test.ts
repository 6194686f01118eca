// The CUDA convolution, pooling, upsampling and padding kernels against the CPU: every op-table
// entry of these families runs on both devices and must agree, plus the paths the table does not
// reach (batch chunks and column blocks of the im2col buffer, samples side by side in one GEMM,
// 1x1, grouped and depthwise layers, deterministic weight gradients, overlapping max-pool windows,
// NaN and ties, every padding mode, index errors).
// Runs only where a GPU is present.
import { cuda as nativeCuda, frame, kernels } from '@cinder/native';
import { describe, expect, it } from 'vitest';
import {
  adaptiveAvgPool2d,
  adaptiveAvgPool2dBackward,
  adaptiveMaxPool2d,
  avgPool2d,
  avgPool2dBackward,
  conv1d,
  conv2d,
  conv3d,
  convolutionBackwardInput,
  convolutionBackwardWeight,
  convTranspose2d,
  cuda,
  full,
  manualSeed,
  maxPool2dBackward,
  maxPool2dWithIndices,
  pad,
  padBackward,
  randn,
  Tensor,
  tensor,
  upsampleBilinear2d,
  upsampleBilinear2dBackward,
  upsampleNearest2d,
  upsampleNearest2dBackward,
} from '../src/index.js';
import { compareOnDevice, expectClose as closeWithin, toDevice, type Tols } from './cudaCompare.js';
import { opTable } from './optable/index.js';
import type { OpInfo } from './optable/types.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) console.log('cudaConv.test: no usable CUDA device; the CUDA-vs-CPU convolution, pooling, upsampling and padding comparisons are skipped');
if (!nativeCuda.isCompiled()) console.log('cudaConv.test: this build has no CUDA kernels; the checks of their entry points are skipped');
if (hasGpu) console.log('cudaConv.test: a CUDA device is present; the no-device error check is skipped');

// The GEMM may run float32 on tensor cores (TF32 inputs), as PyTorch's convolutions do by default.
const GEMM_TOL: Tols = {
  float32: { atol: 2e-3, rtol: 2e-3 },
  float64: { atol: 1e-10, rtol: 1e-10 },
  float16: { atol: 1e-2, rtol: 1e-2 },
  bfloat16: { atol: 5e-2, rtol: 5e-2 },
};
// Pooling, upsampling and padding use the CPU's arithmetic.
const EXACT_TOL: Tols = {
  float32: { atol: 1e-6, rtol: 1e-5 },
  float64: { atol: 1e-13, rtol: 1e-12 },
  float16: { atol: 1e-3, rtol: 1e-3 },
  bfloat16: { atol: 1e-2, rtol: 1e-2 },
};

const CONV_OPS = [
  'conv1d', 'conv2d', 'conv3d', 'convTranspose1d', 'convTranspose2d', 'convTranspose3d', 'convolution',
  'convolutionBackwardInput', 'convolutionBackwardWeight',
];
const POOL_OPS = [
  'maxPool2dWithIndices', 'maxPool2dBackward', 'avgPool2d', 'avgPool2dBackward', 'adaptiveAvgPool2d',
  'adaptiveAvgPool2dBackward', 'adaptiveMaxPool2d', 'upsampleNearest2d', 'upsampleNearest2dBackward',
  'upsampleBilinear2d', 'upsampleBilinear2dBackward', 'pad', 'padBackward',
];

/** Compares a CUDA result with the CPU's; the tolerance scales with the largest magnitude for GEMM results. */
function expectClose(got: Tensor, want: Tensor, what: string, tols: Tols = EXACT_TOL, scaled = false): void {
  closeWithin(got, want, what, tols[want.dtype], scaled);
}

function expectEqual(got: Tensor, want: Tensor, what: string): void {
  expect(got.device, `${what}: device`).toBe('cuda:0');
  expect([...got.shape], `${what}: shape`).toEqual([...want.shape]);
  expect(got.dtype, `${what}: dtype`).toBe(want.dtype);
  const g = got.cpu().data();
  const w = want.data();
  for (let i = 0; i < w.length; i++) {
    const a = g[i] as number | bigint;
    const b = w[i] as number | bigint;
    if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a !== b) expect.fail(`${what}: element ${i}: cuda ${a}, cpu ${b}`);
  }
}

/** Every sample of an op-table entry on both devices; throws on a mismatch or a missing CUDA kernel. */
function compareEntry(op: OpInfo, tols: Tols, scaled: boolean): void {
  compareOnDevice(op, (got, want, what) =>
    want.dtype === 'int64' ? expectEqual(got, want, what) : expectClose(got, want, what, tols, scaled),
  );
}

// What can be checked in any build with the CUDA sources, with or without a device.
describe.skipIf(!nativeCuda.isCompiled())('the CUDA twins of the convolution, pooling, upsampling and padding kernels', () => {
  const twins: [string, number, RegExp][] = [
    ['convolution', 2, /^conv2d: /],
    ['convolutionBackwardInput', 7, /^convolutionBackwardInput: /],
    ['convolutionBackwardWeight', 8, /^convolutionBackwardWeight: /],
    ['maxPool2d', 0, /^maxPool2d: /],
    ['maxPool2dBackward', 0, /^maxPool2dBackward: /],
    ['avgPool2d', 0, /^avgPool2d: /],
    ['avgPool2dBackward', 0, /^avgPool2dBackward: /],
    ['adaptivePool2d', 1, /^adaptiveMaxPool2d: /],
    ['adaptiveAvgPool2dBackward', 0, /^adaptiveAvgPool2dBackward: /],
    ['upsample2d', 1, /^upsampleBilinear2d: /],
    ['upsample2dBackward', 0, /^upsampleNearest2dBackward: /],
    ['pad', 0, /^pad: /],
    ['padBackward', 0, /^padBackward: /],
  ];
  const twinOf = (name: string) => kernels[`cuda${name[0]!.toUpperCase()}${name.slice(1)}`];
  it('are exported under the names runOn looks for', () => {
    for (const [name] of twins) expect(typeof twinOf(name), name).toBe('function');
  });
  it.skipIf(hasGpu)('name their op and say CUDA is not available without a device', () => {
    for (const [name, code, op] of twins) {
      frame[0] = code;
      let message = '';
      try {
        twinOf(name)!(0);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, name).toMatch(op);
      expect(message, name).toMatch(/CUDA is not available/);
    }
  });
});

describe.skipIf(!hasGpu)('CUDA convolution, pooling, upsampling and padding vs CPU: the op table', () => {
  for (const [names, tols, scaled] of [[CONV_OPS, GEMM_TOL, true], [POOL_OPS, EXACT_TOL, false]] as const) {
    for (const name of names) {
      const entries = opTable.filter((o) => o.name === name);
      it(name, () => {
        expect(entries.length, `${name} is in the op table`).toBeGreaterThan(0);
        for (const op of entries) compareEntry(op, tols, scaled);
      });
    }
  }
});

describe.skipIf(!hasGpu)('CUDA convolution', () => {
  const close = (got: Tensor, want: Tensor, what: string) => expectClose(got, want, what, GEMM_TOL, true);

  it('forward, both backward ops and the transposed convolution at size, float32 and float64', () => {
    manualSeed(1);
    for (const dtype of ['float32', 'float64'] as const) {
      const x = randn([4, 16, 30, 34], { dtype });
      const w = randn([32, 16, 3, 3], { dtype });
      const b = randn([32], { dtype });
      const gx = x.cuda(), gw = w.cuda(), gb = b.cuda();
      const opts = { padding: 1, stride: [1, 2] };
      const y = conv2d(x, w, b, opts);
      close(conv2d(gx, gw, gb, opts), y, `conv2d ${dtype}`);
      const gy = randn(y.shape, { dtype });
      close(convolutionBackwardInput(gy.cuda(), gw, x.shape, opts), convolutionBackwardInput(gy, w, x.shape, opts), `backward input ${dtype}`);
      close(convolutionBackwardWeight(gx, gy.cuda(), w.shape, opts), convolutionBackwardWeight(x, gy, w.shape, opts), `backward weight ${dtype}`);
      const wt = randn([16, 8, 4, 4], { dtype });
      const bt = randn([8], { dtype });
      const t = { stride: 2, padding: 1 };
      close(convTranspose2d(gx, wt.cuda(), bt.cuda(), t), convTranspose2d(x, wt, bt, t), `convTranspose2d ${dtype}`);
    }
  });

  it('groups, dilation, asymmetric padding, depthwise and strided inputs', () => {
    manualSeed(2);
    const x = randn([3, 12, 19, 21]);
    const cases: [string, Tensor, Record<string, unknown>][] = [
      ['groups 3, dilation 2', randn([24, 4, 3, 3]), { groups: 3, dilation: 2, padding: [[2, 1], [0, 3]] }],
      ['depthwise', randn([12, 1, 3, 3]), { groups: 12, padding: 1 }],
      ['depthwise x2, stride 2', randn([24, 1, 5, 5]), { groups: 12, padding: 2, stride: 2 }],
      ['groups 12 (more groups than samples)', randn([36, 1, 3, 1]), { groups: 12, stride: [2, 1] }],
    ];
    for (const [what, w, o] of cases) {
      const y = conv2d(x, w, null, o);
      close(conv2d(x.cuda(), w.cuda(), null, o), y, what);
      const gy = randn(y.shape);
      close(convolutionBackwardInput(gy.cuda(), w.cuda(), x.shape, o), convolutionBackwardInput(gy, w, x.shape, o), `${what}: backward input`);
      close(convolutionBackwardWeight(x.cuda(), gy.cuda(), w.shape, o), convolutionBackwardWeight(x, gy, w.shape, o), `${what}: backward weight`);
    }
    // A channels-last view (strided channel and spatial dims) and a transposed gradOutput.
    const nhwc = randn([2, 9, 10, 6]);
    const xv = nhwc.permute(0, 3, 1, 2);
    const w = randn([5, 6, 3, 3]);
    close(conv2d(toDevice(xv), w.cuda(), null, { padding: 1 }), conv2d(xv, w, null, { padding: 1 }), 'channels-last input');
    const gyT = randn([2, 5, 10, 9]).transpose(2, 3);
    close(convolutionBackwardWeight(toDevice(xv), toDevice(gyT), w.shape, { padding: 1 }), convolutionBackwardWeight(xv, gyT, w.shape, { padding: 1 }), 'strided gradOutput');
  });

  it('1x1 kernels: few positions (samples side by side), many (the operands directly), strided inputs', () => {
    manualSeed(3);
    const x = randn([3, 16, 11, 13]);
    const w = randn([24, 8, 1, 1]);
    const b = randn([24]);
    close(conv2d(x.cuda(), w.cuda(), b.cuda(), { groups: 2 }), conv2d(x, w, b, { groups: 2 }), '1x1 groups 2');
    const xt = x.transpose(2, 3);
    close(conv2d(toDevice(xt), w.cuda(), null, { groups: 2 }), conv2d(xt, w, null, { groups: 2 }), '1x1 transposed view (im2col)');
    const gy = randn([3, 24, 11, 13]);
    close(convolutionBackwardInput(gy.cuda(), w.cuda(), x.shape, { groups: 2 }), convolutionBackwardInput(gy, w, x.shape, { groups: 2 }), '1x1 backward input');
    close(convolutionBackwardWeight(x.cuda(), gy.cuda(), w.shape, { groups: 2 }), convolutionBackwardWeight(x, gy, w.shape, { groups: 2 }), '1x1 backward weight');
    // Positions enough for a GEMM per sample: the operands themselves, batched over the samples.
    const xl = randn([2, 8, 40, 30]);
    const wl = randn([6, 8, 1, 1]);
    close(conv2d(xl.cuda(), wl.cuda()), conv2d(xl, wl), '1x1, 1200 positions');
    const gl = randn([2, 6, 40, 30]);
    close(convolutionBackwardInput(gl.cuda(), wl.cuda(), xl.shape), convolutionBackwardInput(gl, wl, xl.shape), '1x1, 1200 positions: backward input');
  });

  it('1-d and 3-d convolutions', () => {
    manualSeed(4);
    const x1 = randn([5, 7, 200]);
    const w1 = randn([9, 7, 5]);
    close(conv1d(x1.cuda(), w1.cuda(), null, { stride: 3, dilation: 2, padding: 4 }), conv1d(x1, w1, null, { stride: 3, dilation: 2, padding: 4 }), 'conv1d');
    const x3 = randn([2, 4, 9, 10, 11]);
    const w3 = randn([6, 2, 3, 2, 3]);
    const o3 = { groups: 2, padding: [1, 0, 1], stride: [1, 2, 1], dilation: [2, 1, 1] };
    const y3 = conv3d(x3, w3, null, o3);
    close(conv3d(x3.cuda(), w3.cuda(), null, o3), y3, 'conv3d');
    const gy3 = randn(y3.shape);
    close(convolutionBackwardInput(gy3.cuda(), w3.cuda(), x3.shape, o3), convolutionBackwardInput(gy3, w3, x3.shape, o3), 'conv3d backward input');
    close(convolutionBackwardWeight(x3.cuda(), gy3.cuda(), w3.shape, o3), convolutionBackwardWeight(x3, gy3, w3.shape, o3), 'conv3d backward weight');
  });

  it('chunks the batch so the column buffer stays bounded: several samples per chunk', () => {
    manualSeed(5);
    // 64 * 9 rows x 128 * 128 positions of float32: 36 MiB of columns per sample, 7 samples per chunk.
    const x = randn([9, 64, 128, 128]);
    const w = randn([8, 64, 3, 3]);
    const b = randn([8]);
    const y = conv2d(x, w, b, { padding: 1 });
    const gx = x.cuda();
    close(conv2d(gx, w.cuda(), b.cuda(), { padding: 1 }), y, 'forward');
    const gy = randn(y.shape);
    close(convolutionBackwardInput(gy.cuda(), w.cuda(), x.shape, { padding: 1 }), convolutionBackwardInput(gy, w, x.shape, { padding: 1 }), 'backward input');
    const gw1 = convolutionBackwardWeight(gx, gy.cuda(), w.shape, { padding: 1 });
    close(gw1, convolutionBackwardWeight(x, gy, w.shape, { padding: 1 }), 'backward weight');
    // The weight gradient sums the batch in a fixed order: bit for bit the same on every run.
    expectEqual(convolutionBackwardWeight(gx, gy.cuda(), w.shape, { padding: 1 }), gw1.cpu(), 'backward weight, second run');
  });

  it('chunks one sample into column blocks when its columns alone exceed the budget', () => {
    manualSeed(6);
    // 32 * 9 rows x 480 * 512 positions of float32: 270 MiB of columns for one sample.
    const x = randn([2, 32, 480, 512]);
    const w = randn([4, 32, 3, 3]);
    const y = conv2d(x, w, null, { padding: 1 });
    close(conv2d(x.cuda(), w.cuda(), null, { padding: 1 }), y, 'forward');
    const gy = randn(y.shape);
    close(convolutionBackwardInput(gy.cuda(), w.cuda(), x.shape, { padding: 1 }), convolutionBackwardInput(gy, w, x.shape, { padding: 1 }), 'backward input');
    close(convolutionBackwardWeight(x.cuda(), gy.cuda(), w.shape, { padding: 1 }), convolutionBackwardWeight(x, gy, w.shape, { padding: 1 }), 'backward weight');
  });

  it('half inputs compute in float32 on the device too; empty batches; errors', () => {
    manualSeed(7);
    const x = randn([2, 3, 8, 8]).to('float16');
    const w = randn([4, 3, 3, 3]).to('float16');
    close(conv2d(x.cuda(), w.cuda()), conv2d(x, w), 'float16');
    const xb = randn([2, 3, 8, 8]).to('bfloat16');
    const wb = randn([4, 3, 3, 3]).to('bfloat16');
    close(conv2d(xb.cuda(), wb.cuda()), conv2d(xb, wb), 'bfloat16');
    const e = conv2d(randn([0, 3, 8, 8]).cuda(), randn([4, 3, 3, 3]).cuda(), randn([4]).cuda());
    expect([...e.shape]).toEqual([0, 4, 6, 6]);
    expect(e.device).toBe('cuda:0');
    const gw = convolutionBackwardWeight(randn([0, 3, 8, 8]).cuda(), randn([0, 4, 6, 6]).cuda(), [4, 3, 3, 3]);
    expectEqual(gw, full([4, 3, 3, 3], 0), 'weight gradient of an empty batch');
    expect(() => conv2d(randn([1, 3, 8, 8]).cuda(), randn([4, 3, 3, 3]))).toThrow(/expected all tensors to be on the same device/);
  });
});

describe.skipIf(!hasGpu)('CUDA pooling', () => {
  it('max pooling: values and indices match exactly, with padding, dilation, ceil mode, ties and NaN', () => {
    manualSeed(8);
    const x = randn([3, 5, 33, 29]);
    for (const [k, o] of [
      [2, {}],
      [3, { stride: 2, padding: 1 }],
      [[3, 2], { stride: [2, 1], padding: [1, 1], dilation: [2, 3], ceilMode: true }],
      [3, { stride: 2, ceilMode: true }],
    ] as const) {
      const [v, i] = maxPool2dWithIndices(x, k, o);
      const [gv, gi] = maxPool2dWithIndices(x.cuda(), k, o);
      expectEqual(gv, v, `values ${JSON.stringify([k, o])}`);
      expectEqual(gi, i, `indices ${JSON.stringify([k, o])}`);
    }
    // Ties take the first position; NaN wins (the last NaN of a window); -inf everywhere.
    const special = tensor([[[[1, 1, 2, 2], [1, 1, 2, 2], [NaN, 0, -Infinity, -Infinity], [3, NaN, -Infinity, -Infinity]]]]);
    const [sv, si] = maxPool2dWithIndices(special, 2);
    const [gsv, gsi] = maxPool2dWithIndices(special.cuda(), 2);
    expectEqual(gsv, sv, 'special values');
    expectEqual(gsi, si, 'special indices');
    const [av, ai] = adaptiveMaxPool2d(special, [3, 3]);
    const [gav, gai] = adaptiveMaxPool2d(special.cuda(), [3, 3]);
    expectEqual(gav, av, 'adaptive max special values');
    expectEqual(gai, ai, 'adaptive max special indices');
  });

  it('max pooling backward sums overlapping windows deterministically and checks its indices', () => {
    manualSeed(9);
    const x = randn([4, 6, 57, 61]);
    const [v, i] = maxPool2dWithIndices(x, 3, { stride: 1, padding: 1 });
    const g = randn(v.shape);
    const want = maxPool2dBackward(g, i, x.shape);
    const got = maxPool2dBackward(g.cuda(), i.cuda(), x.shape);
    expectClose(got, want, 'overlapping windows');
    expectEqual(maxPool2dBackward(g.cuda(), i.cuda(), x.shape), got.cpu(), 'second run');
    // Every output of a plane pointing at one element: 32-lane groups summed in order.
    const many = full([2, 3, 10, 10], 7, { dtype: 'int64' });
    const gm = randn([2, 3, 10, 10]);
    expectClose(maxPool2dBackward(gm.cuda(), many.cuda(), [2, 3, 12, 12]), maxPool2dBackward(gm, many, [2, 3, 12, 12]), 'one target');
    const [av, ai] = adaptiveMaxPool2d(x, [10, 9]);
    const ga = randn(av.shape);
    expectClose(maxPool2dBackward(ga.cuda(), ai.cuda(), x.shape), maxPool2dBackward(ga, ai, x.shape), 'adaptive max backward');
    const bad = tensor([[[[0, 1], [2, 16]]]], { dtype: 'int64' });
    const g2 = randn([1, 1, 2, 2]);
    expect(() => maxPool2dBackward(g2, bad, [1, 1, 4, 4])).toThrow(/maxPool2dBackward: index 16 is out of bounds for an input plane of 4 x 4/);
    expect(() => maxPool2dBackward(g2.cuda(), bad.cuda(), [1, 1, 4, 4])).toThrow(/maxPool2dBackward: index 16 is out of bounds for an input plane of 4 x 4/);
    const neg = tensor([[[[0, -1], [2, 3]]]], { dtype: 'int64' });
    expect(() => maxPool2dBackward(g2.cuda(), neg.cuda(), [1, 1, 4, 4])).toThrow(/maxPool2dBackward: index -1 is out of bounds/);
  });

  it('average pooling with and without padding counts, ceil mode and divisor override, both ways', () => {
    manualSeed(10);
    const x = randn([2, 7, 31, 26], { dtype: 'float64' }).to('float32');
    for (const [k, o] of [
      [2, {}],
      [3, { stride: 2, padding: 1 }],
      [3, { stride: 2, padding: 1, countIncludePad: false }],
      [[5, 3], { stride: [3, 2], padding: [2, 1], ceilMode: true }],
      [[5, 3], { stride: [3, 2], padding: [2, 1], ceilMode: true, countIncludePad: false }],
      [4, { stride: 1, padding: 2, divisorOverride: 7 }],
    ] as const) {
      for (const dtype of ['float32', 'float64'] as const) {
        const xd = x.to(dtype);
        const y = avgPool2d(xd, k, o);
        const what = `${JSON.stringify([k, o])} ${dtype}`;
        expectClose(avgPool2d(xd.cuda(), k, o), y, what);
        const g = randn(y.shape, { dtype });
        expectClose(avgPool2dBackward(g.cuda(), xd.shape, k, o), avgPool2dBackward(g, xd.shape, k, o), `${what} backward`);
      }
    }
  });

  it('adaptive average and max pooling, shrinking and growing, both ways', () => {
    manualSeed(11);
    const x = randn([3, 4, 23, 17]);
    for (const size of [[1, 1], [7, 5], [10, 17], [30, 40]] as const) {
      const y = adaptiveAvgPool2d(x, size);
      expectClose(adaptiveAvgPool2d(x.cuda(), size), y, `avg ${size}`);
      const g = randn(y.shape);
      expectClose(adaptiveAvgPool2dBackward(g.cuda(), x.shape), adaptiveAvgPool2dBackward(g, x.shape), `avg backward ${size}`);
      const [v, i] = adaptiveMaxPool2d(x, size);
      const [gv, gi] = adaptiveMaxPool2d(x.cuda(), size);
      expectEqual(gv, v, `max values ${size}`);
      expectEqual(gi, i, `max indices ${size}`);
    }
    const e = maxPool2dWithIndices(randn([0, 2, 6, 6]).cuda(), 2);
    expect([...e[0].shape]).toEqual([0, 2, 3, 3]);
  });
});

describe.skipIf(!hasGpu)('CUDA upsampling', () => {
  it('nearest and bilinear, up and down, sizes and scale factors, align corners, both ways', () => {
    manualSeed(12);
    for (const dtype of ['float32', 'float64'] as const) {
      const x = randn([2, 3, 13, 9], { dtype });
      for (const [size, o] of [
        [[26, 18], {}],
        [[13, 9], {}],
        [[40, 31], {}],
        [[5, 4], {}],
        [[29, 20], { scales: [2.25, 2.3] }],
      ] as const) {
        const what = `${size} ${JSON.stringify(o)} ${dtype}`;
        const yn = upsampleNearest2d(x, size, o);
        expectEqual(upsampleNearest2d(x.cuda(), size, o), yn, `nearest ${what}`);
        const gn = randn(yn.shape, { dtype });
        expectClose(upsampleNearest2dBackward(gn.cuda(), x.shape, o), upsampleNearest2dBackward(gn, x.shape, o), `nearest backward ${what}`);
        for (const alignCorners of [false, true]) {
          if (alignCorners && 'scales' in o) continue;
          const ob = { ...o, alignCorners };
          const yb = upsampleBilinear2d(x, size, ob);
          expectClose(upsampleBilinear2d(x.cuda(), size, ob), yb, `bilinear ${what} ${alignCorners}`);
          const gb = randn(yb.shape, { dtype });
          expectClose(upsampleBilinear2dBackward(gb.cuda(), x.shape, ob), upsampleBilinear2dBackward(gb, x.shape, ob), `bilinear backward ${what} ${alignCorners}`);
        }
      }
    }
  });
});

describe.skipIf(!hasGpu)('CUDA padding', () => {
  it('every mode on strided inputs, negative padding, every dtype of constant padding', () => {
    manualSeed(13);
    const x = randn([3, 4, 9, 11]).transpose(2, 3);
    for (const [mode, p] of [
      ['constant', [2, 3, 1, 0]],
      ['constant', [-2, 3, 1, -4, 2, 2]],
      ['reflect', [3, 2, 4, 1]],
      ['reflect', [8, 8, 10, 10]],
      ['replicate', [5, 0, 2, 7]],
      ['replicate', [0, 4, 6, 0]],
      ['circular', [9, 9, 3, 2]],
      ['circular', [2, 1, 1, 3, 1, 2]],
    ] as const) {
      const what = `${mode} ${p}`;
      const y = pad(x, p, { mode });
      expectEqual(pad(toDevice(x), p, { mode }), y, what);
      const g = randn(y.shape);
      expectClose(padBackward(g.cuda(), x.shape, p, { mode }), padBackward(g, x.shape, p, { mode }), `${what} backward`);
      const gt = randn([...y.shape].reverse()).permute(3, 2, 1, 0);
      expectClose(padBackward(toDevice(gt), x.shape, p, { mode }), padBackward(gt, x.shape, p, { mode }), `${what} backward, strided gradOutput`);
    }
    for (const dtype of ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool', 'float16'] as const) {
      const t = randn([2, 5, 6]).mul(3).to(dtype);
      const value = dtype === 'bool' ? 1 : 2.5;
      expectEqual(pad(t.cuda(), [1, 2, 0, 3], { value }), pad(t, [1, 2, 0, 3], { value }), `constant ${dtype}`);
    }
    const big = randn([8, 16, 130, 140]);
    expectEqual(pad(big.cuda(), [3, 3, 3, 3], { mode: 'reflect' }), pad(big, [3, 3, 3, 3], { mode: 'reflect' }), 'reflect at size');
    const gb = randn([8, 16, 136, 146]);
    expectClose(padBackward(gb.cuda(), big.shape, [3, 3, 3, 3], { mode: 'reflect' }), padBackward(gb, big.shape, [3, 3, 3, 3], { mode: 'reflect' }), 'reflect backward at size');
    expect(() => pad(randn([1, 2, 3]).cuda(), [3, 3], { mode: 'reflect' })).toThrow(/pad:/);
  });
});
