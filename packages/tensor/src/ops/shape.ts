/**
 * The shape op family.
 *
 * Views share their input's storage (no copy; a write through one shows in the other):
 * reshape/view (also view(dtype)), permute, transpose (swapaxes, swapdims), t, mT, T, movedim,
 * squeeze, unsqueeze, expand, expandAs, broadcastTo, broadcastTensors, flatten, unflatten, narrow,
 * select, slicing (`x.slice`, `x.index`), split, chunk, unbind, diagonal, unfold, asStrided.
 * Copying ops (on the copy kernels, plus a native tril/triu): cat, stack, hstack/vstack/dstack,
 * flip, roll, repeat, tile, tril, triu, and the out-of-place "scatter into a view" ops
 * selectScatter, sliceScatter, diagonalScatter, indexScatter, asStridedScatter (a copy of the input
 * with one view of it replaced: what the backward of a view writes its gradient with). reshape and flatten copy only when no view is possible.
 */
import { kernels, native } from '@cinder/native';
import { dispatch } from '../dispatch.js';
import { checkDType, ITEM_SIZE, resultType, type DType } from '../dtype.js';
import { contiguousStrides, frame, putTensor } from '../frame.js';
import { normalizeDims, numelOf, shapeString } from '../shape.js';
import { Storage } from '../storage.js';
import { normalizeDim, Tensor } from '../tensor.js';

// ---- argument helpers ----------------------------------------------------------------------

/** `f([2, 3])` or `f(2, 3)` -> [2, 3], each an integer (sign not checked). */
function intList(args: readonly unknown[], op: string, what: string): number[] {
  const raw = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const out = new Array<number>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new TypeError(`${op}: ${what} must be integers, got ${String(v)} in [${raw.map(String).join(', ')}]`);
    }
    out[i] = v;
  }
  return out;
}

function checkInt(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${op}: ${what} must be an integer, got ${String(v)}`);
  return v;
}

function allocate(dtype: DType, shape: readonly number[]): Tensor {
  const nbytes = numelOf(shape) * ITEM_SIZE[dtype];
  return new Tensor(new Storage(native.empty(nbytes), nbytes, 'cpu'), dtype, shape, contiguousStrides(shape), 0);
}

/** dst <- src (broadcast, converting dtype), with no dispatch: the building block of copying ops. */
function copyRaw(dst: Tensor, src: Tensor): void {
  if (dst.numel() === 0) return;
  const p = putTensor(0, src);
  putTensor(p, dst);
  kernels.copyInto();
}

/** A throwaway view for a copy's source/destination; disposed right after, its storage lives on. */
function withView<R>(v: Tensor, f: (v: Tensor) => R): R {
  try {
    return f(v);
  } finally {
    v.dispose();
  }
}

// ---- reshape / view --------------------------------------------------------------------------

/** Resolves one `-1` in `shape` against `numel`, as torch's infer_size does. */
function inferSize(shape: readonly number[], numel: number, op: string): number[] {
  let known = 1;
  let infer = -1;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i]!;
    if (s === -1) {
      if (infer >= 0) throw new RangeError(`${op}: only one dimension can be inferred (shape ${shapeString(shape)})`);
      infer = i;
    } else if (s >= 0) {
      known *= s;
    } else {
      throw new RangeError(`${op}: invalid shape dimension ${s} in shape ${shapeString(shape)}`);
    }
  }
  if (numel === known || (infer >= 0 && known > 0 && numel % known === 0)) {
    const out = [...shape];
    if (infer >= 0) {
      if (known === 0) {
        throw new RangeError(
          `${op}: cannot reshape tensor of 0 elements into shape ${shapeString(shape)} because the ` +
            'unspecified dimension size -1 can be any value and is ambiguous',
        );
      }
      out[infer] = numel / known;
    }
    return out;
  }
  throw new RangeError(`${op}: shape '${shapeString(shape)}' is invalid for input of size ${numel}`);
}

/**
 * Strides that let `newShape` view memory laid out as (oldShape, oldStrides), or null when some
 * new dim would span two non-mergeable old dims (PyTorch's computeStride).
 */
function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | null {
  const numel = numelOf(oldShape);
  if (numel === 0 || oldShape.length === 0) {
    if (numel === 0 && oldShape.length === newShape.length && oldShape.every((s, i) => s === newShape[i])) return [...oldStrides];
    return contiguousStrides(newShape);
  }
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

function reshapeRaw(x: Tensor, shape: readonly number[], op: string): Tensor {
  const target = inferSize(shape, x.numel(), op);
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides !== null) return x._view(target, strides, x.offset);
  const c = x._copyAs(x.dtype);
  return c._view(target, contiguousStrides(target), 0);
}

/**
 * A tensor with the same elements in a new shape: a view when the strides allow it, otherwise a
 * copy. One size may be -1 (inferred).
 * @example
 * ```ts
 * arange(6).reshape(2, -1); // shape [2, 3]
 * ```
 */
export function reshape(x: Tensor, ...shape: number[] | [readonly number[]]): Tensor {
  const s = intList(shape, 'reshape', 'sizes');
  return dispatch('reshape', [x], { shape: s }, () => reshapeRaw(x, s, 'reshape'));
}

/**
 * The same memory reinterpreted as another dtype (`x.view('int32')`); with a different item size
 * the last dim (which must have stride 1) shrinks or grows by the ratio, as in PyTorch.
 */
function viewAsDType(x: Tensor, dtype: DType): Tensor {
  const op = 'view';
  const from = ITEM_SIZE[x.dtype];
  const to = ITEM_SIZE[dtype];
  const mk = (shape: readonly number[], strides: readonly number[], offset: number): Tensor =>
    new Tensor(x._live(), dtype, shape, strides, offset);
  if (from === to) return mk(x.shape, x.strides, x.offset);
  const what = `to view ${x.dtype} as ${dtype} (different element sizes)`;
  if (x.ndim === 0) throw new RangeError(`${op}: self.dim() cannot be 0 ${what}`);
  const last = x.ndim - 1;
  if (x.strides[last] !== 1 && x.shape[last] !== 1) {
    throw new RangeError(`${op}: self.stride(-1) must be 1 ${what}, but got ${x.strides[last]}`);
  }
  const shape = [...x.shape];
  const strides = [...x.strides];
  if (from > to) {
    const r = from / to;
    for (let i = 0; i < last; i++) strides[i] = strides[i]! * r;
    shape[last] = shape[last]! * r;
    strides[last] = 1;
    return mk(shape, strides, x.offset * r);
  }
  const r = to / from;
  if (shape[last]! % r !== 0) throw new RangeError(`${op}: self.size(-1) must be divisible by ${r} ${what}, but got ${shape[last]}`);
  if (x.offset % r !== 0) throw new RangeError(`${op}: self.storage_offset() must be divisible by ${r} ${what}, but got ${x.offset}`);
  for (let i = 0; i < last; i++) {
    if (strides[i]! % r !== 0) throw new RangeError(`${op}: self.stride(${i}) must be divisible by ${r} ${what}, but got ${strides[i]}`);
    strides[i] = strides[i]! / r;
  }
  shape[last] = shape[last]! / r;
  strides[last] = 1;
  return mk(shape, strides, x.offset / r);
}

/**
 * A view in a new shape (one size may be -1); an error when the strides do not allow a view.
 * `x.view('int32')` reinterprets the memory as another dtype instead.
 */
export function view(x: Tensor, ...shape: number[] | [readonly number[]] | [DType]): Tensor {
  if (shape.length === 1 && typeof shape[0] === 'string') {
    const dtype = checkDType(shape[0], 'view');
    return dispatch('viewAsDType', [x], { dtype }, () => viewAsDType(x, dtype));
  }
  const s = intList(shape, 'view', 'sizes');
  return dispatch('view', [x], { shape: s }, () => {
    const target = inferSize(s, x.numel(), 'view');
    const strides = viewStrides(x.shape, x.strides, target);
    if (strides === null) {
      throw new Error(
        `view: view size is not compatible with input tensor's size and stride (at least one dimension spans ` +
          `across two contiguous subspaces): input shape ${shapeString(x.shape)} with strides ${shapeString(x.strides)}, ` +
          `requested ${shapeString(s)}. Use .reshape(...) instead.`,
      );
    }
    return x._view(target, strides, x.offset);
  });
}

/** reshape to `other`'s shape. */
export function reshapeAs(x: Tensor, other: Tensor): Tensor {
  return reshape(x, other.shape);
}
/** view in `other`'s shape. */
export function viewAs(x: Tensor, other: Tensor): Tensor {
  return view(x, other.shape);
}

// ---- permutations ----------------------------------------------------------------------------

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

// ---- squeeze / unsqueeze / expand ---------------------------------------------------------------

function squeezeRaw(x: Tensor, dims: readonly number[]): Tensor {
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    if (x.shape[i] === 1 && dims.includes(i)) continue;
    shape.push(x.shape[i]!);
    strides.push(x.strides[i]!);
  }
  return x._view(shape, strides, x.offset);
}

/**
 * Removes size-1 dims: all of them, one (`squeeze(1)`) or several (`squeeze([0, 2])`); a named dim
 * whose size is not 1 is left alone, as in PyTorch.
 */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  let dims: number[];
  if (dim === undefined) dims = Array.from({ length: x.ndim }, (_, i) => i);
  else {
    // A 0-d tensor accepts dim 0 / -1 (checked here) and has nothing to squeeze.
    dims = normalizeDims(dim, x.ndim, 'squeeze');
    if (x.ndim === 0) dims = [];
  }
  return dispatch('squeeze', [x], { dims }, () => squeezeRaw(x, dims));
}

function unsqueezeRaw(x: Tensor, d: number): Tensor {
  const shape = [...x.shape];
  const strides = [...x.strides];
  const stride = d >= x.ndim ? 1 : x.shape[d]! * x.strides[d]!;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return x._view(shape, strides, x.offset);
}

/** A view with a size-1 dim inserted at `dim` (in [-ndim-1, ndim]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(checkInt(dim, 'unsqueeze', 'dim'), x.ndim, 'unsqueeze', 1);
  return dispatch('unsqueeze', [x], { dim: d }, () => unsqueezeRaw(x, d));
}

/** Shape and strides of `x` expanded to `sizes` (-1 keeps a size), or PyTorch's error. */
function expandGeometry(x: Tensor, sizes: readonly number[], op: string): [number[], number[]] {
  const nd = sizes.length;
  const td = x.ndim;
  if (nd < td) {
    throw new RangeError(
      `${op}: the number of sizes provided (${nd}) must be greater or equal to the number of dimensions in the tensor (${td}) ` +
        `(target sizes ${shapeString(sizes)}, tensor sizes ${shapeString(x.shape)})`,
    );
  }
  const shape = new Array<number>(nd);
  const strides = new Array<number>(nd);
  for (let i = nd - 1; i >= 0; i--) {
    const d = td - nd + i;
    let size = d >= 0 ? x.shape[d]! : 1;
    let stride = d >= 0 ? x.strides[d]! : i === nd - 1 ? 1 : shape[i + 1]! * strides[i + 1]!;
    let target = sizes[i]!;
    if (target === -1) {
      if (d < 0) {
        throw new RangeError(`${op}: the expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i} (target sizes ${shapeString(sizes)})`);
      }
      target = size;
    } else if (target < 0) {
      throw new RangeError(`${op}: invalid size ${target} in target sizes ${shapeString(sizes)}`);
    }
    if (size !== target) {
      if (size !== 1) {
        throw new RangeError(
          `${op}: the expanded size of the tensor (${target}) must match the existing size (${size}) at non-singleton ` +
            `dimension ${i}.  Target sizes: ${shapeString(sizes)}.  Tensor sizes: ${shapeString(x.shape)}`,
        );
      }
      size = target;
      stride = 0;
    }
    shape[i] = size;
    strides[i] = stride;
  }
  return [shape, strides];
}

/**
 * A view with size-1 dims repeated to `sizes` (stride 0, no copy); -1 keeps a size and new
 * leading dims may be added.
 * @example
 * ```ts
 * tensor([[1], [2]]).expand(2, 3); // [[1, 1, 1], [2, 2, 2]]
 * ```
 */
export function expand(x: Tensor, ...sizes: number[] | [readonly number[]]): Tensor {
  const s = intList(sizes, 'expand', 'sizes');
  const [shape, strides] = expandGeometry(x, s, 'expand');
  return dispatch('expand', [x], { shape }, () => x._view(shape, strides, x.offset));
}
/** expand to `other`'s shape. */
export function expandAs(x: Tensor, other: Tensor): Tensor {
  return expand(x, other.shape);
}
/** torch.broadcast_to: expand to `shape`. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const s = intList([shape], 'broadcastTo', 'sizes');
  const [sh, strides] = expandGeometry(x, s, 'broadcastTo');
  return dispatch('expand', [x], { shape: sh }, () => x._view(sh, strides, x.offset));
}

// ---- flatten / unflatten -------------------------------------------------------------------------

export interface FlattenOptions {
  startDim?: number;
  endDim?: number;
}

/**
 * Merges dims startDim..endDim (default all) into one: `x.flatten()`, `x.flatten(1)`,
 * `x.flatten(0, 1)` or `x.flatten({ startDim: 1 })`. A view when the strides allow it. A 0-d
 * tensor becomes shape [1].
 */
export function flatten(x: Tensor, startDim: number | FlattenOptions = 0, endDim = -1): Tensor {
  if (typeof startDim === 'object') {
    endDim = startDim.endDim ?? -1;
    startDim = startDim.startDim ?? 0;
  }
  const op = 'flatten';
  const s = normalizeDim(checkInt(startDim, op, 'startDim'), x.ndim, op);
  const e = normalizeDim(checkInt(endDim, op, 'endDim'), x.ndim, op);
  if (s > e) throw new RangeError(`${op}: flatten() has invalid args: start_dim (${startDim}) cannot come after end_dim (${endDim})`);
  if (x.ndim === 0) return dispatch('reshape', [x], { shape: [1] }, () => reshapeRaw(x, [1], op));
  const shape = [...x.shape.slice(0, s), numelOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return dispatch('reshape', [x], { shape }, () => reshapeRaw(x, shape, op));
}

/** flatten() to 1-D (a view when possible). */
export function ravel(x: Tensor): Tensor {
  return flatten(x);
}

/**
 * Splits dim `dim` into `sizes` (one may be -1): the inverse of flatten. Always a view.
 * @example
 * ```ts
 * zeros(2, 12).unflatten(1, [3, -1]).shape; // [2, 3, 4]
 * ```
 */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const op = 'unflatten';
  if (x.ndim === 0) throw new RangeError(`${op}: dimension specified as ${dim} but tensor has no dimensions`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  const s = intList([sizes], op, 'sizes');
  if (s.length === 0) throw new RangeError(`${op}: sizes must be non-empty`);
  let inferred: number[];
  try {
    inferred = inferSize(s, x.shape[d]!, op);
  } catch (err) {
    if (s.filter((v) => v === -1).length > 1 || s.some((v) => v < -1)) throw err;
    throw new RangeError(`${op}: Provided sizes ${shapeString(s)} don't multiply up to the size of dim ${dim} (${x.shape[d]}) in the input tensor of shape ${shapeString(x.shape)}`);
  }
  const shape = [...x.shape.slice(0, d), ...inferred, ...x.shape.slice(d + 1)];
  return dispatch('view', [x], { shape }, () => {
    const strides = viewStrides(x.shape, x.strides, shape)!;
    return x._view(shape, strides, x.offset);
  });
}

// ---- narrow / select / slice ---------------------------------------------------------------------

function sliceRaw(x: Tensor, d: number, start: number, end: number, step: number): Tensor {
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape[d] = end > start ? Math.floor((end - start + step - 1) / step) : 0;
  strides[d] = x.strides[d]! * step;
  return x._view(shape, strides, x.offset + start * x.strides[d]!);
}

/** Python's clamping of slice bounds for a dim of `size` (step > 0). */
function clampSlice(size: number, start: number | null | undefined, end: number | null | undefined): [number, number] {
  let s = start ?? 0;
  let e = end ?? size;
  if (s < 0) s += size;
  if (e < 0) e += size;
  s = Math.min(Math.max(s, 0), size);
  e = Math.min(Math.max(e, s), size);
  return [s, e];
}

/**
 * A view of `length` elements of dim `dim` from `start` (negative counts from the end).
 * @example
 * ```ts
 * arange(10).narrow(0, 2, 3); // [2, 3, 4]
 * ```
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const op = 'narrow';
  if (x.ndim === 0) throw new RangeError(`${op}: narrow() cannot be applied to a 0-dim tensor.`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  checkInt(start, op, 'start');
  checkInt(length, op, 'length');
  if (length < 0) throw new RangeError(`${op}: length must be non-negative, got ${length}`);
  const size = x.shape[d]!;
  if (start < -size || start > size) {
    throw new RangeError(`${op}: start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  }
  const s = start < 0 ? start + size : start;
  if (s > size - length) {
    throw new RangeError(`${op}: start (${s}) + length (${length}) exceeds dimension size (${size}) of dim ${d} in shape ${shapeString(x.shape)}.`);
  }
  return dispatch('slice', [x], { dim: d, start: s, end: s + length, step: 1 }, () => sliceRaw(x, d, s, s + length, 1));
}

function selectRaw(x: Tensor, d: number, i: number): Tensor {
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape.splice(d, 1);
  strides.splice(d, 1);
  return x._view(shape, strides, x.offset + i * x.strides[d]!);
}

function checkSelect(x: Tensor, dim: number, index: number, op: string): [number, number] {
  if (x.ndim === 0) throw new RangeError(`${op}: select() cannot be applied to a 0-dim tensor.`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  checkInt(index, op, 'index');
  const size = x.shape[d]!;
  if (index < -size || index >= size) {
    throw new RangeError(`${op}: index ${index} out of range for tensor of size ${shapeString(x.shape)} at dimension ${d}`);
  }
  return [d, index < 0 ? index + size : index];
}

/** The view `x[..., index, ...]` at dim `dim` (the dim is removed). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const [d, i] = checkSelect(x, dim, index, 'select');
  return dispatch('select', [x], { dim: d, index: i }, () => selectRaw(x, d, i));
}

function checkStep(step: number | null | undefined, op: string): number {
  const st = step ?? 1;
  if (!Number.isInteger(st)) throw new TypeError(`${op}: slice step must be an integer, got ${st}`);
  if (st <= 0) throw new RangeError(`${op}: slice step must be positive, got ${st} (use flip() to reverse)`);
  return st;
}

function checkBound(v: number | null | undefined, op: string, what: string): number | null {
  if (v === null || v === undefined) return null;
  if (!Number.isInteger(v)) throw new TypeError(`${op}: slice ${what} must be an integer or null, got ${String(v)}`);
  return v;
}

/**
 * The view `x[start:end:step]` along `dim` (Python's slice: bounds may be negative or out of
 * range and are clamped; null/undefined mean the ends; step > 0).
 * @example
 * ```ts
 * arange(10).slice(0, 1, null, 3); // [1, 4, 7]
 * ```
 */
export function sliceDim(x: Tensor, dim: number, start?: number | null, end?: number | null, step?: number | null): Tensor {
  const op = 'slice';
  if (x.ndim === 0) throw new RangeError(`${op}: slice() cannot be applied to a 0-dim tensor.`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  const st = checkStep(step, op);
  const [s, e] = clampSlice(x.shape[d]!, checkBound(start, op, 'start'), checkBound(end, op, 'end'));
  return dispatch('slice', [x], { dim: d, start: s, end: e, step: st }, () => sliceRaw(x, d, s, e, st));
}

/** A Python-style slice `start:end:step` for `Tensor.index`; null means "to the end". */
export class Slice {
  constructor(
    readonly start: number | null = null,
    readonly end: number | null = null,
    readonly step: number | null = null,
  ) {}
  toString(): string {
    const f = (v: number | null): string => (v === null ? '' : String(v));
    return `${f(this.start)}:${f(this.end)}${this.step === null ? '' : `:${this.step}`}`;
  }
}

/** Python's `start:end:step` as an index spec: `x.index(slice(1, null, 2))` is `x[1::2]`. */
export function slice(start: number | null = null, end: number | null = null, step: number | null = null): Slice {
  return new Slice(start, end, step);
}

/**
 * One spec of `Tensor.index`: a number selects (removing the dim), `null` inserts a new size-1
 * axis, `'...'` stands for all the dims not otherwise indexed, a `Slice` (from `slice()`), a
 * `{ start, end, step }` object or a string such as `':'`, `'1:5:2'`, `'::2'` or `'-3:'` slices.
 */
export type IndexSpec = number | null | '...' | string | Slice | { start?: number | null; end?: number | null; step?: number | null };

function parseSliceString(spec: string, op: string): Slice | number {
  const s = spec.trim();
  const parts = s.split(':');
  const num = (p: string): number | null => {
    const q = p.trim();
    if (q === '' || q === 'None' || q === 'null') return null;
    if (!/^[+-]?\d+$/.test(q)) throw new TypeError(`${op}: invalid index '${spec}' (expected a slice such as ':', '1:5' or '::2')`);
    return Number(q);
  };
  if (parts.length === 1) {
    const v = num(parts[0]!);
    if (v === null) throw new TypeError(`${op}: invalid index '${spec}' (expected a slice such as ':', '1:5' or '::2')`);
    return v;
  }
  if (parts.length > 3) throw new TypeError(`${op}: invalid index '${spec}' (a slice has at most start:end:step)`);
  return new Slice(num(parts[0]!), num(parts[1]!), parts.length === 3 ? num(parts[2]!) : null);
}

type ParsedSpec = { kind: 'int'; i: number } | { kind: 'new' } | { kind: 'ellipsis' } | { kind: 'slice'; s: Slice };

function parseSpec(spec: unknown, op: string): ParsedSpec {
  if (spec === null) return { kind: 'new' };
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec)) throw new TypeError(`${op}: index ${spec} is not an integer`);
    return { kind: 'int', i: spec };
  }
  if (typeof spec === 'string') {
    if (spec.trim() === '...') return { kind: 'ellipsis' };
    const p = parseSliceString(spec, op);
    return typeof p === 'number' ? { kind: 'int', i: p } : { kind: 'slice', s: p };
  }
  if (spec instanceof Slice) return { kind: 'slice', s: spec };
  if (spec instanceof Tensor) {
    throw new TypeError(`${op}: tensor indices (advanced indexing) are not supported by index(); use indexSelect, gather or maskedSelect`);
  }
  if (typeof spec === 'object' && spec !== undefined && !Array.isArray(spec) && ('start' in spec || 'end' in spec || 'step' in spec)) {
    const o = spec as { start?: number | null; end?: number | null; step?: number | null };
    return { kind: 'slice', s: new Slice(o.start ?? null, o.end ?? null, o.step ?? null) };
  }
  throw new TypeError(
    `${op}: invalid index ${Array.isArray(spec) ? `[${spec.map(String).join(', ')}]` : String(spec)} ` +
      "(expected a number, null, '...', slice(start, end, step) or a string like '1:5:2')",
  );
}

/**
 * Basic indexing, as Python's `x[...]`: a view (no copy) sharing `x`'s storage. Each spec is a
 * number (selects one index and removes the dim; negative counts from the end; out of range is an
 * error), `null` (a new axis of size 1), `'...'` (the ellipsis: all the dims not otherwise
 * indexed), `slice(start, end, step)` or a `{ start, end, step }` object, or a string such as
 * `':'`, `'1:5:2'`, `'::2'` or `'-3:'`. Missing trailing specs mean `':'`. Assign through the
 * view with `copy_` / `fill_`.
 * @example
 * ```ts
 * import { arange, slice } from '@cinder/tensor';
 * const x = arange(24).reshape(2, 3, 4);
 * x.index(0, slice(1, null, 2), null, '...'); // x[0, 1::2, None, ...]: shape [1, 1, 4]
 * x.index('...', -1);                          // x[..., -1]: shape [2, 3]
 * x.index(':', '::2').fill_(0);                // x[:, ::2] = 0, written into x
 * ```
 */
export function index(x: Tensor, ...specs: IndexSpec[]): Tensor {
  const op = 'index';
  const { parsed, consumed, replay } = parseIndex(x, specs, op);
  return dispatch('index', [x], { specs: replay }, () => indexRaw(x, parsed, consumed, op));
}

/** Parses and checks index specs; `replay` is replayable by index() itself (for backward). */
function parseIndex(x: Tensor, specs: readonly IndexSpec[], op: string): { parsed: ParsedSpec[]; consumed: number; replay: IndexSpec[] } {
  const parsed = specs.map((s) => parseSpec(s, op));
  let ellipses = 0;
  let consumed = 0;
  for (const p of parsed) {
    if (p.kind === 'ellipsis') ellipses++;
    else if (p.kind === 'int' || p.kind === 'slice') consumed++;
  }
  if (ellipses > 1) throw new RangeError(`${op}: an index can only have a single ellipsis ('...')`);
  if (consumed > x.ndim) {
    throw new RangeError(`${op}: too many indices for tensor of dimension ${x.ndim} (got ${consumed} indices for shape ${shapeString(x.shape)})`);
  }
  // Replayable by index() itself, so a backward can write a gradient through the same view.
  const replay: IndexSpec[] = parsed.map((p) =>
    p.kind === 'int' ? p.i : p.kind === 'new' ? null : p.kind === 'ellipsis' ? '...' : p.s,
  );
  return { parsed, consumed, replay };
}

/** The view of basic indexing `x[specs]` (specs parsed, `consumed` of them taking a dim). */
function indexRaw(x: Tensor, parsed: readonly ParsedSpec[], consumed: number, op: string): Tensor {
  let shape: number[] = [];
  let strides: number[] = [];
  let offset = x.offset;
  let d = 0;
  for (const p of parsed) {
    switch (p.kind) {
      case 'new':
        shape.push(1);
        strides.push(d < x.ndim ? x.shape[d]! * x.strides[d]! : 1);
        break;
      case 'ellipsis': {
        const n = x.ndim - consumed;
        for (let k = 0; k < n; k++, d++) {
          shape.push(x.shape[d]!);
          strides.push(x.strides[d]!);
        }
        break;
      }
      case 'int': {
        const size = x.shape[d]!;
        if (p.i < -size || p.i >= size) {
          throw new RangeError(`${op}: index ${p.i} is out of bounds for dimension ${d} with size ${size} (shape ${shapeString(x.shape)})`);
        }
        offset += (p.i < 0 ? p.i + size : p.i) * x.strides[d]!;
        d++;
        break;
      }
      case 'slice': {
        const st = checkStep(p.s.step, op);
        const [s, e] = clampSlice(x.shape[d]!, checkBound(p.s.start, op, 'start'), checkBound(p.s.end, op, 'end'));
        shape.push(e > s ? Math.floor((e - s + st - 1) / st) : 0);
        strides.push(x.strides[d]! * st);
        offset += s * x.strides[d]!;
        d++;
        break;
      }
    }
  }
  for (; d < x.ndim; d++) {
    shape.push(x.shape[d]!);
    strides.push(x.strides[d]!);
  }
  return x._view(shape, strides, offset);
}

/**
 * A view of every window of `size` elements along `dim`, `step` apart, as a new last dim
 * (torch's Tensor.unfold): `arange(7).unfold(0, 3, 2)` is [[0, 1, 2], [2, 3, 4], [4, 5, 6]].
 */
export function unfold(x: Tensor, dim: number, size: number, step: number): Tensor {
  const op = 'unfold';
  const d = normalizeDim(checkInt(dim, op, 'dimension'), x.ndim, op);
  checkInt(size, op, 'size');
  checkInt(step, op, 'step');
  const dimSize = x.ndim === 0 ? 1 : x.shape[d]!;
  const dimStride = x.ndim === 0 ? 1 : x.strides[d]!;
  if (size > dimSize) throw new RangeError(`${op}: maximum size for tensor at dimension ${d} is ${dimSize} but size is ${size}`);
  if (size < 0) throw new RangeError(`${op}: size is ${size} but must be >= 0`);
  if (step <= 0) throw new RangeError(`${op}: step is ${step} but must be > 0`);
  const attrs = { dim: d, size, step };
  return dispatch('unfold', [x], attrs, () => {
    const shape = [...x.shape];
    const strides = [...x.strides];
    if (x.ndim > 0) {
      shape[d] = Math.floor((dimSize - size) / step) + 1;
      strides[d] = step * dimStride;
    }
    shape.push(size);
    strides.push(dimStride);
    return x._view(shape, strides, x.offset);
  });
}

/**
 * A view with explicit sizes, strides and storage offset (default: this tensor's) over the same
 * storage. Every element it reaches must lie inside the storage; strides may be 0 or negative.
 */
export function asStrided(x: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor {
  const op = 'asStrided';
  const shape = intList([size], op, 'sizes');
  const strides = intList([stride], op, 'strides');
  const offset = storageOffset === undefined ? x.offset : checkInt(storageOffset, op, 'storageOffset');
  if (shape.length !== strides.length) {
    throw new RangeError(`${op}: mismatch in length of strides and shape (${shapeString(shape)} vs ${shapeString(strides)})`);
  }
  if (shape.some((s) => s < 0)) throw new RangeError(`${op}: negative size in ${shapeString(shape)}`);
  if (offset < 0) throw new RangeError(`${op}: Tensor: invalid storage offset ${offset}`);
  if (numelOf(shape) > 0) {
    let lo = offset;
    let hi = offset;
    shape.forEach((s, i) => {
      const span = (s - 1) * strides[i]!;
      if (span > 0) hi += span;
      else lo += span;
    });
    const limit = Math.floor(x._live().nbytes / ITEM_SIZE[x.dtype]);
    if (lo < 0 || hi >= limit) {
      throw new RangeError(
        `${op}: setStorage: sizes ${shapeString(shape)}, strides ${shapeString(strides)}, storage offset ${offset} ` +
          `reach elements [${lo}, ${hi}], outside the storage of ${limit} elements`,
      );
    }
  }
  return dispatch('asStrided', [x], { size: shape, stride: strides, storageOffset: offset }, () => x._view(shape, strides, offset));
}

// ---- split / chunk / unbind ---------------------------------------------------------------------

function splitBySizes(x: Tensor, sizes: readonly number[], d: number): Tensor[] {
  const out: Tensor[] = [];
  let start = 0;
  for (const len of sizes) {
    out.push(sliceRaw(x, d, start, start + len, 1));
    start += len;
  }
  return out;
}

/**
 * Splits into views along `dim`: `x.split(2)` gives chunks of size 2 (the last may be smaller),
 * `x.split([1, 3])` chunks of the given sizes (which must sum to the dim's size).
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim: number | { dim?: number } = 0): Tensor[] {
  const op = 'split';
  dim = dimArg(dim, op);
  if (x.ndim === 0) throw new RangeError(`${op}: split expects at least a 1-dimensional tensor`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  const size = x.shape[d]!;
  let sizes: number[];
  if (typeof splitSizeOrSections === 'number') {
    const ss = checkInt(splitSizeOrSections, op, 'split_size');
    if (ss < 0) throw new RangeError(`${op}: split expects split_size be non-negative, but got split_size=${ss}`);
    if (ss === 0 && size !== 0) throw new RangeError(`${op}: split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    const n = ss === 0 ? 1 : Math.max(Math.ceil(size / ss), 1);
    sizes = new Array<number>(n).fill(ss);
    sizes[n - 1] = ss - (ss * n - size);
  } else {
    sizes = intList([splitSizeOrSections], op, 'split sizes');
    if (sizes.some((s) => s < 0)) {
      throw new RangeError(`${op}: split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${shapeString(sizes)}`);
    }
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sum !== size) {
      throw new RangeError(
        `${op}: split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), ` +
          `but got split_sizes=${shapeString(sizes)}`,
      );
    }
  }
  return dispatch('split', [x], { dim: d, sizes }, () => splitBySizes(x, sizes, d));
}

/** Splits into `chunks` views along `dim` of size ceil(n / chunks) (so possibly fewer chunks). */
export function chunk(x: Tensor, chunks: number, dim: number | { dim?: number } = 0): Tensor[] {
  const op = 'chunk';
  dim = dimArg(dim, op);
  if (x.ndim === 0) throw new RangeError(`${op}: chunk expects at least a 1-dimensional tensor`);
  checkInt(chunks, op, 'chunks');
  if (chunks <= 0) throw new RangeError(`${op}: chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  const size = x.shape[d]!;
  const ss = Math.ceil(size / chunks);
  let sizes: number[];
  if (size === 0) {
    sizes = new Array<number>(chunks).fill(0);
  } else {
    const n = Math.ceil(size / ss);
    sizes = new Array<number>(n).fill(ss);
    sizes[n - 1] = size - ss * (n - 1);
  }
  return dispatch('split', [x], { dim: d, sizes }, () => splitBySizes(x, sizes, d));
}

/** The views x.select(dim, i) for every i. */
export function unbind(x: Tensor, dim: number | { dim?: number } = 0): Tensor[] {
  const op = 'unbind';
  dim = dimArg(dim, op);
  if (x.ndim === 0) throw new RangeError(`${op}: Dimension specified as ${dim} but tensor has no dimensions`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), x.ndim, op);
  return dispatch('unbind', [x], { dim: d }, () => Array.from({ length: x.shape[d]! }, (_, i) => selectRaw(x, d, i)));
}

// ---- diagonal ------------------------------------------------------------------------------------

export interface DiagonalOptions {
  offset?: number;
  dim1?: number;
  dim2?: number;
}

/**
 * A view of the diagonal of the (dim1, dim2) planes, appended as the last dim; `offset` > 0 is
 * above the main diagonal, < 0 below. `x.diagonal()`, `x.diagonal(1)`, `x.diagonal(0, 1, 2)` or
 * `x.diagonal({ offset: 0, dim1: 1, dim2: 2 })`.
 */
export function diagonal(x: Tensor, offset: number | DiagonalOptions = 0, dim1 = 0, dim2 = 1): Tensor {
  if (typeof offset === 'object') {
    dim1 = offset.dim1 ?? 0;
    dim2 = offset.dim2 ?? 1;
    offset = offset.offset ?? 0;
  }
  const op = 'diagonal';
  checkInt(offset, op, 'offset');
  const a = normalizeDim(checkInt(dim1, op, 'dim1'), x.ndim, op);
  const b = normalizeDim(checkInt(dim2, op, 'dim2'), x.ndim, op);
  if (a === b) throw new RangeError(`${op}: diagonal dimensions cannot be identical ${dim1}, ${dim2} (shape ${shapeString(x.shape)})`);
  const off = offset;
  const attrs = { offset: off, dim1: a, dim2: b };
  return dispatch('diagonal', [x], attrs, () => diagonalRaw(x, off, a, b));
}

/** The diagonal view of the (a, b) planes at offset `off`, as the last dim. */
function diagonalRaw(x: Tensor, off: number, a: number, b: number): Tensor {
  const sa = x.shape[a]!;
  const sb = x.shape[b]!;
  const n = Math.max(off >= 0 ? Math.min(sa, sb - off) : Math.min(sa + off, sb), 0);
  let start = x.offset;
  if (n > 0) start += off >= 0 ? off * x.strides[b]! : -off * x.strides[a]!;
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    if (i === a || i === b) continue;
    shape.push(x.shape[i]!);
    strides.push(x.strides[i]!);
  }
  shape.push(n);
  strides.push(x.strides[a]! + x.strides[b]!);
  return x._view(shape, strides, start);
}

// ---- scatter into a view (out of place) ------------------------------------------------------------

/**
 * A copy of `x` with the view `viewOf(copy)` replaced by `src`, which must have exactly the
 * view's shape (its dtype is converted to x's). Shared by selectScatter, sliceScatter, ...
 */
function scatterIntoView(
  op: string,
  x: Tensor,
  src: Tensor,
  attrs: Record<string, unknown>,
  what: string,
  viewOf: (t: Tensor) => Tensor,
): Tensor {
  if (!(src instanceof Tensor)) throw new TypeError(`${op}: expected src to be a Tensor, got ${typeof src}`);
  const shape = withView(viewOf(x), (v) => [...v.shape]);
  if (shape.length !== src.ndim || shape.some((s, i) => s !== src.shape[i])) {
    throw new RangeError(
      `${op}: expected src to have a size equal to the ${what} of self. src size = ${shapeString(src.shape)}, ` +
        `${what} size = ${shapeString(shape)}`,
    );
  }
  return dispatch(op, [x, src], attrs, () => {
    const out = x._copyAs(x.dtype);
    withView(viewOf(out), (v) => copyRaw(v, src));
    return out;
  });
}

/**
 * A copy of `input` with `input.select(dim, index)` replaced by `src` (torch.select_scatter);
 * src must have the selected slice's shape.
 * @example
 * ```ts
 * selectScatter(zeros(2, 2), ones(2), 0, 0); // [[1, 1], [0, 0]]
 * ```
 */
export function selectScatter(input: Tensor, src: Tensor, dim: number, index: number): Tensor {
  const op = 'selectScatter';
  const [d, i] = checkSelect(input, dim, index, op);
  return scatterIntoView(op, input, src, { dim: d, index: i }, 'slice', (t) => selectRaw(t, d, i));
}

/**
 * A copy of `input` with `input.slice(dim, start, end, step)` replaced by `src`
 * (torch.slice_scatter); src must have the slice's shape.
 */
export function sliceScatter(
  input: Tensor,
  src: Tensor,
  dim = 0,
  start?: number | null,
  end?: number | null,
  step?: number | null,
): Tensor {
  const op = 'sliceScatter';
  if (input.ndim === 0) throw new RangeError(`${op}: slice() cannot be applied to a 0-dim tensor.`);
  const d = normalizeDim(checkInt(dim, op, 'dim'), input.ndim, op);
  const st = checkStep(step, op);
  const [s, e] = clampSlice(input.shape[d]!, checkBound(start, op, 'start'), checkBound(end, op, 'end'));
  return scatterIntoView(op, input, src, { dim: d, start: s, end: e, step: st }, 'slice', (t) => sliceRaw(t, d, s, e, st));
}

/**
 * A copy of `input` with `input.diagonal(offset, dim1, dim2)` replaced by `src`
 * (torch.diagonal_scatter); src must have the diagonal's shape.
 */
export function diagonalScatter(input: Tensor, src: Tensor, offset: number | DiagonalOptions = 0, dim1 = 0, dim2 = 1): Tensor {
  if (typeof offset === 'object') {
    dim1 = offset.dim1 ?? 0;
    dim2 = offset.dim2 ?? 1;
    offset = offset.offset ?? 0;
  }
  const op = 'diagonalScatter';
  checkInt(offset, op, 'offset');
  const a = normalizeDim(checkInt(dim1, op, 'dim1'), input.ndim, op);
  const b = normalizeDim(checkInt(dim2, op, 'dim2'), input.ndim, op);
  if (a === b) throw new RangeError(`${op}: diagonal dimensions cannot be identical ${dim1}, ${dim2} (shape ${shapeString(input.shape)})`);
  const off = offset;
  return scatterIntoView(op, input, src, { offset: off, dim1: a, dim2: b }, 'diagonal', (t) => diagonalRaw(t, off, a, b));
}

/**
 * A copy of `input` with the basic-indexing view `input.index(...specs)` replaced by `src`
 * (the out-of-place form of `x[specs] = src`); src must have the view's shape.
 * @example
 * ```ts
 * indexScatter(zeros(3, 4), ones(3, 2), [':', '::2']); // ones in columns 0 and 2
 * ```
 */
export function indexScatter(input: Tensor, src: Tensor, specs: readonly IndexSpec[]): Tensor {
  const op = 'indexScatter';
  if (!Array.isArray(specs)) throw new TypeError(`${op}: expected specs to be an array of index specs`);
  const { parsed, consumed, replay } = parseIndex(input, specs, op);
  return scatterIntoView(op, input, src, { specs: replay }, 'view', (t) => indexRaw(t, parsed, consumed, op));
}

/**
 * A copy of `input` (contiguous) with its view `asStrided(size, stride, storageOffset)` replaced
 * by `src` (torch.as_strided_scatter): the geometry indexes the copy's row-major elements.
 */
export function asStridedScatter(input: Tensor, src: Tensor, size: readonly number[], stride: readonly number[], storageOffset = 0): Tensor {
  const op = 'asStridedScatter';
  const shape = intList([size], op, 'sizes');
  const strides = intList([stride], op, 'strides');
  const offset = checkInt(storageOffset, op, 'storageOffset');
  if (shape.length !== strides.length) {
    throw new RangeError(`${op}: mismatch in length of strides and shape (${shapeString(shape)} vs ${shapeString(strides)})`);
  }
  if (shape.some((s) => s < 0)) throw new RangeError(`${op}: negative size in ${shapeString(shape)}`);
  if (offset < 0) throw new RangeError(`${op}: invalid storage offset ${offset}`);
  if (numelOf(shape) > 0) {
    let lo = offset;
    let hi = offset;
    shape.forEach((s, i) => {
      const span = (s - 1) * strides[i]!;
      if (span > 0) hi += span;
      else lo += span;
    });
    if (lo < 0 || hi >= input.numel()) {
      throw new RangeError(
        `${op}: sizes ${shapeString(shape)}, strides ${shapeString(strides)}, storage offset ${offset} ` +
          `reach elements [${lo}, ${hi}], outside the ${input.numel()} elements of input`,
      );
    }
  }
  const attrs = { size: shape, stride: strides, storageOffset: offset };
  // Only the shape matters for the check on input; the kernel views the fresh contiguous copy.
  return scatterIntoView(op, input, src, attrs, 'view', (t) => t._view(shape, strides, offset));
}

// ---- copying ops: cat / stack ---------------------------------------------------------------------

function checkTensorList(tensors: readonly Tensor[], op: string): void {
  if (!Array.isArray(tensors)) throw new TypeError(`${op}: expected an array of tensors`);
  if (tensors.length === 0) throw new RangeError(`${op}: expected a non-empty list of Tensors`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor at position ${i}, got ${typeof t}`);
  });
}

function dimArg(dim: number | { dim?: number } | undefined, op: string): number {
  const d = typeof dim === 'object' && dim !== null ? dim.dim ?? 0 : dim ?? 0;
  return checkInt(d, op, 'dim');
}

function catRaw(tensors: readonly Tensor[], d: number, outShape: readonly number[], dtype: DType, skip: readonly boolean[]): Tensor {
  const out = allocate(dtype, outShape);
  let start = 0;
  for (let i = 0; i < tensors.length; i++) {
    if (skip[i]) continue;
    const t = tensors[i]!;
    const len = t.shape[d]!;
    if (len > 0) withView(sliceRaw(out, d, start, start + len, 1), (v) => copyRaw(v, t));
    start += len;
  }
  return out;
}

/** Shape checks of cat; returns the output shape, the dim and which inputs are skipped. */
function catGeometry(tensors: readonly Tensor[], dim: number, op: string): { shape: number[]; d: number; skip: boolean[] } {
  // PyTorch's legacy rule: 1-D empty tensors are skipped whatever the others' shapes.
  const skip = tensors.map((t) => t.ndim === 1 && t.shape[0] === 0);
  tensors.forEach((t, i) => {
    if (t.ndim === 0) throw new RangeError(`${op}: zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const refIdx = skip.indexOf(false);
  if (refIdx < 0) return { shape: [0], d: normalizeDim(dim, 1, op), skip };
  const ref = tensors[refIdx]!;
  const d = normalizeDim(dim, ref.ndim, op);
  const shape = [...ref.shape];
  let total = 0;
  tensors.forEach((t, i) => {
    if (skip[i]) return;
    if (t.ndim !== ref.ndim) {
      throw new RangeError(`${op}: Tensors must have same number of dimensions: got ${ref.ndim} and ${t.ndim} (shapes ${shapeString(ref.shape)} and ${shapeString(t.shape)} at positions ${refIdx} and ${i})`);
    }
    for (let k = 0; k < ref.ndim; k++) {
      if (k !== d && t.shape[k] !== ref.shape[k]) {
        throw new RangeError(
          `${op}: Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${t.shape[k]} ` +
            `for tensor number ${i} in the list (shapes ${tensors.map((x) => shapeString(x.shape)).join(', ')})`,
        );
      }
    }
    total += t.shape[d]!;
  });
  shape[d] = total;
  return { shape, d, skip };
}

/**
 * Concatenates along an existing dim (default 0), promoting dtypes across the inputs; 1-D empty
 * tensors are skipped, as in PyTorch. `cat([a, b], 1)` or `cat([a, b], { dim: 1 })`.
 * @example
 * ```ts
 * cat([zeros(2, 3), ones(1, 3)]).shape; // [3, 3]
 * ```
 */
export function cat(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  const op = 'cat';
  checkTensorList(tensors, op);
  const { shape, d, skip } = catGeometry(tensors, dimArg(dim, op), op);
  const dtype = resultType(tensors.map((t) => t.dtype));
  return dispatch('cat', tensors, { dim: d }, () => catRaw(tensors, d, shape, dtype, skip));
}
/** Alias of cat. */
export const concat = cat;
/** Alias of cat. */
export const concatenate = cat;

/**
 * Joins equally shaped tensors along a new dim (default 0, in [-ndim-1, ndim]).
 * @example
 * ```ts
 * stack([zeros(2, 3), ones(2, 3)], 1).shape; // [2, 2, 3]
 * ```
 */
export function stack(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  const op = 'stack';
  checkTensorList(tensors, op);
  const first = tensors[0]!;
  const d = normalizeDim(dimArg(dim, op), first.ndim, op, 1);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s, k) => s !== first.shape[k])) {
      throw new RangeError(`${op}: stack expects each tensor to be equal size, but got ${shapeString(first.shape)} at entry 0 and ${shapeString(t.shape)} at entry ${i}`);
    }
  });
  const dtype = resultType(tensors.map((t) => t.dtype));
  const shape = [...first.shape];
  shape.splice(d, 0, tensors.length);
  return dispatch('stack', tensors, { dim: d }, () => {
    const out = allocate(dtype, shape);
    if (out.numel() > 0) tensors.forEach((t, i) => withView(selectRaw(out, d, i), (v) => copyRaw(v, t)));
    return out;
  });
}

function atLeast(x: Tensor, n: number): Tensor {
  if (x.ndim >= n) return x;
  if (n === 2 && x.ndim === 1) return x._view([1, x.shape[0]!], [x.shape[0]! * x.strides[0]!, x.strides[0]!], x.offset);
  if (n === 3 && x.ndim === 2) return x._view([...x.shape, 1], [...x.strides, 1], x.offset);
  if (n === 3 && x.ndim === 1) return x._view([1, x.shape[0]!, 1], [x.shape[0]! * x.strides[0]!, x.strides[0]!, 1], x.offset);
  return x._view(new Array<number>(n).fill(1), new Array<number>(n).fill(1), x.offset);
}

function stackLike(tensors: readonly Tensor[], op: string, n: number, dimOf: (nd: number) => number): Tensor {
  checkTensorList(tensors, op);
  const views = tensors.map((t) => atLeast(t, n));
  const { shape, d, skip } = catGeometry(views, dimOf(views[0]!.ndim), op);
  const dtype = resultType(tensors.map((t) => t.dtype));
  return dispatch(op, tensors, { dim: d }, () => catRaw(views, d, shape, dtype, skip));
}

/** Concatenates column-wise: along dim 1, or dim 0 for 1-D inputs. */
export function hstack(tensors: readonly Tensor[]): Tensor {
  return stackLike(tensors, 'hstack', 1, (nd) => (nd === 1 ? 0 : 1));
}
/** Concatenates row-wise (1-D inputs become rows). */
export function vstack(tensors: readonly Tensor[]): Tensor {
  return stackLike(tensors, 'vstack', 2, () => 0);
}
/** Concatenates depth-wise, along dim 2 (inputs made at least 3-D). */
export function dstack(tensors: readonly Tensor[]): Tensor {
  return stackLike(tensors, 'dstack', 3, () => 2);
}

// ---- copying ops: flip / roll / repeat / tile ------------------------------------------------------

/**
 * A copy with the order of elements reversed along `dims` (one negative-stride view, one copy).
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]).flip(1); // [[2, 1], [4, 3]]
 * ```
 */
export function flip(x: Tensor, ...dims: number[] | [readonly number[]]): Tensor {
  const op = 'flip';
  const ds = normalizeDims(intList(dims, op, 'dims'), x.ndim, op);
  return dispatch('flip', [x], { dims: ds }, () => {
    const strides = [...x.strides];
    let offset = x.offset;
    if (x.numel() > 0) {
      for (const d of ds) {
        if (d >= x.ndim) continue;
        offset += (x.shape[d]! - 1) * x.strides[d]!;
        strides[d] = -x.strides[d]!;
      }
    }
    const out = allocate(x.dtype, x.shape);
    withView(x._view(x.shape, strides, offset), (v) => copyRaw(out, v));
    return out;
  });
}
/** flip(x, -1) of a tensor with at least 2 dims. */
export function fliplr(x: Tensor): Tensor {
  if (x.ndim < 2) throw new RangeError(`fliplr: input must be >= 2-d, got shape ${shapeString(x.shape)}`);
  return flip(x, [1]);
}
/** flip(x, 0) of a tensor with at least 1 dim. */
export function flipud(x: Tensor): Tensor {
  if (x.ndim < 1) throw new RangeError('flipud: input must be >= 1-d, got a 0-d tensor');
  return flip(x, [0]);
}

/**
 * Rolls elements along dims by `shifts` (elements leaving one end come back at the other); with
 * no dims the tensor is rolled as if flattened.
 * @example
 * ```ts
 * arange(5).roll(2);                        // [3, 4, 0, 1, 2]
 * arange(6).reshape(2, 3).roll([1, -1], [0, 1]);
 * ```
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | { dims?: number | readonly number[] }): Tensor {
  const op = 'roll';
  if (typeof dims === 'object' && dims !== null && !Array.isArray(dims)) dims = (dims as { dims?: number | readonly number[] }).dims;
  const sh = typeof shifts === 'number' ? [checkInt(shifts, op, 'shifts')] : intList([shifts], op, 'shifts');
  const dl = dims === undefined ? [] : typeof dims === 'number' ? [checkInt(dims, op, 'dims')] : intList([dims], op, 'dims');
  if (sh.length === 0) throw new RangeError(`${op}: \`shifts\` required`);
  if (dl.length === 0 && sh.length === 1) {
    return dispatch('roll', [x], { shifts: sh, dims: null }, () => {
      const flat = reshapeRaw(x, [x.numel()], op);
      const r = rollRaw(flat, [0], sh);
      const res = r._view(x.shape, contiguousStrides(x.shape), 0);
      if (flat !== x) flat.dispose();
      r.dispose();
      return res;
    });
  }
  if (sh.length !== dl.length) throw new RangeError(`${op}: shifts and dimensions must align. shifts: ${sh.length}, dims: ${dl.length}`);
  const nd = dl.map((d) => normalizeDim(d, x.ndim, op));
  return dispatch('roll', [x], { shifts: sh, dims: nd }, () => rollRaw(x, nd, sh));
}

function rollRaw(x: Tensor, dims: readonly number[], shifts: readonly number[]): Tensor {
  const out = allocate(x.dtype, x.shape);
  if (out.numel() === 0) return out;
  // Shifts along a repeated dim add up; each rolled dim is two blocks, copied block by block.
  const total = new Map<number, number>();
  dims.forEach((d, i) => total.set(d, (total.get(d) ?? 0) + shifts[i]!));
  const rolled: [number, number][] = [];
  for (const [d, s] of total) {
    if (x.ndim === 0) continue;
    const n = x.shape[d]!;
    const r = ((s % n) + n) % n;
    if (r !== 0) rolled.push([d, r]);
  }
  const blocks = 1 << rolled.length;
  for (let b = 0; b < blocks; b++) {
    let src = x;
    let dst = out;
    let empty = false;
    const tmp: Tensor[] = [];
    for (let k = 0; k < rolled.length; k++) {
      const [d, r] = rolled[k]!;
      const n = x.shape[d]!;
      // out[r:] <- x[:n-r] (block 0), out[:r] <- x[n-r:] (block 1)
      const [s0, s1, d0, d1] = (b >> k) & 1 ? [n - r, n, 0, r] : [0, n - r, r, n];
      if (s1 <= s0) empty = true;
      src = sliceRaw(src, d, s0, s1, 1);
      dst = sliceRaw(dst, d, d0, d1, 1);
      tmp.push(src, dst);
    }
    if (!empty) copyRaw(dst, src);
    for (const t2 of tmp) t2.dispose();
  }
  if (rolled.length === 0) copyRaw(out, x);
  return out;
}

function repeatRaw(x: Tensor, reps: readonly number[]): Tensor {
  const r = reps.length;
  const lead = r - x.ndim;
  const outShape = reps.map((k, i) => k * (i < lead ? 1 : x.shape[i - lead]!));
  // Viewed as [r0, s0, r1, s1, ...] with stride 0 along every repeat dim, one copy does it all.
  // Trivial halves of a pair (a repeat of 1, a size-1 dim) are left out to keep the rank low.
  const pairShape: number[] = [];
  const srcStrides: number[] = [];
  for (let i = 0; i < r; i++) {
    const size = i < lead ? 1 : x.shape[i - lead]!;
    if (reps[i] !== 1) {
      pairShape.push(reps[i]!);
      srcStrides.push(0);
    }
    if (size !== 1) {
      pairShape.push(size);
      srcStrides.push(x.strides[i - lead]!);
    }
  }
  const out = allocate(x.dtype, pairShape);
  if (out.numel() > 0) withView(x._view(pairShape, srcStrides, x.offset), (v) => copyRaw(out, v));
  const res = out._view(outShape, contiguousStrides(outShape), 0);
  out.dispose();
  return res;
}

/**
 * A copy repeated `sizes[i]` times along each dim (sizes may add leading dims): `x.repeat(2, 3)`.
 * @example
 * ```ts
 * tensor([1, 2]).repeat(2, 2); // [[1, 2, 1, 2], [1, 2, 1, 2]]
 * ```
 */
export function repeat(x: Tensor, ...sizes: number[] | [readonly number[]]): Tensor {
  const op = 'repeat';
  const reps = intList(sizes, op, 'repeats');
  if (reps.length < x.ndim) {
    throw new RangeError(
      `${op}: Number of dimensions of repeat dims (${reps.length}) can not be smaller than number of dimensions of tensor (${x.ndim}, shape ${shapeString(x.shape)})`,
    );
  }
  if (reps.some((k) => k < 0)) throw new RangeError(`${op}: Trying to create tensor with negative dimension: repeats ${shapeString(reps)}`);
  return dispatch('repeat', [x], { repeats: reps }, () => repeatRaw(x, reps));
}

/** repeat, with the sizes padded with leading 1s to the tensor's rank (NumPy's tile). */
export function tile(x: Tensor, ...dims: number[] | [readonly number[]]): Tensor {
  const op = 'tile';
  let reps = intList(dims, op, 'dims');
  if (reps.some((k) => k < 0)) throw new RangeError(`${op}: Trying to create tensor with negative dimension: dims ${shapeString(reps)}`);
  if (reps.length < x.ndim) reps = [...new Array<number>(x.ndim - reps.length).fill(1), ...reps];
  return dispatch('repeat', [x], { repeats: reps }, () => repeatRaw(x, reps));
}

// ---- tril / triu -------------------------------------------------------------------------------

function trilTriuRaw(src: Tensor, dst: Tensor, diagonal: number, upper: boolean): void {
  const p = putTensor(0, src);
  const q = putTensor(p, dst);
  // The kernel clamps again; this keeps the double -> int64 conversion in range.
  frame[q] = Math.max(-(2 ** 53), Math.min(2 ** 53, diagonal));
  if (upper) kernels.triu();
  else kernels.tril();
}

function checkTri(x: Tensor, diagonal: number, op: string): void {
  checkInt(diagonal, op, 'diagonal');
  if (x.ndim < 2) throw new RangeError(`${op}: input tensor must have at least 2 dimensions, got shape ${shapeString(x.shape)}`);
}

/** In-place writes into a tensor whose elements share memory (an expanded view) are ambiguous. */
function checkWritable(x: Tensor, op: string): void {
  for (let i = 0; i < x.ndim; i++) {
    if (x.strides[i] === 0 && x.shape[i]! > 1) {
      throw new Error(
        `${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location ` +
          `(shape ${shapeString(x.shape)}, strides ${shapeString(x.strides)}). Please clone() the tensor before performing the operation.`,
      );
    }
  }
}

/**
 * The lower triangle of the last two dims (batched), the rest zeroed; `diagonal` > 0 keeps more
 * diagonals above the main one, < 0 fewer.
 */
export function tril(x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
  if (typeof diagonal === 'object') diagonal = diagonal.diagonal ?? 0;
  checkTri(x, diagonal, 'tril');
  return dispatch('tril', [x], { diagonal }, () => {
    const out = allocate(x.dtype, x.shape);
    trilTriuRaw(x, out, diagonal, false);
    return out;
  });
}
/** The upper triangle of the last two dims (batched), the rest zeroed. */
export function triu(x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
  if (typeof diagonal === 'object') diagonal = diagonal.diagonal ?? 0;
  checkTri(x, diagonal, 'triu');
  return dispatch('triu', [x], { diagonal }, () => {
    const out = allocate(x.dtype, x.shape);
    trilTriuRaw(x, out, diagonal, true);
    return out;
  });
}
/** In-place tril. */
export function tril_(x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
  if (typeof diagonal === 'object') diagonal = diagonal.diagonal ?? 0;
  checkTri(x, diagonal, 'tril_');
  checkWritable(x, 'tril_');
  return dispatch('tril_', [x], { diagonal }, () => {
    trilTriuRaw(x, x, diagonal, false);
    x._st.version++;
    return x;
  });
}
/** In-place triu. */
export function triu_(x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
  if (typeof diagonal === 'object') diagonal = diagonal.diagonal ?? 0;
  checkTri(x, diagonal, 'triu_');
  checkWritable(x, 'triu_');
  return dispatch('triu_', [x], { diagonal }, () => {
    trilTriuRaw(x, x, diagonal, true);
    x._st.version++;
    return x;
  });
}

/** torch.broadcast_tensors: every input expanded (a view) to their common shape. */
export function broadcastTensors(...tensors: Tensor[] | [readonly Tensor[]]): Tensor[] {
  const list = (tensors.length === 1 && Array.isArray(tensors[0]) ? tensors[0] : tensors) as readonly Tensor[];
  let nd = 0;
  for (const t of list) nd = Math.max(nd, t.ndim);
  const shape = new Array<number>(nd).fill(1);
  for (const t of list) {
    for (let i = 0; i < t.ndim; i++) {
      const s = t.shape[i]!;
      const k = nd - t.ndim + i;
      if (s === shape[k] || s === 1) continue;
      if (shape[k] === 1) shape[k] = s;
      else throw new RangeError(`broadcastTensors: shapes ${list.map((x) => shapeString(x.shape)).join(' and ')} cannot be broadcast together (size ${shape[k]} vs ${s} at dim ${k})`);
    }
  }
  return list.map((t) => broadcastTo(t, shape));
}

// ---- methods ---------------------------------------------------------------------------------

declare module '../tensor.js' {
  interface Tensor {
    /** See {@link reshape}. */
    reshape(...shape: number[]): Tensor;
    reshape(shape: readonly number[]): Tensor;
    /** See {@link view}. */
    view(...shape: number[]): Tensor;
    view(shape: readonly number[]): Tensor;
    view(dtype: DType): Tensor;
    unfold(dim: number, size: number, step: number): Tensor;
    asStrided(size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor;
    reshapeAs(other: Tensor): Tensor;
    viewAs(other: Tensor): Tensor;
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
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    /** See {@link expand}. */
    expand(...sizes: number[]): Tensor;
    expand(sizes: readonly number[]): Tensor;
    expandAs(other: Tensor): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    /** See {@link flatten}. */
    flatten(startDim?: number | FlattenOptions, endDim?: number): Tensor;
    ravel(): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    /** The view `x[start:end:step]` along `dim`; see {@link sliceDim}. */
    slice(dim: number, start?: number | null, end?: number | null, step?: number | null): Tensor;
    /** Basic indexing as Python's `x[...]`; see {@link index}. */
    index(...specs: IndexSpec[]): Tensor;
    split(splitSizeOrSections: number | readonly number[], dim?: number | { dim?: number }): Tensor[];
    chunk(chunks: number, dim?: number | { dim?: number }): Tensor[];
    unbind(dim?: number | { dim?: number }): Tensor[];
    diagonal(offset?: number | DiagonalOptions, dim1?: number, dim2?: number): Tensor;
    /** See {@link selectScatter}. */
    selectScatter(src: Tensor, dim: number, index: number): Tensor;
    /** See {@link sliceScatter}. */
    sliceScatter(src: Tensor, dim?: number, start?: number | null, end?: number | null, step?: number | null): Tensor;
    /** See {@link diagonalScatter}. */
    diagonalScatter(src: Tensor, offset?: number | DiagonalOptions, dim1?: number, dim2?: number): Tensor;
    /** See {@link indexScatter}. */
    indexScatter(src: Tensor, specs: readonly IndexSpec[]): Tensor;
    /** See {@link asStridedScatter}. */
    asStridedScatter(src: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor;
    /** See {@link flip}. */
    flip(...dims: number[]): Tensor;
    flip(dims: readonly number[]): Tensor;
    fliplr(): Tensor;
    flipud(): Tensor;
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | { dims?: number | readonly number[] }): Tensor;
    /** See {@link repeat}. */
    repeat(...sizes: number[]): Tensor;
    repeat(sizes: readonly number[]): Tensor;
    tile(...dims: number[]): Tensor;
    tile(dims: readonly number[]): Tensor;
    tril(diagonal?: number | { diagonal?: number }): Tensor;
    triu(diagonal?: number | { diagonal?: number }): Tensor;
    tril_(diagonal?: number | { diagonal?: number }): Tensor;
    triu_(diagonal?: number | { diagonal?: number }): Tensor;
  }
}

type AnyArgs = any[];
const proto = Tensor.prototype;
proto.reshape = function (this: Tensor, ...s: AnyArgs) { return reshape(this, ...s); };
proto.view = function (this: Tensor, ...s: AnyArgs) { return view(this, ...s); };
proto.unfold = function (this: Tensor, d: number, s: number, st: number) { return unfold(this, d, s, st); };
proto.asStrided = function (this: Tensor, s: readonly number[], st: readonly number[], o?: number) { return asStrided(this, s, st, o); };
proto.reshapeAs = function (this: Tensor, o: Tensor) { return reshapeAs(this, o); };
proto.viewAs = function (this: Tensor, o: Tensor) { return viewAs(this, o); };
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
proto.squeeze = function (this: Tensor, d?: number | readonly number[]) { return squeeze(this, d); };
proto.unsqueeze = function (this: Tensor, d: number) { return unsqueeze(this, d); };
proto.expand = function (this: Tensor, ...s: AnyArgs) { return expand(this, ...s); };
proto.expandAs = function (this: Tensor, o: Tensor) { return expandAs(this, o); };
proto.broadcastTo = function (this: Tensor, s: readonly number[]) { return broadcastTo(this, s); };
proto.flatten = function (this: Tensor, s?: number | FlattenOptions, e?: number) { return flatten(this, s, e); };
proto.ravel = function (this: Tensor) { return ravel(this); };
proto.unflatten = function (this: Tensor, d: number, s: readonly number[]) { return unflatten(this, d, s); };
proto.narrow = function (this: Tensor, d: number, s: number, l: number) { return narrow(this, d, s, l); };
proto.select = function (this: Tensor, d: number, i: number) { return select(this, d, i); };
proto.slice = function (this: Tensor, d: number, s?: number | null, e?: number | null, st?: number | null) { return sliceDim(this, d, s, e, st); };
proto.index = function (this: Tensor, ...specs: IndexSpec[]) { return index(this, ...specs); };
proto.split = function (this: Tensor, s: number | readonly number[], d?: number | { dim?: number }) { return split(this, s, d); };
proto.chunk = function (this: Tensor, c: number, d?: number | { dim?: number }) { return chunk(this, c, d); };
proto.unbind = function (this: Tensor, d?: number | { dim?: number }) { return unbind(this, d); };
proto.diagonal = function (this: Tensor, o?: number | DiagonalOptions, a?: number, b?: number) { return diagonal(this, o, a, b); };
proto.selectScatter = function (this: Tensor, src: Tensor, d: number, i: number) { return selectScatter(this, src, d, i); };
proto.sliceScatter = function (this: Tensor, src: Tensor, d?: number, s?: number | null, e?: number | null, st?: number | null) { return sliceScatter(this, src, d, s, e, st); };
proto.diagonalScatter = function (this: Tensor, src: Tensor, o?: number | DiagonalOptions, a?: number, b?: number) { return diagonalScatter(this, src, o, a, b); };
proto.indexScatter = function (this: Tensor, src: Tensor, specs: readonly IndexSpec[]) { return indexScatter(this, src, specs); };
proto.asStridedScatter = function (this: Tensor, src: Tensor, s: readonly number[], st: readonly number[], o?: number) { return asStridedScatter(this, src, s, st, o); };
proto.flip = function (this: Tensor, ...d: AnyArgs) { return flip(this, ...d); };
proto.fliplr = function (this: Tensor) { return fliplr(this); };
proto.flipud = function (this: Tensor) { return flipud(this); };
proto.roll = function (this: Tensor, s, d) { return roll(this, s, d); };
proto.repeat = function (this: Tensor, ...s: AnyArgs) { return repeat(this, ...s); };
proto.tile = function (this: Tensor, ...s: AnyArgs) { return tile(this, ...s); };
proto.tril = function (this: Tensor, k) { return tril(this, k); };
proto.triu = function (this: Tensor, k) { return triu(this, k); };
proto.tril_ = function (this: Tensor, k) { return tril_(this, k); };
proto.triu_ = function (this: Tensor, k) { return triu_(this, k); };
