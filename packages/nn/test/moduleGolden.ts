/**
 * A reusable harness for golden tests of layer classes against PyTorch: a case (written by a
 * script under scripts/, in the format of scripts/layers_golden.py) names the Cinder class and
 * its constructor call; the harness builds the module, loads PyTorch's state dict through
 * nn.fromTorchKeys, runs each recorded step (train or eval mode, forward, backward of a recorded
 * upstream gradient) and compares outputs, input gradients, parameter gradients and the state
 * dict after the step, then compares String(module) with PyTorch's str(module).
 *
 * Values in a case: a tensor is {shape, dtype, values}; arrays nest (a forward returning
 * [output, [h, c]] has the tensor leaves output, h, c in that order); anything else is passed as it is.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { tensor, Tensor, type DType } from '@cinder/tensor';
import { nn } from '../src/index.js';

export interface Enc {
  shape: number[];
  dtype: string;
  values: (number | boolean)[];
}

export interface CtorSpec {
  /** The class's name in the namespace (`nn.Conv2d` -> 'Conv2d'). */
  cls: string;
  /** Positional constructor arguments (tensors encoded). */
  args: unknown[];
  /** The options object (camelCase), passed last when not empty. */
  opts?: Record<string, unknown>;
  /** A static factory to call instead of the constructor (`Embedding.fromPretrained`). */
  static?: string;
}

export interface ModuleStep {
  mode: 'train' | 'eval';
  /** forward's arguments. */
  args: unknown[];
  /** Per tensor leaf of args: whether it requires grad. */
  requiresGrad: boolean[];
  /** The tensor leaves of forward's result. */
  outputs: Enc[];
  /** Per output leaf: the upstream gradient, or null (no gradient flows from it). */
  upstream: (Enc | null)[];
  /** Per tensor leaf of args: its gradient, or null. */
  inputGrads: (Enc | null)[];
  /** PyTorch parameter name -> gradient (null: none). */
  paramGrads: Record<string, Enc | null>;
  /** PyTorch's state dict after the step. */
  state: Record<string, Enc>;
}

export interface ModuleCase {
  name: string;
  ctor: CtorSpec;
  /** Convert the module to float64 (module.double()) before loading the state. */
  double: boolean;
  /** PyTorch's state dict, with PyTorch's keys. */
  state: Record<string, Enc>;
  /** str(module) in PyTorch. */
  repr: string;
  steps: ModuleStep[];
  /** A looser relative tolerance for this case. */
  tol?: number;
}

/** Reads a golden file: `{ cases: ModuleCase[] }`, relative to test/golden/. */
export function loadModuleCases(file: string): ModuleCase[] {
  const url = new URL(`./golden/${file}`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: ModuleCase[] }).cases;
}

const DT: Record<string, DType> = { float64: 'float64', float32: 'float32', int64: 'int64', int32: 'int32', bool: 'bool' };

export function isEnc(v: unknown): v is Enc {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'shape' in v && 'dtype' in v && 'values' in v;
}

export function decodeTensor(e: Enc): Tensor {
  const dtype = DT[e.dtype];
  if (dtype === undefined) throw new Error(`golden: unexpected dtype ${e.dtype}`);
  const vals = e.values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  return tensor(Float64Array.from(vals), { dtype, shape: e.shape });
}

/** Decodes tensors anywhere in a value (arrays and plain objects are walked). */
export function decode(v: unknown): unknown {
  if (isEnc(v)) return decodeTensor(v);
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, decode(e)]));
  return v;
}

/** The tensor leaves of a value, in order (arrays walked depth first). */
export function tensorLeaves(v: unknown): Tensor[] {
  if (v instanceof Tensor) return [v];
  if (Array.isArray(v)) return v.flatMap(tensorLeaves);
  return [];
}

function values(t: Tensor): number[] {
  return Array.from(t.detach().to('float64').contiguous().data() as Float64Array);
}

/** Normwise relative error max |a - b| / max |b|; infinities and NaNs must match exactly. */
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

/** Shape, dtype class and values of `got` against `want` (integers and bools exactly). */
export function expectClose(got: Tensor, want: Enc, what: string, tol: number): void {
  expect([...got.shape], `${what}: shape`).toEqual(want.shape);
  const w = want.values.map(Number);
  if (want.dtype === 'int64' || want.dtype === 'int32' || want.dtype === 'bool') {
    expect(got.dtype, `${what}: dtype`).toBe(DT[want.dtype]);
    expect(values(got), what).toEqual(w);
    return;
  }
  expect(got.dtype, `${what}: dtype`).toBe(DT[want.dtype]);
  const err = relErr(values(got), w);
  expect(err, `${what}: relative error ${err}`).toBeLessThanOrEqual(tol);
}

/** Builds the module a case describes from a namespace of classes (default: nn). */
export function buildModule(ctor: CtorSpec, namespace: Record<string, unknown> = nn as unknown as Record<string, unknown>): nn.Module {
  const Cls = namespace[ctor.cls] as (new (...a: unknown[]) => nn.Module) & Record<string, unknown>;
  if (typeof Cls !== 'function') throw new Error(`golden: no class ${ctor.cls}`);
  const args = (decode(ctor.args) as unknown[]) ?? [];
  const opts = ctor.opts === undefined || Object.keys(ctor.opts).length === 0 ? [] : [decode(ctor.opts)];
  if (ctor.static !== undefined) {
    const f = Cls[ctor.static] as ((...a: unknown[]) => nn.Module) | undefined;
    if (typeof f !== 'function') throw new Error(`golden: ${ctor.cls} has no static ${ctor.static}`);
    return f.call(Cls, ...args, ...opts);
  }
  return new Cls(...args, ...opts);
}

function decodeState(state: Record<string, Enc>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(state).map(([k, e]) => [k, decodeTensor(e)]));
}

/**
 * Runs one case: build, load the state dict through fromTorchKeys, run every step and compare
 * (outputs, gradients, state), then the repr.
 */
export function runModuleCase(c: ModuleCase, namespace?: Record<string, unknown>): void {
  const m = buildModule(c.ctor, namespace);
  if (c.double) m.double();
  const tol = c.tol ?? (c.double ? 1e-9 : 2e-6);
  const torchState = nn.fromTorchKeys(decodeState(c.state));
  expect(Object.keys(m.stateDict()).sort(), 'state dict keys').toEqual(Object.keys(torchState).sort());
  m.loadStateDict(torchState);
  c.steps.forEach((s, si) => {
    const at = `step ${si} (${s.mode})`;
    m.train(s.mode === 'train');
    m.zeroGrad();
    const args = decode(s.args) as unknown[];
    const ins = tensorLeaves(args);
    expect(ins.length, `${at}: input leaves`).toBe(s.requiresGrad.length);
    ins.forEach((t, i) => {
      if (s.requiresGrad[i]) t.requiresGrad = true;
    });
    const out = m.forward(...args) as unknown;
    const outs = tensorLeaves(out);
    expect(outs.length, `${at}: output leaves`).toBe(s.outputs.length);
    outs.forEach((o, i) => expectClose(o, s.outputs[i]!, `${at}: output ${i}`, tol));
    let total: Tensor | null = null;
    s.upstream.forEach((u, i) => {
      if (u === null) return;
      const term = outs[i]!.mul(decodeTensor(u)).sum();
      total = total === null ? term : total.add(term);
    });
    if (total !== null) (total as Tensor).backward();
    ins.forEach((t, i) => {
      const want = s.inputGrads[i] ?? null;
      if (want === null) {
        if (s.requiresGrad[i]) expect(t.grad ?? null, `${at}: input ${i} should get no gradient`).toBeNull();
        return;
      }
      expect(t.grad, `${at}: gradient of input ${i}`).toBeTruthy();
      expectClose(t.grad!, want, `${at}: gradient of input ${i}`, tol);
    });
    const params = new Map(m.namedParameters());
    for (const [torchName, want] of Object.entries(s.paramGrads)) {
      const name = nn.torchKeyToCinder(torchName);
      const p = params.get(name);
      expect(p, `${at}: parameter ${name}`).toBeDefined();
      if (want === null) expect(p!.grad ?? null, `${at}: ${name} should get no gradient`).toBeNull();
      else {
        expect(p!.grad, `${at}: gradient of ${name}`).toBeTruthy();
        expectClose(p!.grad!, want, `${at}: gradient of ${name}`, tol);
      }
    }
    expect(params.size, `${at}: parameter count`).toBe(Object.keys(s.paramGrads).length);
    const sd = m.stateDict();
    const wantState = nn.fromTorchKeys(decodeState(s.state));
    expect(Object.keys(sd).sort(), `${at}: state dict keys`).toEqual(Object.keys(wantState).sort());
    for (const [k, e] of Object.entries(s.state)) expectClose(sd[nn.torchKeyToCinder(k)]!, e, `${at}: state ${k}`, tol);
  });
  expect(String(m), 'repr').toBe(c.repr);
}
