/**
 * The op table of F (in the form of @cinder/tensor's, whose machinery it reuses): every function
 * with samples, a naive float64 reference and its error inputs. test/functional.test.ts checks
 * each sample against its reference in float32 and float64, runs gradcheck in float64 on the
 * small ones, and matches the errors. References of the functions that wrap @cinder/tensor's
 * native ops reuse that package's references (written from the definitions); the rest are
 * written here.
 */
import { manualSeed, tensor, type DType, type Tensor } from '@cinder/tensor';
import { F } from '../../src/index.js';
import { Nd } from '../../../tensor/test/optable/ref.js';
import { rnnFunctionalOps } from './rnn.js';
import type { OpInfo, TensorArg } from '../../../tensor/test/optable/types.js';
import { refConv, refConvAdjointInput, refParams } from '../../../tensor/test/optable/conv.js';
import {
  channelOf, groupStats, poolRef, refAdaptive, refAvgPool, refBatchNorm, refCrossEntropy, refEmbedding, refGroupNorm,
  refLayerNorm, refMaxPool, refPad, refUpsample,
} from '../../../tensor/test/optable/nn.js';

const T = (shape: number[], extra: Partial<TensorArg> = {}): TensorArg => ({ shape, ...extra });
const I = (shape: number[], low: number, high: number): TensorArg => ({ shape, dtype: 'int64', low, high });
const IV = (shape: number[], values: number[]): TensorArg => ({ shape, dtype: 'int64', values });

const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const map = (x: Nd, f: (v: number) => number): Nd => x.map((v) => f(v));
const zip = (a: Nd, b: Nd, f: (u: number, v: number) => number): Nd => a.map((v, i) => f(v, b.data[i]!));
const sum = (x: Nd): number => x.data.reduce((a, v) => a + v, 0);
const reduce = (x: Nd, r: unknown): Nd => (r === 'none' ? x : Nd.scalar(r === 'sum' ? sum(x) : sum(x) / x.data.length));
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
const softplus = (v: number): number => (v > 20 ? v : Math.log1p(Math.exp(v)));

/** x seen with a size-1 dim inserted before the last (1-d ops run the 2-d references). */
const lift = (x: Nd): Nd => new Nd([...x.shape.slice(0, -1), 1, x.shape[x.ndim - 1]!], x.data);
const drop = (x: Nd): Nd => new Nd([...x.shape.slice(0, -2), x.shape[x.ndim - 1]!], x.data);

/** Reduces along `dim` (kept as size 1 when keepdim) with f over each line's values. */
function along(x: Nd, dim: number, f: (vals: number[]) => number, keepdim = false): Nd {
  const d = dim < 0 ? dim + x.ndim : dim;
  const outShape = x.shape.map((s, i) => (i === d ? 1 : s));
  const out = Nd.zeros(outShape);
  const st = x.strides();
  Nd.forEachIndex(outShape, (idx, flat) => {
    const vals: number[] = [];
    for (let j = 0; j < x.shape[d]!; j++) {
      let o = 0;
      idx.forEach((v, i) => (o += (i === d ? j : v) * st[i]!));
      vals.push(x.data[o]!);
    }
    out.data[flat] = f(vals);
  });
  return keepdim ? out : new Nd(x.shape.filter((_, i) => i !== d), out.data);
}

/** Elementwise over a line along dim: f(vals) returns the line's new values. */
function lines(x: Nd, dim: number, f: (vals: number[]) => number[]): Nd {
  const d = dim < 0 ? dim + x.ndim : dim;
  const out = Nd.zeros([...x.shape]);
  const st = x.strides();
  const outer = x.shape.map((s, i) => (i === d ? 1 : s));
  Nd.forEachIndex(outer, (idx) => {
    const offs: number[] = [];
    for (let j = 0; j < x.shape[d]!; j++) {
      let o = 0;
      idx.forEach((v, i) => (o += (i === d ? j : v) * st[i]!));
      offs.push(o);
    }
    const r = f(offs.map((o) => x.data[o]!));
    offs.forEach((o, j) => (out.data[o] = r[j]!));
  });
  return out;
}

function matmulRef(a: Nd, b: Nd): Nd {
  // [..., m, k] @ [..., k, n] with equal batch dims.
  const m = a.shape[a.ndim - 2]!, k = a.shape[a.ndim - 1]!, n = b.shape[b.ndim - 1]!;
  const batch = a.shape.slice(0, -2);
  const out = Nd.zeros([...batch, m, n]);
  const B = numel(batch);
  for (let bi = 0; bi < B; bi++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += a.data[bi * m * k + i * k + t]! * b.data[bi * k * n + t * n + j]!;
        out.data[bi * m * n + i * n + j] = s;
      }
  return out;
}

// ---- references of the composite functions ----------------------------------------------------

function refLinear(x: Nd, w: Nd, b: Nd | null): Nd {
  const inF = w.shape[1]!, outF = w.shape[0]!;
  const rows = x.data.length / inF;
  const out = Nd.zeros([...x.shape.slice(0, -1), outF]);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outF; o++) {
      let s = b ? b.data[o]! : 0;
      for (let i = 0; i < inF; i++) s += x.data[r * inF + i]! * w.data[o * inF + i]!;
      out.data[r * outF + o] = s;
    }
  return out;
}

function refBilinear(x1: Nd, x2: Nd, w: Nd, b: Nd | null): Nd {
  const [O, I1, I2] = w.shape as [number, number, number];
  const rows = x1.data.length / I1;
  const out = Nd.zeros([...x1.shape.slice(0, -1), O]);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < O; o++) {
      let s = b ? b.data[o]! : 0;
      for (let i = 0; i < I1; i++) for (let j = 0; j < I2; j++) s += x1.data[r * I1 + i]! * w.data[(o * I1 + i) * I2 + j]! * x2.data[r * I2 + j]!;
      out.data[r * O + o] = s;
    }
  return out;
}

function refAttention(q: Nd, k: Nd, v: Nd, o: Record<string, unknown> | undefined, mask: Nd | null, maskBool: boolean): Nd {
  const L = q.shape[q.ndim - 2]!, E = q.shape[q.ndim - 1]!, S = k.shape[k.ndim - 2]!, Ev = v.shape[v.ndim - 1]!;
  const B = numel(q.shape.slice(0, -2));
  const scale = (o?.scale as number | undefined) ?? 1 / Math.sqrt(E);
  const out = Nd.zeros([...q.shape.slice(0, -1), Ev]);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < L; i++) {
      const sc: number[] = [];
      for (let j = 0; j < S; j++) {
        let s = 0;
        for (let e = 0; e < E; e++) s += q.data[(b * L + i) * E + e]! * k.data[(b * S + j) * E + e]!;
        s *= scale;
        if (o?.isCausal && j > i) s = -Infinity;
        if (mask) {
          const m = mask.data[i * S + j]!;
          if (maskBool) s = m ? s : -Infinity;
          else s += m;
        }
        sc.push(s);
      }
      const mx = Math.max(...sc);
      const ex = sc.map((s) => Math.exp(s - mx));
      const z = ex.reduce((a, v) => a + v, 0);
      for (let e = 0; e < Ev; e++) {
        let acc = 0;
        for (let j = 0; j < S; j++) acc += (ex[j]! / z) * v.data[(b * S + j) * Ev + e]!;
        out.data[(b * L + i) * Ev + e] = acc;
      }
    }
  return out;
}

function refNll(x: Nd, t: Nd, o: Record<string, unknown> | undefined): Nd {
  const w = (o?.weight as Nd | undefined) ?? null;
  const ignore = (o?.ignoreIndex as number | undefined) ?? -100;
  const shape = x.ndim === 1 ? [1, x.shape[0]!] : x.shape;
  const C = shape[1]!, D = numel(shape.slice(2)), N = shape[0]!;
  const losses: number[] = [];
  let wsum = 0;
  for (let n = 0; n < N; n++)
    for (let d = 0; d < D; d++) {
      const c = t.data[n * D + d]!;
      if (c === ignore) {
        losses.push(0);
        continue;
      }
      const wc = w ? w.data[c]! : 1;
      losses.push(-wc * x.data[(n * C + c) * D + d]!);
      wsum += wc;
    }
  const r = (o?.reduction as string | undefined) ?? 'mean';
  if (r === 'none') return new Nd(t.shape, Float64Array.from(losses));
  const s = losses.reduce((a, v) => a + v, 0);
  return Nd.scalar(r === 'sum' ? s : s / wsum);
}

function pnorm(vals: number[], p: number): number {
  return vals.reduce((a, v) => a + Math.abs(v) ** p, 0) ** (1 / p);
}

function refPairwise(a: Nd, b: Nd, o: Record<string, unknown> | undefined): Nd {
  const p = (o?.p as number | undefined) ?? 2;
  const eps = (o?.eps as number | undefined) ?? 1e-6;
  return along(zip(a, b, (u, v) => u - v + eps), -1, (vals) => pnorm(vals, p), Boolean(o?.keepdim));
}

const ACT: Record<string, (v: number, o: Record<string, unknown>) => number> = {
  relu: (v) => Math.max(v, 0),
  relu6: (v) => Math.min(Math.max(v, 0), 6),
  hardtanh: (v, o) => Math.min(Math.max(v, (o.minVal as number) ?? -1), (o.maxVal as number) ?? 1),
  leakyRelu: (v, o) => (v > 0 ? v : v * ((o.negativeSlope as number) ?? 0.01)),
  elu: (v, o) => (v > 0 ? v : ((o.alpha as number) ?? 1) * Math.expm1(v)),
  selu: (v) => 1.0507009873554804934193349852946 * (v > 0 ? v : 1.6732632423543772848170429916717 * Math.expm1(v)),
  celu: (v, o) => {
    const a = (o.alpha as number) ?? 1;
    return Math.max(0, v) + Math.min(0, a * Math.expm1(v / a));
  },
  silu: (v) => v * sigmoid(v),
  softplus: (v, o) => {
    const b = (o.beta as number) ?? 1, th = (o.threshold as number) ?? 20;
    return b * v > th ? v : Math.log1p(Math.exp(b * v)) / b;
  },
  mish: (v) => v * Math.tanh(softplus(v)),
  softsign: (v) => v / (1 + Math.abs(v)),
  hardswish: (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6,
  hardsigmoid: (v) => Math.min(Math.max(v + 3, 0), 6) / 6,
  sigmoid,
  tanh: Math.tanh,
  logsigmoid: (v) => -softplus(-v),
  gelu: (v, o) =>
    o.approximate === 'tanh'
      ? 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))
      : 0.5 * v * (1 + erf(v / Math.SQRT2)),
};

/** erf by its Taylor series (|x| < 3) or continued fraction, to double precision. */
function erf(x: number): number {
  if (Math.abs(x) > 3) {
    // erfc(x) = exp(-x^2) / sqrt(pi) * 1 / (x + 1/2 / (x + 1 / (x + 3/2 / (x + ...))))
    const ax = Math.abs(x);
    let f = 0;
    for (let k = 60; k >= 1; k--) f = (k / 2) / (ax + f);
    const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
    return Math.sign(x) * (1 - erfc);
  }
  let term = x, s = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    s += add;
    if (Math.abs(add) < 1e-17 * Math.abs(s)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * s;
}

function activation(name: string, extraSamples: { opts: Record<string, unknown>; name: string }[] = []): OpInfo {
  const fn = (F as unknown as Record<string, (x: Tensor, o?: unknown) => Tensor>)[name]!;
  return {
    name,
    run: ([x], o) => fn(x, o),
    ref: ([x], o) => map(x, (v) => ACT[name]!(v, o ?? {})),
    samples: [
      { name: '[3, 4]', args: [T([3, 4], { low: -4, high: 4 })] },
      { name: 'non-contiguous', args: [T([2, 3], { low: -4, high: 4, noncontig: true })] },
      ...extraSamples.map((e) => ({ name: e.name, args: [T([3, 4], { low: -4, high: 4 })], opts: e.opts })),
    ],
    grad: true,
  };
}

const convShape = (xs: number[], w: number[], pr: ReturnType<typeof refParams>, o: Record<string, unknown> | undefined): number[] => {
  const op = (o?.outputPadding as number | undefined) ?? 0;
  return xs.map((v, i) => (v - 1) * pr.stride[i]! - pr.pad[i]![0] - pr.pad[i]![1] + pr.dilation[i]! * (w[2 + i]! - 1) + op + 1);
};

function convEntry(name: string, s: number, transposed: boolean, samples: OpInfo['samples']): OpInfo {
  const fn = (F as unknown as Record<string, (x: Tensor, w: Tensor, o?: unknown) => Tensor>)[name]!;
  return {
    name,
    run: ([x, w, b], o) => fn(x, w, { ...o, bias: b }),
    ref: ([x, w, b], o) => {
      const unbatched = x.ndim === s + 1;
      const xb = unbatched ? new Nd([1, ...x.shape], x.data) : x;
      const pr = refParams(o, s, w.shape.slice(2));
      const y = transposed
        ? refConvAdjointInput(xb, w, b, pr, convShape(xb.shape.slice(2), w.shape, pr, o))
        : refConv(xb, w, b, pr);
      return unbatched ? new Nd(y.shape.slice(1), y.data) : y;
    },
    samples,
    grad: true,
  };
}

const evalStats = (C: number): [number[], number[]] => [
  Array.from({ length: C }, (_, c) => 0.3 * c - 0.2), Array.from({ length: C }, (_, c) => 0.5 + 0.25 * c),
];

/** Seeded so each call (gradcheck calls many times) draws the same mask. */
function seeded<R>(fn: () => R): R {
  manualSeed(1234);
  return fn();
}

function checkDropout(out: Tensor, x: Tensor, p: number, unit: (shape: readonly number[]) => number): void {
  const o = Array.from(out.to('float64').contiguous().data() as Float64Array);
  const v = Array.from(x.to('float64').contiguous().data() as Float64Array);
  let dropped = 0;
  const groups = new Map<number, boolean>();
  o.forEach((y, i) => {
    const zero = y === 0;
    if (zero) dropped++;
    else if (Math.abs(y - v[i]! / (1 - p)) > 1e-5 * Math.max(1, Math.abs(y))) throw new Error(`dropout: element ${i} is ${y}, expected 0 or ${v[i]! / (1 - p)}`);
    const g = Math.floor(i / unit(x.shape));
    if (groups.has(g) && groups.get(g) !== zero) throw new Error(`dropout: unit ${g} is partly dropped`);
    groups.set(g, zero);
  });
  const frac = dropped / o.length;
  // Four standard deviations of the dropped fraction (plus a little for tiny samples).
  if (Math.abs(frac - p) > 4 * Math.sqrt((p * (1 - p)) / o.length) + 0.01) throw new Error(`dropout: dropped ${frac} of the elements, expected about ${p}`);
}

export const functionalOps: OpInfo[] = [
  ...rnnFunctionalOps,
  // ---- linear and convolution ----
  {
    name: 'linear',
    run: ([x, w, b]) => F.linear(x, w, { bias: b }),
    ref: ([x, w, b]) => refLinear(x, w, b),
    samples: [
      { name: '2-d with bias (addmm)', args: [T([4, 3]), T([5, 3]), T([5])] },
      { name: '3-d, no bias', args: [T([2, 3, 4]), T([5, 4]), null] },
      { name: 'non-contiguous weight', args: [T([3, 4]), T([2, 4], { noncontig: true }), T([2])] },
    ],
    grad: true,
    errors: [{ name: 'in_features differ', args: [T([2, 3]), T([4, 5]), null], throws: /linear: input \[2, 3\] \(float32\) and weight \[4, 5\] \(float32\): in_features differ \(3 != 5\)/ }],
  },
  {
    name: 'bilinear',
    run: ([a, b, w, bias]) => F.bilinear(a, b, w, { bias }),
    ref: ([a, b, w, bias]) => refBilinear(a, b, w, bias),
    samples: [
      { name: '[2, 3] x [2, 4] -> 5', args: [T([2, 3]), T([2, 4]), T([5, 3, 4]), T([5])] },
      { name: 'batch dims, no bias', args: [T([2, 2, 3]), T([2, 2, 2]), T([3, 3, 2]), null] },
    ],
    grad: true,
    errors: [{ name: 'batch dims differ', args: [T([2, 3]), T([3, 4]), T([5, 3, 4]), null], throws: /bilinear: input1 \[2, 3\].*batch dims differ/ }],
  },
  convEntry('conv1d', 1, false, [
    { name: 'stride 2, padding 1, bias', args: [T([2, 2, 7]), T([3, 2, 3]), T([3])], opts: { stride: 2, padding: 1 } },
    { name: "padding 'same', dilation 2, groups 2", args: [T([1, 4, 6]), T([4, 2, 3]), null], opts: { padding: 'same', dilation: 2, groups: 2 } },
  ]),
  convEntry('conv2d', 2, false, [
    { name: 'stride 2, padding 1, bias', args: [T([1, 2, 5, 5]), T([3, 2, 3, 3]), T([3])], opts: { stride: 2, padding: 1 } },
    { name: 'unbatched, groups 2', args: [T([4, 4, 3]), T([2, 2, 2, 2]), null], opts: { groups: 2 } },
  ]),
  convEntry('conv3d', 3, false, [{ name: 'padding 1', args: [T([1, 1, 3, 3, 3]), T([2, 1, 2, 2, 2]), T([2])], opts: { padding: 1 } }]),
  convEntry('convTranspose1d', 1, true, [
    { name: 'stride 2, outputPadding 1', args: [T([2, 2, 4]), T([2, 3, 3]), T([3])], opts: { stride: 2, outputPadding: 1 } },
  ]),
  convEntry('convTranspose2d', 2, true, [
    { name: 'stride 2, padding 1, outputPadding 1', args: [T([1, 2, 3, 3]), T([2, 2, 3, 3]), T([2])], opts: { stride: 2, padding: 1, outputPadding: 1 } },
    { name: 'groups 2', args: [T([1, 4, 2, 3]), T([4, 1, 2, 2]), null], opts: { groups: 2 } },
  ]),
  convEntry('convTranspose3d', 3, true, [{ name: 'stride 2', args: [T([1, 1, 2, 2, 2]), T([1, 2, 2, 2, 2]), null], opts: { stride: 2 } }]),

  // ---- pooling ----
  {
    name: 'maxPool2d',
    run: ([x, k], o) => F.maxPool2d(x, k, { ...o, returnIndices: true }),
    ref: ([x, k], o) => refMaxPool(x, poolRef(k, o)),
    samples: [
      { name: 'k3 s2 p1 ceil', args: [T([1, 2, 5, 6]), 3], opts: { stride: 2, padding: 1, ceilMode: true } },
      { name: 'k[2,3] dilation [2,1] unbatched', args: [T([2, 5, 5]), [2, 3]], opts: { dilation: [2, 1] } },
    ],
    grad: true,
  },
  {
    name: 'maxPool1d',
    run: ([x, k], o) => F.maxPool1d(x, k, { ...o, returnIndices: true }),
    ref: ([x, k], o) => refMaxPool(lift(x), poolRef([1, k], {
      stride: [1, (o?.stride as number | undefined) ?? k], padding: [0, (o?.padding as number | undefined) ?? 0],
      dilation: [1, (o?.dilation as number | undefined) ?? 1], ceilMode: o?.ceilMode,
    })).map(drop),
    samples: [
      { name: 'k3 s2 p1 ceil', args: [T([2, 3, 8]), 3], opts: { stride: 2, padding: 1, ceilMode: true } },
      { name: 'k2 dilation 2 unbatched', args: [T([3, 7]), 2], opts: { dilation: 2 } },
    ],
    grad: true,
    errors: [{ name: 'padding over half the kernel', args: [T([1, 2, 8]), 2], opts: { padding: 2 }, throws: /^maxPool1d: pad should be at most half/ }],
  },
  {
    name: 'avgPool2d',
    run: ([x, k], o) => F.avgPool2d(x, k, o),
    ref: ([x, k], o) => refAvgPool(x, poolRef(k, o), o),
    samples: [
      { name: 'k3 s2 p1 ceil countIncludePad false', args: [T([1, 2, 5, 6]), 3], opts: { stride: 2, padding: 1, ceilMode: true, countIncludePad: false } },
      { name: 'divisorOverride', args: [T([2, 4, 4]), 2], opts: { divisorOverride: 3 } },
    ],
    grad: true,
  },
  {
    name: 'avgPool1d',
    run: ([x, k], o) => F.avgPool1d(x, k, o),
    ref: ([x, k], o) => drop(refAvgPool(lift(x), poolRef([1, k], {
      stride: [1, (o?.stride as number | undefined) ?? k], padding: [0, (o?.padding as number | undefined) ?? 0], ceilMode: o?.ceilMode,
    }), o)),
    samples: [
      { name: 'k4 s3 p2 ceil countIncludePad false', args: [T([2, 3, 9]), 4], opts: { stride: 3, padding: 2, ceilMode: true, countIncludePad: false } },
      { name: 'k2 unbatched', args: [T([3, 6]), 2] },
    ],
    grad: true,
  },
  {
    name: 'adaptiveAvgPool2d',
    run: ([x, s]) => F.adaptiveAvgPool2d(x, s),
    ref: ([x, s]) => refAdaptive(x, s, false)[0],
    samples: [{ name: '[3, 2] from [5, 6]', args: [T([1, 2, 5, 6]), [3, 2]] }],
    grad: true,
  },
  {
    name: 'adaptiveMaxPool2d',
    run: ([x, s]) => F.adaptiveMaxPool2d(x, s, { returnIndices: true }),
    ref: ([x, s]) => refAdaptive(x, s, true),
    samples: [{ name: '[3, 4] from [5, 6]', args: [T([1, 2, 5, 6]), [3, 4]] }],
    grad: true,
  },
  {
    name: 'adaptiveAvgPool1d',
    run: ([x, s]) => F.adaptiveAvgPool1d(x, s),
    ref: ([x, s]) => drop(refAdaptive(lift(x), [1, s], false)[0]),
    samples: [{ name: '3 from 7', args: [T([2, 3, 7]), 3] }],
    grad: true,
  },
  {
    name: 'adaptiveMaxPool1d',
    run: ([x, s]) => F.adaptiveMaxPool1d(x, s, { returnIndices: true }),
    ref: ([x, s]) => refAdaptive(lift(x), [1, s], true).map(drop),
    samples: [{ name: '4 from 7', args: [T([2, 3, 7]), 4] }],
    grad: true,
  },

  // ---- interpolate and pad ----
  {
    name: 'interpolate',
    run: ([x], o) => F.interpolate(x, o as never),
    ref: ([x], o) => {
      const mode = (o?.mode as string | undefined) ?? 'nearest';
      const s = x.ndim - 2;
      const factor = o?.scaleFactor as number | number[] | undefined;
      const sizes = o?.size !== undefined
        ? (typeof o.size === 'number' ? [o.size] : (o.size as number[]))
        : x.shape.slice(2).map((n: number, i: number) => Math.floor(n * (typeof factor === 'number' ? factor : factor![i]!)));
      const scales = o?.scaleFactor !== undefined ? x.shape.slice(2).map((_: number, i: number) => (typeof factor === 'number' ? factor : factor![i]!)) : [null, null];
      const x4 = s === 1 ? lift(x) : x;
      const size2 = s === 1 ? [1, sizes[0]!] : sizes;
      const scales2 = s === 1 ? [null, scales[0]] : scales;
      let y: Nd;
      if (mode === 'area') y = refAdaptive(x4, size2, false)[0];
      else y = refUpsample(x4, size2, mode === 'nearest' ? 'nearest' : 'bilinear', { alignCorners: o?.alignCorners, scales: scales2 });
      return s === 1 ? drop(y) : y;
    },
    samples: [
      { name: 'bilinear [5, 7]', args: [T([1, 2, 3, 4])], opts: { size: [5, 7], mode: 'bilinear' } },
      { name: 'bilinear scaleFactor 1.5 alignCorners', args: [T([1, 2, 3, 4])], opts: { scaleFactor: 1.5, mode: 'bilinear', alignCorners: true } },
      { name: 'nearest scaleFactor [2, 1.5]', args: [T([1, 2, 3, 4])], opts: { scaleFactor: [2, 1.5] } },
      { name: 'linear 1-d', args: [T([2, 2, 4])], opts: { size: 7, mode: 'linear' } },
      { name: 'nearest 1-d', args: [T([2, 2, 4])], opts: { size: 6 } },
      { name: 'area', args: [T([1, 2, 5, 7])], opts: { size: [3, 2], mode: 'area' } },
    ],
    grad: true,
    errors: [
      { name: 'both size and scaleFactor', args: [T([1, 1, 2, 2])], opts: { size: 4, scaleFactor: 2 }, throws: /interpolate: only one of size or scaleFactor should be defined/ },
      { name: 'alignCorners with nearest', args: [T([1, 1, 2, 2])], opts: { size: 4, alignCorners: true }, throws: /interpolate: alignCorners can only be set with the interpolating modes/ },
      { name: 'bilinear on 3-d', args: [T([1, 1, 2])], opts: { size: 4, mode: 'bilinear' }, throws: /interpolate: mode 'bilinear' needs a 4-d input/ },
      { name: 'bicubic', args: [T([1, 1, 2, 2])], opts: { size: 4, mode: 'bicubic' }, throws: /interpolate: mode 'bicubic' is not supported/ },
    ],
  },
  {
    name: 'pad',
    run: ([x, p], o) => F.pad(x, p, o),
    ref: ([x, p], o) => refPad(x, p, (o?.mode as string | undefined) ?? 'constant', (o?.value as number | undefined) ?? 0),
    samples: [
      { name: 'reflect', args: [T([1, 2, 4, 5]), [2, 1, 3, 0]], opts: { mode: 'reflect' } },
      { name: 'replicate', args: [T([2, 3, 4]), [3, 1]], opts: { mode: 'replicate' } },
      { name: 'circular', args: [T([2, 3, 4]), [2, 1, 1, 3]], opts: { mode: 'circular' } },
      { name: 'constant', args: [T([2, 3, 4]), [1, -2, -1, 2]], opts: { value: 0.5 } },
    ],
    grad: true,
  },

  // ---- normalization ----
  {
    name: 'batchNorm',
    run: ([x, w, b], o) => {
      if (o?.training) return F.batchNorm(x, null, null, { weight: w, bias: b, training: true, eps: 1e-3 });
      const [m, v] = evalStats(x.shape[1]!);
      return F.batchNorm(x, tensor(m, { dtype: x.dtype }), tensor(v, { dtype: x.dtype }), { weight: w, bias: b, eps: 1e-3 });
    },
    ref: ([x, w, b], o) => refBatchNorm(x, w, b, Boolean(o?.training), 1e-3)[0],
    samples: [
      { name: 'training', args: [T([4, 3, 5]), T([3]), T([3])], opts: { training: true } },
      { name: 'evaluation', args: [T([4, 3, 2, 2]), T([3]), null], opts: { training: false } },
    ],
    tol: { float32: { atol: 1e-5, rtol: 1e-4 }, float64: { atol: 1e-8, rtol: 1e-7 } },
    grad: true,
    errors: [{ name: '1-d input', args: [T([4]), null, null], opts: { training: true }, throws: /batchNorm: expected an input of at least 2 dims/ }],
  },
  {
    name: 'instanceNorm',
    run: ([x, w, b]) => F.instanceNorm(x, { weight: w, bias: b }),
    ref: ([x, w, b]) => {
      const [, C] = x.shape as [number, number];
      const S = numel(x.shape.slice(2));
      const st = groupStats(x, x.data.length / S, (i) => Math.floor(i / S));
      const chan = channelOf(x.shape);
      return x.map((v: number, i: number) => {
        const g = Math.floor(i / S), c = chan(i);
        void C;
        return ((v - st.mean[g]!) / Math.sqrt(st.variance[g]! + 1e-5)) * (w ? w.data[c]! : 1) + (b ? b.data[c]! : 0);
      });
    },
    samples: [
      { name: '[2, 3, 5] affine', args: [T([2, 3, 5]), T([3]), T([3])] },
      { name: '[2, 2, 2, 3]', args: [T([2, 2, 2, 3]), null, null] },
    ],
    tol: { float32: { atol: 1e-5, rtol: 1e-4 }, float64: { atol: 1e-8, rtol: 1e-7 } },
    grad: true,
    errors: [{ name: 'one spatial element', args: [T([2, 3, 1]), null, null], throws: /instanceNorm: expected more than 1 spatial element when training/ }],
  },
  {
    name: 'layerNorm',
    run: ([x, w, b], o) => F.layerNorm(x, o!.ns as number[], { weight: w, bias: b }),
    ref: ([x, w, b], o) => refLayerNorm(x, o!.ns as number[], w, b, 1e-5)[0],
    samples: [
      { name: 'over [4, 5]', args: [T([2, 4, 5]), T([4, 5]), T([4, 5])], opts: { ns: [4, 5] } },
      { name: 'over [6], no affine', args: [T([3, 6]), null, null], opts: { ns: [6] } },
    ],
    tol: { float32: { atol: 1e-5, rtol: 1e-4 }, float64: { atol: 1e-8, rtol: 1e-7 } },
    grad: true,
  },
  {
    name: 'groupNorm',
    run: ([x, w, b], o) => F.groupNorm(x, o!.groups as number, { weight: w, bias: b }),
    ref: ([x, w, b], o) => refGroupNorm(x, o!.groups as number, w, b, 1e-5)[0],
    samples: [
      { name: '3 groups', args: [T([2, 6, 4]), T([6]), T([6])], opts: { groups: 3 } },
      { name: '1 group 4-d', args: [T([2, 2, 2, 3]), null, null], opts: { groups: 1 } },
    ],
    tol: { float32: { atol: 1e-5, rtol: 1e-4 }, float64: { atol: 1e-8, rtol: 1e-7 } },
    grad: true,
  },
  {
    name: 'normalize',
    run: ([x], o) => F.normalize(x, o),
    ref: ([x], o) => {
      const p = (o?.p as number | undefined) ?? 2;
      return lines(x, (o?.dim as number | undefined) ?? 1, (vals) => {
        const n = Math.max(pnorm(vals, p), 1e-12);
        return vals.map((v) => v / n);
      });
    },
    samples: [
      { name: 'p 2 dim 1', args: [T([3, 4])] },
      { name: 'p 1 dim 0', args: [T([3, 4])], opts: { p: 1, dim: 0 } },
    ],
    grad: true,
  },

  // ---- dropout ----
  {
    name: 'dropout',
    run: ([x], o) => seeded(() => F.dropout(x, o)),
    ref: ([x]) => x,
    check: (out, [x], o) => {
      if (o?.training === false) {
        if (out !== x) throw new Error('dropout: evaluation must return the input');
        return;
      }
      checkDropout(out as Tensor, x, (o?.p as number | undefined) ?? 0.5, () => 1);
    },
    samples: [
      { name: 'p 0.3', args: [T([40, 50], { low: 0.5, high: 2 })], opts: { p: 0.3 } },
      { name: 'evaluation', args: [T([4, 5])], opts: { p: 0.3, training: false } },
      { name: 'small (gradcheck)', args: [T([4, 5], { low: 0.5, high: 2 })], opts: { p: 0.25 } },
    ],
    grad: true,
    errors: [{ name: 'p above 1', args: [T([2])], opts: { p: 1.5 }, throws: /dropout: dropout probability has to be between 0 and 1, but got 1.5/ }],
  },
  {
    name: 'dropout2d',
    run: ([x], o) => seeded(() => F.dropout2d(x, o)),
    ref: ([x]) => x,
    check: (out, [x], o) => checkDropout(out as Tensor, x, (o?.p as number | undefined) ?? 0.5, (s) => s[s.length - 1]! * s[s.length - 2]!),
    samples: [
      { name: 'p 0.4 [20, 30, 3, 2]', args: [T([20, 30, 3, 2], { low: 0.5, high: 2 })], opts: { p: 0.4 } },
      { name: 'unbatched (gradcheck)', args: [T([6, 2, 3], { low: 0.5, high: 2 })], opts: { p: 0.5 } },
    ],
    grad: true,
    errors: [{ name: '2-d input', args: [T([2, 3])], throws: /dropout2d: expected a 3-d \[C, H, W\] or 4-d/ }],
  },

  // ---- embedding, oneHot, attention ----
  {
    name: 'embedding',
    run: ([i, w], o) => F.embedding(i, w, o),
    ref: ([i, w]) => refEmbedding(w, i),
    samples: [{ name: '[2, 3] indices', args: [I([2, 3], 0, 6), T([7, 3])] }],
    grad: true,
    errors: [{ name: 'sparse', args: [I([2], 0, 3), T([4, 2])], opts: { sparse: true }, throws: /embedding: sparse gradients are not supported/ }],
  },
  {
    name: 'oneHot',
    run: ([i], o) => F.oneHot(i, o?.n as number | undefined),
    ref: ([i], o) => {
      const n = (o?.n as number | undefined) ?? Math.max(...i.data) + 1;
      const out = Nd.zeros([...i.shape, n]);
      i.data.forEach((v: number, k: number) => (out.data[k * n + v] = 1));
      return out;
    },
    dtypes: ['int64'],
    samples: [
      { name: 'inferred classes', args: [I([2, 3], 0, 4)] },
      { name: '6 classes', args: [I([4], 0, 4)], opts: { n: 6 } },
    ],
  },
  {
    name: 'scaledDotProductAttention',
    run: ([q, k, v, m], o) => F.scaledDotProductAttention(q, k, v, { ...o, attnMask: m }),
    ref: ([q, k, v, m], o, dt) => refAttention(q, k, v, o, m, dt[3] === 'bool'),
    samples: [
      { name: 'plain', args: [T([2, 3, 4]), T([2, 5, 4]), T([2, 5, 2]), null] },
      { name: 'bool mask', args: [T([2, 3, 4]), T([2, 5, 4]), T([2, 5, 2]), { shape: [3, 5], dtype: 'bool', values: [1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0] }] },
      { name: 'float mask, scale', args: [T([1, 2, 3, 2]), T([1, 2, 4, 2]), T([1, 2, 4, 3]), T([3, 4])], opts: { scale: 0.7 } },
      { name: 'causal', args: [T([2, 4, 3]), T([2, 4, 3]), T([2, 4, 2]), null], opts: { isCausal: true } },
    ],
    grad: true,
    errors: [
      { name: 'mask and isCausal', args: [T([1, 2, 2]), T([1, 2, 2]), T([1, 2, 2]), { shape: [2, 2], dtype: 'bool', values: [1, 1, 1, 1] }], opts: { isCausal: true }, throws: /scaledDotProductAttention: attnMask and isCausal cannot both be set/ },
      { name: 'embedding sizes differ', args: [T([1, 2, 3]), T([1, 2, 4]), T([1, 2, 2]), null], throws: /scaledDotProductAttention: query \[1, 2, 3\] \(float32\) and key \[1, 2, 4\] \(float32\): embedding sizes differ/ },
    ],
  },

  // ---- activations ----
  activation('relu'),
  activation('relu6'),
  activation('hardtanh', [{ name: 'minVal -2 maxVal 1.5', opts: { minVal: -2, maxVal: 1.5 } }]),
  activation('leakyRelu', [{ name: 'negativeSlope 0.2', opts: { negativeSlope: 0.2 } }]),
  activation('elu', [{ name: 'alpha 0.7', opts: { alpha: 0.7 } }]),
  activation('selu'),
  activation('celu', [{ name: 'alpha 1.3', opts: { alpha: 1.3 } }]),
  activation('gelu', [{ name: 'tanh approximation', opts: { approximate: 'tanh' } }]),
  activation('silu'),
  activation('softplus', [{ name: 'beta 2 threshold 3', opts: { beta: 2, threshold: 3 } }]),
  activation('mish'),
  activation('softsign'),
  activation('hardswish'),
  activation('hardsigmoid'),
  activation('sigmoid'),
  activation('tanh'),
  activation('logsigmoid'),
  {
    name: 'softmax',
    run: ([x], o) => F.softmax(x, o?.dim as number),
    ref: ([x], o) => lines(x, o!.dim as number, (vals) => {
      const m = Math.max(...vals);
      const e = vals.map((v) => Math.exp(v - m));
      const z = e.reduce((a, v) => a + v, 0);
      return e.map((v) => v / z);
    }),
    samples: [{ name: 'dim 1', args: [T([3, 4])], opts: { dim: 1 } }, { name: 'dim 0', args: [T([3, 4])], opts: { dim: 0 } }],
    grad: true,
    errors: [{ name: 'no dim', args: [T([3])], throws: /softmax: dim is required/ }],
  },
  {
    name: 'logSoftmax',
    run: ([x], o) => F.logSoftmax(x, o?.dim as number),
    ref: ([x], o) => lines(x, o!.dim as number, (vals) => {
      const m = Math.max(...vals);
      const lz = m + Math.log(vals.reduce((a, v) => a + Math.exp(v - m), 0));
      return vals.map((v) => v - lz);
    }),
    samples: [{ name: 'dim -1', args: [T([3, 4])], opts: { dim: -1 } }],
    grad: true,
    errors: [{ name: 'no dim', args: [T([3])], throws: /logSoftmax: dim is required/ }],
  },
  {
    name: 'softmin',
    run: ([x], o) => F.softmin(x, o!.dim as number),
    ref: ([x], o) => lines(x, o!.dim as number, (vals) => {
      const e = vals.map((v) => Math.exp(-v));
      const z = e.reduce((a, v) => a + v, 0);
      return e.map((v) => v / z);
    }),
    samples: [{ name: 'dim 1', args: [T([3, 4])], opts: { dim: 1 } }],
    grad: true,
  },
  {
    name: 'glu',
    run: ([x], o) => F.glu(x, o?.dim as number | undefined),
    ref: ([x], o) => {
      const d = ((o?.dim as number | undefined) ?? -1) < 0 ? x.ndim + ((o?.dim as number | undefined) ?? -1) : (o!.dim as number);
      const half = x.shape[d]! / 2;
      const outShape = x.shape.map((s: number, i: number) => (i === d ? half : s));
      const out = Nd.zeros(outShape);
      const st = x.strides();
      Nd.forEachIndex(outShape, (idx, flat) => {
        let oa = 0, ob = 0;
        idx.forEach((v, i) => {
          oa += v * st[i]!;
          ob += (i === d ? v + half : v) * st[i]!;
        });
        out.data[flat] = x.data[oa]! * sigmoid(x.data[ob]!);
      });
      return out;
    },
    samples: [{ name: 'dim -1', args: [T([3, 4])] }, { name: 'dim 0', args: [T([4, 3])], opts: { dim: 0 } }],
    grad: true,
    errors: [{ name: 'odd dim', args: [T([3, 3])], throws: /glu: halving dimension must be even, but dimension 1 is size 3/ }],
  },

  {
    name: 'prelu',
    run: ([x, w]) => F.prelu(x, w),
    ref: ([x, w]) => {
      const out = Nd.zeros([...x.shape]);
      Nd.forEachIndex(x.shape, (idx, flat) => {
        const v = x.data[flat]!;
        const a = w.data.length === 1 ? w.data[0]! : w.data[idx[1]!]!;
        out.data[flat] = v > 0 ? v : a * v;
      });
      return out;
    },
    samples: [
      { name: 'one slope', args: [T([3, 4]), T([1], { low: 0, high: 0.5 })] },
      { name: 'per channel 4-d', args: [T([2, 3, 2, 2]), T([3], { low: -0.5, high: 0.5 })] },
      { name: 'per channel non-contiguous', args: [T([2, 3], { noncontig: true }), T([3])] },
    ],
    grad: true,
    errors: [
      { name: 'slopes and channels differ', args: [T([2, 3, 4]), T([4])], throws: /prelu: mismatch of parameter numbers and input channel size/ },
    ],
  },
  {
    name: 'threshold',
    run: ([x], o) => F.threshold(x, o!.threshold as number, o!.value as number),
    ref: ([x], o) => map(x, (v) => (v > (o!.threshold as number) ? v : (o!.value as number))),
    samples: [{ name: 'threshold 0.1 value 20', args: [T([3, 4])], opts: { threshold: 0.1, value: 20 } }],
    grad: true,
  },
  {
    name: 'localResponseNorm',
    run: ([x], o) => F.localResponseNorm(x, o!.size as number, o),
    ref: ([x], o) => {
      const size = o!.size as number;
      const alpha = (o?.alpha as number | undefined) ?? 1e-4, beta = (o?.beta as number | undefined) ?? 0.75, k = (o?.k as number | undefined) ?? 1;
      const C = x.shape[1]!;
      const st = x.strides();
      const out = Nd.zeros([...x.shape]);
      Nd.forEachIndex(x.shape, (idx, flat) => {
        const c = idx[1]!;
        let acc = 0;
        for (let j = c - Math.floor(size / 2); j <= c + Math.floor((size - 1) / 2); j++) {
          if (j < 0 || j >= C) continue;
          const v = x.data[flat + (j - c) * st[1]!]!;
          acc += v * v;
        }
        out.data[flat] = x.data[flat]! / (k + (alpha / size) * acc) ** beta;
      });
      return out;
    },
    samples: [
      { name: 'size 3, 3-d', args: [T([2, 5, 3])], opts: { size: 3 } },
      { name: 'size 2, 4-d, options', args: [T([1, 4, 2, 3])], opts: { size: 2, alpha: 0.5, beta: 0.6, k: 2 } },
    ],
    grad: true,
    errors: [{ name: '2-d input', args: [T([2, 3])], opts: { size: 2 }, throws: /localResponseNorm: expected an input of 3 or more dims/ }],
  },

  // ---- losses ----
  {
    name: 'mseLoss',
    run: ([a, b], o) => F.mseLoss(a, b, o),
    ref: ([a, b], o) => reduce(zip(a, b, (u, v) => (u - v) ** 2), o?.reduction ?? 'mean'),
    samples: [{ name: 'mean', args: [T([3, 4]), T([3, 4])] }, { name: 'none', args: [T([3, 4]), T([3, 4])], opts: { reduction: 'none' } }],
    grad: true,
    errors: [{ name: 'bad reduction', args: [T([2]), T([2])], opts: { reduction: 'avg' }, throws: /mseLoss: reduction must be 'none', 'mean', 'sum', got "avg"/ }],
  },
  {
    name: 'l1Loss',
    run: ([a, b], o) => F.l1Loss(a, b, o),
    ref: ([a, b], o) => reduce(zip(a, b, (u, v) => Math.abs(u - v)), o?.reduction ?? 'mean'),
    samples: [{ name: 'sum', args: [T([3, 4]), T([3, 4])], opts: { reduction: 'sum' } }],
    grad: true,
  },
  {
    name: 'smoothL1Loss',
    run: ([a, b], o) => F.smoothL1Loss(a, b, o),
    ref: ([a, b], o) => {
      const beta = (o?.beta as number | undefined) ?? 1;
      return reduce(zip(a, b, (u, v) => {
        const z = Math.abs(u - v);
        return beta === 0 ? z : z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta;
      }), o?.reduction ?? 'mean');
    },
    samples: [{ name: 'beta 0.5', args: [T([3, 4]), T([3, 4])], opts: { beta: 0.5 } }, { name: 'beta 0', args: [T([3, 4]), T([3, 4])], opts: { beta: 0, reduction: 'none' } }],
    grad: true,
  },
  {
    name: 'huberLoss',
    run: ([a, b], o) => F.huberLoss(a, b, o),
    ref: ([a, b], o) => {
      const delta = (o?.delta as number | undefined) ?? 1;
      return reduce(zip(a, b, (u, v) => {
        const z = Math.abs(u - v);
        return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
      }), o?.reduction ?? 'mean');
    },
    samples: [{ name: 'delta 0.7', args: [T([3, 4]), T([3, 4])], opts: { delta: 0.7 } }],
    grad: true,
  },
  {
    name: 'crossEntropy',
    run: ([x, t, w], o) => F.crossEntropy(x, t, { ...o, weight: w }),
    ref: ([x, t, w], o, dt) => refCrossEntropy(x, t, { ...o, weight: w }, dt[1] !== 'int64'),
    samples: [
      { name: 'weight, ignoreIndex, labelSmoothing', args: [T([5, 4]), IV([5], [0, 3, 9, 1, 3]), T([4], { low: 0.5, high: 2 })], opts: { ignoreIndex: 9, labelSmoothing: 0.2 } },
      { name: '[N, C, d], none', args: [T([2, 3, 4]), I([2, 4], 0, 2), null], opts: { reduction: 'none' } },
      { name: 'probabilities, sum', args: [T([3, 4]), T([3, 4], { low: 0, high: 1 }), null], opts: { reduction: 'sum', labelSmoothing: 0.1 } },
    ],
    grad: true,
    errors: [{ name: 'batch sizes differ', args: [T([4, 10]), I([5], 0, 9), null], throws: /^crossEntropy: input \[4, 10\] and target \[5\]: batch sizes differ$/ }],
  },
  {
    name: 'nllLoss',
    run: ([x, t, w], o) => F.nllLoss(x, t, { ...o, weight: w }),
    ref: ([x, t, w], o) => refNll(x, t, { ...o, weight: w }),
    samples: [
      { name: 'weight, ignoreIndex', args: [T([5, 4]), IV([5], [0, 3, 9, 1, 3]), T([4], { low: 0.5, high: 2 })], opts: { ignoreIndex: 9 } },
      { name: '[N, C, d], none', args: [T([2, 3, 4]), I([2, 4], 0, 2), null], opts: { reduction: 'none' } },
      { name: 'unbatched', args: [T([4]), IV([], [2]), null] },
    ],
    grad: true,
    errors: [
      { name: 'target out of range', args: [T([2, 3]), IV([2], [1, 3]), null], throws: /nllLoss: target 3 is out of bounds for 3 classes/ },
      { name: 'batch sizes differ', args: [T([4, 3]), I([5], 0, 2), null], throws: /nllLoss: input \[4, 3\] \(float32\) and target \[5\] \(int64\): batch sizes differ/ },
    ],
  },
  {
    name: 'binaryCrossEntropy',
    run: ([x, t, w], o) => F.binaryCrossEntropy(x, t, { ...o, weight: w }),
    ref: ([x, t, w], o) => reduce(x.map((v: number, i: number) => {
      const y = t.data[i]!;
      const l = -(y * Math.max(Math.log(v), -100) + (1 - y) * Math.max(Math.log1p(-v), -100));
      return w ? l * w.data[i % w.data.length]! : l;
    }), o?.reduction ?? 'mean'),
    samples: [
      { name: 'mean', args: [T([3, 4], { low: 0.05, high: 0.95 }), T([3, 4], { low: 0, high: 1 }), null] },
      { name: 'weight, sum', args: [T([3, 4], { low: 0.05, high: 0.95 }), T([3, 4], { low: 0, high: 1 }), T([4], { low: 0.5, high: 2 })], opts: { reduction: 'sum' } },
    ],
    grad: true,
    errors: [{ name: 'input outside [0, 1]', args: [T([3], { values: [0.5, 1.5, 0.2] }), T([3], { low: 0, high: 1 }), null], throws: /binaryCrossEntropy: all elements of input should be between 0 and 1/ }],
  },
  {
    name: 'binaryCrossEntropyWithLogits',
    run: ([x, t, w, pw], o) => F.binaryCrossEntropyWithLogits(x, t, { ...o, weight: w, posWeight: pw }),
    ref: ([x, t, w, pw], o) => reduce(x.map((v: number, i: number) => {
      const y = t.data[i]!;
      const p = pw ? pw.data[i % pw.data.length]! : 1;
      const l = -(p * y * Math.log(sigmoid(v)) + (1 - y) * Math.log(1 - sigmoid(v)));
      return w ? l * w.data[i % w.data.length]! : l;
    }), o?.reduction ?? 'mean'),
    samples: [
      { name: 'mean', args: [T([3, 4], { low: -5, high: 5 }), T([3, 4], { low: 0, high: 1 }), null, null] },
      { name: 'weight, posWeight, none', args: [T([3, 4], { low: -5, high: 5 }), T([3, 4], { low: 0, high: 1 }), T([4], { low: 0.5, high: 2 }), T([4], { low: 0.5, high: 3 })], opts: { reduction: 'none' } },
    ],
    grad: true,
  },
  {
    name: 'klDiv',
    run: ([x, t], o) => F.klDiv(x, t, o),
    ref: ([x, t], o) => {
      const pointwise = o?.logTarget ? zip(x, t, (u, v) => Math.exp(v) * (v - u)) : zip(x, t, (u, v) => (v > 0 ? v * (Math.log(v) - u) : 0));
      if (o?.reduction === 'batchmean') return Nd.scalar(sum(pointwise) / x.shape[0]!);
      return reduce(pointwise, o?.reduction ?? 'mean');
    },
    samples: [
      { name: 'batchmean', args: [T([3, 4], { low: -3, high: 0 }), T([3, 4], { low: 0.01, high: 1 })], opts: { reduction: 'batchmean' } },
      { name: 'logTarget, none', args: [T([3, 4], { low: -3, high: 0 }), T([3, 4], { low: -3, high: 0 })], opts: { logTarget: true, reduction: 'none' } },
    ],
    grad: true,
  },
  {
    name: 'cosineSimilarity',
    run: ([a, b], o) => F.cosineSimilarity(a, b, o),
    ref: ([a, b], o) => {
      const dim = (o?.dim as number | undefined) ?? 1;
      const eps = (o?.eps as number | undefined) ?? 1e-8;
      const w12 = along(zip(a, b, (u, v) => u * v), dim, (vals) => vals.reduce((s, v) => s + v, 0));
      const w1 = along(map(a, (v) => v * v), dim, (vals) => vals.reduce((s, v) => s + v, 0));
      const w2 = along(map(b, (v) => v * v), dim, (vals) => vals.reduce((s, v) => s + v, 0));
      return w12.map((v, i) => v / Math.sqrt(Math.max(w1.data[i]! * w2.data[i]!, eps * eps)));
    },
    samples: [{ name: 'dim 1', args: [T([3, 4]), T([3, 4])] }, { name: 'dim 0, eps 0.5', args: [T([3, 4]), T([3, 4])], opts: { dim: 0, eps: 0.5 } }],
    grad: true,
  },
  {
    name: 'pairwiseDistance',
    run: ([a, b], o) => F.pairwiseDistance(a, b, o),
    ref: ([a, b], o) => refPairwise(a, b, o),
    samples: [{ name: 'p 2', args: [T([3, 4]), T([3, 4])] }, { name: 'p 3, keepdim', args: [T([3, 4]), T([3, 4])], opts: { p: 3, keepdim: true } }],
    grad: true,
  },
  {
    name: 'marginRankingLoss',
    run: ([a, b, y], o) => F.marginRankingLoss(a, b, y, o),
    ref: ([a, b, y], o) => reduce(a.map((v: number, i: number) => Math.max(0, -y.data[i]! * (v - b.data[i]!) + ((o?.margin as number | undefined) ?? 0))), o?.reduction ?? 'mean'),
    samples: [{ name: 'margin 0.5', args: [T([6]), T([6]), T([6], { values: [1, -1, 1, -1, 1, 1] })], opts: { margin: 0.5 } }],
    grad: true,
  },
  {
    name: 'tripletMarginLoss',
    run: ([a, p, n], o) => F.tripletMarginLoss(a, p, n, o),
    ref: ([a, p, n], o) => {
      const po = { p: (o?.p as number | undefined) ?? 2, eps: 1e-6 };
      const dap = refPairwise(a, p, po);
      let dan = refPairwise(a, n, po);
      if (o?.swap) dan = zip(dan, refPairwise(p, n, po), Math.min);
      const margin = (o?.margin as number | undefined) ?? 1;
      return reduce(zip(dap, dan, (u, v) => Math.max(u - v + margin, 0)), o?.reduction ?? 'mean');
    },
    samples: [{ name: 'default', args: [T([4, 3]), T([4, 3]), T([4, 3])] }, { name: 'swap, p 1.5, margin 2', args: [T([4, 3]), T([4, 3]), T([4, 3])], opts: { swap: true, p: 1.5, margin: 2 } }],
    grad: true,
    errors: [{ name: 'mixed ranks', args: [T([4, 3]), T([3]), T([4, 3])], throws: /tripletMarginLoss: anchor \[4, 3\].*must all be 1-d or all 2-d/ }],
  },
];

export const functionalNames = functionalOps.map((o) => o.name);
export type { DType };
