/** The IDX reader: every element type, gzip, and corrupt input. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIdx, readIdxFile, readIdxHeader } from '../src/index.js';
import { idxBytes } from './support/idx.js';

const dir = mkdtempSync(join(tmpdir(), 'cinder-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseIdx', () => {
  it('reads every element type, big-endian, into its dtype', () => {
    const cases: [number, string, number[]][] = [
      [0x08, 'uint8', [0, 7, 255, 128, 1, 2]],
      [0x09, 'int32', [-128, -1, 0, 1, 127, 5]],
      [0x0b, 'int32', [-32768, -2, 0, 300, 32767, 9]],
      [0x0c, 'int32', [-(2 ** 31), -70000, 0, 70000, 2 ** 31 - 1, 3]],
      [0x0d, 'float32', [-1.5, 0, 0.25, Math.fround(3e10), -7, 1]],
      [0x0e, 'float64', [-1e-300, 0, Math.PI, 1e300, -7, 1]],
    ];
    for (const [code, dtype, values] of cases) {
      const t = parseIdx(idxBytes(code, [2, 3], values));
      expect(t.dtype, `type 0x${code.toString(16)}`).toBe(dtype);
      expect(t.shape).toEqual([2, 3]);
      expect((t.toArray() as number[][]).flat()).toEqual(values);
    }
  });

  it('reads gzip data by its signature, and files from disk', () => {
    const bytes = idxBytes(0x08, [4], [1, 2, 3, 4]);
    expect(parseIdx(gzipSync(bytes)).toArray()).toEqual([1, 2, 3, 4]);
    writeFileSync(join(dir, 'a.idx'), gzipSync(bytes));
    writeFileSync(join(dir, 'b'), bytes);
    expect(readIdxFile(join(dir, 'a.idx')).toArray()).toEqual([1, 2, 3, 4]);
    expect(readIdxFile(join(dir, 'b')).toArray()).toEqual([1, 2, 3, 4]);
    expect(readIdxHeader(bytes)).toMatchObject({ magic: 0x0801, typeCode: 8, typeName: 'unsigned byte', dtype: 'uint8', shape: [4], dataOffset: 8 });
  });

  it('explains corrupt and truncated data', () => {
    const ok = idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(() => parseIdx(ok.subarray(0, 3))).toThrow(/IDX data: truncated IDX header: 3 bytes, expected at least 4/);
    expect(() => parseIdx(ok.subarray(0, 9))).toThrow(/truncated IDX header: 2 dims need 12 header bytes, the data has 9/);
    expect(() => parseIdx(ok.subarray(0, 15))).toThrow(/truncated IDX data: shape \[2, 3\] of unsigned bytes needs 6 bytes after the header, found 3/);
    expect(() => parseIdx(new Uint8Array([...ok, 0, 0]))).toThrow(/2 unexpected bytes after the IDX data of shape \[2, 3\]/);
    const badMagic = ok.slice();
    badMagic[0] = 0x50;
    expect(() => parseIdx(badMagic)).toThrow(/not an IDX file: magic number 0x50000802 does not start with two zero bytes/);
    const badType = ok.slice();
    badType[2] = 0x0a;
    expect(() => parseIdx(badType)).toThrow(/unknown IDX element type 0x0a/);
    const zeroDims = new Uint8Array([0, 0, 8, 0]);
    expect(() => parseIdx(zeroDims)).toThrow(/declares 0 dims/);
    const huge = idxBytes(0x08, [65536, 65536, 2], []);
    expect(() => parseIdx(huge)).toThrow(/implausibly large/);
    const gz = gzipSync(ok);
    expect(() => parseIdx(gz.subarray(0, gz.length - 6))).toThrow(/IDX data: corrupt or truncated gzip data/);
    writeFileSync(join(dir, 'short'), ok.subarray(0, 14));
    expect(() => readIdxFile(join(dir, 'short'))).toThrow(new RegExp(`${join(dir, 'short')}: truncated IDX data`));
  });
});
