/** Derivatives of the linalg ops. */
import type { Derivative } from '../derivatives.js';

export const linalgDerivatives: Record<string, Derivative> = {};
