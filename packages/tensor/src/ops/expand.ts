/**
 * Views that add, remove or stretch size-1 dims: squeeze, unsqueeze, expand (expandAs,
 * broadcastTo) and broadcastTensors. An expanded dim has stride 0, so its elements share memory.
 */
import { dispatch } from '../dispatch.js';
import { normalizeDims, shapeString } from '../shape.js';
import { normalizeDim, Tensor } from '../tensor.js';
import { checkInt, intList, type AnyArgs } from './shapeHelpers.js';

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
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    /** See {@link expand}. */
    expand(...sizes: number[]): Tensor;
    expand(sizes: readonly number[]): Tensor;
    expandAs(other: Tensor): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
  }
}

const proto = Tensor.prototype;
proto.squeeze = function (this: Tensor, d?: number | readonly number[]) { return squeeze(this, d); };
proto.unsqueeze = function (this: Tensor, d: number) { return unsqueeze(this, d); };
proto.expand = function (this: Tensor, ...s: AnyArgs) { return expand(this, ...s); };
proto.expandAs = function (this: Tensor, o: Tensor) { return expandAs(this, o); };
proto.broadcastTo = function (this: Tensor, s: readonly number[]) { return broadcastTo(this, s); };
