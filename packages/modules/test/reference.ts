/** Naive float64 references written from the definitions, for the layer tests. */
import { tensor, type Tensor } from '@cinder/tensor';

export function flat(t: Tensor): number[] {
  return Array.from(t.to('float64').contiguous().data() as Float64Array);
}

export function fromFlat(data: number[], shape: number[]): Tensor {
  return tensor(data, { dtype: 'float64' }).reshape(shape);
}

function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    const idx = new Array<number>(shape.length);
    let r = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = r % shape[d]!;
      r = Math.floor(r / shape[d]!);
    }
    yield idx;
  }
}

function offset(idx: readonly number[], shape: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < shape.length; d++) o = o * shape[d]! + idx[d]!;
  return o;
}

/**
 * TensorFlow's convolution of a channels-last input [N, S..., Cin] with w [K..., Cin, Cout]
 * (depthwise: w [K..., Cin, M], output channel c * M + m from input channel c).
 */
export function refConv(
  x: Tensor, w: Tensor, stride: number[], rate: number[], padding: 'SAME' | 'VALID', depthwise = false,
): Tensor {
  const xs = x.shape;
  const ws = w.shape;
  const nd = xs.length - 2;
  const S = xs.slice(1, -1);
  const cin = xs[nd + 1]!;
  const K = ws.slice(0, nd);
  const cout = depthwise ? cin * ws[nd + 1]! : ws[nd + 1]!;
  const outS: number[] = [];
  const before: number[] = [];
  for (let d = 0; d < nd; d++) {
    const eff = (K[d]! - 1) * rate[d]! + 1;
    if (padding === 'SAME') {
      const o = Math.ceil(S[d]! / stride[d]!);
      const total = Math.max((o - 1) * stride[d]! + eff - S[d]!, 0);
      outS.push(o);
      before.push(Math.floor(total / 2));
    } else {
      outS.push(Math.ceil((S[d]! - eff + 1) / stride[d]!));
      before.push(0);
    }
  }
  const xd = flat(x);
  const wd = flat(w);
  const outShape = [xs[0]!, ...outS, cout];
  const out = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  for (const oi of indices(outShape)) {
    const n = oi[0]!;
    const co = oi[nd + 1]!;
    let acc = 0;
    for (const ki of indices(K)) {
      const pos = ki.map((k, d) => oi[d + 1]! * stride[d]! - before[d]! + k * rate[d]!);
      if (pos.some((p, d) => p < 0 || p >= S[d]!)) continue;
      if (depthwise) {
        const m = ws[nd + 1]!;
        const ci = Math.floor(co / m);
        acc += xd[offset([n, ...pos, ci], xs)]! * wd[offset([...ki, ci, co % m], ws)]!;
      } else {
        for (let ci = 0; ci < cin; ci++) acc += xd[offset([n, ...pos, ci], xs)]! * wd[offset([...ki, ci, co], ws)]!;
      }
    }
    out[offset(oi, outShape)] = acc;
  }
  return fromFlat(out, outShape);
}

/** Mean and biased variance of `values`. */
export function moments(values: number[]): [number, number] {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return [m, values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length];
}

/** Normalizes each group of elements (grouped by `key(index)`) of a tensor with its own moments. */
export function refNormalize(x: Tensor, key: (idx: number[]) => string, eps: number): Tensor {
  const d = flat(x);
  const groups = new Map<string, number[]>();
  const all = [...indices(x.shape)];
  all.forEach((idx, i) => {
    const k = key(idx);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(d[i]!);
  });
  const stats = new Map([...groups].map(([k, v]) => [k, moments(v)]));
  return fromFlat(all.map((idx, i) => {
    const [m, v] = stats.get(key(idx))!;
    return (d[i]! - m) / Math.sqrt(v + eps);
  }), [...x.shape]);
}
