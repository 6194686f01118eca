/**
 * RNN, LSTM, GRU and their cells against PyTorch 1.13 (test/golden/rnn.json, written by
 * scripts/rnn_golden.py): each float64 layer loads PyTorch's state dict through nn.fromTorchKeys,
 * then its outputs, the gradients of the input, of hx and of every parameter (for a random
 * upstream gradient of every output) and its repr are compared.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor, Tensor } from '@cinder/tensor';
import { nn } from '../src/index.js';

interface Enc {
  shape: number[];
  values: number[];
}
interface Case {
  name: string;
  layer: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  args: [number, number];
  opts: Record<string, unknown>;
  repr: string;
  state: Record<string, Enc>;
  input: Enc;
  hx: Enc | Enc[] | null;
  outputs: Enc[];
  upstream: Enc[];
  gradInput: Enc;
  gradHx: Enc | Enc[] | null;
  gradParams: Record<string, Enc>;
}

const golden = JSON.parse(readFileSync(new URL('./golden/rnn.json', import.meta.url), 'utf8')) as { cases: Case[] };

const build = (e: Enc, requiresGrad = false): Tensor =>
  tensor(Float64Array.from(e.values), { dtype: 'float64', shape: e.shape, requiresGrad });

function expectClose(got: Tensor | null | undefined, want: Enc, what: string): void {
  expect(got, what).toBeTruthy();
  expect(got!.shape, `${what} shape`).toEqual(want.shape);
  const g = Array.from(got!.detach().contiguous().data() as Float64Array);
  let worst = 0;
  for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i]! - want.values[i]!) / (1 + Math.abs(want.values[i]!)));
  expect(worst, what).toBeLessThan(1e-9);
}

function makeLayer(c: Case): nn.Module {
  const opts = { ...c.opts, dtype: 'float64' as const };
  const [i, h] = c.args;
  switch (c.layer) {
    case 'RNN': return new nn.RNN(i, h, opts);
    case 'LSTM': return new nn.LSTM(i, h, opts);
    case 'GRU': return new nn.GRU(i, h, opts);
    case 'RNNCell': return new nn.RNNCell(i, h, opts);
    case 'LSTMCell': return new nn.LSTMCell(i, h, opts);
    case 'GRUCell': return new nn.GRUCell(i, h, opts);
  }
}

/** The outputs in golden order: output, hN (, cN) for the sequence layers; h' (, c') for cells. */
function flatten(r: unknown): Tensor[] {
  if (r instanceof Tensor) return [r];
  return (r as unknown[]).flatMap((v) => flatten(v));
}

describe('recurrent layers match PyTorch 1.13', () => {
  for (const c of golden.cases) {
    it(c.name, () => {
      const m = makeLayer(c);
      expect(String(m)).toBe(c.repr);
      m.loadStateDict(nn.fromTorchKeys(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, build(v)]))));
      m.eval();
      const x = build(c.input, true);
      const hx = c.hx === null ? null : Array.isArray(c.hx) ? c.hx.map((e) => build(e, true)) : build(c.hx, true);
      const res = hx === null ? (m as any).forward(x) : (m as any).forward(x, hx);
      const outs = flatten(res);
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, k) => expectClose(o, c.outputs[k]!, `output ${k}`));
      let total: Tensor | null = null;
      outs.forEach((o, k) => {
        const t = o.mul(build(c.upstream[k]!)).sum();
        total = total === null ? t : total.add(t);
      });
      total!.backward();
      expectClose(x.grad, c.gradInput, 'input grad');
      if (hx !== null) {
        const gh = Array.isArray(c.gradHx) ? c.gradHx : [c.gradHx!];
        const hs = Array.isArray(hx) ? hx : [hx];
        hs.forEach((h, k) => expectClose(h.grad, gh[k]!, `hx[${k}] grad`));
      }
      const params = Object.fromEntries(m.namedParameters());
      const want = nn.fromTorchKeys(Object.fromEntries(Object.entries(c.gradParams).map(([k, v]) => [k, build(v)])));
      expect(Object.keys(params)).toEqual(Object.keys(want));
      for (const [k, w] of Object.entries(want)) {
        const g = params[k]!.grad;
        expectClose(g, { shape: [...w.shape], values: Array.from(w.data() as Float64Array) }, `grad of ${k}`);
      }
    });
  }
});
