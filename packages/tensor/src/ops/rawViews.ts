/**
 * The dispatch-free view constructors shared by the shape op modules (not re-exported from the
 * package): a public op checks its arguments and dispatches to one of these, and the copying ops
 * and the view scatters build their throwaway source/destination views with the same code, so a
 * scatter writes exactly the elements its view reads.
 */
import { contiguousStrides } from '../frame.js';
import { numelOf, shapeString } from '../shape.js';
import { normalizeDim, type Tensor } from '../tensor.js';
import { checkInt } from './shapeHelpers.js';

// ---- reshape ---------------------------------------------------------------------------------

/** Resolves one `-1` in `shape` against `numel`, as torch's infer_size does. */
export function inferSize(shape: readonly number[], numel: number, op: string): number[] {
  let known = 1;
  let infer = -1;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i]!;
    if (s === -1) {
      if (infer >= 0) throw new RangeError(`${op}: only one dimension can be inferred (shape ${shapeString(shape)})`);
      infer = i;
    } else if (s >= 0) {
      known *= s;
    } else {
      throw new RangeError(`${op}: invalid shape dimension ${s} in shape ${shapeString(shape)}`);
    }
  }
  if (numel === known || (infer >= 0 && known > 0 && numel % known === 0)) {
    const out = [...shape];
    if (infer >= 0) {
      if (known === 0) {
        throw new RangeError(
          `${op}: cannot reshape tensor of 0 elements into shape ${shapeString(shape)} because the ` +
            'unspecified dimension size -1 can be any value and is ambiguous',
        );
      }
      out[infer] = numel / known;
    }
    return out;
  }
  throw new RangeError(`${op}: shape '${shapeString(shape)}' is invalid for input of size ${numel}`);
}

/**
 * Strides that let `newShape` view memory laid out as (oldShape, oldStrides), or null when some
 * new dim would span two non-mergeable old dims (PyTorch's computeStride).
 */
export function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | null {
  const numel = numelOf(oldShape);
  if (numel === 0 || oldShape.length === 0) {
    if (numel === 0 && oldShape.length === newShape.length && oldShape.every((s, i) => s === newShape[i])) return [...oldStrides];
    return contiguousStrides(newShape);
  }
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

export function reshapeRaw(x: Tensor, shape: readonly number[], op: string): Tensor {
  const target = inferSize(shape, x.numel(), op);
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides !== null) return x._view(target, strides, x.offset);
  const c = x._copyAs(x.dtype);
  return c._view(target, contiguousStrides(target), 0);
}

// ---- slice / select / diagonal ---------------------------------------------------------------

export function sliceRaw(x: Tensor, d: number, start: number, end: number, step: number): Tensor {
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape[d] = end > start ? Math.floor((end - start + step - 1) / step) : 0;
  strides[d] = x.strides[d]! * step;
  return x._view(shape, strides, x.offset + start * x.strides[d]!);
}

/** Python's clamping of slice bounds for a dim of `size` (step > 0). */
export function clampSlice(size: number, start: number | null | undefined, end: number | null | undefined): [number, number] {
  let s = start ?? 0;
  let e = end ?? size;
  if (s < 0) s += size;
  if (e < 0) e += size;
  s = Math.min(Math.max(s, 0), size);
  e = Math.min(Math.max(e, s), size);
  return [s, e];
}

export function checkStep(step: number | null | undefined, op: string): number {
  const st = step ?? 1;
  if (!Number.isInteger(st)) throw new TypeError(`${op}: slice step must be an integer, got ${st}`);
  if (st <= 0) throw new RangeError(`${op}: slice step must be positive, got ${st} (use flip() to reverse)`);
  return st;
}

export function checkBound(v: number | null | undefined, op: string, what: string): number | null {
  if (v === null || v === undefined) return null;
  if (!Number.isInteger(v)) throw new TypeError(`${op}: slice ${what} must be an integer or null, got ${String(v)}`);
  return v;
}

export function selectRaw(x: Tensor, d: number, i: number): Tensor {
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape.splice(d, 1);
  strides.splice(d, 1);
  return x._view(shape, strides, x.offset + i * x.strides[d]!);
}

export function checkSelect(x: Tensor, dim: number, index: number, op: string): [number, number] {
  if (x.ndim === 0) throw new RangeError(`${op}: select() cannot be applied to a 0-dim tensor.`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  checkInt(index, op, 'index');
  const size = x.shape[d]!;
  if (index < -size || index >= size) {
    throw new RangeError(`${op}: index ${index} out of range for tensor of size ${shapeString(x.shape)} at dimension ${d}`);
  }
  return [d, index < 0 ? index + size : index];
}

/** The diagonal view of the (a, b) planes at offset `off`, as the last dim. */
export function diagonalRaw(x: Tensor, off: number, a: number, b: number): Tensor {
  const sa = x.shape[a]!;
  const sb = x.shape[b]!;
  const n = Math.max(off >= 0 ? Math.min(sa, sb - off) : Math.min(sa + off, sb), 0);
  let start = x.offset;
  if (n > 0) start += off >= 0 ? off * x.strides[b]! : -off * x.strides[a]!;
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    if (i === a || i === b) continue;
    shape.push(x.shape[i]!);
    strides.push(x.strides[i]!);
  }
  shape.push(n);
  strides.push(x.strides[a]! + x.strides[b]!);
  return x._view(shape, strides, start);
}

/** Options form of diagonal's arguments. */
export interface DiagonalOptions {
  offset?: number;
  dim1?: number;
  dim2?: number;
}

/** Checks and normalises diagonal-style arguments (`offset, dim1, dim2` or an options object). */
export function diagonalArgs(
  op: string, x: Tensor, offset: number | DiagonalOptions, dim1: number, dim2: number,
): { offset: number; dim1: number; dim2: number } {
  if (typeof offset === 'object') {
    dim1 = offset.dim1 ?? 0;
    dim2 = offset.dim2 ?? 1;
    offset = offset.offset ?? 0;
  }
  checkInt(offset, op, 'offset');
  const a = normalizeDim(checkInt(dim1, op, 'dim1'), x.ndim, op);
  const b = normalizeDim(checkInt(dim2, op, 'dim2'), x.ndim, op);
  if (a === b) throw new RangeError(`${op}: diagonal dimensions cannot be identical ${dim1}, ${dim2} (shape ${shapeString(x.shape)})`);
  return { offset, dim1: a, dim2: b };
}
