/**
 * Convolution entries: conv1d/2d/3d, convTranspose1d/2d/3d, the general `convolution` and the two
 * backward ops. The reference is a direct float64 loop over every output (or, for the adjoints,
 * every input) position; nothing in it shares code with the native im2col/GEMM path.
 *
 * Samples come in two sizes: small ones (at most 64 elements per tensor, so autograd's gradcheck
 * and gradgradcheck run on them) and larger ones that reach the native kernel's blocked,
 * multi-threaded and 1x1 paths.
 */
import {
  conv1d, conv2d, conv3d, convolution, convolutionBackwardInput, convolutionBackwardWeight, convTranspose1d,
  convTranspose2d, convTranspose3d, type Tensor,
} from '../../src/index.js';
import { Nd } from './ref.js';
import type { OpInfo, Sample } from './types.js';

// ---- reference -------------------------------------------------------------------------------

export interface RefParams {
  stride: number[];
  pad: [number, number][];
  dilation: number[];
  groups: number;
}

function perDim(v: unknown, s: number, dflt: number): number[] {
  if (v === undefined) return new Array<number>(s).fill(dflt);
  if (typeof v === 'number') return new Array<number>(s).fill(v);
  return [...(v as number[])];
}

/** The reference's reading of the options, written independently of the op's parser. */
export function refParams(o: Record<string, unknown> | undefined, s: number, kernel: number[]): RefParams {
  const stride = perDim(o?.stride, s, 1);
  const dilation = perDim(o?.dilation, s, 1);
  const groups = (o?.groups as number | undefined) ?? 1;
  const p = o?.padding;
  let pad: [number, number][];
  if (p === 'same') {
    pad = kernel.map((k, i) => {
      const total = dilation[i]! * (k - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  } else if (p === 'valid' || p === undefined) {
    pad = kernel.map(() => [0, 0]);
  } else if (typeof p === 'number') {
    pad = kernel.map(() => [p, p]);
  } else {
    pad = (p as (number | [number, number])[]).map((e) => (typeof e === 'number' ? [e, e] : [e[0], e[1]]));
  }
  return { stride, pad, dilation, groups };
}

function withBatch(x: Nd, s: number): Nd {
  return x.ndim === s + 1 ? new Nd([1, ...x.shape], x.data) : x;
}

function dropBatch(y: Nd): Nd {
  return new Nd(y.shape.slice(1), y.data);
}

/** Iterates over every multi-index of `shape`, calling f(idx). */
function each(shape: number[], f: (idx: number[]) => void): void {
  Nd.forEachIndex(shape, (idx) => f(idx));
}

/** Flat offset of a multi-index in a row-major shape. */
function offset(shape: number[], idx: number[]): number {
  let o = 0;
  for (let i = 0; i < shape.length; i++) o = o * shape[i]! + idx[i]!;
  return o;
}

/** y[n, co, o] = sum over ci, k of x[n, g * Cig + ci, o * s - padBefore + k * d] * w[co, ci, k] (+ b[co]). */
export function refConv(x: Nd, w: Nd, b: Nd | null, pr: RefParams): Nd {
  const [N, Cin] = x.shape as [number, number];
  const Cout = w.shape[0]!;
  const Cig = w.shape[1]!;
  const kernel = w.shape.slice(2);
  const xs = x.shape.slice(2);
  const ys = xs.map((v, i) => Math.floor((v + pr.pad[i]![0] + pr.pad[i]![1] - pr.dilation[i]! * (kernel[i]! - 1) - 1) / pr.stride[i]!) + 1);
  const Cog = Cout / pr.groups;
  const y = Nd.zeros([N, Cout, ...ys]);
  each([N, Cout, ...ys], (idx) => {
    const [n, co] = idx as [number, number];
    const o = idx.slice(2);
    const g = Math.floor(co / Cog);
    let acc = b ? b.data[co]! : 0;
    for (let ci = 0; ci < Cig; ci++) {
      each(kernel, (k) => {
        const pos = o.map((oi, i) => oi * pr.stride[i]! - pr.pad[i]![0] + k[i]! * pr.dilation[i]!);
        if (pos.some((p, i) => p < 0 || p >= xs[i]!)) return;
        acc += x.data[offset([N, Cin, ...xs], [n, g * Cig + ci, ...pos])]! * w.data[offset(w.shape, [co, ci, ...k])]!;
      });
    }
    y.data[offset(y.shape, idx)] = acc;
  });
  return y;
}

/**
 * The adjoint of refConv in x, written as a scatter: every gy[n, co, o] adds gy * w[co, ci, k] to
 * x position o * s - padBefore + k * d of channel g * Cig + ci. Output spatial sizes `xs`.
 * `w` has the forward layout [Cout, Cig, *k]; a transposed convolution's weight [Cin, Cout / g, *k]
 * is exactly that.
 */
export function refConvAdjointInput(gy: Nd, w: Nd, b: Nd | null, pr: RefParams, xs: number[]): Nd {
  const [N, Cout] = gy.shape as [number, number];
  const Cig = w.shape[1]!;
  const Cin = Cig * pr.groups;
  const Cog = Cout / pr.groups;
  const kernel = w.shape.slice(2);
  const x = Nd.zeros([N, Cin, ...xs]);
  each(gy.shape, (idx) => {
    const [n, co] = idx as [number, number];
    const o = idx.slice(2);
    const g = Math.floor(co / Cog);
    const v = gy.data[offset(gy.shape, idx)]!;
    for (let ci = 0; ci < Cig; ci++) {
      each(kernel, (k) => {
        const pos = o.map((oi, i) => oi * pr.stride[i]! - pr.pad[i]![0] + k[i]! * pr.dilation[i]!);
        if (pos.some((p, i) => p < 0 || p >= xs[i]!)) return;
        x.data[offset(x.shape, [n, g * Cig + ci, ...pos])] += v * w.data[offset(w.shape, [co, ci, ...k])]!;
      });
    }
  });
  if (b) each(x.shape, (idx) => (x.data[offset(x.shape, idx)] += b.data[idx[1]!]!));
  return x;
}

/** gw[co, ci, k] = sum over n, o of gy[n, co, o] * x[n, g * Cig + ci, o * s - padBefore + k * d]. */
export function refConvAdjointWeight(x: Nd, gy: Nd, pr: RefParams, wShape: number[]): Nd {
  const [Cout, Cig] = wShape as [number, number];
  const Cog = Cout / pr.groups;
  const kernel = wShape.slice(2);
  const xs = x.shape.slice(2);
  const gw = Nd.zeros([...wShape]);
  each(gy.shape, (idx) => {
    const [n, co] = idx as [number, number];
    const o = idx.slice(2);
    const g = Math.floor(co / Cog);
    const v = gy.data[offset(gy.shape, idx)]!;
    for (let ci = 0; ci < Cig; ci++) {
      each(kernel, (k) => {
        const pos = o.map((oi, i) => oi * pr.stride[i]! - pr.pad[i]![0] + k[i]! * pr.dilation[i]!);
        if (pos.some((p, i) => p < 0 || p >= xs[i]!)) return;
        gw.data[offset(wShape, [co, ci, ...k])] += v * x.data[offset(x.shape, [n, g * Cig + ci, ...pos])]!;
      });
    }
  });
  return gw;
}

function swapLastNd(a: Nd): Nd {
  const n = a.ndim;
  const shape = [...a.shape];
  [shape[n - 2], shape[n - 1]] = [shape[n - 1]!, shape[n - 2]!];
  const out = Nd.zeros(shape);
  Nd.forEachIndex(shape, (idx, flat) => {
    const src = [...idx];
    [src[n - 2], src[n - 1]] = [src[n - 1]!, src[n - 2]!];
    out.data[flat] = a.at(src);
  });
  return out;
}

/** The options without the test-only keys. */
function opOpts(o: Record<string, unknown> | undefined): Record<string, unknown> {
  const { tIn: _t, inputShape: _i, weightShape: _w, expandTo: _e, ...rest } = o ?? {};
  return rest;
}

function forwardRef(s: number) {
  return ([x, w, b]: [Nd, Nd, Nd | null], o: Record<string, unknown> | undefined): Nd => {
    const xin = o?.tIn ? swapLastNd(x) : x;
    const xb = withBatch(xin, s);
    const y = refConv(xb, w, b ?? null, refParams(o, s, w.shape.slice(2)));
    return xin.ndim === s + 1 ? dropBatch(y) : y;
  };
}

function transposeRef(s: number) {
  return ([x, w, b]: [Nd, Nd, Nd | null], o: Record<string, unknown> | undefined): Nd => {
    const xb = withBatch(x, s);
    const kernel = w.shape.slice(2);
    const pr = refParams(o, s, kernel);
    const outPad = perDim(o?.outputPadding, s, 0);
    const xs = xb.shape.slice(2).map((y, i) => (y - 1) * pr.stride[i]! - pr.pad[i]![0] - pr.pad[i]![1] + pr.dilation[i]! * (kernel[i]! - 1) + 1 + outPad[i]!);
    const out = refConvAdjointInput(xb, w, b ?? null, pr, xs);
    return x.ndim === s + 1 ? dropBatch(out) : out;
  };
}

const FWD_DTYPES = ['float32', 'float64', 'float16'] as const;
const HALF_TOL = { float16: { atol: 0.1, rtol: 2e-2 }, float32: { atol: 2e-4, rtol: 1e-4 } };

// ---- samples ---------------------------------------------------------------------------------

const conv2dSamples: Sample[] = [
  { name: 'bias, stride [2, 1], padding 1', args: [{ shape: [1, 2, 5, 4] }, { shape: [3, 2, 3, 2] }, { shape: [3] }], opts: { stride: [2, 1], padding: 1 } },
  { name: 'groups 2, dilation [2, 1], padding [1, 0]', args: [{ shape: [1, 2, 5, 6] }, { shape: [4, 1, 2, 3] }, null], opts: { groups: 2, dilation: [2, 1], padding: [1, 0] } },
  { name: "'same' with even kernel and dilation", args: [{ shape: [1, 1, 5, 6] }, { shape: [2, 1, 2, 4] }, null], opts: { padding: 'same', dilation: [1, 2] } },
  { name: "'valid'", args: [{ shape: [2, 1, 4, 5] }, { shape: [2, 1, 3, 3] }, { shape: [2] }], opts: { padding: 'valid' } },
  { name: 'asymmetric padding pairs', args: [{ shape: [1, 2, 4, 4] }, { shape: [2, 2, 3, 3] }, null], opts: { padding: [[0, 2], [1, 0]] } },
  { name: 'unbatched', args: [{ shape: [2, 5, 5] }, { shape: [2, 2, 3, 3] }, { shape: [2] }], opts: { padding: 1 } },
  { name: 'non-contiguous input', args: [{ shape: [2, 2, 4, 4], noncontig: true }, { shape: [2, 2, 2, 2] }, null], opts: { stride: 2 } },
  { name: 'transposed input view', args: [{ shape: [1, 2, 5, 3] }, { shape: [2, 2, 2, 2] }, null], opts: { tIn: true, padding: 1 } },
  { name: 'non-contiguous weight', args: [{ shape: [1, 2, 4, 4] }, { shape: [2, 2, 3, 3], noncontig: true }, null], opts: {} },
  { name: '1x1 (direct GEMM)', args: [{ shape: [2, 3, 3, 3] }, { shape: [4, 3, 1, 1] }, { shape: [4] }] },
  { name: '1x1 with groups', args: [{ shape: [2, 4, 3, 2] }, { shape: [6, 2, 1, 1] }, null], opts: { groups: 2 } },
  { name: '1x1 stride 2', args: [{ shape: [1, 3, 5, 5] }, { shape: [2, 3, 1, 1] }, null], opts: { stride: 2 } },
  { name: '1x1 on a transposed view', args: [{ shape: [2, 3, 2, 3] }, { shape: [2, 3, 1, 1] }, null], opts: { tIn: true } },
  { name: 'depthwise', args: [{ shape: [1, 3, 4, 4] }, { shape: [3, 1, 3, 3] }, { shape: [3] }], opts: { groups: 3, padding: 1 } },
  { name: 'zero batch', args: [{ shape: [0, 2, 5, 5] }, { shape: [3, 2, 3, 3] }, { shape: [3] }] },
  { name: 'batch 3, 20x23, padding 1 (parallel over samples)', args: [{ shape: [3, 5, 20, 23] }, { shape: [6, 5, 3, 3] }, { shape: [6] }], opts: { padding: 1 } },
  { name: 'batch 1, 52x50 (blocks of output positions)', args: [{ shape: [1, 5, 52, 50] }, { shape: [4, 5, 3, 3] }, { shape: [4] }], opts: { padding: 1 } },
  { name: 'batch 2, 41x37, stride 2, groups 2, dilation 2', args: [{ shape: [2, 6, 41, 37] }, { shape: [4, 3, 3, 3] }, null], opts: { stride: 2, groups: 2, dilation: 2, padding: [2, 1] } },
  { name: 'GEMM path: 40 output channels, stride [1, 2]', args: [{ shape: [2, 3, 9, 10] }, { shape: [40, 3, 3, 3] }, { shape: [40] }], opts: { padding: 1, stride: [1, 2] } },
  { name: 'GEMM path: batch 1, 52x50 (blocks of output positions)', args: [{ shape: [1, 4, 52, 50] }, { shape: [36, 4, 3, 3] }, null], opts: { padding: 1 } },
  { name: 'GEMM path: groups 2 of 34 channels, dilation 2, non-contiguous', args: [{ shape: [3, 4, 11, 12], noncontig: true }, { shape: [68, 2, 3, 2] }, null], opts: { groups: 2, dilation: 2, padding: [[1, 0], 2] } },
  { name: '1x1, batch 1, 40x40 (direct, split over positions)', args: [{ shape: [1, 8, 40, 40] }, { shape: [4, 8, 1, 1] }, { shape: [4] }] },
];

const conv1dSamples: Sample[] = [
  { name: 'bias, stride 2, padding 1', args: [{ shape: [2, 3, 7] }, { shape: [4, 3, 3] }, { shape: [4] }], opts: { stride: 2, padding: 1 } },
  { name: 'groups 2, dilation 2', args: [{ shape: [1, 4, 9] }, { shape: [2, 2, 3] }, null], opts: { groups: 2, dilation: 2 } },
  { name: "'same' even kernel", args: [{ shape: [1, 2, 6] }, { shape: [3, 2, 4] }, null], opts: { padding: 'same' } },
  { name: 'unbatched', args: [{ shape: [3, 8] }, { shape: [2, 3, 2] }, { shape: [2] }] },
  { name: 'non-contiguous', args: [{ shape: [2, 2, 6], noncontig: true }, { shape: [3, 2, 3] }, null], opts: { padding: [2] } },
  { name: 'zero batch', args: [{ shape: [0, 3, 5] }, { shape: [2, 3, 3] }, null] },
  { name: 'batch 4, length 300', args: [{ shape: [4, 6, 300] }, { shape: [5, 6, 5] }, { shape: [5] }], opts: { padding: 2 } },
  { name: 'GEMM path: 48 output channels', args: [{ shape: [3, 5, 40] }, { shape: [48, 5, 3] }, { shape: [48] }], opts: { stride: 2, dilation: 3 } },
];

const conv3dSamples: Sample[] = [
  { name: 'bias, padding 1, stride [1, 2, 1]', args: [{ shape: [1, 2, 3, 3, 3] }, { shape: [2, 2, 2, 2, 2] }, { shape: [2] }], opts: { padding: 1, stride: [1, 2, 1] } },
  { name: 'groups 2, dilation [1, 1, 2]', args: [{ shape: [1, 2, 2, 3, 5] }, { shape: [2, 1, 2, 2, 2] }, null], opts: { groups: 2, dilation: [1, 1, 2] } },
  { name: "'same'", args: [{ shape: [1, 1, 3, 4, 4] }, { shape: [2, 1, 2, 3, 2] }, null], opts: { padding: 'same' } },
  { name: 'unbatched', args: [{ shape: [2, 3, 3, 3] }, { shape: [1, 2, 2, 2, 2] }, null] },
  { name: 'non-contiguous', args: [{ shape: [1, 2, 3, 3, 3], noncontig: true }, { shape: [2, 2, 1, 2, 2] }, null], opts: { stride: [2, 1, 1] } },
  { name: '1x1x1', args: [{ shape: [2, 3, 2, 2, 2] }, { shape: [2, 3, 1, 1, 1] }, { shape: [2] }] },
  { name: 'zero batch', args: [{ shape: [0, 2, 3, 3, 3] }, { shape: [2, 2, 2, 2, 2] }, null] },
  { name: 'batch 2, 9x10x11', args: [{ shape: [2, 3, 9, 10, 11] }, { shape: [4, 3, 3, 3, 3] }, { shape: [4] }], opts: { padding: 1, stride: [1, 1, 2] } },
  { name: 'GEMM path: 40 output channels', args: [{ shape: [1, 2, 5, 6, 7] }, { shape: [40, 2, 2, 3, 2] }, null], opts: { padding: [1, 0, 1], dilation: [1, 2, 1] } },
];

const convT2dSamples: Sample[] = [
  { name: 'bias, stride 2, padding 1, outputPadding 1', args: [{ shape: [1, 2, 3, 3] }, { shape: [2, 3, 3, 3] }, { shape: [3] }], opts: { stride: 2, padding: 1, outputPadding: 1 } },
  { name: 'groups 2', args: [{ shape: [1, 4, 3, 3] }, { shape: [4, 1, 2, 2] }, null], opts: { groups: 2, stride: [1, 2] } },
  { name: 'dilation 2, outputPadding 1 >= stride', args: [{ shape: [1, 2, 3, 3] }, { shape: [2, 2, 2, 2] }, null], opts: { dilation: 2, outputPadding: 1 } },
  { name: 'unbatched', args: [{ shape: [2, 3, 4] }, { shape: [2, 2, 2, 3] }, { shape: [2] }], opts: { padding: [0, 1] } },
  { name: 'non-contiguous', args: [{ shape: [2, 2, 3, 3], noncontig: true }, { shape: [2, 2, 3, 3] }, null], opts: { stride: 2 } },
  { name: '1x1 (direct GEMM)', args: [{ shape: [2, 3, 3, 3] }, { shape: [3, 2, 1, 1] }, { shape: [2] }] },
  { name: 'zero batch', args: [{ shape: [0, 2, 3, 3] }, { shape: [2, 3, 3, 3] }, null], opts: { stride: 2 } },
  { name: 'batch 3, 17x19, stride 2', args: [{ shape: [3, 6, 17, 19] }, { shape: [6, 4, 4, 4] }, { shape: [4] }], opts: { stride: 2, padding: 1 } },
  { name: 'batch 1, 30x33 (split over channels)', args: [{ shape: [1, 5, 30, 33] }, { shape: [5, 6, 3, 3] }, null], opts: { padding: 1 } },
];

const convT1dSamples: Sample[] = [
  { name: 'bias, stride 3, padding 1, outputPadding 2', args: [{ shape: [2, 3, 4] }, { shape: [3, 2, 3] }, { shape: [2] }], opts: { stride: 3, padding: 1, outputPadding: 2 } },
  { name: 'groups 3, dilation 2', args: [{ shape: [1, 3, 5] }, { shape: [3, 2, 2] }, null], opts: { groups: 3, dilation: 2 } },
  { name: 'unbatched', args: [{ shape: [2, 6] }, { shape: [2, 1, 3] }, null] },
];

const convT3dSamples: Sample[] = [
  { name: 'bias, stride 2, outputPadding [1, 0, 1]', args: [{ shape: [1, 2, 2, 2, 2] }, { shape: [2, 2, 2, 2, 2] }, { shape: [2] }], opts: { stride: 2, outputPadding: [1, 0, 1] } },
  { name: 'groups 2, padding 1', args: [{ shape: [1, 2, 3, 2, 3] }, { shape: [2, 1, 3, 2, 2] }, null], opts: { groups: 2, padding: [1, 0, 1] } },
  { name: 'unbatched', args: [{ shape: [1, 2, 3, 2] }, { shape: [1, 2, 2, 2, 2] }, null] },
];

// The backward ops: args [gradOutput, weight] / [input, gradOutput], the forward geometry in opts.
const backwardInputSamples: Sample[] = [
  { name: 'stride 2, padding 1, output padding', args: [{ shape: [1, 3, 3, 3] }, { shape: [3, 2, 3, 3] }], opts: { inputShape: [1, 2, 6, 6], stride: 2, padding: 1 } },
  { name: 'groups 2, dilation 2', args: [{ shape: [1, 4, 2, 3] }, { shape: [4, 1, 2, 2] }], opts: { inputShape: [1, 2, 4, 5], groups: 2, dilation: 2 } },
  { name: "'same', 1-d", args: [{ shape: [2, 2, 5] }, { shape: [2, 3, 4] }], opts: { inputShape: [2, 3, 5], padding: 'same' } },
  { name: 'unbatched, 3-d', args: [{ shape: [2, 2, 2, 2] }, { shape: [2, 1, 2, 2, 2] }], opts: { inputShape: [1, 3, 3, 3] } },
  { name: 'expanded gradOutput', args: [{ shape: [1, 1, 1, 1] }, { shape: [2, 2, 2, 2] }], opts: { inputShape: [2, 2, 4, 4], expandTo: [2, 2, 3, 3] } },
  { name: 'batch 2, 30x30', args: [{ shape: [2, 8, 30, 30] }, { shape: [8, 6, 3, 3] }], opts: { inputShape: [2, 6, 30, 30], padding: 1 } },
];

const backwardWeightSamples: Sample[] = [
  { name: 'stride 2, padding 1', args: [{ shape: [1, 2, 5, 5] }, { shape: [1, 3, 3, 3] }], opts: { weightShape: [3, 2, 3, 3], stride: 2, padding: 1 } },
  { name: 'groups 2, dilation 2', args: [{ shape: [1, 2, 4, 5] }, { shape: [1, 4, 2, 3] }], opts: { weightShape: [4, 1, 2, 2], groups: 2, dilation: 2 } },
  { name: "'same', 1-d", args: [{ shape: [2, 3, 5] }, { shape: [2, 2, 5] }], opts: { weightShape: [2, 3, 4], padding: 'same' } },
  { name: 'unbatched, 3-d', args: [{ shape: [1, 3, 3, 3] }, { shape: [2, 2, 2, 2] }], opts: { weightShape: [2, 1, 2, 2, 2] } },
  { name: 'non-contiguous input, 1x1', args: [{ shape: [2, 3, 3, 3], noncontig: true }, { shape: [2, 2, 3, 3] }], opts: { weightShape: [2, 3, 1, 1] } },
  { name: 'zero batch', args: [{ shape: [0, 2, 4, 4] }, { shape: [0, 3, 2, 2] }], opts: { weightShape: [3, 2, 3, 3] } },
  { name: 'batch 5, 24x24 (partial sums per thread)', args: [{ shape: [5, 4, 24, 24] }, { shape: [5, 6, 22, 22] }], opts: { weightShape: [6, 4, 3, 3] } },
  { name: 'batch 1, 50x52 (blocks, partial sums)', args: [{ shape: [1, 3, 50, 52] }, { shape: [1, 4, 50, 52] }], opts: { weightShape: [4, 3, 3, 3], padding: 1 } },
  { name: 'GEMM path: 40 output channels, batch 3', args: [{ shape: [3, 3, 12, 13] }, { shape: [3, 40, 6, 7] }], opts: { weightShape: [40, 3, 3, 3], stride: 2, padding: 1 } },
  { name: 'GEMM path: batch 1, 48x50 (blocks, partial sums)', args: [{ shape: [1, 2, 48, 50] }, { shape: [1, 36, 48, 50] }], opts: { weightShape: [36, 2, 3, 3], padding: 1 } },
  { name: 'GEMM path: 1x1 direct, groups 2', args: [{ shape: [2, 4, 6, 7] }, { shape: [2, 70, 6, 7] }], opts: { weightShape: [70, 2, 1, 1], groups: 2 } },
  { name: 'direct path: groups 2, dilation, padding pairs', args: [{ shape: [2, 4, 9, 8] }, { shape: [2, 10, 6, 3] }], opts: { weightShape: [10, 2, 3, 3], groups: 2, dilation: 2, padding: [[1, 0], [1, 1]], stride: [1, 2] } },
];

// ---- entries ---------------------------------------------------------------------------------

type Fwd = (x: Tensor, w: Tensor, b?: Tensor | null, o?: Record<string, unknown>) => Tensor;

function forwardEntry(name: string, fn: Fwd, s: number, samples: Sample[], errors: OpInfo['errors'] = []): OpInfo {
  return {
    name,
    grad: true,
    run: ([x, w, b], o) => fn(o?.tIn ? x.transpose(-2, -1) : x, w, b ?? null, opOpts(o)),
    ref: (args, o) => forwardRef(s)(args as [Nd, Nd, Nd | null], o),
    samples,
    dtypes: [...FWD_DTYPES],
    tol: HALF_TOL,
    outDtype: (d) => d,
    errors,
  };
}

function transposeEntry(name: string, fn: Fwd, s: number, samples: Sample[], errors: OpInfo['errors'] = []): OpInfo {
  return {
    name,
    grad: true,
    run: ([x, w, b], o) => fn(x, w, b ?? null, opOpts(o)),
    ref: (args, o) => transposeRef(s)(args as [Nd, Nd, Nd | null], o),
    samples,
    dtypes: [...FWD_DTYPES],
    tol: HALF_TOL,
    outDtype: (d) => d,
    errors,
  };
}

const A = (shape: number[], dtype?: 'float32' | 'float64' | 'int64'): { shape: number[]; dtype?: 'float32' | 'float64' | 'int64' } => (dtype ? { shape, dtype } : { shape });

export const convOps: OpInfo[] = [
  forwardEntry('conv2d', conv2d as Fwd, 2, conv2dSamples, [
    { name: 'channel mismatch', args: [A([2, 3, 8, 8]), A([4, 2, 3, 3]), null], throws: /^conv2d: input \[2, 3, 8, 8\] \(float32\) and weight \[4, 2, 3, 3\] \(float32\): expected input channels 2\*groups = 2 \(groups = 1\), got 3$/ },
    { name: 'channel mismatch with groups', args: [A([2, 3, 8, 8]), A([4, 2, 3, 3]), null], opts: { groups: 2 }, throws: /conv2d: .*expected input channels 2\*groups = 4 \(groups = 2\), got 3/ },
    { name: 'dtype mismatch', args: [A([1, 2, 4, 4], 'float32'), A([2, 2, 3, 3], 'float64'), null], throws: /conv2d: input \[1, 2, 4, 4\] \(float32\) and weight \[2, 2, 3, 3\] \(float64\): expected both to have the same dtype/ },
    { name: 'integer dtype', args: [A([1, 2, 4, 4], 'int64'), A([2, 2, 3, 3], 'int64'), null], throws: /conv2d: not supported for dtype int64/ },
    { name: '2-D input', args: [A([8, 8]), A([4, 1, 3, 3]), null], throws: /conv2d: input \[8, 8\] \(float32\) and weight \[4, 1, 3, 3\] \(float32\): expected a 3-D \(unbatched\) or 4-D \(batched\) input/ },
    { name: '3-D weight', args: [A([1, 2, 8, 8]), A([4, 2, 3]), null], throws: /conv2d: .*expected a 4-D weight \[outChannels, inChannels\/groups, kH, kW\]/ },
    { name: 'kernel larger than padded input', args: [A([1, 1, 2, 2]), A([1, 1, 3, 3]), null], throws: /conv2d: .*calculated output size \[0, 0\] is too small/ },
    { name: "'same' with stride 2", args: [A([1, 1, 5, 5]), A([1, 1, 3, 3]), null], opts: { padding: 'same', stride: 2 }, throws: /conv2d: padding='same' is not supported for strided convolutions/ },
    { name: 'bias of the wrong size', args: [A([1, 2, 5, 5]), A([3, 2, 3, 3]), A([2])], throws: /conv2d: expected bias of shape \[3\] \(one per output channel\), got \[2\]/ },
    { name: 'groups not dividing output channels', args: [A([1, 4, 5, 5]), A([3, 2, 3, 3]), null], opts: { groups: 2 }, throws: /conv2d: .*expected the weight's 3 output channels to be divisible by groups \(2\)/ },
    { name: 'negative padding', args: [A([1, 1, 5, 5]), A([1, 1, 3, 3]), null], opts: { padding: -1 }, throws: /conv2d: expected padding to be a non-negative integer/ },
    { name: 'zero stride', args: [A([1, 1, 5, 5]), A([1, 1, 3, 3]), null], opts: { stride: [1, 0] }, throws: /conv2d: expected stride to be a positive integer or 2 of them, got \[1,0\]/ },
    { name: 'stride of the wrong length', args: [A([1, 1, 5, 5]), A([1, 1, 3, 3]), null], opts: { stride: [1, 1, 1] }, throws: /conv2d: expected stride to be a positive integer or 2 of them/ },
    { name: 'zero-size spatial dim', args: [A([1, 1, 0, 5]), A([1, 1, 1, 1]), null], throws: /conv2d: .*expected non-zero sizes in the input's non-batch dims/ },
    { name: 'zero groups', args: [A([1, 1, 5, 5]), A([1, 1, 3, 3]), null], opts: { groups: 0 }, throws: /conv2d: expected groups to be a positive integer, got 0/ },
  ]),
  forwardEntry('conv1d', conv1d as Fwd, 1, conv1dSamples, [
    { name: 'channel mismatch', args: [A([2, 3, 8]), A([4, 2, 3]), null], throws: /^conv1d: input \[2, 3, 8\] \(float32\) and weight \[4, 2, 3\] \(float32\): expected input channels 2\*groups = 2 \(groups = 1\), got 3$/ },
    { name: '4-D input', args: [A([1, 2, 3, 8]), A([4, 2, 3]), null], throws: /conv1d: .*expected a 2-D \(unbatched\) or 3-D \(batched\) input/ },
  ]),
  forwardEntry('conv3d', conv3d as Fwd, 3, conv3dSamples, [
    { name: 'channel mismatch', args: [A([1, 3, 4, 4, 4]), A([2, 2, 2, 2, 2]), null], throws: /conv3d: .*expected input channels 2\*groups = 2 \(groups = 1\), got 3/ },
    { name: '4-D weight', args: [A([1, 2, 4, 4, 4]), A([2, 2, 2, 2]), null], throws: /conv3d: .*expected a 5-D weight \[outChannels, inChannels\/groups, kD, kH, kW\]/ },
  ]),
  transposeEntry('convTranspose2d', convTranspose2d as Fwd, 2, convT2dSamples, [
    { name: 'output padding too large', args: [A([1, 2, 3, 3]), A([2, 3, 3, 3]), null], opts: { stride: 2, outputPadding: 2 }, throws: /convTranspose2d: output padding must be smaller than either stride or dilation/ },
    { name: 'channel mismatch', args: [A([1, 3, 3, 3]), A([2, 3, 3, 3]), null], throws: /convTranspose2d: input \[1, 3, 3, 3\] \(float32\) and weight \[2, 3, 3, 3\] \(float32\): expected input channels 2 \(the weight's first dim\), got 3/ },
    { name: "'same' padding", args: [A([1, 2, 3, 3]), A([2, 3, 3, 3]), null], opts: { padding: 'same' }, throws: /convTranspose2d: padding 'same' is not supported for transposed convolutions/ },
    { name: 'output too small', args: [A([1, 2, 1, 1]), A([2, 3, 1, 1]), null], opts: { padding: 1 }, throws: /convTranspose2d: .*calculated output size \[-1, -1\] is too small/ },
  ]),
  transposeEntry('convTranspose1d', convTranspose1d as Fwd, 1, convT1dSamples, [
    { name: 'groups not dividing input channels', args: [A([1, 3, 4]), A([3, 2, 3]), null], opts: { groups: 2 }, throws: /convTranspose1d: .*expected the 3 input channels to be divisible by groups \(2\)/ },
  ]),
  transposeEntry('convTranspose3d', convTranspose3d as Fwd, 3, convT3dSamples),
  {
    name: 'convolution',
    grad: true,
    run: ([x, w, b], o) => convolution(x, w, b ?? null, opOpts(o)),
    ref: (args, o) => {
      const s = (args[1] as Nd).ndim - 2;
      return o?.transposed ? transposeRef(s)(args as [Nd, Nd, Nd | null], o) : forwardRef(s)(args as [Nd, Nd, Nd | null], o);
    },
    samples: [
      { name: '2-d', args: [{ shape: [1, 2, 4, 4] }, { shape: [3, 2, 2, 2] }, { shape: [3] }], opts: { stride: 2, padding: 1 } },
      { name: 'transposed 1-d', args: [{ shape: [2, 2, 4] }, { shape: [2, 3, 3] }, { shape: [3] }], opts: { transposed: true, stride: 2, outputPadding: 1 } },
    ],
    errors: [
      { name: 'outputPadding without transposed', args: [A([1, 2, 4, 4]), A([3, 2, 2, 2]), null], opts: { outputPadding: 1 }, throws: /convolution: outputPadding is only supported for transposed convolutions/ },
      { name: '1-D weight', args: [A([1, 2, 4]), A([3]), null], throws: /convolution: expected a weight with 1 to 3 spatial dims, got shape \[3\]/ },
    ],
  },
  {
    name: 'convolutionBackwardInput',
    grad: true,
    run: ([gy, w], o) => convolutionBackwardInput(o?.expandTo ? gy.expand(o.expandTo as number[]) : gy, w, o!.inputShape as number[], opOpts(o)),
    ref: ([gy, w], o) => {
      const s = w.ndim - 2;
      let g = gy as Nd;
      if (o?.expandTo) {
        const shape = o.expandTo as number[];
        g = new Nd([...shape], new Float64Array(Nd.numel(shape)).fill(g.data[0]!));
      }
      const batched = g.ndim === s + 2;
      const gb = withBatch(g, s);
      const xs = (o!.inputShape as number[]).slice(-s);
      const out = refConvAdjointInput(gb, w, null, refParams(o, s, w.shape.slice(2)), xs);
      return batched ? out : dropBatch(out);
    },
    samples: backwardInputSamples,
    tol: { float32: { atol: 2e-4, rtol: 1e-4 } },
    errors: [
      { name: 'inputShape that no convolution maps to gradOutput', args: [A([1, 3, 3, 3]), A([3, 2, 3, 3])], opts: { inputShape: [1, 2, 9, 9] }, throws: /convolutionBackwardInput: inputShape \[1, 2, 9, 9\]: the spatial sizes \[9, 9\] \(input\) and \[3, 3\] \(gradOutput\) do not belong to one convolution/ },
      { name: 'wrong channels', args: [A([1, 3, 3, 3]), A([4, 2, 3, 3])], opts: { inputShape: [1, 2, 5, 5] }, throws: /convolutionBackwardInput: gradOutput \[1, 3, 3, 3\] \(float32\) and weight \[4, 2, 3, 3\] \(float32\): expected gradOutput channels 4/ },
    ],
  },
  {
    name: 'convolutionBackwardWeight',
    grad: true,
    run: ([x, gy], o) => convolutionBackwardWeight(x, gy, o!.weightShape as number[], opOpts(o)),
    ref: ([x, gy], o) => {
      const wShape = o!.weightShape as number[];
      const s = wShape.length - 2;
      return refConvAdjointWeight(withBatch(x, s), withBatch(gy, s), refParams(o, s, wShape.slice(2)), wShape);
    },
    samples: backwardWeightSamples,
    // Weight gradients of the larger samples sum a few thousand products of values in [-2, 2]:
    // float32 rounding of such sums reaches 1e-4 in absolute terms.
    tol: { float32: { atol: 5e-4, rtol: 1e-4 } },
    errors: [
      { name: 'geometry mismatch', args: [A([1, 2, 5, 5]), A([1, 3, 2, 2])], opts: { weightShape: [3, 2, 3, 3] }, throws: /convolutionBackwardWeight: weightShape \[3, 2, 3, 3\]: the spatial sizes \[5, 5\] \(input\) and \[2, 2\] \(gradOutput\) do not belong to one convolution/ },
      { name: 'dtype mismatch', args: [A([1, 2, 5, 5], 'float32'), A([1, 3, 3, 3], 'float64')], opts: { weightShape: [3, 2, 3, 3] }, throws: /convolutionBackwardWeight: input \[1, 2, 5, 5\] \(float32\) and gradOutput \[1, 3, 3, 3\] \(float64\): expected both to have the same dtype/ },
    ],
  },
];
