/**
 * F against PyTorch 1.13 (test/golden/functional.json, written by scripts/functional_golden.py):
 * outputs, gradients of every floating input for a random upstream gradient, and the state some
 * functions update in place (running statistics, renormalized embedding rows). The trickier
 * options are all here: cross entropy with weights, ignoreIndex, label smoothing and N-d or
 * probability targets; pooling with ceilMode, padding and dilation; bilinear interpolation with
 * and without alignCorners; every padding mode; batch norm's running statistics; attention masks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor, Tensor, type DType } from '@cinder/tensor';
import { F } from '../src/index.js';

interface Enc {
  shape: number[];
  dtype: string;
  values: number[] | boolean[];
}
interface Case {
  name: string;
  fn: string;
  args: unknown[];
  opts: Record<string, unknown>;
  inputs: Enc[];
  outputs: Enc[];
  upstream: (Enc | null)[];
  grads: (Enc | null)[];
  fixed: number[];
  state?: Record<string, Enc>;
  /** A looser tolerance, where PyTorch itself is less accurate. */
  tol?: number;
}

const golden = JSON.parse(readFileSync(new URL('./golden/functional.json', import.meta.url), 'utf8')) as { cases: Case[] };

const DT: Record<string, DType> = { float64: 'float64', float32: 'float32', int64: 'int64', bool: 'bool' };

function build(e: Enc): Tensor {
  const dtype = DT[e.dtype];
  if (dtype === undefined) throw new Error(`golden: unexpected dtype ${e.dtype}`);
  const vals = (e.values as (number | boolean)[]).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  return tensor(Float64Array.from(vals), { dtype, shape: e.shape });
}

function values(t: Tensor): number[] {
  return Array.from(t.detach().to('float64').contiguous().data() as Float64Array);
}

/** Normwise relative error max |a - b| / max |b|, infinities compared exactly. */
function relErr(got: readonly number[], want: readonly number[]): number {
  let worst = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!, b = want[i]!;
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

function expectClose(got: Tensor, want: Enc, what: string, tolerance?: number): void {
  expect([...got.shape], `${what}: shape`).toEqual(want.shape);
  const w = (want.values as (number | boolean)[]).map(Number);
  if (want.dtype === 'int64' || want.dtype === 'bool') {
    expect(values(got), what).toEqual(w);
    return;
  }
  const tol = tolerance ?? (want.dtype === 'float32' ? 2e-6 : 1e-10);
  const err = relErr(values(got), w);
  expect(err, `${what}: relative error ${err}`).toBeLessThanOrEqual(tol);
}

function resolve(v: unknown, ts: Tensor[]): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && 't' in (v as object)) return ts[(v as { t: number }).t];
  return v;
}

describe('F against PyTorch 1.13', () => {
  it('has the cases', () => expect(golden.cases.length).toBeGreaterThan(60));
  for (const c of golden.cases) {
    it(c.name, () => {
      const ts = c.inputs.map(build);
      ts.forEach((t, i) => {
        if (c.grads[i]) t.requiresGrad_(true);
      });
      const args = c.args.map((a) => resolve(a, ts));
      const opts = Object.fromEntries(Object.entries(c.opts).map(([k, v]) => [k, resolve(v, ts)]));
      const fn = (F as unknown as Record<string, (...a: unknown[]) => Tensor | Tensor[]>)[c.fn];
      expect(fn, `F.${c.fn}`).toBeTypeOf('function');
      const res = fn!(...args, opts);
      const outs = Array.isArray(res) ? res : [res];
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, i) => expectClose(o, c.outputs[i]!, `output ${i}`, c.tol));
      for (const [k, v] of Object.entries(c.state ?? {})) expectClose(ts[Number(k)]!, v, `state of input ${k}`);
      if (!c.grads.some((g) => g)) return;
      let total: Tensor | null = null;
      outs.forEach((o, i) => {
        const u = c.upstream[i];
        if (!u) return;
        const term = o.mul(build(u)).sum();
        total = total === null ? term : total.add(term);
      });
      (total as Tensor | null)!.backward();
      c.grads.forEach((g, i) => {
        if (g) expectClose(ts[i]!.grad!, g, `gradient of input ${i}`, c.tol);
      });
    });
  }
});
