/** Writes IDX bytes by hand for the tests (big-endian header and elements). */
const SIZES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

export function idxBytes(typeCode: number, shape: number[], values: ArrayLike<number>): Uint8Array {
  const size = SIZES[typeCode]!;
  const out = new Uint8Array(4 + 4 * shape.length + values.length * size);
  const v = new DataView(out.buffer);
  out[2] = typeCode;
  out[3] = shape.length;
  shape.forEach((s, d) => v.setUint32(4 + 4 * d, s, false));
  let at = 4 + 4 * shape.length;
  for (let i = 0; i < values.length; i++, at += size) {
    const x = values[i]!;
    if (typeCode === 0x08) v.setUint8(at, x);
    else if (typeCode === 0x09) v.setInt8(at, x);
    else if (typeCode === 0x0b) v.setInt16(at, x, false);
    else if (typeCode === 0x0c) v.setInt32(at, x, false);
    else if (typeCode === 0x0d) v.setFloat32(at, x, false);
    else v.setFloat64(at, x, false);
  }
  return out;
}

/** n MNIST-shaped images whose pixel (r, c) of image k is (k * 31 + r * 7 + c) % 256, and labels k % 10. */
export function mnistBytes(n: number, labelOf = (k: number) => k % 10): { images: Uint8Array; labels: Uint8Array; pixels: Uint8Array } {
  const pixels = new Uint8Array(n * 784);
  for (let k = 0; k < n; k++) for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) pixels[k * 784 + r * 28 + c] = (k * 31 + r * 7 + c) % 256;
  return {
    images: idxBytes(0x08, [n, 28, 28], pixels),
    labels: idxBytes(0x08, [n], Array.from({ length: n }, (_, k) => labelOf(k))),
    pixels,
  };
}
