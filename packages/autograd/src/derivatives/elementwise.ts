/**
 * Derivatives of the elementwise ops (packages/tensor/src/ops/elementwise.ts), after PyTorch's
 * derivatives.yaml. Every formula is written with public tensor ops, so it is differentiable again.
 */
import {
  add, digamma, div, eq, ge, gt, isfinite, le, logicalAnd, logicalOr, lt, polygamma, sigmoid, sub, Tensor, where,
  zerosLike,
} from '@cinder/tensor';
import type { Derivative, GradContext } from '../derivatives.js';
import { gradAt, reduceTo } from '../derivatives.js';

/**
 * Binary ops record number operands in attrs (`self` for the first, `other` for the second), so
 * the tensor inputs are [a, b], [a] or [b]. Returns the operands as tensors-or-numbers with the
 * index of each tensor in `inputs` (-1 for a number).
 */
export function binaryOperands(c: GradContext): { a: Tensor | number; b: Tensor | number; ia: number; ib: number } {
  const hasSelf = c.attrs.self !== undefined;
  const hasOther = c.attrs.other !== undefined;
  const a = hasSelf ? Number(c.attrs.self) : c.inputs[0]!;
  const ia = hasSelf ? -1 : 0;
  const ib = hasOther ? -1 : hasSelf ? 0 : 1;
  const b = hasOther ? Number(c.attrs.other) : c.inputs[ib]!;
  return { a, b, ia, ib };
}

/** One null per input. */
function nulls(c: GradContext): (Tensor | null)[] {
  return new Array<Tensor | null>(c.inputs.length).fill(null);
}

/** Places per-operand gradients into input order (reduced to each input's shape and dtype). */
function place(c: GradContext, ia: number, ga: () => Tensor, ib: number, gb: () => Tensor): (Tensor | null)[] {
  const out = nulls(c);
  if (ia >= 0 && c.needs(ia)) out[ia] = reduceTo(ga(), c.inputs[ia]!);
  if (ib >= 0 && c.needs(ib)) out[ib] = reduceTo(gb(), c.inputs[ib]!);
  return out;
}

/** A unary op's derivative from (grad, input, output, attrs). */
function unary(f: (g: Tensor, x: Tensor, y: Tensor, attrs: Readonly<Record<string, any>>) => Tensor): Derivative {
  return (c) => (c.needs(0) ? [f(gradAt(c), c.inputs[0]!, c.outputs[0]!, c.attrs)] : [null]);
}

/** Piecewise-constant ops (floor, round, sign...): zero gradient, as PyTorch. */
const zeroGrad: Derivative = (c) => (c.needs(0) ? [zerosLike(gradAt(c))] : [null]);

/** Ops PyTorch does not differentiate (rounding divisions): no gradient for any input. */
const noGrad: Derivative = (c) => nulls(c);

const square = (v: Tensor | number): Tensor | number => (typeof v === 'number' ? v * v : v.square());

/** Where `keep`, g; else 0. */
const masked = (keep: Tensor, g: Tensor): Tensor => where(keep, g, 0);

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const GELU_BETA = Math.sqrt(2 / Math.PI);
const GELU_KAPPA = 0.044715;

/** maximum/minimum: the gradient goes to the larger (smaller) operand, split evenly on ties. */
function extremum(isMax: boolean): Derivative {
  return (c) => {
    const { a, b, ia, ib } = binaryOperands(c);
    const g = gradAt(c);
    const shared = (): Tensor => where(eq(a, b), g.mul(0.5), g);
    // a loses where it is the smaller (maximum) or larger (minimum) operand, and vice versa.
    return place(
      c,
      ia, () => where(isMax ? lt(a, b) : gt(a, b), 0, shared()),
      ib, () => where(isMax ? gt(a, b) : lt(a, b), 0, shared()),
    );
  };
}

/** remainder/fmod: d/da = 1, d/db = -(a / b rounded by `mode`). */
function modulo(mode: 'floor' | 'trunc'): Derivative {
  return (c) => {
    const { a, b, ia, ib } = binaryOperands(c);
    const g = gradAt(c);
    return place(c, ia, () => g, ib, () => g.neg().mul(div(a, b, { roundingMode: mode })));
  };
}

/** clamp/clip: number bounds (inputs [x]), one tensor bound (inputs [x, bound], the absent one null in attrs), or both. */
const clampGrad: Derivative = (c) => {
  const A = c.attrs;
  const x = c.inputs[0]!;
  let lo: Tensor | number | null = null;
  let hi: Tensor | number | null = null;
  let ilo = -1;
  let ihi = -1;
  if (!('min' in A)) {
    lo = c.inputs[1]!;
    ilo = 1;
  } else if (!('max' in A)) {
    hi = c.inputs[1]!;
    ihi = 1;
  } else {
    let k = 1;
    if (A.min instanceof Tensor) {
      ilo = k++;
      lo = c.inputs[ilo]!;
    } else lo = A.min === null ? null : Number(A.min);
    if (A.max instanceof Tensor) {
      ihi = k++;
      hi = c.inputs[ihi]!;
    } else hi = A.max === null ? null : Number(A.max);
  }
  const g = gradAt(c);
  const out = nulls(c);
  if (c.needs(0)) {
    let keep: Tensor | null = null;
    if (lo !== null) keep = ge(x, lo);
    if (hi !== null) keep = keep === null ? le(x, hi) : logicalAnd(keep, le(x, hi));
    out[0] = reduceTo(masked(keep!, g), x);
  }
  if (ilo >= 0 && c.needs(ilo)) {
    const below = lt(x, lo!);
    out[ilo] = reduceTo(masked(hi === null ? below : logicalAnd(below, lt(lo!, hi)), g), c.inputs[ilo]!);
  }
  if (ihi >= 0 && c.needs(ihi)) {
    const above = gt(x, hi!);
    out[ihi] = reduceTo(masked(lo === null ? above : logicalOr(above, lt(hi!, lo)), g), c.inputs[ihi]!);
  }
  return out;
};

export const elementwiseDerivatives: Record<string, Derivative> = {
  // ---- binary arithmetic ----
  add: (c) => {
    const { ia, ib } = binaryOperands(c);
    const alpha = (c.attrs.alpha as number | undefined) ?? 1;
    const g = gradAt(c);
    return place(c, ia, () => g, ib, () => (alpha === 1 ? g : g.mul(alpha)));
  },
  sub: (c) => {
    const { ia, ib } = binaryOperands(c);
    const alpha = (c.attrs.alpha as number | undefined) ?? 1;
    const g = gradAt(c);
    return place(c, ia, () => g, ib, () => g.mul(-alpha));
  },
  mul: (c) => {
    const { a, b, ia, ib } = binaryOperands(c);
    const g = gradAt(c);
    return place(c, ia, () => g.mul(b), ib, () => g.mul(a));
  },
  div: (c) => {
    if (c.attrs.roundingMode !== undefined && c.attrs.roundingMode !== null) return noGrad(c);
    const { a, b, ia, ib } = binaryOperands(c);
    const g = gradAt(c);
    return place(c, ia, () => g.div(b), ib, () => g.neg().mul(a).div(square(b)));
  },
  floorDivide: noGrad,
  remainder: modulo('floor'),
  fmod: modulo('trunc'),
  pow: (c) => {
    const { a, b, ia, ib } = binaryOperands(c);
    const g = gradAt(c);
    const y = c.outputs[0]!;
    const gSelf = (): Tensor => {
      const base = a as Tensor;
      if (typeof b === 'number') return b === 0 ? zerosLike(g) : g.mul(base.pow(b - 1).mul(b));
      return where(eq(b, 0), 0, g.mul(base.pow(b.sub(1)).mul(b)));
    };
    const gExp = (): Tensor => {
      const exp = b as Tensor;
      if (typeof a === 'number') {
        const d = g.mul(y.mul(Math.log(a)));
        return a === 0 ? where(ge(exp, 0), 0, d) : d;
      }
      // 0^b has zero derivative in b for b >= 0 (PyTorch's convention; log(0) would give NaN).
      return where(logicalAnd(ge(exp, 0), eq(a, 0)), 0, g.mul(y.mul(a.log())));
    };
    return place(c, ia, gSelf, ib, gExp);
  },
  atan2: (c) => {
    const { a, b, ia, ib } = binaryOperands(c);
    const g = gradAt(c);
    const denom = (): Tensor => add(square(a), square(b));
    return place(c, ia, () => g.mul(b).div(denom()), ib, () => g.mul(a).neg().div(denom()));
  },
  maximum: extremum(true),
  minimum: extremum(false),

  // ---- unary ----
  neg: unary((g) => g.neg()),
  abs: unary((g, x) => g.mul(x.sign())),
  reciprocal: unary((g, _x, y) => g.neg().mul(y.square())),
  square: unary((g, x) => g.mul(x).mul(2)),
  sqrt: unary((g, _x, y) => g.div(y.mul(2))),
  rsqrt: unary((g, _x, y) => g.mul(y.pow(3)).mul(-0.5)),
  exp: unary((g, _x, y) => g.mul(y)),
  exp2: unary((g, _x, y) => g.mul(y).mul(Math.LN2)),
  expm1: unary((g, _x, y) => g.mul(y.add(1))),
  log: unary((g, x) => g.div(x)),
  log2: unary((g, x) => g.div(x.mul(Math.LN2))),
  log10: unary((g, x) => g.div(x.mul(Math.LN10))),
  log1p: unary((g, x) => g.div(x.add(1))),
  sin: unary((g, x) => g.mul(x.cos())),
  cos: unary((g, x) => g.mul(x.sin()).neg()),
  tan: unary((g, _x, y) => g.mul(y.square().add(1))),
  asin: unary((g, x) => g.mul(sub(1, x.square()).rsqrt())),
  acos: unary((g, x) => g.mul(sub(1, x.square()).rsqrt()).neg()),
  atan: unary((g, x) => g.div(x.square().add(1))),
  sinh: unary((g, x) => g.mul(x.cosh())),
  cosh: unary((g, x) => g.mul(x.sinh())),
  tanh: unary((g, _x, y) => g.mul(sub(1, y.square()))),
  asinh: unary((g, x) => g.mul(x.square().add(1).rsqrt())),
  acosh: unary((g, x) => g.mul(x.square().sub(1).rsqrt())),
  atanh: unary((g, x) => g.div(sub(1, x.square()))),
  sigmoid: unary((g, _x, y) => g.mul(y.mul(sub(1, y)))),
  logit: unary((g, x, _y, at) => {
    const eps = at.eps as number | null | undefined;
    const d = g.div(x.mul(sub(1, x)));
    // Outside the domain the gradient is NaN; with eps, the clamped regions are flat.
    if (eps === null || eps === undefined || eps < 0) return where(logicalOr(lt(x, 0), gt(x, 1)), NaN, d);
    return where(logicalOr(lt(x, eps), gt(x, 1 - eps)), 0, d);
  }),
  relu: unary((g, _x, y) => masked(gt(y, 0), g)),
  gelu: unary((g, x, _y, at) => {
    if (at.approximate === 'tanh') {
      const x2 = x.square();
      const t = x.add(x2.mul(x).mul(GELU_KAPPA)).mul(GELU_BETA).tanh();
      const left = t.add(1).mul(0.5);
      const right = x.mul(0.5).mul(sub(1, t.square())).mul(x2.mul(3 * GELU_KAPPA).add(1).mul(GELU_BETA));
      return g.mul(left.add(right));
    }
    const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
    const pdf = x.square().mul(-0.5).exp().div(SQRT_2PI);
    return g.mul(cdf.add(x.mul(pdf)));
  }),
  silu: unary((g, x) => {
    const s = sigmoid(x);
    return g.mul(s.mul(x.mul(sub(1, s)).add(1)));
  }),
  softplus: unary((g, x, _y, at) => {
    const beta = (at.beta as number | undefined) ?? 1;
    const threshold = (at.threshold as number | undefined) ?? 20;
    const bx = x.mul(beta);
    return where(gt(bx, threshold), g, g.mul(sigmoid(bx)));
  }),
  erf: unary((g, x) => g.mul(x.square().neg().exp().mul(2 / SQRT_PI))),
  erfc: unary((g, x) => g.mul(x.square().neg().exp().mul(-2 / SQRT_PI))),
  erfinv: unary((g, _x, y) => g.mul(y.square().exp().mul(SQRT_PI / 2))),
  lgamma: unary((g, x) => g.mul(digamma(x))),
  digamma: unary((g, x) => g.mul(polygamma(1, x))),
  polygamma: unary((g, x, _y, at) => g.mul(polygamma(Number(at.n) + 1, x))),
  floor: zeroGrad,
  ceil: zeroGrad,
  trunc: zeroGrad,
  round: zeroGrad,
  sign: zeroGrad,
  nanToNum: unary((g, x) => masked(isfinite(x), g)),

  // ---- clamp, lerp, where ----
  clamp: clampGrad,
  clip: clampGrad,
  lerp: (c) => {
    // inputs: [start, end?, weight?]; number operands in attrs.end / attrs.weight.
    const start = c.inputs[0]!;
    let k = 1;
    const ie = c.attrs.end !== undefined ? -1 : k++;
    const iw = c.attrs.weight !== undefined ? -1 : k++;
    const end: Tensor | number = ie < 0 ? Number(c.attrs.end) : c.inputs[ie]!;
    const w: Tensor | number = iw < 0 ? Number(c.attrs.weight) : c.inputs[iw]!;
    const g = gradAt(c);
    const out = nulls(c);
    if (c.needs(0)) out[0] = reduceTo(typeof w === 'number' ? g.mul(1 - w) : g.mul(sub(1, w)), start);
    if (ie >= 0 && c.needs(ie)) out[ie] = reduceTo(g.mul(w), c.inputs[ie]!);
    if (iw >= 0 && c.needs(iw)) out[iw] = reduceTo(g.mul(sub(end, start)), c.inputs[iw]!);
    return out;
  },
  where: (c) => {
    // inputs: [cond, x?, y?]; number operands in attrs.self / attrs.other. cond gets none.
    const cond = c.inputs[0]!;
    let k = 1;
    const ix = c.attrs.self !== undefined ? -1 : k++;
    const iy = c.attrs.other !== undefined ? -1 : k++;
    const g = gradAt(c);
    const out = nulls(c);
    if (ix >= 0 && c.needs(ix)) out[ix] = reduceTo(where(cond, g, 0), c.inputs[ix]!);
    if (iy >= 0 && c.needs(iy)) out[iy] = reduceTo(where(cond, 0, g), c.inputs[iy]!);
    return out;
  },
};
