/**
 * Private helpers shared by the shape op modules (reshape, permute, expand, slicing, indexer,
 * viewScatter, join, rearrange, triangular); not re-exported from the package. Argument checks,
 * and the dispatch-free copy building blocks that the copying ops and the view scatters are made of.
 */
import { native } from '@cinder/native';
import { dispatch } from '../dispatch.js';
import { ITEM_SIZE, type DType } from '../dtype.js';
import { contiguousStrides, putTensor, runOn } from '../frame.js';
import { numelOf, shapeString } from '../shape.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';

// ---- argument helpers ----------------------------------------------------------------------

/** `f([2, 3])` or `f(2, 3)` -> [2, 3], each an integer (sign not checked). */
export function intList(args: readonly unknown[], op: string, what: string): number[] {
  const raw = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const out = new Array<number>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new TypeError(`${op}: ${what} must be integers, got ${String(v)} in [${raw.map(String).join(', ')}]`);
    }
    out[i] = v;
  }
  return out;
}

export function checkInt(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${op}: ${what} must be an integer, got ${String(v)}`);
  return v;
}

export function dimArg(dim: number | { dim?: number } | undefined, op: string): number {
  const d = typeof dim === 'object' && dim !== null ? dim.dim ?? 0 : dim ?? 0;
  return checkInt(d, op, 'dim');
}

// The method shims forward their rest arguments untyped: the overloads of each op check them.
export type AnyArgs = any[];

// ---- copy building blocks ----------------------------------------------------------------------

export function allocate(dtype: DType, shape: readonly number[]): Tensor {
  const nbytes = numelOf(shape) * ITEM_SIZE[dtype];
  return new Tensor(new Storage(native.empty(nbytes), nbytes, 'cpu'), dtype, shape, contiguousStrides(shape), 0);
}

/** dst <- src (broadcast, converting dtype), with no dispatch: the building block of copying ops. */
export function copyRaw(dst: Tensor, src: Tensor): void {
  if (dst.numel() === 0) return;
  const p = putTensor(0, src);
  putTensor(p, dst);
  runOn('copyInto', dst.device, 'copy_');
}

/** A throwaway view for a copy's source/destination; disposed right after, its storage lives on. */
export function withView<R>(v: Tensor, f: (v: Tensor) => R): R {
  try {
    return f(v);
  } finally {
    v.dispose();
  }
}

/**
 * A copy of `x` with the view `viewOf(copy)` replaced by `src`, which must have exactly the
 * view's shape (its dtype is converted to x's). Shared by selectScatter, sliceScatter, ...
 */
export function scatterIntoView(
  op: string,
  x: Tensor,
  src: Tensor,
  attrs: Record<string, unknown>,
  what: string,
  viewOf: (t: Tensor) => Tensor,
): Tensor {
  if (!(src instanceof Tensor)) throw new TypeError(`${op}: expected src to be a Tensor, got ${typeof src}`);
  const shape = withView(viewOf(x), (v) => [...v.shape]);
  if (shape.length !== src.ndim || shape.some((s, i) => s !== src.shape[i])) {
    throw new RangeError(
      `${op}: expected src to have a size equal to the ${what} of self. src size = ${shapeString(src.shape)}, ` +
        `${what} size = ${shapeString(shape)}`,
    );
  }
  return dispatch(op, [x, src], attrs, () => {
    const out = x._copyAs(x.dtype);
    withView(viewOf(out), (v) => copyRaw(v, src));
    return out;
  });
}
