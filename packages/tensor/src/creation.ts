/** Creation: tensor(), zeros, ones, full, empty, arange, linspace, eye and the *Like variants. */
import { kernels, native } from '@cinder/native';
import { checkDType, DTYPE_CODE, getDefaultDType, ITEM_SIZE, TYPED_ARRAY, type DType, type TypedArray } from './dtype.js';
import { canonicalDevice, deviceIndex, type Device } from './device.js';
import { contiguousStrides, frame, putOutput, takeOutput } from './frame.js';
import { Storage } from './storage.js';
import { Tensor, type NestedArray } from './tensor.js';

export interface CreationOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

/** Normalises `f([2, 3])` and `f(2, 3)` to a shape, checking every size. */
export function parseShape(args: readonly unknown[], op: string): number[] {
  const raw = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const shape: number[] = [];
  for (const s of raw) {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) {
      throw new TypeError(`${op}: invalid size ${String(s)} in shape [${raw.map(String).join(', ')}] (sizes are non-negative integers)`);
    }
    shape.push(s);
  }
  return shape;
}

export function shapeNumel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

// The CUDA creation entry points (absent from builds without CUDA): a fill, an uninitialised
// allocation and a range, each writing a fresh contiguous tensor on the device (native/src/binding/cuda/creation.cc).
const cudaCreate = kernels as unknown as Partial<
  Record<'cudaFull' | 'cudaAllocate' | 'cudaArange' | 'cudaLinspace' | 'cudaFill', (device: number) => void>
>;

/**
 * The device a creation op makes its tensor on when that is a CUDA device this build can fill
 * directly, else undefined (the CPU, or a build without CUDA: there the tensor is built on the
 * host and finish() moves it, which reports why the device cannot be used).
 */
function cudaTarget(opts: CreationOptions | undefined, op: string): Device | undefined {
  if (opts?.device === undefined) return undefined;
  const d = canonicalDevice(opts.device, op);
  return d !== 'cpu' && cudaCreate.cudaFull !== undefined ? d : undefined;
}

function withGrad(t: Tensor, opts: CreationOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function finish(t: Tensor, opts: CreationOptions | undefined, op: string): Tensor {
  if (opts?.device !== undefined) {
    const device = canonicalDevice(opts.device, op);
    if (device !== 'cpu') {
      // Built on the host and moved: creation is rare next to the ops that use its result.
      let moved: Tensor;
      try {
        moved = t.to(device);
      } catch (e) {
        t.dispose();
        const msg = (e as Error).message;
        throw new Error(msg.startsWith('to: ') ? `${op}: ${msg.slice(4)}` : msg);
      }
      t.dispose();
      t = moved;
    }
  }
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Wraps a typed array copy as a tensor. */
export function fromTypedArray(data: TypedArray, dtype: DType, shape: readonly number[]): Tensor {
  const handle = native.fromBytes(data);
  return new Tensor(new Storage(handle, data.byteLength, 'cpu'), dtype, shape, contiguousStrides(shape), 0);
}

function inferShape(data: unknown, op: string): number[] {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

function flatten(data: unknown, shape: readonly number[], dim: number, out: unknown[], op: string): void {
  if (dim === shape.length) {
    if (Array.isArray(data)) throw new TypeError(`${op}: ragged nested array (too deep at dim ${dim})`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new TypeError(`${op}: ragged nested array: expected length ${shape[dim]} at dim ${dim}, got ${Array.isArray(data) ? data.length : typeof data}`);
  }
  for (const v of data) flatten(v, shape, dim + 1, out, op);
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
/** float32 -> float16 bits, round to nearest even. */
export function numberToHalfBits(v: number): number {
  F32[0] = v;
  const x = U32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const abs = x & 0x7fffffff;
  if (abs >= 0x7f800000) return sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0);
  if (abs >= 0x477ff000) return sign | 0x7c00;
  if (abs < 0x38800000) {
    if (abs < 0x33000000) return sign;
    const e = abs >>> 23;
    const mant = (abs & 0x7fffff) | 0x800000;
    const shift = 126 - e;
    let m = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (m & 1))) m++;
    return sign | m;
  }
  const rounded = (abs + 0xfff + ((abs >>> 13) & 1)) >>> 0;
  return sign | ((rounded - 0x38000000) >>> 13);
}
/** float32 -> bfloat16 bits, round to nearest even. */
export function numberToBf16Bits(v: number): number {
  F32[0] = v;
  const x = U32[0]!;
  if ((x & 0x7fffffff) > 0x7f800000) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Fills a typed array of `dtype` from JS values. */
export function typedArrayFrom(values: ArrayLike<unknown>, dtype: DType, op: string): TypedArray {
  const n = values.length;
  const out = new TYPED_ARRAY[dtype](n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (dtype === 'int64') {
      (out as BigInt64Array)[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    } else if (dtype === 'float16') {
      out[i] = numberToHalfBits(Number(v));
    } else if (dtype === 'bfloat16') {
      out[i] = numberToBf16Bits(Number(v));
    } else if (dtype === 'bool') {
      out[i] = v ? 1 : 0;
    } else {
      if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
        throw new TypeError(`${op}: expected numbers, got ${typeof v}`);
      }
      out[i] = Number(v);
    }
  }
  return out;
}

/**
 * The dtype of a tensor made from JS values. A JS number carries no int/float distinction (1.0 is 1),
 * so numbers give the default float dtype, as in tfjs; booleans give bool and bigints int64. Integer
 * tensors come from bigints, typed arrays or an explicit dtype.
 */
function dtypeOfValues(values: readonly unknown[], op: string): DType {
  let allBool = values.length > 0;
  let sawBigint = false;
  let sawNumber = false;
  for (const v of values) {
    if (typeof v === 'boolean') continue;
    allBool = false;
    if (typeof v === 'bigint') sawBigint = true;
    else if (typeof v === 'number') sawNumber = true;
    else throw new TypeError(`${op}: expected numbers, booleans or bigints, got ${typeof v}`);
  }
  if (allBool) return 'bool';
  return sawBigint && !sawNumber ? 'int64' : getDefaultDType();
}

const TYPED_DTYPE = new Map<unknown, DType>([
  [Float32Array, 'float32'], [Float64Array, 'float64'], [Int32Array, 'int32'], [BigInt64Array, 'int64'],
  [Uint8Array, 'uint8'], [Int8Array, 'int32'], [Int16Array, 'int32'], [Uint16Array, 'int32'], [Uint32Array, 'int64'],
]);

/**
 * A tensor from nested arrays, a typed array or a scalar. Unless `dtype` is given: numbers give the
 * default float dtype (float32), booleans bool, bigints int64, and a typed array its own type.
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]], { dtype: 'float32' });
 * tensor(new Float64Array([1, 2, 3]));
 * ```
 */
export function tensor(data: NestedArray | TypedArray | ArrayLike<number>, opts?: CreationOptions & { shape?: number[] }): Tensor {
  const op = 'tensor';
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, op) : undefined;
  let t: Tensor;
  if (ArrayBuffer.isView(data)) {
    const ta = data as TypedArray;
    const own = TYPED_DTYPE.get(ta.constructor);
    if (own === undefined) throw new TypeError(`${op}: unsupported typed array ${ta.constructor.name}`);
    const shape = opts?.shape ?? [ta.length];
    if (shapeNumel(shape) !== ta.length) throw new RangeError(`${op}: shape [${shape.join(', ')}] does not match ${ta.length} elements`);
    const target = dtype ?? own;
    const sameLayout = (target === own) && TYPED_ARRAY[target] === ta.constructor;
    t = fromTypedArray(sameLayout ? ta : typedArrayFrom(ta as ArrayLike<unknown>, target, op), target, shape);
  } else {
    const shape = inferShape(data, op);
    const flat: unknown[] = [];
    flatten(data, shape, 0, flat, op);
    const dt = dtype ?? dtypeOfValues(flat, op);
    t = fromTypedArray(typedArrayFrom(flat, dt, op), dt, shape);
  }
  return finish(t, opts, op);
}

/** A tensor of the given shape filled with `value` (default float dtype for numbers, bool for booleans). */
export function full(shape: readonly number[], value: number | boolean, opts?: CreationOptions): Tensor {
  const s = parseShape([shape], 'full');
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'full')
    : typeof value === 'boolean' ? 'bool' : getDefaultDType();
  const p = putOutput(0, dtype, s);
  frame[p] = Number(value);
  const dev = cudaTarget(opts, 'full');
  if (dev !== undefined) {
    cudaCreate.cudaFull!(deviceIndex(dev));
    return withGrad(takeOutput(0, dtype, s, dev), opts);
  }
  kernels.full();
  return finish(takeOutput(0, dtype, s), opts, 'full');
}

type ShapeArgs = [number[], CreationOptions?] | number[];
function splitShapeArgs(args: unknown[], op: string): [number[], CreationOptions | undefined] {
  if (args.length > 0 && Array.isArray(args[0])) return [parseShape([args[0]], op), args[1] as CreationOptions | undefined];
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object') return [parseShape(args.slice(0, -1), op), last as CreationOptions];
  return [parseShape(args, op), undefined];
}

export function zeros(...args: ShapeArgs): Tensor {
  const [s, o] = splitShapeArgs(args, 'zeros');
  return full(s, 0, { ...o, dtype: o?.dtype ?? getDefaultDType() });
}
export function ones(...args: ShapeArgs): Tensor {
  const [s, o] = splitShapeArgs(args, 'ones');
  return full(s, 1, { ...o, dtype: o?.dtype ?? getDefaultDType() });
}
/** Uninitialised memory (from the caching allocator). */
export function empty(...args: ShapeArgs): Tensor {
  const [s, o] = splitShapeArgs(args, 'empty');
  const dtype = o?.dtype !== undefined ? checkDType(o.dtype, 'empty') : getDefaultDType();
  const dev = cudaTarget(o, 'empty');
  if (dev !== undefined) {
    putOutput(0, dtype, s);
    cudaCreate.cudaAllocate!(deviceIndex(dev));
    return withGrad(takeOutput(0, dtype, s, dev), o);
  }
  const n = shapeNumel(s) * ITEM_SIZE[dtype];
  const t = new Tensor(new Storage(native.empty(n), n, 'cpu'), dtype, s, contiguousStrides(s), 0);
  return finish(t, o, 'empty');
}

function likeOpts(t: Tensor, o?: CreationOptions): CreationOptions {
  return { dtype: o?.dtype ?? t.dtype, device: o?.device ?? t.device, requiresGrad: o?.requiresGrad ?? false };
}
export const zerosLike = (t: Tensor, o?: CreationOptions): Tensor => full(t.shape, 0, likeOpts(t, o));
export const onesLike = (t: Tensor, o?: CreationOptions): Tensor => full(t.shape, 1, likeOpts(t, o));
export const fullLike = (t: Tensor, v: number | boolean, o?: CreationOptions): Tensor => full(t.shape, v, likeOpts(t, o));
export const emptyLike = (t: Tensor, o?: CreationOptions): Tensor => empty([...t.shape], likeOpts(t, o));

/**
 * Values from start (inclusive) to end (exclusive) by step: arange(5), arange(1, 4), arange(0, 1, 0.25).
 * Integer arguments give int64, any fractional one the default float dtype.
 */
export function arange(
  start: number,
  end?: number | CreationOptions,
  step?: number | CreationOptions,
  opts?: CreationOptions,
): Tensor {
  // The options object may follow any number of the numeric arguments.
  if (typeof end === 'object') {
    opts = end;
    end = undefined;
  } else if (typeof step === 'object') {
    opts = step;
    step = undefined;
  }
  for (const v of [start, end, step]) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw new TypeError(`arange: start, end and step must be finite numbers, got ${String(v)}`);
    }
  }
  let lo = start;
  let hi: number;
  if (end === undefined) {
    hi = start;
    lo = 0;
  } else {
    hi = end as number;
  }
  const st = (step as number | undefined) ?? 1;
  if (st === 0) throw new RangeError('arange: step must be nonzero');
  if ((hi - lo) / st < 0) throw new RangeError(`arange: upper bound and step are inconsistent (start ${lo}, end ${hi}, step ${st})`);
  const n = Math.max(0, Math.ceil((hi - lo) / st));
  const integral = Number.isInteger(lo) && Number.isInteger(hi) && Number.isInteger(st);
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'arange') : integral ? 'int64' : getDefaultDType();
  const dev = cudaTarget(opts, 'arange');
  if (dev !== undefined) return withGrad(deviceRange(dev, dtype, n, lo, st, hi, false), opts);
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) vals[i] = lo + i * st;
  return finish(fromTypedArray(typedArrayFrom(vals, dtype, 'arange'), dtype, [n]), opts, 'arange');
}

/** `steps` values evenly spaced from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts?: CreationOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: number of steps must be non-negative, got ${steps}`);
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'linspace') : getDefaultDType();
  const vals = new Float64Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  const dev = cudaTarget(opts, 'linspace');
  if (dev !== undefined) return withGrad(deviceRange(dev, dtype, steps, start, step, end, true), opts);
  // Symmetric evaluation, as PyTorch does, so both ends are exact.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) vals[i] = i < half || steps === 1 ? start + step * i : end - step * (steps - 1 - i);
  return finish(fromTypedArray(typedArrayFrom(vals, dtype, 'linspace'), dtype, [steps]), opts, 'linspace');
}

/** An n x m identity matrix. */
export function eye(n: number, m?: number | CreationOptions, opts?: CreationOptions): Tensor {
  if (typeof m === 'object') {
    opts = m;
    m = undefined;
  }
  const cols = m ?? n;
  parseShape([n, cols], 'eye');
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'eye') : getDefaultDType();
  const dev = cudaTarget(opts, 'eye');
  if (dev !== undefined) {
    let t: Tensor;
    try {
      t = full([n, cols], 0, { dtype, device: dev });
    } catch (e) {
      const msg = (e as Error).message;
      throw new Error(msg.startsWith('full: ') ? `eye: ${msg.slice(6)}` : msg);
    }
    const k = Math.min(n, cols);
    if (k > 0) {
      // The diagonal as a strided 1-d operand (stride cols + 1), filled with ones on the device.
      frame[0] = t._st.handle;
      frame[1] = DTYPE_CODE[dtype];
      frame[2] = 1;
      frame[3] = 0;
      frame[4] = k;
      frame[5] = cols + 1;
      frame[6] = 1;
      cudaCreate.cudaFill!(deviceIndex(dev));
    }
    return withGrad(t, opts);
  }
  const vals = new Float64Array(n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) vals[i * cols + i] = 1;
  return finish(fromTypedArray(typedArrayFrom(vals, dtype, 'eye'), dtype, [n, cols]), opts, 'eye');
}

/**
 * A 0-d tensor holding a JS scalar, for ops that take a number where a tensor is expected; on
 * `device` when given (the device of the op's other operands).
 */
export function scalarTensor(v: number | boolean | bigint, dtype: DType, device: Device = 'cpu'): Tensor {
  const p = putOutput(0, dtype, []);
  frame[p] = Number(v);
  if (device === 'cpu') {
    kernels.full();
    return takeOutput(0, dtype, []);
  }
  // Only reached in a build with CUDA: no tensor lives on a device in any other.
  cudaCreate.cudaFull!(deviceIndex(device));
  return takeOutput(0, dtype, [], device);
}

/**
 * n values start + i * step made on a CUDA device; linspace's (`linspace`) second half is
 * end - (n - 1 - i) * step, as on the host, so both ends are exact.
 */
function deviceRange(dev: Device, dtype: DType, n: number, start: number, step: number, end: number, linspace: boolean): Tensor {
  const p = putOutput(0, dtype, [n]);
  frame[p] = start;
  frame[p + 1] = step;
  frame[p + 2] = end;
  (linspace ? cudaCreate.cudaLinspace! : cudaCreate.cudaArange!)(deviceIndex(dev));
  return takeOutput(0, dtype, [n], dev);
}
