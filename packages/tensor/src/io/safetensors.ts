/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON header
 * (`{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__: { key: value } }`, padded
 * with spaces to 8-byte alignment), then the tensors' bytes, contiguous and in header order of
 * offsets. Loading validates everything before allocating, so a hostile file cannot cause a huge
 * allocation or an out-of-bounds read.
 */
import { open } from 'node:fs/promises';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ITEM_SIZE, type DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { writeFileAtomic, writeFileAtomicSync } from './atomicWrite.js';
import { checkedNumel, emptyTensorWithBytes, tensorBytes, tensorFromBytes } from './common.js';

const TO_ST: Readonly<Record<DType, string>> = {
  float32: 'F32', float64: 'F64', int32: 'I32', int64: 'I64', bool: 'BOOL', uint8: 'U8', float16: 'F16', bfloat16: 'BF16',
};
const FROM_ST: Readonly<Record<string, DType>> = Object.fromEntries(Object.entries(TO_ST).map(([k, v]) => [v, k as DType]));

/** Largest header accepted on load, as the reference implementation does. */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

export interface SafetensorsOptions {
  /** Free-form string metadata stored under `__metadata__`. */
  metadata?: Record<string, string>;
}

export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

function checkMetadata(m: unknown, op: string): Record<string, string> {
  if (m === undefined || m === null) return {};
  if (typeof m !== 'object' || Array.isArray(m)) throw new TypeError(`${op}: metadata must be an object of strings`);
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') throw new TypeError(`${op}: metadata value for ${JSON.stringify(k)} must be a string, got ${typeof v}`);
  }
  return m as Record<string, string>;
}

/**
 * Serialises tensors to safetensors bytes. Non-contiguous tensors are written as their values in
 * row-major order.
 * @example
 * ```ts
 * const bytes = saveSafetensors({ weight: w, bias: b }, { metadata: { format: 'pt' } });
 * ```
 */
export function saveSafetensors(tensors: Record<string, Tensor>, options: SafetensorsOptions = {}): Uint8Array {
  const chunks = planSafetensors(tensors, options, 'saveSafetensors');
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.byteLength;
  }
  return out;
}

/** The file as a list of chunks: the length-prefixed header, then each tensor's bytes (no copies). */
function planSafetensors(tensors: Record<string, Tensor>, options: SafetensorsOptions, op: string): Uint8Array[] {
  if (tensors === null || typeof tensors !== 'object') throw new TypeError(`${op}: expected an object mapping names to tensors`);
  const metadata = checkMetadata(options?.metadata, op);
  const entries = Object.entries(tensors).map(([name, t]) => {
    if (name === '__metadata__') throw new Error(`${op}: "__metadata__" is reserved and cannot name a tensor`);
    return { name, t, bytes: tensorBytes(t, `${op} (tensor ${JSON.stringify(name)})`) };
  });
  // Larger items first keeps every tensor aligned to its item size within the buffer.
  entries.sort((a, b) => ITEM_SIZE[b.t.dtype] - ITEM_SIZE[a.t.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length !== 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const e of entries) {
    const end = offset + e.bytes.byteLength;
    header[e.name] = { dtype: TO_ST[e.t.dtype], shape: [...e.t.shape], data_offsets: [offset, end] };
    offset = end;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const head = new Uint8Array(8 + padded);
  new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
  head.set(json, 8);
  head.fill(0x20, 8 + json.byteLength);
  return [head, ...entries.map((e) => e.bytes)];
}

/**
 * The names of a JSON object's top-level keys in order, repeats included (JSON.parse silently
 * keeps the last of a repeated key, which would hide a duplicated tensor name).
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        keys.push(JSON.parse(text.slice(i, j + 1)) as string);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parses safetensors bytes. Throws an Error naming the problem for malformed or hostile input.
 * @example
 * ```ts
 * const { tensors, metadata } = loadSafetensors(bytes);
 * ```
 */
export function loadSafetensors(input: Uint8Array | ArrayBuffer): SafetensorsContents {
  const op = 'loadSafetensors';
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${op}: expected a Uint8Array or an ArrayBuffer`);
  const n = headerLength(bytes, bytes.byteLength, op);
  const dataStart = 8 + n;
  const { specs, metadata } = parseHeader(bytes.subarray(8, dataStart), bytes.byteLength - dataStart, op);
  const tensors: Record<string, Tensor> = {};
  for (const s of specs) {
    let raw = bytes.subarray(dataStart + s.begin, dataStart + s.end);
    if (s.dtype === 'bool' && raw.some((b) => b > 1)) raw = raw.map((b) => (b !== 0 ? 1 : 0));
    define(tensors, s.name, tensorFromBytes(raw, s.dtype, s.shape));
  }
  return { tensors, metadata };
}

/** Validates the 8-byte length prefix against the cap and the file size. */
function headerLength(prefix: Uint8Array, fileSize: number, op: string): number {
  if (fileSize < 8 || prefix.byteLength < 8) throw new Error(`${op}: file too short (${fileSize} bytes) to hold the 8-byte header length`);
  const n64 = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(SAFETENSORS_MAX_HEADER)) throw new Error(`${op}: header length ${n64} exceeds the ${SAFETENSORS_MAX_HEADER}-byte limit`);
  const n = Number(n64);
  if (8 + n > fileSize) throw new Error(`${op}: header length ${n} is larger than the file (${fileSize} bytes)`);
  return n;
}

interface TensorSpec {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** Parses and validates the JSON header against a data buffer of dataLen bytes. */
function parseHeader(headerBytes: Uint8Array, dataLen: number, op: string): { specs: TensorSpec[]; metadata: Record<string, string> } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new Error(`${op}: header is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new Error(`${op}: header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${op}: header must be a JSON object`);
  const seen = new Set<string>();
  for (const k of topLevelKeys(text)) {
    if (seen.has(k)) throw new Error(`${op}: duplicate entry ${JSON.stringify(k)} in the header`);
    seen.add(k);
  }

  let metadata: Record<string, string> = {};
  const specs: TensorSpec[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null) continue;
      if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${op}: __metadata__ must be an object of strings`);
      for (const [k, v] of Object.entries(raw as object)) {
        if (typeof v !== 'string') throw new Error(`${op}: __metadata__ value for ${JSON.stringify(k)} is not a string (${v === null ? 'null' : typeof v})`);
      }
      metadata = { ...(raw as Record<string, string>) };
      continue;
    }
    const what = `${op}: tensor ${JSON.stringify(name)}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${what}: entry must be an object`);
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof e.dtype === 'string' ? FROM_ST[e.dtype] : undefined;
    if (dtype === undefined) throw new Error(`${what}: unknown or unsupported dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(FROM_ST).join(', ')})`);
    if (!Array.isArray(e.shape) || !e.shape.every(isSize)) throw new Error(`${what}: shape must be an array of non-negative integers, got ${JSON.stringify(e.shape)}`);
    const shape = e.shape as number[];
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !isSize(offs[0]) || !isSize(offs[1])) {
      throw new Error(`${what}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end < begin) throw new Error(`${what}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) throw new Error(`${what}: data_offsets [${begin}, ${end}] are out of range: the data buffer has ${dataLen} bytes (file truncated?)`);
    const numel = checkedNumel(shape, what);
    const expected = numel * ITEM_SIZE[dtype];
    if (end - begin !== expected) {
      throw new Error(`${what}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape [${shape.join(', ')}] of ${e.dtype} needs ${expected}`);
    }
    specs.push({ name, dtype, shape, begin, end });
  }

  const ordered = [...specs].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const s of ordered) {
    if (s.begin < cursor) throw new Error(`${op}: tensor ${JSON.stringify(s.name)} data [${s.begin}, ${s.end}] overlaps the previous tensor's data (ending at ${cursor})`);
    if (s.begin > cursor) throw new Error(`${op}: hole in the data buffer: bytes [${cursor}, ${s.begin}) belong to no tensor (before ${JSON.stringify(s.name)})`);
    cursor = s.end;
  }
  if (cursor !== dataLen) throw new Error(`${op}: the data buffer has ${dataLen} bytes but the tensors cover ${cursor} (trailing bytes)`);

  return { specs, metadata };
}

/**
 * Writes tensors to a .safetensors file atomically (temporary file, fsync, rename): a crash
 * mid-save leaves the previous file intact. The tensors' bytes are written straight from their
 * memory, without assembling the whole file first.
 */
export async function saveFile(path: string, tensors: Record<string, Tensor>, options: SafetensorsOptions = {}): Promise<void> {
  await writeFileAtomic(path, planSafetensors(tensors, options, 'saveFile'));
}
/** saveFile, blocking. */
export function saveFileSync(path: string, tensors: Record<string, Tensor>, options: SafetensorsOptions = {}): void {
  writeFileAtomicSync(path, planSafetensors(tensors, options, 'saveFileSync'));
}

/**
 * Reads a .safetensors file. The header is validated first; each tensor's bytes are then read
 * straight into its own memory (the file is never held twice).
 */
export async function loadFile(path: string): Promise<SafetensorsContents> {
  const op = 'loadFile';
  const h = await open(path, 'r');
  const made: Tensor[] = [];
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
    const prefix = new Uint8Array(8);
    if (size >= 8) await readExactly(prefix, 0);
    const n = headerLength(prefix, size, op);
    const headerBytes = new Uint8Array(n);
    await readExactly(headerBytes, 8);
    const { specs, metadata } = parseHeader(headerBytes, size - 8 - n, op);
    const tensors: Record<string, Tensor> = {};
    for (const s of specs) {
      const { t, bytes } = emptyTensorWithBytes(s.dtype, s.shape);
      made.push(t);
      await readExactly(bytes, 8 + n + s.begin);
      if (s.dtype === 'bool') normaliseBool(bytes);
      define(tensors, s.name, t);
    }
    return { tensors, metadata };
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  } finally {
    await h.close();
  }
}

/** loadFile, blocking. */
export function loadFileSync(path: string): SafetensorsContents {
  const op = 'loadFileSync';
  const fd = openSync(path, 'r');
  const made: Tensor[] = [];
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
    const prefix = new Uint8Array(8);
    if (size >= 8) readExactly(prefix, 0);
    const n = headerLength(prefix, size, op);
    const headerBytes = new Uint8Array(n);
    readExactly(headerBytes, 8);
    const { specs, metadata } = parseHeader(headerBytes, size - 8 - n, op);
    const tensors: Record<string, Tensor> = {};
    for (const s of specs) {
      const { t, bytes } = emptyTensorWithBytes(s.dtype, s.shape);
      made.push(t);
      readExactly(bytes, 8 + n + s.begin);
      if (s.dtype === 'bool') normaliseBool(bytes);
      define(tensors, s.name, t);
    }
    return { tensors, metadata };
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** Adds a property even for names like "__proto__", which plain assignment would misread. */
function define(o: Record<string, Tensor>, name: string, t: Tensor): void {
  Object.defineProperty(o, name, { value: t, enumerable: true, writable: true, configurable: true });
}

function normaliseBool(b: Uint8Array): void {
  for (let i = 0; i < b.length; i++) if (b[i]! > 1) b[i] = 1;
}
