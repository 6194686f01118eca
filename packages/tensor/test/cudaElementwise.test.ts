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
  mul,
  randn,
  remainder,
  setFloat32MatmulPrecision,
  Tensor,
  tensor,
  where,
} from '../src/index.js';
import { compareOnDevice, expectClose, type Tols } from './cudaCompare.js';
import { elementwiseOps } from './optable/elementwise.js';
import { opTable } from './optable/index.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) console.log('cudaElementwise.test: no usable CUDA device; the CUDA-vs-CPU comparisons are skipped');
// The table's products are compared with float32 tolerances made for exact float32: CUDA's
// default TF32 products are checked against their own error bound in cudaLinalg.test.
setFloat32MatmulPrecision('highest');

const TOL: Tols = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float64: { atol: 1e-12, rtol: 1e-11 },
  float16: { atol: 1e-3, rtol: 1e-3 },
  bfloat16: { atol: 1e-2, rtol: 1e-2 },
};
const close = (got: Tensor, want: Tensor, what: string) => expectClose(got, want, what, TOL[want.dtype]);

describe.skipIf(!hasGpu)('CUDA elementwise vs CPU: the op table', () => {
  const unsupported: string[] = [];
  for (const op of elementwiseOps) {
    it(op.name, () => {
      if (!compareOnDevice(op, close, true)) unsupported.push(op.name);
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
      if (!compareOnDevice(op, close, true)) unsupported.push(op.name);
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
    close(add(ga, gb), add(a, b), 'add, aligned');
    // An offset of one element: contiguous but not aligned to four.
    close(mul(ga.narrow(0, 1, n - 1), gb.narrow(0, 2, n - 1)), mul(a.narrow(0, 1, n - 1), b.narrow(0, 2, n - 1)), 'mul, misaligned');
    const m = randn([513, 257]);
    const gm = m.cuda();
    close(add(gm.transpose(0, 1), 1.5), add(m.transpose(0, 1), 1.5), 'transposed + number');
    close(add(gm, gm.narrow(0, 0, 1)), add(m, m.narrow(0, 0, 1)), 'broadcast row');
    close(gm.exp().contiguous(), m.exp(), 'exp');
    close(gm.transpose(0, 1).contiguous(), m.transpose(0, 1).contiguous(), 'contiguous()');
  });

  it('promotes, casts through temporaries, writes in place and fills like the CPU', () => {
    const i = arange(12, { dtype: 'int32' }).reshape(3, 4);
    const f = randn([3, 4], { dtype: 'float64' });
    close(add(i.cuda(), f.cuda()), add(i, f), 'int32 + float64');
    const h = randn([3, 4]).to('float16');
    close(add(h.cuda(), h.cuda()), add(h, h), 'float16 + float16');
    close(where(i.cuda().gt(5), f.cuda(), 0), where(i.gt(5), f, 0), 'where with a number');
    const x = randn([1000]);
    const gx = x.cuda();
    gx.mul_(3).add_(1);
    close(gx, x.mul(3).add(1), 'in place');
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
