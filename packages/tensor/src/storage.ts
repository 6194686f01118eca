/**
 * Storage: a JS handle on a block of native memory. Views share one Storage. Memory goes back to
 * the native caching allocator three ways: when the last tensor using it is disposed, when a
 * tidy() scope ends, or when the garbage collector finds the Storage unreachable.
 *
 * Garbage collection. Each storage is tracked by a native tracker object (native.track), which
 * the Storage references; when the collector finds a tracker unreachable it releases the tracked
 * storages inside the collection itself (the addon declares the Node-API version under which such
 * finalizers run synchronously). So memory comes back during a long synchronous loop too, such
 * as a training loop that never yields to the event loop; a FinalizationRegistry could only
 * release it between event-loop turns. The native side reports every storage's bytes to V8 as
 * external memory, so collections come as native memory grows.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { native, trackFrame } from '@cinder/native';
import type { Device } from './device.js';

/**
 * Young-generation collections on demand. V8 runs a full (mark-compact) collection whenever the
 * external memory it was told about grows by 64 MB, which for a loop of medium-sized ops meant a
 * full collection every few hundred ops (tens of us per op). Most storages die young, so once
 * this many bytes of storage have been allocated since the last one, a young-generation
 * collection (a scavenge: typically well under a millisecond) is run instead: it finds the dead
 * Storages, and their trackers release the memory within it. Storages that survived into the old
 * generation still wait for V8's own full collections.
 */
const SCAVENGE_BYTES = 16 << 20;
let bytesSinceScavenge = 0;
const scavenge: (() => void) | undefined = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (o?: { type?: string; execution?: string }) => void;
    if (typeof gc !== 'function') return undefined;
    return () => gc({ type: 'minor', execution: 'sync' });
  } catch {
    return undefined;
  }
})();

/**
 * Liveness groups. A tracker costs a native call and a weak handle (a few hundred ns), more than a
 * small op, so small storages share one: each holds a strong reference to its group, and the
 * group's tracker is created when the group is closed; once every storage in it is unreachable
 * the tracker goes too and releases their handles. Storages released earlier (dispose, tidy) were
 * already returned; their stale handles are ignored. The price: a small storage that stays
 * reachable keeps the memory of its group's other, dead-but-undisposed storages (at most
 * GROUP_BYTES) until it dies too. Large storages, whose ops cost far more, get a tracker each.
 */
class Group {
  readonly handles: number[] = [];
  bytes = 0;
  tracker: object | undefined = undefined;
}
const SMALL_BYTES = 16384;
const GROUP_BYTES = 65536;
const GROUP_MEMBERS = 32;
// The group new small storages join. It is closed (and its tracker made) when full and at the
// end of the current job (a microtask), so that this reference never keeps a group alive past
// the code that filled it.
let openGroup: Group | undefined;
let closeQueued = false;

function seal(g: Group): void {
  const hs = g.handles;
  for (let i = 0; i < hs.length; i++) trackFrame[i] = hs[i]!;
  g.tracker = native.track(hs.length);
}

function closeGroup(): void {
  if (openGroup !== undefined) seal(openGroup);
  openGroup = undefined;
  closeQueued = false;
}

function joinGroup(handle: number, nbytes: number): Group {
  let g = openGroup;
  if (g === undefined || g.handles.length >= GROUP_MEMBERS || g.bytes + nbytes > GROUP_BYTES) {
    if (g !== undefined) seal(g);
    g = new Group();
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

function trackOne(handle: number): object {
  trackFrame[0] = handle;
  return native.track(1);
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
  /** The liveness group of a small storage (see Group), or the tracker of a large one. */
  declare private tracker: Group | object;

  constructor(handle: number, nbytes: number, device: Device) {
    this.refs = 0;
    this.version = 0;
    this.handle = handle;
    this.nbytes = nbytes;
    this.device = device;
    this.buffer = undefined;
    this.released = false;
    this.tracker = nbytes <= SMALL_BYTES ? joinGroup(handle, nbytes) : trackOne(handle);
    if ((bytesSinceScavenge += nbytes) > SCAVENGE_BYTES && scavenge !== undefined) {
      bytesSinceScavenge = 0;
      scavenge();
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
