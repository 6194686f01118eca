/**
 * Walks F's op table (test/optable/functional.ts): every sample against its float64 reference
 * in float32 and float64, every error input against its message, and gradcheck in float64 (by
 * finite differences) on every sample small enough, plus gradgradcheck on each function's first.
 */
import { describe, expect, it } from 'vitest';
import { isFloatingDType, Tensor, type DType } from '@cinder/tensor';
import { gradcheck, gradgradcheck } from '@cinder/autograd';
import { F } from '../src/index.js';
import { buildArgs, isTensorArg } from '../../tensor/test/optable/build.js';
import { Nd } from '../../tensor/test/optable/ref.js';
import type { OpInfo, Result, Sample } from '../../tensor/test/optable/types.js';
import { functionalOps } from './optable/functional.js';

const DEFAULT_TOL: Partial<Record<DType, { atol: number; rtol: number }>> = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float64: { atol: 1e-10, rtol: 1e-9 },
};

function flatten<T>(r: Result<T>): [string, T][] {
  if (Array.isArray(r)) return r.map((v, i) => [String(i), v]);
  if (r instanceof Tensor || r instanceof Nd) return [['out', r as T]];
  return Object.entries(r as Record<string, T>);
}

function compare(op: OpInfo, got: Tensor, want: Nd, what: string): void {
  expect(got).toBeInstanceOf(Tensor);
  expect([...got.shape], `${what}: shape`).toEqual(want.shape);
  const g = Nd.fromTensor(got).data;
  const tol = op.tol?.[got.dtype] ?? DEFAULT_TOL[got.dtype] ?? { atol: 0, rtol: 0 };
  for (let i = 0; i < g.length; i++) {
    const a = g[i]!, b = want.data[i]!;
    if (Number.isNaN(b)) {
      if (!Number.isNaN(a)) expect.fail(`${what}: element ${i}: got ${a}, want NaN`);
      continue;
    }
    const ok = isFloatingDType(got.dtype) ? Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b) : a === b;
    if (!ok) expect.fail(`${what}: element ${i} of shape [${want.shape}]: got ${a}, want ${b} (dtype ${got.dtype})`);
  }
}

const MAX_ELEMENTS = 64;

function usable(s: Sample): boolean {
  return s.args.every((a) => !isTensorArg(a) || a.shape.reduce((x, y) => x * y, 1) <= MAX_ELEMENTS);
}

/** The sample in float64 with its floating tensors as the varying inputs of fn. */
function prepare(op: OpInfo, s: Sample, seed: number): { fn: (...ts: Tensor[]) => unknown; inputs: Tensor[] } | undefined {
  const built = buildArgs(s.args, 'float64', seed);
  const slots: number[] = [];
  const inputs: Tensor[] = [];
  built.tensors.forEach((t, i) => {
    if (t instanceof Tensor && isTensorArg(s.args[i]!) && isFloatingDType(t.dtype)) {
      slots.push(i);
      inputs.push(t.to('float64').contiguous().detach().requiresGrad_(true));
    }
  });
  if (inputs.length === 0) return undefined;
  const fn = (...ts: Tensor[]): unknown => {
    const args = [...built.tensors];
    slots.forEach((slot, k) => (args[slot] = ts[k]));
    const r = op.run(args, s.opts);
    // Only floating outputs are differentiated (indices are compared by the forward test).
    return Array.isArray(r) ? r.filter((t) => isFloatingDType(t.dtype)) : r;
  };
  return { fn, inputs };
}

describe('F op table', () => {
  it('covers every function of F', () => {
    const exempt = new Set(['embeddingRenorm_']); // an in-place helper: test/functional.behaviour.test.ts
    const names = new Set(functionalOps.map((o) => o.name));
    const missing = Object.keys(F).filter((k) => typeof (F as Record<string, unknown>)[k] === 'function' && !names.has(k) && !exempt.has(k));
    expect(missing).toEqual([]);
  });

  for (const op of functionalOps) {
    describe(op.name, () => {
      const dtypes = op.dtypes ?? ['float32', 'float64'];
      op.samples.forEach((sample, si) => {
        for (const dtype of dtypes) {
          it(`${sample.name ?? `sample ${si}`} (${dtype})`, () => {
            const built = buildArgs(sample.args, dtype, si + 1);
            const out = op.run(built.tensors, sample.opts);
            if (op.check) {
              op.check(out, built.tensors, sample.opts);
              return;
            }
            const want = op.ref(built.refs, sample.opts, built.dtypes.length ? built.dtypes : [dtype]);
            const gotList = flatten(out);
            const wantList = flatten(want);
            expect(gotList.map(([k]) => k)).toEqual(wantList.map(([k]) => k));
            gotList.forEach(([k, t], i) => compare(op, t, wantList[i]![1], `${op.name} ${sample.name ?? si} [${k}]`));
          });
        }
      });
      (op.errors ?? []).forEach((err, ei) => {
        it(`rejects ${err.name ?? `error input ${ei}`}`, () => {
          const built = buildArgs(err.args, (op.dtypes ?? ['float32'])[0]!, 1000 + ei);
          expect(() => op.run(built.tensors, err.opts)).toThrow(err.throws);
        });
      });
      if (op.grad) {
        const samples = op.samples.filter((s, si) => usable(s) && prepare(op, s, si + 1) !== undefined);
        it('has samples small enough for gradcheck', () => expect(samples.length).toBeGreaterThan(0));
        samples.forEach((sample) => {
          const si = op.samples.indexOf(sample);
          it(`gradcheck ${sample.name ?? `sample ${si}`}`, () => {
            const p = prepare(op, sample, si + 1)!;
            expect(gradcheck(p.fn, p.inputs, { atol: 1e-5, rtol: 1e-3 })).toBe(true);
          });
        });
        if (samples.length > 0) {
          it('gradgradcheck', () => {
            const si = op.samples.indexOf(samples[0]!);
            const p = prepare(op, samples[0]!, si + 1)!;
            expect(gradgradcheck(p.fn, p.inputs, { atol: 1e-4, rtol: 1e-3 })).toBe(true);
          });
        }
      }
    });
  }
});
