/** Derivatives of the elementwise ops. */
import type { Tensor } from '@cinder/tensor';
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

/** Places per-operand gradients into input order. */
function place(c: GradContext, ia: number, ga: () => Tensor, ib: number, gb: () => Tensor): (Tensor | null)[] {
  const out: (Tensor | null)[] = c.inputs.map(() => null);
  if (ia >= 0 && c.needs(ia)) out[ia] = reduceTo(ga(), c.inputs[ia]!);
  if (ib >= 0 && c.needs(ib)) out[ib] = reduceTo(gb(), c.inputs[ib]!);
  return out;
}

export const elementwiseDerivatives: Record<string, Derivative> = {
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
    if (c.attrs.roundingMode !== undefined) return c.inputs.map(() => null);
    const { a, b, ia, ib } = binaryOperands(c);
    const g = gradAt(c);
    return place(c, ia, () => g.div(b), ib, () => g.neg().mul(a).div((b as Tensor).square()));
  },
  neg: (c) => [gradAt(c).neg()],
  exp: (c) => [gradAt(c).mul(c.outputs[0]!)],
  log: (c) => [gradAt(c).div(c.inputs[0]!)],
};
