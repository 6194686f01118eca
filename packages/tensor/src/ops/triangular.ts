/**
 * tril and triu (and their in-place forms): the lower/upper triangle of the last two dims, the
 * rest zeroed, on a native kernel (batched over the leading dims).
 */
import { dispatch } from '../dispatch.js';
import { frame, putTensor, runOn } from '../frame.js';
import { shapeString } from '../shape.js';
import { Tensor } from '../tensor.js';
import { allocate, checkInt } from './shapeHelpers.js';

function trilTriuRaw(src: Tensor, dst: Tensor, diagonal: number, upper: boolean): void {
  const p = putTensor(0, src);
  const q = putTensor(p, dst);
  // The kernel clamps again; this keeps the double -> int64 conversion in range.
  frame[q] = Math.max(-(2 ** 53), Math.min(2 ** 53, diagonal));
  runOn(upper ? 'triu' : 'tril', dst.device);
}

/** A fresh tensor holding tril/triu of x: on the CPU written straight into a new buffer; on a
 * device, a contiguous copy processed in place. */
function triangle(x: Tensor, diagonal: number, upper: boolean): Tensor {
  if (x.device === 'cpu') {
    const out = allocate(x.dtype, x.shape);
    trilTriuRaw(x, out, diagonal, upper);
    return out;
  }
  const out = x._copyAs(x.dtype);
  trilTriuRaw(out, out, diagonal, upper);
  return out;
}

function checkTri(x: Tensor, diagonal: number, op: string): void {
  checkInt(diagonal, op, 'diagonal');
  if (x.ndim < 2) throw new RangeError(`${op}: input tensor must have at least 2 dimensions, got shape ${shapeString(x.shape)}`);
}

/** In-place writes into a tensor whose elements share memory (an expanded view) are ambiguous. */
function checkWritable(x: Tensor, op: string): void {
  for (let i = 0; i < x.ndim; i++) {
    if (x.strides[i] === 0 && x.shape[i]! > 1) {
      throw new Error(
        `${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location ` +
          `(shape ${shapeString(x.shape)}, strides ${shapeString(x.strides)}). Please clone() the tensor before performing the operation.`,
      );
    }
  }
}

/**
 * The lower triangle of the last two dims (batched), the rest zeroed; `diagonal` > 0 keeps more
 * diagonals above the main one, < 0 fewer.
 */
export function tril(x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
  if (typeof diagonal === 'object') diagonal = diagonal.diagonal ?? 0;
  checkTri(x, diagonal, 'tril');
  return dispatch('tril', [x], { diagonal }, () => {
    return triangle(x, diagonal, false);
  });
}
/** The upper triangle of the last two dims (batched), the rest zeroed. */
export function triu(x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
  if (typeof diagonal === 'object') diagonal = diagonal.diagonal ?? 0;
  checkTri(x, diagonal, 'triu');
  return dispatch('triu', [x], { diagonal }, () => {
    return triangle(x, diagonal, true);
  });
}
/** In-place tril. */
export function tril_(x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
  if (typeof diagonal === 'object') diagonal = diagonal.diagonal ?? 0;
  checkTri(x, diagonal, 'tril_');
  checkWritable(x, 'tril_');
  return dispatch('tril_', [x], { diagonal }, () => {
    trilTriuRaw(x, x, diagonal, false);
    x._st.version++;
    return x;
  });
}
/** In-place triu. */
export function triu_(x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
  if (typeof diagonal === 'object') diagonal = diagonal.diagonal ?? 0;
  checkTri(x, diagonal, 'triu_');
  checkWritable(x, 'triu_');
  return dispatch('triu_', [x], { diagonal }, () => {
    trilTriuRaw(x, x, diagonal, true);
    x._st.version++;
    return x;
  });
}

// ---- methods ---------------------------------------------------------------------------------

declare module '../tensor.js' {
  interface Tensor {
    tril(diagonal?: number | { diagonal?: number }): Tensor;
    triu(diagonal?: number | { diagonal?: number }): Tensor;
    tril_(diagonal?: number | { diagonal?: number }): Tensor;
    triu_(diagonal?: number | { diagonal?: number }): Tensor;
  }
}

const proto = Tensor.prototype;
proto.tril = function (this: Tensor, k) { return tril(this, k); };
proto.triu = function (this: Tensor, k) { return triu(this, k); };
proto.tril_ = function (this: Tensor, k) { return tril_(this, k); };
proto.triu_ = function (this: Tensor, k) { return triu_(this, k); };
