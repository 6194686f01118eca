/**
 * F's recurrent functions (lstm, gru, rnnTanh, rnnRelu and the cells), against the naive float64
 * recurrence of @cinder/tensor's op table: one layer, in one direction or both (outputs
 * concatenated on the feature dim, final states stacked), with and without initial states.
 */
import type { RnnMode, Tensor } from '@cinder/tensor';
import { F } from '../../src/index.js';
import { Nd } from '../../../tensor/test/optable/ref.js';
import { refRnn } from '../../../tensor/test/optable/rnn.js';
import type { OpInfo, TensorArg } from '../../../tensor/test/optable/types.js';

const T = (shape: number[], extra: Partial<TensorArg> = {}): TensorArg => ({ shape, ...extra });
const W = (shape: number[]): TensorArg => T(shape, { low: -0.8, high: 0.8 });
const GATES: Record<RnnMode, number> = { rnnTanh: 1, rnnRelu: 1, lstm: 4, gru: 3 };

function select0(a: Nd, i: number): Nd {
  const n = Nd.numel(a.shape.slice(1));
  return new Nd(a.shape.slice(1), a.data.slice(i * n, (i + 1) * n));
}
function stack0(xs: Nd[]): Nd {
  const out = Nd.zeros([xs.length, ...xs[0]!.shape]);
  xs.forEach((x, i) => out.data.set(x.data, i * x.data.length));
  return out;
}
function catLast(a: Nd, b: Nd): Nd {
  const [Ts, N, H] = a.shape as [number, number, number];
  const out = Nd.zeros([Ts, N, 2 * H]);
  for (let r = 0; r < Ts * N; r++) {
    out.data.set(a.data.subarray(r * H, (r + 1) * H), r * 2 * H);
    out.data.set(b.data.subarray(r * H, (r + 1) * H), r * 2 * H + H);
  }
  return out;
}

/** args: [x, h0 | null, c0 | null, then 4 weights per direction]. */
function seqEntry(mode: RnnMode): OpInfo {
  const lstm = mode === 'lstm';
  const G = GATES[mode];
  const weights = (inF: number, H: number, dirs: number): TensorArg[] =>
    [...Array(dirs).keys()].flatMap(() => [W([G * H, inF]), W([G * H, H]), T([G * H]), T([G * H])]);
  return {
    name: mode,
    run: ([x, h0, c0, ...ws], o) => {
      const opts = { bidirectional: o!.bidirectional as boolean };
      if (lstm) {
        const [out, [hN, cN]] = F.lstm(x, h0 ? [h0, c0] : null, ws, opts);
        return [out, hN, cN];
      }
      const f = mode === 'gru' ? F.gru : mode === 'rnnTanh' ? F.rnnTanh : F.rnnRelu;
      return f(x, h0, ws, opts) as Tensor[];
    },
    ref: ([x, h0, c0, ...ws], o) => {
      const dirs = o!.bidirectional ? 2 : 1;
      const [, N] = x.shape as [number, number, number];
      const H = (ws[1] as Nd).shape[1]!;
      const res = [...Array(dirs).keys()].map((d) => {
        const hx = h0 ? select0(h0, d) : Nd.zeros([N, H]);
        const cx = lstm ? (c0 ? select0(c0, d) : Nd.zeros([N, H])) : null;
        const [wi, wh, bi, bh] = ws.slice(4 * d, 4 * d + 4) as Nd[];
        return refRnn(mode, x, hx, cx, wi!, wh!, bi!, bh!, d === 1);
      });
      const out = dirs === 2 ? catLast(res[0]![0]!, res[1]![0]!) : res[0]![0]!;
      const r = [out, stack0(res.map((v) => v[1]!))];
      if (lstm) r.push(stack0(res.map((v) => v[2]!)));
      return r;
    },
    samples: [
      { name: 'one direction, zero states', args: [T([3, 2, 2]), null, null, ...weights(2, 2, 1)], opts: { bidirectional: false } },
      { name: 'bidirectional, given states', args: [T([2, 2, 2]), T([2, 2, 2]), lstm ? T([2, 2, 2]) : null, ...weights(2, 2, 2)], opts: { bidirectional: true } },
    ],
    tol: { float32: { atol: 2e-5, rtol: 2e-4 }, float64: { atol: 1e-10, rtol: 1e-9 } },
    grad: true,
  };
}

function cellEntry(name: 'lstmCell' | 'gruCell' | 'rnnTanhCell' | 'rnnReluCell', mode: RnnMode): OpInfo {
  const lstm = mode === 'lstm';
  const G = GATES[mode];
  return {
    name,
    run: ([x, h, c, wi, wh, bi, bh]) => {
      const o = { biasIh: bi, biasHh: bh };
      if (lstm) return F.lstmCell(x, [h, c], wi, wh, o);
      return (F[name] as (...a: unknown[]) => Tensor)(x, h, wi, wh, o);
    },
    ref: ([x, h, c, wi, wh, bi, bh]) => {
      const x3 = new Nd([1, ...x.shape], x.data);
      const r = refRnn(mode, x3, h, lstm ? c : null, wi, wh, bi, bh, false);
      return lstm ? [r[1]!, r[2]!] : r[1]!;
    },
    samples: [
      { name: 'with biases', args: [T([2, 3]), T([2, 2]), lstm ? T([2, 2]) : null, W([G * 2, 3]), W([G * 2, 2]), T([G * 2]), T([G * 2])] },
      { name: 'no biases', args: [T([3, 2]), T([3, 3]), lstm ? T([3, 3]) : null, W([G * 3, 2]), W([G * 3, 3]), null, null] },
    ],
    tol: { float32: { atol: 2e-5, rtol: 2e-4 }, float64: { atol: 1e-10, rtol: 1e-9 } },
    grad: true,
  };
}

export const rnnFunctionalOps: OpInfo[] = [
  seqEntry('lstm'), seqEntry('gru'), seqEntry('rnnTanh'), seqEntry('rnnRelu'),
  cellEntry('lstmCell', 'lstm'), cellEntry('gruCell', 'gru'), cellEntry('rnnTanhCell', 'rnnTanh'), cellEntry('rnnReluCell', 'rnnRelu'),
];
