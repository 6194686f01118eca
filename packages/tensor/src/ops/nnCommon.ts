/**
 * What the neural-network op families share (pool.ts, upsample.ts, pad.ts, norm.ts, loss.ts,
 * embedding.ts): argument checks that name the op, shapes and dtypes, per-dim size lists, and the
 * compute-dtype staging (float16/bfloat16 compute in float32; kernels read contiguous operands).
 * Not re-exported from the package.
 */
import type { DType } from '../dtype.js';
import { isFloatingDType } from '../dtype.js';
import { shapeString } from '../shape.js';
import { Tensor } from '../tensor.js';

export function describe(t: Tensor): string {
  return `${shapeString(t.shape)} (${t.dtype})`;
}

export function tensorArg(op: string, v: unknown, what: string): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${op}: expected ${what} to be a Tensor, got ${v === null ? 'null' : typeof v}`);
  return v;
}

export function optionalTensorArg(op: string, v: unknown, what: string): Tensor | null {
  return v === undefined || v === null ? null : tensorArg(op, v, what);
}

export function floatingArg(op: string, v: unknown, what: string): Tensor {
  const t = tensorArg(op, v, what);
  if (!isFloatingDType(t.dtype)) {
    throw new TypeError(`${op}: expected ${what} to be a floating point tensor, got ${describe(t)}`);
  }
  return t;
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** A per-dim list of n integers from a number or an array of n numbers, each >= min. */
export function sizeList(op: string, name: string, v: unknown, n: number, dflt: number | readonly number[], min: number): number[] {
  let arr: unknown[];
  if (v === undefined || v === null) arr = typeof dflt === 'number' ? new Array<number>(n).fill(dflt) : [...dflt];
  else if (typeof v === 'number') arr = new Array<number>(n).fill(v);
  else if (Array.isArray(v)) arr = v.length === 1 ? new Array<unknown>(n).fill(v[0]) : [...v];
  else throw new TypeError(`${op}: expected ${name} to be a number or an array of ${n} numbers, got ${String(v)}`);
  if (arr.length !== n || !arr.every((e) => isInt(e) && e >= min)) {
    const what = min === 0 ? 'non-negative' : min === 1 ? 'positive' : `>= ${min}`;
    throw new RangeError(`${op}: expected ${name} to be a ${what} integer or ${n} of them, got ${JSON.stringify(v)}`);
  }
  return arr as number[];
}

export function isHalf(d: DType): boolean {
  return d === 'float16' || d === 'bfloat16';
}

/** The dtype a kernel computes in: float16/bfloat16 compute in float32. */
export function computeDType(d: DType): DType {
  return isHalf(d) ? 'float32' : d;
}

/** t as a contiguous tensor of dtype `dt`, copied only when needed (no dispatch: inside kernels). */
export function staged(t: Tensor, dt: DType = computeDType(t.dtype)): Tensor {
  if (t.dtype === dt && t.isContiguous()) return t;
  return t._copyAs(dt);
}

/** A kernel's output converted back to the op's dtype (half inputs computed in float32). */
export function unstaged(t: Tensor, dt: DType): Tensor {
  return t.dtype === dt ? t : t._copyAs(dt);
}

export function checkReduction(op: string, r: unknown): 'none' | 'mean' | 'sum' {
  const v = r ?? 'mean';
  if (v !== 'none' && v !== 'mean' && v !== 'sum') {
    throw new RangeError(`${op}: reduction must be 'none', 'mean' or 'sum', got ${JSON.stringify(r)}`);
  }
  return v;
}
