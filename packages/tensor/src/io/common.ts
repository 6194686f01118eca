/** Shared helpers for the file formats: raw bytes <-> tensors. */
import { native } from '@cinder/native';
import { ITEM_SIZE, type DType } from '../dtype.js';
import { contiguousStrides } from '../frame.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';

/** The tensor's elements as little-endian bytes in row-major order (a copy when not contiguous). */
export function tensorBytes(t: Tensor, op: string): Uint8Array {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t.isDisposed) throw new Error(`${op}: tensor was disposed: it cannot be saved after dispose()`);
  const host = t.device === 'cpu' ? t : (t as unknown as { cpu(): Tensor }).cpu();
  const d = host.data();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** A new tensor holding a copy of `bytes` (already in native byte order) with the given layout. */
export function tensorFromBytes(bytes: Uint8Array, dtype: DType, shape: readonly number[], strides?: readonly number[]): Tensor {
  let n = 1;
  for (const s of shape) n *= s;
  const nbytes = n * ITEM_SIZE[dtype];
  if (bytes.byteLength !== nbytes) throw new Error(`internal: ${bytes.byteLength} bytes for ${nbytes}`);
  const handle = nbytes === 0 ? native.empty(0) : native.fromBytes(bytes);
  return new Tensor(new Storage(handle, nbytes, 'cpu'), dtype, [...shape], strides ?? contiguousStrides(shape), 0);
}

/** A new uninitialised contiguous tensor and a byte view to fill it through. */
export function emptyTensorWithBytes(dtype: DType, shape: readonly number[], strides?: readonly number[]): { t: Tensor; bytes: Uint8Array } {
  let n = 1;
  for (const s of shape) n *= s;
  const nbytes = n * ITEM_SIZE[dtype];
  const handle = native.empty(nbytes);
  const t = new Tensor(new Storage(handle, nbytes, 'cpu'), dtype, [...shape], strides ?? contiguousStrides(shape), 0);
  return { t, bytes: nbytes === 0 ? new Uint8Array(0) : new Uint8Array(t._st.arrayBuffer(), 0, nbytes) };
}

/** Product of sizes, checked to stay an exact integer. */
export function checkedNumel(shape: readonly number[], what: string): number {
  let n = 1;
  for (const s of shape) {
    n *= s;
    if (n > Number.MAX_SAFE_INTEGER) throw new Error(`${what}: shape [${shape.join(', ')}] has too many elements`);
  }
  return n;
}

export function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
