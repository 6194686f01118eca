// The CUDA elementwise kernels against the CPU: every elementwise entry of the op table (its
// samples, dtypes, broadcast and strided inputs) runs on both devices and must agree, plus the
// iteration paths the table does not reach (vectorised, misaligned, large strided, by-value
// numbers, in-place, casts through temporaries). Runs only where a GPU is present.
import { describe, expect, it } from 'vitest';
import {
  add,
  arange,
  cuda,
  div,
  isFloatingDType,
  mul,
  randn,
  remainder,
  setFloat32MatmulPrecision,
  Tensor,
  tensor,
  where,
  type DType,
} from '../src/index.js';
import { buildArgs } from './optable/build.js';
import { elementwiseOps } from './optable/elementwise.js';
import { opTable } from './optable/index.js';
import type { OpInfo, Result } from './optable/types.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) console.log('cudaElementwise.test: no usable CUDA device; the CUDA-vs-CPU comparisons are skipped');
// The table's products are compared with float32 tolerances made for exact float32: CUDA's
// default TF32 products are checked against their own error bound in cudaLinalg.test.
setFloat32MatmulPrecision('highest');

const TOL: Partial<Record<DType, { atol: number; rtol: number }>> = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float64: { atol: 1e-12, rtol: 1e-11 },
  float16: { atol: 1e-3, rtol: 1e-3 },
  bfloat16: { atol: 1e-2, rtol: 1e-2 },
};

/** The same tensor on cuda:0 with the same strides and offset (views stay views). */
function toDevice(x: Tensor): Tensor {
  const base = (x as unknown as { _base?: Tensor })._base ?? x;
  if (base !== x && base.isContiguous() && base.offset === 0) {
    const g = base.cuda();
    return g._view(x.shape, x.strides, x.offset);
  }
  return x.cuda();
}

function tensorsOf(r: Result<Tensor>): [string, Tensor][] {
  if (r instanceof Tensor) return [['out', r]];
  if (Array.isArray(r)) return r.map((t, i) => [String(i), t]);
  return Object.entries(r);
}

function expectClose(got: Tensor, want: Tensor, what: string): void {
  expect(got.device, `${what}: device`).toBe('cuda:0');
  expect([...got.shape], `${what}: shape`).toEqual([...want.shape]);
  expect(got.dtype, `${what}: dtype`).toBe(want.dtype);
  const g = got.cpu().to('float64').data() as Float64Array;
  const w = want.to('float64').data() as Float64Array;
  const tol = TOL[want.dtype] ?? { atol: 0, rtol: 0 };
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!;
    const b = w[i]!;
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    const ok = a === b || (isFloatingDType(want.dtype) && Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b));
    if (!ok) expect.fail(`${what}: element ${i}: cuda ${a}, cpu ${b}`);
  }
}

/**
 * Runs every sample of `op` on the CPU and on cuda:0 and compares. Returns false when the op
 * reported that it is not supported on CUDA (a clear error, never a wrong answer).
 */
function compareOnDevice(op: OpInfo): boolean {
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
        if (/not supported on CUDA/.test(msg)) return false;
        throw new Error(`${what}: ${msg}`);
      }
      const g = tensorsOf(got);
      for (const [k, t] of g) expect(t.device, `${what} [${k}]: device`).toBe('cuda:0');
      if (op.check) {
        // Outputs that are not unique (samplers, ties): the op's own checker judges them.
        op.check(got, onDevice, sample.opts);
        continue;
      }
      const w = tensorsOf(want);
      expect(g.map(([k]) => k)).toEqual(w.map(([k]) => k));
      for (let k = 0; k < g.length; k++) expectClose(g[k]![1], w[k]![1], `${what} [${g[k]![0]}]`);
    }
  }
  return true;
}

describe.skipIf(!hasGpu)('CUDA elementwise vs CPU: the op table', () => {
  const unsupported: string[] = [];
  for (const op of elementwiseOps) {
    it(op.name, () => {
      if (!compareOnDevice(op)) unsupported.push(op.name);
    });
  }
  it('runs every elementwise op on the device', () => {
    expect([...new Set(unsupported)]).toEqual([]);
  });
});

// Every other family of the op table runs on CUDA too, with the CPU's answers.
describe.skipIf(!hasGpu)('the rest of the op table on CUDA against the CPU', () => {
  const names = new Set(elementwiseOps.map((o) => o.name));
  const unsupported: string[] = [];
  for (const op of opTable) {
    if (names.has(op.name)) continue;
    it(op.name, () => {
      if (!compareOnDevice(op)) unsupported.push(op.name);
    });
  }
  it('runs every op of the table on the device', () => {
    expect([...new Set(unsupported)]).toEqual([]);
  });
});

describe.skipIf(!hasGpu)('CUDA elementwise: iteration paths', () => {
  it('vectorised, misaligned and strided paths agree with the CPU at size', () => {
    const n = (1 << 20) + 3;
    const a = randn([n]);
    const b = randn([n]);
    const ga = a.cuda();
    const gb = b.cuda();
    expectClose(add(ga, gb), add(a, b), 'add, aligned');
    // An offset of one element: contiguous but not aligned to four.
    expectClose(mul(ga.narrow(0, 1, n - 1), gb.narrow(0, 2, n - 1)), mul(a.narrow(0, 1, n - 1), b.narrow(0, 2, n - 1)), 'mul, misaligned');
    const m = randn([513, 257]);
    const gm = m.cuda();
    expectClose(add(gm.transpose(0, 1), 1.5), add(m.transpose(0, 1), 1.5), 'transposed + number');
    expectClose(add(gm, gm.narrow(0, 0, 1)), add(m, m.narrow(0, 0, 1)), 'broadcast row');
    expectClose(gm.exp().contiguous(), m.exp(), 'exp');
    expectClose(gm.transpose(0, 1).contiguous(), m.transpose(0, 1).contiguous(), 'contiguous()');
  });

  it('promotes, casts through temporaries, writes in place and fills like the CPU', () => {
    const i = arange(12, { dtype: 'int32' }).reshape(3, 4);
    const f = randn([3, 4], { dtype: 'float64' });
    expectClose(add(i.cuda(), f.cuda()), add(i, f), 'int32 + float64');
    const h = randn([3, 4]).to('float16');
    expectClose(add(h.cuda(), h.cuda()), add(h, h), 'float16 + float16');
    expectClose(where(i.cuda().gt(5), f.cuda(), 0), where(i.gt(5), f, 0), 'where with a number');
    const x = randn([1000]);
    const gx = x.cuda();
    gx.mul_(3).add_(1);
    expectClose(gx, x.mul(3).add(1), 'in place');
    const z = tensor([1, 2, 3], { dtype: 'int64' }).cuda();
    z.fill_(-7);
    expect(z.cpu().toArray()).toEqual([-7, -7, -7]);
    const t = tensor([[1, 2], [3, 4]]).cuda();
    t.narrow(1, 0, 1).copy_(tensor([[9], [8]]).cuda());
    expect(t.toArray()).toEqual([[9, 2], [8, 4]]);
  });

  it('integer division by zero throws as on the CPU; mixing devices names both', () => {
    const a = tensor([4, 5], { dtype: 'int64' }).cuda();
    const b = tensor([2, 0], { dtype: 'int64' }).cuda();
    expect(() => remainder(a, b)).toThrow(/remainder: ZeroDivisionError/);
    expect(() => div(a, b, { roundingMode: 'floor' })).toThrow(/div: ZeroDivisionError/);
    expect(() => add(a, tensor([1, 1], { dtype: 'int64' }))).toThrow(/add: expected all tensors to be on the same device, but found tensors on cuda:0 and cpu/);
    expect(() => where(tensor([true, false]), a, b)).toThrow(/where: expected all tensors to be on the same device/);
  });
});
