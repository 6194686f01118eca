/**
 * The linear algebra family: matmul and its special cases (mm, bmm, mv, dot, outer, addmm),
 * einsum, and the `linalg` namespace (cholesky, solve, solveTriangular, inv, det, slogdet, qr,
 * eigh, svdvals, norms). Every product lowers to one native batched GEMM (Cinder's own packed,
 * cache-blocked kernel); factorizations run natively in float64 and are batched over leading dims.
 *
 * Integer matmul (int32, int64, uint8) is supported with a simple exact kernel (wrap-around on
 * overflow, like PyTorch's CPU kernel); bool is rejected. float16/bfloat16 compute in float32.
 */
import { kernels } from '@cinder/native';
import { dispatch } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { contiguousStrides, frame, putOutput, putTensor, takeOutput } from '../frame.js';
import { broadcastShapes, numelOf, shapeString } from '../shape.js';
import { Tensor, normalizeDim } from '../tensor.js';
import { scalarTensor } from '../creation.js';

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
    det(): Tensor;
    inverse(): Tensor;
    cholesky(upper?: boolean): Tensor;
    norm(p?: number | 'fro' | 'nuc', dim?: number | number[], opts?: { keepdim?: boolean }): Tensor;
  }
}

// ---- helpers --------------------------------------------------------------------------------

const FLOAT_COMPUTE: Partial<Record<DType, DType>> = { float16: 'float32', bfloat16: 'float32' };

function checkTensor(x: unknown, op: string, what: string): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected ${what} to be a Tensor, got ${x === null ? 'null' : typeof x}`);
  return x;
}

function sameDType(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new TypeError(`${op}: expected both operands to have the same dtype, but got ${a.dtype} and ${b.dtype}`);
  }
}

/** The dtype the native kernel computes in, or an error for dtypes matmul does not support. */
function computeDType(op: string, d: DType): DType {
  if (d === 'bool') throw new TypeError(`${op}: not implemented for dtype bool`);
  if (d === 'uint8') return 'int32';
  return FLOAT_COMPUTE[d] ?? d;
}

function asDType(t: Tensor, d: DType): Tensor {
  return t.dtype === d ? t : t._copyAs(d);
}

/** A view of `t` with dims reordered. */
function permuteView(t: Tensor, perm: readonly number[]): Tensor {
  return t._view(perm.map((p) => t.shape[p]!), perm.map((p) => t.strides[p]!), t.offset);
}

function transposeLast(t: Tensor): Tensor {
  const n = t.ndim;
  const perm = [...Array(n).keys()];
  perm[n - 2] = n - 1;
  perm[n - 1] = n - 2;
  return permuteView(t, perm);
}

/** A view with a new shape when `t`'s strides allow it, else a contiguous copy reshaped. */
function reshapeView(t: Tensor, shape: readonly number[]): Tensor {
  const strides = viewStrides(t, shape);
  if (strides) return t._view([...shape], strides, t.offset);
  const c = t.contiguous();
  return c._view([...shape], contiguousStrides(shape), c.offset);
}

// Strides for viewing t as `shape` without a copy (the rule of PyTorch's view), or null.
function viewStrides(t: Tensor, shape: readonly number[]): number[] | null {
  const old = t.shape;
  const os = t.strides;
  if (numelOf(old) === 0 || old.length === 0) return contiguousStrides(shape);
  const out = new Array<number>(shape.length);
  let viewD = shape.length - 1;
  let chunkBase = os[os.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = old.length - 1; d >= 0; d--) {
    tensorNumel *= old[d]!;
    if (d === 0 || (old[d - 1] !== 1 && os[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = os[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

/**
 * The one entry into the native GEMM: a [..., m, k] times b [..., k, n] with batch dims
 * broadcast, optionally out = beta * bias + alpha * a @ b.
 */
function batchedMatmul(op: string, a: Tensor, b: Tensor, bias?: Tensor, alpha = 1, beta = 1): Tensor {
  const outDtype = a.dtype;
  const cd = computeDType(op, outDtype);
  a = asDType(a, cd);
  b = asDType(b, cd);
  if (bias) bias = asDType(bias, cd);
  const m = a.shape[a.ndim - 2]!;
  const k = a.shape[a.ndim - 1]!;
  const n = b.shape[b.ndim - 1]!;
  const batch = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  const expand = (t: Tensor, rows: number, cols: number): Tensor => {
    const nb = t.ndim - 2;
    const lead = batch.length - nb;
    const shape = [...batch, rows, cols];
    const strides = batch.map((s, i) => (i < lead || t.shape[i - lead] !== s ? 0 : t.strides[i - lead]!));
    strides.push(t.strides[nb]!, t.strides[nb + 1]!);
    return t._view(shape, strides, t.offset);
  };
  const ae = expand(a, m, k);
  const be = expand(b, k, n);
  const outShape = [...batch, m, n];
  let p = putTensor(0, ae);
  p = putTensor(p, be);
  p = putOutput(p, cd, outShape);
  frame[p++] = alpha;
  frame[p++] = beta;
  frame[p++] = bias ? 1 : 0;
  if (bias) putTensor(p, bias);
  kernels.matmul();
  const out = takeOutput(0, cd, outShape);
  return cd === outDtype ? out : out._copyAs(outDtype);
}

function cannotMultiply(op: string, a: Tensor, b: Tensor, k1: number, k2: number): never {
  throw new RangeError(`${op}: shapes ${shapeString(a.shape)} and ${shapeString(b.shape)} cannot be multiplied (${k1} != ${k2})`);
}

function squeezeView(t: Tensor, dim: number): Tensor {
  const shape = [...t.shape];
  const strides = [...t.strides];
  shape.splice(dim, 1);
  strides.splice(dim, 1);
  return t._view(shape, strides, t.offset);
}

function unsqueezeView(t: Tensor, dim: number): Tensor {
  const shape = [...t.shape];
  const strides = [...t.strides];
  shape.splice(dim, 0, 1);
  strides.splice(dim, 0, dim < t.ndim ? t.strides[dim]! * t.shape[dim]! : 1);
  return t._view(shape, strides, t.offset);
}

// ---- matmul family --------------------------------------------------------------------------

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
  const inp = typeof input === 'number' ? scalarTensor(input, mat1.dtype) : checkTensor(input, 'addmm', 'input');
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

// ---- einsum ---------------------------------------------------------------------------------

interface Labeled {
  t: Tensor;
  labels: string[];
}

/** Collapses repeated labels of one operand into a diagonal view. */
function diagonalize(op: string, t: Tensor, labels: string[]): Labeled {
  const shape: number[] = [];
  const strides: number[] = [];
  const out: string[] = [];
  labels.forEach((l, i) => {
    const j = out.indexOf(l);
    if (j >= 0) {
      if (shape[j] !== t.shape[i]) {
        throw new RangeError(`${op}: subscript ${l} is repeated for operand of shape ${shapeString(t.shape)} but the sizes don't match (${shape[j]} != ${t.shape[i]})`);
      }
      strides[j] = strides[j]! + t.strides[i]!;
    } else {
      out.push(l);
      shape.push(t.shape[i]!);
      strides.push(t.strides[i]!);
    }
  });
  return { t: t._view(shape, strides, t.offset), labels: out };
}

/** Sums away the labels of `x` not in `keep` (via a GEMM with a ones vector). */
function sumOut(op: string, x: Labeled, keep: Set<string>): Labeled {
  const kept = x.labels.map((l, i) => [l, i] as const).filter(([l]) => keep.has(l));
  const gone = x.labels.map((l, i) => [l, i] as const).filter(([l]) => !keep.has(l));
  if (gone.length === 0) return x;
  const perm = [...kept.map(([, i]) => i), ...gone.map(([, i]) => i)];
  const p = permuteView(x.t, perm);
  const keptShape = kept.map(([, i]) => x.t.shape[i]!);
  const s = numelOf(gone.map(([, i]) => x.t.shape[i]!));
  const flat = reshapeView(p, [numelOf(keptShape), s]);
  const ones = fullOnes(x.t.dtype, s);
  const r = batchedMatmul(op, flat, ones);
  return { t: reshapeView(r, keptShape), labels: kept.map(([l]) => l) };
}

function fullOnes(dtype: DType, n: number): Tensor {
  const one = scalarTensor(1, dtype);
  return one._view([n, 1], [0, 0], one.offset);
}

/** Contracts two labeled operands, keeping the labels in `keep`. */
function contractPair(op: string, x: Labeled, y: Labeled, keep: Set<string>): Labeled {
  const sizes = new Map<string, number>();
  for (const z of [x, y]) {
    z.labels.forEach((l, i) => {
      const s = z.t.shape[i]!;
      const prev = sizes.get(l);
      if (prev !== undefined && prev !== s) {
        throw new RangeError(`${op}: operands do not broadcast with remapped shapes: subscript ${l} has sizes ${prev} and ${s}`);
      }
      sizes.set(l, s);
    });
  }
  const inY = new Set(y.labels);
  const inX = new Set(x.labels);
  // Labels only one side has and nobody needs are summed first.
  x = sumOut(op, x, new Set([...x.labels].filter((l) => inY.has(l) || keep.has(l))));
  y = sumOut(op, y, new Set([...y.labels].filter((l) => inX.has(l) || keep.has(l))));
  const batch = x.labels.filter((l) => inY.has(l) && keep.has(l));
  const contr = x.labels.filter((l) => inY.has(l) && !keep.has(l));
  const freeX = x.labels.filter((l) => !inY.has(l));
  const freeY = y.labels.filter((l) => !inX.has(l));
  const idx = (z: Labeled, ls: string[]): number[] => ls.map((l) => z.labels.indexOf(l));
  const sz = (ls: string[]): number => numelOf(ls.map((l) => sizes.get(l)!));
  const xp = permuteView(x.t, [...idx(x, batch), ...idx(x, freeX), ...idx(x, contr)]);
  const yp = permuteView(y.t, [...idx(y, batch), ...idx(y, contr), ...idx(y, freeY)]);
  const x3 = reshapeView(xp, [sz(batch), sz(freeX), sz(contr)]);
  const y3 = reshapeView(yp, [sz(batch), sz(contr), sz(freeY)]);
  const r = batchedMatmul(op, x3, y3);
  const labels = [...batch, ...freeX, ...freeY];
  return { t: reshapeView(r, labels.map((l) => sizes.get(l)!)), labels };
}

/**
 * torch.einsum: `einsum('bij,bjk->bik', a, b)`. Repeated subscripts take diagonals, subscripts
 * missing from the output are summed, an implicit output (no `->`) lists the subscripts that occur
 * once, in alphabetical order. Contractions lower to batched GEMMs.
 */
export function einsum(equation: string, ...operands: (Tensor | Tensor[])[]): Tensor {
  const op = 'einsum';
  const ts: Tensor[] = operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : (operands as Tensor[]);
  if (typeof equation !== 'string') throw new TypeError(`${op}: expected an equation string`);
  ts.forEach((t, i) => checkTensor(t, op, `operand ${i}`));
  const eq = equation.replace(/\s+/g, '');
  if (eq.includes('.')) throw new Error(`${op}: ellipsis ('...') is not supported in '${equation}'`);
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const inputs = lhs.split(',');
  if (inputs.length !== ts.length) {
    throw new RangeError(`${op}: '${equation}' has ${inputs.length} operand subscripts but ${ts.length} operands were given`);
  }
  for (const s of inputs.concat(arrow >= 0 ? [eq.slice(arrow + 2)] : [])) {
    if (!/^[a-zA-Z]*$/.test(s)) throw new Error(`${op}: invalid subscripts '${s}' in '${equation}' (letters only)`);
  }
  const counts = new Map<string, number>();
  for (const s of inputs) for (const l of s) counts.set(l, (counts.get(l) ?? 0) + 1);
  let outLabels: string[];
  if (arrow >= 0) {
    outLabels = [...eq.slice(arrow + 2)];
    const seen = new Set<string>();
    for (const l of outLabels) {
      if (seen.has(l)) throw new Error(`${op}: output subscript ${l} appears more than once in '${equation}'`);
      if (!counts.has(l)) throw new Error(`${op}: output subscript ${l} does not appear in the inputs of '${equation}'`);
      seen.add(l);
    }
  } else {
    outLabels = [...counts.entries()].filter(([, c]) => c === 1).map(([l]) => l).sort();
  }
  ts.forEach((t, i) => {
    if (inputs[i]!.length !== t.ndim) {
      throw new RangeError(`${op}: subscripts '${inputs[i]}' of operand ${i} do not match its shape ${shapeString(t.shape)}`);
    }
  });
  const dtype = ts[0]?.dtype;
  for (const t of ts) if (t.dtype !== dtype) throw new TypeError(`${op}: expected operands of one dtype, but got ${ts.map((x) => x.dtype).join(' and ')}`);
  return dispatch('einsum', ts, { equation }, () => {
    let acc = diagonalize(op, ts[0]!, [...inputs[0]!]);
    const outSet = new Set(outLabels);
    for (let i = 1; i < ts.length; i++) {
      const next = diagonalize(op, ts[i]!, [...inputs[i]!]);
      const later = new Set(outLabels);
      for (let j = i + 1; j < ts.length; j++) for (const l of inputs[j]!) later.add(l);
      acc = contractPair(op, acc, next, later);
    }
    acc = sumOut(op, acc, outSet);
    const perm = outLabels.map((l) => acc.labels.indexOf(l));
    const res = permuteView(acc.t, perm);
    return ts.some((t) => t._st === res._st) ? res._copyAs(res.dtype) : res.contiguous();
  });
}
