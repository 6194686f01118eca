/**
 * The linear algebra family: matmul and its special cases (mm, bmm, mv, dot, inner, outer, addmm),
 * einsum, and the `linalg` namespace (cholesky, solve, solveTriangular, inv, det, slogdet, qr,
 * eigh, eigvalsh, svd, svdvals, pinv, matrixPower, multiDot, vecdot, matrixRank, cond, norm,
 * vectorNorm, matrixNorm). Every product lowers to one native batched GEMM (Cinder's own packed,
 * cache-blocked kernel); factorizations run natively in float64 (float32 inputs included) and are
 * batched over leading dims.
 *
 * Integer matmul (int32, int64, uint8) is supported with a simple exact kernel (wrap-around on
 * overflow, like PyTorch's CPU kernel); bool is rejected. float16/bfloat16 compute in float32.
 * The `linalg` functions take float32/float64 only, as PyTorch's CPU backend does.
 */
import { kernels } from '@cinder/native';
import { dispatch } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { contiguousStrides, frame, putOutput, putTensor, takeOutput } from '../frame.js';
import { broadcastShapes, numelOf, shapeString } from '../shape.js';
import { Tensor, normalizeDim } from '../tensor.js';
import { eye, fromTypedArray as tensorFrom, scalarTensor } from '../creation.js';

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
    slogdet(): { sign: Tensor; logabsdet: Tensor };
    matrixPower(n: number): Tensor;
    pinverse(): Tensor;
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
  if (d === 'bool') throw new TypeError(`${op}: not supported for dtype bool`);
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
    // Already aligned (the common 2-D and equal-batch cases): no view object needed.
    if (nb === batch.length && batch.every((s, i) => t.shape[i] === s)) return t;
    const lead = batch.length - nb;
    const shape = [...batch, rows, cols];
    const strides = batch.map((s, i) => (i < lead || t.shape[i - lead] !== s ? 0 : t.strides[i - lead]!));
    strides.push(t.strides[nb]!, t.strides[nb + 1]!);
    return t._view(shape, strides, t.offset);
  };
  let ae = expand(a, m, k);
  let be = expand(b, k, n);
  const outShape = [...batch, m, n];
  let gemmOut = outShape;
  if (batch.length > 0 && !bias && be.strides.slice(0, batch.length).every((st) => st === 0)) {
    // B is shared by every batch: fold the batch dims into A's rows (one big GEMM instead of many
    // small ones), when A's batch and row dims merge without a copy.
    const rows = numelOf(batch) * m;
    const st = viewStrides(ae, [rows, k]);
    if (st) {
      ae = ae._view([rows, k], st, ae.offset);
      be = be._view([k, n], be.strides.slice(-2), be.offset);
      gemmOut = [rows, n];
    }
  }
  let p = putTensor(0, ae);
  p = putTensor(p, be);
  p = putOutput(p, cd, gemmOut);
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
  for (const z of [x, y]) z.labels.forEach((l, i) => sizes.set(l, z.t.shape[i]!));
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

/** Splits one operand's subscripts into labels, '...' becoming one marker. */
function parseSubscripts(op: string, sub: string, equation: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < sub.length; i++) {
    const c = sub[i]!;
    if (c === '.') {
      if (sub.slice(i, i + 3) !== '...' || out.includes('...')) throw new Error(`${op}: invalid ellipsis in '${equation}' (at most one '...' per operand)`);
      out.push('...');
      i += 2;
    } else if (/[a-zA-Z]/.test(c)) {
      out.push(c);
    } else {
      throw new Error(`${op}: invalid subscript '${c}' in '${equation}' (letters and '...' only)`);
    }
  }
  return out;
}

/** Ellipsis dims get labels '#k' (k counted from the right) so they align and broadcast. */
function expandEllipsis(labels: string[], count: number): string[] {
  const at = labels.indexOf('...');
  if (at < 0) return labels;
  const ell = Array.from({ length: count }, (_, j) => `#${count - 1 - j}`);
  return [...labels.slice(0, at), ...ell, ...labels.slice(at + 1)];
}

/**
 * torch.einsum: `einsum('bij,bjk->bik', a, b)`. Repeated subscripts take diagonals, subscripts
 * missing from the output are summed, '...' stands for broadcast batch dims, size-1 dims
 * broadcast, and an implicit output (no `->`) lists the ellipsis dims then the subscripts that
 * occur once, in alphabetical order. Contractions lower to batched GEMMs (left to right).
 */
export function einsum(equation: string, ...operands: (Tensor | Tensor[])[]): Tensor {
  const ts: Tensor[] = operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : (operands as Tensor[]);
  return einsumImpl(equation, ts, true);
}

function einsumImpl(equation: string, ts: Tensor[], viaDispatcher: boolean): Tensor {
  const op = 'einsum';
  if (typeof equation !== 'string') throw new TypeError(`${op}: expected an equation string`);
  ts.forEach((t, i) => checkTensor(t, op, `operand ${i}`));
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const inputs = lhs.split(',');
  if (inputs.length !== ts.length) {
    throw new RangeError(`${op}: '${equation}' has ${inputs.length} operand subscripts but ${ts.length} operands were given`);
  }
  if (ts.length === 0) throw new RangeError(`${op}: must provide at least one operand`);
  const parsed = inputs.map((s) => parseSubscripts(op, s, equation));
  let ellDims = 0;
  const labelsPer = parsed.map((ls, i) => {
    const t = ts[i]!;
    const letters = ls.filter((l) => l !== '...').length;
    const hasEll = ls.includes('...');
    if (hasEll ? t.ndim < letters : t.ndim !== letters) {
      throw new RangeError(`${op}: subscripts '${inputs[i]}' of operand ${i} do not match its shape ${shapeString(t.shape)}`);
    }
    const e = t.ndim - letters;
    ellDims = Math.max(ellDims, e);
    return expandEllipsis(ls, e);
  });
  const counts = new Map<string, number>();
  for (const ls of labelsPer) for (const l of ls) counts.set(l, (counts.get(l) ?? 0) + 1);
  const ellLabels = Array.from({ length: ellDims }, (_, j) => `#${ellDims - 1 - j}`);
  let outLabels: string[];
  if (arrow >= 0) {
    const rhs = parseSubscripts(op, eq.slice(arrow + 2), equation);
    outLabels = expandEllipsis(rhs, ellDims);
    const seen = new Set<string>();
    for (const l of outLabels) {
      if (seen.has(l)) throw new Error(`${op}: output subscript ${l} appears more than once in '${equation}'`);
      if (!counts.has(l)) throw new Error(`${op}: output subscript ${l} does not appear in the inputs of '${equation}'`);
      seen.add(l);
    }
  } else {
    outLabels = [...ellLabels, ...[...counts.entries()].filter(([l, c]) => c === 1 && !l.startsWith('#')).map(([l]) => l).sort()];
  }
  const dtype = ts[0]!.dtype;
  for (const t of ts) if (t.dtype !== dtype) throw new TypeError(`${op}: expected operands of one dtype, but got ${ts.map((x) => x.dtype).join(' and ')}`);
  const run = (): Tensor => {
    const ops = ts.map((t, i) => diagonalize(op, t, labelsPer[i]!));
    // One size per subscript; size-1 dims broadcast (stride 0) to it.
    const sizes = new Map<string, number>();
    for (const z of ops) {
      z.labels.forEach((l, i) => {
        const s = z.t.shape[i]!;
        const prev = sizes.get(l);
        if (prev === undefined || prev === 1) sizes.set(l, s);
        else if (s !== 1 && s !== prev) {
          const name = l.startsWith('#') ? `'...' dim ${l.slice(1)} (from the right)` : `subscript ${l}`;
          throw new RangeError(`${op}: operands do not broadcast with remapped shapes: ${name} has sizes ${prev} and ${s}`);
        }
      });
    }
    const bops = ops.map((z) => {
      if (z.labels.every((l, i) => z.t.shape[i] === sizes.get(l))) return z;
      const shape = z.labels.map((l) => sizes.get(l)!);
      const strides = z.labels.map((l, i) => (z.t.shape[i] === sizes.get(l) ? z.t.strides[i]! : 0));
      return { t: z.t._view(shape, strides, z.t.offset), labels: z.labels };
    });
    let acc = bops[0]!;
    const outSet = new Set(outLabels);
    for (let i = 1; i < bops.length; i++) {
      const later = new Set(outLabels);
      for (let j = i + 1; j < bops.length; j++) for (const l of bops[j]!.labels) later.add(l);
      acc = contractPair(op, acc, bops[i]!, later);
    }
    acc = sumOut(op, acc, outSet);
    const perm = outLabels.map((l) => acc.labels.indexOf(l));
    const res = permuteView(acc.t, perm);
    return ts.some((t) => t._st === res._st) ? res._copyAs(res.dtype) : res.contiguous();
  };
  return viaDispatcher ? dispatch('einsum', ts, { equation }, run) : run();
}

// ---- linalg namespace -----------------------------------------------------------------------

const LINALG_DTYPES: readonly DType[] = ['float32', 'float64'];

function checkFloatInput(op: string, t: Tensor, what = 'input'): void {
  checkTensor(t, op, what);
  if (!LINALG_DTYPES.includes(t.dtype)) {
    throw new TypeError(`${op}: expected a float32 or float64 tensor as ${what}, but got ${t.dtype}`);
  }
}

function checkMatrix(op: string, t: Tensor, what = 'A'): void {
  checkFloatInput(op, t, what);
  if (t.ndim < 2) throw new RangeError(`${op}: the input tensor ${what} must have at least 2 dimensions, but got shape ${shapeString(t.shape)}`);
}

function checkSquare(op: string, t: Tensor, what = 'A'): number {
  checkMatrix(op, t, what);
  const m = t.shape[t.ndim - 2]!;
  const n = t.shape[t.ndim - 1]!;
  if (m !== n) throw new RangeError(`${op}: ${what} must be batches of square matrices, but they are ${m} by ${n} matrices (shape ${shapeString(t.shape)})`);
  return n;
}

/** Views `t` ([..., r, c]) with its batch dims broadcast to `batch` (stride 0 where expanded). */
function expandBatch(t: Tensor, batch: readonly number[]): Tensor {
  const nb = t.ndim - 2;
  const lead = batch.length - nb;
  const strides = batch.map((s, i) => (i < lead || t.shape[i - lead] !== s ? 0 : t.strides[i - lead]!));
  return t._view([...batch, t.shape[nb]!, t.shape[nb + 1]!], [...strides, t.strides[nb]!, t.strides[nb + 1]!], t.offset);
}

function cholesky(A: Tensor, opts: { upper?: boolean } = {}): Tensor {
  const op = 'linalg.cholesky';
  checkSquare(op, A);
  const upper = opts.upper ?? false;
  return dispatch(op, [A], { upper }, () => {
    const p = putTensor(0, A);
    const q = putOutput(p, A.dtype, A.shape);
    frame[q] = upper ? 1 : 0;
    kernels.linalgCholesky();
    return takeOutput(0, A.dtype, A.shape);
  });
}

function solveCore(op: string, A: Tensor, B: Tensor | null): Tensor {
  const n = A.shape[A.ndim - 1]!;
  let p = 0;
  frame[p++] = B ? 0 : 1;
  let outShape: number[];
  if (B) {
    const batch = broadcastShapes(op, A.shape.slice(0, -2), B.shape.slice(0, -2));
    outShape = [...batch, n, B.shape[B.ndim - 1]!];
    p = putTensor(p, expandBatch(A, batch));
    frame[p++] = 1;
    p = putTensor(p, expandBatch(B, batch));
  } else {
    outShape = [...A.shape];
    p = putTensor(p, A);
    frame[p++] = 0;
  }
  putOutput(p, A.dtype, outShape);
  kernels.linalgSolve();
  return takeOutput(0, A.dtype, outShape);
}

/** Solves A X = B (left) or X A = B; B may be a (batch of) vector(s). Singular A is an error. */
function solve(A: Tensor, B: Tensor, opts: { left?: boolean } = {}): Tensor {
  const op = 'linalg.solve';
  const n = checkSquare(op, A);
  checkFloatInput(op, B, 'B');
  if (A.dtype !== B.dtype) throw new TypeError(`${op}: expected A and B to have the same dtype, but got ${A.dtype} and ${B.dtype}`);
  const left = opts.left ?? true;
  const vectorCase = B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((s, i) => s === A.shape[i]));
  return dispatch(op, [A, B], { left }, () => {
    let b = vectorCase ? unsqueezeView(B, B.ndim) : B;
    if (b.ndim < 2) throw new RangeError(`${op}: B of shape ${shapeString(B.shape)} is not a vector or a matrix`);
    if (!left) {
      if (b.shape[b.ndim - 1] !== n) throw new RangeError(`${op}: incompatible shapes of A and B for the equation XA = B (${shapeString(A.shape)} and ${shapeString(B.shape)})`);
      return transposeLast(solveCore(op, transposeLast(A), transposeLast(b))).contiguous();
    }
    if (b.shape[b.ndim - 2] !== n) throw new RangeError(`${op}: incompatible shapes of A and B for the equation AX = B (${shapeString(A.shape)} and ${shapeString(B.shape)})`);
    const x = solveCore(op, A, b);
    return vectorCase ? squeezeView(x, x.ndim - 1) : x;
  });
}

function solveTriangular(A: Tensor, B: Tensor, opts: { upper: boolean; left?: boolean; unitriangular?: boolean }): Tensor {
  const op = 'linalg.solveTriangular';
  const n = checkSquare(op, A);
  checkMatrix(op, B, 'B');
  if (A.dtype !== B.dtype) throw new TypeError(`${op}: expected A and B to have the same dtype, but got ${A.dtype} and ${B.dtype}`);
  if (opts === undefined || typeof opts.upper !== 'boolean') throw new TypeError(`${op}: the option 'upper' (a boolean) is required`);
  const left = opts.left ?? true;
  const unit = opts.unitriangular ?? false;
  return dispatch(op, [A, B], { upper: opts.upper, left, unitriangular: unit }, () => {
    // X A = B  <=>  A^T X^T = B^T, with A^T triangular the other way.
    const a = left ? A : transposeLast(A);
    const b = left ? B : transposeLast(B);
    const upper = left ? opts.upper : !opts.upper;
    if (b.shape[b.ndim - 2] !== n) {
      throw new RangeError(`${op}: incompatible shapes of A and B for the equation ${left ? 'AX = B' : 'XA = B'} (${shapeString(A.shape)} and ${shapeString(B.shape)})`);
    }
    const batch = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
    const outShape = [...batch, n, b.shape[b.ndim - 1]!];
    let p = putTensor(0, expandBatch(a, batch));
    p = putTensor(p, expandBatch(b, batch));
    p = putOutput(p, A.dtype, outShape);
    frame[p++] = upper ? 1 : 0;
    frame[p++] = unit ? 1 : 0;
    kernels.linalgSolveTriangular();
    const x = takeOutput(0, A.dtype, outShape);
    return left ? x : transposeLast(x).contiguous();
  });
}

function inv(A: Tensor): Tensor {
  const op = 'linalg.inv';
  checkSquare(op, A);
  return dispatch(op, [A], undefined, () => solveCore(op, A, null));
}

function detParts(op: string, A: Tensor): [Tensor, Tensor, Tensor] {
  checkSquare(op, A);
  const bs = A.shape.slice(0, -2);
  let p = putTensor(0, A);
  p = putOutput(p, A.dtype, bs);
  p = putOutput(p, A.dtype, bs);
  putOutput(p, A.dtype, bs);
  kernels.linalgDet();
  return [takeOutput(0, A.dtype, bs), takeOutput(1, A.dtype, bs), takeOutput(2, A.dtype, bs)];
}

function det(A: Tensor): Tensor {
  checkSquare('linalg.det', A);
  return dispatch('linalg.det', [A], undefined, () => {
    const [d, s, l] = detParts('linalg.det', A);
    s.dispose();
    l.dispose();
    return d;
  });
}

function slogdet(A: Tensor): { sign: Tensor; logabsdet: Tensor } {
  checkSquare('linalg.slogdet', A);
  return dispatch('linalg.slogdet', [A], undefined, () => {
    const [d, sign, logabsdet] = detParts('linalg.slogdet', A);
    d.dispose();
    return { sign, logabsdet };
  });
}

/** Householder QR: mode 'reduced' (default), 'complete', or 'r' (Q is an empty tensor). */
function qr(A: Tensor, opts: { mode?: 'reduced' | 'complete' | 'r' } = {}): { Q: Tensor; R: Tensor } {
  const op = 'linalg.qr';
  checkMatrix(op, A);
  const mode = opts.mode ?? 'reduced';
  if (mode !== 'reduced' && mode !== 'complete' && mode !== 'r') {
    throw new RangeError(`${op}: qr received unrecognized mode '${String(mode)}' but expected one of 'reduced' (default), 'r', or 'complete'`);
  }
  return dispatch(op, [A], { mode }, () => {
    const bs = A.shape.slice(0, -2);
    const m = A.shape[A.ndim - 2]!;
    const n = A.shape[A.ndim - 1]!;
    const k = Math.min(m, n);
    const complete = mode === 'complete';
    const qShape = [...bs, m, complete ? m : k];
    const rShape = [...bs, complete ? m : k, n];
    let p = putTensor(0, A);
    frame[p++] = complete ? 1 : 0;
    frame[p++] = mode === 'r' ? 0 : 1;
    if (mode !== 'r') p = putOutput(p, A.dtype, qShape);
    putOutput(p, A.dtype, rShape);
    kernels.linalgQr();
    if (mode === 'r') {
      const R = takeOutput(0, A.dtype, rShape);
      const Q = empty0(A.dtype);
      return { Q, R };
    }
    return { Q: takeOutput(0, A.dtype, qShape), R: takeOutput(1, A.dtype, rShape) };
  });
}

function empty0(dtype: DType): Tensor {
  const one = scalarTensor(0, dtype);
  return one._view([0], [1], one.offset);
}

function eighCore(op: string, A: Tensor, uplo: string, vectors: boolean): Tensor[] {
  checkSquare(op, A);
  if (uplo !== 'L' && uplo !== 'U') throw new RangeError(`${op}: UPLO must be 'L' or 'U', got '${uplo}'`);
  const bs = A.shape.slice(0, -2);
  const n = A.shape[A.ndim - 1]!;
  let p = putTensor(0, A);
  frame[p++] = uplo === 'L' ? 1 : 0;
  frame[p++] = vectors ? 1 : 0;
  p = putOutput(p, A.dtype, [...bs, n]);
  if (vectors) putOutput(p, A.dtype, A.shape);
  kernels.linalgEigh();
  const w = takeOutput(0, A.dtype, [...bs, n]);
  return vectors ? [w, takeOutput(1, A.dtype, A.shape)] : [w];
}

/** Eigen-decomposition of symmetric matrices (eigenvalues ascending), reading the UPLO triangle. */
function eigh(A: Tensor, opts: { UPLO?: 'L' | 'U' } = {}): { eigenvalues: Tensor; eigenvectors: Tensor } {
  const uplo = opts.UPLO ?? 'L';
  return dispatch('linalg.eigh', [A], { UPLO: uplo }, () => {
    const [eigenvalues, eigenvectors] = eighCore('linalg.eigh', A, uplo, true);
    return { eigenvalues: eigenvalues!, eigenvectors: eigenvectors! };
  });
}

function eigvalsh(A: Tensor, opts: { UPLO?: 'L' | 'U' } = {}): Tensor {
  const uplo = opts.UPLO ?? 'L';
  return dispatch('linalg.eigvalsh', [A], { UPLO: uplo }, () => eighCore('linalg.eigvalsh', A, uplo, false)[0]!);
}

/** Singular values, descending. */
function svdvals(A: Tensor): Tensor {
  const op = 'linalg.svdvals';
  checkMatrix(op, A);
  return dispatch(op, [A], undefined, () => svdvalsCore(A));
}

function svdvalsCore(A: Tensor): Tensor {
  const bs = A.shape.slice(0, -2);
  const k = Math.min(A.shape[A.ndim - 2]!, A.shape[A.ndim - 1]!);
  const p = putTensor(0, A);
  putOutput(p, A.dtype, [...bs, k]);
  kernels.linalgSvdvals();
  return takeOutput(0, A.dtype, [...bs, k]);
}

/**
 * Singular value decomposition A = U diag(S) Vh (one-sided Jacobi, float64 inside), S descending.
 * fullMatrices (default true, as PyTorch): U is [..., m, m] and Vh [..., n, n]; otherwise
 * [..., m, k] and [..., k, n] with k = min(m, n).
 */
function svd(A: Tensor, opts: { fullMatrices?: boolean } = {}): { U: Tensor; S: Tensor; Vh: Tensor } {
  const op = 'linalg.svd';
  checkMatrix(op, A);
  const full = opts.fullMatrices ?? true;
  return dispatch(op, [A], { fullMatrices: full }, () => {
    const bs = A.shape.slice(0, -2);
    const m = A.shape[A.ndim - 2]!;
    const n = A.shape[A.ndim - 1]!;
    const k = Math.min(m, n);
    const uShape = [...bs, m, full ? m : k];
    const sShape = [...bs, k];
    const vShape = [...bs, full ? n : k, n];
    let p = putTensor(0, A);
    frame[p++] = full ? 1 : 0;
    p = putOutput(p, A.dtype, uShape);
    p = putOutput(p, A.dtype, sShape);
    putOutput(p, A.dtype, vShape);
    kernels.linalgSvd();
    return { U: takeOutput(0, A.dtype, uShape), S: takeOutput(1, A.dtype, sShape), Vh: takeOutput(2, A.dtype, vShape) };
  });
}

/**
 * Moore-Penrose pseudo-inverse through the SVD: singular values at or below
 * max(atol, rtol * max(S)) are treated as zero (rtol defaults to max(m, n) * eps of the dtype).
 */
function pinv(A: Tensor, opts: { atol?: number; rtol?: number } = {}): Tensor {
  const op = 'linalg.pinv';
  checkMatrix(op, A);
  return dispatch(op, [A], opts, () => {
    const m = A.shape[A.ndim - 2]!;
    const n = A.shape[A.ndim - 1]!;
    const eps = A.dtype === 'float32' ? 2 ** -23 : 2 ** -52;
    const atol = opts.atol ?? 0;
    const rtol = opts.rtol ?? (opts.atol !== undefined && opts.atol > 0 ? 0 : Math.max(m, n) * eps);
    const { U, S, Vh } = svd(A, { fullMatrices: false });
    const k = S.shape[S.ndim - 1]!;
    // 1/s on the few singular values, in JS: k numbers per matrix.
    const sv = S.data() as Float32Array | Float64Array;
    const inv = new Float64Array(sv.length);
    for (let b = 0; b < sv.length; b += Math.max(k, 1)) {
      const cutoff = Math.max(atol, rtol * (k > 0 ? sv[b]! : 0));
      for (let i = 0; i < k; i++) inv[b + i] = sv[b + i]! > cutoff ? 1 / sv[b + i]! : 0;
    }
    const sInv = scalarTensor(0, A.dtype);
    const sInvT = inv.length === 0 ? sInv._view([...S.shape], S.strides, 0) : fromValues(inv, A.dtype, S.shape);
    const bl = 'abcdefgh'.slice(0, A.ndim - 2);
    return einsumImpl(`${bl}ji,${bl}j,${bl}kj->${bl}ik`, [Vh, sInvT, U], false);
  });
}

function fromValues(v: Float64Array, dtype: DType, shape: readonly number[]): Tensor {
  const ta = dtype === 'float32' ? Float32Array.from(v) : v;
  return tensorFrom(ta, dtype, shape);
}

/** A ** n for square matrices (n < 0 inverts first); batched. */
function matrixPower(A: Tensor, n: number): Tensor {
  const op = 'linalg.matrixPower';
  const size = checkSquareAny(op, A);
  if (!Number.isInteger(n)) throw new TypeError(`${op}: the exponent must be an integer, got ${n}`);
  return dispatch(op, [A], { n }, () => {
    if (n === 0) {
      const I = eye(size, { dtype: A.dtype });
      const bs = A.shape.slice(0, -2);
      return I._view([...A.shape], [...bs.map(() => 0), size, 1], 0).contiguous();
    }
    let base = n < 0 ? solveCore('linalg.inv', A, null) : A;
    let e = Math.abs(n);
    let result: Tensor | null = null;
    while (true) {
      if (e & 1) result = result === null ? base : batchedMatmul(op, result, base);
      e = Math.floor(e / 2);
      if (e === 0) break;
      base = batchedMatmul(op, base, base);
    }
    return result === A ? A._copyAs(A.dtype) : result!;
  });
}

function checkSquareAny(op: string, t: Tensor): number {
  checkTensor(t, op, 'A');
  if (t.ndim < 2) throw new RangeError(`${op}: the input tensor A must have at least 2 dimensions, but got shape ${shapeString(t.shape)}`);
  const m = t.shape[t.ndim - 2]!;
  const n = t.shape[t.ndim - 1]!;
  if (m !== n) throw new RangeError(`${op}: A must be batches of square matrices, but they are ${m} by ${n} matrices (shape ${shapeString(t.shape)})`);
  return n;
}

/** Product of a chain of matrices; the first/last may be 1-D (a row/column vector), as PyTorch. */
function multiDot(tensors: Tensor[]): Tensor {
  const op = 'linalg.multiDot';
  if (!Array.isArray(tensors) || tensors.length < 2) throw new RangeError(`${op}: expected at least 2 tensors but got ${Array.isArray(tensors) ? tensors.length : 0}`);
  tensors.forEach((t, i) => {
    checkTensor(t, op, `tensor ${i}`);
    const edge = i === 0 || i === tensors.length - 1;
    if (!(t.ndim === 2 || (edge && t.ndim === 1))) {
      throw new RangeError(`${op}: tensor ${i} must be ${edge ? '1-D or 2-D' : '2-D'} but got shape ${shapeString(t.shape)}`);
    }
    if (t.dtype !== tensors[0]!.dtype) throw new TypeError(`${op}: all tensors must have the same dtype, got ${tensors[0]!.dtype} and ${t.dtype}`);
  });
  return dispatch(op, tensors, undefined, () => {
    const first = tensors[0]!;
    const last = tensors[tensors.length - 1]!;
    const ms = tensors.map((t, i) => (i === 0 && t.ndim === 1 ? unsqueezeView(t, 0) : i === tensors.length - 1 && t.ndim === 1 ? unsqueezeView(t, 1) : t));
    for (let i = 1; i < ms.length; i++) {
      if (ms[i - 1]!.shape[1] !== ms[i]!.shape[0]) cannotMultiply(op, ms[i - 1]!, ms[i]!, ms[i - 1]!.shape[1]!, ms[i]!.shape[0]!);
    }
    let acc = ms[0]!;
    for (let i = 1; i < ms.length; i++) acc = batchedMatmul(op, acc, ms[i]!);
    let shape = [...acc.shape];
    if (last.ndim === 1) shape = shape.slice(0, 1);
    if (first.ndim === 1) shape = shape.slice(1);
    return acc._view(shape, contiguousStrides(shape), acc.offset);
  });
}

/** Dot products along `dim` (default -1) with broadcasting: sum(x * y, dim). */
function vecdot(x: Tensor, y: Tensor, opts: { dim?: number } = {}): Tensor {
  const op = 'linalg.vecdot';
  checkTensor(x, op, 'x');
  checkTensor(y, op, 'y');
  sameDType(op, x, y);
  if (x.ndim === 0 || y.ndim === 0) throw new RangeError(`${op}: expected tensors with at least 1 dimension, got shapes ${shapeString(x.shape)} and ${shapeString(y.shape)}`);
  const dim = opts.dim ?? -1;
  const dx = normalizeDim(dim, x.ndim, op);
  const dy = normalizeDim(dim, y.ndim, op);
  if (x.shape[dx] !== y.shape[dy]) {
    throw new RangeError(`${op}: shapes ${shapeString(x.shape)} and ${shapeString(y.shape)} have different sizes along dim ${dim} (${x.shape[dx]} != ${y.shape[dy]})`);
  }
  return dispatch(op, [x, y], { dim }, () => {
    const last = (t: Tensor, d: number): Tensor => permuteView(t, [...[...Array(t.ndim).keys()].filter((i) => i !== d), d]);
    return einsumImpl('...i,...i->...', [last(x, dx), last(y, dy)], false);
  });
}

/** Number of singular values above max(atol, rtol * largest) (rtol defaults to max(m, n) * eps). */
function matrixRank(A: Tensor, opts: { atol?: number; rtol?: number; hermitian?: boolean } = {}): Tensor {
  const op = 'linalg.matrixRank';
  checkMatrix(op, A);
  return dispatch(op, [A], opts, () => {
    const m = A.shape[A.ndim - 2]!;
    const n = A.shape[A.ndim - 1]!;
    const eps = A.dtype === 'float32' ? 2 ** -23 : 2 ** -52;
    const atol = opts.atol ?? 0;
    const rtol = opts.rtol ?? (opts.atol !== undefined && opts.atol > 0 ? 0 : Math.max(m, n) * eps);
    const s = svdvalsCore(A);
    const k = s.shape[s.ndim - 1]!;
    const sv = s.data() as Float32Array | Float64Array;
    const bs = A.shape.slice(0, -2);
    const count = numelOf(bs);
    const ranks = new BigInt64Array(count);
    for (let b = 0; b < count; b++) {
      const cutoff = Math.max(atol, rtol * (k > 0 ? sv[b * k]! : 0));
      let r = 0;
      for (let i = 0; i < k; i++) if (sv[b * k + i]! > cutoff) r++;
      ranks[b] = BigInt(r);
    }
    return tensorFrom(ranks, 'int64', bs);
  });
}

/** Condition number: ratio of extreme singular values (p 2 / -2 / omitted), else norm(A) * norm(inv(A)). */
function cond(A: Tensor, p?: Ord): Tensor {
  const op = 'linalg.cond';
  checkMatrix(op, A);
  return dispatch(op, [A], { p }, () => {
    const bs = A.shape.slice(0, -2);
    const count = numelOf(bs);
    const out = new Float64Array(count);
    if (p === undefined || p === 2 || p === -2) {
      const s = svdvalsCore(A);
      const k = s.shape[s.ndim - 1]!;
      const sv = s.data() as Float32Array | Float64Array;
      for (let b = 0; b < count; b++) {
        const hi = sv[b * k]!;
        const lo = sv[b * k + k - 1]!;
        out[b] = p === -2 ? lo / hi : hi / lo;
      }
    } else {
      checkSquare(op, A);
      const d = A.shape.length;
      const x = matrixNormCore(op, A, p, [d - 2, d - 1], false).data() as Float32Array | Float64Array;
      const y = matrixNormCore(op, solveCore('linalg.inv', A, null), p, [d - 2, d - 1], false).data() as Float32Array | Float64Array;
      for (let b = 0; b < count; b++) out[b] = x[b]! * y[b]!;
    }
    return fromValues(out, A.dtype, bs);
  });
}

type Ord = number | 'fro' | 'nuc';
interface NormOptions {
  ord?: Ord;
  dim?: number | number[];
  keepdim?: boolean;
}

function parseNormArgs(ordOrOpts: Ord | NormOptions | undefined, dim: number | number[] | undefined | NormOptions, opts: NormOptions | undefined): NormOptions {
  if (typeof ordOrOpts === 'object' && ordOrOpts !== null) return ordOrOpts;
  if (typeof dim === 'object' && dim !== null && !Array.isArray(dim)) return { ...dim, ord: ordOrOpts };
  return { ...(opts ?? {}), ord: ordOrOpts ?? opts?.ord, dim: dim ?? opts?.dim };
}

function normDims(op: string, x: Tensor, dim: number | number[] | undefined): number[] {
  if (dim === undefined) return [...Array(x.ndim).keys()];
  const list = typeof dim === 'number' ? [dim] : dim;
  const out = list.map((d) => normalizeDim(d, x.ndim, op));
  if (new Set(out).size !== out.length) throw new RangeError(`${op}: dim ${shapeString(list)} contains repeated dims`);
  return out;
}

function keepShape(x: Tensor, dims: number[], keepdim: boolean): number[] {
  return keepdim ? x.shape.map((s, i) => (dims.includes(i) ? 1 : s)) : x.shape.filter((_, i) => !dims.includes(i));
}

function vectorNormCore(op: string, x: Tensor, ord: number, dims: number[], keepdim: boolean): Tensor {
  const rest = [...Array(x.ndim).keys()].filter((d) => !dims.includes(d));
  const perm = [...rest, ...dims];
  const xp = permuteView(x, perm);
  const reducedSize = numelOf(dims.map((d) => x.shape[d]!));
  if (reducedSize === 0 && (ord < 0 || ord === Infinity)) {
    throw new RangeError(`${op}: expected a non-empty tensor to compute the ${ord} norm over dims ${shapeString(dims)} of shape ${shapeString(x.shape)}`);
  }
  const outShape = keepShape(x, dims, keepdim);
  const restShape = rest.map((d) => x.shape[d]!);
  let p = putTensor(0, xp);
  frame[p++] = dims.length;
  frame[p++] = ord;
  putOutput(p, x.dtype, restShape);
  kernels.linalgVectorNorm();
  const out = takeOutput(0, x.dtype, restShape);
  return keepdim ? out._view(outShape, contiguousStrides(outShape), 0) : out;
}

/** Vector norm over `dim` (all dims when omitted): ord 2 (default), 1, inf, -inf, 0, any p. */
function vectorNorm(x: Tensor, ord?: number | NormOptions, dim?: number | number[] | NormOptions, opts?: NormOptions): Tensor {
  const op = 'linalg.vectorNorm';
  checkFloatInput(op, x);
  const o = parseNormArgs(ord as Ord | NormOptions | undefined, dim, opts);
  const p = o.ord ?? 2;
  if (typeof p !== 'number') throw new TypeError(`${op}: ord must be a number, got '${String(p)}'`);
  const dims = normDims(op, x, o.dim);
  const keepdim = o.keepdim ?? false;
  return dispatch(op, [x], { ord: p, dim: dims, keepdim }, () => vectorNormCore(op, x, p, dims, keepdim));
}

function matrixNormCore(op: string, A: Tensor, ord: Ord, d: number[], keepdim: boolean): Tensor {
  if (ord === 'fro') return vectorNormCore(op, A, 2, d, keepdim);
  // Bring the two matrix dims last (rows, cols) so the native kernels see [..., m, n].
  const rest = [...Array(A.ndim).keys()].filter((i) => !d.includes(i));
  const Ap = permuteView(A, [...rest, d[0]!, d[1]!]);
  const restShape = rest.map((i) => A.shape[i]!);
  const outShape = keepShape(A, d, keepdim);
  let r: Tensor;
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    if (numelOf(Ap.shape) === 0 && ord !== 'nuc') throw new RangeError(`${op}: the ${ord} norm of an empty matrix is not defined (shape ${shapeString(A.shape)})`);
    const s = svdvalsCore(Ap);
    const k = s.shape[s.ndim - 1]!;
    if (ord === 'nuc') r = vectorNormCore(op, s, 1, [s.ndim - 1], false);
    else {
      const idx = ord === 2 ? 0 : k - 1;
      r = s._view(restShape, contiguousStrides(restShape).map((x) => x * k), idx).contiguous();
      if (r._st === s._st) r = r._copyAs(r.dtype);
    }
  } else if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
    if (numelOf(Ap.shape) === 0) throw new RangeError(`${op}: the ${ord} norm of an empty matrix is not defined (shape ${shapeString(A.shape)})`);
    const rows = ord === Infinity || ord === -Infinity;
    let p = putTensor(0, Ap);
    frame[p++] = rows ? 1 : 0;
    frame[p++] = ord > 0 ? 1 : 0;
    putOutput(p, A.dtype, restShape);
    kernels.linalgAbsSumNorm();
    r = takeOutput(0, A.dtype, restShape);
  } else {
    throw new RangeError(`${op}: order ${String(ord)} not supported (expected 'fro', 'nuc', 1, -1, 2, -2, inf or -inf)`);
  }
  return keepdim ? r._view(outShape, contiguousStrides(outShape), r.offset) : r;
}

/** Matrix norm over two dims (default the last two): 'fro' (default), 'nuc', 1, -1, 2, -2, inf, -inf. */
function matrixNorm(A: Tensor, ord?: Ord | NormOptions, dim?: number[] | NormOptions, opts?: NormOptions): Tensor {
  const op = 'linalg.matrixNorm';
  checkMatrix(op, A);
  const o = parseNormArgs(ord as Ord | NormOptions | undefined, dim, opts);
  const p = o.ord ?? 'fro';
  const d = normDims(op, A, o.dim ?? [-2, -1]);
  if (d.length !== 2) throw new RangeError(`${op}: dim must be a 2-tuple, got ${shapeString(d)}`);
  const keepdim = o.keepdim ?? false;
  return dispatch(op, [A], { ord: p, dim: d, keepdim }, () => matrixNormCore(op, A, p, d, keepdim));
}

/**
 * torch.linalg.norm: with `dim` a number (or ord a number on a 1-D input) a vector norm; with two
 * dims (or a 2-D input and an ord) a matrix norm; with neither, the 2-norm of the flattened input.
 */
function norm(x: Tensor, ord?: Ord | NormOptions, dim?: number | number[] | NormOptions, opts?: NormOptions): Tensor {
  const op = 'linalg.norm';
  checkFloatInput(op, x);
  const o = parseNormArgs(ord as Ord | NormOptions | undefined, dim, opts);
  const keepdim = o.keepdim ?? false;
  if (o.dim !== undefined) {
    const dims = normDims(op, x, o.dim);
    if (dims.length === 1) {
      if (typeof o.ord === 'string') throw new RangeError(`${op}: ord '${o.ord}' needs two dims, got dim ${shapeString(dims)}`);
      return dispatch(op, [x], { ord: o.ord ?? 2, dim: dims, keepdim }, () => vectorNormCore(op, x, (o.ord as number | undefined) ?? 2, dims, keepdim));
    }
    if (dims.length === 2) return dispatch(op, [x], { ord: o.ord ?? 'fro', dim: dims, keepdim }, () => matrixNormCore(op, x, o.ord ?? 'fro', dims, keepdim));
    if (o.ord !== undefined) throw new RangeError(`${op}: with ord ${String(o.ord)}, dim must have 1 or 2 entries, got ${shapeString(dims)}`);
    return dispatch(op, [x], { ord: 2, dim: dims, keepdim }, () => vectorNormCore(op, x, 2, dims, keepdim));
  }
  if (o.ord === undefined) {
    const dims = [...Array(x.ndim).keys()];
    return dispatch(op, [x], { ord: 2, keepdim }, () => vectorNormCore(op, x, 2, dims, keepdim));
  }
  if (x.ndim === 1) {
    if (typeof o.ord === 'string') throw new RangeError(`${op}: ord '${o.ord}' is a matrix norm but the input is 1-D (shape ${shapeString(x.shape)})`);
    return dispatch(op, [x], { ord: o.ord, keepdim }, () => vectorNormCore(op, x, o.ord as number, [0], keepdim));
  }
  if (x.ndim === 2) return dispatch(op, [x], { ord: o.ord, keepdim }, () => matrixNormCore(op, x, o.ord!, [0, 1], keepdim));
  throw new RangeError(`${op}: input must be 1-D or 2-D when ord is given and dim is not, but got shape ${shapeString(x.shape)}`);
}

/** The torch.linalg namespace. */
export const linalg = {
  cholesky,
  solve,
  solveTriangular,
  inv,
  det,
  slogdet,
  qr,
  eigh,
  eigvalsh,
  svdvals,
  svd,
  pinv,
  matrixPower,
  multiDot,
  vecdot,
  matrixRank,
  cond,
  norm,
  vectorNorm,
  matrixNorm,
  matmul,
};

const proto = Tensor.prototype;
proto.matmul = function (this: Tensor, o: Tensor) { return matmul(this, o); };
proto.mm = function (this: Tensor, o: Tensor) { return mm(this, o); };
proto.bmm = function (this: Tensor, o: Tensor) { return bmm(this, o); };
proto.mv = function (this: Tensor, v: Tensor) { return mv(this, v); };
proto.dot = function (this: Tensor, o: Tensor) { return dot(this, o); };
proto.inner = function (this: Tensor, o: Tensor) { return inner(this, o); };
proto.outer = function (this: Tensor, o: Tensor) { return outer(this, o); };
proto.addmm = function (this: Tensor, m1: Tensor, m2: Tensor, o?: { beta?: number; alpha?: number }) { return addmm(this, m1, m2, o); };
proto.det = function (this: Tensor) { return det(this); };
proto.slogdet = function (this: Tensor) { return slogdet(this); };
proto.inverse = function (this: Tensor) { return inv(this); };
proto.matrixPower = function (this: Tensor, n: number) { return matrixPower(this, n); };
proto.pinverse = function (this: Tensor) { return pinv(this); };
