/**
 * The fused recurrent layer (rnnLayer): one direction of an Elman RNN (tanh, relu), LSTM or GRU
 * over a sequence, forward and reverse, with and without b_hh. The reference is the recurrence
 * written as naive float64 loops from PyTorch's formulas. The workspace output is internal (its
 * layout is the kernel's business), so the entries compare output, hN and cN only.
 */
import { rnnLayer, type RnnMode, type Tensor } from '../../src/index.js';
import { Nd } from './ref.js';
import type { OpInfo, Sample, TensorArg } from './types.js';

const T = (shape: number[], extra: Partial<TensorArg> = {}): TensorArg => ({ shape, ...extra });
const GATES: Record<RnnMode, number> = { rnnTanh: 1, rnnRelu: 1, lstm: 4, gru: 3 };
const sig = (v: number): number => 1 / (1 + Math.exp(-v));

/** The input projection x W_ih^T + b_ih of every step: [T, N, G*H]. */
function refProjection(input: Nd, wIh: Nd, bIh: Nd | null): Nd {
  const [Ts, N, inF] = input.shape as [number, number, number];
  const GH = wIh.shape[0]!;
  const r = Nd.zeros([Ts, N, GH]);
  for (let row = 0; row < Ts * N; row++)
    for (let g = 0; g < GH; g++) {
      let acc = bIh ? bIh.data[g]! : 0;
      for (let p = 0; p < inF; p++) acc += input.data[row * inF + p]! * wIh.data[g * inF + p]!;
      r.data[row * GH + g] = acc;
    }
  return r;
}

export function refRnn(mode: RnnMode, input: Nd, hx: Nd, cx: Nd | null, wIh: Nd, w: Nd, bIh: Nd | null, b: Nd | null, reverse: boolean): Nd[] {
  const x = refProjection(input, wIh, bIh);
  const [Ts, N, GH] = x.shape as [number, number, number];
  const H = hx.shape[1]!;
  const out = Nd.zeros([Ts, N, H]);
  let h = Array.from(hx.data);
  let c = cx ? Array.from(cx.data) : [];
  for (let s = 0; s < Ts; s++) {
    const t = reverse ? Ts - 1 - s : s;
    const hNew = new Array<number>(N * H);
    const cNew = new Array<number>(N * H);
    for (let n = 0; n < N; n++) {
      // hp[g] = sum_p W[g, p] h[p] + b[g]; pre = x + hp.
      const hp = new Array<number>(GH);
      for (let g = 0; g < GH; g++) {
        let acc = b ? b.data[g]! : 0;
        for (let p = 0; p < H; p++) acc += w.data[g * H + p]! * h[n * H + p]!;
        hp[g] = acc;
      }
      const xr = (g: number): number => x.data[(t * N + n) * GH + g]!;
      for (let j = 0; j < H; j++) {
        let hv: number;
        if (mode === 'rnnTanh') hv = Math.tanh(xr(j) + hp[j]!);
        else if (mode === 'rnnRelu') hv = Math.max(0, xr(j) + hp[j]!);
        else if (mode === 'lstm') {
          const i = sig(xr(j) + hp[j]!), f = sig(xr(H + j) + hp[H + j]!);
          const g = Math.tanh(xr(2 * H + j) + hp[2 * H + j]!), o = sig(xr(3 * H + j) + hp[3 * H + j]!);
          cNew[n * H + j] = f * c[n * H + j]! + i * g;
          hv = o * Math.tanh(cNew[n * H + j]!);
        } else {
          const r = sig(xr(j) + hp[j]!), z = sig(xr(H + j) + hp[H + j]!);
          const nn = Math.tanh(xr(2 * H + j) + r * hp[2 * H + j]!);
          hv = (1 - z) * nn + z * h[n * H + j]!;
        }
        hNew[n * H + j] = hv;
        out.data[(t * N + n) * H + j] = hv;
      }
    }
    h = hNew;
    if (mode === 'lstm') c = cNew;
  }
  const r = [out, new Nd([N, H], Float64Array.from(h))];
  if (mode === 'lstm') r.push(new Nd([N, H], Float64Array.from(c)));
  return r;
}

function samples(mode: RnnMode): Sample[] {
  const G = GATES[mode];
  const lstm = mode === 'lstm';
  const w = (rows: number, cols: number, range = 0.8): TensorArg => T([rows, cols], { low: -range, high: range });
  const sample = (Ts: number, N: number, inF: number, H: number, bias: boolean, reverse: boolean, noncontig = false): Sample => ({
    name: `T=${Ts} N=${N} in=${inF} H=${H}${bias ? '' : ' no bias'}${reverse ? ' reverse' : ''}${noncontig ? ' strided' : ''}`,
    args: [
      T([Ts, N, inF], { noncontig }), T([N, H]), lstm ? T([N, H]) : null, w(G * H, inF), w(G * H, H),
      bias ? T([G * H]) : null, bias ? T([G * H]) : null,
    ],
    opts: { reverse },
  });
  return [
    sample(3, 2, 2, 2, true, false),
    sample(2, 2, 3, 2, false, true, true),
    sample(1, 1, 2, 3, true, true),
    // Larger: the GEMMs take their blocked, multi-threaded paths.
    { ...sample(4, 16, 24, 40, true, false), args: [T([4, 16, 24]), T([16, 40]), lstm ? T([16, 40]) : null, w(G * 40, 24, 0.3), w(G * 40, 40, 0.3), T([G * 40]), T([G * 40])] },
  ];
}

function entry(mode: RnnMode): OpInfo {
  const lstm = mode === 'lstm';
  const G = GATES[mode];
  return {
    name: `rnnLayer (${mode})`,
    run: ([x, hx, cx, wIh, wHh, bIh, bHh], o) =>
      rnnLayer(mode, x, hx, wIh, wHh, { cx, biasIh: bIh, biasHh: bHh, reverse: o!.reverse as boolean }).slice(0, lstm ? 3 : 2) as Tensor[],
    ref: ([x, hx, cx, wIh, wHh, bIh, bHh], o) => refRnn(mode, x, hx, cx, wIh, wHh, bIh, bHh, o!.reverse as boolean),
    samples: samples(mode),
    tol: { float32: { atol: 2e-5, rtol: 2e-4 }, float64: { atol: 1e-10, rtol: 1e-9 } },
    grad: true,
    errors: [
      {
        name: 'hidden size mismatch',
        args: [T([2, 2, 3]), T([2, 2]), lstm ? T([2, 2]) : null, T([G * 3, 3]), T([G * 2, 2]), null, null],
        opts: { reverse: false },
        throws: /rnnLayer: \d gate\(s\) of the hidden size 2 of hx \[2, 2\] \(float(32|64)\) need \d+ rows of the weights, got \d+/,
      },
      {
        name: 'weightHh of the wrong shape',
        args: [T([2, 2, 3]), T([2, 2]), lstm ? T([2, 2]) : null, T([G * 2, 3]), T([G * 2, 3]), null, null],
        opts: { reverse: false },
        throws: /rnnLayer: expected weightHh of shape \[\d+, 2\], got \[\d+, 3\]/,
      },
      {
        name: 'weightIh of the wrong input size',
        args: [T([2, 2, 3]), T([2, 2]), lstm ? T([2, 2]) : null, T([G * 2, 4]), T([G * 2, 2]), null, null],
        opts: { reverse: false },
        throws: /rnnLayer: expected weightIh of shape \[\d+, 3\], got \[\d+, 4\]/,
      },
    ],
  };
}

export const rnnOps: OpInfo[] = (['rnnTanh', 'rnnRelu', 'lstm', 'gru'] as const).map(entry);
