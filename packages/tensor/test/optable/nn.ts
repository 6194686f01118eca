/**
 * Neural-network entries: pooling, upsampling, padding, the normalizations, the fused cross
 * entropy and embedding, with their backward ops. References are naive float64 loops written from
 * the definitions (PyTorch's window, index and normalization rules); the adjoint ops' references
 * are computed from the forward references (exactly, through basis vectors, for the linear ones;
 * by central differences for the normalizations and cross entropy).
 *
 * Small samples (at most 64 elements per tensor) are what autograd's gradcheck runs on; larger
 * ones reach the kernels' multi-threaded paths.
 */
import {
  adaptiveAvgPool2d, adaptiveAvgPool2dBackward, adaptiveMaxPool2d, avgPool2d, avgPool2dBackward, crossEntropy,
  crossEntropyBackward, embedding, embeddingBackward, maxPool2dBackward, maxPool2dWithIndices, nativeBatchNorm,
  nativeBatchNormBackward, nativeGroupNorm, nativeGroupNormBackward, nativeLayerNorm, nativeLayerNormBackward, pad,
  padBackward, tensor, upsampleBilinear2d, upsampleBilinear2dBackward, upsampleNearest2d, upsampleNearest2dBackward,
  type DType, type Tensor,
} from '../../src/index.js';
import { Nd } from './ref.js';
import type { OpInfo, TensorArg } from './types.js';

const T = (shape: number[], extra: Partial<TensorArg> = {}): TensorArg => ({ shape, ...extra });
const I = (shape: number[], low: number, high: number): TensorArg => ({ shape, dtype: 'int64', low, high });
const IV = (shape: number[], values: number[]): TensorArg => ({ shape, dtype: 'int64', values });

const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const pair = (v: unknown, dflt: number[]): number[] => (v === undefined || v === null ? dflt : typeof v === 'number' ? [v, v] : [...(v as number[])]);

// ---- pooling references -----------------------------------------------------------------------

export interface PoolRef {
  k: number[];
  s: number[];
  p: number[];
  d: number[];
  ceil: boolean;
}

export function poolRef(kernel: unknown, o: Record<string, unknown> | undefined): PoolRef {
  const k = pair(kernel, [1, 1]);
  return { k, s: pair(o?.stride, k), p: pair(o?.padding, [0, 0]), d: pair(o?.dilation, [1, 1]), ceil: Boolean(o?.ceilMode) };
}

/** Number of windows along a dim: starts at -p, step s, spanning d * (k - 1) + 1; ceil mode keeps a last partial window that starts inside the input or its left padding. */
function windows(n: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = d * (k - 1) + 1;
  const room = n + 2 * p - span;
  let out = (ceil ? Math.ceil(room / s) : Math.floor(room / s)) + 1;
  if (ceil && (out - 1) * s >= n + p) out--;
  return out;
}

function planes(shape: readonly number[]): { P: number; H: number; W: number } {
  const nd = shape.length;
  return { P: numel(shape.slice(0, nd - 2)), H: shape[nd - 2]!, W: shape[nd - 1]! };
}

export function refMaxPool(x: Nd, g: PoolRef): [Nd, Nd] {
  const { P, H, W } = planes(x.shape);
  const OH = windows(H, g.k[0]!, g.s[0]!, g.p[0]!, g.d[0]!, g.ceil);
  const OW = windows(W, g.k[1]!, g.s[1]!, g.p[1]!, g.d[1]!, g.ceil);
  const shape = [...x.shape.slice(0, -2), OH, OW];
  const v = Nd.zeros(shape), idx = Nd.zeros(shape);
  for (let pl = 0; pl < P; pl++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let best = -Infinity, bi = -1;
        for (let i = 0; i < g.k[0]!; i++) {
          const h = oh * g.s[0]! - g.p[0]! + i * g.d[0]!;
          if (h < 0 || h >= H) continue;
          for (let j = 0; j < g.k[1]!; j++) {
            const w = ow * g.s[1]! - g.p[1]! + j * g.d[1]!;
            if (w < 0 || w >= W) continue;
            const val = x.data[pl * H * W + h * W + w]!;
            if (bi < 0 || val > best) {
              best = val;
              bi = h * W + w;
            }
          }
        }
        v.data[(pl * OH + oh) * OW + ow] = best;
        idx.data[(pl * OH + oh) * OW + ow] = bi;
      }
    }
  }
  return [v, idx];
}

export function refAvgPool(x: Nd, g: PoolRef, o: Record<string, unknown> | undefined): Nd {
  const countIncludePad = (o?.countIncludePad as boolean | undefined) ?? true;
  const divisor = (o?.divisorOverride as number | null | undefined) ?? null;
  const { P, H, W } = planes(x.shape);
  const OH = windows(H, g.k[0]!, g.s[0]!, g.p[0]!, 1, g.ceil);
  const OW = windows(W, g.k[1]!, g.s[1]!, g.p[1]!, 1, g.ceil);
  const out = Nd.zeros([...x.shape.slice(0, -2), OH, OW]);
  for (let pl = 0; pl < P; pl++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let sum = 0, inside = 0, padded = 0;
        for (let i = 0; i < g.k[0]!; i++) {
          const h = oh * g.s[0]! - g.p[0]! + i;
          if (h >= H + g.p[0]!) continue; // beyond the padding: not part of the window
          for (let j = 0; j < g.k[1]!; j++) {
            const w = ow * g.s[1]! - g.p[1]! + j;
            if (w >= W + g.p[1]!) continue;
            padded++;
            if (h < 0 || h >= H || w < 0 || w >= W) continue;
            inside++;
            sum += x.data[pl * H * W + h * W + w]!;
          }
        }
        const div = divisor ?? (countIncludePad ? padded : inside);
        out.data[(pl * OH + oh) * OW + ow] = inside === 0 ? 0 : sum / div;
      }
    }
  }
  return out;
}

function adaptiveSize(x: Nd, size: unknown): number[] {
  const s = typeof size === 'number' ? [size, size] : (size as (number | null)[]);
  return s.map((v, i) => v ?? x.shape[x.ndim - 2 + i]!);
}

export function refAdaptive(x: Nd, size: unknown, isMax: boolean): [Nd, Nd] {
  const { P, H, W } = planes(x.shape);
  const [OH, OW] = adaptiveSize(x, size) as [number, number];
  const shape = [...x.shape.slice(0, -2), OH, OW];
  const v = Nd.zeros(shape), idx = Nd.zeros(shape);
  for (let pl = 0; pl < P; pl++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = Math.floor((oh * H) / OH), h1 = Math.ceil(((oh + 1) * H) / OH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = Math.floor((ow * W) / OW), w1 = Math.ceil(((ow + 1) * W) / OW);
        let sum = 0, best = -Infinity, bi = -1;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const val = x.data[pl * H * W + h * W + w]!;
            sum += val;
            if (bi < 0 || val > best) {
              best = val;
              bi = h * W + w;
            }
          }
        }
        const o = (pl * OH + oh) * OW + ow;
        v.data[o] = isMax ? best : sum / ((h1 - h0) * (w1 - w0));
        idx.data[o] = bi;
      }
    }
  }
  return [v, idx];
}

/** The adjoint of a linear map f at g: entry i is <g, f(e_i)>, for inputs of `shape`. */
export function adjoint(f: (x: Nd) => Nd, shape: number[], g: Nd): Nd {
  const out = Nd.zeros(shape);
  const e = Nd.zeros(shape);
  for (let i = 0; i < out.data.length; i++) {
    e.data.fill(0);
    e.data[i] = 1;
    const y = f(e);
    let s = 0;
    for (let k = 0; k < y.data.length; k++) s += y.data[k]! * g.data[k]!;
    out.data[i] = s;
  }
  return out;
}

/** d <g, f(x)> / dx by central differences (f a smooth float64 reference). */
export function numericVjp(f: (x: Nd) => Nd, x: Nd, g: Nd, h = 1e-6): Nd {
  const out = Nd.zeros([...x.shape]);
  const xp = new Nd([...x.shape], Float64Array.from(x.data));
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i]!;
    xp.data[i] = v + h;
    const a = f(xp);
    xp.data[i] = v - h;
    const b = f(xp);
    xp.data[i] = v;
    let s = 0;
    for (let k = 0; k < a.data.length; k++) s += (a.data[k]! - b.data[k]!) * g.data[k]!;
    out.data[i] = s / (2 * h);
  }
  return out;
}

// ---- upsampling references --------------------------------------------------------------------

/** Nearest source index: floor(o * scale) in float32, scale = 1 / factor or in / out. */
function nearestSrc(o: number, n: number, m: number, factor: number | null): number {
  if (m === n) return o;
  if (m === 2 * n) return o >> 1;
  const scale = Math.fround(factor ? 1 / factor : Math.fround(n) / Math.fround(m));
  return Math.min(Math.floor(Math.fround(o * scale)), n - 1);
}

function linearSrc(o: number, n: number, m: number, align: boolean, factor: number | null): [number, number, number] {
  let src: number;
  if (align) src = m > 1 ? (o * (n - 1)) / (m - 1) : 0;
  else src = Math.max(((o + 0.5) * (factor ? 1 / factor : n / m)) - 0.5, 0);
  const i0 = Math.min(Math.floor(src), n - 1);
  const i1 = Math.min(i0 + 1, n - 1);
  return [i0, i1, src - i0];
}

export function refUpsample(x: Nd, size: number[], mode: 'nearest' | 'bilinear', o: Record<string, unknown> | undefined): Nd {
  const { P, H, W } = planes(x.shape);
  const [OH, OW] = size as [number, number];
  const align = Boolean(o?.alignCorners);
  const scales = (o?.scales as (number | null)[] | undefined) ?? [null, null];
  const out = Nd.zeros([...x.shape.slice(0, -2), OH, OW]);
  for (let pl = 0; pl < P; pl++) {
    const at = (h: number, w: number): number => x.data[pl * H * W + h * W + w]!;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let v: number;
        if (mode === 'nearest') {
          v = at(nearestSrc(oh, H, OH, scales[0] ?? null), nearestSrc(ow, W, OW, scales[1] ?? null));
        } else {
          const [h0, h1, lh] = linearSrc(oh, H, OH, align, scales[0] ?? null);
          const [w0, w1, lw] = linearSrc(ow, W, OW, align, scales[1] ?? null);
          v = (1 - lh) * ((1 - lw) * at(h0, w0) + lw * at(h0, w1)) + lh * ((1 - lw) * at(h1, w0) + lw * at(h1, w1));
        }
        out.data[(pl * OH + oh) * OW + ow] = v;
      }
    }
  }
  return out;
}

// ---- padding reference ------------------------------------------------------------------------

export function refPad(x: Nd, amounts: number[], mode: string, value: number): Nd {
  const nd = x.ndim;
  const before = new Array<number>(nd).fill(0), after = new Array<number>(nd).fill(0);
  for (let i = 0; i < amounts.length / 2; i++) {
    before[nd - 1 - i] = amounts[2 * i]!;
    after[nd - 1 - i] = amounts[2 * i + 1]!;
  }
  const shape = x.shape.map((s, d) => s + before[d]! + after[d]!);
  const out = Nd.zeros(shape);
  const xs = x.strides();
  Nd.forEachIndex(shape, (idx, flat) => {
    let off = 0;
    for (let d = 0; d < nd; d++) {
      const n = x.shape[d]!;
      let i = idx[d]! - before[d]!;
      if (i < 0 || i >= n) {
        if (mode === 'constant') {
          off = -1;
          break;
        }
        if (mode === 'reflect') i = i < 0 ? -i : 2 * (n - 1) - i;
        else if (mode === 'replicate') i = i < 0 ? 0 : n - 1;
        else i = ((i % n) + n) % n;
      }
      off += i * xs[d]!;
    }
    out.data[flat] = off < 0 ? value : x.data[off]!;
  });
  return out;
}

// ---- normalization references -----------------------------------------------------------------

/** Mean and biased variance of each group of x's elements (group = key(flat index)). */
export function groupStats(x: Nd, groups: number, key: (flat: number) => number): { mean: number[]; variance: number[] } {
  const sum = new Array<number>(groups).fill(0), cnt = new Array<number>(groups).fill(0);
  x.data.forEach((v, i) => {
    sum[key(i)]! += v;
    cnt[key(i)]!++;
  });
  const mean = sum.map((s, g) => s / cnt[g]!);
  const sq = new Array<number>(groups).fill(0);
  x.data.forEach((v, i) => {
    sq[key(i)]! += (v - mean[key(i)]!) ** 2;
  });
  return { mean, variance: sq.map((s, g) => s / cnt[g]!) };
}

export function channelOf(shape: readonly number[]): (flat: number) => number {
  const C = shape[1]!, S = numel(shape.slice(2));
  return (i) => Math.floor(i / S) % C;
}

/** Running statistics of the eval-mode samples, derived from the channel count. */
function evalStats(C: number): { mean: number[]; variance: number[] } {
  return { mean: Array.from({ length: C }, (_, c) => 0.3 * c - 0.2), variance: Array.from({ length: C }, (_, c) => 0.5 + 0.25 * c) };
}

export function refBatchNorm(x: Nd, w: Nd | null, b: Nd | null, training: boolean, eps: number): [Nd, Nd, Nd] {
  const C = x.shape[1]!;
  const key = channelOf(x.shape);
  const st = training ? groupStats(x, C, key) : evalStats(C);
  const invstd = st.variance.map((v) => 1 / Math.sqrt(v + eps));
  const out = x.map((v, i) => {
    const c = key(i);
    return (v - st.mean[c]!) * invstd[c]! * (w ? w.data[c]! : 1) + (b ? b.data[c]! : 0);
  });
  return [out, new Nd([C], Float64Array.from(st.mean)), new Nd([C], Float64Array.from(invstd))];
}

export function refLayerNorm(x: Nd, ns: number[], w: Nd | null, b: Nd | null, eps: number): [Nd, Nd, Nd] {
  const K = numel(ns);
  const M = x.data.length / K;
  const st = groupStats(x, M, (i) => Math.floor(i / K));
  const rstd = st.variance.map((v) => 1 / Math.sqrt(v + eps));
  const out = x.map((v, i) => {
    const r = Math.floor(i / K), k = i % K;
    return (v - st.mean[r]!) * rstd[r]! * (w ? w.data[k]! : 1) + (b ? b.data[k]! : 0);
  });
  const statShape = x.shape.map((s, i) => (i < x.ndim - ns.length ? s : 1));
  return [out, new Nd(statShape, Float64Array.from(st.mean)), new Nd(statShape, Float64Array.from(rstd))];
}

export function refGroupNorm(x: Nd, G: number, w: Nd | null, b: Nd | null, eps: number): [Nd, Nd, Nd] {
  const [N, C] = x.shape as [number, number];
  const S = numel(x.shape.slice(2));
  const D = (C / G) * S;
  const st = groupStats(x, N * G, (i) => Math.floor(i / D));
  const rstd = st.variance.map((v) => 1 / Math.sqrt(v + eps));
  const chan = channelOf(x.shape);
  const out = x.map((v, i) => {
    const g = Math.floor(i / D), c = chan(i);
    return (v - st.mean[g]!) * rstd[g]! * (w ? w.data[c]! : 1) + (b ? b.data[c]! : 0);
  });
  return [out, new Nd([N, G], Float64Array.from(st.mean)), new Nd([N, G], Float64Array.from(rstd))];
}

// ---- cross entropy reference ------------------------------------------------------------------

export function refCrossEntropy(x: Nd, target: Nd, o: Record<string, unknown> | undefined, probs: boolean): Nd {
  const w = (o?.weight as Nd | undefined) ?? null;
  const ignore = (o?.ignoreIndex as number | undefined) ?? -100;
  const eps = (o?.labelSmoothing as number | undefined) ?? 0;
  const reduction = (o?.reduction as string | undefined) ?? 'mean';
  const unbatched = x.ndim === 1;
  const shape = unbatched ? [1, x.shape[0]!] : x.shape;
  const N = shape[0]!, C = shape[1]!, D = numel(shape.slice(2));
  const at = (n: number, c: number, d: number): number => x.data[(n * C + c) * D + d]!;
  const wc = (c: number): number => (w ? w.data[c]! : 1);
  const losses: number[] = [];
  let total = 0;
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      let mx = -Infinity;
      for (let c = 0; c < C; c++) mx = Math.max(mx, at(n, c, d));
      let se = 0;
      for (let c = 0; c < C; c++) se += Math.exp(at(n, c, d) - mx);
      const lse = mx + Math.log(se);
      const logp = (c: number): number => at(n, c, d) - lse;
      let l = 0;
      if (probs) {
        for (let c = 0; c < C; c++) {
          const q = target.data[(n * C + c) * D + d]! * (1 - eps) + eps / C;
          l -= wc(c) * q * logp(c);
        }
        total += 1;
      } else {
        const t = target.data[n * D + d]!;
        if (t !== ignore) {
          let smooth = 0;
          for (let c = 0; c < C; c++) smooth -= wc(c) * logp(c);
          l = -(1 - eps) * wc(t) * logp(t) + (eps / C) * smooth;
          total += wc(t);
        }
      }
      losses.push(l);
    }
  }
  if (reduction === 'none') return new Nd(unbatched ? [] : [N, ...shape.slice(2)], Float64Array.from(losses));
  const s = losses.reduce((a, v) => a + v, 0);
  return Nd.scalar(reduction === 'sum' ? s : s / total);
}

// ---- embedding reference ----------------------------------------------------------------------

export function refEmbedding(w: Nd, idx: Nd): Nd {
  const D = w.shape[1]!;
  const out = Nd.zeros([...idx.shape, D]);
  idx.data.forEach((v, m) => {
    for (let k = 0; k < D; k++) out.data[m * D + k] = w.data[v * D + k]!;
  });
  return out;
}

// ---- entries ----------------------------------------------------------------------------------

/** Ops that also run on the 16-bit storage types (computing in float32). */
const WITH_HALF: DType[] = ['float32', 'float64', 'float16', 'bfloat16'];

const NORM_TOL = { float32: { atol: 1e-5, rtol: 1e-4 }, float64: { atol: 1e-7, rtol: 1e-6 } };

const evalRunning = (x: Tensor): { runningMean: Tensor; runningVar: Tensor } => {
  const st = evalStats(x.shape[1]!);
  return { runningMean: tensor(st.mean, { dtype: x.dtype }), runningVar: tensor(st.variance, { dtype: x.dtype }) };
};

export const nnOps: OpInfo[] = [
  {
    name: 'maxPool2dWithIndices',
    dtypes: WITH_HALF,
    run: ([x, k], o) => maxPool2dWithIndices(x, k, o),
    ref: ([x, k], o) => refMaxPool(x, poolRef(k, o)),
    samples: [
      { name: 'k3 s2 p1 ceil', args: [T([1, 2, 5, 6]), 3], opts: { stride: 2, padding: 1, ceilMode: true } },
      { name: 'k[2,3] s[1,2] dilation 2', args: [T([2, 4, 5]), [2, 3]], opts: { stride: [1, 2], dilation: 2 } },
      { name: 'k2 non-contiguous', args: [T([1, 1, 4, 6], { noncontig: true }), 2] },
      { name: 'large (threads)', args: [T([4, 16, 28, 28]), 2] },
      { name: 'empty batch', args: [T([0, 2, 4, 4]), 2] },
    ],
    grad: true,
    errors: [
      { name: '2-d input', args: [T([4, 4]), 2], throws: /maxPool2d: expected a 3-d \[C, H, W\] or 4-d/ },
      { name: 'padding over half the kernel', args: [T([1, 1, 5, 5]), 2], opts: { padding: 2 }, throws: /maxPool2d: pad should be at most half/ },
      { name: 'output too small', args: [T([1, 1, 2, 2]), 3], throws: /maxPool2d: given input of shape \[1, 1, 2, 2\].*too small/ },
      { name: 'integer input', args: [T([1, 1, 4, 4], { dtype: 'int64' }), 2], throws: /maxPool2d: expected input to be a floating point tensor/ },
    ],
  },
  {
    name: 'maxPool2dBackward',
    run: ([g, idx, shape]) => maxPool2dBackward(g, idx, shape),
    ref: ([g, idx, shape]) => {
      const out = Nd.zeros(shape as number[]);
      const { H, W } = planes(shape as number[]);
      const O = g.shape[g.ndim - 2] * g.shape[g.ndim - 1];
      (g as Nd).data.forEach((v, k) => {
        out.data[Math.floor(k / O) * H * W + (idx as Nd).data[k]!]! += v;
      });
      return out;
    },
    samples: [
      { name: 'colliding indices', args: [T([1, 2, 2, 3]), I([1, 2, 2, 3], 0, 11), [1, 2, 3, 4]] },
      { name: 'large', args: [T([2, 8, 14, 14]), I([2, 8, 14, 14], 0, 783), [2, 8, 28, 28]] },
    ],
    grad: true,
    errors: [
      { name: 'index out of a plane', args: [T([1, 1, 1, 2]), IV([1, 1, 1, 2], [0, 9]), [1, 1, 2, 2]], throws: /maxPool2dBackward: index 9 is out of bounds/ },
      { name: 'mismatched shapes', args: [T([1, 2, 1, 2]), IV([1, 1, 1, 2], [0, 1]), [1, 1, 2, 2]], throws: /maxPool2dBackward: gradOutput \[1, 2, 1, 2\]/ },
    ],
  },
  {
    name: 'avgPool2d',
    dtypes: WITH_HALF,
    run: ([x, k], o) => avgPool2d(x, k, o),
    ref: ([x, k], o) => refAvgPool(x, poolRef(k, o), o),
    samples: [
      { name: 'k3 s2 p1 ceil', args: [T([1, 2, 5, 6]), 3], opts: { stride: 2, padding: 1, ceilMode: true } },
      { name: 'k3 s2 p1 ceil, countIncludePad false', args: [T([1, 2, 5, 6]), 3], opts: { stride: 2, padding: 1, ceilMode: true, countIncludePad: false } },
      { name: 'k[2,3] divisorOverride 4', args: [T([3, 4, 6]), [2, 3]], opts: { padding: [1, 1], divisorOverride: 4 } },
      { name: 'large (threads)', args: [T([4, 16, 28, 28], { noncontig: true }), 3], opts: { stride: 2, padding: 1 } },
    ],
    grad: true,
    errors: [
      { name: 'zero divisor', args: [T([1, 1, 4, 4]), 2], opts: { divisorOverride: 0 }, throws: /avgPool2d: divisorOverride must not be zero/ },
      { name: 'bad kernel', args: [T([1, 1, 4, 4]), 0], throws: /avgPool2d: expected kernelSize to be a positive integer/ },
    ],
  },
  {
    name: 'avgPool2dBackward',
    run: ([g, shape, k], o) => avgPool2dBackward(g, shape, k, o),
    ref: ([g, shape, k], o) => adjoint((x) => refAvgPool(x, poolRef(k, o), o), shape as number[], g),
    samples: [
      { name: 'k3 s2 p1 ceil, countIncludePad false', args: [T([1, 2, 3, 4]), [1, 2, 5, 6], 3], opts: { stride: 2, padding: 1, ceilMode: true, countIncludePad: false } },
      { name: 'k2 divisorOverride 3', args: [T([2, 2, 3]), [2, 4, 6], 2], opts: { divisorOverride: 3 } },
    ],
    grad: true,
    errors: [
      { name: 'gradient of the wrong shape', args: [T([1, 1, 3, 3]), [1, 1, 4, 4], 2], throws: /avgPool2dBackward: gradOutput \[1, 1, 3, 3\].*\[1, 1, 2, 2\]/ },
    ],
  },
  {
    name: 'adaptiveAvgPool2d',
    run: ([x, s]) => adaptiveAvgPool2d(x, s),
    ref: ([x, s]) => refAdaptive(x, s, false)[0],
    samples: [
      { name: '[3, 2] from [5, 7]', args: [T([1, 2, 5, 7]), [3, 2]] },
      { name: '[4, null] upsampling rows', args: [T([2, 3, 4]), { literal: [4, null] }] },
      { name: 'global, large', args: [T([8, 64, 14, 14]), 1] },
    ],
    grad: true,
    errors: [{ name: 'zero size', args: [T([1, 1, 4, 4]), 0], throws: /adaptiveAvgPool2d: expected outputSize to hold positive integers/ }],
  },
  {
    name: 'adaptiveAvgPool2dBackward',
    run: ([g, shape]) => adaptiveAvgPool2dBackward(g, shape),
    ref: ([g, shape]) => adjoint((x) => refAdaptive(x, [g.shape[g.ndim - 2], g.shape[g.ndim - 1]], false)[0], shape as number[], g),
    samples: [{ name: '[3, 2] from [5, 7]', args: [T([1, 2, 3, 2]), [1, 2, 5, 7]] }],
    grad: true,
  },
  {
    name: 'adaptiveMaxPool2d',
    run: ([x, s]) => adaptiveMaxPool2d(x, s),
    ref: ([x, s]) => refAdaptive(x, s, true),
    samples: [
      { name: '[3, 4] from [5, 7]', args: [T([1, 2, 5, 7]), [3, 4]] },
      { name: '[2, 2], non-contiguous', args: [T([3, 5, 4], { noncontig: true }), 2] },
    ],
    grad: true,
  },
  {
    name: 'upsampleNearest2d',
    run: ([x, s], o) => upsampleNearest2d(x, s, o),
    ref: ([x, s], o) => refUpsample(x, s, 'nearest', o),
    samples: [
      { name: '[3, 4] -> [7, 5]', args: [T([1, 2, 3, 4]), [7, 5]] },
      { name: 'x2', args: [T([2, 3, 3]), [6, 6]] },
      { name: 'scales [2.5, 1.5]', args: [T([1, 1, 3, 4]), [7, 6]], opts: { scales: [2.5, 1.5] } },
      { name: 'large', args: [T([4, 16, 28, 28]), [40, 50]] },
    ],
    grad: true,
    errors: [
      { name: '2-d input', args: [T([3, 4]), [6, 8]], throws: /upsampleNearest2d: expected an input of at least 3 dims/ },
      { name: 'negative scale', args: [T([1, 1, 3, 4]), [6, 8]], opts: { scales: [-2, 2] }, throws: /upsampleNearest2d: scale factors must be positive/ },
    ],
  },
  {
    name: 'upsampleNearest2dBackward',
    run: ([g, shape], o) => upsampleNearest2dBackward(g, shape, o),
    ref: ([g, shape], o) => adjoint((x) => refUpsample(x, [g.shape[g.ndim - 2], g.shape[g.ndim - 1]], 'nearest', o), shape as number[], g),
    samples: [
      { name: '[3, 4] -> [7, 5]', args: [T([1, 2, 7, 5]), [1, 2, 3, 4]] },
      { name: 'scales 1.7', args: [T([1, 1, 5, 6]), [1, 1, 3, 4]], opts: { scales: [1.7, 1.7] } },
    ],
    grad: true,
  },
  {
    name: 'upsampleBilinear2d',
    dtypes: WITH_HALF,
    run: ([x, s], o) => upsampleBilinear2d(x, s, o),
    ref: ([x, s], o) => refUpsample(x, s, 'bilinear', o),
    samples: [
      { name: '[3, 4] -> [5, 7]', args: [T([1, 2, 3, 4]), [5, 7]] },
      { name: '[3, 4] -> [5, 7] alignCorners', args: [T([1, 2, 3, 4]), [5, 7]], opts: { alignCorners: true } },
      { name: 'downsampling [4, 5] -> [3, 2]', args: [T([2, 4, 5]), [3, 2]] },
      { name: 'scales 1.7', args: [T([1, 1, 3, 4]), [5, 6]], opts: { scales: [1.7, 1.7] } },
      { name: 'to a single pixel, alignCorners', args: [T([1, 1, 3, 4]), [1, 1]], opts: { alignCorners: true } },
      { name: 'large', args: [T([4, 16, 28, 28], { noncontig: true }), [40, 50]] },
    ],
    grad: true,
  },
  {
    name: 'upsampleBilinear2dBackward',
    run: ([g, shape], o) => upsampleBilinear2dBackward(g, shape, o),
    ref: ([g, shape], o) => adjoint((x) => refUpsample(x, [g.shape[g.ndim - 2], g.shape[g.ndim - 1]], 'bilinear', o), shape as number[], g),
    samples: [
      { name: '[3, 4] -> [5, 7]', args: [T([1, 2, 5, 7]), [1, 2, 3, 4]] },
      { name: 'alignCorners', args: [T([1, 1, 5, 7]), [1, 1, 3, 4]], opts: { alignCorners: true } },
    ],
    grad: true,
  },
  {
    name: 'pad',
    dtypes: WITH_HALF,
    run: ([x, p], o) => pad(x, p, o),
    ref: ([x, p], o) => refPad(x, p, (o?.mode as string | undefined) ?? 'constant', (o?.value as number | undefined) ?? 0),
    samples: [
      { name: 'reflect 2-d', args: [T([1, 2, 4, 5]), [2, 1, 3, 0]], opts: { mode: 'reflect' } },
      { name: 'replicate 1-d', args: [T([2, 3, 4]), [3, 1]], opts: { mode: 'replicate' } },
      { name: 'circular 2-d', args: [T([2, 3, 4]), [2, 1, 1, 3]], opts: { mode: 'circular' } },
      { name: 'replicate 3-d', args: [T([1, 1, 2, 3, 2]), [1, 2, 0, 1, 2, 1]], opts: { mode: 'replicate' } },
      { name: 'constant with negative amounts, non-contiguous', args: [T([2, 3, 4], { noncontig: true }), [1, -2, -1, 2, 1, 0]], opts: { value: 2.5 } },
      { name: 'constant over every dim', args: [T([2, 3]), [1, 1, 2, 0]], opts: { value: -1 } },
      { name: 'reflect large', args: [T([4, 16, 28, 28]), [3, 3, 3, 3]], opts: { mode: 'reflect' } },
    ],
    grad: true,
    errors: [
      { name: 'reflect wider than the input', args: [T([1, 1, 3, 3]), [3, 0, 0, 0]], opts: { mode: 'reflect' }, throws: /pad: padding size should be less than the corresponding input dimension/ },
      { name: 'odd length', args: [T([2, 3]), [1, 2, 3]], throws: /pad: padding length must be divisible by 2/ },
      { name: 'reflect on a 1-d tensor', args: [T([5]), [1, 1]], opts: { mode: 'reflect' }, throws: /pad: 'reflect' padding pads the last 1, 2 or 3 dims/ },
      { name: 'unknown mode', args: [T([2, 3]), [1, 1]], opts: { mode: 'mirror' }, throws: /pad: mode must be/ },
      { name: 'cropping below zero', args: [T([2, 3]), [-2, -2]], throws: /pad: the input size 3, plus negative padding -2 and -2/ },
    ],
  },
  {
    name: 'padBackward',
    run: ([g, shape, p], o) => padBackward(g, shape, p, o),
    ref: ([g, shape, p], o) => adjoint((x) => refPad(x, p, (o?.mode as string | undefined) ?? 'constant', 0), shape as number[], g),
    samples: [
      { name: 'reflect', args: [T([1, 2, 7, 8]), [1, 2, 4, 5], [2, 1, 3, 0]], opts: { mode: 'reflect' } },
      { name: 'replicate', args: [T([2, 3, 8]), [2, 3, 4], [3, 1]], opts: { mode: 'replicate' } },
      { name: 'circular', args: [T([2, 7, 7]), [2, 3, 4], [2, 1, 1, 3]], opts: { mode: 'circular' } },
      { name: 'constant with negative amounts', args: [T([3, 4, 3]), [2, 3, 4], [1, -2, -1, 2, 1, 0]] },
    ],
    grad: true,
  },
  {
    name: 'nativeBatchNorm',
    run: ([x, w, b], o) => nativeBatchNorm(x, { weight: w, bias: b, training: o!.training as boolean, eps: 1e-3, ...(o!.training || o!.noRunning ? {} : evalRunning(x)) })[0],
    ref: ([x, w, b], o) => refBatchNorm(x, w, b, o!.training as boolean, 1e-3)[0],
    samples: [
      { name: 'training [4, 3, 5]', args: [T([4, 3, 5]), T([3]), T([3])], opts: { training: true } },
      { name: 'training [3, 2, 2, 3] no affine', args: [T([3, 2, 2, 3]), null, null], opts: { training: true } },
      { name: 'evaluation', args: [T([4, 3, 5]), T([3]), T([3])], opts: { training: false } },
      { name: 'training [8, 2] non-contiguous', args: [T([8, 2], { noncontig: true }), T([2]), null], opts: { training: true } },
      { name: 'training large', args: [T([16, 16, 28, 28]), T([16]), T([16])], opts: { training: true } },
    ],
    tol: NORM_TOL,
    grad: true,
    errors: [
      { name: 'one value per channel', args: [T([1, 3]), null, null], opts: { training: true }, throws: /batchNorm: expected more than 1 value per channel when training/ },
      { name: 'weight of the wrong size', args: [T([2, 3]), T([4]), null], opts: { training: true }, throws: /batchNorm: expected weight of shape \[3\]/ },
      { name: 'evaluation without running statistics', args: [T([2, 3]), null, null], opts: { training: false, noRunning: true }, throws: /batchNorm: runningMean and runningVar are required/ },
    ],
  },
  {
    name: 'nativeBatchNorm (statistics)',
    run: ([x]) => nativeBatchNorm(x, { training: true, eps: 1e-3 }).slice(1),
    ref: ([x]) => refBatchNorm(x, null, null, true, 1e-3).slice(1),
    samples: [{ name: '[4, 3, 5]', args: [T([4, 3, 5], { low: 5, high: 9 })] }],
    tol: NORM_TOL,
  },
  {
    name: 'nativeBatchNormBackward',
    run: ([g, x, w], o) => {
      const training = o!.training as boolean;
      const [, m, s] = nativeBatchNorm(x, { training, eps: 1e-3, ...(training ? {} : evalRunning(x)) });
      return nativeBatchNormBackward(g, x, m, s, { weight: w, training }) as Tensor[];
    },
    ref: ([g, x, w], o) => {
      const training = o!.training as boolean;
      const f = (xx: Nd, ww: Nd): Nd => refBatchNorm(xx, ww, null, training, 1e-3)[0];
      const gb = Nd.zeros([x.shape[1]]);
      const key = channelOf(x.shape);
      (g as Nd).data.forEach((v, i) => (gb.data[key(i)]! += v));
      return [numericVjp((xx) => f(xx, w), x, g), numericVjp((ww) => f(x, ww), w, g), gb];
    },
    samples: [
      { name: 'training', args: [T([4, 3, 5]), T([4, 3, 5]), T([3])], opts: { training: true } },
      { name: 'evaluation', args: [T([4, 3, 5]), T([4, 3, 5]), T([3])], opts: { training: false } },
    ],
    tol: { float32: { atol: 1e-4, rtol: 1e-3 }, float64: { atol: 1e-6, rtol: 1e-5 } },
  },
  {
    name: 'nativeLayerNorm',
    dtypes: WITH_HALF,
    run: ([x, w, b], o) => nativeLayerNorm(x, o!.ns as number[], { weight: w, bias: b, eps: 1e-3 })[0],
    ref: ([x, w, b], o) => refLayerNorm(x, o!.ns as number[], w, b, 1e-3)[0],
    samples: [
      { name: '[3, 4, 5] over [4, 5]', args: [T([3, 4, 5]), T([4, 5]), T([4, 5])], opts: { ns: [4, 5] } },
      { name: '[2, 3, 5] over [5], no affine', args: [T([2, 3, 5], { noncontig: true }), null, null], opts: { ns: [5] } },
      { name: 'large', args: [T([512, 768]), T([768]), T([768])], opts: { ns: [768] } },
    ],
    tol: NORM_TOL,
    grad: true,
    errors: [
      { name: 'shape mismatch', args: [T([3, 4]), null, null], opts: { ns: [5] }, throws: /layerNorm: given normalizedShape \[5\], expected input with shape \[\*, 5\], but got input of size \[3, 4\]/ },
    ],
  },
  {
    name: 'nativeLayerNorm (statistics)',
    run: ([x]) => nativeLayerNorm(x, [5]).slice(1),
    ref: ([x]) => refLayerNorm(x, [5], null, null, 1e-5).slice(1),
    samples: [{ name: '[2, 3, 5]', args: [T([2, 3, 5], { low: 5, high: 9 })] }],
    tol: NORM_TOL,
  },
  {
    name: 'nativeLayerNormBackward',
    run: ([g, x, w]) => {
      const [, m, r] = nativeLayerNorm(x, [5], { weight: w, eps: 1e-3 });
      return nativeLayerNormBackward(g, x, [5], m, r, { weight: w }) as Tensor[];
    },
    ref: ([g, x, w]) => {
      const f = (xx: Nd, ww: Nd): Nd => refLayerNorm(xx, [5], ww, null, 1e-3)[0];
      const gb = Nd.zeros([5]);
      (g as Nd).data.forEach((v, i) => (gb.data[i % 5]! += v));
      return [numericVjp((xx) => f(xx, w), x, g), numericVjp((ww) => f(x, ww), w, g), gb];
    },
    samples: [{ name: '[3, 4, 5]', args: [T([3, 4, 5]), T([3, 4, 5]), T([5])] }],
    tol: { float32: { atol: 1e-4, rtol: 1e-3 }, float64: { atol: 1e-6, rtol: 1e-5 } },
  },
  {
    name: 'nativeGroupNorm',
    run: ([x, w, b], o) => nativeGroupNorm(x, o!.groups as number, { weight: w, bias: b, eps: 1e-3 })[0],
    ref: ([x, w, b], o) => refGroupNorm(x, o!.groups as number, w, b, 1e-3)[0],
    samples: [
      { name: '3 groups [2, 6, 4]', args: [T([2, 6, 4]), T([6]), T([6])], opts: { groups: 3 } },
      { name: '2 groups [3, 4, 2, 2] no affine', args: [T([3, 4, 2, 2], { noncontig: true }), null, null], opts: { groups: 2 } },
      { name: 'large', args: [T([8, 32, 28, 28]), T([32]), T([32])], opts: { groups: 8 } },
    ],
    tol: NORM_TOL,
    grad: true,
    errors: [
      { name: 'channels not divisible', args: [T([2, 5, 3]), null, null], opts: { groups: 2 }, throws: /groupNorm: expected the number of channels of input \[2, 5, 3\].*divisible by numGroups = 2/ },
    ],
  },
  {
    name: 'nativeGroupNorm (statistics)',
    run: ([x]) => nativeGroupNorm(x, 2).slice(1),
    ref: ([x]) => refGroupNorm(x, 2, null, null, 1e-5).slice(1),
    samples: [{ name: '[3, 4, 3]', args: [T([3, 4, 3], { low: 5, high: 9 })] }],
    tol: NORM_TOL,
  },
  {
    name: 'nativeGroupNormBackward',
    run: ([g, x, w]) => {
      const [, m, r] = nativeGroupNorm(x, 2, { weight: w, eps: 1e-3 });
      return nativeGroupNormBackward(g, x, 2, m, r, { weight: w }) as Tensor[];
    },
    ref: ([g, x, w]) => {
      const f = (xx: Nd, ww: Nd): Nd => refGroupNorm(xx, 2, ww, null, 1e-3)[0];
      const gb = Nd.zeros([4]);
      const key = channelOf(x.shape);
      (g as Nd).data.forEach((v, i) => (gb.data[key(i)]! += v));
      return [numericVjp((xx) => f(xx, w), x, g), numericVjp((ww) => f(x, ww), w, g), gb];
    },
    samples: [{ name: '[2, 4, 3]', args: [T([2, 4, 3]), T([2, 4, 3]), T([4])] }],
    tol: { float32: { atol: 1e-4, rtol: 1e-3 }, float64: { atol: 1e-6, rtol: 1e-5 } },
  },
  {
    name: 'crossEntropy',
    dtypes: WITH_HALF,
    run: ([x, t, w], o) => crossEntropy(x, t, { ...o, weight: w }),
    ref: ([x, t, w], o, dt) => refCrossEntropy(x, t, { ...o, weight: w }, dt[1] !== 'int64'),
    samples: [
      { name: 'indices', args: [T([6, 5]), I([6], 0, 4), null] },
      { name: 'indices, weight, ignore, smoothing', args: [T([6, 5]), IV([6], [0, 4, 2, 7, 1, 7]), T([5], { low: 0.2, high: 2 })], opts: { ignoreIndex: 7, labelSmoothing: 0.2 } },
      { name: 'indices [N, C, d1, d2], none', args: [T([2, 4, 3, 2]), I([2, 3, 2], 0, 3), null], opts: { reduction: 'none', labelSmoothing: 0.1 } },
      { name: 'indices, sum, non-contiguous', args: [T([4, 3], { noncontig: true }), I([4], 0, 2), null], opts: { reduction: 'sum' } },
      { name: 'probabilities, weight, smoothing', args: [T([4, 3], { low: 0, high: 1 }), T([4, 3], { low: 0, high: 1 }), T([3], { low: 0.5, high: 2 })], opts: { labelSmoothing: 0.25 } },
      { name: 'probabilities [N, C, d], none', args: [T([2, 3, 4]), T([2, 3, 4], { low: 0, high: 1 }), null], opts: { reduction: 'none' } },
      { name: 'unbatched', args: [T([5]), IV([], [3]), null], opts: { labelSmoothing: 0.1 } },
      { name: 'large', args: [T([256, 1000]), I([256], 0, 999), null] },
    ],
    tol: { float32: { atol: 1e-5, rtol: 1e-4 }, float64: { atol: 1e-10, rtol: 1e-9 } },
    grad: true,
    errors: [
      { name: 'batch sizes differ', args: [T([4, 10]), I([5], 0, 9), null], throws: /crossEntropy: input \[4, 10\] and target \[5\]: batch sizes differ/ },
      { name: 'target out of range', args: [T([2, 3]), IV([2], [1, 3]), null], throws: /crossEntropy: target 3 is out of bounds for 3 classes/ },
      { name: 'float target of another shape', args: [T([2, 3]), T([2, 4]), null], throws: /crossEntropy: input \[2, 3\] and target \[2, 4\]: probability targets must have the input's shape/ },
      { name: 'smoothing above 1', args: [T([2, 3]), I([2], 0, 2), null], opts: { labelSmoothing: 1.5 }, throws: /crossEntropy: labelSmoothing must be between 0.0 and 1.0/ },
      { name: 'weight of the wrong size', args: [T([2, 3]), I([2], 0, 2), T([4])], throws: /crossEntropy: expected weight of shape \[3\]/ },
    ],
  },
  {
    name: 'crossEntropyBackward',
    run: ([g, x, t, w], o) => {
      const opts = { ...o, weight: w };
      return crossEntropyBackward(g, x, t, ...statsOf(x, t, opts), opts);
    },
    ref: ([g, x, t, w], o, dt) => numericVjp((xx) => refCrossEntropy(xx, t, { ...o, weight: w }, dt[2] !== 'int64'), x, g, 1e-5),
    samples: [
      { name: 'indices, weight, ignore, smoothing', args: [T([]), T([6, 5]), IV([6], [0, 4, 2, 7, 1, 7]), T([5], { low: 0.2, high: 2 })], opts: { ignoreIndex: 7, labelSmoothing: 0.2 } },
      { name: 'indices [N, C, d], none', args: [T([2, 3]), T([2, 4, 3]), I([2, 3], 0, 3), null], opts: { reduction: 'none' } },
      { name: 'probabilities, sum', args: [T([]), T([4, 3]), T([4, 3], { low: 0, high: 1 }), null], opts: { reduction: 'sum', labelSmoothing: 0.1 } },
    ],
    tol: { float32: { atol: 1e-4, rtol: 1e-3 }, float64: { atol: 1e-7, rtol: 1e-6 } },
  },
  {
    name: 'embedding',
    run: ([w, i], o) => embedding(w, i, o),
    ref: ([w, i]) => refEmbedding(w, i),
    samples: [
      { name: '[2, 3] indices', args: [T([7, 3]), I([2, 3], 0, 6)] },
      // paddingIdx and scaleGradByFreq change only the gradient, on purpose not the true one
      // (PyTorch's semantics): embeddingBackward's entry and the golden tests check them.
      { name: 'repeated indices', args: [T([5, 4]), IV([6], [1, 3, 3, 0, 1, 3])] },
      { name: 'non-contiguous weight', args: [T([6, 2], { noncontig: true }), I([4], 0, 5)] },
    ],
    grad: true,
    errors: [
      { name: 'index out of range', args: [T([5, 2]), IV([2], [1, 5])], throws: /embedding: .*5.*\(weight \[5, 2\]/ },
      { name: 'float indices', args: [T([5, 2]), T([2])], throws: /embedding: expected indices of dtype int64/ },
    ],
  },
  {
    name: 'embeddingBackward',
    run: ([g, i, n], o) => embeddingBackward(g, i, n, o),
    ref: ([g, i, n], o) => {
      const D = g.shape[g.ndim - 1];
      const out = Nd.zeros([n, D]);
      const pad = (o?.paddingIdx as number | undefined) ?? -1;
      const counts = new Map<number, number>();
      (i as Nd).data.forEach((v) => counts.set(v, (counts.get(v) ?? 0) + 1));
      (i as Nd).data.forEach((v, m) => {
        if (v === pad) return;
        const s = o?.scaleGradByFreq ? 1 / counts.get(v)! : 1;
        for (let k = 0; k < D; k++) out.data[v * D + k]! += (g as Nd).data[m * D + k]! * s;
      });
      return out;
    },
    samples: [
      { name: 'repeated indices', args: [T([2, 3, 4]), IV([2, 3], [1, 3, 3, 0, 1, 3]), 5] },
      { name: 'paddingIdx, scaleGradByFreq', args: [T([6, 2]), IV([6], [1, 3, 3, 0, 1, 3]), 4], opts: { paddingIdx: 1, scaleGradByFreq: true } },
      { name: 'large', args: [T([4096, 64]), I([4096], 0, 999), 1000] },
    ],
    grad: true,
    errors: [{ name: 'index out of range', args: [T([2, 3]), IV([2], [0, 4]), 4], throws: /embeddingBackward: index 4 is out of range for 4 embeddings/ }],
  },
];

/** The log-sum-exp and total weight crossEntropy saves, recomputed for its backward op's samples. */
function statsOf(x: Tensor, t: Tensor, o: Record<string, unknown>): [Tensor, Tensor] {
  const xs = x.ndim === 1 ? x.unsqueeze(0) : x;
  const cd = 1;
  const lse = xs.logsumexp(cd).reshape([-1]);
  let total: number;
  if (t.dtype !== x.dtype) {
    const ignore = (o.ignoreIndex as number | undefined) ?? -100;
    const w = o.weight as Tensor | null | undefined;
    const tv = Array.from(t.to('float64').contiguous().data() as Float64Array);
    const wv = w ? Array.from(w.to('float64').data() as Float64Array) : null;
    total = tv.reduce((a, v) => a + (v === ignore ? 0 : wv ? wv[v]! : 1), 0);
  } else {
    total = xs.numel() / xs.shape[1]!;
  }
  return [lse, tensor(total, { dtype: x.dtype as DType })];
}
