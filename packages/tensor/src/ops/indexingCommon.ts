/**
 * What the indexing files share (gatherScatter.ts, masking.ts, sorting.ts): argument checks,
 * operands written to the frame with explicit shape and strides, and the native gather, which
 * indexSelect, gather and takeAlongDim run and unique and searchsorted reuse. Not re-exported from
 * the package: nothing here is public API.
 */
import { scalarTensor } from '../creation.js';
import type { Device } from '../device.js';
import { DTYPE_CODE, type DType } from '../dtype.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { shapeString } from '../shape.js';
import { Tensor } from '../tensor.js';

/** Writes a tensor operand with explicit shape/strides over t's storage (views without objects). */
export function putStrided(p: number, t: Tensor, shape: readonly number[], strides: readonly number[], offset = t.offset): number {
  const st = t._live();
  const nd = shape.length;
  frame[p] = st.handle;
  frame[p + 1] = DTYPE_CODE[t.dtype];
  frame[p + 2] = nd;
  frame[p + 3] = offset;
  p += 4;
  for (let i = 0; i < nd; i++) frame[p + i] = shape[i]!;
  p += nd;
  for (let i = 0; i < nd; i++) frame[p + i] = strides[i]!;
  return p + nd;
}

/** t seen with `shape` (trailing-aligned broadcast: size-1 or missing dims get stride 0). */
export function expandedStrides(t: Tensor, shape: readonly number[]): number[] {
  const lead = shape.length - t.ndim;
  return shape.map((s, i) => (i < lead || t.shape[i - lead] !== s ? 0 : t.strides[i - lead]!));
}

export function checkTensor(op: string, v: unknown, what: string): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${op}: expected ${what} to be a Tensor, got ${v === null ? 'null' : typeof v}`);
  return v;
}

export function checkIndex(op: string, index: unknown, what = 'index'): Tensor {
  const t = checkTensor(op, index, what);
  if (t.dtype !== 'int64' && t.dtype !== 'int32') {
    throw new TypeError(`${op}: expected ${what} of dtype int64 (or int32), got ${t.dtype}`);
  }
  return t;
}

/** In-place writes into an expanded tensor (several elements sharing memory) are refused, as in PyTorch. */
export function checkWritable(op: string, x: Tensor): void {
  for (let i = 0; i < x.ndim; i++) {
    if (x.strides[i] === 0 && x.shape[i]! > 1) {
      throw new Error(
        `${op}: unsupported operation: more than one element of the written-to tensor (shape ${shapeString(x.shape)}, strides ${shapeString(x.strides)}) refers to a single memory location; clone() it first`,
      );
    }
  }
}

/** A 0-d tensor seen as shape [1] (PyTorch treats scalars as 1-element vectors in these ops). */
export function atLeast1d(t: Tensor): Tensor {
  return t.ndim === 0 ? t._view([1], [1], t.offset) : t;
}

export function withDim(shape: readonly number[], dim: number, size: number): number[] {
  const s = [...shape];
  s[dim] = size;
  return s;
}

export function fillValueOf(op: string, value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Tensor) {
    if (value.ndim !== 0) {
      throw new RangeError(`${op}: only supports a 0-dimensional value tensor, but got a tensor of shape ${shapeString(value.shape)}`);
    }
    return Number(value.item());
  }
  throw new TypeError(`${op}: expected value to be a number, a boolean or a 0-d tensor, got ${typeof value}`);
}

// ---- the native gather ----------------------------------------------------------------------

export function indexSelectKernel(x: Tensor, d: number, index: Tensor): Tensor {
  const xs = atLeast1d(x);
  const n = index.numel();
  const outShape = withDim(xs.shape, d, n);
  const idxShape = xs.shape.map((_, i) => (i === d ? n : 1));
  const idxStrides = xs.shape.map((_, i) => (i === d && index.ndim === 1 ? index.strides[0]! : 0));
  frame[0] = 1;
  let p = putTensor(1, xs);
  p = putStrided(p, index, idxShape, idxStrides);
  frame[p] = d;
  putOutput(p + 1, x.dtype, outShape);
  const dev = x.device;
  runOn('indexGather', dev, 'indexSelect');
  return takeOutput(0, x.dtype, x.ndim === 0 ? [] : outShape, dev);
}

const GATHER_NAMES = ['gather', 'indexSelect', 'searchsorted', 'takeAlongDim'];

/** `code` names the op in native errors: 0 gather, 2 searchsorted (applying its sorter), 3 takeAlongDim. */
export function gatherKernel(x: Tensor, d: number, index: Tensor, code = 0): Tensor {
  const xs = atLeast1d(x);
  const is = atLeast1d(index);
  frame[0] = code;
  let p = putTensor(1, xs);
  p = putTensor(p, is);
  frame[p] = d;
  putOutput(p + 1, x.dtype, is.shape);
  const dev = x.device;
  runOn('indexGather', dev, GATHER_NAMES[code]);
  return takeOutput(0, x.dtype, index.shape, dev);
}
