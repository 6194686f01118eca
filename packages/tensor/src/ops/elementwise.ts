/**
 * The elementwise op family: arithmetic, comparisons, logical ops, unary math and special
 * functions, clamp/lerp/where, each a function, a Tensor method and (where the result dtype can be
 * the input's) an in-place `_` method.
 *
 * dtypes follow PyTorch: operands promote as dimensioned tensors > 0-d tensors > JS numbers
 * ("wrapped numbers": `intTensor.mul(2.5)` is float32, `floatTensor.add(1)` stays float); float
 * math on integer tensors gives the default float dtype; float16/bfloat16 compute in float32.
 * A JS number operand travels through the call frame as a number, never as a tensor.
 *
 * Dispatch convention: `inputs` holds the tensor operands in order; a number operand is recorded
 * in attrs as `self` (first operand) or `other` (second), next to the op's own attributes (where:
 * inputs [cond, ...tensors], numbers as self/other; lerp: numbers as end/weight; clamp: attrs
 * { min, max }, numbers or tensors, null when absent).
 */
import { kernels, native } from '@cinder/native';
import { dispatchLayer } from '../dispatch.js';
import { DTYPE_CODE, getDefaultDType, isFloatingDType, promoteTypes, promoteWithScalar, type DType } from '../dtype.js';
import { checkSameDevice, deviceIndex, type Device } from '../device.js';
import { frame, putOutput, putTensor, takeOutput } from '../frame.js';
import { broadcastShapes, sameShape, shapeString } from '../shape.js';
import { Tensor } from '../tensor.js';
import { scalarTensor } from '../creation.js';

/** A tensor operand, or a JS number/boolean standing for one (a PyTorch "wrapped number"). */
export type TensorOrScalar = Tensor | number | boolean;

const codes = native as unknown as {
  unaryOps: Record<string, number>;
  binaryOps: Record<string, number>;
  ternaryOps: Record<string, number>;
};
const UN = codes.unaryOps;
const BIN = codes.binaryOps;
const TER = codes.ternaryOps;

// Op names by code, for error messages of the device checks.
const namesOf = (m: Record<string, number>): string[] => {
  const r: string[] = [];
  for (const k of Object.keys(m)) r[m[k]!] = k;
  return r;
};
const BIN_NAMES = namesOf(BIN);
const TER_NAMES = namesOf(TER);

// The CUDA entry points take the device index; the operand layout in the frame is the CPU one.
const cudaEw = kernels as unknown as Record<'cudaEwUnary' | 'cudaEwBinary' | 'cudaEwTernary', (device: number) => void>;

/**
 * Where an elementwise op runs: 'cpu', or the CUDA device its dimensioned tensor operands are on.
 * As in PyTorch, a 0-d CPU tensor mixes with tensors of any device: next to CUDA operands it is
 * read as a number (its dtype still takes part in type promotion as a 0-d tensor's does). Numbers
 * go along as values. Mixing devices otherwise is an error naming both.
 */
function ewDevice(name: string, a: TensorOrScalar, b?: TensorOrScalar, c?: TensorOrScalar): Device {
  let d = operandDevice(undefined, name, a);
  d = operandDevice(d, name, b);
  d = operandDevice(d, name, c);
  return d ?? 'cpu';
}

function operandDevice(d: Device | undefined, name: string, v: TensorOrScalar | undefined): Device | undefined {
  if (!(v instanceof Tensor)) return d;
  const e = v._st.device;
  if (e === 'cpu' && v.shape.length === 0) return d;
  if (d === undefined || e === d) return e;
  checkSameDevice(name, [{ device: d }, { device: e }]);
  return d;
}

/** Whether operand v goes to a kernel on `dev` as a number: a 0-d CPU tensor next to CUDA operands. */
function isHostScalarOn(dev: Device, v: TensorOrScalar): v is Tensor {
  return dev !== 'cpu' && v instanceof Tensor && v._st.device === 'cpu';
}
const ewUnary = kernels.ewUnary!;
const ewBinary = kernels.ewBinary!;
const ewTernary = kernels.ewTernary!;

// ---- helpers other families can use ------------------------------------------------------------

const TORCH_NAME: Record<DType, string> = {
  float32: 'Float', float64: 'Double', int32: 'Int', int64: 'Long', bool: 'Bool', uint8: 'Byte', float16: 'Half',
  bfloat16: 'BFloat16',
};

/** torch.can_cast: no float -> integral, no non-bool -> bool. */
export function canCast(from: DType, to: DType): boolean {
  if (isFloatingDType(from) && !isFloatingDType(to)) return false;
  if (from !== 'bool' && to === 'bool') return false;
  return true;
}

/** The error PyTorch raises when an in-place (or out=) result cannot be stored. */
export function castError(op: string, result: DType, out: DType): Error {
  return new TypeError(`${op}: result type ${TORCH_NAME[result]} can't be cast to the desired output type ${TORCH_NAME[out]}`);
}

/** The dtype a JS number takes as a wrapped number (bool, int64, or the default float dtype). */
export function wrappedDType(v: number | boolean): DType {
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) ? 'int64' : getDefaultDType();
}

function combineTiers(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher === undefined) return lower;
  if (lower === undefined) return higher;
  if (isFloatingDType(higher)) return higher;
  if (higher === 'bool' || isFloatingDType(lower)) return promoteTypes(higher, lower);
  return higher;
}

/**
 * PyTorch's result type over tensors and numbers: dimensioned tensors decide, unless 0-d tensors
 * or numbers belong to a higher category (bool < integral < floating). null/undefined are skipped.
 */
export function resultTypeOf(operands: readonly (TensorOrScalar | null | undefined)[]): DType {
  let dim: DType | undefined;
  let zero: DType | undefined;
  let wrapped: DType | undefined;
  for (const o of operands) {
    if (o === undefined || o === null) continue;
    if (o instanceof Tensor) {
      if (o.shape.length === 0) zero = zero === undefined ? o.dtype : promoteTypes(zero, o.dtype);
      else dim = dim === undefined ? o.dtype : promoteTypes(dim, o.dtype);
    } else {
      const d = wrappedDType(o);
      wrapped = wrapped === undefined ? d : promoteTypes(wrapped, d);
    }
  }
  return combineTiers(dim, combineTiers(zero, wrapped)) ?? getDefaultDType();
}

/**
 * A tensor for an operand that may be a JS number: tensors pass through, numbers become 0-d
 * tensors of `dtype` (by default their wrapped-number dtype) on `device` (by default the CPU).
 */
export function toTensor(v: TensorOrScalar, dtype?: DType, op = 'toTensor', device: Device = 'cpu'): Tensor {
  if (v instanceof Tensor) return v;
  checkScalar(v, op, 'operand');
  return scalarTensor(v, dtype ?? wrappedDType(v), device);
}

function checkScalar(v: unknown, op: string, what: string): void {
  if (typeof v !== 'number' && typeof v !== 'boolean') {
    throw new TypeError(`${op}: expected a Tensor or a number as ${what}, got ${v === null ? 'null' : typeof v}`);
  }
}

function checkTensor(x: unknown, op: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
}

/** Compute dtype for a result dtype: float16/bfloat16 compute in float32. */
function computeOf(d: DType): DType {
  return d === 'float16' || d === 'bfloat16' ? 'float32' : d;
}

/** An in-place write into an expanded (stride-0) view would race between elements: refuse it. */
export function checkWritable(op: string, t: Tensor): void {
  const sh = t.shape;
  const st = t.strides;
  for (let i = 0; i < sh.length; i++) {
    if (st[i] === 0 && sh[i]! > 1) {
      throw new Error(
        `${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory ` +
          'location. Please clone() the tensor before performing the operation.',
      );
    }
  }
}

function inplaceShapeError(op: string, out: readonly number[], shape: readonly number[]): Error {
  return new RangeError(`${op}: output with shape ${shapeString(out)} doesn't match the broadcast shape ${shapeString(shape)}`);
}

// ---- binary ------------------------------------------------------------------------------------

// Writes an operand (kind, then tensor or number) at p for a kernel on `dev`; returns the position
// after it. A 0-d CPU tensor next to CUDA operands is written as the number it holds.
function putOperand(p: number, v: TensorOrScalar, dev: Device): number {
  if (v instanceof Tensor) {
    if (isHostScalarOn(dev, v)) {
      frame[p] = 1;
      frame[p + 1] = +(v.item() as number);
      return p + 2;
    }
    frame[p] = 0;
    return putTensor(p + 1, v);
  }
  frame[p] = 1;
  frame[p + 1] = +v;
  return p + 2;
}

function binaryShape(op: string, a: TensorOrScalar, b: TensorOrScalar): readonly number[] {
  if (a instanceof Tensor) {
    if (b instanceof Tensor) return sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
    return a.shape;
  }
  return (b as Tensor).shape;
}

function binaryResult(a: TensorOrScalar, b: TensorOrScalar): DType {
  if (a instanceof Tensor) {
    if (b instanceof Tensor) {
      if (a.dtype === b.dtype) return a.dtype;
      if ((a.shape.length === 0) === (b.shape.length === 0)) return promoteTypes(a.dtype, b.dtype);
      return resultTypeOf([a, b]);
    }
    return promoteWithScalar(a.dtype, b, getDefaultDType());
  }
  return promoteWithScalar((b as Tensor).dtype, a, getDefaultDType());
}

function runBinary(
  code: number, a: TensorOrScalar, b: TensorOrScalar, shape: readonly number[], cdt: DType, odt: DType,
  alpha: number, inplace: boolean,
): Tensor {
  frame[0] = code;
  frame[1] = alpha;
  frame[2] = DTYPE_CODE[cdt];
  const dev = ewDevice(BIN_NAMES[code]!, a, b);
  let p = putOperand(3, a, dev);
  p = putOperand(p, b, dev);
  if (inplace) {
    // The written tensor must be on the op's device (a 0-d CPU tensor cannot take a CUDA result).
    if ((a as Tensor)._st.device !== dev) checkSameDevice(BIN_NAMES[code]!, [a as Tensor, { device: dev }]);
    frame[p] = 1;
    putTensor(p + 1, a as Tensor);
    if (dev === 'cpu') ewBinary();
    else cudaEw.cudaEwBinary(deviceIndex(dev));
    (a as Tensor)._st.version++;
    return a as Tensor;
  }
  frame[p] = 0;
  putOutput(p + 1, odt, shape);
  if (dev === 'cpu') ewBinary();
  else cudaEw.cudaEwBinary(deviceIndex(dev));
  return takeOutput(0, odt, shape, dev);
}

function tensorsOf(a: TensorOrScalar, b: TensorOrScalar): Tensor[] {
  const r: Tensor[] = [];
  if (a instanceof Tensor) r.push(a);
  if (b instanceof Tensor) r.push(b);
  return r;
}

/** Kinds of binary op, by how their result and compute dtypes follow from the promoted dtype. */
const enum BKind {
  /** result = promoted (add, mul, maximum...) */
  Same,
  /** result = promoted, made floating when integral (true division, atan2) */
  Float,
  /** result bool, computed in the promoted dtype (comparisons, logical ops) */
  Pred,
}

const NO_ATTRS: Readonly<Record<string, unknown>> = Object.freeze({});

// Frame writer of the common case: two tensor operands into a fresh output. Same layout as
// runBinary's, without the operand-kind tests.
function runBinaryTT(code: number, a: Tensor, b: Tensor, shape: readonly number[], dt: DType, alpha: number): Tensor {
  const dcode = DTYPE_CODE[dt];
  frame[0] = code;
  frame[1] = alpha;
  frame[2] = dcode;
  frame[3] = 0;
  let p = putTensor(4, a);
  frame[p] = 0;
  p = putTensor(p + 1, b);
  frame[p] = 0;
  frame[p + 1] = dcode;
  const nd = shape.length;
  frame[p + 2] = nd;
  p += 3;
  for (let i = 0; i < nd; i++) frame[p + i] = shape[i]!;
  const dev = a._st.device;
  if (dev === 'cpu' && b._st.device === 'cpu') {
    ewBinary();
    return takeOutput(0, dt, shape);
  }
  // Mixed devices: the general path (a 0-d CPU operand goes along as a number) or its error.
  if (b._st.device !== dev) return runBinary(code, a, b, shape, dt, dt, alpha, false);
  cudaEw.cudaEwBinary(deviceIndex(dev));
  return takeOutput(0, dt, shape, dev);
}

function binary(
  op: string, code: number, kind: BKind, a: TensorOrScalar, b: TensorOrScalar, alpha: number, inplace: boolean,
  attrs: Record<string, unknown> | undefined,
): Tensor {
  // Two tensors of one compute dtype and one shape, into a new tensor of that dtype: no promotion
  // or broadcasting to work out (the general path below would reach the same dtypes and shape).
  if (!inplace && kind === BKind.Same && a instanceof Tensor && b instanceof Tensor) {
    const dt = a.dtype;
    if (dt === b.dtype && dt !== 'float16' && dt !== 'bfloat16' && sameShape(a.shape, b.shape)) {
      const shape = a.shape;
      const layer = dispatchLayer();
      if (layer === null) return runBinaryTT(code, a, b, shape, dt, alpha);
      return layer.call(op, [a, b], attrs ?? NO_ATTRS, () => runBinaryTT(code, a, b, shape, dt, alpha));
    }
  }
  const aT = a instanceof Tensor;
  const bT = b instanceof Tensor;
  if (!aT) {
    if (inplace) checkTensor(a, op);
    checkScalar(a, op, 'input');
    if (!bT) throw new TypeError(`${op}: expected at least one Tensor operand, got ${typeof a} and ${typeof b}`);
  } else if (!bT) checkScalar(b, op, 'other');
  let rdt = binaryResult(a, b);
  if (kind === BKind.Float && !isFloatingDType(rdt)) rdt = getDefaultDType();
  const cdt = computeOf(rdt);
  const odt: DType = kind === BKind.Pred ? 'bool' : rdt;
  const shape = binaryShape(op, a, b);
  if (inplace) {
    const x = a as Tensor;
    if (shape !== x.shape && !sameShape(shape, x.shape)) throw inplaceShapeError(op, x.shape, shape);
    if (!canCast(odt, x.dtype)) throw castError(op, odt, x.dtype);
    checkWritable(op, x);
  }
  const layer = dispatchLayer();
  if (layer === null) return runBinary(code, a, b, shape, cdt, odt, alpha, inplace);
  let at: Readonly<Record<string, unknown>> = attrs ?? NO_ATTRS;
  if (!aT || !bT) {
    const own: Record<string, unknown> = { ...attrs };
    if (!aT) own.self = a;
    if (!bT) own.other = b;
    at = own;
  }
  return layer.call(op, tensorsOf(a, b), at, () => runBinary(code, a, b, shape, cdt, odt, alpha, inplace));
}

const ADD = BIN.add!, SUB = BIN.sub!, MUL = BIN.mul!, DIV = BIN.div!, DIV_TRUNC = BIN.divTrunc!, DIV_FLOOR = BIN.divFloor!;

function checkAlpha(op: string, a: TensorOrScalar, b: TensorOrScalar, alpha: number): void {
  if (typeof alpha !== 'number') throw new TypeError(`${op}: alpha must be a number, got ${typeof alpha}`);
  if (!Number.isInteger(alpha) && !isFloatingDType(binaryResult(a, b))) {
    throw new TypeError(`${op}: for integral input tensors, argument alpha must not be a floating point number`);
  }
}

function addImpl(op: string, a: TensorOrScalar, b: TensorOrScalar, opts: { alpha?: number } | undefined, inplace: boolean): Tensor {
  const alpha = opts?.alpha ?? 1;
  if (alpha !== 1) checkAlpha(op, a, b, alpha);
  return binary(op, ADD, BKind.Same, a, b, alpha, inplace, alpha !== 1 ? { alpha } : undefined);
}

function subImpl(op: string, a: TensorOrScalar, b: TensorOrScalar, opts: { alpha?: number } | undefined, inplace: boolean): Tensor {
  const alpha = opts?.alpha ?? 1;
  if (alpha !== 1) checkAlpha(op, a, b, alpha);
  const aBool = a instanceof Tensor ? a.dtype === 'bool' : typeof a === 'boolean';
  const bBool = b instanceof Tensor ? b.dtype === 'bool' : typeof b === 'boolean';
  if (aBool && bBool) {
    throw new TypeError(`${op}: subtraction, the \`-\` operator, with two bool tensors is not supported; use logicalXor() instead`);
  }
  return binary(op, SUB, BKind.Same, a, b, alpha, inplace, alpha !== 1 ? { alpha } : undefined);
}

export type RoundingMode = 'trunc' | 'floor';

function divImpl(op: string, a: TensorOrScalar, b: TensorOrScalar, opts: { roundingMode?: RoundingMode | null } | undefined, inplace: boolean): Tensor {
  const mode = opts?.roundingMode;
  if (mode === undefined || mode === null) return binary(op, DIV, BKind.Float, a, b, 1, inplace, undefined);
  if (mode === 'trunc') return binary(op, DIV_TRUNC, BKind.Same, a, b, 1, inplace, { roundingMode: mode });
  if (mode === 'floor') return binary(op, DIV_FLOOR, BKind.Same, a, b, 1, inplace, { roundingMode: mode });
  throw new RangeError(`${op}: expected roundingMode to be one of undefined, 'trunc' or 'floor' but found '${String(mode)}'`);
}

function powImpl(op: string, a: TensorOrScalar, b: TensorOrScalar, inplace: boolean): Tensor {
  if (typeof b === 'number' && b < 0 && Number.isInteger(b) && a instanceof Tensor && !isFloatingDType(a.dtype)) {
    throw new RangeError(`${op}: integers to negative integer powers are not allowed (base dtype ${a.dtype}, exponent ${b})`);
  }
  return binary(op, BIN.pow!, BKind.Same, a, b, 1, inplace, undefined);
}

export function add(a: TensorOrScalar, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  return addImpl('add', a, b, opts, false);
}
export function sub(a: TensorOrScalar, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  return subImpl('sub', a, b, opts, false);
}
export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('mul', MUL, BKind.Same, a, b, 1, false, undefined);
}
/** True division (integers give floats), or rounded with `{ roundingMode: 'trunc' | 'floor' }`. */
export function div(a: TensorOrScalar, b: TensorOrScalar, opts?: { roundingMode?: RoundingMode | null }): Tensor {
  return divImpl('div', a, b, opts, false);
}
/** torch.floor_divide: div with roundingMode 'floor'. */
export function floorDivide(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('floorDivide', DIV_FLOOR, BKind.Same, a, b, 1, false, undefined);
}
/** Python's modulus: the result has the sign of the divisor. */
export function remainder(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('remainder', BIN.remainder!, BKind.Same, a, b, 1, false, undefined);
}
/** C's fmod: the result has the sign of the dividend. */
export function fmod(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('fmod', BIN.fmod!, BKind.Same, a, b, 1, false, undefined);
}
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return powImpl('pow', a, b, false);
}
export function atan2(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('atan2', BIN.atan2!, BKind.Float, a, b, 1, false, undefined);
}
/** Elementwise maximum; NaN in either operand gives NaN. */
export function maximum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('maximum', BIN.maximum!, BKind.Same, a, b, 1, false, undefined);
}
/** Elementwise minimum; NaN in either operand gives NaN. */
export function minimum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('minimum', BIN.minimum!, BKind.Same, a, b, 1, false, undefined);
}
export function eq(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('eq', BIN.eq!, BKind.Pred, a, b, 1, false, undefined);
}
export function ne(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('ne', BIN.ne!, BKind.Pred, a, b, 1, false, undefined);
}
export function lt(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('lt', BIN.lt!, BKind.Pred, a, b, 1, false, undefined);
}
export function le(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('le', BIN.le!, BKind.Pred, a, b, 1, false, undefined);
}
export function gt(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('gt', BIN.gt!, BKind.Pred, a, b, 1, false, undefined);
}
export function ge(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('ge', BIN.ge!, BKind.Pred, a, b, 1, false, undefined);
}
export function logicalAnd(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('logicalAnd', BIN.logicalAnd!, BKind.Pred, a, b, 1, false, undefined);
}
export function logicalOr(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('logicalOr', BIN.logicalOr!, BKind.Pred, a, b, 1, false, undefined);
}
export function logicalXor(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary('logicalXor', BIN.logicalXor!, BKind.Pred, a, b, 1, false, undefined);
}
export function logicalNot(x: Tensor): Tensor {
  checkTensor(x, 'logicalNot');
  return binary('logicalNot', BIN.eq!, BKind.Pred, x, 0, 1, false, undefined);
}

// ---- unary -------------------------------------------------------------------------------------

function runUnary(code: number, x: Tensor, cdt: DType, odt: DType, p0: number, p1: number, p2: number, inplace: boolean): Tensor {
  frame[0] = code;
  frame[1] = p0;
  frame[2] = p1;
  frame[3] = p2;
  frame[4] = DTYPE_CODE[cdt];
  const p = putTensor(5, x);
  const dev = x._st.device;
  if (inplace) {
    frame[p] = 1;
    putTensor(p + 1, x);
    if (dev === 'cpu') ewUnary();
    else cudaEw.cudaEwUnary(deviceIndex(dev));
    x._st.version++;
    return x;
  }
  frame[p] = 0;
  putOutput(p + 1, odt, x.shape);
  if (dev === 'cpu') ewUnary();
  else cudaEw.cudaEwUnary(deviceIndex(dev));
  return takeOutput(0, odt, x.shape, dev);
}

/** How a unary op's dtypes follow from its input's. */
const enum UKind {
  /** floating result; integral inputs give the default float dtype */
  Float,
  /** result has the input's dtype (defined on integers too) */
  Same,
  /** bool result */
  Pred,
}

function unary(
  op: string, code: number, kind: UKind, x: Tensor, p0: number, p1: number, p2: number, inplace: boolean,
  attrs: Record<string, unknown> | undefined,
): Tensor {
  checkTensor(x, op);
  const xd = x.dtype;
  let odt: DType;
  if (kind === UKind.Pred) odt = 'bool';
  else if (kind === UKind.Same || isFloatingDType(xd)) odt = xd;
  else odt = getDefaultDType();
  if (inplace) {
    if (!canCast(odt, xd)) throw castError(op, odt, xd);
    checkWritable(op, x);
  }
  const cdt = kind === UKind.Float && !isFloatingDType(xd) ? odt : computeOf(xd);
  const layer = dispatchLayer();
  if (layer === null) return runUnary(code, x, cdt, odt, p0, p1, p2, inplace);
  return layer.call(op, [x], attrs ?? {}, () => runUnary(code, x, cdt, odt, p0, p1, p2, inplace));
}

function noBool(op: string, x: Tensor, what: string): void {
  if (x instanceof Tensor && x.dtype === 'bool') throw new TypeError(`${op}: ${what}`);
}

// Parameterless unary ops, generated: name -> [kind]. Each gets a function, a method and
// (unless it is a predicate) an in-place method.
const FLOAT_UNARY = [
  'reciprocal', 'sqrt', 'rsqrt', 'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'asin',
  'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'sigmoid', 'silu', 'erf', 'erfc', 'erfinv',
  'lgamma', 'digamma',
] as const;
const SAME_UNARY = ['neg', 'abs', 'relu', 'floor', 'ceil', 'trunc', 'sign'] as const;
const PRED_UNARY = ['isnan', 'isinf', 'isfinite', 'isposinf', 'isneginf'] as const;

type UnaryFn = (x: Tensor) => Tensor;
function unaryFn(name: string, kind: UKind, inplace: boolean): UnaryFn {
  const code = UN[name]!;
  const op = inplace ? name + '_' : name;
  if (name === 'neg') {
    return (x) => {
      noBool(op, x, 'negation, the `-` operator, on a bool tensor is not supported; use logicalNot() to invert a mask');
      return unary(op, code, kind, x, 0, 0, 0, inplace, undefined);
    };
  }
  if (name === 'abs') {
    return (x) => {
      noBool(op, x, 'not supported for dtype bool');
      return unary(op, code, kind, x, 0, 0, 0, inplace, undefined);
    };
  }
  return (x) => unary(op, code, kind, x, 0, 0, 0, inplace, undefined);
}

const fns: Record<string, UnaryFn> = {};
for (const n of FLOAT_UNARY) { fns[n] = unaryFn(n, UKind.Float, false); fns[n + '_'] = unaryFn(n, UKind.Float, true); }
for (const n of SAME_UNARY) { fns[n] = unaryFn(n, UKind.Same, false); fns[n + '_'] = unaryFn(n, UKind.Same, true); }
for (const n of PRED_UNARY) fns[n] = unaryFn(n, UKind.Pred, false);

export const reciprocal = fns.reciprocal!;
export const sqrt = fns.sqrt!;
export const rsqrt = fns.rsqrt!;
export const exp = fns.exp!;
export const exp2 = fns.exp2!;
export const expm1 = fns.expm1!;
export const log = fns.log!;
export const log2 = fns.log2!;
export const log10 = fns.log10!;
export const log1p = fns.log1p!;
export const sin = fns.sin!;
export const cos = fns.cos!;
export const tan = fns.tan!;
export const asin = fns.asin!;
export const acos = fns.acos!;
export const atan = fns.atan!;
export const sinh = fns.sinh!;
export const cosh = fns.cosh!;
export const tanh = fns.tanh!;
export const asinh = fns.asinh!;
export const acosh = fns.acosh!;
export const atanh = fns.atanh!;
export const sigmoid = fns.sigmoid!;
export const silu = fns.silu!;
export const erf = fns.erf!;
export const erfc = fns.erfc!;
export const erfinv = fns.erfinv!;
export const lgamma = fns.lgamma!;
export const digamma = fns.digamma!;
export const neg = fns.neg!;
export const abs = fns.abs!;
export const relu = fns.relu!;
export const floor = fns.floor!;
export const ceil = fns.ceil!;
export const trunc = fns.trunc!;
export const sign = fns.sign!;
export const isnan = fns.isnan!;
export const isinf = fns.isinf!;
export const isfinite = fns.isfinite!;
export const isposinf = fns.isposinf!;
export const isneginf = fns.isneginf!;

/** x * x (bool squares to int64, as PyTorch's pow(x, 2)). */
export function square(x: Tensor): Tensor {
  checkTensor(x, 'square');
  if (x.dtype === 'bool') return pow(x, 2);
  return unary('square', UN.square!, UKind.Same, x, 0, 0, 0, false, undefined);
}
function square_(x: Tensor): Tensor {
  checkTensor(x, 'square_');
  if (x.dtype === 'bool') return powImpl('square_', x, 2, true);
  return unary('square_', UN.square!, UKind.Same, x, 0, 0, 0, true, undefined);
}

function logitImpl(op: string, x: Tensor, eps: number | null | undefined, inplace: boolean): Tensor {
  const e = eps === undefined || eps === null ? -1 : eps;
  return unary(op, UN.logit!, UKind.Float, x, e, 0, 0, inplace, { eps: eps ?? null });
}
/** log(x / (1 - x)), with x clamped to [eps, 1 - eps] when eps is given. */
export function logit(x: Tensor, eps?: number | null): Tensor {
  return logitImpl('logit', x, eps, false);
}

export type GeluApproximate = 'none' | 'tanh';
function geluImpl(op: string, x: Tensor, opts: { approximate?: GeluApproximate } | undefined, inplace: boolean): Tensor {
  const approx = opts?.approximate ?? 'none';
  if (approx !== 'none' && approx !== 'tanh') throw new RangeError(`${op}: approximate must be 'none' or 'tanh', got '${String(approx)}'`);
  return unary(op, UN.gelu!, UKind.Float, x, approx === 'tanh' ? 1 : 0, 0, 0, inplace, { approximate: approx });
}
export function gelu(x: Tensor, opts?: { approximate?: GeluApproximate }): Tensor {
  return geluImpl('gelu', x, opts, false);
}

function softplusImpl(op: string, x: Tensor, opts: { beta?: number; threshold?: number } | undefined, inplace: boolean): Tensor {
  const beta = opts?.beta ?? 1;
  const threshold = opts?.threshold ?? 20;
  return unary(op, UN.softplus!, UKind.Float, x, beta, threshold, 0, inplace, { beta, threshold });
}
/** log(1 + exp(beta x)) / beta, linear above `threshold` (beta x > threshold). */
export function softplus(x: Tensor, opts?: { beta?: number; threshold?: number }): Tensor {
  return softplusImpl('softplus', x, opts, false);
}

function checkPolygammaOrder(op: string, n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new RangeError(`${op}: polygamma(n, x) does not support negative or non-integer n (got ${String(n)})`);
  }
}
/** The n-th derivative of digamma (n = 0 is digamma, n = 1 trigamma). */
export function polygamma(n: number, x: Tensor): Tensor {
  checkPolygammaOrder('polygamma', n);
  return unary('polygamma', UN.polygamma!, UKind.Float, x, n, 0, 0, false, { n });
}

function roundImpl(op: string, x: Tensor, opts: { decimals?: number } | undefined, inplace: boolean): Tensor {
  const d = opts?.decimals ?? 0;
  if (!Number.isInteger(d)) throw new RangeError(`${op}: decimals must be an integer, got ${d}`);
  return unary(op, UN.round!, UKind.Same, x, d, 0, 0, inplace, d !== 0 ? { decimals: d } : undefined);
}
/** Round half to even, optionally to `decimals` digits. */
export function round(x: Tensor, opts?: { decimals?: number }): Tensor {
  return roundImpl('round', x, opts, false);
}

const FLOAT_MAX: Partial<Record<DType, number>> = {
  float32: 3.4028234663852886e38, float64: Number.MAX_VALUE, float16: 65504, bfloat16: 3.3895313892515355e38,
};
export interface NanToNumOptions {
  nan?: number;
  posinf?: number | null;
  neginf?: number | null;
}
function nanToNumImpl(op: string, x: Tensor, opts: NanToNumOptions | undefined, inplace: boolean): Tensor {
  checkTensor(x, op);
  const big = FLOAT_MAX[x.dtype] ?? 0;
  const nan = opts?.nan ?? 0;
  const posinf = opts?.posinf ?? big;
  const neginf = opts?.neginf ?? -big;
  return unary(op, UN.nanToNum!, UKind.Same, x, nan, posinf, neginf, inplace, { nan, posinf, neginf });
}
/** Replaces NaN, +inf and -inf (defaults: 0 and the dtype's largest finite values). */
export function nanToNum(x: Tensor, opts?: NanToNumOptions): Tensor {
  return nanToNumImpl('nanToNum', x, opts, false);
}

// ---- clamp, lerp, where ------------------------------------------------------------------------

function runTernary(
  code: number, x: TensorOrScalar, a: TensorOrScalar, b: TensorOrScalar, shape: readonly number[], cdt: DType,
  odt: DType, out: Tensor | null,
): Tensor {
  frame[0] = code;
  frame[1] = DTYPE_CODE[cdt];
  const name = TER_NAMES[code]!;
  let dev = ewDevice(name, x, a, b);
  if (out !== null) {
    const od = out._st.device;
    if (dev === 'cpu' && !(x instanceof Tensor || a instanceof Tensor || b instanceof Tensor)) dev = od;
    else if (od !== dev) checkSameDevice(name, [{ device: dev }, { device: od }]);
  }
  let p = putOperand(2, x, dev);
  p = putOperand(p, a, dev);
  p = putOperand(p, b, dev);
  if (out !== null) {
    frame[p] = 1;
    putTensor(p + 1, out);
    if (dev === 'cpu') ewTernary();
    else cudaEw.cudaEwTernary(deviceIndex(dev));
    out._st.version++;
    return out;
  }
  frame[p] = 0;
  putOutput(p + 1, odt, shape);
  if (dev === 'cpu') ewTernary();
  else cudaEw.cudaEwTernary(deviceIndex(dev));
  return takeOutput(0, odt, shape, dev);
}

function shapeOf(v: TensorOrScalar): readonly number[] {
  return v instanceof Tensor ? v.shape : [];
}

function ternary(
  op: string, code: number, x: TensorOrScalar, a: TensorOrScalar, b: TensorOrScalar, rdt: DType, out: Tensor | null,
  attrs: Record<string, unknown>,
): Tensor {
  const shape = broadcastShapes(op, shapeOf(x), shapeOf(a), shapeOf(b));
  if (out !== null) {
    if (!sameShape(shape, out.shape)) throw inplaceShapeError(op, out.shape, shape);
    if (!canCast(rdt, out.dtype)) throw castError(op, rdt, out.dtype);
    checkWritable(op, out);
  }
  const cdt = computeOf(rdt);
  const layer = dispatchLayer();
  if (layer === null) return runTernary(code, x, a, b, shape, cdt, rdt, out);
  const inputs: Tensor[] = [];
  for (const v of [x, a, b]) if (v instanceof Tensor) inputs.push(v);
  return layer.call(op, inputs, attrs, () => runTernary(code, x, a, b, shape, cdt, rdt, out));
}

export interface ClampOptions {
  min?: TensorOrScalar | null;
  max?: TensorOrScalar | null;
}
type ClampArg = TensorOrScalar | null | undefined;

function isOptionsObject(v: unknown): v is ClampOptions {
  return typeof v === 'object' && v !== null && !(v instanceof Tensor);
}

function clampImpl(op: string, x: Tensor, lo: ClampArg | ClampOptions, hi: ClampArg, inplace: boolean): Tensor {
  checkTensor(x, op);
  if (isOptionsObject(lo)) {
    hi = lo.max;
    lo = lo.min;
  }
  const min = lo ?? null;
  const max = hi ?? null;
  if (min === null && max === null) throw new TypeError(`${op}: at least one of 'min' or 'max' must not be None`);
  if (min !== null && !(min instanceof Tensor)) checkScalar(min, op, 'min');
  if (max !== null && !(max instanceof Tensor)) checkScalar(max, op, 'max');
  const rdt = resultTypeOf([x, min, max]);
  if (x.dtype === 'bool' && rdt === 'bool') throw new TypeError(`${op}: not supported for dtype bool`);
  const attrs = { min, max };
  if (!(min instanceof Tensor) && !(max instanceof Tensor)) {
    // Number bounds: a unary kernel with the bounds as attributes.
    if (inplace) {
      if (!canCast(rdt, x.dtype)) throw castError(op, rdt, x.dtype);
      checkWritable(op, x);
    }
    const flags = (min !== null ? 1 : 0) | (max !== null ? 2 : 0);
    const cdt = computeOf(rdt);
    const p0 = min === null ? 0 : +min;
    const p1 = max === null ? 0 : +max;
    const layer = dispatchLayer();
    if (layer === null) return runUnary(UN.clamp!, x, cdt, rdt, p0, p1, flags, inplace);
    return layer.call(op, [x], attrs, () => runUnary(UN.clamp!, x, cdt, rdt, p0, p1, flags, inplace));
  }
  // One tensor bound: the dispatch layer sees inputs [x, bound] and the absent bound as null.
  if (min === null) return binary(op, BIN.minimum!, BKind.Same, x, max!, 1, inplace, { min: null });
  if (max === null) return binary(op, BIN.maximum!, BKind.Same, x, min, 1, inplace, { max: null });
  return ternary(op, TER.clamp!, x, min, max, rdt, inplace ? x : null, attrs);
}

/** Clamps into [min, max] (either may be omitted; numbers or tensors). Also `clamp(x, { min, max })`. */
export function clamp(x: Tensor, min?: ClampArg | ClampOptions, max?: ClampArg): Tensor {
  return clampImpl('clamp', x, min, max, false);
}
/** Alias of clamp. */
export function clip(x: Tensor, min?: ClampArg | ClampOptions, max?: ClampArg): Tensor {
  return clampImpl('clip', x, min, max, false);
}

function lerpImpl(op: string, start: Tensor, end: TensorOrScalar, weight: TensorOrScalar, inplace: boolean): Tensor {
  checkTensor(start, op);
  if (!(end instanceof Tensor)) checkScalar(end, op, 'end');
  if (!(weight instanceof Tensor)) checkScalar(weight, op, 'weight');
  const rdt = resultTypeOf([start, end, weight]);
  if (!isFloatingDType(rdt)) throw new TypeError(`${op}: expected floating point tensors, got ${start.dtype}`);
  const attrs: Record<string, unknown> = {};
  if (!(end instanceof Tensor)) attrs.end = end;
  if (!(weight instanceof Tensor)) attrs.weight = weight;
  return ternary(op, TER.lerp!, start, end, weight, rdt, inplace ? start : null, attrs);
}
/** start + weight * (end - start). */
export function lerp(start: Tensor, end: TensorOrScalar, weight: TensorOrScalar): Tensor {
  return lerpImpl('lerp', start, end, weight, false);
}

/** Elements of x where cond is true, of y elsewhere (x and y tensors or numbers). */
export function where(cond: Tensor, x: TensorOrScalar, y: TensorOrScalar): Tensor {
  checkTensor(cond, 'where');
  if (cond.dtype !== 'bool') {
    throw new TypeError(`where: expected condition to be a boolean tensor, but got a tensor with dtype ${cond.dtype}`);
  }
  if (!(x instanceof Tensor)) checkScalar(x, 'where', 'input');
  if (!(y instanceof Tensor)) checkScalar(y, 'where', 'other');
  const rdt = resultTypeOf([x, y]);
  const attrs: Record<string, unknown> = {};
  if (!(x instanceof Tensor)) attrs.self = x;
  if (!(y instanceof Tensor)) attrs.other = y;
  return ternary('where', TER.where!, cond, x, y, rdt, null, attrs);
}

// ---- methods -----------------------------------------------------------------------------------

type Op2 = (other: TensorOrScalar) => Tensor;
declare module '../tensor.js' {
  interface Tensor {
    add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    add_(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    sub_(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    mul(other: TensorOrScalar): Tensor;
    mul_(other: TensorOrScalar): Tensor;
    div(other: TensorOrScalar, opts?: { roundingMode?: RoundingMode | null }): Tensor;
    div_(other: TensorOrScalar, opts?: { roundingMode?: RoundingMode | null }): Tensor;
    floorDivide: Op2; floorDivide_: Op2;
    remainder: Op2; remainder_: Op2;
    fmod: Op2; fmod_: Op2;
    pow: Op2; pow_: Op2;
    atan2: Op2; atan2_: Op2;
    maximum: Op2; minimum: Op2;
    eq: Op2; eq_: Op2; ne: Op2; ne_: Op2; lt: Op2; lt_: Op2; le: Op2; le_: Op2; gt: Op2; gt_: Op2; ge: Op2; ge_: Op2;
    logicalAnd: Op2; logicalAnd_: Op2; logicalOr: Op2; logicalOr_: Op2; logicalXor: Op2; logicalXor_: Op2;
    logicalNot(): Tensor; logicalNot_(): Tensor;

    neg(): Tensor; neg_(): Tensor; abs(): Tensor; abs_(): Tensor; reciprocal(): Tensor; reciprocal_(): Tensor;
    square(): Tensor; square_(): Tensor; sqrt(): Tensor; sqrt_(): Tensor; rsqrt(): Tensor; rsqrt_(): Tensor;
    exp(): Tensor; exp_(): Tensor; exp2(): Tensor; exp2_(): Tensor; expm1(): Tensor; expm1_(): Tensor;
    log(): Tensor; log_(): Tensor; log2(): Tensor; log2_(): Tensor; log10(): Tensor; log10_(): Tensor;
    log1p(): Tensor; log1p_(): Tensor; sin(): Tensor; sin_(): Tensor; cos(): Tensor; cos_(): Tensor;
    tan(): Tensor; tan_(): Tensor; asin(): Tensor; asin_(): Tensor; acos(): Tensor; acos_(): Tensor;
    atan(): Tensor; atan_(): Tensor; sinh(): Tensor; sinh_(): Tensor; cosh(): Tensor; cosh_(): Tensor;
    tanh(): Tensor; tanh_(): Tensor; asinh(): Tensor; asinh_(): Tensor; acosh(): Tensor; acosh_(): Tensor;
    atanh(): Tensor; atanh_(): Tensor; sigmoid(): Tensor; sigmoid_(): Tensor;
    logit(eps?: number | null): Tensor; logit_(eps?: number | null): Tensor;
    relu(): Tensor; relu_(): Tensor;
    gelu(opts?: { approximate?: GeluApproximate }): Tensor; gelu_(opts?: { approximate?: GeluApproximate }): Tensor;
    silu(): Tensor; silu_(): Tensor;
    softplus(opts?: { beta?: number; threshold?: number }): Tensor;
    erf(): Tensor; erf_(): Tensor; erfc(): Tensor; erfc_(): Tensor; erfinv(): Tensor; erfinv_(): Tensor;
    lgamma(): Tensor; lgamma_(): Tensor; digamma(): Tensor; digamma_(): Tensor;
    polygamma(n: number): Tensor; polygamma_(n: number): Tensor;
    floor(): Tensor; floor_(): Tensor; ceil(): Tensor; ceil_(): Tensor; trunc(): Tensor; trunc_(): Tensor;
    round(opts?: { decimals?: number }): Tensor; round_(opts?: { decimals?: number }): Tensor;
    sign(): Tensor; sign_(): Tensor;
    isnan(): Tensor; isinf(): Tensor; isfinite(): Tensor; isposinf(): Tensor; isneginf(): Tensor;
    nanToNum(opts?: NanToNumOptions): Tensor; nanToNum_(opts?: NanToNumOptions): Tensor;
    clamp(min?: ClampArg | ClampOptions, max?: ClampArg): Tensor;
    clamp_(min?: ClampArg | ClampOptions, max?: ClampArg): Tensor;
    clip(min?: ClampArg | ClampOptions, max?: ClampArg): Tensor;
    clip_(min?: ClampArg | ClampOptions, max?: ClampArg): Tensor;
    lerp(end: TensorOrScalar, weight: TensorOrScalar): Tensor;
    lerp_(end: TensorOrScalar, weight: TensorOrScalar): Tensor;
    /** PyTorch's x.where(cond, y): x where cond, y elsewhere. */
    where(cond: Tensor, other: TensorOrScalar): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
const P = Tensor.prototype;
P.add = function (this: Tensor, o, opts) { return addImpl('add', this, o, opts, false); };
P.add_ = function (this: Tensor, o, opts) { return addImpl('add_', this, o, opts, true); };
P.sub = function (this: Tensor, o, opts) { return subImpl('sub', this, o, opts, false); };
P.sub_ = function (this: Tensor, o, opts) { return subImpl('sub_', this, o, opts, true); };
P.mul = function (this: Tensor, o) { return binary('mul', MUL, BKind.Same, this, o, 1, false, undefined); };
P.mul_ = function (this: Tensor, o) { return binary('mul_', MUL, BKind.Same, this, o, 1, true, undefined); };
P.div = function (this: Tensor, o, opts) { return divImpl('div', this, o, opts, false); };
P.div_ = function (this: Tensor, o, opts) { return divImpl('div_', this, o, opts, true); };
P.pow = function (this: Tensor, o) { return powImpl('pow', this, o, false); };
P.pow_ = function (this: Tensor, o) { return powImpl('pow_', this, o, true); };
P.logicalNot = function (this: Tensor) { return logicalNot(this); };
P.logicalNot_ = function (this: Tensor) { return binary('logicalNot_', BIN.eq!, BKind.Pred, this, 0, 1, true, undefined); };

const simpleBinary: [string, number, BKind][] = [
  ['floorDivide', DIV_FLOOR, BKind.Same], ['remainder', BIN.remainder!, BKind.Same], ['fmod', BIN.fmod!, BKind.Same],
  ['atan2', BIN.atan2!, BKind.Float], ['maximum', BIN.maximum!, BKind.Same], ['minimum', BIN.minimum!, BKind.Same],
  ['eq', BIN.eq!, BKind.Pred], ['ne', BIN.ne!, BKind.Pred], ['lt', BIN.lt!, BKind.Pred], ['le', BIN.le!, BKind.Pred],
  ['gt', BIN.gt!, BKind.Pred], ['ge', BIN.ge!, BKind.Pred], ['logicalAnd', BIN.logicalAnd!, BKind.Pred],
  ['logicalOr', BIN.logicalOr!, BKind.Pred], ['logicalXor', BIN.logicalXor!, BKind.Pred],
];
for (const [name, code, kind] of simpleBinary) {
  proto[name] = function (this: Tensor, o: TensorOrScalar) { return binary(name, code, kind, this, o, 1, false, undefined); };
  if (name !== 'maximum' && name !== 'minimum') {
    const op = name + '_';
    proto[op] = function (this: Tensor, o: TensorOrScalar) { return binary(op, code, kind, this, o, 1, true, undefined); };
  }
}

for (const n of [...FLOAT_UNARY, ...SAME_UNARY, ...PRED_UNARY]) {
  const f = fns[n]!;
  proto[n] = function (this: Tensor) { return f(this); };
  const fi = fns[n + '_'];
  if (fi) proto[n + '_'] = function (this: Tensor) { return fi(this); };
}
P.square = function (this: Tensor) { return square(this); };
P.square_ = function (this: Tensor) { return square_(this); };
P.logit = function (this: Tensor, eps) { return logitImpl('logit', this, eps, false); };
P.logit_ = function (this: Tensor, eps) { return logitImpl('logit_', this, eps, true); };
P.gelu = function (this: Tensor, opts) { return geluImpl('gelu', this, opts, false); };
P.gelu_ = function (this: Tensor, opts) { return geluImpl('gelu_', this, opts, true); };
P.softplus = function (this: Tensor, opts) { return softplusImpl('softplus', this, opts, false); };
P.polygamma = function (this: Tensor, n) { return polygamma(n, this); };
P.polygamma_ = function (this: Tensor, n) {
  checkPolygammaOrder('polygamma_', n);
  return unary('polygamma_', UN.polygamma!, UKind.Float, this, n, 0, 0, true, { n });
};
P.round = function (this: Tensor, opts) { return roundImpl('round', this, opts, false); };
P.round_ = function (this: Tensor, opts) { return roundImpl('round_', this, opts, true); };
P.nanToNum = function (this: Tensor, opts) { return nanToNumImpl('nanToNum', this, opts, false); };
P.nanToNum_ = function (this: Tensor, opts) { return nanToNumImpl('nanToNum_', this, opts, true); };
P.clamp = function (this: Tensor, lo, hi) { return clampImpl('clamp', this, lo, hi, false); };
P.clamp_ = function (this: Tensor, lo, hi) { return clampImpl('clamp_', this, lo, hi, true); };
P.clip = function (this: Tensor, lo, hi) { return clampImpl('clip', this, lo, hi, false); };
P.clip_ = function (this: Tensor, lo, hi) { return clampImpl('clip_', this, lo, hi, true); };
P.lerp = function (this: Tensor, e, w) { return lerpImpl('lerp', this, e, w, false); };
P.lerp_ = function (this: Tensor, e, w) { return lerpImpl('lerp_', this, e, w, true); };
P.where = function (this: Tensor, cond, other) { return where(cond, this, other); };
