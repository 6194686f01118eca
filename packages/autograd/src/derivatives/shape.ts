/** Derivatives of the shape and view ops. */
import type { Derivative } from '../derivatives.js';
import { gradAt, sumToShape } from '../derivatives.js';

export const shapeDerivatives: Record<string, Derivative> = {
  reshape: (c) => [gradAt(c).reshape([...c.inputs[0]!.shape])],
  view: (c) => [gradAt(c).reshape([...c.inputs[0]!.shape])],
  unsqueeze: (c) => [gradAt(c).squeeze(c.attrs.dim as number)],
  expand: (c) => [sumToShape(gradAt(c), c.inputs[0]!.shape)],
  permute: (c) => {
    const dims = c.attrs.dims as number[];
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[d] = i));
    return [gradAt(c).permute(inverse)];
  },
};
