// Devices, transfers and the CUDA allocator. The first block runs everywhere (device parsing,
// the no-GPU errors, the mixing-devices check); the second runs on a machine with a GPU and
// compares every transfer with the CPU data it came from.
import { describe, expect, it } from 'vitest';
import { native } from '@cinder/native';
import {
  add,
  arange,
  canonicalDevice,
  checkSameDevice,
  cuda,
  DTYPES,
  manualSeed,
  matmul,
  randn,
  tensor,
  Tensor,
  zeros,
  type DType,
} from '../src/index.js';
import { Storage } from '../src/storage.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) {
  console.log(
    `cuda.test: no usable CUDA device (compiled with CUDA: ${cuda.isCompiled()}); ` +
      'the GPU transfer tests are skipped, the device checks run on the CPU',
  );
} else {
  console.log('cuda.test: a CUDA device is present; the no-GPU error test is skipped');
}

describe('devices (any machine)', () => {
  it('parses and canonicalises device strings', () => {
    expect(canonicalDevice('cpu', 'op')).toBe('cpu');
    expect(canonicalDevice('cuda', 'op')).toBe('cuda:0');
    expect(canonicalDevice('cuda:3', 'op')).toBe('cuda:3');
    expect(canonicalDevice('cuda:007', 'op')).toBe('cuda:7');
    expect(() => canonicalDevice('gpu', 'op')).toThrow(/op: unknown device "gpu"/);
    expect(() => canonicalDevice('cuda:-1', 'op')).toThrow(/op: unknown device/);
    expect(tensor([1, 2]).device).toBe('cpu');
  });

  it('names both devices when one op mixes them', () => {
    expect(checkSameDevice('add', [{ device: 'cpu' }, { device: 'cpu' }])).toBe('cpu');
    expect(checkSameDevice('add', [undefined, { device: 'cuda:1' }])).toBe('cuda:1');
    expect(() => checkSameDevice('add', [{ device: 'cuda:0' }, { device: 'cuda:1' }])).toThrow(
      /add: expected all tensors to be on the same device, but found tensors on cuda:0 and cuda:1/,
    );
    // Through the dispatcher: a tensor whose storage claims another device is rejected before
    // any kernel runs.
    const a = tensor([1, 2, 3]);
    const h = native.fromBytes(new Float32Array([4, 5, 6]));
    const b = new Tensor(new Storage(h, 12, 'cuda:0'), 'float32', [3], [1], 0);
    expect(() => add(a, b)).toThrow(/add: expected all tensors to be on the same device, but found tensors on cpu and cuda:0/);
    expect(() => matmul(b.reshape(3, 1), a.reshape(1, 3))).toThrow(/matmul: .*cuda:0 and cpu/);
  });

  it.skipIf(hasGpu)('without a GPU, moving to CUDA is a clear error', () => {
    const x = tensor([1, 2, 3]);
    expect(() => x.to('cuda')).toThrow(/to: CUDA is not available: /);
    expect(() => x.cuda()).toThrow(/to: CUDA is not available: /);
    expect(() => x.to({ device: 'cuda:1', dtype: 'float64' })).toThrow(/to: CUDA is not available: /);
    expect(() => zeros([2], { device: 'cuda' })).toThrow(/(zeros|full): CUDA is not available: /);
    expect(() => cuda.synchronize(0)).toThrow(/cuda.synchronize: CUDA is not available: /);
    expect(() => cuda.synchronize()).not.toThrow();
    expect(() => cuda.emptyCache()).not.toThrow();
    expect(cuda.memoryStats().allocatedBytes).toBe(0);
    expect(x.to('cpu')).toBe(x);
    expect(() => x.to('tpu' as never)).toThrow(/to: unknown device "tpu"/);
    expect(() => x.cuda(-1)).toThrow(/cuda: invalid device index -1/);
    expect(() => randn([2], { device: 'cuda' })).toThrow(/randn: CUDA is not available: /);
  });

  it('random creation checks the device before drawing', () => {
    expect(() => randn([2], { device: 'cuda:99' })).toThrow(/randn: CUDA (is not available|device cuda:99 does not exist)/);
    expect(() => randn([2], { device: 'gpu' as never })).toThrow(/randn: unknown device "gpu"/);
    expect(randn([2], { device: 'cpu' }).device).toBe('cpu');
  });
});

const VALUES: Record<DType, number[]> = {
  float32: [1.5, -2.25, 3e-8, 1e30, 0],
  float64: [1.5, -2.25, 1e-300, 1e300, 0],
  float16: [1.5, -2.25, 0.0001, 6e4, 0],
  bfloat16: [1.5, -2.25, 1e-20, 1e30, 0],
  int32: [1, -2, 2147483647, -2147483648, 0],
  int64: [1, -2, 2 ** 40, -(2 ** 52), 0],
  uint8: [1, 2, 255, 128, 0],
  bool: [1, 0, 1, 1, 0],
};

describe.skipIf(!hasGpu)('CUDA transfers (GPU)', () => {
  it('round-trips every dtype bit-exactly, from contiguous and strided sources', async () => {
    for (const dt of DTYPES) {
      const vals = dt === 'bool' ? VALUES.bool.map((v) => v !== 0) : VALUES[dt];
      const x = tensor(vals, { dtype: dt });
      const g = x.to('cuda');
      expect(g.device).toBe('cuda:0');
      expect(g.dtype).toBe(dt);
      const back = g.cpu();
      expect(back.device).toBe('cpu');
      const want = Array.from(x.data() as ArrayLike<unknown>);
      expect(Array.from(back.data() as ArrayLike<unknown>)).toEqual(want);
      expect(Array.from((await g.dataAsync()) as ArrayLike<unknown>)).toEqual(want);
    }
    const m = arange(24, { dtype: 'float32' }).reshape(4, 6);
    const t = m.transpose(0, 1).narrow(0, 1, 3);
    expect(t.cuda().cpu().toArray()).toEqual(t.toArray());
    expect(t.to({ device: 'cuda', dtype: 'float64' }).cpu().toArray()).toEqual(t.toArray());
  });

  it('creates on the device, reads with data() and item(), copies between devices', () => {
    const z = zeros([3, 2], { device: 'cuda' });
    expect(z.device).toBe('cuda:0');
    expect(z.toArray()).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect(tensor([7], { device: 'cuda:0' }).item()).toBe(7);
    const x = randn([1000]);
    const g = x.cuda();
    expect(g.to('cuda:0')).toBe(g);
    if (cuda.deviceCount() > 1) {
      const g1 = g.to('cuda:1');
      expect(g1.device).toBe('cuda:1');
      expect(Array.from(g1.cpu().data() as Float32Array)).toEqual(Array.from(x.data() as Float32Array));
    }
  });

  it('caches device blocks, reports allocated/reserved/peak, empties the cache', () => {
    cuda.synchronize();
    const before = cuda.memoryStats(0);
    const a = zeros([1 << 20], { device: 'cuda' });
    const mid = cuda.memoryStats(0);
    expect(mid.allocations).toBeGreaterThan(before.allocations);
    expect(mid.allocatedBytes).toBeGreaterThanOrEqual(4 << 20);
    expect(mid.reservedBytes).toBeGreaterThanOrEqual(mid.allocatedBytes);
    expect(mid.peakAllocatedBytes).toBeGreaterThanOrEqual(mid.allocatedBytes);
    a.dispose();
    const freed = cuda.memoryStats(0);
    // Other storages may be collected meanwhile, so compare against the figures around this one.
    expect(freed.allocatedBytes).toBeLessThanOrEqual(mid.allocatedBytes - (4 << 20));
    const b = zeros([1 << 20], { device: 'cuda' });
    expect(cuda.memoryStats(0).cacheHits).toBeGreaterThan(freed.cacheHits);
    b.dispose();
    cuda.emptyCache();
    expect(cuda.memoryStats(0).reservedBytes).toBeLessThan(mid.reservedBytes);
    cuda.synchronize(0);
  });

  it('random creation on the device gives the CPU stream of the same seed', () => {
    manualSeed(3);
    const a = randn([5]);
    manualSeed(3);
    const b = randn([5], { device: 'cuda' });
    expect(b.device).toBe('cuda:0');
    expect(Array.from(b.data() as Float32Array)).toEqual(Array.from(a.data() as Float32Array));
  });

  it('copy_ takes its source from another device, as in PyTorch', () => {
    const g = zeros([2, 3], { device: 'cuda' });
    g.copy_(tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' }));
    expect(g.device).toBe('cuda:0');
    expect(g.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const c = zeros([3], { dtype: 'int32' });
    c.copy_(g.narrow(0, 1, 1).reshape(3));
    expect(c.toArray()).toEqual([4, 5, 6]);
  });

  it('rejects mixed devices and CPU-only ops on CUDA tensors with clear errors', () => {
    const a = tensor([1, 2, 3]);
    const b = a.cuda();
    expect(() => add(a, b)).toThrow(/add: expected all tensors to be on the same device, but found tensors on cpu and cuda:0/);
    expect(() => matmul(b.reshape(3, 1), b.reshape(1, 3))).toThrow(/not supported on CUDA/);
    expect(() => cuda.synchronize(99)).toThrow(/cuda:99 does not exist/);
  });
});
