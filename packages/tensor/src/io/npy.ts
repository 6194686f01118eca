/**
 * NumPy's .npy format: magic `\x93NUMPY`, a version (1.0: 2-byte header length; 2.0/3.0: 4-byte;
 * 3.0 headers are UTF-8), a Python dict literal header
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and a newline to
 * a 64-byte boundary, then the raw data.
 */
import { open } from 'node:fs/promises';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ITEM_SIZE, type DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { writeFileAtomic, writeFileAtomicSync } from './atomicWrite.js';
import { checkedNumel, emptyTensorWithBytes, isLittleEndianHost, tensorBytes } from './common.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

const KIND_TO_DTYPE: Readonly<Record<string, DType>> = {
  f4: 'float32', f8: 'float64', i4: 'int32', i8: 'int64', b1: 'bool', u1: 'uint8', f2: 'float16',
};
const DTYPE_TO_DESCR: Readonly<Partial<Record<DType, string>>> = {
  float32: '<f4', float64: '<f8', int32: '<i4', int64: '<i8', bool: '|b1', uint8: '|u1', float16: '<f2',
};

// ---- a parser for the Python literal subset npy headers use ------------------------------------

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

class HeaderParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly op: string,
  ) {}

  fail(msg: string): never {
    throw new Error(`${this.op}: malformed header (${msg} at character ${this.i}): ${JSON.stringify(this.s.slice(0, 200))}`);
  }
  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }
  parseTop(): PyValue {
    const v = this.value(0);
    this.ws();
    if (this.i !== this.s.length) this.fail('unexpected trailing text');
    return v;
  }
  private value(depth: number): PyValue {
    if (depth > 16) this.fail('nesting too deep');
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) this.fail('unexpected end');
    if (c === '{') return this.dict(depth);
    if (c === '(' || c === '[') return this.seq(c === '(' ? ')' : ']', depth);
    if (c === "'" || c === '"') return this.str();
    const m = /^(?:True|False|None|[+-]?\d+L?)/.exec(this.s.slice(this.i, this.i + 32));
    if (m === null) this.fail(`unexpected ${JSON.stringify(c)}`);
    this.i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0].replace('L', ''));
  }
  private str(): string {
    const q = this.s[this.i]!;
    let out = '';
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== q) {
      if (this.s[this.i] === '\\') {
        this.i++;
        const e = this.s[this.i];
        if (e === undefined) break;
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      } else {
        out += this.s[this.i];
      }
      this.i++;
    }
    if (this.s[this.i] !== q) this.fail('unterminated string');
    this.i++;
    return out;
  }
  private seq(close: string, depth: number): PyValue[] {
    this.i++;
    const out: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) this.fail(`expected ',' or '${close}'`);
    }
  }
  private dict(depth: number): { [k: string]: PyValue } {
    this.i++;
    const out: { [k: string]: PyValue } = Object.create(null) as { [k: string]: PyValue };
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const k = this.value(depth + 1);
      if (typeof k !== 'string') this.fail('dict keys must be strings');
      this.ws();
      if (this.s[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      if (k in out) this.fail(`duplicate key '${k}'`);
      out[k] = this.value(depth + 1);
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') this.fail("expected ',' or '}'");
    }
  }
}

/** Reverses the bytes of each `size`-byte item, in place. */
function swapInPlace(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.byteLength; i += size) {
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const x = b[lo]!;
      b[lo] = b[hi]!;
      b[hi] = x;
    }
  }
}

interface NpyLayout {
  dtype: DType;
  descr: string;
  shape: number[];
  /** Column-major strides when fortran_order, else undefined (row-major). */
  strides: number[] | undefined;
  swap: boolean;
  dataStart: number;
  nbytes: number;
}

/** Where the header lies, from the first (up to) 12 bytes of a file of fileSize bytes. */
function npyPrefix(b: Uint8Array, fileSize: number, op: string): { major: number; headerStart: number; headerLen: number } {
  if (fileSize < 10 || b.byteLength < 10 || MAGIC.some((m, i) => b[i] !== m)) throw new Error(`${op}: not a .npy file (bad magic string)`);
  const major = b[6]!;
  const minor = b[7]!;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (fileSize < 12 || b.byteLength < 12) throw new Error(`${op}: file truncated in the header length`);
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Error(`${op}: unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  }
  if (headerStart + headerLen > fileSize) throw new Error(`${op}: header length ${headerLen} is larger than the file (${fileSize} bytes): truncated?`);
  return { major, headerStart, headerLen };
}

/** Parses and validates the header dict and checks the data size against the file size. */
function npyLayout(headerBytes: Uint8Array, major: number, dataStart: number, fileSize: number, op: string): NpyLayout {
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(headerBytes);
  } catch {
    throw new Error(`${op}: header is not valid ${major === 3 ? 'UTF-8' : 'latin1'} text`);
  }
  const header = new HeaderParser(text, op).parseTop();
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${op}: header is not a dict: ${JSON.stringify(text.slice(0, 200))}`);
  const { descr, fortran_order: fortran, shape } = header;
  for (const k of Object.keys(header)) {
    if (k !== 'descr' && k !== 'fortran_order' && k !== 'shape') throw new Error(`${op}: unexpected header key '${k}'`);
  }
  if (typeof descr !== 'string') throw new Error(`${op}: unsupported dtype descr ${JSON.stringify(descr)} (structured arrays are not supported)`);
  if (typeof fortran !== 'boolean') throw new Error(`${op}: header 'fortran_order' must be True or False`);
  if (!Array.isArray(shape) || !shape.every((s) => typeof s === 'number' && Number.isSafeInteger(s) && s >= 0)) {
    throw new Error(`${op}: header 'shape' must be a tuple of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const order = descr[0];
  const dtype = descr.length === 3 && (order === '<' || order === '>' || order === '|' || order === '=') ? KIND_TO_DTYPE[descr.slice(1)] : undefined;
  if (dtype === undefined) {
    throw new Error(`${op}: unsupported dtype '${descr}' (supported: ${Object.keys(KIND_TO_DTYPE).map((k) => '<' + k).join(', ')}, and big-endian '>' forms)`);
  }
  const dims = shape as number[];
  const item = ITEM_SIZE[dtype];
  const nbytes = checkedNumel(dims, op) * item;
  const have = fileSize - dataStart;
  if (have < nbytes) throw new Error(`${op}: data truncated: shape (${dims.join(', ')}) of '${descr}' needs ${nbytes} bytes, the file has ${have}`);
  if (have > nbytes) throw new Error(`${op}: data size mismatch: shape (${dims.join(', ')}) of '${descr}' needs ${nbytes} bytes, the file has ${have}`);
  const little = isLittleEndianHost();
  const bigEndian = order === '>' || (order === '=' && !little);
  let strides: number[] | undefined;
  if (fortran && dims.length >= 2) {
    strides = [];
    let acc = 1;
    for (const s of dims) {
      strides.push(acc);
      acc *= s;
    }
  }
  return { dtype, descr, shape: dims, strides, swap: item > 1 && bigEndian === little, dataStart, nbytes };
}

/** Byte order and bool canonicalisation, in place on the tensor's own memory. */
function fixUp(bytes: Uint8Array, l: NpyLayout): void {
  if (l.swap) swapInPlace(bytes, ITEM_SIZE[l.dtype]);
  if (l.dtype === 'bool') for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 1) bytes[i] = 1;
}

/**
 * Parses .npy bytes (format 1.0, 2.0 or 3.0). Big-endian data is byte-swapped; fortran_order
 * arrays load as a column-major (strided) tensor with the right values.
 * @example
 * ```ts
 * const t = loadNpy(readFileSync('x.npy'));
 * ```
 */
export function loadNpy(input: Uint8Array | ArrayBuffer): Tensor {
  const op = 'loadNpy';
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${op}: expected a Uint8Array or an ArrayBuffer`);
  const { major, headerStart, headerLen } = npyPrefix(bytes, bytes.byteLength, op);
  const l = npyLayout(bytes.subarray(headerStart, headerStart + headerLen), major, headerStart + headerLen, bytes.byteLength, op);
  const { t, bytes: dst } = emptyTensorWithBytes(l.dtype, l.shape, l.strides);
  dst.set(bytes.subarray(l.dataStart, l.dataStart + l.nbytes));
  fixUp(dst, l);
  return t;
}

function pyShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Serialises a tensor as .npy bytes (format 1.0, or 2.0 when the header does not fit).
 * bfloat16 has no NumPy dtype: convert it first (`t.float()`).
 */
export function saveNpy(t: Tensor): Uint8Array {
  const [head, data] = npyChunks(t, 'saveNpy') as [Uint8Array, Uint8Array];
  const out = new Uint8Array(head.byteLength + data.byteLength);
  out.set(head);
  out.set(data, head.byteLength);
  return out;
}

/** The header and the data, as separate chunks (the data not copied). */
function npyChunks(t: Tensor, op: string): Uint8Array[] {
  const data = tensorBytes(t, op);
  const descr = DTYPE_TO_DESCR[t.dtype];
  if (descr === undefined) throw new Error(`${op}: NumPy has no ${t.dtype} dtype; convert the tensor first (e.g. t.float())`);
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pyShape(t.shape)}, }`;
  let major = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN;
  if (total - prefix > 0xffff) {
    major = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN;
  }
  const headerLen = total - prefix;
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, headerLen, true);
  else dv.setUint32(8, headerLen, true);
  const padded = dict + ' '.repeat(headerLen - dict.length - 1) + '\n';
  for (let i = 0; i < padded.length; i++) out[prefix + i] = padded.charCodeAt(i);
  return [out, data];
}

/** Writes a .npy file atomically (temporary file, fsync, rename). */
export async function saveNpyFile(path: string, t: Tensor): Promise<void> {
  await writeFileAtomic(path, npyChunks(t, 'saveNpyFile'));
}
export function saveNpyFileSync(path: string, t: Tensor): void {
  writeFileAtomicSync(path, npyChunks(t, 'saveNpyFileSync'));
}

/** Reads a .npy file, the data straight into the tensor's memory. */
export async function loadNpyFile(path: string): Promise<Tensor> {
  const op = 'loadNpyFile';
  const h = await open(path, 'r');
  try {
    const size = (await h.stat()).size;
    const readExactly = async (buf: Uint8Array, pos: number): Promise<void> => {
      let off = 0;
      while (off < buf.byteLength) {
        const { bytesRead } = await h.read(buf, off, buf.byteLength - off, pos + off);
        if (bytesRead === 0) throw new Error(`${op}: ${path} ended early (was it modified while loading?)`);
        off += bytesRead;
      }
    };
    const prefix = new Uint8Array(Math.min(12, size));
    await readExactly(prefix, 0);
    const { major, headerStart, headerLen } = npyPrefix(prefix, size, op);
    const headerBytes = new Uint8Array(headerLen);
    await readExactly(headerBytes, headerStart);
    const l = npyLayout(headerBytes, major, headerStart + headerLen, size, op);
    const { t, bytes } = emptyTensorWithBytes(l.dtype, l.shape, l.strides);
    try {
      await readExactly(bytes, l.dataStart);
    } catch (e) {
      t.dispose();
      throw e;
    }
    fixUp(bytes, l);
    return t;
  } finally {
    await h.close();
  }
}

export function loadNpyFileSync(path: string): Tensor {
  const op = 'loadNpyFileSync';
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const readExactly = (buf: Uint8Array, pos: number): void => {
      let off = 0;
      while (off < buf.byteLength) {
        const got = readSync(fd, buf, off, buf.byteLength - off, pos + off);
        if (got === 0) throw new Error(`${op}: ${path} ended early (was it modified while loading?)`);
        off += got;
      }
    };
    const prefix = new Uint8Array(Math.min(12, size));
    readExactly(prefix, 0);
    const { major, headerStart, headerLen } = npyPrefix(prefix, size, op);
    const headerBytes = new Uint8Array(headerLen);
    readExactly(headerBytes, headerStart);
    const l = npyLayout(headerBytes, major, headerStart + headerLen, size, op);
    const { t, bytes } = emptyTensorWithBytes(l.dtype, l.shape, l.strides);
    try {
      readExactly(bytes, l.dataStart);
    } catch (e) {
      t.dispose();
      throw e;
    }
    fixUp(bytes, l);
    return t;
  } finally {
    closeSync(fd);
  }
}
