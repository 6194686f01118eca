/**
 * MultiheadAttention and the Transformer layers against PyTorch 1.13 (test/golden/attention.json,
 * written by scripts/attn_golden.py). Each case builds the Cinder module, loads PyTorch's state dict
 * through nn.fromTorchKeys, runs forward and backward in eval mode (float64) and compares the
 * outputs, the attention weights, the input gradients and every parameter gradient; the printed
 * form must equal PyTorch's str(module).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor, Tensor, type DType } from '@cinder/tensor';
import { nn } from '../src/index.js';

type Num = number | boolean | 'nan' | 'inf' | '-inf';
interface Enc {
  shape: number[];
  dtype: string;
  values: Num[];
}
interface Case {
  name: string;
  kind: 'mha' | 'encoderLayer' | 'encoder' | 'decoderLayer' | 'decoder' | 'transformer';
  ctor: Record<string, any>;
  repr: string;
  state: Record<string, Enc>;
  args: string[];
  inputs: Record<string, Enc | string>;
  tensors: Record<string, Enc>;
  opts: Record<string, unknown>;
  outputs: (Enc | null)[];
  upstream: (Enc | null)[];
  grads: Record<string, Enc>;
  paramGrads: Record<string, Enc>;
  tol?: number;
}

const golden = JSON.parse(readFileSync(new URL('./golden/attention.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  reprs: Record<string, string>;
};

const num = (v: Num): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v));

function build(e: Enc): Tensor {
  const dtype = ({ float64: 'float64', float32: 'float32', bool: 'bool', int64: 'int64' } as Record<string, DType>)[e.dtype];
  if (dtype === undefined) throw new Error(`golden: unexpected dtype ${e.dtype}`);
  return tensor(Float64Array.from(e.values.map(num)), { dtype, shape: e.shape });
}

function values(t: Tensor): number[] {
  return Array.from(t.detach().to('float64').contiguous().data() as Float64Array);
}

/** max |a - b| / max |b| over the finite entries; NaN and infinities must match exactly. */
function relErr(got: readonly number[], want: readonly number[]): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (!Number.isFinite(b)) {
      if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) return Infinity;
      continue;
    }
    const e = Math.abs(a - b);
    if (!(e <= worst)) worst = e;
    scale = Math.max(scale, Math.abs(b));
  }
  return scale === 0 ? worst : worst / scale;
}

function expectClose(got: Tensor | null | undefined, want: Enc, what: string, tol = 1e-9): void {
  expect(got, what).toBeInstanceOf(Tensor);
  expect([...got!.shape], `${what}: shape`).toEqual(want.shape);
  const err = relErr(values(got!), want.values.map(num));
  expect(err, `${what}: relative error ${err}`).toBeLessThanOrEqual(tol);
}

/** Layer options from the JSON: float64 parameters; 'tanh' stands for a function activation. */
function layerOpts(o: Record<string, unknown>): nn.TransformerLayerOptions {
  const opts: Record<string, unknown> = { ...o, dtype: 'float64' };
  if (o.activation === 'tanh') opts.activation = (x: Tensor) => x.tanh();
  return opts as nn.TransformerLayerOptions;
}

function makeModule(c: Case): nn.Module {
  const k = c.ctor;
  switch (c.kind) {
    case 'mha':
      return new nn.MultiheadAttention(k.embedDim, k.numHeads, { ...k.opts, dtype: 'float64' });
    case 'encoderLayer':
      return new nn.TransformerEncoderLayer(k.dModel, k.nhead, layerOpts(k.opts));
    case 'decoderLayer':
      return new nn.TransformerDecoderLayer(k.dModel, k.nhead, layerOpts(k.opts));
    case 'encoder': {
      const layer = new nn.TransformerEncoderLayer(k.layer.dModel, k.layer.nhead, layerOpts(k.layer.opts));
      return new nn.TransformerEncoder(layer, k.numLayers, { norm: k.norm ? new nn.LayerNorm(k.layer.dModel, { dtype: 'float64' }) : null });
    }
    case 'decoder': {
      const layer = new nn.TransformerDecoderLayer(k.layer.dModel, k.layer.nhead, layerOpts(k.layer.opts));
      return new nn.TransformerDecoder(layer, k.numLayers, { norm: k.norm ? new nn.LayerNorm(k.layer.dModel, { dtype: 'float64' }) : null });
    }
    case 'transformer':
      return new nn.Transformer(layerOpts(k.opts) as nn.TransformerOptions);
  }
}

function run(m: nn.Module, kind: Case['kind'], args: Tensor[], opts: Record<string, unknown>): (Tensor | null)[] {
  if (kind === 'mha') {
    const [y, w] = (m as nn.MultiheadAttention).forward(args[0]!, args[1]!, args[2]!, opts);
    return [y, w];
  }
  return [m.forward(...args, opts) as Tensor];
}

describe('MultiheadAttention and the Transformer layers against PyTorch 1.13', () => {
  it('has the cases', () => expect(golden.cases.length).toBeGreaterThanOrEqual(26));
  for (const c of golden.cases) {
    it(c.name, () => {
      const m = makeModule(c);
      m.eval();
      const sd: Record<string, Tensor> = {};
      for (const [key, e] of Object.entries(c.state)) sd[key] = build(e);
      m.loadStateDict(nn.fromTorchKeys(sd));
      expect(String(m)).toBe(c.repr);

      const inputs: Record<string, Tensor> = {};
      for (const [name, e] of Object.entries(c.inputs)) if (typeof e !== 'string') inputs[name] = build(e).requiresGrad_(true);
      for (const [name, e] of Object.entries(c.inputs)) if (typeof e === 'string') inputs[name] = inputs[e]!;
      const tensors = Object.fromEntries(Object.entries(c.tensors).map(([k, e]) => [k, build(e)]));
      const opts = Object.fromEntries(
        Object.entries(c.opts).map(([k, v]) => [k, v !== null && typeof v === 'object' && 't' in v ? tensors[(v as { t: string }).t] : v]),
      );
      const outs = run(m, c.kind, c.args.map((a) => inputs[a]!), opts);
      expect(outs.length).toBe(c.outputs.length);
      let total: Tensor | null = null;
      outs.forEach((o, i) => {
        const want = c.outputs[i];
        if (want === null || want === undefined) {
          expect(o, `output ${i}`).toBeNull();
          return;
        }
        expectClose(o, want, `output ${i}`, c.tol);
        const term = o!.nanToNum({ nan: 0 }).mul(build(c.upstream[i]!)).sum();
        total = total === null ? term : total.add(term);
      });
      (total as unknown as Tensor).backward();
      for (const [name, g] of Object.entries(c.grads)) expectClose(inputs[name]!.grad, g, `gradient of ${name}`, c.tol);
      const params = Object.fromEntries(m.namedParameters().map(([n, p]) => [nn.cinderKeyToTorch(n), p]));
      expect(Object.keys(params).sort()).toEqual(Object.keys(c.paramGrads).sort());
      for (const [name, g] of Object.entries(c.paramGrads)) expectClose(params[name]!.grad, g, `gradient of ${name}`, c.tol);
    });
  }

  it('prints default-sized modules as PyTorch does', () => {
    const r = golden.reprs;
    expect(String(new nn.MultiheadAttention(16, 4))).toBe(r['MultiheadAttention(16, 4)']);
    expect(String(new nn.MultiheadAttention(16, 4, { kdim: 5, vdim: 6, addBiasKv: true }))).toBe(r['MultiheadAttention(16, 4, kdim 5, vdim 6, addBiasKv)']);
    expect(String(new nn.TransformerEncoderLayer(16, 4, { activation: 'gelu' }))).toBe(r['TransformerEncoderLayer(16, 4, gelu)']);
    expect(String(new nn.Transformer({ dModel: 16, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32 }))).toBe(
      r['Transformer(16, 4, 1, 1, 32)'],
    );
  });
});
