/** Small shared helpers: index and option checks, type descriptions for error messages. */
import { Tensor, tensor } from '@cinder/tensor';

/** A short description of a value's type for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `a ${v.dtype} tensor of shape [${v.shape.join(', ')}]`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === 'object') {
    const name = (v as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/**
 * Checks a dataset index and returns it as a non-negative position: integers in [-length, length),
 * negative ones counting from the end as in Python.
 */
export function normIndex(op: string, index: number, length: number): number {
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    throw new TypeError(`${op}: index must be an integer, got ${describe(index)}`);
  }
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) throw new RangeError(`${op}: index ${index} is out of range for a dataset of length ${length}`);
  return i;
}

export function checkNonNegInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new TypeError(`${op}: ${name} must be a non-negative integer, got ${describe(v)}`);
  }
  return v;
}

export function checkPosInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new TypeError(`${op}: ${name} must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

/** Numbers of an int64/int32/uint8 tensor (or a number array) as a JS number array. */
export function toIndexArray(op: string, v: Tensor | readonly number[]): number[] {
  if (v instanceof Tensor) {
    if (v.ndim !== 1) throw new RangeError(`${op}: indices must be 1-d, got shape [${v.shape.join(', ')}]`);
    if (v.dtype !== 'int64' && v.dtype !== 'int32' && v.dtype !== 'uint8') {
      throw new TypeError(`${op}: indices must be an integer tensor, got ${v.dtype}`);
    }
    return Array.from(v.data() as ArrayLike<number | bigint>, Number);
  }
  if (!Array.isArray(v)) throw new TypeError(`${op}: indices must be an array of integers or a 1-d integer tensor, got ${describe(v)}`);
  for (const i of v) {
    if (typeof i !== 'number' || !Number.isSafeInteger(i)) throw new TypeError(`${op}: indices must be integers, got ${describe(i)}`);
  }
  return v.slice();
}

/** A JS number array of indices as a 1-d int64 tensor. */
export function indexTensor(indices: readonly number[]): Tensor {
  const a = new BigInt64Array(indices.length);
  for (let k = 0; k < indices.length; k++) a[k] = BigInt(indices[k]!);
  return tensor(a);
}
