import type { OpInfo } from './types.js';

export const linalgOps: OpInfo[] = [];
