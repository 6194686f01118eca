/** Process-level controls of the native core: memory statistics, threads, CUDA query. */
import { cuda, native, type MemoryStats } from '@cinder/native';

/** Host caching-allocator statistics (bytes allocated, reserved, peak; live storages). */
export function memoryStats(): MemoryStats {
  return native.memoryStats();
}
/** Returns cached, unused host memory to the OS. */
export function emptyCache(): void {
  native.emptyCache();
}
/** Threads used by large kernels (defaults to the cores; CINDER_NUM_THREADS overrides). */
export function getNumThreads(): number {
  return native.getNumThreads();
}
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}
export { cuda };
