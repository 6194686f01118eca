/**
 * Writing operands into the native call frame. A tensor operand is
 * `[handle, dtype, ndim, offset, ...shape, ...strides]`; an output spec is `[dtype, ndim, ...shape]`.
 * Each writer takes the position to write at and returns the position after it.
 */
import { frame, kernels } from '@cinder/native';
import { DTYPE_CODE, ITEM_SIZE, type DType } from './dtype.js';
import { Storage } from './storage.js';
import { deviceIndex, type Device } from './device.js';
import type { Tensor } from './tensor.js';

export { frame };

export function putTensor(p: number, t: Tensor): number {
  const st = t._live();
  const shape = t.shape;
  const strides = t.strides;
  const nd = shape.length;
  frame[p] = st.handle;
  frame[p + 1] = DTYPE_CODE[t.dtype];
  frame[p + 2] = nd;
  frame[p + 3] = t.offset;
  p += 4;
  for (let i = 0; i < nd; i++) frame[p + i] = shape[i]!;
  p += nd;
  for (let i = 0; i < nd; i++) frame[p + i] = strides[i]!;
  return p + nd;
}

export function putOutput(p: number, dtype: DType, shape: readonly number[]): number {
  const nd = shape.length;
  frame[p] = DTYPE_CODE[dtype];
  frame[p + 1] = nd;
  p += 2;
  for (let i = 0; i < nd; i++) frame[p + i] = shape[i]!;
  return p + nd;
}

export function putNumbers(p: number, values: readonly number[]): number {
  for (let i = 0; i < values.length; i++) frame[p + i] = values[i]!;
  return p + values.length;
}

/** Wraps the output handle at frame[index] as a new contiguous tensor (on the CPU by default). */
export function takeOutput(index: number, dtype: DType, shape: readonly number[], device: Device = 'cpu'): Tensor {
  const handle = frame[index]!;
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return makeTensor(new Storage(handle, n * ITEM_SIZE[dtype], device), dtype, shape, outputStrides(shape), 0);
}

// Outputs are contiguous, so their strides depend on the shape only. Ops usually pass an input's
// shape array on as the output's, so a loop of ops sees the same array again and again: one
// cached entry, keyed by array identity, saves allocating strides per output. The cached array is
// shared by the tensors it is given to; Tensor.strides is readonly and nothing writes into it.
let lastShape: readonly number[] | undefined;
let lastStrides: readonly number[] = [];
const STRIDES_1D: readonly number[] = [1];
const STRIDES_0D: readonly number[] = [];

function outputStrides(shape: readonly number[]): readonly number[] {
  if (shape === lastShape) return lastStrides;
  const nd = shape.length;
  if (nd === 1) return STRIDES_1D;
  if (nd === 0) return STRIDES_0D;
  lastStrides = contiguousStrides(shape);
  lastShape = shape;
  return lastStrides;
}

// Late-bound to avoid an import cycle with tensor.ts.
let makeTensor: (s: Storage, dtype: DType, shape: readonly number[], strides: readonly number[], offset: number) => Tensor;
export function _setTensorFactory(f: typeof makeTensor): void {
  makeTensor = f;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const n = shape.length;
  const s = new Array<number>(n);
  let acc = 1;
  for (let i = n - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

// CUDA entry points by CPU name: a CUDA binding takes its CPU twin's frame and is exported as
// 'cuda' + Name (reduce -> cudaReduce) with the device index as its one argument.
const cudaEntry = new Map<string, ((device: number) => void) | null>();

/**
 * Runs native kernel `name` (whose frame the caller has written) on `device`: the CPU entry point,
 * or its CUDA twin. `op` names the user-facing op in the error thrown when the kernel has no CUDA
 * twin ("<op>: not supported on CUDA").
 */
export function runOn(name: string, device: Device, op: string = name): void {
  if (device === 'cpu') {
    kernels[name]!();
    return;
  }
  let f = cudaEntry.get(name);
  if (f === undefined) {
    const e = kernels[`cuda${name[0]!.toUpperCase()}${name.slice(1)}`];
    f = typeof e === 'function' ? (e as (device: number) => void) : null;
    cudaEntry.set(name, f);
  }
  if (f === null) throw new Error(`${op}: not supported on CUDA (kernel ${name} has no CUDA implementation in this build)`);
  f(deviceIndex(device));
}
