/**
 * The one Tensor class: a dtype, a device, a shape, strides and an offset over a Storage that
 * views share. Ops are added to the prototype by the op modules (src/ops/*), each declaring its
 * methods on the Tensor interface, so every op is both a function and a method.
 */
import { kernels, native } from '@cinder/native';

const cudaKernels = kernels as unknown as Record<'cudaCopyNew', (device: number) => void>;
import { dispatch, requireAutograd } from './dispatch.js';
import { isFloatingDType, ITEM_SIZE, TYPED_ARRAY, type DType, type TypedArray } from './dtype.js';
import { deviceIndex, type Device } from './device.js';
import { _setTensorFactory, putOutput, putTensor, takeOutput } from './frame.js';
import { trackTensor } from './memory.js';
import { Storage } from './storage.js';

/** What autograd attaches to a tensor; opaque to @cinder/tensor. */
export interface GradFn {
  readonly name: string;
  readonly nextFunctions: readonly (readonly [GradFn | null, number])[];
}

/** A nested JS array of numbers (or booleans / bigints), as toArray() returns. */
export type NestedArray = number | boolean | bigint | NestedArray[];

export class Tensor {
  // Declared, then assigned in the constructor in one fixed order (no class-field initialisers):
  // the per-op path builds every Tensor with plain stores into one hidden class.
  /** @internal On the prototype (see below), not on each instance. */ declare readonly _isTensor: true;
  /** @internal */ declare _st: Storage;
  declare readonly dtype: DType;
  declare readonly shape: readonly number[];
  declare readonly strides: readonly number[];
  /** Offset of the first element in the storage, in elements. */
  declare readonly offset: number;
  /** @internal */ declare _disposed: boolean;
  /** @internal autograd's per-tensor state (requiresGrad, grad, gradFn, hooks...). */
  declare _ag: Record<string, unknown> | undefined;
  /** @internal The tensor whose storage this view shares (undefined for a tensor that owns it). */
  declare _base: Tensor | undefined;

  /** @internal Use the creation functions (tensor, zeros, ...) instead. */
  constructor(storage: Storage, dtype: DType, shape: readonly number[], strides: readonly number[], offset: number) {
    this._st = storage;
    this.dtype = dtype;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this._disposed = false;
    this._ag = undefined;
    this._base = undefined;
    storage.refs++;
    trackTensor(this);
  }

  get device(): Device {
    return this._st.device;
  }
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    let n = 1;
    for (const s of this.shape) n *= s;
    return n;
  }
  /** Size of one dim, or the whole shape. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return [...this.shape];
    return this.shape[normalizeDim(dim, this.ndim, 'size')]!;
  }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number | number[] {
    if (dim === undefined) return [...this.strides];
    return this.strides[normalizeDim(dim, this.ndim, 'stride')]!;
  }
  storageOffset(): number {
    return this.offset;
  }
  elementSize(): number {
    return ITEM_SIZE[this.dtype];
  }
  isFloatingPoint(): boolean {
    return isFloatingDType(this.dtype);
  }
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== expected) return false;
      expected *= this.shape[i]!;
    }
    return true;
  }

  /** @internal The storage, checked to be alive. */
  _live(): Storage {
    if (this._disposed) throw new Error('tensor was disposed: it cannot be used after dispose()');
    return this._st;
  }

  /** @internal A new tensor sharing this one's storage (a view). */
  _view(shape: readonly number[], strides: readonly number[], offset: number): Tensor {
    const v = new Tensor(this._live(), this.dtype, shape, strides, offset);
    v._base = this._base ?? this;
    return v;
  }

  // ---- memory ------------------------------------------------------------------------------

  /** Frees the tensor's memory now (when no other live view shares it). Harmless twice. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    const st = this._st;
    if (--st.refs <= 0) st.release();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  // ---- data access -------------------------------------------------------------------------

  /**
   * The elements as a typed array in row-major order: zero-copy (a view on the tensor's memory)
   * for a contiguous CPU tensor, a copy otherwise. float16/bfloat16 give their raw bits as
   * Uint16Array; bool gives 0/1 in a Uint8Array; int64 a BigInt64Array.
   */
  data(): TypedArray {
    const st = this._live();
    if (st.device !== 'cpu') {
      // A blocking copy: waits for the device's queued work (dataAsync() does not block).
      // Through a view that autograd does not track; the typed array keeps its own reference
      // to the host copy's memory, so the copy can be disposed at once.
      const v = this._view(this.shape, this.strides, this.offset);
      const host = v.to('cpu');
      const d = host.data();
      host.dispose();
      v.dispose();
      return d;
    }
    const src: Tensor = this.isContiguous() ? this : this.contiguous();
    const Ctor = TYPED_ARRAY[this.dtype];
    const n = this.numel();
    if (n === 0) return new Ctor(0);
    const buf = src._st.arrayBuffer();
    return new Ctor(buf, src.offset * ITEM_SIZE[this.dtype], n);
  }
  /** data(), without blocking the event loop for device tensors. */
  async dataAsync(): Promise<TypedArray> {
    const st = this._live();
    if (st.device === 'cpu') return this.data();
    const src: Tensor = this.isContiguous() ? this : this.contiguous();
    const Ctor = TYPED_ARRAY[this.dtype];
    const n = this.numel();
    if (n === 0) return new Ctor(0);
    const size = ITEM_SIZE[this.dtype];
    const buf = await native.cudaReadAsync(src._live().handle, src.offset * size, n * size);
    if (src !== this) src.dispose();
    return new Ctor(buf, 0, n);
  }

  /** The only element, as a JS number (bool: boolean; int64: number, exact below 2^53). */
  item(): number | boolean {
    const n = this.numel();
    if (n !== 1) throw new Error(`item: a tensor with ${n} elements cannot be converted to a scalar (shape [${this.shape.join(', ')}])`);
    return elementToJs(this.dtype, this.data(), 0) as number | boolean;
  }

  /** Nested JS arrays (numbers; booleans for bool). */
  toArray(): NestedArray {
    const d = this.data();
    const shape = this.shape;
    if (shape.length === 0) return elementToJs(this.dtype, d, 0);
    let i = 0;
    const build = (dim: number): NestedArray[] => {
      const out: NestedArray[] = [];
      const n = shape[dim]!;
      if (dim === shape.length - 1) {
        for (let k = 0; k < n; k++) out.push(elementToJs(this.dtype, d, i++));
      } else {
        for (let k = 0; k < n; k++) out.push(build(dim + 1));
      }
      return out;
    };
    return build(0);
  }

  /** A contiguous tensor with the same values (this one, if already contiguous). */
  contiguous(): Tensor {
    if (this.isContiguous()) return this;
    return dispatch('contiguous', [this], undefined, () => this._copyAs(this.dtype));
  }

  /** @internal A fresh contiguous copy, converted to dtype. */
  _copyAs(dtype: DType): Tensor {
    let p = putTensor(0, this);
    putOutput(p, dtype, this.shape);
    const dev = this._st.device;
    if (dev === 'cpu') {
      kernels.copyNew();
      return takeOutput(0, dtype, this.shape);
    }
    cudaKernels.cudaCopyNew(deviceIndex(dev));
    return takeOutput(0, dtype, this.shape, dev);
  }

  // ---- autograd surface (implemented by @cinder/autograd's dispatch layer) -------------------

  get requiresGrad(): boolean {
    return this._ag !== undefined && this._ag.requiresGrad === true;
  }
  set requiresGrad(v: boolean) {
    if (!v && this._ag === undefined) return;
    requireAutograd('requiresGrad').setRequiresGrad(this, v);
  }
  /** In-place requiresGrad setter; returns this. */
  requiresGrad_(v = true): this {
    this.requiresGrad = v;
    return this;
  }
  get grad(): Tensor | null {
    return (this._ag?.grad as Tensor | undefined) ?? null;
  }
  set grad(g: Tensor | null) {
    if (g === null && this._ag === undefined) return;
    requireAutograd('grad');
    if (g !== null) {
      if (!(g instanceof Tensor)) throw new TypeError('grad: assigned grad must be a Tensor or null');
      if (g.shape.length !== this.shape.length || g.shape.some((s, i) => s !== this.shape[i])) {
        throw new RangeError(`grad: assigned grad has data of a different size ([${g.shape.join(', ')}] vs [${this.shape.join(', ')}])`);
      }
      if (g.dtype !== this.dtype) throw new TypeError(`grad: assigned grad has dtype ${g.dtype}, expected ${this.dtype}`);
    }
    this._ag ??= { requiresGrad: false, outputNr: 0 };
    this._ag.grad = g ?? undefined;
  }
  get gradFn(): GradFn | null {
    return (this._ag?.gradFn as GradFn | undefined) ?? null;
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** Computes the gradient of this tensor w.r.t. the graph leaves (`{ retainGraph, createGraph, inputs }`). */
  backward(gradient?: Tensor, options: Readonly<Record<string, unknown>> = {}): void {
    requireAutograd('backward').backward(this, gradient, options);
  }
  /** Keeps `.grad` for this non-leaf tensor after backward. */
  retainGrad(): void {
    requireAutograd('retainGrad').retainGrad(this);
  }
  /** Whether `.grad` is kept after backward (leaves that require grad, and retainGrad() tensors). */
  get retainsGrad(): boolean {
    return this.requiresGrad && (this.gradFn === null || this._ag?.retainsGrad === true);
  }
  /**
   * Registers a hook on this tensor's gradient: it runs when the gradient is computed and may
   * return a replacement. Returns a handle whose remove() unregisters it.
   */
  registerHook(hook: (grad: Tensor) => Tensor | void): { remove(): void } {
    return requireAutograd('registerHook').registerHook(this, hook);
  }
  /** Detaches in place: this tensor becomes a leaf that does not require grad. */
  detach_(): this {
    this._ag = undefined;
    return this;
  }

  toString(): string {
    return formatTensorHook(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A dim in [-ndim, ndim) made non-negative, or an error naming the op. */
export function normalizeDim(dim: number, ndim: number, op: string, extra = 0): number {
  const n = ndim + extra;
  const lo = n === 0 && extra === 0 ? -1 : -n;
  const hi = n === 0 && extra === 0 ? 0 : n - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new RangeError(`${op}: dimension out of range (expected to be in range of [${lo}, ${hi}], but got ${dim})`);
  }
  return dim < 0 ? dim + Math.max(n, 1) : dim;
}

function elementToJs(dtype: DType, d: TypedArray, i: number): number | boolean | bigint {
  switch (dtype) {
    case 'bool':
      return d[i] !== 0;
    case 'int64':
      return Number((d as BigInt64Array)[i]!);
    case 'float16':
      return halfBitsToNumber((d as Uint16Array)[i]!);
    case 'bfloat16':
      return bf16BitsToNumber((d as Uint16Array)[i]!);
    default:
      return d[i] as number;
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
export function bf16BitsToNumber(b: number): number {
  u32[0] = b << 16;
  return f32[0]!;
}
export function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

// printing is installed by print.ts (kept out of this file to avoid a cycle)
let formatTensorHook: (t: Tensor) => string = (t) => `tensor(shape=[${t.shape.join(', ')}], dtype=${t.dtype})`;
export function _setFormatter(f: (t: Tensor) => string): void {
  formatTensorHook = f;
}

(Tensor.prototype as { _isTensor: boolean })._isTensor = true;

_setTensorFactory((s, dtype, shape, strides, offset) => new Tensor(s, dtype, shape, strides, offset));
