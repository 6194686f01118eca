/**
 * Walks the op table: every sample of every op against its float64 reference, for each dtype the
 * op declares, and every error input against its message (which must name the op).
 */
import { describe, expect, it } from 'vitest';
import { Tensor, isFloatingDType, type DType } from '../src/index.js';
import { buildArgs } from './optable/build.js';
import { opTable } from './optable/index.js';
import { Nd } from './optable/ref.js';
import type { OpInfo, Result } from './optable/types.js';

const DEFAULT_TOL: Partial<Record<DType, { atol: number; rtol: number }>> = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float64: { atol: 1e-10, rtol: 1e-9 },
  float16: { atol: 1e-2, rtol: 1e-2 },
  bfloat16: { atol: 5e-2, rtol: 5e-2 },
};

function flatten<T>(r: Result<T>): [string, T][] {
  if (Array.isArray(r)) return r.map((v, i) => [String(i), v]);
  if (r instanceof Tensor || r instanceof Nd) return [['out', r as T]];
  return Object.entries(r as Record<string, T>);
}

export function compare(op: OpInfo, dtype: DType, got: Tensor, want: Nd, what: string): void {
  expect(got).toBeInstanceOf(Tensor);
  expect([...got.shape], `${what}: shape`).toEqual(want.shape);
  if (op.outDtype) expect(got.dtype, `${what}: dtype`).toBe(op.outDtype(dtype));
  const g = Nd.fromTensor(got).data;
  const outFloat = isFloatingDType(got.dtype);
  const tol = op.tol?.[got.dtype] ?? op.tol?.[dtype] ?? DEFAULT_TOL[got.dtype] ?? { atol: 0, rtol: 0 };
  for (let i = 0; i < g.length; i++) {
    const a = g[i]!;
    const b = want.data[i]!;
    if (Number.isNaN(b)) {
      if (!Number.isNaN(a)) expect.fail(`${what}: element ${i}: got ${a}, want NaN`);
      continue;
    }
    if (!Number.isFinite(b)) {
      if (a !== b) expect.fail(`${what}: element ${i}: got ${a}, want ${b}`);
      continue;
    }
    const ok = outFloat ? Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b) : a === b;
    if (!ok) expect.fail(`${what}: element ${i} of shape [${want.shape}]: got ${a}, want ${b} (dtype ${got.dtype})`);
  }
}

describe('op table', () => {
  for (const op of opTable) {
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
            for (let k = 0; k < gotList.length; k++) {
              compare(op, dtype, gotList[k]![1], wantList[k]![1], `${op.name} ${sample.name ?? si} [${gotList[k]![0]}]`);
            }
          });
        }
      });
      (op.errors ?? []).forEach((err, ei) => {
        it(`rejects ${err.name ?? `error input ${ei}`}`, () => {
          const built = buildArgs(err.args, (op.dtypes ?? ['float32'])[0]!, 1000 + ei);
          expect(() => op.run(built.tensors, err.opts)).toThrow(err.throws);
        });
      });
    });
  }

  it('every entry has samples and a reference', () => {
    for (const op of opTable) {
      expect(op.samples.length, op.name).toBeGreaterThan(0);
    }
    const names = opTable.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
