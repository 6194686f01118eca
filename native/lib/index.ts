/**
 * @cinder/native: the loader and typed interface of Cinder's native core.
 *
 * Operands travel through `frame`, a Float64Array shared with the addon: a binding reads its
 * operands and attributes from the frame and writes the handles of new outputs (then any numbers a
 * kernel reports, such as a data-dependent size) back to frame[0...]. Tensors are laid out as
 * `[handle, dtype, ndim, offset, ...shape, ...strides]`, output specs as `[dtype, ndim, ...shape]`.
 *
 * @example
 * ```ts
 * import { native } from '@cinder/native';
 * const h = native.fromBytes(new Float32Array([1, 2, 3]));
 * new Float32Array(native.view(h)); // Float32Array [1, 2, 3], zero-copy
 * native.release(h);
 * ```
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Caching-allocator statistics (host memory). */
export interface MemoryStats {
  allocatedBytes: number;
  reservedBytes: number;
  peakAllocatedBytes: number;
  allocations: number;
  cacheHits: number;
  liveStorages: number;
}

export interface CudaDeviceProperties {
  name: string;
  major: number;
  minor: number;
  totalMemory: number;
  multiProcessorCount: number;
}

/** CUDA caching-allocator statistics of one device. */
export interface CudaMemoryStats {
  /** Bytes in live blocks (rounded up to their size class). */
  allocatedBytes: number;
  /** Bytes obtained from cudaMalloc and held: allocated plus cached. */
  reservedBytes: number;
  peakAllocatedBytes: number;
  allocations: number;
  cacheHits: number;
  /** Allocations that ran out of memory, freed the cache and retried. */
  oomRetries: number;
  /** Pinned host memory held for transfers. */
  pinnedReservedBytes: number;
}

/** The raw binding. Every function throws a JS Error naming the op on bad input. */
export interface NativeBinding {
  readonly frame: ArrayBuffer;
  empty(nbytes: number): number;
  release(handle: number): void;
  /** Where track() reads its handles: 32 doubles, separate from the call frame. */
  readonly trackFrame: ArrayBuffer;
  /**
   * A tracker of the handles in trackFrame[0..count) (count <= 32): an object that, once the
   * garbage collector finds it unreachable, releases those storages during the collection.
   */
  track(count: number): object;
  view(handle: number): ArrayBuffer;
  write(handle: number, byteOffset: number, bytes: ArrayBufferView): void;
  fromBytes(bytes: ArrayBufferView): number;
  nbytes(handle: number): number;
  memoryStats(): MemoryStats;
  emptyCache(): void;
  getNumThreads(): number;
  setNumThreads(n: number): void;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  cudaIsCompiled(): boolean;
  cudaRuntimeVersion(): string;
  cudaDeviceProperties(index: number): CudaDeviceProperties;
  /**
   * A new storage on `device` (-1: the host) holding `nbytes` bytes of `handle`'s storage from
   * `byteOffset`; any pair of devices.
   */
  cudaCopyStorage(handle: number, byteOffset: number, nbytes: number, device: number): number;
  /** Reads bytes of a device storage without blocking the event loop. */
  cudaReadAsync(handle: number, byteOffset: number, nbytes: number): Promise<ArrayBuffer>;
  /** Waits for the work queued on a device (-1 or undefined: every device in use). */
  cudaSynchronize(device?: number): void;
  cudaMemoryStats(device?: number): CudaMemoryStats;
  /** Frees a device's cached blocks (-1 or undefined: every device). */
  cudaEmptyCache(device?: number): void;
}

function locateAddon(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    process.env.CINDER_NATIVE_PATH,
    join(here, '..', 'build', 'Release', 'cinder.node'),
    join(here, '..', '..', 'build', 'Release', 'cinder.node'),
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  for (const p of candidates) if (existsSync(p)) return p;
  throw new Error(
    `@cinder/native: the addon is not built (looked in ${candidates.join(', ')}). ` +
      'Run `pnpm --filter @cinder/native build` (needs cmake, a C++17 compiler and python3).',
  );
}

const require = createRequire(import.meta.url);
/** The loaded addon (one instance per thread: it is context-aware). */
export const native: NativeBinding = require(locateAddon()) as NativeBinding;
/** The call frame shared with the addon. */
export const frame = new Float64Array(native.frame);
/** The handles of a group being tracked (see NativeBinding.track). */
export const trackFrame = new Float64Array(native.trackFrame);

/** CUDA build and device query. */
export const cuda = {
  /** True when CUDA kernels were compiled in and at least one device is usable. */
  isAvailable: (): boolean => native.cudaIsAvailable(),
  deviceCount: (): number => native.cudaDeviceCount(),
  /** True when this build contains the CUDA sources (nvcc was present at build time). */
  isCompiled: (): boolean => native.cudaIsCompiled(),
  runtimeVersion: (): string => native.cudaRuntimeVersion(),
  getDeviceProperties: (index = 0): CudaDeviceProperties => native.cudaDeviceProperties(index),
  /** Waits until the work queued on `device` (every device in use when omitted) has finished. */
  synchronize: (device?: number): void => native.cudaSynchronize(device ?? -1),
  /** The caching allocator's statistics for `device` (default 0); zeros for an unused device. */
  memoryStats: (device = 0): CudaMemoryStats => native.cudaMemoryStats(device),
  /** Returns cached, unused device memory (and idle pinned staging) to the driver. */
  emptyCache: (device?: number): void => native.cudaEmptyCache(device ?? -1),
};

/**
 * The kernel entry points, each reading its operands from `frame` and writing results back to it.
 * A missing name is a build mismatch and throws when called.
 */
export const kernels = native as unknown as Readonly<Record<string, (...args: number[]) => void>>;
