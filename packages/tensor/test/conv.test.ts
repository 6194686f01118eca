/**
 * Convolution behaviour beyond the op table: PyTorch's own results (test/golden), every kernel set
 * this CPU runs (the direct kernels follow the GEMM's choice), determinism across runs and thread
 * counts, the adjoint identities between the three ops, and native validation of inputs that
 * bypass the TypeScript checks.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { kernels, native } from '@cinder/native';
import {
  conv1d, conv2d, conv3d, convolutionBackwardInput, convolutionBackwardWeight, convTranspose1d, convTranspose2d,
  convTranspose3d, getNumThreads, setNumThreads, tensor, type Tensor,
} from '../src/index.js';
import { frame, putOutput, putTensor } from '../src/frame.js';
import { makeRng, Nd } from './optable/ref.js';
import { refConv, refConvAdjointInput, refConvAdjointWeight, refParams } from './optable/conv.js';

const gemmArch = native as unknown as { gemmSetArch(n: string): string };

function rand(shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, () => rng() * 2 - 1), { dtype, shape });
}

function values(t: Tensor): number[] {
  return Array.from(t.to('float64').contiguous().data() as Float64Array);
}

function nd(t: Tensor): Nd {
  return new Nd([...t.shape], Float64Array.from(values(t)));
}

function expectClose(got: readonly number[], want: readonly number[], atol: number, rtol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= atol + rtol * Math.abs(want[i]!))) {
      expect.fail(`${what}: element ${i}: got ${got[i]}, want ${want[i]}`);
    }
  }
}

function sameBits(a: Tensor, b: Tensor): boolean {
  const x = a.contiguous().data() as Float32Array | Float64Array;
  const y = b.contiguous().data() as Float32Array | Float64Array;
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

// ---- PyTorch golden values --------------------------------------------------------------------

interface GoldenTensor { shape: number[]; data: number[] }
interface GoldenCase {
  name: string;
  op: string;
  opts: Record<string, unknown>;
  x: GoldenTensor; w: GoldenTensor; b: GoldenTensor | null; y: GoldenTensor; gy: GoldenTensor;
  gx: number[]; gw: number[];
}

const golden = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'golden', 'conv_golden.json'), 'utf8')) as { torch: string; cases: GoldenCase[] };

const FORWARD: Record<string, (x: Tensor, w: Tensor, b: Tensor | null, o: any) => Tensor> = {
  conv1d, conv2d, conv3d, conv_transpose1d: convTranspose1d, conv_transpose2d: convTranspose2d, conv_transpose3d: convTranspose3d,
};

const asTensor = (g: GoldenTensor, dtype: 'float32' | 'float64' = 'float64'): Tensor => tensor(Float64Array.from(g.data), { dtype, shape: g.shape });

describe(`PyTorch ${golden.torch} golden values`, () => {
  it('covers every op', () => expect(new Set(golden.cases.map((c) => c.op)).size).toBe(6));
  for (const c of golden.cases) {
    it(c.name, () => {
      const fn = FORWARD[c.op]!;
      for (const dtype of ['float64', 'float32'] as const) {
        const tol = dtype === 'float64' ? [1e-9, 1e-9] : [2e-4, 2e-4];
        const x = asTensor(c.x, dtype);
        const w = asTensor(c.w, dtype);
        const b = c.b ? asTensor(c.b, dtype) : null;
        const y = fn(x, w, b, c.opts);
        expect([...y.shape]).toEqual(c.y.shape);
        expectClose(values(y), c.y.data, tol[0]!, tol[1]!, `${c.name} (${dtype}) output`);
        // Gradients through the backward ops (a transposed convolution's are those of the
        // convolution whose input gradient it is, with the roles of input and gradOutput swapped).
        const gy = asTensor(c.gy, dtype);
        const transposed = c.op.startsWith('conv_transpose');
        const { outputPadding: _op, ...o } = c.opts;
        const gx = transposed ? forwardConv(gy, w, o, x.shape) : convolutionBackwardInput(gy, w, x.shape, o);
        const gw = transposed ? convolutionBackwardWeight(gy, x, w.shape, o) : convolutionBackwardWeight(x, gy, w.shape, o);
        expectClose(values(gx), c.gx, tol[0]!, tol[1]!, `${c.name} (${dtype}) input gradient`);
        expectClose(values(gw), c.gw, tol[0]!, tol[1]!, `${c.name} (${dtype}) weight gradient`);
      }
    });
  }
});

/**
 * The forward convolution over w.ndim - 2 spatial dims, cut to `shape` when given (a transposed
 * convolution with output padding of at least a stride maps back onto a longer forward output).
 */
function forwardConv(x: Tensor, w: Tensor, o: Record<string, unknown>, shape?: readonly number[]): Tensor {
  let y = [conv1d, conv2d, conv3d][w.ndim - 3]!(x, w, null, o);
  if (shape) for (let d = 2; d < y.ndim; d++) if (y.shape[d] !== shape[d]) y = y.narrow(d, 0, shape[d]!);
  return y;
}

// ---- kernel sets --------------------------------------------------------------------------------

describe('every kernel set', () => {
  const archs = ['generic', 'avx2', 'avx512'];
  afterAll(() => {
    gemmArch.gemmSetArch('auto');
  });
  // [input, weight, options]: direct kernels (few output channels) and GEMM paths (many, and 1x1).
  const cases: [number[], number[], Record<string, unknown>][] = [
    [[3, 6, 13, 11], [16, 6, 5, 3], { padding: [2, 1], stride: [1, 2] }],
    [[2, 4, 9, 10], [6, 2, 3, 3], { groups: 2, dilation: 2, padding: 'same' }],
    [[2, 5, 9, 8], [40, 5, 3, 3], { padding: 1 }],
    [[2, 24, 6, 7], [40, 24, 1, 1], {}],
  ];
  for (const want of archs) {
    it(`forward, input and weight gradients against the reference (${want} kernels)`, () => {
      const got = gemmArch.gemmSetArch(want);
      // A CPU without the set falls back to a lesser one; that one is then tested instead.
      expect(archs).toContain(got);
      cases.forEach(([xs, ws, o], ci) => {
        for (const dtype of ['float64', 'float32'] as const) {
          const tol = dtype === 'float64' ? [1e-11, 1e-11] : [2e-4, 1e-4];
          const x = rand(xs, 10 + ci, dtype);
          const w = rand(ws, 20 + ci, dtype);
          const b = rand([ws[0]!], 30 + ci, dtype);
          const pr = refParams(o, 2, ws.slice(2));
          const y = conv2d(x, w, b, o);
          const what = `${got} case ${ci} ${dtype}`;
          expectClose(values(y), Array.from(refConv(nd(x), nd(w), nd(b), pr).data), tol[0]!, tol[1]!, `${what} forward`);
          const gy = rand([...y.shape], 40 + ci, dtype);
          expectClose(values(convolutionBackwardInput(gy, w, x.shape, o)), Array.from(refConvAdjointInput(nd(gy), nd(w), null, pr, xs.slice(2)).data), tol[0]!, tol[1]!, `${what} input gradient`);
          expectClose(values(convolutionBackwardWeight(x, gy, w.shape, o)), Array.from(refConvAdjointWeight(nd(x), nd(gy), pr, ws).data), tol[0]!, tol[1]!, `${what} weight gradient`);
        }
      });
    });
  }
});

// ---- determinism and identities ---------------------------------------------------------------

describe('determinism', () => {
  const threads = getNumThreads();
  afterAll(() => setNumThreads(threads));
  // Enough work to run on several threads: GEMM-path layers (one sample, whose output positions are
  // then split differently by thread count; a depth K = 288 over several of the GEMM's panels) and a
  // direct-kernel layer.
  const layers: [number[], number[], Record<string, unknown>][] = [
    [[6, 8, 20, 20], [48, 8, 3, 3], { padding: 1 }],
    [[1, 32, 24, 24], [40, 32, 3, 3], { padding: 1 }],
    [[9, 3, 20, 20], [8, 3, 5, 5], {}],
  ];
  it('repeated runs give identical bits, and thread counts agree', () => {
    for (const [xs, ws, o] of layers) {
      const x = rand(xs, 1, 'float32');
      const w = rand(ws, 2, 'float32');
      setNumThreads(Math.max(2, threads));
      const y = conv2d(x, w, null, o);
      const gy = rand([...y.shape], 3, 'float32');
      const gx = convolutionBackwardInput(gy, w, x.shape, o);
      const gw = convolutionBackwardWeight(x, gy, w.shape, o);
      for (let r = 0; r < 3; r++) {
        expect(sameBits(conv2d(x, w, null, o), y)).toBe(true);
        expect(sameBits(convolutionBackwardInput(gy, w, x.shape, o), gx)).toBe(true);
        expect(sameBits(convolutionBackwardWeight(x, gy, w.shape, o), gw)).toBe(true);
      }
      setNumThreads(1);
      // Outputs and input gradients are computed element by element the same way on any number of
      // threads; weight gradients are summed in a different grouping, so they agree to rounding.
      expect(sameBits(conv2d(x, w, null, o), y)).toBe(true);
      expect(sameBits(convolutionBackwardInput(gy, w, x.shape, o), gx)).toBe(true);
      expectClose(values(convolutionBackwardWeight(x, gy, w.shape, o)), values(gw), 1e-3, 1e-4, 'weight gradient on 1 thread');
    }
  });
});

describe('adjoint identities', () => {
  const dot = (a: Tensor, b: Tensor): number => a.mul(b).sum().item() as number;
  it('<g, conv(x, w)> = <convolutionBackwardInput(g, w), x> = <convolutionBackwardWeight(x, g), w>', () => {
    const configs: [number[], number[], Record<string, unknown>][] = [
      [[2, 4, 9], [6, 2, 3], { stride: 2, padding: 1, groups: 2 }],
      [[2, 3, 8, 7], [5, 3, 3, 2], { dilation: [2, 1], padding: [[0, 2], 1] }],
      [[1, 2, 5, 6, 4], [3, 2, 2, 3, 2], { stride: [2, 1, 1], padding: 1 }],
    ];
    configs.forEach(([xs, ws, o], i) => {
      const x = rand(xs, 50 + i);
      const w = rand(ws, 60 + i);
      const y = forwardConv(x, w, o);
      const g = rand([...y.shape], 70 + i);
      const lhs = dot(g, y);
      expect(dot(convolutionBackwardInput(g, w, x.shape, o), x)).toBeCloseTo(lhs, 10);
      expect(dot(convolutionBackwardWeight(x, g, w.shape, o), w)).toBeCloseTo(lhs, 10);
    });
  });
  it('a transposed convolution is the input gradient of the convolution it undoes', () => {
    const x = rand([2, 6, 5, 4], 80);
    const w = rand([6, 3, 3, 3], 81);
    const y = convTranspose2d(x, w, null, { stride: 2, padding: 1, outputPadding: [1, 0] });
    expect([...y.shape]).toEqual([2, 3, 10, 7]);
    const viaBackward = convolutionBackwardInput(x, w, y.shape, { stride: 2, padding: 1 });
    expect(sameBits(y, viaBackward)).toBe(true);
  });
  it('conv1d and conv3d agree with conv2d on size-1 dims', () => {
    const x = rand([2, 3, 11], 90);
    const w = rand([4, 3, 3], 91);
    const y1 = conv1d(x, w, null, { stride: 2, padding: 1 });
    const y2 = conv2d(x.unsqueeze(2), w.unsqueeze(2), null, { stride: [1, 2], padding: [0, 1] });
    const y3 = conv3d(x.unsqueeze(2).unsqueeze(2), w.unsqueeze(2).unsqueeze(2), null, { stride: [1, 1, 2], padding: [0, 0, 1] });
    expectClose(values(y2), values(y1), 1e-12, 0, 'conv2d');
    expectClose(values(y3), values(y1), 1e-12, 0, 'conv3d');
  });
  it("bias passes as an argument or an option, and 'valid' equals no padding", () => {
    const x = rand([1, 2, 5, 5], 95);
    const w = rand([3, 2, 3, 3], 96);
    const b = rand([3], 97);
    expect(sameBits(conv2d(x, w, b), conv2d(x, w, { bias: b, padding: 'valid' }))).toBe(true);
    expect(() => conv2d(x, w, b, { bias: b })).toThrow(/conv2d: bias given both as an argument and as an option/);
  });
});

// ---- the native checks --------------------------------------------------------------------------

describe('native validation', () => {
  const codes = (native as unknown as { convOps: Record<string, number> }).convOps;
  /** Calls the forward binding directly with a chosen output shape and parameters. */
  function rawForward(x: Tensor, w: Tensor, outShape: number[], prm: { stride: number[]; pad: number[]; dilation: number[]; groups: number }): void {
    frame[0] = codes.conv2d!;
    let p = putTensor(1, x);
    p = putTensor(p, w);
    frame[p++] = 0;
    frame[p++] = 2;
    for (const v of [...prm.stride, ...prm.pad, ...prm.pad, ...prm.dilation, prm.groups]) frame[p++] = v;
    putOutput(p, x.dtype, outShape);
    kernels.convolution();
  }
  const x = rand([1, 4, 6, 6], 1, 'float32');
  const w = rand([2, 4, 3, 3], 2, 'float32');
  const ok = { stride: [1, 1], pad: [0, 0], dilation: [1, 1], groups: 1 };
  it('accepts what the TypeScript side would send', () => {
    expect(() => rawForward(x, w, [1, 2, 4, 4], ok)).not.toThrow();
  });
  it('rejects an output of the wrong size', () => {
    expect(() => rawForward(x, w, [1, 2, 5, 4], ok)).toThrow(/conv2d: output \[1, 2, 5, 4\] does not match input \[1, 4, 6, 6\]/);
  });
  it('rejects channel mismatches, bad groups, strides and padding', () => {
    expect(() => rawForward(x, w, [1, 2, 4, 4], { ...ok, groups: 2 })).toThrow(/conv2d: input \[1, 4, 6, 6\] and weight \[2, 4, 3, 3\]: expected input channels 4\*groups = 8, got 4/);
    expect(() => rawForward(x, w, [1, 2, 4, 4], { ...ok, groups: 0 })).toThrow(/conv2d: groups must be positive/);
    expect(() => rawForward(x, w, [1, 2, 4, 4], { ...ok, stride: [0, 1] })).toThrow(/conv2d: stride and dilation must be positive/);
    expect(() => rawForward(x, w, [1, 2, 4, 4], { ...ok, pad: [-1, 0] })).toThrow(/conv2d: padding must be non-negative/);
    expect(() => rawForward(x, w, [1, 3, 4, 4], ok)).toThrow(/conv2d: output \[1, 3, 4, 4\] does not have the weight's 2 output channels/);
  });
  it('rejects a kernel larger than the padded input', () => {
    expect(() => rawForward(x, rand([2, 4, 7, 7], 3, 'float32'), [1, 2, 1, 1], ok)).toThrow(/conv2d: input \[1, 4, 6, 6\] padded .* is smaller than the dilated kernel/);
  });
});
