/**
 * Storage: a JS handle on a block of native memory. Views share one Storage. Memory goes back to
 * the native caching allocator three ways: when the last tensor using it is disposed, when a
 * tidy() scope ends, or when the garbage collector finds the Storage unreachable
 * (FinalizationRegistry; the native side reports its bytes to V8 as external memory, so the GC runs
 * as native memory grows).
 */
import { frame, native } from '@cinder/native';
import type { Device } from './device.js';

// Registered without an unregister token: V8 charges several hundred ns per registration for a
// token. A storage released by dispose() is still finalised later; the native table ignores the
// stale handle (its generation no longer matches), so the second release is harmless.
// Finalizers run as their own tasks, never inside an op, so the shared call frame is free here.
const registry = new FinalizationRegistry<number | number[]>((held) => {
  if (typeof held === 'number') {
    native.release(held);
    return;
  }
  for (let i = 0; i < held.length; i++) frame[i] = held[i]!;
  native.releaseFrame(held.length);
});

/**
 * Liveness groups. In V8 (Node 20) an object registered with a FinalizationRegistry survives the
 * young-generation collections and is promoted, so registering each small storage cost 150-900
 * ns of allocation and garbage-collection time per op, more than the op itself. Small storages
 * are therefore registered in groups: each holds a strong reference to its group, and the group
 * (one registration) is finalised once every storage in it is unreachable, releasing their
 * handles. Storages released earlier (dispose, tidy) were already returned; their stale handles
 * are ignored. The price: a small storage that stays reachable keeps the memory of its group's
 * other, dead-but-undisposed storages (at most GROUP_BYTES) until it dies too. Large storages,
 * whose ops cost far more than a registration, are registered one by one.
 */
class Group {
  readonly handles: number[] = [];
  bytes = 0;
}
const SMALL_BYTES = 16384;
const GROUP_BYTES = 65536;
const GROUP_MEMBERS = 32;
// The group new small storages join. It is closed when full and at the end of the current job
// (a microtask), so that this reference never keeps a group alive past the code that filled it.
let openGroup: Group | undefined;
let closeQueued = false;
function closeGroup(): void {
  openGroup = undefined;
  closeQueued = false;
}

function joinGroup(handle: number, nbytes: number): Group {
  let g = openGroup;
  if (g === undefined || g.handles.length >= GROUP_MEMBERS || g.bytes + nbytes > GROUP_BYTES) {
    g = new Group();
    registry.register(g, g.handles);
    openGroup = g;
    if (!closeQueued) {
      closeQueued = true;
      queueMicrotask(closeGroup);
    }
  }
  g.handles.push(handle);
  g.bytes += nbytes;
  return g;
}

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
  /** The liveness group of a small storage (see Group); undefined for large ones. */
  declare private group: Group | undefined;

  constructor(handle: number, nbytes: number, device: Device) {
    this.refs = 0;
    this.version = 0;
    this.handle = handle;
    this.nbytes = nbytes;
    this.device = device;
    this.buffer = undefined;
    this.released = false;
    if (nbytes <= SMALL_BYTES) {
      this.group = joinGroup(handle, nbytes);
    } else {
      this.group = undefined;
      registry.register(this, handle);
    }
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
