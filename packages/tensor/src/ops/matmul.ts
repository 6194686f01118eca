/**
 * torch.matmul and its special cases (mm, bmm, mv, dot, inner, outer, addmm), each with the shape
 * rules PyTorch checks for it. Every one lowers to one native batched GEMM (batchedMatmul in
 * linalgCommon.ts); integer dtypes use its exact kernel, float16/bfloat16 compute in float32.
 */
import { scalarTensor } from '../creation.js';
import { dispatch } from '../dispatch.js';
import { broadcastShapes, numelOf, shapeString } from '../shape.js';
import { Tensor } from '../tensor.js';
import {
  batchedMatmul, cannotMultiply, checkTensor, reshapeView, sameDType, squeezeView, transposeLast, unsqueezeView,
} from './linalgCommon.js';

declare module '../tensor.js' {
  interface Tensor {
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    mv(vec: Tensor): Tensor;
    dot(other: Tensor): Tensor;
    inner(other: Tensor): Tensor;
    outer(other: Tensor): Tensor;
    addmm(mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
  }
}

function matmulImpl(op: string, a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(`${op}: both arguments need at least 1 dimension, but got shapes ${shapeString(a.shape)} and ${shapeString(b.shape)}`);
  }
  sameDType(op, a, b);
  const ka = a.shape[a.ndim - 1]!;
  const kb = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (ka !== kb) cannotMultiply(op, a, b, ka, kb);
  const a2 = a.ndim === 1 ? unsqueezeView(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueezeView(b, 1) : b;
  let out = batchedMatmul(op, a2, b2);
  if (b.ndim === 1) out = squeezeView(out, out.ndim - 1);
  if (a.ndim === 1) out = squeezeView(out, out.ndim - (b.ndim === 1 ? 1 : 2));
  return out;
}

/** torch.matmul: dot, mm, mv and batched products with broadcast batch dims. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'matmul', 'input');
  checkTensor(b, 'matmul', 'other');
  return dispatch('matmul', [a, b], undefined, () => matmulImpl('matmul', a, b));
}

function requireDims(op: string, t: Tensor, nd: number, what: string): void {
  if (t.ndim !== nd) throw new RangeError(`${op}: expected ${what} to be a ${nd}-D tensor, but got a ${t.ndim}-D tensor of shape ${shapeString(t.shape)}`);
}

/** Matrix product of two 2-D tensors. */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'mm', 'input');
  checkTensor(b, 'mm', 'mat2');
  requireDims('mm', a, 2, 'input');
  requireDims('mm', b, 2, 'mat2');
  sameDType('mm', a, b);
  if (a.shape[1] !== b.shape[0]) cannotMultiply('mm', a, b, a.shape[1]!, b.shape[0]!);
  return dispatch('mm', [a, b], undefined, () => batchedMatmul('mm', a, b));
}

/** Batched matrix product of two 3-D tensors with equal batch sizes. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'bmm', 'input');
  checkTensor(b, 'bmm', 'mat2');
  requireDims('bmm', a, 3, 'input');
  requireDims('bmm', b, 3, 'mat2');
  sameDType('bmm', a, b);
  if (a.shape[0] !== b.shape[0]) {
    throw new RangeError(`bmm: batch sizes of ${shapeString(a.shape)} and ${shapeString(b.shape)} differ (${a.shape[0]} != ${b.shape[0]})`);
  }
  if (a.shape[2] !== b.shape[1]) cannotMultiply('bmm', a, b, a.shape[2]!, b.shape[1]!);
  return dispatch('bmm', [a, b], undefined, () => batchedMatmul('bmm', a, b));
}

/** Matrix-vector product. */
export function mv(a: Tensor, v: Tensor): Tensor {
  checkTensor(a, 'mv', 'input');
  checkTensor(v, 'mv', 'vec');
  requireDims('mv', a, 2, 'input');
  requireDims('mv', v, 1, 'vec');
  sameDType('mv', a, v);
  if (a.shape[1] !== v.shape[0]) cannotMultiply('mv', a, v, a.shape[1]!, v.shape[0]!);
  return dispatch('mv', [a, v], undefined, () => squeezeView(batchedMatmul('mv', a, unsqueezeView(v, 1)), 1));
}

/** Dot product of two 1-D tensors (a 0-d tensor). */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'dot', 'input');
  checkTensor(b, 'dot', 'other');
  requireDims('dot', a, 1, 'input');
  requireDims('dot', b, 1, 'other');
  sameDType('dot', a, b);
  if (a.shape[0] !== b.shape[0]) {
    throw new RangeError(`dot: inconsistent tensor sizes: shapes ${shapeString(a.shape)} and ${shapeString(b.shape)} (${a.shape[0]} != ${b.shape[0]})`);
  }
  return dispatch('dot', [a, b], undefined, () => {
    const out = batchedMatmul('dot', unsqueezeView(a, 0), unsqueezeView(b, 1));
    return out._view([], [], out.offset);
  });
}

/** torch.inner: sum over the last dims (a dot product for 1-D tensors). */
export function inner(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'inner', 'input');
  checkTensor(b, 'inner', 'other');
  sameDType('inner', a, b);
  if (a.ndim === 0 || b.ndim === 0) throw new RangeError(`inner: 0-d operands are not supported (shapes ${shapeString(a.shape)} and ${shapeString(b.shape)})`);
  const ka = a.shape[a.ndim - 1]!;
  const kb = b.shape[b.ndim - 1]!;
  if (ka !== kb) cannotMultiply('inner', a, b, ka, kb);
  return dispatch('inner', [a, b], undefined, () => {
    const a2 = reshapeView(a, [numelOf(a.shape.slice(0, -1)), ka]);
    const bt = reshapeView(b, [numelOf(b.shape.slice(0, -1)), kb]);
    const out = batchedMatmul('inner', a2, transposeLast(bt));
    return reshapeView(out, [...a.shape.slice(0, -1), ...b.shape.slice(0, -1)]);
  });
}

/** Outer product of two 1-D tensors. */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'outer', 'input');
  checkTensor(b, 'outer', 'vec2');
  requireDims('outer', a, 1, 'input');
  requireDims('outer', b, 1, 'vec2');
  sameDType('outer', a, b);
  return dispatch('outer', [a, b], undefined, () => batchedMatmul('outer', unsqueezeView(a, 1), unsqueezeView(b, 0)));
}

/** beta * input + alpha * (mat1 @ mat2); input broadcasts to the product's shape. */
export function addmm(input: Tensor | number, mat1: Tensor, mat2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  checkTensor(mat1, 'addmm', 'mat1');
  checkTensor(mat2, 'addmm', 'mat2');
  requireDims('addmm', mat1, 2, 'mat1');
  requireDims('addmm', mat2, 2, 'mat2');
  sameDType('addmm', mat1, mat2);
  const inp = typeof input === 'number' ? scalarTensor(input, mat1.dtype, mat1.device) : checkTensor(input, 'addmm', 'input');
  sameDType('addmm', inp, mat1);
  if (mat1.shape[1] !== mat2.shape[0]) cannotMultiply('addmm', mat1, mat2, mat1.shape[1]!, mat2.shape[0]!);
  const outShape = [mat1.shape[0]!, mat2.shape[1]!];
  if (inp.ndim > 2) throw new RangeError(`addmm: input of shape ${shapeString(inp.shape)} cannot be broadcast to ${shapeString(outShape)}`);
  const bs = broadcastShapes('addmm', inp.shape, outShape);
  if (bs[0] !== outShape[0] || bs[1] !== outShape[1]) {
    throw new RangeError(`addmm: input of shape ${shapeString(inp.shape)} cannot be broadcast to ${shapeString(outShape)}`);
  }
  const alpha = opts.alpha ?? 1;
  const beta = opts.beta ?? 1;
  return dispatch('addmm', [inp, mat1, mat2], { alpha, beta }, () => batchedMatmul('addmm', mat1, mat2, inp, alpha, beta));
}

const proto = Tensor.prototype;
proto.matmul = function (this: Tensor, o: Tensor) { return matmul(this, o); };
proto.mm = function (this: Tensor, o: Tensor) { return mm(this, o); };
proto.bmm = function (this: Tensor, o: Tensor) { return bmm(this, o); };
proto.mv = function (this: Tensor, v: Tensor) { return mv(this, v); };
proto.dot = function (this: Tensor, o: Tensor) { return dot(this, o); };
proto.inner = function (this: Tensor, o: Tensor) { return inner(this, o); };
proto.outer = function (this: Tensor, o: Tensor) { return outer(this, o); };
proto.addmm = function (this: Tensor, m1: Tensor, m2: Tensor, o?: { beta?: number; alpha?: number }) { return addmm(this, m1, m2, o); };
