import type { OpInfo } from './types.js';

export const elementwiseOps: OpInfo[] = [];
