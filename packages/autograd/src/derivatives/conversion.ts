/** Derivatives of the conversion ops (clone, to, copy_, fill_). */
import type { Derivative } from '../derivatives.js';
import { gradAt, reduceTo } from '../derivatives.js';

export const conversionDerivatives: Record<string, Derivative> = {
  clone: (c) => [gradAt(c)],
  contiguous: (c) => [gradAt(c)],
  // to(dtype): the gradient flows back in the input's dtype.
  to: (c) => [gradAt(c).to({ dtype: c.inputs[0]!.dtype, device: c.inputs[0]!.device })],
  // copy_(dst, src): dst's old values are overwritten; src receives the gradient (reduced if broadcast).
  copy_: (c) => [null, c.needs(1) ? reduceTo(gradAt(c), c.inputs[1]!) : null],
  fill_: () => [null],
};
