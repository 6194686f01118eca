import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  loadFile, loadFileSync, loadNpy, loadNpyFile, loadNpyFileSync, loadSafetensors, saveFile, saveFileSync, saveNpy,
  saveNpyFile, saveNpyFileSync, saveSafetensors, tensor, Tensor, writeFileAtomic, writeFileAtomicSync, zeros, type DType,
} from '../src/index.js';

const FIX = join(import.meta.dirname, 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'cinder-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DTYPES: DType[] = ['float32', 'float64', 'int32', 'int64', 'bool', 'uint8', 'float16', 'bfloat16'];

/** A transposed (non-contiguous) view, built from the strides directly. */
function transposed(t: Tensor): Tensor {
  return t._view([t.shape[1]!, t.shape[0]!], [t.strides[1]!, t.strides[0]!], t.offset);
}

function sample(dtype: DType): Tensor {
  const vals = [0, 1, 2, 3, 4, 5].map((v) =>
    dtype === 'bool' ? v % 2 === 1 : dtype === 'uint8' ? v * 7 : dtype.includes('float') ? v * 0.5 - 1 : v * 7 - 3);
  return reshaped(tensor(vals as number[], { dtype }), [2, 3]);
}
function reshaped(t: Tensor, shape: number[]): Tensor {
  return t._view(shape, shape.length === 2 ? [shape[1]!, 1] : [1], 0);
}

/** Independently assembles a safetensors file from a header object and a data buffer. */
function rawSafetensors(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  test('round trip of every dtype, with metadata', () => {
    const ts: Record<string, Tensor> = {};
    for (const d of DTYPES) ts['t_' + d] = sample(d);
    ts.scalar = tensor(2.5, { dtype: 'float64' } as never);
    ts.empty = zeros([0, 4]);
    const bytes = saveSafetensors(ts, { metadata: { format: 'pt', note: 'ünïcode' } });
    const { tensors, metadata } = loadSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(ts).sort());
    for (const [k, t] of Object.entries(ts)) {
      expect(tensors[k]!.dtype).toBe(t.dtype);
      expect(tensors[k]!.shape).toEqual(t.shape);
      expect(tensors[k]!.toArray()).toEqual(t.toArray());
    }
  });

  test('layout follows the format: LE length, space-padded 8-aligned JSON, contiguous offsets', () => {
    const a = tensor([1, 2, 3], { dtype: 'float32' });
    const b = tensor([7, 8], { dtype: 'int64' });
    const bytes = saveSafetensors({ a, b }, { metadata: { k: 'v' } });
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.trimEnd().length).toBeLessThanOrEqual(n);
    expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
    const h = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    expect(h.__metadata__).toEqual({ k: 'v' });
    expect(h.a!.dtype).toBe('F32');
    expect(h.b!.dtype).toBe('I64');
    expect(h.a!.shape).toEqual([3]);
    const regions = [h.a!.data_offsets, h.b!.data_offsets].sort((x, y) => x[0] - y[0]);
    expect(regions[0]![0]).toBe(0);
    expect(regions[0]![1]).toBe(regions[1]![0]);
    expect(regions[1]![1]).toBe(bytes.length - 8 - n);
    const [ab, ae] = h.a!.data_offsets;
    const f = new Float32Array(bytes.slice(8 + n + ab, 8 + n + ae).buffer);
    expect([...f]).toEqual([1, 2, 3]);
  });

  test('accepts an ArrayBuffer; rejects other input', () => {
    const bytes = saveSafetensors({ a: tensor([1, 2], { dtype: 'int32' }) });
    expect(loadSafetensors(bytes.slice().buffer).tensors.a!.toArray()).toEqual([1, 2]);
    expect(() => loadSafetensors('x' as never)).toThrow(/expected a Uint8Array or an ArrayBuffer/);
    const npy = saveNpy(tensor([3, 4], { dtype: 'int32' }));
    expect(loadNpy(npy.slice().buffer).toArray()).toEqual([3, 4]);
    expect(() => loadNpy([1, 2] as never)).toThrow(/expected a Uint8Array or an ArrayBuffer/);
  });

  test('reads a file assembled independently', () => {
    const data = new Uint8Array(new Float64Array([1.5, -2, 3.25, 4]).buffer);
    const bytes = rawSafetensors({ w: { dtype: 'F64', shape: [2, 2], data_offsets: [0, 32] }, __metadata__: { a: 'b' } }, data);
    const { tensors, metadata } = loadSafetensors(bytes);
    expect(metadata).toEqual({ a: 'b' });
    expect(tensors.w!.dtype).toBe('float64');
    expect(tensors.w!.toArray()).toEqual([[1.5, -2], [3.25, 4]]);
  });

  test('non-contiguous tensors are saved by value', () => {
    const t = reshaped(tensor([0, 1, 2, 3, 4, 5], { dtype: 'float32' }), [2, 3]);
    const tt = transposed(t);
    expect(tt.isContiguous()).toBe(false);
    const back = loadSafetensors(saveSafetensors({ tt })).tensors.tt!;
    expect(back.shape).toEqual([3, 2]);
    expect(back.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  test('file round trip, async and sync; atomic write leaves no temporary files', async () => {
    const p = join(dir, 'm.safetensors');
    await saveFile(p, { x: tensor([1, 2, 3], { dtype: 'float32' }) }, { metadata: { v: '1' } });
    let r = await loadFile(p);
    expect(r.tensors.x!.toArray()).toEqual([1, 2, 3]);
    expect(r.metadata).toEqual({ v: '1' });
    saveFileSync(p, { y: tensor([4, 5], { dtype: 'int32' }) });
    r = loadFileSync(p);
    expect(Object.keys(r.tensors)).toEqual(['y']);
    expect(r.tensors.y!.toArray()).toEqual([4, 5]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a failed save never destroys the previous file', async () => {
    const p = join(dir, 'keep.safetensors');
    await saveFile(p, { x: tensor([1, 2], { dtype: 'float32' }) });
    const before = readFileSync(p);
    const disposed = tensor([1], { dtype: 'float32' });
    disposed.dispose();
    await expect(saveFile(p, { x: disposed })).rejects.toThrow(/disposed/);
    await expect(saveFile(join(dir, 'no-such-dir', 'f.safetensors'), { x: tensor([1]) })).rejects.toThrow();
    expect(readFileSync(p).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a failed rename leaves the target and no temporary file behind', async () => {
    const target = join(dir, 'occupied');
    mkdirSync(join(target, 'child'), { recursive: true });
    await expect(saveFile(target, { x: tensor([1]) })).rejects.toThrow();
    expect(() => saveFileSync(target, { x: tensor([1]) })).toThrow();
    expect(readdirSync(target)).toEqual(['child']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('an error in the middle of writing keeps the previous file', async () => {
    const p = join(dir, 'midway.bin');
    writeFileSync(p, 'previous');
    function* failing(): Generator<Uint8Array> {
      yield new Uint8Array(1 << 16).fill(7);
      throw new Error('simulated failure mid-write');
    }
    await expect(writeFileAtomic(p, failing() as unknown as Uint8Array[])).rejects.toThrow('simulated failure');
    expect(() => writeFileAtomicSync(p, failing() as unknown as Uint8Array[])).toThrow('simulated failure');
    expect(readFileSync(p, 'utf8')).toBe('previous');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await writeFileAtomic(p, [new Uint8Array([104, 105]), new Uint8Array([33])]);
    expect(readFileSync(p, 'utf8')).toBe('hi!');
  });

  test('save rejects bad input', () => {
    expect(() => saveSafetensors({ x: 3 as unknown as Tensor })).toThrow(/expected a Tensor/);
    expect(() => saveSafetensors({ x: tensor([1]) }, { metadata: { a: 1 as unknown as string } })).toThrow(/metadata value for "a" must be a string/);
    expect(() => saveSafetensors({ __metadata__: tensor([1]) })).toThrow(/reserved/);
  });

  describe('hostile or malformed input is a clear error', () => {
    const f32 = (n: number): Uint8Array => new Uint8Array(n * 4);
    const cases: [string, () => Uint8Array, RegExp][] = [
      ['too short', () => new Uint8Array(5), /too short/],
      ['header length beyond the file', () => {
        const b = rawSafetensors({});
        new DataView(b.buffer).setBigUint64(0, 1000n, true);
        return b;
      }, /larger than the file/],
      ['huge header length', () => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 0xffffffffffffn, true);
        return b;
      }, /exceeds the 100000000-byte limit/],
      ['invalid JSON', () => rawSafetensors(null, undefined, '{"a": '), /not valid JSON/],
      ['header not an object', () => rawSafetensors([1, 2]), /must be a JSON object/],
      ['unknown dtype', () => rawSafetensors({ a: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Uint8Array(16)), /unknown or unsupported dtype "F128"/],
      ['size mismatch', () => rawSafetensors({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2)), /span 8 bytes but shape \[3\] of F32 needs 12/],
      ['offsets out of range', () => rawSafetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(2)), /out of range/],
      ['end before begin', () => rawSafetensors({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, f32(2)), /end before they begin/],
      ['overlap', () => rawSafetensors({
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
      }, f32(3)), /overlaps/],
      ['hole', () => rawSafetensors({
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
      }, f32(3)), /hole in the data buffer/],
      ['trailing bytes', () => rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)), /trailing bytes/],
      ['negative size', () => rawSafetensors({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /non-negative integers/],
      ['fractional size', () => rawSafetensors({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 6] } }, new Uint8Array(6)), /non-negative integers/],
      ['negative offset', () => rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }), /data_offsets must be/],
      ['overflowing shape', () => rawSafetensors({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, f32(1)), /too many elements/],
      ['duplicate names', () => rawSafetensors(null, f32(1), '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'), /duplicate entry "a"/],
      ['truncated data', () => saveSafetensors({ a: tensor([1, 2, 3, 4], { dtype: 'float32' }) }).slice(0, -3), /out of range/],
      ['metadata value not a string', () => rawSafetensors({ __metadata__: { a: 1 } }), /__metadata__ value for "a" is not a string/],
      ['metadata not an object', () => rawSafetensors({ __metadata__: 'x' }), /__metadata__ must be an object/],
      ['entry not an object', () => rawSafetensors({ a: 3 }), /entry must be an object/],
    ];
    for (const [name, make, re] of cases) {
      test(name, async () => {
        const bytes = make();
        expect(() => loadSafetensors(bytes)).toThrow(re);
        // the file readers validate the same way before reading any tensor data
        const p = join(dir, 'bad.safetensors');
        writeFileSync(p, bytes);
        expect(() => loadFileSync(p)).toThrow(re);
        await expect(loadFile(p)).rejects.toThrow(re);
      });
    }
  });

  test('BOOL bytes other than 0/1 read as true', () => {
    const bytes = rawSafetensors({ b: { dtype: 'BOOL', shape: [3], data_offsets: [0, 3] } }, new Uint8Array([0, 2, 255]));
    const t = loadSafetensors(bytes).tensors.b!;
    expect(t.toArray()).toEqual([false, true, true]);
    expect([...t.data()]).toEqual([0, 1, 1]);
  });

  test('a tensor named __proto__ is an ordinary entry', () => {
    const data = new Uint8Array(new Float32Array([9]).buffer);
    const { tensors } = loadSafetensors(rawSafetensors(null, data, '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'));
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect((Object.getOwnPropertyDescriptor(tensors, '__proto__')!.value as Tensor).toArray()).toEqual([9]);
  });

  test('file loading of every dtype, including zero-size and bool', async () => {
    const ts: Record<string, Tensor> = {};
    for (const d of DTYPES) ts[d] = sample(d);
    ts.empty = zeros([3, 0]);
    const p = join(dir, 'all.safetensors');
    await saveFile(p, ts);
    expect(readFileSync(p).equals(Buffer.from(saveSafetensors(ts)))).toBe(true);
    for (const r of [await loadFile(p), loadFileSync(p)]) {
      for (const [k, t] of Object.entries(ts)) {
        expect(r.tensors[k]!.dtype).toBe(t.dtype);
        expect(r.tensors[k]!.shape).toEqual(t.shape);
        expect(r.tensors[k]!.toArray()).toEqual(t.toArray());
      }
    }
  });
});

describe('npy', () => {
  const load = (name: string): Tensor => loadNpy(readFileSync(join(FIX, name + '.npy')));
  const base = [[0, 1, 2], [3, 4, 5]];
  const map = (f: (v: number) => number | boolean): unknown => base.map((r) => r.map(f));

  test('reads NumPy-written files of every supported dtype', () => {
    const expectT = (name: string, dtype: DType, values: unknown): void => {
      const t = load(name);
      expect(t.dtype, name).toBe(dtype);
      expect(t.shape, name).toEqual([2, 3]);
      expect(t.toArray(), name).toEqual(values);
    };
    expectT('f4', 'float32', map((v) => v * 1.5));
    expectT('f8', 'float64', map((v) => v - 2.25));
    expectT('i4', 'int32', map((v) => v - 3));
    expectT('i8', 'int64', map((v) => v * 1e12));
    expectT('b1', 'bool', map((v) => v % 2 === 0));
    expectT('u1', 'uint8', map((v) => v * 40));
    expectT('f2', 'float16', map((v) => v * 0.5));
    expectT('be_f4', 'float32', map((v) => v * 1.25));
    expectT('be_f8', 'float64', map((v) => v * -0.75));
    expectT('be_i4', 'int32', map((v) => v - 4));
    expectT('be_i8', 'int64', map((v) => -v * 1e11 || 0));
    expectT('v2', 'float32', map((v) => v + 0.5));
    expectT('v3', 'float32', map((v) => v + 0.5));
  });

  test('the file readers agree with loadNpy on every fixture', async () => {
    for (const f of readdirSync(FIX).filter((x) => x.endsWith('.npy') && x !== 'object.npy')) {
      const want = loadNpy(readFileSync(join(FIX, f)));
      for (const got of [loadNpyFileSync(join(FIX, f)), await loadNpyFile(join(FIX, f))]) {
        expect(got.dtype, f).toBe(want.dtype);
        expect(got.shape, f).toEqual(want.shape);
        expect(got.toArray(), f).toEqual(want.toArray());
      }
    }
  });

  test('fortran_order loads with the right values', () => {
    const t = load('fortran');
    expect(t.shape).toEqual([2, 3, 4]);
    let k = 0;
    const want = [0, 1].map(() => [0, 1, 2].map(() => [0, 1, 2, 3].map(() => k++)));
    expect(t.toArray()).toEqual(want);
  });

  test('0-d and zero-size arrays', () => {
    const s = load('scalar');
    expect(s.shape).toEqual([]);
    expect(s.dtype).toBe('float64');
    expect(s.item()).toBe(3.5);
    const e = load('empty');
    expect(e.shape).toEqual([0, 3]);
    expect(e.numel()).toBe(0);
    const rs = loadNpy(saveNpy(s));
    expect(rs.shape).toEqual([]);
    expect(rs.item()).toBe(3.5);
    expect(loadNpy(saveNpy(e)).shape).toEqual([0, 3]);
  });

  test('saveNpy writes the bytes NumPy writes', () => {
    const t = reshaped(tensor([0, 1.5, 3, 4.5, 6, 7.5], { dtype: 'float32' }), [2, 3]);
    expect(Buffer.from(saveNpy(t)).equals(readFileSync(join(FIX, 'f4.npy')))).toBe(true);
    const b = reshaped(tensor([true, false, true, false, true, false]), [2, 3]);
    expect(Buffer.from(saveNpy(b)).equals(readFileSync(join(FIX, 'b1.npy')))).toBe(true);
    expect(Buffer.from(saveNpy(load('scalar'))).equals(readFileSync(join(FIX, 'scalar.npy')))).toBe(true);
  });

  test('round trip of every NumPy dtype, non-contiguous input, header alignment', () => {
    for (const d of DTYPES.filter((x) => x !== 'bfloat16')) {
      const t = sample(d);
      const bytes = saveNpy(t);
      const hl = new DataView(bytes.buffer).getUint16(8, true);
      expect((10 + hl) % 64).toBe(0);
      const back = loadNpy(bytes);
      expect(back.dtype).toBe(d);
      expect(back.toArray()).toEqual(t.toArray());
      const tt = transposed(t);
      expect(loadNpy(saveNpy(tt)).toArray()).toEqual(tt.toArray());
    }
    expect(() => saveNpy(sample('bfloat16'))).toThrow(/NumPy has no bfloat16 dtype/);
  });

  test('a header too long for format 1.0 is written as 2.0', () => {
    const shape = new Array<number>(25000).fill(1);
    const t = tensor([5], { dtype: 'float32' })._view(shape, shape.map(() => 1), 0);
    const bytes = saveNpy(t);
    expect(bytes[6]).toBe(2);
    const back = loadNpy(bytes);
    expect(back.shape.length).toBe(25000);
    expect(back.data()[0]).toBe(5);
  });

  test('file variants', async () => {
    const p = join(dir, 'a.npy');
    await saveNpyFile(p, tensor([1, 2, 3], { dtype: 'int32' }));
    expect((await loadNpyFile(p)).toArray()).toEqual([1, 2, 3]);
    saveNpyFileSync(p, tensor([4.5], { dtype: 'float64' }));
    expect(loadNpyFileSync(p).toArray()).toEqual([4.5]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  describe('malformed files are clear errors', () => {
    const good = (): Uint8Array => new Uint8Array(readFileSync(join(FIX, 'f4.npy')));
    const withHeader = (dict: string, data = new Uint8Array(0)): Uint8Array => {
      const h = dict + '\n';
      const out = new Uint8Array(10 + h.length + data.length);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
      new DataView(out.buffer).setUint16(8, h.length, true);
      for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
      out.set(data, 10 + h.length);
      return out;
    };
    const cases: [string, () => Uint8Array, RegExp][] = [
      ['bad magic', () => { const b = good(); b[1] = 0x41; return b; }, /bad magic/],
      ['unknown version', () => { const b = good(); b[6] = 9; return b; }, /unsupported \.npy format version 9\.0/],
      ['truncated header', () => good().slice(0, 40), /larger than the file/],
      ['truncated data', () => good().slice(0, -5), /data truncated/],
      ['extra data', () => { const g = good(); const b = new Uint8Array(g.length + 4); b.set(g); return b; }, /data size mismatch/],
      ['object arrays', () => new Uint8Array(readFileSync(join(FIX, 'object.npy'))), /unsupported dtype '\|O'/],
      ['bad header dict', () => withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,"), /malformed header/],
      ['header not a dict', () => withHeader('[1, 2]'), /header is not a dict/],
      ['missing shape', () => withHeader("{'descr': '<f4', 'fortran_order': False}"), /'shape' must be a tuple/],
      ['negative shape', () => withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}"), /'shape' must be a tuple of non-negative integers/],
      ['structured dtype', () => withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}"), /structured arrays are not supported/],
      ['unsupported dtype', () => withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", new Uint8Array(8)), /unsupported dtype '<c8'/],
      ['fortran_order not a bool', () => withHeader("{'descr': '<f4', 'fortran_order': 1, 'shape': (1,)}"), /fortran_order/],
      ['huge shape', () => withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000000, 1000000)}"), /too many elements|data truncated/],
      ['shape/data mismatch', () => withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}", new Uint8Array(8)), /needs 12 bytes, the file has 8/],
    ];
    for (const [name, make, re] of cases) {
      test(name, async () => {
        const bytes = make();
        expect(() => loadNpy(bytes)).toThrow(re);
        const p = join(dir, 'bad.npy');
        writeFileSync(p, bytes);
        expect(() => loadNpyFileSync(p)).toThrow(re);
        await expect(loadNpyFile(p)).rejects.toThrow(re);
      });
    }
  });
});

test('the fixtures are present', () => {
  expect(readdirSync(FIX).filter((f) => f.endsWith('.npy')).length).toBeGreaterThanOrEqual(17);
});
