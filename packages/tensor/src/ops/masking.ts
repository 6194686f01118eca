/**
 * Boolean masks and the coordinates of nonzero elements: maskedFill (and maskedFill_),
 * maskedSelect, nonzero and argwhere. Masks are bool and broadcast with the input.
 */
import { dispatch } from '../dispatch.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { broadcastShapes, shapeString } from '../shape.js';
import { Tensor } from '../tensor.js';
import { atLeast1d, checkTensor, checkWritable, expandedStrides, fillValueOf, putStrided } from './indexingCommon.js';

declare module '../tensor.js' {
  interface Tensor {
    maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor;
    maskedFill_(mask: Tensor, value: number | boolean | Tensor): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    nonzero(): Tensor;
    nonzero(opts: { asTuple: true }): Tensor[];
    nonzero(opts: { asTuple?: boolean }): Tensor | Tensor[];
  }
}

function checkMask(op: string, mask: unknown): Tensor {
  const t = checkTensor(op, mask, 'mask');
  if (t.dtype !== 'bool') throw new TypeError(`${op}: expected a mask of dtype bool, got ${t.dtype}`);
  return t;
}

function maskedFillInto(target: Tensor, mask: Tensor, v: number): void {
  let p = putTensor(0, target);
  p = putStrided(p, mask, target.shape, expandedStrides(mask, target.shape));
  frame[p] = v;
  runOn('indexMaskedFill', target.device, 'maskedFill');
}

/** torch.masked_fill: x where mask is false, value where it is true (mask and x broadcast). */
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  const op = 'maskedFill';
  checkMask(op, mask);
  const v = fillValueOf(op, value);
  const shape = broadcastShapes(op, x.shape, mask.shape);
  // A tensor value is an input of the op (so it can receive a gradient); a number is an attribute.
  const inputs = value instanceof Tensor ? [x, mask, value] : [x, mask];
  return dispatch(op, inputs, { value: v }, () => {
    let p = putStrided(0, x, shape, expandedStrides(x, shape));
    putOutput(p, x.dtype, shape);
    const dev = x.device;
    runOn('copyNew', dev, op);
    const out = takeOutput(0, x.dtype, shape, dev);
    maskedFillInto(out, mask, v);
    return out;
  });
}

/** In-place maskedFill; mask must broadcast to x's shape. */
export function maskedFill_(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  const op = 'maskedFill_';
  checkMask(op, mask);
  const v = fillValueOf(op, value);
  const shape = broadcastShapes(op, x.shape, mask.shape);
  if (shape.length !== x.ndim || shape.some((s, i) => s !== x.shape[i])) {
    throw new RangeError(`${op}: mask of shape ${shapeString(mask.shape)} cannot be broadcast to self of shape ${shapeString(x.shape)}`);
  }
  checkWritable(op, x);
  return dispatch(op, [x, mask], { value: v }, () => {
    maskedFillInto(x, mask, v);
    x._st.version++;
    return x;
  });
}

/** torch.masked_select: the elements of x (broadcast with mask) where mask is true, as a 1-d tensor. */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  const op = 'maskedSelect';
  checkMask(op, mask);
  const shape = broadcastShapes(op, x.shape, mask.shape);
  return dispatch(op, [x, mask], undefined, () => {
    const p = putStrided(0, x, shape, expandedStrides(x, shape));
    putStrided(p, mask, shape, expandedStrides(mask, shape));
    const dev = x.device;
    runOn('indexMaskedSelect', dev, op);
    return takeOutput(0, x.dtype, [frame[1]!], dev);
  });
}

/**
 * torch.nonzero: the [n, ndim] int64 coordinates of the nonzero elements in row-major order, or
 * with `{ asTuple: true }` one 1-d int64 tensor per dim (a 0-d input counts as 1-d).
 */
export function nonzero(x: Tensor): Tensor;
export function nonzero(x: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[];
export function nonzero(x: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[] {
  const asTuple = opts?.asTuple === true;
  const src = asTuple ? atLeast1d(x) : x;
  const coords = dispatch('nonzero', [x], undefined, () => {
    putTensor(0, src);
    const dev = x.device;
    runOn('indexNonzero', dev, 'nonzero');
    return takeOutput(0, 'int64', [frame[1]!, src.ndim], dev);
  });
  if (!asTuple) return coords;
  const n = coords.shape[0]!;
  const nd = src.ndim;
  return Array.from({ length: nd }, (_, j) => coords._view([n], [nd], j));
}

/** torch.argwhere: nonzero's [n, ndim] form. */
export function argwhere(x: Tensor): Tensor {
  return nonzero(x);
}

// ---- methods ------------------------------------------------------------------------------------

const proto = Tensor.prototype;
proto.maskedFill = function (this: Tensor, mask, value) { return maskedFill(this, mask, value); };
proto.maskedFill_ = function (this: Tensor, mask, value) { return maskedFill_(this, mask, value); };
proto.maskedSelect = function (this: Tensor, mask) { return maskedSelect(this, mask); };
proto.nonzero = function (this: Tensor, opts?: { asTuple?: boolean }) { return nonzero(this, opts); } as Tensor['nonzero'];
