/**
 * Storage: a JS handle on a block of native memory. Views share one Storage. Memory goes back to
 * the native caching allocator three ways: when the last tensor using it is disposed, when a
 * tidy() scope ends, or when the garbage collector finds the Storage unreachable
 * (FinalizationRegistry; the native side reports its bytes to V8 as external memory, so the GC runs
 * as native memory grows).
 */
import { native } from '@cinder/native';
import type { Device } from './device.js';

// Registered without an unregister token: V8 charges several hundred ns per registration for a
// token. A storage released by dispose() is still finalised later; the native table ignores the
// stale handle (its generation no longer matches), so the second release is harmless.
const registry = new FinalizationRegistry<number>((handle) => native.release(handle));

// Fields are declared and assigned in the constructor, in one fixed order, rather than as class
// fields: every Storage gets the same hidden class from plain stores, with no field-initialiser
// step on the per-op path.
export class Storage {
  /** Live tensors using this storage that have not been disposed. */
  declare refs: number;
  /** Bumped on every in-place write; autograd checks it to detect modified saved tensors. */
  declare version: number;
  declare readonly handle: number;
  declare readonly nbytes: number;
  declare readonly device: Device;
  declare private buffer: ArrayBuffer | undefined;
  declare private released: boolean;

  constructor(handle: number, nbytes: number, device: Device) {
    this.refs = 0;
    this.version = 0;
    this.handle = handle;
    this.nbytes = nbytes;
    this.device = device;
    this.buffer = undefined;
    this.released = false;
    registry.register(this, handle);
  }

  /** A zero-copy ArrayBuffer over the storage (CPU only). */
  arrayBuffer(): ArrayBuffer {
    if (this.buffer === undefined) this.buffer = native.view(this.handle);
    return this.buffer;
  }

  get isReleased(): boolean {
    return this.released;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.buffer = undefined;
    native.release(this.handle);
  }
}
