// What the CUDA-vs-CPU tests share: device copies that keep views views, the outputs of an op as
// named tensors, element comparison against the CPU's answer, and a run of an op-table entry's
// samples on both devices.
import { expect } from 'vitest';
import { isFloatingDType, Tensor, type DType } from '../src/index.js';
import { buildArgs } from './optable/build.js';
import type { OpInfo, Result } from './optable/types.js';

export type Tol = { atol: number; rtol: number };
export type Tols = Partial<Record<DType, Tol>>;

const EXACT: Tol = { atol: 0, rtol: 0 };

/** The same tensor on cuda:0 with the same strides and offset (views stay views). */
export function toDevice(x: Tensor): Tensor {
  const base = (x as unknown as { _base?: Tensor })._base ?? x;
  if (base !== x && base.isContiguous() && base.offset === 0) return base.cuda()._view(x.shape, x.strides, x.offset);
  return x.cuda();
}

/** An op's outputs as [name, tensor] pairs ('out' for a lone tensor, indices for an array). */
export function tensorsOf(r: Result<Tensor>): [string, Tensor][] {
  if (r instanceof Tensor) return [['out', r]];
  if (Array.isArray(r)) return r.map((t, i) => [String(i), t]);
  return Object.entries(r);
}

/** A tensor's elements as float64, in logical order. */
export function values(t: Tensor): Float64Array {
  return t.cpu().to('float64').contiguous().data() as Float64Array;
}

/**
 * A CUDA result against the CPU's: device, shape, dtype, then every element within atol + rtol|b|
 * (floating dtypes; others exactly; NaN matches NaN). `scaled`: atol scales with the largest
 * finite magnitude of `want` (GEMM results).
 */
export function expectClose(got: Tensor, want: Tensor, what: string, tol: Tol = EXACT, scaled = false): void {
  expect(got.device, `${what}: device`).toBe('cuda:0');
  expect([...got.shape], `${what}: shape`).toEqual([...want.shape]);
  expect(got.dtype, `${what}: dtype`).toBe(want.dtype);
  const g = values(got);
  const w = values(want);
  let scale = 1;
  if (scaled) for (let i = 0; i < w.length; i++) if (Number.isFinite(w[i]!)) scale = Math.max(scale, Math.abs(w[i]!));
  const floating = isFloatingDType(want.dtype);
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!;
    const b = w[i]!;
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    const ok = a === b || (floating && Math.abs(a - b) <= tol.atol * scale + tol.rtol * Math.abs(b));
    if (!ok) expect.fail(`${what}: element ${i}: cuda ${a}, cpu ${b}`);
  }
}

/** Bitwise equality of two results (NaNs of any payload compare equal); no float64 detour. */
export function expectSameBits(got: Tensor, want: Tensor, what: string): void {
  const x = got.cpu().data();
  const y = want.cpu().data();
  expect(x.length, what).toBe(y.length);
  for (let i = 0; i < x.length; i++) {
    const u = x[i] as number | bigint;
    const v = y[i] as number | bigint;
    if (typeof u === 'number' && typeof v === 'number' && Number.isNaN(u) && Number.isNaN(v)) continue;
    if (!Object.is(u, v) && u !== v) expect.fail(`${what}: element ${i}: cuda ${u}, cpu ${v}`);
  }
}

/**
 * Runs every sample of `op` on the CPU and on cuda:0 and compares each output with
 * `compare(got, want, what)`; entries with a checker (samplers, ties) are judged by it instead.
 * Samples the CPU rejects are skipped (opTable.test checks the error inputs). Returns false when
 * the device said the op is not supported on CUDA and `allowUnsupported` (a clear error, never a
 * wrong answer); otherwise a device error is rethrown naming the sample.
 */
export function compareOnDevice(
  op: OpInfo,
  compare: (got: Tensor, want: Tensor, what: string) => void,
  allowUnsupported = false,
): boolean {
  const dtypes = op.dtypes ?? ['float32', 'float64'];
  for (let si = 0; si < op.samples.length; si++) {
    const sample = op.samples[si]!;
    for (const dtype of dtypes) {
      const built = buildArgs(sample.args, dtype, si + 1);
      const what = `${op.name} ${sample.name ?? si} (${dtype})`;
      let want: Result<Tensor>;
      try {
        want = op.run(built.tensors, sample.opts);
      } catch {
        continue; // the CPU rejects it too: the error inputs are checked by opTable.test
      }
      const onDevice = built.tensors.map((a) => (a instanceof Tensor ? toDevice(a) : a));
      let got: Result<Tensor>;
      try {
        got = op.run(onDevice, sample.opts);
      } catch (e) {
        const msg = (e as Error).message;
        if (allowUnsupported && /not supported on CUDA/.test(msg)) return false;
        throw new Error(`${what}: ${msg}`);
      }
      const g = tensorsOf(got);
      for (const [k, t] of g) expect(t.device, `${what} [${k}]: device`).toBe('cuda:0');
      if (op.check) {
        op.check(got, onDevice, sample.opts);
        continue;
      }
      const w = tensorsOf(want);
      expect(g.map(([k]) => k)).toEqual(w.map(([k]) => k));
      for (let k = 0; k < g.length; k++) compare(g[k]![1], w[k]![1], `${what} [${g[k]![0]}]`);
    }
  }
  return true;
}
