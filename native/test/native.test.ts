import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cuda, frame, kernels, native } from '../lib/index.js';

// Writes a tensor operand [handle, dtype, ndim, offset, ...shape, ...strides] at p.
function put(p: number, handle: number, dtype: number, shape: number[], strides: number[], offset = 0): number {
  frame.set([handle, dtype, shape.length, offset, ...shape, ...strides], p);
  return p + 4 + 2 * shape.length;
}

describe('storage', () => {
  it('exposes storage zero-copy and keeps it alive while a view exists', () => {
    const h = native.fromBytes(new Float32Array([1, 2, 3, 4]));
    const view = new Float32Array(native.view(h));
    view[2] = 42;
    const again = new Float32Array(native.view(h));
    expect(Array.from(again)).toEqual([1, 2, 42, 4]);
    expect(native.nbytes(h)).toBe(16);
    native.release(h);
    expect(view[2]).toBe(42); // the ArrayBuffer holds its own reference
  });

  it('rejects stale and forged handles, and double release is harmless', () => {
    const h = native.fromBytes(new Uint8Array(8));
    native.release(h);
    expect(() => native.view(h)).toThrow(/use after dispose/);
    expect(() => native.release(h)).not.toThrow();
    expect(() => native.view(123456789)).toThrow(/storage/);
    expect(() => native.view(-1)).toThrow(/invalid tensor storage handle/);
  });

  it('decodes only integral, in-range handles, and never frees a live storage through a forged one', () => {
    const h = native.fromBytes(new Float32Array([7]));
    // Fractions, huge values, NaN and infinities name no storage.
    for (const forged of [h + 0.5, h + 2 ** 54, 2 ** 60, Number.MAX_VALUE, Infinity]) {
      expect(() => native.view(forged)).toThrow(/use after dispose/);
      expect(() => native.release(forged)).not.toThrow();
    }
    for (const forged of [NaN, -Infinity, -0.5]) {
      expect(() => native.view(forged)).toThrow(/invalid tensor storage handle/);
      expect(() => native.release(forged)).not.toThrow();
    }
    expect(Array.from(new Float32Array(native.view(h)))).toEqual([7]);
    native.release(h);
    // Many stale releases (each disposed tensor is finalised again later) leave the table intact.
    const live = native.fromBytes(new Float32Array([3]));
    for (let i = 0; i < 10000; i++) native.release(h);
    expect(Array.from(new Float32Array(native.view(live)))).toEqual([3]);
    native.release(live);
  });

  it('reuses freed blocks from the caching allocator', () => {
    const a = native.empty(1 << 20);
    native.release(a);
    const before = native.memoryStats();
    const b = native.empty(1 << 20);
    const after = native.memoryStats();
    expect(after.cacheHits).toBe(before.cacheHits + 1);
    expect(after.reservedBytes).toBe(before.reservedBytes);
    native.release(b);
  });

  it('bounds-checks every operand against its storage', () => {
    const h = native.fromBytes(new Float32Array(6));
    // A [2, 3] view is fine; a [3, 3] view, a negative offset or a huge stride reach outside.
    let p = put(0, h, 0, [2, 3], [3, 1]);
    frame.set([0, 2, 2, 3], p);
    kernels.copyNew();
    native.release(frame[0]!);
    for (const [shape, strides, offset] of [[[3, 3], [3, 1], 0], [[2, 3], [3, 1], -1], [[2, 3], [1000, 1], 0]] as const) {
      p = put(0, h, 0, [...shape], [...strides], offset);
      frame.set([0, 2, ...shape], p);
      expect(() => kernels.copyNew()).toThrow(/contiguous: view of shape .* reaches outside its storage/);
    }
    native.release(h);
  });

  it('reports bad dtypes and dims as errors naming the op', () => {
    const h = native.fromBytes(new Float32Array(4));
    put(0, h, 99, [4], [1]);
    expect(() => kernels.copyNew()).toThrow(/contiguous: unknown dtype code 99/);
    frame.set([h, 0, 40, 0], 0);
    expect(() => kernels.copyNew()).toThrow(/at most 16 dims/);
    native.release(h);
  });

  it('converts between every pair of dtypes', () => {
    const h = native.fromBytes(new Float64Array([-1.5, 0, 2.25, 300]));
    const p = put(0, h, 1, [4], [1]);
    frame.set([6, 1, 4], p); // -> float16
    kernels.copyNew();
    const half = frame[0]!;
    const p2 = put(0, half, 6, [4], [1]);
    frame.set([0, 1, 4], p2); // -> float32
    kernels.copyNew();
    const back = frame[0]!;
    expect(Array.from(new Float32Array(native.view(back)))).toEqual([-1.5, 0, 2.25, 300]);
    for (const x of [h, half, back]) native.release(x);
  });
});

describe('thread pool', () => {
  it('can be resized and rejects nonsense', () => {
    const n = native.getNumThreads();
    expect(n).toBeGreaterThanOrEqual(1);
    native.setNumThreads(1);
    expect(native.getNumThreads()).toBe(1);
    // Asking for more threads than the pool started with starts more workers.
    native.setNumThreads(n + 2);
    expect(native.getNumThreads()).toBe(n + 2);
    const big = native.fromBytes(new Float32Array(1 << 20).fill(3));
    let p = put(0, big, 0, [1 << 20], [1]);
    frame.set([1, 1, 1 << 20], p); // a threaded copy into float64
    kernels.copyNew();
    const out = frame[0]!;
    const copied = new Float64Array(native.view(out));
    expect(copied.length).toBe(1 << 20);
    expect(copied.every((v) => v === 3)).toBe(true);
    native.release(out);
    native.release(big);
    native.setNumThreads(n);
    expect(() => native.setNumThreads(0)).toThrow(/setNumThreads: expected a positive thread count/);
  });
});

describe('gemm', () => {
  const g = native as unknown as { fmaPeak(threads?: number, float64?: boolean, seconds?: number): number; gemmArch(): string };

  it('measures the FMA peak on one and on all threads, and rejects nonsense', () => {
    const one = g.fmaPeak(1, false, 0.02);
    const all = g.fmaPeak(0, false, 0.02);
    const f64 = g.fmaPeak(1, true, 0.02);
    for (const v of [one, all, f64]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0.01);
    }
    expect(() => g.fmaPeak(-1)).toThrow(/fmaPeak: expected 0 <= threads <= 256/);
    expect(() => g.fmaPeak(1, false, 0)).toThrow(/fmaPeak: expected 0 <= threads <= 256 and 0 < seconds <= 60/);
    expect(() => g.fmaPeak('2' as unknown as number)).toThrow(/fmaPeak: expected \(threads/);
    expect(['avx512', 'avx2', 'generic']).toContain(g.gemmArch());
  });
});

describe('cuda', () => {
  it('answers the device query whether or not a GPU is present', () => {
    expect(typeof cuda.isCompiled()).toBe('boolean');
    const count = cuda.deviceCount();
    expect(cuda.isAvailable()).toBe(count > 0);
    if (count === 0) {
      expect(() => cuda.getDeviceProperties(0)).toThrow(/cuda.getDeviceProperties: device 0 does not exist/);
    } else {
      const props = cuda.getDeviceProperties(0);
      expect(props.name.length).toBeGreaterThan(0);
      expect(props.totalMemory).toBeGreaterThan(0);
    }
  });

  it('copies storages between devices with checked ranges; host to host needs no GPU', () => {
    const h = native.fromBytes(new Float32Array([1, 2, 3, 4]));
    const c = native.cudaCopyStorage(h, 4, 8, -1);
    expect(Array.from(new Float32Array(native.view(c)))).toEqual([2, 3]);
    expect(() => native.cudaCopyStorage(h, 8, 12, -1)).toThrow(/to: 12 bytes at offset 8 exceed the storage of 16 bytes/);
    expect(() => native.cudaCopyStorage(h, 0.5, 4, -1)).toThrow(/to: .*exceed/);
    expect(() => native.cudaCopyStorage(h, 0, 4, -2)).toThrow(/to: invalid device index -2/);
    expect(() => native.cudaReadAsync(h, 0, 4)).toThrow(/dataAsync: storage is not on a CUDA device/);
    expect(() => cuda.memoryStats(-3)).toThrow(/cuda.memoryStats: invalid device index -3/);
    native.release(c);
    native.release(h);
  });

  // Exactly one of the next two tests runs: which one depends on whether a CUDA device is usable.
  console.log(cuda.isAvailable()
    ? 'native.test: a CUDA device is present; the no-GPU error test is skipped'
    : 'native.test: no usable CUDA device; the device-storage kernel checks are skipped');
  it.skipIf(cuda.isAvailable())('without a GPU, every device entry point says CUDA is not available', () => {
    const h = native.fromBytes(new Float32Array([1, 2]));
    expect(() => native.cudaCopyStorage(h, 0, 8, 0)).toThrow(/to: CUDA is not available: /);
    const k = kernels as unknown as Record<string, (device: number) => void>;
    expect(() => k.cudaEwBinary!(0)).toThrow(/binary: CUDA is not available: /);
    expect(() => k.cudaEwUnary!(0)).toThrow(/unary: CUDA is not available: /);
    expect(() => k.cudaEwTernary!(0)).toThrow(/ternary: CUDA is not available: /);
    expect(() => k.cudaCopyNew!(0)).toThrow(/contiguous: CUDA is not available: /);
    expect(() => k.cudaFill!(0)).toThrow(/fill_: CUDA is not available: /);
    expect(() => cuda.synchronize(0)).toThrow(/cuda.synchronize: CUDA is not available: /);
    expect(cuda.memoryStats(0)).toMatchObject({ allocatedBytes: 0, reservedBytes: 0, peakAllocatedBytes: 0 });
    cuda.emptyCache();
    native.release(h);
  });

  it.skipIf(!cuda.isAvailable())('CPU kernels refuse device storages, CUDA kernels host ones', () => {
    const h = native.fromBytes(new Float32Array([1, 2, 3]));
    const d = native.cudaCopyStorage(h, 0, 12, 0);
    // copyNew: src tensor, output spec.
    let p = put(0, d, 0, [3], [1]);
    frame.set([0, 1, 3], p);
    expect(() => kernels.copyNew!()).toThrow(/contiguous: expected a tensor on cpu but got one on cuda:0/);
    p = put(0, h, 0, [3], [1]);
    frame.set([0, 1, 3], p);
    const k = kernels as unknown as Record<string, (device: number) => void>;
    expect(() => k.cudaCopyNew!(0)).toThrow(/contiguous: expected all tensors on cuda:0 but got one on cpu/);
    expect(() => native.view(d)).toThrow(/data: storage is on a CUDA device/);
    native.release(d);
    native.release(h);
  });
});

describe('convolution', () => {
  const codes = (native as unknown as { convOps: Record<string, number> }).convOps;
  // frame: op code, x, w, hasBias, [bias], spatial, stride, padBefore, padAfter, dilation, groups, output spec.
  function forward(x: number, xShape: number[], w: number, wShape: number[], out: number[], pad = 0, code = codes.conv2d!): Float32Array {
    frame[0] = code;
    let p = put(1, x, 0, xShape, [xShape[1]! * xShape[2]! * xShape[3]!, xShape[2]! * xShape[3]!, xShape[3]!, 1]);
    p = put(p, w, 0, wShape, [wShape[1]! * wShape[2]! * wShape[3]!, wShape[2]! * wShape[3]!, wShape[3]!, 1]);
    frame.set([0, 2, 1, 1, pad, pad, pad, pad, 1, 1, 1, 0, 4, ...out], p);
    kernels.convolution();
    const h = frame[0]!;
    const y = new Float32Array(native.view(h)).slice();
    native.release(h);
    return y;
  }

  it('computes a 2-d convolution and names the op a caller passes', () => {
    const x = native.fromBytes(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const w = native.fromBytes(new Float32Array([1, 0, 0, -1]));
    // Each output is x[i][j] - x[i + 1][j + 1].
    expect(Array.from(forward(x, [1, 1, 3, 3], w, [1, 1, 2, 2], [1, 1, 2, 2]))).toEqual([-4, -4, -4, -4]);
    // Padded by one on every side: a 4x4 output whose corners see one input each.
    const padded = forward(x, [1, 1, 3, 3], w, [1, 1, 2, 2], [1, 1, 4, 4], 1);
    expect([padded[0], padded[3], padded[12], padded[15]]).toEqual([-1, 0, 0, 9]);
    expect(() => forward(x, [1, 1, 3, 3], w, [1, 1, 2, 2], [1, 1, 3, 2])).toThrow(/conv2d: output \[1, 1, 3, 2\] does not match input \[1, 1, 3, 3\]/);
    // The op code only names the op in messages.
    expect(() => forward(x, [1, 1, 3, 3], w, [1, 1, 2, 2], [1, 1, 3, 3], 0, codes.convTranspose2d)).toThrow(/^convTranspose2d: output \[1, 1, 3, 3\] does not match/);
    expect(() => forward(x, [1, 1, 3, 3], w, [1, 1, 2, 2], [1, 1, 2, 2], 0, 99)).toThrow(/convolution: unknown op code 99/);
    // A weight view larger than its storage is refused before any kernel runs.
    expect(() => forward(x, [1, 1, 3, 3], w, [1, 1, 3, 3], [1, 1, 1, 1])).toThrow(/conv2d: view of shape \[1, 1, 3, 3\] .* reaches outside its storage/);
    native.release(x);
    native.release(w);
  });
});

describe('neural-network kernels refuse bad frames', () => {
  const f32 = (v: number[]): number => native.fromBytes(new Float32Array(v));
  const i64 = (v: number[]): number => native.fromBytes(new BigInt64Array(v.map(BigInt)));
  const release = (...hs: number[]): void => hs.forEach((h) => native.release(h));

  it('max pooling: a bad geometry and an index outside its plane', () => {
    const x = f32([1, 2, 3, 4]);
    const p = put(0, x, 0, [1, 1, 2, 2], [4, 4, 2, 1]);
    frame.set([0, 1, 1, 1, 0, 0, 1, 1, 0, 4, 1, 1, 1, 1, 3, 4, 1, 1, 1, 1], p);
    expect(() => kernels.maxPool2d()).toThrow(/^maxPool2d: invalid pooling geometry/);
    const g = f32([1]);
    const idx = i64([7]);
    let q = put(0, g, 0, [1, 1, 1, 1], [1, 1, 1, 1]);
    q = put(q, idx, 3, [1, 1, 1, 1], [1, 1, 1, 1]);
    frame.set([0, 4, 1, 1, 2, 2], q);
    expect(() => kernels.maxPool2dBackward()).toThrow(/^maxPool2dBackward: index 7 is out of bounds for an input plane of 2 x 2/);
    release(x, g, idx);
  });

  it('cross entropy: a class index out of range, an unknown reduction', () => {
    const x = f32([0, 1, 2, 3, 4, 5]);
    const t = i64([1, 3]);
    const call = (reduction: number): void => {
      frame.set([0, -100, 0, reduction], 0);
      let p = put(4, x, 0, [2, 3, 1], [3, 1, 1]);
      p = put(p, t, 3, [2], [1]);
      frame.set([0, 0, 0, 1, 2, 0, 0], p);
      kernels.crossEntropy();
    };
    expect(() => call(2)).toThrow(/^crossEntropy: target 3 is out of bounds for 3 classes/);
    expect(() => call(9)).toThrow(/^crossEntropy: unknown reduction code 9/);
    release(x, t);
  });

  it('padding: reflection wider than the input; embedding backward: an index out of range', () => {
    const x = f32([1, 2, 3]);
    const p = put(0, x, 0, [1, 3], [3, 1]);
    frame.set([1, 0, 2, 0, 3, 0, 2, 1, 9], p);
    expect(() => kernels.pad()).toThrow(/^pad: padding of 3 before a dim of size 3 is out of range for this mode/);
    const g = f32([1, 2]);
    const idx = i64([5]);
    frame.set([-1, 0], 0);
    let q = put(2, g, 0, [1, 2], [2, 1]);
    q = put(q, idx, 3, [1], [1]);
    frame.set([0, 2, 4, 2], q);
    expect(() => kernels.embeddingBackward()).toThrow(/^embeddingBackward: index 5 is out of range for 4 embeddings/);
    release(x, g, idx);
  });
});

describe('worker_threads', () => {
  it('loads the context-aware addon in a worker with its own storage table', async () => {
    const lib = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const code = `
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(lib)}).then(({ native }) => {
        const h = native.fromBytes(new Float64Array([2, 4, 8]));
        const sum = new Float64Array(native.view(h)).reduce((a, b) => a + b, 0);
        native.release(h);
        parentPort.postMessage(sum);
      }, (e) => parentPort.postMessage(String(e)));`;
    const result = await new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', (m) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    });
    expect(result).toBe(14);
  });
});
