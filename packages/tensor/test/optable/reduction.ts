import type { OpInfo } from './types.js';

export const reductionOps: OpInfo[] = [];
