/**
 * defaultCollate: turns a list of samples into one batch, field by field (PyTorch's
 * default_collate, with JS's types).
 */
import { stack, Tensor, tensor, type TypedArray } from '@cinder/tensor';
import { describe } from './util.js';

/**
 * The type of a collated batch of samples of type T: tensors, numbers, bigints, booleans and
 * typed arrays become one stacked tensor; strings an array of strings; arrays, tuples and plain
 * objects are collated element by element.
 */
export type Collated<T> =
  T extends Tensor ? Tensor
  : T extends number | bigint | boolean ? Tensor
  : T extends string ? string[]
  : T extends TypedArray ? Tensor
  : T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> }
  : T extends object ? { [K in keyof T]: Collated<T[K]> }
  : never;

function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

function collateAt(batch: readonly unknown[], path: string): unknown {
  const first = batch[0];
  const bad = (k: number, what: string): never => {
    throw new TypeError(`defaultCollate: ${path}: sample ${k} is ${describe(batch[k])} but sample 0 is ${what}; all samples of a batch must have the same structure`);
  };
  if (first instanceof Tensor) {
    for (let k = 1; k < batch.length; k++) {
      const t = batch[k];
      if (!(t instanceof Tensor)) bad(k, 'a tensor');
      const u = t as Tensor;
      if (u.shape.length !== first.shape.length || u.shape.some((s, d) => s !== first.shape[d])) {
        throw new RangeError(`defaultCollate: ${path}: sample ${k} has shape ${shapeStr(u.shape)} but sample 0 has shape ${shapeStr(first.shape)}; tensors in a batch must have equal shapes (resize or pad them, or pass a collateFn)`);
      }
    }
    return stack(batch as Tensor[], 0);
  }
  if (typeof first === 'number' || typeof first === 'bigint' || typeof first === 'boolean') {
    for (let k = 1; k < batch.length; k++) if (typeof batch[k] !== typeof first) bad(k, `a ${typeof first}`);
    // As tensor(): numbers give the default float dtype, bigints int64, booleans bool.
    return tensor(batch as number[]);
  }
  if (typeof first === 'string') {
    for (let k = 1; k < batch.length; k++) if (typeof batch[k] !== 'string') bad(k, 'a string');
    return [...batch];
  }
  if (ArrayBuffer.isView(first) && !(first instanceof DataView)) {
    const ctor = first.constructor;
    for (let k = 1; k < batch.length; k++) if (batch[k]?.constructor !== ctor) bad(k, `a ${ctor.name}`);
    return collateAt(batch.map((a) => tensor(a as TypedArray)), path);
  }
  if (Array.isArray(first)) {
    const n = first.length;
    for (let k = 1; k < batch.length; k++) {
      const a = batch[k];
      if (!Array.isArray(a)) bad(k, `an array of length ${n}`);
      if ((a as unknown[]).length !== n) {
        throw new RangeError(`defaultCollate: ${path}: sample ${k} has ${(a as unknown[]).length} elements but sample 0 has ${n}; each element of a batch should be of equal size`);
      }
    }
    const out: unknown[] = [];
    for (let j = 0; j < n; j++) out.push(collateAt(batch.map((a) => (a as unknown[])[j]), `${path}[${j}]`));
    return out;
  }
  if (first !== null && typeof first === 'object') {
    const proto = Object.getPrototypeOf(first);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`defaultCollate: ${path}: cannot collate ${describe(first)} (supported: tensors, numbers, bigints, booleans, strings, typed arrays, arrays and plain objects of these); pass a collateFn`);
    }
    const keys = Object.keys(first);
    for (let k = 1; k < batch.length; k++) {
      const o = batch[k];
      if (o === null || typeof o !== 'object' || Array.isArray(o)) bad(k, 'an object');
      const ks = Object.keys(o as object);
      if (ks.length !== keys.length || !keys.every((key) => Object.prototype.hasOwnProperty.call(o, key))) {
        throw new TypeError(`defaultCollate: ${path}: sample ${k} has keys {${ks.join(', ')}} but sample 0 has {${keys.join(', ')}}`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = collateAt(batch.map((o) => (o as Record<string, unknown>)[key]), `${path}.${key}`);
    return out;
  }
  throw new TypeError(`defaultCollate: ${path}: cannot collate ${describe(first)} (supported: tensors, numbers, bigints, booleans, strings, typed arrays, arrays and plain objects of these); pass a collateFn`);
}

/**
 * Collates a list of samples into a batch: tensors are stacked along a new first dim (they must
 * have equal shapes); numbers become a tensor of the default float dtype (as `tensor()` makes
 * them), bigints an int64 tensor, booleans a bool tensor; typed arrays are stacked as tensors of
 * their own dtype; strings stay a string array; arrays/tuples and plain objects are collated
 * position by position and key by key.
 * @example
 * ```ts
 * defaultCollate([{ x: tensor([1, 2]), label: 'a' }, { x: tensor([3, 4]), label: 'b' }]);
 * // { x: tensor of shape [2, 2], label: ['a', 'b'] }
 * ```
 */
export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  if (!Array.isArray(batch)) throw new TypeError(`defaultCollate: expected an array of samples, got ${describe(batch)}`);
  if (batch.length === 0) throw new RangeError('defaultCollate: cannot collate an empty batch');
  return collateAt(batch, 'batch') as Collated<T>;
}
