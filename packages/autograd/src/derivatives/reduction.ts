/** Derivatives of the reduction ops. */
import type { Tensor } from '@cinder/tensor';
import type { Derivative } from '../derivatives.js';
import { gradAt } from '../derivatives.js';

/** A reduced gradient expanded back over the reduced dims of `input`. */
export function expandReduced(g: Tensor, input: Tensor, dims: readonly number[] | null | undefined, keepdim: boolean): Tensor {
  let r = g;
  if (!keepdim && input.ndim > 0) {
    const ds = dims === null || dims === undefined ? [...Array(input.ndim).keys()] : [...dims].sort((x, y) => x - y);
    for (const d of ds) r = r.unsqueeze(d);
  }
  return r.expand([...input.shape]);
}

export const reductionDerivatives: Record<string, Derivative> = {
  sum: (c) => {
    const x = c.inputs[0]!;
    const g = expandReduced(gradAt(c), x, c.attrs.dim as number[] | null, Boolean(c.attrs.keepdim));
    return [g.dtype === x.dtype ? g : g.to(x.dtype)];
  },
};
