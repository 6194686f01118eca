/**
 * Gradients on CUDA against the CPU's over the op table: for every differentiable entry, its samples
 * run forward and backward (with the same cotangents) on both devices in float64 and the input
 * gradients must agree, and land on the device of their inputs. Every differentiable op must run
 * backward on the device (none may answer "not supported on CUDA"). Plus the engine's
 * device rules: grad seeds, accumulation into .grad, and a 0-d CPU tensor's gradient coming back
 * to the CPU. Runs only where a GPU is present.
 */
import { describe, expect, it } from 'vitest';
import { cuda, isFloatingDType, manualSeed, ones, randn, tensor, Tensor, zeros } from '@cinder/tensor';
import { grad, gradcheck, gradgradcheck } from '../src/index.js';
import { flattenOutputs } from '../src/layer.js';
import { buildArgs, isTensorArg } from '../../tensor/test/optable/build.js';
import { opTable } from '../../tensor/test/optable/index.js';
import type { OpInfo, Sample } from '../../tensor/test/optable/types.js';
import { expectClose, toDevice } from '../../tensor/test/cudaCompare.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) console.log('cudaGrad.test: no usable CUDA device; the CUDA-vs-CPU gradient comparisons are skipped');

const MAX_ELEMENTS = 4096;
const SAMPLES_PER_OP = 4;

/** A deterministic cotangent of t's shape (float64, on the CPU). */
function cotangent(t: Tensor, salt: number): Tensor {
  const n = t.numel();
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(1.3 * i + salt) + 0.25;
  return tensor(v, { shape: [...t.shape] }).to(t.dtype);
}

interface Grads {
  outputs: Tensor[];
  grads: (Tensor | null)[];
}

/** Runs the op on `tensors` (its floating tensor args made float64 leaves) and differentiates sum(out * cot). */
function gradsOf(op: OpInfo, sample: Sample, tensors: unknown[], onDevice: boolean): Grads | undefined {
  const args = tensors.map((a, i) =>
    a instanceof Tensor && isTensorArg(sample.args[i]!) && isFloatingDType(a.dtype) ? a.detach().requiresGrad_(true) : a,
  );
  const leaves = args.filter((a): a is Tensor => a instanceof Tensor && a.requiresGrad);
  if (leaves.length === 0) return undefined;
  const outs = flattenOutputs(op.run(args, sample.opts)).filter((t) => isFloatingDType(t.dtype) && t.requiresGrad);
  if (outs.length === 0) return undefined;
  let loss: Tensor | undefined;
  outs.forEach((o, k) => {
    let c = cotangent(o, k + 1);
    if (onDevice) c = c.cuda();
    const term = o.mul(c).sum();
    loss = loss === undefined ? term : loss.add(term);
  });
  return { outputs: outs, grads: grad(loss!, leaves, { allowUnused: true }) };
}

const GRAD_TOL = { atol: 1e-9, rtol: 1e-7 };

/** Compares the op's gradients on both devices; false when the op reports that it has no CUDA kernel. */
function compareGrads(op: OpInfo): boolean {
  let compared = 0;
  for (let si = 0; si < op.samples.length && compared < SAMPLES_PER_OP; si++) {
    const sample = op.samples[si]!;
    if (!sample.args.every((a) => !isTensorArg(a) || a.shape.reduce((x, y) => x * y, 1) <= MAX_ELEMENTS)) continue;
    const built = buildArgs(sample.args, 'float64', si + 1);
    const what = `${op.name} ${sample.name ?? si}`;
    let want: Grads | undefined;
    try {
      want = gradsOf(op, sample, built.tensors, false);
    } catch {
      continue; // the CPU rejects it too (error samples are opTable.test's business)
    }
    if (want === undefined) continue;
    const dev = built.tensors.map((a) => (a instanceof Tensor ? toDevice(a) : a));
    let got: Grads | undefined;
    try {
      got = gradsOf(op, sample, dev, true);
    } catch (e) {
      const msg = (e as Error).message;
      if (/not supported on CUDA/.test(msg)) return false;
      throw new Error(`${what}: ${msg}`);
    }
    expect(got, what).toBeDefined();
    got!.outputs.forEach((o, k) => expectClose(o, want!.outputs[k]!, `${what}: output ${k}`, GRAD_TOL));
    expect(got!.grads.length).toBe(want.grads.length);
    want.grads.forEach((w, k) => {
      const g = got!.grads[k]!;
      if (w === null) {
        expect(g, `${what}: gradient ${k} is unused on the CPU`).toBeNull();
        return;
      }
      expectClose(g, w, `${what}: gradient ${k}`, GRAD_TOL);
    });
    compared++;
  }
  return true;
}

describe.skipIf(!hasGpu)('CUDA gradients vs CPU over the op table', () => {
  const unsupported: string[] = [];
  const differentiable = opTable.filter((op) => op.grad === true);
  for (const op of differentiable) {
    it(op.name, () => {
      manualSeed(0);
      if (!compareGrads(op)) unsupported.push(op.name);
    });
  }
  it('runs every differentiable op backward on the device', () => {
    expect(unsupported).toEqual([]);
  });
});

describe.skipIf(!hasGpu)('the engine on CUDA', () => {
  it('seeds, accumulates and keeps .grad on the device of the leaf', () => {
    const x = randn([3, 4], { dtype: 'float64' }).cuda().requiresGrad_(true);
    x.mul(x).sum().backward();
    expect(x.grad!.device).toBe('cuda:0');
    x.mul(3).sum().backward();
    expect(x.grad!.device).toBe('cuda:0');
    const want = x.detach().cpu().mul(2).add(3);
    expectClose(x.grad!, want, 'accumulated grad', GRAD_TOL);
  });

  it('sends the gradient of a 0-d CPU tensor back to the CPU', () => {
    const x = randn([5], { dtype: 'float64' }).cuda().requiresGrad_(true);
    const s = tensor(2.5, { dtype: 'float64', requiresGrad: true });
    x.mul(s).add(s).sum().backward();
    expect(s.grad!.device).toBe('cpu');
    expect(s.grad!.item()).toBeCloseTo((x.detach().sum().item() as number) + 5, 10);
    expect(x.grad!.device).toBe('cuda:0');
    expectClose(x.grad!, ones([5], { dtype: 'float64' }).mul(2.5), 'x.grad', GRAD_TOL);
  });

  it('an in-place op on a CUDA view with a 0-d CPU operand sends that operand its gradient on the CPU', () => {
    const x = randn([3, 4], { dtype: 'float64' }).cuda().requiresGrad_(true);
    const s = tensor(1.5, { dtype: 'float64', requiresGrad: true });
    const y = x.mul(1);
    y.narrow(0, 1, 1).mul_(s);
    y.sum().backward();
    expect(s.grad!.device).toBe('cpu');
    expect(s.grad!.item()).toBeCloseTo(x.detach().narrow(0, 1, 1).sum().item() as number, 10);
    const want = ones([3, 4], { dtype: 'float64' });
    want.narrow(0, 1, 1).fill_(1.5);
    expectClose(x.grad!, want, 'x.grad', GRAD_TOL);
  });

  it('gradcheck runs with CUDA inputs (perturbations made on the device)', () => {
    const x = randn([2, 3], { dtype: 'float64' }).cuda().requiresGrad_(true);
    const y = randn([2, 3], { dtype: 'float64' }).cuda().requiresGrad_(true);
    expect(gradcheck((a, b) => a.mul(b).tanh().sum(), [x, y], { atol: 1e-6, rtol: 1e-4 })).toBe(true);
    expect(gradgradcheck((a) => a.mul(a).sin(), [x], { atol: 1e-5, rtol: 1e-3 })).toBe(true);
    // A wrong formula must fail on the device too (the perturbations really reach the device).
    expect(gradcheck((a) => a.sin(), [x], { atol: 1e-6, rtol: 1e-4 })).toBe(true);
    expect(() => gradcheck((a) => a.detach().sin().add(a.mul(0)), [x], { atol: 1e-6, rtol: 1e-4 })).toThrow(/Jacobian mismatch/);
  });

  it('to() between devices is differentiable both ways', () => {
    const x = randn([4], { dtype: 'float64', requiresGrad: true });
    x.cuda().mul(2).cpu().sum().backward();
    expect(x.grad!.device).toBe('cpu');
    expect(x.grad!.toArray()).toEqual([2, 2, 2, 2]);
    const z = zeros([2], { device: 'cuda', dtype: 'float64', requiresGrad: true });
    z.cpu().add(1).sum().backward();
    expect(z.grad!.device).toBe('cuda:0');
  });
});
