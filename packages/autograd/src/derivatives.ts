/**
 * The derivative table: one entry per differentiable op of @cinder/tensor, keyed by the name the op
 * dispatches under. Each entry maps the gradients of an op's outputs to the gradients of its tensor
 * inputs, written with ordinary (differentiable) tensor ops, so higher-order gradients work.
 * In-place ops (`add_`) use the entry of their out-of-place op unless they have their own.
 *
 * The table is split by op family (src/derivatives/*.ts); this module assembles it and holds the
 * helpers every entry uses.
 */
import { zeros, type Tensor } from '@cinder/tensor';

export interface GradContext {
  /** Gradients of the op's outputs, in output order; null where no gradient flowed. */
  readonly grads: readonly (Tensor | null)[];
  /** The op's tensor inputs as they were when it ran. */
  readonly inputs: readonly Tensor[];
  /** The op's outputs. */
  readonly outputs: readonly Tensor[];
  /** The op's attributes (dims, options, number operands...). */
  readonly attrs: Readonly<Record<string, any>>;
  /** Whether input i needs a gradient (skip work for the others). */
  needs(i: number): boolean;
}

/** Gradients for the op's tensor inputs, in input order (null/undefined: none). */
export type Derivative = (c: GradContext) => (Tensor | null | undefined)[];

/** The gradient of output i, zero-filled when none flowed (for formulas of multi-output ops). */
export function gradAt(c: GradContext, i = 0): Tensor {
  const g = c.grads[i];
  if (g !== null && g !== undefined) return g;
  const o = c.outputs[i]!;
  return zeros([...o.shape], { dtype: o.dtype, device: o.device });
}

/** Sums a broadcast gradient back down to `shape` (the reverse of broadcasting). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.shape.length - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead) dims.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) dims.push(i);
  }
  let r = dims.length > 0 ? g.sum(dims, { keepdim: true }) : g;
  if (lead > 0) r = r.reshape([...shape]);
  return r;
}

/** `g` reduced to the shape of input t (and cast to its dtype when the op promoted it). */
export function reduceTo(g: Tensor, t: Tensor): Tensor {
  const r = sumToShape(g, t.shape);
  return r.dtype === t.dtype ? r : r.to(t.dtype);
}

import { elementwiseDerivatives } from './derivatives/elementwise.js';
import { reductionDerivatives } from './derivatives/reduction.js';
import { shapeDerivatives } from './derivatives/shape.js';
import { linalgDerivatives } from './derivatives/linalg.js';
import { indexingDerivatives } from './derivatives/indexing.js';
import { conversionDerivatives } from './derivatives/conversion.js';
import { randomDerivatives } from './derivatives/random.js';
import { nnDerivatives } from './derivatives/nn.js';
import { convDerivatives } from './derivatives/conv.js';
import { rnnDerivatives } from './derivatives/rnn.js';

/**
 * Ops whose formulas read only the shapes and dtypes of their saved inputs, never their values: their
 * inputs may be modified in place after the op without invalidating its backward (as PyTorch saves
 * only sizes for these).
 */
export const shapeOnlyInputs: ReadonlySet<string> = new Set([
  'reshape', 'view', 'permute', 'squeeze', 'unsqueeze', 'expand', 'select', 'slice', 'index', 'diagonal',
  'asStrided', 'unfold', 'split', 'unbind', 'clone', 'contiguous', 'to', 'add', 'sub', 'neg', 'sum', 'mean',
  'cat', 'stack', 'flip', 'roll', 'tril', 'triu',
]);

export const derivatives: Readonly<Record<string, Derivative>> = {
  ...conversionDerivatives,
  ...elementwiseDerivatives,
  ...reductionDerivatives,
  ...shapeDerivatives,
  ...linalgDerivatives,
  ...indexingDerivatives,
  ...randomDerivatives,
  ...nnDerivatives,
  ...convDerivatives,
  ...rnnDerivatives,
};
