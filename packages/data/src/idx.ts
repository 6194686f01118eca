/**
 * The IDX file format of MNIST and its relatives: a 4-byte magic number (two zero bytes, a type
 * code, the number of dims), each dim as a big-endian uint32, then the elements in row-major
 * order, big-endian. Files may be gzip-compressed (recognised by their content, not their name).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tensor, type DType, type Tensor } from '@cinder/tensor';

/** IDX element types: code -> [name, bytes per element, tensor dtype]. */
const IDX_TYPES: ReadonlyMap<number, readonly [string, number, DType]> = new Map([
  [0x08, ['unsigned byte', 1, 'uint8']],
  [0x09, ['signed byte', 1, 'int32']],
  [0x0b, ['short', 2, 'int32']],
  [0x0c, ['int', 4, 'int32']],
  [0x0d, ['float', 4, 'float32']],
  [0x0e, ['double', 8, 'float64']],
] as const);

/** Largest element count accepted (a guard against corrupt headers asking for absurd sizes). */
const MAX_ELEMENTS = 2 ** 31;

export interface IdxHeader {
  /** The magic number as a big-endian uint32 (2051 for MNIST images, 2049 for labels). */
  magic: number;
  /** The element type code (0x08 unsigned byte ... 0x0e double). */
  typeCode: number;
  /** The type's name in the format's own terms ('unsigned byte', 'int', ...). */
  typeName: string;
  /** The dtype of the tensor it reads into (signed bytes and shorts widen to int32). */
  dtype: DType;
  shape: number[];
  /** Where the elements start. */
  dataOffset: number;
}

/** True when the bytes start with the gzip signature. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip bytes, with an error naming the source when they are corrupt or truncated. */
export function gunzipBytes(bytes: Uint8Array, source: string): Uint8Array {
  try {
    const b = gunzipSync(bytes);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new Error(`${source}: corrupt or truncated gzip data (${(e as Error).message})`);
  }
}

/** Reads and checks the header of an IDX file's (decompressed) bytes. */
export function readIdxHeader(bytes: Uint8Array, source = 'IDX data'): IdxHeader {
  if (bytes.length < 4) throw new Error(`${source}: truncated IDX header: ${bytes.length} bytes, expected at least 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${source}: not an IDX file: magic number 0x${magic.toString(16).padStart(8, '0')} does not start with two zero bytes`);
  }
  const typeCode = bytes[2]!;
  const type = IDX_TYPES.get(typeCode);
  if (type === undefined) {
    throw new Error(`${source}: unknown IDX element type 0x${typeCode.toString(16).padStart(2, '0')} in magic number 0x${magic.toString(16).padStart(8, '0')} (known: 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e)`);
  }
  const ndim = bytes[3]!;
  if (ndim === 0) throw new Error(`${source}: IDX magic number 0x${magic.toString(16).padStart(8, '0')} declares 0 dims`);
  const dataOffset = 4 + 4 * ndim;
  if (bytes.length < dataOffset) {
    throw new Error(`${source}: truncated IDX header: ${ndim} dims need ${dataOffset} header bytes, the data has ${bytes.length}`);
  }
  const shape: number[] = [];
  let numel = 1;
  for (let d = 0; d < ndim; d++) {
    const s = view.getUint32(4 + 4 * d, false);
    shape.push(s);
    numel *= s;
  }
  if (numel > MAX_ELEMENTS) throw new Error(`${source}: IDX shape [${shape.join(', ')}] is implausibly large (${numel} elements); the header is probably corrupt`);
  const [typeName, size, dtype] = type;
  const want = numel * size;
  const have = bytes.length - dataOffset;
  if (have < want) {
    throw new Error(`${source}: truncated IDX data: shape [${shape.join(', ')}] of ${typeName}s needs ${want} bytes after the header, found ${have}`);
  }
  if (have > want) {
    throw new Error(`${source}: ${have - want} unexpected bytes after the IDX data of shape [${shape.join(', ')}] (${typeName}s); the file is corrupt or not of this shape`);
  }
  return { magic, typeCode, typeName, dtype, shape, dataOffset };
}

/** Parses IDX bytes (plain or gzip) into a tensor; signed bytes and shorts widen to int32. */
export function parseIdx(input: Uint8Array | ArrayBuffer, source = 'IDX data'): Tensor {
  let bytes = input instanceof Uint8Array ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
  if (isGzip(bytes)) bytes = gunzipBytes(bytes, source);
  const h = readIdxHeader(bytes, source);
  return idxTensor(bytes, h);
}

/** The tensor of bytes whose header has been read. */
export function idxTensor(bytes: Uint8Array, h: IdxHeader): Tensor {
  const n = h.shape.reduce((a, b) => a * b, 1);
  const off = h.dataOffset;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let data: Uint8Array | Int32Array | Float32Array | Float64Array;
  switch (h.typeCode) {
    case 0x08:
      data = bytes.subarray(off, off + n);
      break;
    case 0x09:
      data = Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset + off, n));
      break;
    case 0x0b:
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getInt16(off + 2 * i, false);
      break;
    case 0x0c:
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getInt32(off + 4 * i, false);
      break;
    case 0x0d:
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat32(off + 4 * i, false);
      break;
    default:
      data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat64(off + 8 * i, false);
  }
  return tensor(data, { dtype: h.dtype, shape: h.shape });
}

/** Reads the bytes of a file, decompressed when it is gzip. */
export function readMaybeGzip(path: string): Uint8Array {
  const raw = readFileSync(path);
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  return isGzip(bytes) ? gunzipBytes(bytes, path) : bytes;
}

/** Reads an IDX file (plain or gzip) into a tensor. */
export function readIdxFile(path: string): Tensor {
  const bytes = readMaybeGzip(path);
  return idxTensor(bytes, readIdxHeader(bytes, path));
}
