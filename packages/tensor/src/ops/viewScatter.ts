/**
 * The out-of-place "scatter into a view" ops: selectScatter, sliceScatter, diagonalScatter,
 * asStridedScatter, each a copy of the input with one view of it replaced by src (what the
 * backward of a view writes its gradient with). indexScatter, the one for `x.index(...)`, sits
 * with the index parser in indexer.ts.
 */
import { numelOf, shapeString } from '../shape.js';
import { normalizeDim, Tensor } from '../tensor.js';
import { checkBound, checkSelect, checkStep, clampSlice, diagonalArgs, diagonalRaw, selectRaw, sliceRaw, type DiagonalOptions } from './rawViews.js';
import { checkInt, intList, scatterIntoView } from './shapeHelpers.js';

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
  const op = 'diagonalScatter';
  const { offset: off, dim1: a, dim2: b } = diagonalArgs(op, input, offset, dim1, dim2);
  return scatterIntoView(op, input, src, { offset: off, dim1: a, dim2: b }, 'diagonal', (t) => diagonalRaw(t, off, a, b));
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

// ---- methods ---------------------------------------------------------------------------------

declare module '../tensor.js' {
  interface Tensor {
    /** See {@link selectScatter}. */
    selectScatter(src: Tensor, dim: number, index: number): Tensor;
    /** See {@link sliceScatter}. */
    sliceScatter(src: Tensor, dim?: number, start?: number | null, end?: number | null, step?: number | null): Tensor;
    /** See {@link diagonalScatter}. */
    diagonalScatter(src: Tensor, offset?: number | DiagonalOptions, dim1?: number, dim2?: number): Tensor;
    /** See {@link asStridedScatter}. */
    asStridedScatter(src: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor;
  }
}

const proto = Tensor.prototype;
proto.selectScatter = function (this: Tensor, src: Tensor, d: number, i: number) { return selectScatter(this, src, d, i); };
proto.sliceScatter = function (this: Tensor, src: Tensor, d?: number, s?: number | null, e?: number | null, st?: number | null) { return sliceScatter(this, src, d, s, e, st); };
proto.diagonalScatter = function (this: Tensor, src: Tensor, o?: number | DiagonalOptions, a?: number, b?: number) { return diagonalScatter(this, src, o, a, b); };
proto.asStridedScatter = function (this: Tensor, src: Tensor, s: readonly number[], st: readonly number[], o?: number) { return asStridedScatter(this, src, s, st, o); };
