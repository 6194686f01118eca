import type { OpInfo } from './types.js';

export const indexingOps: OpInfo[] = [];
