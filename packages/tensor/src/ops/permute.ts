/**
 * Views with the dims reordered (no copy, only the strides move): permute, transpose (swapaxes,
 * swapdims), t, the mT and T properties, movedim (moveaxis). All of them dispatch as 'permute'.
 */
import { dispatch } from '../dispatch.js';
import { shapeString } from '../shape.js';
import { normalizeDim, Tensor } from '../tensor.js';
import { checkInt, intList, type AnyArgs } from './shapeHelpers.js';

function permuteRaw(x: Tensor, dims: readonly number[]): Tensor {
  const shape = dims.map((d) => x.shape[d]!);
  const strides = dims.map((d) => x.strides[d]!);
  return x._view(shape, strides, x.offset);
}

function checkPermutation(dims: readonly number[], ndim: number, op: string): number[] {
  if (dims.length !== ndim) {
    throw new RangeError(
      `${op}: number of dims don't match in permute: input.dim() = ${ndim} is not equal to len(dims) = ${dims.length} ` +
        `(dims ${shapeString(dims)})`,
    );
  }
  const out = dims.map((d) => normalizeDim(d, ndim, op));
  const seen = new Array<boolean>(ndim).fill(false);
  for (const d of out) {
    if (seen[d]) throw new RangeError(`${op}: duplicate dims are not allowed (dims ${shapeString(dims)})`);
    seen[d] = true;
  }
  return out;
}

/**
 * A view with the dims reordered: `x.permute(1, 0)` or `x.permute([1, 0])`.
 * @example
 * ```ts
 * zeros(2, 3, 4).permute(2, 0, 1).shape; // [4, 2, 3]
 * ```
 */
export function permute(x: Tensor, ...dims: number[] | [readonly number[]]): Tensor {
  const d = checkPermutation(intList(dims, 'permute', 'dims'), x.ndim, 'permute');
  return dispatch('permute', [x], { dims: d }, () => permuteRaw(x, d));
}

function transposeDims(x: Tensor, dim0: number, dim1: number, op: string): number[] {
  const a = normalizeDim(checkInt(dim0, op, 'dim0'), x.ndim, op);
  const b = normalizeDim(checkInt(dim1, op, 'dim1'), x.ndim, op);
  const dims = Array.from({ length: x.ndim }, (_, i) => i);
  if (x.ndim > 0) {
    dims[a] = b;
    dims[b] = a;
  }
  return dims;
}

/** A view with dims `dim0` and `dim1` swapped. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const dims = transposeDims(x, dim0, dim1, 'transpose');
  return dispatch('permute', [x], { dims }, () => permuteRaw(x, dims));
}
/** Alias of transpose (NumPy's name). */
export const swapaxes = transpose;
/** Alias of transpose. */
export const swapdims = transpose;

/** Transpose of a matrix; 0-d and 1-d tensors are returned as views of themselves. */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new RangeError(`t: expects a tensor with <= 2 dimensions, but self is ${x.ndim}D (shape ${shapeString(x.shape)})`);
  const dims = x.ndim === 2 ? [1, 0] : Array.from({ length: x.ndim }, (_, i) => i);
  return dispatch('permute', [x], { dims }, () => permuteRaw(x, dims));
}

/** movedim's permutation: each source dim goes to its destination, the others keep their order. */
function movedimOrder(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): number[] {
  const op = 'movedim';
  const src = typeof source === 'number' ? [source] : [...source];
  const dst = typeof destination === 'number' ? [destination] : [...destination];
  if (src.length !== dst.length) {
    throw new RangeError(
      `${op}: Invalid source or destination dims: source (${shapeString(src)}: ${src.length} dims) should contain ` +
        `the same number of dims as destination (${shapeString(dst)}: ${dst.length} dims)`,
    );
  }
  const nd = x.ndim;
  const s = src.map((d) => normalizeDim(checkInt(d, op, 'source dims'), nd, op));
  const t2 = dst.map((d) => normalizeDim(checkInt(d, op, 'destination dims'), nd, op));
  if (new Set(s).size !== s.length) throw new RangeError(`${op}: repeated dim in \`source\` (${shapeString(src)})`);
  if (new Set(t2).size !== t2.length) throw new RangeError(`${op}: repeated dim in \`destination\` (${shapeString(dst)})`);
  const order = new Array<number>(Math.max(nd, 0)).fill(-1);
  for (let i = 0; i < s.length; i++) order[t2[i]!] = s[i]!;
  const rest = Array.from({ length: nd }, (_, i) => i).filter((d) => !s.includes(d));
  let r = 0;
  for (let i = 0; i < nd; i++) if (order[i] === -1) order[i] = rest[r++]!;
  return nd === 0 ? [] : order;
}

/**
 * A view with dims moved from `source` to `destination` (ints or lists), the others keeping order.
 * @example
 * ```ts
 * zeros(2, 3, 4).movedim(0, -1).shape; // [3, 4, 2]
 * ```
 */
export function movedim(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  const dims = movedimOrder(x, source, destination);
  return dispatch('permute', [x], { dims }, () => permuteRaw(x, dims));
}
/** Alias of movedim (NumPy's name). */
export const moveaxis = movedim;

// ---- methods ---------------------------------------------------------------------------------

declare module '../tensor.js' {
  interface Tensor {
    /** See {@link permute}. */
    permute(...dims: number[]): Tensor;
    permute(dims: readonly number[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    swapaxes(dim0: number, dim1: number): Tensor;
    swapdims(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    /** The last two dims transposed (a view); needs at least 2 dims. */
    readonly mT: Tensor;
    /** All dims reversed (a view): the transpose of a matrix. */
    readonly T: Tensor;
    movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    moveaxis(source: number | readonly number[], destination: number | readonly number[]): Tensor;
  }
}

const proto = Tensor.prototype;
proto.permute = function (this: Tensor, ...d: AnyArgs) { return permute(this, ...d); };
proto.transpose = function (this: Tensor, a: number, b: number) { return transpose(this, a, b); };
proto.swapaxes = proto.transpose;
proto.swapdims = proto.transpose;
proto.t = function (this: Tensor) { return t(this); };
Object.defineProperty(proto, 'mT', {
  configurable: true,
  get(this: Tensor): Tensor {
    if (this.ndim < 2) {
      throw new RangeError(`mT: tensor.mT is only supported on matrices or batches of matrices. Got ${this.ndim}-D tensor.`);
    }
    return transpose(this, -2, -1);
  },
});
Object.defineProperty(proto, 'T', {
  configurable: true,
  get(this: Tensor): Tensor {
    const dims = Array.from({ length: this.ndim }, (_, i) => this.ndim - 1 - i);
    return dispatch('permute', [this], { dims }, () => permuteRaw(this, dims));
  },
});
proto.movedim = function (this: Tensor, s, d) { return movedim(this, s, d); };
proto.moveaxis = proto.movedim;
