/**
 * Moving samples and batches between threads. Tensors live in native memory that another thread
 * cannot see, so a tensor travels as its dtype, shape and a copy of its bytes (an ArrayBuffer that
 * is transferred, not copied again); everything else goes by structured clone.
 */
import { Tensor, tensor, type DType } from '@cinder/tensor';

const TAG = '$cinderTensor';

/** A tensor flattened for postMessage: dtype, shape and its row-major bytes. */
export interface PackedTensor {
  [TAG]: 1;
  dtype: DType;
  shape: number[];
  bytes: Uint8Array;
}

/**
 * True for Tensors, including ones made by another copy of @cinder/tensor in the same thread (a
 * dataset module loaded through a different entry point), which `instanceof` would miss.
 */
export function isTensorLike(v: unknown): v is Tensor {
  if (v instanceof Tensor) return true;
  if (v === null || typeof v !== 'object') return false;
  const t = v as Partial<Tensor>;
  return typeof t.dtype === 'string' && Array.isArray(t.shape) && typeof t.data === 'function'
    && typeof t.contiguous === 'function' && typeof t.numel === 'function';
}

/** A tensor's bytes in a fresh ArrayBuffer of its own (safe to transfer). */
export function packTensor(t: Tensor, into?: 'shared'): PackedTensor {
  const data = t.contiguous().data();
  const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let bytes: Uint8Array;
  if (into === 'shared') {
    bytes = new Uint8Array(new SharedArrayBuffer(src.byteLength));
    bytes.set(src);
  } else {
    bytes = src.slice();
  }
  return { [TAG]: 1, dtype: t.dtype, shape: [...t.shape], bytes };
}

export function unpackTensor(p: PackedTensor): Tensor {
  // One copy into native memory; the byte view is reinterpreted as the dtype.
  const flat = tensor(p.bytes.buffer instanceof SharedArrayBuffer ? p.bytes.slice() : p.bytes, { dtype: 'uint8' });
  const typed = p.dtype === 'uint8' ? flat : flat.view(p.dtype);
  return typed.reshape([...p.shape]);
}

function isPacked(v: unknown): v is PackedTensor {
  return v !== null && typeof v === 'object' && (v as Record<string, unknown>)[TAG] === 1;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Replaces every tensor inside `value` (arrays and plain objects, any depth) by a PackedTensor and
 * lists the buffers to transfer. Functions and class instances other than tensors cannot cross
 * threads faithfully and are refused with the path where they were found.
 */
export function pack(value: unknown, transfer: ArrayBuffer[], path = 'sample'): unknown {
  if (isTensorLike(value)) {
    const p = packTensor(value);
    transfer.push(p.bytes.buffer as ArrayBuffer);
    return p;
  }
  if (Array.isArray(value)) return value.map((v, k) => pack(v, transfer, `${path}[${k}]`));
  if (typeof value === 'function') throw new TypeError(`DataLoader worker: ${path} is a function, which cannot be sent between threads`);
  if (typeof value === 'symbol') throw new TypeError(`DataLoader worker: ${path} is a symbol, which cannot be sent between threads`);
  if (value !== null && typeof value === 'object') {
    if (ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set || value instanceof Date || value instanceof RegExp) return value;
    if (!isPlainObject(value)) {
      throw new TypeError(`DataLoader worker: ${path} is ${(value as object).constructor?.name ?? 'an object'} instance, which cannot be sent between threads (samples from workers may hold tensors, numbers, strings, booleans, bigints, typed arrays, arrays and plain objects)`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = pack(v, transfer, `${path}.${k}`);
    return out;
  }
  return value;
}

/** The inverse of pack: PackedTensors become tensors again. */
export function unpack(value: unknown): unknown {
  if (isPacked(value)) return unpackTensor(value);
  if (Array.isArray(value)) return value.map(unpack);
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = unpack(v);
    return out;
  }
  return value;
}
