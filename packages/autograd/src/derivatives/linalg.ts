/**
 * Derivatives of the linalg ops (packages/tensor/src/ops/matmul.ts, einsum.ts and linalg*.ts): the
 * matmul family, einsum and the `linalg` namespace. Formulas follow PyTorch's derivatives.yaml /
 * FunctionsManual.
 *
 * Everything is written with public ops that have derivative entries themselves (matmul, the
 * linalg solvers, mul/add/sum/reshape/permute...), so the formulas differentiate again. Triangles
 * and diagonals are taken with constant masks (`x.mul(mask)`, `x.mul(eye).sum(-1)`) rather than
 * tril/diagonal, and signs/argmax masks are computed on detached values (their derivative is 0).
 */
import { einsum as einsumFn, eye, linalg, tensor, type Tensor } from '@cinder/tensor';
import type { Derivative, GradContext } from '../derivatives.js';
import { gradAt, reduceTo, sumToShape } from '../derivatives.js';
import { expandReduced } from './reduction.js';

// ---- helpers --------------------------------------------------------------------------------

const mT = (x: Tensor): Tensor => x.mT;

/** Constants are made in the dtype and on the device of `like`. */
function eyeOf(n: number, like: Tensor): Tensor {
  return eye(n, { dtype: like.dtype, device: like.device });
}

/** Constant mask of the lower (or upper) triangle of an r x c matrix, from diagonal k. */
function triMask(r: number, c: number, like: Tensor, lower: boolean, k: number): Tensor {
  const v = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) v[i * c + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
  return tensor(v, { shape: [r, c] }).to(like);
}

function lastTwo(x: Tensor): [number, number] {
  return [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!];
}

/** tril(x, k) of the last two dims, differentiable through mul. */
function trilOf(x: Tensor, k = 0): Tensor {
  const [r, c] = lastTwo(x);
  return x.mul(triMask(r, c, x, true, k));
}

function triuOf(x: Tensor, k = 0): Tensor {
  const [r, c] = lastTwo(x);
  return x.mul(triMask(r, c, x, false, k));
}

/** The diagonal of square matrices (last two dims) as [..., n]. */
function diagOf(x: Tensor): Tensor {
  const n = x.shape[x.ndim - 1]!;
  return x.mul(eyeOf(n, x)).sum([-1]);
}

/** [..., n] -> [..., n, n] with v on the diagonal. */
function diagEmbed(v: Tensor): Tensor {
  const n = v.shape[v.ndim - 1]!;
  return v.unsqueeze(-1).mul(eyeOf(n, v));
}

/** A 0/1 selector [n, k] picking columns `from..from+k` of an [.., n] operand through matmul. */
function selector(n: number, from: number, k: number, like: Tensor): Tensor {
  const v = new Float64Array(n * k);
  for (let j = 0; j < k; j++) v[(from + j) * k + j] = 1;
  return tensor(v, { shape: [n, k] }).to(like);
}

/** Values of a tensor as float64 numbers (for branch decisions only). */
function numbers(t: Tensor): Float64Array {
  return Float64Array.from(t.detach().contiguous().to('float64').data() as Float64Array);
}

/** Gradient of x @ y (batched, matrices) w.r.t. both, reduced to the operands' shapes. */
function matmulGrads(c: GradContext, x: Tensor, y: Tensor, g: Tensor, ix: number, iy: number): [Tensor | null, Tensor | null] {
  const gx = c.needs(ix) ? sumToShape(g.matmul(mT(y)), x.shape) : null;
  const gy = c.needs(iy) ? sumToShape(mT(x).matmul(g), y.shape) : null;
  return [gx, gy];
}

// ---- matmul family --------------------------------------------------------------------------

/** True for a 2-d tensor laid out column-major (the transpose of a contiguous matrix, e.g. w.t()). */
function columnMajor(t: Tensor): boolean {
  return t.ndim === 2 && t.shape[0]! > 1 && t.shape[1]! > 1 && t.strides[0] === 1 && t.strides[1] === t.shape[0];
}

/**
 * The two gradients of a @ b for matrices, each produced in its operand's layout (as PyTorch's
 * mm backward does): for a column-major operand such as `w.t()` in a linear layer, the gradient is
 * computed as the transpose of a row-major product, so after the transpose's backward the
 * weight's gradient arrives contiguous and no copy is needed to store it.
 */
function mmGrads(c: GradContext, a: Tensor, b: Tensor, g: Tensor, ia: number, ib: number): [Tensor | null, Tensor | null] {
  const ga = !c.needs(ia) ? null : columnMajor(a) ? mT(b.mm(mT(g))) : g.mm(mT(b));
  const gb = !c.needs(ib) ? null : columnMajor(b) ? mT(mT(g).mm(a)) : mT(a).mm(g);
  return [ga, gb];
}

const matmul: Derivative = (c) => {
  const [a, b] = c.inputs as [Tensor, Tensor];
  if (a.ndim === 2 && b.ndim === 2) return mmGrads(c, a, b, gradAt(c), 0, 1);
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(-1) : b;
  const batch = broadcastBatch(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const g2 = gradAt(c).reshape([...batch, a2.shape[a2.ndim - 2]!, b2.shape[b2.ndim - 1]!]);
  const [ga, gb] = matmulGrads(c, a2, b2, g2, 0, 1);
  return [ga?.reshape([...a.shape]) ?? null, gb?.reshape([...b.shape]) ?? null];
};

function broadcastBatch(x: readonly number[], y: readonly number[]): number[] {
  const n = Math.max(x.length, y.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = x[x.length - n + i] ?? 1;
    const b = y[y.length - n + i] ?? 1;
    out.push(a === 1 ? b : a);
  }
  return out;
}

const mm: Derivative = (c) => {
  const [a, b] = c.inputs as [Tensor, Tensor];
  return mmGrads(c, a, b, gradAt(c), 0, 1);
};

const bmm: Derivative = (c) => {
  const [a, b] = c.inputs as [Tensor, Tensor];
  const g = gradAt(c);
  return [c.needs(0) ? g.bmm(mT(b)) : null, c.needs(1) ? mT(a).bmm(g) : null];
};

const mv: Derivative = (c) => {
  const [a, v] = c.inputs as [Tensor, Tensor];
  const g = gradAt(c);
  return [c.needs(0) ? g.outer(v) : null, c.needs(1) ? mT(a).mv(g) : null];
};

const dot: Derivative = (c) => {
  const [a, b] = c.inputs as [Tensor, Tensor];
  const g = gradAt(c);
  return [c.needs(0) ? b.mul(g) : null, c.needs(1) ? a.mul(g) : null];
};

const inner: Derivative = (c) => {
  const [a, b] = c.inputs as [Tensor, Tensor];
  const k = a.shape[a.ndim - 1]!;
  const ra = a.shape.slice(0, -1).reduce((x, y) => x * y, 1);
  const rb = b.shape.slice(0, -1).reduce((x, y) => x * y, 1);
  const g = gradAt(c).reshape([ra, rb]);
  const ga = c.needs(0) ? g.mm(b.reshape([rb, k])).reshape([...a.shape]) : null;
  const gb = c.needs(1) ? mT(g).mm(a.reshape([ra, k])).reshape([...b.shape]) : null;
  return [ga, gb];
};

const outer: Derivative = (c) => {
  const [a, b] = c.inputs as [Tensor, Tensor];
  const g = gradAt(c);
  return [c.needs(0) ? g.mv(b) : null, c.needs(1) ? mT(g).mv(a) : null];
};

const addmm: Derivative = (c) => {
  const [inp, m1, m2] = c.inputs as [Tensor, Tensor, Tensor];
  const alpha = (c.attrs.alpha as number | undefined) ?? 1;
  const beta = (c.attrs.beta as number | undefined) ?? 1;
  const g = gradAt(c);
  const ga = alpha === 1 ? g : g.mul(alpha);
  const [g1, g2] = mmGrads(c, m1, m2, ga, 1, 2);
  return [c.needs(0) ? reduceTo(beta === 1 ? g : g.mul(beta), inp) : null, g1, g2];
};

const multiDot: Derivative = (c) => {
  const ts = c.inputs;
  const last = ts.length - 1;
  const ms = ts.map((t, i) => (i === 0 && t.ndim === 1 ? t.unsqueeze(0) : i === last && t.ndim === 1 ? t.unsqueeze(-1) : t));
  const g = gradAt(c).reshape([ms[0]!.shape[0]!, ms[last]!.shape[1]!]);
  const chain = (from: number, to: number): Tensor | null => {
    let acc: Tensor | null = null;
    for (let i = from; i < to; i++) acc = acc === null ? ms[i]! : acc.mm(ms[i]!);
    return acc;
  };
  return ts.map((t, i) => {
    if (!c.needs(i)) return null;
    const left = chain(0, i);
    const right = chain(i + 1, ts.length);
    let r = left === null ? g : mT(left).mm(g);
    if (right !== null) r = r.mm(mT(right));
    return r.reshape([...t.shape]);
  });
};

const vecdot: Derivative = (c) => {
  const [x, y] = c.inputs as [Tensor, Tensor];
  const dim = (c.attrs.dim as number | undefined) ?? -1;
  const g = gradAt(c).unsqueeze(-1);
  // The op moves each operand's reduced dim last, then contracts with broadcasting.
  const toLast = (t: Tensor): { p: Tensor; inv: number[] } => {
    const d = dim < 0 ? dim + t.ndim : dim;
    const perm = [...[...Array(t.ndim).keys()].filter((i) => i !== d), d];
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return { p: t.permute(perm), inv };
  };
  const px = toLast(x);
  const py = toLast(y);
  return [
    c.needs(0) ? sumToShape(g.mul(py.p), px.p.shape).permute(px.inv) : null,
    c.needs(1) ? sumToShape(g.mul(px.p), py.p.shape).permute(py.inv) : null,
  ];
};

const matrixPower: Derivative = (c) => {
  const A = c.inputs[0]!;
  const n = c.attrs.n as number;
  if (n === 0 || !c.needs(0)) return [n === 0 ? A.mul(0) : null];
  const g = gradAt(c);
  // d(B^k) = sum_j B^j dB B^(k-1-j): gB = sum_j (B^T)^j g (B^T)^(k-1-j).
  const base = n < 0 ? linalg.inv(A) : A;
  const k = Math.abs(n);
  const pows: Tensor[] = [];
  for (let j = 0; j < k; j++) pows.push(j === 0 ? eyeOf(A.shape[A.ndim - 1]!, A) : j === 1 ? mT(base) : pows[j - 1]!.matmul(mT(base)));
  let gB: Tensor | null = null;
  for (let j = 0; j < k; j++) {
    const term = pows[j]!.matmul(g).matmul(pows[k - 1 - j]!);
    gB = gB === null ? term : gB.add(term);
  }
  if (n > 0) return [gB!];
  // base = inv(A): gA = -B^T gB B^T.
  return [mT(base).matmul(gB!).matmul(mT(base)).neg()];
};

// ---- einsum ---------------------------------------------------------------------------------

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Subscripts of one operand as labels ('...' kept as one marker). */
function parseLabels(sub: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < sub.length; i++) {
    if (sub[i] === '.') {
      out.push('...');
      i += 2;
    } else out.push(sub[i]!);
  }
  return out;
}

/**
 * The gradient of operand i of einsum is an einsum of the output gradient with the other
 * operands, producing operand i's (distinct) subscripts; subscripts only operand i has (summed
 * away) are broadcast back, size-1 (broadcast) dims summed, and repeated subscripts (diagonals)
 * put back on the diagonal with a constant mask.
 */
const einsum: Derivative = (c) => {
  const ts = c.inputs;
  const eq = String(c.attrs.equation).replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const parsed = lhs.split(',').map(parseLabels);
  const ellDims = Math.max(0, ...parsed.map((ls, i) => (ls.includes('...') ? ts[i]!.ndim - (ls.length - 1) : 0)));
  const used = new Set(eq.replace(/[^a-zA-Z]/g, ''));
  const free = [...LETTERS].filter((l) => !used.has(l));
  const ellLetters = free.slice(0, ellDims);
  const expand = (ls: string[], count: number): string[] => {
    const at = ls.indexOf('...');
    if (at < 0) return ls;
    return [...ls.slice(0, at), ...ellLetters.slice(ellDims - count), ...ls.slice(at + 1)];
  };
  const labels = parsed.map((ls, i) => expand(ls, ls.includes('...') ? ts[i]!.ndim - (ls.length - 1) : 0));
  let outLabels: string[];
  if (arrow >= 0) {
    const rhs = parseLabels(eq.slice(arrow + 2));
    outLabels = expand(rhs, ellDims);
  } else {
    const counts = new Map<string, number>();
    for (const ls of labels) for (const l of ls) counts.set(l, (counts.get(l) ?? 0) + 1);
    const ellSet = new Set(ellLetters);
    outLabels = [...ellLetters, ...[...counts.entries()].filter(([l, n]) => n === 1 && !ellSet.has(l)).map(([l]) => l).sort()];
  }
  const g = gradAt(c);
  const sizes = new Map<string, number>();
  labels.forEach((ls, i) => ls.forEach((l, d) => {
    const s = ts[i]!.shape[d]!;
    if (!sizes.has(l) || sizes.get(l) === 1) sizes.set(l, s);
  }));
  return ts.map((t, i) => {
    if (!c.needs(i)) return null;
    const mine = labels[i]!;
    const uniq = [...new Set(mine)];
    const others = new Set<string>(outLabels);
    labels.forEach((ls, j) => j !== i && ls.forEach((l) => others.add(l)));
    const avail = uniq.filter((l) => others.has(l));
    const operands = [g, ...ts.filter((_, j) => j !== i)];
    const subs = [outLabels, ...labels.filter((_, j) => j !== i)];
    let r: Tensor;
    if (operands.length === 1 && outLabels.join('') === avail.join('')) r = g;
    else r = einsumOp(`${subs.map((s) => s.join('')).join(',')}->${avail.join('')}`, operands);
    // Labels of operand i alone: broadcast back (unsqueeze, expanded by the mask/expand below).
    const rLabels = [...avail];
    for (const l of uniq) {
      if (!rLabels.includes(l)) {
        r = r.unsqueeze(r.ndim);
        rLabels.push(l);
      }
    }
    // Order as the distinct labels of operand i.
    const perm = uniq.map((l) => rLabels.indexOf(l));
    if (perm.some((p, k) => p !== k)) r = r.permute(perm);
    // Full layout: first occurrences keep their dim, repeats get size 1 (broadcast by the mask).
    const shape: number[] = [];
    const seen = new Set<string>();
    for (const l of mine) {
      shape.push(seen.has(l) ? 1 : r.shape[uniq.indexOf(l)]!);
      seen.add(l);
    }
    // reshape needs the dims in mine's order: uniq is in first-occurrence order, so it matches.
    r = r.reshape(shape);
    const full = mine.map((l) => sizes.get(l)!);
    if (seen.size < mine.length) r = r.mul(diagonalMask(mine, full, t));
    else if (r.shape.some((s, d) => s !== full[d])) r = r.expand(full);
    // Size-1 dims of operand i that broadcast against larger ones: sum back.
    return sumToShape(r, t.shape);
  });
};

function einsumOp(equation: string, operands: Tensor[]): Tensor {
  return einsumFn(equation, ...operands);
}

/** 1 where every repeated label has equal indices, 0 elsewhere. */
function diagonalMask(labels: string[], shape: number[], like: Tensor): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < n; f++) {
    const val = new Map<string, number>();
    let ok = true;
    labels.forEach((l, d) => {
      const prev = val.get(l);
      if (prev !== undefined && prev !== idx[d]) ok = false;
      val.set(l, idx[d]!);
    });
    v[f] = ok ? 1 : 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return tensor(v, { shape }).to(like);
}

// ---- factorizations and solvers -------------------------------------------------------------

/** Cholesky: gA = L^-H Phi(L^H gL) L^-1 with Phi taking the lower triangle, halving the diagonal (symmetrized). */
const cholesky: Derivative = (c) => {
  if (!c.needs(0) || c.grads[0] === null || c.grads[0] === undefined) return [null];
  const upper = Boolean(c.attrs.upper);
  let L = c.outputs[0]!;
  let gL = gradAt(c);
  if (upper) {
    L = mT(L);
    gL = mT(gL);
  }
  let gA = trilOf(mT(L).matmul(gL));
  gA = gA.add(mT(trilOf(gA, -1))).mul(0.5);
  gA = linalg.solveTriangular(mT(L), gA, { upper: true, left: true });
  gA = linalg.solveTriangular(L, gA, { upper: false, left: false });
  return [gA];
};

/** The vector case of linalg.solve, as the op decides it. */
function solveIsVector(A: Tensor, B: Tensor): boolean {
  return B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((s, i) => s === A.shape[i]));
}

const solve: Derivative = (c) => {
  const [A, B] = c.inputs as [Tensor, Tensor];
  const left = (c.attrs.left as boolean | undefined) ?? true;
  const vec = solveIsVector(A, B);
  const X = vec ? c.outputs[0]!.unsqueeze(-1) : c.outputs[0]!;
  const gX = vec ? gradAt(c).unsqueeze(-1) : gradAt(c);
  const Bm = vec ? B.unsqueeze(-1) : B;
  // gB = A^-H gX (left) or gX A^-H; gA = -gB X^H (left) or -X^H gB.
  const gB = linalg.solve(mT(A), gX, { left });
  const gA = c.needs(0) ? sumToShape((left ? gB.matmul(mT(X)) : mT(X).matmul(gB)).neg(), A.shape) : null;
  const gBr = c.needs(1) ? sumToShape(gB, Bm.shape).reshape([...B.shape]) : null;
  return [gA, gBr];
};

const solveTriangular: Derivative = (c) => {
  const [A, B] = c.inputs as [Tensor, Tensor];
  const upper = Boolean(c.attrs.upper);
  const left = (c.attrs.left as boolean | undefined) ?? true;
  const unit = Boolean(c.attrs.unitriangular);
  const X = c.outputs[0]!;
  const gB = linalg.solveTriangular(mT(A), gradAt(c), { upper: !upper, left, unitriangular: unit });
  let gA: Tensor | null = null;
  if (c.needs(0)) {
    gA = (left ? gB.matmul(mT(X)) : mT(X).matmul(gB)).neg();
    gA = upper ? triuOf(gA, unit ? 1 : 0) : trilOf(gA, unit ? -1 : 0);
    gA = sumToShape(gA, A.shape);
  }
  return [gA, c.needs(1) ? sumToShape(gB, B.shape) : null];
};

const inv: Derivative = (c) => {
  const Ainv = c.outputs[0]!;
  return [mT(Ainv).matmul(gradAt(c)).matmul(mT(Ainv)).neg()];
};

/** prod_{j != i} s_j along the last dim, with mul/sum only (zeros allowed). */
function prodExceptEach(s: Tensor): Tensor {
  const k = s.shape[s.ndim - 1]!;
  let d: Tensor | null = null;
  for (let j = 0; j < k; j++) {
    const e = new Float64Array(k);
    e[j] = 1;
    const ej = tensor(e, { shape: [k] }).to(s);
    const sj = s.mul(ej).sum([-1], { keepdim: true });
    const f = sj.mul(ej.neg().add(1)).add(ej);
    d = d === null ? f : d.mul(f);
  }
  return d ?? s;
}

/** det's gradient scaled by gd ([...]): cofactors gd * det * A^-T, via the SVD where A is singular. */
function detGrad(A: Tensor, det: Tensor, gd: Tensor): Tensor {
  const n = A.shape[A.ndim - 1]!;
  if (n === 0) return A.mul(0);
  const singular = numbers(det).some((v) => v === 0 || !Number.isFinite(v));
  if (!singular) return gd.mul(det).unsqueeze(-1).unsqueeze(-1).mul(mT(linalg.inv(A)));
  // A = U S Vh: cofactor matrix = det(U) det(Vh) U diag(prod_{j != i} s_j) Vh.
  const { U, S, Vh } = linalg.svd(A);
  const sgn = linalg.det(U.detach()).mul(linalg.det(Vh.detach()));
  const D = prodExceptEach(S).mul(gd.mul(sgn).unsqueeze(-1));
  return U.mul(D.unsqueeze(-2)).matmul(Vh);
}

const det: Derivative = (c) => [detGrad(c.inputs[0]!, c.outputs[0]!, gradAt(c))];

const slogdet: Derivative = (c) => {
  // Outputs [sign, logabsdet]: sign is piecewise constant and gets no gradient.
  const g = c.grads[1];
  if (g === null || g === undefined) return [null];
  return [g.unsqueeze(-1).unsqueeze(-1).mul(mT(linalg.inv(c.inputs[0]!)))];
};

/** gA = U diag(gS) Vh for singular values S of A (reduced SVD). */
function svdvalsGrad(A: Tensor, gS: Tensor): Tensor {
  const { U, Vh } = linalg.svd(A, { fullMatrices: false });
  return U.mul(gS.unsqueeze(-2)).matmul(Vh);
}

const svdvals: Derivative = (c) => [svdvalsGrad(c.inputs[0]!, gradAt(c))];

/** [..., r, c] -> its first k columns (through a matmul with a selector: differentiable). */
function firstCols(x: Tensor, k: number): Tensor {
  const c = x.shape[x.ndim - 1]!;
  return c === k ? x : x.matmul(selector(c, 0, k, x));
}

/** [..., r, c] -> its first k rows. */
function firstRows(x: Tensor, k: number): Tensor {
  const r = x.shape[x.ndim - 2]!;
  return r === k ? x : mT(selector(r, 0, k, x)).matmul(x);
}

/**
 * SVD (PyTorch's svd_backward). With fullMatrices the extra columns of U / rows of Vh are not
 * determined by A: their gradients are ignored (as PyTorch narrows to the first k).
 */
const svd: Derivative = (c) => {
  const A = c.inputs[0]!;
  const S = c.outputs[1]!;
  const k = S.shape[S.ndim - 1]!;
  const m = A.shape[A.ndim - 2]!;
  const n = A.shape[A.ndim - 1]!;
  const U = firstCols(c.outputs[0]!, k);
  const Vh = firstRows(c.outputs[2]!, k);
  const gU = c.grads[0] ? firstCols(c.grads[0], k) : null;
  const gS = c.grads[1] ?? null;
  const gVh = c.grads[2] ? firstRows(c.grads[2], k) : null;
  if (!c.needs(0) || (gU === null && gS === null && gVh === null)) return [null];
  if (k === 0) return [A.mul(0)];
  if (gU === null && gVh === null) return [U.mul(gS!.unsqueeze(-2)).matmul(Vh)];
  const skew = (x: Tensor): Tensor => x.sub(mT(x));
  const S2 = S.mul(S);
  // E_ij = s_j^2 - s_i^2, with ones on the diagonal (where the skew parts vanish).
  const E = S2.unsqueeze(-2).sub(S2.unsqueeze(-1)).add(eyeOf(k, A));
  const UhgU = gU !== null ? skew(mT(U).matmul(gU)) : null;
  const VhgV = gVh !== null ? skew(Vh.matmul(mT(gVh))) : null;
  let ret: Tensor;
  if (UhgU !== null && VhgV !== null) ret = UhgU.mul(S.unsqueeze(-2)).add(S.unsqueeze(-1).mul(VhgV)).div(E);
  else if (UhgU !== null) ret = UhgU.mul(S.unsqueeze(-2).div(E));
  else ret = S.unsqueeze(-1).mul(VhgV!.div(E));
  if (gS !== null) ret = ret.add(diagEmbed(gS));
  if (m > n && gU !== null) {
    // gA = [U ret + (I - U U^H) gU S^-1] Vh
    const gUSinv = gU.div(S.unsqueeze(-2));
    return [U.matmul(ret).add(gUSinv).sub(U.matmul(mT(U).matmul(gUSinv))).matmul(Vh)];
  }
  if (m < n && gVh !== null) {
    // gA = U [ret Vh + S^-1 gVh (I - V V^H)]
    const SinvgVh = gVh.div(S.unsqueeze(-1));
    return [U.matmul(ret.matmul(Vh).add(SinvgVh).sub(SinvgVh.matmul(mT(Vh)).matmul(Vh)))];
  }
  return [U.matmul(ret).matmul(Vh)];
};

/** pinv for A of constant (full) rank (PyTorch's pinv_backward). */
const pinv: Derivative = (c) => {
  const A = c.inputs[0]!;
  const P = c.outputs[0]!;
  const m = A.shape[A.ndim - 2]!;
  const n = A.shape[A.ndim - 1]!;
  const Ph = mT(P);
  const gh = mT(gradAt(c));
  if (m <= n) {
    const K = gh.matmul(P);
    const KPh = K.matmul(Ph);
    return [mT(P.matmul(K)).neg().add(KPh).sub(A.matmul(P).matmul(KPh)).add(Ph.matmul(P).matmul(gh.sub(K.matmul(A))))];
  }
  const K = P.matmul(gh);
  const PhK = Ph.matmul(K);
  return [mT(K.matmul(P)).neg().add(gh.sub(A.matmul(K)).matmul(P).matmul(Ph)).add(PhK).sub(PhK.matmul(P).matmul(A))];
};

/** copyltu(M) = tril(M) + tril(M, -1)^T (the symmetric matrix with M's lower triangle). */
function copyltu(M: Tensor): Tensor {
  return trilOf(M).add(mT(trilOf(M, -1)));
}

/** Y R^-T for upper-triangular R. */
function timesInvRT(Y: Tensor, R: Tensor): Tensor {
  return linalg.solveTriangular(mT(R), Y, { upper: false, left: false });
}

/**
 * QR (reduced, or complete with m <= n). m >= n: gA = [gQ + Q copyltu(M)] R^-T with
 * M = R gR^T - gQ^T Q. m < n: A = Q [U V] splits into X = Q U (the square case, with gQ + Y gV^T)
 * and Y = Q V (gY = Q gV).
 */
const qr: Derivative = (c) => {
  const mode = (c.attrs.mode as string | undefined) ?? 'reduced';
  if (!c.needs(0) || ((c.grads[0] ?? null) === null && (c.grads[1] ?? null) === null)) return [null];
  const A = c.inputs[0]!;
  const m = A.shape[A.ndim - 2]!;
  const n = A.shape[A.ndim - 1]!;
  if (mode === 'r') throw new Error("linalg.qr: the derivative of QR is not supported when mode='r'. Please use mode='reduced'");
  if (mode === 'complete' && m > n) throw new Error("linalg.qr: the QR decomposition is not differentiable when mode='complete' and nrows > ncols");
  const Q = c.outputs[0]!;
  const R = c.outputs[1]!;
  const gQ = gradAt(c, 0);
  const gR = gradAt(c, 1);
  if (m >= n) {
    const M = R.matmul(mT(gR)).sub(mT(gQ).matmul(Q));
    return [timesInvRT(gQ.add(Q.matmul(copyltu(M))), R)];
  }
  const S1 = selector(n, 0, m, A);
  const S2 = selector(n, m, n - m, A);
  const U = R.matmul(S1);
  const Y = A.matmul(S2);
  const gU = gR.matmul(S1);
  const gV = gR.matmul(S2);
  const gY = Q.matmul(gV);
  const gQ2 = gQ.add(Y.matmul(mT(gV)));
  const M = U.matmul(mT(gU)).sub(mT(gQ2).matmul(Q));
  const gX = timesInvRT(gQ2.add(Q.matmul(copyltu(M))), U);
  return [gX.matmul(mT(S1)).add(gY.matmul(mT(S2)))];
};

/**
 * eigh (PyTorch's linalg_eig_backward, Hermitian case; eigenvalues assumed distinct):
 * gA = V (diag(gL) + skew(V^T gV) / 2 / E) V^T with E_ij = L_j - L_i.
 */
const eigh: Derivative = (c) => {
  const gL = c.grads[0] ?? null;
  const gV = c.grads[1] ?? null;
  if (!c.needs(0) || (gL === null && gV === null)) return [null];
  const L = c.outputs[0]!;
  const V = c.outputs[1]!;
  const n = L.shape[L.ndim - 1]!;
  if (n === 0) return [c.inputs[0]!.mul(0)];
  let mid: Tensor | null = null;
  if (gV !== null) {
    const X = mT(V).matmul(gV);
    const I = eyeOf(n, L);
    const E = L.unsqueeze(-2).sub(L.unsqueeze(-1)).add(I);
    mid = X.sub(mT(X)).mul(0.5).div(E).mul(I.neg().add(1));
  }
  if (gL !== null) mid = mid === null ? diagEmbed(gL) : mid.add(diagEmbed(gL));
  return [V.matmul(mid!).matmul(mT(V))];
};

const eigvalsh: Derivative = (c) => {
  const A = c.inputs[0]!;
  const { eigenvectors: V } = linalg.eigh(A, { UPLO: (c.attrs.UPLO as 'L' | 'U' | undefined) ?? 'L' });
  return [V.mul(gradAt(c).unsqueeze(-2)).matmul(mT(V))];
};

// ---- norms ----------------------------------------------------------------------------------

/** Gradient of the vector p-norm `n` of x over dims (keepdim as given). */
function vectorNormGrad(x: Tensor, nrm: Tensor, g: Tensor, ord: number, dims: readonly number[] | undefined, keepdim: boolean): Tensor {
  const ge = expandReduced(g, x, dims, keepdim);
  if (x.numel() === 0 || ord === 0) return x.mul(0);
  const ne = expandReduced(nrm, x, dims, keepdim);
  const sgn = x.detach().sign();
  if (ord === 1) return ge.mul(sgn);
  if (ord === Infinity || ord === -Infinity) {
    // Gradient to the entries at the extreme |x|, ties split evenly.
    const at = x.detach().abs().eq(ne.detach()).to(x.dtype);
    const cnt = expandReduced(at.sum(dims === undefined ? undefined : [...dims], { keepdim: true }), x, dims, true);
    return ge.mul(sgn).mul(at).div(cnt);
  }
  // x == 0 everywhere: PyTorch's masked zero gradient.
  const zero = ne.detach().eq(0).to(x.dtype);
  const safe = ne.add(zero);
  if (ord === 2) return ge.mul(x).div(safe);
  // g * x * |x|^(p-2) / n^(p-1), through exp/log.
  const absx = x.mul(sgn);
  const zx = x.detach().eq(0).to(x.dtype);
  const pw = absx.add(zx).log().mul(ord - 2).exp().mul(zx.neg().add(1));
  return ge.mul(x).mul(pw).div(safe.log().mul(ord - 1).exp());
}

/** Moves dims d0, d1 last ([..., d0, d1]); returns the view and the inverse permutation. */
function matrixLast(x: Tensor, d: readonly number[]): { p: Tensor; inv: number[] } {
  const rest = [...Array(x.ndim).keys()].filter((i) => !d.includes(i));
  const perm = [...rest, d[0]!, d[1]!];
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return { p: x.permute(perm), inv };
}

function matrixNormGrad(A: Tensor, nrm: Tensor, g: Tensor, ord: number | string, dims: readonly number[], keepdim: boolean): Tensor {
  if (ord === 'fro') return vectorNormGrad(A, nrm, g, 2, dims, keepdim);
  const { p, inv } = matrixLast(A, dims);
  // g over the batch dims of p: drop the kept size-1 dims.
  const restShape = p.shape.slice(0, -2);
  const gb = g.reshape([...restShape]);
  let r: Tensor;
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    const k = Math.min(p.shape[p.ndim - 2]!, p.shape[p.ndim - 1]!);
    let gS: Tensor;
    if (ord === 'nuc') gS = gb.unsqueeze(-1).expand([...restShape, k]);
    else {
      const e = new Float64Array(k);
      e[ord === 2 ? 0 : k - 1] = 1;
      gS = gb.unsqueeze(-1).mul(tensor(e, { shape: [k] }).to(A));
    }
    r = svdvalsGrad(p, gS);
  } else {
    const o = ord as number;
    const rows = o === Infinity || o === -Infinity;
    const pd = p.detach();
    const sums = pd.abs().sum([rows ? -1 : -2]);
    const ext = o > 0 ? sums.amax([-1], { keepdim: true }) : sums.amin([-1], { keepdim: true });
    let at = sums.eq(ext).to(A.dtype);
    at = at.div(at.sum([-1], { keepdim: true }));
    const mask = rows ? at.unsqueeze(-1) : at.unsqueeze(-2);
    r = gb.unsqueeze(-1).unsqueeze(-1).mul(pd.sign()).mul(mask);
  }
  return r.permute(inv);
}

const vectorNorm: Derivative = (c) => {
  const x = c.inputs[0]!;
  return [vectorNormGrad(x, c.outputs[0]!, gradAt(c), c.attrs.ord as number, c.attrs.dim as number[] | undefined, Boolean(c.attrs.keepdim))];
};

const matrixNorm: Derivative = (c) => {
  const A = c.inputs[0]!;
  return [matrixNormGrad(A, c.outputs[0]!, gradAt(c), c.attrs.ord as number | string, c.attrs.dim as number[], Boolean(c.attrs.keepdim))];
};

const norm: Derivative = (c) => {
  const x = c.inputs[0]!;
  const ord = c.attrs.ord as number | string;
  const keepdim = Boolean(c.attrs.keepdim);
  const out = c.outputs[0]!;
  const g = gradAt(c);
  const dims = c.attrs.dim as number[] | undefined;
  if (dims !== undefined) {
    if (dims.length === 2) return [matrixNormGrad(x, out, g, ord, dims, keepdim)];
    return [vectorNormGrad(x, out, g, ord as number, dims, keepdim)];
  }
  if (typeof ord === 'string') return [matrixNormGrad(x, out, g, ord, [0, 1], keepdim)];
  if (x.ndim !== 2 || (ord !== 2 && ord !== -2 && ord !== 1 && ord !== -1 && ord !== Infinity && ord !== -Infinity)) {
    return [vectorNormGrad(x, out, g, ord, undefined, keepdim)];
  }
  if (ord !== 2) return [matrixNormGrad(x, out, g, ord, [0, 1], keepdim)];
  // A 2-D input with ord 2 is either the flattened 2-norm (no ord given) or the spectral norm;
  // both dispatch { ord: 2 }. They agree only where A has rank <= 1, and so do their gradients.
  const fro = numbers(x).reduce((s, v) => s + v * v, 0);
  const o = numbers(out)[0]!;
  const isFro = Math.abs(Math.sqrt(fro) - o) <= 1e-12 * Math.max(1, o);
  return [isFro ? vectorNormGrad(x, out, g, 2, undefined, keepdim) : matrixNormGrad(x, out, g, 2, [0, 1], keepdim)];
};

/**
 * cond: p 2 / -2 (default 2) is a ratio of extreme singular values (gradient through svdvals);
 * other orders are norm(A) * norm(inv(A)) (product rule, then inv's derivative).
 */
const cond: Derivative = (c) => {
  const A = c.inputs[0]!;
  const p = c.attrs.p as number | 'fro' | 'nuc' | undefined;
  const g = gradAt(c);
  if (p === undefined || p === 2 || p === -2) {
    const s = linalg.svdvals(A);
    const k = s.shape[s.ndim - 1]!;
    const e = (i: number): Tensor => {
      const v = new Float64Array(k);
      v[i] = 1;
      return tensor(v, { shape: [k] }).to(A);
    };
    const e0 = e(0);
    const ek = e(k - 1);
    const hi = s.mul(e0).sum([-1]);
    const lo = s.mul(ek).sum([-1]);
    // r = hi / lo (p = 2) or lo / hi (p = -2).
    const [num, den, eNum, eDen] = p === -2 ? [lo, hi, ek, e0] : [hi, lo, e0, ek];
    const dNum = g.div(den);
    const dDen = g.mul(num).div(den.mul(den)).neg();
    const gS = dNum.unsqueeze(-1).mul(eNum).add(dDen.unsqueeze(-1).mul(eDen));
    return [svdvalsGrad(A, gS)];
  }
  const d = [A.ndim - 2, A.ndim - 1];
  const Ainv = linalg.inv(A);
  const a = linalg.matrixNorm(A, p);
  const b = linalg.matrixNorm(Ainv, p);
  const gA = matrixNormGrad(A, a, g.mul(b), p, d, false);
  const gInv = matrixNormGrad(Ainv, b, g.mul(a), p, d, false);
  return [gA.sub(mT(Ainv).matmul(gInv).matmul(mT(Ainv)))];
};

export const linalgDerivatives: Record<string, Derivative> = {
  matmul,
  mm,
  bmm,
  mv,
  dot,
  inner,
  outer,
  addmm,
  einsum,
  'linalg.multiDot': multiDot,
  'linalg.vecdot': vecdot,
  'linalg.matrixPower': matrixPower,
  'linalg.cholesky': cholesky,
  'linalg.solve': solve,
  'linalg.solveTriangular': solveTriangular,
  'linalg.inv': inv,
  'linalg.det': det,
  'linalg.slogdet': slogdet,
  'linalg.svdvals': svdvals,
  'linalg.svd': svd,
  'linalg.pinv': pinv,
  'linalg.qr': qr,
  'linalg.eigh': eigh,
  'linalg.eigvalsh': eigvalsh,
  'linalg.vectorNorm': vectorNorm,
  'linalg.matrixNorm': matrixNorm,
  'linalg.norm': norm,
  'linalg.cond': cond,
};
