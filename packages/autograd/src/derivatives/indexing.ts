/** Derivatives of the indexing ops. */
import type { Derivative } from '../derivatives.js';

export const indexingDerivatives: Record<string, Derivative> = {};
