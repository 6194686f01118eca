/** dtypes, their native codes, typed-array views, and PyTorch's type promotion. */

export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'uint8' | 'float16' | 'bfloat16';
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'bool', 'uint8', 'float16', 'bfloat16'];

/** Codes shared with the native core (native/src/core/dtype.h). */
export const DTYPE_CODE: Readonly<Record<DType, number>> = {
  float32: 0, float64: 1, int32: 2, int64: 3, bool: 4, uint8: 5, float16: 6, bfloat16: 7,
};

export const ITEM_SIZE: Readonly<Record<DType, number>> = {
  float32: 4, float64: 8, int32: 4, int64: 8, bool: 1, uint8: 1, float16: 2, bfloat16: 2,
};

/** The typed array that `data()` returns for each dtype (float16/bfloat16: raw Uint16 bits). */
export type TypedArray =
  | Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array;

export const TYPED_ARRAY: Readonly<Record<DType, { new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray; new (length: number): TypedArray }>> = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array,
  bool: Uint8Array, uint8: Uint8Array, float16: Uint16Array, bfloat16: Uint16Array,
};

export function isFloatingDType(d: DType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}
export function isIntegralDType(d: DType, includeBool = false): boolean {
  return d === 'int32' || d === 'int64' || d === 'uint8' || (includeBool && d === 'bool');
}

export function checkDType(d: unknown, op: string): DType {
  if (typeof d === 'string' && (DTYPES as readonly string[]).includes(d)) return d as DType;
  throw new TypeError(`${op}: unknown dtype ${JSON.stringify(d)} (expected one of ${DTYPES.join(', ')})`);
}

// Category order used by promotion: bool < integral < floating.
function category(d: DType): number {
  return d === 'bool' ? 0 : isFloatingDType(d) ? 2 : 1;
}

const PROMOTE: Record<string, DType> = {};
{
  // PyTorch's promotion lattice for tensor-tensor operations.
  const order: DType[] = ['bool', 'uint8', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64'];
  for (const a of order) {
    for (const b of order) {
      let r: DType;
      if (a === b) r = a;
      else if (a === 'bool') r = b;
      else if (b === 'bool') r = a;
      else if ((a === 'float16' && b === 'bfloat16') || (a === 'bfloat16' && b === 'float16')) r = 'float32';
      else if (isFloatingDType(a) && !isFloatingDType(b)) r = a;
      else if (isFloatingDType(b) && !isFloatingDType(a)) r = b;
      else r = order.indexOf(a) > order.indexOf(b) ? a : b;
      PROMOTE[a + ',' + b] = r;
    }
  }
}

/** torch.promote_types. */
export function promoteTypes(a: DType, b: DType): DType {
  return PROMOTE[a + ',' + b]!;
}

/** The dtype a JS scalar takes when it stands alone as a tensor. */
export function scalarDType(v: number | boolean | bigint): DType {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int64';
  return Number.isInteger(v) ? 'int64' : 'float32';
}

/**
 * Result dtype of an op mixing a tensor with a JS scalar (a "wrapped number" in PyTorch): the
 * scalar only matters when it is of a higher category than the tensor.
 */
export function promoteWithScalar(t: DType, v: number | boolean | bigint, defaultFloat: DType = 'float32'): DType {
  const sc = typeof v === 'boolean' ? 0 : typeof v === 'bigint' || Number.isInteger(v) ? 1 : 2;
  if (sc <= category(t)) return t;
  return sc === 2 ? defaultFloat : 'int64';
}

/** Promotion over several operands (tensor dtypes, or scalars as wrapped numbers). */
export function resultType(dtypes: readonly DType[], scalars: readonly (number | boolean | bigint)[] = []): DType {
  let r: DType | undefined;
  for (const d of dtypes) r = r === undefined ? d : promoteTypes(r, d);
  if (r === undefined) {
    r = scalarDType(scalars[0] ?? 0);
    if (r === 'float32' && scalars.length) r = 'float32';
    for (const s of scalars.slice(1)) r = promoteTypes(r, scalarDType(s));
    return r;
  }
  for (const s of scalars) r = promoteWithScalar(r, s);
  return r;
}

let defaultFloat: DType = 'float32';
/** torch.set_default_dtype: the dtype of float tensors made from JS numbers. */
export function setDefaultDType(d: DType): void {
  if (d !== 'float32' && d !== 'float64') throw new TypeError(`setDefaultDType: only float32 or float64 may be the default, got ${d}`);
  defaultFloat = d;
}
export function getDefaultDType(): DType {
  return defaultFloat;
}
